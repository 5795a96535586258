# pseudolink: build, test and demo entry points. `make help` lists them.
# Everything a target needs is installed by `make setup` (scripts/setup.sh).

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
# Stages share target/ and the browsers: never run them in parallel.
.NOTPARALLEL:

CARGO_WASM := scripts/cargo-wasm
TIMED := scripts/timed.sh
JS := tests/js
PORT ?= 8080
KEYSERVER_PORT ?= 8081
# DEMO ONLY config and seeds (see demo/keyserver/README.md).
KEYSERVER_CONFIG ?= demo/keyserver/keyserver.json
# DEMO ONLY: SHA-256 of the back office's key for GET /api/orders, the demo
# string 'demo_back_office_orders_not_secret' (for scripts and tests; no page holds it).
ORDERS_KEY_SHA256 ?= 78c1329ecf2dc9912facf931a946f88d8ff41895a3537e712be64a99a15dd320
LINKAGE_PORT ?= 8082
CONSOLE_PORT ?= 8083
# DEMO ONLY store key and credential hashes (see demo/linkage/).
LINKAGE_CONFIG ?= demo/linkage/linkage.json
# Runs of 100k+ records go to the Splink job, which needs the wheel: the
# venv `make python` builds, else whatever python3 is on PATH.
LINKAGE_PYTHON ?= $(if $(wildcard target/python-venv/bin/python),$(CURDIR)/target/python-venv/bin/python,python3)

# Browser tests of the wasm build: every tests/web*.rs (wasm_bindgen_test, run_in_browser).
WASM_TESTS := $(patsubst tests/%.rs,--test %,$(wildcard tests/web*.rs))
# The runner's default 20 s for a whole suite is exceeded by the debug-build
# identity suite on a loaded 2-core machine (CI failed there once, 2026-12-05).
WASM_RUNNER := CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner WASM_BINDGEN_TEST_TIMEOUT=600
# Features the browser tests build with (tests/web_oblivious.rs needs `oblivious`,
# tests/web_identity.rs `identity`, which includes `link`).
WASM_FEATURES ?= --features oblivious,identity

.PHONY: help setup pkg server demo test bench clean distclean \
	fmt clippy clippy-server clippy-wasm doc test-native error-codes test-server msrv vectors-check phone-check \
	pkg-stage size-budget test-chromium test-firefox test-simd types node-smoke bundler e2e clk-diff demo-data-check \
	python fuzz-smoke fuzz-long bench-smoke

help:
	@echo "make setup   install toolchains, browsers and JS test tools (idempotent)"
	@echo "make pkg     build the JS package in pkg/ (wasm32 + wasm-bindgen + wasm-opt)"
	@echo "make server  build the demo server (release)"
	@echo "make demo    setup + pkg + server, then serve www/ on http://127.0.0.1:$(PORT)/ and the key server on :$(KEYSERVER_PORT)"
	@echo "make test    everything CI runs (see the test target)"
	@echo "make bench   scripts/bench.sh"
	@echo "make clean   remove build output"

setup:
	scripts/setup.sh

pkg:
	scripts/build-pkg.sh

server:
	cargo build --release --features server --bin pseudolink-server

# The server runs in the background; once it listens, the company's pipeline
# uploads the demo directory to the linkage service (nothing to do if the
# store already has it), then make waits on the server.
demo: setup pkg server
	@echo "demo: open http://127.0.0.1:$(PORT)/ (playground) and"
	@echo "      http://127.0.0.1:$(PORT)/checkout/ (no key in the page; key server on 127.0.0.1:$(KEYSERVER_PORT)) and"
	@echo "      http://127.0.0.1:$(PORT)/portal/ (partner portal; linkage service on 127.0.0.1:$(LINKAGE_PORT)) and"
	@echo "      http://127.0.0.1:$(CONSOLE_PORT)/console/ (the company's staff console, its own origin)  (Ctrl-C stops it)"
	@mkdir -p demo-data
	PSEUDOLINK_LINKAGE_PYTHON=$(LINKAGE_PYTHON) target/release/pseudolink-server --port $(PORT) --www www --pkg pkg --db demo-data/checkout.sqlite \
		--keyserver $(KEYSERVER_CONFIG) --keyserver-port $(KEYSERVER_PORT) \
		--linkage $(LINKAGE_CONFIG) --linkage-port $(LINKAGE_PORT) --linkage-db demo-data/linkage.sqlite \
		--console-port $(CONSOLE_PORT) --orders-key-sha256 $(ORDERS_KEY_SHA256) & \
	server=$$!; \
	node scripts/company-upload.mjs --pages http://127.0.0.1:$(PORT) --wait 30 --state demo-data/company-upload.json \
		|| { kill $$server; wait $$server; exit 1; }; \
	wait $$server

