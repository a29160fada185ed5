# Every tool used here comes from the Go toolchain or is pinned by a go.mod in
# this repository, so a machine with Go 1.26 and the module proxy is enough.
#
# The tools (oapi-codegen, oasdiff, apidiff, staticcheck, govulncheck,
# benchstat) are pinned by api/tools/go.mod and run with `go tool
# -modfile=...`. A separate tools module, rather than `tool` lines in our own
# go.mod, keeps their dependencies out of the module graph of every program
# that imports nylascreds; `go tool` (rather than `go run module@version`)
# also pins each tool's own dependencies through api/tools/go.sum, so every
# machine produces byte-identical gen/ and the same findings.

SHELL := bash
.SHELLFLAGS := -o pipefail -ec

GO ?= go
TOOL = $(GO) tool -modfile=api/tools/go.mod

# Every target builds, tests and scans with the toolchain named by the
# toolchain line of go.mod (go1.27.3), which the go command fetches through the
# module proxy the first time (about 76 MB): Go 1.26.8's net/http, crypto/tls,
# crypto/x509 and net/textproto have vulnerabilities that the CLI reaches and
# that are fixed only in later releases. The library still promises Go 1.26
# (the go directive), which check-go-directive proves with the machine's own
# Go. See "Toolchain" in the README. `make GOTOOLCHAIN=local ...` runs a target
# with the machine's own Go instead, except the compatibility gates, which
# always use the toolchain their baselines were written with.
export GOTOOLCHAIN := $(shell sed -n 's/^toolchain //p' go.mod)

.PHONY: all generate check-generated fmt-check vet test demo bench bench-cli fuzz \
	spec-lint spec-check api-check check-gates release-check release-baselines lint vuln check-go-directive

all: test

## generate: regenerate gen/ and wrapper/providers_gen.go from openapi.yaml.
generate:
	$(GO) generate ./...

## check-generated: regenerate into a scratch copy of the tree and fail on any difference in gen/
## or wrapper/providers_gen.go.
check-generated:
	@tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	tar --exclude=./.git -cf - . | tar -xf - -C "$$tmp" && \
	(cd "$$tmp" && $(GO) generate ./...) && \
	if ! diff -ru gen "$$tmp/gen" || ! diff -u wrapper/providers_gen.go "$$tmp/wrapper/providers_gen.go"; then \
		echo "gen/ or wrapper/providers_gen.go is stale: openapi.yaml or api/ changed without 'make generate'" >&2; exit 1; \
	fi

## fmt-check: fail when gofmt would change a hand-written file (gen/ is the generator's).
fmt-check:
	@out=$$(gofmt -l $$(git ls-files --cached --others --exclude-standard '*.go' | grep -v '^gen/')); \
	if [ -n "$$out" ]; then echo "gofmt needed:" $$out >&2; exit 1; fi

vet:
	$(GO) vet ./...

## demo: the main job: the client against the embedded fake server, with a transcript.
demo:
	$(GO) run ./cmd/nylascreds demo

## test: everything CI runs but make vuln. The spec and API gates come first, so
## that a breaking change is named before anything fails to compile because of it.
test: fmt-check spec-check api-check spec-lint lint vet check-go-directive check-generated check-gates
	$(GO) test -race -count=1 ./...

## spec-lint: openapi.yaml is a valid OpenAPI document (oasdiff validate, any
## finding fails) and every component in it is used (TestSpecComponentsAreReferenced).
spec-lint:
	$(TOOL) oasdiff validate --allow-external-refs=false --color never --fail-on INFO openapi.yaml
	$(GO) test -count=1 -run '^(TestSpecLoadsAndValidates|TestSpecComponentsAreReferenced|TestUnreferencedComponentsFindsUnused)$$' ./tests

## spec-check: openapi.yaml against the spec of the last release (api/released/);
## fails on a breaking change unless wrapper.Version starts a new compatibility line.
spec-check:
	@bash api/compat.sh spec-check

## api-check: the Go API of nylascreds, gen, wrapper and nylastest against the last
## release (apidiff); fails on an incompatible change under the same rule.
api-check:
	@bash api/compat.sh api-check

## check-gates: prove in a scratch copy that spec-check and api-check fail on a
## removed provider and a renamed wrapper function, and pass a new optional
## response field and a new patch version; and that a new response field fails
## TestCredentialFieldsReachWrapper until it reaches wrapper.Credential.
check-gates:
	@bash api/compat.sh check-gates

