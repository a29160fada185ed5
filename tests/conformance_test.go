package tests

import (
	"context"
	"net/http"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/nylascreds/nylascreds/nylastest"
	"github.com/nylascreds/nylascreds/wrapper"
)

// TestConformance runs every wrapper operation, for every flow, against the
// fake, which checks each request and each answer against openapi.yaml, and
// fails if an operation of the spec was never exercised.
func TestConformance(t *testing.T) {
	ctx := context.Background()
	type scenario struct {
		name     string
		reply    nylastest.Fault
		call     func(c *wrapper.Client) error
		method   string
		path     string
		query    string
		wantBody bool
	}
	sa := serviceAccount(t)
	scenarios := []scenario{
		{"list/defaults", jsonReply(200, listPageJSON), func(c *wrapper.Client) error {
			_, err := c.List(ctx, wrapper.ProviderGoogle, nil)
			return err
		}, "GET", "/v3/connectors/google/creds", "", false},
		{"list/all-params", jsonReply(200, listPageJSON), func(c *wrapper.Client) error {
			_, err := c.List(ctx, wrapper.ProviderMicrosoft, &wrapper.ListOptions{Limit: 5, Offset: 10, SortBy: wrapper.SortByUpdatedAt, OrderBy: wrapper.OrderAsc})
			return err
		}, "GET", "/v3/connectors/microsoft/creds", "limit=5&offset=10&sort_by=updated_at&order_by=asc", false},
		{"create/connector", jsonReply(201, credentialJSON), func(c *wrapper.Client) error {
			_, err := c.Create(ctx, wrapper.ProviderGoogle, wrapper.CreateRequest{Name: "override", Data: connectorData})
			return err
		}, "POST", "/v3/connectors/google/creds", "", true},
		{"create/serviceaccount", jsonReply(201, credentialJSON), func(c *wrapper.Client) error {
			_, err := c.Create(ctx, wrapper.ProviderGoogle, wrapper.CreateRequest{Name: "sa", Data: sa})
			return err
		}, "POST", "/v3/connectors/google/creds", "", true},
		{"create/adminconsent", jsonReply(201, credentialJSON), func(c *wrapper.Client) error {
			_, err := c.Create(ctx, wrapper.ProviderMicrosoft, wrapper.CreateRequest{Name: "consent", Data: adminConsent})
			return err
		}, "POST", "/v3/connectors/microsoft/creds", "", true},
		{"create/adminconsent-connector-app", jsonReply(200, credentialJSON), func(c *wrapper.Client) error {
			_, err := c.Create(ctx, wrapper.ProviderMicrosoft, wrapper.CreateRequest{Name: "consent", Data: wrapper.MicrosoftAdminConsent{Tenant: "common"}})
			return err
		}, "POST", "/v3/connectors/microsoft/creds", "", true},
		{"get", jsonReply(200, credentialJSON), func(c *wrapper.Client) error {
			_, err := c.Get(ctx, wrapper.ProviderZoom, "cred-1")
			return err
		}, "GET", "/v3/connectors/zoom/creds/cred-1", "", false},
		{"update/name", jsonReply(200, credentialJSON), func(c *wrapper.Client) error {
			_, err := c.Update(ctx, wrapper.ProviderGoogle, "cred-1", wrapper.UpdateRequest{Name: "renamed"})
			return err
		}, "PATCH", "/v3/connectors/google/creds/cred-1", "", true},
		{"update/connector", jsonReply(200, credentialJSON), func(c *wrapper.Client) error {
			_, err := c.Update(ctx, wrapper.ProviderYahoo, "cred-1", wrapper.UpdateRequest{Data: connectorData})
			return err
		}, "PATCH", "/v3/connectors/yahoo/creds/cred-1", "", true},
		{"update/serviceaccount", jsonReply(200, credentialJSON), func(c *wrapper.Client) error {
			_, err := c.Update(ctx, wrapper.ProviderGoogle, "cred-1", wrapper.UpdateRequest{Name: "sa", Data: sa})
			return err
		}, "PATCH", "/v3/connectors/google/creds/cred-1", "", true},
		{"update/adminconsent", jsonReply(200, credentialJSON), func(c *wrapper.Client) error {
			_, err := c.Update(ctx, wrapper.ProviderMicrosoft, "cred-1", wrapper.UpdateRequest{Data: adminConsent})
			return err
		}, "PATCH", "/v3/connectors/microsoft/creds/cred-1", "", true},
		{"delete/200", jsonReply(200, deleteJSON), func(c *wrapper.Client) error {
			return c.Delete(ctx, wrapper.ProviderIMAP, "cred-1")
		}, "DELETE", "/v3/connectors/imap/creds/cred-1", "", false},
		{"delete/204", nylastest.Fault{Status: 204}, func(c *wrapper.Client) error {
			return c.Delete(ctx, wrapper.ProviderVirtualCalendar, "cred-1")
		}, "DELETE", "/v3/connectors/virtual-calendar/creds/cred-1", "", false},
		{"connector/get", jsonReply(200, connectorJSON), func(c *wrapper.Client) error {
			_, err := c.GetConnector(ctx, wrapper.ProviderGoogle)
			return err
		}, "GET", "/v3/connectors/google", "", false},
		{"connector/activate", jsonReply(200, connectorJSON), func(c *wrapper.Client) error {
			_, err := c.SetActiveCredential(ctx, wrapper.ProviderGoogle, "cred-1")
			return err
		}, "PATCH", "/v3/connectors/google", "", true},
		{"grants", jsonReply(200, `{"request_id":"r","data":[],"limit":200,"offset":0}`), func(c *wrapper.Client) error {
			for _, err := range c.Grants(ctx, wrapper.ProviderMicrosoft, nil, nil) {
				return err
			}
			return nil
		}, "GET", "/v3/grants", "limit=200&offset=0&provider=microsoft", false},
	}

	exercised := map[string]int{}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			// An update of google or microsoft data reads the stored flow
			// first (GET); the same answer serves it.
			f := newFake(t, times(2, sc.reply))
			c := newClient(t, f)
			if err := sc.call(c); err != nil {
				t.Fatalf("call: %v", err)
			}
			got := f.patched(t)
			if got.Method != sc.method || got.Path != sc.path || got.RawQuery != sc.query {
				t.Errorf("request = %s %s?%s, want %s %s?%s", got.Method, got.Path, got.RawQuery, sc.method, sc.path, sc.query)
			}
			if auth := got.Header.Get("Authorization"); auth != "Bearer "+testAPIKey {
				t.Errorf("Authorization = %q", auth)
			}
			if ua := got.Header.Get("User-Agent"); ua != "nylascreds-go/"+wrapper.Version {
				t.Errorf("User-Agent = %q", ua)
			}
			if accept := got.Header.Get("Accept"); accept != "application/json" {
				t.Errorf("Accept = %q", accept)
			}
			if sc.wantBody {
				if ct := got.Header.Get("Content-Type"); ct != "application/json" {
					t.Errorf("Content-Type = %q", ct)
				}
			} else if len(got.Body) != 0 || got.TransferEncoding != nil || got.Header.Get("Content-Length") != "" && got.Method == http.MethodGet {
				t.Errorf("unexpected request body %q (Content-Length %q, Transfer-Encoding %v)", got.Body, got.Header.Get("Content-Length"), got.TransferEncoding)
			}
			for op, n := range f.operations() {
				exercised[op] += n
			}
		})
	}

	var missing []string
	for _, op := range specOperations(t) {
		if exercised[op] == 0 {
			missing = append(missing, op)
		}
	}
	if len(missing) > 0 {
		t.Errorf("operations in openapi.yaml never exercised: %v", missing)
	}
}

