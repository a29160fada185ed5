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

// retryPolicy applies the rule on Client. A PATCH may be repeated (the same
// body converges on the same state); a POST not once the server may have acted:
// after a 502/504 or a reset the first create may still be running, and a
// replay racing it could fail on the unique name.
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

// next decides whether attempt (1-based) is followed by another, after how long, and why (Response.Retried).
// status is 0 when no response arrived; err is why the attempt failed before its status could be judged.
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

// outcomeLost reports whether an attempt may have been acted on though its answer was lost: a gateway
// error, a 2xx cut short, or a connection that failed once the request could have reached the server.
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

// transient reports whether a failure is worth another attempt. As in
// hashicorp/go-retryablehttp, what trying cannot change (context, redirect,
// size, certificate, TLS, unknown host) is final; connection failures are not.
func transient(err error) bool {
	dnsErr, isDNS := errors.AsType[*net.DNSError](err)
	opErr, isOp := errors.AsType[*net.OpError](err)
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded),
		errors.Is(err, errRedirectRefused), errors.Is(err, ErrResponseTooLarge),
		isA[x509.UnknownAuthorityError](err), isA[x509.HostnameError](err), isA[x509.CertificateInvalidError](err),
		isA[*tls.CertificateVerificationError](err), isA[tls.RecordHeaderError](err), isA[tls.AlertError](err),
		isDNS && dnsErr.IsNotFound,
		isOp && (opErr.Op == "remote error" || opErr.Op == "local error"): // TLS alerts over TCP
		return false
	}
	return isA[net.Error](err) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.EPIPE)
}

// isA reports whether err's tree holds an error of type E.
func isA[E error](err error) bool {
	_, ok := errors.AsType[E](err)
	return ok
}

// neverConnected reports whether the request surely never reached a server:
// the connection itself failed (refused, no route, DNS).
func neverConnected(err error) bool {
	opErr, isOp := errors.AsType[*net.OpError](err)
	return isOp && opErr.Op == "dial" || isA[*net.DNSError](err)
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
