package tests

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/nylascreds/nylascreds/wrapper"
)

func credentialOfType(ctype string) string {
	return `{"request_id":"req-get","data":{"id":"cred-1","name":"n","created_at":1700000000,"updated_at":1700000100,"credential_type":"` + ctype + `"}}`
}

// TestUpdateRefusesAnotherFlowsData: a PATCH replaces credential_data
// whole, so connector data sent to a service-account credential would
// destroy the stored key. Update reads the stored flow first and refuses,
// naming both flows; no PATCH is sent.
func TestUpdateRefusesAnotherFlowsData(t *testing.T) {
	cases := []struct {
		provider wrapper.Provider
		stored   string
		data     wrapper.CredentialData
	}{
		{wrapper.ProviderGoogle, "serviceaccount", connectorData},
		{wrapper.ProviderGoogle, "connector", serviceAccount(t)},
		{wrapper.ProviderMicrosoft, "adminconsent", connectorData},
		{wrapper.ProviderMicrosoft, "connector", adminConsent},
	}
	for _, tc := range cases {
		t.Run(string(tc.provider)+"/"+tc.stored, func(t *testing.T) {
			f := newFakeAPI(t, jsonReply(200, credentialOfType(tc.stored)))
			c, _ := newClient(t, f)
			_, err := c.Update(context.Background(), tc.provider, "cred-1", wrapper.UpdateRequest{Name: "renamed", Data: tc.data})
			var verr *wrapper.ValidationError
			var mismatch *wrapper.FlowMismatchError
			if !errors.As(err, &verr) || !verr.Has("credential_data") || !errors.Is(err, wrapper.ErrFlowMismatch) ||
				!errors.Is(err, wrapper.ErrValidation) || !errors.As(err, &mismatch) {
				t.Fatalf("err = %v, want a ValidationError on credential_data wrapping a FlowMismatchError", err)
			}
			sent := string(tc.data.CredentialType())
			if string(mismatch.Stored) != tc.stored || string(mismatch.Sent) != sent || mismatch.ID != "cred-1" {
				t.Errorf("mismatch = %+v", mismatch)
			}
			msg := err.Error()
			for _, want := range []string{"refused, nothing was changed", "stored as " + tc.stored, "not " + sent, "AllowFlowChange"} {
				if !strings.Contains(msg, want) {
					t.Errorf("error %q lacks %q", msg, want)
				}
			}
			reqs := f.requests()
			if len(reqs) != 1 || reqs[0].Method != http.MethodGet {
				t.Errorf("server saw %v, want the GET alone", reqs)
			}
		})
	}
}

// TestUpdateFlowCheckOutcomes: what the check does, and what it reports in
// Response.FlowCheck, for each case.
func TestUpdateFlowCheckOutcomes(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name     string
		provider wrapper.Provider
		getReply string // "" when no GET is expected
		req      wrapper.UpdateRequest
		want     wrapper.FlowCheck
	}{
		{"same-flow", wrapper.ProviderGoogle, credentialOfType("connector"), wrapper.UpdateRequest{Data: connectorData}, wrapper.FlowVerified},
		{"not-reported", wrapper.ProviderGoogle, credentialJSON, wrapper.UpdateRequest{Data: connectorData}, wrapper.FlowUnverified},
		{"flow-added-later", wrapper.ProviderMicrosoft, credentialOfType("somethingnew"), wrapper.UpdateRequest{Data: adminConsent}, ""},
		{"provider-decides", wrapper.ProviderYahoo, "", wrapper.UpdateRequest{Data: connectorData}, wrapper.FlowVerified},
		{"allow-flow-change", wrapper.ProviderGoogle, "", wrapper.UpdateRequest{Data: connectorData, AllowFlowChange: true}, wrapper.FlowCheckSkipped},
		{"name-only", wrapper.ProviderGoogle, "", wrapper.UpdateRequest{Name: "renamed"}, wrapper.FlowNotChecked},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			replies := []reply{jsonReply(200, credentialJSON)}
			if tc.getReply != "" {
				replies = []reply{jsonReply(200, tc.getReply), jsonReply(200, credentialJSON)}
			}
			f := newFakeAPI(t, replies...)
			c, _ := newClient(t, f)
			var resp wrapper.Response
			_, err := c.Update(ctx, tc.provider, "cred-1", tc.req, wrapper.WithResponseInto(&resp))
			if tc.name == "flow-added-later" {
				// A flow this client does not know is still another flow.
				if !errors.Is(err, wrapper.ErrFlowMismatch) || len(f.requests()) != 1 {
					t.Fatalf("err = %v after %d requests; want a mismatch and no PATCH", err, len(f.requests()))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			methods := []string{}
			for _, r := range f.requests() {
				methods = append(methods, r.Method)
			}
			want := "PATCH"
			if tc.getReply != "" {
				want = "GET PATCH"
			}
			if strings.Join(methods, " ") != want || resp.FlowCheck != tc.want || resp.StatusCode != 200 {
				t.Errorf("requests %v, FlowCheck %q, status %d; want %s, %q", methods, resp.FlowCheck, resp.StatusCode, want, tc.want)
			}
		})
	}
}

// TestFlowCheckFailureSendsNoPatch: when the GET of the check fails, its
// error is returned and nothing is changed.
func TestFlowCheckFailureSendsNoPatch(t *testing.T) {
	f := newFakeAPI(t, jsonReply(404, `{"request_id":"req-404","error":{"type":"api.not_found_error","message":"no such credential"}}`))
	c, _ := newClient(t, f)
	_, err := c.Update(context.Background(), wrapper.ProviderGoogle, "cred-1", wrapper.UpdateRequest{Data: connectorData})
	if !wrapper.IsNotFound(err) || len(f.requests()) != 1 || f.requests()[0].Method != http.MethodGet {
		t.Errorf("err = %v after %d requests; want the GET's 404 and no PATCH", err, len(f.requests()))
	}
}

// TestFlowCheckAnswerIsScrubbedOfTheUpdatesSecrets: the GET of the check
// carries no client secret, but its answer reaches the caller of Update, so
// the secrets of the data about to be sent are scrubbed from it too.
func TestFlowCheckAnswerIsScrubbedOfTheUpdatesSecrets(t *testing.T) {
	watch := newLeakWatch(t)
	f := newFakeAPI(t, jsonReply(400, `{"request_id":"r","error":{"type":"t","message":"not `+canaryClientSecret+`"}}`))
	c, _ := newClient(t, f, wrapper.WithLogger(watch.textLogger()))
	_, err := c.Update(context.Background(), wrapper.ProviderGoogle, "cred-1", wrapper.UpdateRequest{Data: canaryConnector})
	watch.observe(err)
	if err == nil || !strings.Contains(err.Error(), "not [REDACTED]") {
		t.Errorf("err = %v", err)
	}
}
