package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/nylascreds/nylascreds/nylastest"
	"github.com/nylascreds/nylascreds/wrapper"
)

// syncBuffer is a buffer that the test can read while the CLI writes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestListAllStreams: the first page's credentials are on stdout while the
// second page is still on its way.
func TestListAllStreams(t *testing.T) {
	srv := nylastest.NewServer()
	defer srv.Close()
	client, err := wrapper.New(srv.APIKey(), wrapper.WithBaseURL(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"a", "b", "c"} {
		if _, err := client.Create(context.Background(), wrapper.ProviderGoogle, wrapper.CreateRequest{
			Name: name, Data: wrapper.ConnectorOverride{ClientID: "c", ClientSecret: wrapper.NewSecret("s")}}); err != nil {
			t.Fatal(err)
		}
	}
	srv.Enqueue(nylastest.Fault{}, nylastest.Fault{Delay: 10 * time.Second})
	var stdout, stderr syncBuffer
	done := make(chan int, 1)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		done <- run(ctx, []string{"list", "--provider", "google", "--all", "--limit", "2", "-o", "ndjson", "--base-url", srv.URL},
			func(k string) string { return map[string]string{"NYLAS_API_KEY": srv.APIKey()}[k] }, strings.NewReader(""), &stdout, &stderr)
	}()
	deadline := time.Now().Add(5 * time.Second)
	for strings.Count(stdout.String(), "\n") < 2 {
		select {
		case code := <-done:
			t.Fatalf("list ended (%d) before the first page was seen on stdout: %q %q", code, stdout.String(), stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("the first page never reached stdout while the second was delayed: %q", stdout.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel() // the delayed page ends with the context
	if code := <-done; code != exitAPI {
		t.Errorf("interrupted walk: exit %d, want 1", code)
	}
	if got := stderr.String(); !strings.Contains(got, "interrupted: 2 credentials printed; resume with --offset 2") {
		t.Errorf("stderr = %q", got)
	}
}

// TestJSONArrayBytes: the array streamed element by element is byte for byte
// what encoding/json writes for the whole slice, as before streaming.
func TestJSONArrayBytes(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	all := []wrapper.Credential{
		{ID: "1", Name: "a <&>", CreatedAt: at, UpdatedAt: at},
		{ID: "2", Name: "b", CreatedAt: at, UpdatedAt: at, CredentialType: wrapper.CredentialTypeConnector},
		{ID: "3", Name: "c\n\"quoted\"", CreatedAt: at, UpdatedAt: at},
	}
	for n := 0; n <= len(all); n++ {
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetIndent("", "  ")
		wantJSON := []credentialJSON{}
		for _, c := range all[:n] {
			wantJSON = append(wantJSON, asJSON(c))
		}
		if err := enc.Encode(wantJSON); err != nil {
			t.Fatal(err)
		}
		var got bytes.Buffer
		p := &printer{w: &got, format: formatJSON}
		for _, c := range all[:n] {
			p.add(c)
		}
		p.end()
		if got.String() != want.String() {
			t.Errorf("%d credentials:\ngot  %q\nwant %q", n, got.String(), want.String())
		}
	}
}

// TestErrorLineHints: the fix named on the error line.
func TestErrorLineHints(t *testing.T) {
	unauthorized := &wrapper.APIError{Method: "GET", Path: "/v3/connectors/google/creds", StatusCode: 401, Type: "api.authentication_error", Message: "Unauthorized", RequestID: "r1", Attempts: 1}
	cases := []struct {
		name     string
		cmd      string
		err      error
		region   wrapper.Region
		baseFrom string
		want     string
	}{
		{"401 us", "list", unauthorized, wrapper.RegionUS, "",
			"HTTP 401 Unauthorized: api.authentication_error: Unauthorized (request_id r1) [GET /v3/connectors/google/creds]: check the API key; a key of one region is refused by the other: this call went to region us, try --region eu"},
		{"401 eu", "list", unauthorized, wrapper.RegionEU, "", "this call went to region eu, try --region us"},
		{"401 base url", "list", unauthorized, wrapper.RegionUS, "--base-url", "[GET /v3/connectors/google/creds]: check the API key, and that --base-url serves its region"},
		{"create 504", "create", &wrapper.APIError{Method: "POST", Path: "/v3/connectors/google/creds", StatusCode: 504}, wrapper.RegionUS, "",
			"HTTP 504 Gateway Timeout [POST /v3/connectors/google/creds]: the credential may or may not have been created; re-run the same create once this one has settled: it is safe"},
		{"create reset", "create", &wrapper.RequestError{Method: "POST", Path: "/v3/connectors/google/creds", Attempts: 1, Err: io.EOF}, wrapper.RegionUS, "",
			"POST /v3/connectors/google/creds: the connection closed before a response arrived: the credential may or may not have been created"},
		{"get reset", "get", &wrapper.RequestError{Method: "GET", Path: "/x", Attempts: 3, Err: io.ErrUnexpectedEOF}, wrapper.RegionUS, "",
			"GET /x: the connection closed before a response arrived (3 attempts)"},
		{"unreadable", "get", &wrapper.ResponseError{Method: "GET", Path: "/x", StatusCode: 200, RequestID: "r2", Err: wrapper.ErrResponseTooLarge}, wrapper.RegionUS, "",
			"HTTP 200 OK, but the response could not be read: response body exceeds the size limit (request_id r2) [GET /x]"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := errorLine(tc.cmd, tc.err, tc.region, tc.baseFrom)
			if !strings.Contains(got, tc.want) {
				t.Errorf("got  %q\nwant it to contain %q", got, tc.want)
			}
			if tc.cmd != "create" && strings.Contains(got, "re-run") {
				t.Errorf("a %s error suggests re-running: %q", tc.cmd, got)
			}
		})
	}
	if got := errorLine("get", &wrapper.RequestError{Method: "GET", Path: "/x", Err: context.DeadlineExceeded}, wrapper.RegionUS, ""); got != "GET /x: no response in time (raise --timeout)" {
		t.Errorf("deadline: %q", got)
	}
	if got := errorLine("get", errors.New("nylascreds: WithRetries: -1 is negative"), wrapper.RegionUS, ""); got != "--retries: -1 is negative" {
		t.Errorf("Go names: %q", got)
	}
}

// TestEveryCommandHasHelp: a description and an example on every command,
// cobra's help and completion commands included.
func TestEveryCommandHasHelp(t *testing.T) {
	c := &cli{ctx: context.Background(), getenv: func(string) string { return "" }, stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard}
	var walk func(cmd *cobra.Command)
	seen := 0
	walk = func(cmd *cobra.Command) {
		seen++
		if cmd.Short == "" || cmd.Example == "" {
			t.Errorf("%q: short %q, example %q", cmd.CommandPath(), cmd.Short, cmd.Example)
		}
		for _, sub := range cmd.Commands() {
			walk(sub)
		}
	}
	root := c.newRoot()
	root.Example = "  nylascreds list --provider google" // the root's help lists the commands instead
	walk(root)
	if seen < 14 {
		t.Errorf("walked %d commands", seen)
	}
}

func TestVersionString(t *testing.T) {
	cases := []struct {
		bi   buildInfo
		want string
	}{
		{buildInfo{version: "v0.2.0", revision: "0123456789abcdef0123", goVersion: "go1.26.8"}, "nylascreds v0.2.0 (commit 0123456789ab, go1.26.8)"},
		{buildInfo{version: "(devel)", revision: "0123456789abcdef0123", modified: true, goVersion: "go1.26.8"}, "nylascreds " + wrapper.Version + "-devel (commit 0123456789ab, modified, go1.26.8)"},
		{buildInfo{}, "nylascreds " + wrapper.Version + "-devel (commit unknown)"},
	}
	for _, tc := range cases {
		if got := versionString(tc.bi); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.bi, got, tc.want)
		}
	}
}

func TestDemo(t *testing.T) {
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"demo"}, func(string) string { return "" }, strings.NewReader(""), &out, &errOut)
	if code != 0 || errOut.Len() != 0 {
		t.Fatalf("demo: exit %d, stderr %q", code, errOut.String())
	}
	for _, want := range []string{"1. Create a connector-override credential", "the stored secret changed: true", "refused before sending: credential_data.client_secret: is required",
		"3 before, 3 after (nothing was sent)", "stored as connector, the data is serviceaccount", "3 before, 4 after (the GET of the check; no PATCH)", "request_id nylastest-", "wrapper.IsNotFound(err) = true", "status 404, type api.not_found_error", "asked: overwrite credential", "made ", "no DELETE was sent",
		"refused before any DELETE", "all on spec."} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("demo transcript lacks %q", want)
		}
	}
	if strings.Contains(out.String(), "demo-secret-v") {
		t.Error("demo printed a secret")
	}
}

