package wrapper

import (
	"context"
	"errors"
	"iter"

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

// ListOptions selects one page. Zero values leave the choice to the server
// (limit 10, offset 0, sorted by created_at, descending).
type ListOptions struct {
	Limit   int
	Offset  int
	SortBy  SortBy
	OrderBy OrderBy
}

// Page is one page of credentials.
type Page struct {
	Credentials []Credential
	// Limit and Offset are the values the server applied, as it echoed them
	// (the requested values when it did not).
	Limit     int
	Offset    int
	RequestID string
}

// DefaultPageSize is the page size All asks for when ListOptions.Limit is 0.
const DefaultPageSize = 100

// ErrPaginationStalled is returned by All when a full page brings no
// credential that the walk has not already seen: the server is ignoring the
// offset, and walking on would never end.
var ErrPaginationStalled = errors.New("nylascreds: list: a full page brought no new credentials; the server is not advancing")

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
}

// List returns one page of provider's credentials. opts may be nil.
func (c *Client) List(ctx context.Context, provider Provider, opts *ListOptions) (*Page, error) {
	var o ListOptions
	if opts != nil {
		o = *opts
	}
	var probs problems
	checkProvider(provider, &probs)
	checkListOptions(o, &probs)
	if err := probs.err("list"); err != nil {
		return nil, err
	}

	var params gen.ListCredentialsParams
	if o.Limit > 0 {
		params.Limit = &o.Limit
	}
	if o.Offset > 0 {
		params.Offset = &o.Offset
	}
	if o.SortBy != "" {
		s := gen.SortBy(o.SortBy)
		params.SortBy = &s
	}
	if o.OrderBy != "" {
		d := gen.OrderBy(o.OrderBy)
		params.OrderBy = &d
	}

	ctx, cancel, st := c.begin(ctx, nil)
	defer cancel()
	resp, err := st.result(c.api.ListCredentials(ctx, gen.Provider(provider), &params))
	if err != nil {
		return nil, err
	}
	parsed, err := gen.ParseListCredentialsResponse(resp)
	if err != nil {
		return nil, unusable(st, resp, err)
	}
	list := parsed.JSON200
	if list == nil {
		return nil, unusable(st, resp, errNotJSON)
	}
	page := &Page{
		Credentials: make([]Credential, 0, len(list.Data)),
		Limit:       o.Limit,
		Offset:      o.Offset,
		RequestID:   list.RequestId,
	}
	if list.Limit > 0 {
		page.Limit = list.Limit
	}
	if list.Offset > 0 {
		page.Offset = list.Offset
	}
	for _, g := range list.Data {
		if g.Id == "" {
			return nil, unusable(st, resp, errors.New("a listed credential has no id"))
		}
		page.Credentials = append(page.Credentials, credentialFromGen(g))
	}
	return page, nil
}

// All walks every credential of provider, page by page, starting at
// opts.Offset with pages of opts.Limit (DefaultPageSize when 0). The walk
// advances the offset by the number of credentials received and stops after
// a short or empty page. A credential seen twice (the list shifted under the
// walk) is yielded once; a full page with nothing new ends the walk with
// ErrPaginationStalled. An error is yielded once, as the last value.
func (c *Client) All(ctx context.Context, provider Provider, opts *ListOptions) iter.Seq2[Credential, error] {
	return func(yield func(Credential, error) bool) {
		o := ListOptions{}
		if opts != nil {
			o = *opts
		}
		if o.Limit == 0 {
			o.Limit = DefaultPageSize
		}
		seen := make(map[string]struct{})
		for {
			page, err := c.List(ctx, provider, &o)
			if err != nil {
				yield(Credential{}, err)
				return
			}
			fresh := 0
			for _, cred := range page.Credentials {
				if _, dup := seen[cred.ID]; dup {
					continue
				}
				seen[cred.ID] = struct{}{}
				fresh++
				if !yield(cred, nil) {
					return
				}
			}
			limit := o.Limit
			if page.Limit > 0 {
				limit = page.Limit
			}
			if len(page.Credentials) == 0 || len(page.Credentials) < limit {
				return
			}
			if fresh == 0 {
				yield(Credential{}, ErrPaginationStalled)
				return
			}
			o.Offset += len(page.Credentials)
		}
	}
}
