package wrapper

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/nylascreds/nylascreds/gen"
)

// CredentialType names a credential's flow, as the API's credential_type.
type CredentialType string

// The three flows.
const (
	// CredentialTypeServiceAccount is the Google App Permission flow (google only).
	CredentialTypeServiceAccount = CredentialType(gen.CreateServiceAccountCredentialCredentialTypeServiceaccount)
	// CredentialTypeAdminConsent is the Microsoft admin-consent flow (microsoft only).
	CredentialTypeAdminConsent = CredentialType(gen.CreateAdminConsentCredentialCredentialTypeAdminconsent)
	// CredentialTypeConnector overrides a connector's OAuth app (any provider).
	CredentialTypeConnector = CredentialType(gen.CreateConnectorCredentialCredentialTypeConnector)
)

// operation tells the flow checks which rules apply: create and update
// require different keys for the Microsoft flow.
type operation int

const (
	opCreate operation = iota
	opUpdate
)

// CredentialData is the credential_data of one flow. The interface is sealed:
// its values are *GoogleServiceAccount, MicrosoftAdminConsent and
// ConnectorOverride, each of which knows its complete set of keys. That is
// what makes a partial credential_data (which a PATCH would store in place of
// the whole object) impossible to send by accident.
type CredentialData interface {
	// CredentialType returns the flow.
	CredentialType() CredentialType

	// check returns probs with every problem of the value for op added; it
	// does no I/O. Value in, value out: a pointer passed through an
	// interface method escapes, and validation must not allocate.
	check(op operation, probs problems) problems
	// createBody and updateData build the generated request bodies; they are
	// called only after check found nothing.
	createBody(name string) (gen.CreateCredentialRequest, error)
	updateData() (gen.UpdateCredentialRequest_CredentialData, error)
	// secretValues lists the secret strings the value sends, so that nothing
	// the server echoes back can carry them into an error.
	secretValues() []string
}

// checkFlowProvider refuses flows that exist only for one provider.
func checkFlowProvider(op operation, p Provider, t CredentialType, probs *problems) {
	if !gen.Provider(p).Valid() {
		return // the provider itself is already reported
	}
	field := "credential_type"
	if op == opUpdate {
		// An update body has no credential_type; the data is what is wrong.
		field = "credential_data"
	}
	switch {
	case t == CredentialTypeServiceAccount && p != ProviderGoogle:
		probs.add(field, "serviceaccount (Google App Permission) credentials exist only for provider google")
	case t == CredentialTypeAdminConsent && p != ProviderMicrosoft:
		probs.add(field, "adminconsent (Microsoft admin consent) credentials exist only for provider microsoft")
	}
}

// blank reports whether a required string is missing: empty or only spaces.
func blank(s string) bool { return strings.TrimSpace(s) == "" }

// ConnectorOverride is the credential_data of a connector-override
// credential: the provider's own OAuth app (not the Nylas app) that a grant
// should use instead of the connector's default. It works for every provider.
type ConnectorOverride struct {
	// ClientID is the provider OAuth app's client id. Required.
	ClientID string
	// ClientSecret is the provider OAuth app's client secret. Required.
	ClientSecret Secret
	// Tenant is an optional provider setting sent beside the two keys: for
	// Microsoft, the Azure tenant the overriding app belongs to.
	Tenant string
	// Settings are further provider settings, sent unchanged beside the keys
	// above, each as its JSON encoding (a string, a number, an object, ...).
	// A key that is also a field above (client_id, client_secret, tenant) is
	// refused. A value is not treated as a secret unless it is a Secret (at
	// the top level, or inside a map[string]any or []any): a Secret is sent
	// as its value and scrubbed, like ClientSecret, from anything the server
	// sends back.
	Settings map[string]any
}

// CredentialType returns CredentialTypeConnector.
func (ConnectorOverride) CredentialType() CredentialType { return CredentialTypeConnector }

// connectorKeys are the keys ConnectorOverride sends from its typed fields.
var connectorKeys = map[string]bool{"client_id": true, "client_secret": true, "tenant": true}

func (d ConnectorOverride) check(_ operation, probs problems) problems {
	if blank(d.ClientID) {
		probs.add("credential_data.client_id", "is required")
	} else {
		checkText("credential_data.client_id", d.ClientID, &probs)
	}
	if blank(d.ClientSecret.Reveal()) {
		probs.add("credential_data.client_secret", "is required")
	} else {
		checkText("credential_data.client_secret", d.ClientSecret.Reveal(), &probs)
	}
	if d.Tenant != "" && blank(d.Tenant) {
		probs.add("credential_data.tenant", "must not be blank (leave it empty to send none)")
	} else {
		checkText("credential_data.tenant", d.Tenant, &probs)
	}
	if len(d.Settings) == 0 {
		// Sorting the keys of no map still costs 3 allocations, and
		// checking a connector override 105 ns instead of 38 (make bench).
		return probs
	}
	for _, k := range slices.Sorted(maps.Keys(d.Settings)) {
		field := "credential_data." + k
		switch {
		case connectorKeys[k]:
			probs.add(field, "is a typed field of ConnectorOverride; set it there, not in Settings")
		case blank(k):
			probs.add("credential_data", "a setting's key must not be blank")
		case !utf8.ValidString(k):
			probs.add("credential_data", "a setting's key must be valid UTF-8 text")
		default:
			if _, err := settingJSON(d.Settings[k]); err != nil {
				probs.add(field, err.Error())
			}
		}
	}
	return probs
}

