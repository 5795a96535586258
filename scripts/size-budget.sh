#!/usr/bin/env bash
# `make size-budget` (after `make pkg`): the core package entry's .wasm must stay
# within its gzip budget (ARCHITECTURE.md, "Size budget over speed"), measured
# as scripts/build-pkg.sh prints it (gzip -9). New features get their own entry.
# The SIMD128 builds (pkg/*_simd_bg.wasm, loaded instead where the engine has
# SIMD) are reported, not budgeted: a page downloads one of the two files.
#   scripts/size-budget.sh       SIZE_BUDGET=<bytes> overrides the budget
set -euo pipefail
cd "$(dirname "$0")/.."
budget="${SIZE_BUDGET:-120000}"   # 120 KB, KB = 1000 bytes as in BENCHMARKS.md
wasm=pkg/pseudolink_bg.wasm
[[ -f "$wasm" ]] || { echo "size-budget: $wasm not found: run scripts/build-pkg.sh" >&2; exit 1; }
gz=$(gzip -9 -c "$wasm" | wc -c)
if (( gz > budget )); then
    echo "size-budget: $wasm is $gz bytes gzip -9, over the budget of $budget by $(( gz - budget )) bytes" >&2
    exit 1
fi
echo "size-budget: $wasm is $gz bytes gzip -9, within $budget ($(( budget - gz )) to spare)"
for simd in pkg/*_simd_bg.wasm; do
    [[ -f "$simd" ]] || continue
    echo "size-budget: $simd (loaded instead where SIMD128 is available) is $(gzip -9 -c "$simd" | wc -c) bytes gzip -9"
done
