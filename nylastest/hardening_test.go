package nylastest_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nylascreds/nylascreds/nylastest"
)

// TestCredentialTypeIsOptIn: by default every credential object is exactly
// Nylas's published one; WithCredentialType adds the stored flow.
func TestCredentialTypeIsOptIn(t *testing.T) {
	for _, report := range []bool{false, true} {
		var opts []nylastest.Option
		if report {
			opts = append(opts, nylastest.WithCredentialType())
		}
		srv := newServer(t, opts...)
		key := srv.APIKey()
		_, body, _ := call(t, srv, key, "POST", "/v3/connectors/google/creds", connectorBody)
		id, _ := data(body)["id"].(string)
		objects := []map[string]any{data(body)}
		_, body, _ = call(t, srv, key, "GET", "/v3/connectors/google/creds/"+id, "")
		objects = append(objects, data(body))
		_, body, _ = call(t, srv, key, "PATCH", "/v3/connectors/google/creds/"+id, `{"name":"renamed"}`)
		objects = append(objects, data(body))
		_, body, _ = call(t, srv, key, "GET", "/v3/connectors/google/creds", "")
		list, _ := body["data"].([]any)
		for _, o := range list {
			objects = append(objects, o.(map[string]any))
		}
		if len(objects) != 4 {
			t.Fatalf("report=%t: %d objects", report, len(objects))
		}
		for i, o := range objects {
			ctype, present := o["credential_type"]
			if present != report || (report && ctype != "connector") || len(o) != 4+btoi(report) {
				t.Errorf("report=%t: object %d = %v", report, i, o)
			}
		}
		if ctype, _ := srv.StoredType("google", id); ctype != "connector" {
			t.Errorf("report=%t: stored type %q", report, ctype)
		}
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestPatchAcceptsWhatTheReferenceDoesNotForbid: fields other than name and
// credential_data are ignored, and an empty body changes nothing but
// updated_at.
func TestPatchAcceptsWhatTheReferenceDoesNotForbid(t *testing.T) {
	srv := newServer(t, nylastest.WithClock(func() time.Time { return time.Unix(1700000000, 0) }))
	key := srv.APIKey()
	_, body, _ := call(t, srv, key, "POST", "/v3/connectors/google/creds", connectorBody)
	id := data(body)["id"].(string)
	path := "/v3/connectors/google/creds/" + id

	status, body, _ := call(t, srv, key, "PATCH", path, `{}`)
	if status != 200 || data(body)["name"] != "override" || data(body)["updated_at"] != float64(1700000001) {
		t.Errorf("empty PATCH: %d %v", status, body)
	}
	status, body, _ = call(t, srv, key, "PATCH", path, `{"name":"n2","credential_type":"serviceaccount","future":{"x":1}}`)
	if status != 200 || data(body)["name"] != "n2" {
		t.Errorf("PATCH with extra fields: %d %v", status, body)
	}
	stored, _ := srv.StoredData("google", id)
	ctype, _ := srv.StoredType("google", id)
	if string(stored) != `{"client_id":"cid","client_secret":"csecret"}` || ctype != "connector" {
		t.Errorf("after PATCHes: stored %s, type %q", stored, ctype)
	}
}

// rawCall sends body (of any size, chunked when chunked is true) and returns
// the status and the decoded error envelope.
func rawCall(t *testing.T, srv *nylastest.Server, key, method, path string, body []byte, chunked bool) (int, map[string]any) {
	t.Helper()
	var rd io.Reader = bytes.NewReader(body)
	if chunked {
		rd = io.MultiReader(rd) // hides the length
	}
	req, _ := http.NewRequest(method, srv.URL+path, rd)
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s (%d bytes): %v", method, path, len(body), err)
	}
	defer resp.Body.Close()
	var out map[string]any
	raw, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("%s %s: %d %q is not JSON", method, path, resp.StatusCode, raw)
	}
	return resp.StatusCode, out
}

