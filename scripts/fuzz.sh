#!/usr/bin/env bash
# Fuzzes the parsers of untrusted input with cargo-fuzz (fuzz/, see fuzz/README.md).
#
#   scripts/fuzz.sh --smoke [SECONDS]    every target for SECONDS (default 15): make fuzz-smoke
#   scripts/fuzz.sh --runs N [TARGET...] each target for N executions (make fuzz-long: 10,000,000)
#
# Options: --jobs J (targets in parallel, default 1), --max-seconds S (stop a
# --runs target after S seconds and report how far it got), --max-len B (the
# largest input libFuzzer makes, default 16384; 4096 is libFuzzer's own
# default and keeps the record- and message-shaped targets at thousands of
# executions a second once the corpus has grown). The table of
# executions and crashes goes to target/fuzz/results.md (and stdout).
#
# Sanitizer: none. The crate is #![forbid(unsafe_code)], so what fuzzing finds
# here is panics, aborts, hangs and runaway memory, which libFuzzer reports
# without ASan, at about twice ASan's speed. `cargo fuzz` wants a nightly
# compiler only for -Zsanitizer and its -Z flags; the stable toolchain accepts
# them with RUSTC_BOOTSTRAP=1 (the machines have stable only). To run with
# ASan anyway: FUZZ_SANITIZER=address scripts/fuzz.sh ...
set -euo pipefail
cd "$(dirname "$0")/.."

mode=runs runs=10000000 seconds=15 jobs=1 max_seconds=0 max_len=16384 targets=()
while (($#)); do
    case "$1" in
    --smoke) mode=smoke; if [[ ${2:-} =~ ^[0-9]+$ ]]; then seconds=$2; shift; fi ;;
    --runs) runs=$2; shift ;;
    --jobs) jobs=$2; shift ;;
    --max-seconds) max_seconds=$2; shift ;;
    --max-len) max_len=$2; shift ;;
    -h | --help) sed -n '2,19p' "$0"; exit 0 ;;
    *) targets+=("$1") ;;
    esac
    shift
done

export RUSTC_BOOTSTRAP=1
sanitizer=${FUZZ_SANITIZER:-none}
if ! command -v cargo-fuzz >/dev/null; then
    echo "fuzz: cargo-fuzz is missing (scripts/setup.sh installs it)" >&2
    exit 1
fi
((${#targets[@]})) || mapfile -t targets < <(cargo fuzz list --fuzz-dir fuzz)

out=${FUZZ_OUT:-target/fuzz}
rm -rf "$out/seeds"
mkdir -p "$out/seeds" "$out/logs" "$out/artifacts"

echo "fuzz: building (sanitizer: $sanitizer)"
cargo fuzz build --fuzz-dir fuzz --sanitizer "$sanitizer" --debug-assertions
bin=fuzz/target/x86_64-unknown-linux-gnu/release

echo "fuzz: seeds"
# Structured seeds made by the library itself (graph documents, encoded
# records, wire messages): a plain build of the example.
cargo run --quiet --locked --manifest-path fuzz/Cargo.toml --example seeds -- "$out/seeds"
# Seeds from the vector files: each normalisation case under its field,
# profile and region; each CLK schema with a row of its vectors.
python3 - "$out/seeds" <<'PY'
import glob, json, os, sys
out = sys.argv[1]
def write(target, name, data):
    os.makedirs(os.path.join(out, target), exist_ok=True)
    with open(os.path.join(out, target, name), "wb") as f:
        f.write(data)
n = 0
for path in sorted(glob.glob("tests/vectors/*.json")):
    for case in json.load(open(path, encoding="utf-8")).get("cases", []):
        if "profile" not in case or "input" not in case:
            continue
        region = (case.get("options") or {}).get("region", "")
        header = "\0".join([case["field"], case["profile"], region, ""])
        write("normalize", f"v{n}", (header + "\0" + case["input"]).encode())
        n += 1
for path in sorted(glob.glob("tests/vectors/clk/*.schema.json")):
    schema = open(path, encoding="utf-8").read()
    vectors = json.load(open(path.replace(".schema.", ".vectors."), encoding="utf-8"))
    row = "\x1f".join(vectors["cases"][0]["row"])
    base = os.path.basename(path)
    write("clk_schema", base, (schema + "\0{}\0" + row).encode())
    write("clk_schema", base + ".hardened",
          (schema + '\0{"balanced":true,"diffusion":4}\0' + row).encode())
write("clk_schema", "default", (open("src/encoder/default.schema.json").read() + "\0\0").encode())
PY

run_one() {
    local t=$1 corpus="fuzz/corpus/$t" log="$out/logs/$t.log" limit
    mkdir -p "$corpus" "$out/artifacts/$t"
    if [[ $mode == smoke ]]; then
        limit=(-max_total_time="$seconds")
    else
        limit=(-runs="$runs")
        ((max_seconds > 0)) && limit+=(-max_total_time="$max_seconds")
    fi
    local start status=0
    start=$(date +%s)
    "$bin/$t" "$corpus" "$out/seeds/$t" "${limit[@]}" -timeout=20 -rss_limit_mb=2048 \
        -max_len="$max_len" -print_final_stats=1 -artifact_prefix="$out/artifacts/$t/" \
        >"$log" 2>&1 || status=$?
    local secs=$(($(date +%s) - start))
    local execs
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    local crashes
    crashes=$(find "$out/artifacts/$t" -type f | wc -l)
    printf '%s\t%s\t%s\t%s\t%s\n' "$t" "${execs:-0}" "$crashes" "$secs" "$status" >"$out/logs/$t.result"
    echo "fuzz: $t: ${execs:-0} executions, $crashes crashes, ${secs}s (exit $status)"
}

rm -f "$out"/logs/*.result
for t in "${targets[@]}"; do
    while (($(jobs -rp | wc -l) >= jobs)); do wait -n || true; done
    run_one "$t" &
done
wait

{
    echo "| target | executions | crashes | seconds | exec/s |"
    echo "|---|---:|---:|---:|---:|"
    for t in "${targets[@]}"; do
        IFS=$'\t' read -r name execs crashes secs status <"$out/logs/$t.result"
        printf '| %s | %s | %s | %s | %s |\n' "$name" "$execs" "$crashes" "$secs" "$((execs / (secs > 0 ? secs : 1)))"
    done
} | tee "$out/results.md"

failed=0
for t in "${targets[@]}"; do
    IFS=$'\t' read -r name execs crashes secs status <"$out/logs/$t.result"
    if ((status != 0 || crashes > 0)); then
        echo "fuzz: $name FAILED: see $out/logs/$name.log and $out/artifacts/$name/" >&2
        failed=1
    fi
done
exit "$failed"
