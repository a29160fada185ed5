package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/nylascreds/nylascreds/wrapper"
)

// connFlags are the connection flags of the five API commands.
type connFlags struct {
	region     enumFlag
	baseURL    string
	timeout    durationFlag
	retries    countFlag
	apiKeyFile string
	verbose    bool
}

func (f *connFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	enumVar(cmd, &f.region, "region", "", "", []string{string(wrapper.RegionUS), string(wrapper.RegionEU)},
		"API `REGION`: us or eu; a key of one region is refused by the other")
	fl.StringVar(&f.baseURL, "base-url", "", "API base `URL`, https (plain http only to loopback). Where requests go: --base-url,\nelse --region, else $NYLAS_API_URI, else $NYLAS_REGION, else us")
	f.timeout.d = wrapper.DefaultTimeout
	fl.Var(&f.timeout, "timeout", "per-call timeout, retries included, a `DURATION` with a unit (30s, 2m)")
	f.retries.n = wrapper.DefaultMaxRetries
	fl.Var(&f.retries, "retries", "retries of a failed attempt, `N` (0 turns them off)")
	fl.StringVar(&f.apiKeyFile, "api-key-file", "", "read the API key from the file at `PATH` (\"-\" for stdin); wins over $NYLAS_API_KEY")
	fl.BoolVarP(&f.verbose, "verbose", "v", false, "one line per HTTP attempt on stderr (never a secret)")
}

// endpoint says where requests go: --base-url, else --region, else
// $NYLAS_API_URI (the variable of Nylas's SDK quick starts), else
// $NYLAS_REGION, else us: a flag wins over the environment. from names
// what gave the base URL, "" when it is the region's.
func (f *connFlags) endpoint(c *cli) (region wrapper.Region, baseURL, from, problem string) {
	region = wrapper.Region(f.region.value)
	switch {
	case f.baseURL != "":
		return region, f.baseURL, "--base-url", ""
	case region != "":
		return region, "", "", ""
	case c.getenv("NYLAS_API_URI") != "":
		return "", c.getenv("NYLAS_API_URI"), "$NYLAS_API_URI", ""
	}
	region = wrapper.Region(strings.ToLower(c.getenv("NYLAS_REGION")))
	if region == "" {
		return wrapper.RegionUS, "", "", ""
	}
	if _, err := wrapper.ParseRegion(string(region)); err != nil {
		return "", "", "", "$NYLAS_REGION: " + quoteArg(string(region)) + " is not a region: use us or eu"
	}
	return region, "", "", ""
}

// client builds the wrapper client, or returns the usage problems. from
// is what gave the base URL, as endpoint says.
func (f *connFlags) client(c *cli, in *inputs) (_ *wrapper.Client, region wrapper.Region, from string, problems []string) {
	key, problem := in.secret(c, apiKey, "--api-key-file", f.apiKeyFile, "NYLAS_API_KEY")
	switch {
	case problem != "":
		problems = append(problems, problem)
	case key == "":
		problems = append(problems, "no API key: set $NYLAS_API_KEY or pass --api-key-file PATH")
	}
	region, baseURL, from, problem := f.endpoint(c)
	if problem != "" {
		problems = append(problems, problem)
	}
	if len(problems) > 0 {
		return nil, region, from, problems
	}
	opts := []wrapper.Option{wrapper.WithTimeout(f.timeout.d), wrapper.WithRetries(f.retries.n), wrapper.WithUserAgent("nylascreds-cli")}
	if region != "" {
		opts = append(opts, wrapper.WithRegion(region))
	}
	if baseURL != "" {
		opts = append(opts, wrapper.WithBaseURL(baseURL))
	}
	if f.verbose {
		c.say("API key read from %s", in.origins[apiKey])
		opts = append(opts, wrapper.WithLogger(attemptLogger(c.stderr)))
	}
	client, err := wrapper.New(key, opts...)
	if err != nil {
		for _, line := range strings.Split(err.Error(), "\n") {
			line = strings.TrimPrefix(line, "nylascreds: ")
			if rest, ok := strings.CutPrefix(line, "base URL"); ok {
				line = from + rest
			}
			problems = append(problems, line)
		}
		return nil, region, from, problems
	}
	return client, region, from, nil
}

// attemptLogger writes the wrapper's per-attempt records as one line each.
func attemptLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{
		Level: slog.LevelDebug,
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			switch a.Key {
			case slog.TimeKey, slog.LevelKey:
				return slog.Attr{}
			case slog.MessageKey:
				return slog.String("http", "attempt")
			}
			return a
		},
	}))
}

