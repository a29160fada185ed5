package tests

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"github.com/nylascreds/nylascreds/nylastest"
	"github.com/nylascreds/nylascreds/wrapper"
)

// pager serves a list of n credentials with limit/offset like Nylas. maxLimit
// caps the page (echoed in "limit"); ignoreOffset simulates a broken server.
type pager struct {
	n            int
	maxLimit     int
	ignoreOffset bool
	failAtOffset int // answer 500 at this offset (0: never)
}

func (p pager) handler(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, offset := 10, 0
	if v := q.Get("limit"); v != "" {
		limit, _ = strconv.Atoi(v)
	}
	if v := q.Get("offset"); v != "" && !p.ignoreOffset {
		offset, _ = strconv.Atoi(v)
	}
	if p.maxLimit > 0 && limit > p.maxLimit {
		limit = p.maxLimit
	}
	w.Header().Set("Content-Type", "application/json")
	if p.failAtOffset > 0 && offset == p.failAtOffset {
		w.WriteHeader(500)
		_, _ = w.Write([]byte(`{"request_id":"req-fail","error":{"type":"api.internal_error","message":"boom"}}`))
		return
	}
	type cred struct {
		ID        string `json:"id"`
		Name      string `json:"name"`
		CreatedAt int64  `json:"created_at"`
		UpdatedAt int64  `json:"updated_at"`
	}
	data := []cred{}
	for i := offset; i < offset+limit && i < p.n; i++ {
		data = append(data, cred{ID: fmt.Sprintf("cred-%04d", i), Name: fmt.Sprintf("name-%d", i), CreatedAt: 1700000000 + int64(i), UpdatedAt: 1700000000 + int64(i)})
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"request_id": "req-page", "data": data, "limit": limit, "offset": offset})
}

func walk(t *testing.T, c *wrapper.Client, opts *wrapper.ListOptions, stopAfter int) ([]string, error) {
	t.Helper()
	var ids []string
	for cred, err := range c.All(context.Background(), wrapper.ProviderGoogle, opts) {
		if err != nil {
			return ids, err
		}
		ids = append(ids, cred.ID)
		if stopAfter > 0 && len(ids) == stopAfter {
			break
		}
	}
	return ids, nil
}

func TestAllWalksEveryPage(t *testing.T) {
	cases := []struct {
		name        string
		pager       pager
		opts        *wrapper.ListOptions
		stopAfter   int
		wantIDs     int
		wantFirst   string
		wantOffsets []string
		wantErr     error
		wantStatus  int
	}{
		{"short-last-page", pager{n: 25}, &wrapper.ListOptions{Limit: 10}, 0, 25, "cred-0000", []string{"", "10", "20"}, nil, 0},
		{"exact-multiple-ends-on-empty-page", pager{n: 20}, &wrapper.ListOptions{Limit: 10}, 0, 20, "cred-0000", []string{"", "10", "20"}, nil, 0},
		{"default-page-size", pager{n: 150}, nil, 0, 150, "cred-0000", []string{"", "100"}, nil, 0},
		{"server-caps-limit", pager{n: 12, maxLimit: 5}, &wrapper.ListOptions{Limit: 10}, 0, 12, "cred-0000", []string{"", "5", "10"}, nil, 0},
		{"start-offset", pager{n: 25}, &wrapper.ListOptions{Limit: 10, Offset: 20}, 0, 5, "cred-0020", []string{"20"}, nil, 0},
		{"server-ignores-offset", pager{n: 50, ignoreOffset: true}, &wrapper.ListOptions{Limit: 10}, 0, 10, "cred-0000", []string{"", "10"}, wrapper.ErrPaginationStalled, 0},
		{"error-mid-walk", pager{n: 50, failAtOffset: 20}, &wrapper.ListOptions{Limit: 10}, 0, 20, "cred-0000", []string{"", "10", "20"}, nil, 500},
		{"caller-stops-early", pager{n: 50}, &wrapper.ListOptions{Limit: 10}, 15, 15, "cred-0000", []string{"", "10"}, nil, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFake(t, nylastest.Fault{Handler: tc.pager.handler, Times: math.MaxInt})
			c := newClient(t, f, wrapper.WithRetries(0))
			ids, err := walk(t, c, tc.opts, tc.stopAfter)
			switch {
			case tc.wantErr != nil:
				if !errors.Is(err, tc.wantErr) {
					t.Errorf("err = %v, want %v", err, tc.wantErr)
				}
			case tc.wantStatus != 0:
				var apiErr *wrapper.APIError
				if !errors.As(err, &apiErr) || apiErr.StatusCode != tc.wantStatus {
					t.Errorf("err = %v, want status %d", err, tc.wantStatus)
				}
			case err != nil:
				t.Errorf("err = %v", err)
			}
			if len(ids) != tc.wantIDs || (len(ids) > 0 && ids[0] != tc.wantFirst) {
				t.Errorf("walked %d ids starting %v, want %d starting %s", len(ids), ids[:min(len(ids), 1)], tc.wantIDs, tc.wantFirst)
			}
			seen := map[string]bool{}
			for _, id := range ids {
				if seen[id] {
					t.Errorf("id %s yielded twice", id)
				}
				seen[id] = true
			}
			var offsets []string
			for _, r := range f.Requests() {
				q, _ := url.ParseQuery(r.RawQuery)
				offsets = append(offsets, q.Get("offset"))
			}
			if fmt.Sprint(offsets) != fmt.Sprint(tc.wantOffsets) {
				t.Errorf("offsets requested = %q, want %q", offsets, tc.wantOffsets)
			}
		})
	}
}

// TestAllSkipsShiftedDuplicates: a credential created during the walk shifts
// the list; the one seen again on the next page is yielded once.
func TestAllSkipsShiftedDuplicates(t *testing.T) {
	t.Parallel()
	page := func(ids ...string) string {
		s := `{"request_id":"r","data":[`
		for i, id := range ids {
			if i > 0 {
				s += ","
			}
			s += `{"id":"` + id + `","name":"` + id + `","created_at":1,"updated_at":1}`
		}
		return s + `]}`
	}
	f := newFake(t, jsonReply(200, page("a", "b")), jsonReply(200, page("b", "c")), jsonReply(200, page("d")))
	c := newClient(t, f)
	ids, err := walk(t, c, &wrapper.ListOptions{Limit: 2}, 0)
	if err != nil || fmt.Sprint(ids) != "[a b c d]" {
		t.Errorf("ids = %v, err = %v; want [a b c d]", ids, err)
	}
}
