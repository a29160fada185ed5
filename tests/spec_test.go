package tests

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/nylascreds/nylascreds"
	"github.com/nylascreds/nylascreds/nylastest"
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

// TestSpecComponentsAreReferenced: every component of openapi.yaml is used by
// an operation, directly or through other components. An unused one describes
// nothing a client sends or receives, and drifts unnoticed (part of make
// spec-lint).
func TestSpecComponentsAreReferenced(t *testing.T) {
	t.Parallel()
	unused, err := unreferencedComponents(nylascreds.OpenAPI)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range unused {
		t.Errorf("openapi.yaml: %s is not referenced from any operation; remove it or $ref it where it is used", c)
	}
}

// TestUnreferencedComponentsFindsUnused proves the check above can fail, and
// that references through other components, discriminator mappings and
// security requirements all count as uses.
func TestUnreferencedComponentsFindsUnused(t *testing.T) {
	t.Parallel()
	spec := `openapi: 3.0.3
info: {title: t, version: "1"}
security: [{key: []}]
paths:
  /things/{id}:
    parameters: [{$ref: "#/components/parameters/id"}]
    get:
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Thing"}
components:
  securitySchemes:
    key: {type: http, scheme: bearer}
    other: {type: http, scheme: basic}
  parameters:
    id: {name: id, in: path, required: true, schema: {type: string}}
  schemas:
    Thing:
      oneOf: [{$ref: "#/components/schemas/Small"}]
      discriminator:
        propertyName: kind
        mapping: {big: "#/components/schemas/Big"}
    Small: {type: object, properties: {kind: {type: string}}}
    Big: {type: object, properties: {kind: {type: string}}}
    Unused: {type: string}
`
	got, err := unreferencedComponents([]byte(spec))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"components.schemas.Unused", "components.securitySchemes.other"}; !slices.Equal(got, want) {
		t.Errorf("unreferencedComponents = %v, want %v", got, want)
	}
}

// unreferencedComponents returns, sorted, as "components.KIND.NAME", every
// component of an OpenAPI document that nothing outside components reaches,
// directly or through other components: by $ref, by a discriminator mapping,
// or, for a security scheme, by name in a security requirement.
func unreferencedComponents(spec []byte) ([]string, error) {
	doc, err := openapi3.NewLoader().LoadFromData(spec)
	if err != nil {
		return nil, err
	}
	raw, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	var tree map[string]any
	if err := json.Unmarshal(raw, &tree); err != nil {
		return nil, err
	}
	components, _ := tree["components"].(map[string]any)
	delete(tree, "components")

	var queue []string
	var walk func(v any, key string)
	walk = func(v any, key string) {
		switch v := v.(type) {
		case map[string]any:
			for k, child := range v {
				if ref, ok := child.(string); ok && (k == "$ref" || key == "mapping") {
					queue = append(queue, ref)
					continue
				}
				walk(child, k)
			}
		case []any:
			for _, child := range v {
				if req, ok := child.(map[string]any); ok && key == "security" {
					for name := range req {
						queue = append(queue, "#/components/securitySchemes/"+name)
					}
					continue
				}
				walk(child, key)
			}
		}
	}
	walk(tree, "")
	seen := map[string]bool{}
	for len(queue) > 0 {
		ref := queue[0]
		queue = queue[1:]
		kind, name, ok := strings.Cut(strings.TrimPrefix(ref, "#/components/"), "/")
		if !ok || !strings.HasPrefix(ref, "#/components/") || seen[kind+"."+name] {
			continue
		}
		seen[kind+"."+name] = true
		if byName, ok := components[kind].(map[string]any); ok {
			walk(byName[name], "")
		}
	}
	var unused []string
	for kind, byName := range components {
		m, _ := byName.(map[string]any)
		for name := range m {
			if !seen[kind+"."+name] {
				unused = append(unused, "components."+kind+"."+name)
			}
		}
	}
	slices.Sort(unused)
	return unused, nil
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

// TestSpecGuardCatchesDrift proves the suites' one spec checker, the fake's
// guard, can fail: an off-spec request answered by a scripted answer is
// still recorded as off the contract, and an off-spec scripted answer is
// recorded as a violation; and checkFake, which newFake runs at cleanup,
// fails a test for each.
func TestSpecGuardCatchesDrift(t *testing.T) {
	t.Parallel()
	srv := nylastest.NewServer(nylastest.WithAPIKey(testAPIKey))
	srv.Enqueue(jsonReply(200, `{"request_id":"r","data":{"id":"c","name":"n"}}`))
	req, _ := http.NewRequest(http.MethodPatch, srv.URL+"/v3/connectors/google/creds/c", strings.NewReader(`{"name":""}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+testAPIKey)
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	srv.Close()
	reqs, violations := srv.Requests(), srv.Violations()
	if len(reqs) != 1 || !strings.Contains(reqs[0].Problem, "request body field name") {
		t.Errorf("requests = %+v, want one whose problem names the empty name", reqs)
	}
	if len(violations) != 1 || !strings.Contains(violations[0].Error(), "scripted 200 response off spec") {
		t.Errorf("violations = %v, want the answer without created_at", violations)
	}
	rec := &recordingTB{TB: t}
	checkFake(rec, srv.Fake)
	if len(rec.errors) != 2 || !strings.Contains(rec.errors[0], "request off the contract") || !strings.Contains(rec.errors[1], "scripted 200 response off spec") {
		t.Errorf("checkFake reported %q, want the request and the answer", rec.errors)
	}
}

// recordingTB is t with its errors recorded instead of failing it.
type recordingTB struct {
	testing.TB
	errors []string
}

func (r *recordingTB) Helper() {}

func (r *recordingTB) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}