// Flows, as --type spells them.
var flowNames = []string{string(wrapper.CredentialTypeConnector), string(wrapper.CredentialTypeServiceAccount), string(wrapper.CredentialTypeAdminConsent)}

// dataFlags are the credential-data flags of create and update.
type dataFlags struct {
	typ              enumFlag
	clientID         string
	clientSecretFile string
	tenant           string
	keyFile          string
	settings         []string
	settingsFile     string
}

const secretFileRules = `Secrets: the API key from --api-key-file or $NYLAS_API_KEY; the provider app's client
secret from --client-secret-file or $NYLASCREDS_CLIENT_SECRET ($NYLAS_CLIENT_SECRET is
not read: in Nylas projects it holds the Nylas application's own secret). A file flag
wins over its environment variable; "-" reads the file from stdin (one flag at a time).
One trailing newline (LF or CRLF) is removed and nothing else; a secret that still
holds a line break, or starts or ends with a space or tab, is refused. stderr says
where the client secret and the private key were read from, never what they are.`

func (d *dataFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	enumVar(cmd, &d.typ, "type", "", "", flowNames, "credential flow `TYPE`: connector, serviceaccount or adminconsent")
	fl.StringVar(&d.clientID, "client-id", "", "OAuth client `ID` (connector, adminconsent)")
	fl.StringVar(&d.clientSecretFile, "client-secret-file", "", "read the client secret from the file at `PATH` (\"-\" for stdin); wins over $NYLASCREDS_CLIENT_SECRET")
	fl.StringVar(&d.tenant, "tenant", "", "Microsoft `TENANT` (adminconsent: required, \"common\" for v1.0; connector: optional setting)")
	fl.StringVar(&d.keyFile, "key-file", "", "the Google service-account key file at `PATH`, as downloaded (serviceaccount; \"-\" for stdin)")
	fl.StringArrayVar(&d.settings, "setting", nil, "connector: a further provider setting, `KEY=VALUE` (sent as a string) or KEY:=JSON (sent as that JSON value); repeatable; never a secret")
	fl.StringVar(&d.settingsFile, "settings-file", "", "connector: further provider settings from the file at `PATH`, one JSON object (\"-\" for stdin)")
}

const settingsHelp = `
Connector settings: --setting KEY=VALUE sends VALUE as a JSON string, exactly as
typed; --setting KEY:=JSON sends a typed JSON value (KEY:=3, KEY:=true,
KEY:='{"a":1}'); --settings-file holds one JSON object whose members are sent as
they are. Flags and file add up; a key given twice is refused, and so are
client_id, client_secret and tenant (use their flags). Settings are not treated as
secrets: a value on the command line shows in shell history and ps.`

// given reports whether any data flag was set.
func (d *dataFlags) given() bool {
	return d.typ.value != "" || d.clientID != "" || d.clientSecretFile != "" || d.tenant != "" || d.keyFile != "" ||
		len(d.settings) > 0 || d.settingsFile != ""
}

