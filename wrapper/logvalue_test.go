package wrapper

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"log/slog"
	"strings"
	"testing"
)

// testKeyFile builds a valid key file around a fresh PKCS#8 key.
func testKeyFile(t *testing.T) ([]byte, string) {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	key := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	file, _ := json.Marshal(map[string]string{
		"type": "service_account", "private_key_id": "kid-1", "private_key": key, "client_email": "sync@p.iam.gserviceaccount.com",
	})
	return file, key
}

// TestSlogNeverPrintsSecrets logs the secret-holding values as top-level
// attributes, where slog calls LogValue, with both handlers.
func TestSlogNeverPrintsSecrets(t *testing.T) {
	file, key := testKeyFile(t)
	sa, err := ParseGoogleServiceAccountKey(file)
	if err != nil {
		t.Fatal(err)
	}
	c, err := New(canary)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	for _, h := range []slog.Handler{slog.NewTextHandler(&buf, nil), slog.NewJSONHandler(&buf, nil)} {
		slog.New(h).Info("values", "client", c, "account", sa, "secret", NewSecret(canary),
			"data", ConnectorOverride{ClientID: "id", ClientSecret: NewSecret(canary)})
	}
	out := buf.String()
	keyLine := strings.Split(key, "\n")[1]
	if strings.Contains(out, canary) || strings.Contains(out, keyLine) {
		t.Fatalf("a secret reached slog output:\n%s", out)
	}
	for _, want := range []string{"client=\"nylascreds.Client{base_url: https://api.us.nylas.com, api_key: [REDACTED]}\"",
		`"account":"GoogleServiceAccount{client_email: sync@p.iam.gserviceaccount.com, private_key_id: kid-1, private_key: [REDACTED]}"`} {
		if !strings.Contains(out, want) {
			t.Errorf("slog output lacks %s:\n%s", want, out)
		}
	}
	if sa.ClientEmail() != "sync@p.iam.gserviceaccount.com" || sa.PrivateKeyID() != "kid-1" {
		t.Errorf("accessors = %q, %q", sa.ClientEmail(), sa.PrivateKeyID())
	}
	var none *GoogleServiceAccount
	if none.ClientEmail() != "" || none.PrivateKeyID() != "" || none.String() != "GoogleServiceAccount(nil)" || none.secrets() != nil {
		t.Error("a nil *GoogleServiceAccount does not describe itself as empty")
	}
}
