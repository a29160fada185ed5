package wrapper

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/nylascreds/nylascreds/gen"
)

// Bounds on server text kept in errors, log records and Responses: no server
// can make a line megabytes long, or scrubbing cost unbounded time.
const (
	maxIDText       = 256  // request ids, error types, header names, flows
	maxMessageText  = 2048 // error messages, provider errors, causes
	maxBodySnippet  = 512  // APIError.Body
	maxHeaderText   = 1024 // a Response header value
	maxHeaderValues = 100  // Response header values kept
)

// APIError is returned for every non-2xx response, whatever its body: the
// Nylas error envelope, a proxy's HTML page, or nothing. Branch on it with
// errors.As, or IsNotFound, IsUnauthorized and IsRateLimited. Every field from
// the server is bounded and scrubbed of the call's secrets (see Client).
type APIError struct {
	Method     string // "PATCH"
	Path       string // "/v3/connectors/google/creds/abc", as sent
	StatusCode int    // of the last response
	// RequestID (the envelope's request_id, else X-Request-Id) and Type (its
	// free-text error.type) are at most 256 bytes; Message (error.message) 2,048.
	RequestID, Type, Message string
	// ProviderError is error.provider_error (an object or a string) re-encoded,
	// scrubbed; over 2,048 bytes, a JSON string of its start; nil when absent.
	ProviderError json.RawMessage
	RetryAfter    time.Duration // the wait the server asked for with Retry-After, or 0
	// Body is the start (at most 512 bytes) of a body that was not the
	// envelope, such as an HTML page; a JSON body is re-encoded, scrubbed.
	Body     string
	Attempts int // HTTP attempts the call made, retries included

	interrupted error // the context ended while waiting to retry
}

// Unwrap returns the context's error when the context ended (or its deadline
// would have) before the retry this response asked for, else nil.
func (e *APIError) Unwrap() error { return e.interrupted }

// Error describes the failure: method, path, status, type, message and request id.
func (e *APIError) Error() string {
	s := fmt.Sprintf("nylascreds: %s %s: %d %s", e.Method, e.Path, e.StatusCode, http.StatusText(e.StatusCode))
	for _, part := range []string{e.Type, e.Message} {
		if part != "" {
			s += ": " + part
		}
	}
	if e.Type == "" && e.Message == "" && e.Body != "" {
		s += ": " + strings.Join(strings.Fields(e.Body), " ")
	}
	if e.RequestID != "" {
		s += " (request_id " + e.RequestID + ")"
	}
	if e.RetryAfter > 0 {
		s += " (retry after " + e.RetryAfter.String() + ")"
	}
	if e.Attempts > 1 {
		s += " after " + strconv.Itoa(e.Attempts) + " attempts"
	}
	if e.interrupted != nil {
		s += " (not retried: " + e.interrupted.Error() + ")"
	}
	return s
}

// newAPIError builds the error for a non-2xx response; headerID is X-Request-Id, scrubbed.
func newAPIError(ex *exchange, sc scrubber, headerID string) *APIError {
	e := &APIError{Method: ex.method, Path: ex.path, StatusCode: ex.status, RequestID: headerID,
		Attempts: ex.attempts, interrupted: ex.interrupted}
	e.RetryAfter, _ = parseRetryAfter(ex.header.Get("Retry-After"), time.Now())
	var env gen.ErrorEnvelope
	if strings.Contains(ex.header.Get("Content-Type"), "json") && json.Unmarshal(ex.body, &env) == nil &&
		(env.RequestId != "" || env.Error.Type != "" || env.Error.Message != "" || len(env.Error.ProviderError) > 0) {
		if env.RequestId != "" {
			e.RequestID = sc.text(env.RequestId, maxIDText)
		}
		e.Type = sc.text(env.Error.Type, maxIDText)
		e.Message = sc.text(env.Error.Message, maxMessageText)
		if pe := env.Error.ProviderError; len(pe) > 0 && string(pe) != "null" {
			// It decoded, so it is JSON; cut, a JSON string of its start, escaped within the bound.
			text, _, cut := sc.json(pe, maxMessageText)
			if cut {
				text = `"` + jsonEscaped(sc.text(text, maxMessageText/2-2), false) + `"`
			}
			e.ProviderError = json.RawMessage(text)
		}
		return e
	}
	if text, ok, _ := sc.json(ex.body, maxBodySnippet); ok {
		e.Body = text
	} else {
		e.Body = sc.text(string(ex.body), maxBodySnippet)
	}
	return e
}

// IsNotFound reports whether err is an *APIError with status 404.
func IsNotFound(err error) bool { return hasStatus(err, http.StatusNotFound) }

