package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nylascreds/nylascreds/nylastest"
)

const (
	canaryKey    = "CANARY-api-key-5b1e9a"
	canarySecret = "CANARY-client-secret-77c2d0"
)

// harness runs the CLI in-process against a fake and keeps everything it
// printed, so that a cleanup check can prove no canary ever leaked.
type harness struct {
	t   *testing.T
	srv *nylastest.Server
	env map[string]string
	mu  sync.Mutex
	all bytes.Buffer
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	srv := nylastest.NewServer(nylastest.WithAPIKey(canaryKey))
	h := &harness{t: t, srv: srv, env: map[string]string{"NYLAS_API_KEY": canaryKey}}
	t.Cleanup(func() {
		srv.Close()
		for _, v := range srv.Violations() {
			t.Errorf("fake: %v", v)
		}
		for _, canary := range []string{canaryKey, canarySecret, "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC"} {
			if strings.Contains(h.all.String(), canary) {
				t.Errorf("a secret (%s…) appeared in CLI output", canary[:10])
			}
		}
	})
	return h
}

type result struct {
	code           int
	stdout, stderr string
}

func (h *harness) run(stdin string, args ...string) result {
	h.t.Helper()
	var out, errOut bytes.Buffer
	if len(args) > 0 && args[0] != "demo" && args[0] != "fake" && !contains(args, "--base-url") {
		args = append(args, "--base-url", h.srv.URL)
	}
	getenv := func(k string) string { return h.env[k] }
	code := run(context.Background(), args, getenv, strings.NewReader(stdin), &out, &errOut)
	h.mu.Lock()
	h.all.WriteString(out.String() + errOut.String())
	h.mu.Unlock()
	return result{code, out.String(), errOut.String()}
}

func contains(args []string, s string) bool {
	for _, a := range args {
		if a == s {
			return true
		}
	}
	return false
}

func (r result) credential(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &m); err != nil {
		t.Fatalf("stdout is not a JSON object: %q (stderr %q)", r.stdout, r.stderr)
	}
	return m
}

func (h *harness) create(name string) string {
	h.t.Helper()
	h.env["NYLAS_CLIENT_SECRET"] = canarySecret
	defer delete(h.env, "NYLAS_CLIENT_SECRET")
	r := h.run("", "create", "--provider", "google", "--name", name, "--type", "connector", "--client-id", "cid-"+name)
	if r.code != 0 {
		h.t.Fatalf("create: %d %s", r.code, r.stderr)
	}
	return r.credential(h.t)["id"].(string)
}

