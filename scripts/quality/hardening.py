#!/usr/bin/env python3
"""CLK hardening: linkage quality. The "pseudolink fuzzy" row of the quality
table (benches/quality/fuzzy.rs) once per hardening, on the same data, with
precision/recall/F1 and the F1 change against no hardening.

    scripts/quality/hardening.sh        # makes the data as run.sh does, then this

Each hardening reaches the bench as PSEUDOLINK_CLK_HARDENING (Hardening JSON).
Stdlib only: no venv needed.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run  # noqa: E402  (scripts/quality/run.py: scoring and the bench driver)

HARDENINGS = [
    ("none", {}),
    ("balanced", {"balanced": True}),
    ("salted (dateOfBirth)", {"saltFeature": "dateOfBirth"}),
    *[(f"diffusion t = {t}", {"diffusion": t}) for t in (4, 6, 8, 10, 12)],
]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--work", type=Path, required=True)
    ap.add_argument("--only", help="substring of the hardening names to run")
    args = ap.parse_args()
    link_truth = {(r["a_id"], r["b_id"]) for r in run.read_csv(args.data / "link" / "truth.csv")}
    dedupe_truth = {r["id"]: r["entity"] for r in run.read_csv(args.data / "dedupe" / "truth.csv")}
    lines = [
        "| hardening | JSON | link P | link R | link F1 | Δ link F1 | dedupe P | dedupe R | dedupe F1 | Δ dedupe F1 | seconds (link, dedupe) |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    base = None
    for name, hardening in HARDENINGS:
        if args.only and args.only not in name and name != "none":
            continue
        text = json.dumps(hardening, separators=(",", ":"))
        os.environ["PSEUDOLINK_CLK_HARDENING"] = text
        work = args.work / name.split(" (")[0].replace(" = ", "").replace(" ", "-")
        work.mkdir(parents=True, exist_ok=True)
        paths = run.Paths(args.data, work)
        scores, secs = [], []
        for task in ("link", "dedupe"):
            res = run.pseudolink_fuzzy(task, paths)
            s = (run.score_link(res.pairs, link_truth) if task == "link"
                 else run.score_dedupe(res.clusters, dedupe_truth))
            scores.append(s)
            secs.append(res.seconds)
            print(f"{name} / {task}: P={s[0]:.4f} R={s[1]:.4f} F1={s[2]:.4f}", file=sys.stderr)
        if base is None:
            base = scores
        cells = []
        for (p, r, f), (_, _, f0) in zip(scores, base):
            cells += [f"{p:.4f}", f"{r:.4f}", f"{f:.4f}", f"{f - f0:+.4f}"]
        lines.append(f"| {name} | `{text}` | " + " | ".join(cells)
                     + f" | {secs[0]:.1f}, {secs[1]:.1f} |")
    table = "\n".join(lines)
    print(table)
    (args.work / "table.md").write_text(table + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
