package wrapper

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Client calls the Connector Credentials API. It is safe for concurrent use;
// make one and share it, so that connections are reused.
//
// Every call is bounded by the client's timeout (WithTimeout) and by its
// context. Failed attempts are retried as follows (WithRetries to change):
// GET, PATCH and DELETE on 429, 502, 503, 504 and transient connection
// errors; POST only on 429 and on connections that were never established,
// so that a create is never sent twice after the server may have acted on
// it. Permanent failures (an untrusted or mismatched TLS certificate, a
// refused redirect, a host that does not resolve) are never retried.
// Retry-After is honoured, in seconds or as an HTTP-date, up to
// WithMaxRetryAfter.
type Client struct {
	baseURL string
	hc      *http.Client
	apiKey  Secret
	cfg     config
}

// New returns a Client that authenticates with apiKey. With no options it
// talks to the US region with a 30-second timeout and 2 retries. It never
// panics, and reports every problem with apiKey and opts at once.
func New(apiKey string, opts ...Option) (*Client, error) {
	cfg := defaultConfig()
	var errs []error
	if problem := apiKeyProblem(apiKey); problem != "" {
		errs = append(errs, errors.New("nylascreds: API key "+problem))
	}
	if err := cfg.apply(opts); err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	baseURL := cfg.baseURL
	if baseURL == "" {
		baseURL, _ = cfg.region.BaseURL()
	}
	cfg.headers = slices.Clip(cfg.headers) // a call's appends never write into the client's slice
	return &Client{
		baseURL: baseURL,
		hc:      newHTTPClient(cfg.httpClient, strings.HasPrefix(baseURL, "http:")),
		apiKey:  NewSecret(apiKey),
		cfg:     cfg,
	}, nil
}

func apiKeyProblem(key string) string {
	switch {
	case strings.TrimSpace(key) == "":
		return "is required"
	case strings.ContainsAny(key, "\r\n"):
		return "must be one line"
	}
	if p := headerValueProblem(key); p != "" {
		return p
	}
	return ""
}

// Default transport settings. The pool keeps up to defaultIdlePerHost idle
// connections to the API: net/http's default of 2 makes a client shared by
// many goroutines open (and TLS-handshake) a new connection for most calls.
const (
	defaultIdlePerHost = 100
	defaultIdleTimeout = 90 * time.Second
)

// newHTTPClient returns the client every request goes through: a copy of
// base (never modified) or one built here, that refuses redirects. With a
// plain-http (loopback) base URL its transport uses no proxy.
func newHTTPClient(base *http.Client, plainHTTP bool) *http.Client {
	var c http.Client
	if base != nil {
		c = *base
		if t, ok := c.Transport.(*http.Transport); ok && plainHTTP && t.Proxy != nil {
			t = t.Clone()
			t.Proxy = nil
			c.Transport = t
		}
	} else {
		c.Transport = newTransport()
	}
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return errRedirectRefused }
	return &c
}

// newTransport is net/http's default transport, built rather than cloned
// (http.DefaultTransport may have been replaced by a test library), with a
// pool sized for concurrent use and no proxy for plain http.
func newTransport() *http.Transport {
	return &http.Transport{
		Proxy: func(r *http.Request) (*url.URL, error) {
			if r.URL.Scheme == "http" {
				return nil, nil // loopback only: the key never crosses a network in clear text
			}
			return http.ProxyFromEnvironment(r)
		},
		DialContext:           (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          defaultIdlePerHost,
		MaxIdleConnsPerHost:   defaultIdlePerHost,
		IdleConnTimeout:       defaultIdleTimeout,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
}

// BaseURL returns the API base URL the client sends to.
func (c *Client) BaseURL() string { return c.baseURL }

// String describes the client without its API key.
func (c *Client) String() string {
	return "nylascreds.Client{base_url: " + c.baseURL + ", api_key: " + redacted + "}"
}

// GoString is the %#v form; it redacts like String.
func (c *Client) GoString() string { return "&wrapper." + c.String() }

// Format keeps every fmt verb away from the API key.
func (c *Client) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		_, _ = f.Write([]byte(c.GoString()))
		return
	}
	_, _ = f.Write([]byte(c.String()))
}

// LogValue implements slog.LogValuer.
func (c *Client) LogValue() slog.Value {
	return slog.GroupValue(slog.String("base_url", c.baseURL), slog.String("api_key", redacted))
}
