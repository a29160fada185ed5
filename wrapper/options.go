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
	"unicode"
	"unicode/utf8"
)

// Option configures a Client (passed to New) or one call (passed to Create,
// Get, Update, List, All, Pages or Delete). Options are checked before any
// I/O; bad options make New, or the call, fail with every problem listed.
//
// Most options work in both places: WithTimeout, WithRetries,
// WithRetryBackoff, WithMaxRetryAfter, WithMaxResponseBytes, WithHeader,
// WithUserAgent and WithLogger. WithRegion, WithBaseURL and WithHTTPClient
// choose where requests go and apply to a Client only; WithResponseInto
// applies to one call only.
type Option func(*config) error

// config is a client's settings, and each call's copy of them.
type config struct {
	perCall bool // the options are being applied to one call

	// Client only: where requests go.
	region     Region
	baseURL    string
	httpClient *http.Client

	// Client or call.
	uaSuffix string
	timeout  time.Duration
	maxBody  int64
	retry    retryPolicy
	logger   *slog.Logger
	headers  [][2]string // extra headers, canonical key first

	// Call only.
	into *Response
}

// Defaults for the options below.
const (
	DefaultTimeout          = 30 * time.Second
	DefaultMaxResponseBytes = 4 << 20
)

func defaultConfig() config {
	return config{
		region:  RegionUS,
		timeout: DefaultTimeout,
		maxBody: DefaultMaxResponseBytes,
		retry:   defaultRetryPolicy(),
	}
}

// apply runs opts on c and returns every problem they report, joined.
func (c *config) apply(opts []Option) error {
	var errs []error
	for _, opt := range opts {
		if opt == nil {
			continue
		}
		if err := opt(c); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// clientOnly refuses an option that chooses where requests go when it is
// given to one call: a call must not move the API key to another host.
func (c *config) clientOnly(name string) error {
	if c.perCall {
		return fmt.Errorf("nylascreds: %s applies to a client (New), not to one call", name)
	}
	return nil
}

// WithRegion selects the region's API (RegionUS, the default, or RegionEU).
func WithRegion(r Region) Option {
	return func(c *config) error {
		if err := c.clientOnly("WithRegion"); err != nil {
			return err
		}
		if _, err := r.BaseURL(); err != nil {
			return err
		}
		c.region = r
		return nil
	}
}

// WithBaseURL sends requests to a custom base URL instead of a region's, for
// example a fake server in tests or a forward proxy. It must be https, except
// for loopback hosts (localhost, 127.0.0.0/8, ::1), and carry no user info,
// query or fragment. Its host is lower-cased. Plain http requests never go
// through a proxy (HTTP_PROXY), so the API key never crosses a network in
// clear text. It takes precedence over WithRegion.
func WithBaseURL(raw string) Option {
	return func(c *config) error {
		if err := c.clientOnly("WithBaseURL"); err != nil {
			return err
		}
		u, err := checkBaseURL(raw)
		if err != nil {
			return err
		}
		c.baseURL = u
		return nil
	}
}

func checkBaseURL(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("nylascreds: base URL %s: not a URL", quote(raw))
	}
	switch {
	case u.Scheme != "https" && u.Scheme != "http":
		return "", fmt.Errorf("nylascreds: base URL %s: scheme must be https", quote(raw))
	case u.Host == "" || u.Hostname() == "":
		return "", fmt.Errorf("nylascreds: base URL %s: needs a host", quote(raw))
	case u.User != nil:
		return "", errors.New("nylascreds: base URL: must not carry user info (credentials belong in the API key)")
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		return "", fmt.Errorf("nylascreds: base URL %s: must not have a query or fragment", quote(raw))
	case u.Scheme == "http" && !IsLoopbackHost(u.Hostname()):
		return "", fmt.Errorf("nylascreds: base URL %s: plain http is allowed only to loopback hosts (localhost, 127.0.0.1, ::1); use https", quote(raw))
	}
	// Host names are case-insensitive, but net/http's proxy bypass matches
	// "localhost" case-sensitively: lower-case the host once, here.
	u.Host = strings.ToLower(u.Host)
	return strings.TrimSuffix(u.String(), "/"), nil
}

// IsLoopbackHost reports whether host (without port) is localhost or a
// loopback IP address.
func IsLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// WithHTTPClient uses hc for every request, for its transport, proxy or TLS
// settings. The client is copied, never modified; the copy refuses redirects
// so that the API key never reaches another host. When the base URL is plain
// http (loopback only) and hc's transport is an *http.Transport, the copy's
// transport has no proxy; another RoundTripper is trusted to route as it was
// configured.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *config) error {
		if err := c.clientOnly("WithHTTPClient"); err != nil {
			return err
		}
		if hc == nil {
			return errors.New("nylascreds: WithHTTPClient: client is nil")
		}
		c.httpClient = hc
		return nil
	}
}

// WithUserAgent appends suffix (for example "billing-sync/1.4") to the
// User-Agent header, so that requests can be traced to the program.
func WithUserAgent(suffix string) Option {
	return func(c *config) error {
		if problem := headerValueProblem(suffix); problem != "" {
			return fmt.Errorf("nylascreds: WithUserAgent: suffix %s", problem)
		}
		c.uaSuffix = strings.TrimSpace(suffix)
		return nil
	}
}

