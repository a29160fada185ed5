package tests

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/nylascreds/nylascreds/nylastest"
	"github.com/nylascreds/nylascreds/wrapper"
)

// TestUnusable2xxBodies: a 2xx that is not the documented JSON, or a
// credential without an id, is a *ResponseError carrying status and request id.
func TestUnusable2xxBodies(t *testing.T) {
	cases := []struct {
		name  string
		reply nylastest.Fault
		call  func(c *wrapper.Client) error
		cause string
	}{
		{"get-not-json", nylastest.Fault{Status: 200, Header: http.Header{"Content-Type": {"text/plain"}, "X-Request-Id": {"req-u"}}, Body: "ok"},
			func(c *wrapper.Client) error {
				_, err := c.Get(context.Background(), wrapper.ProviderGoogle, "x")
				return err
			},
			"body is not the documented JSON"},
		{"get-no-id", nylastest.Fault{Status: 200, Header: http.Header{"Content-Type": {"application/json"}, "X-Request-Id": {"req-u"}}, Body: `{"data":{"name":"n","created_at":1,"updated_at":1}}`},
			func(c *wrapper.Client) error {
				_, err := c.Get(context.Background(), wrapper.ProviderGoogle, "x")
				return err
			},
			"credential has no id"},
		{"list-not-json", nylastest.Fault{Status: 200, Header: http.Header{"Content-Type": {"text/html"}, "X-Request-Id": {"req-u"}}, Body: "<html></html>"},
			func(c *wrapper.Client) error {
				_, err := c.List(context.Background(), wrapper.ProviderGoogle, nil)
				return err
			},
			"body is not the documented JSON"},
		{"list-item-no-id", nylastest.Fault{Status: 200, Header: http.Header{"Content-Type": {"application/json"}, "X-Request-Id": {"req-u"}}, Body: `{"data":[{"name":"n","created_at":1,"updated_at":1}]}`},
			func(c *wrapper.Client) error {
				_, err := c.List(context.Background(), wrapper.ProviderGoogle, nil)
				return err
			},
			"a listed credential has no id"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rep := tc.reply
			rep.OffSpec = true // unusable on purpose
			f := newFake(t, rep)
			c := newClient(t, f)
			err := tc.call(c)
			var re *wrapper.ResponseError
			if !errors.As(err, &re) || re.StatusCode != 200 || re.RequestID != "req-u" || !strings.Contains(err.Error(), tc.cause) {
				t.Errorf("err = %v, want a ResponseError (200, req-u) saying %q", err, tc.cause)
			}
		})
	}
}

// TestBodiesOverTheCap: an announced Content-Length over the cap is refused
// before reading; an error page over the cap is reported with its status.
func TestBodiesOverTheCap(t *testing.T) {
	t.Parallel()
	announced := newFake(t, nylastest.Fault{OffSpec: true, Handler: func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", strconv.Itoa(64<<10))
		w.Header().Set("X-Request-Id", "req-cl")
		w.WriteHeader(200)
		_, _ = io.WriteString(w, strings.Repeat(" ", 64<<10))
	}})
	errorPage := newFake(t, nylastest.Fault{Handler: func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("X-Request-Id", "req-500")
		w.WriteHeader(500)
		for range 64 {
			_, _ = io.WriteString(w, strings.Repeat("x", 1024))
			w.(http.Flusher).Flush()
		}
	}})
	for _, tc := range []struct {
		url    string
		status int
		id     string
	}{{announced.URL, 200, "req-cl"}, {errorPage.URL, 500, "req-500"}} {
		c, err := wrapper.New(testAPIKey, wrapper.WithBaseURL(tc.url), wrapper.WithMaxResponseBytes(16<<10), wrapper.WithRetries(0))
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.Get(context.Background(), wrapper.ProviderGoogle, "x")
		var re *wrapper.ResponseError
		if !errors.Is(err, wrapper.ErrResponseTooLarge) || !errors.As(err, &re) || re.StatusCode != tc.status || re.RequestID != tc.id {
			t.Errorf("%d: err = %v, want ErrResponseTooLarge with status and request id", tc.status, err)
		}
	}
}

var errProxyRefused = errors.New("proxy refused the request")

// TestTransportErrorEchoingTheKey: a custom transport whose error quotes the
// Authorization header must not carry the key into the error, its text or
// its Unwrap chain: the cause is replaced by its scrubbed text (so errors.Is
// no longer reaches it; leakWatch walks the chain).
func TestTransportErrorEchoingTheKey(t *testing.T) {
	t.Parallel()
	watch := newLeakWatch(t)
	hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		return nil, fmt.Errorf("%w: %s", errProxyRefused, r.Header.Get("Authorization"))
	})}
	c, err := wrapper.New(canaryAPIKey, wrapper.WithBaseURL("https://api.us.nylas.com"), wrapper.WithHTTPClient(hc), wrapper.WithLogger(watch.jsonLogger()))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Update(context.Background(), wrapper.ProviderGoogle, "x", wrapper.UpdateRequest{Data: canaryConnector})
	watch.observe(err)
	var re *wrapper.RequestError
	if !errors.As(err, &re) || !strings.Contains(err.Error(), "proxy refused the request: Bearer [REDACTED]") || errors.Is(err, errProxyRefused) {
		t.Errorf("err = %v, want a RequestError with the cause's text, the key redacted and the raw cause dropped", err)
	}
}

// TestUserAgentSuffix: WithUserAgent appends to the library's own token.
func TestUserAgentSuffix(t *testing.T) {
	t.Parallel()
	f := newFake(t, jsonReply(200, credentialJSON))
	c := newClient(t, f, wrapper.WithUserAgent("billing-sync/1.4"))
	if _, err := c.Get(context.Background(), wrapper.ProviderGoogle, "cred-1"); err != nil {
		t.Fatal(err)
	}
	if ua := f.only(t).Header.Get("User-Agent"); ua != "nylascreds-go/"+wrapper.Version+" billing-sync/1.4" {
		t.Errorf("User-Agent = %q", ua)
	}
}
