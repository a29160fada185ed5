// Package wrapper is the nylascreds client for the Nylas API v3 Connector
// Credentials resource (/v3/connectors/{provider}/creds). To the client that
// oapi-codegen generates from openapi.yaml (package gen) it adds what a
// generator cannot: API-key authentication, regions, validation of
// credential_data per flow, typed errors, retries, capped response bodies and
// pagination.
//
// Update is a PATCH: Nylas keeps a field the body leaves out, but a
// credential_data that is sent replaces the stored one whole, so half of a
// flow's keys, or another flow's, would destroy it. Every CredentialData is
// checked against its flow's complete set of keys before anything is sent, and
// Update checks the stored flow first (see Client.Update).
//
// A call's options and input are checked (no I/O on a problem), a generated
// builder makes the request, one loop sends it (headers, retries, the body
// cap), its body is decoded once into the generated model, and every failure
// is one of these:
//
//	error                 errors.Is target     when                                               sent
//	*ValidationError      ErrValidation        input or per-call options refused                  nothing
//	*FlowMismatchError    ErrFlowMismatch      data of another flow than stored (Update, Rotate)  one GET, no PATCH
//	*FlowUnverifiedError  ErrFlowUnverified    stored flow unknown; ConfirmUnverified refused     one GET, no PATCH
//	*APIError             (IsNotFound, ...)    any non-2xx response, whatever its body            the request
//	*ResponseError        ErrResponseTooLarge  over the cap, cut short, or 2xx not as documented  the request
//	*RequestError         context errors       no response: connection, context, redirect         maybe
//	ErrPaginationStalled, ErrTooManyPages      a walk (Pages, All, Grants) that cannot end        pages so far
//
// New reports bad client options as one joined error before any I/O. Package
// admin (Rotate, Retire) adds *admin.CredentialInUseError and
// *admin.RotationError.
//
// Secrets (the API key, client secrets, private keys, Secret settings) redact
// themselves in every fmt verb, in slog and in JSON; server text kept in
// errors, logs and Responses is scrubbed of them by the rule on Client.
package wrapper
