package nylastest_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nylascreds/nylascreds/nylastest"
)

// send sends one raw request to the fake and returns the status, the body
// as received and the headers.
func send(t *testing.T, srv *nylastest.Server, key, method, path, body string) (int, []byte, http.Header) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, raw, resp.Header
}

// call sends one raw request to the fake and decodes the JSON answer.
func call(t *testing.T, srv *nylastest.Server, key, method, path, body string) (int, map[string]any, http.Header) {
	t.Helper()
	status, raw, header := send(t, srv, key, method, path, body)
	var out map[string]any
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &out); err != nil {
			t.Fatalf("%s %s: body %q is not JSON", method, path, raw)
		}
	}
	return status, out, header
}

// createUnanswered sends connectorBody as a google create, for a fault
// that drops the connection, and returns the client's error.
func createUnanswered(srv *nylastest.Server, key string) error {
	req, _ := http.NewRequest("POST", srv.URL+"/v3/connectors/google/creds", strings.NewReader(connectorBody))
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := srv.Client().Do(req)
	if err == nil {
		resp.Body.Close()
	}
	return err
}

func newServer(t *testing.T, opts ...nylastest.Option) *nylastest.Server {
	t.Helper()
	srv := nylastest.NewServer(opts...)
	t.Cleanup(func() {
		srv.Close()
		for _, v := range srv.Violations() {
			t.Errorf("fake wrote an off-spec response: %v", v)
		}
	})
	return srv
}

func errorType(body map[string]any) string {
	e, _ := body["error"].(map[string]any)
	s, _ := e["type"].(string)
	return s
}

func errorMessage(body map[string]any) string {
	e, _ := body["error"].(map[string]any)
	s, _ := e["message"].(string)
	return s
}

func data(body map[string]any) map[string]any {
	d, _ := body["data"].(map[string]any)
	return d
}

const connectorBody = `{"name":"override","credential_type":"connector","credential_data":{"client_id":"cid","client_secret":"csecret"}}`

func TestAuth(t *testing.T) {
	srv := newServer(t, nylastest.WithAPIKey("k1"))
	for _, key := range []string{"", "wrong"} {
		status, body, _ := call(t, srv, key, "GET", "/v3/connectors/google/creds", "")
		if status != 401 || errorType(body) != "api.authentication_error" || body["request_id"] == "" {
			t.Errorf("key %q: %d %v", key, status, body)
		}
	}
	if status, _, _ := call(t, srv, "k1", "GET", "/v3/connectors/google/creds", ""); status != 200 {
		t.Errorf("right key: %d", status)
	}
	if srv.APIKey() != "k1" {
		t.Error("APIKey")
	}
}

