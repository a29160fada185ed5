package wrapper

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// scrubber applies the rule on Client to one call's server text. It makes the
// secrets' forms on first use: a call that keeps no server text never pays.
type scrubber struct{ s *scrubState }

type scrubState struct {
	forms   []string // ASCII lower-cased
	longest int
	pending []Secret // secrets whose forms are not made yet
}

// Secrets shorter than minSecret bytes, and lines of a multi-line secret
// shorter than minSecretLine, cannot be told from ordinary text.
const (
	minSecret     = 4
	minSecretLine = 12
)

func newScrubber(secrets ...Secret) scrubber { return scrubber{&scrubState{pending: secrets}} }

// with returns a new scrubber of sc's secrets and secrets.
func (sc scrubber) with(secrets []Secret) scrubber {
	st := sc.ready()
	return scrubber{&scrubState{forms: slices.Clip(st.forms), longest: st.longest, pending: secrets}}
}

// ready makes the pending secrets' forms. The client's scrubber, shared by its
// calls, has none pending after New, so it is only ever read.
func (sc scrubber) ready() *scrubState {
	st := sc.s
	if len(st.pending) == 0 {
		return st
	}
	for _, secret := range st.pending {
		for _, form := range secretForms(secret.Reveal()) {
			st.forms = append(st.forms, form)
			st.longest = max(st.longest, len(form))
		}
	}
	st.pending = nil
	return st
}

// secretForms lists the forms of secret the rule on Client names, ASCII lower-cased, each once.
func secretForms(secret string) []string {
	if len(secret) < minSecret {
		return nil
	}
	var forms []string
	add := func(more ...string) {
		for _, form := range more {
			if form = lowerASCII(form); len(form) >= minSecret && !slices.Contains(forms, form) {
				forms = append(forms, form)
			}
		}
	}
	values := []string{secret}
	for _, line := range strings.FieldsFunc(secret, func(r rune) bool { return r == '\n' || r == '\r' }) {
		if line = strings.TrimSpace(line); len(line) >= minSecretLine && line != secret && !strings.HasPrefix(line, "-----") {
			values = append(values, line)
		}
	}
	for _, v := range values {
		add(v)
		for _, j := range []string{jsonEscaped(v, true), jsonEscaped(v, false), asciiJSON(v)} {
			add(j, strings.ReplaceAll(j, "/", `\/`))
		}
		add(url.QueryEscape(v), url.PathEscape(v), escapeUnreserved(v, ""), escapeUnreserved(v, "/"),
			html.EscapeString(v), pythonHTML.Replace(v))
	}
	return forms
}

// text returns s scrubbed and cut to at most max bytes of valid UTF-8 (ending
// in "…" when cut). Only the part that can be kept, plus the longest form, is
// looked at: a secret cut by the limit is still found whole.
func (sc scrubber) text(s string, max int) string {
	if s == "" {
		return s
	}
	longest := sc.ready().longest
	long := len(s) > max+longest
	if long {
		s = s[:max+longest]
	}
	return bounded(sc.replace(s), max, long)
}

// bounded returns s as valid UTF-8 of at most max bytes, ending in "…" when cut (or cut already).
func bounded(s string, max int, cut bool) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if !cut && len(s) <= max {
		return s
	}
	n := min(max-len("…"), len(s))
	for n > 0 && n < len(s) && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// replace redacts every occurrence of every form, ignoring ASCII case only:
// a Unicode case mapping can change a text's length, and then its offsets.
func (sc scrubber) replace(s string) string {
	if s == "" || len(sc.ready().forms) == 0 {
		return s
	}
	low := lowerASCII(s)
	var spans [][2]int
	for _, f := range sc.s.forms {
		for i := 0; i < len(low); {
			j := strings.Index(low[i:], f)
			if j < 0 {
				break
			}
			spans = append(spans, [2]int{i + j, i + j + len(f)})
			i += j + 1 // overlapping occurrences too
		}
	}
	if len(spans) == 0 {
		return s
	}
	slices.SortFunc(spans, func(a, b [2]int) int { return a[0] - b[0] })
	var b strings.Builder
	last := 0
	for _, sp := range spans {
		if sp[0] >= last {
			b.WriteString(s[last:sp[0]])
			b.WriteString(redacted)
		}
		last = max(last, sp[1])
	}
	b.WriteString(s[last:])
	return b.String()
}

// json re-encodes the JSON value raw, each string and number decoded and scrubbed,
// stopping past max bytes: it costs what is kept, however large or deep raw is. ok
// is false when raw is not one JSON value; cut, when the text is that value no
// more: cut (ending in "…"), or scrubbed of a secret spelled across tokens ("1234,5678").
func (sc scrubber) json(raw []byte, max int) (text string, ok, cut bool) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	type level struct {
		object bool
		items  int
	}
	var stack []level
	var b strings.Builder
	for {
		tok, err := dec.Token()
		if err != nil {
			return "", false, false
		}
		delim, isDelim := tok.(json.Delim)
		closing := isDelim && (delim == '}' || delim == ']')
		if top := len(stack) - 1; top >= 0 && !closing {
			if l := stack[top]; l.object && l.items%2 == 1 {
				b.WriteByte(':')
			} else if l.items > 0 {
				b.WriteByte(',')
			}
			stack[top].items++
		}
		switch t := tok.(type) {
		case json.Delim:
			b.WriteRune(rune(t))
			if closing {
				stack = stack[:len(stack)-1]
			} else {
				stack = append(stack, level{object: t == '{'})
			}
		case string:
			q, _ := json.Marshal(sc.text(t, max))
			b.Write(q)
		case json.Number:
			if s := sc.text(string(t), max); s == string(t) {
				b.WriteString(s)
			} else {
				b.WriteString(strconv.Quote(s))
			}
		case bool:
			b.WriteString(strconv.FormatBool(t))
		case nil:
			b.WriteString("null")
		}
		switch {
		case b.Len() > max:
			return sc.text(b.String(), max), true, true // already scrubbed: this only cuts
		case len(stack) == 0:
			if _, err := dec.Token(); err != io.EOF {
				return "", false, false
			}
			if out := sc.replace(b.String()); out != b.String() {
				return bounded(out, max, false), true, true
			}
			return b.String(), true, false
		}
	}
}

// escapeUnreserved percent-escapes every byte of s but RFC 3986's unreserved
// characters and keep: Python's quote (keep "/") and quote_plus-like forms.
func escapeUnreserved(s, keep string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-._~"+keep, c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// pythonHTML escapes as Python's html.escape (and PHP, Django) do.
var pythonHTML = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&#x27;")

// lowerASCII lower-cases ASCII letters only, so lengths never change.
func lowerASCII(s string) string {
	if !strings.ContainsFunc(s, func(r rune) bool { return 'A' <= r && r <= 'Z' }) {
		return s
	}
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// jsonEscaped is s as Go's encoding/json writes it inside a string.
func jsonEscaped(s string, escapeHTML bool) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(escapeHTML)
	_ = enc.Encode(s) // a string always encodes
	out := strings.TrimSpace(b.String())
	return out[1 : len(out)-1]
}

// asciiJSON is s as Python's json.dumps writes it by default: Go's escaping
// with every rune outside printable ASCII as \uXXXX (UTF-16).
func asciiJSON(s string) string {
	var b strings.Builder
	for _, r := range jsonEscaped(s, false) {
		if r < 0x7f {
			b.WriteRune(r)
			continue
		}
		for _, u := range utf16.Encode([]rune{r}) {
			fmt.Fprintf(&b, `\u%04x`, u)
		}
	}
	return b.String()
}
