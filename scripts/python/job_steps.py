#!/usr/bin/env python3
"""The linkage service's Splink job on one engine, timed per Splink step
(BENCHMARKS.md, "The same job on Spark local mode"): the first N rows of
each side of ``bench_job.py 5000``'s encoded files, the demo project's
comparisons, then precision and recall of the service's decision.

  target/python-venv/bin/python scripts/python/bench_job.py 5000   # once: makes the files
  target/python-venv/bin/python scripts/python/job_steps.py N duckdb|spark
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "python" / "tests"))


def timed(cls: type, name: str) -> None:
    """Prints each call's wall time to stderr."""
    f = getattr(cls, name)

    def g(*a, **k):
        t = time.perf_counter()
        r = f(*a, **k)
        print(f"step {name} {time.perf_counter() - t:.1f} s", file=sys.stderr, flush=True)
        return r

    setattr(cls, name, g)


def main() -> None:
    import splink.internals.linker_components.inference as inference
    import splink.internals.linker_components.training as training
    from conftest import LINK_CONFIG, one_to_one

    import pseudolink as pl
    from pseudolink import job

    for step in ("estimate_probability_two_random_records_match", "estimate_u_using_random_sampling",
                 "estimate_parameters_using_expectation_maximisation"):
        timed(training.LinkerTraining, step)
    timed(inference.LinkerInference, "predict")
    n, engine = int(sys.argv[1]), sys.argv[2]
    files = ROOT / "target" / "python-bench" / "link-5000"
    a = pl.encoded_table((files / "partner.bin").read_bytes()).slice(0, n)
    b = pl.encoded_table((files / "directory.bin").read_bytes()).slice(0, n)
    truth = {tuple(p) for p in json.loads((files / "truth.json").read_text()) if p[0] < n and p[1] < n}
    t0 = time.perf_counter()
    answer = job.link(a, b, LINK_CONFIG, engine=engine, spark={"master": "local[2]", "driverMemory": "2g"})
    links = one_to_one(answer)
    hits = len(links & truth)
    print(json.dumps({"engine": engine, "rows": n, "wall_s": round(time.perf_counter() - t0, 1),
                      "pairs_scored": len(answer["pairs"]["a"]), "links": len(links),
                      "precision": hits / max(len(links), 1), "recall": hits / max(len(truth), 1),
                      "prior": answer["prior"]}))


if __name__ == "__main__":
    main()
