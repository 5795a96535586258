#!/usr/bin/env bash
# 10k x 10k link through the JS API (`pseudolink/link`), in Node 20 and then in
# headless Chromium, on the synthetic generator's data:
#   pseudolink-synth link --n N --overlap 0.5 --seed 1
#   -> RecordEncoder.encodeBatch (default CLK schema) on both datasets
#   -> Linker.link (default config), JSON crossing of the encoded records included
# Prints one JSON line per runtime (benches/js/link.mjs link). Needs `make pkg`.
#   scripts/link/bench_js.sh [N]      (default 10000; RUNS=3 repetitions)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
n="${1:-10000}"
[[ -f pkg/pseudolink_link_bg.wasm ]] || { echo "link/bench_js: pkg/pseudolink_link_bg.wasm missing: run make pkg" >&2; exit 1; }
dir=target/link-bench/synth-$n
cargo build --quiet --release -p pseudolink-synth
target/release/pseudolink-synth link --n "$n" --overlap 0.5 --seed 1 --out "$dir" >/dev/null
node benches/js/link.mjs link "$dir"
