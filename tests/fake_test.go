package tests

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
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
		var resp wrapper.Response
		updated, err := c.Update(ctx, fl.provider, cred.ID, wrapper.UpdateRequest{Data: fl.update}, wrapper.WithResponseInto(&resp))
		if err != nil {
			t.Fatalf("flow %d update: %v", i, err)
		}
		want, wantCheck := wrapper.CredentialType(""), wrapper.FlowUnverified
		if report {
			want, wantCheck = fl.create.CredentialType(), wrapper.FlowVerified
		}
		if resp.FlowCheck != wantCheck {
			t.Errorf("flow %d: flow check %q, want %q", i, resp.FlowCheck, wantCheck)
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

// TestFlowGuardAgainstFake: connector data sent to a service-account
// credential would erase its key. When the server reports credential_type,
// Update refuses before any PATCH; when it does not (Nylas's published
// shape), the update goes through unverified, and says so.
func TestFlowGuardAgainstFake(t *testing.T) {
	for _, report := range []bool{false, true} {
		var opts []nylastest.Option
		if report {
			opts = append(opts, nylastest.WithCredentialType())
		}
		srv := nylastest.NewServer(opts...)
		c, err := wrapper.New(srv.APIKey(), wrapper.WithBaseURL(srv.URL))
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		cred, err := c.Create(ctx, wrapper.ProviderGoogle, wrapper.CreateRequest{Name: "directory sync", Data: serviceAccount(t)})
		if err != nil {
			t.Fatal(err)
		}
		before, _ := srv.StoredData("google", cred.ID)
		var resp wrapper.Response
		_, err = c.Update(ctx, wrapper.ProviderGoogle, cred.ID, wrapper.UpdateRequest{Data: connectorData}, wrapper.WithResponseInto(&resp))
		reqs := srv.Requests()
		last := reqs[len(reqs)-1].Operation
		after, _ := srv.StoredData("google", cred.ID)
		if report {
			if !errors.Is(err, wrapper.ErrFlowMismatch) || last != "getCredential" || !bytes.Equal(before, after) {
				t.Errorf("reported: err %v, last request %s, stored data changed %t", err, last, !bytes.Equal(before, after))
			}
		} else {
			if err != nil || resp.FlowCheck != wrapper.FlowUnverified || last != "updateCredential" || bytes.Equal(before, after) {
				t.Errorf("not reported: err %v, flow check %q, last request %s", err, resp.FlowCheck, last)
			}
		}
		for _, v := range srv.Violations() {
			t.Errorf("fake: %v", v)
		}
		srv.Close()
	}
}
