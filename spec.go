package nylascreds

import _ "embed"

// OpenAPI is the OpenAPI 3.0 document that gen/ is generated from, byte for
// byte as committed. nylastest validates every request and response against
// it; the wrapper package does not use it, so programs that import only the
// wrapper carry neither this document nor an OpenAPI library.
//
//go:embed openapi.yaml
var OpenAPI []byte
