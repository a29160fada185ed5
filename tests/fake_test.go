package tests

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"github.com/nylascreds/nylascreds/nylastest"
	"github.com/nylascreds/nylascreds/wrapper"
)

// TestWrapperAgainstFake runs each flow's create and update through the
// wrapper against nylastest (which validates both directions) and reads back
// what was stored: exactly the keys of the flow, replaced whole on update.
// It runs against a fake that reports credential_type and one that does not
// (the default, as Nylas may not send it): the client works either way, and
// exposes the flow only when the server sent it.
func TestWrapperAgainstFake(t *testing.T) {
	for _, report := range []bool{false, true} {
		t.Run(map[bool]string{false: "published-shape", true: "with-credential-type"}[report], func(t *testing.T) {
			var opts []nylastest.Option
			if report {
				opts = append(opts, nylastest.WithCredentialType())
			}
			testWrapperAgainstFake(t, report, nylastest.NewServer(opts...))
		})
	}
}

func testWrapperAgainstFake(t *testing.T, report bool, srv *nylastest.Server) {
	defer srv.Close()
	c, err := wrapper.New(srv.APIKey(), wrapper.WithBaseURL(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	sa := serviceAccount(t)
	flows := []struct {
		provider       wrapper.Provider
		create, update wrapper.CredentialData
		wantStored     string
	}{
		{wrapper.ProviderGoogle, connectorData, wrapper.ConnectorOverride{ClientID: "new-id", ClientSecret: wrapper.NewSecret("new-secret")}, `{"client_id":"new-id","client_secret":"new-secret"}`},
		{wrapper.ProviderMicrosoft, adminConsent, wrapper.MicrosoftAdminConsent{ClientID: "a2", ClientSecret: wrapper.NewSecret("s2"), Tenant: "common"}, `{"client_id":"a2","client_secret":"s2","tenant":"common"}`},
		{wrapper.ProviderGoogle, sa, sa, ""},
	}
	for i, fl := range flows {
		cred, err := c.Create(ctx, fl.provider, wrapper.CreateRequest{Name: "flow-" + string(fl.create.CredentialType()), Data: fl.create})
		if err != nil {
			t.Fatalf("flow %d create: %v", i, err)
		}
		updated, err := c.Update(ctx, fl.provider, cred.ID, wrapper.UpdateRequest{Data: fl.update})
		if err != nil {
			t.Fatalf("flow %d update: %v", i, err)
		}
		want := wrapper.CredentialType("")
		if report {
			want = fl.create.CredentialType()
		}
		if cred.CredentialType != want || updated.CredentialType != want {
			t.Errorf("flow %d: credential_type %q on create, %q on update, want %q", i, cred.CredentialType, updated.CredentialType, want)
		}
		if stored, _ := srv.StoredType(string(fl.provider), cred.ID); stored != string(fl.create.CredentialType()) {
			t.Errorf("flow %d: stored type %q", i, stored)
		}
		stored, _ := srv.StoredData(string(fl.provider), cred.ID)
		if fl.wantStored != "" && string(stored) != fl.wantStored {
			t.Errorf("flow %d stored %s, want %s", i, stored, fl.wantStored)
		}
		if fl.wantStored == "" {
			var got, want map[string]any
			_ = json.Unmarshal(stored, &got)
			_ = json.Unmarshal(keyFile(t), &want)
			if a, b := mustJSON(got), mustJSON(want); !bytes.Equal(a, b) {
				t.Errorf("service account stored %s\nwant %s", a, b)
			}
		}
	}
	for _, v := range srv.Violations() {
		t.Errorf("fake: %v", v)
	}
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}
