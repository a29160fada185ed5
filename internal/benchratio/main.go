// Command benchratio reads `go test -bench -benchmem` output and prints the
// summary of `make bench`, from the medians of every round:
//
//	wrapper/floor ns/op: sequential 1.02, parallel 1.01; TLS: sequential 1.03, parallel 1.04
//	wrapper/floor allocs/op: sequential 1.28, parallel 1.28; TLS: sequential 1.27, parallel 1.28
//	wrapper/floor CPU/op: sequential 1.05, parallel 1.04; TLS: sequential 1.04, parallel 1.03
//	connections opened, wrapper/floor: sequential 1/1, parallel 32/32; TLS: sequential 1/1, parallel 32/32
//	guarded google update (GET, then PATCH): sequential 101 µs (1.91x the PATCH), parallel 52 µs (1.95x)
//	All: 2.9 µs per credential over 10,000; peak live heap 61 KiB (1,000: 58 KiB, 1.05x)
//	CLI start-up: version 2.1 ms, get 4.0 ms
//	targets (ns/op <= 1.10, allocs/op <= 1.30, connections <= 1 and 32, All heap <= 2x): met
//
// Every figure is the median of the rounds. A line whose benchmarks
// are missing from the input is left out (CLI start-up comes from a
// BenchmarkStartup/{version,get} in any package make bench runs), except
// the ratio lines, without which it fails. It is part of `make bench`, not
// of the library.
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: benchratio BENCH_OUTPUT_FILE")
		os.Exit(2)
	}
	f, err := os.Open(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchratio:", err)
		os.Exit(1)
	}
	defer f.Close()
	lines, err := summary(f)
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchratio:", err)
		os.Exit(1)
	}
	for _, l := range lines {
		fmt.Println(l)
	}
}

// Targets.
const (
	maxTimeRatio   = 1.10
	maxAllocsRatio = 1.30
	concurrency    = 32 // goroutines of the parallel cases
	maxHeapGrowth  = 2.0
)

// benchLine matches a result line, e.g.
// BenchmarkPatch/wrapper/tls/parallel#03-2   9228   34486 ns/op   32.00 conns   10418 B/op   127 allocs/op
// capturing the name without its round (#03) and GOMAXPROCS (-2) suffixes,
// and the value/unit pairs.
var benchLine = regexp.MustCompile(`^(Benchmark\S+?)(?:#\d+)?(?:-\d+)?\s+\d+\s+(.*)$`)

// results holds every sample of every metric, by benchmark name and unit.
type results map[string]map[string][]float64

func parse(r io.Reader) (results, error) {
	res := results{}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		m := benchLine.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		fields := strings.Fields(m[2])
		for i := 0; i+1 < len(fields); i += 2 {
			v, err := strconv.ParseFloat(fields[i], 64)
			if err != nil {
				break
			}
			if res[m[1]] == nil {
				res[m[1]] = map[string][]float64{}
			}
			res[m[1]][fields[i+1]] = append(res[m[1]][fields[i+1]], v)
		}
	}
	return res, sc.Err()
}

// median of a benchmark's metric, and whether there was any sample.
func (r results) median(name, unit string) (float64, bool) {
	xs := slices.Clone(r[name][unit])
	if len(xs) == 0 {
		return 0, false
	}
	slices.Sort(xs)
	n := len(xs)
	if n%2 == 1 {
		return xs[n/2], true
	}
	return (xs[n/2-1] + xs[n/2]) / 2, true
}

// The PATCH cases, in the order they are printed.
var cases = []struct{ transport, mode, label string }{
	{"http", "sequential", "sequential"},
	{"http", "parallel", "parallel"},
	{"tls", "sequential", "TLS: sequential"},
	{"tls", "parallel", "parallel"},
}

func patchName(side, transport, mode string) string {
	return "BenchmarkPatch/" + side + "/" + transport + "/" + mode
}

