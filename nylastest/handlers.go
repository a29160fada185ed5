package nylastest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/getkin/kin-openapi/openapi3filter"
)

// exchange is one request and the response being prepared for it.
type exchange struct {
	fake   *Fake
	r      *http.Request
	body   []byte
	reqID  string
	in     *openapi3filter.RequestValidationInput
	status int
	out    []byte
}

func (ex *exchange) ok(status int, v any) {
	ex.status, ex.out = status, marshal(v)
}

// fail prepares a response in the Nylas error envelope.
func (ex *exchange) fail(status int, typ, message string) {
	ex.status = status
	ex.out = marshal(map[string]any{
		"request_id": ex.reqID,
		"error":      map[string]string{"type": typ, "message": message},
	})
}

// write validates the prepared response against openapi.yaml and sends it;
// an off-spec response is replaced by a 500 that says so, and recorded.
func (ex *exchange) write(w http.ResponseWriter) {
	h := w.Header()
	h.Set("X-Request-Id", ex.reqID)
	h.Set("Content-Type", "application/json")
	if ex.in != nil {
		if err := ex.fake.guard.checkResponse(ex.r.Context(), ex.in, ex.status, h, ex.out); err != nil {
			err = fmt.Errorf("nylastest: %s %s: %d response off spec: %s", ex.r.Method, ex.r.URL.EscapedPath(), ex.status, firstLine(err.Error()))
			ex.fake.recordViolation(err)
			ex.fail(http.StatusInternalServerError, "nylastest.response_off_spec", err.Error())
		}
	}
	w.WriteHeader(ex.status)
	_, _ = w.Write(ex.out)
}

// handle runs a validated request.
func (f *Fake) handle(ex *exchange, op string, params map[string]string) {
	provider, id := params["provider"], params["id"]
	f.mu.Lock()
	defer f.mu.Unlock()
	switch op {
	case "getConnector", "updateConnector":
		f.handleConnector(ex, op, provider)
	case "listGrants":
		f.listGrants(ex)
	case "listCredentials":
		f.list(ex, provider)
	case "createCredential":
		f.create(ex, provider)
	case "getCredential", "updateCredential", "deleteCredential":
		rec, found := f.creds[storeKey{provider, id}]
		if !found {
			ex.fail(http.StatusNotFound, "api.not_found_error", "credential "+strconv.Quote(id)+" not found for provider "+provider)
			return
		}
		switch op {
		case "getCredential":
			ex.ok(http.StatusOK, map[string]any{"request_id": ex.reqID, "data": f.view(rec)})
		case "updateCredential":
			f.update(ex, rec)
		case "deleteCredential":
			if c := f.connectors[provider]; c != nil && c.active == id {
				ex.fail(http.StatusBadRequest, "api.invalid_request_error", "credential "+strconv.Quote(id)+
					" is the connector's active credential and cannot be deleted; make another credential active first")
				return
			}
			delete(f.creds, storeKey{provider, id})
			ex.ok(http.StatusOK, map[string]any{"request_id": ex.reqID})
		}
	default:
		ex.fail(http.StatusNotImplemented, "api.internal_error", "operation "+op+" is not implemented by nylastest")
	}
}

func (f *Fake) list(ex *exchange, provider string) {
	// The spec guard has checked that limit and offset are integers of
	// int64 range, neither negative.
	q := ex.r.URL.Query()
	sortBy, orderBy := q.Get("sort_by"), q.Get("order_by")
	if sortBy == "" {
		sortBy = "created_at"
	}
	if orderBy == "" {
		orderBy = "desc"
	}
	var recs []*record
	for k, r := range f.creds {
		if k.provider == provider {
			recs = append(recs, r)
		}
	}
	sortRecords(recs, sortBy, orderBy)
	limit, offset, start, end := page(q, len(recs))
	data := make([]credentialJSON, 0, end-start)
	for _, r := range recs[start:end] {
		data = append(data, f.view(r))
	}
	ex.ok(http.StatusOK, map[string]any{"request_id": ex.reqID, "data": data, "limit": limit, "offset": offset})
}

