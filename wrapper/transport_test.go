package wrapper

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestRetryReplaysABodyWithoutGetBody: the generated builders always set
// GetBody, but a request that lacks it must still be replayed byte for byte
// on a retry rather than sent again with a drained body.
func TestRetryReplaysABodyWithoutGetBody(t *testing.T) {
	var mu sync.Mutex
	var bodies []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies = append(bodies, string(b))
		n := len(bodies)
		mu.Unlock()
		if n == 1 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	defer srv.Close()
	c, err := New("key", WithBaseURL(srv.URL), WithRetryBackoff(time.Millisecond, time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel, st := c.begin(context.Background(), nil)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPatch, srv.URL+"/v3/connectors/google/creds/x", nil)
	req.Body = io.NopCloser(strings.NewReader(`{"name":"n"}`))
	req.Header = http.Header{}
	resp, err := c.api.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != 200 || st.attempts != 2 || len(bodies) != 2 || bodies[0] != `{"name":"n"}` || bodies[1] != bodies[0] {
		t.Errorf("status %d after %d attempts, bodies %q", resp.StatusCode, st.attempts, bodies)
	}
}
