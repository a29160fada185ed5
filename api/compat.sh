#!/usr/bin/env bash
# Compatibility gates and release baselines. Run through the Makefile:
#
#   make spec-check         openapi.yaml against the spec of the last release (oasdiff)
#   make api-check          the Go API of every importable package against the last release (apidiff)
#   make release-check      what changed since the last release, and how to cut the next one
#   make release-baselines  rewrite api/released/ from the current tree and wrapper.Version
#   make check-gates        prove, in a scratch copy, that the two gates fail and pass as they should, and that a new response field must reach the wrapper
#
# The policy is written in the README ("Releases and compatibility"): a change
# that oasdiff rates breaking (ERR) or possibly breaking (WARN), or that apidiff
# rates incompatible, passes only when wrapper.Version starts a new
# compatibility line after the released version: a new major version, or
# before 1.0.0 a new minor one (0.1.x -> 0.2.0).
set -euo pipefail
cd "$(dirname "$0")/.."

# Export data records standard-library types as one toolchain sees them (Go
# 1.27's encoding/json defines RawMessage as an alias of jsontext.Value, Go
# 1.26's as a type of its own), so the baselines are written and compared
# with one toolchain: go.mod's.
GOTOOLCHAIN=$(sed -n 's/^toolchain //p' go.mod)
[ -n "$GOTOOLCHAIN" ] || { echo "go.mod: no toolchain line" >&2; exit 1; }
export GOTOOLCHAIN
GO=${GO:-go}
TOOL=("$GO" tool -modfile=api/tools/go.mod)
MODULE=github.com/nylascreds/nylascreds
RELEASED=api/released
# Every package that another module can import (cmd/, internal/ and tests/
# cannot be), by directory; the baseline of "." is nylascreds.export.
API_PACKAGES=(. gen wrapper nylastest admin)
# The spec comparison: --flatten-params so that changes to parameters declared
# on a path item (provider) are seen, and no fetching of external $refs.
OASDIFF_FLAGS=(--flatten-params --allow-external-refs=false --color never)

die() {
	echo "$*" >&2
	exit 1
}

# version prints wrapper.Version, the one place the version is written.
version() {
	local v
	v=$(sed -n 's/^const Version = "\([0-9][0-9]*\.[0-9][0-9]*\.[0-9][0-9]*\)"$/\1/p' wrapper/version.go)
	[ "$(wc -w <<<"$v")" -eq 1 ] || die 'wrapper/version.go: want exactly one line `const Version = "X.Y.Z"`'
	echo "$v"
}

released_version() {
	local v
	[ -f "$RELEASED/VERSION" ] || die "$RELEASED/VERSION is missing: run make release-baselines"
	v=$(cat "$RELEASED/VERSION")
	[[ $v =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "$RELEASED/VERSION: want X.Y.Z, got '$v'"
	echo "$v"
}

# line prints the compatibility line of a version: its major version, or
# before 1.0.0 "0.MINOR".
line() {
	local major minor
	IFS=. read -r major minor _ <<<"$1"
	if [ "$major" = 0 ]; then echo "0.$minor"; else echo "$major"; fi
}

# next_breaking prints the version a breaking change must move to.
next_breaking() {
	local major minor
	IFS=. read -r major minor _ <<<"$1"
	if [ "$major" = 0 ]; then echo "0.$((minor + 1)).0"; else echo "$((major + 1)).0.0"; fi
}

pkg_path() { if [ "$1" = . ]; then echo "$MODULE"; else echo "$MODULE/$1"; fi; }
baseline_file() { if [ "$1" = . ]; then echo "$RELEASED/nylascreds.export"; else echo "$RELEASED/$1.export"; fi; }

# verdict explains a failed gate and how to resolve it; it returns 0 when the
# version already allows the break.
verdict() {
	local what=$1 current released
	current=$(version)
	released=$(released_version)
	if [ "$(line "$current")" != "$(line "$released")" ]; then
		echo "$what: allowed: version $current (wrapper/version.go) starts a new compatibility line after $released"
		return 0
	fi
	cat >&2 <<EOF
$what: FAIL: the changes above break programs written against release $released.
  Either keep the old behaviour (add rather than change or remove), or make this
  a breaking release: set Version to $(next_breaking "$released") in wrapper/version.go and
  describe the change under [Unreleased] in CHANGELOG.md.
  If $released itself is still being prepared (not tagged yet), run
  make release-baselines to take the current tree as $released instead.
EOF
	return 1
}

spec_check() {
	local released out rc=0
	released=$(released_version)
	[ -f "$RELEASED/openapi.yaml" ] || die "$RELEASED/openapi.yaml is missing: run make release-baselines"
	# Only oasdiff's report is captured: the go command's own messages (such
	# as "go: downloading" while it builds the tool the first time) go to
	# stderr as they come.
	out=$("${TOOL[@]}" oasdiff breaking "${OASDIFF_FLAGS[@]}" --fail-on WARN "$RELEASED/openapi.yaml" openapi.yaml) || rc=$?
	case $rc in
	0)
		echo "spec-check: openapi.yaml is compatible with the spec of release $released ($(head -n1 <<<"$out"))"
		;;
	1)
		echo "spec-check: openapi.yaml against the spec of release $released ($RELEASED/openapi.yaml):"
		echo "$out"
		verdict spec-check
		;;
	*)
		echo "$out"
		die "spec-check: oasdiff could not compare the specs (exit $rc)"
		;;
	esac
}

