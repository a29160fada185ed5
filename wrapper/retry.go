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

// next decides whether attempt (1-based) is followed by another, after how
// long, and why (for the call's record). status is the attempt's response
// status (0 when none arrived) and err why it failed before its status could
// be judged (a transport error, a body cut short or over the cap).
func (p retryPolicy) next(method string, attempt, status int, header http.Header, err error, now time.Time) (bool, time.Duration, string) {
	if attempt > p.maxRetries {
		return false, 0, ""
	}
	if err != nil {
		if !transient(err) {
			return false, 0, ""
		}
		if status != 0 && !(status >= 200 && status <= 299) && !retryableStatus(status) {
			// The body was cut short, but the status is the server's answer
			// (a 404 is a 404): trying again would not change it.
			return false, 0, ""
		}
		if method == http.MethodPost && !neverConnected(err) {
			return false, 0, ""
		}
		return true, p.backoff(attempt), retryReason(status, err)
	}
	if !retryableStatus(status) {
		return false, 0, ""
	}
	if method == http.MethodPost && status != http.StatusTooManyRequests {
		return false, 0, ""
	}
	why := strconv.Itoa(status)
	if wait, ok := parseRetryAfter(header.Get("Retry-After"), now); ok {
		if wait > p.maxRetryAfter {
			// The server asked for a longer pause than we are willing to
			// hold the call for: give the caller the error (with RetryAfter)
			// rather than hammer the server early.
			return false, 0, ""
		}
		return true, wait, why
	}
	return true, p.backoff(attempt), why
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
	default:
		return "transport error"
	}
}

// outcomeLost reports whether an attempt may have been acted on although
// its answer was lost: a gateway error, a 2xx whose body was cut short, or a
// connection that failed after the request could have reached the server.
func outcomeLost(status int, err error) bool {
	switch {
	case status == 0:
		return err != nil && !neverConnected(err)
	case status == http.StatusBadGateway, status == http.StatusServiceUnavailable, status == http.StatusGatewayTimeout:
		return true
	}
	return err != nil && status >= 200 && status <= 299
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

// transient reports whether a failure is worth another attempt. Following
// hashicorp/go-retryablehttp, what cannot change by trying again is final:
// an ended context, a refused redirect, an oversized body, a certificate
// that is untrusted, expired or for another host, a TLS handshake with
// something that does not speak TLS, a TLS alert either side raised (a
// client certificate required, no shared cipher), a host that does not
// exist. Connection
// failures (refused, reset, closed, timed out) and bodies cut short are
// transient.
func transient(err error) bool {
	var (
		unknownAuthority x509.UnknownAuthorityError
		hostname         x509.HostnameError
		invalid          x509.CertificateInvalidError
		verification     *tls.CertificateVerificationError
		recordHeader     tls.RecordHeaderError
		alert            tls.AlertError
		dnsErr           *net.DNSError
	)
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return false
	case errors.Is(err, errRedirectRefused), errors.Is(err, ErrResponseTooLarge):
		return false
	case errors.As(err, &unknownAuthority), errors.As(err, &hostname), errors.As(err, &invalid),
		errors.As(err, &verification), errors.As(err, &recordHeader), errors.As(err, &alert):
		return false
	case errors.As(err, &dnsErr) && dnsErr.IsNotFound:
		return false
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) && (opErr.Op == "remote error" || opErr.Op == "local error") {
		return false // crypto/tls reports alerts over TCP this way
	}
	var netErr net.Error
	return errors.As(err, &netErr) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.EPIPE)
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
