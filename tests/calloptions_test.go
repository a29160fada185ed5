package tests

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/nylascreds/nylascreds/nylastest"
	"github.com/nylascreds/nylascreds/wrapper"
)

// TestPerCallOptions: the same options work per call and override the
// client's for that call only.
func TestPerCallOptions(t *testing.T) {
	ctx := context.Background()
	t.Run("retries", func(t *testing.T) {
		// One attempt with the option, then three without it.
		f := newFake(t, times(4, jsonReply(503, `{"request_id":"r","error":{"type":"t","message":"m"}}`)))
		c := newClient(t, f) // 2 retries
		_, err := c.Get(ctx, wrapper.ProviderGoogle, "cred-1", wrapper.WithRetries(0))
		if e := apiErr(t, err); e.Attempts != 1 || len(f.Requests()) != 1 {
			t.Errorf("attempts %d, server saw %d; want 1 and 1", e.Attempts, len(f.Requests()))
		}
		_, err = c.Get(ctx, wrapper.ProviderGoogle, "cred-1") // the client's own setting is untouched
		if e := apiErr(t, err); e.Attempts != 3 || len(f.Requests()) != 4 {
			t.Errorf("without the option: attempts %d, server saw %d in all; want 3 and 4", e.Attempts, len(f.Requests()))
		}
	})
	t.Run("timeout", func(t *testing.T) {
		f := newFake(t, nylastest.Fault{Handler: func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-time.After(5 * time.Second):
			case <-r.Context().Done():
			}
		}})
		c := newClient(t, f)
		start := time.Now()
		_, err := c.Get(ctx, wrapper.ProviderGoogle, "cred-1", wrapper.WithTimeout(100*time.Millisecond))
		if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 3*time.Second {
			t.Errorf("err = %v after %v", err, time.Since(start))
		}
	})
	t.Run("headers of your own, from the transport", func(t *testing.T) {
		f := newFake(t, jsonReply(200, credentialJSON))
		team := roundTripFunc(func(r *http.Request) (*http.Response, error) {
			r = r.Clone(r.Context())
			r.Header.Set("X-Team", "billing")
			return http.DefaultTransport.RoundTrip(r)
		})
		c := newClient(t, f, wrapper.WithHTTPClient(&http.Client{Transport: team}))
		if _, err := c.Get(ctx, wrapper.ProviderGoogle, "cred-1"); err != nil {
			t.Fatal(err)
		}
		h := f.Requests()[0].Header
		if h.Get("X-Team") != "billing" || h.Get("Authorization") != "Bearer "+testAPIKey {
			t.Errorf("X-Team %q, Authorization kept: %v", h.Get("X-Team"), h.Get("Authorization") == "Bearer "+testAPIKey)
		}
	})
}

