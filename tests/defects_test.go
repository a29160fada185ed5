package tests

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nylascreds/nylascreds/nylastest"
	"github.com/nylascreds/nylascreds/wrapper"
)

// TestNilTransportNeverUsesTheDefaultProxy (defect 3): a caller's http.Client
// without a Transport, while the program's http.DefaultTransport has a proxy,
// must not send a plain-http loopback call (and its API key) to that proxy.
// Not parallel: it replaces http.DefaultTransport for its duration.
func TestNilTransportNeverUsesTheDefaultProxy(t *testing.T) {
	var proxied atomic.Int32
	proxy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer proxy.Close()
	go func() {
		for {
			conn, err := proxy.Accept()
			if err != nil {
				return
			}
			proxied.Add(1)
			conn.Close()
		}
	}()
	proxyURL, _ := url.Parse("http://" + proxy.Addr().String())
	saved := http.DefaultTransport
	http.DefaultTransport = &http.Transport{Proxy: http.ProxyURL(proxyURL)}
	defer func() { http.DefaultTransport = saved }()

	f := newFake(t, jsonReply(200, credentialJSON))
	c, err := wrapper.New(testAPIKey, wrapper.WithBaseURL(f.URL), wrapper.WithRetries(0),
		wrapper.WithHTTPClient(&http.Client{Timeout: 5 * time.Second}))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Get(context.Background(), wrapper.ProviderGoogle, "cred-1"); err != nil {
		t.Fatalf("Get: %v", err)
	}
	if proxied.Load() != 0 || len(f.Requests()) != 1 {
		t.Errorf("the proxy saw %d connections and the server %d requests; want 0 and 1", proxied.Load(), len(f.Requests()))
	}
}

// TestScrubbingKeepsTheCallsDeadline (defect 4): a hostile 400 body of 2 MiB
// of short JSON strings, or megabytes of response headers, cost what is kept,
// not their size times the secrets: the call ends within its own timeout (a
// generous margin, not a speed target: work that grows with the body times
// the secrets overruns it by far).
func TestScrubbingKeepsTheCallsDeadline(t *testing.T) {
	var array strings.Builder
	array.WriteString("[")
	for array.Len() < 2<<20 {
		array.WriteString(`"ab",`)
	}
	array.WriteString(`"end"]`)
	manyHeaders := func(w http.ResponseWriter, _ *http.Request) {
		value := strings.Repeat("v", 1000)
		for i := range 8000 {
			w.Header().Add(fmt.Sprintf("X-Pad-%d", i), value)
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(credentialJSON))
	}
	notEnvelope := jsonReply(400, array.String())
	notEnvelope.OffSpec = true // hostile: a JSON error that is not the envelope
	for name, rep := range map[string]nylastest.Fault{
		"2 MiB JSON array":     notEnvelope,
		"8 MB of headers":      {Handler: manyHeaders},
		"2 MiB provider_error": jsonReply(400, `{"request_id":"r","error":{"type":"t","provider_error":`+array.String()+`}}`),
	} {
		t.Run(name, func(t *testing.T) {
			f := newFake(t, rep)
			big := &http.Client{Transport: &http.Transport{MaxResponseHeaderBytes: 16 << 20}}
			c, err := wrapper.New(testAPIKey, wrapper.WithBaseURL(f.URL), wrapper.WithHTTPClient(big), wrapper.WithRetries(0),
				wrapper.WithTimeout(2*time.Second))
			if err != nil {
				t.Fatal(err)
			}
			secret := wrapper.NewSecret("CANARY-deadline-secret-0123456789")
			var resp wrapper.Response
			start := time.Now()
			_, err = c.Update(context.Background(), wrapper.ProviderYahoo, "cred-1", wrapper.UpdateRequest{
				Data: wrapper.ConnectorOverride{ClientID: "id", ClientSecret: secret, Settings: map[string]any{"a": secret}},
			}, wrapper.WithResponseInto(&resp))
			if took := time.Since(start); took > 10*time.Second {
				t.Errorf("the call took %s with a 2s timeout", took)
			}
			var apiErr *wrapper.APIError
			if errors.As(err, &apiErr) && (len(apiErr.Body) > 512 || len(apiErr.ProviderError) > 2100) {
				t.Errorf("kept server text is not bounded: body %d bytes, provider_error %d", len(apiErr.Body), len(apiErr.ProviderError))
			}
			values := 0
			for k, vs := range resp.Header {
				for _, v := range vs {
					values++
					if len(v) > 1024 || len(k) > 256 {
						t.Errorf("header %s kept %d bytes", k, len(v))
					}
				}
			}
			if values > 100 || resp.StatusCode == 0 {
				t.Errorf("Response kept %d header values (status %d)", values, resp.StatusCode)
			}
		})
	}
}