func TestCreateGetUpdateDeleteLifecycle(t *testing.T) {
	clock := time.Unix(1700000000, 0)
	srv := newServer(t, nylastest.WithClock(func() time.Time { return clock }))
	key := srv.APIKey()

	status, body, hdr := call(t, srv, key, "POST", "/v3/connectors/google/creds", connectorBody)
	if status != 201 {
		t.Fatalf("create: %d %v", status, body)
	}
	created := data(body)
	id := created["id"].(string)
	if len(created) != 4 || created["name"] != "override" || created["created_at"] != float64(1700000000) || created["updated_at"] != created["created_at"] {
		t.Errorf("created = %v, want exactly id, name, created_at, updated_at", created)
	}
	if ctype, _ := srv.StoredType("google", id); ctype != "connector" {
		t.Errorf("stored type = %q", ctype)
	}
	if hdr.Get("X-Request-Id") != body["request_id"] {
		t.Errorf("X-Request-Id %q != request_id %v", hdr.Get("X-Request-Id"), body["request_id"])
	}
	if got, _ := srv.StoredData("google", id); string(got) != `{"client_id":"cid","client_secret":"csecret"}` {
		t.Errorf("stored = %s", got)
	}

	// Identical create: the existing credential, 200.
	status, body, _ = call(t, srv, key, "POST", "/v3/connectors/google/creds", connectorBody)
	if status != 200 || data(body)["id"] != id || srv.Len("google") != 1 {
		t.Errorf("identical create: %d %v (len %d)", status, body, srv.Len("google"))
	}
	// Same name, other data: 400.
	status, body, _ = call(t, srv, key, "POST", "/v3/connectors/google/creds", strings.Replace(connectorBody, "csecret", "other", 1))
	if status != 400 || !strings.Contains(errorMessage(body), "already exists") {
		t.Errorf("same name: %d %v", status, body)
	}

	// Get, and 404 under another provider.
	if status, body, _ = call(t, srv, key, "GET", "/v3/connectors/google/creds/"+id, ""); status != 200 || data(body)["id"] != id {
		t.Errorf("get: %d %v", status, body)
	}
	for _, path := range []string{"/v3/connectors/microsoft/creds/" + id, "/v3/connectors/google/creds/nope"} {
		for _, method := range []string{"GET", "DELETE", "PATCH"} {
			b := ""
			if method == "PATCH" {
				b = `{"name":"x"}`
			}
			if status, body, _ = call(t, srv, key, method, path, b); status != 404 || errorType(body) != "api.not_found_error" {
				t.Errorf("%s %s: %d %v", method, path, status, body)
			}
		}
	}

	// Update: data only keeps the name, replaces data whole, advances updated_at.
	status, body, _ = call(t, srv, key, "PATCH", "/v3/connectors/google/creds/"+id, `{"credential_data":{"client_id":"cid2","client_secret":"s2","tenant":"t"}}`)
	if status != 200 || data(body)["name"] != "override" || data(body)["updated_at"].(float64) <= 1700000000 {
		t.Errorf("update data: %d %v", status, body)
	}
	if got, _ := srv.StoredData("google", id); string(got) != `{"client_id":"cid2","client_secret":"s2","tenant":"t"}` {
		t.Errorf("stored after update = %s", got)
	}
	// Replace, never merge: tenant disappears.
	call(t, srv, key, "PATCH", "/v3/connectors/google/creds/"+id, `{"credential_data":{"client_id":"cid3","client_secret":"s3"}}`)
	if got, _ := srv.StoredData("google", id); string(got) != `{"client_id":"cid3","client_secret":"s3"}` {
		t.Errorf("credential_data was merged, not replaced: %s", got)
	}
	// Renaming onto another credential's name is refused.
	_, other, _ := call(t, srv, key, "POST", "/v3/connectors/google/creds", strings.Replace(connectorBody, "override", "other", 1))
	if status, body, _ = call(t, srv, key, "PATCH", "/v3/connectors/google/creds/"+id, `{"name":"other"}`); status != 400 || !strings.Contains(errorMessage(body), `"other" already exists`) {
		t.Errorf("rename onto another name: %d %v", status, body)
	}
	call(t, srv, key, "DELETE", "/v3/connectors/google/creds/"+data(other)["id"].(string), "")
	// Name only keeps the data.
	status, body, _ = call(t, srv, key, "PATCH", "/v3/connectors/google/creds/"+id, `{"name":"renamed"}`)
	if got, _ := srv.StoredData("google", id); status != 200 || data(body)["name"] != "renamed" || string(got) != `{"client_id":"cid3","client_secret":"s3"}` {
		t.Errorf("rename: %d %v, stored %s", status, body, got)
	}

	// The first credential is the connector's active one: its delete is
	// refused, as Nylas refuses it, until another is made active.
	if status, body, _ = call(t, srv, key, "DELETE", "/v3/connectors/google/creds/"+id, ""); status != 400 || !strings.Contains(errorMessage(body), "active credential") {
		t.Errorf("delete of the active credential: %d %v", status, body)
	}
	_, second, _ := call(t, srv, key, "POST", "/v3/connectors/google/creds", strings.Replace(connectorBody, "override", "second", 1))
	secondID := data(second)["id"].(string)
	if status, body, _ = call(t, srv, key, "PATCH", "/v3/connectors/google", `{"active_credential_id":"`+secondID+`"}`); status != 200 || data(body)["active_credential_id"] != secondID {
		t.Errorf("switch the active credential: %d %v", status, body)
	}
	// Delete removes.
	if status, body, _ = call(t, srv, key, "DELETE", "/v3/connectors/google/creds/"+id, ""); status != 200 || body["request_id"] == nil || body["data"] != nil {
		t.Errorf("delete: %d %v", status, body)
	}
	if _, ok := srv.StoredData("google", id); ok || srv.Len("google") != 1 {
		t.Error("credential still stored after delete")
	}
}

