package wrapper

import (
	"encoding/json"
	"html"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestScrubCoversEveryStatedForm holds the rule on Client to each form it
// names, for secrets with every kind of character, in both ASCII cases.
func TestScrubCoversEveryStatedForm(t *testing.T) {
	pem := "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nBKcwggSjAgEAAoIBAQCnkAJtFM3Az/+=\n-----END PRIVATE KEY-----\n"
	secrets := []string{
		"nyk_v0_AbCdEf0123456789",
		"Grüße-façade-日本-🙂-secret",
		`a/b+c=d&e<f>g"h\i'j k`,
		"tab\there\u2028line\x01ctl",
		pem,
	}
	for _, secret := range secrets {
		sc := scrubberOf(secret)
		values := []string{secret}
		for _, line := range strings.Split(secret, "\n") {
			if len(line) >= minSecretLine && !strings.HasPrefix(line, "-----") {
				values = append(values, line)
			}
		}
		for _, v := range values {
			py, _ := json.Marshal(v) // Go's form; Python's is below
			forms := map[string]string{
				"as is":            v,
				"ascii upper":      upperASCII(v),
				"ascii lower":      lowerASCII(v),
				"go json":          jsonEscaped(v, true),
				"go json no html":  jsonEscaped(v, false),
				"python json":      asciiJSON(v),
				"python upper hex": upperASCII(asciiJSON(v)),
				"slash escaped":    strings.ReplaceAll(string(py[1:len(py)-1]), "/", `\/`),
				"query":            url.QueryEscape(v),
				"query lower hex":  strings.ToLower(url.QueryEscape(v)),
				"path":             url.PathEscape(v),
				"html":             html.EscapeString(v),
				"python html":      pythonHTML.Replace(v),
			}
			for name, form := range forms {
				in := "before " + form + " after"
				out := sc.text(in, 1<<16)
				if strings.Contains(out, form) && form != "" {
					t.Errorf("%s of %q survived: %q", name, v, out)
				}
				if !strings.HasPrefix(out, "before ") || !strings.HasSuffix(out, " after") || !strings.Contains(out, redacted) {
					t.Errorf("%s of %q: text around it changed: %q", name, v, out)
				}
			}
		}
	}
}

// TestScrubFoldsASCIIOnly (defect 7): a rune whose lower case has another
// UTF-8 length (İ, the Kelvin sign) must not turn matching exact.
func TestScrubFoldsASCIIOnly(t *testing.T) {
	sc := scrubberOf("nyk_secret_value_0123")
	for _, in := range []string{"İ NYK_SECRET_VALUE_0123", "\u212a nyk_SECRET_value_0123 \u212a", "\xff NYK_secret_VALUE_0123"} {
		if out := sc.text(in, 1024); strings.Contains(strings.ToLower(out), "nyk_secret_value_0123") {
			t.Errorf("text(%q) = %q", in, out)
		}
	}
}

// TestScrubJSONDecodesStringsAndNumbers (defects 5, 6): strings are matched
// as decoded, whatever their escapes, and numbers as written.
func TestScrubJSONDecodesStringsAndNumbers(t *testing.T) {
	sc := scrubberOf("Grüße-0123456789", "12345678901234")
	for _, body := range []string{
		`{"echo":"Gr\u00fc\u00dfe-0123456789"}`,
		`{"echo":"\u0047r\u00FC\u00DFe-0123456789"}`,
		`{"echo":12345678901234}`,
		`[1,{"k":[true,null,"x12345678901234y"]}]`,
	} {
		out, ok, cut := sc.json([]byte(body), 512)
		if !ok || cut || strings.Contains(out, "0123456789") || !strings.Contains(out, redacted) || !json.Valid([]byte(out)) {
			t.Errorf("json(%s) = %s, %v, %v", body, out, ok, cut)
		}
	}
	if out, _, _ := sc.json([]byte(`{"a":[1,2.5e3,"x"],"b":{}}`), 512); out != `{"a":[1,2.5e3,"x"],"b":{}}` {
		t.Errorf("clean JSON changed: %s", out)
	}
	for _, notOne := range []string{``, `{"a":1} trailing`, `{"a":`, `<html>`} {
		if _, ok, _ := sc.json([]byte(notOne), 512); ok {
			t.Errorf("json(%q) claimed one JSON value", notOne)
		}
	}
}

// TestScrubKeepsBoundsAndRunes: what is kept is at most the bound, valid
// UTF-8, marked when cut, and a secret straddling the bound is still found.
func TestScrubKeepsBoundsAndRunes(t *testing.T) {
	secret := "straddling-secret-0123456789"
	sc := scrubberOf(secret)
	cases := []struct {
		in   string
		max  int
		want string
	}{
		{"abc\xffd", 64, "abc\uFFFDd"},
		{strings.Repeat("é", 10), 9, "ééé…"},
		{strings.Repeat("x", 20) + secret, 24, strings.Repeat("x", 20) + "[…"},
		{strings.Repeat("x", 10) + secret + "tail", 64, strings.Repeat("x", 10) + redacted + "tail"},
	}
	for _, tc := range cases {
		got := sc.text(tc.in, tc.max)
		if len(got) > tc.max || !utf8.ValidString(got) || strings.Contains(got, secret[:12]) {
			t.Errorf("text(%q, %d) = %q: over the bound, invalid, or leaking", tc.in, tc.max, got)
		}
		if got != tc.want {
			t.Errorf("text(%q, %d) = %q, want %q", tc.in, tc.max, got, tc.want)
		}
	}
	// A long text whose kept window shrinks below the bound once a secret
	// in it is replaced is still marked cut, without reading past its end.
	if got := sc.text(strings.Repeat(secret, 40), 600); !strings.HasSuffix(got, "…") || len(got) > 600 {
		t.Errorf("a shrunken window: %q", got)
	}
	deep := strings.Repeat("[", 1<<20)
	if out, ok, cut := sc.json([]byte(deep), 512); !ok || !cut || len(out) > 512 {
		t.Errorf("a deep array: %d bytes, ok %v, cut %v", len(out), ok, cut)
	}
	if out := scrubberOf("ab").text("grab a cab", 64); out != "grab a cab" {
		t.Errorf("a secret under %d bytes mangled text: %q", minSecret, out)
	}
}

func upperASCII(s string) string {
	return strings.Map(func(r rune) rune {
		if 'a' <= r && r <= 'z' {
			return r - 'a' + 'A'
		}
		return r
	}, s)
}

// scrubberOf is the scrubber of a call that sends secrets.
func scrubberOf(secrets ...string) scrubber {
	var s []Secret
	for _, secret := range secrets {
		s = append(s, NewSecret(secret))
	}
	return newScrubber(s...)
}

// TestScrubJSONAcrossTokens (outside review): a secret spelled across JSON
// tokens ("1234,5678", `abcd","efgh`) is scrubbed from the re-encoded text,
// which is then no longer the JSON value.
func TestScrubJSONAcrossTokens(t *testing.T) {
	for secret, body := range map[string]string{"1234,5678": `[1234,5678]`, `abcd","efgh`: `["abcd","efgh"]`} {
		out, ok, cut := scrubberOf(secret).json([]byte(body), 512)
		if !ok || !cut || strings.Contains(out, secret) || !strings.Contains(out, redacted) {
			t.Errorf("json(%s) = %q, %v, %v", body, out, ok, cut)
		}
	}
}
