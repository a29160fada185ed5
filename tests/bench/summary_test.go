package bench

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// summary runs scripts/benchsummary.awk, which make bench ends with, on
// benchstat's CSV.
func summary(t *testing.T, csv string) (string, error) {
	t.Helper()
	awk, err := exec.LookPath("awk")
	if err != nil {
		t.Skip("no awk")
	}
	cmd := exec.Command(awk, "-f", "../../scripts/benchsummary.awk")
	cmd.Stdin = strings.NewReader(csv)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return stderr.String(), err
	}
	return string(out), nil
}

// TestBenchSummary: testdata/benchstat.csv is benchstat's CSV of three
// rounds whose medians are wrapper/floor 1.10 in time and 1.30 in
// allocations (at the targets), with 33 connections for 32 goroutines over
// TLS (over the target).
func TestBenchSummary(t *testing.T) {
	csv, err := os.ReadFile("testdata/benchstat.csv")
	if err != nil {
		t.Fatal(err)
	}
	got, err := summary(t, string(csv))
	if err != nil {
		t.Fatalf("%v: %s", err, got)
	}
	want := strings.Join([]string{
		"connections opened, wrapper/floor: sequential 1/1, parallel 32/32; TLS: sequential 1/1, parallel 33/33",
		"guarded google update (GET, then PATCH): sequential 210 µs (1.91x the PATCH), parallel 300 µs (2.73x)",
		"All: 3.0 µs per credential over 10,000; peak live heap 61 KiB (1,000: 60 KiB, 1.02x)",
		"Grants: 51 requests, 80.4 µs per grant over 10,000 (the fake's checks included); peak live heap 147 KiB",
		"CLI start-up: version 2.1 ms, get 4.0 ms",
		"targets (ns/op <= 1.20, allocs/op <= 1.40, connections <= 1 and 32, All heap <= 2x): missed: connections tls/parallel 33 > 32",
		"wrapper/floor ns/op: sequential 1.10, parallel 1.10; TLS: sequential 1.10, parallel 1.10",
		"wrapper/floor allocs/op: sequential 1.30, parallel 1.30; TLS: sequential 1.30, parallel 1.30",
	}, "\n") + "\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}

	// Without the floor's results there is no ratio: it fails, saying why.
	var noFloor []string
	for _, line := range strings.Split(string(csv), "\n") {
		if !strings.HasPrefix(line, "Patch/transport=tls/goroutines=32") {
			noFloor = append(noFloor, line)
		}
	}
	if msg, err := summary(t, strings.Join(noFloor, "\n")); err == nil || !strings.Contains(msg, "no sec/op for both impl=wrapper and impl=floor of Patch/transport=tls/goroutines=32") {
		t.Errorf("missing case: err %v, stderr %q", err, msg)
	}
}