// summary computes the lines printed at the end of make bench.
func summary(in io.Reader) ([]string, error) {
	r, err := parse(in)
	if err != nil {
		return nil, err
	}
	var out, missed []string
	for _, row := range []struct {
		unit  string
		limit float64
	}{{"ns/op", maxTimeRatio}, {"allocs/op", maxAllocsRatio}} {
		var parts []string
		for _, c := range cases {
			w, okw := r.median(patchName("wrapper", c.transport, c.mode), row.unit)
			f, okf := r.median(patchName("floor", c.transport, c.mode), row.unit)
			if !okw || !okf || f == 0 {
				return nil, fmt.Errorf("no BenchmarkPatch %s/%s %s for both wrapper and floor (was -benchmem on?)", c.transport, c.mode, row.unit)
			}
			ratio := w / f
			parts = append(parts, fmt.Sprintf("%s %.2f", c.label, ratio))
			if ratio > row.limit {
				missed = append(missed, fmt.Sprintf("%s %s/%s %.2f > %.2f", row.unit, c.transport, c.mode, ratio, row.limit))
			}
		}
		out = append(out, "wrapper/floor "+row.unit+": "+joinCases(parts))
	}

	// CPU per op: informative, no target; steadier than time per op on a
	// shared machine.
	var cpu []string
	for _, c := range cases {
		w, okw := r.median(patchName("wrapper", c.transport, c.mode), "cpu-ns/op")
		f, okf := r.median(patchName("floor", c.transport, c.mode), "cpu-ns/op")
		if !okw || !okf || f == 0 {
			cpu = nil
			break
		}
		cpu = append(cpu, fmt.Sprintf("%s %.2f", c.label, w/f))
	}
	if cpu != nil {
		out = append(out, "wrapper/floor CPU/op: "+joinCases(cpu))
	}

	var conns []string
	for _, c := range cases {
		w, okw := r.median(patchName("wrapper", c.transport, c.mode), "conns")
		f, okf := r.median(patchName("floor", c.transport, c.mode), "conns")
		if !okw || !okf {
			conns = nil
			break
		}
		conns = append(conns, fmt.Sprintf("%s %.0f/%.0f", c.label, w, f))
		limit := 1.0
		if c.mode == "parallel" {
			limit = concurrency
		}
		if w > limit {
			missed = append(missed, fmt.Sprintf("connections %s/%s %.0f > %.0f", c.transport, c.mode, w, limit))
		}
	}
	if conns != nil {
		out = append(out, "connections opened, wrapper/floor: "+joinCases(conns))
	}

	if line := guardedLine(r); line != "" {
		out = append(out, line)
	}
	line, miss := allLine(r)
	if line != "" {
		out = append(out, line)
	}
	missed = append(missed, miss...)
	if line := startupLine(r); line != "" {
		out = append(out, line)
	}

	verdict := "met"
	if len(missed) > 0 {
		verdict = "missed: " + strings.Join(missed, "; ")
	}
	out = append(out, fmt.Sprintf("targets (ns/op <= %.2f, allocs/op <= %.2f, connections <= 1 and %d, All heap <= %.0fx): %s",
		maxTimeRatio, maxAllocsRatio, concurrency, maxHeapGrowth, verdict))
	return out, nil
}

// joinCases joins the four cases as "a, b; TLS: c, d".
func joinCases(parts []string) string {
	return parts[0] + ", " + parts[1] + "; " + parts[2] + ", " + parts[3]
}

// guardedLine: a google update, whose flow guard reads the credential first,
// against the PATCH alone.
func guardedLine(r results) string {
	var parts []string
	for i, mode := range []string{"sequential", "parallel"} {
		g, okg := r.median(patchName("guarded", "http", mode), "ns/op")
		p, okp := r.median(patchName("wrapper", "http", mode), "ns/op")
		if !okg || !okp || p == 0 {
			return ""
		}
		of := "x"
		if i == 0 {
			of = "x the PATCH"
		}
		parts = append(parts, fmt.Sprintf("%s %s (%.2f%s)", mode, micros(g), g/p, of))
	}
	return "guarded google update (GET, then PATCH): " + strings.Join(parts, ", ")
}

func allLine(r results) (string, []string) {
	small, oks := r.median("BenchmarkAll/1000", "peak-heap-B")
	large, okl := r.median("BenchmarkAll/10000", "peak-heap-B")
	perCred, okc := r.median("BenchmarkAll/10000", "ns/cred")
	if !oks || !okl || !okc {
		return "", nil
	}
	growth := large / max(small, 1)
	line := fmt.Sprintf("All: %s per credential over 10,000; peak live heap %s (1,000: %s, %.2fx)",
		micros(perCred), kib(large), kib(small), growth)
	if growth > maxHeapGrowth {
		return line, []string{fmt.Sprintf("All heap 10,000/1,000 %.2fx > %.0fx", growth, maxHeapGrowth)}
	}
	return line, nil
}

func startupLine(r results) string {
	v, okv := r.median("BenchmarkStartup/version", "ns/op")
	g, okg := r.median("BenchmarkStartup/get", "ns/op")
	if !okv || !okg {
		return ""
	}
	return fmt.Sprintf("CLI start-up: version %.1f ms, get %.1f ms", v/1e6, g/1e6)
}

func micros(ns float64) string {
	us := ns / 1000
	if us >= 100 {
		return fmt.Sprintf("%.0f µs", us)
	}
	return fmt.Sprintf("%.1f µs", us)
}

func kib(b float64) string { return fmt.Sprintf("%.0f KiB", b/1024) }