// page reads a list's limit (default 10) and offset (default 0), which the
// spec guard has checked are integers of int64 range, neither negative, and
// returns them with the window [start, end) of n items they select, clamped
// before adding so that nothing can overflow.
func page(q url.Values, n int) (limit, offset int64, start, end int) {
	limit = 10
	if v := q.Get("limit"); v != "" {
		limit, _ = strconv.ParseInt(v, 10, 64)
	}
	if v := q.Get("offset"); v != "" {
		offset, _ = strconv.ParseInt(v, 10, 64)
	}
	s := min(max(offset, 0), int64(n))
	return limit, offset, int(s), int(s + min(max(limit, 0), int64(n)-s))
}

func (f *Fake) create(ex *exchange, provider string) {
	var in struct {
		Name           string          `json:"name"`
		CredentialType string          `json:"credential_type"`
		CredentialData json.RawMessage `json:"credential_data"`
	}
	if err := json.Unmarshal(ex.body, &in); err != nil {
		ex.fail(http.StatusBadRequest, "api.invalid_request_payload", "Invalid JSON payload format.")
		return
	}
	if msg := flowProblem(provider, in.CredentialType); msg != "" {
		ex.fail(http.StatusBadRequest, "api.invalid_request_error", msg)
		return
	}
	data := compactJSON(in.CredentialData)
	for k, r := range f.creds {
		if k.provider != provider || r.name != in.Name {
			continue
		}
		// Nylas returns an existing credential with the same parameters
		// instead of creating a second one; a name is unique otherwise.
		if r.ctype == in.CredentialType && sameJSON(r.data, data) {
			ex.ok(http.StatusOK, map[string]any{"request_id": ex.reqID, "data": f.view(r)})
			return
		}
		ex.fail(http.StatusBadRequest, "api.invalid_request_error", "a credential named "+strconv.Quote(in.Name)+" already exists")
		return
	}
	now := f.clock()
	f.seq++
	rec := &record{provider: provider, id: newID(), name: in.Name, ctype: in.CredentialType, data: data, createdAt: now, updatedAt: now, seq: f.seq}
	f.creds[storeKey{provider, rec.id}] = rec
	if f.connectors[provider] == nil {
		f.connectors[provider] = &connector{active: rec.id}
		for id := range f.pinned {
			if g := &f.grants[f.grantIndex[id]]; g.Provider == provider {
				g.CredentialID = rec.id
				delete(f.pinned, id)
			}
		}
	}
	ex.ok(http.StatusCreated, map[string]any{"request_id": ex.reqID, "data": f.view(rec)})
}

func (f *Fake) update(ex *exchange, rec *record) {
	var in struct {
		Name           *string         `json:"name"`
		CredentialData json.RawMessage `json:"credential_data"`
	}
	if err := json.Unmarshal(ex.body, &in); err != nil {
		ex.fail(http.StatusBadRequest, "api.invalid_request_payload", "Invalid JSON payload format.")
		return
	}
	if in.Name != nil && *in.Name != rec.name {
		for k, other := range f.creds {
			if k.provider == rec.provider && other.name == *in.Name {
				ex.fail(http.StatusBadRequest, "api.invalid_request_error", "a credential named "+strconv.Quote(*in.Name)+" already exists")
				return
			}
		}
		rec.name = *in.Name
	}
	// Fields other than name and credential_data are ignored, and a body
	// with neither changes nothing but updated_at (see openapi.yaml).
	if in.CredentialData != nil {
		// PATCH: the nested object is replaced as a whole, never merged.
		rec.data = compactJSON(in.CredentialData)
	}
	rec.updatedAt = f.clock()
	ex.ok(http.StatusOK, map[string]any{"request_id": ex.reqID, "data": f.view(rec)})
}

// flowProblem refuses flows that exist for one provider only.
func flowProblem(provider, ctype string) string {
	switch {
	case ctype == "serviceaccount" && provider != "google":
		return "credential_type serviceaccount is supported for provider google only"
	case ctype == "adminconsent" && provider != "microsoft":
		return "credential_type adminconsent is supported for provider microsoft only"
	}
	return ""
}
