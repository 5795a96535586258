#!/usr/bin/env python3
"""CLK hardening: linkage quality. The "pseudolink fuzzy" row of the quality
table (benches/quality/fuzzy.rs) once per hardening, on the same data, with
precision/recall/F1 and the F1 change against no hardening.

    scripts/quality/hardening.sh        # makes the data as run.sh does, then this

Each hardening reaches the bench as PSEUDOLINK_CLK_HARDENING (Hardening JSON);
rows marked "diffusion link config" also pass PSEUDOLINK_LINK_CONFIG
(DIFFUSED_LINK_CONFIG): Dice thresholds moved to where diffusion puts the
default ones, and a second LSH blocking on the last-name CLK.
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

# For diffused CLKs: the default comparisons (src/link/comparison.rs) with
# lower Dice thresholds, and LSH blocking on the last-name CLK next to the
# record CLK.
# Diffusion compresses Dice towards the density of the diffused filter: at
# t = 8 a name pair at plain Dice 0.95 / 0.85 / 0.70 lands near 0.93 / 0.80 /
# 0.65 (street, with more bits: 0.92 / 0.75 / 0.60), so levels keep the pairs
# they held on plain CLKs. Worked out from the expected flip rate
# (1 - (1 - 2m/l)^t) / 2 of an m-bit difference, not fitted on the truth.
# The same rate explains the blocking change: the record CLK is half full, so
# a true pair differing in ~20% of its bits differs in ~49% after diffusion
# and LSH on it misses true pairs (pair completeness 0.963 -> 0.933 at t = 8);
# the sparse name CLKs keep their similarity (0.981 at t = 8 with a second
# LSH on lastName; LSH on the names alone reaches 0.984 but its candidate
# set trains a worse model).
FUZZY = [0.92, 0.78, 0.62]
DIFFUSED_LINK_CONFIG = {"blocking": {"lsh": [{"clk": "record"}, {"clk": "lastName"}]},
                        "comparisons": [
    *[{"name": s, "kind": "token", "source": s, "tfAdjustment": True}
      for s in ("email", "phone", "dateOfBirth")],
    *[{"name": c, "kind": "clk", "source": c, "thresholds": FUZZY}
      for c in ("firstName", "lastName", "street")],
    *[{"name": c, "kind": "clk", "source": c, "thresholds": [0.92, 0.75]}
      for c in ("city", "postalCode")],
]}

HARDENINGS = [
    ("none", {}, None),
    ("balanced", {"balanced": True}, None),
    ("salted (dateOfBirth)", {"saltFeature": "dateOfBirth"}, None),
    *[(f"diffusion t = {t}", {"diffusion": t}, None) for t in (4, 6, 8, 10, 12)],
    ("none, diffusion link config", {}, DIFFUSED_LINK_CONFIG),
    *[(f"diffusion t = {t}, diffusion link config", {"diffusion": t}, DIFFUSED_LINK_CONFIG)
      for t in (4, 6, 8, 10, 12)],
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
    for name, hardening, link_config in HARDENINGS:
        if args.only and args.only not in name and name != "none":
            continue
        text = json.dumps(hardening, separators=(",", ":"))
        os.environ["PSEUDOLINK_CLK_HARDENING"] = text
        if link_config is None:
            os.environ.pop("PSEUDOLINK_LINK_CONFIG", None)
        else:
            os.environ["PSEUDOLINK_LINK_CONFIG"] = json.dumps(link_config)
        slug = name.split(" (")[0].replace(" = ", "").replace(",", "").replace(" ", "-")
        work = args.work / slug
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
