package wrapper

import (
	"fmt"
	"log/slog"
)

// redacted is what every secret prints as.
const redacted = "[REDACTED]"

// Secret holds a sensitive string (an API key, a client secret, a private key);
// make one with NewSecret. It prints as [REDACTED] in every fmt verb and in slog,
// and marshals as [REDACTED], so a struct holding one can be logged safely.
type Secret struct {
	// fmt's paths that skip Format (a bad verb such as %p or %d, %+v of a value
	// copy or unexported field) print a pointer to a string as an address.
	v *secretString
}

type secretString string

// NewSecret wraps s. The zero Secret holds "".
func NewSecret(s string) Secret {
	if s == "" {
		return Secret{}
	}
	v := secretString(s)
	return Secret{v: &v}
}

// Reveal returns the secret value. Call it only to send the value.
func (s Secret) Reveal() string {
	if s.v == nil {
		return ""
	}
	return string(*s.v)
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
