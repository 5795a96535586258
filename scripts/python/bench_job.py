#!/usr/bin/env python3
"""The linkage service's two scorers side by side on one partner file
against one directory (BENCHMARKS.md, "Large runs on Splink"): the core
``Linker`` (what a run below ``minRecords`` uses) and the Splink DuckDB job
(``pseudolink.job``, above it), each step in its own process so that peak
memory is the step's. Pseudonymised ``pseudolink-synth link --n N
--overlap 0.5 --seed 13`` data; the service's one-to-one decision; partner
rows' precision and recall against the truth.

  target/python-venv/bin/python scripts/python/bench_job.py N
  (the wheel must be installed: scripts/python/test.sh or maturin develop --release)
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "python" / "tests"))


def encoded(n: int) -> tuple[Path, Path, Path]:
    """Encodes the synthetic files once: partner and directory in the binary
    transfer form (ids = row numbers, as the service stores them) and the truth."""
    from conftest import CLK_SECRET, KEYS, LINK_DEFINITION, read_records, synth

    import pseudolink as pl

    out = synth("link", ROOT / "target" / "python-bench" / f"link-{n}", "--n", str(n), "--overlap", "0.5",
                "--seed", "13")
    files = (out / "partner.bin", out / "directory.bin", out / "truth.json")
    if all(f.exists() for f in files):
        return files
    enc = pl.RecordEncoder(KEYS, LINK_DEFINITION, clk_schema="default", clk_secret=CLK_SECRET)
    rows = {}
    for side, path in (("b", files[0]), ("a", files[1])):
        t = read_records(out / f"{side}.csv")
        recs = pl.encoded_records(enc.encode_batch(t, keep=["id"]))
        rows[side] = {r["id"]: i for i, r in enumerate(recs)}
        path.write_bytes(pl.encoded_binary([dict(r, id=str(i)) for i, r in enumerate(recs)]))
    truth = read_records(out / "truth.csv")
    pairs = [[rows["b"][b], rows["a"][a]] for a, b in zip(truth.column("a_id").to_pylist(),
                                                           truth.column("b_id").to_pylist())]
    files[2].write_text(json.dumps(pairs))
    return files


def step(scorer: str, partner: Path, directory: Path) -> None:
    """One scorer in this process: prints its decided pairs and costs as JSON."""
    import pyarrow as pa
    from conftest import LINK_CONFIG, one_to_one

    import pseudolink as pl
    from pseudolink import job

    a, b = pl.encoded_table(partner.read_bytes()), pl.encoded_table(directory.read_bytes())
    t0, r0 = time.perf_counter(), resource.getrusage(resource.RUSAGE_SELF)
    if scorer == "core":
        # As the service hands them to the core: match keys apart from tokens.
        records = []
        for t in (a, b):
            recs = pl.encoded_records(t.append_column("match_keys", pa.nulls(t.num_rows, pa.list_(pa.string()))))
            for r in recs:
                r["matchKeys"] = [x for x in r["tokens"] if x.split(".")[1].startswith("mk-")]
                r["tokens"] = [x for x in r["tokens"] if not x.split(".")[1].startswith("mk-")]
            records.append(recs)
        result = pl.Linker(LINK_CONFIG).link(*records)
        pairs = [[int(l["a"]), int(l["b"])] for l in result["links"]]
    else:
        pairs = [list(p) for p in one_to_one(job.link(a, b, LINK_CONFIG))]
    r1 = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({"scorer": scorer, "wall": time.perf_counter() - t0,
                      "cpu": r1.ru_utime + r1.ru_stime - r0.ru_utime - r0.ru_stime,
                      "peak_rss_mb": r1.ru_maxrss / 1024, "pairs": pairs}))


def main() -> None:
    if len(sys.argv) == 5 and sys.argv[1] == "step":
        step(sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4]))
        return
    n = int(sys.argv[1])
    partner, directory, truth_file = encoded(n)
    truth = {tuple(p) for p in json.loads(truth_file.read_text())}
    print(f"# {time.strftime('%Y-%m-%dT%H:%MZ', time.gmtime())}, {n:,} partner rows x {n:,} directory rows,"
          f" {len(truth):,} true pairs")
    print("| scorer | wall s | CPU s | peak RSS MB | links | precision | recall | F1 |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for scorer in ("core", "splink-duckdb"):
        out = subprocess.run([sys.executable, __file__, "step", scorer, str(partner), str(directory)],
                             check=True, capture_output=True, text=True).stdout
        r = json.loads(out.strip().splitlines()[-1])
        links = {tuple(p) for p in r["pairs"]}
        hits = len(links & truth)
        p, rc = hits / max(len(links), 1), hits / len(truth)
        f1 = 2 * p * rc / (p + rc) if p + rc else 0.0
        print(f"| {scorer} | {r['wall']:.1f} | {r['cpu']:.1f} | {r['peak_rss_mb']:.0f} | {len(links):,} |"
              f" {p:.4f} | {rc:.4f} | {f1:.4f} |", flush=True)


if __name__ == "__main__":
    main()
