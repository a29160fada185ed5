package main

import (
	"bufio"
	"cmp"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/nylascreds/nylascreds/admin"
	"github.com/nylascreds/nylascreds/wrapper"
)

// The admin's jobs around credentials: the connector's active credential,
// the grants that use a credential, rotation and a delete that names what it
// would break.

func (c *cli) connectorCmd() *cobra.Command {
	var f apiFlags
	cmd := c.apiCommand("connector --provider P",
		"Show a connector and its active credential",
		`Show a provider's connector: its name, scope and active (default) credential, the
one grants without a credential of their own use. Its settings are not shown.`,
		`  nylascreds connector --provider google`,
		&f, func(cmd *cobra.Command) error {
			k, err := c.prepare(cmd, &f, &inputs{}, nil)
			if err != nil {
				return err
			}
			conn, err := k.client.GetConnector(c.ctx, k.provider)
			if err != nil {
				return k.fail(cmd, err)
			}
			return k.out.object(conn, fmt.Sprintf("provider:            %s\nname:                %s\nactive credential:   %s\nscope:               %s\n",
				oneLine(string(conn.Provider)), oneLine(conn.Name), oneLine(conn.ActiveCredentialID), oneLine(strings.Join(conn.Scope, " "))))
		})
	f.addOutput(cmd, "connector")
	return cmd
}

func (c *cli) activateCmd() *cobra.Command {
	var f apiFlags
	cmd := c.apiCommand("activate --provider P --id ID",
		"Make a credential the connector's active (default) one",
		`Make a credential its connector's active credential, with a PATCH that sends only
active_credential_id (settings and scope are left alone). Grants without a credential
of their own move to it at once. rotate does this as one of its steps.`,
		`  nylascreds activate --provider google --id "$NEW_ID"`,
		&f, func(cmd *cobra.Command) error {
			k, err := c.prepare(cmd, &f, &inputs{}, idProblems(&f))
			if err != nil {
				return err
			}
			conn, err := k.client.SetActiveCredential(c.ctx, k.provider, f.id)
			if err != nil {
				return k.fail(cmd, err)
			}
			c.say("%s credential %s is now the active one", k.provider, oneLine(conn.ActiveCredentialID))
			return nil
		})
	c.idFlag(cmd, &f)
	f.addSilent(cmd)
	return cmd
}

func (c *cli) grantsCmd() *cobra.Command {
	var f apiFlags
	cmd := c.apiCommand("grants --provider P [--credential-id ID]",
		"List the grants of a provider, or those that use one credential",
		`Walk a provider's grants, 200 a page, and print them, or with --credential-id only those
that name that credential (the grants a delete of it would stop at once). A grant
without a credential of its own uses the connector's active credential. On a
terminal, stderr shows how many grants have been read.`,
		`  nylascreds grants --provider google --credential-id "$OLD_ID" -o table`,
		&f, func(cmd *cobra.Command) error {
			k, err := c.prepare(cmd, &f, &inputs{}, nil)
			if err != nil {
				return err
			}
			prog := &progress{c: c, on: c.stderrIsTerminal}
			for g, err := range k.client.Grants(c.ctx, k.provider, nil, func(n int) { prog.showWhat(n, "grants read") }) {
				if err != nil {
					prog.clear()
					k.out.endItems(grantHeader)
					return k.fail(cmd, err)
				}
				if f.id == "" || g.CredentialID == f.id {
					prog.clear()
					k.out.item(grantHeader, grantJSON(g), grantRow(g))
				}
			}
			prog.clear()
			k.out.endItems(grantHeader)
			return k.out.writeErr()
		})
	cmd.Flags().StringVar(&f.id, "credential-id", "", "only the grants that name credential `ID`")
	f.addOutput(cmd, "grant")
	return cmd
}

var grantHeader = grantRowOf("ID", "STATUS", "CREDENTIAL", "CREATED", "EMAIL")

func grantRowOf(id, status, cred, created, email string) string {
	return fmt.Sprintf("%-36s  %-8s  %-36s  %-20s  %s\n", oneLine(id), oneLine(status), oneLine(cred), created, oneLine(email))
}

func grantRow(g wrapper.Grant) string {
	return grantRowOf(g.ID, g.Status, cmp.Or(g.CredentialID, "(active)"), g.CreatedAt.Format(time.RFC3339), g.Email)
}

// grantJSON is a grant as the API sends it: times in Unix seconds.
func grantJSON(g wrapper.Grant) map[string]any {
	v := map[string]any{"id": g.ID, "provider": g.Provider, "created_at": g.CreatedAt.Unix()}
	for k, s := range map[string]string{"email": g.Email, "grant_status": g.Status, "credential_id": g.CredentialID} {
		if s != "" {
			v[k] = s
		}
	}
	return v
}

