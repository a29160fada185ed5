package nylastest

import (
	"crypto/sha256"
	"encoding/binary"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestRememberedVerdictsAreExact: a verdict is reused only for a request
// that is the same in everything judging reads (method, path, query,
// headers, body); changing any of them is judged afresh.
func TestRememberedVerdictsAreExact(t *testing.T) {
	f, err := NewFake()
	if err != nil {
		t.Fatal(err)
	}
	const path = "/v3/connectors/google/creds/c1"
	req := func(method, target, contentType, body string) (*http.Request, []byte) {
		r := httptest.NewRequest(method, target, strings.NewReader(body))
		if contentType != "" {
			r.Header.Set("Content-Type", contentType)
		}
		return r, []byte(body)
	}
	cases := []struct {
		method, target, contentType, body string
		problem                           string // a part of it; "" when on the contract
	}{
		{"PATCH", path, "application/json", `{"name":"n"}`, ""},
		{"PATCH", path, "application/json", `{"name":""}`, "request body field name"},
		{"PATCH", path, "text/plain", `{"name":"n"}`, "request body"},
		{"PATCH", path, "application/json", `{"name":"n"}`, ""},
		{"PATCH", "/v3/connectors/inbox/creds/c1", "application/json", `{"name":"n"}`, "path parameter provider"},
		{"POST", path, "application/json", `{"name":"n"}`, "method POST is not allowed"},
		{"GET", "/v3/connectors/google/creds?limit=5", "", "", ""},
		{"GET", "/v3/connectors/google/creds?limit=-5", "", "", "query parameter limit"},
		{"GET", "/v3/connectors/google/creds?limit=5", "", "", ""},
	}
	for round := range 2 { // the second round is answered from memory
		for _, tc := range cases {
			r, body := req(tc.method, tc.target, tc.contentType, tc.body)
			v := f.judge(r, body, false)
			if (tc.problem == "") != (v.msg == "") || !strings.Contains(v.msg, tc.problem) {
				t.Errorf("round %d: %s %s (%s) %s: problem %q, want %q", round, tc.method, tc.target, tc.contentType, tc.body, v.msg, tc.problem)
			}
		}
	}
	if n := len(f.guard.verdicts.m); n != 7 {
		t.Errorf("%d verdicts remembered, want one per distinct request (7)", n)
	}
}

// TestRememberedVerdictsAreUsed: a request judged before, and a scripted
// answer checked before, are answered from memory: the same verdict, and
// no validation (which allocates dozens of times) run again.
func TestRememberedVerdictsAreUsed(t *testing.T) {
	f, err := NewFake()
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest("GET", "/v3/connectors/google/creds/c1", nil)
	r.Header.Set("Authorization", "Bearer "+f.APIKey())
	v := f.judge(r, nil, false)
	if again := f.judge(r.Clone(r.Context()), nil, false); again != v {
		t.Errorf("a repeated request was judged afresh")
	}
	if n := testing.AllocsPerRun(10, func() { f.judge(r, nil, false) }); n != 0 {
		t.Errorf("judging a repeated request: %v allocations, want none", n)
	}
	header := http.Header{"Content-Type": {"application/json"}}
	body := []byte(`{"request_id":"r","data":{"id":"c1","name":"n","created_at":1700000000,"updated_at":1700000100}}`)
	f.checkScripted(r, v, http.StatusOK, header, body, false)
	if n := testing.AllocsPerRun(10, func() { f.checkScripted(r, v, http.StatusOK, header, body, false) }); n != 0 {
		t.Errorf("checking a repeated answer: %v allocations, want none", n)
	}
	if v := f.Violations(); len(v) != 0 {
		t.Errorf("violations = %v", v)
	}
}

// TestVerdictMemoryIsBounded: the fake remembers at most maxVerdicts.
func TestVerdictMemoryIsBounded(t *testing.T) {
	c := verdictCache{m: map[[sha256.Size]byte]any{}}
	for i := range 3 * maxVerdicts {
		var key [sha256.Size]byte
		binary.BigEndian.PutUint64(key[:], uint64(i))
		c.put(key, "")
		if len(c.m) > maxVerdicts {
			t.Fatalf("%d verdicts after %d puts", len(c.m), i+1)
		}
	}
}
