package wrapper

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestWithBaseURL(t *testing.T) {
	cases := []struct {
		in, want, err string
	}{
		{"https://api.us.nylas.com", "https://api.us.nylas.com", ""},
		{"https://proxy.example.com/nylas/", "https://proxy.example.com/nylas", ""},
		{"http://127.0.0.1:4010", "http://127.0.0.1:4010", ""},
		{"http://127.8.9.10", "http://127.8.9.10", ""},
		{"http://LOCALHOST:8080", "http://localhost:8080", ""},
		{"http://[::1]:9000", "http://[::1]:9000", ""},
		{"http://api.us.nylas.com", "", "plain http only for loopback"},
		{"http://10.0.0.1", "", "plain http only for loopback"},
		{"http://localhost.evil.com", "", "plain http only for loopback"},
		{"ftp://x", "", "must start with https://"},
		{"api.us.nylas.com", "", "must start with https://"},
		{"https://", "", "needs a host"},
		{"https://user:pw@api.us.nylas.com", "", "must not carry user info"},
		{"https://api.us.nylas.com/?x=1", "", "must not have a query"},
		{"https://api.us.nylas.com/#f", "", "must not have a query or fragment"},
		{"https://api.us.nylas.com/v3/", "", "must not end in /v3, which every request path adds: use the API's root, such as https://api.us.nylas.com"},
		{"https://proxy.example.com/nylas/v3", "", "must not end in /v3"},
		{"https://proxy.example.com/v3x", "https://proxy.example.com/v3x", ""},
	}
	for _, tc := range cases {
		c, err := New("key", WithBaseURL(tc.in))
		switch {
		case tc.err == "" && (err != nil || c.BaseURL() != tc.want):
			t.Errorf("WithBaseURL(%q): %v, %v; want %q", tc.in, c, err, tc.want)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("WithBaseURL(%q) error = %v, want …%s…", tc.in, err, tc.err)
		}
		if err != nil && strings.Contains(err.Error(), "pw") {
			t.Errorf("error quotes user info: %v", err)
		}
	}
}

// TestNewNeverQuotesTheKey (defect 10): the key and the base URL swapped, or
// the key in the base URL's query, must not come back in New's error.
func TestNewNeverQuotesTheKey(t *testing.T) {
	const key = "nyk_v0_SwappedKey0123456789"
	for _, tc := range []struct {
		key  string
		opts []Option
	}{
		{"https://api.us.nylas.com", []Option{WithBaseURL(key)}},
		{key, []Option{WithBaseURL("https://api.us.nylas.com/?api_key=" + key)}},
		{key, []Option{WithBaseURL("http://example.com/" + key)}},
		{key, []Option{WithBaseURL("http://127.0.0.1:1/" + key)}},
		{key, []Option{WithRegion(Region(key)), WithUserAgent(key + "\n")}},
	} {
		_, err := New(tc.key, tc.opts...)
		if err == nil || strings.Contains(err.Error(), "SwappedKey0123456789") {
			t.Errorf("New error = %v", err)
		}
	}
}

func TestNewChecksEveryOption(t *testing.T) {
	_, err := New("", WithTimeout(0), WithRetries(-1), WithRegion("mars"), WithHTTPClient(nil), WithMaxResponseBytes(0), WithRetryBackoff(time.Second, time.Millisecond))
	if err == nil {
		t.Fatal("New accepted bad options")
	}
	for _, want := range []string{"API key is required", "WithTimeout", "WithRetries", `unknown region "mars"`, "client is nil", "WithMaxResponseBytes", "WithRetryBackoff"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %s", err, want)
		}
	}
}

func TestNewRegionsAndBaseURL(t *testing.T) {
	for _, tc := range []struct {
		opts []Option
		want string
	}{
		{nil, "https://api.us.nylas.com"},
		{[]Option{WithRegion(RegionEU)}, "https://api.eu.nylas.com"},
		{[]Option{WithRegion(RegionEU), WithBaseURL("http://127.0.0.1:1")}, "http://127.0.0.1:1"},
	} {
		c, err := New("key", tc.opts...)
		if err != nil || c.BaseURL() != tc.want {
			t.Errorf("BaseURL = %v, %v; want %s", c, err, tc.want)
		}
	}
}

func TestClientNeverPrintsKey(t *testing.T) {
	c, err := New(canary)
	if err != nil {
		t.Fatal(err)
	}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		if out := fmt.Sprintf(verb, c); strings.Contains(out, canary) {
			t.Errorf("%s leaked the key: %s", verb, out)
		}
	}
}

func TestWithHTTPClientIsNotMutated(t *testing.T) {
	hc := &http.Client{}
	if _, err := New("key", WithHTTPClient(hc)); err != nil {
		t.Fatal(err)
	}
	if hc.CheckRedirect != nil {
		t.Error("the caller's http.Client was modified")
	}
}

func TestRegionParse(t *testing.T) {
	if r, err := ParseRegion("eu"); err != nil || r != RegionEU {
		t.Errorf("ParseRegion(eu) = %v, %v", r, err)
	}
	if r, err := ParseRegion("EU"); err != nil || r != RegionEU {
		t.Errorf("ParseRegion(EU) = %v, %v", r, err)
	}
	if _, err := ParseRegion("EU "); err == nil {
		t.Error("ParseRegion accepted a malformed region")
	}
	if _, err := Region("mars").BaseURL(); err == nil || !strings.Contains(err.Error(), "known regions: us, eu") {
		t.Errorf("unknown region error = %v", err)
	}
}

func TestNewRefusesMultiLineValues(t *testing.T) {
	_, err := New("key\r\nX-Evil: 1", WithUserAgent("a\nb"), WithMaxRetryAfter(-time.Second), nil)
	if err == nil {
		t.Fatal("New accepted header injection")
	}
	for _, want := range []string{"API key must be one line", "WithUserAgent: suffix must not contain control characters", "WithMaxRetryAfter"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if strings.Contains(err.Error(), "X-Evil") {
		t.Error("the error quotes the key")
	}
	if _, err := New("key", nil); err != nil {
		t.Errorf("a nil option is skipped, got %v", err)
	}
}
