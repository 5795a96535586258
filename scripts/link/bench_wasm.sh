#!/usr/bin/env bash
# Linking speed in headless Chromium (wasm32, opt-level "s" like the package,
# without LTO): Dice comparisons/s and a 10k x 10k link. Prints the numbers
# BENCHMARKS.md ("Linking") reports. Usage: scripts/link/bench_wasm.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
export CARGO_PROFILE_DEV_OPT_LEVEL=s CARGO_PROFILE_DEV_DEBUG_ASSERTIONS=false \
    CARGO_PROFILE_DEV_OVERFLOW_CHECKS=false CARGO_PROFILE_DEV_DEBUG=0 \
    CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner
CHROMEDRIVER=$(command -v chromedriver) env -u GECKODRIVER \
    scripts/cargo-wasm test --test link_wasm -- --nocapture 2>&1 | grep -E "^wasm "
