package nylastest_test

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nylascreds/nylascreds/nylastest"
)

const (
	credentialBody = `{"request_id":"r","data":{"id":"c1","name":"n","created_at":1700000000,"updated_at":1700000100}}`
	getPath        = "/v3/connectors/google/creds/c1"
)

var jsonType = http.Header{"Content-Type": {"application/json"}}

// rawGet sends a GET with the key and returns the status, the exact body
// and the headers.
func rawGet(t *testing.T, srv *nylastest.Server, path string) (int, string, http.Header) {
	t.Helper()
	status, raw, header := send(t, srv, srv.APIKey(), "GET", path, "")
	return status, string(raw), header
}

// TestScriptedAnswersAreChecked: what a Fault scripts reaches the client
// byte for byte, and is checked against openapi.yaml: an answer that breaks
// it is recorded in Violations, unless it is marked OffSpec or is an error
// page that is not JSON (a proxy's); a Handler's answer is checked too.
func TestScriptedAnswersAreChecked(t *testing.T) {
	html := http.Header{"Content-Type": {"text/html"}}
	cases := []struct {
		name  string
		fault nylastest.Fault
		want  string // "" for no violation, else a part of the one expected
	}{
		{"on-spec", nylastest.Fault{Status: 200, Header: jsonType, Body: credentialBody}, ""},
		{"on-spec-error", nylastest.Fault{Status: 429, Header: http.Header{"Content-Type": {"application/json"}, "Retry-After": {"1"}},
			Body: `{"request_id":"r","error":{"type":"t","message":"m"}}`}, ""},
		{"empty-object", nylastest.Fault{Status: 200, Header: jsonType, Body: `{}`}, "GET " + getPath + ": scripted 200 response off spec"},
		{"empty-object-allowed", nylastest.Fault{Status: 200, Header: jsonType, Body: `{}`, OffSpec: true}, ""},
		{"text-2xx", nylastest.Fault{Status: 200, Header: http.Header{"Content-Type": {"text/plain"}}, Body: "ok"}, "scripted 200 response off spec"},
		{"json-error-not-envelope", nylastest.Fault{Status: 400, Header: jsonType, Body: `{"message":"bad"}`}, "scripted 400 response off spec"},
		{"problem-json-not-envelope", nylastest.Fault{Status: 500, Header: http.Header{"Content-Type": {"application/problem+json"}}, Body: `{}`}, "scripted 500 response off spec"},
		{"html-502-is-a-proxy", nylastest.Fault{Status: 502, Header: html, Body: "<html>bad gateway</html>"}, ""},
		{"empty-503-is-a-proxy", nylastest.Fault{Status: 503}, ""},
		{"handler-on-spec", nylastest.Fault{Handler: func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, credentialBody[:20])
			w.(http.Flusher).Flush()
			_, _ = io.WriteString(w, credentialBody[20:])
		}}, ""},
		{"handler-off-spec", nylastest.Fault{Handler: func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"data":1}`)
		}}, "scripted 200 response off spec"},
		{"handler-off-spec-allowed", nylastest.Fault{OffSpec: true, Handler: func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"data":1}`)
		}}, ""},
		{"handler-1xx-then-on-spec", nylastest.Fault{Handler: func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Link", "</style.css>; rel=preload")
			w.WriteHeader(http.StatusEarlyHints) // informational: the answer's status comes next
			_, _ = io.WriteString(w, credentialBody)
		}}, ""},
		{"handler-header-as-sent-at-flush", nylastest.Fault{Handler: func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.(http.Flusher).Flush()
			w.Header().Set("Content-Type", "text/plain") // too late: not sent
			_, _ = io.WriteString(w, credentialBody)
		}}, ""},
		{"handler-too-large-to-check", nylastest.Fault{Handler: func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			for range 5 {
				_, _ = io.WriteString(w, strings.Repeat(" ", 1<<20))
			}
			_, _ = io.WriteString(w, credentialBody)
		}}, "body over 4194304 bytes, too large to check"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := nylastest.NewServer()
			srv.Enqueue(tc.fault)
			status, body, hdr := rawGet(t, srv, getPath)
			srv.Close() // waits for a Handler's check
			if tc.fault.Handler == nil && (status != tc.fault.Status || body != tc.fault.Body || hdr.Get("Content-Type") != tc.fault.Header.Get("Content-Type")) {
				t.Errorf("answer = %d %q %v, want the scripted one", status, body, hdr)
			}
			v := srv.Violations()
			switch {
			case tc.want == "" && len(v) != 0:
				t.Errorf("violations = %v, want none", v)
			case tc.want != "" && (len(v) != 1 || !strings.Contains(v[0].Error(), tc.want)):
				t.Errorf("violations = %v, want one with %q", v, tc.want)
			}
		})
	}
}

