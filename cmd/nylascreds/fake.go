package main

import (
	"errors"
	"flag"
	"fmt"

	"github.com/nylascreds/nylascreds/nylastest"
)

// fake serves the fake API until the context ends (Ctrl-C). The server's
// timeouts, body cap and loopback check are nylastest's (Listen, Serve).
func (c *cli) fake(args []string) int {
	fs := flag.NewFlagSet("fake", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:4010", "address to listen on")
	allowNonLoopback := fs.Bool("allow-non-loopback", false, "allow an --addr that is not loopback")
	reportType := fs.Bool("report-credential-type", false, "send credential_type in credentials")
	const help = `Usage: nylascreds fake [--addr HOST:PORT] [--allow-non-loopback] [--report-credential-type]

Serves the fake Nylas Connector Credentials API (default 127.0.0.1:4010) until interrupted.

  --addr HOST:PORT           address to listen on; loopback only (127.0.0.1, ::1, localhost)
  --allow-non-loopback       listen on any address, e.g. 0.0.0.0:4010 in a container: the fake
                             keeps every secret it is sent, with a published API key
  --report-credential-type   send each credential's flow as credential_type, which Nylas's
                             published credential object lacks (by default it is not sent)

Bodies over 1 MiB get 413; slow, idle or stuck clients are disconnected within 20 s.
`
	if ok, code := c.parseNoArgs(fs, args, help); !ok {
		return code
	}
	opts := []nylastest.Option{nylastest.WithRequestLog(0)} // nobody reads it back
	if *reportType {
		opts = append(opts, nylastest.WithCredentialType())
	}
	f, err := nylastest.NewFake(opts...)
	if err != nil {
		_, _ = fmt.Fprintf(c.stderr, "error: %s\n", oneLine(err.Error()))
		return exitAPI
	}
	ln, err := nylastest.Listen(*addr, *allowNonLoopback)
	if errors.Is(err, nylastest.ErrNotLoopback) {
		return c.usageError("fake", "--addr "+quoteArg(*addr)+" is not a loopback address: the fake keeps every secret it is sent, "+
			"so it listens on 127.0.0.1, ::1 or localhost only; add --allow-non-loopback to listen there anyway")
	}
	if err != nil {
		return c.usageError("fake", "--addr: "+err.Error())
	}
	url := "http://" + ln.Addr().String()
	_, _ = fmt.Fprintf(c.stdout, "fake Nylas Connector Credentials API listening on %s\n", url)
	_, _ = fmt.Fprintf(c.stdout, "API key: %s\n", f.APIKey())
	_, _ = fmt.Fprintf(c.stdout, "try: NYLAS_API_KEY=%s nylascreds list --provider google --base-url %s\n", f.APIKey(), url)

	if err := f.Serve(c.ctx, ln); err != nil {
		_, _ = fmt.Fprintf(c.stderr, "error: %s\n", oneLine(err.Error()))
		return exitAPI
	}
	return exitOK
}
