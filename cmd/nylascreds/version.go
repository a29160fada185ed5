package main

import (
	"fmt"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"

	"github.com/nylascreds/nylascreds/wrapper"
)

// buildInfo is what the version command reports, read from the binary.
type buildInfo struct {
	version   string // module version, "(devel)" or "" for a build from a checkout
	revision  string // vcs.revision, "" when not recorded
	modified  bool   // vcs.modified
	goVersion string
}

func readBuildInfo() buildInfo {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return buildInfo{}
	}
	info := buildInfo{version: bi.Main.Version, goVersion: bi.GoVersion}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			info.revision = s.Value
		case "vcs.modified":
			info.modified = s.Value == "true"
		}
	}
	return info
}

// versionString renders one line: the module version (wrapper.Version for a
// build from a checkout), the commit and the Go version.
//
//	nylascreds v0.1.0 (commit 0123456789ab, go1.26.8)
//	nylascreds 0.1.0-devel (commit 0123456789ab, modified, go1.26.8)
//	nylascreds 0.1.0-devel (commit unknown, go1.26.8)
func versionString(bi buildInfo) string {
	v := bi.version
	if v == "" || v == "(devel)" {
		v = wrapper.Version + "-devel"
	}
	commit := "commit unknown"
	if bi.revision != "" {
		commit = "commit " + bi.revision[:min(12, len(bi.revision))]
	}
	parts := []string{commit}
	if bi.modified {
		parts = append(parts, "modified")
	}
	if bi.goVersion != "" {
		parts = append(parts, bi.goVersion)
	}
	return "nylascreds " + v + " (" + strings.Join(parts, ", ") + ")"
}

func (c *cli) versionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version and commit of this build",
		Long: `Print the module version, the commit it was built from and the Go version, in one line.
A build from a checkout (go build, go run) reports the library version with "-devel";
the commit is recorded when the build ran in a git checkout with VCS stamping on.`,
		Example: "  nylascreds version\n  nylascreds --version",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := fmt.Fprintln(c.stdout, versionString(readBuildInfo()))
			return err
		},
	}
}
