package wrapper

import (
	"context"
	"errors"
)

// ErrFlowMismatch is matched (errors.Is) by the error of an Update whose
// credential_data is of another flow than the credential's stored one.
var ErrFlowMismatch = errors.New("nylascreds: credential data of another flow than the stored one")

// FlowMismatchError says which flows an Update refused to mix. It is wrapped
// by a *ValidationError on credential_data; errors.As reaches it.
type FlowMismatchError struct {
	// ID is the credential's id.
	ID string
	// Stored is the flow the credential is stored with; Sent the flow of
	// the refused credential_data.
	Stored, Sent CredentialType
}

// Error names both flows and the way out.
func (e *FlowMismatchError) Error() string {
	return "credential " + quote(e.ID) + " is stored as " + string(e.Stored) + ", not " + string(e.Sent) +
		"; sending " + string(e.Sent) + " data would replace it whole (set UpdateRequest.AllowFlowChange to do so on purpose)"
}

// Is makes errors.Is(err, ErrFlowMismatch) true.
func (e *FlowMismatchError) Is(target error) bool { return target == ErrFlowMismatch }

// providerFlows lists the flows a provider's credentials can have, where the
// provider narrows them: every other provider has connector overrides only.
var providerFlows = map[Provider][]CredentialType{
	ProviderGoogle:    {CredentialTypeServiceAccount, CredentialTypeConnector},
	ProviderMicrosoft: {CredentialTypeAdminConsent, CredentialTypeConnector},
}

// checkStoredFlow makes sure req.Data is of the credential's stored flow
// before it is sent, reading the credential when the provider alone does
// not decide. It returns what it found out.
func (c *Client) checkStoredFlow(ctx context.Context, cfg *config, provider Provider, id string, req UpdateRequest) (FlowCheck, error) {
	switch {
	case req.Data == nil:
		return FlowNotChecked, nil
	case req.AllowFlowChange:
		return FlowCheckSkipped, nil
	case providerFlows[provider] == nil:
		// CheckUpdate already refused any other flow for this provider.
		return FlowVerified, nil
	}
	readCfg := *cfg
	readCfg.into = nil // the caller's Response describes the PATCH
	cred, err := c.get(ctx, &readCfg, provider, id, req.Data)
	if err != nil {
		return FlowNotChecked, err
	}
	sent := req.Data.CredentialType()
	switch cred.CredentialType {
	case "":
		return FlowUnverified, nil
	case sent:
		return FlowVerified, nil
	}
	mismatch := &FlowMismatchError{ID: id, Stored: cred.CredentialType, Sent: sent}
	return FlowNotChecked, &ValidationError{
		Op:       "update",
		Problems: []FieldError{{Field: "credential_data", Rule: mismatch.Error()}},
		cause:    mismatch,
	}
}
