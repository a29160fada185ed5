package tests

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/nylascreds/nylascreds/wrapper"
)

const testAPIKey = "nyk_test_key_0123456789"

// seen is one request as it reached the server.
type seen struct {
	Method    string
	Path      string // escaped, as on the wire
	RawQuery  string
	Header    http.Header
	Body      []byte
	Operation string // operationId, when the spec knew the route
	// ContentLength and TransferEncoding as the server parsed them.
	ContentLength    int64
	TransferEncoding []string
}

// reply is one scripted response.
type reply struct {
	Status  int
	Header  map[string]string
	Body    string
	Handler func(w http.ResponseWriter, r *http.Request) // overrides the rest
}

// jsonReply is a reply with a JSON body.
func jsonReply(status int, body string) reply {
	return reply{Status: status, Header: map[string]string{"Content-Type": "application/json"}, Body: body}
}

// fakeAPI is an httptest server that answers with scripted replies (the last
// one repeats) and records every request.
type fakeAPI struct {
	*httptest.Server
	mu      sync.Mutex
	replies []reply
	reqs    []seen
}

func newFakeAPI(t testing.TB, replies ...reply) *fakeAPI {
	t.Helper()
	f := &fakeAPI{replies: replies}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeAPI) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	f.reqs = append(f.reqs, seen{Method: r.Method, Path: r.URL.EscapedPath(), RawQuery: r.URL.RawQuery, Header: r.Header.Clone(), Body: body,
		ContentLength: r.ContentLength, TransferEncoding: r.TransferEncoding})
	var rep reply
	switch {
	case len(f.replies) == 0:
		rep = jsonReply(500, `{"request_id":"none","error":{"type":"test","message":"no reply scripted"}}`)
	case len(f.reqs) <= len(f.replies):
		rep = f.replies[len(f.reqs)-1]
	default:
		rep = f.replies[len(f.replies)-1]
	}
	f.mu.Unlock()
	if rep.Handler != nil {
		rep.Handler(w, r)
		return
	}
	for k, v := range rep.Header {
		w.Header().Set(k, v)
	}
	w.WriteHeader(rep.Status)
	_, _ = io.WriteString(w, rep.Body)
}

// requests returns a copy of what the server has seen.
func (f *fakeAPI) requests() []seen {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]seen(nil), f.reqs...)
}

// only returns the single request the server saw, failing otherwise.
func (f *fakeAPI) only(t testing.TB) seen {
	t.Helper()
	reqs := f.requests()
	if len(reqs) != 1 {
		t.Fatalf("server saw %d requests, want 1", len(reqs))
	}
	return reqs[0]
}

// patched returns the one write the server saw, after the GET with which an
// update of google or microsoft data first checks the stored flow, failing
// when anything else arrived.
func (f *fakeAPI) patched(t testing.TB) seen {
	t.Helper()
	reqs := f.requests()
	if len(reqs) == 2 && reqs[0].Method == http.MethodGet && reqs[1].Method == http.MethodPatch && reqs[0].Path == reqs[1].Path {
		return reqs[1]
	}
	if len(reqs) != 1 {
		t.Fatalf("server saw %d requests, want 1 (after any flow check)", len(reqs))
	}
	return reqs[0]
}

// specChecker validates requests and responses against openapi.yaml, and
// records the operations it saw.
type specChecker struct {
	router routers.Router
	mu     sync.Mutex
	ops    map[string]int
	errs   []error
	// offSpecReplies is set by tests that send off-spec responses on purpose.
	offSpecReplies bool
}

// allowOffSpecResponses stops response checks, for tests whose server is
// off-spec on purpose (requests are still checked).
func (s *specChecker) allowOffSpecResponses() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.offSpecReplies = true
}

// newSpecChecker routes the spec's paths on serverURL (openapi.yaml lists
// the Nylas hosts; the test server stands in for them).
func newSpecChecker(t testing.TB, serverURL string) *specChecker {
	t.Helper()
	doc := loadSpec(t)
	doc.Servers = openapi3.Servers{{URL: serverURL}}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatalf("router: %v", err)
	}
	return &specChecker{router: router, ops: map[string]int{}}
}

