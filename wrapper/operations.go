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

// UpdateRequest is the input of Update. At least one of Name and Data must be set.
type UpdateRequest struct {
	// Name renames the credential. "" keeps the current name.
	Name string
	// Data replaces the stored credential_data as a whole. nil keeps it. It
	// must carry all of its flow's keys, and be of the credential's stored
	// flow unless AllowFlowChange is set.
	Data CredentialData
	// AllowFlowChange lets Data be of another flow than the stored one,
	// replacing, say, a service account's key with a connector override.
	// Without it, Update finds out the stored flow first (see Update).
	AllowFlowChange bool
}

// Create registers a credential with provider's connector. When Nylas
// already holds a credential with the same parameters it returns that one
// (status 200) rather than creating a second.
func (c *Client) Create(ctx context.Context, provider Provider, req CreateRequest, opts ...Option) (*Credential, error) {
	cfg, optErr := c.callConfig(opts)
	if err := errors.Join(optErr, CheckCreate(provider, req)); err != nil {
		return nil, err
	}
	body, err := req.Data.createBody(req.Name)
	if err != nil {
		return nil, fmt.Errorf("nylascreds: create: encode body: %w", err)
	}
	cred, _, err := call[*Credential]{
		data: req.Data,
		build: func(server string) (*http.Request, error) {
			return gen.NewCreateCredentialRequest(server, gen.Provider(provider), body)
		},
		parse: parseCredential(func(r *http.Response) (*gen.CredentialEnvelope, error) {
			p, err := gen.ParseCreateCredentialResponse(r)
			switch {
			case err != nil:
				return nil, err
			case p.JSON201 != nil:
				return p.JSON201, nil
			}
			return p.JSON200, nil
		}),
	}.run(ctx, c, cfg)
	return cred, err
}

// Get returns one credential (without its secret data).
func (c *Client) Get(ctx context.Context, provider Provider, id string, opts ...Option) (*Credential, error) {
	cfg, optErr := c.callConfig(opts)
	var probs problems
	checkProvider(provider, &probs)
	checkID(id, &probs)
	if err := checked(optErr, &probs, "get"); err != nil {
		return nil, err
	}
	return c.get(ctx, cfg, provider, id, nil)
}

// get reads a credential. data, when set, is what the caller is about to
// send (Update's flow check): its secrets are scrubbed from the answer too.
func (c *Client) get(ctx context.Context, cfg *config, provider Provider, id string, data CredentialData) (*Credential, error) {
	cred, _, err := call[*Credential]{
		data: data,
		build: func(server string) (*http.Request, error) {
			return gen.NewGetCredentialRequest(server, gen.Provider(provider), id)
		},
		parse: parseCredential(func(r *http.Response) (*gen.CredentialEnvelope, error) {
			p, err := gen.ParseGetCredentialResponse(r)
			if err != nil {
				return nil, err
			}
			return p.JSON200, nil
		}),
	}.run(ctx, c, cfg)
	return cred, err
}

// Update changes a credential with PATCH: its name, its credential_data, or
// both. A field left unset is kept by the server. An update with neither
// field is refused.
//
// Data, when set, replaces the stored credential_data as a whole, so it is
// checked against its flow's complete set of keys, and against the flow the
// credential is stored with, before anything is sent. Where the provider
// decides the flow (every provider but google and microsoft has connector
// overrides only) no request is needed; otherwise Update first reads the
// credential (one GET). Data of another flow is refused with a
// *ValidationError on credential_data that wraps a *FlowMismatchError
// (errors.Is(err, ErrFlowMismatch)); nothing is changed. Set
// AllowFlowChange to replace the flow on purpose.
//
// Nylas does not document that it reports a credential's flow. When the
// credential read back carries no credential_type, the check cannot be made
// and the update is sent unverified: WithResponseInto's Response.FlowCheck
// is then FlowUnverified (FlowVerified when the check was made).
func (c *Client) Update(ctx context.Context, provider Provider, id string, req UpdateRequest, opts ...Option) (*Credential, error) {
	cfg, optErr := c.callConfig(opts)
	if err := errors.Join(optErr, CheckUpdate(provider, id, req)); err != nil {
		return nil, err
	}
	ctx, cancel := withTimeout(ctx, cfg.timeout) // the check and the PATCH together
	defer cancel()
	flow, err := c.checkStoredFlow(ctx, cfg, provider, id, req)
	if err != nil {
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
	cred, _, err := call[*Credential]{
		data: req.Data,
		build: func(server string) (*http.Request, error) {
			return gen.NewUpdateCredentialRequest(server, gen.Provider(provider), id, body)
		},
		parse: parseCredential(func(r *http.Response) (*gen.CredentialEnvelope, error) {
			p, err := gen.ParseUpdateCredentialResponse(r)
			if err != nil {
				return nil, err
			}
			return p.JSON200, nil
		}),
	}.run(ctx, c, cfg)
	if cfg.into != nil && cfg.into.StatusCode != 0 {
		cfg.into.FlowCheck = flow
	}
	return cred, err
}

// Delete removes a credential. A connector's active credential cannot be
// deleted; grants that use a deleted credential stop working at once.
//
// When an attempt's outcome was lost (a dropped connection or a 502/503/504)
// and a retry finds the credential gone (404), Delete reports success: the
// most likely reason is that the lost attempt deleted it. Any other 404 is
// returned as the *APIError it is.
func (c *Client) Delete(ctx context.Context, provider Provider, id string, opts ...Option) error {
	cfg, optErr := c.callConfig(opts)
	var probs problems
	checkProvider(provider, &probs)
	checkID(id, &probs)
	if err := checked(optErr, &probs, "delete"); err != nil {
		return err
	}
	_, ex, err := call[struct{}]{
		build: func(server string) (*http.Request, error) {
			return gen.NewDeleteCredentialRequest(server, gen.Provider(provider), id)
		},
		parse: func(r *http.Response) (struct{}, string, error) {
			// 200 carries {request_id} and 204 nothing. A body that is
			// there but is not that JSON means something between us and
			// Nylas answered.
			if r.StatusCode == http.StatusNoContent {
				return struct{}{}, "", nil
			}
			p, err := gen.ParseDeleteCredentialResponse(r)
			if err != nil {
				return struct{}{}, "", err
			}
			if p.JSON200 == nil {
				return struct{}{}, "", errNotJSON
			}
			return struct{}{}, p.JSON200.RequestId, nil
		},
	}.run(ctx, c, cfg)
	if err != nil && ex.lost && IsNotFound(err) {
		return nil
	}
	return err
}

// parseCredential adapts a generated parser of a credential envelope.
func parseCredential(parse func(*http.Response) (*gen.CredentialEnvelope, error)) func(*http.Response) (*Credential, string, error) {
	return func(r *http.Response) (*Credential, string, error) {
		env, err := parse(r)
		if err != nil {
			return nil, "", err
		}
		if env == nil {
			return nil, "", errNotJSON
		}
		cred, err := credentialFrom(env.Data)
		return cred, env.RequestId, err
	}
}

// credentialFrom checks a decoded credential: the API documents id, name,
// created_at and updated_at as required, so a credential lacking one is
// unusable rather than silently named "" or dated 1970.
func credentialFrom(g gen.Credential) (*Credential, error) {
	switch {
	case g.Id == "":
		return nil, errors.New("credential has no id")
	case g.Name == "":
		return nil, errors.New("credential has no name")
	case g.CreatedAt == 0:
		return nil, errors.New("credential has no created_at")
	case g.UpdatedAt == 0:
		return nil, errors.New("credential has no updated_at")
	}
	cred := credentialFromGen(g)
	return &cred, nil
}
