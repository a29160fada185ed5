package wrapper

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
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

// retryPolicy decides whether and when an attempt is repeated. GET, PATCH
// (the same body converges on the same state) and DELETE are repeated on 429,
// 502, 503, 504 and transient connection errors. POST (create) is repeated
// only when the server cannot have acted on it, on a 429 or a connection
// that was never established: after a 502/504 or a reset the first create may
// still be running, and a replay racing it could fail on the unique name.
type retryPolicy struct {
	maxRetries                                int
	initialBackoff, maxBackoff, maxRetryAfter time.Duration
}

func defaultRetryPolicy() retryPolicy {
	return retryPolicy{DefaultMaxRetries, DefaultInitialBackoff, DefaultMaxBackoff, DefaultMaxRetryAfter}
}

func retryableStatus(status int) bool {
	switch status {
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// next decides whether attempt (1-based) is followed by another, after how
// long, and why (for Response.Retried). status is 0 when no response arrived;
// err is why the attempt failed before its status could be judged.
func (p retryPolicy) next(method string, attempt, status int, header http.Header, err error, now time.Time) (bool, time.Duration, string) {
	post := method == http.MethodPost
	switch {
	case attempt > p.maxRetries:
		return false, 0, ""
	case err != nil:
		// A body cut short after a final status (a 404 is a 404) is not retried.
		if !transient(err) || status/100 != 2 && status != 0 && !retryableStatus(status) || post && !neverConnected(err) {
			return false, 0, ""
		}
		return true, p.backoff(attempt), retryReason(status, err)
	case !retryableStatus(status) || post && status != http.StatusTooManyRequests:
		return false, 0, ""
	}
	if wait, ok := parseRetryAfter(header.Get("Retry-After"), now); ok {
		if wait > p.maxRetryAfter {
			return false, 0, "" // longer than we hold a call: the caller gets RetryAfter
		}
		return true, wait, strconv.Itoa(status)
	}
	return true, p.backoff(attempt), strconv.Itoa(status)
}

// retryReason names a transient failure in a word or two.
func retryReason(status int, err error) string {
	switch {
	case status != 0:
		return strconv.Itoa(status) + " response cut short"
	case neverConnected(err):
		return "connection failed"
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "connection closed"
	}
	return "transport error"
}

// outcomeLost reports whether an attempt may have been acted on although its
// answer was lost: a gateway error, a 2xx cut short, or a connection that
// failed after the request could have reached the server.
func outcomeLost(status int, err error) bool {
	switch {
	case status == 0:
		return err != nil && !neverConnected(err)
	case status == http.StatusBadGateway, status == http.StatusServiceUnavailable, status == http.StatusGatewayTimeout:
		return true
	}
	return err != nil && status/100 == 2
}

// backoff is exponential from initialBackoff, capped at maxBackoff, less up
// to 25% of jitter so that clients throttled together do not return together.
func (p retryPolicy) backoff(attempt int) time.Duration {
	d := p.initialBackoff
	for i := 1; i < attempt && d < p.maxBackoff; i++ {
		d *= 2
	}
	d = min(d, p.maxBackoff)
	return d - time.Duration(rand.Int64N(int64(d)/4+1))
}

// transient reports whether a failure is worth another attempt. After
// hashicorp/go-retryablehttp, what trying again cannot change is final: an
// ended context, a refused redirect, an oversized body, a certificate that is
// untrusted, expired or for another host, a peer that does not speak TLS, a
// TLS alert, a host that does not exist. Connection failures (refused, reset,
// closed, timed out) and bodies cut short are transient.
func transient(err error) bool {
	var (
		unknownAuthority x509.UnknownAuthorityError
		hostname         x509.HostnameError
		invalid          x509.CertificateInvalidError
		verification     *tls.CertificateVerificationError
		recordHeader     tls.RecordHeaderError
		alert            tls.AlertError
		dnsErr           *net.DNSError
		opErr            *net.OpError
		netErr           net.Error
	)
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded),
		errors.Is(err, errRedirectRefused), errors.Is(err, ErrResponseTooLarge),
		errors.As(err, &unknownAuthority), errors.As(err, &hostname), errors.As(err, &invalid),
		errors.As(err, &verification), errors.As(err, &recordHeader), errors.As(err, &alert),
		errors.As(err, &dnsErr) && dnsErr.IsNotFound,
		errors.As(err, &opErr) && (opErr.Op == "remote error" || opErr.Op == "local error"): // TLS alerts over TCP
		return false
	}
	return errors.As(err, &netErr) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.EPIPE)
}

// neverConnected reports whether the request certainly did not reach a
// server: the connection itself failed (refused, no route, DNS).
func neverConnected(err error) bool {
	var opErr *net.OpError
	var dnsErr *net.DNSError
	return errors.As(err, &opErr) && opErr.Op == "dial" || errors.As(err, &dnsErr)
}

// parseRetryAfter reads a Retry-After value: delay-seconds or an HTTP-date
// (one in the past means now). ok is false when it is absent or unreadable.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil && secs >= 0 {
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
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
