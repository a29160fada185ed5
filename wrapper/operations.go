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

// Credential is a stored connector credential. The API never returns the
// secret credential_data, so neither does this type. Its text is the
// server's, scrubbed of the call's secrets (see Client).
type Credential struct {
	// ID identifies the credential within its provider's connector.
	ID string `json:"id"`
	// Name is unique within the connector.
	Name string `json:"name"`
	// CreatedAt and UpdatedAt come from the API's Unix seconds, in UTC.
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	// CredentialType is the flow when the server reports it, else "" (at
	// most 256 bytes). It is the server's text, so a new flow still decodes.
	CredentialType CredentialType `json:"credential_type,omitempty"`
	// HashedData is a hash of the stored data when the server reports it
	// (at most 256 bytes).
	HashedData string `json:"hashed_data,omitempty"`
}

// credentialFrom checks a decoded credential: the API documents id, name,
// created_at and updated_at as required, so a credential lacking one is
// unusable rather than silently named "" or dated 1970.
func credentialFrom(g gen.Credential, sc scrubber) (Credential, error) {
	switch {
	case g.Id == "":
		return Credential{}, errors.New("credential has no id")
	case g.Name == "":
		return Credential{}, errors.New("credential has no name")
	case g.CreatedAt == 0:
		return Credential{}, errors.New("credential has no created_at")
	case g.UpdatedAt == 0:
		return Credential{}, errors.New("credential has no updated_at")
	}
	return Credential{
		ID:             sc.replace(g.Id),
		Name:           sc.replace(g.Name),
		CreatedAt:      time.Unix(g.CreatedAt, 0).UTC(),
		UpdatedAt:      time.Unix(g.UpdatedAt, 0).UTC(),
		CredentialType: CredentialType(sc.text(g.CredentialType, maxIDText)),
		HashedData:     sc.text(g.HashedData, maxIDText),
	}, nil
}

// decodeCredential decodes a credential envelope into *dst.
func decodeCredential(dst **Credential) func(int, []byte, scrubber) (string, error) {
	return func(_ int, body []byte, sc scrubber) (string, error) {
		var env gen.CredentialEnvelope
		if err := json.Unmarshal(body, &env); err != nil {
			return "", fmt.Errorf("%w: %v", errNotJSON, err)
		}
		cred, err := credentialFrom(env.Data, sc)
		if err == nil {
			*dst = &cred
		}
		return env.RequestId, err
	}
}

// errNotJSON is the cause when a 2xx response is not the documented JSON.
var errNotJSON = errors.New("body is not the documented JSON")

// CreateRequest is the input of Create.
type CreateRequest struct {
	// Name must be unique within the connector. Required.
	Name string
	// Data is the credential_data of one flow; its CredentialType becomes the
	// request's credential_type. Required.
	Data CredentialData
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
	var cred *Credential
	err = c.do(ctx, cfg, call{
		secrets: req.Data.secretValues(),
		build: func(server string) (*http.Request, error) {
			return gen.NewCreateCredentialRequest(server, gen.Provider(provider), body)
		},
		decode: decodeCredential(&cred),
	})
	return cred, err
}

// Get returns one credential (without its secret data).
func (c *Client) Get(ctx context.Context, provider Provider, id string, opts ...Option) (*Credential, error) {
	cfg, optErr := c.callConfig(opts)
	var probs problems
	checkProvider(provider, &probs)
	checkID(id, &probs)
	if err := errors.Join(optErr, probs.err("get")); err != nil {
		return nil, err
	}
	return c.get(ctx, cfg, provider, id, nil)
}

// get reads a credential; data, when set, is what the caller is about to send
// (Update's guard), whose secrets are scrubbed from the answer too.
func (c *Client) get(ctx context.Context, cfg *config, provider Provider, id string, data CredentialData) (*Credential, error) {
	var cred *Credential
	k := call{
		build: func(server string) (*http.Request, error) {
			return gen.NewGetCredentialRequest(server, gen.Provider(provider), id)
		},
		decode: decodeCredential(&cred),
	}
	if data != nil {
		k.secrets = data.secretValues()
	}
	err := c.do(ctx, cfg, k)
	return cred, err
}

// UpdateRequest is the input of Update. At least one of Name and Data must be set.
type UpdateRequest struct {
	// Name renames the credential. "" keeps the current name.
	Name string
	// Data replaces the stored credential_data as a whole. nil keeps it. It
	// must carry all of its flow's keys and be of the credential's stored
	// flow: a credential's flow cannot change (the PATCH body has no
	// credential_type).
	Data CredentialData
	// ConfirmUnverified decides, before anything is sent, an update whose
	// stored flow the server does not report (see Update); it gets the
	// credential as read. nil, or a nil return, sends the update unverified;
	// an error refuses it with a *FlowUnverifiedError. RefuseUnverified is
	// the strict choice.
	ConfirmUnverified func(stored *Credential) error
}

