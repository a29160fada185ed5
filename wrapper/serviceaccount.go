package wrapper

import (
	"bytes"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/mail"
	"slices"
	"strconv"

	"github.com/nylascreds/nylascreds/gen"
	"github.com/nylascreds/nylascreds/internal/jsonesc"
)

// GoogleServiceAccount is the credential_data of a Google App Permission
// (serviceaccount) credential: a key file as Google Cloud downloads it, every
// key sent with its JSON value, unknown ones included (Create's generated body
// re-encodes objects: keys sorted, escapes normalised, a repeated key kept
// once). Build one with ParseGoogleServiceAccountKey; the zero value is
// refused by validation.
type GoogleServiceAccount struct {
	k *serviceAccountKey
}

type serviceAccountKey struct {
	data       gen.ServiceAccountData // every key but private_key
	privateKey Secret
}

const opParseKeyFile = "parse google service-account key"

// ParseGoogleServiceAccountKey checks a key file and returns it ready to send:
// "type" is "service_account"; private_key_id, private_key and client_email
// are present; private_key is one PEM "PRIVATE KEY" block holding a PKCS#8
// key that parses; client_email is an address; every key the spec names is a
// string. All problems come at once in a *ValidationError, each field named
// credential_data.<key>, no value quoted.
func ParseGoogleServiceAccountKey(keyFile []byte) (*GoogleServiceAccount, error) {
	var probs problems
	var raw map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(keyFile))
	switch err := dec.Decode(&raw); {
	case err != nil && bytes.HasPrefix(bytes.TrimSpace(keyFile), []byte("-----BEGIN")):
		probs.add("credential_data", "the file is a PEM key, not a Google service-account key file: give the JSON key file "+
			"as Google Cloud downloads it (IAM, Service accounts, Keys, Add key, JSON), which holds the key with its client_email and private_key_id")
	case err != nil:
		probs.add("credential_data", "must be a JSON object (a Google service-account key file): "+jsonProblem(err))
	case dec.More():
		probs.add("credential_data", "must be exactly one JSON object")
	case !jsonesc.Exact(keyFile):
		// encoding/json would send U+FFFD instead.
		for _, k := range slices.Sorted(maps.Keys(raw)) {
			if !jsonesc.Exact(raw[k]) {
				probs.add("credential_data."+k, "must be valid UTF-8 text")
			}
		}
		if len(probs.list) == 0 {
			probs.add("credential_data", "must be valid UTF-8 text (a key name is not)")
		}
	}
	if len(probs.list) > 0 {
		return nil, probs.err(opParseKeyFile)
	}
	str := map[string]string{}
	for _, k := range []string{"type", "project_id", "private_key_id", "private_key", "client_email", "client_id",
		"auth_uri", "token_uri", "auth_provider_x509_cert_url", "client_x509_cert_url", "universe_domain"} {
		var s string
		if v, ok := raw[k]; ok && json.Unmarshal(v, &s) != nil {
			probs.add("credential_data."+k, "must be a string")
		} else if ok {
			str[k] = s
		}
	}
	if t, ok := str["type"]; (!ok || t != "service_account") && !probs.has("credential_data.type") {
		probs.add("credential_data.type", `must be "service_account" (is this a Google service-account key file?)`)
	}
	if blank(str["private_key_id"]) && !probs.has("credential_data.private_key_id") {
		probs.add("credential_data.private_key_id", "is required")
	}
	if !probs.has("credential_data.private_key") {
		checkPKCS8(str["private_key"], &probs)
	}
	if !probs.has("credential_data.client_email") {
		checkEmail(str["client_email"], &probs)
	}
	if err := probs.err(opParseKeyFile); err != nil {
		return nil, err
	}
	var data gen.ServiceAccountData
	if err := json.Unmarshal(keyFile, &data); err != nil {
		return nil, fmt.Errorf("nylascreds: %s: %s", opParseKeyFile, jsonProblem(err))
	}
	for k := range data.AdditionalProperties {
		data.Set(k, raw[k]) // unknown values keep their JSON value, numbers included
	}
	key := &serviceAccountKey{data: data, privateKey: NewSecret(data.PrivateKey)}
	key.data.PrivateKey = ""
	return &GoogleServiceAccount{k: key}, nil
}