## release-check: what changed since the last release, whether it breaks, and how
## to cut the next release.
release-check:
	@bash api/compat.sh release-check

## release-baselines: rewrite api/released/ (spec, Go API export data, VERSION)
## from the current tree and wrapper.Version; run only when cutting a release.
release-baselines:
	@bash api/compat.sh release-baselines

## lint: staticcheck on every hand-written package (gen/ is the generator's).
lint:
	$(TOOL) staticcheck $$($(GO) list ./... | grep -v '/gen$$')

## check-go-directive: build and vet every package, tests included, with the
## machine's own Go (Go 1.26 in CI): the go directive promises Go 1.26 to importers.
check-go-directive:
	GOTOOLCHAIN=local $(GO) vet ./...

# The Go vulnerability database, as the golang.org/x/vulndb module (which the
# module proxy serves); internal/vulndb indexes its OSV entries for govulncheck.
VULNDB_VERSION = v0.0.0-20261105234957-e22db6528018

## vuln: govulncheck on every package, against the database of VULNDB_VERSION,
## built offline into a scratch directory; fails on any vulnerability the code calls.
vuln:
	@tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	dir=$$($(GO) mod download -json golang.org/x/vulndb@$(VULNDB_VERSION) | sed -n 's/^\t"Dir": "\(.*\)",$$/\1/p'); \
	test -d "$$dir/data/osv" || { echo "vuln: no data/osv in golang.org/x/vulndb@$(VULNDB_VERSION)" >&2; exit 1; }; \
	$(GO) run ./internal/vulndb -osv "$$dir/data/osv" -out "$$tmp/db"; \
	$(TOOL) govulncheck -db "file://$$tmp/db" ./...

FUZZTIME ?= 30s
FUZZ_TARGETS = ./wrapper:FuzzParseGoogleServiceAccountKey ./wrapper:FuzzCredentialDataValidation \
	./wrapper:FuzzNewAPIError ./wrapper:FuzzParseRetryAfter ./wrapper:FuzzScrub

## fuzz: run each fuzz target for FUZZTIME (make test runs their seed corpora only).
fuzz:
	@for target in $(FUZZ_TARGETS); do \
		echo "== $$target ($(FUZZTIME))"; \
		$(GO) test "$${target%%:*}" -run '^$$' -fuzz "^$${target#*:}\$$" -fuzztime $(FUZZTIME) || exit 1; \
	done

BENCH_ROUNDS ?= 5
# Packages whose benchmarks make bench runs and compares; cmd/nylascreds's
# BenchmarkStartup/{version,get} gives the summary's CLI start-up line.
BENCH_PKGS ?= ./tests/bench ./cmd/nylascreds

## bench: benchmarks (not part of test), a few minutes, in BENCH_ROUNDS rounds: the wrapper with its
## defaults (impl=wrapper) against a hand-written net/http floor (impl=floor) over plain HTTP and TLS,
## sequential and 32-way, the update flow guard, All over 1,000 and 10,000 credentials, a 10,000-grant
## walk, and CLI start-up; the fake server (nylastest): requests per second and bytes per 100,000
## requests. Each round is a process of its own, so that no side runs in a heap the other has grown.
## benchstat prints the tables, wrapper beside floor (-col /impl); the summary lines follow, from its medians.
bench:
	@mkdir -p bench
	@rm -f bench/bench.txt
	@for round in $$(seq $(BENCH_ROUNDS)); do \
		$(GO) test $(BENCH_PKGS) -run '^$$' -bench . -benchmem -count=1 | tee -a bench/bench.txt || exit 1; \
	done
	$(GO) test ./nylastest -run '^$$' -bench . -benchmem -count=$(BENCH_ROUNDS) | tee bench/fake.txt
	$(TOOL) benchstat bench/fake.txt
	$(TOOL) benchstat -col /impl bench/bench.txt
	@$(TOOL) benchstat -format csv -col /impl bench/bench.txt 2>/dev/null | awk -f scripts/benchsummary.awk

CLI_RUNS ?= 200

## bench-cli: CLI start-up time (`version`, and `get` against a loopback fake), medians of
## CLI_RUNS interleaved runs; CLI_BASE=/path/to/another/nylascreds compares with that build.
bench-cli:
	@tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	$(GO) build -o "$$tmp/nylascreds" ./cmd/nylascreds; \
	RUNS=$(CLI_RUNS) bash scripts/startup.sh "$$tmp/nylascreds" $(CLI_BASE)