// TestFakeServesUntilCancelled: nylascreds fake answers on the address it
// prints, with the key it prints, sends credential_type only with
// --report-credential-type, answers an over-cap body with 413, and exits 0
// when interrupted.
func TestFakeServesUntilCancelled(t *testing.T) {
	for _, report := range []bool{false, true} {
		t.Run(fmt.Sprintf("report-credential-type=%t", report), func(t *testing.T) { testFakeServes(t, report) })
	}
}

func testFakeServes(t *testing.T, report bool) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr syncBuffer
	done := make(chan int, 1)
	args := []string{"fake", "--addr", "127.0.0.1:0", "--grants", "google=2", "--grants", "Google=1"}
	if report {
		args = append(args, "--report-credential-type")
	}
	go func() {
		done <- run(ctx, args, func(string) string { return "" }, strings.NewReader(""), &stdout, &stderr)
	}()
	var url, key string
	for deadline := time.Now().Add(10 * time.Second); key == "" && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		for _, line := range strings.Split(stdout.String(), "\n") {
			if u, ok := strings.CutPrefix(line, "fake Nylas Connector Credentials API listening on "); ok {
				url = u
			}
			if k, ok := strings.CutPrefix(line, "API key: "); ok {
				key = k
			}
		}
	}
	if url == "" || key == "" {
		t.Fatalf("no URL or key printed: %q", stdout.String())
	}
	post := func(body string) (int, map[string]any) {
		req, _ := http.NewRequest("POST", url+"/v3/connectors/google/creds", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+key)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = resp.Body.Close() }()
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
	// --grants: three google grants, naming the first credential created.
	req, _ := http.NewRequest("GET", url+"/v3/grants?provider=google&limit=10", nil)
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var grants struct {
		Data []struct {
			CredentialID string `json:"credential_id"`
		}
	}
	_ = json.NewDecoder(resp.Body).Decode(&grants)
	_ = resp.Body.Close()
	if len(grants.Data) != 3 || grants.Data[0].CredentialID != cred["id"] || grants.Data[2].CredentialID != cred["id"] {
		t.Errorf("seeded grants = %+v, want 3 naming %v", grants.Data, cred["id"])
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("exit %d: %s", code, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("fake did not stop")
	}
}

