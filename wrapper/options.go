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

// Option configures a Client (passed to New) or one call. Options are
// checked before any I/O, and every problem is reported at once.
// WithRegion, WithBaseURL and WithHTTPClient choose where requests go and
// apply to a Client only; WithResponseInto applies to one call only; the
// others work in both places.
type Option func(*config) error

// config is a client's settings, and each call's copy of them.
type config struct {
	perCall    bool
	region     Region
	baseURL    string
	httpClient *http.Client
	uaSuffix   string
	timeout    time.Duration
	maxBody    int64
	retry      retryPolicy
	logger     *slog.Logger
	headers    http.Header
	into       *Response
}

// Defaults for the options below.
const (
	DefaultTimeout          = 30 * time.Second
	DefaultMaxResponseBytes = 4 << 20
)

func defaultConfig() config {
	return config{region: RegionUS, timeout: DefaultTimeout, maxBody: DefaultMaxResponseBytes, retry: defaultRetryPolicy()}
}

// apply runs opts on c and returns every problem they report, joined.
func (c *config) apply(opts []Option) error {
	var errs []error
	for _, opt := range opts {
		if opt != nil {
			errs = append(errs, opt(c))
		}
	}
	return errors.Join(errs...)
}

// clientOnly wraps an option that chooses where requests go: a call must
// not move the API key to another host.
func clientOnly(name string, set func(*config) error) Option {
	return func(c *config) error {
		if c.perCall {
			return fmt.Errorf("nylascreds: %s applies to a client (New), not to one call", name)
		}
		return set(c)
	}
}

// WithRegion selects the region's API (RegionUS, the default, or RegionEU).
func WithRegion(r Region) Option {
	return clientOnly("WithRegion", func(c *config) error {
		_, err := r.BaseURL()
		c.region = r
		return err
	})
}

// WithBaseURL sends requests to a custom base URL instead of a region's, for
// example a fake server in tests. It must be https, except for loopback hosts
// (localhost, 127.0.0.0/8, ::1), and carry no user info, query or fragment;
// its host is lower-cased. It takes precedence over WithRegion. Its errors
// never quote the value, which may hold a key pasted in the wrong place.
func WithBaseURL(raw string) Option {
	return clientOnly("WithBaseURL", func(c *config) error {
		u, err := url.Parse(raw)
		problem := ""
		switch {
		case err != nil:
			problem = "is not a URL"
		case u.Scheme != "https" && u.Scheme != "http":
			problem = "must start with https://"
		case u.Hostname() == "":
			problem = "needs a host"
		case u.User != nil:
			problem = "must not carry user info (credentials belong in the API key)"
		case u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
			problem = "must not have a query or fragment"
		case u.Scheme == "http" && !IsLoopbackHost(u.Hostname()):
			problem = "may be plain http only for loopback hosts (localhost, 127.0.0.1, ::1); use https"
		default:
			u.Host = strings.ToLower(u.Host) // net/http's proxy bypass matches "localhost" exactly
			c.baseURL = strings.TrimSuffix(u.String(), "/")
			return nil
		}
		return errors.New("nylascreds: base URL " + problem)
	})
}

// IsLoopbackHost reports whether host (without port) is localhost or a
// loopback IP address.
func IsLoopbackHost(host string) bool {
	ip := net.ParseIP(host)
	return strings.EqualFold(host, "localhost") || ip != nil && ip.IsLoopback()
}

// WithHTTPClient uses hc for every request, for its transport, proxy or TLS
// settings. hc is copied, never modified; the copy refuses redirects, so the
// API key never reaches another host. A nil hc.Transport means the client's
// own transport (not http.DefaultTransport). With a plain-http (loopback)
// base URL an *http.Transport is used without its proxy.
func WithHTTPClient(hc *http.Client) Option {
	return clientOnly("WithHTTPClient", func(c *config) error {
		if hc == nil {
			return errors.New("nylascreds: WithHTTPClient: client is nil")
		}
		c.httpClient = hc
		return nil
	})
}

// WithUserAgent appends suffix (for example "billing-sync/1.4") to the
// User-Agent header, so that requests can be traced to the program.
func WithUserAgent(suffix string) Option {
	return func(c *config) error {
		c.uaSuffix = strings.TrimSpace(suffix)
		if problem := headerValueProblem(suffix); problem != "" {
			return errors.New("nylascreds: WithUserAgent: suffix " + problem)
		}
		return nil
	}
}

// WithHeader adds a header to every request of the client (in New) or of one
// call. The headers the client sets itself (Authorization, Content-Type,
// User-Agent, ...) are refused. A header value is not treated as a secret.
func WithHeader(key, value string) Option {
	return func(c *config) error {
		name := http.CanonicalHeaderKey(key)
		switch {
		case key == "" || strings.IndexFunc(key, func(r rune) bool {
			return r >= utf8.RuneSelf || r <= ' ' || r == 0x7f || strings.ContainsRune(`"(),/:;<=>?@[\]{}`, r)
		}) >= 0:
			return fmt.Errorf("nylascreds: WithHeader: %s is not a valid header name", quote(key))
		case reservedHeader(name) != "":
			return fmt.Errorf("nylascreds: WithHeader: %s is set by the client (%s)", name, reservedHeader(name))
		case headerValueProblem(value) != "":
			return fmt.Errorf("nylascreds: WithHeader: value of %s %s", name, headerValueProblem(value))
		}
		c.headers = c.headers.Clone() // never write into the client's headers
		if c.headers == nil {
			c.headers = http.Header{}
		}
		c.headers.Add(name, value)
		return nil
	}
}

