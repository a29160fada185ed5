package wrapper

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptrace"
	"sync/atomic"
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
	attempts   int    // requests sent so far, net/http's own re-sends included
	conns      atomic.Int32
	lastStatus int
	requestID  string
	// apiKey and data hold the call's secrets; scrub hides them in anything
	// the server sent before it reaches an error or a log record.
	apiKey  string
	data    CredentialData
	secrets *secretSet // built on first use: success paths never pay
}

// gotConn counts the connections the current attempt is sent on.
func (st *callState) gotConn(httptrace.GotConnInfo) { st.conns.Add(1) }

// secretSet returns the call's secrets, expanded on first use.
func (st *callState) secretSet() *secretSet {
	if st.secrets == nil {
		raw := []string{st.apiKey}
		if st.data != nil {
			raw = append(raw, st.data.secretValues()...)
		}
		st.secrets = newSecretSet(raw...)
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

// callContext is a call's context with its state inside: one allocation
// instead of a context.WithValue node plus the state it points to.
type callContext struct {
	context.Context
	st callState
}

// Value implements context.Context.
func (c *callContext) Value(key any) any {
	if _, ok := key.(callStateKey); ok {
		return &c.st
	}
	return c.Context.Value(key)
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
	client  *http.Client
	headers fixedHeaders
	maxBody int64
	retry   retryPolicy
	logger  *slog.Logger
}

// fixedHeaders are the header values every request carries, built once per
// client. net/http only reads request headers, so the slices are shared.
type fixedHeaders struct {
	authorization []string
	userAgent     []string
	accept        []string
}

func newFixedHeaders(apiKey Secret, userAgent string) fixedHeaders {
	return fixedHeaders{
		authorization: []string{"Bearer " + apiKey.Reveal()},
		userAgent:     []string{userAgent},
		accept:        []string{"application/json"},
	}
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

// Do sends req, retrying as the policy allows. The body of a response that
// is retried is drained (so its connection is reused); the body of the
// response returned is capped at maxBody and read by the caller, who must
// read it to the end and close it (the generated parsers and result do).
//
// req was built by the generated client for this call alone, so its headers
// are set once, here, and never touched again. The first attempt sends req
// itself; each retry sends a shallow copy with a fresh reader over the same
// bytes (from GetBody), so the body is replayed byte for byte.
func (t *transport) Do(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	st := callStateFrom(ctx)
	st.method, st.path = req.Method, req.URL.EscapedPath()

	// Canonical keys, assigned directly: no per-request allocation.
	req.Header["Authorization"] = t.headers.authorization
	req.Header["User-Agent"] = t.headers.userAgent
	req.Header["Accept"] = t.headers.accept
	if req.Body != nil && req.Body != http.NoBody && req.GetBody == nil {
		// Not from the generated builders (they always set GetBody); make
		// the body replayable all the same.
		body, err := io.ReadAll(req.Body)
		_ = req.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("read request body: %w", err)
		}
		req.Body = io.NopCloser(bytes.NewReader(body))
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	}
	if req.Method == http.MethodGet {
		// net/http re-sends a GET by itself when a reused HTTP/1 keep-alive
		// connection fails before the first response byte, and HTTP/2 does
		// when a server refuses a stream unprocessed (GOAWAY during a
		// deploy). Those re-sends are safe and worth keeping, but they must
		// not be invisible: GotConn fires once per connection the request
		// is sent on, so every call after the first is a re-send, counted
		// and logged as an attempt.
		req = req.WithContext(httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{GotConn: st.gotConn}))
	}

	r := req
	for attempt := 1; ; attempt++ {
		if attempt > 1 && req.GetBody != nil {
			body, err := req.GetBody()
			if err != nil {
				return nil, fmt.Errorf("replay request body: %w", err)
			}
			copied := *req
			copied.Body = body
			r = &copied
		}
		resp, err := t.attempt(ctx, r, st)
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
		if resp != nil {
			drain(resp.Body, t.maxBody)
		}
		if err := sleepCtx(ctx, wait); err != nil {
			return nil, fmt.Errorf("waiting %s to retry after attempt %d: %w", wait.Round(time.Millisecond), attempt, err)
		}
	}
}

// attempt sends r once (net/http may re-send it; see Do). A response that
// announces a body over the limit is refused at once; any other body is
// capped as it is read.
func (t *transport) attempt(ctx context.Context, r *http.Request, st *callState) (*http.Response, error) {
	start := time.Now()
	st.lastStatus, st.requestID = 0, ""
	st.conns.Store(0)
	resp, err := t.client.Do(r)
	for n := st.conns.Load(); n > 1; n-- {
		st.attempts++
		t.logResend(ctx, r, st.attempts)
	}
	st.attempts++
	if err == nil {
		st.lastStatus = resp.StatusCode
		st.requestID = resp.Header.Get("X-Request-Id")
		if resp.ContentLength > t.maxBody {
			_ = resp.Body.Close() // not drained: the connection is dropped
			resp, err = nil, tooLarge(st.lastStatus, t.maxBody)
		} else {
			resp.Body = &cappedBody{ReadCloser: resp.Body, left: t.maxBody, status: resp.StatusCode}
		}
	}
	t.log(ctx, r, st.attempts, start, resp, err, st)
	return resp, err
}

func tooLarge(status int, limit int64) error {
	return fmt.Errorf("%d response: %w (%d bytes)", status, ErrResponseTooLarge, limit)
}

// cappedBody fails a read that would take the body past left bytes. The
// generated parsers read bodies with an unbounded io.ReadAll; this is where
// the bound is.
type cappedBody struct {
	io.ReadCloser
	left   int64
	status int
}

func (b *cappedBody) Read(p []byte) (int, error) {
	if int64(len(p)) > b.left+1 {
		p = p[:b.left+1]
	}
	n, err := b.ReadCloser.Read(p)
	if int64(n) > b.left {
		b.left = -1
		return 0, tooLarge(b.status, 0)
	}
	b.left -= int64(n)
	return n, err
}

// drain reads a body that will not be used to its end (up to limit), so that
// its connection can be reused, and closes it.
func drain(body io.ReadCloser, limit int64) {
	_, _ = io.Copy(io.Discard, io.LimitReader(body, limit))
	_ = body.Close()
}

// logResend records a request that net/http sent again by itself, after the
// connection it went out on failed before any response.
func (t *transport) logResend(ctx context.Context, r *http.Request, attempt int) {
	if t.logger == nil {
		return
	}
	t.logger.LogAttrs(ctx, slog.LevelWarn, "nylascreds http attempt",
		slog.String("method", r.Method),
		slog.String("path", r.URL.EscapedPath()),
		slog.Int("attempt", attempt),
		slog.String("error", "connection lost before a response; net/http sent the request again"))
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
