package tests

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/nylascreds/nylascreds/wrapper"
)

// Canned Nylas responses, shaped as openapi.yaml documents them.
const (
	connectorJSON  = `{"request_id":"req-conn","data":{"provider":"google","name":"Google Connector","active_credential_id":"cred-1","scope":["email"],"settings":{"topic_name":"t"}}}`
	credentialJSON = `{"request_id":"req-cred-1","data":{"id":"cred-1","name":"directory-sync","created_at":1700000000,"updated_at":1700000100}}`
	deleteJSON     = `{"request_id":"req-del-1"}`
	listPageJSON   = `{"request_id":"req-list-1","data":[` +
		`{"id":"cred-1","name":"one","created_at":1700000000,"updated_at":1700000000},` +
		`{"id":"cred-2","name":"two","created_at":1700000050,"updated_at":1700000060,"credential_type":"connector"}` +
		`],"limit":10,"offset":0}`
)

// keyFile returns the committed throwaway Google service-account key file.
// Its private key was generated for these tests and is used nowhere else.
func keyFile(t testing.TB) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/service-account.json")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// keyFileWith returns the key file with extra keys set (or replaced).
func keyFileWith(t testing.TB, extra map[string]any) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(keyFile(t), &m); err != nil {
		t.Fatal(err)
	}
	for k, v := range extra {
		if v == nil {
			delete(m, k)
			continue
		}
		m[k] = v
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func serviceAccount(t testing.TB) *wrapper.GoogleServiceAccount {
	t.Helper()
	sa, err := wrapper.ParseGoogleServiceAccountKey(keyFile(t))
	if err != nil {
		t.Fatalf("parse key file: %v", err)
	}
	return sa
}

// One value per flow, as used across the suites.
var (
	connectorData = wrapper.ConnectorOverride{ClientID: "3805ABCD1234.apps.googleusercontent.com", ClientSecret: wrapper.NewSecret("Ilg-connector-secret-01pe8db")}
	adminConsent  = wrapper.MicrosoftAdminConsent{ClientID: "9a8b7c6d-0000-4000-8000-123456789abc", ClientSecret: wrapper.NewSecret("azure~secret~value~42"), Tenant: "contoso.onmicrosoft.com"}
)
