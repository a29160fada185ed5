package wrapper

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"
)

// errRedirectRefused is wrapped when a server answers with a redirect: the
// Authorization header must never reach another host, and the Connector
// Credentials API has no reason to redirect, so none is followed.
var errRedirectRefused = errors.New("refused to follow a redirect")

// callState carries what the transport learns about one wrapper call back to
// the wrapper (through the request context): the generated client hands back
// only the final response or error.
type callState struct {
	method     string
	path       string // escaped, as sent
	attempts   int
	lastStatus int
	requestID  string
	// rawSecrets are the call's secrets; scrub hides them in anything the
	// server sent before it reaches an error or a log record.
	rawSecrets []string
	secrets    *secretSet // built on first use: success paths never pay
}

// secretSet returns the call's secrets, expanded on first use.
func (st *callState) secretSet() *secretSet {
	if st.secrets == nil {
		st.secrets = newSecretSet(st.rawSecrets...)
	}
	return st.secrets
}

// scrub hides the call's secrets in text that came from the server.
func (st *callState) scrub(text string) string {
	if text == "" {
		return text
	}
	return st.secretSet().scrub(text)
}

type callStateKey struct{}

func withCallState(ctx context.Context, st *callState) context.Context {
	return context.WithValue(ctx, callStateKey{}, st)
}

func callStateFrom(ctx context.Context) *callState {
	if st, ok := ctx.Value(callStateKey{}).(*callState); ok {
		return st
	}
	return &callState{}
}

// transport is the gen.HttpRequestDoer every generated call goes through. It
// adds the API key and identification headers, retries what is safe to
// retry, reads every response body into memory under a size limit (the
// generated parsers read bodies with an unbounded io.ReadAll), and logs one
// record per attempt.
type transport struct {
	client    *http.Client
	apiKey    Secret
	userAgent string
	maxBody   int64
	retry     retryPolicy
	logger    *slog.Logger
}

// newHTTPClient copies base (never mutating the caller's client) and makes it
// refuse redirects.
func newHTTPClient(base *http.Client) *http.Client {
	c := *base
	c.CheckRedirect = func(req *http.Request, _ []*http.Request) error {
		return fmt.Errorf("%w to %s", errRedirectRefused, req.URL.Host)
	}
	return &c
}

// Do sends req, retrying as the policy allows. The returned response's body
// is already in memory (and the connection released).
func (t *transport) Do(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	st := callStateFrom(ctx)
	st.method, st.path = req.Method, req.URL.EscapedPath()

	var body []byte
	if req.Body != nil {
		var err error
		body, err = io.ReadAll(req.Body)
		_ = req.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("read request body: %w", err)
		}
	}

	for attempt := 1; ; attempt++ {
		st.attempts = attempt
		resp, err := t.attempt(ctx, req, body, attempt, st)
		retry, wait := t.retry.next(req.Method, attempt, resp, err, time.Now())
		if retry {
			if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < wait {
				// The caller's deadline would expire while waiting: answer
				// now with what we have rather than with a bare timeout.
				retry = false
			}
		}
		if !retry {
			return resp, err
		}
		if err := sleepCtx(ctx, wait); err != nil {
			return nil, fmt.Errorf("waiting %s to retry after attempt %d: %w", wait.Round(time.Millisecond), attempt, err)
		}
	}
}

// attempt sends one copy of req with the exact bytes of body.
func (t *transport) attempt(ctx context.Context, req *http.Request, body []byte, attempt int, st *callState) (*http.Response, error) {
	r := req.Clone(ctx)
	switch {
	case body != nil:
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
		r.ContentLength = int64(len(body))
	case r.Method == http.MethodGet:
		// net/http silently re-sends a "replayable" request (a GET with no
		// body) when a reused keep-alive connection fails before the first
		// response byte, even though the server may have received it. That
		// hidden attempt would escape the retry policy (WithRetries(0) would
		// still send twice) and the attempt count. An empty body that cannot
		// be rewound makes the GET non-replayable; the transport probes it,
		// finds it empty, and sends no body and no Content-Length as before.
		// Our own policy retries GETs on connection errors instead.
		r.Body = emptyBody{}
		r.GetBody = nil
		r.ContentLength = 0
	}
	r.Header.Set("Authorization", "Bearer "+t.apiKey.Reveal())
	r.Header.Set("User-Agent", t.userAgent)
	r.Header.Set("Accept", "application/json")

	start := time.Now()
	st.lastStatus, st.requestID = 0, ""
	resp, err := t.client.Do(r)
	if err == nil {
		st.lastStatus = resp.StatusCode
		st.requestID = resp.Header.Get("X-Request-Id")
		err = t.buffer(resp)
		if err != nil {
			resp = nil
		}
	}
	t.log(ctx, r, attempt, start, resp, err, st)
	return resp, err
}

// emptyBody is an empty request body with no GetBody; see attempt.
type emptyBody struct{}

func (emptyBody) Read([]byte) (int, error) { return 0, io.EOF }
func (emptyBody) Close() error             { return nil }

// buffer replaces resp.Body with an in-memory copy, read to EOF so that the
// connection goes back to the pool, or fails when the body is over the limit.
func (t *transport) buffer(resp *http.Response) error {
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, t.maxBody+1))
	if err != nil {
		return fmt.Errorf("read %d response body: %w", resp.StatusCode, err)
	}
	if int64(len(data)) > t.maxBody {
		return fmt.Errorf("%d response: %w (%d bytes)", resp.StatusCode, ErrResponseTooLarge, t.maxBody)
	}
	resp.Body = io.NopCloser(bytes.NewReader(data))
	resp.ContentLength = int64(len(data))
	return nil
}

// log writes one record per attempt: method, path, status, request id,
// attempt number, duration. Never a header, a body or a query value.
func (t *transport) log(ctx context.Context, r *http.Request, attempt int, start time.Time, resp *http.Response, err error, st *callState) {
	if t.logger == nil {
		return
	}
	attrs := []slog.Attr{
		slog.String("method", r.Method),
		slog.String("path", r.URL.EscapedPath()),
		slog.Int("attempt", attempt),
		slog.Duration("duration", time.Since(start)),
	}
	level := slog.LevelDebug
	if resp != nil {
		attrs = append(attrs, slog.Int("status", resp.StatusCode), slog.String("request_id", st.scrub(st.requestID)))
		if resp.StatusCode >= 400 {
			level = slog.LevelWarn
		}
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", st.scrub(err.Error())))
		level = slog.LevelWarn
	}
	t.logger.LogAttrs(ctx, level, "nylascreds http attempt", attrs...)
}