// build turns the flags into credential data. A nil result with no problems
// means "no data" (an update of the name only).
func (d *dataFlags) build(c *cli, in *inputs, create bool) (wrapper.CredentialData, []string) {
	if !d.given() {
		if create {
			return nil, []string{"--type is required (connector, serviceaccount or adminconsent), with its data flags"}
		}
		return nil, nil
	}
	if d.typ.value == "" {
		return nil, []string{"--type is required whenever data flags are given, so that the data can be checked against its flow (connector, serviceaccount or adminconsent)"}
	}
	var problems []string
	refuse := func(flagName, value string) {
		if value != "" {
			problems = append(problems, flagName+" does not apply to --type "+d.typ.value)
		}
	}
	switch wrapper.CredentialType(d.typ.value) {
	case wrapper.CredentialTypeServiceAccount:
		refuse("--client-id", d.clientID)
		refuse("--client-secret-file", d.clientSecretFile)
		refuse("--tenant", d.tenant)
		refuse("--setting", strings.Join(d.settings, ""))
		refuse("--settings-file", d.settingsFile)
		if d.keyFile == "" {
			problems = append(problems, "--key-file is required for --type serviceaccount")
		}
		if len(problems) > 0 {
			return nil, problems
		}
		file, problem := in.read(c, "--key-file", d.keyFile)
		if problem != "" {
			return nil, []string{problem}
		}
		in.from(privateKey, origin("--key-file", d.keyFile))
		sa, err := wrapper.ParseGoogleServiceAccountKey(file)
		if err != nil {
			var verr *wrapper.ValidationError
			if !errors.As(err, &verr) {
				return nil, []string{"--key-file: " + cliWords(err.Error())}
			}
			for _, p := range verr.Problems {
				problems = append(problems, describeKeyFileProblem(p))
			}
			return nil, problems
		}
		return sa, nil
	default: // connector, adminconsent
		refuse("--key-file", d.keyFile)
		adminConsent := d.typ.value == string(wrapper.CredentialTypeAdminConsent)
		var settings map[string]any
		if adminConsent {
			refuse("--setting", strings.Join(d.settings, ""))
			refuse("--settings-file", d.settingsFile)
		} else {
			var settingProblems []string
			settings, settingProblems = d.buildSettings(c, in)
			problems = append(problems, settingProblems...)
		}
		// Admin consent without --client-id uses the connector's app: an
		// exported $NYLASCREDS_CLIENT_SECRET is then not the app's secret.
		var secret, problem string
		if !adminConsent || d.clientID != "" || d.clientSecretFile != "" {
			secret, problem = in.secret(c, clientSecret, "--client-secret-file", d.clientSecretFile, clientSecretEnv)
		}
		if problem != "" {
			problems = append(problems, problem)
		}
		if len(problems) > 0 {
			return nil, problems
		}
		if adminConsent {
			return wrapper.MicrosoftAdminConsent{ClientID: d.clientID, ClientSecret: wrapper.NewSecret(secret), Tenant: d.tenant}, nil
		}
		return wrapper.ConnectorOverride{ClientID: d.clientID, ClientSecret: wrapper.NewSecret(secret), Tenant: d.tenant, Settings: settings}, nil
	}
}

// typedSettingFlags are the settings a typed flag sends.
var typedSettingFlags = map[string]string{"client_id": "--client-id", "client_secret": "--client-secret-file", "tenant": "--tenant"}

// buildSettings gathers --settings-file and every --setting into one map.
func (d *dataFlags) buildSettings(c *cli, in *inputs) (map[string]any, []string) {
	settings := map[string]any{}
	from := map[string]string{} // key -> where it was given
	var problems []string
	add := func(source, key string, value any) {
		switch {
		case key == "":
			problems = append(problems, source+": the key is empty")
		case typedSettingFlags[key] != "":
			problems = append(problems, source+": "+key+" is not a setting: use "+typedSettingFlags[key])
		case from[key] != "":
			problems = append(problems, source+": "+key+" is already given by "+from[key])
		default:
			settings[key], from[key] = value, source
		}
	}
	if d.settingsFile != "" {
		b, problem := in.read(c, "--settings-file", d.settingsFile)
		if problem != "" {
			return nil, []string{problem}
		}
		var file map[string]any
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.UseNumber() // numbers are sent exactly as written
		if err := dec.Decode(&file); err != nil || dec.More() || file == nil {
			return nil, []string{"--settings-file: must hold one JSON object, {\"key\": value, ...}"}
		}
		for _, k := range slices.Sorted(maps.Keys(file)) {
			add("--settings-file", k, file[k])
		}
	}
	for _, s := range d.settings {
		source := "--setting " + quoteArg(s)
		key, raw, typed := strings.Cut(s, ":=")
		if !typed || strings.Contains(key, "=") {
			var ok bool
			key, raw, ok = strings.Cut(s, "=")
			if !ok {
				problems = append(problems, source+": want KEY=VALUE (a string) or KEY:=JSON (a typed value)")
				continue
			}
			add("--setting "+key, key, raw)
			continue
		}
		dec := json.NewDecoder(strings.NewReader(raw))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil || dec.More() {
			problems = append(problems, "--setting "+key+": the value after := must be JSON (a number, true, false, null, \"text\", [...] or {...}); for plain text use "+key+"=VALUE")
			continue
		}
		add("--setting "+key, key, v)
	}
	if len(settings) == 0 {
		return nil, problems
	}
	return settings, problems
}

// inputs reads the files and variables a command takes its secrets and key
// files from, making sure stdin is read by one flag only.
type inputs struct {
	stdinBy string            // the flag that read stdin
	origins map[string]string // where each secret read came from, by what it is
}

// The secrets a command reads, and the variable of the provider app's
// client secret. $NYLAS_CLIENT_SECRET is not read: in Nylas projects it
// usually holds the Nylas application's own client secret, which sent as
// the provider app's would be stored without a word.
const (
	apiKey          = "API key"
	clientSecret    = "client secret"
	privateKey      = "private key"
	clientSecretEnv = "NYLASCREDS_CLIENT_SECRET"
)

