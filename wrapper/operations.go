package wrapper

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/nylascreds/nylascreds/gen"
)

// Credential is a stored connector credential, without its secret credential_data
// (the API never returns it); an error that carries one scrubs it (see Client).
type Credential struct {
	ID   string `json:"id"`   // unique within the provider's connector
	Name string `json:"name"` // unique within the connector
	// CreatedAt and UpdatedAt come from the API's Unix seconds, in UTC.
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	// CredentialType (the flow) and HashedData (a hash of the stored data) are the
	// server's text, at most 256 bytes each, or "" when it does not report them.
	CredentialType CredentialType `json:"credential_type,omitempty"`
	HashedData     string         `json:"hashed_data,omitempty"`
}

// credentialFrom checks a decoded credential: a credential without a field
// the API documents as required is unusable, not silently "" or 1970.
func credentialFrom(g gen.Credential, sc scrubber) (Credential, error) {
	missing := ""
	switch {
	case g.Id == "":
		missing = "id"
	case g.Name == "":
		missing = "name"
	case g.CreatedAt == 0:
		missing = "created_at"
	case g.UpdatedAt == 0:
		missing = "updated_at"
	}
	if missing != "" {
		return Credential{}, errors.New("credential has no " + missing)
	}
	return Credential{ID: sc.replace(g.Id), Name: sc.replace(g.Name),
		CreatedAt: time.Unix(g.CreatedAt, 0).UTC(), UpdatedAt: time.Unix(g.UpdatedAt, 0).UTC(),
		CredentialType: CredentialType(sc.text(g.CredentialType, maxIDText)), HashedData: sc.text(g.HashedData, maxIDText),
	}, nil
}

// errNotJSON is the cause when a 2xx response is not the documented JSON.
var errNotJSON = errors.New("body is not the documented JSON")

// credentialCall sends a request answered by a credential envelope.
func (c *Client) credentialCall(ctx context.Context, cfg *config, k call) (*Credential, error) {
	var cred *Credential
	k.decode = func(_ int, body []byte) (string, error) {
		var env gen.CredentialEnvelope
		if err := json.Unmarshal(body, &env); err != nil {
			return "", fmt.Errorf("%w: %v", errNotJSON, err)
		}
		got, err := credentialFrom(env.Data, c.keyScrub())
		cred = &got
		return env.RequestId, err
	}
	if err := c.do(ctx, cfg, k); err != nil {
		return nil, err
	}
	return cred, nil
}

// CreateRequest is the input of Create; both fields are required.
type CreateRequest struct {
	Name string         // unique within the connector
	Data CredentialData // one flow's data; its flow is the credential's type
}

// Create registers a credential with provider's connector. When Nylas already
// holds one with the same parameters it returns that one (status 200).
func (c *Client) Create(ctx context.Context, provider Provider, req CreateRequest, opts ...Option) (*Credential, error) {
	cfg, optErr := c.callConfig(opts)
	if err := errors.Join(optErr, CheckCreate(provider, req)); err != nil {
		return nil, err
	}
	body, err := req.Data.createBody(req.Name)
	if err != nil {
		return nil, fmt.Errorf("nylascreds: create: encode body: %w", err)
	}
	return c.credentialCall(ctx, cfg, call{secrets: req.Data.secrets(), build: func(server string) (*http.Request, error) {
		return gen.NewCreateCredentialRequest(server, gen.Provider(provider), body)
	}})
}

// Get returns one credential (without its secret data).
func (c *Client) Get(ctx context.Context, provider Provider, id string, opts ...Option) (*Credential, error) {
	cfg, err := c.targetConfig("get", provider, opts, id)
	if err != nil {
		return nil, err
	}
	return c.get(ctx, cfg, provider, id, nil)
}

// get reads a credential, scrubbing the answer also of secrets (what Update is about to send).
func (c *Client) get(ctx context.Context, cfg *config, provider Provider, id string, secrets []Secret) (*Credential, error) {
	return c.credentialCall(ctx, cfg, call{secrets: secrets, build: func(server string) (*http.Request, error) {
		return gen.NewGetCredentialRequest(server, gen.Provider(provider), id)
	}})
}

// UpdateRequest is the input of Update. At least one of Name and Data must be set.
type UpdateRequest struct {
	Name string // the new name; "" keeps it
	// Data replaces the stored credential_data whole; nil keeps it. It must carry
	// all of its flow's keys and be of the stored flow (a flow cannot change).
	Data CredentialData
	// ConfirmUnverified decides, before anything is sent, an update whose stored
	// flow the server does not report (see Update), given the credential as read:
	// nil, or a nil return, sends it unverified; an error (RefuseUnverified's,
	// say) refuses it with a *FlowUnverifiedError.
	ConfirmUnverified func(stored *Credential) error
}

// RefuseUnverified, as ConfirmUnverified, refuses every update whose stored flow cannot be verified.
func RefuseUnverified(*Credential) error {
	return errors.New("strict mode (RefuseUnverified) sends only verified updates")
}

// FlowCheck is what Update found out about the stored flow before it sent credential_data.
type FlowCheck string

// The outcomes of the flow check.
const (
	FlowNotChecked FlowCheck = ""           // no data, or not an update
	FlowVerified   FlowCheck = "verified"   // reported by the server, or decided by the provider, and matching
	FlowUnverified FlowCheck = "unverified" // not reported; sent as ConfirmUnverified allowed
)

