package wrapper

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"net/http"

	"github.com/nylascreds/nylascreds/gen"
)

// SortBy is the field a list is sorted on.
type SortBy string

// OrderBy is a list's sort direction.
type OrderBy string

// Sort fields and directions the API accepts.
const (
	SortByCreatedAt = SortBy(gen.SortByCreatedAt)
	SortByUpdatedAt = SortBy(gen.SortByUpdatedAt)
	OrderAsc        = OrderBy(gen.OrderByAsc)
	OrderDesc       = OrderBy(gen.OrderByDesc)
)

// ListOptions selects one page (List) or where a walk starts (Pages, All).
// Zero values leave the choice to the server (limit 10, offset 0, sorted by
// created_at, descending).
type ListOptions struct {
	Limit   int
	Offset  int
	SortBy  SortBy
	OrderBy OrderBy
	// MaxPages bounds a walk (Pages, All): past it the walk ends with
	// ErrTooManyPages. 0 means DefaultMaxPages. List ignores it.
	MaxPages int
}

// Page is one page of credentials.
type Page struct {
	Credentials []Credential
	// Limit and Offset are the values the server applied, as it echoed them
	// (the requested values when it did not).
	Limit     int
	Offset    int
	RequestID string
	// NextOffset is the offset of the page after this one: where a walk
	// resumes.
	NextOffset int
	// More reports whether the page was full, so that another may follow.
	// The API has no cursor: only the next request can tell for sure.
	More bool
}

// DefaultPageSize is the page size Pages and All ask for when
// ListOptions.Limit is 0.
const DefaultPageSize = 100

// DefaultMaxPages bounds a walk when ListOptions.MaxPages is 0: 100,000
// credentials in pages of 100, far past any real connector, and an end to a
// server that never stops sending full pages.
const DefaultMaxPages = 1000

// ErrPaginationStalled is returned by Pages and All when a full page brings
// no credential that the previous page did not already hold: the server is
// ignoring the offset, and walking on would never end.
var ErrPaginationStalled = errors.New("nylascreds: list: a full page brought no new credentials; the server is not advancing")

// ErrTooManyPages ends a walk that reached ListOptions.MaxPages; the error
// that wraps it names the offset to resume from.
var ErrTooManyPages = errors.New("nylascreds: list: too many pages")

func checkListOptions(o ListOptions, probs *problems) {
	if o.Limit < 0 {
		probs.add("limit", "must not be negative (0 lets the server choose)")
	}
	if o.Offset < 0 {
		probs.add("offset", "must not be negative")
	}
	if o.SortBy != "" && !gen.SortBy(o.SortBy).Valid() {
		probs.add("sort_by", "must be created_at or updated_at")
	}
	if o.OrderBy != "" && !gen.OrderBy(o.OrderBy).Valid() {
		probs.add("order_by", "must be asc or desc")
	}
	if o.MaxPages < 0 {
		probs.add("max_pages", "must not be negative (0 means DefaultMaxPages)")
	}
}

// List returns one page of provider's credentials. o may be nil.
func (c *Client) List(ctx context.Context, provider Provider, o *ListOptions, opts ...Option) (*Page, error) {
	cfg, optErr := c.callConfig(opts)
	lo := ListOptions{}
	if o != nil {
		lo = *o
	}
	var probs problems
	checkProvider(provider, &probs)
	checkListOptions(lo, &probs)
	if err := errors.Join(optErr, probs.err("list")); err != nil {
		return nil, err
	}
	return c.list(ctx, cfg, provider, lo)
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
	var page *Page
	err := c.do(ctx, cfg, call{
		build: func(server string) (*http.Request, error) {
			return gen.NewListCredentialsRequest(server, gen.Provider(provider), &params)
		},
		decode: func(_ int, body []byte, sc scrubber) (string, error) {
			var list gen.CredentialList
			if err := json.Unmarshal(body, &list); err != nil {
				return "", fmt.Errorf("%w: %v", errNotJSON, err)
			}
			if list.Data == nil {
				// {} or {"data": null} is not an empty page: it is not a list.
				return list.RequestId, fmt.Errorf("%w: no data array", errNotJSON)
			}
			var err error
			page, err = pageFrom(&list, o, sc)
			return list.RequestId, err
		},
	})
	return page, err
}

