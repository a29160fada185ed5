package tests

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/nylascreds/nylascreds"
	"github.com/nylascreds/nylascreds/wrapper"
)

// loadSpec parses and validates the committed openapi.yaml; every conformance
// check in this package starts from it.
func loadSpec(t testing.TB) *openapi3.T {
	t.Helper()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(nylascreds.OpenAPI)
	if err != nil {
		t.Fatalf("load openapi.yaml: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("openapi.yaml does not validate: %v", err)
	}
	return doc
}

func TestSpecLoadsAndValidates(t *testing.T) {
	t.Parallel()
	doc := loadSpec(t)
	if got := doc.OpenAPI; got != "3.0.3" {
		t.Errorf("openapi version = %q, want 3.0.3", got)
	}
}

// TestProvidersMatchSpec fails when wrapper.KnownProviders and the spec's
// Provider enum drift apart.
func TestProvidersMatchSpec(t *testing.T) {
	t.Parallel()
	var want []string
	for _, v := range loadSpec(t).Components.Schemas["Provider"].Value.Enum {
		want = append(want, v.(string))
	}
	var got []string
	for _, p := range wrapper.KnownProviders() {
		got = append(got, string(p))
	}
	slices.Sort(want)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("wrapper.KnownProviders() = %v, openapi.yaml Provider enum = %v", got, want)
	}
	if slices.Contains(want, "inbox") {
		t.Error(`openapi.yaml lists the deprecated provider "inbox"`)
	}
}

// TestCredentialTypesMatchSpec does the same for the three flows: the
// credential_type of each variant of the create body, in the spec's order.
func TestCredentialTypesMatchSpec(t *testing.T) {
	t.Parallel()
	var want []string
	for _, variant := range loadSpec(t).Components.Schemas["CreateCredentialRequest"].Value.OneOf {
		for _, v := range variant.Value.Properties["credential_type"].Value.Enum {
			want = append(want, v.(string))
		}
	}
	got := []string{string(wrapper.CredentialTypeServiceAccount), string(wrapper.CredentialTypeAdminConsent), string(wrapper.CredentialTypeConnector)}
	if !slices.Equal(got, want) {
		t.Errorf("wrapper credential types = %v, openapi.yaml = %v", got, want)
	}
}

// TestSpecCheckerCatchesDrift proves the conformance harness can fail: an
// off-spec request and an off-spec response are both reported.
func TestSpecCheckerCatchesDrift(t *testing.T) {
	t.Parallel()
	f := newFakeAPI(t, jsonReply(200, `{"request_id":"r","data":{"id":"c","name":"n"}}`))
	checker := newSpecChecker(t, f.URL)
	hc := &http.Client{Transport: checker.wrap(f.Client().Transport)}
	req, _ := http.NewRequest(http.MethodPatch, f.URL+"/v3/connectors/google/creds/c", strings.NewReader(`{"name":""}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer k")
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	fails := checker.failures()
	if len(fails) != 2 {
		t.Fatalf("failures = %v, want a request and a response failure", fails)
	}
	if !strings.Contains(fails[0].Error(), "request off spec") || !strings.Contains(fails[1].Error(), "200 response off spec") {
		t.Errorf("failures = %v", fails)
	}
}