// TestScriptedAnswersToStrayRequests: a scripted answer to a request
// without the API key is checked like any other; one to a path that
// openapi.yaml does not have is sent as scripted and not checked (the
// request's Problem says what is wrong with it).
func TestScriptedAnswersToStrayRequests(t *testing.T) {
	srv := nylastest.NewServer()
	srv.Enqueue(nylastest.Fault{Status: 200, Header: jsonType, Body: `{}`, Times: 2})
	keyless, keylessBody, _ := send(t, srv, "", "GET", getPath, "")
	unrouted, unroutedBody, _ := send(t, srv, srv.APIKey(), "GET", "/v3/applications", "")
	srv.Close()
	if keyless != 200 || string(keylessBody) != "{}" || unrouted != 200 || string(unroutedBody) != "{}" {
		t.Errorf("answers = %d %q, %d %q; want the scripted ones", keyless, keylessBody, unrouted, unroutedBody)
	}
	if v := srv.Violations(); len(v) != 1 || !strings.Contains(v[0].Error(), "GET "+getPath+": scripted 200 response off spec") {
		t.Errorf("violations = %v, want the keyless request's answer alone", v)
	}
	if reqs := srv.Requests(); len(reqs) != 1 || reqs[0].Problem != "no such endpoint: /v3/applications" {
		t.Errorf("requests = %+v, want the unrouted one, with its problem", reqs)
	}
}

// TestRepeatedScriptedAnswerIsCheckedEachTime: a remembered verdict is
// still a verdict: an off-spec answer sent twice is recorded twice.
func TestRepeatedScriptedAnswerIsCheckedEachTime(t *testing.T) {
	srv := nylastest.NewServer()
	srv.Enqueue(nylastest.Fault{Status: 200, Header: jsonType, Body: `{}`, Times: 2})
	rawGet(t, srv, getPath)
	rawGet(t, srv, getPath)
	srv.Close()
	if v := srv.Violations(); len(v) != 2 {
		t.Errorf("violations = %v, want two", v)
	}
}

// TestFaultTimes: a Fault with Times answers that many requests in a row,
// then the next one takes over; math.MaxInt answers every request.
func TestFaultTimes(t *testing.T) {
	srv := newServer(t)
	errBody := func(n int) string {
		return fmt.Sprintf(`{"request_id":"r%d","error":{"type":"t","message":"m"}}`, n)
	}
	srv.Enqueue(
		nylastest.Fault{Status: 503, Header: jsonType, Body: errBody(1), Times: 3},
		nylastest.Fault{Status: 500, Header: jsonType, Body: errBody(2)},
		nylastest.Fault{Status: 429, Header: jsonType, Body: errBody(3), Times: math.MaxInt},
	)
	var got []string
	for range 8 {
		status, body, _ := rawGet(t, srv, "/v3/connectors/google/creds")
		got = append(got, fmt.Sprintf("%d %s", status, body[15:17]))
	}
	want := "503 r1,503 r1,503 r1,500 r2,429 r3,429 r3,429 r3,429 r3"
	if strings.Join(got, ",") != want {
		t.Errorf("answers = %s\nwant      %s", strings.Join(got, ","), want)
	}
}

// TestHandlerFault: a Handler reads the request's body from the start
// (after Handle too), answers as it likes, and may drop the connection;
// Handle runs the request first, so a Handler can lose a response that took
// effect; Drop takes precedence over a Handler.
func TestHandlerFault(t *testing.T) {
	srv := newServer(t)
	key := srv.APIKey()
	var seen atomic.Value
	srv.Enqueue(nylastest.Fault{Handler: func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		seen.Store(string(b))
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(201)
		_, _ = io.WriteString(w, credentialBody)
	}})
	status, body, _ := call(t, srv, key, "POST", "/v3/connectors/google/creds", connectorBody)
	if status != 201 || data(body)["id"] != "c1" || seen.Load() != connectorBody || srv.Len("google") != 0 {
		t.Errorf("answer %d %v, handler saw %q, stored %d", status, body, seen.Load(), srv.Len("google"))
	}

	seen.Store("")
	srv.Enqueue(nylastest.Fault{Handle: true, Handler: func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		seen.Store(string(b))
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			_ = conn.Close()
		}
	}})
	if err := createUnanswered(srv, key); err == nil {
		t.Error("hijacked and closed: no error")
	}
	if srv.Len("google") != 1 || seen.Load() != connectorBody {
		t.Errorf("a handled-then-dropped create: stored %d, handler saw %q", srv.Len("google"), seen.Load())
	}

	var called atomic.Bool
	srv.Enqueue(nylastest.Fault{Drop: true, Handler: func(w http.ResponseWriter, _ *http.Request) {
		called.Store(true)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, credentialBody)
	}})
	if err := createUnanswered(srv, key); err == nil || called.Load() {
		t.Errorf("Drop with a Handler: err %v, handler called %t; want a dropped connection", err, called.Load())
	}
}

