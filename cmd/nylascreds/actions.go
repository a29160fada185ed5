package main

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/nylascreds/nylascreds/wrapper"
)

// call is what a command needs once its input has been checked.
type call struct {
	client    *wrapper.Client
	provider  wrapper.Provider
	region    wrapper.Region
	baseFrom  string // what gave the base URL: --base-url, $NYLAS_API_URI, or "" for the region
	keyOrigin string // where the API key was read from
	out       *printer
}

// prepare checks the common input of an API command and builds the client.
// The problems found so far (presence, data flags) come in; every problem
// is reported at once, before any network I/O.
func (c *cli) prepare(cmd *cobra.Command, f *apiFlags, in *inputs, problems []string) (*call, error) {
	if f.provider == "" {
		problems = append([]string{"--provider is required (" + providerList() + ")"}, problems...)
	}
	client, region, baseFrom, connProblems := f.conn.client(c, in)
	problems = append(problems, connProblems...)
	if len(problems) > 0 {
		return nil, usageErr(cmd, problems...)
	}
	format := f.output.value
	if format == "" {
		format = formatJSON
		if c.stdoutIsTerminal {
			format = formatTable
		}
	}
	return &call{
		client: client, provider: wrapper.Provider(strings.ToLower(f.provider)), region: region, baseFrom: baseFrom,
		keyOrigin: in.origins[apiKey], out: &printer{w: c.stdout, format: format},
	}, nil
}

// fail turns a call's error into the command's end: a validation error
// (nothing was sent) exits 2 with every problem; anything else exits 1 with
// one line.
func (k *call) fail(cmd *cobra.Command, err error) error {
	// Create and Update check their input before any I/O; what they refuse
	// is a usage error, in the flags' words.
	var verr *wrapper.ValidationError
	if errors.As(err, &verr) {
		return usageErr(cmd, validationProblems(verr)...)
	}
	return callFailure(err, k.errorLine(cmd.Name(), err))
}

// errorLine is the error line of a failed call; after a 401 it says where
// the API key was read from.
func (k *call) errorLine(cmd string, err error) string {
	line := errorLine(cmd, err, k.region, k.baseFrom)
	if wrapper.IsUnauthorized(err) {
		line += " (the API key was read from " + k.keyOrigin + ")"
	}
	return line
}

// done prints one credential, or fails.
func (k *call) done(cmd *cobra.Command, cred *wrapper.Credential, err error) error {
	if err != nil {
		return k.fail(cmd, err)
	}
	k.out.one(cred)
	return k.out.writeErr()
}

// validationProblems renders the problems the wrapper found in a request.
func validationProblems(verr *wrapper.ValidationError) []string {
	problems := make([]string, 0, len(verr.Problems))
	for _, p := range verr.Problems {
		problems = append(problems, describeProblem(p))
	}
	return problems
}

func (c *cli) create(cmd *cobra.Command, f *apiFlags) error {
	var problems []string
	if f.name == "" {
		problems = append(problems, "--name is required")
	}
	in := &inputs{}
	data, dataProblems := f.data.build(c, in, true)
	problems = append(problems, dataProblems...)
	k, err := c.prepare(cmd, f, in, problems)
	if err != nil {
		return err
	}
	cred, err := k.client.Create(c.ctx, k.provider, wrapper.CreateRequest{Name: f.name, Data: data})
	c.sayOrigins(in, err)
	return k.done(cmd, cred, err)
}

func (c *cli) update(cmd *cobra.Command, f *apiFlags) error {
	problems := idProblems(f)
	if f.name == "" && !f.data.given() {
		problems = append(problems, "nothing to update: give --name, or --type with its data flags, or both")
	}
	in := &inputs{}
	data, dataProblems := f.data.build(c, in, false)
	problems = append(problems, dataProblems...)
	k, err := c.prepare(cmd, f, in, problems)
	if err != nil {
		return err
	}
	req := wrapper.UpdateRequest{Name: f.name, Data: data}
	if data != nil {
		req.ConfirmUnverified = c.confirmUnverified(f, data, string(data.CredentialType())+" data would replace whatever it stores", "Send the update")
	}
	cred, err := k.client.Update(c.ctx, k.provider, f.id, req)
	if refused := flowRefusal(err); refused != nil {
		return refused
	}
	c.sayOrigins(in, err)
	return k.done(cmd, cred, err)
}

// flowRefusal is the end of an update or a rotation refused by the flow
// check (exit 2: nothing was sent), or nil.
func flowRefusal(err error) error {
	var mismatch *wrapper.FlowMismatchError
	var unverified *wrapper.FlowUnverifiedError
	switch {
	case errors.As(err, &mismatch):
		return &exitError{code: exitUsage, lines: []string{fmt.Sprintf(
			"--type %s: credential %s is stored as %s, and a credential's flow cannot change, so nothing was sent; to switch flows, create a new %s credential, make it the connector's active credential, then delete this one",
			mismatch.Sent, oneLine(mismatch.ID), oneLine(string(mismatch.Stored)), mismatch.Sent)}}
	case errors.As(err, &unverified):
		return &exitError{code: exitUsage, lines: []string{unverified.Err.Error()}}
	}
	return nil
}

