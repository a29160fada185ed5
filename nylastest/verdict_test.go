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
