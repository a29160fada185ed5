package tests

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/nylascreds/nylascreds/nylastest"
	"github.com/nylascreds/nylascreds/wrapper"
)

// TestPathParametersAreOneSegment: whatever the id holds, it reaches the
// server as exactly one escaped path segment, with no query or fragment.
func TestPathParametersAreOneSegment(t *testing.T) {
	ids := []string{"a/b?x=1#y", "%2F", "..%2F..", "../etc", "with space", "ünïcødé-✓", "a;b,c", "?", "#", "a+b&c=d"}
	for _, id := range ids {
		t.Run(id, func(t *testing.T) {
			t.Parallel()
			f := newFake(t, jsonReply(200, credentialJSON))
			c := newClient(t, f)
			if _, err := c.Get(context.Background(), wrapper.ProviderGoogle, id); err != nil {
				t.Fatal(err)
			}
			got := f.only(t)
			want := "/v3/connectors/google/creds/" + url.PathEscape(id)
			if got.Path != want || got.RawQuery != "" {
				t.Errorf("path = %q query %q, want %q and no query", got.Path, got.RawQuery, want)
			}
			segs := strings.Split(strings.TrimPrefix(got.Path, "/"), "/")
			if len(segs) != 5 {
				t.Fatalf("%d segments in %q", len(segs), got.Path)
			}
			if last, err := url.PathUnescape(segs[4]); err != nil || last != id {
				t.Errorf("last segment decodes to %q, want %q", last, id)
			}
			if f.operations()["getCredential"] != 1 {
				t.Errorf("the spec router did not see getCredential: %v", f.operations())
			}
		})
	}
}

// echoServer is hostile: every answer carries the request's Authorization
// header and body back, in every field a client might print.
func echoServer(t *testing.T, mode string) *fake {
	return newFakeWithKey(t, canaryAPIKey, nylastest.Fault{Times: math.MaxInt, OffSpec: mode == "bad-2xx", Handler: func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		echo := r.Header.Get("Authorization") + " " + string(body)
		w.Header().Set("X-Request-Id", r.Header.Get("Authorization"))
		switch mode {
		case "json":
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(400)
			_ = json.NewEncoder(w).Encode(map[string]any{
				"request_id": r.Header.Get("Authorization"),
				"error": map[string]any{
					"type":           "echo " + r.Header.Get("Authorization"),
					"message":        "you sent: " + echo,
					"provider_error": map[string]any{"request": json.RawMessage(nonEmptyJSON(body)), "auth": r.Header.Get("Authorization")},
				},
			})
		case "html":
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(502)
			_, _ = io.WriteString(w, "<html>"+echo+"</html>")
		case "bad-2xx":
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(200)
			_, _ = io.WriteString(w, `{"data": "`+strings.ReplaceAll(echo, `"`, `'`))
		}
	}})
}

func nonEmptyJSON(b []byte) []byte {
	if len(b) == 0 {
		return []byte("null")
	}
	return b
}

