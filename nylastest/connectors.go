package nylastest

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
)

// connector is one provider's connector. It exists once its provider has a
// credential: the first credential created becomes its active one, as Nylas
// creates a connector's first credential from its app.
type connector struct {
	active   string
	scope    []string
	settings map[string]any
}

// connectorNames are the names Nylas gives its connectors.
var connectorNames = map[string]string{"google": "Google Connector", "microsoft": "Microsoft Connector"}

// Grant is a grant the fake serves on GET /v3/grants. CredentialID "" is a
// grant that uses its connector's active credential.
type Grant struct {
	ID           string `json:"id"`
	Provider     string `json:"provider"`
	Email        string `json:"email,omitempty"`
	CredentialID string `json:"credential_id,omitempty"`
	// Status is "valid" (when "") or "invalid".
	Status    string `json:"grant_status,omitempty"`
	CreatedAt int64  `json:"created_at"`
}

// MaxGrants bounds the grants a fake holds (AddGrants drops the rest).
const MaxGrants = 100_000

// AddGrants adds grants for the fake to serve, in order, or replaces those
// whose ID it holds (a user who reconnects); an empty ID, Status or
// CreatedAt is filled in (a new id, "valid", the fake's clock). It returns
// the grants as stored.
func (f *Fake) AddGrants(grants ...Grant) []Grant {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.addGrants(grants)
}

// addGrants is AddGrants. Call with f.mu held.
func (f *Fake) addGrants(grants []Grant) []Grant {
	var added []Grant
	for _, g := range grants {
		g.ID, g.Status = cmp.Or(g.ID, newID()), cmp.Or(g.Status, "valid")
		if g.CreatedAt == 0 {
			g.CreatedAt = f.clock()
		}
		if i, ok := f.grantIndex[g.ID]; ok {
			f.grants[i] = g
			delete(f.pinned, g.ID) // the new grant names its own credential
		} else if len(f.grants) < MaxGrants {
			f.grantIndex[g.ID] = len(f.grants)
			f.grants = append(f.grants, g)
		} else {
			break
		}
		added = append(added, g)
	}
	return added
}

// AddFirstCredentialGrants adds n grants of provider (emails userN@example.com)
// that name the provider's first credential: they name none until it is
// created (a grant AddGrants replaces meanwhile names what it is given), as
// users who connected through the connector's first app. It is how
// `nylascreds fake --grants` seeds a fake that other languages drive.
func (f *Fake) AddFirstCredentialGrants(provider string, n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var first string
	if c := f.connectors[provider]; c != nil {
		first = c.active
	}
	grants := make([]Grant, 0, n)
	for i := range n {
		grants = append(grants, Grant{Provider: provider, Email: fmt.Sprintf("user%d@example.com", i+1), CredentialID: first})
	}
	for _, g := range f.addGrants(grants) {
		if g.CredentialID == "" {
			f.pinned[g.ID] = true
		}
	}
}

// ActiveCredential returns the id of provider's active credential, and
// whether the provider has a connector.
func (f *Fake) ActiveCredential(provider string) (string, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.connectors[provider]
	if !ok {
		return "", false
	}
	return c.active, true
}

// connectorView is the API's connector object.
func connectorView(provider string, c *connector) map[string]any {
	v := map[string]any{"provider": provider, "name": cmp.Or(connectorNames[provider], strings.ToUpper(provider[:1])+provider[1:]+" Connector"),
		"active_credential_id": c.active}
	if c.scope != nil {
		v["scope"] = c.scope
	}
	if c.settings != nil {
		v["settings"] = c.settings
	}
	return v
}

// handleConnector answers getConnector and updateConnector. Call with f.mu held.
func (f *Fake) handleConnector(ex *exchange, op, provider string) {
	c, ok := f.connectors[provider]
	if !ok {
		ex.fail(http.StatusNotFound, "api.not_found_error", "connector "+strconv.Quote(provider)+" not found")
		return
	}
	if op == "updateConnector" {
		var in struct {
			Active   *string        `json:"active_credential_id"`
			Scope    []string       `json:"scope"`
			Settings map[string]any `json:"settings"`
		}
		if err := json.Unmarshal(ex.body, &in); err != nil {
			ex.fail(http.StatusBadRequest, "api.invalid_request_payload", "Invalid JSON payload format.")
			return
		}
		if in.Active != nil {
			if _, found := f.creds[storeKey{provider, *in.Active}]; !found {
				ex.fail(http.StatusBadRequest, "api.invalid_request_error", "credential "+strconv.Quote(*in.Active)+" not found for provider "+provider)
				return
			}
			c.active = *in.Active
		}
		// PATCH: a nested object sent replaces the stored one whole.
		if in.Scope != nil {
			c.scope = in.Scope
		}
		if in.Settings != nil {
			c.settings = in.Settings
		}
	}
	ex.ok(http.StatusOK, map[string]any{"request_id": ex.reqID, "data": connectorView(provider, c)})
}

// listGrants answers GET /v3/grants with the documented filters and paging.
// Call with f.mu held.
func (f *Fake) listGrants(ex *exchange) {
	q := ex.r.URL.Query()
	var match []Grant
	for _, g := range f.grants {
		if (q.Get("provider") == "" || g.Provider == q.Get("provider")) && (q.Get("email") == "" || g.Email == q.Get("email")) &&
			(q.Get("grant_status") == "" || g.Status == q.Get("grant_status")) {
			match = append(match, g)
		}
	}
	asc := q.Get("order_by") == "asc"
	sort.SliceStable(match, func(i, j int) bool {
		if asc {
			return match[i].CreatedAt < match[j].CreatedAt
		}
		return match[i].CreatedAt > match[j].CreatedAt
	})
	limit, offset, start, end := page(q, len(match))
	data := make([]map[string]any, 0, end-start)
	for _, g := range match[start:end] {
		v := map[string]any{"id": g.ID, "provider": g.Provider, "scope": []string{}, "created_at": g.CreatedAt, "grant_status": g.Status}
		if g.Email != "" {
			v["email"] = g.Email
		}
		if g.CredentialID != "" {
			v["credential_id"] = g.CredentialID
		}
		data = append(data, v)
	}
	ex.ok(http.StatusOK, map[string]any{"request_id": ex.reqID, "data": data, "limit": limit, "offset": offset})
}
