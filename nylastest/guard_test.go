package nylastest

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestOffSpecResponseIsRefusedAndRecorded: if the fake's own handling ever
// produced a response openapi.yaml does not allow, it sends a 500 that says
// so and records the violation, instead of teaching a client wrong habits.
func TestOffSpecResponseIsRefusedAndRecorded(t *testing.T) {
	f, err := NewFake()
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest(http.MethodGet, "/v3/connectors/google/creds/x", nil)
	v := f.judge(r, nil, false)
	if v.route == nil || v.msg != "" {
		t.Fatalf("request judged off the contract: %d %s", v.status, v.msg)
	}
	ex := &exchange{fake: f, r: r, reqID: "nylastest-x", in: v.input(r)}
	ex.ok(http.StatusOK, map[string]any{"data": map[string]any{"id": 1}}) // id must be a string
	w := httptest.NewRecorder()
	ex.write(w)
	if w.Code != http.StatusInternalServerError || !strings.Contains(w.Body.String(), "nylastest.response_off_spec") {
		t.Errorf("answer = %d %s, want a 500 naming the violation", w.Code, w.Body.String())
	}
	if v := f.Violations(); len(v) != 1 || !strings.Contains(v[0].Error(), "GET /v3/connectors/google/creds/x: 200 response off spec") {
		t.Errorf("violations = %v", v)
	}
}
