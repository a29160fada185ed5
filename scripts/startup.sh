#!/usr/bin/env bash
# startup.sh BINARY... : CLI start-up time, medians of RUNS runs (default 200)
# of each binary, interleaved run by run so that the load of a shared machine
# falls on every binary alike: wall time, and CPU time (user + system), which
# a busy machine disturbs less. Two commands are timed: one that does no I/O
# (`version`, or `--help` on a build without it) and a `get` against a
# loopback `nylascreds fake` served by the first binary.
set -euo pipefail
runs=${RUNS:-200}
bins=("$@")

port=$(( 20000 + RANDOM % 20000 ))
log=$(mktemp)
"${bins[0]}" fake --addr "127.0.0.1:$port" >"$log" 2>&1 &
fake=$!
trap 'kill "$fake" 2>/dev/null; wait "$fake" 2>/dev/null; rm -f "$log" "$log".*' EXIT
for _ in $(seq 100); do grep -q '^API key: ' "$log" && break; sleep 0.05; done
export NYLAS_API_KEY=$(sed -n 's/^API key: //p' "$log")
url="http://127.0.0.1:$port"
id=$("${bins[0]}" create --provider google --name startup --type connector --client-id c \
	--client-secret-file <(echo s) --base-url "$url" | sed -n 's/.*"id": "\(.*\)".*/\1/p')

nocmd() { "$1" version >/dev/null 2>&1 && echo version || echo --help; }
nocmds=()
for b in "${bins[@]}"; do nocmds+=("$(nocmd "$b")"); done

TIMEFORMAT='%R %U %S'
median() { sort -n | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)] * 1000}'; }
for kind in nocmd get; do
	for i in "${!bins[@]}"; do : >"$log.$i"; done
	for _ in $(seq "$runs"); do
		for i in "${!bins[@]}"; do
			b=${bins[$i]}
			if [ "$kind" = nocmd ]; then args=("${nocmds[$i]}"); else args=(get --provider google --id "$id" --base-url "$url"); fi
			{ time "$b" "${args[@]}" >/dev/null; } 2>>"$log.$i"
		done
	done
	for i in "${!bins[@]}"; do
		b=${bins[$i]}
		label=$([ "$kind" = nocmd ] && echo "${nocmds[$i]}" || echo "get (loopback fake)")
		printf '%-24s %-22s wall %6s ms, cpu %6s ms (medians of %d runs)\n' "$b" "$label" \
			"$(awk '{print $1}' "$log.$i" | median)" "$(awk '{print $2 + $3}' "$log.$i" | median)" "$runs"
	done
done