func checkPKCS8(key string, probs *problems) {
	const field = "credential_data.private_key"
	block, rest := pem.Decode([]byte(key))
	switch {
	case blank(key):
		probs.add(field, "is required")
	case block == nil:
		probs.add(field, `must be a PEM "PRIVATE KEY" block`)
	case block.Type == "RSA PRIVATE KEY": // PKCS#1, as older tools export it
		probs.add(field, `must be a PEM "PRIVATE KEY" block (PKCS#8), not "RSA PRIVATE KEY"; convert the key with: `+
			"openssl pkcs8 -topk8 -nocrypt -in rsa-key.pem -out key.pem, and put the new PEM in the key file's private_key")
	case block.Type != "PRIVATE KEY":
		probs.add(field, `must be a PEM "PRIVATE KEY" block (PKCS#8), not `+strconv.Quote(block.Type))
	case len(bytes.TrimSpace(rest)) != 0:
		probs.add(field, "must hold exactly one PEM block")
	default:
		if _, err := x509.ParsePKCS8PrivateKey(block.Bytes); err != nil {
			probs.add(field, "must hold a PKCS#8 private key that parses")
		}
	}
}

func checkEmail(email string, probs *problems) {
	const field = "credential_data.client_email"
	addr, err := mail.ParseAddress(email)
	switch {
	case blank(email):
		probs.add(field, "is required")
	case err != nil || addr.Address != email || addr.Name != "":
		probs.add(field, "must be an email address (name@domain)")
	}
}

// jsonProblem describes a decoding failure without quoting the input (it may
// hold a private key).
func jsonProblem(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return "not valid JSON at byte " + strconv.FormatInt(syn.Offset, 10)
	case errors.As(err, &typ):
		return "found a JSON " + typ.Value + " instead"
	}
	return "not valid JSON"
}

// CredentialType returns CredentialTypeServiceAccount.
func (*GoogleServiceAccount) CredentialType() CredentialType { return CredentialTypeServiceAccount }

// ClientEmail returns the service account's address; "" for a zero value.
func (g *GoogleServiceAccount) ClientEmail() string {
	if g == nil || g.k == nil {
		return ""
	}
	return g.k.data.ClientEmail
}

// PrivateKeyID returns the id of the key, not the key; "" for a zero value.
func (g *GoogleServiceAccount) PrivateKeyID() string {
	if g == nil || g.k == nil {
		return ""
	}
	return g.k.data.PrivateKeyId
}

// check: a built value was checked by ParseGoogleServiceAccountKey; a nil or
// zero one has none of its keys.
func (g *GoogleServiceAccount) check(_ operation, probs *problems) {
	if g == nil || g.k == nil {
		probs.add("credential_data.private_key_id", "is required")
		probs.add("credential_data.private_key", "is required (build the value with ParseGoogleServiceAccountKey)")
		probs.add("credential_data.client_email", "is required")
	}
}

func (g *GoogleServiceAccount) keyData() gen.ServiceAccountData {
	data := g.k.data
	data.PrivateKey = g.k.privateKey.Reveal()
	return data
}

func (g *GoogleServiceAccount) createBody(name string) (gen.CreateCredentialRequest, error) {
	var body gen.CreateCredentialRequest
	err := body.FromCreateServiceAccountCredential(gen.CreateServiceAccountCredential{
		Name: name, CredentialType: gen.CreateServiceAccountCredentialCredentialTypeServiceaccount, CredentialData: g.keyData(),
	})
	return body, err
}

func (g *GoogleServiceAccount) updateData() (gen.UpdateCredentialRequest_CredentialData, error) {
	var data gen.UpdateCredentialRequest_CredentialData
	err := data.FromServiceAccountData(g.keyData())
	return data, err
}

func (g *GoogleServiceAccount) secrets() []Secret {
	if g == nil || g.k == nil {
		return nil
	}
	return []Secret{g.k.privateKey}
}

// String describes the account without its private key, which no fmt verb,
// slog handler or encoder reaches (it is held as a Secret).
func (g *GoogleServiceAccount) String() string {
	if g == nil {
		return "GoogleServiceAccount(nil)"
	}
	return "GoogleServiceAccount{client_email: " + g.ClientEmail() + ", private_key_id: " + g.PrivateKeyID() +
		", private_key: " + redacted + "}"
}

// LogValue logs the account as String describes it.
func (g *GoogleServiceAccount) LogValue() slog.Value { return slog.StringValue(g.String()) }
