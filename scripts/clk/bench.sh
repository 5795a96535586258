#!/usr/bin/env bash
# CLK encoding speed, side by side in one run: clkhash 0.18.3 (single process,
# validation on, its default) and pseudolink's native ClkEncoder on the same
# schema (clkhash's published example) and the same generated rows.
#   scripts/clk/bench.sh [rows]      (default 10000)
set -euo pipefail
cd "$(dirname "$0")/../.."
n="${1:-10000}"
py="$(scripts/clk/venv.sh)"
rows=target/clk-bench/rows.json
mkdir -p target/clk-bench
ref="$("$py" scripts/clk/oracle.py bench "$rows" "$n")"
out="$(CLK_BENCH_ROWS="$PWD/$rows" cargo bench --quiet --bench clk 2>/dev/null)"
grep records/s <<<"$out" | grep -v '^{'
ours="$(tail -1 <<<"$out")"
python3 - "$ref" "$ours" <<'PY'
import json, sys
ref, ours = (json.loads(a) for a in sys.argv[1:3])
for r in (ref, ours):
    print(f"{r['tool']:<34} {r['records']:>7} records  {r['records_per_s']:>10.0f} records/s")
print(f"ratio pseudolink native / clkhash: {ours['records_per_s'] / ref['records_per_s']:.1f}x")
PY
