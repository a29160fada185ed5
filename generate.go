// Package nylascreds holds the OpenAPI document of the Nylas Connector
// Credentials API that the rest of the module is generated from and tested
// against. Programs use the wrapper package; this package only exposes the
// document itself, for fake servers and conformance checks.
package nylascreds

// The generator is pinned in api/tools/go.mod (a module of its own, so that
// its dependencies never enter the module graph of programs that import
// nylascreds) and run with `go tool`, which builds exactly that version.
//go:generate go tool -modfile=api/tools/go.mod oapi-codegen -config api/oapi-codegen.yaml openapi.yaml
//go:generate go run ./internal/genproviders openapi.yaml wrapper/providers_gen.go
