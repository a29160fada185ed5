package bench

import (
	"context"
	"fmt"
	"iter"
	"net/http"
	"runtime"
	"strconv"
	"testing"

	"github.com/nylascreds/nylascreds/nylastest"
	"github.com/nylascreds/nylascreds/wrapper"
)

// listAnswer serves total credentials in pages, each made when it is asked
// for, so that the server holds no more than one page: its memory is in
// the same heap as the client's, and must not grow with total.
func listAnswer(total int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		offset, _ := strconv.Atoi(q.Get("offset"))
		limit, _ := strconv.Atoi(q.Get("limit"))
		if limit <= 0 {
			limit = 10
		}
		end := min(offset+limit, total)
		buf := make([]byte, 0, 64+96*max(end-offset, 0))
		buf = append(buf, `{"request_id":"r","data":[`...)
		for i := offset; i < end; i++ {
			if i > offset {
				buf = append(buf, ',')
			}
			buf = append(buf, `{"id":"cred-`...)
			buf = strconv.AppendInt(buf, int64(i), 10)
			buf = append(buf, `","name":"name-`...)
			buf = strconv.AppendInt(buf, int64(i), 10)
			buf = append(buf, `","created_at":`...)
			buf = strconv.AppendInt(buf, int64(1700000000+i), 10)
			buf = append(buf, `,"updated_at":`...)
			buf = strconv.AppendInt(buf, int64(1700000000+i), 10)
			buf = append(buf, '}')
		}
		buf = append(buf, `],"limit":`...)
		buf = strconv.AppendInt(buf, int64(limit), 10)
		buf = append(buf, `,"offset":`...)
		buf = strconv.AppendInt(buf, int64(offset), 10)
		buf = append(buf, '}')
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(buf)
	}
}

// walk reads every credential with All, calling each (if not nil) with the
// index of every credential, and returns how many it read.
func walk(b *testing.B, c *wrapper.Client, each func(i int)) int {
	return drain(b, c.All(context.Background(), wrapper.ProviderGoogle, nil), each)
}

// drain reads a walk to its end, calling each (if not nil) with the index of
// every item, and returns how many it read.
func drain[T any](b *testing.B, seq iter.Seq2[T, error], each func(i int)) int {
	n := 0
	for _, err := range seq {
		if err != nil {
			b.Fatal(err)
		}
		if each != nil {
			each(n)
		}
		n++
	}
	return n
}

func liveHeap() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// BenchmarkAll walks 1,000 and 10,000 credentials with All (pages of
// DefaultPageSize) and reports the time per credential ("ns/cred") and the
// peak live heap of the walk ("peak-heap-B"): the heap in use after a
// garbage collection at the first credential of every page (when the new
// page and the previous page's ids are both held), less the heap in use
// before the walk. A walk whose memory stays that of one page reports about
// the same peak for both sizes. The fake builds each page when asked, and
// its memory of the checks it made is filled before the measured walk.
func BenchmarkAll(b *testing.B) {
	for _, total := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("credentials=%d/impl=wrapper", total), func(b *testing.B) {
			srv := newServer(b, false, listAnswer(total), nylastest.WithRequestLog(0))
			c := newDefaultClient(b, srv.URL)

			// A first walk lets the fake remember its checks of every page
			// (memory that grows with the walk, on the server's side of
			// the shared heap); then one instrumented walk, outside the
			// timing: a collection per page would dominate the time per
			// credential.
			if n := walk(b, c, nil); n != total {
				b.Fatalf("walked %d credentials, want %d", n, total)
			}
			before := liveHeap()
			var peak uint64
			n := walk(b, c, func(i int) {
				if i%wrapper.DefaultPageSize == 0 {
					peak = max(peak, liveHeap())
				}
			})
			if n != total {
				b.Fatalf("walked %d credentials, want %d", n, total)
			}

			b.ReportAllocs()
			for b.Loop() {
				if n := walk(b, c, nil); n != total {
					b.Fatalf("walked %d credentials, want %d", n, total)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*total), "ns/cred")
			b.ReportMetric(float64(peak-min(peak, before)), "peak-heap-B")
		})
	}
}

// BenchmarkGrants walks 10,000 grants of one provider through nylastest's
// own grants endpoint (pages of wrapper.DefaultGrantPageSize), as Retire and
// Rotate do before a delete, and reports the requests of one walk, the time
// per grant ("ns/grant", the fake's spec checks included) and the peak live
// heap of the walk ("peak-heap-B", measured as in BenchmarkAll; the fake's
// 10,000 grants are held before and after, so they cancel out).
func BenchmarkGrants(b *testing.B) {
	const total = 10000
	b.Run(fmt.Sprintf("grants=%d/impl=wrapper", total), func(b *testing.B) {
		srv := nylastest.NewServer(nylastest.WithRequestLog(0))
		defer srv.Close()
		grants := make([]nylastest.Grant, total)
		for i := range grants {
			grants[i] = nylastest.Grant{Provider: "google", Email: fmt.Sprintf("user%d@example.com", i), CredentialID: "cred-" + strconv.Itoa(i%7)}
		}
		srv.AddGrants(grants...)
		c, err := wrapper.New(srv.APIKey(), wrapper.WithBaseURL(srv.URL))
		if err != nil {
			b.Fatal(err)
		}
		walkGrants := func(each func(i int)) int {
			return drain(b, c.Grants(context.Background(), wrapper.ProviderGoogle, nil, nil), each)
		}
		walkGrants(nil)
		before, requests := liveHeap(), srv.RequestCount()
		var peak uint64
		if n := walkGrants(func(i int) {
			if i%wrapper.DefaultGrantPageSize == 0 {
				peak = max(peak, liveHeap())
			}
		}); n != total {
			b.Fatalf("walked %d grants, want %d", n, total)
		}
		requests = srv.RequestCount() - requests
		b.ReportAllocs()
		for b.Loop() {
			walkGrants(nil)
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*total), "ns/grant")
		b.ReportMetric(float64(peak-min(peak, before)), "peak-heap-B")
		b.ReportMetric(float64(requests), "requests")
	})
}
