package main

import (
	"context"
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/nylascreds/nylascreds/wrapper"
)

// exitError ends a command with an exit status and the lines to print on
// stderr, each after "error: ". usage names the command whose --help the
// last line points to ("" for none).
type exitError struct {
	code  int
	lines []string
	usage string
}

func (e *exitError) Error() string { return strings.Join(e.lines, "; ") }

// usageErr is a usage or validation problem of cmd: exit 2, nothing sent.
func usageErr(cmd *cobra.Command, problems ...string) error {
	return &exitError{code: exitUsage, lines: problems, usage: cmd.CommandPath()}
}

// failure is an API, network or runtime failure: exit 1.
func failure(line string) error { return &exitError{code: exitAPI, lines: []string{line}} }

// callFailure is the failure of a call, err: exit 3 when the API answered
// 404, so that a script can tell "not there" (an idempotent delete, say)
// from any other failure without reading stderr; else exit 1.
func callFailure(err error, line string) error {
	if wrapper.IsNotFound(err) {
		return &exitError{code: exitNotFound, lines: []string{line}}
	}
	return failure(line)
}

const rootLong = `nylascreds administers Nylas connector credentials (/v3/connectors/{provider}/creds):
create, get, list, update (PATCH) and delete them, from a shell or a script.

Secrets are never taken from a flag value (shell history and ps would show it):
they come from a file, stdin or the environment.

Environment (a flag wins over the environment):
  NYLAS_API_KEY             the API key (--api-key-file wins)
  NYLASCREDS_CLIENT_SECRET  the provider app's client secret (--client-secret-file wins);
                            $NYLAS_CLIENT_SECRET, in Nylas projects the Nylas
                            application's own secret, is not read
  NYLAS_API_URI             the API base URL (--base-url and --region win)
  NYLAS_REGION              us or eu, without a base URL (--region wins); else us

Output goes to stdout: a table when it is a terminal, else JSON (-o json, ndjson
or table wins); messages go to stderr.

Exit status:
  0    success
  1    the API, the network or the machine failed
  2    usage or validation error, or a refusal: nothing was changed
  3    not found: the API answered 404 (a delete of a deleted credential, say)
  130  interrupted by Ctrl-C (SIGINT); 143 for SIGTERM`

// run executes one command line and returns the exit status.
func (c *cli) run(args []string) int {
	if problem := secretOnCommandLine(args); problem != "" {
		c.printErrors(&exitError{code: exitUsage, lines: []string{problem}, usage: commandPath(args)})
		return exitUsage
	}
	root := c.newRoot()
	root.SetArgs(args)
	var err error
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") && !strings.HasPrefix(args[0], "__") { // __complete is cobra's
		if found, _, findErr := root.Find(args); findErr == nil && found == root {
			err = noArgs(root, args[:1]) // an unknown command, before its flags are judged
		}
	}
	if err == nil {
		err = root.ExecuteContext(c.ctx)
	}
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if !errors.As(err, &ee) {
		// cobra's own errors: an unknown command, mostly.
		ee = &exitError{code: exitUsage, lines: []string{cliWords(err.Error())}, usage: "nylascreds"}
	}
	c.printErrors(ee)
	var sig interrupted
	if errors.As(context.Cause(c.ctx), &sig) {
		return exitSignal + int(sig.sig)
	}
	return ee.code
}

func (c *cli) printErrors(e *exitError) {
	for _, line := range e.lines {
		c.say("error: %s", c.redact(oneLine(line)))
	}
	if e.usage != "" {
		c.say("run '%s --help' for usage", e.usage)
	}
}

// say writes one line on stderr. A failed write to stderr has nowhere to be
// reported, so it is dropped on purpose.
func (c *cli) say(format string, args ...any) {
	_, _ = fmt.Fprintf(c.stderr, format+"\n", args...)
}

// redact replaces every secret the invocation read with [REDACTED].
func (c *cli) redact(s string) string {
	for _, secret := range c.secrets {
		s = strings.ReplaceAll(s, secret, "[REDACTED]")
	}
	return s
}

// commandPath names the command a raw command line is for, for a usage hint
// printed before the command line is parsed.
func commandPath(args []string) string {
	for _, a := range args {
		switch a {
		case "create", "update", "get", "list", "delete", "demo", "fake", "version":
			return "nylascreds " + a
		}
	}
	return "nylascreds"
}

