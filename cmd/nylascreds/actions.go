package main

import (
	"errors"
	"fmt"
	"iter"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/nylascreds/nylascreds/wrapper"
)

// call is what a command needs once its input has been checked.
type call struct {
	client    *wrapper.Client
	provider  wrapper.Provider
	region    wrapper.Region
	viaRegion bool // the base URL came from the region, not --base-url
	out       *printer
}

// prepare checks the common input of an API command and builds the client.
// The problems found so far (presence, data flags) come in; every problem
// is reported at once, before any network I/O.
func (c *cli) prepare(cmd *cobra.Command, f *apiFlags, in *inputs, problems []string) (*call, error) {
	if f.provider == "" {
		problems = append([]string{"--provider is required (" + providerList() + ")"}, problems...)
	}
	client, region, connProblems := f.conn.client(c, in)
	problems = append(problems, connProblems...)
	if len(problems) > 0 {
		return nil, usageErr(cmd, problems...)
	}
	return &call{
		client: client, provider: wrapper.Provider(f.provider), region: region, viaRegion: f.conn.baseURL == "",
		out: &printer{w: c.stdout, format: f.output.value},
	}, nil
}

// fail turns a call's error into the command's end: a validation error
// (nothing was sent) exits 2 with every problem; anything else exits 1 with
// one line.
func (k *call) fail(cmd *cobra.Command, err error) error {
	var verr *wrapper.ValidationError
	if errors.As(err, &verr) {
		problems := make([]string, 0, len(verr.Problems))
		for _, p := range verr.Problems {
			problems = append(problems, describeProblem(p))
		}
		return usageErr(cmd, problems...)
	}
	return failure(errorLine(cmd.Name(), err, k.region, k.viaRegion))
}

// done prints one credential, or fails.
func (k *call) done(cmd *cobra.Command, cred *wrapper.Credential, err error) error {
	if err != nil {
		return k.fail(cmd, err)
	}
	k.out.one(cred)
	return k.out.writeErr()
}

// checkProblems renders the problems of wrapper.CheckCreate/CheckUpdate.
func checkProblems(err error) []string {
	var verr *wrapper.ValidationError
	if !errors.As(err, &verr) {
		if err != nil {
			return []string{cliWords(err.Error())}
		}
		return nil
	}
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
	req := wrapper.CreateRequest{Name: f.name, Data: data}
	if p := checkProblems(wrapper.CheckCreate(k.provider, req)); len(p) > 0 {
		return usageErr(cmd, p...)
	}
	cred, err := k.client.Create(c.ctx, k.provider, req)
	return k.done(cmd, cred, err)
}

func (c *cli) update(cmd *cobra.Command, f *apiFlags) error {
	var problems []string
	if f.id == "" {
		problems = append(problems, "--id is required")
	}
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
	if p := checkProblems(wrapper.CheckUpdate(k.provider, f.id, req)); len(p) > 0 {
		return usageErr(cmd, p...)
	}
	cred, err := k.client.Update(c.ctx, k.provider, f.id, req)
	return k.done(cmd, cred, err)
}

func (c *cli) get(cmd *cobra.Command, f *apiFlags) error {
	var problems []string
	if f.id == "" {
		problems = append(problems, "--id is required")
	}
	k, err := c.prepare(cmd, f, &inputs{}, problems)
	if err != nil {
		return err
	}
	cred, err := k.client.Get(c.ctx, k.provider, f.id)
	return k.done(cmd, cred, err)
}

func (c *cli) delete(cmd *cobra.Command, f *apiFlags) error {
	var problems []string
	if f.id == "" {
		problems = append(problems, "--id is required")
	}
	k, err := c.prepare(cmd, f, &inputs{}, problems)
	if err != nil {
		return err
	}
	if err := k.client.Delete(c.ctx, k.provider, f.id); err != nil {
		return k.fail(cmd, err)
	}
	c.say("deleted %s credential %s", k.provider, oneLine(f.id))
	return nil
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
		if next, more := nextPage(page); more {
			if k.out.format == formatTable {
				k.out.write([]byte("next page: --offset "+strconv.Itoa(next)+"\n"), nil, "")
			} else {
				c.say("next page: --offset %d", next)
			}
		}
		return k.out.writeErr()
	}

	prog := &progress{c: c, on: c.stderrIsTerminal}
	resume, fetched := opts.Offset, 0
	for page, err := range pages(c, k.client, k.provider, opts) {
		if err != nil {
			prog.clear()
			line := errorLine("list", err, k.region, k.viaRegion)
			if errors.Is(err, wrapper.ErrPaginationStalled) {
				line = "the server returned a full page with no new credential, so the walk stopped (it would never end)"
			}
			if fetched == 0 {
				return k.fail(cmd, err)
			}
			k.out.end()
			return failure(fmt.Sprintf("%s: %d credentials printed; resume with --offset %d", line, k.out.count, resume))
		}
		fetched++
		for _, cred := range page.creds {
			k.out.add(cred)
		}
		if k.out.err != nil {
			break
		}
		resume = page.next
		if page.more {
			prog.show(k.out.count)
		}
	}
	prog.clear()
	k.out.end()
	return k.out.writeErr()
}

// nextPage is the offset of the page after page, and whether one may exist
// (the page was full).
func nextPage(page *wrapper.Page) (int, bool) {
	limit := page.Limit
	if limit == 0 {
		limit = 10 // the server's default page size
	}
	n := len(page.Credentials)
	return page.Offset + n, n > 0 && n >= limit
}

// listPage is one page of a walk: the credentials not seen before, the
// offset to resume from, and whether another page may exist.
type listPage struct {
	creds []wrapper.Credential
	next  int
	more  bool
}

// pages walks the list page by page from opts.Offset, as wrapper.All does:
// pages of opts.Limit (wrapper.DefaultPageSize when 0), credentials already
// seen dropped, a full page with nothing new ending the walk with
// wrapper.ErrPaginationStalled.
func pages(c *cli, client *wrapper.Client, provider wrapper.Provider, opts *wrapper.ListOptions) iter.Seq2[*listPage, error] {
	return func(yield func(*listPage, error) bool) {
		o := *opts
		if o.Limit == 0 {
			o.Limit = wrapper.DefaultPageSize
		}
		seen := make(map[string]struct{})
		for {
			page, err := client.List(c.ctx, provider, &o)
			if err != nil {
				yield(nil, err)
				return
			}
			lp := &listPage{}
			for _, cred := range page.Credentials {
				if _, dup := seen[cred.ID]; !dup {
					seen[cred.ID] = struct{}{}
					lp.creds = append(lp.creds, cred)
				}
			}
			page.Offset = o.Offset
			lp.next, lp.more = nextPage(page)
			if !yield(lp, nil) || !lp.more {
				return
			}
			if len(lp.creds) == 0 {
				yield(nil, wrapper.ErrPaginationStalled)
				return
			}
			o.Offset = lp.next
		}
	}
}

// progress shows, on a terminal only, how far a long walk has come.
type progress struct {
	c     *cli
	on    bool
	shown bool
}

func (p *progress) show(count int) {
	if !p.on {
		return
	}
	p.shown = true
	_, _ = fmt.Fprintf(p.c.stderr, "\r\x1b[Klisting: %d credentials so far…", count)
}

func (p *progress) clear() {
	if p.shown {
		p.shown = false
		_, _ = fmt.Fprint(p.c.stderr, "\r\x1b[K")
	}
}
