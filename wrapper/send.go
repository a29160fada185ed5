package wrapper

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"slices"
	"sync/atomic"
	"time"
)

// errRedirectRefused is the cause of a redirect: the API key must never reach another host.
var errRedirectRefused = errors.New("refused to follow a redirect")

// call is one operation, ready to go on the wire.
type call struct {
	build   func(server string) (*http.Request, error) // a generated request builder
	secrets []Secret                                   // the secrets the request sends
	// decode turns a 2xx body into the caller's result and returns its request_id.
	decode func(status int, body []byte) (string, error)
	flow   FlowCheck // what Update's guard found, for the Response
	// goneAfterLost (Delete): a 404 after a lost attempt means that attempt did the work.
	goneAfterLost bool
}

// exchange records one call on the wire: its last response (status 0 if none) and what the loop saw.
type exchange struct {
	method, path, query string
	attempts            int
	retried             []string
	lost                bool // an earlier attempt may have been acted on
	status              int
	header              http.Header
	body                []byte
	err                 error // why the last attempt failed before its status could be judged
	interrupted         error // the context ended while waiting to retry
}

// do sends k, maps the outcome to nil or its one typed error, and writes the caller's Response.
func (c *Client) do(ctx context.Context, cfg *config, k call) error {
	ctx, cancel := context.WithTimeout(ctx, cfg.timeout)
	defer cancel()
	sc := c.keyScrub().with(k.secrets)
	ex := &exchange{}
	if err := c.send(ctx, cfg, sc, k.build, ex); err != nil {
		return err
	}
	id, err := ex.result(sc, k.decode)
	if k.goneAfterLost && ex.lost && IsNotFound(err) {
		err = nil
	}
	if cfg.into != nil && ex.status != 0 {
		*cfg.into = Response{StatusCode: ex.status, RequestID: sc.text(id, maxIDText), Header: sc.header(ex.header),
			Attempts: ex.attempts, Retried: ex.retried, FlowCheck: k.flow}
	}
	return err
}

// send is every call's loop: build, send (see attempt), retry what is safe to.
// Each attempt builds the request anew, so a body is replayed byte for byte.
func (c *Client) send(ctx context.Context, cfg *config, sc scrubber, build func(string) (*http.Request, error), ex *exchange) error {
	for attempt := 1; ; attempt++ {
		req, err := build(c.baseURL + "/")
		if err != nil {
			return fmt.Errorf("nylascreds: build request: %w", err)
		}
		ex.method, ex.path, ex.query = req.Method, req.URL.EscapedPath(), req.URL.RawQuery
		c.attempt(ctx, cfg, sc, req, ex)

		retry, wait, why := cfg.retry.next(req.Method, attempt, ex.status, ex.header, ex.err, time.Now())
		if !retry {
			return nil
		}
		if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < wait {
			// Answer now with what we have rather than with a bare timeout.
			ex.interrupted = fmt.Errorf("%w: it comes before a retry in %s", context.DeadlineExceeded, wait.Round(time.Millisecond))
			return nil
		}
		ex.retried = append(ex.retried, why)
		ex.lost = ex.lost || outcomeLost(ex.status, ex.err)
		if err := sleepCtx(ctx, wait); err != nil {
			ex.interrupted = fmt.Errorf("%w while waiting to retry", err)
			return nil
		}
	}
}

// attempt adds the client's headers, sends req once, reads the body under the
// cap, logs, and records the outcome in ex. net/http itself re-sends a request
// whose reused connection fails before the first response byte: GotConn, once
// per connection used, counts (and logs) such re-sends.
func (c *Client) attempt(ctx context.Context, cfg *config, sc scrubber, req *http.Request, ex *exchange) {
	var gotConn atomic.Int32
	req = req.WithContext(httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		GotConn: func(httptrace.GotConnInfo) { gotConn.Add(1) },
	}))
	ua := "nylascreds-go/" + Version
	if cfg.uaSuffix != "" {
		ua += " " + cfg.uaSuffix
	}
	req.Header.Set("Authorization", "Bearer "+c.apiKey.Reveal())
	req.Header.Set("User-Agent", ua)
	req.Header.Set("Accept", "application/json")

	start := time.Now()
	resp, err := c.hc.Do(req)
	conns := int(gotConn.Load())
	ex.attempts += max(conns, 1)
	ex.status, ex.header, ex.body, ex.err = 0, nil, nil, nil
	if err != nil {
		ex.err = transportCause(err, resp)
	} else {
		ex.status, ex.header = resp.StatusCode, resp.Header
		ex.body, ex.err = readBody(resp, cfg.maxBody)
	}
	if cfg.logger != nil {
		logAttempt(ctx, cfg.logger, sc, ex, conns, time.Since(start))
	}
}

