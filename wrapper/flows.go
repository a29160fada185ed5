package wrapper

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"unicode/utf8"

	"github.com/nylascreds/nylascreds/gen"
	"github.com/nylascreds/nylascreds/internal/jsonesc"
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

// operation selects the rules: Microsoft's flow needs other keys on update.
type operation int

const (
	opCreate operation = iota
	opUpdate
)

// CredentialData is the credential_data of one flow. The interface is sealed:
// *GoogleServiceAccount, MicrosoftAdminConsent and ConnectorOverride each know
// their flow's complete set of keys, so a partial credential_data (which a
// PATCH would store in place of the whole) cannot be sent by accident.
type CredentialData interface {
	CredentialType() CredentialType

	check(op operation, probs *problems) // every problem, no I/O
	// createBody and updateData encode the data once, after check passed.
	createBody(name string) (gen.CreateCredentialRequest, error)
	updateData() (gen.UpdateCredentialRequest_CredentialData, error)
	secrets() []Secret // what the value sends, for scrubbing
}

// ConnectorOverride is the credential_data of a connector-override
// credential, for any provider: the provider OAuth app a grant uses instead
// of the connector's default.
type ConnectorOverride struct {
	ClientID     string // required
	ClientSecret Secret // required
	// Tenant is optional: for Microsoft, the Azure tenant of the app.
	Tenant string
	// Settings are further provider settings, sent beside the keys above as
	// encoding/json writes them: a string, number, bool, nil, json.RawMessage,
	// Secret, []any or map[string]any, nested at most 32 deep; anything else,
	// and a key that is a field above, is refused rather than sent changed
	// (Create re-encodes objects as GoogleServiceAccount says). Only Secret
	// values are secrets: sent as their value, scrubbed from server text.
	Settings map[string]any
}

// CredentialType returns CredentialTypeConnector.
func (ConnectorOverride) CredentialType() CredentialType { return CredentialTypeConnector }

func (d ConnectorOverride) check(_ operation, probs *problems) {
	probs.required("credential_data.client_id", d.ClientID)
	probs.required("credential_data.client_secret", d.ClientSecret.Reveal())
	if d.Tenant != "" {
		probs.requiredWhy("credential_data.tenant", d.Tenant, "must not be blank (leave it empty to send none)")
	}
	for _, k := range slices.Sorted(maps.Keys(d.Settings)) {
		field := "credential_data." + k
		switch {
		case k == "client_id" || k == "client_secret" || k == "tenant":
			probs.add(field, "is a typed field of ConnectorOverride; set it there, not in Settings")
		case blank(k) || !utf8.ValidString(k):
			probs.add("credential_data", "a setting's key must be non-blank UTF-8 text")
		default:
			if _, err := settingValue(d.Settings[k], 0, nil); err != nil {
				probs.add(field, err.Error())
			}
		}
	}
}

func (d ConnectorOverride) genData() (gen.ConnectorData, error) {
	data := gen.ConnectorData{ClientId: d.ClientID, ClientSecret: d.ClientSecret.Reveal()}
	if d.Tenant != "" {
		data.Tenant = &d.Tenant
	}
	for k, v := range d.Settings {
		revealed, err := settingValue(v, 0, nil)
		if err != nil {
			return data, fmt.Errorf("setting %s: %w", quote(k), err)
		}
		data.Set(k, revealed)
	}
	return data, nil
}

func (d ConnectorOverride) createBody(name string) (gen.CreateCredentialRequest, error) {
	var body gen.CreateCredentialRequest
	data, err := d.genData()
	if err == nil {
		err = body.FromCreateConnectorCredential(gen.CreateConnectorCredential{
			Name: name, CredentialType: gen.CreateConnectorCredentialCredentialTypeConnector, CredentialData: data,
		})
	}
	return body, err
}

func (d ConnectorOverride) updateData() (gen.UpdateCredentialRequest_CredentialData, error) {
	var out gen.UpdateCredentialRequest_CredentialData
	data, err := d.genData()
	if err == nil {
		err = out.FromConnectorData(data)
	}
	return out, err
}

func (d ConnectorOverride) secrets() []Secret {
	out := []Secret{d.ClientSecret}
	for _, v := range d.Settings {
		_, _ = settingValue(v, 0, &out) // checked already: this only collects
	}
	return out
}

// maxSettingDepth bounds nesting, and so ends a value that contains itself.
const maxSettingDepth = 32