// TestConnectorsAndGrants: a connector appears with its first credential,
// which is its active one; PATCH switches it to a credential of the same
// provider only, and replaces settings and scope each as a whole, keeping
// what it does not send; grants are paged, sorted and filtered as
// documented.
func TestConnectorsAndGrants(t *testing.T) {
	srv := newServer(t)
	key := srv.APIKey()
	if status, _, _ := call(t, srv, key, "GET", "/v3/connectors/google", ""); status != 404 {
		t.Errorf("connector before any credential: %d, want 404", status)
	}
	_, first, _ := call(t, srv, key, "POST", "/v3/connectors/google/creds", connectorBody)
	id := data(first)["id"].(string)
	status, body, _ := call(t, srv, key, "GET", "/v3/connectors/google", "")
	if status != 200 || data(body)["active_credential_id"] != id || data(body)["provider"] != "google" || data(body)["name"] != "Google Connector" {
		t.Errorf("connector: %d %v", status, body)
	}
	if status, body, _ = call(t, srv, key, "PATCH", "/v3/connectors/google", `{"active_credential_id":"nope"}`); status != 400 {
		t.Errorf("switch to an unknown credential: %d %v", status, body)
	}
	_, other, _ := call(t, srv, key, "POST", "/v3/connectors/microsoft/creds", connectorBody)
	if status, body, _ = call(t, srv, key, "PATCH", "/v3/connectors/google", `{"active_credential_id":"`+data(other)["id"].(string)+`"}`); status != 400 {
		t.Errorf("switch to another provider's credential: %d %v", status, body)
	}
	if active, _ := srv.ActiveCredential("google"); active != id {
		t.Errorf("a refused switch moved the active credential to %q", active)
	}
	call(t, srv, key, "PATCH", "/v3/connectors/google", `{"settings":{"topic_name":"a","extra":1},"scope":["s1","s2"]}`)
	status, body, _ = call(t, srv, key, "PATCH", "/v3/connectors/google", `{"settings":{"topic_name":"b"}}`)
	if got := fmt.Sprintf("%v %v %v", data(body)["settings"], data(body)["scope"], data(body)["active_credential_id"]); status != 200 || got != "map[topic_name:b] [s1 s2] "+id {
		t.Errorf("settings replaced, scope and active credential kept: %d %s", status, got)
	}
	srv.AddGrants(nylastest.Grant{Provider: "google", Email: "a@x", CredentialID: id}, nylastest.Grant{Provider: "google", Email: "b@x"},
		nylastest.Grant{Provider: "microsoft", Email: "c@x"}, nylastest.Grant{Provider: "google", Email: "d@x", Status: "invalid"})
	status, body, _ = call(t, srv, key, "GET", "/v3/grants?provider=google&limit=2&order_by=asc", "")
	list, _ := body["data"].([]any)
	if status != 200 || len(list) != 2 || list[0].(map[string]any)["email"] != "a@x" || list[0].(map[string]any)["credential_id"] != id {
		t.Errorf("grants page 1: %d %v", status, body)
	}
	status, body, _ = call(t, srv, key, "GET", "/v3/grants?provider=google&limit=2&offset=2&order_by=asc", "")
	if list, _ := body["data"].([]any); status != 200 || len(list) != 1 || list[0].(map[string]any)["grant_status"] != "invalid" {
		t.Errorf("grants page 2: %d %v", status, body)
	}
	for query, want := range map[string]string{
		"":                      "d@x c@x b@x a@x", // newest first
		"?email=b@x":            "b@x",
		"?grant_status=invalid": "d@x",
		"?grant_status=valid":   "c@x b@x a@x",
	} {
		_, body, _ = call(t, srv, key, "GET", "/v3/grants"+query, "")
		list, _ := body["data"].([]any)
		var emails []string
		for _, g := range list {
			emails = append(emails, g.(map[string]any)["email"].(string))
		}
		if got := strings.Join(emails, " "); got != want {
			t.Errorf("grants%s: %s, want %s", query, got, want)
		}
	}
}