// TestCanaryNeverLeaks runs every operation, with every flow's secrets, into
// servers that echo them back, and checks every error string, formatted
// value and log record (JSON and text handlers) for the canaries.
func TestCanaryNeverLeaks(t *testing.T) {
	sa, err := wrapper.ParseGoogleServiceAccountKey(keyFile(t))
	if err != nil {
		t.Fatal(err)
	}
	consent := wrapper.MicrosoftAdminConsent{ClientID: "app", ClientSecret: wrapper.NewSecret(canaryClientSecret), Tenant: "common"}
	ops := map[string]func(ctx context.Context, c *wrapper.Client) error{
		"list": func(ctx context.Context, c *wrapper.Client) error {
			_, err := c.List(ctx, wrapper.ProviderGoogle, nil)
			return err
		},
		"get": func(ctx context.Context, c *wrapper.Client) error {
			_, err := c.Get(ctx, wrapper.ProviderGoogle, "id")
			return err
		},
		"delete": func(ctx context.Context, c *wrapper.Client) error { return c.Delete(ctx, wrapper.ProviderGoogle, "id") },
		"create-connector": func(ctx context.Context, c *wrapper.Client) error {
			_, err := c.Create(ctx, wrapper.ProviderGoogle, wrapper.CreateRequest{Name: "n", Data: canaryConnector})
			return err
		},
		"create-serviceaccount": func(ctx context.Context, c *wrapper.Client) error {
			_, err := c.Create(ctx, wrapper.ProviderGoogle, wrapper.CreateRequest{Name: "n", Data: sa})
			return err
		},
		"update-adminconsent": func(ctx context.Context, c *wrapper.Client) error {
			_, err := c.Update(ctx, wrapper.ProviderMicrosoft, "id", wrapper.UpdateRequest{Data: consent})
			return err
		},
		"update-serviceaccount": func(ctx context.Context, c *wrapper.Client) error {
			_, err := c.Update(ctx, wrapper.ProviderGoogle, "id", wrapper.UpdateRequest{Data: sa})
			return err
		},
		"update-invalid": func(ctx context.Context, c *wrapper.Client) error {
			_, err := c.Update(ctx, wrapper.ProviderMicrosoft, "id", wrapper.UpdateRequest{Data: wrapper.MicrosoftAdminConsent{ClientSecret: wrapper.NewSecret(canaryClientSecret)}})
			return err
		},
	}
	for _, mode := range []string{"json", "html", "bad-2xx"} {
		for name, op := range ops {
			t.Run(mode+"/"+name, func(t *testing.T) {
				t.Parallel()
				srv := echoServer(t, mode)
				watch := newLeakWatch(t)
				for _, logger := range []func() *slog.Logger{watch.jsonLogger, watch.textLogger} {
					c, err := wrapper.New(canaryAPIKey, wrapper.WithBaseURL(srv.URL), wrapper.WithRetries(1), wrapper.WithLogger(logger()),
						wrapper.WithRetryBackoff(wrapper.DefaultInitialBackoff/100, wrapper.DefaultInitialBackoff/50))
					if err != nil {
						t.Fatal(err)
					}
					err = op(context.Background(), c)
					if err == nil {
						t.Fatal("an echoing server produced no error")
					}
					watch.observe(err, c, sa, consent, canaryConnector, errors.Unwrap(err))
					var apiErr *wrapper.APIError
					if errors.As(err, &apiErr) {
						watch.observe(*apiErr, string(apiErr.ProviderError))
					}
				}
			})
		}
	}
}

// The data a call returns is the server's, scrubbed of the API key: a server
// that echoes the key into a credential, a connector or a grant cannot put it
// in a value the caller logs. A call's other secrets are not matched there
// (a short one could mangle an id).
func TestReturnedDataIsScrubbedOfTheAPIKey(t *testing.T) {
	k := strings.ToUpper(testAPIKey)
	cred := `{"id":"id-` + k + `","name":"` + k + `","created_at":1,"updated_at":1,"credential_type":"` + k + `","hashed_data":"` + k + `"}`
	f := newFake(t,
		jsonReply(200, `{"request_id":"r","data":`+cred+`}`),
		jsonReply(200, `{"request_id":"r","data":[`+cred+`]}`),
		jsonReply(200, `{"request_id":"r","data":{"provider":"google","name":"`+k+`","active_credential_id":"`+k+`"}}`),
		jsonReply(200, `{"request_id":"r","data":[{"id":"`+k+`","email":"`+k+`","provider":"google","grant_status":"valid","scope":[],"credential_id":"`+k+`","created_at":1}]}`),
		jsonReply(200, `{"request_id":"r","data":[]}`))
	c := newClient(t, f)
	ctx := context.Background()
	var got []any
	g, err := c.Get(ctx, wrapper.ProviderGoogle, "cred-1")
	if err != nil {
		t.Fatal(err)
	}
	page, err := c.List(ctx, wrapper.ProviderGoogle, nil)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := c.GetConnector(ctx, wrapper.ProviderGoogle)
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, *g, *page, *conn)
	for grant, err := range c.Grants(ctx, wrapper.ProviderGoogle, nil, nil) {
		got = append(got, grant, err)
	}
	out := fmt.Sprintf("%+v", got)
	if strings.Contains(strings.ToLower(out), strings.ToLower(testAPIKey)) || strings.Count(out, "[REDACTED]") != 13 {
		t.Errorf("returned data: %s", out)
	}
}
