package tests

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/nylascreds/nylascreds/nylastest"
	"github.com/nylascreds/nylascreds/wrapper"
)

// faultEnv is one fault scenario's world: a fake (with the canary key), a
// client, and what the scenario seeded.
type faultEnv struct {
	t     *testing.T
	srv   *nylastest.Server
	watch *leakWatch
	id    string // a credential created before the faults, when seeded
}

func jsonHeader(extra ...string) http.Header {
	h := http.Header{"Content-Type": {"application/json"}}
	for i := 0; i+1 < len(extra); i += 2 {
		h.Set(extra[i], extra[i+1])
	}
	return h
}

const (
	body429 = `{"request_id":"req-429","error":{"type":"nylas_rate_limit_exceeded","message":"Too many requests"}}`
	body503 = `{"request_id":"req-503","error":{"type":"api.internal_error","message":"unavailable"}}`
	body504 = `{"request_id":"req-504","error":{"type":"api.provider_error","message":"gateway timeout"}}`
)

// The canary secrets ride on every request that carries data.
var canaryConnector = wrapper.ConnectorOverride{ClientID: "canary-client-id", ClientSecret: wrapper.NewSecret(canaryClientSecret)}

func apiErr(t *testing.T, err error) *wrapper.APIError {
	t.Helper()
	var e *wrapper.APIError
	if !errors.As(err, &e) {
		t.Fatalf("err = %T %v, want *wrapper.APIError", err, err)
	}
	return e
}