func (c *cli) rotateCmd() *cobra.Command {
	var f apiFlags
	var deleteOld bool
	cmd := c.apiCommand("rotate --provider P --id ID --type TYPE [DATA FLAGS] [--name NAME] [--delete-old]",
		"Replace a credential by a new one without downtime",
		`Replace a credential with a new one of the same flow, without downtime:
  1. read the credential and its connector;
  2. create the new credential from the data flags (named "<old name> (rotated DATE)"
     unless --name is given);
  3. make it the connector's active credential if the old one was;
  4. with --delete-old, delete the old credential when no grant names it (the grants
     that do are listed, and it is kept).
Data of another flow than the one the server reports is refused (exit 2); when the
server does not report it, rotate shows the old credential and asks on a terminal,
and without one needs --yes.
Every step is printed on stderr. If activation fails, the new credential is deleted
again and the old one stays active; the error says what is in effect and what to run.
Running rotate again after a failure is safe.

rotate or update? update with new data rotates in place: the credential keeps its id,
which suits grants that name it. rotate suits a move to a new app or secret that must
not interrupt anyone: grants move over as they reconnect, and the old credential
is retired once none names it.
`+dataHelp,
		`  nylascreds rotate --provider google --id "$OLD_ID" --type connector \
    --client-id "$CLIENT_ID" --client-secret-file new-secret.txt --delete-old`,
		&f, func(cmd *cobra.Command) error {
			in := &inputs{}
			data, problems := f.data.build(c, in, true)
			k, err := c.prepare(cmd, &f, in, append(idProblems(&f), problems...))
			if err != nil {
				return err
			}
			prog := &progress{c: c, on: c.stderrIsTerminal}
			res, err := admin.Rotate(c.ctx, k.client, k.provider, admin.RotateRequest{ID: f.id, Data: data, Name: f.name, DeleteOld: deleteOld,
				OnGrantsRead: func(n int) { prog.showWhat(n, "grants read") }, ConfirmUnverified: c.confirmUnverified(&f, data, "a new "+string(data.CredentialType())+" credential would take its place", "Go on with the rotation")})
			prog.clear()
			if refused := flowRefusal(err); refused != nil {
				return refused
			}
			c.sayOrigins(in, err)
			var rerr *admin.RotationError
			var verr *wrapper.ValidationError
			var steps []string
			switch {
			case errors.As(err, &rerr):
				steps = rerr.StepsDone
			case err == nil:
				steps = res.Steps
			}
			for _, step := range steps {
				c.say("done: %s", oneLine(cliWords(step)))
			}
			switch {
			case rerr != nil && !errors.As(err, &verr):
				// The step's failure, then what is in effect and what to run.
				return callFailure(err, "rotate: "+rerr.Step+" failed: "+k.errorLine(cmd.Name(), rerr.Err)+"; "+cliWords(rerr.Outcome()))
			case err != nil:
				return k.fail(cmd, err)
			}
			out := map[string]any{"old": asJSON(*res.Old), "new": asJSON(*res.New), "created": res.Created, "activated": res.Activated, "deleted": res.Deleted}
			if res.Kept != nil {
				out["kept"] = cliWords(res.Kept.Error())
			}
			return k.out.object(out, fmt.Sprintf("old:        %s\nnew:        %s\nactivated:  %t\ndeleted:    %t\n",
				oneLine(res.Old.ID), oneLine(res.New.ID), res.Activated, res.Deleted))
		})
	c.idFlag(cmd, &f)
	cmd.Flags().StringVar(&f.name, "name", "", "the new credential's `NAME` (default: \"<old name> (rotated DATE)\")")
	cmd.Flags().BoolVar(&deleteOld, "delete-old", false, "then delete the old credential if no grant names it")
	cmd.Flags().BoolVar(&f.yes, "yes", false, "go on without asking when the server does not report the old credential's flow")
	f.data.register(cmd)
	f.addOutput(cmd, "result")
	return cmd
}

// delete retires a credential: refused for the connector's active one, and
// while grants name it unless --allow-grants (checks that only read, made
// first); then confirmed on a terminal, or by --yes.
func (c *cli) delete(cmd *cobra.Command, f *apiFlags) error {
	k, err := c.prepare(cmd, f, &inputs{}, idProblems(f))
	if err != nil {
		return err
	}
	prog := &progress{c: c, on: c.stderrIsTerminal}
	err = admin.Retire(c.ctx, k.client, k.provider, f.id, &admin.RetireOptions{
		AllowGrants:  f.allowGrants,
		OnGrantsRead: func(n int) { prog.showWhat(n, "grants read") },
		Confirm: func(cred *wrapper.Credential, grants int) error {
			prog.clear()
			what := fmt.Sprintf("delete %s credential %q (%s, created %s)", k.provider, oneLine(cred.Name), oneLine(cred.ID), cred.CreatedAt.Format(time.RFC3339))
			if grants > 0 {
				what += fmt.Sprintf("; %d grant(s) name it and stop working at once", grants)
			}
			switch {
			case f.yes:
				return nil
			case !c.stdinIsTerminal:
				return &exitError{code: exitUsage, lines: []string{what + ": confirm it on a terminal, or pass --yes"}}
			case !c.confirmed(what):
				return &exitError{code: exitUsage, lines: []string{"not confirmed; nothing was deleted"}}
			}
			return nil
		}})
	prog.clear()
	var inUse *admin.CredentialInUseError
	var refused *exitError // by Confirm, as it returned it
	switch {
	case errors.As(err, &inUse) && inUse.Active:
		return &exitError{code: exitUsage, lines: []string{cliWords(err.Error()) + "; see nylascreds rotate and activate"}}
	case errors.As(err, &inUse):
		return &exitError{code: exitUsage, lines: []string{cliWords(err.Error()) + "; list them with nylascreds grants --credential-id, or pass --allow-grants"}}
	case errors.As(err, &refused):
		return refused
	case err != nil:
		return k.fail(cmd, err)
	}
	c.say("deleted %s credential %s", k.provider, oneLine(f.id))
	return nil
}

// confirmed asks question on the terminal, as "question? [y/N] ", and
// reports whether the answer was "y" or "yes".
func (c *cli) confirmed(question string) bool {
	_, _ = fmt.Fprintf(c.stderr, "%s? [y/N] ", question)
	answer, _ := bufio.NewReader(c.stdin).ReadString('\n')
	a := strings.ToLower(strings.TrimSpace(answer))
	return a == "y" || a == "yes"
}
