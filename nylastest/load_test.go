package nylastest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// loadClient is one client of the load test: raw HTTP, so that every
// status is seen as sent.
type loadClient struct {
	t    *testing.T
	ctx  context.Context
	hc   *http.Client
	base string
	key  string
}

type credView struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	CreatedAt int64  `json:"created_at"`
	UpdatedAt int64  `json:"updated_at"`
}

type loadReply struct {
	status int
	Data   json.RawMessage `json:"data"`
	Limit  int64           `json:"limit"`
	Offset int64           `json:"offset"`
}

// do sends one request; a 5xx, a transport error or an undecodable body is
// a failure of the fake.
func (c *loadClient) do(method, path, body string) (*loadReply, error) {
	req, err := http.NewRequestWithContext(c.ctx, method, c.base+path, strings.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.key)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("%s %s: reading: %w", method, path, err)
	}
	if resp.StatusCode >= 500 {
		return nil, fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, raw)
	}
	out := &loadReply{status: resp.StatusCode}
	if err := json.Unmarshal(raw, out); err != nil {
		return nil, fmt.Errorf("%s %s: %d %q: %w", method, path, resp.StatusCode, raw, err)
	}
	return out, nil
}

func (c *loadClient) expect(status int, method, path, body string) (*loadReply, error) {
	r, err := c.do(method, path, body)
	if err == nil && r.status != status {
		err = fmt.Errorf("%s %s: %d, want %d", method, path, r.status, status)
	}
	return r, err
}

// owned is what a client knows of a credential only it changes.
type owned struct {
	name      string
	data      string
	updatedAt int64
}

// sharedWrite is one acknowledged update of the credential every client
// changes.
type sharedWrite struct {
	updatedAt int64
	data      string
}

