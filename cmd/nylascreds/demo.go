package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/nylascreds/nylascreds/admin"
	"github.com/nylascreds/nylascreds/nylastest"
	"github.com/nylascreds/nylascreds/wrapper"
)

func (c *cli) demoCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "demo",
		Short: "Run the client against a built-in fake API and print a transcript",
		Long: `Start the fake Nylas API on loopback, then: create a connector override, rotate
its secret in place with PATCH, show a partial credential_data refused before sending,
another flow's data refused by the update flow guard, and an update whose flow the
server does not report decided before sending; then rotate to a new credential
without downtime (create, activate, a delete refused because grants use the old
credential, then the clean retirement), show the active credential refused, list with
the request id, and show the typed error for an unknown id. Every request and
response is checked against openapi.yaml. Nothing leaves the machine.`,
		Example: "  nylascreds demo",
		Args:    noArgs,
		RunE:    func(*cobra.Command, []string) error { return c.demo() },
	}
}

// demo walks through the product against the embedded fake, on loopback.
func (c *cli) demo() error {
	// This fake reports each credential's flow, so that the update flow
	// guard can be shown refusing; the transcript says what happens with a
	// server that does not.
	srv := nylastest.NewServer(nylastest.WithCredentialType())
	defer srv.Close()
	client, err := wrapper.New(srv.APIKey(), wrapper.WithBaseURL(srv.URL), wrapper.WithTimeout(10*time.Second))
	if err != nil {
		return failure("demo: " + cliWords(err.Error()))
	}
	d := &demoRun{cli: c, srv: srv, client: client}
	if err := d.run(); err != nil {
		return failure("demo: " + cliWords(err.Error()))
	}
	return nil
}

type demoRun struct {
	*cli
	srv    *nylastest.Server
	client *wrapper.Client
	step   int
}

// say writes one line of the transcript; a transcript that cannot be
// written has nowhere to report it, so a failed write is dropped.
func (d *demoRun) say(format string, args ...any) { _, _ = fmt.Fprintf(d.stdout, format+"\n", args...) }

func (d *demoRun) heading(title string) {
	d.step++
	d.say("\n%d. %s", d.step, title)
}

