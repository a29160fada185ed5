package wrapper

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"net/http"

	"github.com/nylascreds/nylascreds/gen"
)

// SortBy is the field a list is sorted on; OrderBy its direction.
type (
	SortBy  string
	OrderBy string
)

// Sort fields and directions the API accepts.
const (
	SortByCreatedAt = SortBy(gen.SortByCreatedAt)
	SortByUpdatedAt = SortBy(gen.SortByUpdatedAt)
	OrderAsc        = OrderBy(gen.OrderByAsc)
	OrderDesc       = OrderBy(gen.OrderByDesc)
)

// ListOptions selects one page (List) or where a walk starts (Pages, All,
// Grants). Zero values leave the choice to the server (limit 10, offset 0,
// sorted by created_at, descending); a walk's limit is its page size.
type ListOptions struct {
	Limit, Offset int
	SortBy        SortBy
	OrderBy       OrderBy
	MaxPages      int // a walk's bound (0: DefaultMaxPages); List ignores it
}

// Page is one page of credentials.
type Page struct {
	Credentials   []Credential
	Limit, Offset int // as the server echoed them, else as requested
	RequestID     string
	NextOffset    int  // where the page after this one starts
	More          bool // the page was full, so another may follow (no cursor tells for sure)
}

// A walk's page size, and its bound against a server that never stops
// sending full pages.
const (
	DefaultPageSize = 100
	DefaultMaxPages = 1000
)

// ErrPaginationStalled ends a walk when a full page brings nothing the
// previous page did not hold: the server is ignoring the offset.
var ErrPaginationStalled = errors.New("nylascreds: a page brought nothing new; the server is not advancing")

// ErrTooManyPages ends a walk past ListOptions.MaxPages; the error that wraps
// it names the offset to resume from.
var ErrTooManyPages = errors.New("nylascreds: too many pages")

// List returns one page of provider's credentials. o may be nil.
func (c *Client) List(ctx context.Context, provider Provider, o *ListOptions, opts ...Option) (*Page, error) {
	lo, cfg, err := c.listConfig(provider, o, opts, 0)
	if err != nil {
		return nil, err
	}
	return c.list(ctx, cfg, provider, lo)
}

// listConfig checks a list's input; pageSize is a walk's default limit.
func (c *Client) listConfig(provider Provider, o *ListOptions, opts []Option, pageSize int) (ListOptions, *config, error) {
	cfg, optErr := c.callConfig(opts)
	var lo ListOptions
	if o != nil {
		lo = *o
	}
	if lo.Limit == 0 {
		lo.Limit = pageSize
	}
	var probs problems
	checkProvider(provider, &probs)
	if lo.Limit < 0 {
		probs.add("limit", "must not be negative (0 lets the server choose)")
	}
	if lo.Offset < 0 {
		probs.add("offset", "must not be negative")
	}
	if lo.SortBy != "" && !gen.SortBy(lo.SortBy).Valid() {
		probs.add("sort_by", "must be created_at or updated_at")
	}
	if lo.OrderBy != "" && !gen.OrderBy(lo.OrderBy).Valid() {
		probs.add("order_by", "must be asc or desc")
	}
	if lo.MaxPages < 0 {
		probs.add("max_pages", "must not be negative (0 means DefaultMaxPages)")
	}
	return lo, cfg, errors.Join(optErr, probs.err("list"))
}

func (c *Client) list(ctx context.Context, cfg *config, provider Provider, o ListOptions) (*Page, error) {
	var params gen.ListCredentialsParams
	if o.Limit > 0 {
		params.Limit = &o.Limit
	}
	if o.Offset > 0 {
		params.Offset = &o.Offset
	}
	if o.SortBy != "" {
		params.SortBy = (*gen.SortBy)(&o.SortBy)
	}
	if o.OrderBy != "" {
		params.OrderBy = (*gen.OrderBy)(&o.OrderBy)
	}
	page := &Page{Limit: o.Limit, Offset: o.Offset}
	err := c.do(ctx, cfg, call{
		build: func(server string) (*http.Request, error) {
			return gen.NewListCredentialsRequest(server, gen.Provider(provider), &params)
		},
		decode: func(_ int, body []byte) (string, error) {
			var list gen.CredentialList
			if err := json.Unmarshal(body, &list); err != nil || list.Data == nil { // {} is no empty page
				return list.RequestId, fmt.Errorf("%w: no data array", errNotJSON)
			}
			sc := c.keyScrub()
			page.RequestID = sc.text(list.RequestId, maxIDText)
			page.Limit, page.Offset = cmp.Or(list.Limit, page.Limit), cmp.Or(list.Offset, page.Offset)
			page.Credentials = make([]Credential, 0, len(list.Data))
			for _, g := range list.Data {
				cred, err := credentialFrom(g, sc)
				if err != nil {
					return list.RequestId, errors.New("a listed " + err.Error())
				}
				page.Credentials = append(page.Credentials, cred)
			}
			page.NextOffset = page.Offset + len(page.Credentials)
			page.More = len(page.Credentials) > 0 && (page.Limit <= 0 || len(page.Credentials) >= page.Limit)
			return list.RequestId, nil
		},
	})
	if err != nil {
		return nil, err
	}
	return page, nil
}