func keyFilePath(t *testing.T) string {
	p, err := filepath.Abs("../../tests/testdata/service-account.json")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestCreateEveryFlow(t *testing.T) {
	h := newHarness(t)
	secretFile := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(secretFile, []byte(canarySecret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name     string
		stdin    string
		args     []string
		provider string
		stored   string
	}{
		{"connector-secret-file", "", []string{"create", "--provider", "google", "--name", "c1", "--type", "connector", "--client-id", "cid", "--client-secret-file", secretFile}, "google",
			`{"client_id":"cid","client_secret":"` + canarySecret + `"}`},
		{"connector-secret-stdin-tenant", canarySecret + "\n", []string{"create", "--provider", "microsoft", "--name", "c2", "--type", "connector", "--client-id", "cid", "--client-secret-file", "-", "--tenant", "contoso"}, "microsoft",
			`{"client_id":"cid","client_secret":"` + canarySecret + `","tenant":"contoso"}`},
		{"adminconsent", "", []string{"create", "--provider", "microsoft", "--name", "c3", "--type", "adminconsent", "--client-id", "app", "--client-secret-file", secretFile, "--tenant", "common"}, "microsoft",
			`{"client_id":"app","client_secret":"` + canarySecret + `","tenant":"common"}`},
		{"serviceaccount", "", []string{"create", "--provider", "google", "--name", "c4", "--type", "serviceaccount", "--key-file", keyFilePath(t)}, "google", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := h.run(tc.stdin, tc.args...)
			if r.code != 0 || r.stderr != "" {
				t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
			}
			cred := r.credential(t)
			id, _ := cred["id"].(string)
			if id == "" || cred["name"] != tc.args[4] || cred["created_at"] == "" {
				t.Errorf("credential = %v", cred)
			}
			stored, ok := h.srv.StoredData(tc.provider, id)
			if !ok {
				t.Fatal("not stored")
			}
			if tc.stored != "" && string(stored) != tc.stored {
				t.Errorf("stored = %s, want %s", stored, tc.stored)
			}
			if tc.stored == "" && !bytes.Contains(stored, []byte(`"client_email":"directory-sync@nylascreds-test.iam.gserviceaccount.com"`)) {
				t.Errorf("service account not stored: %.80s", stored)
			}
		})
	}
}

func TestUpdateGetListDelete(t *testing.T) {
	h := newHarness(t)
	id := h.create("first")
	before, _ := h.srv.StoredData("google", id)

	// Name only: data kept.
	r := h.run("", "update", "--provider", "google", "--id", id, "--name", "renamed")
	if r.code != 0 || r.credential(t)["name"] != "renamed" {
		t.Fatalf("update name: %d %s %s", r.code, r.stdout, r.stderr)
	}
	if after, _ := h.srv.StoredData("google", id); !bytes.Equal(before, after) {
		t.Errorf("a name-only update changed the data: %s", after)
	}

	// Data: replaced whole.
	h.env["NYLAS_CLIENT_SECRET"] = canarySecret + "-2"
	r = h.run("", "update", "--provider", "google", "--id", id, "--type", "connector", "--client-id", "cid-new")
	delete(h.env, "NYLAS_CLIENT_SECRET")
	if r.code != 0 {
		t.Fatalf("update data: %d %s", r.code, r.stderr)
	}
	if after, _ := h.srv.StoredData("google", id); string(after) != `{"client_id":"cid-new","client_secret":"`+canarySecret+`-2"}` {
		t.Errorf("stored = %s", after)
	}

	r = h.run("", "get", "--provider", "google", "--id", id)
	if r.code != 0 || r.credential(t)["id"] != id {
		t.Errorf("get: %d %s %s", r.code, r.stdout, r.stderr)
	}

	for _, n := range []string{"b", "c", "d", "e"} {
		h.create(n)
	}
	r = h.run("", "list", "--provider", "google", "--limit", "2")
	var page []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &page); r.code != 0 || err != nil || len(page) != 2 {
		t.Errorf("list: %d %q %v", r.code, r.stdout, err)
	}
	r = h.run("", "list", "--provider", "google", "--limit", "2", "--all", "--sort-by", "updated_at", "--order-by", "asc")
	var all []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &all); r.code != 0 || err != nil || len(all) != 5 {
		t.Errorf("list --all: %d %q %v", r.code, r.stdout, err)
	}

	r = h.run("", "delete", "--provider", "google", "--id", id)
	if r.code != 0 || r.stdout != "" || r.stderr != "" {
		t.Errorf("delete: %d %q %q", r.code, r.stdout, r.stderr)
	}
	if _, ok := h.srv.StoredData("google", id); ok {
		t.Error("still stored after delete")
	}
}

