package tests

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/nylascreds/nylascreds/wrapper"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// checkGolden compares got with testdata/golden/name byte for byte.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *updateGolden {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./tests -run Golden -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("body on the wire differs from %s\n got: %s\nwant: %s", path, got, want)
	}
}

// TestGoldenBodies pins the exact bytes of every PATCH and POST body the
// wrapper sends: keys as documented, Google key-file keys untouched (unknown
// ones included), absent fields absent rather than null or "".
func TestGoldenBodies(t *testing.T) {
	ctx := context.Background()
	saExtra, err := wrapper.ParseGoogleServiceAccountKey(keyFileWith(t, map[string]any{
		"x_future_field": map[string]any{"nested": []any{1, "two"}},
	}))
	if err != nil {
		t.Fatal(err)
	}
	connectorWithTenant := wrapper.ConnectorOverride{ClientID: "azure-app", ClientSecret: wrapper.NewSecret("azure-secret"), Tenant: "contoso.onmicrosoft.com"}
	cases := []struct {
		golden string
		call   func(c *wrapper.Client) error
	}{
		{"update_name_only.json", func(c *wrapper.Client) error {
			_, err := c.Update(ctx, wrapper.ProviderGoogle, "cred-1", wrapper.UpdateRequest{Name: "renamed"})
			return err
		}},
		{"update_connector.json", func(c *wrapper.Client) error {
			_, err := c.Update(ctx, wrapper.ProviderGoogle, "cred-1", wrapper.UpdateRequest{Data: connectorData})
			return err
		}},
		{"update_connector_settings_and_name.json", func(c *wrapper.Client) error {
			_, err := c.Update(ctx, wrapper.ProviderMicrosoft, "cred-1", wrapper.UpdateRequest{Name: "tenant app", Data: connectorWithTenant})
			return err
		}},
		{"update_adminconsent.json", func(c *wrapper.Client) error {
			_, err := c.Update(ctx, wrapper.ProviderMicrosoft, "cred-1", wrapper.UpdateRequest{Data: adminConsent})
			return err
		}},
		{"update_serviceaccount.json", func(c *wrapper.Client) error {
			_, err := c.Update(ctx, wrapper.ProviderGoogle, "cred-1", wrapper.UpdateRequest{Data: serviceAccount(t)})
			return err
		}},
		{"update_serviceaccount_unknown_key.json", func(c *wrapper.Client) error {
			_, err := c.Update(ctx, wrapper.ProviderGoogle, "cred-1", wrapper.UpdateRequest{Data: saExtra})
			return err
		}},
		{"create_connector.json", func(c *wrapper.Client) error {
			_, err := c.Create(ctx, wrapper.ProviderGoogle, wrapper.CreateRequest{Name: "Google auth app #2", Data: connectorData})
			return err
		}},
		{"create_adminconsent.json", func(c *wrapper.Client) error {
			_, err := c.Create(ctx, wrapper.ProviderMicrosoft, wrapper.CreateRequest{Name: "consent", Data: adminConsent})
			return err
		}},
		{"create_adminconsent_connector_app.json", func(c *wrapper.Client) error {
			_, err := c.Create(ctx, wrapper.ProviderMicrosoft, wrapper.CreateRequest{Name: "consent", Data: wrapper.MicrosoftAdminConsent{Tenant: "common"}})
			return err
		}},
		{"create_serviceaccount.json", func(c *wrapper.Client) error {
			_, err := c.Create(ctx, wrapper.ProviderGoogle, wrapper.CreateRequest{Name: "sa", Data: serviceAccount(t)})
			return err
		}},
	}
	for _, tc := range cases {
		t.Run(tc.golden, func(t *testing.T) {
			status := http.StatusOK
			if strings.HasPrefix(tc.golden, "create") {
				status = http.StatusCreated
			}
			f := newFake(t, times(2, jsonReply(status, credentialJSON))) // a google or microsoft update reads the flow first
			c := newClient(t, f)
			if err := tc.call(c); err != nil {
				t.Fatal(err)
			}
			checkGolden(t, tc.golden, f.patched(t).Body)
		})
	}
}

// TestServiceAccountKeysUntouched decodes the credential_data that was sent
// and compares it, key by key and value by value, with the key file.
func TestServiceAccountKeysUntouched(t *testing.T) {
	file := keyFileWith(t, map[string]any{"x_future_field": map[string]any{"nested": []any{1.5, "two"}}})
	sa, err := wrapper.ParseGoogleServiceAccountKey(file)
	if err != nil {
		t.Fatal(err)
	}
	f := newFake(t, times(2, jsonReply(200, credentialJSON))) // the flow check's GET, then the PATCH
	c := newClient(t, f)
	if _, err := c.Update(context.Background(), wrapper.ProviderGoogle, "cred-1", wrapper.UpdateRequest{Data: sa}); err != nil {
		t.Fatal(err)
	}
	var sent struct {
		CredentialData map[string]any `json:"credential_data"`
	}
	var want map[string]any
	if err := json.Unmarshal(f.patched(t).Body, &sent); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(file, &want); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(sent.CredentialData, want) {
		t.Errorf("credential_data sent = %v\nkey file = %v", sent.CredentialData, want)
	}
	if _, renamed := sent.CredentialData["auth_provider_x_509_cert_url"]; renamed {
		t.Error("auth_provider_x509_cert_url was renamed")
	}
}
