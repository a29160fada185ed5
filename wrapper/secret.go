package wrapper

import (
	"fmt"
	"log/slog"
)

// redacted is what every secret prints as.
const redacted = "[REDACTED]"

// Secret holds a sensitive string: an API key, a client secret, a private
// key. Make one with NewSecret. It prints as [REDACTED] in every fmt verb and
// in slog, and marshals as [REDACTED], so a Secret can sit in a struct that
// gets logged without leaking.
//
// The value lives behind a pointer to an unexported string type. fmt's
// paths that skip Format (a bad verb such as %p or %d, a value copy or an
// unexported field printed with %+v) dereference a pointer only when it
// points to a struct, array, slice or map: a pointer to a string always
// prints as an address.
type Secret struct {
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

// Format implements fmt.Formatter so that no verb, including %x and %d, can
// reach the underlying bytes.
func (s Secret) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		_, _ = f.Write([]byte(s.GoString()))
		return
	}
	_, _ = f.Write([]byte(redacted))
}

// LogValue implements slog.LogValuer.
func (s Secret) LogValue() slog.Value { return slog.StringValue(redacted) }

// MarshalText makes encoding/json, encoding/xml and friends write the redacted
// form too; a Secret is never serialised by accident.
func (s Secret) MarshalText() ([]byte, error) { return []byte(redacted), nil }
