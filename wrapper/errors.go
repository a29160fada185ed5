package wrapper

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/nylascreds/nylascreds/gen"
)

// APIError is returned for every response with a non-2xx status, whatever its
// body: the Nylas error envelope, an HTML page from a proxy, or nothing.
// Branch on it with errors.As, or use IsNotFound, IsUnauthorized and
// IsRateLimited.
//
// Text that came from the server is scrubbed of the request's secrets before
// it is stored here, so an API that echoes a request back cannot leak it
// through an error.
type APIError struct {
	// Method and Path locate the request: "PATCH", "/v3/connectors/google/creds/abc".
	Method string
	Path   string
	// StatusCode is the HTTP status of the last response.
	StatusCode int
	// RequestID is the envelope's request_id, else the X-Request-Id header.
	RequestID string
	// Type is the envelope's error.type, free text ("api.not_found_error",
	// "nylas_rate_limit_exceeded", ...). Empty when the body was not the envelope.
	Type string
	// Message is the envelope's error.message.
	Message string
	// ProviderError is the envelope's error.provider_error, raw (an object or a
	// string); nil when absent.
	ProviderError json.RawMessage
	// RetryAfter is the wait the server asked for with Retry-After (seconds or
	// an HTTP-date), or 0 when it sent none.
	RetryAfter time.Duration
	// Body is the start of a body that was not the JSON envelope (an HTML
	// error page, say), at most 512 bytes; empty otherwise. RequestID and
	// Type are cut to 256 bytes and Message to 2,048, so that no server can
	// make an error line megabytes long.
	Body string
	// Attempts is how many HTTP attempts the call made, retries included.
	Attempts int

	// interrupted is the context's error when the call ended while waiting
	// to retry after this response.
	interrupted error
}

// Unwrap returns the context's error when the call's context ended while it
// waited to retry after this response, or its deadline came before the wait
// would end: errors.Is(err, context.Canceled) or
// errors.Is(err, context.DeadlineExceeded) then holds. Otherwise nil.
func (e *APIError) Unwrap() error { return e.interrupted }

// Error describes the failure: method, path, status, type, message and request id.
func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "nylascreds: %s %s: %d %s", e.Method, e.Path, e.StatusCode, http.StatusText(e.StatusCode))
	if e.Type != "" {
		b.WriteString(": " + e.Type)
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	if e.Type == "" && e.Message == "" && e.Body != "" {
		b.WriteString(": " + strings.Join(strings.Fields(e.Body), " "))
	}
	if e.RequestID != "" {
		b.WriteString(" (request_id " + e.RequestID + ")")
	}
	if e.RetryAfter > 0 {
		b.WriteString(" (retry after " + e.RetryAfter.String() + ")")
	}
	if e.Attempts > 1 {
		b.WriteString(" after " + strconv.Itoa(e.Attempts) + " attempts")
	}
	if e.interrupted != nil {
		b.WriteString(" (not retried: " + e.interrupted.Error() + ")")
	}
	return b.String()
}

// IsNotFound reports whether err is an *APIError with status 404.
func IsNotFound(err error) bool { return hasStatus(err, http.StatusNotFound) }

// IsUnauthorized reports whether err is an *APIError with status 401: a
// missing or wrong API key, or a key of the other region.
func IsUnauthorized(err error) bool { return hasStatus(err, http.StatusUnauthorized) }

// IsRateLimited reports whether err is an *APIError with status 429.
func IsRateLimited(err error) bool { return hasStatus(err, http.StatusTooManyRequests) }

func hasStatus(err error, status int) bool {
	var apiErr *APIError
	return errors.As(err, &apiErr) && apiErr.StatusCode == status
}

// ErrResponseTooLarge is wrapped by the *ResponseError of a response whose
// body exceeds the client's limit (see WithMaxResponseBytes).
var ErrResponseTooLarge = errors.New("response body exceeds the size limit")

