// Command nylascreds administers Nylas connector credentials from the shell:
// create, read, update (PATCH), list and delete them, run a demo against a
// built-in fake, or serve that fake for tests in other languages.
//
// The API key comes from $NYLAS_API_KEY or --api-key-file, never from a flag
// value, which shell history and ps would show. Client secrets likewise come
// from --client-secret-file or $NYLAS_CLIENT_SECRET.
//
// Exit status: 0 on success; 1 when the API or the network failed; 2 for a
// usage or validation error, in which case nothing was sent.
package main

import (
	"context"
	"errors"
	"flag"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// Exit statuses.
const (
	exitOK    = 0
	exitAPI   = 1
	exitUsage = 2
)

// cli is one invocation's environment, so that tests can run it in-process.
type cli struct {
	ctx    context.Context
	getenv func(string) string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

const usageText = `nylascreds: administer Nylas connector credentials (/v3/connectors/{provider}/creds)

Usage:
  nylascreds update --provider P --id ID [--name NAME] [DATA FLAGS]
  nylascreds create --provider P --name NAME DATA FLAGS
  nylascreds get    --provider P --id ID
  nylascreds list   --provider P [--limit N] [--offset N] [--sort-by created_at|updated_at] [--order-by asc|desc] [--all]
  nylascreds delete --provider P --id ID
  nylascreds demo
  nylascreds fake   [--addr HOST:PORT] [--allow-non-loopback] [--report-credential-type]

Connection flags (update, create, get, list, delete):
  --region us|eu          API region (default $NYLAS_REGION, else us)
  --base-url URL          custom base URL, overrides --region (plain http only to loopback)
  --timeout DURATION      per-call timeout, retries included (default 30s)
  --retries N             retries of failed attempts (default 2; 0 turns them off)
  --api-key-file PATH     read the API key from PATH (default: $NYLAS_API_KEY)
  -v                      one line per HTTP attempt on stderr (never a secret)

DATA FLAGS (create, update):
  --type connector|serviceaccount|adminconsent   the credential's flow; required with any data flag
  --client-id ID                                 connector, adminconsent
  --client-secret-file PATH                      connector, adminconsent ("-" reads stdin; default $NYLAS_CLIENT_SECRET)
  --tenant T                                     adminconsent (required; "common" for v1.0); connector: extra setting
  --key-file PATH                                serviceaccount: the Google key file as downloaded ("-" reads stdin)

An update that sends credential data replaces the stored data as a whole, so
every key of the flow is required, not only the ones that change.

The API key is never accepted as a flag value: use $NYLAS_API_KEY or --api-key-file.

Output: JSON on stdout (a credential, or an array for list; nothing for delete).
Exit status: 0 success, 1 API or network error, 2 usage or validation error (nothing sent).
`

// parseNoArgs parses the flags of a command that takes no arguments. When it
// returns false the command is over and code is its exit status (help
// printed, or a usage error reported).
func (c *cli) parseNoArgs(fs *flag.FlagSet, args []string, help string) (ok bool, code int) {
	fs.SetOutput(io.Discard)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			_, _ = io.WriteString(c.stdout, help)
			return false, exitOK
		}
		return false, c.usageError(fs.Name(), err.Error())
	}
	if fs.NArg() > 0 {
		return false, c.usageError(fs.Name(), "unexpected argument "+quoteArg(fs.Arg(0)))
	}
	return true, exitOK
}

// run executes one command line and returns the exit status.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	c := &cli{ctx: ctx, getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr}
	if len(args) == 0 {
		_, _ = io.WriteString(stderr, usageText)
		return exitUsage
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "-h", "-help", "--help", "help":
		_, _ = io.WriteString(stdout, usageText)
		return exitOK
	case "create", "update", "get", "list", "delete":
		return c.apiCommand(cmd, rest)
	case "demo":
		return c.demo(rest)
	case "fake":
		return c.fake(rest)
	default:
		return c.usageError("", "unknown command "+quoteArg(cmd))
	}
}
