package wrapper

import (
	"time"

	"github.com/nylascreds/nylascreds/gen"
)

// Credential is a stored connector credential. The API never returns the
// secret credential_data, so neither does this type.
type Credential struct {
	// ID identifies the credential within its provider's connector.
	ID string `json:"id"`
	// Name is unique within the connector.
	Name string `json:"name"`
	// CreatedAt and UpdatedAt come from the API's Unix seconds, in UTC.
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	// CredentialType is the flow when the server reports it, else "". It is
	// kept as the server's text, so a flow added later still decodes.
	CredentialType CredentialType `json:"credential_type,omitempty"`
	// HashedData is a hash of the stored data when the server reports it.
	HashedData string `json:"hashed_data,omitempty"`
}

func credentialFromGen(g gen.Credential) Credential {
	return Credential{
		ID:             g.Id,
		Name:           g.Name,
		CreatedAt:      time.Unix(g.CreatedAt, 0).UTC(),
		UpdatedAt:      time.Unix(g.UpdatedAt, 0).UTC(),
		CredentialType: CredentialType(g.CredentialType),
		HashedData:     g.HashedData,
	}
}