api_check() {
	local released dir pkg file out errs failed=0
	released=$(released_version)
	errs=$(mktemp)
	for dir in "${API_PACKAGES[@]}"; do
		pkg=$(pkg_path "$dir")
		file=$(baseline_file "$dir")
		if [ ! -f "$file" ]; then
			# A package added since the release has nothing to break yet;
			# the next release-baselines records it.
			echo "api-check: $pkg: new since release $released, nothing to compare"
			continue
		fi
		# apidiff's report is its stdout; its stderr (and the go command's,
		# such as "go: downloading" on first use) is shown only on failure.
		if ! out=$("${TOOL[@]}" apidiff -incompatible "$file" "$pkg" 2>"$errs"); then
			echo "api-check: $pkg: cannot be loaded, which breaks every program that imports it:"
			cat "$errs"
			failed=1
			continue
		fi
		# wrapper.Version is a constant whose value every release changes;
		# apidiff counts any change of a constant's value as incompatible.
		if [ "$dir" = wrapper ]; then
			out=$(grep -v '^- Version: value changed from "[0-9.]*" to "[0-9.]*"$' <<<"$out" || true)
		fi
		if [ -n "$out" ]; then
			echo "api-check: $pkg: incompatible with release $released:"
			echo "$out"
			failed=1
		fi
	done
	rm -f "$errs"
	if [ "$failed" = 0 ]; then
		echo "api-check: the Go API of ${#API_PACKAGES[@]} packages is compatible with release $released"
		return 0
	fi
	verdict api-check
}