// reservedHeader says why the client sets a header itself, or "".
func reservedHeader(name string) string {
	switch name {
	case "Authorization":
		return "the API key is the client's"
	case "Proxy-Authorization":
		return "configure the proxy on the http.Client"
	case "Host":
		return "the base URL sets it"
	case "Content-Type", "Content-Length", "Transfer-Encoding":
		return "the request body sets it"
	case "Connection":
		return "net/http manages connections"
	case "User-Agent":
		return "use WithUserAgent"
	case "Accept":
		return "the API answers JSON"
	case "Idempotency-Key", "X-Idempotency-Key":
		return "net/http would then re-send a create by itself"
	}
	return ""
}

// headerValueProblem says why s cannot travel in a header, or "".
func headerValueProblem(s string) string {
	switch {
	case !utf8.ValidString(s):
		return "must be valid UTF-8"
	case strings.IndexFunc(s, unicode.IsControl) >= 0:
		return "must not contain control characters (line breaks, NUL, DEL, ...)"
	}
	return ""
}

// WithTimeout bounds each call, retries and waits included (default 30s). A
// context deadline that comes earlier wins. It must be positive.
func WithTimeout(d time.Duration) Option {
	return func(c *config) error {
		c.timeout = d
		return refuse(d <= 0, "WithTimeout: %s is not a positive duration", d)
	}
}

// WithMaxResponseBytes caps the size of a response body (default 4 MiB). A
// larger body fails the call with a *ResponseError wrapping
// ErrResponseTooLarge.
func WithMaxResponseBytes(n int64) Option {
	return func(c *config) error {
		c.maxBody = n
		return refuse(n <= 0, "WithMaxResponseBytes: %d is not positive", n)
	}
}

// WithRetries sets how many times a failed attempt may be repeated (default
// 2; 0 turns retries off). What is retried is described on Client.
func WithRetries(n int) Option {
	return func(c *config) error {
		c.retry.maxRetries = n
		return refuse(n < 0, "WithRetries: %d is negative", n)
	}
}

// WithRetryBackoff sets the first backoff (default 500ms) and its ceiling
// (default 8s). Each retry doubles the wait, less up to 25% of jitter.
func WithRetryBackoff(initial, maxBackoff time.Duration) Option {
	return func(c *config) error {
		c.retry.initialBackoff, c.retry.maxBackoff = initial, maxBackoff
		return refuse(initial <= 0 || maxBackoff < initial, "WithRetryBackoff: need 0 < initial (%s) <= max (%s)", initial, maxBackoff)
	}
}

// WithMaxRetryAfter sets the longest Retry-After the client waits for before
// repeating an attempt (default 30s). When the server asks for longer, the
// call returns the *APIError at once, with its RetryAfter set.
func WithMaxRetryAfter(d time.Duration) Option {
	return func(c *config) error {
		c.retry.maxRetryAfter = d
		return refuse(d < 0, "WithMaxRetryAfter: %s is negative", d)
	}
}

// refuse returns the error of an option whose value is bad; a refused option
// fails New or the call, so what it stored is never used.
func refuse(bad bool, format string, args ...any) error {
	if !bad {
		return nil
	}
	return fmt.Errorf("nylascreds: "+format, args...)
}

// WithLogger logs one record per HTTP attempt: method, path, query, status,
// request id, attempt number and duration (Debug for success, Warn for
// failures). Never a header or a body.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error {
		c.logger = l
		return nil
	}
}

// WithResponseInto makes one call fill in *dst with what its last HTTP
// response said. It is written once, when the call ends, if a response
// arrived (successful or not), and left untouched otherwise. Per call only.
func WithResponseInto(dst *Response) Option {
	return func(c *config) error {
		c.into = dst
		switch {
		case !c.perCall:
			return errors.New("nylascreds: WithResponseInto applies to one call, not to a client (New)")
		case dst == nil:
			return errors.New("nylascreds: WithResponseInto: destination is nil")
		}
		return nil
	}
}

// Response is what a call's last HTTP response said, for support tickets,
// audit logs and rate-limit bookkeeping. Ask for it with WithResponseInto.
type Response struct {
	// StatusCode is the HTTP status of the last response.
	StatusCode int
	// RequestID is the request_id of the response's JSON body, else its
	// X-Request-Id header: quote it to Nylas support.
	RequestID string
	// Header holds up to 100 of the last response's header values (names in
	// sorted order), each cut to 1 KiB and scrubbed of the call's secrets.
	Header http.Header
	// Attempts is how many HTTP requests the call put on the wire, retries
	// and net/http's own re-sends included.
	Attempts int
	// Retried says, for each attempt that was repeated, why: "429", "503",
	// "connection reset", ...
	Retried []string
	// FlowCheck says what Update found out about the credential's stored
	// flow before it sent credential_data (FlowNotChecked for other calls).
	FlowCheck FlowCheck
}
