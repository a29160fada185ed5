package main

import (
	"context"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/nylascreds/nylascreds/wrapper"
)

// apiFlags are everything the five API commands can take.
type apiFlags struct {
	conn     connFlags
	data     dataFlags
	output   enumFlag
	provider string
	id       string
	name     string
	limit    countFlag
	offset   countFlag
	sortBy   enumFlag
	orderBy  enumFlag
	all      bool
	// yes answers the confirmations yes: an update whose stored flow cannot
	// be verified, a delete.
	yes bool
	// allowGrants lets delete go on although grants name the credential.
	allowGrants bool
}

// apiCommand builds one of the five API commands with the flags they share.
func (c *cli) apiCommand(use, short, long, example string, f *apiFlags, run func(cmd *cobra.Command) error) *cobra.Command {
	cmd := &cobra.Command{
		Use:     use,
		Short:   short,
		Long:    long,
		Example: example,
		Args:    noArgs,
		// The use line already shows the flags.
		DisableFlagsInUseLine: true,
		RunE:                  func(cmd *cobra.Command, _ []string) error { return run(cmd) },
	}
	cmd.Flags().SortFlags = false
	cmd.Flags().StringVar(&f.provider, "provider", "", "connector `PROVIDER`, in any case: "+providerList())
	complete(cmd, "provider", providerNames())
	return cmd
}

// addCommon registers the output and connection flags, after the command's own.
func (f *apiFlags) addCommon(cmd *cobra.Command) { f.addOutput(cmd, "credential") }

// addSilent registers the connection flags of a command that prints nothing
// on stdout, and -o hidden, so that scripts passing it to every command work.
func (f *apiFlags) addSilent(cmd *cobra.Command) {
	f.addOutput(cmd, "line")
	_ = cmd.Flags().MarkHidden("output")
}

// addOutput registers -o for a command that prints what, then the
// connection flags.
func (f *apiFlags) addOutput(cmd *cobra.Command, what string) {
	enumVar(cmd, &f.output, "output", "o", "", formatNames, "output `FORMAT`: json, ndjson (one "+what+" per line) or table (default: table when stdout is a terminal, else json)")
	f.conn.register(cmd)
}

const dataHelp = `
Data flags, by flow. Every key of the flow is required, on update too: an update
that sends credential data replaces the stored data as a whole.
  connector       --client-id, --client-secret-file (any provider; --tenant, --setting
                  and --settings-file optional)
  adminconsent    --client-id, --client-secret-file, --tenant (microsoft only)
  serviceaccount  --key-file (google only)

` + secretFileRules + "\n" + settingsHelp

func (c *cli) createCmd() *cobra.Command {
	var f apiFlags
	cmd := c.apiCommand("create --provider P --name NAME --type TYPE [DATA FLAGS]",
		"Create a credential (POST)",
		`Create a credential for a provider's connector, from the flow's data flags.

If the response is lost, re-running the identical create is safe: Nylas returns
the existing identical credential instead of making a second.
`+dataHelp,
		`  # A connector override: the provider's own OAuth app
  nylascreds create --provider google --name "GCP app" --type connector \
    --client-id "$CLIENT_ID" --client-secret-file secret.txt

  # A Google service account, from the key file as downloaded
  nylascreds create --provider google --name "directory sync" --type serviceaccount \
    --key-file service-account.json

  # Microsoft admin consent, the secret piped in
  pass show azure/app | nylascreds create --provider microsoft --name "M365" \
    --type adminconsent --client-id "$APP_ID" --client-secret-file - --tenant contoso.onmicrosoft.com`,
		&f, func(cmd *cobra.Command) error { return c.create(cmd, &f) })
	cmd.Flags().StringVar(&f.name, "name", "", "credential `NAME`, unique per connector")
	f.data.register(cmd)
	f.addCommon(cmd)
	return cmd
}