// BenchmarkCommandTree is the CLI's own cost per invocation, process start
// and Go's package initialisation aside: building the cobra command tree,
// parsing the command line and running `version`.
func BenchmarkCommandTree(b *testing.B) {
	getenv := func(string) string { return "" }
	for b.Loop() {
		if code := run(context.Background(), []string{"version"}, getenv, strings.NewReader(""), io.Discard, io.Discard); code != 0 {
			b.Fatal(code)
		}
	}
}

// BenchmarkUsageError: the same for a command line refused before any I/O
// (parsing every flag of update, reading no file).
func BenchmarkUsageError(b *testing.B) {
	getenv := func(string) string { return "" }
	args := []string{"update", "--provider", "google", "--id", "x", "--type", "connector", "--client-id", "c", "--timeout", "5s", "-o", "table"}
	for b.Loop() {
		if code := run(context.Background(), args, getenv, strings.NewReader(""), io.Discard, io.Discard); code != 2 {
			b.Fatal(code)
		}
	}
}

// BenchmarkStartup is a whole invocation of the built binary, process start
// and Go's package initialisation included: `version`, and a `get` against a
// loopback fake. make bench's summary prints both medians.
func BenchmarkStartup(b *testing.B) {
	bin := filepath.Join(b.TempDir(), "nylascreds")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	srv := nylastest.NewServer(nylastest.WithRequestLog(0))
	defer srv.Close()
	client, err := wrapper.New(srv.APIKey(), wrapper.WithBaseURL(srv.URL))
	if err != nil {
		b.Fatal(err)
	}
	cred, err := client.Create(context.Background(), wrapper.ProviderGoogle, wrapper.CreateRequest{
		Name: "startup", Data: wrapper.ConnectorOverride{ClientID: "c", ClientSecret: wrapper.NewSecret("s")}})
	if err != nil {
		b.Fatal(err)
	}
	invoke := func(b *testing.B, args ...string) {
		cmd := exec.Command(bin, args...)
		cmd.Env = append(os.Environ(), "NYLAS_API_KEY="+srv.APIKey())
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("nylascreds %v: %v\n%s", args, err, out)
		}
	}
	b.Run("version", func(b *testing.B) {
		for b.Loop() {
			invoke(b, "version")
		}
	})
	b.Run("get", func(b *testing.B) {
		for b.Loop() {
			invoke(b, "get", "--provider", "google", "--id", cred.ID, "--base-url", srv.URL)
		}
	})
}

