# benchsummary.awk: the summary `make bench` ends with, read from
# `benchstat -format csv -col /impl` of its results. Every figure is a
# median benchstat computed; this only divides and compares them:
#
#	connections opened, wrapper/floor: sequential 1/1, parallel 32/32; TLS: sequential 1/1, parallel 32/32
#	guarded google update (GET, then PATCH): sequential S µs (Rx the PATCH), parallel P µs (Rx)
#	All: T µs per credential over 10,000; peak live heap H KiB (1,000: H KiB, Gx)
#	CLI start-up: version V ms, get G ms
#	Grants: R requests, T µs per grant over 10,000 (the fake's checks included); peak live heap H KiB
#	targets (ns/op <= 1.20, allocs/op <= 1.40, connections <= 1 and 32, All heap <= 2x): met
#	wrapper/floor ns/op: sequential S, parallel P; TLS: sequential S, parallel P
#	wrapper/floor allocs/op: sequential S, parallel P; TLS: sequential S, parallel P
#
# A line whose benchmarks are missing is left out, except the last two,
# without which it fails. Sequential is goroutines=1, parallel goroutines=32.
BEGIN {
	FS = ","
	maxTime = 1.20; maxAllocs = 1.40; concurrency = 32; maxHeap = 2
	split("http/1 http/32 tls/1 tls/32", cases, " ")
	split("http/sequential http/parallel tls/sequential tls/parallel", names, " ")
	split("sequential|parallel|TLS: sequential|parallel", labels, "|")
}

# A table: the impl of each column, the unit of each column, then its rows.
/^[a-z]+: / { state = 0; next }
$0 == "" { state = 0; next }
state == 0 { split($0, impl, ","); state = 1; next }
state == 1 { split($0, unit, ","); state = 2; next }
{
	name = $1
	sub(/-[0-9]+$/, "", name) # GOMAXPROCS
	for (j = 2; j <= NF; j++)
		if ($j != "" && unit[j] != "CI" && unit[j] != "vs base" && unit[j] != "P")
			v[name SUBSEP unit[j] SUBSEP impl[j]] = $j
}

function has(name, u, side) { return (name SUBSEP u SUBSEP side) in v }
function get(name, u, side) { return v[name SUBSEP u SUBSEP side] + 0 }
function patch(c,    parts) {
	split(c, parts, "/")
	return "Patch/transport=" parts[1] "/goroutines=" parts[2]
}
function micros(sec) { return sprintf(sec >= 1e-4 ? "%.0f µs" : "%.1f µs", sec * 1e6) }
function kib(b) { return sprintf("%.0f KiB", b / 1024) }
# four: the four cases as "a, b; TLS: c, d".
function four(p) { return labels[1] " " p[1] ", " labels[2] " " p[2] "; " labels[3] " " p[3] ", " labels[4] " " p[4] }

# ratio fills r with wrapper/floor of unit u for the four cases, noting
# the ones over limit; it fails when a side is missing.
function ratio(u, limit, what, r,    i, n, w, f) {
	for (i = 1; i <= 4; i++) {
		n = patch(cases[i])
		if (!has(n, u, "wrapper") || !has(n, u, "floor") || get(n, u, "floor") == 0) {
			print "benchsummary: no " u " for both impl=wrapper and impl=floor of " n " (was -benchmem on?)" > "/dev/stderr"
			failed = 1
			exit 1
		}
		w = get(n, u, "wrapper"); f = get(n, u, "floor")
		r[i] = sprintf("%.2f", w / f)
		if (w / f > limit) missed = missed sprintf("; %s %s %.2f > %.2f", what, names[i], w / f, limit)
	}
}

END {
	if (failed) exit 1
	ratio("sec/op", maxTime, "ns/op", t)
	ratio("allocs/op", maxAllocs, "allocs/op", a)

	ok = 1
	for (i = 1; i <= 4; i++) {
		n = patch(cases[i])
		if (!has(n, "conns", "wrapper") || !has(n, "conns", "floor")) { ok = 0; break }
		c[i] = sprintf("%.0f/%.0f", get(n, "conns", "wrapper"), get(n, "conns", "floor"))
		limit = (i % 2 == 1) ? 1 : concurrency
		if (get(n, "conns", "wrapper") > limit) missed = missed sprintf("; connections %s %.0f > %d", names[i], get(n, "conns", "wrapper"), limit)
	}
	if (ok) print "connections opened, wrapper/floor: " four(c)

	gs = "GuardedUpdate/transport=http/goroutines=1"; gp = "GuardedUpdate/transport=http/goroutines=32"
	if (has(gs, "sec/op", "wrapper") && has(gp, "sec/op", "wrapper"))
		printf "guarded google update (GET, then PATCH): sequential %s (%.2fx the PATCH), parallel %s (%.2fx)\n",
			micros(get(gs, "sec/op", "wrapper")), get(gs, "sec/op", "wrapper") / get(patch(cases[1]), "sec/op", "wrapper"),
			micros(get(gp, "sec/op", "wrapper")), get(gp, "sec/op", "wrapper") / get(patch(cases[2]), "sec/op", "wrapper")

	small = "All/credentials=1000"; large = "All/credentials=10000"
	if (has(small, "peak-heap-B", "wrapper") && has(large, "peak-heap-B", "wrapper") && has(large, "sec/cred", "wrapper")) {
		hs = get(small, "peak-heap-B", "wrapper"); hl = get(large, "peak-heap-B", "wrapper")
		growth = hl / (hs > 1 ? hs : 1)
		printf "All: %s per credential over 10,000; peak live heap %s (1,000: %s, %.2fx)\n",
			micros(get(large, "sec/cred", "wrapper")), kib(hl), kib(hs), growth
		if (growth > maxHeap) missed = missed sprintf("; All heap 10,000/1,000 %.2fx > %dx", growth, maxHeap)
	}

	g = "Grants/grants=10000"
	if (has(g, "sec/grant", "wrapper") && has(g, "peak-heap-B", "wrapper") && has(g, "requests", "wrapper"))
		printf "Grants: %.0f requests, %s per grant over 10,000 (the fake's checks included); peak live heap %s\n",
			get(g, "requests", "wrapper"), micros(get(g, "sec/grant", "wrapper")), kib(get(g, "peak-heap-B", "wrapper"))

	if (has("Startup/version", "sec/op", "") && has("Startup/get", "sec/op", ""))
		printf "CLI start-up: version %.1f ms, get %.1f ms\n", get("Startup/version", "sec/op", "") * 1e3, get("Startup/get", "sec/op", "") * 1e3

	printf "targets (ns/op <= %.2f, allocs/op <= %.2f, connections <= 1 and %d, All heap <= %dx): %s\n",
		maxTime, maxAllocs, concurrency, maxHeap, missed == "" ? "met" : "missed: " substr(missed, 3)
	print "wrapper/floor ns/op: " four(t)
	print "wrapper/floor allocs/op: " four(a)
}
