#!/usr/bin/env bash
# Differential test: clkhash 0.18.3 vs pseudolink's ClkEncoder on thousands of
# generated rows under every schema in tests/vectors/clk/. Fails on any
# mismatch (CLK bytes, or which feature a bad row is rejected for).
#   scripts/clk/diff.sh [rows-per-schema]     (default 2000; `make clk-diff`)
set -euo pipefail
cd "$(dirname "$0")/../.."
rows="${1:-2000}"
py="$(scripts/clk/venv.sh)"
out=target/clk-diff
rm -rf "$out"
"$py" scripts/clk/oracle.py diff "$out" "$rows"
CLK_VECTOR_DIR="$PWD/$out" cargo test --locked --test clk -- --exact clk_vector_dir --nocapture
