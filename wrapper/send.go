package wrapper

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strconv"
	"sync/atomic"
	"time"
)

// errRedirectRefused is wrapped when a server answers with a redirect: the
// Authorization header must never reach another host, and the Connector
// Credentials API has no reason to redirect, so none is followed.
var errRedirectRefused = errors.New("refused to follow a redirect")

// exchange is the record of one call on the wire, written by send and read
// by the code that turns it into a result or an error. Nothing else carries
// per-call facts.
type exchange struct {
	method   string
	path     string // escaped, as sent
	query    string // as sent: list parameters, never a secret
	attempts int    // requests put on the wire, net/http's own re-sends included
	retried  []string
	// lost is set when an earlier attempt's outcome is unknown: the request
	// may have been acted on (a connection that failed after it was sent, or
	// a 502/503/504 from a gateway).
	lost bool

	// The last attempt: its response (status 0 when none arrived), and why
	// it failed, if it did before a status could be judged.
	status int
	header http.Header
	body   []byte
	err    error
	// interrupted is the context's error when the call ended while waiting
	// to retry; the last attempt's outcome is kept beside it.
	interrupted error
}

// send is the one loop every call goes through: build the request with the
// generated builder, add the client's headers, send it, read the body under
// the size cap, log the attempt, and retry what is safe to retry. The
// request is built anew for each attempt, so a body is replayed byte for byte.
func (c *Client) send(ctx context.Context, cfg *config, s *secrets, build func(server string) (*http.Request, error)) *exchange {
	ex := &exchange{}
	for attempt := 1; ; attempt++ {
		req, err := build(c.baseURL + "/")
		if err != nil {
			ex.err = fmt.Errorf("build request: %w", err)
			return ex
		}
		ex.method, ex.path, ex.query = req.Method, req.URL.EscapedPath(), req.URL.RawQuery
		c.attempt(ctx, cfg, s, req, ex)

		retry, wait, why := cfg.retry.next(req.Method, attempt, ex.status, ex.header, ex.err, time.Now())
		if !retry {
			return ex
		}
		if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < wait {
			// The deadline would pass while waiting: answer now with what
			// we have rather than with a bare timeout.
			ex.interrupted = deadlineFirst{wait}
			return ex
		}
		ex.retried = append(ex.retried, why)
		ex.lost = ex.lost || outcomeLost(ex.status, ex.err)
		if err := sleepCtx(ctx, wait); err != nil {
			ex.interrupted = fmt.Errorf("%w while waiting to retry", err)
			return ex
		}
	}
}

// attempt sends req once and records the outcome in ex. net/http re-sends a
// GET by itself when a reused keep-alive connection fails before the first
// response byte (and HTTP/2 does when a server refuses a stream unprocessed);
// those re-sends are safe and kept, but counted and logged: GotConn fires
// once per connection the request goes out on.
func (c *Client) attempt(ctx context.Context, cfg *config, s *secrets, req *http.Request, ex *exchange) {
	var conns atomic.Int32
	req = req.WithContext(httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		GotConn: func(httptrace.GotConnInfo) { conns.Add(1) },
	}))
	c.setHeaders(cfg, req)

	start := time.Now()
	resp, err := c.hc.Do(req)
	for n := conns.Load(); n > 1; n-- {
		ex.attempts++
		logResend(ctx, cfg.logger, ex)
	}
	ex.attempts++
	ex.status, ex.header, ex.body, ex.err = 0, nil, nil, nil
	switch {
	case err != nil:
		ex.err = transportCause(err, resp)
	default:
		ex.status, ex.header = resp.StatusCode, resp.Header
		ex.body, ex.err = readBody(resp, cfg.maxBody)
	}
	logAttempt(ctx, cfg.logger, s, ex, start)
}

