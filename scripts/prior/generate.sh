#!/usr/bin/env bash
# Regenerates the day-one model, src/link/prior.json (ARCHITECTURE.md, "The
# day-one model"):
#   1. synthetic link data from pseudolink-synth (seed 101, not the quality
#      benchmark's seed 1; the same noise as scripts/quality/run.sh), whose
#      names and places come from public frequency tables
#      (scripts/synth/data/README.md);
#   2. the public encoding pipeline and the default Linker's EM fit on it
#      (benches/quality/fuzzy.rs `prior`: u from random pairs, m and λ by EM,
#      no labels), λ stored as expected matches per record;
#   3. the version and this command written into the file.
# `--check`: regenerate into target/prior and fail if it differs from the
# committed file (the fit is deterministic: seeded sampling, sorted sums).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

OUT=target/prior
N=10000
SEED=101
VERSION="synth-$N-seed$SEED-v2"
NOISE=(--typo 0.08 --phonetic 0.05 --nickname 0.08 --missing 0.12 --moved 0.1
       --email-changed 0.15 --name-swap 0.02 --formatting 0.3)

cargo build --quiet --release --locked -p pseudolink-synth
target/release/pseudolink-synth link --n "$N" --overlap 0.5 --seed "$SEED" --out "$OUT/data" "${NOISE[@]}"
cargo bench --quiet --locked --bench quality_fuzzy -- prior "$OUT/data/a.csv" "$OUT/data/b.csv" "$OUT/fit.json"
python3 - "$OUT/fit.json" "$OUT/prior.json" "$VERSION" <<'PY'
import json, sys
fit, out, version = sys.argv[1:4]
m = json.load(open(fit))
m["version"] = version
m["generatedBy"] = "scripts/prior/generate.sh"
open(out, "w").write(json.dumps(m, indent=2, ensure_ascii=False) + "\n")
PY
if [[ "${1:-}" == --check ]]; then
    diff -u src/link/prior.json "$OUT/prior.json" && echo "prior.json is up to date"
else
    cp "$OUT/prior.json" src/link/prior.json
    echo "wrote src/link/prior.json ($VERSION)"
fi
