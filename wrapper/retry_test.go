package wrapper

import (
	"context"
	"errors"
	"net"
	"net/http"
	"syscall"
	"testing"
	"time"
)

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"", 0, false},
		{"0", 0, true},
		{"7", 7 * time.Second, true},
		{" 12 ", 12 * time.Second, true},
		{"-1", 0, false},
		{"1.5", 0, false},
		{"soon", 0, false},
		{"Wed, 25 Nov 2026 12:00:30 GMT", 30 * time.Second, true},
		{"Wednesday, 25-Nov-26 12:01:00 GMT", time.Minute, true},
		{"Wed, 25 Nov 2026 11:00:00 GMT", 0, true}, // in the past: now
		{"99999999999999999999", 0, false},         // overflows int64
		{"9223372036854775807", time.Duration(1<<63-1) / time.Second * time.Second, true},
	}
	for _, tc := range cases {
		got, ok := parseRetryAfter(tc.in, now)
		if got != tc.want || ok != tc.ok {
			t.Errorf("parseRetryAfter(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestBackoffGrowsAndIsCapped(t *testing.T) {
	p := retryPolicy{maxRetries: 10, initialBackoff: 500 * time.Millisecond, maxBackoff: 8 * time.Second}
	for attempt, base := range map[int]time.Duration{1: 500 * time.Millisecond, 2: time.Second, 3: 2 * time.Second, 5: 8 * time.Second, 9: 8 * time.Second} {
		for range 50 {
			d := p.backoff(attempt)
			if d > base || d < base*3/4 {
				t.Fatalf("backoff(%d) = %v, want within [%v, %v]", attempt, d, base*3/4, base)
			}
		}
	}
}

func TestRetryDecisions(t *testing.T) {
	p := defaultRetryPolicy()
	now := time.Now()
	type response struct {
		status int
		header http.Header
	}
	resp := func(status int, retryAfter string) *response {
		h := http.Header{}
		if retryAfter != "" {
			h.Set("Retry-After", retryAfter)
		}
		return &response{status, h}
	}
	dial := &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	reset := &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}
	cases := []struct {
		name    string
		method  string
		attempt int
		resp    *response
		err     error
		retry   bool
		wait    time.Duration // exact when >0
	}{
		{"get-429-retry-after", "GET", 1, resp(429, "3"), nil, true, 3 * time.Second},
		{"get-503", "GET", 1, resp(503, ""), nil, true, 0},
		{"get-500-final", "GET", 1, resp(500, ""), nil, false, 0},
		{"get-400-final", "GET", 1, resp(400, ""), nil, false, 0},
		{"get-401-final", "GET", 1, resp(401, ""), nil, false, 0},
		{"get-retries-exhausted", "GET", 3, resp(503, ""), nil, false, 0},
		{"patch-504", "PATCH", 2, resp(504, ""), nil, true, 0},
		{"delete-reset", "DELETE", 1, nil, reset, true, 0},
		{"post-429", "POST", 1, resp(429, "1"), nil, true, time.Second},
		{"post-502-final", "POST", 1, resp(502, ""), nil, false, 0},
		{"post-503-final", "POST", 1, resp(503, ""), nil, false, 0},
		{"post-reset-final", "POST", 1, nil, reset, false, 0},
		{"post-refused", "POST", 1, nil, dial, true, 0},
		{"retry-after-over-ceiling", "GET", 1, resp(429, "3600"), nil, false, 0},
		{"context-canceled", "GET", 1, nil, context.Canceled, false, 0},
		{"redirect-refused", "GET", 1, nil, errRedirectRefused, false, 0},
		{"too-large", "GET", 1, nil, ErrResponseTooLarge, false, 0},
		{"plain-error", "GET", 1, nil, errors.New("tls: bad certificate"), false, 0},
	}
	for _, tc := range cases {
		status, header := 0, http.Header(nil)
		if tc.resp != nil {
			status, header = tc.resp.status, tc.resp.header
		}
		retry, wait, why := p.next(tc.method, tc.attempt, status, header, tc.err, now)
		if retry == (why == "") {
			t.Errorf("%s: retry %v with reason %q", tc.name, retry, why)
		}
		if retry != tc.retry || (tc.wait > 0 && wait != tc.wait) {
			t.Errorf("%s: next = %v, %v; want %v, %v", tc.name, retry, wait, tc.retry, tc.wait)
		}
	}
}

func TestSleepCtxReturnsWhenContextEnds(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := sleepCtx(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Errorf("sleepCtx = %v, want context.Canceled", err)
	}
}