// TestPerCallOptionsAreCheckedFirst: bad per-call options are reported with
// the input's problems, all at once, and nothing is sent.
func TestPerCallOptionsAreCheckedFirst(t *testing.T) {
	f := newFake(t)
	c := newClient(t, f)
	_, err := c.Update(context.Background(), wrapper.ProviderGoogle, "", wrapper.UpdateRequest{Name: "n"},
		wrapper.WithRetries(-1), wrapper.WithUserAgent("a\r\nInjected: 1"), wrapper.WithRegion(wrapper.RegionEU),
		wrapper.WithBaseURL("https://elsewhere.example"),
		wrapper.WithHTTPClient(http.DefaultClient), wrapper.WithResponseInto(nil), wrapper.WithTimeout(0))
	for _, want := range []string{
		"WithRetries: -1 is negative",
		"WithUserAgent: suffix must not contain control characters",
		"WithRegion applies to a client (New), not to one call",
		"WithBaseURL applies to a client (New), not to one call",
		"WithHTTPClient applies to a client (New), not to one call",
		"WithResponseInto: destination is nil",
		"WithTimeout: 0s is not a positive duration",
		"update: invalid request, nothing was sent: id: is required",
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	if !errors.Is(err, wrapper.ErrValidation) || strings.Contains(err.Error(), "Bearer other") {
		t.Errorf("err = %v", err)
	}
	if n := len(f.Requests()); n != 0 {
		t.Errorf("server saw %d requests", n)
	}
	if _, err := wrapper.New(testAPIKey, wrapper.WithResponseInto(&wrapper.Response{})); err == nil || !strings.Contains(err.Error(), "applies to one call") {
		t.Errorf("New with WithResponseInto: %v", err)
	}
}

// TestResponseInto: a call's status, request id, headers and attempts are
// reachable on success and on failure.
func TestResponseInto(t *testing.T) {
	ctx := context.Background()
	f := newFake(t,
		nylastest.Fault{Status: 503, Header: http.Header{"Content-Type": {"application/json"}, "X-Request-Id": {"edge-1"}}, Body: `{"request_id":"req-503","error":{"type":"t","message":"m"}}`},
		nylastest.Fault{Status: 200, Header: http.Header{"Content-Type": {"application/json"}, "X-Request-Id": {"edge-2"}, "X-RateLimit-Remaining": {"49"}}, Body: credentialJSON})
	c := newClient(t, f)
	var resp wrapper.Response
	if _, err := c.Get(ctx, wrapper.ProviderGoogle, "cred-1", wrapper.WithResponseInto(&resp)); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || resp.RequestID != "req-cred-1" || resp.Attempts != 2 || strings.Join(resp.Retried, ",") != "503" ||
		resp.Header.Get("X-RateLimit-Remaining") != "49" || resp.FlowCheck != wrapper.FlowNotChecked {
		t.Errorf("resp = %+v", resp)
	}

	g := newFake(t, jsonReply(404, `{"request_id":"req-404","error":{"type":"api.not_found_error","message":"gone"}}`))
	c = newClient(t, g)
	resp = wrapper.Response{}
	err := c.Delete(ctx, wrapper.ProviderGoogle, "cred-1", wrapper.WithResponseInto(&resp))
	if !wrapper.IsNotFound(err) || resp.StatusCode != 404 || resp.RequestID != "req-404" || resp.Attempts != 1 {
		t.Errorf("err %v, resp %+v", err, resp)
	}
}

// TestCredentialMissingRequiredFields: a 2xx credential without a field the
// API documents as required is unusable, not a silent "" or 1970; the
// error keeps the body's request id, as a Response and an APIError do.
func TestCredentialMissingRequiredFields(t *testing.T) {
	for field, body := range map[string]string{
		"name":       `{"request_id":"r","data":{"id":"cred-1","created_at":1700000000,"updated_at":1700000100}}`,
		"created_at": `{"request_id":"r","data":{"id":"cred-1","name":"n","updated_at":1700000100}}`,
		"updated_at": `{"request_id":"r","data":{"id":"cred-1","name":"n","created_at":1700000000}}`,
	} {
		f := newFake(t, nylastest.Fault{Status: 200, Header: http.Header{"Content-Type": {"application/json"}, "X-Request-Id": {"req-x"}}, Body: body, OffSpec: true})
		c := newClient(t, f)
		_, err := c.Get(context.Background(), wrapper.ProviderGoogle, "cred-1")
		var re *wrapper.ResponseError
		if !errors.As(err, &re) || re.StatusCode != 200 || re.RequestID != "r" || !strings.Contains(err.Error(), "credential has no "+field) {
			t.Errorf("%s missing: err = %v", field, err)
		}
	}
}

// TestConnectorSettings: extra settings go on the wire unchanged beside the
// typed keys; a Secret among them is sent as its value and scrubbed from
// what comes back; a setting that collides with a typed field is refused.
func TestConnectorSettings(t *testing.T) {
	ctx := context.Background()
	data := wrapper.ConnectorOverride{
		ClientID: "app", ClientSecret: wrapper.NewSecret("s3cret-value"), Tenant: "contoso",
		Settings: map[string]any{
			"region":   "eu-west",
			"scopes":   []any{"a", "b"},
			"limits":   map[string]any{"rps": 5, "burst": true},
			"signing":  wrapper.NewSecret(canaryClientSecret),
			"optional": nil,
		},
	}
	f := newFake(t, jsonReply(201, credentialJSON))
	c := newClient(t, f)
	if _, err := c.Create(ctx, wrapper.ProviderMicrosoft, wrapper.CreateRequest{Name: "n", Data: data}); err != nil {
		t.Fatal(err)
	}
	want := `{"credential_data":{"client_id":"app","client_secret":"s3cret-value","limits":{"burst":true,"rps":5},"optional":null,"region":"eu-west","scopes":["a","b"],"signing":"` + canaryClientSecret + `","tenant":"contoso"},"credential_type":"connector","name":"n"}`
	if got := string(f.only(t).Body); got != want {
		t.Errorf("body:\n got %s\nwant %s", got, want)
	}

	// []any, map[string]any, json.RawMessage, a float32 and typed nils go on
	// the wire as encoding/json writes them.
	g := newFake(t, jsonReply(201, credentialJSON))
	c3 := newClient(t, g)
	typed := wrapper.ConnectorOverride{ClientID: "app", ClientSecret: wrapper.NewSecret("s"), Settings: map[string]any{
		"list": []any{"x", "y"}, "labels": map[string]any{"team": "billing"}, "raw": json.RawMessage(`{"n":1.50}`),
		"f32": float32(0.1), "none": []any(nil), "nomap": map[string]any(nil), "n": json.Number("-1.5e3"),
	}}
	if _, err := c3.Create(ctx, wrapper.ProviderYahoo, wrapper.CreateRequest{Name: "n", Data: typed}); err != nil {
		t.Fatal(err)
	}
	wantTyped := `{"credential_data":{"client_id":"app","client_secret":"s","f32":0.1,"labels":{"team":"billing"},"list":["x","y"],"n":-1.5e3,"nomap":null,"none":null,"raw":{"n":1.50}},"credential_type":"connector","name":"n"}`
	if got := string(g.only(t).Body); got != wantTyped {
		t.Errorf("body:\n got %s\nwant %s", got, wantTyped)
	}

	// The setting's secret is scrubbed from an echo.
	watch := newLeakWatch(t)
	echo := newFake(t, nylastest.Fault{Handler: func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			CredentialData struct{ Signing string } `json:"credential_data"`
		}
		_ = json.NewDecoder(r.Body).Decode(&in)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(400)
		_ = json.NewEncoder(w).Encode(map[string]any{"request_id": "r", "error": map[string]any{"type": "t", "message": "got " + in.CredentialData.Signing}})
	}})
	c2, _ := wrapper.New(testAPIKey, wrapper.WithBaseURL(echo.URL))
	_, err := c2.Update(ctx, wrapper.ProviderYahoo, "cred-1", wrapper.UpdateRequest{Data: data})
	watch.observe(err)
	if !strings.Contains(fmt_(err), "got [REDACTED]") {
		t.Errorf("err = %v", err)
	}

	// Collisions and bad keys are refused, naming the field.
	for key, field := range map[string]string{"client_id": "credential_data.client_id", "tenant": "credential_data.tenant", " ": "credential_data", "bad\xff": "credential_data"} {
		d := data
		d.Settings = map[string]any{key: "x"}
		err := wrapper.CheckCreate(wrapper.ProviderMicrosoft, wrapper.CreateRequest{Name: "n", Data: d})
		var verr *wrapper.ValidationError
		if !errors.As(err, &verr) || !verr.Has(field) {
			t.Errorf("setting %q: err = %v", key, err)
		}
	}
	d := data
	d.Settings = map[string]any{"ch": make(chan int)}
	if err := wrapper.CheckCreate(wrapper.ProviderMicrosoft, wrapper.CreateRequest{Name: "n", Data: d}); err == nil || !strings.Contains(err.Error(), "credential_data.ch: is a chan int; a setting is a string, number") {
		t.Errorf("unencodable setting: %v", err)
	}
}

func fmt_(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
