#!/usr/bin/env bash
# CLK encoding speed, side by side in one run, on the same schema (clkhash's
# published example) and the same generated rows, one after another:
#   1. clkhash 0.18.3 (single process, validation on, its default)
#   2. pseudolink native ClkEncoder (cargo bench --bench clk)
#   3. pseudolink's JS API, ClkEncoder.encodeBatch, in Node 20 and in headless
#      Chromium (benches/js/link.mjs clk; needs the `pseudolink_link` entry
#      of `make pkg`; skipped with NO_JS=1)
# and prints one table with each rate's ratio to clkhash's.
#   scripts/clk/bench.sh [rows]      (default 10000)
set -euo pipefail
cd "$(dirname "$0")/../.."
n="${1:-10000}"
py="$(scripts/clk/venv.sh)"
rows=target/clk-bench/rows.json
mkdir -p target/clk-bench
ref="$("$py" scripts/clk/oracle.py bench "$rows" "$n")"
out="$(CLK_BENCH_ROWS="$PWD/$rows" cargo bench --quiet --bench clk 2>/dev/null)"
js=""
if [[ "${NO_JS:-}" != 1 ]]; then
    [[ -f pkg/pseudolink_link_bg.wasm ]] || { echo "clk/bench: pkg/pseudolink_link_bg.wasm missing: run make pkg (or NO_JS=1)" >&2; exit 1; }
    js="$(node benches/js/link.mjs clk "$rows")"
fi
python3 - "$ref" "$out" "$js" <<'PY'
import json, re, sys
ref = json.loads(sys.argv[1])
ours = json.loads(sys.argv[2].splitlines()[-1])
per_row = float(re.search(r"per row.*: (\d+) records/s", sys.argv[2]).group(1))
js = [json.loads(l) for l in sys.argv[3].splitlines() if l.strip()]
base = ref["records_per_s"]
rows = [(ref["tool"], base), ("pseudolink native, encode_batch", ours["records_per_s"]),
        ("pseudolink native, encode per row", per_row)]
for r in js:
    rows.append((f"pseudolink {r['runtime']}, encodeBatch", r["encodeBatchPerS"]))
    rows.append((f"pseudolink {r['runtime']}, encode per row", r["encodePerRowPerS"]))
print(f"{'encoder (' + str(ref['records']) + ' rows, same run)':<58} {'records/s':>10}  vs clkhash")
for name, rate in rows:
    print(f"{name:<58} {rate:>10.0f}  {rate / base:5.1f}x")
PY
