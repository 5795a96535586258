#!/usr/bin/env bash
# Tokens side by side in one run (issue 17): native (cargo bench --bench
# tokenize), Node (scalar and SIMD .wasm, each against @noble/hashes and
# WebCrypto in the same process) and headless Chromium (scalar and SIMD pages,
# each against WebCrypto in the same page). Needs `make setup pkg`; installs
# @noble/hashes 1.x under target/bench-js (bench only, not a test dependency).
#   scripts/bench-tokens.sh            N=… sets the record count (default 100000)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
[[ -f pkg/pseudolink_simd_bg.wasm ]] || { echo "bench-tokens: pkg/ not built: run make pkg" >&2; exit 1; }
if [[ ! -f target/bench-js/node_modules/@noble/hashes/hmac.js ]]; then
    mkdir -p target/bench-js
    [[ -f target/bench-js/package.json ]] || echo '{"private":true}' >target/bench-js/package.json
    (cd target/bench-js && npm install --no-audit --no-fund --silent @noble/hashes@1)
fi
echo "== native (cargo bench --bench tokenize)"
cargo bench --quiet --bench tokenize 2>/dev/null | grep records/s
for w in scalar simd; do
    echo "== Node, $w .wasm"
    WASM=$w node benches/js/node.mjs
done
echo "== headless Chromium, scalar and SIMD pages"
WASM=scalar,simd node benches/js/browser.mjs
