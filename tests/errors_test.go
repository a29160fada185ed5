package tests

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/nylascreds/nylascreds/nylastest"
	"github.com/nylascreds/nylascreds/wrapper"
)

// TestAPIErrors decodes each kind of failure into the typed error with every
// field asserted. Retries are off here; the fault suite covers them.
func TestAPIErrors(t *testing.T) {
	ctx := context.Background()
	html502 := "<html>\n<head><title>502 Bad Gateway</title></head>\n<body>\n<center><h1>502 Bad Gateway</h1></center>\n</body>\n</html>\n"
	cases := []struct {
		name    string
		reply   nylastest.Fault
		offSpec bool // the reply breaks openapi.yaml on purpose
		want    wrapper.APIError
		is      func(error) bool
		text    string
	}{
		{"400", jsonReply(400, `{"request_id":"req-400","error":{"type":"api.invalid_request_error","message":"credential_data is invalid","provider_error":{"error":"invalid_client","error_description":"AADSTS7000215"}}}`), false,
			wrapper.APIError{StatusCode: 400, RequestID: "req-400", Type: "api.invalid_request_error", Message: "credential_data is invalid",
				ProviderError: json.RawMessage(`{"error":"invalid_client","error_description":"AADSTS7000215"}`)},
			nil, "nylascreds: PATCH /v3/connectors/google/creds/cred-1: 400 Bad Request: api.invalid_request_error: credential_data is invalid (request_id req-400)"},
		{"401", jsonReply(401, `{"request_id":"req-401","error":{"type":"api.authentication_error","message":"Unauthorized"}}`), false,
			wrapper.APIError{StatusCode: 401, RequestID: "req-401", Type: "api.authentication_error", Message: "Unauthorized"},
			wrapper.IsUnauthorized, "401 Unauthorized: api.authentication_error: Unauthorized (request_id req-401)"},
		{"404", jsonReply(404, `{"request_id":"req-404","error":{"type":"api.not_found_error","message":"credential not found"}}`), false,
			wrapper.APIError{StatusCode: 404, RequestID: "req-404", Type: "api.not_found_error", Message: "credential not found"},
			wrapper.IsNotFound, "404 Not Found: api.not_found_error: credential not found (request_id req-404)"},
		{"429-retry-after", nylastest.Fault{Status: 429, Header: http.Header{"Content-Type": {"application/json"}, "Retry-After": {"7"}},
			Body: `{"request_id":"req-429","error":{"type":"nylas_rate_limit_exceeded","message":"Too many requests"}}`}, false,
			wrapper.APIError{StatusCode: 429, RequestID: "req-429", Type: "nylas_rate_limit_exceeded", Message: "Too many requests", RetryAfter: 7 * time.Second},
			wrapper.IsRateLimited, "429 Too Many Requests: nylas_rate_limit_exceeded: Too many requests (request_id req-429) (retry after 7s)"},
		{"429-provider-string-error", nylastest.Fault{Status: 429, Header: http.Header{"Content-Type": {"application/json"}},
			Body: `{"request_id":"req-429p","error":{"type":"rate_limit_error","message":"provider throttled","provider_error":"quota exceeded"}}`}, false,
			wrapper.APIError{StatusCode: 429, RequestID: "req-429p", Type: "rate_limit_error", Message: "provider throttled", ProviderError: json.RawMessage(`"quota exceeded"`)},
			wrapper.IsRateLimited, "429 Too Many Requests: rate_limit_error: provider throttled (request_id req-429p)"},
		{"500", jsonReply(500, `{"request_id":"req-500","error":{"type":"api.internal_error","message":"Internal error, contact administrator."}}`), false,
			wrapper.APIError{StatusCode: 500, RequestID: "req-500", Type: "api.internal_error", Message: "Internal error, contact administrator."},
			nil, "500 Internal Server Error: api.internal_error: Internal error, contact administrator. (request_id req-500)"},
		{"502-html", nylastest.Fault{Status: 502, Header: http.Header{"Content-Type": {"text/html"}, "X-Request-Id": {"edge-502"}}, Body: html502}, false,
			wrapper.APIError{StatusCode: 502, RequestID: "edge-502", Body: html502},
			nil, "502 Bad Gateway: <html> <head><title>502 Bad Gateway</title></head>"},
		{"503-empty", nylastest.Fault{Status: 503}, false,
			wrapper.APIError{StatusCode: 503},
			nil, "nylascreds: PATCH /v3/connectors/google/creds/cred-1: 503 Service Unavailable"},
		{"400-json-not-envelope", jsonReply(400, `{"message":"bad"}`), true,
			wrapper.APIError{StatusCode: 400, Body: `{"message":"bad"}`},
			nil, `400 Bad Request: {"message":"bad"}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rep := tc.reply
			rep.OffSpec = tc.offSpec
			f := newFake(t, rep)
			c := newClient(t, f, wrapper.WithRetries(0))
			_, err := c.Update(ctx, wrapper.ProviderGoogle, "cred-1", wrapper.UpdateRequest{Name: "x"})
			var apiErr *wrapper.APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("err = %T %v, want *APIError", err, err)
			}
			want := tc.want
			want.Method, want.Path, want.Attempts = http.MethodPatch, "/v3/connectors/google/creds/cred-1", 1
			got := *apiErr
			if string(got.ProviderError) != string(want.ProviderError) {
				t.Errorf("ProviderError = %s, want %s", got.ProviderError, want.ProviderError)
			}
			got.ProviderError, want.ProviderError = nil, nil
			if !reflect.DeepEqual(got, want) {
				t.Errorf("APIError = %+v\nwant       %+v", got, want)
			}
			if tc.is != nil && !tc.is(err) {
				t.Errorf("helper does not recognise %v", err)
			}
			if !strings.Contains(err.Error(), tc.text) {
				t.Errorf("Error() = %q, want it to contain %q", err, tc.text)
			}
			if len(f.Requests()) != 1 {
				t.Errorf("attempts seen by server = %d, want 1", len(f.Requests()))
			}
		})
	}
}

// TestAPIErrorBodySnippetIsCapped checks that a huge non-JSON error page is
// cut to 512 bytes in the error.
func TestAPIErrorBodySnippetIsCapped(t *testing.T) {
	t.Parallel()
	page := "<html>" + strings.Repeat("é", 2000) + "</html>"
	f := newFake(t, nylastest.Fault{Status: 500, Header: http.Header{"Content-Type": {"text/html"}}, Body: page})
	c := newClient(t, f, wrapper.WithRetries(0))
	_, err := c.Get(context.Background(), wrapper.ProviderGoogle, "cred-1")
	var apiErr *wrapper.APIError
	if !errors.As(err, &apiErr) {
		t.Fatal(err)
	}
	if len(apiErr.Body) > 512 || !strings.HasPrefix(apiErr.Body, "<html>éé") || strings.ContainsRune(apiErr.Body, '\uFFFD') {
		t.Errorf("Body = %d bytes %q…", len(apiErr.Body), apiErr.Body[:20])
	}
}