func (d *demoRun) run() error {
	ctx := d.ctx
	p := wrapper.ProviderGoogle
	d.say("nylascreds demo: the wrapper against the embedded fake Nylas API at %s", d.srv.URL)
	d.say("(loopback only; every request and response is checked against openapi.yaml; secrets print as %s)", wrapper.Secret{})

	d.heading("Create a connector-override credential (POST); a connector's first credential becomes its active one")
	created, err := d.client.Create(ctx, p, wrapper.CreateRequest{
		Name: "Google auth app #2",
		Data: wrapper.ConnectorOverride{ClientID: "3805-demo.apps.googleusercontent.com", ClientSecret: wrapper.NewSecret("demo-secret-v1")},
	})
	if err != nil {
		return err
	}
	d.say("   created %s", describeCredential(created))
	d.say("   stored credential_data: %s", d.stored(p, created.ID))

	storedBefore, _ := d.srv.StoredData(string(p), created.ID)
	d.heading("Rotate its client secret in place (PATCH: credential_data replaces the stored object whole; the id and name are kept)")
	updated, err := d.client.Update(ctx, p, created.ID, wrapper.UpdateRequest{
		Data: wrapper.ConnectorOverride{ClientID: "3805-demo.apps.googleusercontent.com", ClientSecret: wrapper.NewSecret("demo-secret-v2")},
	})
	if err != nil {
		return err
	}
	d.say("   updated %s", describeCredential(updated))
	d.say("   updated_at moved from %s to %s", created.UpdatedAt.Format(time.RFC3339), updated.UpdatedAt.Format(time.RFC3339))
	storedAfter, _ := d.srv.StoredData(string(p), created.ID)
	d.say("   stored credential_data: %s (the stored secret changed: %t)", d.stored(p, created.ID), string(storedBefore) != string(storedAfter))

	d.heading("Try a partial credential_data (client_id only), which would erase the stored secret")
	before := d.srv.RequestCount()
	_, err = d.client.Update(ctx, p, created.ID, wrapper.UpdateRequest{Data: wrapper.ConnectorOverride{ClientID: "3805-demo.apps.googleusercontent.com"}})
	var verr *wrapper.ValidationError
	if !errors.As(err, &verr) {
		return fmt.Errorf("a partial credential_data was not refused: %v", err)
	}
	for _, prob := range verr.Problems {
		d.say("   refused before sending: %s", prob)
	}
	d.say("   requests the server saw: %d before, %d after (nothing was sent)", before, d.srv.RequestCount())

	d.heading("Try to send a Google service account's key to this connector credential (another flow)")
	sa, err := demoServiceAccount()
	if err != nil {
		return err
	}
	before = d.srv.RequestCount()
	_, err = d.client.Update(ctx, p, created.ID, wrapper.UpdateRequest{Data: sa})
	var mismatch *wrapper.FlowMismatchError
	if !errors.As(err, &mismatch) {
		return fmt.Errorf("data of another flow was not refused: %v", err)
	}
	d.say("   refused: the credential is stored as %s, the data is %s; a PATCH would have replaced it whole", mismatch.Stored, mismatch.Sent)
	d.say("   requests the server saw: %d before, %d after (the GET of the check; no PATCH)", before, d.srv.RequestCount())
	d.say("   a credential's flow cannot change: create one of the new flow, make it active, delete the old one")

	if err := d.unverified(); err != nil {
		return err
	}
	if err := d.rotation(created); err != nil {
		return err
	}

	d.heading("Get an id that does not exist: the typed error")
	_, err = d.client.Get(ctx, p, "00000000-0000-4000-8000-000000000000")
	var apiErr *wrapper.APIError
	if !errors.As(err, &apiErr) {
		return fmt.Errorf("expected an *APIError, got %v", err)
	}
	d.say("   *wrapper.APIError: status %d, type %s, message %q, request_id %s", apiErr.StatusCode, apiErr.Type, apiErr.Message, apiErr.RequestID)
	d.say("   wrapper.IsNotFound(err) = %t", wrapper.IsNotFound(err))

	if v := d.srv.Violations(); len(v) > 0 {
		return fmt.Errorf("the fake wrote off-spec responses: %v", v)
	}
	d.say("\nDone: %d requests, all on spec.", d.srv.RequestCount())
	return nil
}

// unverified shows an update against a server that, like Nylas's published
// credential object, does not report the stored flow: ConfirmUnverified is
// asked before anything is sent.
func (d *demoRun) unverified() error {
	d.heading("Update a credential on a server that does not report its flow: asked before sending")
	silent := nylastest.NewServer()
	defer silent.Close()
	client, err := wrapper.New(silent.APIKey(), wrapper.WithBaseURL(silent.URL))
	if err != nil {
		return err
	}
	data := wrapper.MicrosoftAdminConsent{ClientID: "azure-app", ClientSecret: wrapper.NewSecret("consent-v1"), Tenant: "contoso.onmicrosoft.com"}
	cred, err := client.Create(d.ctx, wrapper.ProviderMicrosoft, wrapper.CreateRequest{Name: "tenant consent", Data: data})
	if err != nil {
		return err
	}
	data.ClientSecret = wrapper.NewSecret("consent-v2")
	_, err = client.Update(d.ctx, wrapper.ProviderMicrosoft, cred.ID, wrapper.UpdateRequest{Data: data,
		ConfirmUnverified: func(stored *wrapper.Credential) error {
			d.say("   asked: overwrite credential %q (created %s) with adminconsent data? answer: no", stored.Name, stored.CreatedAt.Format(time.RFC3339))
			return errors.New("the operator said no")
		}})
	if !errors.Is(err, wrapper.ErrFlowUnverified) {
		return fmt.Errorf("an unverified update was not refused: %v", err)
	}
	d.say("   refused before the PATCH (%d requests: the create and the GET); the CLI asks on a terminal, or needs --yes", silent.RequestCount())
	return nil
}

