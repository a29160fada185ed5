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
// (what a client really sent) and script the next responses: a status, headers
// such as Retry-After, a body, a delay, a dropped connection.
//
//	srv := nylastest.NewServer()
//	defer srv.Close()
//	client, _ := wrapper.New(srv.APIKey(), wrapper.WithBaseURL(srv.URL))
package nylastest
