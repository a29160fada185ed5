package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/nylascreds/nylascreds/wrapper"
)

// connFlags are the connection flags of the five API commands.
type connFlags struct {
	region     string
	baseURL    string
	timeout    time.Duration
	retries    int
	apiKeyFile string
	verbose    bool
}

func (f *connFlags) register(fs *flag.FlagSet, getenv func(string) string) {
	region := getenv("NYLAS_REGION")
	if region == "" {
		region = string(wrapper.RegionUS)
	}
	fs.StringVar(&f.region, "region", region, "API region: us or eu (default $NYLAS_REGION, else us)")
	fs.StringVar(&f.baseURL, "base-url", "", "custom base URL; overrides --region (plain http only to loopback)")
	fs.DurationVar(&f.timeout, "timeout", wrapper.DefaultTimeout, "per-call timeout, retries included")
	fs.IntVar(&f.retries, "retries", wrapper.DefaultMaxRetries, "retries of failed attempts (0 turns them off)")
	fs.StringVar(&f.apiKeyFile, "api-key-file", "", "read the API key from this file (default: $NYLAS_API_KEY)")
	fs.BoolVar(&f.verbose, "v", false, "one line per HTTP attempt on stderr")
}

// client builds the wrapper client, or returns the usage problems.
func (f *connFlags) client(c *cli) (*wrapper.Client, []string) {
	var problems []string
	key := c.getenv("NYLAS_API_KEY")
	if f.apiKeyFile != "" {
		b, err := readSmallFile(f.apiKeyFile, c.stdin)
		if err != nil {
			problems = append(problems, "--api-key-file: "+err.Error())
		}
		key = strings.TrimSpace(string(b))
	}
	if key == "" && len(problems) == 0 {
		problems = append(problems, "no API key: set $NYLAS_API_KEY or pass --api-key-file PATH")
	}
	region, err := wrapper.ParseRegion(f.region)
	if err != nil {
		problems = append(problems, "--region: "+strings.TrimPrefix(err.Error(), "nylascreds: "))
	}
	if len(problems) > 0 {
		return nil, problems
	}
	opts := []wrapper.Option{wrapper.WithRegion(region), wrapper.WithTimeout(f.timeout), wrapper.WithRetries(f.retries), wrapper.WithUserAgent("nylascreds-cli")}
	if f.baseURL != "" {
		opts = append(opts, wrapper.WithBaseURL(f.baseURL))
	}
	if f.verbose {
		opts = append(opts, wrapper.WithLogger(attemptLogger(c.stderr)))
	}
	client, err := wrapper.New(key, opts...)
	if err != nil {
		for _, line := range strings.Split(err.Error(), "\n") {
			problems = append(problems, strings.TrimPrefix(line, "nylascreds: "))
		}
		return nil, problems
	}
	return client, nil
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

// dataFlags are the credential-data flags of create and update.
type dataFlags struct {
	typ              string
	clientID         string
	clientSecretFile string
	tenant           string
	keyFile          string
}

func (d *dataFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&d.typ, "type", "", "credential flow: connector, serviceaccount or adminconsent")
	fs.StringVar(&d.clientID, "client-id", "", "client id (connector, adminconsent)")
	fs.StringVar(&d.clientSecretFile, "client-secret-file", "", `read the client secret from this file ("-" for stdin; default $NYLAS_CLIENT_SECRET)`)
	fs.StringVar(&d.tenant, "tenant", "", `Azure tenant (adminconsent; "common" for v1.0); an extra setting for connector`)
	fs.StringVar(&d.keyFile, "key-file", "", `Google service-account key file (serviceaccount; "-" for stdin)`)
}

// given reports whether any data flag was set.
func (d *dataFlags) given() bool {
	return d.typ != "" || d.clientID != "" || d.clientSecretFile != "" || d.tenant != "" || d.keyFile != ""
}

