package wrapper

import (
	"encoding/json"
	"strings"
)

// secretSet is what one call must never let through into an error or a log
// record: the API key and the secrets of the credential data it sends, in
// every form a server might echo them.
type secretSet struct {
	raw   []string // the secrets themselves
	forms []string // raw, JSON-escaped and PEM-line forms, at least 4 bytes each
}

// minSecretForm: shorter forms would mangle ordinary text and hide nothing.
const minSecretForm = 4

// minFragment is the shortest run of token characters that is treated as a
// piece of a secret when it occurs inside one: long enough that ordinary
// words and ids do not match, short enough to catch a half-echoed key line.
const minFragment = 12

func newSecretSet(raw ...string) *secretSet {
	s := &secretSet{}
	for _, secret := range raw {
		if len(secret) < minSecretForm {
			continue
		}
		s.raw = append(s.raw, secret)
		s.forms = append(s.forms, secret)
		if quoted, err := json.Marshal(secret); err == nil {
			if inner := string(quoted[1 : len(quoted)-1]); inner != secret {
				s.forms = append(s.forms, inner)
			}
		}
		if strings.ContainsAny(secret, "\r\n") {
			for _, line := range strings.FieldsFunc(secret, func(r rune) bool { return r == '\n' || r == '\r' }) {
				if line = strings.TrimSpace(line); len(line) >= minFragment && !strings.HasPrefix(line, "-----") {
					s.forms = append(s.forms, line)
				}
			}
		}
	}
	return s
}

// scrub returns text with every secret form, and every long token that is a
// fragment of a secret, replaced by [REDACTED]. It allocates only when it
// finds something.
func (s *secretSet) scrub(text string) string {
	if s == nil || text == "" || len(s.raw) == 0 {
		return text
	}
	for _, form := range s.forms {
		if strings.Contains(text, form) {
			text = strings.ReplaceAll(text, form, redacted)
		}
	}
	return s.scrubFragments(text)
}

// scrubFragments redacts maximal runs of token characters (base64, base64url,
// hex, ids) that occur inside a secret: a server that echoes part of a key.
func (s *secretSet) scrubFragments(text string) string {
	var b *strings.Builder
	last := 0
	for i := 0; i < len(text); {
		if !isTokenByte(text[i]) {
			i++
			continue
		}
		if i > 0 && text[i-1] == '\\' {
			// The letter of a JSON escape (\n between PEM lines) is not
			// part of the token that follows it.
			i++
			continue
		}
		j := i
		for j < len(text) && isTokenByte(text[j]) {
			j++
		}
		if j-i >= minFragment && s.containsFragment(text[i:j]) {
			if b == nil {
				b = &strings.Builder{}
			}
			b.WriteString(text[last:i])
			b.WriteString(redacted)
			last = j
		}
		i = j
	}
	if b == nil {
		return text
	}
	b.WriteString(text[last:])
	return b.String()
}

func (s *secretSet) containsFragment(tok string) bool {
	for _, secret := range s.raw {
		if len(secret) >= minFragment && strings.Contains(secret, tok) {
			return true
		}
	}
	return false
}

func isTokenByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '+' || c == '/' || c == '=' || c == '_' || c == '-'
}
