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
		out := scrubSecrets(tc.in, []string{canary, pem, "ab"})
		if strings.Contains(out, tc.leak) || !strings.Contains(out, redacted) {
			t.Errorf("scrubSecrets(%q) = %q", tc.in, out)
		}
	}
	if out := scrubSecrets("grab a cab", []string{"ab"}); out != "grab a cab" {
		t.Errorf("short secrets must not mangle text: %q", out)
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
