package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const (
	entryA = `{"schema_version":"1.3.1","id":"GO-2026-0002","modified":"2026-03-04T05:06:07Z","published":"2026-03-01T00:00:00Z",` +
		`"affected":[{"package":{"name":"stdlib","ecosystem":"Go"}},{"package":{"name":"toolchain","ecosystem":"Go"}}]}`
	entryB = `{"schema_version":"1.3.1","id":"GO-2026-0001","modified":"0001-01-01T00:00:00Z","published":"2026-05-01T00:00:00Z",` +
		`"affected":[{"package":{"name":"stdlib","ecosystem":"Go"}},{"package":{"name":"stdlib","ecosystem":"Go"}}]}`
)

func writeOSV(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestBuildWritesTheV1Layout(t *testing.T) {
	osv := writeOSV(t, map[string]string{"GO-2026-0002.json": entryA, "GO-2026-0001.json": entryB, "README.md": "not an entry"})
	out := filepath.Join(t.TempDir(), "db")
	n, err := build(osv, out)
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Errorf("entries = %d, want 2", n)
	}
	want := map[string]string{
		// The newest date of any entry, published or modified.
		"index/db.json": `{"modified":"2026-05-01T00:00:00Z"}`,
		// Modules sorted by path, ids sorted and listed once per module.
		"index/modules.json": `[{"path":"stdlib","vulns":[{"id":"GO-2026-0001","modified":"0001-01-01T00:00:00Z"},{"id":"GO-2026-0002","modified":"2026-03-04T05:06:07Z"}]},` +
			`{"path":"toolchain","vulns":[{"id":"GO-2026-0002","modified":"2026-03-04T05:06:07Z"}]}]`,
		// Entries byte for byte.
		"ID/GO-2026-0001.json": entryB,
		"ID/GO-2026-0002.json": entryA,
	}
	for name, body := range want {
		got, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			t.Error(err)
			continue
		}
		if string(got) != body {
			t.Errorf("%s =\n%s\nwant\n%s", name, got, body)
		}
	}
	if _, err := os.Stat(out + ".tmp"); !os.IsNotExist(err) {
		t.Errorf("the scratch directory %s.tmp is left behind (%v)", out, err)
	}
}

func TestBuildRefusesBadInput(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"no entries", map[string]string{"README.md": "x"}, "no OSV entries"},
		{"misnamed", map[string]string{"GO-2026-9999.json": entryA}, `holds entry "GO-2026-0002"`},
		{"not JSON", map[string]string{"GO-2026-0001.json": "{"}, "GO-2026-0001.json: unexpected end of JSON input"},
		{"unnamed package", map[string]string{"GO-2026-0003.json": `{"id":"GO-2026-0003","affected":[{"package":{}}]}`}, "an affected package has no name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "db")
			_, err := build(writeOSV(t, tc.files), out)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one containing %q", err, tc.want)
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Errorf("%s exists after a failed build (%v)", out, err)
			}
			if _, err := os.Stat(out + ".tmp"); !os.IsNotExist(err) {
				t.Errorf("%s.tmp is left behind (%v)", out, err)
			}
		})
	}
}

func TestBuildRefusesAnExistingOutput(t *testing.T) {
	out := t.TempDir()
	if _, err := build(writeOSV(t, map[string]string{"GO-2026-0002.json": entryA}), out); err == nil || !strings.Contains(err.Error(), "must not exist") {
		t.Fatalf("err = %v, want a refusal to overwrite %s", err, out)
	}
}
