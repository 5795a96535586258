#!/usr/bin/env bash
# Linkage quality, every method on the same generated data, as one markdown
# table (BENCHMARKS.md, "Linkage quality"):
#   1. a throw-away venv in target/quality/venv with clkhash, anonlink and
#      Splink (made once, reused while the pinned versions are there);
#   2. link data (A and B of N records, half of B also in A) and dedupe data
#      (N records, 30% of customers duplicated, clusters up to 5) from
#      pseudolink-synth, with the noise below;
#   3. scripts/quality/run.py: runs each method, scores it against the truth.
# N=… and SEED=… override the defaults; extra arguments go to run.py
# (e.g. --only Splink). CAL_SEEDS="1 2 3 4 5" instead makes one link
# dataset per seed and prints only the calibration deciles pooled over
# their link jobs (no venv needed): a decile of 30 pairs cannot show a
# 0.05 gap, five seeds give each about five times the pairs.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

OUT=target/quality
VENV=$OUT/venv
N=${N:-10000}
SEED=${SEED:-1}
PINS=(clkhash==0.18.3 anonlink==0.15.3 splink==5.0.0)
# Somewhat noisier than the generator's defaults. Every record gets its own
# noise, so a pair of records disagrees about twice as often as one rate says.
# Keep in step with hardening.sh.
NOISE=(--typo 0.08 --phonetic 0.05 --nickname 0.08 --missing 0.12 --moved 0.1
       --email-changed 0.15 --name-swap 0.02 --formatting 0.3)

if [[ -n "${CAL_SEEDS:-}" ]]; then
  cargo build --quiet --release --locked -p pseudolink-synth
  dirs=()
  for s in $CAL_SEEDS; do
    d="$OUT/cal/seed-$s"
    target/release/pseudolink-synth link --n "$N" --overlap 0.5 --seed "$s" --out "$d/link" "${NOISE[@]}"
    dirs+=("$d")
  done
  exec python3 scripts/quality/run.py --work "$OUT/work" --pool-calibration "${dirs[@]}"
fi

have_pins() {
  local frozen
  frozen=$("$VENV/bin/python" -m pip freeze 2>/dev/null) || return 1
  for p in "${PINS[@]}"; do grep -qix "$p" <<<"$frozen" || return 1; done
}
if ! have_pins; then
  echo "== venv: installing ${PINS[*]} into $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet "${PINS[@]}"
fi

echo "== data (seed $SEED, n $N)"
cargo build --quiet --release --locked -p pseudolink-synth
target/release/pseudolink-synth link --n "$N" --overlap 0.5 --seed "$SEED" --out "$OUT/data/link" "${NOISE[@]}"
target/release/pseudolink-synth dedupe --n "$N" --dup-rate 0.3 --max-cluster 5 --seed "$((SEED + 1))" \
  --out "$OUT/data/dedupe" "${NOISE[@]}"

echo "== methods"
"$VENV/bin/python" scripts/quality/run.py --data "$OUT/data" --work "$OUT/work" "$@"