func (in *inputs) from(what, origin string) {
	if in.origins == nil {
		in.origins = map[string]string{}
	}
	in.origins[what] = origin
}

// origin says where the file given to flagName was read from, without its
// path.
func origin(flagName, path string) string {
	if path == "-" {
		return "stdin (" + flagName + " -)"
	}
	return "the file given to " + flagName
}

// sayOrigins says on stderr where each secret that a create or update sent
// was read from, so that a secret from an unexpected place (a variable left
// set in the shell) is noticed; nothing when the request was refused before
// it was sent (err a *wrapper.ValidationError; the flow guard's refusals
// return earlier). The API key is not announced: a wrong one is refused at
// once, and the 401 line says where it came from.
func (c *cli) sayOrigins(in *inputs, err error) {
	var verr *wrapper.ValidationError
	if errors.As(err, &verr) {
		return
	}
	for _, what := range []string{clientSecret, privateKey} {
		if o := in.origins[what]; o != "" {
			c.say("%s read from %s", what, o)
		}
	}
}

// maxInputFile bounds every file the CLI reads.
const maxInputFile = 1 << 20

// read reads the file given to flagName ("-" is stdin). The problem, when
// there is one, names the flag and the reason, never the path: a secret
// pasted where a path belongs (a base64 secret may well start with "/")
// must not be printed back.
func (in *inputs) read(c *cli, flagName, path string) ([]byte, string) {
	var r io.Reader
	if path == "-" {
		if in.stdinBy != "" {
			return nil, flagName + `: stdin ("-") is already read by ` + in.stdinBy + "; give one of them a file"
		}
		in.stdinBy = flagName
		r = c.stdin
	} else {
		f, err := os.Open(path)
		if err != nil {
			return nil, fileProblem(flagName, path, err)
		}
		defer f.Close()
		if info, err := f.Stat(); err == nil && info.IsDir() {
			return nil, flagName + ": the path is a directory: give the path of the file inside it"
		}
		r = f
	}
	var buf bytes.Buffer
	n, err := io.Copy(&buf, io.LimitReader(r, maxInputFile+1))
	if err != nil {
		return nil, fileProblem(flagName, path, err)
	}
	if n > maxInputFile {
		return nil, flagName + ": the file is larger than 1 MiB"
	}
	return buf.Bytes(), ""
}

// secret returns the secret named what from the file given to flagName,
// else from the environment variable env, following secretFileRules, and
// records where it came from.
func (in *inputs) secret(c *cli, what, flagName, path, env string) (string, string) {
	source, from := "$"+env, "$"+env
	var value string
	if path != "" {
		b, problem := in.read(c, flagName, path)
		if problem != "" {
			return "", problem
		}
		source, from, value = flagName, origin(flagName, path), string(b)
		if len(b) == 0 {
			return "", flagName + ": the file is empty"
		}
	} else {
		value = c.getenv(env)
	}
	if v, ok := strings.CutSuffix(value, "\n"); ok {
		value = strings.TrimSuffix(v, "\r")
	}
	switch {
	case strings.ContainsAny(value, "\r\n"):
		return "", source + ": the secret spans more than one line; a secret is one line (a single trailing newline is fine)"
	case strings.TrimSpace(value) != value:
		return "", source + ": the secret starts or ends with a space or tab; remove it (only one trailing newline is removed for you)"
	}
	if len(value) >= 4 { // shorter, it would blank out ordinary words
		c.secrets = append(c.secrets, value)
	}
	if value != "" {
		in.from(what, from)
	}
	return value, ""
}

// fileProblem says why the file given to flagName cannot be read, in words,
// without its path.
func fileProblem(flagName, path string, err error) string {
	var reason string
	switch {
	case errors.Is(err, fs.ErrNotExist):
		reason = "no such file"
	case errors.Is(err, fs.ErrPermission):
		reason = "permission denied"
	default:
		var pathErr *fs.PathError
		if errors.As(err, &pathErr) {
			err = pathErr.Err
		}
		reason = err.Error()
	}
	if path == "-" {
		return flagName + ": cannot read stdin: " + reason
	}
	problem := flagName + ": cannot read the file: " + reason
	if secretFileFlags[flagName] {
		problem += " (the path is not repeated: if it was the secret itself, pass the path of a file that holds it)"
	}
	return problem
}

// secretFileFlags are the flags whose file holds a secret.
var secretFileFlags = map[string]bool{"--api-key-file": true, "--client-secret-file": true}
