package wrapper

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/nylascreds/nylascreds/gen"
)

// CreateRequest is the input of Create.
type CreateRequest struct {
	// Name must be unique within the connector. Required.
	Name string
	// Data is the credential_data of one flow; its CredentialType becomes the
	// request's credential_type. Required.
	Data CredentialData
}

// UpdateRequest is the input of Update. At least one field must be set.
type UpdateRequest struct {
	// Name renames the credential. "" keeps the current name.
	Name string
	// Data replaces the stored credential_data as a whole. nil keeps it. It
	// must be of the credential's flow and carry all of that flow's keys.
	Data CredentialData
}

// Create registers a credential with provider's connector. When Nylas
// already holds a credential with the same parameters it returns that one
// (status 200) rather than creating a second.
func (c *Client) Create(ctx context.Context, provider Provider, req CreateRequest) (*Credential, error) {
	if err := CheckCreate(provider, req); err != nil {
		return nil, err
	}
	body, err := req.Data.createBody(req.Name)
	if err != nil {
		return nil, fmt.Errorf("nylascreds: create: encode body: %w", err)
	}

	ctx, cancel, st := c.begin(ctx, req.Data)
	defer cancel()
	resp, err := st.result(c.api.CreateCredential(ctx, gen.Provider(provider), body))
	if err != nil {
		return nil, err
	}
	parsed, err := gen.ParseCreateCredentialResponse(resp)
	if err != nil {
		return nil, unusable(st, resp, err)
	}
	env := parsed.JSON201
	if env == nil {
		env = parsed.JSON200
	}
	return credentialFrom(st, resp, env)
}

// CheckCreate reports every problem Create would refuse req for, as a
// *ValidationError, without any I/O; nil means Create would send it.
func CheckCreate(provider Provider, req CreateRequest) error {
	var probs problems
	checkProvider(provider, &probs)
	if blank(req.Name) {
		probs.add("name", "is required")
	}
	if req.Data == nil {
		probs.add("credential_data", "is required (GoogleServiceAccount, MicrosoftAdminConsent or ConnectorOverride)")
		probs.add("credential_type", "is required (it follows from credential_data)")
	} else {
		checkFlowProvider(opCreate, provider, req.Data.CredentialType(), &probs)
		probs = req.Data.check(opCreate, probs)
	}
	return probs.err("create")
}

// CheckUpdate reports every problem Update would refuse req for, as a
// *ValidationError, without any I/O; nil means Update would send it.
func CheckUpdate(provider Provider, id string, req UpdateRequest) error {
	var probs problems
	checkProvider(provider, &probs)
	checkID(id, &probs)
	if req.Name == "" && req.Data == nil {
		probs.add("name", "nothing to update: set Name, Data, or both")
	} else if req.Name != "" && blank(req.Name) {
		probs.add("name", "must not be blank")
	}
	if req.Data != nil {
		checkFlowProvider(opUpdate, provider, req.Data.CredentialType(), &probs)
		probs = req.Data.check(opUpdate, probs)
	}
	return probs.err("update")
}

// Get returns one credential (without its secret data).
func (c *Client) Get(ctx context.Context, provider Provider, id string) (*Credential, error) {
	var probs problems
	checkProvider(provider, &probs)
	checkID(id, &probs)
	if err := probs.err("get"); err != nil {
		return nil, err
	}

	ctx, cancel, st := c.begin(ctx, nil)
	defer cancel()
	resp, err := st.result(c.api.GetCredential(ctx, gen.Provider(provider), id))
	if err != nil {
		return nil, err
	}
	parsed, err := gen.ParseGetCredentialResponse(resp)
	if err != nil {
		return nil, unusable(st, resp, err)
	}
	return credentialFrom(st, resp, parsed.JSON200)
}

// Update changes a credential with PATCH: its name, its credential_data, or
// both. A field left unset is kept by the server. Data, when set, replaces
// the stored credential_data as a whole, so it is checked against its flow's
// complete set of keys before anything is sent. An update with neither field
// is refused.
func (c *Client) Update(ctx context.Context, provider Provider, id string, req UpdateRequest) (*Credential, error) {
	if err := CheckUpdate(provider, id, req); err != nil {
		return nil, err
	}
	var body gen.UpdateCredentialRequest
	if req.Name != "" {
		name := req.Name
		body.Name = &name
	}
	if req.Data != nil {
		data, err := req.Data.updateData()
		if err != nil {
			return nil, fmt.Errorf("nylascreds: update: encode body: %w", err)
		}
		body.CredentialData = &data
	}

	ctx, cancel, st := c.begin(ctx, req.Data)
	defer cancel()
	resp, err := st.result(c.api.UpdateCredential(ctx, gen.Provider(provider), id, body))
	if err != nil {
		return nil, err
	}
	parsed, err := gen.ParseUpdateCredentialResponse(resp)
	if err != nil {
		return nil, unusable(st, resp, err)
	}
	return credentialFrom(st, resp, parsed.JSON200)
}

// Delete removes a credential. A connector's active credential cannot be
// deleted; grants that use a deleted credential stop working at once.
//
// When an attempt's outcome was lost (a dropped connection or a 502/503/504)
// and the retry finds the credential gone (404), Delete reports success: the
// most likely reason is that the lost attempt deleted it. A 404 on the first
// attempt is returned as the *APIError it is.
func (c *Client) Delete(ctx context.Context, provider Provider, id string) error {
	var probs problems
	checkProvider(provider, &probs)
	checkID(id, &probs)
	if err := probs.err("delete"); err != nil {
		return err
	}

	ctx, cancel, st := c.begin(ctx, nil)
	defer cancel()
	resp, err := st.result(c.api.DeleteCredential(ctx, gen.Provider(provider), id))
	if err != nil {
		if st.attempts > 1 && IsNotFound(err) {
			return nil
		}
		return err
	}
	// 200 carries {request_id} and 204 nothing. A body that is there but is
	// not that JSON means something between us and Nylas answered. Parsing
	// also reads the body to its end, which releases the connection.
	if _, err := gen.ParseDeleteCredentialResponse(resp); err != nil && resp.StatusCode != http.StatusNoContent {
		return unusable(st, resp, err)
	}
	return nil
}

// credentialFrom checks a decoded credential envelope: a 2xx that is not the
// documented JSON, or a credential without an id, is unusable.
func credentialFrom(st *callState, resp *http.Response, env *gen.CredentialEnvelope) (*Credential, error) {
	if env == nil {
		return nil, unusable(st, resp, errNotJSON)
	}
	if env.Data.Id == "" {
		return nil, unusable(st, resp, errors.New("credential has no id"))
	}
	cred := credentialFromGen(env.Data)
	return &cred, nil
}