// TestEchoedNumbersAndEscapesAreScrubbed (defects 5, 6, 7): a numeric Secret
// setting echoed as a JSON number, a secret with non-ASCII letters echoed as
// Python escapes it, and an upper-cased secret beside a rune whose lower case
// has another length, all stay out of the error.
func TestEchoedNumbersAndEscapesAreScrubbed(t *testing.T) {
	const numeric, accented = "31415926535897", "Grüße-façade-0123456789"
	cases := map[string]string{
		"number in a non-envelope body": `{"you_sent":{"pin":31415926535897}}`,
		"number in provider_error":      `{"request_id":"r","error":{"type":"t","message":"m","provider_error":{"pin":31415926535897}}}`,
		"python escapes in a message":   `{"request_id":"r","error":{"type":"t","message":"bad Gr\u00fc\u00dfe-fa\u00e7ade-0123456789"}}`,
		"python escapes as text":        `{"request_id":"r","error":{"type":"t","message":"bad Gr\\u00fc\\u00dfe-fa\\u00e7ade-0123456789"}}`,
		"upper case beside a kelvin":    `{"request_id":"r","error":{"type":"t","message":"\u212a İ GRüßE-FAçADE-0123456789 ` + strings.ToUpper(testAPIKey) + `"}}`,
	}
	for name, body := range cases {
		t.Run(name, func(t *testing.T) {
			rep := jsonReply(400, body)
			rep.OffSpec = name == "number in a non-envelope body"
			f := newFake(t, rep)
			c := newClient(t, f, wrapper.WithRetries(0))
			data := wrapper.ConnectorOverride{ClientID: "id", ClientSecret: wrapper.NewSecret(accented),
				Settings: map[string]any{"pin": wrapper.NewSecret(numeric)}}
			_, err := c.Update(context.Background(), wrapper.ProviderYahoo, "cred-1", wrapper.UpdateRequest{Data: data})
			apiErr := apiErr(t, err)
			kept := fmt.Sprintf("%s %s %s %s %s", apiErr.Error(), apiErr.Message, apiErr.Body, apiErr.ProviderError, apiErr.RequestID)
			for _, leak := range []string{numeric, "0123456789", `u00dfe`, "grüße-faç", strings.ToLower(testAPIKey)} {
				if strings.Contains(strings.ToLower(kept), strings.ToLower(leak)) {
					t.Errorf("%q survived in %s", leak, kept)
				}
			}
			if !strings.Contains(kept, "[REDACTED]") {
				t.Errorf("nothing was redacted: %s", kept)
			}
		})
	}
}

// TestListWithoutDataIsNotAnEmptyPage (defect 8): a 2xx that is not a
// credential list is a *ResponseError, for List, All and Pages alike.
func TestListWithoutDataIsNotAnEmptyPage(t *testing.T) {
	for _, body := range []string{`{}`, `null`, `{"data":null}`, `{"request_id":"r","error":{"type":"t","message":"m"}}`} {
		rep := jsonReply(200, body) // List, then All
		rep.OffSpec, rep.Times = true, 2
		f := newFake(t, rep)
		c := newClient(t, f)
		var respErr *wrapper.ResponseError
		if _, err := c.List(context.Background(), wrapper.ProviderGoogle, nil); !errors.As(err, &respErr) {
			t.Errorf("List of %s: err = %v, want *ResponseError", body, err)
		}
		n := 0
		for _, err := range c.All(context.Background(), wrapper.ProviderGoogle, nil) {
			if !errors.As(err, &respErr) {
				t.Errorf("All of %s yielded %v, want a *ResponseError", body, err)
			}
			n++
		}
		if n != 1 {
			t.Errorf("All of %s yielded %d values, want the error alone", body, n)
		}
	}
	f := newFake(t, jsonReply(200, `{"request_id":"r","data":[]}`))
	c := newClient(t, f)
	if page, err := c.List(context.Background(), wrapper.ProviderGoogle, nil); err != nil || len(page.Credentials) != 0 {
		t.Errorf("an empty list: %v, %v", page, err)
	}
}

// TestSelfReferentialSettingsAreRefused (defect 9): a settings map that holds
// itself is refused by validation (a stack overflow is unrecoverable), and so
// is one nested past the bound; nothing is sent.
func TestSelfReferentialSettingsAreRefused(t *testing.T) {
	self := map[string]any{}
	self["self"] = self
	deep := map[string]any{}
	for range 40 {
		deep = map[string]any{"d": deep}
	}
	list := []any{nil}
	list[0] = list
	for name, setting := range map[string]any{"map holding itself": self, "40 levels": deep, "slice holding itself": list} {
		req := wrapper.UpdateRequest{Data: wrapper.ConnectorOverride{ClientID: "id", ClientSecret: wrapper.NewSecret("s3cret-value"),
			Settings: map[string]any{"x": setting}}}
		err := wrapper.CheckUpdate(wrapper.ProviderYahoo, "cred-1", req)
		var verr *wrapper.ValidationError
		if !errors.As(err, &verr) || !verr.Has("credential_data.x") || !strings.Contains(err.Error(), "nests deeper than 32 levels") {
			t.Errorf("%s: err = %v", name, err)
		}
	}
}
