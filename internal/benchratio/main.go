// Command benchratio reads `go test -bench -benchmem` output and prints the
// wrapper/floor ratios of BenchmarkPatch, from the medians of every count:
//
//	wrapper/floor ns/op: sequential X.XX, parallel Y.YY
//	wrapper/floor allocs/op: sequential X.XX, parallel Y.YY
//
// It is part of `make bench`, not of the library.
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"regexp"
	"sort"
	"strconv"
)

// benchLine matches e.g.
// BenchmarkPatch/wrapper/sequential-2   21354   57238 ns/op   11754 B/op   144 allocs/op
// BenchmarkPatch/floor/parallel#03-2   ... (a repeated round)
var benchLine = regexp.MustCompile(`^BenchmarkPatch/(wrapper|floor)/(sequential|parallel)(?:#\d+)?(?:-\d+)?\s+\d+\s+([\d.]+) ns/op(?:\s+[\d.]+ B/op\s+([\d.]+) allocs/op)?`)

type key struct{ side, mode string }

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
	lines, err := ratios(f)
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchratio:", err)
		os.Exit(1)
	}
	for _, l := range lines {
		fmt.Println(l)
	}
}

// ratios computes the two summary lines from benchmark output.
func ratios(r io.Reader) ([]string, error) {
	ns := map[key][]float64{}
	allocs := map[key][]float64{}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		m := benchLine.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		k := key{m[1], m[2]}
		v, _ := strconv.ParseFloat(m[3], 64)
		ns[k] = append(ns[k], v)
		if m[4] != "" {
			a, _ := strconv.ParseFloat(m[4], 64)
			allocs[k] = append(allocs[k], a)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	ratio := func(samples map[key][]float64, mode string) (float64, error) {
		w, f := samples[key{"wrapper", mode}], samples[key{"floor", mode}]
		if len(w) == 0 || len(f) == 0 {
			return 0, fmt.Errorf("no BenchmarkPatch %s results for both wrapper and floor (was -benchmem on?)", mode)
		}
		return median(w) / median(f), nil
	}
	var out []string
	for _, row := range []struct {
		unit    string
		samples map[key][]float64
	}{{"ns/op", ns}, {"allocs/op", allocs}} {
		seq, err := ratio(row.samples, "sequential")
		if err != nil {
			return nil, err
		}
		par, err := ratio(row.samples, "parallel")
		if err != nil {
			return nil, err
		}
		out = append(out, fmt.Sprintf("wrapper/floor %s: sequential %.2f, parallel %.2f", row.unit, seq, par))
	}
	return out, nil
}

func median(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}
