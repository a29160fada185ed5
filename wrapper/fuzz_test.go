package wrapper

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// Seed corpora live in testdata/fuzz/<Target>/ and run with every `go test`;
// `make fuzz` explores beyond them.

func FuzzParseGoogleServiceAccountKey(f *testing.F) {
	// testdata/fuzz holds a complete, valid key file among the seeds.
	f.Add([]byte(`{"type":"service_account","private_key_id":"k","private_key":"x","client_email":"a@b.c"}`))
	f.Add([]byte(`{"type":1}`))
	f.Fuzz(func(t *testing.T, file []byte) {
		g, err := ParseGoogleServiceAccountKey(file)
		if err == nil {
			var probs problems
			g.check(opUpdate, &probs)
			g.check(opCreate, &probs)
			if len(probs.list) != 0 || len(g.secrets()) != 1 {
				t.Fatalf("a parsed key file fails its own checks: %v", probs.list)
			}
			pk := g.secrets()[0].Reveal()
			for _, out := range []string{fmt.Sprintf("%v %+v %#v %s %x %+v", g, g, g, g, g, *g), string(must(json.Marshal(struct{ G *GoogleServiceAccount }{g})))} {
				if strings.Contains(out, pk) {
					t.Fatal("the private key was printed")
				}
			}
			return
		}
		verr, ok := err.(*ValidationError)
		if !ok || len(verr.Problems) == 0 {
			t.Fatalf("err = %T %v, want a *ValidationError with problems", err, err)
		}
		var rules strings.Builder
		for _, p := range verr.Problems {
			if !strings.HasPrefix(p.Field, "credential_data") {
				t.Fatalf("field %q is not under credential_data", p.Field)
			}
			rules.WriteString(p.Rule + "\n")
		}
		// No rule may quote the private key (long, space-free values only:
		// short ones can occur in the rule text by chance).
		if pk := privateKeyOf(file); len(pk) >= 24 && !strings.ContainsAny(pk, " \t") && strings.Contains(rules.String(), pk) {
			t.Fatal("a rule quotes the private key")
		}
	})
}

func privateKeyOf(file []byte) string {
	i := bytes.Index(file, []byte(`"private_key":"`))
	if i < 0 {
		return ""
	}
	rest := file[i+len(`"private_key":"`):]
	if j := bytes.IndexByte(rest, '"'); j >= 0 {
		return string(rest[:j])
	}
	return ""
}

func must(b []byte, _ error) []byte { return b }

func FuzzCredentialDataValidation(f *testing.F) {
	f.Add("client-id", "client-secret", "common", true)
	f.Add("", "", "", false)
	f.Add(" ", "\t", " ", true)
	f.Fuzz(func(t *testing.T, clientID, secret, tenant string, create bool) {
		op := opUpdate
		if create {
			op = opCreate
		}
		// The same value with another secret of the same blankness must get
		// the same problems: no rule may depend on the secret's content.
		other := "other-secret-value"
		if blank(secret) {
			other = ""
		}
		for _, mk := range []func(s Secret) CredentialData{
			func(s Secret) CredentialData {
				return ConnectorOverride{ClientID: clientID, ClientSecret: s, Tenant: tenant}
			},
			func(s Secret) CredentialData {
				return MicrosoftAdminConsent{ClientID: clientID, ClientSecret: s, Tenant: tenant}
			},
		} {
			if !utf8.ValidString(secret) || !utf8.ValidString(other) {
				continue // invalid UTF-8 is a problem of its own, named by its field
			}
			var a, b problems
			mk(NewSecret(secret)).check(op, &a)
			mk(NewSecret(other)).check(op, &b)
			if !reflect.DeepEqual(a.list, b.list) {
				t.Fatalf("problems depend on the secret: %v vs %v", a.list, b.list)
			}
			for _, p := range a.list {
				if !strings.HasPrefix(p.Field, "credential_data") || p.Rule == "" {
					t.Fatalf("malformed problem %+v", p)
				}
			}
			if len(a.list) == 0 {
				// A value that passes must encode to a body.
				if _, err := mk(NewSecret(secret)).updateData(); err != nil {
					t.Fatalf("valid data does not encode: %v", err)
				}
			}
		}
	})
}

