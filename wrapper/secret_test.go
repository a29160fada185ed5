package wrapper

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

const canary = "CANARY-s3cr3t-7f9d"

func TestSecretNeverPrints(t *testing.T) {
	s := NewSecret(canary)
	holder := struct {
		ClientID     string
		ClientSecret Secret
	}{"id", s}
	var outs []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%T %v"} {
		outs = append(outs, fmt.Sprintf(verb, s), fmt.Sprintf(verb, holder), fmt.Sprintf(verb, &holder))
	}
	outs = append(outs, s.String(), fmt.Sprint(s), fmt.Sprintln(holder))
	js, _ := json.Marshal(holder)
	outs = append(outs, string(js))
	var logs bytes.Buffer
	slog.New(slog.NewTextHandler(&logs, nil)).Info("m", "secret", s, "holder", holder)
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("m", "secret", s, "holder", holder)
	outs = append(outs, logs.String())
	for _, out := range outs {
		if strings.Contains(out, canary) || strings.Contains(out, fmt.Sprintf("%x", canary)) {
			t.Errorf("secret leaked: %s", out)
		}
	}
	if s.Reveal() != canary {
		t.Error("Reveal lost the value")
	}
	if got := fmt.Sprintf("%#v", s); got != `wrapper.Secret("[REDACTED]")` {
		t.Errorf("%%#v = %s", got)
	}
}

func TestConnectorOverrideNeverPrintsSecret(t *testing.T) {
	d := ConnectorOverride{ClientID: "id", ClientSecret: NewSecret(canary), Tenant: "t"}
	for _, verb := range []string{"%v", "%+v", "%#v"} {
		if out := fmt.Sprintf(verb, d); strings.Contains(out, canary) || !strings.Contains(out, "id") {
			t.Errorf("%s = %s", verb, out)
		}
	}
}