// specOperations lists every operationId in openapi.yaml.
func specOperations(t testing.TB) []string {
	t.Helper()
	var ops []string
	for _, item := range loadSpec(t).Paths.Map() {
		for _, op := range item.Operations() {
			ops = append(ops, op.OperationID)
		}
	}
	sort.Strings(ops)
	return ops
}

func TestSpecListsItsOperations(t *testing.T) {
	t.Parallel()
	want := []string{"createCredential", "deleteCredential", "getConnector", "getCredential", "listCredentials", "listGrants",
		"updateConnector", "updateCredential"}
	if got := specOperations(t); !slices.Equal(got, want) {
		t.Errorf("operations = %v, want %v", got, want)
	}
}

// TestDecodedCredential checks that the fields of a credential response
// reach the caller, timestamps as time.Time in UTC.
func TestDecodedCredential(t *testing.T) {
	t.Parallel()
	f := newFake(t, jsonReply(200, `{"request_id":"r","data":{"id":"cred-9","name":"n9","created_at":1700000000,"updated_at":1700000123,"credential_type":"serviceaccount","hashed_data":"abc123","future_field":{"x":1}}}`))
	c := newClient(t, f)
	got, err := c.Get(context.Background(), wrapper.ProviderGoogle, "cred-9")
	if err != nil {
		t.Fatal(err)
	}
	want := wrapper.Credential{
		ID: "cred-9", Name: "n9",
		CreatedAt:      time.Date(2023, 11, 14, 22, 13, 20, 0, time.UTC),
		UpdatedAt:      time.Date(2023, 11, 14, 22, 15, 23, 0, time.UTC),
		CredentialType: wrapper.CredentialTypeServiceAccount, HashedData: "abc123",
	}
	if *got != want {
		t.Errorf("credential = %+v\nwant %+v", *got, want)
	}
}

// TestListPage checks the decoded page, including the echoed limit/offset.
func TestListPage(t *testing.T) {
	t.Parallel()
	f := newFake(t, jsonReply(http.StatusOK, listPageJSON))
	c := newClient(t, f)
	page, err := c.List(context.Background(), wrapper.ProviderGoogle, &wrapper.ListOptions{Limit: 3})
	if err != nil {
		t.Fatal(err)
	}
	if page.Limit != 10 || page.Offset != 0 || page.RequestID != "req-list-1" || len(page.Credentials) != 2 {
		t.Fatalf("page = %+v", page)
	}
	if page.Credentials[1].ID != "cred-2" || page.Credentials[1].CredentialType != wrapper.CredentialTypeConnector {
		t.Errorf("second credential = %+v", page.Credentials[1])
	}
}