// Update changes a credential with PATCH: its name, its credential_data, or
// both; a field left unset is kept.
//
// Data replaces the stored data whole, so it is checked against its flow's keys
// and, for google and microsoft (the providers with two flows), against the
// stored flow: Update first reads the credential (one GET) and refuses another
// flow with a *FlowMismatchError. Nylas does not document that it reports the
// flow; when the read carries none, req.ConfirmUnverified decides. The GET and
// the PATCH are each bounded by WithTimeout, ConfirmUnverified is not (a person
// may be answering). With no precondition header, a change made by someone else
// between the GET and the PATCH is not seen.
func (c *Client) Update(ctx context.Context, provider Provider, id string, req UpdateRequest, opts ...Option) (*Credential, error) {
	cfg, optErr := c.callConfig(opts)
	if err := errors.Join(optErr, CheckUpdate(provider, id, req)); err != nil {
		return nil, err
	}
	k := call{}
	body := gen.UpdateCredentialRequest{}
	if req.Name != "" {
		body.Name = &req.Name
	}
	if req.Data != nil {
		data, err := req.Data.updateData()
		if err != nil {
			return nil, fmt.Errorf("nylascreds: update: encode body: %w", err)
		}
		body.CredentialData, k.secrets = &data, req.Data.secrets()
		if k.flow, err = c.checkStoredFlow(ctx, cfg, provider, id, req, k.secrets); err != nil {
			return nil, err
		}
	}
	k.build = func(server string) (*http.Request, error) {
		return gen.NewUpdateCredentialRequest(server, gen.Provider(provider), id, body)
	}
	return c.credentialCall(ctx, cfg, k)
}

// checkStoredFlow reads the credential Update is about to change, for
// CheckStoredFlow; a provider with one flow needs no read.
func (c *Client) checkStoredFlow(ctx context.Context, cfg *config, provider Provider, id string, req UpdateRequest, secrets []Secret) (FlowCheck, error) {
	if provider != ProviderGoogle && provider != ProviderMicrosoft {
		return FlowVerified, nil
	}
	readCfg := *cfg
	readCfg.into = nil // the caller's Response describes the PATCH
	stored, err := c.get(ctx, &readCfg, provider, id, secrets)
	if err != nil {
		return FlowNotChecked, err
	}
	return CheckStoredFlow(provider, stored, req.Data, req.ConfirmUnverified)
}

// CheckStoredFlow decides, with no I/O, whether data may take the place of the
// data of stored (a credential of provider as read): Update runs it before its
// PATCH, admin.Rotate before it creates a successor. google and microsoft have
// two flows: data of another flow than the one the server reports is refused
// with a *FlowMismatchError; when the server reports none, confirm decides
// (nil, or a nil return, goes on unverified; an error refuses with a
// *FlowUnverifiedError). Other providers have one flow, which CheckCreate and
// CheckUpdate enforce. Server text in the errors is scrubbed of data's secrets.
func CheckStoredFlow(provider Provider, stored *Credential, data CredentialData, confirm func(*Credential) error) (FlowCheck, error) {
	sent := data.CredentialType()
	sc := newScrubber(data.secrets()...)
	switch {
	case provider != ProviderGoogle && provider != ProviderMicrosoft, stored.CredentialType == sent:
		return FlowVerified, nil
	case stored.CredentialType != "":
		return FlowNotChecked, &FlowMismatchError{ID: sc.replace(stored.ID), Stored: CredentialType(sc.text(string(stored.CredentialType), maxIDText)), Sent: sent}
	case confirm != nil:
		if err := confirm(stored); err != nil {
			s := *stored
			s.ID, s.Name, s.HashedData = sc.replace(s.ID), sc.replace(s.Name), sc.replace(s.HashedData)
			return FlowUnverified, &FlowUnverifiedError{Stored: &s, Err: err}
		}
	}
	return FlowUnverified, nil
}

// Delete removes a credential. A connector's active credential cannot be
// deleted; grants that use a deleted credential stop working at once. A 404 on
// a retry after a lost outcome (a dropped connection, a 502/503/504) is success:
// the lost attempt most likely deleted it. Any other 404 is returned.
func (c *Client) Delete(ctx context.Context, provider Provider, id string, opts ...Option) error {
	cfg, err := c.targetConfig("delete", provider, opts, id)
	if err != nil {
		return err
	}
	return c.do(ctx, cfg, call{
		goneAfterLost: true,
		build: func(server string) (*http.Request, error) {
			return gen.NewDeleteCredentialRequest(server, gen.Provider(provider), id)
		},
		decode: func(status int, body []byte) (string, error) {
			// 200 carries {request_id} and 204 nothing.
			var env gen.DeleteEnvelope
			if err := json.Unmarshal(body, &env); status != http.StatusNoContent && err != nil {
				return "", fmt.Errorf("%w: %v", errNotJSON, err)
			}
			return env.RequestId, nil
		},
	})
}

// callConfig is the client's configuration with one call's options applied.
func (c *Client) callConfig(opts []Option) (*config, error) {
	cfg := c.cfg
	cfg.perCall = true
	return &cfg, cfg.apply(opts)
}

// targetConfig checks the options, and the provider and credential (ids: one,
// or none for a call on the connector) a call names.
func (c *Client) targetConfig(op string, provider Provider, opts []Option, ids ...string) (*config, error) {
	cfg, optErr := c.callConfig(opts)
	var probs problems
	checkProvider(provider, &probs)
	for _, id := range ids {
		checkID(id, &probs)
	}
	return cfg, errors.Join(optErr, probs.err(op))
}
