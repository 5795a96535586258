#!/usr/bin/env bash
# Reproduces the numbers in BENCHMARKS.md, side by side in one run:
#   1. native tokenise throughput (cargo bench), and CLK encoding natively and
#      through the JS API in Node and headless Chromium against clkhash 0.18.3
#      on the same rows (scripts/clk/bench.sh)
#   2. the package's .wasm size, raw and gzip -9
#   3. tokenise throughput in Node 20 and in headless Chromium, each against a
#      plain-JS implementation of the same tokens over WebCrypto in the same run,
#      plus (Chromium) the time from navigation start to a ready module.
#   4. oblivious tokens: the two package entries' sizes, the key server under a
#      loopback load generator (benches/keyserver.rs), client blind+finalize
#      per value in Node and Chromium and the checkout's added latency
#      (benches/js/oblivious.mjs)
#   5. linking: Dice comparisons/s of anonlink 0.15.3, pseudolink native and
#      pseudolink in headless Chromium on the same CLKs
#      (scripts/link/bench_anonlink.py --wasm), and the 10k x 10k link through
#      the JS API in Node and Chromium (scripts/link/bench_js.sh)
# Needs `make setup` and `make pkg`. N=… sets the record count (default 100000).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

echo "== native (cargo bench --bench tokenize)"
cargo bench --quiet --bench tokenize 2>/dev/null | grep records/s

echo "== CLK encoding: clkhash, native, Node, Chromium (scripts/clk/bench.sh)"
scripts/clk/bench.sh

echo "== package size"
for wasm in pkg/pseudolink_bg.wasm pkg/pseudolink_oblivious_bg.wasm; do
    [[ -f $wasm ]] || { echo "bench: $wasm missing: run make pkg" >&2; exit 1; }
    echo "$(basename "$wasm"): $(wc -c <"$wasm") bytes raw, $(gzip -9 -c "$wasm" | wc -c) bytes gzip -9"
done

echo "== Node"
node benches/js/node.mjs
echo "== headless Chromium"
node benches/js/browser.mjs

echo "== oblivious: key server under load (release server, loopback load generator)"
cargo build --quiet --release --features server --bin pseudolink-server
cargo bench --quiet --features oblivious --bench keyserver 2>/dev/null
echo "== oblivious: client cost (Node, Chromium) and checkout latency"
node benches/js/oblivious.mjs

echo "== linking: Dice, anonlink vs native vs Chromium (scripts/link/bench_anonlink.py --wasm)"
python3 scripts/link/bench_anonlink.py --wasm
echo "== linking: 10k x 10k through the JS API, Node and Chromium (scripts/link/bench_js.sh)"
scripts/link/bench_js.sh
