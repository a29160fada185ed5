package main

import (
	"strings"
	"testing"
)

func TestRatios(t *testing.T) {
	in := `goos: linux
BenchmarkPatch/wrapper/sequential-2   100   110 ns/op   10 B/op   13 allocs/op
BenchmarkPatch/floor/sequential-2     100   100 ns/op   10 B/op   10 allocs/op
BenchmarkPatch/wrapper/parallel-2     100    60 ns/op   10 B/op   12 allocs/op
BenchmarkPatch/floor/parallel-2       100    50 ns/op   10 B/op   10 allocs/op
BenchmarkPatch/wrapper/sequential#01-2   100   130 ns/op   10 B/op   13 allocs/op
BenchmarkPatch/floor/sequential-2     100   100 ns/op   10 B/op   10 allocs/op
BenchmarkPatch/wrapper/sequential-2   100   120 ns/op   10 B/op   13 allocs/op
BenchmarkPatch/floor/sequential-2     100   200 ns/op   10 B/op   10 allocs/op
BenchmarkValidate/connector-2  1000  44.4 ns/op  24 B/op  1 allocs/op
`
	got, err := ratios(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"wrapper/floor ns/op: sequential 1.20, parallel 1.20",
		"wrapper/floor allocs/op: sequential 1.30, parallel 1.20",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if _, err := ratios(strings.NewReader("BenchmarkPatch/wrapper/sequential-2 1 1 ns/op\n")); err == nil {
		t.Error("missing results were not reported")
	}
}
