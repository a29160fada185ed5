package wrapper

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"
)

// RequestError is returned when a call got no usable HTTP response at all:
// the connection failed, the context ended, or a redirect was refused. It
// wraps the cause, so errors.Is(err, context.DeadlineExceeded) works. The
// cause never holds a URL or a secret: net/http's *url.Error is unwrapped,
// and a cause whose text holds a secret of the call is replaced by its
// scrubbed text.
type RequestError struct {
	Method   string
	Path     string
	Attempts int
	Err      error
}

// Error implements error.
func (e *RequestError) Error() string {
	s := "nylascreds: " + e.Method + " " + e.Path + ": "
	if e.Attempts > 1 {
		s += "after " + strconv.Itoa(e.Attempts) + " attempts: "
	}
	return s + e.Err.Error()
}

// Unwrap returns the cause, for errors.Is and errors.As.
func (e *RequestError) Unwrap() error { return e.Err }

// call is one operation from its checked input to its result: the request is
// built by a generated builder, sent by send, and its record is turned into
// the result (by a generated parser) or into the one typed error it deserves.
type call[T any] struct {
	data  CredentialData // sent, if any: its secrets are scrubbed too
	build func(server string) (*http.Request, error)
	// parse decodes a 2xx body (with a generated parser) and returns the
	// body's request_id when it has one.
	parse func(*http.Response) (T, string, error)
}

// callConfig is the client's configuration with one call's options applied.
func (c *Client) callConfig(opts []Option) (*config, error) {
	cfg := c.cfg
	cfg.perCall = true
	return &cfg, cfg.apply(opts)
}

// checked joins the problems of a call's options and of its input; nil
// means the call may go on the wire.
func checked(optErr error, probs *problems, op string) error {
	return errors.Join(optErr, probs.err(op))
}

func (k call[T]) run(ctx context.Context, c *Client, cfg *config) (T, *exchange, error) {
	ctx, cancel := withTimeout(ctx, cfg.timeout)
	defer cancel()
	s := newSecrets(c, k.data)
	ex := c.send(ctx, cfg, s, k.build)
	var zero T
	if err := ex.failure(s); err != nil {
		var apiErr *APIError
		bodyID := ""
		if errors.As(err, &apiErr) {
			bodyID = apiErr.RequestID
		}
		record(cfg, ex, s, bodyID)
		return zero, ex, err
	}
	resp := &http.Response{StatusCode: ex.status, Header: ex.header, Body: io.NopCloser(bytes.NewReader(ex.body))}
	v, requestID, err := k.parse(resp)
	record(cfg, ex, s, requestID)
	if err != nil {
		return zero, ex, ex.unusable(s, err)
	}
	return v, ex, nil
}

// withTimeout bounds ctx to d from now, unless its deadline comes first
// (inside Update, which bounds its flow check and its PATCH together, it
// always does): a second timer would never fire, and costs 5 allocations
// per call (tests/bench: 171 to 166 per PATCH).
func withTimeout(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) <= d {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, d)
}

// record fills in the caller's Response (WithResponseInto), when a response arrived.
func record(cfg *config, ex *exchange, s *secrets, bodyRequestID string) {
	if cfg.into == nil || ex.status == 0 {
		return
	}
	h := make(http.Header, len(ex.header))
	for k, vs := range ex.header {
		clean := make([]string, len(vs))
		for i, v := range vs {
			clean[i] = s.scrub(v)
		}
		h[s.scrub(k)] = clean
	}
	id := bodyRequestID
	if id == "" {
		id = serverText(s.get(), ex.header.Get("X-Request-Id"), maxIDText)
	}
	*cfg.into = Response{StatusCode: ex.status, RequestID: id, Header: h, Attempts: ex.attempts, Retried: ex.retried}
}

// failure turns the record of a call into the error it ended with, or nil
// for a 2xx response whose body was read: *RequestError when no response
// arrived, *ResponseError when one arrived but could not be read, *APIError
// for every non-2xx status.
func (ex *exchange) failure(s *secrets) error {
	switch {
	case ex.status == 0:
		cause := ex.err
		if ex.interrupted != nil {
			cause = interruptedError{ctx: ex.interrupted, last: ex.err}
		}
		return &RequestError{Method: ex.method, Path: ex.path, Attempts: ex.attempts, Err: sanitize(cause, s)}
	case ex.err != nil:
		return ex.unusable(s, ex.err)
	case ex.status < 200 || ex.status > 299:
		return newAPIError(ex, s.get())
	}
	return nil
}

// unusable reports a response that arrived but cannot be used: its body
// was over the cap or cut short, or (for a 2xx) not what the API documents.
func (ex *exchange) unusable(s *secrets, err error) error {
	return &ResponseError{Method: ex.method, Path: ex.path, StatusCode: ex.status,
		RequestID: serverText(s.get(), ex.header.Get("X-Request-Id"), maxIDText), Attempts: ex.attempts, Err: sanitize(err, s)}
}

// sanitize keeps a cause whose text holds no secret of the call, so that
// errors.Is and errors.As still see it; a cause that does is replaced by its
// scrubbed text, keeping only the context's error (for errors.Is) beneath.
func sanitize(err error, s *secrets) error {
	msg := err.Error()
	clean := s.scrub(msg)
	if clean == msg {
		return err
	}
	var ctxErr error
	switch {
	case errors.Is(err, context.Canceled):
		ctxErr = context.Canceled
	case errors.Is(err, context.DeadlineExceeded):
		ctxErr = context.DeadlineExceeded
	}
	return scrubbedError{msg: clean, ctx: ctxErr}
}

type scrubbedError struct {
	msg string
	ctx error
}

func (e scrubbedError) Error() string { return e.msg }
func (e scrubbedError) Unwrap() error { return e.ctx }

// interruptedError: the context ended while the call waited to retry after
// a transport failure. Both stay reachable for errors.Is and errors.As.
type interruptedError struct{ ctx, last error }

func (e interruptedError) Error() string {
	return e.last.Error() + " (not retried: " + e.ctx.Error() + ")"
}
func (e interruptedError) Unwrap() []error { return []error{e.ctx, e.last} }

// errNotJSON is the cause when a 2xx response does not carry a JSON body.
var errNotJSON = errors.New("body is not the documented JSON")
