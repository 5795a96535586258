#!/usr/bin/env python3
"""``pseudolink.splink.chain_guard_edges`` on a synthetic Splink-like input
(BENCHMARKS.md, "The chain guard from the core in Python (issue 13)").

    nice -n 19 target/python-venv/bin/python scripts/python/bench_chain_guard.py [PAIRS] [RUNS] [--at REV | --table]

PAIRS (default 1,000,000) scored pairs over 0.4 × PAIRS records with string
ids, made with a fixed seed: people of 1–6 records whose pairs mostly score
0.5–0.9999, and pairs between neighbouring people (the namesakes and near
misses that blocking finds), most below 0.5 and 6 % above it, which chain
people together. Prints the best wall time of RUNS (default 3) and that
run's CPU time, the number of pairs kept, and a SHA-256 of the output, so
two builds can be checked to give the same result. ``import pseudolink``
is the wheel installed in the venv (``make python`` installs it). ``--at REV``
times the function as it was at git revision REV instead (its source, run
next to the installed package), e.g. ``--at eff8111`` for the pure-Python
guard before issue 13's delegation to the core. ``--table`` times
``chain_guard_table`` instead, on the same pairs as a pyarrow table (made
before the clock starts), and checks that it keeps the pairs
``chain_guard_edges`` keeps.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import resource
import subprocess
import sys
import time
from pathlib import Path


def synth(pairs: int, seed: int = 13) -> list[tuple[str, str, float]]:
    rng = random.Random(seed)
    ids = [f"r{k:07d}" for k in range(pairs * 2 // 5)]
    rng.shuffle(ids)  # first appearance is not the ids' order
    people, k = [], 0
    while k < len(ids):
        size = rng.choices([1, 2, 3, 4, 5, 6], weights=[45, 25, 13, 8, 5, 4])[0]
        people.append(ids[k:k + size])
        k += size
    out: list[tuple[str, str, float]] = []
    for p in people:
        for a in range(len(p)):
            for b in range(a + 1, len(p)):
                if rng.random() < 0.9:
                    out.append((p[a], p[b], round(1 - 10 ** -rng.uniform(0.3, 4), 6)))
    while len(out) < pairs:
        e = rng.randrange(len(people))
        f = min(len(people) - 1, e + rng.randint(1, 20))
        if e == f:
            continue
        prob = rng.uniform(0.5, 0.97) if rng.random() < 0.06 else rng.uniform(0.01, 0.45)
        out.append((rng.choice(people[e]), rng.choice(people[f]), round(prob, 6)))
    rng.shuffle(out)
    return out


def cpu_seconds() -> float:
    me = resource.getrusage(resource.RUSAGE_SELF)
    return me.ru_utime + me.ru_stime


def at_revision(rev: str):
    """``chain_guard_edges`` as it was at ``rev``, in the installed package's namespace."""
    import pseudolink.splink as psp

    src = subprocess.run(["git", "show", f"{rev}:python/pseudolink/splink.py"], capture_output=True, text=True,
                         check=True, cwd=Path(__file__).resolve().parent).stdout
    code = src[src.index("def chain_guard_edges("):src.index("def cluster_pairwise_predictions_with_chain_guard(")]
    scope = dict(vars(psp))
    exec(code, scope)
    return scope["chain_guard_edges"]


def main() -> None:
    from pseudolink import splink as psp

    ap = argparse.ArgumentParser(description="chain_guard_edges on synthetic pairs")
    ap.add_argument("pairs", type=int, nargs="?", default=1_000_000)
    ap.add_argument("runs", type=int, nargs="?", default=3)
    ap.add_argument("--at", metavar="REV", help="time the function as it was at this git revision")
    ap.add_argument("--table", action="store_true", help="time chain_guard_table on Arrow columns")
    args = ap.parse_args()
    if args.table:
        return main_table(psp, args.pairs, args.runs)
    guard = at_revision(args.at) if args.at else psp.chain_guard_edges
    n, runs, rev = args.pairs, args.runs, args.at
    pairs = synth(n)
    best, kept = None, None
    for _ in range(runs):
        t, c = time.perf_counter(), cpu_seconds()
        kept = guard(pairs, 0.5)
        dt, dc = time.perf_counter() - t, cpu_seconds() - c
        best = (dt, dc) if best is None or dt < best[0] else best
    assert best is not None and kept is not None
    digest = hashlib.sha256(json.dumps(kept).encode()).hexdigest()[:16]
    print(json.dumps({"pairs": len(pairs), "records": len({x for a, b, _ in pairs for x in (a, b)}),
                      "kept": len(kept), "wall_s": round(best[0], 3), "cpu_s": round(best[1], 3),
                      "runs": runs, "at": rev or "installed", "sha256": digest}))


def main_table(psp, n: int, runs: int) -> None:
    import pyarrow as pa

    pairs = synth(n)
    table = pa.table({"unique_id_l": [a for a, _, _ in pairs], "unique_id_r": [b for _, b, _ in pairs],
                      "match_probability": pa.array([p for _, _, p in pairs], pa.float64())})
    best, kept = None, None
    for _ in range(runs):
        t, c = time.perf_counter(), cpu_seconds()
        kept = psp.chain_guard_table(table, 0.5)
        dt, dc = time.perf_counter() - t, cpu_seconds() - c
        best = (dt, dc) if best is None or dt < best[0] else best
    assert best is not None and kept is not None

    def norm(rows):
        return sorted((min(a, b), max(a, b), p) for a, b, p in rows)

    got = norm(zip(*(kept.column(c).to_pylist() for c in kept.column_names)))
    same = got == norm(psp.chain_guard_edges(pairs, 0.5))
    print(json.dumps({"pairs": len(pairs), "kept": kept.num_rows, "wall_s": round(best[0], 3),
                      "cpu_s": round(best[1], 3), "runs": runs, "api": "chain_guard_table",
                      "same_pairs_as_chain_guard_edges": same}))


if __name__ == "__main__":
    main()