// TestOverCapBodyIs413AndDoesNothing: a body over 1 MiB, even one whose
// first MiB is a valid create, is answered 413 in the envelope, with or
// without a Content-Length, and nothing is created; the client reads the
// answer instead of a reset.
func TestOverCapBodyIs413AndDoesNothing(t *testing.T) {
	srv := newServer(t)
	key := srv.APIKey()
	valid := []byte(connectorBody)
	pad := func(n int) []byte {
		return append(append([]byte(nil), valid...), bytes.Repeat([]byte(" "), n-len(valid))...)
	}
	for _, tc := range []struct {
		size    int
		chunked bool
	}{{nylastest.MaxBodyBytes + 1, false}, {nylastest.MaxBodyBytes + 100, true}, {3 << 20, false}, {3 << 20, true}} {
		status, body := rawCall(t, srv, key, "POST", "/v3/connectors/google/creds", pad(tc.size), tc.chunked)
		want := "request body is larger than 1048576 bytes (1 MiB); nothing was done"
		if status != 413 || errorType(body) != "api.invalid_request_error" || errorMessage(body) != want || body["request_id"] == "" {
			t.Errorf("%d bytes (chunked %t): %d %v", tc.size, tc.chunked, status, body)
		}
	}
	if n := srv.Len("google"); n != 0 {
		t.Errorf("%d credentials created by over-cap bodies", n)
	}
	reqs := srv.Requests()
	if len(reqs) != 4 || reqs[0].Operation != "createCredential" || reqs[0].Body != nil {
		t.Errorf("over-cap requests kept: %d, first %+v", len(reqs), reqs[0].Operation)
	}
	// Exactly the cap is accepted.
	status, body := rawCall(t, srv, key, "POST", "/v3/connectors/google/creds", pad(nylastest.MaxBodyBytes), false)
	if status != 201 {
		t.Fatalf("body of exactly MaxBodyBytes: %d %v", status, body)
	}
	// An over-cap PATCH changes nothing.
	id := data(body)["id"].(string)
	patch := append([]byte(`{"name":"renamed"}`), bytes.Repeat([]byte(" "), nylastest.MaxBodyBytes)...)
	if status, body := rawCall(t, srv, key, "PATCH", "/v3/connectors/google/creds/"+id, patch, false); status != 413 {
		t.Errorf("over-cap PATCH: %d %v", status, body)
	}
	if _, body, _ := call(t, srv, key, "GET", "/v3/connectors/google/creds/"+id, ""); data(body)["name"] != "override" {
		t.Errorf("after an over-cap PATCH: %v", body)
	}
}

// TestInvalidUTF8IsRefused: a name or a secret that is not UTF-8 text is
// refused with 400 naming the field, never stored as U+FFFD.
func TestInvalidUTF8IsRefused(t *testing.T) {
	srv := newServer(t)
	key := srv.APIKey()
	_, body, _ := call(t, srv, key, "POST", "/v3/connectors/google/creds", connectorBody)
	id := data(body)["id"].(string)
	const tail = ": is not valid UTF-8 text (a JSON string must be UTF-8, with no unpaired \\ud800-\\udfff escape)"
	cases := []struct{ method, path, body, want string }{
		{"POST", "/v3/connectors/google/creds", "{\"name\":\"bad\xff\",\"credential_type\":\"connector\",\"credential_data\":{\"client_id\":\"a\",\"client_secret\":\"b\"}}", "request body field name"},
		{"POST", "/v3/connectors/google/creds", `{"name":"n","credential_type":"connector","credential_data":{"client_id":"a","client_secret":"b\ud800"}}`, "request body field credential_data.client_secret"},
		{"PATCH", "/v3/connectors/google/creds/" + id, "{\"credential_data\":{\"client_id\":\"a\",\"client_secret\":\"\xc3(\"}}", "request body field credential_data.client_secret"},
		{"PATCH", "/v3/connectors/google/creds/" + id, `{"name":"\udc00"}`, "request body field name"},
	}
	for _, tc := range cases {
		status, body, _ := call(t, srv, key, tc.method, tc.path, tc.body)
		if status != 400 || errorType(body) != "api.invalid_request_payload" || errorMessage(body) != tc.want+tail {
			t.Errorf("%s %q: %d %v", tc.method, tc.body, status, body)
		}
	}
	stored, _ := srv.StoredData("google", id)
	_, body, _ = call(t, srv, key, "GET", "/v3/connectors/google/creds/"+id, "")
	if srv.Len("google") != 1 || string(stored) != `{"client_id":"cid","client_secret":"csecret"}` || data(body)["name"] != "override" {
		t.Errorf("refused requests changed the store: %d credentials, stored %s, %v", srv.Len("google"), stored, body)
	}
	// A proper surrogate pair is text, and kept as sent.
	status, body, _ := call(t, srv, key, "PATCH", "/v3/connectors/google/creds/"+id, `{"name":"smile \ud83d\ude00"}`)
	if status != 200 || data(body)["name"] != "smile \U0001F600" {
		t.Errorf("surrogate pair: %d %v", status, body)
	}
}