// TestFaults runs the named fault scenarios. Each asserts the outcome, the
// exact number of attempts the server saw (and the client logged), and,
// through leakWatch, that no secret leaked into errors or logs. Time bounds
// are generous: lower bounds only prove a wait happened.
func TestFaults(t *testing.T) {
	cases := []struct {
		name     string
		seed     bool
		faults   []nylastest.Fault
		mkFaults func() []nylastest.Fault // for faults that depend on the time they are served
		opts     []wrapper.Option
		op       func(ctx context.Context, c *wrapper.Client, e *faultEnv) error
		attempts int
		check    func(t *testing.T, err error, e *faultEnv, elapsed time.Duration)
	}{
		{
			name:     "429-retry-after-seconds",
			faults:   []nylastest.Fault{{Status: 429, Header: jsonHeader("Retry-After", "1"), Body: body429}},
			op:       listGoogle,
			attempts: 2,
			check: func(t *testing.T, err error, e *faultEnv, elapsed time.Duration) {
				if err != nil || elapsed < 900*time.Millisecond {
					t.Errorf("err = %v after %v; want success after waiting ~1s", err, elapsed)
				}
			},
		},
		{
			name: "429-retry-after-http-date",
			mkFaults: func() []nylastest.Fault {
				return []nylastest.Fault{{Status: 429, Body: body429,
					Header: jsonHeader("Retry-After", time.Now().Add(2*time.Second).UTC().Format(http.TimeFormat))}}
			},
			op:       getSeeded,
			seed:     true,
			attempts: 2,
			check: func(t *testing.T, err error, e *faultEnv, elapsed time.Duration) {
				// An HTTP-date has whole seconds: the wait is between 1 and 2s.
				if err != nil || elapsed < 900*time.Millisecond {
					t.Errorf("err = %v after %v; want success after waiting for the date", err, elapsed)
				}
			},
		},
		{
			name:     "500-not-retried",
			faults:   []nylastest.Fault{{Status: 500, Header: jsonHeader(), Body: `{"request_id":"req-500","error":{"type":"api.internal_error","message":"boom"}}`}},
			op:       listGoogle,
			attempts: 1,
			check: func(t *testing.T, err error, e *faultEnv, _ time.Duration) {
				if a := apiErr(t, err); a.StatusCode != 500 || a.RequestID != "req-500" || a.Attempts != 1 {
					t.Errorf("APIError = %+v", a)
				}
			},
		},
		{
			name: "html-502-retried-until-exhausted",
			faults: []nylastest.Fault{
				{Status: 502, Header: http.Header{"Content-Type": {"text/html"}, "X-Request-Id": {"edge-1"}}, Body: "<html><body>502 Bad Gateway</body></html>"},
				{Status: 502, Header: http.Header{"Content-Type": {"text/html"}, "X-Request-Id": {"edge-2"}}, Body: "<html><body>502 Bad Gateway</body></html>"},
				{Status: 502, Header: http.Header{"Content-Type": {"text/html"}, "X-Request-Id": {"edge-3"}}, Body: "<html><body>502 Bad Gateway</body></html>"},
			},
			op:       listGoogle,
			attempts: 3,
			check: func(t *testing.T, err error, e *faultEnv, _ time.Duration) {
				a := apiErr(t, err)
				if a.StatusCode != 502 || a.RequestID != "edge-3" || a.Attempts != 3 || !strings.Contains(a.Body, "502 Bad Gateway") || a.Type != "" {
					t.Errorf("APIError = %+v", a)
				}
			},
		},
		{
			name:     "503-then-success",
			seed:     true,
			faults:   []nylastest.Fault{{Status: 503, Header: jsonHeader(), Body: body503}},
			op:       updateCanary,
			attempts: 2,
			check: func(t *testing.T, err error, e *faultEnv, _ time.Duration) {
				if err != nil {
					t.Fatalf("err = %v", err)
				}
				reqs := e.srv.Requests()
				first, second := reqs[len(reqs)-2], reqs[len(reqs)-1]
				if string(first.Body) != string(second.Body) || len(first.Body) == 0 {
					t.Errorf("the retry did not replay the body byte for byte:\n%s\n%s", first.Body, second.Body)
				}
			},
		},
		{
			name: "504-until-retries-run-out",
			seed: true,
			faults: []nylastest.Fault{
				{Status: 504, Header: jsonHeader(), Body: body504},
				{Status: 504, Header: jsonHeader(), Body: body504},
				{Status: 504, Header: jsonHeader(), Body: body504},
			},
			op:       updateCanary,
			attempts: 3,
			check: func(t *testing.T, err error, e *faultEnv, _ time.Duration) {
				a := apiErr(t, err)
				if a.StatusCode != 504 || a.Attempts != 3 || a.Type != "api.provider_error" || !strings.HasSuffix(a.Error(), "after 3 attempts") {
					t.Errorf("APIError = %+v (%v)", a, a)
				}
			},
		},
		{
			name: "400-never-retried",
			seed: true,
			op: func(ctx context.Context, c *wrapper.Client, e *faultEnv) error {
				// Off-spec on purpose at the server: an existing name.
				_, err := c.Create(ctx, seededProvider, wrapper.CreateRequest{Name: "seeded", Data: wrapper.ConnectorOverride{ClientID: "other", ClientSecret: wrapper.NewSecret(canaryClientSecret)}})
				return err
			},
			attempts: 1,
			check: func(t *testing.T, err error, e *faultEnv, _ time.Duration) {
				if a := apiErr(t, err); a.StatusCode != 400 || !strings.Contains(a.Message, "already exists") {
					t.Errorf("APIError = %+v", a)
				}
			},
		},
		{
			name: "401-wrong-region-never-retried",
			opts: []wrapper.Option{}, // the key below is the other region's
			op: func(ctx context.Context, c *wrapper.Client, e *faultEnv) error {
				other, err := wrapper.New(canaryAPIKey+"-eu", wrapper.WithBaseURL(e.srv.URL), wrapper.WithLogger(e.watch.jsonLogger()))
				if err != nil {
					return err
				}
				_, err = other.Get(ctx, wrapper.ProviderGoogle, "x")
				e.watch.observe(other)
				return err
			},
			attempts: 1,
			check: func(t *testing.T, err error, e *faultEnv, _ time.Duration) {
				if a := apiErr(t, err); !wrapper.IsUnauthorized(err) || a.Type != "api.authentication_error" {
					t.Errorf("APIError = %+v", a)
				}
			},
		},
		{
			name:     "connection-reset-before-response",
			seed:     true,
			faults:   []nylastest.Fault{{Drop: true}},
			op:       getSeeded,
			attempts: 2,
			check: func(t *testing.T, err error, e *faultEnv, _ time.Duration) {
				if err != nil {
					t.Errorf("err = %v, want success on the retry", err)
				}
			},
		},
		{
			name:   "net-http-resend-is-counted",
			seed:   true, // the GET goes out on the kept-alive connection
			faults: []nylastest.Fault{{Drop: true}, {Drop: true}},
			opts:   []wrapper.Option{wrapper.WithRetries(0)},
			op:     getSeeded,
			// Retries are off, but net/http itself sends a GET again when a
			// reused connection dies before any response: the server sees
			// two requests, and so must the error and the log.
			attempts: 2,
			check: func(t *testing.T, err error, e *faultEnv, _ time.Duration) {
				var re *wrapper.RequestError
				if !errors.As(err, &re) || re.Attempts != 2 {
					t.Errorf("err = %v, want a RequestError after 2 attempts", err)
				}
			},
		},
		{
			name:     "truncated-json",
			seed:     true,
			faults:   []nylastest.Fault{{Status: 200, Header: jsonHeader("X-Request-Id", "req-trunc"), Body: `{"request_id":"req-trunc","data":{"id":"cred-1","na`, OffSpec: true}},
			op:       getSeeded,
			attempts: 1,
			check: func(t *testing.T, err error, e *faultEnv, _ time.Duration) {
				var re *wrapper.ResponseError
				if !errors.As(err, &re) || re.StatusCode != 200 || re.RequestID != "req-trunc" {
					t.Errorf("err = %T %v, want *ResponseError with status 200 and request id", err, err)
				}
			},
		},
		{
			name:     "body-over-the-cap",
			faults:   []nylastest.Fault{{Status: 200, Header: jsonHeader("X-Request-Id", "req-big"), Body: `{"request_id":"req-big","data":[],"pad":"` + strings.Repeat("x", 70<<10) + `"}`}},
			opts:     []wrapper.Option{wrapper.WithMaxResponseBytes(64 << 10)},
			op:       listGoogle,
			attempts: 1,
			check: func(t *testing.T, err error, e *faultEnv, _ time.Duration) {
				var re *wrapper.ResponseError
				if !errors.Is(err, wrapper.ErrResponseTooLarge) || !errors.As(err, &re) || re.StatusCode != 200 || re.RequestID != "req-big" {
					t.Errorf("err = %v, want ErrResponseTooLarge with status and request id", err)
				}
			},
		},
		{
			name:     "server-slower-than-timeout",
			faults:   []nylastest.Fault{{Delay: 5 * time.Second}},
			opts:     []wrapper.Option{wrapper.WithTimeout(300 * time.Millisecond)},
			op:       listGoogle,
			attempts: 1,
			check: func(t *testing.T, err error, e *faultEnv, elapsed time.Duration) {
				var re *wrapper.RequestError
				if !errors.Is(err, context.DeadlineExceeded) || !errors.As(err, &re) || elapsed > 4*time.Second {
					t.Errorf("err = %v after %v, want a deadline error well before the server answers", err, elapsed)
				}
			},
		},
		{
			name:   "context-cancelled-during-backoff",
			faults: []nylastest.Fault{{Status: 503, Header: jsonHeader("Retry-After", "20"), Body: body503}},
			opts:   []wrapper.Option{wrapper.WithMaxRetryAfter(time.Minute)},
			op: func(ctx context.Context, c *wrapper.Client, e *faultEnv) error {
				ctx, cancel := context.WithCancel(ctx)
				time.AfterFunc(200*time.Millisecond, cancel)
				_, err := c.List(ctx, wrapper.ProviderGoogle, nil)
				return err
			},
			attempts: 1,
			check: func(t *testing.T, err error, e *faultEnv, elapsed time.Duration) {
				if !errors.Is(err, context.Canceled) || elapsed > 5*time.Second {
					t.Errorf("err = %v after %v, want context.Canceled promptly", err, elapsed)
				}
			},
		},
		{
			name:     "deadline-before-retry-after",
			faults:   []nylastest.Fault{{Status: 429, Header: jsonHeader("Retry-After", "20"), Body: body429}},
			opts:     []wrapper.Option{wrapper.WithMaxRetryAfter(time.Minute), wrapper.WithTimeout(2 * time.Second)},
			op:       listGoogle,
			attempts: 1,
			check: func(t *testing.T, err error, e *faultEnv, elapsed time.Duration) {
				// Sleeping would have ended in a deadline error, not the 429.
				if a := apiErr(t, err); a.StatusCode != 429 || a.RetryAfter != 20*time.Second || elapsed >= 2*time.Second {
					t.Errorf("APIError = %+v after %v, want the 429 at once", a, elapsed)
				}
			},
		},
		{
			name:     "retry-after-over-ceiling",
			faults:   []nylastest.Fault{{Status: 429, Header: jsonHeader("Retry-After", "3600"), Body: body429}},
			op:       listGoogle,
			attempts: 1,
			check: func(t *testing.T, err error, e *faultEnv, _ time.Duration) {
				if a := apiErr(t, err); a.RetryAfter != time.Hour || !wrapper.IsRateLimited(err) {
					t.Errorf("APIError = %+v", a)
				}
			},
		},
		{
			name:   "create-not-duplicated-after-lost-response",
			faults: []nylastest.Fault{{Handle: true, Status: 502, Header: http.Header{"Content-Type": {"text/html"}}, Body: "<html>502</html>"}},
			op:     createCanary,
			// The server created the credential; a replay could race it, so
			// the 502 goes back to the caller after one attempt.
			attempts: 1,
			check: func(t *testing.T, err error, e *faultEnv, _ time.Duration) {
				if a := apiErr(t, err); a.StatusCode != 502 || e.srv.Len("google") != 1 {
					t.Errorf("err = %v, credentials stored = %d; want the 502 and exactly one", err, e.srv.Len("google"))
				}
			},
		},
		{
			name:     "create-not-duplicated-after-reset",
			faults:   []nylastest.Fault{{Handle: true, Drop: true}},
			op:       createCanary,
			attempts: 1,
			check: func(t *testing.T, err error, e *faultEnv, _ time.Duration) {
				var re *wrapper.RequestError
				if !errors.As(err, &re) || e.srv.Len("google") != 1 {
					t.Errorf("err = %v, credentials stored = %d; want a RequestError and exactly one", err, e.srv.Len("google"))
				}
			},
		},
		{
			name:     "create-retried-on-429",
			faults:   []nylastest.Fault{{Status: 429, Header: jsonHeader("Retry-After", "0"), Body: body429}},
			op:       createCanary,
			attempts: 2,
			check: func(t *testing.T, err error, e *faultEnv, _ time.Duration) {
				if err != nil || e.srv.Len("google") != 1 {
					t.Errorf("err = %v, stored = %d", err, e.srv.Len("google"))
				}
			},
		},
		{
			name:   "delete-whose-response-was-lost",
			seed:   true,
			faults: []nylastest.Fault{{Handle: true, Drop: true}},
			op: func(ctx context.Context, c *wrapper.Client, e *faultEnv) error {
				return c.Delete(ctx, seededProvider, e.id)
			},
			// Decision: the retry finds the credential gone (404) after an
			// attempt whose outcome was lost; Delete reports success.
			attempts: 2,
			check: func(t *testing.T, err error, e *faultEnv, _ time.Duration) {
				if err != nil || e.srv.Len(string(seededProvider)) != 1 {
					t.Errorf("err = %v, stored = %d; want success and the active credential alone", err, e.srv.Len(string(seededProvider)))
				}
			},
		},
		{
			name: "delete-404-on-first-attempt-is-an-error",
			op: func(ctx context.Context, c *wrapper.Client, e *faultEnv) error {
				return c.Delete(ctx, wrapper.ProviderGoogle, "never-existed")
			},
			attempts: 1,
			check: func(t *testing.T, err error, e *faultEnv, _ time.Duration) {
				if !wrapper.IsNotFound(err) {
					t.Errorf("err = %v, want 404", err)
				}
			},
		},
		{
			name:     "retries-off",
			faults:   []nylastest.Fault{{Status: 503, Header: jsonHeader(), Body: body503}},
			opts:     []wrapper.Option{wrapper.WithRetries(0)},
			op:       listGoogle,
			attempts: 1,
			check: func(t *testing.T, err error, e *faultEnv, _ time.Duration) {
				if a := apiErr(t, err); a.StatusCode != 503 || a.Attempts != 1 {
					t.Errorf("APIError = %+v", a)
				}
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := &faultEnv{t: t, srv: nylastest.NewServer(nylastest.WithAPIKey(canaryAPIKey)), watch: newLeakWatch(t)}
			defer e.srv.Close()
			opts := append([]wrapper.Option{
				wrapper.WithBaseURL(e.srv.URL),
				wrapper.WithRetryBackoff(10*time.Millisecond, 50*time.Millisecond),
				wrapper.WithLogger(e.watch.jsonLogger()),
			}, tc.opts...)
			c, err := wrapper.New(canaryAPIKey, opts...)
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			if tc.seed {
				// The first credential is the connector's active one, which
				// cannot be deleted: the scenarios use a second.
				if _, err := c.Create(ctx, seededProvider, wrapper.CreateRequest{Name: "active", Data: canaryConnector}); err != nil {
					t.Fatalf("seed: %v", err)
				}
				cred, err := c.Create(ctx, seededProvider, wrapper.CreateRequest{Name: "seeded", Data: canaryConnector})
				if err != nil {
					t.Fatalf("seed: %v", err)
				}
				e.id = cred.ID
			}
			base, baseLogs := e.srv.RequestCount(), e.watch.logCount()
			e.srv.Enqueue(tc.faults...)
			if tc.mkFaults != nil {
				e.srv.Enqueue(tc.mkFaults()...)
			}

			start := time.Now()
			err = tc.op(ctx, c, e)
			elapsed := time.Since(start)
			e.watch.observe(err, c)

			if got := e.srv.RequestCount() - base; got != tc.attempts {
				t.Errorf("server saw %d attempts, want %d", got, tc.attempts)
			}
			if got := e.watch.logCount() - baseLogs; got != tc.attempts && tc.name != "401-wrong-region-never-retried" {
				t.Errorf("client logged %d attempts, want %d", got, tc.attempts)
			}
			tc.check(t, err, e, elapsed)
			e.srv.Close() // waits for the scripted answers, checked once sent
			checkFake(t, e.srv.Fake)
		})
	}
}

