package main

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nylascreds/nylascreds/nylastest"
)

// TestServerTextCannotForgeOutput: a message with a newline and a terminal
// escape from the server reaches stderr as one line with neither.
func TestServerTextCannotForgeOutput(t *testing.T) {
	h := newHarness(t)
	h.srv.Enqueue(nylastest.Fault{Status: 429, Header: http.Header{"Content-Type": {"application/json"}, "Retry-After": {"7"}},
		Body: `{"request_id":"req-1","error":{"type":"nylas_rate_limit_exceeded","message":"slow down\nerror: forged line\u001b[31m red"}}`})
	r := h.run("", "list", "--provider", "google", "--retries", "0")
	want := "error: HTTP 429 Too Many Requests: nylas_rate_limit_exceeded: slow down error: forged line [31m red (request_id req-1) [GET /v3/connectors/google/creds, retry after 7s]\n"
	if r.code != 1 || r.stderr != want {
		t.Errorf("exit %d, stderr %q\nwant %q", r.code, r.stderr, want)
	}
}

// TestErrorLineForPagesAndRetries: an HTML page is summarised in the line,
// and the attempts are counted when retries ran out.
func TestErrorLineForPagesAndRetries(t *testing.T) {
	h := newHarness(t)
	page := nylastest.Fault{Status: 502, Header: http.Header{"Content-Type": {"text/html"}, "X-Request-Id": {"edge-9"}}, Body: "<html>\n<b>Bad Gateway</b>\n</html>"}
	h.srv.Enqueue(page, page)
	r := h.run("", "get", "--provider", "google", "--id", "x", "--retries", "1")
	want := "error: HTTP 502 Bad Gateway: <html> <b>Bad Gateway</b> </html> (request_id edge-9) [GET /v3/connectors/google/creds/x, 2 attempts]\n"
	if r.code != 1 || r.stderr != want {
		t.Errorf("exit %d, stderr %q\nwant %q", r.code, r.stderr, want)
	}
	for _, args := range [][]string{{"delete", "--provider", "google", "--id", "gone"}, {"list", "--provider", "google", "--all"}} {
		if args[0] == "list" {
			h.srv.Enqueue(nylastest.Fault{Status: 500, Header: http.Header{"Content-Type": {"application/json"}}, Body: `{"request_id":"r","error":{"type":"api.internal_error","message":"boom"}}`})
		}
		if r := h.run("", args...); r.code != 1 || !strings.HasPrefix(r.stderr, "error: HTTP ") || r.stdout != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, r.code, r.stdout, r.stderr)
		}
	}
}

// TestMoreUsageErrors covers the usage errors of the data flags and of the
// commands without arguments; each exits 2 and sends nothing.
func TestMoreUsageErrors(t *testing.T) {
	h := newHarness(t)
	dir := t.TempDir()
	badKey := filepath.Join(dir, "key.json")
	huge := filepath.Join(dir, "huge")
	if err := os.WriteFile(badKey, []byte(`{"type":"user"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(huge, make([]byte, 1<<20+1), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		args  []string
		wants []string
	}{
		{[]string{"create", "--provider", "google", "--type", "connector", "--client-id", "c"}, []string{"--name is required"}},
		{[]string{"update", "--provider", "google", "--id", "x", "--type", "serviceaccount"}, []string{"--key-file is required for --type serviceaccount"}},
		{[]string{"update", "--provider", "google", "--id", "x", "--type", "serviceaccount", "--key-file", badKey},
			[]string{`--key-file: credential_data.type: must be "service_account"`, "--key-file: credential_data.private_key: is required", "--key-file: credential_data.client_email: is required"}},
		{[]string{"update", "--provider", "google", "--id", "x", "--type", "connector", "--client-id", "c", "--client-secret-file", filepath.Join(dir, "missing")},
			[]string{`--client-secret-file: cannot read "` + filepath.Join(dir, "missing")}},
		{[]string{"list", "--provider", "google", "--api-key-file", huge}, []string{"--api-key-file: " + `"` + huge + `" is larger than 1 MiB`}},
		{[]string{"list", "--provider", "google", "--limit", "many"}, []string{`invalid value "many" for flag -limit`}},
		{[]string{"demo", "extra"}, []string{`unexpected argument "extra"`}},
		{[]string{"fake", "--bogus"}, []string{"flag provided but not defined: -bogus"}},
		{[]string{"fake", "--addr", "256.0.0.1:1"}, []string{`--addr "256.0.0.1:1" is not a loopback address`, "add --allow-non-loopback"}},
		{[]string{"fake", "--addr", "0.0.0.0:4010"}, []string{`--addr "0.0.0.0:4010" is not a loopback address: the fake keeps every secret it is sent, so it listens on 127.0.0.1, ::1 or localhost only; add --allow-non-loopback to listen there anyway`}},
		{[]string{"fake", "--addr", ":4010"}, []string{`--addr ":4010" is not a loopback address`}},
		{[]string{"fake", "--addr", "127.0.0.1"}, []string{"--addr: address 127.0.0.1: missing port in address"}},
	}
	for _, tc := range cases {
		before := len(h.srv.Requests())
		r := h.run("", tc.args...)
		if r.code != 2 || r.stdout != "" || len(h.srv.Requests()) != before {
			t.Errorf("%v: exit %d, stdout %q, %d requests sent", tc.args, r.code, r.stdout, len(h.srv.Requests())-before)
		}
		for _, want := range tc.wants {
			if !strings.Contains(r.stderr, want) {
				t.Errorf("%v: stderr %q lacks %q", tc.args, r.stderr, want)
			}
		}
	}
}