// build turns the flags into credential data. A nil result with no problems
// means "no data" (an update of the name only).
func (d *dataFlags) build(c *cli, required bool) (wrapper.CredentialData, []string) {
	if !d.given() {
		if required {
			return nil, []string{"--type is required (connector, serviceaccount or adminconsent), with its data flags"}
		}
		return nil, nil
	}
	if d.typ == "" {
		return nil, []string{"--type is required whenever data flags are given, so that the data can be checked against its flow"}
	}
	var problems []string
	refuse := func(flagName, value string) {
		if value != "" {
			problems = append(problems, flagName+" does not apply to --type "+d.typ)
		}
	}
	switch wrapper.CredentialType(d.typ) {
	case wrapper.CredentialTypeServiceAccount:
		refuse("--client-id", d.clientID)
		refuse("--client-secret-file", d.clientSecretFile)
		refuse("--tenant", d.tenant)
		if d.keyFile == "" {
			problems = append(problems, "--key-file is required for --type serviceaccount")
		}
		if len(problems) > 0 {
			return nil, problems
		}
		file, err := readSmallFile(d.keyFile, c.stdin)
		if err != nil {
			return nil, []string{"--key-file: " + err.Error()}
		}
		sa, err := wrapper.ParseGoogleServiceAccountKey(file)
		if err != nil {
			var verr *wrapper.ValidationError
			if errors.As(err, &verr) {
				for _, p := range verr.Problems {
					problems = append(problems, "--key-file: "+p.String())
				}
				return nil, problems
			}
			return nil, []string{"--key-file: " + err.Error()}
		}
		return sa, nil
	case wrapper.CredentialTypeConnector, wrapper.CredentialTypeAdminConsent:
		refuse("--key-file", d.keyFile)
		secret, err := d.secret(c)
		if err != nil {
			problems = append(problems, "--client-secret-file: "+err.Error())
		}
		if len(problems) > 0 {
			return nil, problems
		}
		if d.typ == string(wrapper.CredentialTypeAdminConsent) {
			return wrapper.MicrosoftAdminConsent{ClientID: d.clientID, ClientSecret: secret, Tenant: d.tenant}, nil
		}
		return wrapper.ConnectorOverride{ClientID: d.clientID, ClientSecret: secret, Tenant: d.tenant}, nil
	default:
		return nil, []string{"--type " + quoteArg(d.typ) + " is not a flow: use connector, serviceaccount or adminconsent"}
	}
}

// secret reads the client secret from its file, else $NYLAS_CLIENT_SECRET.
func (d *dataFlags) secret(c *cli) (wrapper.Secret, error) {
	if d.clientSecretFile == "" {
		return wrapper.NewSecret(strings.TrimSpace(c.getenv("NYLAS_CLIENT_SECRET"))), nil
	}
	b, err := readSmallFile(d.clientSecretFile, c.stdin)
	if err != nil {
		return wrapper.Secret{}, err
	}
	return wrapper.NewSecret(strings.TrimSpace(string(b))), nil
}

// readSmallFile reads a secret or key file ("-" is stdin), refusing anything
// over 1 MiB. Its errors name the path in full (a shortened path would not
// tell the user which file), never the content.
func readSmallFile(path string, stdin io.Reader) ([]byte, error) {
	const limit = 1 << 20
	var r io.Reader
	if path == "-" {
		r = stdin
	} else {
		f, err := os.Open(path)
		if err != nil {
			var pathErr *os.PathError
			if errors.As(err, &pathErr) {
				return nil, fmt.Errorf("cannot read %s: %v", strconv.Quote(path), pathErr.Err)
			}
			return nil, fmt.Errorf("cannot read %s", strconv.Quote(path))
		}
		defer f.Close()
		r = f
	}
	var buf bytes.Buffer
	n, err := io.Copy(&buf, io.LimitReader(r, limit+1))
	if err != nil {
		return nil, fmt.Errorf("cannot read %s", strconv.Quote(path))
	}
	if n > limit {
		return nil, fmt.Errorf("%s is larger than 1 MiB", strconv.Quote(path))
	}
	return buf.Bytes(), nil
}
