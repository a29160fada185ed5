package bench

import (
	"context"
	"fmt"
	"runtime"
	"testing"

	"github.com/nylascreds/nylascreds/nylastest"
	"github.com/nylascreds/nylascreds/wrapper"
)

// measure fills the pool (one connection sequentially, concurrency in
// parallel; see server.fill), runs op sequentially or from concurrency
// goroutines, and reports the TCP connections srv accepted in all
// ("conns": a pool that keeps its connections stays at 1 and concurrency)
// and the CPU time the process used per op ("cpu-ns/op": client, server and
// garbage collector together). On a shared machine the time per op swings
// with the other jobs' load; the CPU per op much less, and on a quiet
// machine, where the two cores are the limit, the parallel time per op
// follows it.
func measure(b *testing.B, srv *server, parallel bool, op func() error) {
	b.ReportAllocs()
	if parallel {
		srv.fill(b, concurrency, op)
	} else {
		srv.fill(b, 1, op)
	}
	cpu0, cpuOK := cpuTime()
	if !parallel {
		for b.Loop() {
			if err := op(); err != nil {
				b.Fatal(err)
			}
		}
	} else {
		b.ResetTimer()
		procs := runtime.GOMAXPROCS(0)
		b.SetParallelism((concurrency + procs - 1) / procs)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if err := op(); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	b.StopTimer()
	if cpu1, ok := cpuTime(); ok && cpuOK && b.N > 0 {
		b.ReportMetric(float64(cpu1-cpu0)/float64(b.N), "cpu-ns/op")
	}
	b.ReportMetric(float64(srv.opened.Load()), "conns")
}

// newDefaultClient is the wrapper as users get it: defaults, the base URL,
// and nothing else.
func newDefaultClient(b testing.TB, baseURL string) *wrapper.Client {
	c, err := wrapper.New(apiKey, wrapper.WithBaseURL(baseURL))
	if err != nil {
		b.Fatal(err)
	}
	return c
}

var connectorData = wrapper.ConnectorOverride{ClientID: clientID, ClientSecret: wrapper.NewSecret(clientSecret)}

// wrapperPatch is an update that is one PATCH: yahoo has connector
// overrides only, so the flow guard has nothing to read first.
func wrapperPatch(c *wrapper.Client) func() error {
	ctx := context.Background()
	return func() error {
		_, err := c.Update(ctx, wrapper.ProviderYahoo, credID, wrapper.UpdateRequest{Data: connectorData})
		return err
	}
}

// wrapperGuarded is a google update: the flow guard reads the credential
// (GET) before the PATCH.
func wrapperGuarded(c *wrapper.Client) func() error {
	ctx := context.Background()
	return func() error {
		_, err := c.Update(ctx, wrapper.ProviderGoogle, credID, wrapper.UpdateRequest{Data: connectorData})
		return err
	}
}

func floorPatch(f *floorClient) func() error {
	ctx := context.Background()
	data := floorConnectorData{ClientID: clientID, ClientSecret: clientSecret}
	return func() error {
		_, err := f.patch(ctx, "yahoo", credID, data)
		return err
	}
}

// BenchmarkPatch: the wrapper with its defaults against the floor, one
// PATCH per op, over plain HTTP and TLS, sequentially and from 32
// goroutines. make bench repeats each case back to back (go test -count);
// benchstat's median keeps the first repetition of a case, which follows
// another case's run, from deciding its figure.
func BenchmarkPatch(b *testing.B) {
	for _, transport := range []string{"http", "tls"} {
		for _, goroutines := range []int{1, concurrency} {
			for _, impl := range []string{"floor", "wrapper"} {
				b.Run(fmt.Sprintf("transport=%s/goroutines=%d/impl=%s", transport, goroutines, impl), func(b *testing.B) {
					srv := newServer(b, transport == "tls", credentialAnswer, nylastest.WithRequestLog(0))
					op := floorPatch(newFloor(srv.URL))
					if impl == "wrapper" {
						op = wrapperPatch(newDefaultClient(b, srv.URL))
					}
					measure(b, srv, goroutines > 1, op)
				})
			}
		}
	}
}

// BenchmarkGuardedUpdate: a google update, whose flow guard reads the
// credential (GET) before the PATCH, over plain HTTP; make bench's summary
// sets it beside the wrapper's PATCH alone.
func BenchmarkGuardedUpdate(b *testing.B) {
	for _, goroutines := range []int{1, concurrency} {
		b.Run(fmt.Sprintf("transport=http/goroutines=%d/impl=wrapper", goroutines), func(b *testing.B) {
			srv := newServer(b, false, credentialAnswer, nylastest.WithRequestLog(0))
			measure(b, srv, goroutines > 1, wrapperGuarded(newDefaultClient(b, srv.URL)))
		})
	}
}