// TestEscapeJSON: every control and format character at or above DEL is
// escaped, the rest of the text is kept byte for byte, and a decoder reads
// back the same string.
func TestEscapeJSON(t *testing.T) {
	for in, want := range map[string]string{
		"plain é 中 😀":         `"plain é 中 😀"`,
		"\u009b31m":           `"\u009b31m"`,
		"a\u202eb\u2066c":     `"a\u202eb\u2066c"`,
		"\u007f\u0085\u00ad":  `"\u007f\u0085\u00ad"`,
		"tag\U000E0001":       `"tag\udb40\udc01"`,
		"<&>\n\u2028":         `"\u003c\u0026\u003e\n\u2028"`,
		"\ufeffbom\u200bzwsp": `"\ufeffbom\u200bzwsp"`,
	} {
		b, err := json.Marshal(in)
		if err != nil {
			t.Fatal(err)
		}
		got := escapeJSON(b)
		if string(got) != want {
			t.Errorf("%q: got %s, want %s", in, got, want)
		}
		var back string
		if err := json.Unmarshal(got, &back); err != nil || back != in {
			t.Errorf("%q: decodes to %q (%v)", in, back, err)
		}
	}
}

// TestExitCodes: 0 success, 1 failure, 2 usage, 3 not found (an API 404),
// 130 when SIGINT interrupted the command.
func TestExitCodes(t *testing.T) {
	srv := nylastest.NewServer()
	defer srv.Close()
	getenv := func(k string) string { return map[string]string{"NYLAS_API_KEY": srv.APIKey()}[k] }
	exit := func(ctx context.Context, args ...string) (int, string) {
		var stderr bytes.Buffer
		code := run(ctx, append(args, "--base-url", srv.URL, "--retries", "0"), getenv, strings.NewReader("s3cr3t-value\n"), io.Discard, &stderr)
		return code, stderr.String()
	}
	ctx := context.Background()
	var out bytes.Buffer
	if code := run(ctx, []string{"create", "--provider", "google", "--name", "n", "--type", "connector", "--client-id", "c", "--client-secret-file", "-", "--base-url", srv.URL},
		getenv, strings.NewReader("s3cr3t-value\n"), &out, io.Discard); code != 0 {
		t.Fatalf("create: exit %d", code)
	}
	var cred struct{ ID string }
	if err := json.Unmarshal(out.Bytes(), &cred); err != nil {
		t.Fatal(err)
	}
	interruptedCtx, cancel := context.WithCancelCause(ctx)
	cancel(interrupted{syscall.SIGINT})
	for _, tc := range []struct {
		name string
		ctx  context.Context
		args []string
		want int
	}{
		{"get", ctx, []string{"get", "--provider", "google", "--id", cred.ID}, exitOK},
		{"usage", ctx, []string{"get", "--provider", "google"}, exitUsage},
		{"get missing", ctx, []string{"get", "--provider", "google", "--id", "missing"}, exitNotFound},
		{"update missing", ctx, []string{"update", "--provider", "google", "--id", "missing", "--name", "x"}, exitNotFound},
		{"delete the active credential", ctx, []string{"delete", "--provider", "google", "--id", cred.ID, "--yes"}, exitUsage},
		{"delete without --yes, missing", ctx, []string{"delete", "--provider", "google", "--id", "other", "--yes=false"}, exitNotFound},
		{"delete missing", ctx, []string{"delete", "--provider", "google", "--id", "missing", "--yes"}, exitNotFound},
		{"interrupted", interruptedCtx, []string{"list", "--provider", "google"}, 130},
	} {
		if code, stderr := exit(tc.ctx, tc.args...); code != tc.want {
			t.Errorf("%s: exit %d, want %d; stderr %q", tc.name, code, tc.want, stderr)
		}
	}
	srv.Enqueue(nylastest.Fault{Status: 500})
	if code, stderr := exit(ctx, "list", "--provider", "google"); code != exitAPI {
		t.Errorf("500: exit %d, want 1; stderr %q", code, stderr)
	}
}

