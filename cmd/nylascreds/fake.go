package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/nylascreds/nylascreds/nylastest"
)

// fake serves the fake API until the context ends (Ctrl-C).
func (c *cli) fake(args []string) int {
	fs := flag.NewFlagSet("fake", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:4010", "address to listen on")
	const help = "Usage: nylascreds fake [--addr HOST:PORT]\n\nServes the fake Nylas Connector Credentials API (default 127.0.0.1:4010) until interrupted.\n"
	if ok, code := c.parseNoArgs(fs, args, help); !ok {
		return code
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