func (c *cli) updateCmd() *cobra.Command {
	var f apiFlags
	cmd := c.apiCommand("update --provider P --id ID [--name NAME] [--type TYPE DATA FLAGS]",
		"Update a credential's name or data (PATCH)",
		`Update a credential with PATCH: its name, its data, or both. A name-only update
keeps the stored data; --type is required whenever data flags are given, so the
data can be checked against its flow before anything is sent.

A credential's flow cannot change (the PATCH body has no type), and data of
another flow would replace the stored data whole. For google and microsoft,
which have two flows each, update first reads the credential and refuses data of
another flow (exit 2, no PATCH sent); to switch flows, create a credential of the
new flow, make it the connector's active credential, and delete the old one.
Where the server does not report the stored flow, update shows the credential it
is about to overwrite and asks on a terminal; without a terminal it sends only
with --yes.

In-place rotation (update with new data) keeps the credential's id, for grants
that name it; a new credential made active suits a move to a new app.
`+dataHelp,
		`  # Rotate a connector override's client secret (every key of the flow is sent)
  nylascreds update --provider google --id "$ID" --type connector \
    --client-id "$CLIENT_ID" --client-secret-file new-secret.txt

  # Rename; the stored data is kept
  nylascreds update --provider google --id "$ID" --name "primary GCP app"

  # Rotate a service account's key from a script (the flow cannot be verified)
  nylascreds update --provider google --id "$ID" --type serviceaccount --key-file key.json --yes

  # A Microsoft connector override with further settings
  nylascreds update --provider microsoft --id "$ID" --type connector --client-id "$APP_ID" \
    --client-secret-file secret.txt --tenant contoso --setting prompt=consent --setting max_age:=3600`,
		&f, func(cmd *cobra.Command) error { return c.update(cmd, &f) })
	c.idFlag(cmd, &f)
	cmd.Flags().StringVar(&f.name, "name", "", "new credential `NAME`, unique per connector")
	f.data.register(cmd)
	cmd.Flags().BoolVar(&f.yes, "yes", false, "send data whose stored flow the server does not report without asking")
	f.addCommon(cmd)
	return cmd
}

func (c *cli) getCmd() *cobra.Command {
	var f apiFlags
	cmd := c.apiCommand("get --provider P --id ID",
		"Show one credential",
		"Show one credential: id, name, times, and its flow when the server reports it.\nThe API never returns the secret credential data.",
		`  nylascreds get --provider google --id "$ID"
  nylascreds get --provider microsoft --id "$ID" -o table --region eu`,
		&f, func(cmd *cobra.Command) error { return c.get(cmd, &f) })
	c.idFlag(cmd, &f)
	f.addCommon(cmd)
	return cmd
}

func (c *cli) deleteCmd() *cobra.Command {
	var f apiFlags
	cmd := c.apiCommand("delete --provider P --id ID [--allow-grants] [--yes]",
		"Delete a credential nothing depends on",
		`Delete a credential. Grants that use a deleted credential stop working at once, so
delete first checks, before anything is deleted:
  - the connector's active credential is refused (Nylas refuses it too): make another
    one active first (see rotate and activate);
  - a credential that grants name is refused, naming how many and the first few,
    unless --allow-grants.
These checks only read. Then, on a terminal, delete shows the credential's name and
asks; without a terminal it needs --yes. A 404 exits 3, so a script can treat
"already gone" as done.`,
		`  nylascreds delete --provider google --id "$ID"
  nylascreds delete --provider google --id "$ID" --yes`,
		&f, func(cmd *cobra.Command) error { return c.delete(cmd, &f) })
	c.idFlag(cmd, &f)
	cmd.Flags().BoolVar(&f.allowGrants, "allow-grants", false, "delete although grants name the credential (they stop working at once)")
	cmd.Flags().BoolVar(&f.yes, "yes", false, "do not ask for confirmation (required without a terminal)")
	f.addSilent(cmd)
	return cmd
}

