package tests

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/nylascreds/nylascreds/nylastest"
	"github.com/nylascreds/nylascreds/wrapper"
)

// TestOneConnectionForManyCalls: sequential calls through one client reuse
// one TCP connection, whatever their outcome: success, API errors (JSON or
// HTML), retried attempts, validation failures, unusable 2xx bodies. Bodies
// must be read to the end and closed on every path for that to hold.
func TestOneConnectionForManyCalls(t *testing.T) {
	t.Parallel()
	fake, srv, conns := servedFake(t)
	srv.Start()

	c, err := wrapper.New(fake.APIKey(), wrapper.WithBaseURL(srv.URL), wrapper.WithRetryBackoff(time.Millisecond, 2*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	// The first credential becomes the connector's active one, which
	// cannot be deleted; the steps use a second.
	if _, err := c.Create(ctx, wrapper.ProviderGoogle, wrapper.CreateRequest{Name: "active", Data: connectorData}); err != nil {
		t.Fatal(err)
	}
	cred, err := c.Create(ctx, wrapper.ProviderGoogle, wrapper.CreateRequest{Name: "n", Data: connectorData})
	if err != nil {
		t.Fatal(err)
	}
	html := http.Header{"Content-Type": {"text/html"}}
	json := http.Header{"Content-Type": {"application/json"}}
	steps := []struct {
		name   string
		faults []nylastest.Fault
		call   func() error
		ok     bool
	}{
		{"get", nil, func() error { _, err := c.Get(ctx, wrapper.ProviderGoogle, cred.ID); return err }, true},
		{"list", nil, func() error { _, err := c.List(ctx, wrapper.ProviderGoogle, nil); return err }, true},
		{"update", nil, func() error {
			_, err := c.Update(ctx, wrapper.ProviderGoogle, cred.ID, wrapper.UpdateRequest{Name: "renamed"})
			return err
		}, true},
		{"404", nil, func() error { _, err := c.Get(ctx, wrapper.ProviderGoogle, "missing"); return err }, false},
		{"400", nil, func() error {
			_, err := c.Create(ctx, wrapper.ProviderGoogle, wrapper.CreateRequest{Name: "renamed", Data: canaryConnector})
			return err
		}, false},
		{"html-500", []nylastest.Fault{{Status: 500, Header: html, Body: "<html>" + strings.Repeat("x", 4000) + "</html>"}},
			func() error { _, err := c.List(ctx, wrapper.ProviderGoogle, nil); return err }, false},
		{"retried-503s", []nylastest.Fault{{Status: 503, Header: json, Body: `{"request_id":"a","error":{"type":"t","message":"m"}}`}, {Status: 503, Header: html, Body: strings.Repeat("y", 9000)}},
			func() error { _, err := c.Get(ctx, wrapper.ProviderGoogle, cred.ID); return err }, true},
		{"unusable-2xx", []nylastest.Fault{{Status: 200, Header: json, Body: `{"data": 1}`, OffSpec: true}},
			func() error { _, err := c.Get(ctx, wrapper.ProviderGoogle, cred.ID); return err }, false},
		{"validation", nil, func() error {
			_, err := c.Update(ctx, wrapper.ProviderGoogle, cred.ID, wrapper.UpdateRequest{})
			return err
		}, false},
		{"delete", nil, func() error { return c.Delete(ctx, wrapper.ProviderGoogle, cred.ID) }, true},
	}
	for range 3 {
		for _, s := range steps {
			fake.Enqueue(s.faults...)
			err := s.call()
			if (err == nil) != s.ok && s.name != "delete" {
				t.Fatalf("%s: err = %v", s.name, err)
			}
		}
		// Recreate what delete removed, for the next round.
		if cred, err = c.Create(ctx, wrapper.ProviderGoogle, wrapper.CreateRequest{Name: "n", Data: connectorData}); err != nil {
			t.Fatal(err)
		}
	}
	if n := conns.Load(); n != 1 {
		t.Errorf("%d TCP connections for %d requests, want 1", n, len(fake.Requests()))
	}
}

// TestChunkedBodyOverTheCap: a body of unannounced length is cut off at the
// cap while it is read, and reported as too large with its status.
func TestChunkedBodyOverTheCap(t *testing.T) {
	t.Parallel()
	// Off spec on purpose: 64 KiB of spaces is no JSON value.
	srv := newFake(t, nylastest.Fault{OffSpec: true, Handler: func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Request-Id", "req-chunked")
		w.WriteHeader(200)
		for range 64 {
			_, _ = w.Write([]byte(strings.Repeat(" ", 1024)))
			w.(http.Flusher).Flush()
		}
	}})
	c, err := wrapper.New(testAPIKey, wrapper.WithBaseURL(srv.URL), wrapper.WithMaxResponseBytes(16<<10))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.List(context.Background(), wrapper.ProviderGoogle, nil)
	var re *wrapper.ResponseError
	if !errors.Is(err, wrapper.ErrResponseTooLarge) || !errors.As(err, &re) || re.StatusCode != 200 || re.RequestID != "req-chunked" {
		t.Errorf("err = %v, want ErrResponseTooLarge with status 200 and the request id", err)
	}
}
