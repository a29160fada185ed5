package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/nylascreds/nylascreds/wrapper"
)

// apiFlags are everything the five API commands can take.
type apiFlags struct {
	conn     connFlags
	data     dataFlags
	provider string
	id       string
	name     string
	limit    int
	offset   int
	sortBy   string
	orderBy  string
	all      bool
}

func (c *cli) apiCommand(cmd string, args []string) int {
	if problem := secretOnCommandLine(args); problem != "" {
		return c.usageError(cmd, problem)
	}
	var f apiFlags
	fs := flag.NewFlagSet("nylascreds "+cmd, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	f.conn.register(fs, c.getenv)
	fs.StringVar(&f.provider, "provider", "", "connector provider: "+providerList())
	switch cmd {
	case "get", "update", "delete":
		fs.StringVar(&f.id, "id", "", "credential id")
	}
	switch cmd {
	case "create", "update":
		fs.StringVar(&f.name, "name", "", "credential name (unique per connector)")
		f.data.register(fs)
	case "list":
		fs.IntVar(&f.limit, "limit", 0, "page size (default: the server's, 10; with --all: 100)")
		fs.IntVar(&f.offset, "offset", 0, "credentials to skip")
		fs.StringVar(&f.sortBy, "sort-by", "", "created_at or updated_at")
		fs.StringVar(&f.orderBy, "order-by", "", "asc or desc")
		fs.BoolVar(&f.all, "all", false, "walk every page and print all credentials")
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			_, _ = fmt.Fprintf(c.stdout, "Usage of nylascreds %s:\n", cmd)
			fs.SetOutput(c.stdout)
			fs.PrintDefaults()
			return exitOK
		}
		return c.usageError(cmd, err.Error())
	}

	var problems []string
	if fs.NArg() > 0 {
		problems = append(problems, "unexpected argument "+quoteArg(fs.Arg(0)))
	}
	if f.provider == "" {
		problems = append(problems, "--provider is required ("+providerList()+")")
	}
	if (cmd == "get" || cmd == "update" || cmd == "delete") && f.id == "" {
		problems = append(problems, "--id is required")
	}
	if cmd == "create" && f.name == "" {
		problems = append(problems, "--name is required")
	}
	var data wrapper.CredentialData
	if cmd == "create" || cmd == "update" {
		var dataProblems []string
		data, dataProblems = f.data.build(c, cmd == "create")
		problems = append(problems, dataProblems...)
	}
	client, clientProblems := f.conn.client(c)
	problems = append(problems, clientProblems...)
	if len(problems) > 0 {
		return c.usageError(cmd, problems...)
	}

	provider := wrapper.Provider(f.provider)
	switch cmd {
	case "create":
		cred, err := client.Create(c.ctx, provider, wrapper.CreateRequest{Name: f.name, Data: data})
		return c.done(cmd, cred, err)
	case "update":
		cred, err := client.Update(c.ctx, provider, f.id, wrapper.UpdateRequest{Name: f.name, Data: data})
		return c.done(cmd, cred, err)
	case "get":
		cred, err := client.Get(c.ctx, provider, f.id)
		return c.done(cmd, cred, err)
	case "delete":
		if err := client.Delete(c.ctx, provider, f.id); err != nil {
			return c.fail(cmd, err)
		}
		return exitOK
	default: // list
		return c.list(client, provider, f)
	}
}

func (c *cli) done(cmd string, cred *wrapper.Credential, err error) int {
	if err != nil {
		return c.fail(cmd, err)
	}
	return c.printJSON(cred)
}

func (c *cli) list(client *wrapper.Client, provider wrapper.Provider, f apiFlags) int {
	opts := &wrapper.ListOptions{Limit: f.limit, Offset: f.offset, SortBy: wrapper.SortBy(f.sortBy), OrderBy: wrapper.OrderBy(f.orderBy)}
	creds := []wrapper.Credential{}
	if !f.all {
		page, err := client.List(c.ctx, provider, opts)
		if err != nil {
			return c.fail("list", err)
		}
		creds = append(creds, page.Credentials...)
		return c.printJSON(creds)
	}
	for cred, err := range client.All(c.ctx, provider, opts) {
		if err != nil {
			return c.fail("list", err)
		}
		creds = append(creds, cred)
	}
	return c.printJSON(creds)
}

// secretOnCommandLine refuses secrets passed as flag values, before anything
// else looks at the arguments. The message never repeats the value.
func secretOnCommandLine(args []string) string {
	for _, arg := range args {
		if arg == "--" {
			break
		}
		name := strings.TrimLeft(arg, "-")
		if name == arg {
			continue
		}
		name, _, _ = strings.Cut(name, "=")
		switch name {
		case "api-key", "apikey", "key":
			return "the API key is never taken from a flag value (shell history and ps would show it): set $NYLAS_API_KEY or pass --api-key-file PATH"
		case "client-secret", "secret":
			return "the client secret is never taken from a flag value: pass --client-secret-file PATH (\"-\" for stdin) or set $NYLAS_CLIENT_SECRET"
		}
	}
	return ""
}

func providerList() string {
	names := make([]string, 0, len(wrapper.KnownProviders()))
	for _, p := range wrapper.KnownProviders() {
		names = append(names, string(p))
	}
	return strings.Join(names, ", ")
}