// TestListAtExtremeOffsetsAndLimits: paging arithmetic cannot overflow.
func TestListAtExtremeOffsetsAndLimits(t *testing.T) {
	srv := newServer(t)
	key := srv.APIKey()
	for i := range 25 {
		call(t, srv, key, "POST", "/v3/connectors/zoom/creds", strings.Replace(connectorBody, "override", fmt.Sprintf("n%02d", i), 1))
	}
	maxInt := fmt.Sprint(int64(math.MaxInt64))
	cases := []struct {
		query         string
		items         int
		first         string
		limit, offset float64
	}{
		{"?offset=1&limit=" + maxInt, 24, "n23", math.MaxInt64, 1},
		{"?offset=24&limit=" + maxInt, 1, "n00", math.MaxInt64, 24},
		{"?offset=" + maxInt + "&limit=" + maxInt, 0, "", math.MaxInt64, math.MaxInt64},
		{"?offset=" + maxInt, 0, "", 10, math.MaxInt64},
		{"?limit=0", 0, "", 0, 0},
		{"?offset=20&limit=10&order_by=asc", 5, "n20", 10, 20},
		{"?limit=" + maxInt + "&order_by=asc", 25, "n00", math.MaxInt64, 0},
	}
	for _, tc := range cases {
		status, body, _ := call(t, srv, key, "GET", "/v3/connectors/zoom/creds"+tc.query, "")
		items, _ := body["data"].([]any)
		first := ""
		if len(items) > 0 {
			first = items[0].(map[string]any)["name"].(string)
		}
		if status != 200 || len(items) != tc.items || first != tc.first || body["limit"] != tc.limit || body["offset"] != tc.offset {
			t.Errorf("list%s: %d, %d items from %q, limit %v offset %v", tc.query, status, len(items), first, body["limit"], body["offset"])
		}
	}
}

// TestRequestLogIsBounded: the log keeps the most recent requests with the
// key, counts all, and keeps nothing of requests without it.
func TestRequestLogIsBounded(t *testing.T) {
	srv := newServer(t, nylastest.WithRequestLog(3))
	for i := range 5 {
		call(t, srv, srv.APIKey(), "GET", fmt.Sprintf("/v3/connectors/google/creds?offset=%d", i), "")
		call(t, srv, "wrong", "GET", "/v3/connectors/google/creds?offset=99", "")
	}
	var got []string
	for _, r := range srv.Requests() {
		got = append(got, r.RawQuery)
	}
	if strings.Join(got, " ") != "offset=2 offset=3 offset=4" || srv.RequestCount() != 10 {
		t.Errorf("requests = %q, count %d", got, srv.RequestCount())
	}
	none := newServer(t, nylastest.WithRequestLog(0))
	call(t, none, none.APIKey(), "GET", "/v3/connectors/google/creds", "")
	if len(none.Requests()) != 0 || none.RequestCount() != 1 {
		t.Errorf("WithRequestLog(0): %d kept, %d counted", len(none.Requests()), none.RequestCount())
	}
	if _, err := nylastest.NewFake(nylastest.WithRequestLog(-1)); err == nil || err.Error() != "nylastest: WithRequestLog: -1 is negative" {
		t.Errorf("WithRequestLog(-1): %v", err)
	}
}

// TestUnauthenticatedBodiesAreNotKept: 100 unauthenticated 1 MiB POSTs
// leave the heap where it was: nothing of a request without the key is kept.
func TestUnauthenticatedBodiesAreNotKept(t *testing.T) {
	srv := newServer(t)
	big := bytes.Repeat([]byte("a"), nylastest.MaxBodyBytes)
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	before := heap()
	for range 100 {
		if status, body := rawCall(t, srv, "", "POST", "/v3/connectors/google/creds", big, false); status != 401 || errorType(body) != "api.authentication_error" {
			t.Fatalf("unauthenticated POST: %d %v", status, body)
		}
	}
	after := heap()
	if grew := int64(after) - int64(before); grew > 8<<20 {
		t.Errorf("heap grew by %d MiB after 100 unauthenticated 1 MiB POSTs", grew>>20)
	}
	if len(srv.Requests()) != 0 || srv.RequestCount() != 100 {
		t.Errorf("kept %d requests, counted %d", len(srv.Requests()), srv.RequestCount())
	}
}

// heapInUse is the live heap after a collection.
func heapInUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// stallingBody sends a few bytes of a body, reports that it has stopped
// sending, and waits for release: a client that announced a large body and
// stalled.
type stallingBody struct {
	first   []byte
	stalled chan<- struct{}
	release <-chan struct{}
}

func (b *stallingBody) Read(p []byte) (int, error) {
	if len(b.first) > 0 {
		n := copy(p, b.first)
		b.first = b.first[n:]
		return n, nil
	}
	if b.stalled != nil {
		b.stalled <- struct{}{}
		b.stalled = nil
	}
	<-b.release
	return 0, io.ErrUnexpectedEOF
}