// transportCause strips the *url.Error net/http wraps every failure in: it holds a URL (a redirect's Location).
func transportCause(err error, resp *http.Response) error {
	if urlErr, ok := errors.AsType[*url.Error](err); ok {
		err = urlErr.Err
	}
	if errors.Is(err, errRedirectRefused) && resp != nil {
		return fmt.Errorf("%w (the server answered %d; the API key is never sent to another URL)", errRedirectRefused, resp.StatusCode)
	}
	return err
}

// readBody reads a body to its end (so the connection is reused) and closes it.
// One announced or found over limit is refused, its connection dropped, not drained.
func readBody(resp *http.Response, limit int64) ([]byte, error) {
	defer resp.Body.Close()
	if resp.ContentLength > limit {
		return nil, fmt.Errorf("%w of %d bytes", ErrResponseTooLarge, limit)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	switch {
	case err != nil:
		return nil, fmt.Errorf("response cut short: %w", err)
	case int64(len(body)) > limit:
		return nil, fmt.Errorf("%w of %d bytes", ErrResponseTooLarge, limit)
	}
	return body, nil
}

// result maps a call's record to its error (nil for a 2xx body that decoded)
// and its request id: the body's request_id, else X-Request-Id. A success's id
// is left for do to scrub, only when a Response asks for it: scrubbing makes
// the forms of the call's secrets, which a call that keeps no text never needs.
func (ex *exchange) result(sc scrubber, decode func(int, []byte) (string, error)) (string, error) {
	headerID := func() string { return sc.text(ex.header.Get("X-Request-Id"), maxIDText) }
	switch {
	case ex.status == 0:
		cause := ex.err
		if ex.interrupted != nil { // both stay reachable for errors.Is and errors.As
			cause = fmt.Errorf("%w (not retried: %w)", ex.err, ex.interrupted)
		}
		return "", &RequestError{Method: ex.method, Path: ex.path, Attempts: ex.attempts, Err: sc.cause(cause)}
	case ex.err != nil:
		id := headerID()
		return id, ex.unusable(id, sc.cause(ex.err))
	case ex.status < 200 || ex.status > 299:
		e := newAPIError(ex, sc, headerID())
		return e.RequestID, e
	}
	bodyID, err := decode(ex.status, ex.body)
	id := cmp.Or(bodyID, ex.header.Get("X-Request-Id"))
	if err != nil {
		id = sc.text(id, maxIDText)
		return id, ex.unusable(id, sc.cause(err))
	}
	return id, nil
}

func (ex *exchange) unusable(requestID string, err error) *ResponseError {
	return &ResponseError{Method: ex.method, Path: ex.path, StatusCode: ex.status, RequestID: requestID, Attempts: ex.attempts, Err: err}
}

// logAttempt writes one record per attempt; server text in it is scrubbed.
func logAttempt(ctx context.Context, l *slog.Logger, sc scrubber, ex *exchange, conns int, took time.Duration) {
	for n := ex.attempts - conns + 1; n < ex.attempts; n++ {
		l.LogAttrs(ctx, slog.LevelWarn, "nylascreds http attempt", slog.String("method", ex.method), slog.String("path", ex.path),
			slog.Int("attempt", n), slog.String("error", "connection lost before a response; net/http sent the request again"))
	}
	attrs := []slog.Attr{slog.String("method", ex.method), slog.String("path", ex.path)}
	if ex.query != "" {
		attrs = append(attrs, slog.String("query", ex.query)) // list parameters, never a secret
	}
	attrs = append(attrs, slog.Int("attempt", ex.attempts), slog.Duration("duration", took))
	level := slog.LevelDebug
	if ex.status != 0 {
		attrs = append(attrs, slog.Int("status", ex.status), slog.String("request_id", sc.text(ex.header.Get("X-Request-Id"), maxIDText)))
		if ex.status >= 400 {
			level = slog.LevelWarn
		}
	}
	if ex.err != nil {
		attrs = append(attrs, slog.String("error", sc.text(ex.err.Error(), maxMessageText)))
		level = slog.LevelWarn
	}
	l.LogAttrs(ctx, level, "nylascreds http attempt", attrs...)
}

// header is what a Response keeps of h: the first maxHeaderValues values (names sorted), cut and scrubbed.
func (sc scrubber) header(h http.Header) http.Header {
	out := http.Header{}
	n := 0
	for _, k := range slices.Sorted(maps.Keys(h)) {
		for _, v := range h[k] {
			if n == maxHeaderValues {
				return out
			}
			n++
			name := sc.text(k, maxIDText)
			out[name] = append(out[name], sc.text(v, maxHeaderText))
		}
	}
	return out
}
