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

// Option configures a Client. Options are checked once, in New; a bad option
// makes New fail with every problem listed.
type Option func(*config) error

type config struct {
	region     Region
	baseURL    string
	httpClient *http.Client
	uaSuffix   string
	timeout    time.Duration
	maxBody    int64
	retry      retryPolicy
	logger     *slog.Logger
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

// WithRegion selects the region's API (RegionUS, the default, or RegionEU).
func WithRegion(r Region) Option {
	return func(c *config) error {
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
// query or fragment. It takes precedence over WithRegion.
func WithBaseURL(raw string) Option {
	return func(c *config) error {
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
		return "", fmt.Errorf("nylascreds: base URL: %w", err)
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
// so that the API key never reaches another host.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *config) error {
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
		if strings.ContainsAny(suffix, "\r\n") {
			return errors.New("nylascreds: WithUserAgent: suffix must be one line")
		}
		c.uaSuffix = strings.TrimSpace(suffix)
		return nil
	}
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