// TestGrantsAsAdded: AddGrants fills in an id, "valid" and the clock,
// replaces a grant by its id, and holds at most MaxGrants;
// AddFirstCredentialGrants' grants name the provider's first credential
// once it is created (at once when it exists), unless replaced before.
func TestGrantsAsAdded(t *testing.T) {
	srv := newServer(t)
	key := srv.APIKey()
	grants := func(query string) []map[string]any {
		t.Helper()
		status, body, _ := call(t, srv, key, "GET", "/v3/grants?limit=100&order_by=asc"+query, "")
		list, _ := body["data"].([]any)
		if status != 200 {
			t.Fatalf("grants%s: %d %v", query, status, body)
		}
		out := make([]map[string]any, len(list))
		for i, g := range list {
			out[i] = g.(map[string]any)
		}
		return out
	}
	srv.AddFirstCredentialGrants("google", 3)
	srv.AddFirstCredentialGrants("microsoft", 1)
	third := grants("&provider=google&email=user3@example.com")
	if len(third) != 1 {
		t.Fatalf("user3's grant: %v", third)
	}
	replaced := srv.AddGrants(nylastest.Grant{ID: third[0]["id"].(string), Provider: "google", Email: "user3@example.com"})
	if len(replaced) != 1 || replaced[0].Status != "valid" || replaced[0].CreatedAt == 0 {
		t.Errorf("replaced grant as stored: %+v", replaced)
	}
	_, first, _ := call(t, srv, key, "POST", "/v3/connectors/google/creds", connectorBody)
	id := data(first)["id"].(string)
	var got []string
	for _, g := range grants("") {
		got = append(got, fmt.Sprintf("%s %s %v", g["provider"], g["email"], g["credential_id"]))
	}
	want := []string{"google user1@example.com " + id, "google user2@example.com " + id, "microsoft user1@example.com <nil>",
		"google user3@example.com <nil>"}
	if !slices.Equal(got, want) {
		t.Errorf("grants after the first credential:\n got %q\nwant %q", got, want)
	}
	srv.AddFirstCredentialGrants("google", 1)
	if g := grants("&provider=google"); len(g) != 4 || g[3]["credential_id"] != id {
		t.Errorf("a grant added once the credential exists: %v", g)
	}

	full, err := nylastest.NewFake()
	if err != nil {
		t.Fatal(err)
	}
	added := full.AddGrants(make([]nylastest.Grant, nylastest.MaxGrants+1)...)
	if len(added) != nylastest.MaxGrants {
		t.Errorf("%d grants held, want MaxGrants", len(added))
	}
	if again := full.AddGrants(nylastest.Grant{ID: added[0].ID, Status: "invalid"}); len(again) != 1 {
		t.Errorf("a full fake refused to replace a grant: %v", again)
	}
}

// TestDuplicateCreateComparesNumbersExactly: a create returns an earlier
// credential only when its credential_data is the same JSON, whatever the
// order of keys, the whitespace or the escaping of strings, with every number
// as written: 9007199254740992 and 9007199254740993 are one float64, but two
// settings. A create that differs is refused and changes nothing.
func TestDuplicateCreateComparesNumbersExactly(t *testing.T) {
	srv := newServer(t)
	key := srv.APIKey()
	const path = "/v3/connectors/google/creds"
	create := func(data string) string {
		return `{"name":"n","credential_type":"connector","credential_data":` + data + `}`
	}
	first := `{"client_id":"cid","client_secret":"s","setting":9007199254740993,"nested":{"b":[1,2.5],"a":"x"}}`
	status, body, _ := call(t, srv, key, "POST", path, create(first))
	if status != 201 {
		t.Fatalf("create: %d %v", status, body)
	}
	id := data(body)["id"].(string)
	stored, _ := srv.StoredData("google", id)

	same := `{ "nested" : {"a":"\u0078", "b":[1, 2.5]}, "setting":9007199254740993, "client_secret":"s", "client_id":"cid" }`
	if status, body, _ := call(t, srv, key, "POST", path, create(same)); status != 200 || data(body)["id"] != id {
		t.Errorf("the same data in another order and spacing: %d %v, want 200 with %s", status, body, id)
	}
	for _, other := range []string{
		strings.Replace(first, "9007199254740993", "9007199254740992", 1),
		strings.Replace(first, "9007199254740993", "9007199254740993.0", 1),
		strings.Replace(first, "2.5", "2.50", 1),
		strings.Replace(first, "2.5", "25e-1", 1),
	} {
		if status, body, _ := call(t, srv, key, "POST", path, create(other)); status != 400 || !strings.Contains(errorMessage(body), `"n" already exists`) {
			t.Errorf("create with %s: %d %v, want 400", other, status, body)
		}
	}
	if got, _ := srv.StoredData("google", id); string(got) != string(stored) || srv.Len("google") != 1 {
		t.Errorf("after refused creates: %d credentials, stored %s, want %s", srv.Len("google"), got, stored)
	}
}