func pageFrom(list *gen.CredentialList, o ListOptions, sc scrubber) (*Page, error) {
	page := &Page{
		Credentials: make([]Credential, 0, len(list.Data)),
		Limit:       o.Limit,
		Offset:      o.Offset,
		RequestID:   sc.text(list.RequestId, maxIDText),
	}
	if list.Limit > 0 {
		page.Limit = list.Limit
	}
	if list.Offset > 0 {
		page.Offset = list.Offset
	}
	for _, g := range list.Data {
		cred, err := credentialFrom(g, sc)
		if err != nil {
			return nil, errors.New("a listed " + err.Error())
		}
		page.Credentials = append(page.Credentials, cred)
	}
	page.NextOffset = page.Offset + len(page.Credentials)
	page.More = len(page.Credentials) > 0 && (page.Limit <= 0 || len(page.Credentials) >= page.Limit)
	return page, nil
}

// Pages walks provider's credentials one page at a time, starting at
// o.Offset with pages of o.Limit (DefaultPageSize when 0). Each page's
// NextOffset is where the next starts; the walk stops after a page that is
// not full. A page that repeats credentials of the previous one (the list
// shifted under the walk) is yielded as the server sent it; a full page that
// brings nothing new ends the walk with ErrPaginationStalled, and a walk
// past o.MaxPages with ErrTooManyPages. An error is yielded once, as the
// last value, with a nil page. Options are checked before the first request.
func (c *Client) Pages(ctx context.Context, provider Provider, o *ListOptions, opts ...Option) iter.Seq2[*Page, error] {
	return func(yield func(*Page, error) bool) {
		cfg, optErr := c.callConfig(opts)
		lo := ListOptions{}
		if o != nil {
			lo = *o
		}
		if lo.Limit == 0 {
			lo.Limit = DefaultPageSize
		}
		maxPages := lo.MaxPages
		if maxPages == 0 {
			maxPages = DefaultMaxPages
		}
		var probs problems
		checkProvider(provider, &probs)
		checkListOptions(lo, &probs)
		if err := errors.Join(optErr, probs.err("list")); err != nil {
			yield(nil, err)
			return
		}
		var previous map[string]struct{}
		for n := 1; ; n++ {
			if n > maxPages {
				yield(nil, fmt.Errorf("%w: stopped after %d pages; resume at offset %d, or raise ListOptions.MaxPages", ErrTooManyPages, maxPages, lo.Offset))
				return
			}
			page, err := c.list(ctx, cfg, provider, lo)
			if err != nil {
				yield(nil, err)
				return
			}
			ids := page.ids()
			fresh := 0
			for id := range ids {
				if _, dup := previous[id]; !dup {
					fresh++
				}
			}
			if page.More && fresh == 0 {
				yield(nil, ErrPaginationStalled)
				return
			}
			if !yield(page, nil) || !page.More {
				return
			}
			previous = ids
			lo.Offset = page.NextOffset
		}
	}
}

// All walks every credential of provider, as Pages does, one credential at
// a time. A credential that the previous page already held (the list
// shifted under the walk) is yielded once. Memory stays that of one page,
// whatever the number of credentials. An error is yielded once, as the last
// value.
func (c *Client) All(ctx context.Context, provider Provider, o *ListOptions, opts ...Option) iter.Seq2[Credential, error] {
	return func(yield func(Credential, error) bool) {
		var previous map[string]struct{}
		for page, err := range c.Pages(ctx, provider, o, opts...) {
			if err != nil {
				yield(Credential{}, err)
				return
			}
			for _, cred := range page.Credentials {
				if _, dup := previous[cred.ID]; dup {
					continue
				}
				if !yield(cred, nil) {
					return
				}
			}
			previous = page.ids()
		}
	}
}

// ids is the set of the page's credential ids: what the next page of a walk
// is compared with.
func (p *Page) ids() map[string]struct{} {
	ids := make(map[string]struct{}, len(p.Credentials))
	for _, cred := range p.Credentials {
		ids[cred.ID] = struct{}{}
	}
	return ids
}