// ResponseError is returned when a response arrived but cannot be used: its
// body was over the size limit, cut short, or (for a 2xx) not the JSON the
// API documents. It keeps what is known of the response.
type ResponseError struct {
	Method     string
	Path       string
	StatusCode int
	RequestID  string
	Attempts   int
	Err        error
}

// Error implements error.
func (e *ResponseError) Error() string {
	s := fmt.Sprintf("nylascreds: %s %s: unusable %d response: %v", e.Method, e.Path, e.StatusCode, e.Err)
	if e.Attempts > 1 {
		s += " after " + strconv.Itoa(e.Attempts) + " attempts"
	}
	if e.RequestID != "" {
		s += " (request_id " + e.RequestID + ")"
	}
	return s
}

// Unwrap returns the cause, for errors.Is (ErrResponseTooLarge, ...) and errors.As.
func (e *ResponseError) Unwrap() error { return e.Err }

// maxErrorBodySnippet bounds APIError.Body.
const maxErrorBodySnippet = 512

// newAPIError builds the error for a non-2xx response. The generated Parse
// functions are not used here: they return an error without the status when
// an error body is not the envelope. Everything the server sent is scrubbed
// of the call's secrets; a JSON body is decoded first, so no escape hides one.
func newAPIError(ex *exchange, secrets *secretSet) *APIError {
	e := &APIError{
		Method:      ex.method,
		Path:        ex.path,
		StatusCode:  ex.status,
		RequestID:   ex.header.Get("X-Request-Id"),
		Attempts:    ex.attempts,
		interrupted: ex.interrupted,
	}
	e.RetryAfter, _ = parseRetryAfter(ex.header.Get("Retry-After"), time.Now())

	var env gen.ErrorEnvelope
	isEnvelope := func() bool {
		return env.RequestId != "" || env.Error.Type != "" || env.Error.Message != "" || len(env.Error.ProviderError) > 0
	}
	body := ex.body
	if isJSON(ex.header) && json.Unmarshal(body, &env) == nil && isEnvelope() {
		if env.RequestId != "" {
			e.RequestID = env.RequestId
		}
		e.Type = env.Error.Type
		e.Message = env.Error.Message
		if pe := env.Error.ProviderError; len(pe) > 0 && string(pe) != "null" {
			e.ProviderError, _ = secrets.redactJSON(pe) // it decoded, so it redacts
		}
	} else {
		if clean, ok := secrets.redactJSON(body); ok {
			body = clean
		} else {
			body = []byte(secrets.scrub(string(body)))
		}
		// Scrubbed whole before it is cut: a secret cut in half by the
		// limit would no longer match.
		e.Body = snippet(body, maxErrorBodySnippet)
	}
	e.RequestID = serverText(secrets, e.RequestID, maxIDText)
	e.Type = serverText(secrets, e.Type, maxIDText)
	e.Message = serverText(secrets, e.Message, maxMessageText)
	return e
}

// Bounds on text a server sends into errors, log records and Responses, so
// that a hostile or broken server cannot make every line megabytes long.
const (
	maxIDText      = 256  // request ids, error types
	maxMessageText = 2048 // error messages
)

// serverText is text from a server made fit for an error or a log record:
// scrubbed of the call's secrets, then cut to at most max bytes of valid
// UTF-8, marked with "…" when cut.
func serverText(secrets *secretSet, text string, max int) string {
	text = secrets.scrub(text)
	if len(text) <= max && utf8.ValidString(text) {
		return text
	}
	cut := snippet([]byte(text), max-len("…"))
	if len(cut) < len(text) {
		cut += "…"
	}
	return cut
}

// snippet returns the start of body as valid UTF-8 text of at most n bytes,
// cut at a rune boundary; invalid bytes become U+FFFD (which counts 3 bytes).
func snippet(body []byte, n int) string {
	var b strings.Builder
	for len(body) > 0 {
		r, size := utf8.DecodeRune(body)
		if b.Len()+utf8.RuneLen(r) > n {
			break
		}
		b.WriteRune(r)
		body = body[size:]
	}
	return b.String()
}

func isJSON(h http.Header) bool {
	return strings.Contains(h.Get("Content-Type"), "json")
}
