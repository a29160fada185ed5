package nylastest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"time"
)

// DefaultAPIKey is the key a fake accepts unless WithAPIKey says otherwise.
const DefaultAPIKey = "nylastest_api_key"

// MaxBodyBytes is the largest request body the fake accepts (1 MiB). A larger
// one is answered with 413 in the Nylas error envelope, and nothing is done.
const MaxBodyBytes = 1 << 20

// MaxBodyDepth is how deeply arrays and objects may nest in a request body:
// 100 levels (`{"credential_data":{}}` nests 2). A deeper body is answered
// with 400 (api.invalid_request_payload) in the Nylas error envelope before
// anything decodes it, and nothing is done.
const MaxBodyDepth = 100

// DefaultRequestLog is how many requests Requests keeps unless
// WithRequestLog says otherwise.
const DefaultRequestLog = 1000

// requestLogBytes bounds the bodies and headers the request log keeps,
// whatever its length: 16 MiB, 16 bodies of the largest size.
const requestLogBytes = 16 << 20

// maxViolations bounds the violations kept: the first ones tell the story.
const maxViolations = 100

// Option configures a Fake.
type Option func(*Fake)

// WithAPIKey sets the one API key the fake accepts.
func WithAPIKey(key string) Option { return func(f *Fake) { f.apiKey = key } }

// WithClock sets the fake's clock (time.Now by default), for deterministic
// timestamps in tests. Timestamps are Unix seconds, and each create or update
// is stamped strictly after the previous one: when the clock has not moved
// on, the fake adds one second, so a fixed clock gives 1, 2, 3... seconds
// after its time, write after write. updated_at thus always changes on an
// update, and sorting by it is never a tie.
func WithClock(now func() time.Time) Option { return func(f *Fake) { f.now = now } }

// WithCredentialType makes the fake report each credential's flow as
// credential_type in its responses. By default it does not: Nylas's
// published credential object has only id, name, created_at and updated_at,
// and code that needs credential_type must be tested both with and without
// it. The flow is stored either way.
func WithCredentialType() Option { return func(f *Fake) { f.reportType = true } }

// WithRequestLog sets how many requests Requests keeps (DefaultRequestLog
// unless set); 0 keeps none. Whatever n, the log also drops its oldest
// requests to keep their bodies and headers under 16 MiB.
func WithRequestLog(n int) Option {
	return func(f *Fake) {
		if n < 0 {
			f.optErr = errors.Join(f.optErr, fmt.Errorf("nylastest: WithRequestLog: %d is negative", n))
			return
		}
		f.log.max = n
	}
}

// Fake is the fake API as an http.Handler, to serve on any listener. Most
// tests want NewServer instead; programs want HTTPServer or Serve, which add
// the timeouts a long-running server needs.
type Fake struct {
	apiKey     string
	now        func() time.Time
	reportType bool
	timeouts   Timeouts
	guard      *specGuard
	optErr     error

	mu         sync.Mutex
	creds      map[storeKey]*record
	connectors map[string]*connector
	grants     []Grant
	grantIndex map[string]int  // a grant's position in grants, by id
	pinned     map[string]bool // ids of grants that take their provider's first credential
	seq        int64
	lastTime   int64
	requestNo  int64
	script     []Fault
	log        requestLog
	violations []error
}

// NewFake returns a fake with no credentials.
func NewFake(opts ...Option) (*Fake, error) {
	guard, err := newSpecGuard()
	if err != nil {
		return nil, err
	}
	f := &Fake{
		apiKey: DefaultAPIKey, now: time.Now, timeouts: DefaultTimeouts, guard: guard,
		creds: map[storeKey]*record{}, connectors: map[string]*connector{}, grantIndex: map[string]int{}, pinned: map[string]bool{},
		log: requestLog{max: DefaultRequestLog, maxBytes: requestLogBytes},
	}
	for _, opt := range opts {
		opt(f)
	}
	if f.optErr != nil {
		return nil, f.optErr
	}
	return f, nil
}

// Server is a Fake listening on a loopback port, like httptest.Server.
type Server struct {
	*Fake
	*httptest.Server
}

// NewServer starts a fake on 127.0.0.1, with the same timeouts and limits as
// HTTPServer. Close it when done. It panics if an option is invalid or the
// embedded openapi.yaml cannot be loaded (a test of this module guards that).
func NewServer(opts ...Option) *Server {
	f, err := NewFake(opts...)
	if err != nil {
		panic(err)
	}
	s := httptest.NewUnstartedServer(f)
	f.configure(s.Config)
	s.Start()
	return &Server{Fake: f, Server: s}
}

// APIKey returns the key the fake accepts.
func (f *Fake) APIKey() string { return f.apiKey }

// Request is a request as the fake received it.
type Request struct {
	Method string
	// Path is the escaped path, as on the wire.
	Path     string
	RawQuery string
	// Header is the request's header as received (net/http moves Host to
	// the request itself).
	Header http.Header
	// ContentLength and TransferEncoding are as net/http parsed them: a
	// chunked body has ContentLength -1 and TransferEncoding ["chunked"],
	// a request without a body ContentLength 0 and no TransferEncoding.
	ContentLength    int64
	TransferEncoding []string
	// Body is the body as received; nil when it was over MaxBodyBytes.
	Body []byte
	// Operation is the spec's operationId ("" when no route matched).
	Operation string
	// Problem is why the request is off the fake's contract (openapi.yaml
	// and the rules in the package documentation), in the words of the
	// 4xx the fake answers it with; "" when it is on it. It is set
	// whether the fake or a Fault answered, so that a test that scripts
	// the answer still learns that its client sent what the API refuses.
	Problem string
}

