package wrapper

import (
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Client calls the Connector Credentials API. It is safe for concurrent use;
// share one, so that connections are reused. Calls are bounded by WithTimeout
// and their context. Failed attempts are retried (WithRetries): GET, PATCH and
// DELETE on 429, 502, 503, 504 and transient connection errors; POST only on
// 429 or a connection never made, never after the server may have acted.
//
// Secrets in server text. Server text in errors, Responses and log fields is
// bounded and scrubbed of a call's secrets (the API key, the Secrets it sends;
// 4 bytes or more); returned data (credentials, connector, grants), of the API
// key. Ignoring ASCII case, each becomes [REDACTED] as is, JSON-escaped (Go's
// with or without HTML escaping, Python's \uXXXX for non-ASCII, "/" as "\/"),
// URL-escaped (Go's query or path form, or all but RFC 3986 unreserved, "/"
// kept or not) or HTML-escaped (as Go or Python do); so does each line of 12
// bytes or more of a multi-line secret (a PEM key). JSON is decoded first:
// strings are matched as decoded, numbers as written, and the whole again.
// Pieces shorter than a line, and a secret re-encoded whole, are not covered.
type Client struct {
	baseURL string
	hc      *http.Client
	apiKey  Secret
	// keyScrub returns the scrubber of the API key's forms, made once in New:
	// fmt prints a func as an address, never the forms.
	keyScrub func() scrubber
	cfg      config
}

// New returns a Client that authenticates with apiKey: by default the US
// region, a 30-second timeout, 2 retries. It reports every problem at once,
// and never quotes apiKey back, wherever it was passed by mistake.
func New(apiKey string, opts ...Option) (*Client, error) {
	cfg := defaultConfig()
	var errs []error
	switch {
	case strings.TrimSpace(apiKey) == "":
		errs = append(errs, errors.New("nylascreds: API key is required"))
	case strings.ContainsAny(apiKey, "\r\n"):
		errs = append(errs, errors.New("nylascreds: API key must be one line"))
	case headerValueProblem(apiKey) != "":
		errs = append(errs, errors.New("nylascreds: API key "+headerValueProblem(apiKey)))
	}
	if err := cfg.apply(opts); err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		// An option may have been handed the key (arguments swapped, say).
		msg := newScrubber(NewSecret(apiKey)).text(errors.Join(errs...).Error(), 1<<16)
		return nil, errors.New(msg)
	}
	baseURL := cfg.baseURL
	if baseURL == "" {
		baseURL, _ = cfg.region.BaseURL()
	}
	hc := newHTTPClient(cfg.httpClient, strings.HasPrefix(baseURL, "http:"))
	key := NewSecret(apiKey)
	keyScrub := newScrubber(key)
	keyScrub.ready()
	if keyScrub.replace(baseURL) != baseURL {
		return nil, errors.New("nylascreds: base URL must not contain the API key")
	}
	return &Client{baseURL: baseURL, hc: hc, apiKey: key, keyScrub: func() scrubber { return keyScrub }, cfg: cfg}, nil
}

// newHTTPClient returns a copy of base, or a client of our own, that refuses
// redirects (see WithHTTPClient): the API key never crosses a network in
// clear text, nor reaches another host.
func newHTTPClient(base *http.Client, plainHTTP bool) *http.Client {
	c := http.Client{Transport: newTransport()}
	if base != nil {
		c = *base
		switch t := c.Transport.(type) {
		case nil:
			c.Transport = newTransport()
		case *http.Transport:
			if plainHTTP && t.Proxy != nil {
				t = t.Clone()
				t.Proxy = nil
				c.Transport = t
			}
		}
	}
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return errRedirectRefused }
	return &c
}

// newTransport is net/http's default transport with a pool sized for many
// goroutines (the default keeps 2 idle connections per host), response
// headers capped, and no proxy for plain http.
func newTransport() *http.Transport {
	return &http.Transport{
		Proxy: func(r *http.Request) (*url.URL, error) {
			if r.URL.Scheme == "http" {
				return nil, nil
			}
			return http.ProxyFromEnvironment(r)
		},
		DialContext:            (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		ForceAttemptHTTP2:      true,
		MaxIdleConns:           100,
		MaxIdleConnsPerHost:    100,
		IdleConnTimeout:        90 * time.Second,
		TLSHandshakeTimeout:    10 * time.Second,
		ExpectContinueTimeout:  time.Second,
		MaxResponseHeaderBytes: 1 << 20,
	}
}

// BaseURL returns the API base URL the client sends to.
func (c *Client) BaseURL() string { return c.baseURL }

// String describes the client without its API key. The key is behind a
// pointer to an unexported string type, so no fmt verb or slog handler
// reaches it (see Secret).
func (c *Client) String() string {
	return "nylascreds.Client{base_url: " + c.baseURL + ", api_key: " + redacted + "}"
}

// LogValue logs the client as String describes it.
func (c *Client) LogValue() slog.Value { return slog.StringValue(c.String()) }
