package wrapper

import (
	"errors"
	"io"
	"net/http"
	"strconv"
)

// RequestError is returned when a call got no usable HTTP response at all:
// the connection failed, the context ended, or a redirect was refused. It
// wraps the cause, so errors.Is(err, context.DeadlineExceeded) works.
type RequestError struct {
	Method   string
	Path     string
	Attempts int
	Err      error
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

// result turns the outcome of one generated call into the 2xx response to
// parse, or the error to return: *APIError for a non-2xx status,
// *ResponseError for a response that arrived but could not be read,
// *RequestError when none arrived.
func (st *callState) result(resp *http.Response, err error) (*http.Response, error) {
	if err != nil {
		if st.lastStatus != 0 {
			return nil, &ResponseError{Method: st.method, Path: st.path, StatusCode: st.lastStatus,
				RequestID: st.scrub(st.requestID), Attempts: st.attempts, Err: st.scrubErr(err)}
		}
		return nil, &RequestError{Method: st.method, Path: st.path, Attempts: st.attempts, Err: st.scrubErr(err)}
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		body, err := io.ReadAll(resp.Body) // capped by the transport
		_ = resp.Body.Close()
		if err != nil {
			return nil, &ResponseError{Method: st.method, Path: st.path, StatusCode: resp.StatusCode,
				RequestID: st.scrub(st.requestID), Attempts: st.attempts, Err: st.scrubErr(err)}
		}
		return nil, newAPIError(st.method, st.path, resp, body, st.attempts, st.secretSet())
	}
	return resp, nil
}

// unusable reports a 2xx response the generated parser could not decode, or
// that lacked what the API documents.
func unusable(st *callState, resp *http.Response, err error) error {
	return &ResponseError{Method: st.method, Path: st.path, StatusCode: resp.StatusCode,
		RequestID: st.scrub(resp.Header.Get("X-Request-Id")), Attempts: st.attempts, Err: err}
}

// errNotJSON is the cause when a 2xx response does not carry a JSON body.
var errNotJSON = errors.New("body is not the documented JSON")

// scrubErr hides any request secret in a transport error's text while
// keeping its chain for errors.Is and errors.As. Transport errors name the
// URL (which holds no secret), so this is a second line of defence.
func (st *callState) scrubErr(err error) error {
	msg := err.Error()
	if clean := st.scrub(msg); clean != msg {
		return scrubbedError{msg: clean, err: err}
	}
	return err
}

type scrubbedError struct {
	msg string
	err error
}

func (e scrubbedError) Error() string { return e.msg }
func (e scrubbedError) Unwrap() error { return e.err }
