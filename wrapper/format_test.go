package wrapper

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"reflect"
	"strings"
	"testing"
)

// TestNoFmtPathReachesASecret (defect g): fmt's bad-verb path skips Format,
// and %+v of a value copy or of an unexported field prints fields raw. Every
// verb, with every flag, over every way a secret can be held, must print no
// form of it.
func TestNoFmtPathReachesASecret(t *testing.T) {
	const key = "CANARY-api-key-0a1b2c3d"
	c, err := New(key)
	if err != nil {
		t.Fatal(err)
	}
	file, _ := testKeyFile(t)
	sa, err := ParseGoogleServiceAccountKey(file)
	if err != nil {
		t.Fatal(err)
	}
	pemLine := strings.Split(sa.k.privateKey.Reveal(), "\n")[1]
	secret := NewSecret(canary)
	type holder struct {
		s  Secret
		c  *Client
		cv Client
		g  GoogleServiceAccount
		d  ConnectorOverride
	}
	values := map[string]any{
		"Secret":                secret,
		"*Secret":               &secret,
		"Client copy":           *c,
		"*Client":               c,
		"GoogleServiceAccount":  *sa,
		"*GoogleServiceAccount": sa,
		"unexported fields":     holder{secret, c, *c, *sa, ConnectorOverride{ClientSecret: secret}},
		"*unexported fields":    &holder{secret, c, *c, *sa, ConnectorOverride{ClientSecret: secret}},
		"exported fields": struct {
			S Secret
			C *Client
			G *GoogleServiceAccount
		}{secret, c, sa},
		"slice":              []any{secret, c, *c, sa, *sa},
		"map":                map[string]any{"s": secret, "c": *c},
		"connector override": ConnectorOverride{ClientID: "id", ClientSecret: secret, Settings: map[string]any{"token": secret}},
		"admin consent":      MicrosoftAdminConsent{ClientID: "id", ClientSecret: secret, Tenant: "t"},
		"update request":     UpdateRequest{Data: sa},
	}
	var verbs []string
	for v := 'a'; v <= 'z'; v++ {
		verbs = append(verbs, string(v))
	}
	for v := 'A'; v <= 'Z'; v++ {
		verbs = append(verbs, string(v))
	}
	leaks := func(out string) bool {
		out += strings.ToLower(out) // a form the scrubber keeps is lower-cased
		for _, s := range []string{key, canary, pemLine, strings.ToLower(key), strings.ToLower(canary)} {
			for _, form := range []string{s, fmt.Sprintf("%x", s), fmt.Sprintf("%X", s), fmt.Sprintf("% x", s),
				base64.StdEncoding.EncodeToString([]byte(s))} {
				if strings.Contains(out, form) {
					return true
				}
			}
		}
		return false
	}
	for name, v := range values {
		for _, verb := range verbs {
			for _, flags := range []string{"", "+", "#", " ", "-", "0", "+#"} {
				format := "%" + flags + verb
				if out := fmt.Sprintf(format, v); leaks(out) {
					t.Errorf("%s with %s leaks: %.200s", name, format, out)
				}
			}
		}
		var logs bytes.Buffer
		slog.New(slog.NewTextHandler(&logs, nil)).Info("m", "v", v)
		slog.New(slog.NewJSONHandler(&logs, nil)).Info("m", "v", v)
		if js, err := json.Marshal(v); err == nil {
			logs.Write(js)
		}
		if leaks(logs.String()) {
			t.Errorf("%s leaks through slog or JSON: %.300s", name, logs.String())
		}
	}
	// The values still work.
	if c.apiKey.Reveal() != key || secret.Reveal() != canary || !strings.Contains(sa.k.privateKey.Reveal(), pemLine) {
		t.Error("a secret lost its value")
	}
}

// TestNoReflectionWalkReachesASecret walks every value reachable from the
// secret-holding types by reflection, unexported fields included, as go-spew,
// kr/pretty and testify's diffs do: no string on the way may hold a secret.
func TestNoReflectionWalkReachesASecret(t *testing.T) {
	const key = "CANARY-api-key-reflect-0a1b2c3d"
	c, err := New(key)
	if err != nil {
		t.Fatal(err)
	}
	file, pemKey := testKeyFile(t)
	sa, err := ParseGoogleServiceAccountKey(file)
	if err != nil {
		t.Fatal(err)
	}
	pemLine := strings.Split(pemKey, "\n")[1]
	values := []any{c, *c, sa, *sa, NewSecret(canary),
		ConnectorOverride{ClientSecret: NewSecret(canary), Settings: map[string]any{"s": NewSecret(canary)}},
		MicrosoftAdminConsent{ClientSecret: NewSecret(canary)}, UpdateRequest{Data: sa}}
	seen := map[uintptr]bool{}
	var walk func(v reflect.Value)
	walk = func(v reflect.Value) {
		switch v.Kind() {
		case reflect.String:
			if s := strings.ToLower(v.String()); strings.Contains(s, strings.ToLower(key)) ||
				strings.Contains(s, strings.ToLower(canary)) || strings.Contains(s, strings.ToLower(pemLine)) {
				t.Errorf("a reflection walk reaches a secret: %.60q", v.String())
			}
		case reflect.Pointer, reflect.Interface:
			if v.Kind() == reflect.Pointer && (v.IsNil() || seen[v.Pointer()]) {
				return
			}
			if v.Kind() == reflect.Pointer {
				seen[v.Pointer()] = true
			}
			walk(v.Elem())
		case reflect.Struct:
			for i := range v.NumField() {
				walk(v.Field(i))
			}
		case reflect.Slice, reflect.Array:
			for i := range v.Len() {
				walk(v.Index(i))
			}
		case reflect.Map:
			for it := v.MapRange(); it.Next(); {
				walk(it.Key())
				walk(it.Value())
			}
		}
	}
	for _, v := range values {
		walk(reflect.ValueOf(v))
	}
}
