package main

import (
	"bytes"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/nylascreds/nylascreds/nylastest"
)

// Canary secrets: the fake accepts canaryKey, the scripts' secret files hold
// canarySecret, and no byte of CLI output may ever contain either, nor a
// private key.
const (
	canaryKey    = "CANARY-api-key-5b1e9a"
	canarySecret = "CANARY-client-secret-77c2d0"
)

var leakMarkers = []string{canaryKey, canarySecret, "-----BEGIN", "MIIE"}

// goVocabulary matches Go names that must not reach a user of the CLI: the
// wrapper's option functions, types and fields, package prefixes.
var goVocabulary = regexp.MustCompile(`\bWith[A-Z]\w+|\b(UpdateRequest|CreateRequest|ListOptions|ConnectorOverride|GoogleServiceAccount|MicrosoftAdminConsent|AllowFlowChange|ConfirmUnverified|RotateRequest|RetireOptions|AllowGrants|Rotate does|MaxPages|in Settings|ParseGoogle\w*|DefaultMaxPages)\b|\bnylascreds: |\bstrconv\.|\btime: |\bSet Name\b|\*?wrapper\.`)

// transcriptEnv names the file where the nylascreds command of the scripts
// appends everything it prints, for the leak check.
const transcriptEnv = "NYLASCREDS_TEST_TRANSCRIPT"

// ttyEnv and stdoutTTYEnv make the scripts' nylascreds believe stderr or
// stdout is a terminal.
const (
	ttyEnv       = "NYLASCREDS_TEST_STDERR_TTY"
	stdoutTTYEnv = "NYLASCREDS_TEST_STDOUT_TTY"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"nylascreds": func() { os.Exit(scriptCLI()) },
	})
}

// scriptCLI is the nylascreds of the scripts: the real command line, with its
// output copied to the transcript file.
func scriptCLI() int {
	c, stop := processCLI()
	defer stop()
	if path := os.Getenv(transcriptEnv); path != "" {
		f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
		if err != nil {
			panic(err)
		}
		defer f.Close()
		c.stdout, c.stderr = io.MultiWriter(os.Stdout, f), io.MultiWriter(os.Stderr, f)
	}
	c.stderrIsTerminal = c.stderrIsTerminal || os.Getenv(ttyEnv) == "1"
	c.stdoutIsTerminal = c.stdoutIsTerminal || os.Getenv(stdoutTTYEnv) == "1"
	return c.run(os.Args[1:])
}

// TestScripts runs the transcripts in testdata/script: each one gets its own
// fake server ($FAKE, accepting $NYLAS_API_KEY), and at the end every byte
// the CLI printed is checked for secrets.
func TestScripts(t *testing.T) {
	transcripts := t.TempDir()
	testdata, err := filepath.Abs("../../tests/testdata")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { checkTranscripts(t, transcripts) })
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		Setup: func(env *testscript.Env) error {
			holder := &fakeHolder{}
			env.Values["srv"] = holder
			env.Defer(func() { holder.close(env.T()) })
			env.Setenv("FAKE", holder.start().URL)
			env.Setenv("NYLAS_API_KEY", canaryKey)
			env.Setenv("CANARY_SECRET", canarySecret)
			env.Setenv("TESTDATA", testdata)
			env.Setenv(transcriptEnv, filepath.Join(transcripts, filepath.Base(env.WorkDir)+".log"))
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"fault":    cmdFault,
			"newfake":  cmdNewFake,
			"requests": cmdRequests,
			"stored":   cmdStored,
			"setid":    cmdSetID,
			"grant":    cmdGrant,
			"pkcs1key": cmdPKCS1Key,
			"busyport": cmdBusyPort,
		},
	})
}

// checkTranscripts fails when any script's CLI output holds a secret.
func checkTranscripts(t *testing.T, dir string) {
	logs, _ := filepath.Glob(filepath.Join(dir, "*.log"))
	if len(logs) == 0 {
		t.Error("no transcript was written: the leak check saw nothing")
	}
	for _, path := range logs {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range leakMarkers {
			if bytes.Contains(b, []byte(m)) {
				t.Errorf("%s: the CLI printed a secret (%.10s…)", filepath.Base(path), m)
			}
		}
		for _, m := range goVocabulary.FindAll(b, -1) {
			t.Errorf("%s: the CLI printed a Go name: %q", filepath.Base(path), m)
		}
	}
}

