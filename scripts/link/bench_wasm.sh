#!/usr/bin/env bash
# Linking speed in headless Chromium (wasm32, opt-level "s" like the package,
# without LTO): Dice comparisons/s on the CLKs of target/link-bench/clks.bin
# (the file scripts/link/bench_anonlink.py times anonlink on; written here
# if missing) and a 10k x 10k link of tests/link_synth. Prints the numbers
# BENCHMARKS.md ("Linking") reports.
#   scripts/link/bench_wasm.sh [dice|link]      (default: both)
# OPT_LEVEL=3 (with PSEUDOLINK_WASM_TARGET_DIR=target/wasm-o3, to keep the
# usual build) times the crate at opt-level 3 instead.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
export LINK_BENCH_CLKS="${LINK_BENCH_CLKS:-$PWD/target/link-bench/clks.bin}"
[[ -f $LINK_BENCH_CLKS ]] || python3 scripts/link/bench_anonlink.py --write-only
export CARGO_PROFILE_DEV_OPT_LEVEL="${OPT_LEVEL:-s}" CARGO_PROFILE_DEV_DEBUG_ASSERTIONS=false \
    CARGO_PROFILE_DEV_OVERFLOW_CHECKS=false CARGO_PROFILE_DEV_DEBUG=0 \
    CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner
filter=()
[[ $# -gt 0 ]] && filter=("wasm_$1_speed")
CHROMEDRIVER=$(command -v chromedriver) env -u GECKODRIVER \
    scripts/cargo-wasm test --test link_wasm -- --nocapture "${filter[@]}" 2>&1 | grep -E "^wasm "
