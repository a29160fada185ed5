package wrapper

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/nylascreds/nylascreds/gen"
)

// Version is this library's version, sent in the User-Agent header.
const Version = "0.1.0"

// Client calls the Connector Credentials API. It is safe for concurrent use;
// make one and share it, so that connections are reused.
//
// Every call is bounded by the client's timeout (WithTimeout) and by its
// context. Failed attempts are retried as follows (WithRetries to change):
// GET, PATCH and DELETE on 429, 502, 503, 504 and connection errors; POST only
// on 429 and on connections that were never established, so that a create is
// never sent twice after the server may have acted on it. Retry-After is
// honoured, in seconds or as an HTTP-date, up to WithMaxRetryAfter.
type Client struct {
	api     *gen.Client
	baseURL string
	timeout time.Duration
	apiKey  Secret
}

// New returns a Client that authenticates with apiKey. With no options it
// talks to the US region with a 30-second timeout and 2 retries.
func New(apiKey string, opts ...Option) (*Client, error) {
	cfg := defaultConfig()
	var errs []error
	if strings.TrimSpace(apiKey) == "" {
		errs = append(errs, errors.New("nylascreds: API key is required"))
	} else if strings.ContainsAny(apiKey, "\r\n") {
		errs = append(errs, errors.New("nylascreds: API key must be one line"))
	}
	for _, opt := range opts {
		if opt == nil {
			continue
		}
		if err := opt(&cfg); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}

	baseURL := cfg.baseURL
	if baseURL == "" {
		baseURL, _ = cfg.region.BaseURL()
	}
	hc := cfg.httpClient
	if hc == nil {
		hc = &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	}
	ua := "nylascreds-go/" + Version
	if cfg.uaSuffix != "" {
		ua += " " + cfg.uaSuffix
	}
	doer := &transport{
		client:  newHTTPClient(hc),
		headers: newFixedHeaders(Secret(apiKey), ua),
		maxBody: cfg.maxBody,
		retry:   cfg.retry,
		logger:  cfg.logger,
	}
	api, err := gen.NewClient(baseURL, gen.WithHTTPClient(doer))
	if err != nil {
		return nil, fmt.Errorf("nylascreds: %w", err)
	}
	return &Client{api: api, baseURL: baseURL, timeout: cfg.timeout, apiKey: Secret(apiKey)}, nil
}

// BaseURL returns the API base URL the client sends to.
func (c *Client) BaseURL() string { return c.baseURL }

// String describes the client without its API key.
func (c *Client) String() string {
	return "nylascreds.Client{base_url: " + c.baseURL + ", api_key: " + redacted + "}"
}

// GoString is the %#v form; it redacts like String.
func (c *Client) GoString() string { return "&wrapper." + c.String() }

// Format keeps every fmt verb away from the unexported API key.
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

// begin prepares one call: its deadline and the state the transport fills.
func (c *Client) begin(ctx context.Context, data CredentialData) (context.Context, context.CancelFunc, *callState) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	cc := &callContext{Context: ctx, st: callState{apiKey: c.apiKey.Reveal(), data: data}}
	return cc, cancel, &cc.st
}