// Requests returns the requests that carried the fake's API key, oldest
// first: the most recent DefaultRequestLog of them (see WithRequestLog), and
// fewer when their bodies and headers would exceed 16 MiB. Requests without
// the key are answered 401 and never kept, so a stray client cannot fill
// memory. The caller must not modify what the returned requests hold.
func (f *Fake) Requests() []Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.log.all()
}

// RequestCount returns how many requests the fake has received, with or
// without its API key, including those the request log no longer holds.
func (f *Fake) RequestCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return int(f.requestNo)
}

// Violations returns the responses that broke openapi.yaml: the first 100
// of them. A response of the fake's own that breaks it (a bug in the fake)
// is not sent: the client gets a 500 that says so. A scripted one (Fault)
// is sent as scripted, and recorded once sent unless it is marked OffSpec
// or stands for a proxy (see Fault). Tests should assert it is empty, after
// Server.Close when a Fault answered.
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

// StoredType returns the flow (credential_type) a credential was created
// with, whether or not the fake reports it in responses.
func (f *Fake) StoredType(provider, id string) (string, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	r, ok := f.creds[storeKey{provider, id}]
	if !ok {
		return "", false
	}
	return r.ctype, true
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
	authorized := r.Header.Get("Authorization") == "Bearer "+f.apiKey
	body, tooLarge, err := readBody(r, authorized)
	if err != nil {
		// The client went away or timed out mid-body: close the connection
		// without an answer (returning would send an empty 200).
		panic(http.ErrAbortHandler)
	}
	// Read from the start by a Fault's Handler; nothing else reads r.Body.
	r.Body = io.NopCloser(bytes.NewReader(body))

	// A request with the key is judged before anyone answers it, so that
	// the log says whether it was on the contract even when a Fault
	// answers it.
	var v *verdict
	if authorized {
		v = f.judge(r, body, tooLarge)
	}
	f.mu.Lock()
	f.requestNo++
	requestNo := f.requestNo
	if authorized && f.log.max > 0 {
		f.log.add(Request{
			Method: r.Method, Path: r.URL.EscapedPath(), RawQuery: r.URL.RawQuery,
			Header: r.Header.Clone(), ContentLength: r.ContentLength, TransferEncoding: slices.Clone(r.TransferEncoding),
			Body: body, Operation: v.operation(), Problem: v.msg,
		})
	}
	f.mu.Unlock()

	fault, scripted := f.nextFault()
	if scripted && fault.Delay > 0 {
		select {
		case <-time.After(fault.Delay):
		case <-r.Context().Done():
			return
		}
	}
	if scripted && !fault.Handle && f.answer(fault, w, r, v) {
		return
	}

	ex := &exchange{fake: f, r: r, body: body, reqID: fmt.Sprintf("nylastest-%06d", requestNo)}
	switch {
	case !authorized:
		ex.fail(http.StatusUnauthorized, "api.authentication_error", "Unauthorized: missing or wrong API key")
	default:
		ex.in = v.input(r)
		if v.status != 0 {
			ex.fail(v.status, v.typ, v.msg)
		} else {
			f.handle(ex, v.operation(), v.params)
		}
	}

	if scripted && fault.Handle && f.answer(fault, w, r, v) {
		return
	}
	ex.write(w)
}

// drainBytes is how much of a body the fake reads only to throw away (a
// body it refuses, or one without the API key) before it answers: enough
// for any mistake, so that the client, still sending, is not reset before
// it can read the answer. Beyond it net/http closes the connection.
const drainBytes = 4 << 20

// readBody reads a request body of at most MaxBodyBytes. The body of a
// request without the API key (keep false), or of one over MaxBodyBytes
// (tooLarge), is read and thrown away rather than kept, so that memory does
// not grow with what clients send. The buffer grows with the bytes that
// arrive, never with the Content-Length a client announces: a client that
// announces a large body and stalls holds no more than it sent.
func readBody(r *http.Request, keep bool) (body []byte, tooLarge bool, err error) {
	if !keep || r.ContentLength > MaxBodyBytes {
		n, err := io.CopyN(io.Discard, r.Body, drainBytes)
		if errors.Is(err, io.EOF) {
			err = nil
		}
		return nil, r.ContentLength > MaxBodyBytes || n > MaxBodyBytes, err
	}
	body, err = io.ReadAll(io.LimitReader(r.Body, MaxBodyBytes+1))
	if err != nil {
		return nil, false, err
	}
	if len(body) > MaxBodyBytes {
		_, err := io.CopyN(io.Discard, r.Body, drainBytes)
		if errors.Is(err, io.EOF) {
			err = nil
		}
		return nil, true, err
	}
	return body, false, nil
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

// recordViolation keeps the first maxViolations off-spec responses.
func (f *Fake) recordViolation(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.violations) < maxViolations {
		f.violations = append(f.violations, err)
	}
}

// marshal is json.Marshal for values that cannot fail.
func marshal(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}