// TestAnnouncedLengthIsNotHeld: 64 requests that announce a body of
// MaxBodyBytes and stall after a few bytes hold memory for what arrived, not
// for what they announced.
func TestAnnouncedLengthIsNotHeld(t *testing.T) {
	const requests = 64
	f, err := nylastest.NewFake()
	if err != nil {
		t.Fatal(err)
	}
	stalled := make(chan struct{})
	release := make(chan struct{})
	var wg sync.WaitGroup
	before := heapInUse()
	for range requests {
		body := &stallingBody{first: []byte(`{"name":"`), stalled: stalled, release: release}
		req := httptest.NewRequest("POST", "/v3/connectors/google/creds", body)
		req.ContentLength = nylastest.MaxBodyBytes
		req.Header.Set("Authorization", "Bearer "+f.APIKey())
		wg.Go(func() {
			// A body cut short ends the exchange with http.ErrAbortHandler,
			// as net/http expects of a handler whose client went away.
			defer func() {
				if v := recover(); v != nil && v != http.ErrAbortHandler {
					t.Errorf("ServeHTTP panicked: %v", v)
				}
			}()
			f.ServeHTTP(httptest.NewRecorder(), req)
		})
	}
	for range requests {
		<-stalled
	}
	held := int64(heapInUse()) - int64(before)
	close(release)
	wg.Wait()
	if held > 8<<20 {
		t.Errorf("%d stalled requests that announced %d bytes hold %d KiB", requests, nylastest.MaxBodyBytes, held>>10)
	}
}

// TestDeeplyNestedBodiesAreRefused: a body whose arrays and objects nest
// more than MaxBodyDepth deep is answered 400 in the envelope, whatever else
// is wrong with it, and costs about its own size in memory: a 1 MiB body of
// "[" ending in a byte that is not UTF-8 cost over 100 MiB to find the
// field of the bad string. A body nested exactly MaxBodyDepth deep is taken.
func TestDeeplyNestedBodiesAreRefused(t *testing.T) {
	f, err := nylastest.NewFake()
	if err != nil {
		t.Fatal(err)
	}
	// serve sends one request straight to the handler, and counts the bytes
	// allocated while it is handled.
	serve := func(method, path string, body []byte) (int, map[string]any, uint64) {
		req := httptest.NewRequest(method, path, bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+f.APIKey())
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		f.ServeHTTP(rec, req)
		runtime.ReadMemStats(&after)
		var out map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
			t.Fatalf("%s %s: %d %q is not JSON", method, path, rec.Code, rec.Body.Bytes())
		}
		return rec.Code, out, after.TotalAlloc - before.TotalAlloc
	}
	const create = "/v3/connectors/google/creds"
	// nested is a create whose credential_data holds a field of n arrays
	// inside one another: the body nests n+2 deep.
	nested := func(n int) []byte {
		return []byte(`{"name":"n","credential_type":"connector","credential_data":{"client_id":"c","client_secret":"s","x":` +
			strings.Repeat("[", n) + strings.Repeat("]", n) + `}}`)
	}
	deep := nylastest.MaxBodyDepth + 1
	want := fmt.Sprintf("request body is nested more than %d levels deep (arrays and objects)", nylastest.MaxBodyDepth)
	for name, body := range map[string][]byte{
		"1 MiB of [ and a bad byte":       append(bytes.Repeat([]byte("["), nylastest.MaxBodyBytes-1), 0xff),
		"1 MiB of {\"a\": and a bad byte": append(bytes.Repeat([]byte(`{"a":`), nylastest.MaxBodyBytes/5-1), '"', 0xff, '"'),
		"1 MiB of [ alone":                bytes.Repeat([]byte("["), nylastest.MaxBodyBytes),
		"one level too deep":              bytes.Repeat([]byte("["), deep),
		"a create one level too deep":     nested(deep - 2),
	} {
		status, out, allocated := serve("POST", create, body)
		if status != 400 || errorType(out) != "api.invalid_request_payload" || errorMessage(out) != want || out["request_id"] == "" {
			t.Errorf("%s: %d %v", name, status, out)
		}
		if allocated > 16<<20 {
			t.Errorf("%s: %d MiB allocated to refuse it", name, allocated>>20)
		}
	}
	if n := f.Len("google"); n != 0 {
		t.Errorf("%d credentials created by refused bodies", n)
	}
	if status, out, _ := serve("POST", create, nested(nylastest.MaxBodyDepth-2)); status != 201 {
		t.Errorf("a create nested exactly MaxBodyDepth deep: %d %v", status, out)
	}
	// A string with brackets in it is no nesting.
	body := []byte(`{"name":"` + strings.Repeat("[", deep) + `\"{","credential_type":"connector","credential_data":{"client_id":"c","client_secret":"s"}}`)
	if status, out, _ := serve("POST", create, body); status != 201 {
		t.Errorf("a name of brackets: %d %v", status, out)
	}
}
