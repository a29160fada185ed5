package nylastest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/nylascreds/nylascreds"
)

// specGuard routes requests by openapi.yaml and validates both directions.
type specGuard struct {
	router routers.Router
	// verdicts remembers the outcome of recent checks of requests and of
	// scripted answers, keyed by everything a check reads, so that a test
	// (or a benchmark) that repeats one exchange pays for its check once.
	verdicts verdictCache
}

func newSpecGuard() (*specGuard, error) {
	doc, err := openapi3.NewLoader().LoadFromData(nylascreds.OpenAPI)
	if err != nil {
		return nil, fmt.Errorf("nylastest: load openapi.yaml: %w", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("nylastest: openapi.yaml: %w", err)
	}
	// The spec names the Nylas hosts; the fake answers on any host, so the
	// paths are routed relative to "/".
	doc.Servers = openapi3.Servers{{URL: "/"}}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("nylastest: route openapi.yaml: %w", err)
	}
	return &specGuard{router: router, verdicts: verdictCache{m: map[[sha256.Size]byte]any{}}}, nil
}

var guardOptions = &openapi3filter.Options{
	// The fake checks the key itself, before validation, to answer 401.
	AuthenticationFunc: openapi3filter.NoopAuthenticationFunc,
	// Leave the request as the client sent it.
	SkipSettingDefaults: true,
}

// route finds r's operation: a verdict that names it, or one that names
// none and the error that says why (routers.ErrPathNotFound, or
// routers.ErrMethodNotAllowed).
func (g *specGuard) route(r *http.Request) (*verdict, error) {
	route, params, err := g.router.FindRoute(r)
	return &verdict{route: route, params: params}, err
}

// checkRequest validates r, whose body is body, against route. It
// validates a copy of r: kin-openapi writes the body it read, and its
// length, back into the request it checks, and r must stay as received.
func (g *specGuard) checkRequest(r *http.Request, body []byte, route *routers.Route, params map[string]string) error {
	c := r.WithContext(r.Context())
	c.Body = io.NopCloser(bytes.NewReader(body))
	in := &openapi3filter.RequestValidationInput{Request: c, PathParams: params, Route: route, Options: guardOptions}
	return openapi3filter.ValidateRequest(c.Context(), in)
}

// checkResponse validates a response the fake is about to write.
func (g *specGuard) checkResponse(ctx context.Context, in *openapi3filter.RequestValidationInput, status int, header http.Header, body []byte) error {
	out := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in, Status: status, Header: header,
		Options: &openapi3filter.Options{IncludeResponseStatus: true},
	}
	out.SetBodyBytes(body)
	return openapi3filter.ValidateResponse(ctx, out)
}

// describe turns a validation error into one line that names the parameter
// or body field and the rule, without dumping schemas or values.
func describe(err error) string {
	var reqErr *openapi3filter.RequestError
	if !errors.As(err, &reqErr) {
		return firstLine(err.Error())
	}
	where := "request"
	switch {
	case reqErr.Parameter != nil:
		where = reqErr.Parameter.In + " parameter " + reqErr.Parameter.Name
	case reqErr.RequestBody != nil:
		where = "request body"
	}
	var schemaErr *openapi3.SchemaError
	if errors.As(reqErr.Err, &schemaErr) {
		if ptr := strings.Join(schemaErr.JSONPointer(), "."); ptr != "" {
			where += " field " + ptr
		}
		return where + ": " + schemaErr.Reason
	}
	reason := reqErr.Reason
	if reason == "" && reqErr.Err != nil {
		reason = firstLine(reqErr.Err.Error())
	}
	return where + ": " + reason
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
