"""What writing a Splink job's answer costs the job (issue 13): N scored
pairs in Splink's prediction columns (the demo project's eight comparisons,
three with term frequencies; ids as the job's strings), written as
``pseudolink-job/1`` answered (every column to Python lists, one JSON line:
the code as ``pseudolink/job.py`` had it until protocol 2, kept here as the
baseline) and as ``pseudolink-job/2`` streams it (``job.write_answer`` over
batches of ``job.ANSWER_ROWS``, as the DuckDB reader hands them over).
Each protocol in its own child process: wall time of the writing, the
process's peak RSS above what the predictions themselves take, and bytes.

  target/python-venv/bin/python scripts/python/answer_cost.py N [N ...]

The service's side of the same answers: ``cargo bench --bench job_answer``.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time

COMPARISONS = [("email", 2, True), ("phone", 2, True), ("dateOfBirth", 2, True), ("firstName", 4, False),
               ("lastName", 4, False), ("street", 4, False), ("city", 3, False), ("postalCode", 3, False)]


def predictions(n: int):
    """Splink's prediction columns for n random pairs (seeded)."""
    import numpy as np
    import pyarrow as pa

    rng = np.random.default_rng(5)
    p = 0.5 + rng.random(n) / 2
    cols = {
        "source_dataset_l": pa.array(np.where(rng.random(n) < 0.5, "a_partner", "b_directory")),
        "unique_id_l": pa.array(rng.integers(0, 10_000, n).astype(str)),
        "unique_id_r": pa.array(rng.integers(0, 20_000, n).astype(str)),
        "match_probability": p, "match_weight": np.log2(p / (1 - p)),
    }
    for c, (name, levels, tf) in enumerate(COMPARISONS):
        g = rng.integers(-1, levels, n)
        cols[f"gamma_{name}"] = g
        cols[f"mw_{name}"] = np.where(g < 0, 0.0, (g - 1) * 3.5 + c / 8)
        if tf:
            cols[f"mw_tf_adj_{name}"] = rng.random(n) * 4 - 2
    return pa.table(cols)


def v1(table, out) -> None:
    """Protocol 1's answer, as job.py wrote it (to_pylist, one JSON line)."""
    names = [name for name, _, _ in COMPARISONS]
    tf_names = {name for name, _, tf in COMPARISONS if tf}
    rows = {c: table.column(c).to_pylist() for c in table.column_names}
    flip = [s != "a_partner" for s in rows["source_dataset_l"]]
    ids_l, ids_r = rows["unique_id_l"], rows["unique_id_r"]
    pairs = {
        "a": [int(r if f else l) for l, r, f in zip(ids_l, ids_r, flip)],
        "b": [int(l if f else r) for l, r, f in zip(ids_l, ids_r, flip)],
        "probability": [float(p) for p in rows["match_probability"]],
        "matchWeight": [float(w) for w in rows["match_weight"]],
        "gamma": [[int(g) for g in rows[f"gamma_{n}"]] for n in names],
        "mw": [[float(x) for x in rows[f"mw_{n}"]] for n in names],
        "mwTf": [[float(x) for x in rows[f"mw_tf_adj_{n}"]] if n in tf_names else [0.0] * len(ids_l)
                 for n in names],
    }
    comparisons = [{"name": n, "labels": [f"level {g}" for g in range(levels)]} for n, levels, _ in COMPARISONS]
    answer = {"protocol": "pseudolink-job/1", "engine": "duckdb", "prior": 0.0001, "comparisons": comparisons,
              "pairs": pairs}
    out.write(json.dumps(answer, allow_nan=False, separators=(",", ":")).encode() + b"\n")


def v2(table, out) -> None:
    from pseudolink import job

    names = [name for name, _, _ in COMPARISONS]
    tf_names = {name for name, _, tf in COMPARISONS if tf}
    comparisons = [{"name": n, "labels": [f"level {g}" for g in range(levels)], "tf": tf}
                   for n, levels, tf in COMPARISONS]
    schema = job.answer_schema(comparisons)
    batches = (job._answer_batch(b, names, tf_names, schema) for b in table.to_batches(job.ANSWER_ROWS))
    job.write_answer(out, job.Scored("duckdb", 0.0001, comparisons, schema, batches))


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        return next(int(l.split()[1]) for l in f if l.startswith("VmRSS:")) / 1024


def child(protocol: str, n: int) -> None:
    table = predictions(n)
    before = rss_mb()
    with tempfile.TemporaryFile() as out:
        t = time.perf_counter()
        (v1 if protocol == "1" else v2)(table, out)
        wall = time.perf_counter() - t
        size = out.tell()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"protocol": protocol, "pairs": n, "seconds": round(wall, 2),
                      "peak_above_predictions_mb": round(peak - before), "answer_mb": round(size / 1e6, 1),
                      "predictions_mb": round(table.nbytes / 1e6)}))


def main() -> None:
    if sys.argv[1] == "--child":
        child(sys.argv[2], int(sys.argv[3]))
        return
    for n in map(int, sys.argv[1:]):
        for protocol in ("1", "2"):
            subprocess.run([sys.executable, __file__, "--child", protocol, str(n)], check=True, env=dict(os.environ))


if __name__ == "__main__":
    main()