# The whole suite, one timed stage after another; a summary of stage times is
# printed at the end (and kept in target/stage-times.txt).
test:
	@mkdir -p target && : >target/stage-times.txt
	@$(TIMED) setup scripts/setup.sh
	@$(MAKE) --no-print-directory fmt clippy clippy-server clippy-wasm doc test-native error-codes test-server \
		msrv vectors-check phone-check clk-diff fuzz-smoke bench-smoke test-chromium test-firefox test-simd pkg-stage size-budget python types node-smoke bundler demo-data-check e2e
	@echo "== make test: all stages passed"; cat target/stage-times.txt

fmt:
	@$(TIMED) fmt cargo fmt --all --check

clippy:
	@$(TIMED) clippy cargo clippy --workspace --all-targets --locked -- -D warnings

clippy-server:
	@$(TIMED) clippy-server cargo clippy --workspace --all-targets --locked --features server -- -D warnings

# The API docs build without a warning (broken intra-doc links, bad HTML, ...),
# with every feature the docs describe.
doc:
	@$(TIMED) doc env RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --locked --features server

# The last run is the SIMD128 build's own code (src/sha256x.rs lanes, Dice popcount),
# in its own target dir as scripts/build-pkg.sh builds it.
clippy-wasm:
	@$(TIMED) clippy-wasm bash -c "$(CARGO_WASM) clippy --lib --locked --no-default-features -- -D warnings \
		&& $(CARGO_WASM) clippy --lib --tests --locked -- -D warnings \
		&& $(CARGO_WASM) clippy --lib --tests --locked $(WASM_FEATURES) -- -D warnings \
		&& PSEUDOLINK_WASM_TARGET_DIR=$(CURDIR)/target/wasm-simd RUSTFLAGS='-C target-feature=+simd128' \
			$(CARGO_WASM) clippy --lib --locked --no-default-features --features link,perf -- -D warnings"

# Also the lib's own tests without default features (the core package entry's
# feature set), so a test that needs `fuzzy` says so.
test-native:
	@$(TIMED) test-native bash -c "cargo test --workspace --locked && cargo test --locked --no-default-features --lib"

# The one error-code table (src/error.rs): codes unique and well formed, each
# round-trips through ErrorCode::parse, and tests/error-codes.d.ts (the
# TypeScript union) is generated from it (BLESS=1 updates). Reuses test-native's build.
error-codes:
	@$(TIMED) error-codes cargo test --workspace --locked --lib error_codes

