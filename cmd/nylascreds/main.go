// Command nylascreds administers Nylas connector credentials from the shell:
// create, read, update (PATCH), list and delete them, run a demo against a
// built-in fake, or serve that fake for tests in other languages.
//
// The API key comes from $NYLAS_API_KEY or --api-key-file, never from a flag
// value, which shell history and ps would show. Client secrets likewise come
// from --client-secret-file or $NYLASCREDS_CLIENT_SECRET.
//
// Exit status: 0 on success; 1 when the API, the network or the machine
// failed; 2 for a usage or validation error, in which case nothing was sent;
// 3 when the API answered 404; 128 plus the signal's number when SIGINT
// (130) or SIGTERM (143) interrupted a command.
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
	c, stop := processCLI()
	defer stop()
	return c.run(os.Args[1:])
}

// processCLI is the environment of the running process. SIGINT and SIGTERM
// end its context with an interrupted cause; a second one ends the process
// at once. stop releases the signals.
func processCLI() (_ *cli, stop func()) {
	ctx, cancel := context.WithCancelCause(context.Background())
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		select {
		case s := <-sigs:
			signal.Stop(sigs)
			cancel(interrupted{s.(syscall.Signal)})
		case <-ctx.Done():
		}
	}()
	c := &cli{
		ctx: ctx, getenv: os.Getenv, stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr,
		stdoutIsTerminal: term.IsTerminal(int(os.Stdout.Fd())),
		stderrIsTerminal: term.IsTerminal(int(os.Stderr.Fd())),
		stdinIsTerminal:  term.IsTerminal(int(os.Stdin.Fd())),
	}
	return c, func() {
		signal.Stop(sigs)
		cancel(nil)
	}
}

// interrupted is the cause of the context's end when a signal stopped the
// command.
type interrupted struct{ sig syscall.Signal }

func (e interrupted) Error() string { return "interrupted" }

// Is makes the cause a context.Canceled, as the context's own error is.
func (e interrupted) Is(target error) bool { return target == context.Canceled }

// Exit statuses.
const (
	exitOK       = 0
	exitAPI      = 1 // the API, the network or the machine failed
	exitUsage    = 2 // the command line or its input is wrong; nothing was sent
	exitNotFound = 3 // the API answered 404: no such credential (or connector)
	// A command interrupted by a signal exits with 128 plus its number, as
	// a shell reports it: 130 for SIGINT (Ctrl-C), 143 for SIGTERM.
	exitSignal = 128
)

// cli is one invocation's environment, so that tests can run it in-process.
type cli struct {
	ctx    context.Context
	getenv func(string) string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	// stdoutIsTerminal makes a table the default output, for a person;
	// a file or a pipe gets JSON, for a program.
	stdoutIsTerminal bool
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
