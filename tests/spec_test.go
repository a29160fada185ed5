package tests

import (
	"context"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/nylascreds/nylascreds"
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
