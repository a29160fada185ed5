package tests

import (
	"os/exec"
	"strings"
	"testing"
)

// TestWrapperDoesNotPullTestTooling: a program that imports only the wrapper
// must not compile kin-openapi, a YAML parser or the generator into its
// binary (they belong to tests and the fake server), nor the CLI's cobra,
// pflag, x/term or testscript.
func TestWrapperDoesNotPullTestTooling(t *testing.T) {
	t.Parallel()
	out, err := exec.Command("go", "list", "-deps", "github.com/nylascreds/nylascreds/wrapper").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, pkg := range strings.Fields(string(out)) {
		for _, banned := range []string{"github.com/getkin/", "yaml", "github.com/oapi-codegen/oapi-codegen", "github.com/nylascreds/nylascreds/nylastest",
			"github.com/spf13/", "github.com/rogpeppe/", "golang.org/x/term"} { // the CLI's libraries stay in the CLI
			if strings.Contains(pkg, banned) {
				t.Errorf("wrapper depends on %s", pkg)
			}
		}
	}
}