// setHeaders puts the client's headers on a request the generated builder made.
func (c *Client) setHeaders(cfg *config, req *http.Request) {
	ua := "nylascreds-go/" + Version
	if cfg.uaSuffix != "" {
		ua += " " + cfg.uaSuffix
	}
	for _, h := range cfg.headers {
		req.Header.Add(h[0], h[1])
	}
	req.Header.Set("Authorization", "Bearer "+c.apiKey.Reveal())
	req.Header.Set("User-Agent", ua)
	req.Header.Set("Accept", "application/json")
}

// transportCause strips the *url.Error net/http wraps every failure in: it
// holds a URL (for a refused redirect, the server's Location), and the
// method and path are already on our error.
func transportCause(err error, resp *http.Response) error {
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		err = urlErr.Err
	}
	if errors.Is(err, errRedirectRefused) {
		status := "a redirect"
		if resp != nil {
			status = strconv.Itoa(resp.StatusCode)
		}
		return fmt.Errorf("%w (the server answered %s; the API key is never sent to another URL)", errRedirectRefused, status)
	}
	return err
}

// readBody reads a response body to its end (so the connection is reused)
// under limit, and closes it. A body announced or found to be over the limit
// is refused; the connection is then dropped rather than drained.
func readBody(resp *http.Response, limit int64) ([]byte, error) {
	defer resp.Body.Close()
	if resp.ContentLength > limit {
		return nil, tooLarge(limit)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	switch {
	case err != nil:
		return nil, fmt.Errorf("response cut short: %w", err)
	case int64(len(body)) > limit:
		return nil, tooLarge(limit)
	}
	return body, nil
}

// deadlineFirst: the context's deadline comes before the wait for a retry
// would end, so the call ends now (errors.Is(err, context.DeadlineExceeded)).
type deadlineFirst struct{ wait time.Duration }

func (e deadlineFirst) Error() string {
	return "the context's deadline comes before a retry in " + e.wait.Round(time.Millisecond).String()
}
func (e deadlineFirst) Unwrap() error { return context.DeadlineExceeded }

// tooLargeError wraps ErrResponseTooLarge with the limit that was exceeded.
type tooLargeError struct{ limit int64 }

func tooLarge(limit int64) error { return tooLargeError{limit} }

func (e tooLargeError) Error() string {
	return ErrResponseTooLarge.Error() + " of " + strconv.FormatInt(e.limit, 10) + " bytes"
}
func (e tooLargeError) Unwrap() error { return ErrResponseTooLarge }

// logResend records a request that net/http sent again by itself.
func logResend(ctx context.Context, l *slog.Logger, ex *exchange) {
	if l == nil {
		return
	}
	l.LogAttrs(ctx, slog.LevelWarn, "nylascreds http attempt",
		slog.String("method", ex.method),
		slog.String("path", ex.path),
		slog.Int("attempt", ex.attempts),
		slog.String("error", "connection lost before a response; net/http sent the request again"))
}

// logAttempt writes one record per attempt: method, path, query (list
// parameters only), status, request id, attempt number, duration. Never a
// header or a body.
func logAttempt(ctx context.Context, l *slog.Logger, s *secrets, ex *exchange, start time.Time) {
	if l == nil {
		return
	}
	attrs := []slog.Attr{
		slog.String("method", ex.method),
		slog.String("path", ex.path),
		slog.Int("attempt", ex.attempts),
		slog.Duration("duration", time.Since(start)),
	}
	if ex.query != "" {
		// A walk's pages differ only in their offset.
		attrs = append(attrs, slog.String("query", ex.query))
	}
	level := slog.LevelDebug
	if ex.status != 0 {
		attrs = append(attrs, slog.Int("status", ex.status), slog.String("request_id", serverText(s.get(), ex.header.Get("X-Request-Id"), maxIDText)))
		if ex.status >= 400 {
			level = slog.LevelWarn
		}
	}
	if ex.err != nil {
		attrs = append(attrs, slog.String("error", serverText(s.get(), ex.err.Error(), maxMessageText)))
		level = slog.LevelWarn
	}
	l.LogAttrs(ctx, level, "nylascreds http attempt", attrs...)
}
