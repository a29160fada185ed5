package nylastest

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
)

// verdict is what the fake concluded about a request with its API key
// before anything answers it: the operation it routes to, and, when it is
// off the fake's contract, the refusal the fake answers it with.
type verdict struct {
	route  *routers.Route // nil when no route matched
	params map[string]string
	// status is 0 for a request on the contract; otherwise the refusal.
	status   int
	typ, msg string
}

func (v *verdict) operation() string {
	if v.route == nil {
		return ""
	}
	return v.route.Operation.OperationID
}

// input is what kin-openapi needs to check a response to the request.
func (v *verdict) input(r *http.Request) *openapi3filter.RequestValidationInput {
	if v.route == nil {
		return nil
	}
	return &openapi3filter.RequestValidationInput{Request: r, PathParams: v.params, Route: v.route, Options: guardOptions}
}

// judge checks a request with the fake's API key against the fake's
// contract, in the order the refusals are answered: the body cap, the
// route, the body's nesting and text, then openapi.yaml. The outcome of a
// request the fake has judged recently (same method, path, query, headers
// and body) is remembered, so repeating it costs a hash.
func (f *Fake) judge(r *http.Request, body []byte, tooLarge bool) *verdict {
	if tooLarge {
		v, _ := f.guard.route(r)
		v.status, v.typ = http.StatusRequestEntityTooLarge, "api.invalid_request_error"
		v.msg = fmt.Sprintf("request body is larger than %d bytes (1 MiB); nothing was done", MaxBodyBytes)
		return v
	}
	key := requestKey(r, body)
	if cached, ok := f.guard.verdicts.get(key); ok {
		return cached.(*verdict)
	}
	v, err := f.guard.route(r)
	if err != nil {
		v.status, v.typ, v.msg = routeRefusal(r, err)
	} else if msg := bodyProblem(body); msg != "" {
		v.status, v.typ, v.msg = http.StatusBadRequest, "api.invalid_request_payload", msg
	} else if err := f.guard.checkRequest(r, body, v.route, v.params); err != nil {
		v.status, v.typ, v.msg = http.StatusBadRequest, "api.invalid_request_error", describe(err)
	}
	f.guard.verdicts.put(key, v)
	return v
}

// checkScripted checks an answer a Fault scripted against openapi.yaml and
// records it in Violations when it breaks it. An error status whose
// Content-Type is not JSON stands for a proxy in front of the API, which
// openapi.yaml does not describe, and is not checked; nor is an answer to a
// request that routes to no operation (its Request.Problem says so).
// Answers checked recently are remembered, like requests.
func (f *Fake) checkScripted(r *http.Request, v *verdict, status int, header http.Header, body []byte, overflow bool) {
	if status/100 != 2 && !isJSON(header.Get("Content-Type")) {
		return
	}
	if v == nil { // a request without the API key: route it now
		v, _ = f.guard.route(r)
	}
	if v.route == nil {
		return
	}
	where := func() string {
		return fmt.Sprintf("nylastest: %s %s: scripted %d response", r.Method, r.URL.EscapedPath(), status)
	}
	if overflow {
		f.recordViolation(fmt.Errorf("%s: body over %d bytes, too large to check (set Fault.OffSpec if that is the point)", where(), maxCheckedBody))
		return
	}
	key := responseKey(v.operation(), status, header, body)
	problem, ok := f.guard.verdicts.get(key)
	if !ok {
		problem = ""
		if err := f.guard.checkResponse(r.Context(), v.input(r), status, header, body); err != nil {
			problem = firstLine(err.Error())
		}
		f.guard.verdicts.put(key, problem)
	}
	if msg := problem.(string); msg != "" {
		f.recordViolation(fmt.Errorf("%s off spec: %s", where(), msg))
	}
}

// routeRefusal is the answer to a request that routes to no operation.
func routeRefusal(r *http.Request, err error) (int, string, string) {
	if errors.Is(err, routers.ErrMethodNotAllowed) {
		return http.StatusMethodNotAllowed, "api.invalid_request_error", "method " + r.Method + " is not allowed on this path"
	}
	return http.StatusNotFound, "api.not_found_error", "no such endpoint: " + r.URL.EscapedPath()
}

// isJSON reports whether a Content-Type is JSON (application/json, or a
// +json type).
func isJSON(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json"))
}

// maxVerdicts bounds the verdicts remembered; when full, they are forgotten
// all at once.
const maxVerdicts = 1024

// verdictCache remembers recent verdicts by a SHA-256 of everything the
// check read.
type verdictCache struct {
	mu sync.Mutex
	m  map[[sha256.Size]byte]any
}

func (c *verdictCache) get(key [sha256.Size]byte) (any, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.m[key]
	return v, ok
}

func (c *verdictCache) put(key [sha256.Size]byte, v any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= maxVerdicts {
		clear(c.m)
	}
	c.m[key] = v
}

// requestKey digests what judging a request reads: its method, escaped
// path, query, headers and body. The host is left out: the fake routes on
// any host.
func requestKey(r *http.Request, body []byte) [sha256.Size]byte {
	var buf [1024]byte
	k := field(buf[:0], "request")
	k = field(k, r.Method)
	k = field(k, r.URL.EscapedPath())
	k = field(k, r.URL.RawQuery)
	k = headerFields(k, r.Header)
	return digest(k, body)
}

// responseKey digests what checking a scripted answer reads: the
// operation, the status, the headers and the body.
func responseKey(operation string, status int, header http.Header, body []byte) [sha256.Size]byte {
	var buf [1024]byte
	k := field(buf[:0], "response")
	k = field(k, operation)
	k = strconv.AppendInt(k, int64(status), 10)
	k = headerFields(k, header)
	return digest(k, body)
}

// digest is the SHA-256 of the fields in k followed by body as a field.
func digest(k, body []byte) [sha256.Size]byte {
	k = binary.BigEndian.AppendUint64(k, uint64(len(body)))
	if len(body) <= cap(k)-len(k) {
		return sha256.Sum256(append(k, body...))
	}
	h := sha256.New()
	h.Write(k)
	h.Write(body)
	return [sha256.Size]byte(h.Sum(nil))
}

// field appends s with its length first, so that no two lists of fields
// are the same bytes.
func field(k []byte, s string) []byte {
	k = binary.BigEndian.AppendUint64(k, uint64(len(s)))
	return append(k, s...)
}

// headerFields appends a header's names (in order) and values.
func headerFields(k []byte, header http.Header) []byte {
	var names [32]string
	keys := names[:0]
	for name := range header {
		keys = append(keys, name)
	}
	slices.Sort(keys)
	k = binary.BigEndian.AppendUint64(k, uint64(len(keys)))
	for _, name := range keys {
		k = field(k, name)
		k = binary.BigEndian.AppendUint64(k, uint64(len(header[name])))
		for _, v := range header[name] {
			k = field(k, v)
		}
	}
	return k
}
