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

// operation selects the rules: create and update require different keys for
// the Microsoft flow.
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

	// check adds every problem of the value for op; it does no I/O.
	check(op operation, probs *problems)
	// createBody and updateData build the generated request bodies, encoding
	// the data once; they are called only after check found nothing.
	createBody(name string) (gen.CreateCredentialRequest, error)
	updateData() (gen.UpdateCredentialRequest_CredentialData, error)
	// secrets lists the secrets the value sends, for scrubbing.
	secrets() []Secret
}

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
	// above. A value is a string, number, bool, nil, json.RawMessage, Secret,
	// []any, []string, map[string]any or map[string]string, nested at most
	// 32 deep; anything else is refused rather than sent changed. A key that
	// is also a field above is refused. Only Secret values are treated as
	// secrets: sent as their value, and scrubbed from server text.
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

// maxSettingDepth bounds how deep a setting nests; it also ends a value that
// contains itself.
const maxSettingDepth = 32

// settingValue returns a setting as it is sent, every Secret replaced by its
// value (and appended to secrets, when not nil). It takes the JSON-shaped
// values a setting can hold and refuses others, so nothing is sent changed:
// encoding/json would send a nested Secret as [REDACTED], and invalid UTF-8
// as U+FFFD.
func settingValue(v any, depth int, secrets *[]Secret) (any, error) {
	if depth > maxSettingDepth {
		return nil, errors.New("nests deeper than 32 levels (or contains itself)")
	}
	switch v := v.(type) {
	case nil, bool, json.Number, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		return v, nil
	case float32:
		return settingValue(float64(v), depth, secrets)
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, errors.New("is not a finite number")
		}
		return v, nil
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
		if !utf8.Valid(v) || !json.Valid(v) || jsonesc.HasLoneSurrogate(v) {
			return nil, errors.New("must be valid JSON in UTF-8")
		}
		return v, nil
	case []string:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = e
		}
		return settingValue(out, depth, secrets)
	case map[string]string:
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[k] = e
		}
		return settingValue(out, depth, secrets)
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			var err error
			if out[i], err = settingValue(e, depth+1, secrets); err != nil {
				return nil, err
			}
		}
		return out, nil
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			var err error
			if out[k], err = settingValue(e, depth+1, secrets); err != nil || !utf8.ValidString(k) {
				return nil, cmp.Or(err, errors.New("a key inside it must be valid UTF-8 text"))
			}
		}
		return out, nil
	}
	return nil, fmt.Errorf("is a %T; a setting is a string, number, bool, nil, json.RawMessage, Secret, []any, []string, map[string]any or map[string]string", v)
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
