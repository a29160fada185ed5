package nylastest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"
)

// DefaultAPIKey is the key a fake accepts unless WithAPIKey says otherwise.
const DefaultAPIKey = "nylastest_api_key"

// Option configures a Fake.
type Option func(*Fake)

// WithAPIKey sets the one API key the fake accepts.
func WithAPIKey(key string) Option { return func(f *Fake) { f.apiKey = key } }

// WithClock sets the fake's clock (time.Now by default), for deterministic
// timestamps in tests.
func WithClock(now func() time.Time) Option { return func(f *Fake) { f.now = now } }

// Fake is the fake API as an http.Handler, to serve on any listener. Most
// tests want NewServer instead.
type Fake struct {
	apiKey string
	now    func() time.Time
	guard  *specGuard

	mu         sync.Mutex
	creds      map[storeKey]*record
	seq        int64
	lastTime   int64
	requestNo  int64
	script     []Fault
	requests   []Request
	violations []error
}

// NewFake returns a fake with no credentials.
func NewFake(opts ...Option) (*Fake, error) {
	guard, err := newSpecGuard()
	if err != nil {
		return nil, err
	}
	f := &Fake{apiKey: DefaultAPIKey, now: time.Now, guard: guard, creds: map[storeKey]*record{}}
	for _, opt := range opts {
		opt(f)
	}
	return f, nil
}

// Server is a Fake listening on a loopback port, like httptest.Server.
type Server struct {
	*Fake
	*httptest.Server
}

// NewServer starts a fake on 127.0.0.1. Close it when done. It panics if the
// embedded openapi.yaml cannot be loaded, which a test of this module guards.
func NewServer(opts ...Option) *Server {
	f, err := NewFake(opts...)
	if err != nil {
		panic(err)
	}
	return &Server{Fake: f, Server: httptest.NewServer(f)}
}

// APIKey returns the key the fake accepts.
func (f *Fake) APIKey() string { return f.apiKey }

// Request is a request as the fake received it.
type Request struct {
	Method string
	// Path is the escaped path, as on the wire.
	Path     string
	RawQuery string
	Body     []byte
	// Authorized tells whether the request carried the fake's API key.
	Authorized bool
	// Operation is the spec's operationId ("" when no route matched).
	Operation string
}

// Requests returns every request received so far, in order.
func (f *Fake) Requests() []Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Request(nil), f.requests...)
}

// Violations returns the responses the fake refused to send because they
// broke openapi.yaml (a bug in the fake). Tests should assert it is empty.
func (f *Fake) Violations() []error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]error(nil), f.violations...)
}

// StoredData returns the credential_data stored for a credential, exactly as
// the last create or update sent it (compacted). The real API never returns
// it; tests use it to assert what a client really sent.
func (f *Fake) StoredData(provider, id string) (json.RawMessage, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	r, ok := f.creds[storeKey{provider, id}]
	if !ok {
		return nil, false
	}
	return append(json.RawMessage(nil), r.data...), true
}

// Len returns how many credentials provider's connector holds.
func (f *Fake) Len(provider string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for k := range f.creds {
		if k.provider == provider {
			n++
		}
	}
	return n
}

// ServeHTTP implements http.Handler.
func (f *Fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	authorized := r.Header.Get("Authorization") == "Bearer "+f.apiKey

	f.mu.Lock()
	f.requestNo++
	reqID := fmt.Sprintf("nylastest-%06d", f.requestNo)
	rec := Request{Method: r.Method, Path: r.URL.EscapedPath(), RawQuery: r.URL.RawQuery, Body: body, Authorized: authorized}
	f.mu.Unlock()

	route, params, routeErr := f.guard.route(r)
	if routeErr == nil {
		rec.Operation = route.Operation.OperationID
	}
	f.mu.Lock()
	f.requests = append(f.requests, rec)
	f.mu.Unlock()

	fault, scripted := f.nextFault()
	if scripted && fault.Delay > 0 {
		select {
		case <-time.After(fault.Delay):
		case <-r.Context().Done():
			return
		}
	}
	if scripted && !fault.Handle && fault.answer(w) {
		return
	}

	ex := &exchange{fake: f, r: r, body: body, reqID: reqID}
	switch {
	case !authorized:
		ex.fail(http.StatusUnauthorized, "api.authentication_error", "Unauthorized: missing or wrong API key")
	case routeErr != nil:
		ex.routeError(routeErr)
	default:
		in, err := f.guard.checkRequest(r, route, params)
		ex.in = in
		if err != nil {
			ex.fail(http.StatusBadRequest, "api.invalid_request_error", describe(err))
		} else {
			f.handle(ex, route.Operation.OperationID, params)
		}
	}

	if scripted && fault.Handle && fault.answer(w) {
		return
	}
	ex.write(w)
}

// clock returns the current Unix second, strictly after the last one handed
// out, so that an update always advances updated_at. Call with f.mu held.
func (f *Fake) clock() int64 {
	t := f.now().Unix()
	if t <= f.lastTime {
		t = f.lastTime + 1
	}
	f.lastTime = t
	return t
}

// marshal is json.Marshal for values that cannot fail.
func marshal(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}
