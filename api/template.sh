#!/usr/bin/env bash
# The request builders in gen/ come from api/templates/client.tmpl, our copy of
# the pinned oapi-codegen's client.tmpl with one change (see its header).
# api/templates/client.tmpl.diff is that change, as a diff against the pinned
# generator's template. Run through the Makefile:
#
#   make check-template   fail unless the pinned client.tmpl plus the diff is exactly the copy
#   make template-diff    rewrite the diff from the copy (after changing the copy on purpose)
#
# After a generator upgrade, check-template fails; it prints the commands that
# re-apply the change to the new template.
set -euo pipefail
cd "$(dirname "$0")/.."

GO=${GO:-go}
COPY=api/templates/client.tmpl
DIFF=api/templates/client.tmpl.diff

die() { echo "$*" >&2; exit 1; }

# upstream prints the path of the pinned oapi-codegen's client.tmpl,
# downloading the module if the cache lacks it.
upstream() {
	local json dir
	json=$(cd api/tools && "$GO" mod download -json github.com/oapi-codegen/oapi-codegen/v2) ||
		die "check-template: could not download the pinned oapi-codegen: $(sed -n 's/^[[:space:]]*"Error": "\(.*\)",*$/\1/p' <<<"$json")"
	dir=$(sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p' <<<"$json")
	[ -n "$dir" ] && [ -f "$dir/pkg/codegen/templates/client.tmpl" ] ||
		die "check-template: found no client.tmpl in the pinned oapi-codegen (go mod download said: $json)"
	echo "$dir/pkg/codegen/templates/client.tmpl"
}

# current_diff prints the copy against the pinned template, as the diff file holds it.
current_diff() {
	diff -u --label "oapi-codegen client.tmpl" --label "$COPY" "$1" "$COPY" || [ $? -eq 1 ]
}

case ${1:-} in
check)
	up=$(upstream)
	[ -f "$DIFF" ] || die "check-template: $DIFF is missing; run make template-diff"
	if ! cmp -s <(current_diff "$up") "$DIFF"; then
		echo "check-template: $COPY is not the pinned oapi-codegen's client.tmpl plus $DIFF." >&2
		echo "  If the generator was upgraded, re-apply the change to its template:" >&2
		echo "    cp $up $COPY && chmod u+w $COPY && patch $COPY < $DIFF" >&2
		echo "  then resolve any rejected hunk, run make template-diff and make generate, and check gen/." >&2
		echo "  If the copy was changed on purpose, run make template-diff." >&2
		exit 1
	fi
	echo "check-template: $COPY is the pinned oapi-codegen's client.tmpl plus $DIFF"
	;;
diff)
	current_diff "$(upstream)" >"$DIFF"
	echo "template-diff: wrote $DIFF"
	;;
*) die "usage: api/template.sh check|diff" ;;
esac
