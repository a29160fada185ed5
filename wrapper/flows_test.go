package wrapper

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/nylascreds/nylascreds/gen"
)

// TestConnectorUpdateDataEncodesAsGenerated: a connector override without
// Settings, encoded directly, goes on the wire as the same bytes as through
// the generated gen.ConnectorData (the path values with Settings take).
func TestConnectorUpdateDataEncodesAsGenerated(t *testing.T) {
	for _, d := range []ConnectorOverride{
		{ClientID: "3805ABCD1234.apps.googleusercontent.com", ClientSecret: NewSecret("Ilg-connector-secret-01pe8db")},
		{ClientID: "app", ClientSecret: NewSecret("s"), Tenant: "contoso.onmicrosoft.com"},
		{ClientID: `<a href="x">&amp;</a>`, ClientSecret: NewSecret("quote\" backslash\\ tab\t nul\x00 ls\u2028 ps\u2029"), Tenant: "é 日本 🙂"},
		{ClientID: "invalid \xff utf-8", ClientSecret: NewSecret("\x7f\x01"), Tenant: " "},
	} {
		got, err := d.updateData()
		if err != nil {
			t.Fatal(err)
		}
		data, err := d.genData()
		if err != nil {
			t.Fatal(err)
		}
		var want gen.UpdateCredentialRequest_CredentialData
		if err := want.FromConnectorData(data); err != nil {
			t.Fatal(err)
		}
		gotBody, err1 := json.Marshal(gen.UpdateCredentialRequest{CredentialData: &got})
		wantBody, err2 := json.Marshal(gen.UpdateCredentialRequest{CredentialData: &want})
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		if !bytes.Equal(gotBody, wantBody) {
			t.Errorf("sent %s\nwant %s", gotBody, wantBody)
		}
	}
}
