#!/usr/bin/env bash
# The identity graph in headless Chromium (wasm32, opt-level "s" like the
# package, without LTO): 100k build and 1k incremental adds through the Rust
# API compiled to wasm and through the JS API, with memory (benches/wasm/identity.rs). Prints the numbers
# BENCHMARKS.md ("Identity graph") reports. The native run of the same
# workload: cargo bench --bench identity.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
export CARGO_PROFILE_DEV_OPT_LEVEL="${OPT_LEVEL:-s}" CARGO_PROFILE_DEV_DEBUG_ASSERTIONS=false \
    CARGO_PROFILE_DEV_OVERFLOW_CHECKS=false CARGO_PROFILE_DEV_DEBUG=0 \
    CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
    WASM_BINDGEN_TEST_TIMEOUT="${WASM_BINDGEN_TEST_TIMEOUT:-900}"
# One run per test: wasm memory never shrinks, so each needs a fresh instance.
for t in wasm_identity_core_speed wasm_identity_speed; do
    CHROMEDRIVER=$(command -v chromedriver) env -u GECKODRIVER \
        scripts/cargo-wasm test --features identity --test identity_wasm -- --nocapture --exact "$t" 2>&1 \
        | grep -E "^wasm "
done
