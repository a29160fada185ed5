package bench

import (
	"context"
	"os"
	"runtime"
	"slices"
	"strconv"
	"testing"

	"github.com/nylascreds/nylascreds/nylastest"
	"github.com/nylascreds/nylascreds/wrapper"
)

// rounds is how many times BenchmarkPatch measures each case
// ($NYLASCREDS_BENCH_ROUNDS, default 1; make bench uses 5). The rounds are
// interleaved, and each round swaps the order of wrapper and floor: `go test
// -count` would instead repeat each case back to back, so that one side
// always ran right after the 32-goroutine run of the other and paid for its
// aftermath.
func rounds() int {
	if n, err := strconv.Atoi(os.Getenv("NYLASCREDS_BENCH_ROUNDS")); err == nil && n > 0 {
		return n
	}
	return 1
}

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
// goroutines; and (guarded) a google update, whose flow guard adds a GET,
// over plain HTTP. Names are side/transport/mode.
func BenchmarkPatch(b *testing.B) {
	run := func(side, transport, mode string) {
		useTLS, parallel := transport == "tls", mode == "parallel"
		b.Run(side+"/"+transport+"/"+mode, func(b *testing.B) {
			srv := newServer(b, useTLS, credentialAnswer, nylastest.WithRequestLog(0))
			var op func() error
			switch side {
			case "wrapper":
				op = wrapperPatch(newDefaultClient(b, srv.URL))
			case "guarded":
				op = wrapperGuarded(newDefaultClient(b, srv.URL))
			case "floor":
				op = floorPatch(newFloor(srv.URL))
			}
			measure(b, srv, parallel, op)
		})
	}
	for round := range rounds() {
		for _, transport := range []string{"http", "tls"} {
			for _, mode := range []string{"sequential", "parallel"} {
				sides := []string{"wrapper", "floor"}
				if round%2 == 1 {
					slices.Reverse(sides)
				}
				for _, side := range sides {
					run(side, transport, mode)
				}
				if transport == "http" {
					run("guarded", transport, mode)
				}
			}
		}
	}
}
