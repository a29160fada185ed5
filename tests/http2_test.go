package tests

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/nylascreds/nylascreds/nylastest"
	"github.com/nylascreds/nylascreds/wrapper"
)

// TestHTTP2AttemptsAreCounted: over TLS with HTTP/2 (what the Nylas hosts
// speak), each call is one request, counted and logged once: the handover of
// a new TLS connection to the HTTP/2 transport is not mistaken for a re-send.
func TestHTTP2AttemptsAreCounted(t *testing.T) {
	t.Parallel()
	fake, err := nylastest.NewFake(nylastest.WithAPIKey(canaryAPIKey))
	if err != nil {
		t.Fatal(err)
	}
	var h2 atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ProtoMajor == 2 {
			h2.Add(1)
		}
		fake.ServeHTTP(w, r)
	}))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	t.Cleanup(func() {
		srv.Close()
		checkFake(t, fake)
	})

	watch := newLeakWatch(t)
	c, err := wrapper.New(canaryAPIKey, wrapper.WithBaseURL(srv.URL), wrapper.WithHTTPClient(srv.Client()), wrapper.WithLogger(watch.jsonLogger()))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	cred, err := c.Create(ctx, wrapper.ProviderGoogle, wrapper.CreateRequest{Name: "n", Data: canaryConnector})
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, err := c.Get(ctx, wrapper.ProviderGoogle, cred.ID); err != nil {
			t.Fatal(err)
		}
	}
	_, err = c.Get(ctx, wrapper.ProviderGoogle, "missing")
	var apiErr *wrapper.APIError
	if !wrapper.IsNotFound(err) || !errors.As(err, &apiErr) || apiErr.Attempts != 1 {
		t.Errorf("err = %v, want a 404 after 1 attempt", err)
	}
	if got := int(h2.Load()); got != 5 || len(fake.Requests()) != 5 {
		t.Errorf("HTTP/2 requests = %d, fake saw %d, want 5 and 5", got, len(fake.Requests()))
	}
	if n := watch.logCount(); n != 5 {
		t.Errorf("logged %d attempts for 5 requests", n)
	}
}