func (c *cli) listCmd() *cobra.Command {
	var f apiFlags
	cmd := c.apiCommand("list --provider P [--limit N] [--offset N] [--sort-by FIELD] [--order-by DIR] [--all]",
		"List credentials, one page or all of them",
		`List a connector's credentials: one page, or with --all every page, offset by offset.

One page: when the page is full, more may follow, and the offset of the next page
is printed (on stderr for json and ndjson, below the table for table), for example
"next page: --offset 20".

--all prints credentials as their page arrives (ndjson and table line by line; json
as one array, closed even when the walk fails). When a page fails, what was fetched
is already out, and the error line names the --offset to resume from. On a terminal,
stderr shows the progress of a long walk.`,
		`  nylascreds list --provider google
  nylascreds list --provider google --limit 50 --offset 50 -o table
  nylascreds list --provider microsoft --all --sort-by updated_at --order-by desc -o ndjson`,
		&f, func(cmd *cobra.Command) error { return c.list(cmd, &f) })
	// --limit 0 would read as "no limit" or "none", and the server would
	// take it as its default page size: refused, as gh refuses it.
	f.limit.min, f.offset.min = 1, 0
	f.limit.hint = "; leave --limit out for the server's page size (10; 100 with --all)"
	cmd.Flags().Var(&f.limit, "limit", "page size, `N` credentials (default: the server's, 10; with --all: 100)")
	cmd.Flags().Var(&f.offset, "offset", "skip the first `N` credentials")
	enumVar(cmd, &f.sortBy, "sort-by", "", "", []string{string(wrapper.SortByCreatedAt), string(wrapper.SortByUpdatedAt)}, "sort `FIELD`: created_at or updated_at (server default: created_at)")
	enumVar(cmd, &f.orderBy, "order-by", "", "", []string{string(wrapper.OrderAsc), string(wrapper.OrderDesc)}, "sort direction `DIR`: asc or desc (server default: desc)")
	cmd.Flags().BoolVar(&f.all, "all", false, "walk every page and print every credential")
	f.addCommon(cmd)
	return cmd
}

// idFlag registers --id, whose completion offers the ids of the
// --provider's credentials, with their names, when an API key is at hand
// ($NYLAS_API_KEY or --api-key-file, never stdin); never file names. Any
// problem means no candidates: completion has no way to say why.
func (c *cli) idFlag(cmd *cobra.Command, f *apiFlags) {
	cmd.Flags().StringVar(&f.id, "id", "", "credential `ID` (completed from the API)")
	err := cmd.RegisterFlagCompletionFunc("id", func(_ *cobra.Command, _ []string, prefix string) ([]cobra.Completion, cobra.ShellCompDirective) {
		const directive = cobra.ShellCompDirectiveNoFileComp
		if f.provider == "" || f.conn.apiKeyFile == "-" {
			return nil, directive
		}
		f.conn.verbose = false // the shell reads what completion prints
		client, _, _, problems := f.conn.client(c, &inputs{})
		if len(problems) > 0 {
			return nil, directive
		}
		ctx, cancel := context.WithTimeout(c.ctx, 5*time.Second)
		defer cancel()
		var ids []cobra.Completion
		for cred, err := range client.All(ctx, wrapper.Provider(strings.ToLower(f.provider)), &wrapper.ListOptions{MaxPages: 10}) {
			if err != nil {
				break
			}
			if strings.HasPrefix(cred.ID, prefix) {
				ids = append(ids, cobra.CompletionWithDesc(cred.ID, oneLine(cred.Name)))
			}
		}
		return ids, directive
	})
	if err != nil {
		panic(err) // a programming error: the flag was not registered
	}
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
			return "the client secret is never taken from a flag value: pass --client-secret-file PATH (\"-\" for stdin) or set $NYLASCREDS_CLIENT_SECRET"
		}
	}
	return ""
}

func providerNames() []string {
	names := make([]string, 0, len(wrapper.KnownProviders()))
	for _, p := range wrapper.KnownProviders() {
		names = append(names, string(p))
	}
	return names
}

func providerList() string { return strings.Join(providerNames(), ", ") }
