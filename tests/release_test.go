package tests

import (
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nylascreds/nylascreds/wrapper"
)

// TestVersionMatchesChangelogAndBaselines: wrapper.Version, the one place the
// version is written, agrees with CHANGELOG.md and with the release whose
// baselines api/released/ holds (see "Releases and compatibility" in the
// README).
func TestVersionMatchesChangelogAndBaselines(t *testing.T) {
	t.Parallel()
	changelog, err := os.ReadFile("../CHANGELOG.md")
	if err != nil {
		t.Fatal(err)
	}
	baseline, err := os.ReadFile("../api/released/VERSION")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat("../api/released/openapi.yaml"); err != nil {
		t.Errorf("api/released/openapi.yaml: %v; run make release-baselines", err)
	}
	for _, problem := range releaseProblems(string(changelog), strings.TrimSpace(string(baseline)), wrapper.Version) {
		t.Error(problem)
	}
}

// TestReleaseProblemsCatchesDrift proves the check above can fail.
func TestReleaseProblemsCatchesDrift(t *testing.T) {
	t.Parallel()
	const head = "# Changelog\n\n## [Unreleased]\n\n"
	const rel = "## [0.2.0] - 2026-12-01\n\n### Changed\n- x\n\n## [0.1.0] - 2026-11-27\n\n- y\n\n"
	const links = "[Unreleased]: u\n[0.2.0]: a\n[0.1.0]: b\n"
	for _, tc := range []struct {
		name, changelog, baseline, version, want string
	}{
		{"consistent", head + rel + links, "0.2.0", "0.2.0", ""},
		{"next version under way", "# Changelog\n\n## [Unreleased]\n\n### Removed\n- z\n\n" + rel + links, "0.2.0", "0.3.0", ""},
		{"version behind the changelog", head + rel + links, "0.2.0", "0.1.0", "wrapper.Version 0.1.0 is older than 0.2.0"},
		{"version ahead, nothing unreleased", head + rel + links, "0.2.0", "0.3.0", "describe it under [Unreleased]"},
		{"stale baselines", head + rel + links, "0.1.0", "0.2.0", "api/released/ holds the baselines of 0.1.0"},
		{"no unreleased section", "# Changelog\n\n" + rel + links, "0.2.0", "0.2.0", "first section must be ## [Unreleased]"},
		{"no release", head + "[Unreleased]: u\n", "0.1.0", "0.1.0", "no released version"},
		{"bad version", head + rel + links, "0.2.0", "v0.2", `wrapper.Version "v0.2" is not X.Y.Z`},
		{"bad date", head + "## [0.2.0] - 1 Dec 2026\n" + links, "0.2.0", "0.2.0", `"## [0.2.0] - 1 Dec 2026"`},
		{"out of order", head + "## [0.1.0] - 2026-11-27\n## [0.2.0] - 2026-12-01\n" + links, "0.1.0", "0.1.0", "0.2.0 is listed below 0.1.0"},
		{"missing link", head + rel + "[Unreleased]: u\n[0.2.0]: a\n", "0.2.0", "0.2.0", "no link [0.1.0]: at the bottom"},
	} {
		got := strings.Join(releaseProblems(tc.changelog, tc.baseline, tc.version), "\n")
		if tc.want == "" && got != "" || !strings.Contains(got, tc.want) {
			t.Errorf("%s: problems = %q, want one containing %q", tc.name, got, tc.want)
		}
	}
}

var (
	changelogHeading = regexp.MustCompile(`^## \[([^\]]+)\](.*)$`)
	releaseSuffix    = regexp.MustCompile(`^ - (\d{4}-\d{2}-\d{2})$`)
	plainVersion     = regexp.MustCompile(`^(\d+)\.(\d+)\.(\d+)$`)
)

// releaseProblems checks a CHANGELOG.md in Keep a Changelog form against the
// version of the baselines in api/released/ and wrapper.Version:
//
//   - the first section is [Unreleased], then every release as
//     "## [X.Y.Z] - YYYY-MM-DD", newest first, each with a link at the bottom;
//   - the baselines are those of the newest release;
//   - wrapper.Version is that release, or a later one being prepared, whose
//     changes [Unreleased] describes.
func releaseProblems(changelog, baseline, version string) []string {
	var problems []string
	type section struct {
		name, rest string
		body       []string
	}
	var sections []*section
	links := map[string]bool{}
	for _, line := range strings.Split(changelog, "\n") {
		if m := changelogHeading.FindStringSubmatch(line); m != nil {
			sections = append(sections, &section{name: m[1], rest: m[2]})
			continue
		}
		if name, _, ok := strings.Cut(line, "]: "); ok && strings.HasPrefix(name, "[") {
			links[name[1:]] = true
			continue
		}
		if len(sections) > 0 && strings.TrimSpace(line) != "" {
			sections[len(sections)-1].body = append(sections[len(sections)-1].body, line)
		}
	}
	if len(sections) == 0 || sections[0].name != "Unreleased" || sections[0].rest != "" {
		return append(problems, "CHANGELOG.md: the first section must be ## [Unreleased]")
	}
	var releases []string
	for _, s := range sections {
		if !links[s.name] {
			problems = append(problems, fmt.Sprintf("CHANGELOG.md: no link [%s]: at the bottom", s.name))
		}
		if s == sections[0] {
			continue
		}
		m := releaseSuffix.FindStringSubmatch(s.rest)
		if !plainVersion.MatchString(s.name) || m == nil {
			problems = append(problems, fmt.Sprintf("CHANGELOG.md: %q: want ## [X.Y.Z] - YYYY-MM-DD", "## ["+s.name+"]"+s.rest))
			continue
		}
		if _, err := time.Parse(time.DateOnly, m[1]); err != nil {
			problems = append(problems, fmt.Sprintf("CHANGELOG.md: [%s]: %v", s.name, err))
		}
		if n := len(releases); n > 0 && compareVersions(s.name, releases[n-1]) >= 0 {
			problems = append(problems, fmt.Sprintf("CHANGELOG.md: %s is listed below %s; newest first", s.name, releases[n-1]))
		}
		releases = append(releases, s.name)
	}
	if len(releases) == 0 {
		return append(problems, "CHANGELOG.md: no released version")
	}
	newest := releases[0]
	if baseline != newest {
		problems = append(problems, fmt.Sprintf("api/released/ holds the baselines of %s, but the newest release in CHANGELOG.md is %s: cutting a release runs make release-baselines", baseline, newest))
	}
	if !plainVersion.MatchString(version) {
		return append(problems, fmt.Sprintf("wrapper.Version %q is not X.Y.Z", version))
	}
	switch c := compareVersions(version, newest); {
	case c < 0:
		problems = append(problems, fmt.Sprintf("wrapper.Version %s is older than %s, the newest release in CHANGELOG.md", version, newest))
	case c > 0 && len(sections[0].body) == 0:
		problems = append(problems, fmt.Sprintf("wrapper.Version %s is ahead of the newest release %s: describe it under [Unreleased] in CHANGELOG.md", version, newest))
	}
	return problems
}

// compareVersions orders two X.Y.Z versions.
func compareVersions(a, b string) int {
	pa, pb := plainVersion.FindStringSubmatch(a), plainVersion.FindStringSubmatch(b)
	for i := 1; i <= 3; i++ {
		x, _ := strconv.Atoi(pa[i])
		y, _ := strconv.Atoi(pb[i])
		if x != y {
			return x - y
		}
	}
	return 0
}
