// Command nylascreds administers Nylas connector credentials from the shell:
// create, read, update (PATCH), list and delete them, run a demo against a
// built-in fake, or serve that fake for tests in other languages.
//
// The API key comes from $NYLAS_API_KEY or --api-key-file, never from a flag
// value, which shell history and ps would show. Client secrets likewise come
// from --client-secret-file or $NYLASCREDS_CLIENT_SECRET.
//
// Exit status: 0 on success; 1 when the API, the network or the machine
// failed; 2 for a usage or validation error, in which case nothing was sent.
package main

import (
	"context"
	"io"
	"os"
	"os/signal"
	"syscall"

	"golang.org/x/term"
)

func main() {
	os.Exit(mainExit())
}

// mainExit runs the process's command line and returns its exit status.
func mainExit() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return processCLI(ctx).run(os.Args[1:])
}

// processCLI is the environment of the running process.
func processCLI(ctx context.Context) *cli {
	return &cli{
		ctx: ctx, getenv: os.Getenv, stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr,
		stderrIsTerminal: term.IsTerminal(int(os.Stderr.Fd())),
		stdinIsTerminal:  term.IsTerminal(int(os.Stdin.Fd())),
	}
}

// Exit statuses.
const (
	exitOK    = 0
	exitAPI   = 1 // the API, the network or the machine failed
	exitUsage = 2 // the command line or its input is wrong; nothing was sent
)

// cli is one invocation's environment, so that tests can run it in-process.
type cli struct {
	ctx    context.Context
	getenv func(string) string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	// stderrIsTerminal turns on the progress display of list --all. It is
	// never set when stderr is a file or a pipe.
	stderrIsTerminal bool
	// stdinIsTerminal lets update ask before sending unverified data.
	stdinIsTerminal bool
	// secrets are the secret values this invocation read (API key, client
	// secret); a message that carries one prints it redacted. The wrapper
	// scrubs what servers send back already: this is the second line.
	secrets []string
}

// run executes one command line and returns the exit status.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	c := &cli{ctx: ctx, getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr}
	return c.run(args)
}
