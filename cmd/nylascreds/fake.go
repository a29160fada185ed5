package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/nylascreds/nylascreds/nylastest"
)

// fake serves the fake API until the context ends (Ctrl-C).
func (c *cli) fake(args []string) int {
	fs := flag.NewFlagSet("nylascreds fake", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	addr := fs.String("addr", "127.0.0.1:4010", "address to listen on")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(c.stdout, "Usage: nylascreds fake [--addr HOST:PORT]\n\nServes the fake Nylas Connector Credentials API (default 127.0.0.1:4010) until interrupted.")
			return exitOK
		}
		return c.usageError("fake", err.Error())
	}
	if fs.NArg() > 0 {
		return c.usageError("fake", "unexpected argument "+quoteArg(fs.Arg(0)))
	}
	f, err := nylastest.NewFake()
	if err != nil {
		fmt.Fprintf(c.stderr, "error: %s\n", oneLine(err.Error()))
		return exitAPI
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return c.usageError("fake", "--addr: "+err.Error())
	}
	srv := &http.Server{Handler: f, ReadHeaderTimeout: 10 * time.Second}
	url := "http://" + ln.Addr().String()
	fmt.Fprintf(c.stdout, "fake Nylas Connector Credentials API listening on %s\n", url)
	fmt.Fprintf(c.stdout, "API key: %s\n", f.APIKey())
	fmt.Fprintf(c.stdout, "try: NYLAS_API_KEY=%s nylascreds list --provider google --base-url %s\n", f.APIKey(), url)

	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		fmt.Fprintf(c.stderr, "error: %s\n", oneLine(err.Error()))
		return exitAPI
	case <-c.ctx.Done():
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = srv.Shutdown(ctx)
	return exitOK
}
