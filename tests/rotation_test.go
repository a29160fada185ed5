package tests

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/nylascreds/nylascreds/admin"
	"github.com/nylascreds/nylascreds/nylastest"
	"github.com/nylascreds/nylascreds/wrapper"
)

// rotationWorld is a fake with one active google credential ("old"), a
// client for it, and the request count after setting up.
type rotationWorld struct {
	srv    *nylastest.Server
	c      *wrapper.Client
	old    *wrapper.Credential
	before int
}

func newRotationWorld(t *testing.T, opts ...wrapper.Option) *rotationWorld {
	t.Helper()
	srv := newFake(t).Server
	c, err := wrapper.New(srv.APIKey(), append([]wrapper.Option{wrapper.WithBaseURL(srv.URL)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	old, err := c.Create(context.Background(), wrapper.ProviderGoogle, wrapper.CreateRequest{Name: "prod app",
		Data: wrapper.ConnectorOverride{ClientID: "app", ClientSecret: wrapper.NewSecret("CANARY-old-secret-1")}})
	if err != nil {
		t.Fatal(err)
	}
	return &rotationWorld{srv: srv, c: c, old: old, before: srv.RequestCount()}
}

// sent lists the requests since set-up as "METHOD path body".
func (w *rotationWorld) sent() []string {
	var out []string
	reqs := w.srv.Requests()
	for _, r := range reqs[len(reqs)-(w.srv.RequestCount()-w.before):] {
		line := r.Method + " " + r.Path
		if r.RawQuery != "" {
			line += "?" + r.RawQuery
		}
		if len(r.Body) > 0 {
			line += " " + string(r.Body)
		}
		out = append(out, line)
	}
	return out
}

var newSecretData = wrapper.ConnectorOverride{ClientID: "app", ClientSecret: wrapper.NewSecret("CANARY-new-secret-2")}

// TestRotationSucceeds: read the old credential and the connector, create the
// new credential, activate it, find no grant on the old one, delete it; each
// request exactly as sent.
func TestRotationSucceeds(t *testing.T) {
	w := newRotationWorld(t)
	w.srv.AddGrants(nylastest.Grant{Provider: "google", Email: "uses-active@example.com"}, nylastest.Grant{Provider: "microsoft", Email: "m@example.com", CredentialID: w.old.ID})
	res, err := admin.Rotate(context.Background(), w.c, wrapper.ProviderGoogle, admin.RotateRequest{ID: w.old.ID, Name: "prod app v2", Data: newSecretData, DeleteOld: true})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Created || !res.Activated || !res.Deleted || res.Kept != nil || res.New.Name != "prod app v2" {
		t.Errorf("result = %+v", res)
	}
	want := []string{
		"GET /v3/connectors/google/creds/" + w.old.ID,
		"GET /v3/connectors/google",
		`POST /v3/connectors/google/creds {"credential_data":{"client_id":"app","client_secret":"CANARY-new-secret-2"},"credential_type":"connector","name":"prod app v2"}`,
		`PATCH /v3/connectors/google {"active_credential_id":"` + res.New.ID + `"}`,
		"GET /v3/connectors/google/creds/" + w.old.ID,
		"GET /v3/connectors/google",
		"GET /v3/grants?limit=200&offset=0&provider=google",
		"GET /v3/grants?limit=200&offset=1&provider=google",
		"DELETE /v3/connectors/google/creds/" + w.old.ID,
	}
	if got := w.sent(); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("requests:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if active, _ := w.srv.ActiveCredential("google"); active != res.New.ID || w.srv.Len("google") != 1 {
		t.Errorf("active %s, %d credentials", active, w.srv.Len("google"))
	}
	if len(res.Steps) != 4 || !strings.HasSuffix(res.Steps[3], "no grant names it") {
		t.Errorf("steps: %q", res.Steps)
	}
}

// TestRotationActivationFailureIsRolledBack: the activation is refused, so
// the new credential is deleted again and the old one stays active; a lost
// answer to an activation that did happen is switched back first. Running
// Rotate again then succeeds.
func TestRotationActivationFailureIsRolledBack(t *testing.T) {
	refused := nylastest.Fault{Status: 400, Header: http.Header{"Content-Type": {"application/json"}},
		Body: `{"request_id":"r-activate","error":{"type":"invalid_request_error","message":"nope"}}`}
	for name, fault := range map[string]nylastest.Fault{"refused": refused, "answer lost": {Handle: true, Drop: true}} {
		t.Run(name, func(t *testing.T) {
			w := newRotationWorld(t, wrapper.WithRetries(0))
			w.srv.Enqueue(nylastest.Fault{}, nylastest.Fault{}, nylastest.Fault{}, fault)
			_, err := admin.Rotate(context.Background(), w.c, wrapper.ProviderGoogle, admin.RotateRequest{ID: w.old.ID, Data: newSecretData})
			var rerr *admin.RotationError
			if !errors.As(err, &rerr) || rerr.Step != "activate" || rerr.Next != "" || !strings.Contains(rerr.Error(), "the old credential "+w.old.ID+" is active, as before") {
				t.Fatalf("err = %v", err)
			}
			if active, _ := w.srv.ActiveCredential("google"); active != w.old.ID || w.srv.Len("google") != 1 {
				t.Errorf("after the rollback: active %s, %d credentials; want the old one alone", active, w.srv.Len("google"))
			}
			if !strings.Contains(err.Error(), "deleted the new credential "+rerr.NewID) {
				t.Errorf("the error does not say the new credential was deleted: %v", err)
			}
			res, err := admin.Rotate(context.Background(), w.c, wrapper.ProviderGoogle, admin.RotateRequest{ID: w.old.ID, Data: newSecretData})
			if err != nil || !res.Activated {
				t.Errorf("running again: %v, %+v", err, res)
			}
		})
	}
}

// TestRotationLostCreateIsNotNothing: when the answer to the create is lost,
// the new credential may exist, so the error does not say that nothing was
// changed; it says to run rotate again, which then meets that credential.
// A create the server refused did change nothing.
func TestRotationLostCreateIsNotNothing(t *testing.T) {
	w := newRotationWorld(t, wrapper.WithRetries(0))
	w.srv.Enqueue(nylastest.Fault{}, nylastest.Fault{}, nylastest.Fault{Handle: true, Drop: true})
	req := admin.RotateRequest{ID: w.old.ID, Name: "prod app v2", Data: newSecretData}
	_, err := admin.Rotate(context.Background(), w.c, wrapper.ProviderGoogle, req)
	var rerr *admin.RotationError
	if !errors.As(err, &rerr) || rerr.Step != "create" || strings.Contains(rerr.State, "nothing was changed") ||
		!strings.Contains(rerr.State, "may or may not have been created") || !strings.Contains(rerr.Next, "run rotate again") {
		t.Fatalf("err = %v", err)
	}
	if w.srv.Len("google") != 2 {
		t.Fatalf("the lost create did not take effect: %d credentials", w.srv.Len("google"))
	}
	res, err := admin.Rotate(context.Background(), w.c, wrapper.ProviderGoogle, req)
	if err != nil || res.Created || !res.Activated || w.srv.Len("google") != 2 {
		t.Errorf("running again: %v, %+v, %d credentials", err, res, w.srv.Len("google"))
	}

	w.srv.Enqueue(nylastest.Fault{}, nylastest.Fault{}, nylastest.Fault{Status: 400, Header: http.Header{"Content-Type": {"application/json"}},
		Body: `{"request_id":"r-create","error":{"type":"invalid_request_error","message":"nope"}}`})
	_, err = admin.Rotate(context.Background(), w.c, wrapper.ProviderGoogle, admin.RotateRequest{ID: w.old.ID, Name: "prod app v3", Data: newSecretData})
	if !errors.As(err, &rerr) || rerr.Step != "create" || rerr.State != "nothing was changed" || rerr.Next != "" {
		t.Errorf("refused create: err = %v", err)
	}
}

// TestRetireRefusesTheActiveCredential: no DELETE is sent (nor a grants walk).
func TestRetireRefusesTheActiveCredential(t *testing.T) {
	w := newRotationWorld(t)
	err := admin.Retire(context.Background(), w.c, wrapper.ProviderGoogle, w.old.ID, nil)
	var inUse *admin.CredentialInUseError
	if !errors.As(err, &inUse) || !inUse.Active || !errors.Is(err, admin.ErrCredentialInUse) || !strings.Contains(err.Error(), "active credential") {
		t.Fatalf("err = %v", err)
	}
	if got := w.sent(); len(got) != 2 || got[0] != "GET /v3/connectors/google/creds/"+w.old.ID || got[1] != "GET /v3/connectors/google" {
		t.Errorf("requests = %q, want the credential's and the connector's GET alone", got)
	}
}

// TestRetireRefusesWhileGrantsUseIt: grants that name the credential are
// counted and the first named; nothing is deleted unless AllowGrants.
func TestRetireRefusesWhileGrantsUseIt(t *testing.T) {
	w := newRotationWorld(t)
	second, err := w.c.Create(context.Background(), wrapper.ProviderGoogle, wrapper.CreateRequest{Name: "second", Data: newSecretData})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 7 {
		w.srv.AddGrants(nylastest.Grant{Provider: "google", Email: fmt.Sprintf("user%d@example.com", i), CredentialID: second.ID})
	}
	w.srv.AddGrants(nylastest.Grant{Provider: "google", Email: "other@example.com"})
	w.before = w.srv.RequestCount()
	err = admin.Retire(context.Background(), w.c, wrapper.ProviderGoogle, second.ID, nil)
	var inUse *admin.CredentialInUseError
	if !errors.As(err, &inUse) || inUse.Active || inUse.Grants != 7 || len(inUse.First) != 5 || !strings.Contains(err.Error(), "7 grant(s) use credential") {
		t.Fatalf("err = %v", err)
	}
	for _, r := range w.sent() {
		if strings.HasPrefix(r, "DELETE") {
			t.Errorf("a DELETE was sent: %s", r)
		}
	}
	if err := admin.Retire(context.Background(), w.c, wrapper.ProviderGoogle, second.ID, &admin.RetireOptions{AllowGrants: true}); err != nil {
		t.Fatalf("with AllowGrants: %v", err)
	}
	if _, ok := w.srv.StoredData("google", second.ID); ok {
		t.Error("AllowGrants did not delete the credential")
	}
}

// TestRotationKeepsAnOldCredentialGrantsUse: the rotation itself succeeds and
// says why the old credential is kept.
func TestRotationKeepsAnOldCredentialGrantsUse(t *testing.T) {
	w := newRotationWorld(t)
	w.srv.AddGrants(nylastest.Grant{Provider: "google", Email: "pinned@example.com", CredentialID: w.old.ID})
	res, err := admin.Rotate(context.Background(), w.c, wrapper.ProviderGoogle, admin.RotateRequest{ID: w.old.ID, Data: newSecretData, DeleteOld: true})
	if err != nil || res.Deleted || !errors.Is(res.Kept, admin.ErrCredentialInUse) || !strings.Contains(res.Kept.Error(), "pinned@example.com") {
		t.Fatalf("err %v, result %+v", err, res)
	}
	if !strings.HasPrefix(res.New.Name, "prod app (rotated ") {
		t.Errorf("derived name = %q", res.New.Name)
	}
}

// TestRotationRefusesAnotherFlow: with a server that reports the old
// credential's flow, data of another flow changes nothing.
func TestRotationRefusesAnotherFlow(t *testing.T) {
	srv := nylastest.NewServer(nylastest.WithCredentialType())
	defer srv.Close()
	c, _ := wrapper.New(srv.APIKey(), wrapper.WithBaseURL(srv.URL))
	old, err := c.Create(context.Background(), wrapper.ProviderGoogle, wrapper.CreateRequest{Name: "sa", Data: serviceAccount(t)})
	if err != nil {
		t.Fatal(err)
	}
	before := srv.RequestCount()
	_, err = admin.Rotate(context.Background(), c, wrapper.ProviderGoogle, admin.RotateRequest{ID: old.ID, Data: newSecretData})
	if !errors.Is(err, wrapper.ErrFlowMismatch) || srv.RequestCount() != before+1 {
		t.Errorf("err = %v after %d requests", err, srv.RequestCount()-before)
	}
}

// TestGrantsWalkSurvivesASilentPageCap: a server that answers at most 3
// grants a page, whatever limit was asked and without saying so, cannot hide
// grants from the walk a delete relies on: it ends on an empty page, not on
// a short one.
func TestGrantsWalkSurvivesASilentPageCap(t *testing.T) {
	const total, pageCap = 7, 3
	capped := func(w http.ResponseWriter, r *http.Request) {
		offset, _ := strconv.Atoi(r.URL.Query().Get("offset"))
		var data []string
		for i := offset; i < min(offset+pageCap, total); i++ {
			data = append(data, fmt.Sprintf(`{"id":"g-%d","provider":"google","scope":[],"created_at":1700000000,"credential_id":"old"}`, i))
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"request_id":"r","data":[%s]}`, strings.Join(data, ","))
	}
	f := newFake(t, nylastest.Fault{Handler: capped, Times: math.MaxInt})
	c := newClient(t, f)
	n := 0
	var progress []int
	for g, err := range c.Grants(context.Background(), wrapper.ProviderGoogle, nil, func(read int) { progress = append(progress, read) }) {
		if err != nil {
			t.Fatal(err)
		}
		if g.ID != fmt.Sprintf("g-%d", n) {
			t.Errorf("grant %d is %s", n, g.ID)
		}
		n++
	}
	if n != total || len(f.Requests()) != 4 || fmt.Sprint(progress) != "[3 6 7]" {
		t.Errorf("walked %d grants in %d requests (progress %v), want %d in 4 (3 pages and the empty one), progress [3 6 7]",
			n, len(f.Requests()), progress, total)
	}

	// The empty page that ends the walk is not one of MaxPages: three pages
	// of grants fit a bound of three. So do three full pages of credentials.
	for _, err := range c.Grants(context.Background(), wrapper.ProviderGoogle, &wrapper.ListOptions{MaxPages: 3}, nil) {
		if err != nil {
			t.Fatalf("MaxPages 3 over 3 pages of grants: %v", err)
		}
	}
	full := newClient(t, newFake(t))
	for i := range 6 {
		data := wrapper.ConnectorOverride{ClientID: "app", ClientSecret: wrapper.NewSecret("s3cret-value")}
		if _, err := full.Create(context.Background(), wrapper.ProviderYahoo, wrapper.CreateRequest{Name: fmt.Sprint("app ", i), Data: data}); err != nil {
			t.Fatal(err)
		}
	}
	n = 0
	for _, err := range full.All(context.Background(), wrapper.ProviderYahoo, &wrapper.ListOptions{Limit: 2, MaxPages: 3}) {
		if err != nil {
			t.Fatalf("MaxPages 3 over 3 full pages of credentials: %v", err)
		}
		n++
	}
	if n != 6 {
		t.Errorf("All yielded %d of 6 credentials", n)
	}
}
