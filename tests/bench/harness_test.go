// Package bench holds the benchmarks `make bench` runs: the wrapper as users
// get it (wrapper.New with a base URL and nothing else) against the floor,
// a careful engineer's hand-written net/http + encoding/json client, over
// plain HTTP and TLS, sequentially and from 32 goroutines; the update flow
// guard's cost; and walking many credentials with All. Both sides talk to
// nylastest's fake.
//
// Names follow benchstat's key=value convention, so that `benchstat -col
// /impl` puts the sides side by side: impl=floor and impl=wrapper. Every
// benchmark that measures the wrapper is impl=wrapper, and BenchmarkPatch,
// the first benchmark of the package (go test takes the files in name
// order: patch_test.go before walk_test.go), runs the floor first, so that
// floor is the column benchstat compares the others with.
//
// It is a package of its own because it trusts httptest's certificate
// process-wide (see TestMain); the suites in tests/ need it untrusted.
package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"log"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nylascreds/nylascreds/nylastest"
)

// TestMain makes the process trust httptest's certificate the way a user
// trusts a private CA: SSL_CERT_FILE names it (and SSL_CERT_DIR an empty
// folder, so that it is the only root), before anything has read the system
// roots. Both sides then verify the server against the system roots, as
// they would against the real API, and the wrapper under measurement is
// wrapper.New(key, wrapper.WithBaseURL(url)) and nothing else: no test-only
// hook in the library, no copy of its transport settings here.
func TestMain(m *testing.M) {
	dir, err := trustTestCertificate()
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench: trusting the test certificate:", err)
		os.Exit(1)
	}
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

func trustTestCertificate() (dir string, err error) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer srv.Close()
	dir, err = os.MkdirTemp("", "nylascreds-bench-roots-")
	if err != nil {
		return "", err
	}
	file := filepath.Join(dir, "roots.pem")
	block := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(file, block, 0o600); err != nil {
		return dir, err
	}
	empty := filepath.Join(dir, "none")
	if err := os.Mkdir(empty, 0o700); err != nil {
		return dir, err
	}
	os.Setenv("SSL_CERT_FILE", file)
	os.Setenv("SSL_CERT_DIR", empty)
	// Prove it took: a transport with no TLS settings must now reach the server.
	resp, err := (&http.Client{Transport: &http.Transport{}}).Get(srv.URL)
	if err != nil {
		return dir, fmt.Errorf("the system roots were read before SSL_CERT_FILE was set: %w", err)
	}
	resp.Body.Close()
	return dir, nil
}

const (
	apiKey       = "nyk_bench_key_0123456789"
	credID       = "e19f8e1a-eb1c-41c0-b6a6-d2e59daf7f47"
	clientID     = "3805ABCD1234-ABCD1234uv02m.apps.googleusercontent.com"
	clientSecret = "Ilg-abcdefghijklmnopqrstuvwxyz-01pe8db"
	requestID    = "5967ca40-a2d8-4ee0-a0e0-6f18ace39a90"

	// credentialResponse answers both the PATCH and the flow guard's GET,
	// as Nylas does: the credential, here with its flow.
	credentialResponse = `{"request_id":"` + requestID + `","data":{"id":"` + credID + `","name":"Google auth app #2","created_at":1700000000,"updated_at":1700000100,"credential_type":"connector"}}`
)

// concurrency is the number of goroutines of the parallel cases; the
// floor's pool is sized for it.
const concurrency = 32

// server is nylastest's fake on a loopback port, with the fake's own
// timeouts and bounds (HTTPServer), answering every request with answer (a
// scripted Fault, so the fake records and checks each request and each
// answer against openapi.yaml), and counting the TCP connections it accepts
// (http.Server.ConnState, StateNew): one server per benchmark run, so the
// count is that run's. Answers and requests the fake has checked once are
// not validated again, so the server's cost stays small beside the
// client's, and the same for both sides.
type server struct {
	*httptest.Server
	fake   *nylastest.Fake
	opened atomic.Int64

	holding  atomic.Bool // fill is running: hold requests until all arrived
	mu       sync.Mutex
	want     int
	arrived  int
	released chan struct{}
}

