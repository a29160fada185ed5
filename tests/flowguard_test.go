package tests

import (
	"context"
	"errors"
	"fmt"
	"github.com/nylascreds/nylascreds/admin"
	"net/http"
	"strings"
	"testing"

	"github.com/nylascreds/nylascreds/nylastest"
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
			f := newFake(t, jsonReply(200, credentialOfType(tc.stored)))
			c := newClient(t, f)
			_, err := c.Update(context.Background(), tc.provider, "cred-1", wrapper.UpdateRequest{Name: "renamed", Data: tc.data})
			var mismatch *wrapper.FlowMismatchError
			if !errors.As(err, &mismatch) || !errors.Is(err, wrapper.ErrFlowMismatch) || errors.Is(err, wrapper.ErrValidation) {
				t.Fatalf("err = %v, want a *FlowMismatchError (not a ValidationError: a request was sent)", err)
			}
			sent := string(tc.data.CredentialType())
			if string(mismatch.Stored) != tc.stored || string(mismatch.Sent) != sent || mismatch.ID != "cred-1" {
				t.Errorf("mismatch = %+v", mismatch)
			}
			msg := err.Error()
			for _, want := range []string{"refused, nothing was changed", "stored as " + tc.stored, "not " + sent, "create a new " + sent + " credential, make it the connector's active credential, then delete this one"} {
				if !strings.Contains(msg, want) {
					t.Errorf("error %q lacks %q", msg, want)
				}
			}
			reqs := f.Requests()
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
		{"not-reported-confirmed", wrapper.ProviderGoogle, credentialJSON, wrapper.UpdateRequest{Data: connectorData,
			ConfirmUnverified: func(*wrapper.Credential) error { return nil }}, wrapper.FlowUnverified},
		{"name-only", wrapper.ProviderGoogle, "", wrapper.UpdateRequest{Name: "renamed"}, wrapper.FlowNotChecked},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			replies := []nylastest.Fault{jsonReply(200, credentialJSON)}
			if tc.getReply != "" {
				replies = []nylastest.Fault{jsonReply(200, tc.getReply), jsonReply(200, credentialJSON)}
			}
			f := newFake(t, replies...)
			c := newClient(t, f)
			var resp wrapper.Response
			_, err := c.Update(ctx, tc.provider, "cred-1", tc.req, wrapper.WithResponseInto(&resp))
			if tc.name == "flow-added-later" {
				// A flow this client does not know is still another flow.
				if !errors.Is(err, wrapper.ErrFlowMismatch) || len(f.Requests()) != 1 {
					t.Fatalf("err = %v after %d requests; want a mismatch and no PATCH", err, len(f.Requests()))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			methods := []string{}
			for _, r := range f.Requests() {
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
	f := newFake(t, jsonReply(404, `{"request_id":"req-404","error":{"type":"api.not_found_error","message":"no such credential"}}`))
	c := newClient(t, f)
	_, err := c.Update(context.Background(), wrapper.ProviderGoogle, "cred-1", wrapper.UpdateRequest{Data: connectorData})
	if !wrapper.IsNotFound(err) || len(f.Requests()) != 1 || f.Requests()[0].Method != http.MethodGet {
		t.Errorf("err = %v after %d requests; want the GET's 404 and no PATCH", err, len(f.Requests()))
	}
}

// TestFlowCheckAnswerIsScrubbedOfTheUpdatesSecrets: the GET of the check
// carries no client secret, but its answer reaches the caller of Update, so
// the secrets of the data about to be sent are scrubbed from it too.
func TestFlowCheckAnswerIsScrubbedOfTheUpdatesSecrets(t *testing.T) {
	watch := newLeakWatch(t)
	f := newFake(t, jsonReply(400, `{"request_id":"r","error":{"type":"t","message":"not `+canaryClientSecret+`"}}`))
	c := newClient(t, f, wrapper.WithLogger(watch.textLogger()))
	_, err := c.Update(context.Background(), wrapper.ProviderGoogle, "cred-1", wrapper.UpdateRequest{Data: canaryConnector})
	watch.observe(err)
	if err == nil || !strings.Contains(err.Error(), "not [REDACTED]") {
		t.Errorf("err = %v", err)
	}
}

// TestUnverifiedUpdateIsDecidedBeforeSending: where the server does not
// report the stored flow, ConfirmUnverified sees the credential as read
// before anything is sent; RefuseUnverified (strict) and any error it
// returns stop the update after the GET, with no PATCH.
func TestUnverifiedUpdateIsDecidedBeforeSending(t *testing.T) {
	for name, confirm := range map[string]func(*wrapper.Credential) error{
		"strict":  wrapper.RefuseUnverified,
		"refused": func(*wrapper.Credential) error { return errors.New("operator said no") },
	} {
		t.Run(name, func(t *testing.T) {
			f := newFake(t, jsonReply(200, credentialJSON), jsonReply(200, credentialJSON)) // the second would answer a PATCH
			c := newClient(t, f)
			var seen *wrapper.Credential
			_, err := c.Update(context.Background(), wrapper.ProviderGoogle, "cred-1", wrapper.UpdateRequest{
				Data: connectorData,
				ConfirmUnverified: func(stored *wrapper.Credential) error {
					seen = stored
					return confirm(stored)
				},
			})
			var unverified *wrapper.FlowUnverifiedError
			if !errors.As(err, &unverified) || !errors.Is(err, wrapper.ErrFlowUnverified) || unverified.Stored.Name != "directory-sync" {
				t.Fatalf("err = %v, want a *FlowUnverifiedError holding the credential read", err)
			}
			if seen == nil || seen.ID != "cred-1" || seen.CreatedAt.Unix() != 1700000000 {
				t.Errorf("ConfirmUnverified saw %+v", seen)
			}
			if reqs := f.Requests(); len(reqs) != 1 || reqs[0].Method != http.MethodGet {
				t.Errorf("server saw %d requests, want the GET alone", len(reqs))
			}
			if !strings.Contains(err.Error(), "refused, nothing was changed") {
				t.Errorf("error %q does not say nothing was changed", err)
			}
		})
	}
}

// TestFlowGuardRefusalIsScrubbedAndBounded (issue defects 1 and 2): a server
// that answers the guard's GET with a credential_type holding the request's
// Authorization value, or a secret about to be sent, does not get it back in
// the error text or in FlowMismatchError.Stored; and a 1 MiB credential_type
// does not make a 1 MiB error.
func TestFlowGuardRefusalIsScrubbedAndBounded(t *testing.T) {
	for name, stored := range map[string]string{
		"authorization": "Bearer " + testAPIKey,
		"api key upper": strings.ToUpper(testAPIKey),
		"client secret": "echo-" + canaryClientSecret,
		"one mebibyte":  strings.Repeat("x", 1<<20),
	} {
		t.Run(name, func(t *testing.T) {
			c := newClient(t, newFake(t, jsonReply(200, credentialOfType(stored)), jsonReply(200, credentialOfType(stored))))
			_, err := c.Update(context.Background(), wrapper.ProviderGoogle, "cred-1", wrapper.UpdateRequest{Data: canaryConnector})
			_, rotErr := admin.Rotate(context.Background(), c, wrapper.ProviderGoogle, admin.RotateRequest{ID: "cred-1", Data: canaryConnector})
			var mismatch, rotMismatch *wrapper.FlowMismatchError
			if !errors.As(err, &mismatch) || !errors.As(rotErr, &rotMismatch) {
				t.Fatalf("update: %v; rotate: %v; want *FlowMismatchError", err, rotErr)
			}
			for _, text := range []string{err.Error(), string(mismatch.Stored), fmt.Sprintf("%+v", mismatch),
				rotErr.Error(), fmt.Sprintf("%+v", rotMismatch)} {
				low := strings.ToLower(text)
				if strings.Contains(low, strings.ToLower(testAPIKey)) || strings.Contains(low, strings.ToLower(canaryClientSecret)) {
					t.Errorf("a secret came back: %.200s", text)
				}
				if len(text) > 1024 {
					t.Errorf("server text is not bounded: %d bytes", len(text))
				}
			}
		})
	}
}
