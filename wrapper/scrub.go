package wrapper

import (
	"encoding/json"
	"html"
	"net/url"
	"strings"
)

// secrets are one call's secrets (the API key and those of the credential
// data it sends), listed and expanded into a secretSet only when something
// from the server has to be scrubbed: a successful call never pays for it
// (listing them up front cost 4 allocations per call; tests/bench: 166 to
// 162 per PATCH).
type secrets struct {
	key  Secret
	data CredentialData
	set  *secretSet
}

func newSecrets(c *Client, data CredentialData) *secrets {
	return &secrets{key: c.apiKey, data: data}
}

func (s *secrets) get() *secretSet {
	if s.set == nil {
		raw := []string{s.key.Reveal()}
		if s.data != nil {
			raw = append(raw, s.data.secretValues()...)
		}
		s.set = newSecretSet(raw...)
	}
	return s.set
}

// scrub hides the call's secrets in text that came from the server.
func (s *secrets) scrub(text string) string {
	if text == "" {
		return text
	}
	return s.get().scrub(text)
}

// secretSet is what one call must never let through into an error, a log
// record or a Response: the call's secrets, in every form a server might
// echo them as text.
//
// Covered, ignoring ASCII case: the secret as is; JSON-escaped (with and
// without HTML escaping); URL query- and path-escaped; HTML-escaped; each
// line of a multi-line secret (a PEM key); any run of 12 or more token
// characters (base64, hex, ids) found inside a secret, alone or after a
// "=", "/" or "+"; and all of these inside text that is percent-escaped or
// written as HTML character references (decoded before it is scrubbed).
// JSON bodies are decoded before they are scrubbed (redactJSON), so \u
// escapes cannot hide a secret. Not covered: a secret re-encoded as a whole
// (base64 or hex of the full value), or cut into pieces shorter than 12
// characters.
type secretSet struct {
	raw   []string // the secrets themselves
	forms []string // the escaped and line forms above, at least 4 bytes each
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
		s.forms = append(s.forms, secret, jsonEscaped(secret, true), jsonEscaped(secret, false),
			url.QueryEscape(secret), url.PathEscape(secret), html.EscapeString(secret))
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

// jsonEscaped is secret as it appears inside a JSON string.
func jsonEscaped(secret string, escapeHTML bool) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(escapeHTML)
	_ = enc.Encode(secret) // a string always encodes
	out := strings.TrimSpace(b.String())
	return out[1 : len(out)-1]
}

// scrub returns text with every secret form, and every long token that is a
// fragment of a secret, replaced by [REDACTED], ignoring case. A server may
// echo a secret percent-escaped (in either case, with or without "/") or as
// HTML character references: when the text decoded of those escapes holds a
// secret, the decoded text is what is scrubbed and returned. It allocates
// only when it finds something.
func (s *secretSet) scrub(text string) string {
	if s == nil || text == "" || len(s.raw) == 0 {
		return text
	}
	if decoded := unescapeText(text); decoded != text && s.redact(decoded) != decoded {
		text = decoded
	}
	return s.redact(text)
}

func (s *secretSet) redact(text string) string {
	for _, form := range s.forms {
		if len(form) >= minSecretForm {
			text = replaceFold(text, form)
		}
	}
	text = s.scrubFragments(text, isTokenByte)
	// A fragment glued to a parameter name ("key=AbC...") is not inside a
	// secret as a whole run: look again with = / + as separators.
	return s.scrubFragments(text, isTokenByteStrict)
}

// unescapeText decodes HTML character references and every valid %XX
// escape, leaving anything else as it is.
func unescapeText(text string) string {
	text = html.UnescapeString(text)
	if !strings.Contains(text, "%") {
		return text
	}
	var b strings.Builder
	for i := 0; i < len(text); i++ {
		if text[i] == '%' && i+2 < len(text) && isHex(text[i+1]) && isHex(text[i+2]) {
			b.WriteByte(unhex(text[i+1])<<4 | unhex(text[i+2]))
			i += 2
			continue
		}
		b.WriteByte(text[i])
	}
	return b.String()
}

func isHex(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	}
	return c - 'a' + 10
}

// replaceFold replaces every occurrence of form in text, ignoring ASCII
// case, by [REDACTED].
func replaceFold(text, form string) string {
	lowText, lowForm := strings.ToLower(text), strings.ToLower(form)
	if len(lowText) != len(text) || len(lowForm) != len(form) {
		return strings.ReplaceAll(text, form, redacted) // case mapping changed lengths: exact only
	}
	i := strings.Index(lowText, lowForm)
	if i < 0 {
		return text
	}
	var b strings.Builder
	last := 0
	for i >= 0 {
		b.WriteString(text[last : last+i])
		b.WriteString(redacted)
		last += i + len(form)
		i = strings.Index(lowText[last:], lowForm)
	}
	b.WriteString(text[last:])
	return b.String()
}

// scrubFragments redacts maximal runs of token characters (base64, base64url,
// hex, ids) that occur inside a secret, ignoring case: a server that echoes
// part of a key.
func (s *secretSet) scrubFragments(text string, token func(byte) bool) string {
	var b *strings.Builder
	last := 0
	for i := 0; i < len(text); {
		if !token(text[i]) {
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
		for j < len(text) && token(text[j]) {
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
	tok = strings.ToLower(tok)
	for _, secret := range s.raw {
		if len(secret) >= minFragment && strings.Contains(strings.ToLower(secret), tok) {
			return true
		}
	}
	return false
}

func isTokenByte(c byte) bool {
	return isTokenByteStrict(c) || c == '+' || c == '/' || c == '='
}

func isTokenByteStrict(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-'
}

// redactJSON decodes a JSON value, scrubs every string in it (object keys
// included), and encodes it again; escapes such as \u0041 cannot hide a
// secret from it. ok is false when raw is not one JSON value.
func (s *secretSet) redactJSON(raw []byte) (out []byte, ok bool) {
	var v any
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.UseNumber()
	if dec.Decode(&v) != nil || dec.More() {
		return nil, false
	}
	out, err := json.Marshal(s.redactValue(v))
	return out, err == nil
}

func (s *secretSet) redactValue(v any) any {
	switch v := v.(type) {
	case string:
		return s.scrub(v)
	case []any:
		for i := range v {
			v[i] = s.redactValue(v[i])
		}
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[s.scrub(k)] = s.redactValue(e)
		}
		return out
	}
	return v
}