func FuzzNewAPIError(f *testing.F) {
	f.Add(400, "application/json", []byte(`{"request_id":"r1","error":{"type":"t","message":"m","provider_error":{"a":1}}}`), "SECRETvalue123")
	f.Add(502, "text/html", []byte("<html>502 SECRETvalue123</html>"), "SECRETvalue123")
	f.Add(429, "application/json; charset=utf-8", []byte(`{"request_id":"r","error":{"provider_error":"SECRETvalue123"}}`), "SECRETvalue123")
	f.Add(500, "application/json", []byte(`{"request_id":`), "")
	f.Fuzz(func(t *testing.T, status int, contentType string, body []byte, secret string) {
		status = 100 + abs(status)%500
		ex := &exchange{method: "GET", path: "/v3/connectors/google/creds", attempts: 1, status: status, body: body,
			header: http.Header{"Content-Type": {contentType}, "Retry-After": {"3"}}}
		e := newAPIError(ex, scrubberOf(secret), "")
		if e.StatusCode != status || e.RetryAfter != 3*time.Second {
			t.Fatalf("status/retry-after lost: %+v", e)
		}
		if len(e.Body) > maxBodySnippet || !utf8.ValidString(e.Body) {
			t.Fatalf("body snippet is %d bytes, valid UTF-8 %v", len(e.Body), utf8.ValidString(e.Body))
		}
		_ = e.Error()
		if len(secret) >= 8 && isAlnum(secret) && !strings.Contains(redacted, secret) {
			server := e.RequestID + e.Type + e.Message + e.Body + string(e.ProviderError)
			if strings.Contains(server, secret) {
				t.Fatalf("secret survived scrubbing: %q", server)
			}
		}
	})
}

func abs(n int) int {
	if n < 0 {
		if n == -n { // math.MinInt
			return 0
		}
		return -n
	}
	return n
}

func isAlnum(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

func FuzzParseRetryAfter(f *testing.F) {
	for _, s := range []string{"0", "7", "-1", "1.5", "Wed, 21 Oct 2015 07:28:00 GMT", "99999999999999999999", ""} {
		f.Add(s)
	}
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, v string) {
		d, ok := parseRetryAfter(v, now)
		if d < 0 || (!ok && d != 0) {
			t.Fatalf("parseRetryAfter(%q) = %v, %v", v, d, ok)
		}
		if secs, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil && secs >= 0 && secs < 1<<32 {
			if !ok || d != time.Duration(secs)*time.Second {
				t.Fatalf("parseRetryAfter(%q) = %v, %v; want %ds", v, d, ok, secs)
			}
		}
	})
}

// FuzzScrub holds the stated rule to random text: a secret placed in any of
// its stated forms, between any text, never survives, and what is kept is
// valid UTF-8 within the bound.
func FuzzScrub(f *testing.F) {
	f.Add("nyk_v0_Secret0123", "before ", " after", uint8(0), 64)
	f.Add("Grüße/façade+=&<>", `{"a":"`, `"}`, uint8(3), 16)
	f.Add("-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----", "", "", uint8(1), 512)
	f.Fuzz(func(t *testing.T, secret, before, after string, form uint8, max int) {
		if len(secret) < minSecret || !utf8.ValidString(secret) {
			return
		}
		max = 8 + abs(max)%4096
		forms := []string{secret, upperASCII(secret), jsonEscaped(secret, true), jsonEscaped(secret, false), asciiJSON(secret),
			url.QueryEscape(secret), strings.ToLower(url.PathEscape(secret)), escapeUnreserved(secret, "/"), html.EscapeString(secret)}
		echoed := forms[int(form)%len(forms)]
		out := scrubberOf(secret).text(before+echoed+after, max)
		if len(out) > max || !utf8.ValidString(out) {
			t.Fatalf("kept %d bytes (bound %d), valid UTF-8 %v", len(out), max, utf8.ValidString(out))
		}
		// Text around the secret may itself spell part of it; only a whole
		// form that did not come from before or after counts as a leak.
		if !strings.Contains(strings.ToLower(before+after), strings.ToLower(echoed)) && strings.Contains(strings.ToLower(out), strings.ToLower(echoed)) {
			t.Fatalf("form %d of the secret survived: %q", form, out)
		}
	})
}