// reservedHeaders are set by the client itself; WithHeader refuses them.
var reservedHeaders = map[string]string{
	"Authorization":       "the API key is the client's",
	"Proxy-Authorization": "configure the proxy on the http.Client",
	"Host":                "the base URL sets it",
	"Content-Type":        "the request body sets it",
	"Content-Length":      "the request body sets it",
	"Transfer-Encoding":   "the request body sets it",
	"Connection":          "net/http manages connections",
	"User-Agent":          "use WithUserAgent",
	"Accept":              "the API answers JSON",
	"Idempotency-Key":     "net/http would then re-send a create by itself",
	"X-Idempotency-Key":   "net/http would then re-send a create by itself",
}

// WithHeader adds a header to every request of the client (in New) or of
// one call. The headers the client sets itself (Authorization, User-Agent,
// Content-Type, ...) are refused. A header value is not treated as a secret.
func WithHeader(key, value string) Option {
	return func(c *config) error {
		canonical := http.CanonicalHeaderKey(key)
		if !validHeaderName(key) {
			return fmt.Errorf("nylascreds: WithHeader: %s is not a valid header name", quote(key))
		}
		if why, reserved := reservedHeaders[canonical]; reserved {
			return fmt.Errorf("nylascreds: WithHeader: %s is set by the client (%s)", canonical, why)
		}
		if problem := headerValueProblem(value); problem != "" {
			return fmt.Errorf("nylascreds: WithHeader: value of %s %s", canonical, problem)
		}
		c.headers = append(c.headers, [2]string{canonical, value})
		return nil
	}
}

func validHeaderName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		b := name[i]
		if b >= utf8.RuneSelf || b <= ' ' || strings.IndexByte(`"(),/:;<=>?@[\]{}`, b) >= 0 || b == 0x7f {
			return false
		}
	}
	return true
}

// headerValueProblem says why s cannot travel in a header, or "".
func headerValueProblem(s string) string {
	if !utf8.ValidString(s) {
		return "must be valid UTF-8"
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return "must not contain control characters (line breaks, NUL, DEL, ...)"
		}
	}
	return ""
}

// WithTimeout bounds each call, retries and waits included (default 30s). A
// context deadline that comes earlier wins. It must be positive: a call is
// never allowed to hang forever.
func WithTimeout(d time.Duration) Option {
	return func(c *config) error {
		if d <= 0 {
			return fmt.Errorf("nylascreds: WithTimeout: %s is not a positive duration", d)
		}
		c.timeout = d
		return nil
	}
}

// WithMaxResponseBytes caps the size of a response body (default 4 MiB; a
// page of 200 credentials is under 100 KiB). A larger body fails the call
// with an error wrapping ErrResponseTooLarge.
func WithMaxResponseBytes(n int64) Option {
	return func(c *config) error {
		if n <= 0 {
			return fmt.Errorf("nylascreds: WithMaxResponseBytes: %d is not positive", n)
		}
		c.maxBody = n
		return nil
	}
}

// WithRetries sets how many times a failed attempt may be repeated (default
// 2; 0 turns retries off). What is retried is described on Client.
func WithRetries(n int) Option {
	return func(c *config) error {
		if n < 0 {
			return fmt.Errorf("nylascreds: WithRetries: %d is negative", n)
		}
		c.retry.maxRetries = n
		return nil
	}
}

// WithRetryBackoff sets the first backoff (default 500ms) and its ceiling
// (default 8s). Each retry doubles the wait, less up to 25% of jitter.
func WithRetryBackoff(initial, maxBackoff time.Duration) Option {
	return func(c *config) error {
		if initial <= 0 || maxBackoff < initial {
			return fmt.Errorf("nylascreds: WithRetryBackoff: need 0 < initial (%s) <= max (%s)", initial, maxBackoff)
		}
		c.retry.initialBackoff, c.retry.maxBackoff = initial, maxBackoff
		return nil
	}
}

// WithMaxRetryAfter sets the longest Retry-After the client will wait for
// before repeating an attempt (default 30s). When the server asks for longer,
// the call returns the *APIError at once, with its RetryAfter set.
func WithMaxRetryAfter(d time.Duration) Option {
	return func(c *config) error {
		if d < 0 {
			return fmt.Errorf("nylascreds: WithMaxRetryAfter: %s is negative", d)
		}
		c.retry.maxRetryAfter = d
		return nil
	}
}

// WithLogger logs one record per HTTP attempt: method, path, status, request
// id, attempt number and duration (Debug for success, Warn for failures).
// Nothing secret is ever logged.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error {
		c.logger = l
		return nil
	}
}

// WithResponseInto makes one call fill in *dst with what its last HTTP
// response said: status, request id, headers, the attempts made, and (for
// Update) what the flow check found. It is filled whenever a response
// arrived, successful or not, and left untouched otherwise. Per call only.
func WithResponseInto(dst *Response) Option {
	return func(c *config) error {
		switch {
		case !c.perCall:
			return errors.New("nylascreds: WithResponseInto applies to one call, not to a client (New)")
		case dst == nil:
			return errors.New("nylascreds: WithResponseInto: destination is nil")
		}
		c.into = dst
		return nil
	}
}