func TestAPIErrorsExitOne(t *testing.T) {
	h := newHarness(t)
	r := h.run("", "get", "--provider", "google", "--id", "no-such-id")
	lines := strings.Split(strings.TrimRight(r.stderr, "\n"), "\n")
	if r.code != 1 || r.stdout != "" || len(lines) != 1 {
		t.Fatalf("exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{"error: HTTP 404 Not Found", "api.not_found_error", `credential "no-such-id" not found`, "(request_id nylastest-", "[GET /v3/connectors/google/creds/no-such-id]"} {
		if !strings.Contains(lines[0], want) {
			t.Errorf("stderr %q lacks %q", lines[0], want)
		}
	}

	h.env["NYLAS_API_KEY"] = "wrong-key"
	r = h.run("", "list", "--provider", "google")
	if r.code != 1 || !strings.HasPrefix(r.stderr, "error: HTTP 401 Unauthorized: api.authentication_error") {
		t.Errorf("wrong key: %d %q", r.code, r.stderr)
	}

	// Network failure: nothing listens there.
	h.env["NYLAS_API_KEY"] = canaryKey
	r = h.run("", "get", "--provider", "google", "--id", "x", "--base-url", "http://127.0.0.1:1", "--retries", "0")
	if r.code != 1 || !strings.HasPrefix(r.stderr, "error: GET /v3/connectors/google/creds/x:") {
		t.Errorf("refused: %d %q", r.code, r.stderr)
	}
}

func TestUsageErrorsExitTwoAndSendNothing(t *testing.T) {
	h := newHarness(t)
	cases := []struct {
		name  string
		env   map[string]string
		args  []string
		wants []string
	}{
		{"no-command", nil, []string{}, []string{"Usage:"}},
		{"unknown-command", nil, []string{"frobnicate"}, []string{`unknown command "frobnicate"`}},
		{"api-key-flag", nil, []string{"list", "--provider", "google", "--api-key=" + canaryKey}, []string{"never taken from a flag value", "$NYLAS_API_KEY"}},
		{"client-secret-flag", nil, []string{"update", "--provider", "google", "--id", "x", "--client-secret", canarySecret}, []string{"--client-secret-file"}},
		{"no-api-key", map[string]string{"NYLAS_API_KEY": ""}, []string{"list", "--provider", "google"}, []string{"no API key: set $NYLAS_API_KEY or pass --api-key-file PATH"}},
		{"missing-required", nil, []string{"get"}, []string{"--provider is required", "--id is required"}},
		{"create-without-type", nil, []string{"create", "--provider", "google", "--name", "n"}, []string{"--type is required"}},
		{"update-data-without-type", nil, []string{"update", "--provider", "google", "--id", "x", "--client-id", "c"}, []string{"--type is required whenever data flags are given"}},
		{"bad-type", nil, []string{"update", "--provider", "google", "--id", "x", "--type", "oauth"}, []string{`--type "oauth" is not a flow`}},
		{"flag-for-other-flow", nil, []string{"update", "--provider", "google", "--id", "x", "--type", "serviceaccount", "--client-id", "c", "--key-file", "k"}, []string{"--client-id does not apply to --type serviceaccount"}},
		{"partial-connector-data", map[string]string{"NYLAS_CLIENT_SECRET": ""}, []string{"update", "--provider", "google", "--id", "x", "--type", "connector", "--client-id", "c"}, []string{"invalid request, nothing was sent", "credential_data.client_secret: is required [--client-secret-file or $NYLAS_CLIENT_SECRET]"}},
		{"adminconsent-update-without-tenant", map[string]string{"NYLAS_CLIENT_SECRET": canarySecret}, []string{"update", "--provider", "microsoft", "--id", "x", "--type", "adminconsent", "--client-id", "c"}, []string{"credential_data.tenant: is required on update"}},
		{"bad-key-file", nil, []string{"update", "--provider", "google", "--id", "x", "--type", "serviceaccount", "--key-file", "/nonexistent/key.json"}, []string{`--key-file: cannot read "/nonexistent/key.json"`}},
		{"inbox", nil, []string{"list", "--provider", "inbox"}, []string{`"inbox" is deprecated; use "nylas"`}},
		{"http-base-url", nil, []string{"list", "--provider", "google", "--base-url", "http://example.com"}, []string{"plain http is allowed only to loopback"}},
		{"bad-region", map[string]string{"NYLAS_REGION": "apac"}, []string{"list", "--provider", "google"}, []string{`--region: unknown region "apac"`}},
		{"bad-limit", nil, []string{"list", "--provider", "google", "--limit", "-3"}, []string{"limit: must not be negative"}},
		{"stray-argument", nil, []string{"get", "--provider", "google", "--id", "x", "extra"}, []string{`unexpected argument "extra"`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for k, v := range tc.env {
				old := h.env[k]
				h.env[k] = v
				defer func() { h.env[k] = old }()
			}
			before := len(h.srv.Requests())
			r := h.run("", tc.args...)
			if r.code != 2 || r.stdout != "" {
				t.Errorf("exit %d, stdout %q; want 2 and nothing", r.code, r.stdout)
			}
			for _, want := range tc.wants {
				if !strings.Contains(r.stderr, want) {
					t.Errorf("stderr %q lacks %q", r.stderr, want)
				}
			}
			if n := len(h.srv.Requests()); n != before {
				t.Errorf("the server saw %d requests", n-before)
			}
		})
	}
}

func TestHelpExitsZero(t *testing.T) {
	h := newHarness(t)
	for _, args := range [][]string{{"--help"}, {"help"}, {"update", "-h"}, {"demo", "--help"}, {"fake", "-h"}} {
		r := h.run("", args...)
		if r.code != 0 || r.stdout == "" {
			t.Errorf("%v: exit %d, stdout %q", args, r.code, r.stdout)
		}
	}
	if r := h.run("", "--help"); !strings.Contains(r.stdout, "nylascreds update --provider P --id ID [--name NAME] [DATA FLAGS]") {
		t.Error("usage lacks the update contract")
	}
}

func TestVerboseLogsEachAttemptWithoutSecrets(t *testing.T) {
	h := newHarness(t)
	id := h.create("v")
	h.srv.Enqueue(nylastest.Fault{Status: 503, Header: http.Header{"Retry-After": {"0"}}})
	h.env["NYLAS_CLIENT_SECRET"] = canarySecret
	r := h.run("", "update", "-v", "--provider", "google", "--id", id, "--type", "connector", "--client-id", "c")
	delete(h.env, "NYLAS_CLIENT_SECRET")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	lines := strings.Split(strings.TrimRight(r.stderr, "\n"), "\n")
	// The flow check's GET meets the 503 and is retried; then the PATCH.
	if len(lines) != 3 || !strings.Contains(lines[0], "method=GET") || !strings.Contains(lines[0], "status=503") ||
		!strings.Contains(lines[1], "attempt=2") || !strings.Contains(lines[1], "status=200") ||
		!strings.Contains(lines[2], "method=PATCH") || !strings.Contains(lines[2], "attempt=1") || !strings.Contains(lines[2], "request_id=nylastest-") {
		t.Errorf("-v output = %q", r.stderr)
	}
	// Without -v: nothing on stderr.
	r = h.run("", "get", "--provider", "google", "--id", id)
	if r.stderr != "" {
		t.Errorf("stderr without -v: %q", r.stderr)
	}
}

func TestAPIKeyFile(t *testing.T) {
	h := newHarness(t)
	h.env["NYLAS_API_KEY"] = ""
	path := filepath.Join(t.TempDir(), "key")
	if err := os.WriteFile(path, []byte(canaryKey+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if r := h.run("", "list", "--provider", "google", "--api-key-file", path); r.code != 0 || strings.TrimSpace(r.stdout) != "[]" {
		t.Errorf("list with key file: %d %q %q", r.code, r.stdout, r.stderr)
	}
}

func TestDemo(t *testing.T) {
	h := newHarness(t)
	r := h.run("", "demo")
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("demo: exit %d, stderr %q", r.code, r.stderr)
	}
	for _, want := range []string{"1. Create a connector-override credential", "the stored secret changed: true", "refused before sending: credential_data.client_secret: is required",
		"3 before, 3 after (nothing was sent)", "wrapper.IsNotFound(err) = true", "status 404, type api.not_found_error", "now holds 0 credentials", "all on spec."} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("demo transcript lacks %q", want)
		}
	}
	if strings.Contains(r.stdout, "demo-secret-v") {
		t.Error("demo printed a secret")
	}
}

func TestFakeServesUntilCancelled(t *testing.T) {
	for _, report := range []bool{false, true} {
		t.Run(fmt.Sprintf("report-credential-type=%t", report), func(t *testing.T) { testFakeServes(t, report) })
	}
}

// testFakeServes runs nylascreds fake, creates a credential through it,
// checks the credential object (credential_type only with the flag) and the
// 413 for an over-cap body, and stops it.
func testFakeServes(t *testing.T, report bool) {
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := newPipe()
	var errOut bytes.Buffer
	done := make(chan int, 1)
	args := []string{"fake", "--addr", "127.0.0.1:0"}
	if report {
		args = append(args, "--report-credential-type")
	}
	go func() {
		done <- run(ctx, args, func(string) string { return "" }, strings.NewReader(""), pw, &errOut)
	}()
	url := pr.waitFor(t, "listening on ")
	key := pr.waitFor(t, "API key: ")
	post := func(body string) (int, map[string]any) {
		req, _ := http.NewRequest("POST", url+"/v3/connectors/google/creds", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+key)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out
	}
	create := `{"name":"n","credential_type":"connector","credential_data":{"client_id":"c","client_secret":"s"}}`
	status, body := post(create)
	cred, _ := body["data"].(map[string]any)
	if ctype, present := cred["credential_type"]; status != 201 || present != report || (report && ctype != "connector") {
		t.Errorf("create: %d %v", status, body)
	}
	if status, body := post(create + strings.Repeat(" ", 1<<20)); status != 413 || body["error"] == nil {
		t.Errorf("over-cap create: %d %v", status, body)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("exit %d: %s", code, errOut.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("fake did not stop")
	}
}

// pipe is a goroutine-safe buffer that a test can wait on.
type pipe struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func newPipe() (*pipe, *pipe) { p := &pipe{}; return p, p }

func (p *pipe) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.buf.Write(b)
}

// waitFor returns the rest of the first line that contains prefix.
func (p *pipe) waitFor(t *testing.T, prefix string) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		p.mu.Lock()
		text := p.buf.String()
		p.mu.Unlock()
		for _, line := range strings.Split(text, "\n") {
			if i := strings.Index(line, prefix); i >= 0 && strings.HasSuffix(text, "\n") {
				return strings.TrimSpace(line[i+len(prefix):])
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("no line with %q", prefix)
	return ""
}