func (d ConnectorOverride) genData() (gen.ConnectorData, error) {
	data := gen.ConnectorData{ClientId: d.ClientID, ClientSecret: d.ClientSecret.Reveal()}
	if d.Tenant != "" {
		tenant := d.Tenant
		data.Tenant = &tenant
	}
	for k, v := range d.Settings {
		raw, err := settingJSON(v)
		if err != nil {
			return data, fmt.Errorf("setting %s: %w", quote(k), err)
		}
		data.Set(k, raw)
	}
	return data, nil
}

func (d ConnectorOverride) createBody(name string) (gen.CreateCredentialRequest, error) {
	var body gen.CreateCredentialRequest
	data, err := d.genData()
	if err != nil {
		return body, err
	}
	err = body.FromCreateConnectorCredential(gen.CreateConnectorCredential{
		Name:           name,
		CredentialType: gen.CreateConnectorCredentialCredentialTypeConnector,
		CredentialData: data,
	})
	return body, err
}

// connectorJSON is a ConnectorOverride without Settings as it is sent, in
// the generated encoder's key order. Encoding it directly rather than
// through gen.ConnectorData, whose MarshalJSON builds and sorts a map for
// its additional properties, saves 11 of the 162 allocations of a PATCH
// (tests/bench; wrapper/floor 1.35 to 1.26). The bytes are the same:
// TestConnectorUpdateDataEncodesAsGenerated.
type connectorJSON struct {
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret"`
	Tenant       string `json:"tenant,omitempty"`
}

func (d ConnectorOverride) updateData() (gen.UpdateCredentialRequest_CredentialData, error) {
	var out gen.UpdateCredentialRequest_CredentialData
	if len(d.Settings) == 0 {
		raw, err := json.Marshal(connectorJSON{d.ClientID, d.ClientSecret.Reveal(), d.Tenant})
		if err != nil {
			return out, err
		}
		return out, out.UnmarshalJSON(raw)
	}
	data, err := d.genData()
	if err != nil {
		return out, err
	}
	err = out.FromConnectorData(data)
	return out, err
}

func (d ConnectorOverride) secretValues() []string {
	out := []string{d.ClientSecret.Reveal()}
	for _, v := range d.Settings {
		out = appendSecrets(out, v)
	}
	return out
}

// MicrosoftAdminConsent is the credential_data of a Microsoft admin-consent
// (App Permission) credential: an Azure app that an administrator consents to
// for a whole tenant.
//
// On create, Tenant is required and ClientID/ClientSecret are both set or both
// left out (Nylas then uses the Microsoft connector's app). On update all
// three are required: a PATCH replaces credential_data as a whole, so an
// update without the tenant would silently move the credential to another
// flow version. "common" is a valid explicit tenant.
type MicrosoftAdminConsent struct {
	// ClientID is the Azure app's client (application) id.
	ClientID string
	// ClientSecret is the Azure app's client secret.
	ClientSecret Secret
	// Tenant is the Azure tenant (directory) id or domain, or "common".
	Tenant string
}

// CredentialType returns CredentialTypeAdminConsent.
func (MicrosoftAdminConsent) CredentialType() CredentialType { return CredentialTypeAdminConsent }

func (d MicrosoftAdminConsent) check(op operation, probs problems) problems {
	hasID, hasSecret := !blank(d.ClientID), !blank(d.ClientSecret.Reveal())
	checkText("credential_data.client_id", d.ClientID, &probs)
	checkText("credential_data.client_secret", d.ClientSecret.Reveal(), &probs)
	checkText("credential_data.tenant", d.Tenant, &probs)
	switch op {
	case opCreate:
		if hasID != hasSecret {
			if !hasID {
				probs.add("credential_data.client_id", "is required when client_secret is set (both or neither)")
			} else {
				probs.add("credential_data.client_secret", "is required when client_id is set (both or neither)")
			}
		}
		if blank(d.Tenant) {
			probs.add("credential_data.tenant", `is required ("common" selects the v1.0 flow)`)
		}
	case opUpdate:
		if !hasID {
			probs.add("credential_data.client_id", "is required on update (credential_data is replaced whole)")
		}
		if !hasSecret {
			probs.add("credential_data.client_secret", "is required on update (credential_data is replaced whole)")
		}
		if blank(d.Tenant) {
			probs.add("credential_data.tenant", `is required on update (credential_data is replaced whole; "common" keeps the v1.0 flow)`)
		}
	}
	return probs
}

func (d MicrosoftAdminConsent) genData() gen.AdminConsentData {
	data := gen.AdminConsentData{Tenant: d.Tenant}
	if d.ClientID != "" {
		id := d.ClientID
		data.ClientId = &id
	}
	if !d.ClientSecret.IsZero() {
		secret := d.ClientSecret.Reveal()
		data.ClientSecret = &secret
	}
	return data
}

func (d MicrosoftAdminConsent) createBody(name string) (gen.CreateCredentialRequest, error) {
	var body gen.CreateCredentialRequest
	err := body.FromCreateAdminConsentCredential(gen.CreateAdminConsentCredential{
		Name:           name,
		CredentialType: gen.CreateAdminConsentCredentialCredentialTypeAdminconsent,
		CredentialData: d.genData(),
	})
	return body, err
}

func (d MicrosoftAdminConsent) updateData() (gen.UpdateCredentialRequest_CredentialData, error) {
	var data gen.UpdateCredentialRequest_CredentialData
	err := data.FromAdminConsentData(d.genData())
	return data, err
}

func (d MicrosoftAdminConsent) secretValues() []string { return []string{d.ClientSecret.Reveal()} }