// IsUnauthorized reports whether err is an *APIError with status 401: a missing, wrong or other region's key.
func IsUnauthorized(err error) bool { return hasStatus(err, http.StatusUnauthorized) }

// IsRateLimited reports whether err is an *APIError with status 429.
func IsRateLimited(err error) bool { return hasStatus(err, http.StatusTooManyRequests) }

func hasStatus(err error, status int) bool {
	var apiErr *APIError
	return errors.As(err, &apiErr) && apiErr.StatusCode == status
}

// ErrResponseTooLarge is wrapped by the *ResponseError of a body over the limit (WithMaxResponseBytes).
var ErrResponseTooLarge = errors.New("response body exceeds the size limit")

// ResponseError is returned for a response that cannot be used: its body was
// over the size limit, cut short, or (for a 2xx) not the documented JSON.
type ResponseError struct {
	Method, Path string
	StatusCode   int
	RequestID    string // the body's request_id, else the X-Request-Id header
	Attempts     int
	Err          error
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

// RequestError is returned when a call got no HTTP response: the connection
// failed, the context ended, or a redirect was refused. It wraps the cause
// (errors.Is(err, context.DeadlineExceeded) works), which never holds a URL; a
// cause whose text holds a secret or over 2,048 bytes becomes its scrubbed, cut
// text, with only a context error beneath.
type RequestError struct {
	Method, Path string
	Attempts     int
	Err          error
}

// Error implements error.
func (e *RequestError) Error() string {
	s := "nylascreds: " + e.Method + " " + e.Path + ": "
	if e.Attempts > 1 {
		s += "after " + strconv.Itoa(e.Attempts) + " attempts: "
	}
	return s + e.Err.Error()
}

// Unwrap returns the cause, for errors.Is and errors.As.
func (e *RequestError) Unwrap() error { return e.Err }

// cause keeps err when its text needs no scrubbing or cutting, so errors.Is
// and errors.As still see it; else its clean text, wrapping only the context's error.
func (sc scrubber) cause(err error) error {
	msg := err.Error()
	clean := sc.text(msg, maxMessageText)
	if clean == msg {
		return err
	}
	for _, ctxErr := range []error{context.Canceled, context.DeadlineExceeded} {
		if errors.Is(err, ctxErr) {
			return scrubbedError{msg: clean, ctx: ctxErr}
		}
	}
	return scrubbedError{msg: clean}
}

type scrubbedError struct {
	msg string
	ctx error
}

func (e scrubbedError) Error() string { return e.msg }
func (e scrubbedError) Unwrap() error { return e.ctx }

// ErrFlowMismatch is matched (errors.Is) by a *FlowMismatchError.
var ErrFlowMismatch = errors.New("nylascreds: credential data of another flow than the stored one")

// FlowMismatchError is the refusal (by Update, or admin.Rotate) of
// credential_data of another flow than the stored one: a PATCH body has no
// credential_type, so the data would replace the stored data whole under the
// old type. Nothing was changed.
type FlowMismatchError struct {
	ID     string         // the credential's
	Stored CredentialType // as the server reports it (scrubbed, at most 256 bytes)
	Sent   CredentialType // the refused credential_data's
}

// Error names both flows and the way to switch flows.
func (e *FlowMismatchError) Error() string {
	return "nylascreds: refused, nothing was changed: credential " + quote(e.ID) + " is stored as " +
		string(e.Stored) + ", not " + string(e.Sent) + "; a credential's flow cannot change: create a new " +
		string(e.Sent) + " credential, make it the connector's active credential, then delete this one"
}

// Is makes errors.Is(err, ErrFlowMismatch) true.
func (e *FlowMismatchError) Is(target error) bool { return target == ErrFlowMismatch }

// ErrFlowUnverified is matched (errors.Is) by a *FlowUnverifiedError.
var ErrFlowUnverified = errors.New("nylascreds: the stored flow could not be verified")

// FlowUnverifiedError is returned when the server did not report the stored
// flow and ConfirmUnverified (of UpdateRequest or admin.RotateRequest) refused
// to go on unverified. Nothing was changed.
type FlowUnverifiedError struct {
	Stored *Credential // as read: what would have been overwritten
	Err    error       // what ConfirmUnverified returned
}

// Error says what was not sent and why.
func (e *FlowUnverifiedError) Error() string {
	return "nylascreds: refused, nothing was changed: the server does not report credential " +
		quote(e.Stored.ID) + "'s flow, so its credential_data may be of another flow: " + e.Err.Error()
}

// Unwrap returns what ConfirmUnverified returned.
func (e *FlowUnverifiedError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrFlowUnverified) true.
func (e *FlowUnverifiedError) Is(target error) bool { return target == ErrFlowUnverified }
