// Package wrapper is the nylascreds client for the Nylas API v3 Connector
// Credentials resource (/v3/connectors/{provider}/creds).
//
// It sits on the client that oapi-codegen generates from openapi.yaml (package
// gen) and adds what a generator cannot: API-key authentication, region
// selection, validation of credential_data per flow before anything is sent,
// one typed error for every non-2xx response, retries, capped response bodies
// and pagination.
//
// The update call is PATCH. Nylas keeps a field that the body leaves out, but a
// credential_data that is sent replaces the stored object as a whole: sending
// half of a flow's keys silently erases the rest. Every CredentialData value
// is therefore validated against its flow's complete set of keys, and a
// request that fails validation returns a *ValidationError without any
// network I/O.
//
// Because of that, Update also refuses credential_data of another flow than
// the one the credential is stored with (reading it first where the provider
// does not decide the flow), unless UpdateRequest.AllowFlowChange says the
// flow is being replaced on purpose.
//
// Every call goes one way: its options and input are checked (no I/O on a
// problem), the generated builder makes the request, one loop sends it
// (headers, retries, the body cap), the generated parser decodes a 2xx, and
// one place maps every failure to *APIError, *ResponseError or
// *RequestError. The same options configure a Client (New) and one call.
//
// Secrets (the API key, client secrets, private keys) are held in values that
// redact themselves in every fmt verb and in slog, and never appear in errors.
package wrapper
