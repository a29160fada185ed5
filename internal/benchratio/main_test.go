package main

import (
	"strings"
	"testing"
)

// patchLines: every PATCH case, wrapper then floor, at the given figures.
func patchLines(round string, wrapperNS, floorNS, wrapperAllocs, floorAllocs, parConns string) string {
	var sb strings.Builder
	for _, c := range cases {
		conns := "1.000"
		if c.mode == "parallel" {
			conns = parConns
		}
		for _, side := range []struct{ name, ns, allocs string }{{"wrapper", wrapperNS, wrapperAllocs}, {"floor", floorNS, floorAllocs}} {
			sb.WriteString("BenchmarkPatch/" + side.name + "/" + c.transport + "/" + c.mode + round + "-2   100   " +
				side.ns + " ns/op   " + conns + " conns   " + side.ns + "0 cpu-ns/op   9000 B/op   " + side.allocs + " allocs/op\n")
		}
	}
	return sb.String()
}

func TestSummary(t *testing.T) {
	in := "goos: linux\n" +
		patchLines("", "110", "100", "130", "100", "32.00") +
		patchLines("#01", "130", "100", "130", "100", "33.00") +
		patchLines("#02", "105", "100", "130", "100", "33.00") +
		"BenchmarkPatch/guarded/http/sequential-2   100   210 ns/op   1.000 conns   9 B/op   2 allocs/op\n" +
		"BenchmarkPatch/guarded/http/parallel-2   100   300 ns/op   32.00 conns   9 B/op   2 allocs/op\n" +
		"BenchmarkAll/1000-2   	     220	   4967314 ns/op	      2900 ns/cred	     61440 peak-heap-B	 1154264 B/op	    4928 allocs/op\n" +
		"BenchmarkAll/10000-2  	      15	  70317503 ns/op	      3050 ns/cred	     62464 peak-heap-B	11582432 B/op	   48092 allocs/op\n" +
		"BenchmarkValidate/connector-2  1000  44.4 ns/op  24 B/op  1 allocs/op\n" +
		"BenchmarkStartup/version-2  100  2100000 ns/op\n" +
		"BenchmarkStartup/get-2  100  4000000 ns/op\n"
	got, err := summary(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"wrapper/floor ns/op: sequential 1.10, parallel 1.10; TLS: sequential 1.10, parallel 1.10",
		"wrapper/floor allocs/op: sequential 1.30, parallel 1.30; TLS: sequential 1.30, parallel 1.30",
		"wrapper/floor CPU/op: sequential 1.10, parallel 1.10; TLS: sequential 1.10, parallel 1.10",
		"connections opened, wrapper/floor: sequential 1/1, parallel 33/33; TLS: sequential 1/1, parallel 33/33",
		"guarded google update (GET, then PATCH): sequential 0.2 µs (1.91x the PATCH), parallel 0.3 µs (2.73x)",
		"All: 3.0 µs per credential over 10,000; peak live heap 61 KiB (1,000: 60 KiB, 1.02x)",
		"CLI start-up: version 2.1 ms, get 4.0 ms",
		"targets (ns/op <= 1.10, allocs/op <= 1.30, connections <= 1 and 32, All heap <= 2x): missed: " +
			"connections http/parallel 33 > 32; connections tls/parallel 33 > 32",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestSummaryMisses(t *testing.T) {
	in := patchLines("", "120", "100", "140", "100", "32.00") +
		"BenchmarkAll/1000-2  1  1 ns/op  1 ns/cred  1000 peak-heap-B\n" +
		"BenchmarkAll/10000-2  1  1 ns/op  1 ns/cred  3000 peak-heap-B\n"
	got, err := summary(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	last := got[len(got)-1]
	for _, want := range []string{"ns/op http/sequential 1.20 > 1.10", "allocs/op tls/parallel 1.40 > 1.30", "All heap 10,000/1,000 3.00x > 2x"} {
		if !strings.Contains(last, want) {
			t.Errorf("%q does not report %q", last, want)
		}
	}
	for _, l := range got {
		if strings.HasPrefix(l, "guarded") || strings.HasPrefix(l, "CLI") {
			t.Errorf("printed %q without its benchmarks", l)
		}
	}
}

func TestSummaryNeedsBothSides(t *testing.T) {
	if _, err := summary(strings.NewReader("BenchmarkPatch/wrapper/http/sequential-2 1 1 ns/op\n")); err == nil {
		t.Error("missing results were not reported")
	}
}