// TestInterruptExitStatus: the built command, interrupted by SIGINT while
// it waits for the API, says so and exits 130.
func TestInterruptExitStatus(t *testing.T) {
	srv := nylastest.NewServer()
	defer srv.Close()
	srv.Enqueue(nylastest.Fault{Delay: 20 * time.Second})
	cmd := exec.Command("nylascreds", "get", "--provider", "google", "--id", "x", "--base-url", srv.URL) // on $PATH: see TestMain
	cmd.Env = append(os.Environ(), "NYLAS_API_KEY="+srv.APIKey())
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); srv.RequestCount() == 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the request never arrived")
		}
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	if code := cmd.ProcessState.ExitCode(); code != 130 {
		t.Errorf("exit %d, want 130", code)
	}
	if want := "error: GET /v3/connectors/google/creds/x: interrupted\n"; stderr.String() != want {
		t.Errorf("stderr %q, want %q", stderr.String(), want)
	}
}

// TestEndpoint: where requests go, a flag winning over the environment:
// --base-url, else --region, else $NYLAS_API_URI, else $NYLAS_REGION, else us.
func TestEndpoint(t *testing.T) {
	for _, tc := range []struct {
		baseURL, region, apiURI, envRegion string
		want                               string
	}{
		{"", "", "", "", "region us"},
		{"", "", "", "eu", "region eu"},
		{"", "", "", "EU", "region eu"},
		{"", "", "https://api.eu.nylas.com", "us", "https://api.eu.nylas.com from $NYLAS_API_URI"},
		{"", "us", "https://api.eu.nylas.com", "", "region us"},
		{"https://proxy.example", "eu", "https://api.eu.nylas.com", "eu", "https://proxy.example from --base-url"},
		{"", "", "", "apac", `$NYLAS_REGION: "apac" is not a region: use us or eu`},
	} {
		env := map[string]string{"NYLAS_API_URI": tc.apiURI, "NYLAS_REGION": tc.envRegion}
		c := &cli{getenv: func(k string) string { return env[k] }}
		f := &connFlags{baseURL: tc.baseURL, region: enumFlag{value: tc.region}}
		region, baseURL, from, problem := f.endpoint(c)
		got := problem
		switch {
		case problem != "":
		case baseURL != "":
			got = baseURL + " from " + from
		default:
			got = "region " + string(region)
		}
		if got != tc.want {
			t.Errorf("%+v: %s, want %s", tc, got, tc.want)
		}
	}
}

