package wrapper

import (
	"fmt"
	"log/slog"
)

// redacted is what every secret prints as.
const redacted = "[REDACTED]"

// Secret holds a sensitive string (an API key, a client secret, a private key);
// make one with NewSecret. It prints as [REDACTED] in every fmt verb and slog
// handler, and marshals as [REDACTED]. Its value is held in a func: a printer
// that walks unexported fields by reflection (fmt's bad verbs, go-spew,
// kr/pretty, testify's diffs) shows a func as an address, so nothing that holds
// a Secret, a Client included, prints it by any means.
type Secret struct {
	v *func() string
}

// NewSecret wraps s. The zero Secret holds "".
func NewSecret(s string) Secret {
	if s == "" {
		return Secret{}
	}
	reveal := func() string { return s }
	return Secret{v: &reveal}
}

// Reveal returns the secret value. Call it only to send the value.
func (s Secret) Reveal() string {
	if s.v == nil {
		return ""
	}
	return (*s.v)()
}

// IsZero reports whether the secret is empty.
func (s Secret) IsZero() bool { return s.Reveal() == "" }

// String implements fmt.Stringer.
func (s Secret) String() string { return redacted }

// GoString implements fmt.GoStringer, for %#v.
func (s Secret) GoString() string { return `wrapper.Secret("` + redacted + `")` }

// Format keeps every fmt verb, %x and %d included, away from the value.
func (s Secret) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		_, _ = f.Write([]byte(s.GoString()))
		return
	}
	_, _ = f.Write([]byte(redacted))
}

// LogValue implements slog.LogValuer.
func (s Secret) LogValue() slog.Value { return slog.StringValue(redacted) }

// MarshalText makes encoding/json, encoding/xml and friends write [REDACTED] too.
func (s Secret) MarshalText() ([]byte, error) { return []byte(redacted), nil }
