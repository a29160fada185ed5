package wrapper

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Client calls the Connector Credentials API. It is safe for concurrent use;
// make one and share it, so that connections are reused.
//
// Every call is bounded by the client's timeout (WithTimeout) and by its
// context. Failed attempts are retried (WithRetries to change): GET, PATCH
// and DELETE on 429, 502, 503, 504 and transient connection errors; POST only
// on 429 and on connections that were never established, so that a create is
// never sent twice after the server may have acted on it. Permanent failures
// (an untrusted certificate, a refused redirect, a host that does not
// resolve) are never retried. Retry-After is honoured up to WithMaxRetryAfter.
//
// Secrets in server text. Text from the server is kept only in bounded
// pieces (an error's request id, type, message, provider error and body
// snippet; a Response's headers; a log record's fields), and each piece is
// scrubbed before it is kept: every occurrence of a call's secret (the API key
// and the Secret values it sends, if 4 bytes or longer) is replaced by
// [REDACTED], ignoring ASCII case, as is, JSON-escaped (Go with and without
// HTML escaping, every non-ASCII rune as \uXXXX, "/" as "\/"), URL-escaped
// (Go's query and path escaping; every byte but RFC 3986's unreserved ones,
// "/" kept or not), or HTML-escaped; so is each line of 12 bytes or more of a
// multi-line secret (a PEM key), in the same forms. JSON text is decoded first
// and its strings and numbers matched as decoded. Shorter pieces of a secret,
// and a secret re-encoded whole (base64, hex), are not covered.
type Client struct {
	baseURL string
	hc      *http.Client
	apiKey  Secret
	cfg     config
}

// New returns a Client that authenticates with apiKey. With no options it
// talks to the US region with a 30-second timeout and 2 retries. It reports
// every problem with apiKey and opts at once, and never quotes apiKey back,
// wherever it was passed by mistake.
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
		// An option may have been handed the key (say, arguments swapped):
		// its message is scrubbed of it like any server text.
		msg := newScrubber(apiKey).text(errors.Join(errs...).Error(), 1<<16)
		return nil, errors.New(msg)
	}
	baseURL := cfg.baseURL
	if baseURL == "" {
		baseURL, _ = cfg.region.BaseURL()
	}
	return &Client{
		baseURL: baseURL,
		hc:      newHTTPClient(cfg.httpClient, strings.HasPrefix(baseURL, "http:")),
		apiKey:  NewSecret(apiKey),
		cfg:     cfg,
	}, nil
}

// newHTTPClient returns the client every request goes through: a copy of
// base (never modified), or one of our own, that refuses redirects. A nil
// Transport means our own transport, not http.DefaultTransport. With a
// plain-http (loopback) base URL an *http.Transport is cloned without its
// proxy, so the API key never crosses a network in clear text; another
// RoundTripper is trusted to route as it was configured.
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

// newTransport is net/http's default transport with a pool sized for a
// client shared by many goroutines (net/http keeps only 2 idle connections
// per host), response headers capped, and no proxy for plain http.
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

// String describes the client without its API key.
func (c *Client) String() string {
	return "nylascreds.Client{base_url: " + c.baseURL + ", api_key: " + redacted + "}"
}

// GoString is the %#v form; it redacts like String.
func (c *Client) GoString() string { return "&wrapper." + c.String() }

// Format keeps every fmt verb away from the API key.
func (c *Client) Format(f fmt.State, verb rune) { formatRedacted(f, verb, c) }

// LogValue implements slog.LogValuer.
func (c *Client) LogValue() slog.Value {
	return slog.GroupValue(slog.String("base_url", c.baseURL), slog.String("api_key", redacted))
}

// formatRedacted writes v's GoString for %#v and its String for every other
// verb, bad ones included, so that no verb reaches a secret field.
func formatRedacted(f fmt.State, verb rune, v interface {
	fmt.Stringer
	fmt.GoStringer
}) {
	if verb == 'v' && f.Flag('#') {
		_, _ = f.Write([]byte(v.GoString()))
		return
	}
	_, _ = f.Write([]byte(v.String()))
}