// settingValue returns a setting as sent, every Secret replaced by its value
// (and appended to secrets, when not nil). It refuses what encoding/json would
// send changed: a nested Secret as [REDACTED], invalid UTF-8 as U+FFFD.
func settingValue(v any, depth int, secrets *[]Secret) (any, error) {
	if depth > maxSettingDepth {
		return nil, errors.New("nests deeper than 32 levels (or contains itself)")
	}
	switch v := v.(type) {
	case nil, bool, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		return v, nil
	case json.Number: // encoding/json would send "" as 0, and fail on "1 2" after the checks
		if !json.Valid([]byte(v)) || v == "" || v[0] != '-' && (v[0] < '0' || v[0] > '9') {
			return nil, errors.New("must be a JSON number")
		}
		return v, nil
	case float32:
		return v, finite(float64(v))
	case float64:
		return v, finite(v)
	case Secret:
		if secrets != nil {
			*secrets = append(*secrets, v)
		}
		return settingValue(v.Reveal(), depth, nil)
	case string:
		if !utf8.ValidString(v) {
			return nil, errors.New("must be valid UTF-8 text")
		}
		return v, nil
	case json.RawMessage:
		if !json.Valid(v) || !jsonesc.Exact(v) {
			return nil, errors.New("must be valid JSON in UTF-8")
		}
		return v, nil
	case []any:
		if v == nil {
			return v, nil // null, as encoding/json sends it
		}
		out := make([]any, len(v))
		for i, e := range v {
			var err error
			if out[i], err = settingValue(e, depth+1, secrets); err != nil {
				return nil, err
			}
		}
		return out, nil
	case map[string]any:
		if v == nil {
			return v, nil
		}
		out := make(map[string]any, len(v))
		for k, e := range v {
			var err error
			if out[k], err = settingValue(e, depth+1, secrets); err != nil || !utf8.ValidString(k) {
				return nil, cmp.Or(err, errors.New("a key inside it must be valid UTF-8 text"))
			}
		}
		return out, nil
	}
	return nil, fmt.Errorf("is a %T; a setting is a string, number, bool, nil, json.RawMessage, Secret, []any or map[string]any", v)
}

// MicrosoftAdminConsent is the credential_data of a Microsoft admin-consent
// (App Permission) credential: an Azure app consented to for a whole tenant.
// On create, Tenant is required and ClientID and ClientSecret are both set or
// both left out (Nylas then uses the connector's app). On update all three
// are required: credential_data is replaced whole, and without the tenant the
// credential would silently move to another flow version.
type MicrosoftAdminConsent struct {
	ClientID     string // the Azure app's client (application) id
	ClientSecret Secret
	Tenant       string // the Azure tenant id or domain, or "common"
}

// CredentialType returns CredentialTypeAdminConsent.
func (MicrosoftAdminConsent) CredentialType() CredentialType { return CredentialTypeAdminConsent }

func (d MicrosoftAdminConsent) check(op operation, probs *problems) {
	id, secret := d.ClientID, d.ClientSecret.Reveal()
	if op == opUpdate {
		const why = "is required on update (credential_data is replaced whole"
		probs.requiredWhy("credential_data.client_id", id, why+")")
		probs.requiredWhy("credential_data.client_secret", secret, why+")")
		probs.requiredWhy("credential_data.tenant", d.Tenant, why+`; "common" keeps the v1.0 flow)`)
		return
	}
	switch {
	case blank(id) && !blank(secret):
		probs.add("credential_data.client_id", "is required when client_secret is set (both or neither)")
	case !blank(id) && blank(secret):
		probs.add("credential_data.client_secret", "is required when client_id is set (both or neither)")
	}
	probs.text("credential_data.client_id", id)
	probs.text("credential_data.client_secret", secret)
	probs.requiredWhy("credential_data.tenant", d.Tenant, `is required ("common" selects the v1.0 flow)`)
}

func (d MicrosoftAdminConsent) genData() gen.AdminConsentData {
	data := gen.AdminConsentData{Tenant: d.Tenant}
	if d.ClientID != "" {
		data.ClientId = &d.ClientID
	}
	if secret := d.ClientSecret.Reveal(); secret != "" {
		data.ClientSecret = &secret
	}
	return data
}

func (d MicrosoftAdminConsent) createBody(name string) (gen.CreateCredentialRequest, error) {
	var body gen.CreateCredentialRequest
	err := body.FromCreateAdminConsentCredential(gen.CreateAdminConsentCredential{
		Name: name, CredentialType: gen.CreateAdminConsentCredentialCredentialTypeAdminconsent, CredentialData: d.genData(),
	})
	return body, err
}

func (d MicrosoftAdminConsent) updateData() (gen.UpdateCredentialRequest_CredentialData, error) {
	var data gen.UpdateCredentialRequest_CredentialData
	err := data.FromAdminConsentData(d.genData())
	return data, err
}

func (d MicrosoftAdminConsent) secrets() []Secret { return []Secret{d.ClientSecret} }

func finite(f float64) error {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return errors.New("is not a finite number")
	}
	return nil
}
