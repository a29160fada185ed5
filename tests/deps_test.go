package tests

import (
	"os/exec"
	"strings"
	"testing"
)

// TestWrapperDoesNotPullTestTooling: a program that imports only the wrapper
// must not compile kin-openapi, a YAML parser or the generator into its
// binary (they belong to tests and the fake server).
func TestWrapperDoesNotPullTestTooling(t *testing.T) {
	t.Parallel()
	out, err := exec.Command("go", "list", "-deps", "github.com/nylascreds/nylascreds/wrapper").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, pkg := range strings.Fields(string(out)) {
		for _, banned := range []string{"github.com/getkin/", "yaml", "github.com/oapi-codegen/oapi-codegen", "github.com/nylascreds/nylascreds/nylastest"} {
			if strings.Contains(pkg, banned) {
				t.Errorf("wrapper depends on %s", pkg)
			}
		}
	}
}