// TestRequestRecord: the log keeps each request's headers, its length as
// net/http parsed it, and whether it was on the contract, also when a Fault
// answered it.
func TestRequestRecord(t *testing.T) {
	srv := newServer(t)
	key := srv.APIKey()
	srv.Enqueue(nylastest.Fault{Status: 200, Header: jsonType, Body: credentialBody, Times: 2})
	// Scripted answers: one off-spec request (an empty name), one on spec.
	call(t, srv, key, "PATCH", getPath, `{"name":""}`)
	call(t, srv, key, "PATCH", getPath, `{"name":"n"}`)
	// The fake's own answer to the same off-spec request, and to a path
	// that is not in openapi.yaml.
	call(t, srv, key, "PATCH", getPath, `{"name":""}`)
	call(t, srv, key, "GET", "/v3/connectors/google/other", "")
	// A chunked body.
	pr, pw := io.Pipe()
	go func() {
		_, _ = io.WriteString(pw, connectorBody)
		_ = pw.Close()
	}()
	req, _ := http.NewRequest("POST", srv.URL+"/v3/connectors/yahoo/creds", bufio.NewReader(pr))
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Trace", "t1")
	req.TransferEncoding = []string{"chunked"}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()

	reqs := srv.Requests()
	if len(reqs) != 5 {
		t.Fatalf("requests = %+v", reqs)
	}
	const emptyName = "request body field name: minimum string length is 1"
	for i, want := range []struct {
		op, problem string
		length      int64
	}{
		{"updateCredential", emptyName, 11},
		{"updateCredential", "", 12},
		{"updateCredential", emptyName, 11},
		{"", "no such endpoint: /v3/connectors/google/other", 0},
		{"createCredential", "", -1},
	} {
		r := reqs[i]
		if r.Operation != want.op || !strings.HasPrefix(r.Problem, want.problem) || (want.problem == "") != (r.Problem == "") || r.ContentLength != want.length {
			t.Errorf("request %d: operation %q, problem %q, length %d; want %q, %q, %d", i, r.Operation, r.Problem, r.ContentLength, want.op, want.problem, want.length)
		}
	}
	if resp.StatusCode != 201 {
		t.Errorf("chunked create: %d", resp.StatusCode)
	}
	chunked := reqs[4]
	if strings.Join(chunked.TransferEncoding, ",") != "chunked" || string(chunked.Body) != connectorBody ||
		chunked.Header.Get("X-Trace") != "t1" || chunked.Header.Get("Authorization") != "Bearer "+key {
		t.Errorf("chunked request = %+v", chunked)
	}
	if reqs[0].TransferEncoding != nil || reqs[3].TransferEncoding != nil {
		t.Errorf("transfer encodings %v, %v; want none", reqs[0].TransferEncoding, reqs[3].TransferEncoding)
	}
}

// TestDelayThenHandler: a Delay comes first, whoever answers.
func TestDelayThenHandler(t *testing.T) {
	srv := newServer(t)
	srv.Enqueue(nylastest.Fault{Delay: 50 * time.Millisecond, Handler: func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, credentialBody)
	}})
	start := time.Now()
	if status, body, _ := rawGet(t, srv, getPath); status != 200 || body != credentialBody || time.Since(start) < 50*time.Millisecond {
		t.Errorf("answer %d %q after %v", status, body, time.Since(start))
	}
}

// TestUnreceivedHandlerAnswerIsNotChecked: a Handler that outlives its
// client (which timed out) wrote nothing anyone received, and no violation
// is recorded for it; a scripted header spelt in lower case is checked as
// the canonical header it is sent as.
func TestUnreceivedHandlerAnswerIsNotChecked(t *testing.T) {
	srv := nylastest.NewServer()
	returned := make(chan struct{})
	srv.Enqueue(
		nylastest.Fault{Handler: func(w http.ResponseWriter, r *http.Request) {
			defer close(returned)
			<-r.Context().Done()
		}},
		nylastest.Fault{Status: 200, Header: http.Header{"content-type": {"application/json"}}, Body: credentialBody},
	)
	hc := &http.Client{Timeout: 100 * time.Millisecond}
	req, _ := http.NewRequest("GET", srv.URL+getPath, nil)
	req.Header.Set("Authorization", "Bearer "+srv.APIKey())
	if _, err := hc.Do(req); err == nil {
		t.Fatal("the client got an answer from a handler that writes none")
	}
	<-returned
	if status, body, hdr := rawGet(t, srv, getPath); status != 200 || body != credentialBody || hdr.Get("Content-Type") != "application/json" {
		t.Errorf("answer = %d %q %v", status, body, hdr)
	}
	srv.Close()
	if v := srv.Violations(); len(v) != 0 {
		t.Errorf("violations = %v, want none", v)
	}
}
