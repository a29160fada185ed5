package nylastest_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nylascreds/nylascreds/nylastest"
)

// The benchmarks run a mixed cycle of five requests, the life of one
// credential: create, get, update, list (a page of 10), delete. The store
// returns to where it was after each cycle, so what grows is the fake's own.
// Each reports:
//
//	req/s            requests answered per second
//	B/100k-req       bytes allocated per 100,000 requests (garbage made)
//	live-MB          heap in use after the run and a GC (what is kept)
//
// BenchmarkFakeHandler calls ServeHTTP directly: the fake's own cost, spec
// validation of both directions included. BenchmarkFakeLoopback sends real
// HTTP requests from 8 goroutines per core over loopback; its allocations
// include the clients'.

const cycle = 5

type cycleStep struct {
	method, path, body string
	want               int
}

func cycleSteps(id string) []cycleStep {
	base := "/v3/connectors/google/creds"
	return []cycleStep{
		{"GET", base + "/" + id, "", 200},
		{"PATCH", base + "/" + id, `{"credential_data":{"client_id":"cid","client_secret":"rotated"}}`, 200},
		{"GET", base + "?limit=10", "", 200},
		{"DELETE", base + "/" + id, "", 200},
	}
}

func createBody(name string) string {
	return `{"name":"` + name + `","credential_type":"connector","credential_data":{"client_id":"cid","client_secret":"csecret"}}`
}

// seed fills the connector with credentials that stay, so that list and
// name checks work on a store of realistic size.
func seed(b *testing.B, do func(method, path, body string) (int, []byte)) {
	for i := range 100 {
		if status, raw := do("POST", "/v3/connectors/google/creds", createBody(fmt.Sprintf("seed-%d", i))); status != 201 {
			b.Fatalf("seed: %d %s", status, raw)
		}
	}
}

func report(b *testing.B, start time.Time, before *runtime.MemStats) {
	elapsed := time.Since(start)
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	reqs := float64(b.N * cycle)
	b.ReportMetric(reqs/elapsed.Seconds(), "req/s")
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/reqs*100000, "B/100k-req")
	runtime.GC()
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(after.HeapAlloc)/(1<<20), "live-MB")
	b.ReportMetric(0, "ns/op") // per cycle, not per request: see req/s
}

func BenchmarkFakeHandler(b *testing.B) {
	f, err := nylastest.NewFake()
	if err != nil {
		b.Fatal(err)
	}
	auth := "Bearer " + f.APIKey()
	do := func(method, path, body string) (int, []byte) {
		r := httptest.NewRequest(method, path, strings.NewReader(body))
		r.Header.Set("Authorization", auth)
		if body != "" {
			r.Header.Set("Content-Type", "application/json")
		}
		w := httptest.NewRecorder()
		f.ServeHTTP(w, r)
		return w.Code, w.Body.Bytes()
	}
	seed(b, do)
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	b.ResetTimer()
	start := time.Now()
	for i := range b.N {
		if err := runCycle(do, fmt.Sprintf("h-%d", i)); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	report(b, start, &before)
	runtime.KeepAlive(f)
}

func BenchmarkFakeLoopback(b *testing.B) {
	srv := nylastest.NewServer()
	defer srv.Close()
	const perCore = 8
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: perCore * runtime.GOMAXPROCS(0)}}
	auth := "Bearer " + srv.APIKey()
	do := func(method, path, body string) (int, []byte) {
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		req.Header.Set("Authorization", auth)
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := hc.Do(req)
		if err != nil {
			return 0, []byte(err.Error())
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, raw
	}
	seed(b, do)
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	var n atomic.Int64
	b.SetParallelism(perCore)
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := runCycle(do, fmt.Sprintf("l-%d", n.Add(1))); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.StopTimer()
	report(b, start, &before)
}

// runCycle runs one cycle; a wrong status is an error (b.Fatal may not be
// called from RunParallel's goroutines).
func runCycle(do func(method, path, body string) (int, []byte), name string) error {
	status, raw := do("POST", "/v3/connectors/google/creds", createBody(name))
	var created struct {
		Data struct {
			ID string `json:"id"`
		} `json:"data"`
	}
	if status != 201 || json.Unmarshal(raw, &created) != nil {
		return fmt.Errorf("create: %d %s", status, raw)
	}
	for _, s := range cycleSteps(created.Data.ID) {
		if status, raw := do(s.method, s.path, s.body); status != s.want {
			return fmt.Errorf("%s %s: %d %s", s.method, s.path, status, raw)
		}
	}
	return nil
}
