package wrapper

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/nylascreds/nylascreds/gen"
)

// TestCredentialFieldsReachWrapper fails, naming the field, when a field of
// the generated credential (a new response field in openapi.yaml, after
// `make generate`) does not reach wrapper.Credential with its value.
func TestCredentialFieldsReachWrapper(t *testing.T) {
	var g gen.Credential
	v := reflect.ValueOf(&g).Elem()
	for i := range v.NumField() {
		f := v.Field(i)
		if f.Kind() == reflect.Pointer { // an optional field without the overlay's plain value
			f.Set(reflect.New(f.Type().Elem()))
			f = f.Elem()
		}
		switch f.Kind() {
		case reflect.String:
			f.SetString("value-" + v.Type().Field(i).Name)
		case reflect.Int, reflect.Int64, reflect.Int32:
			f.SetInt(1700000000)
		case reflect.Bool:
			f.SetBool(true)
		default:
			t.Errorf("gen.Credential.%s is a %s: teach this test (and credentialFrom) about it", v.Type().Field(i).Name, f.Kind())
		}
	}
	cred, err := credentialFrom(g, newScrubber())
	if err != nil {
		t.Fatal(err)
	}
	out, _ := json.Marshal(cred)
	var got map[string]any
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	for i := range v.NumField() {
		field := v.Type().Field(i)
		name, _, _ := strings.Cut(field.Tag.Get("json"), ",")
		if value, ok := got[name]; !ok || reflect.ValueOf(value).IsZero() {
			t.Errorf("gen.Credential.%s (json %q) does not reach wrapper.Credential: add it there and in credentialFrom", field.Name, name)
		}
	}
}
