#!/usr/bin/env bash
# How encoding cost grows with the directory, Spark local mode and DuckDB side
# by side (BENCHMARKS.md, "Cost curve"): for each N, the same synthetic CSV
# (pseudolink-synth dedupe, seed 5) is encoded to Parquet by each engine in its
# own process (scripts/python/curve.py), and the two outputs are compared row
# by row (every token, CLK and error code must be equal).
#   scripts/python/curve.sh [N ...]       (default 100000 1000000 10000000;
#                                          the wheel must be installed: scripts/python/test.sh)
# 10M rows: a 1.2 GB CSV and ~6 GB of Parquet per engine under target/python-bench.
set -euo pipefail
cd "$(dirname "$0")/../.."
py="$(scripts/python/venv.sh)"
sizes=("$@"); [[ ${#sizes[@]} -gt 0 ]] || sizes=(100000 1000000 10000000)
echo "# $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "| N | engine | wall s | rows/s | CPU s | rows per CPU-s | peak RSS MB | Parquet MB | rows with errors | Spark / DuckDB wall |"
echo "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|"
for n in "${sizes[@]}"; do
    dir="target/python-bench/n$n"
    mkdir -p "$dir"
    [[ -f "$dir/records.csv" ]] || cargo run --quiet --release --locked -p pseudolink-synth -- \
        dedupe --n "$n" --dup-rate 0.3 --seed 5 --out "$dir" >/dev/null
    d="$("$py" scripts/python/curve.py duckdb "$dir/records.csv" "$dir/encoded-duckdb.parquet" 2>/dev/null | tail -1)"
    s="$("$py" scripts/python/curve.py spark "$dir/records.csv" "$dir/encoded-spark.parquet" 2>/dev/null | tail -1)"
    same="$("$py" scripts/python/curve.py same "$dir/encoded-duckdb.parquet" "$dir/encoded-spark.parquet")"
    python3 - "$n" "$d" "$s" "$same" <<'PY'
import json, sys
n, d, s, same = int(sys.argv[1]), *(json.loads(a) for a in sys.argv[2:])
for r in (d, s):
    ratio = f"{s['wall_s'] / d['wall_s']:.2f}×" if r is s else ""
    print(f"| {n:,} | {r['engine']} | {r['wall_s']:.1f} | {r['rows_per_s']:,.0f} | {r['cpu_s']:.1f} | "
          f"{r['rows'] / r['cpu_s']:,.0f} | {r['peak_rss_mb']:,.0f} | {r['out_mb']:,.0f} | {r['rows_with_errors']:,} | {ratio} |")
if same["differ"] or same["rows"] != n:
    sys.exit(f"the engines' encodings differ: {same}")
print(f"<!-- {n:,} rows: Spark's and DuckDB's encodings equal in all {same['columns']} columns -->")
PY
done
