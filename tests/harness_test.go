package tests

import (
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nylascreds/nylascreds/nylastest"
	"github.com/nylascreds/nylascreds/wrapper"
)

const testAPIKey = "nyk_test_key_0123456789"

// The suites run against nylastest, whose spec guard checks every request
// and every answer against openapi.yaml, scripted ones included (see
// nylastest.Fault). A test that scripts an answer off the spec on purpose
// marks its Fault OffSpec; an error page that is not JSON (a proxy's) needs
// no mark.

// jsonReply scripts one answer with a JSON body.
func jsonReply(status int, body string) nylastest.Fault {
	return nylastest.Fault{Status: status, Header: http.Header{"Content-Type": {"application/json"}}, Body: body}
}

// times makes a scripted answer answer n requests in a row.
func times(n int, fault nylastest.Fault) nylastest.Fault {
	fault.Times = n
	return fault
}

// fake is a nylastest server for one test.
type fake struct {
	*nylastest.Server
}

// newFake starts a fake that accepts testAPIKey, with faults enqueued, and
// at cleanup closes it and fails the test for every request off the
// contract and every answer off the spec.
func newFake(t testing.TB, faults ...nylastest.Fault) *fake {
	t.Helper()
	return newFakeWithKey(t, testAPIKey, faults...)
}

// newFakeWithKey is newFake for a fake that accepts key.
func newFakeWithKey(t testing.TB, key string, faults ...nylastest.Fault) *fake {
	t.Helper()
	srv := nylastest.NewServer(nylastest.WithAPIKey(key))
	srv.Enqueue(faults...)
	t.Cleanup(func() {
		srv.Close() // waits for scripted handlers, whose answers are checked when they return
		checkFake(t, srv.Fake)
	})
	return &fake{Server: srv}
}

// servedFake is newFake for a test that counts connections or serves TLS:
// a fake that accepts testAPIKey, with faults enqueued, behind an httptest
// server that is not started yet (Start or StartTLS it) and counts the
// connections it accepts. At cleanup it closes the server and checks the
// fake, as newFake does.
func servedFake(t testing.TB, faults ...nylastest.Fault) (*nylastest.Fake, *httptest.Server, *atomic.Int32) {
	t.Helper()
	f, err := nylastest.NewFake(nylastest.WithAPIKey(testAPIKey))
	if err != nil {
		t.Fatal(err)
	}
	f.Enqueue(faults...)
	srv := httptest.NewUnstartedServer(f)
	conns := new(atomic.Int32)
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	t.Cleanup(func() {
		srv.Close()
		checkFake(t, f)
	})
	return f, srv, conns
}

// checkFake fails t for every request f logged off its contract, and every
// answer it sent off the spec. Close the server first.
func checkFake(t testing.TB, f *nylastest.Fake) {
	t.Helper()
	for _, r := range f.Requests() {
		if r.Problem != "" {
			t.Errorf("spec conformance: %s %s: request off the contract: %s", r.Method, r.Path, r.Problem)
		}
	}
	for _, v := range f.Violations() {
		t.Errorf("spec conformance: %v", v)
	}
}

// only returns the single request the fake received, failing otherwise.
func (f *fake) only(t testing.TB) nylastest.Request {
	t.Helper()
	reqs := f.Requests()
	if len(reqs) != 1 {
		t.Fatalf("server saw %d requests, want 1", len(reqs))
	}
	return reqs[0]
}

// patched returns the one write the fake received, after the GET with which
// an update of google or microsoft data first checks the stored flow,
// failing when anything else arrived.
func (f *fake) patched(t testing.TB) nylastest.Request {
	t.Helper()
	reqs := f.Requests()
	if len(reqs) == 2 && reqs[0].Method == http.MethodGet && reqs[1].Method == http.MethodPatch && reqs[0].Path == reqs[1].Path {
		return reqs[1]
	}
	if len(reqs) != 1 {
		t.Fatalf("server saw %d requests, want 1 (after any flow check)", len(reqs))
	}
	return reqs[0]
}

// operations returns how often each operationId of openapi.yaml was
// requested.
func (f *fake) operations() map[string]int {
	ops := map[string]int{}
	for _, r := range f.Requests() {
		if r.Operation != "" {
			ops[r.Operation]++
		}
	}
	return ops
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// newClient returns a wrapper client for the fake, with fast retries.
func newClient(t testing.TB, f *fake, opts ...wrapper.Option) *wrapper.Client {
	t.Helper()
	base := []wrapper.Option{
		wrapper.WithBaseURL(f.URL),
		wrapper.WithRetryBackoff(time.Millisecond, 5*time.Millisecond),
		wrapper.WithTimeout(20 * time.Second),
	}
	c, err := wrapper.New(testAPIKey, append(base, opts...)...)
	if err != nil {
		t.Fatalf("wrapper.New: %v", err)
	}
	return c
}
