// Package wrapper is the nylascreds client for the Nylas API v3 Connector
// Credentials resource (/v3/connectors/{provider}/creds).
//
// It sits on the client that oapi-codegen generates from openapi.yaml (package
// gen) and adds what a generator cannot: API-key authentication, regions,
// validation of credential_data per flow, typed errors, retries, capped
// response bodies and pagination.
//
// The update call is PATCH. Nylas keeps a field that the body leaves out, but
// a credential_data that is sent replaces the stored object whole: half of a
// flow's keys, or another flow's keys, would destroy what is stored. Every
// CredentialData is therefore checked against its flow's complete set of keys
// before anything is sent, and Update checks the stored flow first (see
// Client.Update).
//
// Every call goes one way: its options and input are checked (no I/O on a
// problem), a generated builder makes the request, one loop sends it
// (headers, retries, the body cap), its body is decoded once into the
// generated model, and one function maps every failure to one of these:
//
//	error                 errors.Is target    when                                        sent
//	*ValidationError      ErrValidation       input or per-call options refused           nothing
//	*FlowMismatchError    ErrFlowMismatch     Update's (admin.Rotate's) data is of another one GET, no PATCH
//	                                          stored flow
//	*FlowUnverifiedError  ErrFlowUnverified   the stored flow is unknown and the caller    one GET, no PATCH
//	                                          refused (UpdateRequest.ConfirmUnverified)
//	*APIError             (IsNotFound, ...)   any non-2xx response, whatever its body      the request
//	*ResponseError        ErrResponseTooLarge a response that cannot be used: over the     the request
//	                                          cap, cut short, or not the documented JSON
//	*RequestError         context errors      no response: connection, context, redirect  maybe
//	ErrPaginationStalled, ErrTooManyPages     a walk (Pages, All) that cannot end          pages so far
//
// New reports bad client options as one joined error before any I/O. Package
// admin (Rotate, Retire) adds *admin.CredentialInUseError and
// *admin.RotationError.
//
// Secrets (the API key, client secrets, private keys, Secret settings) are
// held in values that redact themselves in every fmt verb, in slog and in
// JSON. Server text kept in errors, logs and Responses is scrubbed of them by
// the rule on Client.
package wrapper