func TestRequestsOffSpecAreRefused(t *testing.T) {
	srv := newServer(t)
	key := srv.APIKey()
	cases := []struct {
		method, path, body, want string
	}{
		{"GET", "/v3/connectors/inbox/creds", "", "path parameter provider"},
		{"GET", "/v3/connectors/google/creds?limit=-1", "", "query parameter limit: number must be at least 0"},
		{"GET", "/v3/connectors/google/creds?offset=-1", "", "query parameter offset: number must be at least 0"},
		{"GET", "/v3/connectors/google/creds?offset=9223372036854775808", "", "query parameter offset: value 9223372036854775808: an invalid integer"},
		{"GET", "/v3/connectors/google/creds?sort_by=name", "", "query parameter sort_by"},
		{"PATCH", "/v3/connectors/google/creds/x", `{"name":""}`, "request body field name"},
		{"PATCH", "/v3/connectors/google/creds/x", `{"credential_data":{"client_id":"only"}}`, "request body field credential_data"},
		{"POST", "/v3/connectors/google/creds", `{"name":"n","credential_type":"connector","credential_data":{"client_id":"x"}}`, "request body"},
		{"POST", "/v3/connectors/google/creds", `{"name":"n","credential_type":"magic","credential_data":{}}`, "request body"},
		{"POST", "/v3/connectors/google/creds", `not json`, "request body"},
	}
	for _, tc := range cases {
		status, body, _ := call(t, srv, key, tc.method, tc.path, tc.body)
		if status != 400 || errorType(body) != "api.invalid_request_error" || !strings.HasPrefix(errorMessage(body), tc.want) {
			t.Errorf("%s %s %s: %d %v, want 400 naming %q", tc.method, tc.path, tc.body, status, body, tc.want)
		}
	}
	if status, body, _ := call(t, srv, key, "GET", "/v3/applications", ""); status != 404 || errorType(body) != "api.not_found_error" {
		t.Errorf("unknown path: %d %v", status, body)
	}
	if status, _, _ := call(t, srv, key, "PUT", "/v3/connectors/google/creds/x", `{"name":"n"}`); status != 405 {
		t.Errorf("PUT: %d, want 405", status)
	}
	// Flows bound to one provider.
	consent := `{"name":"n","credential_type":"adminconsent","credential_data":{"tenant":"common"}}`
	if status, body, _ := call(t, srv, key, "POST", "/v3/connectors/google/creds", consent); status != 400 || !strings.Contains(errorMessage(body), "microsoft only") {
		t.Errorf("adminconsent on google: %d %v", status, body)
	}
	sa := `{"name":"n","credential_type":"serviceaccount","credential_data":{"private_key_id":"a","private_key":"b","client_email":"c@d.e"}}`
	if status, body, _ := call(t, srv, key, "POST", "/v3/connectors/microsoft/creds", sa); status != 400 || !strings.Contains(errorMessage(body), "google only") {
		t.Errorf("serviceaccount on microsoft: %d %v", status, body)
	}
}

func TestListPagingAndSorting(t *testing.T) {
	tick := int64(1700000000)
	srv := newServer(t, nylastest.WithClock(func() time.Time { return time.Unix(tick, 0) }))
	key := srv.APIKey()
	var ids []string
	for _, name := range []string{"a", "b", "c", "d", "e"} {
		_, body, _ := call(t, srv, key, "POST", "/v3/connectors/zoom/creds", strings.Replace(connectorBody, "override", name, 1))
		ids = append(ids, data(body)["id"].(string))
		tick += 10
	}
	// Touch "a" so that it is the most recently updated.
	call(t, srv, key, "PATCH", "/v3/connectors/zoom/creds/"+ids[0], `{"name":"a2"}`)

	names := func(body map[string]any) string {
		var out []string
		for _, d := range body["data"].([]any) {
			out = append(out, d.(map[string]any)["name"].(string))
		}
		return strings.Join(out, ",")
	}
	cases := []struct{ query, want string }{
		{"", "e,d,c,b,a2"}, // created_at desc by default
		{"?order_by=asc", "a2,b,c,d,e"},
		{"?sort_by=updated_at", "a2,e,d,c,b"},
		{"?limit=2", "e,d"},
		{"?limit=2&offset=2", "c,b"},
		{"?limit=2&offset=4", "a2"},
		{"?offset=9", ""},
	}
	for _, tc := range cases {
		status, body, _ := call(t, srv, key, "GET", "/v3/connectors/zoom/creds"+tc.query, "")
		if status != 200 || names(body) != tc.want {
			t.Errorf("list%s = %d %q, want %q", tc.query, status, names(body), tc.want)
		}
	}
	_, body, _ := call(t, srv, key, "GET", "/v3/connectors/zoom/creds?limit=2&offset=2", "")
	if body["limit"] != float64(2) || body["offset"] != float64(2) {
		t.Errorf("limit/offset not echoed: %v", body)
	}
	if _, body, _ = call(t, srv, key, "GET", "/v3/connectors/google/creds", ""); names(body) != "" {
		t.Errorf("another provider's list = %q", names(body))
	}
}