func listGoogle(ctx context.Context, c *wrapper.Client, _ *faultEnv) error {
	_, err := c.List(ctx, wrapper.ProviderGoogle, nil)
	return err
}

func getSeeded(ctx context.Context, c *wrapper.Client, e *faultEnv) error {
	_, err := c.Get(ctx, seededProvider, e.id)
	return err
}

// seededProvider has connector overrides only, so Update sends the PATCH
// alone (no GET of the flow check, which has tests of its own), and each
// fault meets the PATCH.
const seededProvider = wrapper.ProviderYahoo

func updateCanary(ctx context.Context, c *wrapper.Client, e *faultEnv) error {
	_, err := c.Update(ctx, seededProvider, e.id, wrapper.UpdateRequest{Data: canaryConnector})
	return err
}

func createCanary(ctx context.Context, c *wrapper.Client, e *faultEnv) error {
	_, err := c.Create(ctx, wrapper.ProviderGoogle, wrapper.CreateRequest{Name: "new", Data: canaryConnector})
	return err
}

// TestConnectionRefused: nothing listens; GET is retried (the connection
// never opened, so even a POST would be), then a *RequestError.
func TestConnectionRefused(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	watch := newLeakWatch(t)
	c, err := wrapper.New(canaryAPIKey, wrapper.WithBaseURL("http://"+addr), wrapper.WithRetryBackoff(time.Millisecond, 5*time.Millisecond), wrapper.WithLogger(watch.jsonLogger()))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Create(context.Background(), wrapper.ProviderGoogle, wrapper.CreateRequest{Name: "n", Data: canaryConnector})
	watch.observe(err)
	var re *wrapper.RequestError
	if !errors.As(err, &re) || re.Attempts != 3 || !strings.Contains(err.Error(), "connection refused") {
		t.Errorf("err = %v, want a RequestError after 3 attempts", err)
	}
	if n := watch.logCount(); n != 3 {
		t.Errorf("logged %d attempts, want 3", n)
	}
}

// TestRedirectToForeignHostIsRefused: the API key must never reach another
// host, so no redirect is followed at all.
func TestRedirectToForeignHostIsRefused(t *testing.T) {
	t.Parallel()
	foreign := newFakeWithKey(t, canaryAPIKey)
	origin := newFakeWithKey(t, canaryAPIKey, nylastest.Fault{Handler: func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, foreign.URL+r.URL.Path, http.StatusTemporaryRedirect)
	}})
	watch := newLeakWatch(t)
	c, err := wrapper.New(canaryAPIKey, wrapper.WithBaseURL(origin.URL), wrapper.WithLogger(watch.textLogger()))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Update(context.Background(), wrapper.ProviderGoogle, "cred-1", wrapper.UpdateRequest{Data: canaryConnector})
	watch.observe(err)
	var re *wrapper.RequestError
	if !errors.As(err, &re) || !strings.Contains(err.Error(), "refused to follow a redirect") {
		t.Errorf("err = %v, want a refused redirect", err)
	}
	if foreign.RequestCount() != 0 || origin.RequestCount() != 1 {
		t.Errorf("foreign host saw %d requests, origin %d; want 0 and 1", foreign.RequestCount(), origin.RequestCount())
	}
}