// RefuseUnverified, as UpdateRequest.ConfirmUnverified, refuses every update
// whose stored flow cannot be verified.
func RefuseUnverified(*Credential) error {
	return errors.New("strict mode (RefuseUnverified) sends only verified updates")
}

// FlowCheck is what Update found out about the credential's stored flow
// before it sent credential_data.
type FlowCheck string

// The outcomes of the flow check.
const (
	// FlowNotChecked: no credential_data was sent, or the call was not an update.
	FlowNotChecked FlowCheck = ""
	// FlowVerified: the stored flow was known (reported by the server, or
	// decided by the provider) and matched the data.
	FlowVerified FlowCheck = "verified"
	// FlowUnverified: the server did not report the stored flow, the
	// provider alone does not decide it, and the update was sent anyway.
	FlowUnverified FlowCheck = "unverified"
)

// Update changes a credential with PATCH: its name, its credential_data, or
// both. A field left unset is kept by the server.
//
// Data replaces the stored credential_data whole, so it is checked against
// its flow's complete set of keys, and against the stored flow, before it is
// sent. For google and microsoft, which have two flows each, Update first
// reads the credential (one GET): data of another flow is refused with a
// *FlowMismatchError. Nylas does not document that it reports a
// credential's flow; when the credential read carries none, Update calls
// req.ConfirmUnverified before sending, and records FlowUnverified in the
// Response (WithResponseInto). Other providers have connector overrides only.
//
// No precondition header exists: a change made by someone else between the
// GET and the PATCH is not seen.
func (c *Client) Update(ctx context.Context, provider Provider, id string, req UpdateRequest, opts ...Option) (*Credential, error) {
	cfg, optErr := c.callConfig(opts)
	if err := errors.Join(optErr, CheckUpdate(provider, id, req)); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.timeout) // the check and the PATCH together
	defer cancel()
	flow, err := c.checkStoredFlow(ctx, cfg, provider, id, req)
	if err != nil {
		return nil, err
	}
	var body gen.UpdateCredentialRequest
	k := call{flow: flow}
	if req.Name != "" {
		body.Name = &req.Name
	}
	if req.Data != nil {
		data, err := req.Data.updateData()
		if err != nil {
			return nil, fmt.Errorf("nylascreds: update: encode body: %w", err)
		}
		body.CredentialData = &data
		k.secrets = req.Data.secretValues()
	}
	var cred *Credential
	k.build = func(server string) (*http.Request, error) {
		return gen.NewUpdateCredentialRequest(server, gen.Provider(provider), id, body)
	}
	k.decode = decodeCredential(&cred)
	err = c.do(ctx, cfg, k)
	return cred, err
}

// checkStoredFlow makes sure req.Data is of the credential's stored flow
// before it is sent, reading the credential where the provider has two flows.
func (c *Client) checkStoredFlow(ctx context.Context, cfg *config, provider Provider, id string, req UpdateRequest) (FlowCheck, error) {
	switch {
	case req.Data == nil:
		return FlowNotChecked, nil
	case provider != ProviderGoogle && provider != ProviderMicrosoft:
		return FlowVerified, nil // CheckUpdate refused any flow but connector
	}
	readCfg := *cfg
	readCfg.into = nil // the caller's Response describes the PATCH
	stored, err := c.get(ctx, &readCfg, provider, id, req.Data)
	if err != nil {
		return FlowNotChecked, err
	}
	switch sent := req.Data.CredentialType(); stored.CredentialType {
	case sent:
		return FlowVerified, nil
	case "":
		if req.ConfirmUnverified != nil {
			if err := req.ConfirmUnverified(stored); err != nil {
				return FlowUnverified, &FlowUnverifiedError{Stored: stored, Err: err}
			}
		}
		return FlowUnverified, nil
	default:
		return FlowNotChecked, &FlowMismatchError{ID: id, Stored: stored.CredentialType, Sent: sent}
	}
}

// Delete removes a credential. A connector's active credential cannot be
// deleted; grants that use a deleted credential stop working at once.
//
// When an attempt's outcome was lost (a dropped connection or a 502/503/504)
// and a retry finds the credential gone (404), Delete reports success: the
// lost attempt most likely deleted it. Any other 404 is returned.
func (c *Client) Delete(ctx context.Context, provider Provider, id string, opts ...Option) error {
	cfg, optErr := c.callConfig(opts)
	var probs problems
	checkProvider(provider, &probs)
	checkID(id, &probs)
	if err := errors.Join(optErr, probs.err("delete")); err != nil {
		return err
	}
	return c.do(ctx, cfg, call{
		goneAfterLost: true,
		build: func(server string) (*http.Request, error) {
			return gen.NewDeleteCredentialRequest(server, gen.Provider(provider), id)
		},
		decode: func(status int, body []byte, _ scrubber) (string, error) {
			// 200 carries {request_id} and 204 nothing; any other body means
			// something between us and Nylas answered.
			var env gen.DeleteEnvelope
			if status == http.StatusNoContent {
				return "", nil
			}
			if err := json.Unmarshal(body, &env); err != nil {
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
