package tests

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/nylascreds/nylascreds/nylastest"
	"github.com/nylascreds/nylascreds/wrapper"
)

// TestOneLogRecordPerAttempt checks the fields of the per-attempt records:
// method, path, query (a walk's pages differ only in it), status, request
// id, attempt number and duration; Warn for a
// failed attempt, Debug for success; nothing secret.
func TestOneLogRecordPerAttempt(t *testing.T) {
	t.Parallel()
	srv := newFakeWithKey(t, canaryAPIKey)
	var logs bytes.Buffer
	c, err := wrapper.New(canaryAPIKey, wrapper.WithBaseURL(srv.URL),
		wrapper.WithRetryBackoff(time.Millisecond, 2*time.Millisecond),
		wrapper.WithLogger(slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	if err != nil {
		t.Fatal(err)
	}
	srv.Enqueue(nylastest.Fault{Status: 503, Header: http.Header{"Content-Type": {"application/json"}, "X-Request-Id": {"req-503"}},
		Body: `{"request_id":"req-503","error":{"type":"api.internal_error","message":"busy"}}`})
	if _, err := c.Create(context.Background(), wrapper.ProviderGoogle, wrapper.CreateRequest{Name: "n", Data: canaryConnector}); err == nil {
		t.Fatal("a 503 on create must not be retried into success")
	}
	if _, err := c.List(context.Background(), wrapper.ProviderGoogle, &wrapper.ListOptions{Limit: 5, Offset: 20}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(logs.String(), canaryAPIKey) || strings.Contains(logs.String(), canaryClientSecret) || strings.Contains(logs.String(), "Bearer") {
		t.Fatalf("secret in logs: %s", logs.String())
	}
	var records []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		records = append(records, rec)
	}
	if len(records) != 2 {
		t.Fatalf("records = %v, want 2", records)
	}
	want := []map[string]any{
		{"level": "WARN", "method": "POST", "path": "/v3/connectors/google/creds", "status": 503.0, "request_id": "req-503", "attempt": 1.0},
		{"level": "DEBUG", "method": "GET", "path": "/v3/connectors/google/creds", "query": "limit=5&offset=20", "status": 200.0, "attempt": 1.0},
	}
	for i, w := range want {
		for k, v := range w {
			if records[i][k] != v {
				t.Errorf("record %d: %s = %v, want %v", i, k, records[i][k], v)
			}
		}
		if d, ok := records[i]["duration"].(float64); !ok || d <= 0 {
			t.Errorf("record %d: duration = %v", i, records[i]["duration"])
		}
	}
	if id, _ := records[1]["request_id"].(string); !strings.HasPrefix(id, "nylastest-") {
		t.Errorf("request_id = %v", records[1]["request_id"])
	}
}