func newServer(tb testing.TB, useTLS bool, answer http.HandlerFunc, opts ...nylastest.Option) *server {
	fake, err := nylastest.NewFake(append([]nylastest.Option{nylastest.WithAPIKey(apiKey)}, opts...)...)
	if err != nil {
		tb.Fatal(err)
	}
	s := &server{fake: fake}
	fake.Enqueue(nylastest.Fault{Times: math.MaxInt, Handler: func(w http.ResponseWriter, r *http.Request) {
		if s.holding.Load() {
			s.hold()
		}
		answer(w, r)
	}})
	s.Server = httptest.NewUnstartedServer(nil)
	s.Config = fake.HTTPServer()
	// A failure the server logs (a handshake cut short by a client that
	// drops connections) would land in the middle of a benchmark's result
	// line; what matters reaches the client as an error anyway.
	s.Config.ErrorLog = log.New(io.Discard, "", 0)
	s.Config.ConnState = func(_ net.Conn, state http.ConnState) {
		if state == http.StateNew {
			s.opened.Add(1)
		}
	}
	if useTLS {
		s.StartTLS() // HTTP/1.1, as httptest serves TLS unless told otherwise
	} else {
		s.Start()
	}
	tb.Cleanup(func() {
		s.Close() // waits for the answers, which the fake checks when they return
		for _, r := range fake.Requests() {
			if r.Problem != "" {
				tb.Errorf("%s %s: request off the contract: %s", r.Method, r.Path, r.Problem)
			}
		}
		for _, v := range fake.Violations() {
			tb.Error(v)
		}
	})
	return s
}

// fill runs op from n goroutines at once, holding each request at the
// server until all n have arrived, so that the client opens exactly n
// connections: one per goroutine of the run that follows. Without it,
// net/http dials spare connections when many requests start from an empty
// pool (both sides do), which is not what the connection count is about: a
// pool that keeps its connections then opens none, one that drops them
// keeps opening.
func (s *server) fill(tb testing.TB, n int, op func() error) {
	s.mu.Lock()
	s.want, s.arrived, s.released = n, 0, make(chan struct{})
	s.mu.Unlock()
	s.holding.Store(true)
	defer s.holding.Store(false)
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() { errs <- op() })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			tb.Fatal(err)
		}
	}
}

// hold blocks a request until fill's n requests have all arrived (or ten
// seconds have passed: a client that cannot have n requests in flight is
// then measured as it is).
func (s *server) hold() {
	s.mu.Lock()
	s.arrived++
	released := s.released
	if s.arrived == s.want {
		close(released)
	}
	s.mu.Unlock()
	select {
	case <-released:
	case <-time.After(10 * time.Second):
	}
}

// credentialAnswer answers with the credential, as Nylas does.
func credentialAnswer(w http.ResponseWriter, _ *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Request-Id", requestID)
	_, _ = io.WriteString(w, credentialResponse)
}

// The floor: what a careful engineer writes by hand with net/http and
// encoding/json for the same PATCH, the same response decoding, and a
// transport sized for the concurrency it is used at.

type floorClient struct {
	hc      *http.Client
	baseURL string
	apiKey  string
}

func newFloor(baseURL string) *floorClient {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = concurrency
	return &floorClient{hc: &http.Client{Transport: tr}, baseURL: baseURL, apiKey: apiKey}
}

type floorCredential struct {
	ID             string
	Name           string
	CreatedAt      time.Time
	UpdatedAt      time.Time
	CredentialType string
}

type floorConnectorData struct {
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret"`
}

type floorUpdateBody struct {
	Name           string              `json:"name,omitempty"`
	CredentialData *floorConnectorData `json:"credential_data,omitempty"`
}

func (f *floorClient) patch(ctx context.Context, provider, id string, data floorConnectorData) (*floorCredential, error) {
	buf, err := json.Marshal(floorUpdateBody{CredentialData: &data})
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPatch, f.baseURL+"/v3/connectors/"+provider+"/creds/"+id, bytes.NewReader(buf))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+f.apiKey)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := f.hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, resp.Body)
		return nil, fmt.Errorf("status %d", resp.StatusCode)
	}
	var env struct {
		RequestID string `json:"request_id"`
		Data      struct {
			ID             string `json:"id"`
			Name           string `json:"name"`
			CreatedAt      int64  `json:"created_at"`
			UpdatedAt      int64  `json:"updated_at"`
			CredentialType string `json:"credential_type"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&env); err != nil {
		return nil, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	d := env.Data
	return &floorCredential{ID: d.ID, Name: d.Name, CredentialType: d.CredentialType,
		CreatedAt: time.Unix(d.CreatedAt, 0).UTC(), UpdatedAt: time.Unix(d.UpdatedAt, 0).UTC()}, nil
}