func (s *specChecker) fail(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.errs = append(s.errs, err)
}

// failures returns every spec violation seen so far.
func (s *specChecker) failures() []error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]error(nil), s.errs...)
}

// operations returns how often each operationId was exercised.
func (s *specChecker) operations() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.ops))
	for k, v := range s.ops {
		out[k] = v
	}
	return out
}

var validationOptions = &openapi3filter.Options{
	// Client side: never write defaults into the request under test.
	SkipSettingDefaults: true,
	MultiError:          true,
	AuthenticationFunc: func(_ context.Context, in *openapi3filter.AuthenticationInput) error {
		h := in.RequestValidationInput.Request.Header.Get("Authorization")
		if !strings.HasPrefix(h, "Bearer ") || strings.TrimPrefix(h, "Bearer ") == "" {
			return errors.New("no bearer token")
		}
		return nil
	},
}

// RoundTrip checks the request against the spec, sends it, and checks the
// response the wrapper will receive: every 2xx, and every error response
// with a JSON body (an HTML page from a proxy is off-spec by nature).
func (s *specChecker) wrap(next http.RoundTripper) http.RoundTripper {
	return roundTripFunc(func(req *http.Request) (*http.Response, error) {
		var body []byte
		if req.Body != nil {
			body, _ = io.ReadAll(req.Body)
			req.Body = io.NopCloser(bytes.NewReader(body))
		}
		route, params, err := s.router.FindRoute(req)
		if err != nil {
			s.fail(fmt.Errorf("%s %s: no route in openapi.yaml: %w", req.Method, req.URL.EscapedPath(), err))
			return next.RoundTrip(req)
		}
		s.mu.Lock()
		s.ops[route.Operation.OperationID]++
		s.mu.Unlock()
		in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: validationOptions}
		if err := openapi3filter.ValidateRequest(req.Context(), in); err != nil {
			s.fail(fmt.Errorf("%s %s: request off spec: %w", req.Method, req.URL.EscapedPath(), err))
		}
		req.Body = io.NopCloser(bytes.NewReader(body))

		resp, err := next.RoundTrip(req)
		if err != nil {
			return nil, err
		}
		rbody, err := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		resp.Body = io.NopCloser(bytes.NewReader(rbody))
		if err != nil {
			return resp, nil
		}
		s.mu.Lock()
		skip := s.offSpecReplies
		s.mu.Unlock()
		ok := resp.StatusCode >= 200 && resp.StatusCode < 300
		if !skip && (ok || strings.Contains(resp.Header.Get("Content-Type"), "json")) {
			out := &openapi3filter.ResponseValidationInput{
				RequestValidationInput: in, Status: resp.StatusCode, Header: resp.Header,
				Body: io.NopCloser(bytes.NewReader(rbody)), Options: validationOptions,
			}
			if err := openapi3filter.ValidateResponse(req.Context(), out); err != nil {
				s.fail(fmt.Errorf("%s %s: %d response off spec: %w", req.Method, req.URL.EscapedPath(), resp.StatusCode, err))
			}
		}
		return resp, nil
	})
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// newClient returns a wrapper client for the fake, with spec checking on
// every exchange and fast retries. The spec failures are asserted at cleanup.
func newClient(t testing.TB, f *fakeAPI, opts ...wrapper.Option) (*wrapper.Client, *specChecker) {
	t.Helper()
	checker := newSpecChecker(t, f.URL)
	hc := &http.Client{Transport: checker.wrap(f.Client().Transport)}
	base := []wrapper.Option{
		wrapper.WithBaseURL(f.URL),
		wrapper.WithHTTPClient(hc),
		wrapper.WithRetryBackoff(time.Millisecond, 5*time.Millisecond),
		wrapper.WithTimeout(20 * time.Second),
	}
	c, err := wrapper.New(testAPIKey, append(base, opts...)...)
	if err != nil {
		t.Fatalf("wrapper.New: %v", err)
	}
	t.Cleanup(func() {
		for _, err := range checker.failures() {
			t.Errorf("spec conformance: %v", err)
		}
	})
	return c, checker
}