baselines() {
	local current tmp dir
	current=$(version)
	tmp=$(mktemp -d api/released.tmp.XXXXXX)
	trap "rm -rf '$tmp'" EXIT
	cp openapi.yaml "$tmp/openapi.yaml"
	for dir in "${API_PACKAGES[@]}"; do
		"${TOOL[@]}" apidiff -w "$tmp/$(basename "$(baseline_file "$dir")")" "$(pkg_path "$dir")"
	done
	echo "$current" >"$tmp/VERSION"
	cat >"$tmp/README.md" <<EOF
# Baselines of release $current

Written by \`make release-baselines\` from the tree of release $current; never edit by hand.
\`make spec-check\` compares \`openapi.yaml\` with \`openapi.yaml\` here (oasdiff), and
\`make api-check\` compares the Go API of each importable package with its \`*.export\` file
(apidiff export data). See "Releases and compatibility" in the README.
EOF
	rm -rf "$RELEASED"
	mv "$tmp" "$RELEASED"
	chmod 755 "$RELEASED"
	trap - EXIT
	echo "release-baselines: $RELEASED/ now holds the spec and the Go API of $current:"
	ls -1 "$RELEASED"
}

release_check() {
	local current released dir out
	current=$(version)
	released=$(released_version)
	printf '%-30s%s\n' "version (wrapper/version.go):" "$current" "baselines (api/released/):" "$released"
	if git rev-parse --git-dir >/dev/null 2>&1 && [ -z "$(git tag -l "v$released")" ]; then
		printf '%-30s%s\n' "tag v$released:" "not in this clone (if $released is still being prepared," \
			"" "make release-baselines takes the current tree as $released)"
	fi
	echo
	echo "== Spec changes since $released (oasdiff changelog)"
	"${TOOL[@]}" oasdiff changelog "${OASDIFF_FLAGS[@]}" "$RELEASED/openapi.yaml" openapi.yaml
	echo
	echo "== Go API changes since $released (apidiff)"
	for dir in "${API_PACKAGES[@]}"; do
		echo "-- $(pkg_path "$dir")"
		out=$("${TOOL[@]}" apidiff "$(baseline_file "$dir")" "$(pkg_path "$dir")") || true
		echo "${out:-No changes}"
	done
	echo
	echo "== Gates"
	spec_check || true
	api_check || true
	cat <<EOF

== Cutting a release
  1. Choose the version: after any breaking change above, $(next_breaking "$released");
     otherwise the next minor (from 1.0.0 on) or patch version.
  2. Set it in wrapper/version.go (the only place it is written).
  3. In CHANGELOG.md, rename [Unreleased] to [X.Y.Z] - YYYY-MM-DD, start a new
     empty [Unreleased] above it, and update the links at the bottom.
  4. make release-baselines   (rewrites api/released/ from this tree and that version)
  5. make test, then commit ("Release X.Y.Z") and tag that commit vX.Y.Z.
  api/released/ changes only in a release commit: between releases it is what
  the gates compare against.
EOF
}

# check_gates proves, in a scratch copy of the tree, that each gate fails on a
# breaking change (naming it) and passes a compatible one.
check_gates() {
	local tmp released file fails=0
	tmp=$(mktemp -d)
	trap "rm -rf '$tmp'" EXIT
	tar --exclude=./.git -cf - . | tar -xf - -C "$tmp/"
	# The scratch tree takes itself as the last release, so that each case
	# below is judged against the tree as it is, whatever unreleased changes
	# (and version bump) it already holds.
	(cd "$tmp" && bash api/compat.sh release-baselines >/dev/null)
	released=$(cd "$tmp" && released_version)
	mkdir "$tmp/.pristine"
	cp -r "$tmp/openapi.yaml" "$tmp/gen" "$tmp/wrapper" "$tmp/.pristine/"

	expect() { # expect pass|fail WHAT NEEDLE COMMAND...
		local want=$1 what=$2 needle=$3 out rc=0
		shift 3
		out=$(cd "$tmp" && "$@" 2>&1) || rc=$?
		if { [ "$want" = pass ] && [ $rc -ne 0 ]; } || { [ "$want" = fail ] && [ $rc -eq 0 ]; } ||
			! grep -qF -- "$needle" <<<"$out"; then
			echo "check-gates: FAIL: $what: want $want with output containing: $needle" >&2
			sed 's/^/    /' <<<"$out" >&2
			fails=$((fails + 1))
		else
			echo "check-gates: ok: $what $([ "$want" = pass ] && echo passes || echo fails): $(grep -F -m1 -- "$needle" <<<"$out" | sed 's/^[[:space:]]*//')"
		fi
	}
	regenerate() { (cd "$tmp" && "$GO" generate ./... >/dev/null); }
	restore() { (cd "$tmp" && rm -rf openapi.yaml gen wrapper && cp -r .pristine/. .); }

	# 1. Removing a provider from the enum breaks the spec and gen's API.
	sed -i '/^        - zoom$/d' "$tmp/openapi.yaml"
	cmp -s "$tmp/openapi.yaml" openapi.yaml && die "check-gates: no '        - zoom' line to remove in openapi.yaml"
	regenerate
	expect fail "remove provider zoom: spec-check" 'removed the enum value `zoom`' bash api/compat.sh spec-check
	expect fail "remove provider zoom: api-check" "ProviderZoom: removed" bash api/compat.sh api-check
	restore

	# 2. A new optional response field is compatible.
	awk '{ print }
		/^    Credential:$/ { incred = 1 }
		incred && /^      properties:$/ {
			print "        added_by_check_gates:"
			print "          type: string"
			print "          description: A new optional field."
			incred = 0
		}' openapi.yaml >"$tmp/openapi.yaml"
	cmp -s "$tmp/openapi.yaml" openapi.yaml && die "check-gates: found no Credential properties in openapi.yaml"
	regenerate
	grep -q 'AddedByCheckGates ' "$tmp/gen/nylasapi.gen.go" || die "check-gates: the new field did not reach gen/"
	expect pass "add optional response field: spec-check" "spec-check: openapi.yaml is compatible" bash api/compat.sh spec-check
	expect pass "add optional response field: api-check" "api-check: the Go API of" bash api/compat.sh api-check
	expect fail "add optional response field: it must reach wrapper.Credential" "AddedByCheckGates" \
		"$GO" test -count=1 -run '^TestCredentialFieldsReachWrapper$' ./wrapper
	restore

	# 3. Renaming an exported wrapper function breaks the Go API.
	file=$(cd "$tmp" && grep -l '^func New(' wrapper/*.go | head -n1) || true
	[ -n "$file" ] || die "check-gates: no 'func New(' in wrapper/ to rename"
	sed -i 's/^func New(/func NewClient(/' "$tmp/$file"
	expect fail "rename wrapper.New: api-check" "New: removed" bash api/compat.sh api-check
	restore

	# 4. A new version alone (a patch release) changes no API.
	sed -i "s/^const Version = \".*\"$/const Version = \"${released%.*}.$((${released##*.} + 1))\"/" "$tmp/wrapper/version.go"
	expect pass "next patch version: api-check" "api-check: the Go API of" bash api/compat.sh api-check
	restore

	[ "$fails" = 0 ] || die "check-gates: $fails check(s) failed"
	echo "check-gates: the gates fail on a breaking change, naming it, pass compatible ones, and a new response field must reach the wrapper"
}

case ${1:-} in
spec-check) spec_check ;;
api-check) api_check ;;
release-baselines) baselines ;;
release-check) release_check ;;
check-gates) check_gates ;;
*) die "usage: api/compat.sh spec-check|api-check|release-baselines|release-check|check-gates" ;;
esac
