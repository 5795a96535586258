#!/usr/bin/env bash
# The Python package's benchmarks, side by side in one run (BENCHMARKS.md,
# "Python, DuckDB and Splink"):
#   1. encoding rate of the wheel (tokens + CLKs; pyarrow and DuckDB paths)
#      and of clkhash 0.18.3 on the same rows (CLKs only; its own venv);
#   2. a Splink DuckDB dedupe of N pseudonymised synthetic records: wall time,
#      peak memory (the process's max RSS), pair F1 against the truth of the
#      predictions >= 0.5 and of two clusterings of them (Splink's connected
#      components, pseudolink.splink's chain guard); SPLINK_EM_BLOCKS picks the
#      EM sessions' blocking columns (default token_dateOfBirth,token_phone),
#      SPLINK_PRIOR_BLOCKS the prior's deterministic rules (token_email,token_phone).
#   nice -n 19 scripts/python/bench.sh [N]        (default 100000; the wheel must be installed:
#                                                  scripts/python/test.sh or maturin develop --release)
#   SPLINK_ONLY=1 nice -n 19 scripts/python/bench.sh 1000000    (only step 2;
#                 DUCKDB_MEMORY_LIMIT=6GB caps DuckDB's memory, spilling to disk beyond it)
#   SPLINK_ENGINE=spark SPLINK_ONLY=1 scripts/python/bench.sh 1000000   (step 2 on Spark local mode)
#   LINK=1 DUCKDB_MEMORY_LIMIT=8GB scripts/python/bench.sh 1000000
#               (instead: a Splink DuckDB link of N x N records, pseudolink-synth link
#                --overlap 0.5: wall time, peak memory, F1 of the pairs >= 0.5 and one-to-one)
set -euo pipefail
cd "$(dirname "$0")/../.."
n="${1:-100000}"
py="$(scripts/python/venv.sh)"
if [[ "${LINK:-}" == 1 ]]; then
    dir="target/python-bench/link-n$n"
    mkdir -p "$dir"
    [[ -f "$dir/a.csv" ]] || cargo run --quiet --release --locked -p pseudolink-synth -- \
        link --n "$n" --overlap 0.5 --seed 5 --out "$dir" >/dev/null
    echo "# $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $n x $n records"
    out="$("$py" scripts/python/bench.py splink-link "$dir/a.csv" "$dir/b.csv" "$dir/truth.csv")"
    python3 - "$out" <<'PY'
import json, sys
r = json.loads(sys.argv[1])
print(f"Splink link on {r['engine']}, {r['records_a']:,} x {r['records_b']:,} records ({r['truth_pairs']:,} true pairs): "
      f"wall {r['wall_s']:.1f} s, CPU {r['cpu_s']:.1f} s (encode {r['encode_s']:.1f} s, train + predict "
      f"{r['train_predict_s']:.1f} s), peak RSS {r['peak_rss_mb']:.0f} MB, prior {r['prior']:.3g}")
print("| scored at 0.5 | P | R | F1 | pairs |")
print("|---|---:|---:|---:|---:|")
for label, key in [("pairs >= 0.5", "pairwise"), ("one-to-one (each side's best)", "one_to_one")]:
    s = r[key]
    print(f"| {label} | {s['precision']:.4f} | {s['recall']:.4f} | {s['f1']:.4f} | {s['pairs']:,} |")
print("json: " + json.dumps(r))
PY
    exit 0
fi
ck="$(scripts/clk/venv.sh)"
dir="target/python-bench/n$n"
mkdir -p "$dir"
[[ -f "$dir/records.csv" ]] || cargo run --quiet --release --locked -p pseudolink-synth -- \
    dedupe --n "$n" --dup-rate 0.3 --seed 5 --out "$dir" >/dev/null
nproc_="$(nproc)"; cpu="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "# $(date -u +%Y-%m-%dT%H:%MZ), $nproc_ cores ($cpu), $n records"
if [[ "${SPLINK_ONLY:-}" == 1 ]]; then
    enc='[]'; ref='{"results": [], "equal_clks": 0, "checked": 0}'
else
    enc="$("$py" scripts/python/bench.py encode "$dir/records.csv" "$dir/rows.json")"
    ref="$("$ck" scripts/python/bench.py clkhash "$dir/rows.json")"
    if command -v java >/dev/null && "$py" -c 'import pyspark' 2>/dev/null; then
        sp="$("$py" scripts/python/bench.py spark "$dir/records.csv" 2>/dev/null | tail -1)"
        enc="$(python3 -c 'import json,sys; print(json.dumps(json.loads(sys.argv[1]) + [json.loads(sys.argv[2])]))' "$enc" "$sp")"
    fi
fi
link="$("$py" scripts/python/bench.py splink "$dir/records.csv" "$dir/truth.csv")"
python3 - "$enc" "$ref" "$link" <<'PY'
import json, sys
enc, ref, link = json.loads(sys.argv[1]), json.loads(sys.argv[2]), json.loads(sys.argv[3])
if ref["results"]:
    base, cbase = ref["results"][0]["records_per_s"], ref["results"][0]["records_per_cpu_s"]
    print(f"| encoder, same rows, same run | records/s (wall) | vs clkhash | records per CPU-second | vs clkhash |")
    print("|---|---:|---:|---:|---:|")
    for r in enc + ref["results"]:
        cpu = r["records_per_cpu_s"]
        cpu_cells = f"{cpu:,.0f} | {cpu / cbase:.1f}x" if cpu else "– | –"
        print(f"| {r['path']} | {r['records_per_s']:,.0f} | {r['records_per_s'] / base:.1f}x | {cpu_cells} |")
    print(f"clkhash CLKs equal to pseudolink's (unhardened): {ref['equal_clks']}/{ref['checked']}")
print(f"Splink dedupe on {link['engine']}, {link['records']} records: wall {link['wall_s']:.1f} s, CPU {link['cpu_s']:.1f} s "
      f"(encode {link['encode_s']:.1f} s), peak RSS {link['peak_rss_mb']:.0f} MB, EM on {', '.join(link['em_blocks'])}, "
      f"prior from {', '.join(link['prior_blocks'])}, "
      f"prior {link['prior']:.3g}, pairs >= 0.01: {link['pairs_over_0_01']}, pairs >= 0.5: {link['pairs_over_0_5']}")
print("| scored at 0.5, same predictions | P | R | F1 | pairs | largest cluster | s |")
print("|---|---:|---:|---:|---:|---:|---:|")
for label, key in [("pairwise predictions", "pairwise"), ("connected components (Splink)", "components"),
                   ("chain guard (pseudolink.splink)", "chain_guard"),
                   ("chain guard, missing pairs counted 0", "chain_guard_missing_0")]:
    r = link[key]
    print(f"| {label} | {r['precision']:.4f} | {r['recall']:.4f} | {r['f1']:.4f} | {r['pairs']:,} | "
          f"{r.get('largest_cluster', '–')} | {r['seconds']:.1f} |" if "seconds" in r else
          f"| {label} | {r['precision']:.4f} | {r['recall']:.4f} | {r['f1']:.4f} | {r['pairs']:,} | – | – |")
print("json: " + json.dumps(link))
PY
