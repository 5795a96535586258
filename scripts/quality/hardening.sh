#!/usr/bin/env bash
# CLK hardening: linkage quality (BENCHMARKS.md). The same data as run.sh
# (N=… SEED=… likewise), then scripts/quality/hardening.py: the pseudolink
# fuzzy row once per hardening. No venv. Extra arguments go to hardening.py
# (e.g. --only diffusion).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

OUT=target/quality
N=${N:-10000}
SEED=${SEED:-1}
# Keep in step with run.sh.
NOISE=(--typo 0.08 --phonetic 0.05 --nickname 0.08 --missing 0.12 --moved 0.1
       --email-changed 0.15 --name-swap 0.02 --formatting 0.3)

echo "== data (seed $SEED, n $N)"
cargo build --quiet --release --locked -p pseudolink-synth
target/release/pseudolink-synth link --n "$N" --overlap 0.5 --seed "$SEED" --out "$OUT/data/link" "${NOISE[@]}"
target/release/pseudolink-synth dedupe --n "$N" --dup-rate 0.3 --max-cluster 5 --seed "$((SEED + 1))" \
  --out "$OUT/data/dedupe" "${NOISE[@]}"

echo "== hardenings"
python3 scripts/quality/hardening.py --data "$OUT/data" --work "$OUT/hardening" "$@"
