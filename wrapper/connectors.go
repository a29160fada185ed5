package wrapper

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"time"

	"github.com/nylascreds/nylascreds/gen"
)

// Connector is a provider's connector: which credential it uses by default.
// Its settings (they may hold provider secrets) are neither surfaced nor sent.
type Connector struct {
	Provider           Provider `json:"provider"`
	Name               string   `json:"name"`
	ActiveCredentialID string   `json:"active_credential_id,omitempty"` // the default credential
	Scope              []string `json:"scope,omitempty"`
}

// GetConnector reads provider's connector.
func (c *Client) GetConnector(ctx context.Context, provider Provider, opts ...Option) (*Connector, error) {
	cfg, err := c.targetConfig("get connector", provider, opts)
	if err != nil {
		return nil, err
	}
	return c.connectorCall(ctx, cfg, func(server string) (*http.Request, error) {
		return gen.NewGetConnectorRequest(server, gen.Provider(provider))
	})
}

// SetActiveCredential makes credential id provider's default, which grants
// without a credential of their own follow. Its PATCH sends
// active_credential_id alone: settings or scope sent would replace the
// stored ones whole.
func (c *Client) SetActiveCredential(ctx context.Context, provider Provider, id string, opts ...Option) (*Connector, error) {
	cfg, err := c.targetConfig("set active credential", provider, opts, id)
	if err != nil {
		return nil, err
	}
	return c.connectorCall(ctx, cfg, func(server string) (*http.Request, error) {
		return gen.NewUpdateConnectorRequest(server, gen.Provider(provider), gen.UpdateConnectorRequest{ActiveCredentialId: &id})
	})
}

func (c *Client) connectorCall(ctx context.Context, cfg *config, build func(string) (*http.Request, error)) (*Connector, error) {
	var conn *Connector
	err := c.do(ctx, cfg, call{build: build, decode: func(_ int, body []byte) (string, error) {
		var env gen.ConnectorEnvelope
		if err := json.Unmarshal(body, &env); err != nil || env.Data.Provider == "" {
			return env.RequestId, fmt.Errorf("%w: no connector", errNotJSON)
		}
		d, sc := env.Data, c.keyScrub()
		conn = &Connector{Provider: Provider(sc.text(d.Provider, maxIDText)), Name: sc.replace(d.Name),
			ActiveCredentialID: sc.replace(d.ActiveCredentialId), Scope: d.Scope}
		return env.RequestId, nil
	}})
	return conn, err
}

// Grant is a user's grant, with what an administrator needs to decide
// whether a credential can go. CredentialID is "" when the grant follows the
// connector's active credential.
type Grant struct {
	ID           string    `json:"id"`
	Email        string    `json:"email,omitempty"`
	Provider     Provider  `json:"provider"`
	Status       string    `json:"grant_status,omitempty"` // "valid" or "invalid"
	CredentialID string    `json:"credential_id,omitempty"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at,omitzero"`
}

// DefaultGrantPageSize is a grants walk's page: an organisation has tens of
// thousands.
const DefaultGrantPageSize = 200

// Grants walks provider's grants, DefaultGrantPageSize a page, under the
// rules of All (ListOptions.MaxPages; a grant the previous page held is
// yielded once), but ends on an empty page, not a short one: a server that
// caps pages silently cannot hide grants. Memory stays that of one page. An
// error is yielded once, last. onPage, when not nil, is told after each page
// of grants how many distinct grants have been yielded (for progress).
func (c *Client) Grants(ctx context.Context, provider Provider, o *ListOptions, onPage func(read int), opts ...Option) iter.Seq2[Grant, error] {
	return func(yield func(Grant, error) bool) {
		lo, cfg, err := c.listConfig(provider, o, opts, DefaultGrantPageSize)
		if err != nil {
			yield(Grant{}, err)
			return
		}
		read := 0
		walk(lo, func(lo ListOptions) ([]Grant, []string, bool, int, error) {
			grants, next, err := c.grantPage(ctx, cfg, provider, lo)
			ids := make([]string, len(grants))
			for i, g := range grants {
				ids[i] = g.ID
			}
			return grants, ids, len(grants) > 0, next, err
		}, func(grants []Grant, previous map[string]bool, err error) bool {
			if err != nil {
				return yield(Grant{}, err)
			}
			for _, g := range grants {
				if previous[g.ID] {
					continue
				}
				if read++; !yield(g, nil) {
					return false
				}
			}
			if onPage != nil && len(grants) > 0 {
				onPage(read)
			}
			return true
		})
	}
}

func (c *Client) grantPage(ctx context.Context, cfg *config, provider Provider, o ListOptions) ([]Grant, int, error) {
	params := gen.ListGrantsParams{Limit: &o.Limit, Offset: &o.Offset, Provider: (*gen.Provider)(&provider)}
	if o.SortBy != "" {
		params.SortBy = (*gen.SortBy)(&o.SortBy)
	}
	if o.OrderBy != "" {
		params.OrderBy = (*gen.OrderBy)(&o.OrderBy)
	}
	var grants []Grant
	next := o.Offset
	err := c.do(ctx, cfg, call{
		build: func(server string) (*http.Request, error) { return gen.NewListGrantsRequest(server, &params) },
		decode: func(_ int, body []byte) (string, error) {
			var list gen.GrantList
			if err := json.Unmarshal(body, &list); err != nil || list.Data == nil {
				return list.RequestId, fmt.Errorf("%w: no data array", errNotJSON)
			}
			sc := c.keyScrub()
			for _, g := range list.Data {
				if g.Id == "" || g.CreatedAt == 0 {
					return list.RequestId, errors.New("a listed grant has no id or created_at")
				}
				grants = append(grants, Grant{ID: sc.replace(g.Id), Email: sc.replace(g.Email), Provider: Provider(sc.text(g.Provider, maxIDText)),
					Status: sc.text(g.GrantStatus, maxIDText), CredentialID: sc.replace(g.CredentialId),
					CreatedAt: time.Unix(g.CreatedAt, 0).UTC(), UpdatedAt: unixOrZero(g.UpdatedAt)})
			}
			next = max(list.Offset, o.Offset) + len(grants)
			return list.RequestId, nil
		},
	})
	return grants, next, err
}

func unixOrZero(s int64) time.Time {
	if s == 0 {
		return time.Time{}
	}
	return time.Unix(s, 0).UTC()
}
