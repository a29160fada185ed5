package wrapper

import (
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Retry defaults, after the Anthropic and OpenAI Go SDKs: few retries, short
// exponential backoff, the server's Retry-After honoured.
const (
	DefaultMaxRetries     = 2
	DefaultInitialBackoff = 500 * time.Millisecond
	DefaultMaxBackoff     = 8 * time.Second
	DefaultMaxRetryAfter  = 30 * time.Second
)

// retryPolicy decides whether and when an attempt is repeated.
//
// What is repeated, method by method:
//   - GET and DELETE are idempotent: repeated on 429, 502, 503, 504 and on
//     connection errors.
//   - PATCH replaces whole fields with the same body every time, so repeating
//     it converges on the same state: treated like GET.
//   - POST (create) is repeated only when the server cannot have acted on
//     it: a 429 (refused by the rate limiter) or a connection that was never
//     established. Nylas documents that a create whose parameters match an
//     existing credential returns that credential (200) instead of making a
//     second, and names are unique per connector, so even a replay would not
//     duplicate a credential; but after a 502/504 or a reset the first
//     attempt may still be running, and a replay racing it could fail on the
//     unique name and report an error for a create that succeeded. So those
//     outcomes are returned to the caller, who can re-send the identical
//     create safely once the first has settled.
type retryPolicy struct {
	maxRetries     int
	initialBackoff time.Duration
	maxBackoff     time.Duration
	maxRetryAfter  time.Duration
}

func defaultRetryPolicy() retryPolicy {
	return retryPolicy{
		maxRetries:     DefaultMaxRetries,
		initialBackoff: DefaultInitialBackoff,
		maxBackoff:     DefaultMaxBackoff,
		maxRetryAfter:  DefaultMaxRetryAfter,
	}
}

// retryableStatus lists the statuses that mean "not now" rather than "no".
func retryableStatus(status int) bool {
	switch status {
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// next decides whether attempt (1-based) is followed by another, and after
// how long. resp and err are the attempt's outcome (one of them is set).
func (p retryPolicy) next(method string, attempt int, resp *http.Response, err error, now time.Time) (bool, time.Duration) {
	if attempt > p.maxRetries {
		return false, 0
	}
	if err != nil {
		if !retryableNetError(err) {
			return false, 0
		}
		if method == http.MethodPost && !neverConnected(err) {
			return false, 0
		}
		return true, p.backoff(attempt)
	}
	if !retryableStatus(resp.StatusCode) {
		return false, 0
	}
	if method == http.MethodPost && resp.StatusCode != http.StatusTooManyRequests {
		return false, 0
	}
	if wait, ok := parseRetryAfter(resp.Header.Get("Retry-After"), now); ok {
		if wait > p.maxRetryAfter {
			// The server asked for a longer pause than we are willing to
			// hold the call for: give the caller the error (with RetryAfter)
			// rather than hammer the server early.
			return false, 0
		}
		return true, wait
	}
	return true, p.backoff(attempt)
}

// backoff is exponential from initialBackoff, capped at maxBackoff, less up
// to 25% of jitter so that clients throttled together do not return together.
func (p retryPolicy) backoff(attempt int) time.Duration {
	d := p.initialBackoff
	for i := 1; i < attempt && d < p.maxBackoff; i++ {
		d *= 2
	}
	d = min(d, p.maxBackoff)
	jitter := time.Duration(rand.Int64N(int64(d)/4 + 1))
	return d - jitter
}

// retryableNetError: a transport failure worth another attempt. A cancelled
// or expired context, a refused redirect or an oversized body are final.
func retryableNetError(err error) bool {
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return false
	case errors.Is(err, errRedirectRefused), errors.Is(err, ErrResponseTooLarge):
		return false
	}
	var netErr net.Error // *net.OpError and *url.Error included
	return errors.As(err, &netErr) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
}

// neverConnected reports whether the request certainly did not reach a server:
// the connection itself failed (refused, no route, DNS).
func neverConnected(err error) bool {
	var opErr *net.OpError
	if errors.As(err, &opErr) && opErr.Op == "dial" {
		return true
	}
	var dnsErr *net.DNSError
	return errors.As(err, &dnsErr)
}

// parseRetryAfter reads a Retry-After value: delay-seconds or an HTTP-date.
// A date in the past means "now". ok is false when the header is absent or
// unreadable.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		const maxSecs = int64(1<<63-1) / int64(time.Second)
		return time.Duration(min(secs, maxSecs)) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// sleepCtx waits for d or until ctx is done, whichever comes first.
func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