# What the `server` feature adds (it turns on `oblivious`): the lib's and the
# server binary's unit tests, and the test files gated on `server` or
# `oblivious`. The other test files are feature-independent and ran in test-native.
SERVER_TESTS := $(patsubst tests/%.rs,--test %,$(shell grep -lE 'cfg\(feature = "(server|oblivious)"\)' tests/*.rs))
test-server:
	@$(TIMED) test-server cargo test --locked --features server --lib --bins $(SERVER_TESTS)

# Every dependency's rust-version is no newer than ours (see the script).
msrv:
	@$(TIMED) msrv python3 scripts/msrv-check.py

# Vector hashes recomputed with hashlib, and the generated Unicode tables
# against their generator (Python's unicodedata, after rustfmt).
vectors-check:
	@$(TIMED) vectors-check bash -c "python3 scripts/vectors/fill_hashes.py --check && python3 scripts/gen_unicode_tables.py --check"

# src/normalize/phone/metadata.rs against its generator and pinned phonenumbers
# (a venv under target/).
phone-check:
	@$(TIMED) phone-check scripts/phone-check.sh

# CLKs against clkhash 0.18.3 itself (a venv under target/) on 10,000 generated rows.
clk-diff:
	@$(TIMED) clk-diff scripts/clk/diff.sh

# Every cargo-fuzz target in fuzz/ for 15 s, two at a time, from seeds made
# by the library and tests/vectors (scripts/fuzz.sh; stable Rust with
# RUSTC_BOOTSTRAP=1, no sanitizer: see fuzz/README.md). Fails on any crash,
# hang or out-of-memory.
fuzz-smoke:
	@$(TIMED) fuzz-smoke scripts/fuzz.sh --smoke 15 --jobs 2

# Not in `make test`: each target for 10,000,000 executions (hours on 2
# cores), under nice; the table goes to target/fuzz-long/results.md
# (BENCHMARKS.md keeps the last one).
fuzz-long:
	FUZZ_OUT=target/fuzz-long nice -n 19 scripts/fuzz.sh --runs 10000000 --jobs 2

test-chromium:
	@$(TIMED) test-chromium env -u GECKODRIVER $(WASM_RUNNER) CHROMEDRIVER=$$(command -v chromedriver) \
		$(CARGO_WASM) test --locked $(WASM_FEATURES) $(WASM_TESTS)

# Tests whose wasm code differs in the SIMD128 build and that no JS entry
# reaches (tests/web_dice.rs: the two-row Dice kernel), built with simd128,
# in Node.
# The native benches run (small: the identity graph at 2,000 records), so a
# bench that no longer runs is seen; their numbers are not checked here.
bench-smoke:
	@$(TIMED) bench-smoke sh -c 'IDENTITY_BENCH_RECORDS=2000 cargo bench --locked --bench identity && cargo bench --locked --bench link'

test-simd:
	@$(TIMED) test-simd env PSEUDOLINK_WASM_TARGET_DIR=$(CURDIR)/target/wasm-simd RUSTFLAGS='-C target-feature=+simd128' \
		$(WASM_RUNNER) $(CARGO_WASM) test --locked --test web_dice

test-firefox:
	@$(TIMED) test-firefox env -u CHROMEDRIVER $(WASM_RUNNER) GECKODRIVER=$$(command -v geckodriver) \
		$(CARGO_WASM) test --locked $(WASM_FEATURES) $(WASM_TESTS)

pkg-stage:
	@$(TIMED) pkg scripts/build-pkg.sh

# The Python package (python/): builds the abi3 wheel, runs its pytest suite
# (API and codes, oblivious tokens against the demo key server, a Splink
# DuckDB dedupe job, Splink <-> Linker models, README's python blocks) and the
# three-way conformance check (tests/conformance: Rust, Node, Python byte for
# byte). After pkg-stage (Node reads pkg/) and test-server (the debug server).
python:
	@$(TIMED) python scripts/python/test.sh

# The core entry's .wasm within its 120 KB gzip -9 budget (after pkg-stage).
size-budget:
	@$(TIMED) size-budget scripts/size-budget.sh

# The built package through TypeScript (tests/js/types/check.mjs): a strict
# consumer of every entry, and every js/ts block of README.md and pkg/README.md.
types:
	@$(TIMED) types bash -c "cd $(JS) && node --test --test-reporter=spec types/check.mjs"

node-smoke:
	@$(TIMED) node-smoke bash -c "cd $(JS) && node --test --test-reporter=spec node-smoke.mjs node-link.mjs node-identity.mjs node-hostile.mjs node-simd.mjs"

bundler:
	@$(TIMED) bundler bash -c "cd $(JS) && node --test --test-reporter=spec bundler.mjs"

# Uses the newest of target/{release,debug}/pseudolink-server (test-server builds debug).
# The portal's committed demo directory, partner file and truth are what
# scripts/demo-directory.sh generates (needs pkg/).
demo-data-check:
	@$(TIMED) demo-data-check scripts/demo-directory.sh --check

# Page tests. e2e/browsers.test.mjs and the console, identity-store, link-worker
# and oblivious suites run in Chromium (playwright-core) and Firefox ESR
# (geckodriver, WebDriver BiDi: selenium-webdriver; E2E_BROWSERS=chromium or
# firefox picks one); the others in Chromium. First: the vendored Papa Parse
# (www/vendor/papaparse/) is the pinned npm package's build.
e2e:
	@$(TIMED) e2e bash -c "scripts/portal/vendor-papaparse.sh --check && cd $(JS) && node --test --test-reporter=spec --test-concurrency=1 e2e/"

bench:
	@if [[ -x scripts/bench.sh ]]; then scripts/bench.sh; \
	else echo "bench: scripts/bench.sh does not exist yet" >&2; exit 1; fi

clean:
	cargo clean
	rm -rf pkg/pseudolink.js pkg/pseudolink.d.ts pkg/pseudolink_bg.wasm pkg/pseudolink_bg.wasm.d.ts \
		pkg/pseudolink_*.js pkg/pseudolink_*.d.ts pkg/pseudolink_*_bg.wasm pkg/pseudolink_*_bg.wasm.d.ts \
		pkg/snippets tests/e2e-artifacts

# Also forget the installed JS test tools (scripts/setup.sh reinstalls them).
distclean: clean
	rm -rf $(JS)/node_modules
