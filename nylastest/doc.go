// Package nylastest is a fake Nylas Connector Credentials API for tests: in
// memory, safe for concurrent use, and guarded by nylascreds's openapi.yaml.
//
// Every request is validated against the spec with kin-openapi before it is
// handled (a request off the spec gets a 400 in the Nylas error envelope that
// names the problem), and every response the fake writes is validated too, so
// a bug in the fake fails loudly instead of teaching a client wrong habits.
//
// It behaves like Nylas where it matters to clients: bearer-key auth (401),
// creates that return an identical existing credential with 200, unique names,
// 404 for an unknown id or an id under another provider, PATCH that keeps an
// absent name and replaces credential_data as a whole, list paging and sorting.
// Beyond the real API it lets a test read back the stored credential_data
// (what a client really sent) and every request as it arrived (Requests), and
// script the next responses (Enqueue): a status, headers such as Retry-After,
// a body, a delay, a dropped connection, or a handler of the test's own. The
// spec guard sees those too: each request is recorded with the reason it is
// off the contract, if it is (Request.Problem), even when a script answers
// it, and a scripted answer that breaks openapi.yaml is recorded in
// Violations unless the Fault says it is meant to (see Fault).
//
//	srv := nylastest.NewServer()
//	defer srv.Close()
//	client, _ := wrapper.New(srv.APIKey(), wrapper.WithBaseURL(srv.URL))
//
// # Connectors and grants
//
// A provider's connector appears with its first credential, which becomes
// its active one (ActiveCredential); the fake refuses to delete the active
// credential (400), as Nylas does. Nylas makes a connector's first credential
// itself, from the connector's app, when the connector is created; openapi.yaml
// has no call that creates a connector, so the first credential a test creates
// stands in for it. Deleting that one is therefore refused here where Nylas
// would delete it: make another credential active first. The fake switches
// active_credential_id only to a credential of the same provider. GET
// /v3/grants serves the grants a test adds (AddGrants,
// AddFirstCredentialGrants), paged and filtered by provider, email and
// grant_status.
//
// # What it sends
//
// Credentials carry id, name, created_at and updated_at: Nylas's published
// credential object. credential_type is sent only with WithCredentialType,
// because the real API may not send it; test code that reads it both ways.
// Timestamps come from the fake's clock (WithClock), and each create or
// update is stamped at least one second after the previous one.
//
// # Where it is stricter than Nylas's reference
//
// The fake refuses a request that Nylas's published reference accepts only
// where a real server would refuse it too; each such rule is a decision
// written in openapi.yaml, beside the rule or, for the last three, at the top:
//
//   - limit and offset must not be negative (both are counts; 0 is
//     accepted), and must fit in an int64;
//   - names, and the keys of credential_data, must not be empty strings;
//   - a request body over MaxBodyBytes (1 MiB) is answered 413, and nothing
//     is done;
//   - a request body whose arrays and objects nest more than MaxBodyDepth
//     (100) levels deep is answered 400 (api.invalid_request_payload), and
//     nothing is done: JSON parsers bound nesting (RFC 8259 allows it), and
//     the bodies Nylas documents nest 2 levels deep;
//   - a JSON string that is not valid UTF-8 (raw bytes, or half a surrogate
//     pair escaped as \ud800-\udfff) is answered 400
//     (api.invalid_request_payload), naming the field: JSON text is UTF-8,
//     and storing it would silently alter the name or secret.
//
// It accepts what the reference does not forbid: a PATCH body with fields
// other than name and credential_data (ignored), or with neither (an update
// that changes nothing but updated_at).
//
// # As a long-running server
//
// The fake is built to be attacked: requests without its API key are
// answered 401 with their body read and thrown away, never kept; the request
// log (Requests) is bounded, and so is the memory of recent checks (1,024 of
// them) that lets a repeated exchange skip its validation; HTTPServer, Serve
// and NewServer set read, write and idle timeouts (DefaultTimeouts,
// WithTimeouts) and bound headers to 64 KiB; Listen refuses an address that
// is not loopback unless asked. The credentials a client creates are kept
// for the fake's lifetime.
package nylastest