// TestConfirmationsOnATerminal: on a terminal, delete shows the credential
// and deletes only on "y"; an update or a rotation whose stored flow the
// server does not report shows the credential it would overwrite or replace,
// and goes on only on "y".
func TestConfirmationsOnATerminal(t *testing.T) {
	srv := nylastest.NewServer()
	defer srv.Close()
	env := func(k string) string {
		return map[string]string{"NYLAS_API_KEY": srv.APIKey(), "NYLASCREDS_CLIENT_SECRET": "CANARY-confirm-secret"}[k]
	}
	terminal := func(input string, args ...string) (int, string, string) {
		var out, errOut bytes.Buffer
		c := &cli{ctx: context.Background(), getenv: env, stdin: strings.NewReader(input), stdout: &out, stderr: &errOut, stdinIsTerminal: true}
		return c.run(append(args, "--base-url", srv.URL, "-o", "json")), out.String(), errOut.String()
	}
	ids := map[string]string{}
	for _, name := range []string{"active", "spare"} {
		code, out, stderr := terminal("", "create", "--provider", "microsoft", "--name", name, "--type", "adminconsent", "--client-id", "app", "--tenant", "common")
		var cred struct{ ID string }
		if code != 0 || json.Unmarshal([]byte(out), &cred) != nil {
			t.Fatalf("create: exit %d %s %s", code, out, stderr)
		}
		ids[name] = cred.ID
	}
	code, _, stderr := terminal("n\n", "delete", "--provider", "microsoft", "--id", ids["spare"])
	if _, kept := srv.StoredData("microsoft", ids["spare"]); code != exitUsage || !kept ||
		!strings.Contains(stderr, `delete microsoft credential "spare" (`+ids["spare"]) || !strings.Contains(stderr, "nothing was deleted") {
		t.Errorf("answer n: exit %d, kept %v, stderr %q", code, kept, stderr)
	}
	update := []string{"update", "--provider", "microsoft", "--id", ids["spare"], "--type", "adminconsent", "--client-id", "app2", "--tenant", "common"}
	code, _, stderr = terminal("no\n", update...)
	if data, _ := srv.StoredData("microsoft", ids["spare"]); code != exitUsage || strings.Contains(string(data), "app2") ||
		!strings.Contains(stderr, `credential "spare" (created `) || !strings.Contains(stderr, "Send the update? [y/N]") {
		t.Errorf("update answered no: exit %d, stored %s, stderr %q", code, data, stderr)
	}
	if code, _, stderr = terminal("y\n", update...); code != 0 {
		t.Errorf("update answered y: exit %d, stderr %q", code, stderr)
	}
	if code, _, stderr = terminal("y\n", "delete", "--provider", "microsoft", "--id", ids["spare"]); code != 0 {
		t.Errorf("delete answered y: exit %d, stderr %q", code, stderr)
	}
	if _, kept := srv.StoredData("microsoft", ids["spare"]); kept {
		t.Error("the credential was not deleted after y")
	}

	// rotate asks, before anything changes, about the rotation.
	rotate := []string{"rotate", "--provider", "microsoft", "--id", ids["active"], "--type", "adminconsent", "--client-id", "app3", "--tenant", "common"}
	before := srv.RequestCount()
	code, _, stderr = terminal("n\n", rotate...)
	if code != exitUsage || srv.Len("microsoft") != 1 || srv.RequestCount() != before+1 ||
		!strings.Contains(stderr, `credential "active" (created `) || !strings.Contains(stderr, "a new adminconsent credential would take its place.\nGo on with the rotation? [y/N] ") {
		t.Errorf("rotate answered n: exit %d, %d credentials, %d requests, stderr %q", code, srv.Len("microsoft"), srv.RequestCount()-before, stderr)
	}
	if code, _, stderr = terminal("y\n", rotate...); code != 0 || srv.Len("microsoft") != 2 {
		t.Errorf("rotate answered y: exit %d, %d credentials, stderr %q", code, srv.Len("microsoft"), stderr)
	}
}
