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

// Option configures a Client (in New) or one call. Options are checked before
// any I/O, every problem reported at once. WithRegion, WithBaseURL and
// WithHTTPClient choose where requests go, so they apply to a Client only;
// WithResponseInto applies to one call only.
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

func (c *config) apply(opts []Option) error {
	var errs []error
	for _, opt := range opts {
		if opt != nil {
			errs = append(errs, opt(c))
		}
	}
	return errors.Join(errs...)
}

// clientOnly wraps an option that chooses where requests go: one call must
// not move the API key to another host.
func clientOnly(name string, set func(*config) error) Option {
	return func(c *config) error {
		if c.perCall {
			return fmt.Errorf("nylascreds: %s applies to a client (New), not to one call", name)
		}
		return set(c)
	}
}

// WithRegion selects the region's API: RegionUS (the default) or RegionEU.
func WithRegion(r Region) Option {
	return clientOnly("WithRegion", func(c *config) error {
		_, err := r.BaseURL()
		c.region = r
		return err
	})
}

// WithBaseURL sends requests to a custom base URL (a proxy, a fake server)
// and wins over WithRegion. It must be https, or http to a loopback host, with
// no user info, query or fragment, and be the API's root: not ending in /v3,
// which every request path adds. Its errors never quote the value, which may
// hold a key pasted in the wrong place.
func WithBaseURL(raw string) Option {
	return clientOnly("WithBaseURL", func(c *config) error {
		u, err := url.Parse(raw)
		problem := ""
		switch {
		case err != nil:
			problem = "is not a URL"
		case u.Scheme != "https" && u.Scheme != "http":
			problem = "must start with https:// (http:// only for loopback hosts: localhost, 127.0.0.1, ::1)"
		case u.Hostname() == "":
			problem = "needs a host"
		case u.User != nil:
			problem = "must not carry user info (credentials belong in the API key)"
		case u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
			problem = "must not have a query or fragment"
		case u.Scheme == "http" && !isLoopback(u.Hostname()):
			problem = "may be plain http only for loopback hosts (localhost, 127.0.0.1, ::1); use https"
		case strings.HasSuffix(strings.TrimSuffix(u.Path, "/"), "/v3"):
			problem = "must not end in /v3, which every request path adds: use the API's root, such as " + BaseURLUS
		default:
			u.Host = strings.ToLower(u.Host) // net/http's proxy bypass matches "localhost" exactly
			c.baseURL = strings.TrimSuffix(u.String(), "/")
			return nil
		}
		return errors.New("nylascreds: base URL " + problem)
	})
}

func isLoopback(host string) bool {
	ip := net.ParseIP(host)
	return strings.EqualFold(host, "localhost") || ip != nil && ip.IsLoopback()
}

// WithHTTPClient sends every request with a copy of hc (never modified) that
// refuses redirects. Its Transport carries proxy, TLS and any header of your
// own; a nil Transport means the client's own. For a plain-http (loopback)
// base URL an *http.Transport loses its proxy; another RoundTripper routes as
// it was configured.
func WithHTTPClient(hc *http.Client) Option {
	return clientOnly("WithHTTPClient", func(c *config) error {
		c.httpClient = hc
		return refuse(hc == nil, "WithHTTPClient: client is nil")
	})
}

// WithUserAgent appends suffix ("billing-sync/1.4") to the User-Agent header,
// so that requests can be traced to the program.
func WithUserAgent(suffix string) Option {
	return func(c *config) error {
		c.uaSuffix = strings.TrimSpace(suffix)
		if problem := headerValueProblem(suffix); problem != "" {
			return errors.New("nylascreds: WithUserAgent: suffix " + problem)
		}
		return nil
	}
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

// WithTimeout bounds each call, retries and waits included (default 30s); an
// earlier context deadline wins.
func WithTimeout(d time.Duration) Option {
	return func(c *config) error {
		c.timeout = d
		return refuse(d <= 0, "WithTimeout: %s is not a positive duration", d)
	}
}

// WithMaxResponseBytes caps a response body (default 4 MiB); a larger one
// fails the call with a *ResponseError wrapping ErrResponseTooLarge.
func WithMaxResponseBytes(n int64) Option {
	return func(c *config) error {
		c.maxBody = n
		return refuse(n <= 0, "WithMaxResponseBytes: %d is not positive", n)
	}
}

// WithRetries sets how many times a failed attempt may be repeated (default
// 2; 0 turns retries off). What is retried is said on Client.
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

// WithMaxRetryAfter sets the longest Retry-After the client waits for
// (default 30s); a longer one returns the *APIError at once, RetryAfter set.
func WithMaxRetryAfter(d time.Duration) Option {
	return func(c *config) error {
		c.retry.maxRetryAfter = d
		return refuse(d < 0, "WithMaxRetryAfter: %s is negative", d)
	}
}

// refuse is an option's error when its value is bad; the option then fails
// New or the call, so the value it stored is never used.
func refuse(bad bool, format string, args ...any) error {
	if !bad {
		return nil
	}
	return fmt.Errorf("nylascreds: "+format, args...)
}

// WithLogger logs one record per HTTP attempt: method, path, query, status,
// request id, attempt and duration (Debug on success, Warn on failure); never
// a header or a body.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error {
		c.logger = l
		return nil
	}
}

// WithResponseInto makes one call write what its last HTTP response said into
// *dst, once, when the call ends; dst is untouched when no response arrived.
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
// audit logs and rate-limit bookkeeping (see WithResponseInto).
type Response struct {
	StatusCode int
	// RequestID is the body's request_id, else the X-Request-Id header:
	// quote it to Nylas support.
	RequestID string
	// Header holds up to 100 header values (names sorted), each cut to 1 KiB
	// and scrubbed of the call's secrets.
	Header http.Header
	// Attempts counts the requests put on the wire, net/http's own re-sends
	// included; Retried says why each repeated attempt was repeated ("429",
	// "connection reset", ...).
	Attempts int
	Retried  []string
	// FlowCheck is what Update found out about the stored flow before it
	// sent credential_data (FlowNotChecked for other calls).
	FlowCheck FlowCheck
}
