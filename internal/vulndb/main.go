// Command vulndb writes a Go vulnerability database in the layout that
// `govulncheck -db file:///DIR` reads, from a folder of OSV entries: the
// data/osv folder of the golang.org/x/vulndb module, which the Go module proxy
// serves like any module. `make vuln` uses it so that govulncheck needs no
// access to the public database host.
//
//	go run ./internal/vulndb -osv VULNDB_MODULE_DIR/data/osv -out DIR
//
// DIR receives index/db.json (the newest entry's date), index/modules.json
// (for each module, the ids of the entries that name it) and ID/<id>.json (each
// entry, byte for byte). The modules index leaves out each entry's "fixed"
// version: that field only lets govulncheck skip reading entries that cannot
// apply, and the entries themselves carry the affected ranges that decide.
//
// It is part of `make vuln`, not of the library.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// entry is the part of an OSV entry that the indexes need.
type entry struct {
	ID        string    `json:"id"`
	Modified  time.Time `json:"modified"`
	Published time.Time `json:"published"`
	Affected  []struct {
		Package struct {
			Name string `json:"name"`
		} `json:"package"`
	} `json:"affected"`
}

type dbMeta struct {
	Modified time.Time `json:"modified"`
}

type moduleMeta struct {
	Path  string       `json:"path"`
	Vulns []moduleVuln `json:"vulns"`
}

type moduleVuln struct {
	ID       string    `json:"id"`
	Modified time.Time `json:"modified"`
}

func main() {
	osvDir := flag.String("osv", "", "folder of OSV entries, named <ID>.json (the data/osv folder of golang.org/x/vulndb)")
	outDir := flag.String("out", "", "folder to write the database to; must not exist")
	flag.Parse()
	if *osvDir == "" || *outDir == "" || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: vulndb -osv DIR -out DIR")
		os.Exit(2)
	}
	n, err := build(*osvDir, *outDir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "vulndb:", err)
		os.Exit(1)
	}
	fmt.Printf("vulndb: %d entries from %s written to %s\n", n, *osvDir, *outDir)
}

// build reads every <ID>.json of osvDir and writes the database to outDir,
// returning the number of entries. outDir must not exist; on error it is
// left out entirely, never half written.
func build(osvDir, outDir string) (int, error) {
	if _, err := os.Stat(outDir); !errors.Is(err, os.ErrNotExist) {
		return 0, fmt.Errorf("-out %s: must not exist", outDir)
	}
	names, err := filepath.Glob(filepath.Join(osvDir, "*.json"))
	if err != nil {
		return 0, err
	}
	if len(names) == 0 {
		return 0, fmt.Errorf("-osv %s: no OSV entries (*.json)", osvDir)
	}
	tmp := outDir + ".tmp"
	if err := os.RemoveAll(tmp); err != nil {
		return 0, err
	}
	defer os.RemoveAll(tmp) // a no-op once renamed into place
	if err := os.MkdirAll(filepath.Join(tmp, "ID"), 0o755); err != nil {
		return 0, err
	}
	if err := os.MkdirAll(filepath.Join(tmp, "index"), 0o755); err != nil {
		return 0, err
	}
	var db dbMeta
	modules := map[string]*moduleMeta{}
	for _, name := range names {
		raw, err := os.ReadFile(name)
		if err != nil {
			return 0, err
		}
		var e entry
		if err := json.Unmarshal(raw, &e); err != nil {
			return 0, fmt.Errorf("%s: %w", name, err)
		}
		if e.ID == "" || filepath.Base(name) != e.ID+".json" {
			return 0, fmt.Errorf("%s: holds entry %q; the file must be named <id>.json", name, e.ID)
		}
		for _, t := range []time.Time{e.Modified, e.Published} {
			if t.After(db.Modified) {
				db.Modified = t
			}
		}
		for _, a := range e.Affected {
			path := a.Package.Name
			if path == "" {
				return 0, fmt.Errorf("%s: an affected package has no name", name)
			}
			m := modules[path]
			if m == nil {
				m = &moduleMeta{Path: path}
				modules[path] = m
			}
			if !slices.ContainsFunc(m.Vulns, func(v moduleVuln) bool { return v.ID == e.ID }) {
				m.Vulns = append(m.Vulns, moduleVuln{ID: e.ID, Modified: e.Modified})
			}
		}
		if err := os.WriteFile(filepath.Join(tmp, "ID", e.ID+".json"), raw, 0o644); err != nil {
			return 0, err
		}
	}
	index := make([]*moduleMeta, 0, len(modules))
	for _, m := range modules {
		slices.SortFunc(m.Vulns, func(a, b moduleVuln) int { return strings.Compare(a.ID, b.ID) })
		index = append(index, m)
	}
	slices.SortFunc(index, func(a, b *moduleMeta) int { return strings.Compare(a.Path, b.Path) })
	if err := writeJSON(filepath.Join(tmp, "index", "db.json"), db); err != nil {
		return 0, err
	}
	if err := writeJSON(filepath.Join(tmp, "index", "modules.json"), index); err != nil {
		return 0, err
	}
	if err := os.Rename(tmp, outDir); err != nil {
		return 0, err
	}
	return len(names), nil
}

func writeJSON(path string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}
