package tests

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/nylascreds/nylascreds/wrapper"
)

// TestValidationRefusesBeforeSending covers every rule the project decided
// on (credential_data per flow and per operation, providers, empty updates):
// each case must fail with a *ValidationError naming the field and the rule,
// and the server must see nothing.
func TestValidationRefusesBeforeSending(t *testing.T) {
	ctx := context.Background()
	sa := serviceAccount(t)
	type problem struct{ field, rule string }
	cases := []struct {
		name string
		call func(c *wrapper.Client) error
		want []problem
	}{
		// Providers.
		{"provider/empty", func(c *wrapper.Client) error {
			_, err := c.Get(ctx, "", "cred-1")
			return err
		}, []problem{{"provider", "is required; known providers: google, microsoft, imap, icloud, yahoo, ews, virtual-calendar, zoom, nylas"}}},
		{"provider/inbox-deprecated", func(c *wrapper.Client) error {
			_, err := c.List(ctx, "inbox", nil)
			return err
		}, []problem{{"provider", `"inbox" is deprecated; use "nylas"`}}},
		{"provider/unknown-lists-known", func(c *wrapper.Client) error {
			return c.Delete(ctx, "gmail", "cred-1")
		}, []problem{{"provider", `unknown provider "gmail"; known providers: google, microsoft, imap, icloud, yahoo, ews, virtual-calendar, zoom, nylas`}}},
		{"provider/unknown-long-is-shortened", func(c *wrapper.Client) error {
			_, err := c.Get(ctx, wrapper.Provider(strings.Repeat("x", 100)), "cred-1")
			return err
		}, []problem{{"provider", `unknown provider "` + strings.Repeat("x", 64) + `"…; known providers:`}}},
		// Ids.
		{"id/empty", func(c *wrapper.Client) error {
			_, err := c.Get(ctx, wrapper.ProviderGoogle, "")
			return err
		}, []problem{{"id", "is required"}}},
		{"id/dot-dot", func(c *wrapper.Client) error {
			return c.Delete(ctx, wrapper.ProviderGoogle, "..")
		}, []problem{{"id", `must not be "." or ".."`}}},
		// Update shape (PATCH semantics).
		{"update/empty", func(c *wrapper.Client) error {
			_, err := c.Update(ctx, wrapper.ProviderGoogle, "cred-1", wrapper.UpdateRequest{})
			return err
		}, []problem{{"name", "nothing to update"}}},
		{"update/blank-name", func(c *wrapper.Client) error {
			_, err := c.Update(ctx, wrapper.ProviderGoogle, "cred-1", wrapper.UpdateRequest{Name: "   "})
			return err
		}, []problem{{"name", "must not be blank"}}},
		// Connector override: both keys, on create and on update.
		{"connector/update-missing-secret", func(c *wrapper.Client) error {
			_, err := c.Update(ctx, wrapper.ProviderGoogle, "cred-1", wrapper.UpdateRequest{Data: wrapper.ConnectorOverride{ClientID: "id"}})
			return err
		}, []problem{{"credential_data.client_secret", "is required"}}},
		{"connector/update-missing-id", func(c *wrapper.Client) error {
			_, err := c.Update(ctx, wrapper.ProviderGoogle, "cred-1", wrapper.UpdateRequest{Data: wrapper.ConnectorOverride{ClientSecret: wrapper.NewSecret("s3cret-value")}})
			return err
		}, []problem{{"credential_data.client_id", "is required"}}},
		{"connector/create-missing-both", func(c *wrapper.Client) error {
			_, err := c.Create(ctx, wrapper.ProviderIMAP, wrapper.CreateRequest{Name: "n", Data: wrapper.ConnectorOverride{}})
			return err
		}, []problem{{"credential_data.client_id", "is required"}, {"credential_data.client_secret", "is required"}}},
		{"connector/blank-tenant", func(c *wrapper.Client) error {
			_, err := c.Update(ctx, wrapper.ProviderMicrosoft, "cred-1", wrapper.UpdateRequest{Data: wrapper.ConnectorOverride{
				ClientID: "id", ClientSecret: wrapper.NewSecret("s3cret-value"), Tenant: "  "}})
			return err
		}, []problem{{"credential_data.tenant", "must not be blank"}}},
		// Microsoft admin consent: create rules.
		{"adminconsent/create-missing-tenant", func(c *wrapper.Client) error {
			_, err := c.Create(ctx, wrapper.ProviderMicrosoft, wrapper.CreateRequest{Name: "n", Data: wrapper.MicrosoftAdminConsent{ClientID: "id", ClientSecret: wrapper.NewSecret("s3cret-value")}})
			return err
		}, []problem{{"credential_data.tenant", "is required"}}},
		{"adminconsent/create-id-without-secret", func(c *wrapper.Client) error {
			_, err := c.Create(ctx, wrapper.ProviderMicrosoft, wrapper.CreateRequest{Name: "n", Data: wrapper.MicrosoftAdminConsent{ClientID: "id", Tenant: "common"}})
			return err
		}, []problem{{"credential_data.client_secret", "both or neither"}}},
		{"adminconsent/create-secret-without-id", func(c *wrapper.Client) error {
			_, err := c.Create(ctx, wrapper.ProviderMicrosoft, wrapper.CreateRequest{Name: "n", Data: wrapper.MicrosoftAdminConsent{ClientSecret: wrapper.NewSecret("s3cret-value"), Tenant: "common"}})
			return err
		}, []problem{{"credential_data.client_id", "both or neither"}}},
		// Microsoft admin consent: update needs all three.
		{"adminconsent/update-missing-tenant", func(c *wrapper.Client) error {
			_, err := c.Update(ctx, wrapper.ProviderMicrosoft, "cred-1", wrapper.UpdateRequest{Data: wrapper.MicrosoftAdminConsent{ClientID: "id", ClientSecret: wrapper.NewSecret("s3cret-value")}})
			return err
		}, []problem{{"credential_data.tenant", "is required on update"}}},
		{"adminconsent/update-tenant-only", func(c *wrapper.Client) error {
			_, err := c.Update(ctx, wrapper.ProviderMicrosoft, "cred-1", wrapper.UpdateRequest{Data: wrapper.MicrosoftAdminConsent{Tenant: "common"}})
			return err
		}, []problem{{"credential_data.client_id", "is required on update"}, {"credential_data.client_secret", "is required on update"}}},
		// Provider compatibility of flows.
		{"serviceaccount/not-google-create", func(c *wrapper.Client) error {
			_, err := c.Create(ctx, wrapper.ProviderMicrosoft, wrapper.CreateRequest{Name: "n", Data: sa})
			return err
		}, []problem{{"credential_type", "exist only for provider google"}}},
		{"serviceaccount/not-google-update", func(c *wrapper.Client) error {
			_, err := c.Update(ctx, wrapper.ProviderZoom, "cred-1", wrapper.UpdateRequest{Data: sa})
			return err
		}, []problem{{"credential_data", "exist only for provider google"}}},
		{"adminconsent/not-microsoft-create", func(c *wrapper.Client) error {
			_, err := c.Create(ctx, wrapper.ProviderGoogle, wrapper.CreateRequest{Name: "n", Data: adminConsent})
			return err
		}, []problem{{"credential_type", "exist only for provider microsoft"}}},
		{"adminconsent/not-microsoft-update", func(c *wrapper.Client) error {
			_, err := c.Update(ctx, wrapper.ProviderGoogle, "cred-1", wrapper.UpdateRequest{Data: adminConsent})
			return err
		}, []problem{{"credential_data", "exist only for provider microsoft"}}},
		// Google service account not built from a key file.
		{"serviceaccount/zero-value", func(c *wrapper.Client) error {
			_, err := c.Update(ctx, wrapper.ProviderGoogle, "cred-1", wrapper.UpdateRequest{Data: &wrapper.GoogleServiceAccount{}})
			return err
		}, []problem{{"credential_data.private_key_id", "is required"}, {"credential_data.private_key", "is required"}, {"credential_data.client_email", "is required"}}},
		// Create shape.
		{"create/missing-name-and-data", func(c *wrapper.Client) error {
			_, err := c.Create(ctx, wrapper.ProviderGoogle, wrapper.CreateRequest{})
			return err
		}, []problem{{"name", "is required"}, {"credential_data", "is required"}, {"credential_type", "is required"}}},
		// List options.
		{"list/bad-options", func(c *wrapper.Client) error {
			_, err := c.List(ctx, wrapper.ProviderGoogle, &wrapper.ListOptions{Limit: -1, Offset: -2, SortBy: "name", OrderBy: "up"})
			return err
		}, []problem{{"limit", "must not be negative"}, {"offset", "must not be negative"}, {"sort_by", "created_at or updated_at"}, {"order_by", "asc or desc"}}},
		// Every problem at once.
		{"all-at-once", func(c *wrapper.Client) error {
			_, err := c.Update(ctx, "inbox", "", wrapper.UpdateRequest{Data: wrapper.MicrosoftAdminConsent{}})
			return err
		}, []problem{{"provider", "deprecated"}, {"id", "is required"}, {"credential_data.client_id", "is required"}, {"credential_data.client_secret", "is required"}, {"credential_data.tenant", "is required"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFake(t)
			c := newClient(t, f)
			err := tc.call(c)
			var verr *wrapper.ValidationError
			if !errors.As(err, &verr) {
				t.Fatalf("err = %v, want *ValidationError", err)
			}
			if !errors.Is(err, wrapper.ErrValidation) {
				t.Error("errors.Is(err, ErrValidation) = false")
			}
			if len(verr.Problems) != len(tc.want) {
				t.Fatalf("problems = %v, want %d: %v", verr.Problems, len(tc.want), tc.want)
			}
			for i, w := range tc.want {
				got := verr.Problems[i]
				if got.Field != w.field || !strings.Contains(got.Rule, w.rule) {
					t.Errorf("problem %d = %q: %q, want %q: …%q…", i, got.Field, got.Rule, w.field, w.rule)
				}
				if !strings.Contains(err.Error(), got.Field+": "+got.Rule) {
					t.Errorf("Error() %q does not name %s", err, got.Field)
				}
			}
			if n := len(f.Requests()); n != 0 {
				t.Errorf("server saw %d requests; validation must send nothing", n)
			}
		})
	}
}

// TestGoogleKeyFileChecks covers the checks made when a key file is parsed.
func TestGoogleKeyFileChecks(t *testing.T) {
	t.Parallel()
	rsaPKCS1 := "-----BEGIN RSA PRIVATE KEY-----\nMIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu\n-----END RSA PRIVATE KEY-----\n"
	cases := []struct {
		name  string
		file  []byte
		field string
		rule  string
	}{
		{"not-json", []byte(`{"type": "service_account",`), "credential_data", "must be a JSON object"},
		{"array", []byte(`[1,2]`), "credential_data", "must be a JSON object"},
		{"pem-not-key-file", []byte("\n" + serviceAccountPEM(t)), "credential_data", "the file is a PEM key, not a Google service-account key file: give the JSON key file"},
		{"two-objects", []byte(`{} {}`), "credential_data", "exactly one JSON object"},
		{"wrong-type", keyFileWith(t, map[string]any{"type": "authorized_user"}), "credential_data.type", `must be "service_account"`},
		{"no-type", keyFileWith(t, map[string]any{"type": nil}), "credential_data.type", `must be "service_account"`},
		{"no-private-key-id", keyFileWith(t, map[string]any{"private_key_id": nil}), "credential_data.private_key_id", "is required"},
		{"no-private-key", keyFileWith(t, map[string]any{"private_key": nil}), "credential_data.private_key", "is required"},
		{"private-key-not-pem", keyFileWith(t, map[string]any{"private_key": "not a key"}), "credential_data.private_key", `must be a PEM "PRIVATE KEY" block`},
		{"private-key-pkcs1", keyFileWith(t, map[string]any{"private_key": rsaPKCS1}), "credential_data.private_key", `(PKCS#8), not "RSA PRIVATE KEY"; convert the key with: openssl pkcs8 -topk8 -nocrypt`},
		{"private-key-garbage", keyFileWith(t, map[string]any{"private_key": "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"}), "credential_data.private_key", "PKCS#8 private key that parses"},
		{"private-key-two-blocks", keyFileWith(t, map[string]any{"private_key": serviceAccountPEM(t) + serviceAccountPEM(t)}), "credential_data.private_key", "exactly one PEM block"},
		{"private-key-number", keyFileWith(t, map[string]any{"private_key": 42}), "credential_data.private_key", "must be a string"},
		{"no-client-email", keyFileWith(t, map[string]any{"client_email": nil}), "credential_data.client_email", "is required"},
		{"bad-client-email", keyFileWith(t, map[string]any{"client_email": "not-an-address"}), "credential_data.client_email", "must be an email address"},
		{"named-client-email", keyFileWith(t, map[string]any{"client_email": "Sync <sync@example.com>"}), "credential_data.client_email", "must be an email address"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sa, err := wrapper.ParseGoogleServiceAccountKey(tc.file)
			var verr *wrapper.ValidationError
			if !errors.As(err, &verr) || sa != nil {
				t.Fatalf("got (%v, %v), want a *ValidationError", sa, err)
			}
			if len(verr.Problems) != 1 || verr.Problems[0].Field != tc.field || !strings.Contains(verr.Problems[0].Rule, tc.rule) {
				t.Errorf("problems = %v, want one %s: …%s…", verr.Problems, tc.field, tc.rule)
			}
		})
	}
}

// TestGoogleKeyFileReportsAll checks that every problem of a key file is
// reported at once.
func TestGoogleKeyFileReportsAll(t *testing.T) {
	t.Parallel()
	_, err := wrapper.ParseGoogleServiceAccountKey([]byte(`{"type":"user"}`))
	var verr *wrapper.ValidationError
	if !errors.As(err, &verr) {
		t.Fatal(err)
	}
	for _, f := range []string{"credential_data.type", "credential_data.private_key_id", "credential_data.private_key", "credential_data.client_email"} {
		if !verr.Has(f) {
			t.Errorf("no problem reported for %s: %v", f, err)
		}
	}
}

// serviceAccountPEM returns the PEM private key of the committed key file.
func serviceAccountPEM(t testing.TB) string {
	var m map[string]string
	if err := json.Unmarshal(keyFile(t), &m); err != nil {
		t.Fatal(err)
	}
	return m["private_key"]
}
