package main

import (
	"errors"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/nylascreds/nylascreds/nylastest"
)

func (c *cli) fakeCmd() *cobra.Command {
	var addr string
	var allowNonLoopback, reportType bool
	var grants []string
	cmd := &cobra.Command{
		Use:   "fake [--addr HOST:PORT] [--allow-non-loopback] [--report-credential-type] [--grants PROVIDER=N]",
		Short: "Serve the fake Nylas Connector Credentials API, for tests in any language",
		Long: `Serve the fake Nylas Connector Credentials API (in memory, every request and response
checked against openapi.yaml) until interrupted. It prints its URL and the API key it
accepts on stdout. Port 0 picks a free port.

The fake keeps every secret it is sent, with a published API key, so it listens on
loopback only (127.0.0.1, ::1, localhost) unless --allow-non-loopback is given.
Bodies over 1 MiB get 413; slow, idle or stuck clients are disconnected within 20 s.
By default credentials carry only what Nylas publishes (id, name, created_at,
updated_at); --report-credential-type adds each one's flow as credential_type.

The first credential created for a provider becomes its connector's active
credential, which the fake refuses to delete, as Nylas does. --grants google=100
seeds 100 grants of google (user1@example.com, ...) that name google's first
credential once it is created, so that delete and rotate meet grants to protect.`,
		Example: `  nylascreds fake
  nylascreds fake --addr 127.0.0.1:0 --report-credential-type --grants google=3
  nylascreds fake --addr 0.0.0.0:4010 --allow-non-loopback   # in a container`,
		DisableFlagsInUseLine: true,
		Args:                  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return c.fake(cmd, addr, allowNonLoopback, reportType, grants)
		},
	}
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:4010", "address to listen on, `HOST:PORT`; loopback only unless --allow-non-loopback")
	cmd.Flags().BoolVar(&allowNonLoopback, "allow-non-loopback", false, "listen on any address, e.g. 0.0.0.0:4010 in a container: the fake keeps every secret it is sent")
	cmd.Flags().BoolVar(&reportType, "report-credential-type", false, "send each credential's flow as credential_type, which Nylas's published credential object lacks")
	cmd.Flags().StringArrayVar(&grants, "grants", nil, "seed `PROVIDER=N` grants that name the provider's first credential (repeatable)")
	return cmd
}

// fake serves the fake API until the context ends (Ctrl-C). The server's
// timeouts, body cap and loopback check are nylastest's (Listen, Serve).
func (c *cli) fake(cmd *cobra.Command, addr string, allowNonLoopback, reportType bool, grants []string) error {
	seeds := map[string]int{}
	for _, g := range grants {
		provider, count, _ := strings.Cut(g, "=")
		n, err := strconv.Atoi(count)
		provider = strings.ToLower(provider)
		switch {
		case !slices.Contains(providerNames(), provider):
			return usageErr(cmd, "--grants: want PROVIDER=N with a provider of: "+providerList())
		case err != nil || n < 1 || n+seeds[provider] > nylastest.MaxGrants:
			return usageErr(cmd, fmt.Sprintf("--grants %s: N must be a whole number from 1 to %d", provider, nylastest.MaxGrants))
		}
		seeds[provider] += n
	}
	if _, port, err := net.SplitHostPort(addr); err != nil {
		return usageErr(cmd, "--addr: "+quoteArg(addr)+" is not HOST:PORT (for example 127.0.0.1:4010)")
	} else if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return usageErr(cmd, "--addr: the port must be a number from 0 to 65535")
	}
	opts := []nylastest.Option{nylastest.WithRequestLog(0)} // nobody reads it back
	if reportType {
		opts = append(opts, nylastest.WithCredentialType())
	}
	f, err := nylastest.NewFake(opts...)
	if err != nil {
		return failure("fake: " + cliWords(err.Error()))
	}
	for provider, n := range seeds {
		f.AddFirstCredentialGrants(provider, n)
	}
	ln, err := nylastest.Listen(addr, allowNonLoopback)
	if errors.Is(err, nylastest.ErrNotLoopback) {
		return usageErr(cmd, "--addr "+quoteArg(addr)+" is not a loopback address: the fake keeps every secret it is sent, "+
			"so it listens on 127.0.0.1, ::1 or localhost only; add --allow-non-loopback to listen there anyway")
	}
	if err != nil {
		return failure("fake: cannot listen on " + addr + ": " + listenProblem(err))
	}
	url := "http://" + ln.Addr().String()
	_, err = fmt.Fprintf(c.stdout, "fake Nylas Connector Credentials API listening on %s\nAPI key: %s\ntry: NYLAS_API_KEY=%s nylascreds list --provider google --base-url %s\n",
		url, f.APIKey(), f.APIKey(), url)
	if err != nil {
		_ = ln.Close()
		return failure("fake: cannot write the output: " + err.Error())
	}
	if err := f.Serve(c.ctx, ln); err != nil {
		return failure("fake: " + cliWords(err.Error()))
	}
	return nil
}

// listenProblem says why an address cannot be listened on.
func listenProblem(err error) string {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "address already in use"):
		return "the address is already in use (another process listens there; pick another port, or 0 for a free one)"
	case strings.Contains(msg, "cannot assign requested address"):
		return "no interface of this machine has that address"
	case strings.Contains(msg, "permission denied"):
		return "permission denied (ports below 1024 need privileges)"
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) && opErr.Err != nil {
		return opErr.Err.Error()
	}
	return msg
}
