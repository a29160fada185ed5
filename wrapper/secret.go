package wrapper

import (
	"fmt"
	"log/slog"
)

// redacted is what every secret prints as.
const redacted = "[REDACTED]"

// Secret holds a sensitive string: an API key, a client secret, a private
// key. It prints as [REDACTED] in every fmt verb (%v, %+v, %#v, %s, %q, ...)
// and in slog, so a Secret can sit in a struct that gets logged without
// leaking. Reveal returns the value itself, for the one place that sends it.
type Secret string

// Reveal returns the secret value. Call it only to send the value.
func (s Secret) Reveal() string { return string(s) }

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