// fakeHolder holds a script's fake servers: the current one, and the ones
// it replaced, closed and checked for off-spec responses when the script ends.
type fakeHolder struct{ all []*nylastest.Server }

func (h *fakeHolder) start(opts ...nylastest.Option) *nylastest.Server {
	srv := nylastest.NewServer(append([]nylastest.Option{nylastest.WithAPIKey(canaryKey)}, opts...)...)
	h.all = append(h.all, srv)
	return srv
}

func (h *fakeHolder) close(t testscript.T) {
	for _, srv := range h.all {
		srv.Close()
		for _, v := range srv.Violations() {
			t.Fatal("fake: " + v.Error())
		}
	}
}

func server(ts *testscript.TestScript) *nylastest.Server {
	h := ts.Value("srv").(*fakeHolder)
	return h.all[len(h.all)-1]
}

// newfake [report-credential-type]: replace the script's fake with an empty
// one (reporting each credential's flow when asked), and $FAKE with its URL.
func cmdNewFake(ts *testscript.TestScript, neg bool, args []string) {
	var opts []nylastest.Option
	for _, a := range args {
		if a != "report-credential-type" {
			ts.Fatalf("usage: newfake [report-credential-type]")
		}
		opts = append(opts, nylastest.WithCredentialType())
	}
	ts.Setenv("FAKE", ts.Value("srv").(*fakeHolder).start(opts...).URL)
}

// fault SPEC...: script the fake's next answers, one per request:
// ok, delay=DURATION, lost (act, then drop the connection), drop, html502,
// untyped200=ID (a credential without credential_type), controls200=ID (a
// credential whose name holds C1 controls, DEL and format characters), forge429 (a message with a newline and an escape), echokey500, echosecret500 (the message holds the API key or the client secret),
// or a status (401, 429, 500, 503) answered in the Nylas error envelope.
func cmdFault(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) == 0 {
		ts.Fatalf("usage: fault SPEC...")
	}
	var faults []nylastest.Fault
	for _, spec := range args {
		json := http.Header{"Content-Type": {"application/json"}}
		switch {
		case spec == "ok":
			faults = append(faults, nylastest.Fault{})
		case strings.HasPrefix(spec, "delay="):
			d, err := time.ParseDuration(strings.TrimPrefix(spec, "delay="))
			ts.Check(err)
			faults = append(faults, nylastest.Fault{Delay: d})
		case spec == "lost":
			faults = append(faults, nylastest.Fault{Drop: true, Handle: true})
		case spec == "drop":
			faults = append(faults, nylastest.Fault{Drop: true})
		case spec == "echokey500", spec == "echosecret500": // a server that echoes what it was sent
			echo := canaryKey
			if spec == "echosecret500" {
				echo = canarySecret
			}
			faults = append(faults, nylastest.Fault{Status: 500, Header: json,
				Body: `{"request_id":"fault-echo","error":{"type":"api.internal_error","message":"you sent ` + echo + `"}}`})
		case spec == "forge429": // a message that tries to forge an output line and a terminal escape
			faults = append(faults, nylastest.Fault{Status: 429, Header: http.Header{"Content-Type": {"application/json"}, "Retry-After": {"7"}},
				Body: `{"request_id":"req-1","error":{"type":"nylas_rate_limit_exceeded","message":"slow down\nerror: forged line\u001b[31m red \u202eexe.gnp"}}`})
		case strings.HasPrefix(spec, "untyped200="): // a credential as Nylas publishes it: no credential_type
			faults = append(faults, nylastest.Fault{Status: 200, Header: json,
				Body: `{"request_id":"fault-untyped","data":{"id":"` + strings.TrimPrefix(spec, "untyped200=") + `","name":"n","created_at":1767225600,"updated_at":1767225600}}`})
		case strings.HasPrefix(spec, "controls200="): // a name with C1 controls, DEL and format characters
			faults = append(faults, nylastest.Fault{Status: 200, Header: json,
				Body: `{"request_id":"fault-controls","data":{"id":"` + strings.TrimPrefix(spec, "controls200=") + `","name":"a\u009b31mb\u202ec\u0085d\u007fe\udb40\udc01f","created_at":1767225600,"updated_at":1767225600}}`})
		case spec == "html502":
			faults = append(faults, nylastest.Fault{Status: 502, Header: http.Header{"Content-Type": {"text/html"}, "X-Request-Id": {"edge-9"}},
				Body: "<html>\n<b>Bad Gateway</b>\n</html>"})
		default:
			status, err := strconv.Atoi(spec)
			ts.Check(err)
			typ := map[int]string{401: "api.authentication_error", 429: "nylas_rate_limit_exceeded"}[status]
			if typ == "" {
				typ = "api.internal_error"
			}
			f := nylastest.Fault{Status: status, Header: json,
				Body: fmt.Sprintf(`{"request_id":"fault-%d","error":{"type":"%s","message":"scripted %d"}}`, status, typ, status)}
			if status == 429 {
				f.Header.Set("Retry-After", "7")
			}
			faults = append(faults, f)
		}
	}
	server(ts).Enqueue(faults...)
}