func (c *cli) newRoot() *cobra.Command {
	root := &cobra.Command{
		Use:           "nylascreds",
		Short:         "Administer Nylas connector credentials",
		Long:          rootLong,
		Version:       versionString(readBuildInfo()),
		SilenceErrors: true,
		SilenceUsage:  true,
		Args:          noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cmd.SetOut(c.stderr)
			_ = cmd.Help()
			return &exitError{code: exitUsage, lines: []string{"a command is required"}}
		},
		SuggestionsMinimumDistance: 2, // udpate: update
	}
	root.SetVersionTemplate("{{.Version}}\n")
	root.Flags().Bool("version", false, "print the version and commit, then exit")
	root.SetOut(c.stdout)
	root.SetErr(c.stderr)
	root.SetIn(c.stdin)
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return usageErr(cmd, flagProblem(cmd, err))
	})
	root.AddGroup(&cobra.Group{ID: "api", Title: "Credential commands:"}, &cobra.Group{ID: "tools", Title: "Other commands:"})
	root.SetHelpCommandGroupID("tools")
	root.SetCompletionCommandGroupID("tools")
	for _, cmd := range []*cobra.Command{c.createCmd(), c.getCmd(), c.listCmd(), c.updateCmd(), c.deleteCmd(),
		c.rotateCmd(), c.connectorCmd(), c.activateCmd(), c.grantsCmd()} {
		cmd.GroupID = "api"
		root.AddCommand(cmd)
	}
	for _, cmd := range []*cobra.Command{c.demoCmd(), c.fakeCmd(), c.versionCmd()} {
		cmd.GroupID = "tools"
		root.AddCommand(cmd)
	}
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	for _, cmd := range root.Commands() {
		switch cmd.Name() {
		case "help":
			cmd.Example = "  nylascreds help update\n  nylascreds update --help"
		case "completion":
			cmd.Example = completionExample
			for _, shell := range cmd.Commands() {
				shell.Example = "  nylascreds completion " + shell.Name() + " --help   # how to load it"
				shell.Args = noArgs
			}
		}
	}
	return root
}

const completionExample = `  # bash, this shell only (needs the bash-completion package)
  source <(nylascreds completion bash)
  # bash, every new shell
  nylascreds completion bash > /etc/bash_completion.d/nylascreds
  # zsh (compinit enabled)
  nylascreds completion zsh > "${fpath[1]}/_nylascreds"
  # fish
  nylascreds completion fish > ~/.config/fish/completions/nylascreds.fish`

// noArgs refuses positional arguments: every input is a flag. A stray word
// may be a secret pasted in the wrong place, so it is never repeated, but
// for an unknown command close to a real one (a few typos away, or a
// prefix), which cannot be.
func noArgs(cmd *cobra.Command, args []string) error {
	switch {
	case len(args) == 0:
		return nil
	case !cmd.HasParent():
		if s := closest(args[0], cmd.SuggestionsFor(args[0])); len(s) > 0 {
			return usageErr(cmd, "unknown command "+strconv.Quote(args[0])+": did you mean "+strings.Join(s, " or ")+"?")
		}
		return usageErr(cmd, "unknown command (the word is not repeated here: it may be a secret)")
	case len(args) == 1:
		return usageErr(cmd, "unexpected argument: every input is a flag, and a value with spaces needs quotes (the argument is not repeated here: it may be a secret)")
	}
	return usageErr(cmd, strconv.Itoa(len(args))+" unexpected arguments: every input is a flag, and a value with spaces needs quotes (the arguments are not repeated here: one may be a secret)")
}

// closest keeps, of cobra's suggestions for word, the nearest to it: a
// command that word begins, else by edit distance, so that "lst" suggests
// list alone, not get too (both are two edits away at most).
func closest(word string, names []string) []string {
	word = strings.ToLower(word)
	var best []string
	least := math.MaxInt
	for _, name := range names {
		d := editDistance(word, name)
		if strings.HasPrefix(name, word) {
			d = 0
		}
		if d < least {
			best, least = nil, d
		}
		if d == least {
			best = append(best, name)
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b, in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// flagProblem rewrites pflag's messages where they would leak Go terms,
// miss the fix, or repeat a word that is not one of the command's flags (a
// secret pasted in the wrong place may start with a dash).
func flagProblem(cmd *cobra.Command, err error) string {
	msg := err.Error()
	const unknown = "unknown flag (not repeated: it may be a value pasted in the wrong place); see --help for the flags"
	// "unknown shorthand flag: 'p' in -provider": Go's flag package took
	// single-dash long flags; pflag needs two dashes.
	if _, rest, ok := strings.Cut(msg, "unknown shorthand flag: "); ok {
		_, word, _ := strings.Cut(rest, " in -")
		if name, _, _ := strings.Cut(word, "="); len(name) > 1 && cmd.Flags().Lookup(name) != nil {
			return "unknown flag -" + name + ": long flags take two dashes: --" + name
		}
		return unknown
	}
	if strings.HasPrefix(msg, "unknown flag: ") {
		return unknown
	}
	// invalid argument "x" for "-o, --output" flag: REASON. The value is
	// not repeated: a secret pasted as the wrong flag's value is no rarer
	// than one pasted as a path.
	if m := invalidArgument.FindStringSubmatch(msg); m != nil {
		reason := m[2]
		if strings.HasPrefix(reason, "strconv.ParseBool") {
			reason = "want true or false"
		}
		return m[1] + ": " + reason
	}
	return msg
}

var invalidArgument = regexp.MustCompile(`^invalid argument "(?:[^"\\]|\\.)*" for "(?:-\w, )?(--[\w-]+)" flag: (.*)$`)