// TestMixedConcurrentLoad: eight clients do a mixed, random but seeded
// sequence of creates, updates, gets, lists and deletes against one fake,
// each on credentials of its own and all on one shared credential. No
// request may get a 5xx; every client's credentials end exactly as its last
// acknowledged write left them; the shared one ends as the write stamped
// last; every page is sorted, within its limit and free of duplicates; and,
// once quiet, the pages of every size tile the whole list exactly.
func TestMixedConcurrentLoad(t *testing.T) {
	t.Parallel()
	const workers, ops = 8, 100
	srv := newServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	tr := &http.Transport{MaxIdleConnsPerHost: workers}
	defer tr.CloseIdleConnections()
	client := func() *loadClient {
		return &loadClient{t: t, ctx: ctx, hc: &http.Client{Transport: tr}, base: srv.URL + "/v3/connectors/google/creds", key: srv.APIKey()}
	}

	setup := client()
	r, err := setup.expect(201, "POST", "", `{"name":"shared","credential_type":"connector","credential_data":{"client_id":"c","client_secret":"s0"}}`)
	if err != nil {
		t.Fatal(err)
	}
	var shared credView
	_ = json.Unmarshal(r.Data, &shared)

	var wg sync.WaitGroup
	mine := make([]map[string]*owned, workers)
	writes := make([][]sharedWrite, workers)
	errs := make(chan error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mine[w] = map[string]*owned{}
			err := loadWorker(client(), w, ops, shared.ID, mine[w], &writes[w])
			if err != nil && !errors.Is(err, context.Canceled) { // canceled: another client failed
				errs <- fmt.Errorf("client %d: %w", w, err)
				cancel()
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if t.Failed() {
		return
	}

	// No lost update: each credential holds its owner's last write.
	want := map[string]bool{shared.ID: true}
	for w := range workers {
		for id, o := range mine[w] {
			want[id] = true
			stored, _ := srv.StoredData("google", id)
			if string(stored) != o.data {
				t.Errorf("client %d, %s: stored %s, want its last write %s", w, id, stored, o.data)
			}
			r, err := setup.expect(200, "GET", "/"+id, "")
			var got credView
			if err == nil {
				err = json.Unmarshal(r.Data, &got)
			}
			if err != nil || got.Name != o.name || got.UpdatedAt != o.updatedAt {
				t.Errorf("client %d, %s: got %+v (%v), want name %q updated_at %d", w, id, got, err, o.name, o.updatedAt)
			}
		}
	}
	// The shared credential holds the write stamped last; no two writes
	// share a stamp (they were applied one at a time).
	var all []sharedWrite
	for w := range workers {
		all = append(all, writes[w]...)
	}
	slices.SortFunc(all, func(a, b sharedWrite) int { return int(a.updatedAt - b.updatedAt) })
	for i := 1; i < len(all); i++ {
		if all[i].updatedAt == all[i-1].updatedAt {
			t.Errorf("two writes of the shared credential stamped %d", all[i].updatedAt)
		}
	}
	if stored, _ := srv.StoredData("google", shared.ID); len(all) == 0 || string(stored) != all[len(all)-1].data {
		t.Errorf("shared credential: stored %s, want the last write of %d", stored, len(all))
	}
	if n := srv.Len("google"); n != len(want) {
		t.Errorf("the fake holds %d credentials, the clients %d", n, len(want))
	}

	// Quiet now: pages of every size, in every order, tile the list.
	for _, sortBy := range []string{"created_at", "updated_at"} {
		for _, order := range []string{"asc", "desc"} {
			var whole []credView
			for _, limit := range []int{3, 7, 50} {
				var walked []credView
				for offset := 0; ; offset += limit {
					page, err := listPage(setup, sortBy, order, limit, offset)
					if err != nil {
						t.Fatal(err)
					}
					walked = append(walked, page...)
					if len(page) < limit {
						break
					}
				}
				if err := checkPage(walked, len(want), sortBy, order); err != nil {
					t.Errorf("%s %s, limit %d: %v", sortBy, order, limit, err)
				}
				if whole == nil {
					whole = walked
				} else if !slices.Equal(walked, whole) {
					t.Errorf("%s %s: pages of %d differ from pages of 3", sortBy, order, limit)
				}
			}
			for _, c := range whole {
				if !want[c.ID] {
					t.Errorf("listed %s, which no client holds", c.ID)
				}
			}
		}
	}
	if len(srv.Violations()) > 0 {
		t.Errorf("off-spec responses: %v", srv.Violations())
	}
}

func loadWorker(c *loadClient, w, ops int, sharedID string, mine map[string]*owned, writes *[]sharedWrite) error {
	rng := rand.New(rand.NewPCG(uint64(w), 42))
	pick := func() (string, *owned) {
		ids := make([]string, 0, len(mine))
		for id := range mine {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		id := ids[rng.IntN(len(ids))]
		return id, mine[id]
	}
	for i := range ops {
		op := rng.IntN(100)
		if len(mine) == 0 {
			op = 0
		}
		switch {
		case op < 20: // create
			name := fmt.Sprintf("w%d-%d", w, i)
			data := fmt.Sprintf(`{"client_id":"c%d","client_secret":"s%d-%d"}`, w, w, i)
			r, err := c.expect(201, "POST", "", `{"name":"`+name+`","credential_type":"connector","credential_data":`+data+`}`)
			if err != nil {
				return err
			}
			var cv credView
			if err := json.Unmarshal(r.Data, &cv); err != nil || cv.Name != name || cv.CreatedAt != cv.UpdatedAt {
				return fmt.Errorf("create %s: %s (%v)", name, r.Data, err)
			}
			mine[cv.ID] = &owned{name: name, data: data, updatedAt: cv.UpdatedAt}
		case op < 45: // update one of its own, sometimes renaming it
			id, o := pick()
			data := fmt.Sprintf(`{"client_id":"c%d","client_secret":"s%d-%d-u"}`, w, w, i)
			body, name := `{"credential_data":`+data+`}`, o.name
			if rng.IntN(3) == 0 {
				name = fmt.Sprintf("w%d-%d-renamed", w, i)
				body = `{"name":"` + name + `","credential_data":` + data + `}`
			}
			r, err := c.expect(200, "PATCH", "/"+id, body)
			if err != nil {
				return err
			}
			var cv credView
			if err := json.Unmarshal(r.Data, &cv); err != nil || cv.Name != name || cv.UpdatedAt <= o.updatedAt {
				return fmt.Errorf("update %s: %s after updated_at %d (%v)", id, r.Data, o.updatedAt, err)
			}
			o.name, o.data, o.updatedAt = name, data, cv.UpdatedAt
		case op < 55: // update the shared credential
			data := fmt.Sprintf(`{"client_id":"shared","client_secret":"s%d-%d"}`, w, i)
			r, err := c.expect(200, "PATCH", "/"+sharedID, `{"credential_data":`+data+`}`)
			if err != nil {
				return err
			}
			var cv credView
			if err := json.Unmarshal(r.Data, &cv); err != nil {
				return err
			}
			*writes = append(*writes, sharedWrite{updatedAt: cv.UpdatedAt, data: data})
		case op < 70: // get one of its own: exactly as it left it
			id, o := pick()
			r, err := c.expect(200, "GET", "/"+id, "")
			if err != nil {
				return err
			}
			var cv credView
			if err := json.Unmarshal(r.Data, &cv); err != nil || cv.Name != o.name || cv.UpdatedAt != o.updatedAt {
				return fmt.Errorf("get %s: %s, want name %q updated_at %d (%v)", id, r.Data, o.name, o.updatedAt, err)
			}
		case op < 90: // list a page of everyone's
			sortBy := []string{"created_at", "updated_at"}[rng.IntN(2)]
			order := []string{"asc", "desc"}[rng.IntN(2)]
			limit, offset := 1+rng.IntN(20), rng.IntN(40)
			page, err := listPage(c, sortBy, order, limit, offset)
			if err != nil {
				return err
			}
			if err := checkPage(page, -1, sortBy, order); err != nil || len(page) > limit {
				return fmt.Errorf("list %s %s limit %d offset %d: %d items: %v", sortBy, order, limit, offset, len(page), err)
			}
			for _, cv := range page {
				if o, ok := mine[cv.ID]; ok && (cv.Name != o.name || cv.UpdatedAt != o.updatedAt) {
					return fmt.Errorf("list shows %+v, want name %q updated_at %d", cv, o.name, o.updatedAt)
				}
			}
		default: // delete one of its own; it is gone at once
			id, _ := pick()
			if _, err := c.expect(200, "DELETE", "/"+id, ""); err != nil {
				return err
			}
			delete(mine, id)
			if _, err := c.expect(404, "GET", "/"+id, ""); err != nil {
				return err
			}
		}
	}
	return nil
}

func listPage(c *loadClient, sortBy, order string, limit, offset int) ([]credView, error) {
	r, err := c.expect(200, "GET", fmt.Sprintf("?sort_by=%s&order_by=%s&limit=%d&offset=%d", sortBy, order, limit, offset), "")
	if err != nil {
		return nil, err
	}
	if r.Limit != int64(limit) || r.Offset != int64(offset) {
		return nil, fmt.Errorf("limit/offset echoed as %d/%d, sent %d/%d", r.Limit, r.Offset, limit, offset)
	}
	var page []credView
	if err := json.NewDecoder(bytes.NewReader(r.Data)).Decode(&page); err != nil {
		return nil, err
	}
	return page, nil
}

// checkPage checks that a page (or a whole walk) is strictly ordered by its
// sort key and has no duplicate; n >= 0 also checks its length.
func checkPage(page []credView, n int, sortBy, order string) error {
	if n >= 0 && len(page) != n {
		return fmt.Errorf("%d credentials, want %d", len(page), n)
	}
	seen := map[string]bool{}
	for i, c := range page {
		if seen[c.ID] {
			return fmt.Errorf("%s listed twice", c.ID)
		}
		seen[c.ID] = true
		if i == 0 {
			continue
		}
		a, b := page[i-1].CreatedAt, c.CreatedAt
		if sortBy == "updated_at" {
			a, b = page[i-1].UpdatedAt, c.UpdatedAt
		}
		if (order == "asc" && a >= b) || (order == "desc" && a <= b) {
			return fmt.Errorf("items %d and %d out of %s %s order (%d, %d)", i-1, i, sortBy, order, a, b)
		}
	}
	return nil
}