// requests: print how many requests the fake has seen.
func cmdRequests(ts *testscript.TestScript, neg bool, args []string) {
	_, _ = fmt.Fprintln(ts.Stdout(), len(server(ts).Requests()))
}

// stored PROVIDER ID: print the credential_data the fake holds, or fail.
func cmdStored(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: stored PROVIDER ID")
	}
	data, ok := server(ts).StoredData(args[0], args[1])
	if ok == neg {
		ts.Fatalf("stored %s %s: %v", args[0], args[1], ok)
	}
	_, _ = fmt.Fprintf(ts.Stdout(), "%s\n", data)
}

// grant PROVIDER CREDENTIAL_ID EMAIL...: the fake serves a grant per email,
// naming the credential ("-" for none: it uses the active credential).
func cmdGrant(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 3 || neg {
		ts.Fatalf("usage: grant PROVIDER CREDENTIAL_ID|- EMAIL...")
	}
	cred := args[1]
	if cred == "-" {
		cred = ""
	}
	for _, email := range args[2:] {
		server(ts).AddGrants(nylastest.Grant{Provider: args[0], CredentialID: cred, Email: email})
	}
}

// setid VAR: set VAR to the "id" of the JSON object the last command printed.
func cmdSetID(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: setid VAR")
	}
	var v struct{ ID string }
	ts.Check(json.Unmarshal([]byte(ts.ReadFile("stdout")), &v))
	if v.ID == "" {
		ts.Fatalf("no id in stdout")
	}
	ts.Setenv(args[0], v.ID)
}

// pkcs1key FILE: write the test key file with its key in PKCS#1 form
// ("RSA PRIVATE KEY"), as older tools export it.
func cmdPKCS1Key(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: pkcs1key FILE")
	}
	var file map[string]any
	ts.Check(json.Unmarshal([]byte(ts.ReadFile(filepath.Join(ts.Getenv("TESTDATA"), "service-account.json"))), &file))
	block, _ := pem.Decode([]byte(file["private_key"].(string)))
	key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	ts.Check(err)
	rsaKey, ok := key.(*rsa.PrivateKey)
	if !ok {
		ts.Fatalf("the test key is not RSA")
	}
	file["private_key"] = string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(rsaKey)}))
	b, err := json.Marshal(file)
	ts.Check(err)
	ts.Check(os.WriteFile(ts.MkAbs(args[0]), b, 0o600))
}

// busyport VAR: listen on a loopback port until the script ends, and set VAR
// to its address.
func cmdBusyPort(ts *testscript.TestScript, neg bool, args []string) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	ts.Check(err)
	ts.Defer(func() { _ = ln.Close() })
	ts.Setenv(args[0], ln.Addr().String())
}