// Pages walks provider's credentials a page at a time: from o.Offset, pages
// of o.Limit (DefaultPageSize when 0), each starting at the previous page's
// NextOffset, until a page that is not full. A page that repeats credentials
// of the previous one (the list shifted under the walk) is yielded as sent; a
// full page with nothing new ends the walk with ErrPaginationStalled, and a
// page past o.MaxPages that holds any (it is read, not yielded) with
// ErrTooManyPages. An error is yielded once, last, with a nil page. Options
// are checked before the first request.
func (c *Client) Pages(ctx context.Context, provider Provider, o *ListOptions, opts ...Option) iter.Seq2[*Page, error] {
	return func(yield func(*Page, error) bool) {
		c.credentialPages(ctx, provider, o, opts, func(p *Page, _ map[string]bool, err error) bool { return yield(p, err) })
	}
}

// All walks every credential of provider as Pages does, one at a time; a
// credential the previous page held is yielded once. Memory stays that of one
// page. An error is yielded once, last.
func (c *Client) All(ctx context.Context, provider Provider, o *ListOptions, opts ...Option) iter.Seq2[Credential, error] {
	return func(yield func(Credential, error) bool) {
		c.credentialPages(ctx, provider, o, opts, func(p *Page, previous map[string]bool, err error) bool {
			if err != nil {
				return yield(Credential{}, err)
			}
			for _, cred := range p.Credentials {
				if !previous[cred.ID] && !yield(cred, nil) {
					return false
				}
			}
			return true
		})
	}
}

func (c *Client) credentialPages(ctx context.Context, provider Provider, o *ListOptions, opts []Option, yield func(*Page, map[string]bool, error) bool) {
	lo, cfg, err := c.listConfig(provider, o, opts, DefaultPageSize)
	if err != nil {
		yield(nil, nil, err)
		return
	}
	walk(lo, func(lo ListOptions) (*Page, []string, bool, int, error) {
		page, err := c.list(ctx, cfg, provider, lo)
		if err != nil {
			return nil, nil, false, 0, err
		}
		ids := make([]string, len(page.Credentials))
		for i, cred := range page.Credentials {
			ids[i] = cred.ID
		}
		return page, ids, page.More, page.NextOffset, nil
	}, yield)
}

// walk fetches pages from lo.Offset under the rules of Pages and hands each
// to yield with the set of ids of the page before it, until yield returns
// false. fetch returns a page, its ids, whether another may follow and where
// it starts. An error is handed once, last, with a zero page.
func walk[P any](lo ListOptions, fetch func(ListOptions) (P, []string, bool, int, error), yield func(P, map[string]bool, error) bool) {
	var zero P
	var previous map[string]bool
	for n, maxPages := 1, cmp.Or(lo.MaxPages, DefaultMaxPages); ; n++ {
		page, ids, more, next, err := fetch(lo)
		seen, fresh := make(map[string]bool, len(ids)), false
		for _, id := range ids {
			seen[id], fresh = true, fresh || !previous[id]
		}
		switch {
		case err != nil:
			yield(zero, nil, err)
			return
		case n > maxPages && len(ids) > 0:
			yield(zero, nil, fmt.Errorf("%w: stopped after %d pages; resume at offset %d, or raise ListOptions.MaxPages", ErrTooManyPages, maxPages, lo.Offset))
			return
		case more && !fresh:
			yield(zero, nil, ErrPaginationStalled)
			return
		case !yield(page, previous, nil) || !more:
			return
		}
		previous, lo.Offset = seen, next
	}
}
