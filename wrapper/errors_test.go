package wrapper

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestScrubSecrets(t *testing.T) {
	pem := "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nBKcwggSjAgEAAoIBAQCnkAJtFM3Azdv\n-----END PRIVATE KEY-----\n"
	cases := []struct{ in, leak string }{
		{"echo: " + canary, canary},
		{`{"client_secret":"` + canary + `"}`, canary},
		{`"private_key":"-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nBKcw`, "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC"},
		{"line: BKcwggSjAgEAAoIBAQCnkAJtFM3Azdv", "BKcwggSjAgEAAoIBAQCnkAJtFM3Azdv"},
	}
	for _, tc := range cases {
		out := newSecretSet(canary, pem, "ab").scrub(tc.in)
		if strings.Contains(out, tc.leak) || !strings.Contains(out, redacted) {
			t.Errorf("scrub(%q) = %q", tc.in, out)
		}
	}
	if out := newSecretSet("ab").scrub("grab a cab"); out != "grab a cab" {
		t.Errorf("short secrets must not mangle text: %q", out)
	}
	// Fragments: half a key line, echoed raw or after a JSON escape.
	set := newSecretSet(pem)
	for _, in := range []string{"cut: BKcwggSjAgEAAo", `\nBKcwggSjAgEAAoIB`, "MIIEvQIBADANBgkq..."} {
		if out := set.scrub(in); strings.Contains(out, "BKcwggSjAgEA") || strings.Contains(out, "MIIEvQIBADAN") {
			t.Errorf("fragment survived: %q -> %q", in, out)
		}
	}
	if in := "request nylastest-000001 failed: Unauthorized"; set.scrub(in) != in {
		t.Errorf("ordinary text was redacted: %q", set.scrub(in))
	}
}

func TestSnippet(t *testing.T) {
	s := snippet([]byte(strings.Repeat("é", 300)), 511)
	if len(s) > 511 || !utf8.ValidString(s) || strings.ContainsRune(s, utf8.RuneError) {
		t.Errorf("snippet cut a rune: %d bytes", len(s))
	}
	if got := snippet([]byte("a\xffb"), 10); got != "a\uFFFDb" {
		t.Errorf("snippet(invalid) = %q", got)
	}
}