// rotation replaces the demo credential without downtime and retires it.
func (d *demoRun) rotation(old *wrapper.Credential) error {
	ctx, p := d.ctx, wrapper.ProviderGoogle
	d.heading("Two users connected through this credential by name, one through the connector's default")
	active, _ := d.srv.ActiveCredential(string(p))
	d.say("   the connector's active credential is %s (the first one created)", active)
	grants := d.srv.AddGrants(nylastest.Grant{Provider: "google", Email: "ada@example.com", CredentialID: old.ID},
		nylastest.Grant{Provider: "google", Email: "grace@example.com", CredentialID: old.ID},
		nylastest.Grant{Provider: "google", Email: "linus@example.com"})
	d.say("   grants: ada and grace name %s; linus names none, so uses the active credential", old.ID)

	d.heading("Rotate to a new app's secret: create, activate, then try to retire the old credential")
	res, err := admin.Rotate(ctx, d.client, p, admin.RotateRequest{ID: old.ID, DeleteOld: true,
		Data: wrapper.ConnectorOverride{ClientID: "3805-demo.apps.googleusercontent.com", ClientSecret: wrapper.NewSecret("demo-secret-v3")}})
	if err != nil {
		return err
	}
	for _, step := range res.Steps {
		d.say("   - %s", step)
	}
	if !errors.Is(res.Kept, admin.ErrCredentialInUse) || res.Deleted {
		return fmt.Errorf("the old credential was not kept for its grants: %v", res.Kept)
	}
	d.say("   no DELETE was sent: ada and grace would have stopped working at once")

	d.heading("The two users reconnect through the new credential; retire the old one")
	for _, g := range grants[:2] {
		g.CredentialID = res.New.ID
		d.srv.AddGrants(g)
	}
	if err := admin.Retire(ctx, d.client, p, old.ID, nil); err != nil {
		return err
	}
	d.say("   deleted %s: no grant names it and it is not active", old.ID)

	d.heading("Try to retire the active credential")
	before := d.srv.RequestCount()
	err = admin.Retire(ctx, d.client, p, res.New.ID, nil)
	var inUse *admin.CredentialInUseError
	if !errors.As(err, &inUse) || !inUse.Active {
		return fmt.Errorf("the active credential was not refused: %v", err)
	}
	d.say("   refused before any DELETE (%d requests: the credential's and the connector's GET): Nylas refuses to delete it too", d.srv.RequestCount()-before)

	d.heading("List the google connector's credentials, with the request id for a support ticket")
	var resp wrapper.Response
	page, err := d.client.List(ctx, p, nil, wrapper.WithResponseInto(&resp))
	if err != nil {
		return err
	}
	for _, cred := range page.Credentials {
		d.say("   - %s", describeCredential(&cred))
	}
	d.say("   status %d, request_id %s, %d attempt(s)", resp.StatusCode, resp.RequestID, resp.Attempts)
	return nil
}

func describeCredential(c *wrapper.Credential) string {
	return fmt.Sprintf("id=%s name=%q updated_at=%s", c.ID, c.Name, c.UpdatedAt.Format(time.RFC3339))
}

// stored shows what the fake holds, with secret values redacted.
func (d *demoRun) stored(p wrapper.Provider, id string) string {
	raw, ok := d.srv.StoredData(string(p), id)
	if !ok {
		return "(none)"
	}
	var m map[string]any
	if json.Unmarshal(raw, &m) != nil {
		return "(not an object)"
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		v := fmt.Sprint(m[k])
		if k == "client_secret" || k == "private_key" {
			v = wrapper.NewSecret(v).String()
		}
		parts = append(parts, k+"="+v)
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// demoServiceAccount builds a Google service-account key file around a fresh
// key, made here so that no key ships with the demo.
func demoServiceAccount() (*wrapper.GoogleServiceAccount, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	file, err := json.Marshal(map[string]string{
		"type":           "service_account",
		"project_id":     "demo-project",
		"private_key_id": "demo-key-1",
		"private_key":    string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})),
		"client_email":   "directory-sync@demo-project.iam.gserviceaccount.com",
	})
	if err != nil {
		return nil, err
	}
	return wrapper.ParseGoogleServiceAccountKey(file)
}