func TestScriptedFaults(t *testing.T) {
	srv := newServer(t)
	key := srv.APIKey()
	srv.Enqueue(
		nylastest.Fault{Status: 429, Header: http.Header{"Retry-After": {"3"}, "Content-Type": {"application/json"}}, Body: `{"request_id":"r","error":{"type":"nylas_rate_limit_exceeded","message":"slow down"}}`},
		nylastest.Fault{Status: 502, Header: http.Header{"Content-Type": {"text/html"}}, Body: "<html>bad gateway</html>"},
	)
	status, body, hdr := call(t, srv, key, "GET", "/v3/connectors/google/creds", "")
	if status != 429 || hdr.Get("Retry-After") != "3" || errorType(body) != "nylas_rate_limit_exceeded" {
		t.Errorf("first: %d %v %v", status, hdr, body)
	}
	resp, err := srv.Client().Get(srv.URL + "/v3/connectors/google/creds")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 502 || string(raw) != "<html>bad gateway</html>" {
		t.Errorf("second: %d %q", resp.StatusCode, raw)
	}
	// Script used up: normal again.
	if status, _, _ := call(t, srv, key, "GET", "/v3/connectors/google/creds", ""); status != 200 {
		t.Errorf("after script: %d", status)
	}

	// A dropped connection, without and with the request taking effect.
	srv.Enqueue(nylastest.Fault{Drop: true})
	if err := createUnanswered(srv, key); err == nil {
		t.Error("dropped connection: no error")
	}
	if srv.Len("google") != 0 {
		t.Error("a dropped (unhandled) create was stored")
	}
	srv.Enqueue(nylastest.Fault{Drop: true, Handle: true})
	if err := createUnanswered(srv, key); err == nil {
		t.Error("dropped connection: no error")
	}
	if srv.Len("google") != 1 {
		t.Error("a handled-then-dropped create was not stored")
	}

	// A delay, then the normal answer.
	srv.Enqueue(nylastest.Fault{Delay: 50 * time.Millisecond})
	start := time.Now()
	if status, _, _ := call(t, srv, key, "GET", "/v3/connectors/google/creds", ""); status != 200 || time.Since(start) < 50*time.Millisecond {
		t.Errorf("delayed: %d after %v", status, time.Since(start))
	}

	// The second request carried no key: counted, never kept.
	reqs := srv.Requests()
	if len(reqs) != 5 || srv.RequestCount() != 6 || reqs[0].Operation != "listCredentials" || reqs[1].Operation != "listCredentials" || reqs[2].Operation != "createCredential" {
		t.Errorf("requests = %+v (count %d)", reqs, srv.RequestCount())
	}
	if !bytes.Equal(reqs[2].Body, []byte(connectorBody)) {
		t.Errorf("recorded body = %q", reqs[2].Body)
	}
}

func TestConcurrentUse(t *testing.T) {
	srv := newServer(t)
	key := srv.APIKey()
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for i := range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			name := strings.Repeat("n", i+1)
			status, _, _ := call(t, srv, key, "POST", "/v3/connectors/imap/creds", strings.Replace(connectorBody, "override", name, 1))
			if status != 201 {
				errs <- errors.New("create failed")
			}
			call(t, srv, key, "GET", "/v3/connectors/imap/creds?limit=5", "")
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if srv.Len("imap") != 40 {
		t.Errorf("len = %d, want 40", srv.Len("imap"))
	}
}