// confirmUnverified decides an update or a rotation whose stored flow the
// server does not report, before anything is sent: --yes sends it; on a
// terminal the user is shown the credential and what would happen to it
// (effect), and asked question; otherwise it is refused.
func (c *cli) confirmUnverified(f *apiFlags, data wrapper.CredentialData, effect, question string) func(*wrapper.Credential) error {
	return func(stored *wrapper.Credential) error {
		what := fmt.Sprintf("credential %q (created %s) may hold data of another flow than --type %s: the server does not report its flow, and %s",
			oneLine(stored.Name), stored.CreatedAt.Format(time.RFC3339), data.CredentialType(), effect)
		switch {
		case f.yes:
			c.say("warning: %s; sending because of --yes", what)
			return nil
		case !c.stdinIsTerminal:
			return fmt.Errorf("%s; nothing was sent: check the credential, then pass --yes", what)
		}
		c.say("%s.", what)
		if !c.confirmed(question) {
			return errors.New("not confirmed; nothing was sent")
		}
		return nil
	}
}

// idProblems starts the problem list of a command that names a credential.
func idProblems(f *apiFlags) []string {
	if f.id == "" {
		return []string{"--id is required"}
	}
	return nil
}

func (c *cli) get(cmd *cobra.Command, f *apiFlags) error {
	k, err := c.prepare(cmd, f, &inputs{}, idProblems(f))
	if err != nil {
		return err
	}
	cred, err := k.client.Get(c.ctx, k.provider, f.id)
	return k.done(cmd, cred, err)
}

func (c *cli) list(cmd *cobra.Command, f *apiFlags) error {
	k, err := c.prepare(cmd, f, &inputs{}, nil)
	if err != nil {
		return err
	}
	opts := &wrapper.ListOptions{Limit: f.limit.n, Offset: f.offset.n, SortBy: wrapper.SortBy(f.sortBy.value), OrderBy: wrapper.OrderBy(f.orderBy.value)}
	if !f.all {
		page, err := k.client.List(c.ctx, k.provider, opts)
		if err != nil {
			return k.fail(cmd, err)
		}
		for _, cred := range page.Credentials {
			k.out.add(cred)
		}
		k.out.end()
		if page.More {
			if k.out.format == formatTable {
				k.out.write([]byte("next page: --offset "+strconv.Itoa(page.NextOffset)+"\n"), nil, "")
			} else {
				c.say("next page: --offset %d", page.NextOffset)
			}
		}
		return k.out.writeErr()
	}

	prog := &progress{c: c, on: c.stderrIsTerminal}
	resume, fetched := opts.Offset, 0
	var previous map[string]struct{} // the previous page's ids: a shifted list repeats some
	for page, err := range k.client.Pages(c.ctx, k.provider, opts) {
		if err != nil {
			prog.clear()
			if fetched == 0 {
				return k.fail(cmd, err)
			}
			line := k.errorLine("list", err)
			switch {
			case errors.Is(err, wrapper.ErrPaginationStalled):
				line = "the server sent a full page with no new credential, so the walk stopped (it would never end)"
			case errors.Is(err, wrapper.ErrTooManyPages):
				line = fmt.Sprintf("the walk stopped after %d pages, its limit", wrapper.DefaultMaxPages)
			}
			k.out.end()
			return callFailure(err, fmt.Sprintf("%s: %d credentials printed; resume with --offset %d", line, k.out.count, resume))
		}
		fetched++
		prog.clear() // stdout may be the same terminal: rows never follow the progress text
		ids := make(map[string]struct{}, len(page.Credentials))
		for _, cred := range page.Credentials {
			ids[cred.ID] = struct{}{}
			if _, dup := previous[cred.ID]; !dup {
				k.out.add(cred)
			}
		}
		previous = ids
		if k.out.err != nil {
			break
		}
		resume = page.NextOffset
		if page.More {
			prog.show(k.out.count)
		}
	}
	prog.clear()
	k.out.end()
	return k.out.writeErr()
}

// progress shows, on a terminal only, how far a long walk has come. It
// writes no escape sequence, only carriage returns and spaces, so it needs
// nothing of the terminal (TERM=dumb included) and has no colour for
// NO_COLOR to turn off.
type progress struct {
	c     *cli
	on    bool
	shown int // the width of the text shown, 0 for none
}

func (p *progress) show(count int) { p.showWhat(count, "credentials so far") }

// showWhat draws "listing: N what" over the previous progress line.
func (p *progress) showWhat(count int, what string) {
	if !p.on {
		return
	}
	p.clear()
	text := fmt.Sprintf("listing: %d %s…", count, what)
	p.shown = utf8.RuneCountInString(text)
	_, _ = fmt.Fprint(p.c.stderr, "\r"+text)
}

func (p *progress) clear() {
	if p.shown > 0 {
		_, _ = fmt.Fprint(p.c.stderr, "\r"+strings.Repeat(" ", p.shown)+"\r")
		p.shown = 0
	}
}
