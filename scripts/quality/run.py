"""Linkage quality: precision, recall and F1 of each method on the same
generated data, printed as one markdown table (BENCHMARKS.md, "Linkage
quality"). Run through run.sh, which makes the data and the venv.

Every method gets the same records. Link results are made one-to-one by
greedy assignment (highest score first), dedupe results are clusters
(connected components); pairs are then scored against the generator's truth.
Dedupe is scored pairwise: a pair of records is a predicted match when both
are in one predicted cluster.

Methods are listed in METHODS at the end. Each is a function
(task, paths) -> Result; a method that needs a threshold either uses one it
gets without labels, or reports its best threshold against the truth and
says so in its name.
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import os
import re
import subprocess
import sys
import time
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# ---------------------------------------------------------------- data


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@dataclass
class Paths:
    data: Path  # has link/{a,b,truth}.csv and dedupe/{records,truth}.csv
    work: Path  # scratch for predictions

    def link(self, name: str) -> Path:
        return self.data / "link" / name

    def dedupe(self, name: str) -> Path:
        return self.data / "dedupe" / name


@dataclass
class Result:
    """Predicted links: pairs (link) or record -> cluster label (dedupe)."""

    pairs: set[tuple[str, str]] | None = None
    clusters: dict[str, str] | None = None
    note: str = ""
    seconds: float = 0.0


# ---------------------------------------------------------------- scoring


def prf(tp: int, predicted: int, actual: int) -> tuple[float, float, float]:
    p = tp / predicted if predicted else 0.0
    r = tp / actual if actual else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def choose2(n: int) -> int:
    return n * (n - 1) // 2


def score_link(pairs: set[tuple[str, str]], truth: set[tuple[str, str]]):
    return prf(len(pairs & truth), len(pairs), len(truth))


def score_dedupe(pred: dict[str, str], truth: dict[str, str]):
    """Pairwise scores from the contingency table of the two clusterings."""
    cells = Counter((pred.get(i, "single:" + i), t) for i, t in truth.items())
    tp = sum(choose2(n) for n in cells.values())
    predicted = sum(choose2(n) for n in Counter(pred.get(i, "single:" + i) for i in truth).values())
    actual = sum(choose2(n) for n in Counter(truth.values()).values())
    return prf(tp, predicted, actual)


def greedy_one_to_one(scored: list[tuple[float, str, str]]) -> set[tuple[str, str]]:
    """Highest score first; a record links at most once (as anonlink's greedy solver)."""
    used_a, used_b, out = set(), set(), set()
    for _, a, b in sorted(scored, key=lambda x: (-x[0], x[1], x[2])):
        if a not in used_a and b not in used_b:
            used_a.add(a)
            used_b.add(b)
            out.add((a, b))
    return out


def components(ids: list[str], edges) -> dict[str, str]:
    parent = {i: i for i in ids}

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in edges:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return {i: find(i) for i in ids}


# ---------------------------------------------------------------- plaintext cleaning
# The plaintext baselines get ordinary standardisation first, as their users
# would do: folded lowercase names, digits-only phones in international form,
# ISO dates, five-digit ZIPs. (pseudolink normalises inside the crate.)

CALLING = {"US": "1", "CA": "1", "GB": "44", "DE": "49", "FR": "33"}
COUNTRY = {
    "us": "US", "usa": "US", "united states": "US", "u.s.a.": "US",
    "gb": "GB", "uk": "GB", "united kingdom": "GB",
    "de": "DE", "deu": "DE", "germany": "DE", "deutschland": "DE",
    "fr": "FR", "fra": "FR", "france": "FR",
    "ca": "CA", "can": "CA", "canada": "CA",
}


def fold(s: str) -> str:
    s = unicodedata.normalize("NFKD", s.replace("ß", "ss"))
    s = "".join(c for c in s if not unicodedata.combining(c)).lower()
    s = re.sub(r"[^a-z0-9@.\- ]", " ", s)
    return " ".join(s.split())


def clean_phone(raw: str, country: str) -> str:
    d = re.sub(r"\D", "", raw)
    if not d:
        return ""
    if raw.strip().startswith("+"):
        return d
    cc = CALLING.get(country, "1")
    if cc == "1":
        return d if len(d) == 11 and d.startswith("1") else "1" + d
    return cc + d.lstrip("0")


def clean_dob(raw: str) -> str:
    s = raw.strip()
    m = re.fullmatch(r"(\d{4})[-/]?(\d{2})[-/]?(\d{2})", s)
    if m:
        return "".join(m.groups())
    m = re.fullmatch(r"(\d{2})/(\d{2})/(\d{4})", s)  # the data's only d/m-first layout is m/d/y
    if m:
        return m.group(3) + m.group(1) + m.group(2)
    return re.sub(r"\D", "", s)


def clean_postal(raw: str, country: str) -> str:
    s = raw.strip().upper().replace(" ", "")
    return s[:5] if country == "US" else s


def clean(row: dict[str, str]) -> dict[str, str]:
    country = COUNTRY.get(row["country"].strip().lower(), row["country"].strip().upper())
    return {
        "id": row["id"],
        "first_name": fold(row["firstName"]),
        "last_name": fold(row["lastName"]),
        "email": row["email"].strip().lower(),
        "phone": clean_phone(row["phone"], country),
        "dob": clean_dob(row["dateOfBirth"]),
        "street": fold(row["street"]),
        "city": fold(row["city"]),
        "state": row["state"].strip().upper(),
        "postcode": clean_postal(row["postalCode"], country),
        "country": country,
    }


# ---------------------------------------------------------------- pseudolink exact tokens


def pseudolink_exact(task: str, paths: Paths) -> Result:
    return pseudolink_native("quality_exact", "exact", task, paths)


def pseudolink_fuzzy(task: str, paths: Paths) -> Result:
    """Tokens + per-field CLKs, Fellegi-Sunter trained by EM on the data,
    links at probability >= 0.5 (benches/quality/fuzzy.rs); no labels."""
    return pseudolink_native("quality_fuzzy", "fuzzy", task, paths)


def pseudolink_day_one(task: str, paths: Paths) -> Result:
    # The shipped day-one model (src/link/prior.json) scores: no training.
    return pseudolink_native("quality_fuzzy", "fuzzy-prior", task, paths, {"PSEUDOLINK_MODEL": "prior"})


def pseudolink_native(bench: str, name: str, task: str, paths: Paths, env: dict | None = None) -> Result:
    out = paths.work / f"{name}-{task}.csv"
    args = (
        ["link", paths.link("a.csv"), paths.link("b.csv"), out]
        if task == "link"
        else ["dedupe", paths.dedupe("records.csv"), out]
    )
    t = time.time()
    subprocess.run(
        ["cargo", "bench", "--quiet", "--locked", "--bench", bench, "--", *map(str, args)],
        cwd=ROOT, check=True, env={**os.environ, **(env or {})},
    )
    secs = time.time() - t
    rows = read_csv(out)
    if task == "link":
        return Result(pairs={(r["a_id"], r["b_id"]) for r in rows}, seconds=secs)
    return Result(clusters={r["id"]: r["cluster"] for r in rows}, seconds=secs)


# ---------------------------------------------------------------- clkhash + anonlink


def clk_schema() -> dict:
    """clkhash's documented v3 example schema (shared/reference/
    clkhash-schema-v3-example.json: same KDF, sizes and per-feature choices),
    its features mapped onto these columns; email and phone added in the
    style of its other string and digit features."""

    def feat(name, n, bits, positional=False):
        cmp = {"type": "ngram", "n": n}
        if positional:
            cmp["positional"] = True
        return {
            "identifier": name,
            "format": {"type": "string", "encoding": "utf-8"},
            "hashing": {
                "comparison": cmp,
                "strategy": {"bitsPerFeature": bits},
                "hash": {"type": "doubleHash"},
                "missingValue": {"sentinel": ""},
            },
        }

    return {
        "version": 3,
        "clkConfig": {
            "l": 1024,
            "kdf": {
                "type": "HKDF",
                "hash": "SHA256",
                "info": "c2NoZW1hX2V4YW1wbGU=",
                "salt": "SCbL2zHNnmsckfzchsNkZY9XoHk96P/G5nUBrM7ybymlEFsMV6PAeDZCNp3rfNUPCtLDMOGQHG4pCQpfhiHCyA==",
                "keySize": 64,
            },
        },
        "features": [
            {"identifier": "id", "ignored": True},
            feat("first_name", 2, 200),
            feat("last_name", 2, 200),
            feat("email", 2, 100),
            feat("phone", 1, 100, positional=True),
            feat("street", 2, 100),
            feat("city", 2, 100),
            feat("postcode", 1, 100, positional=True),
            feat("state", 2, 100, positional=True),
            feat("dob", 1, 200, positional=True),
        ],
    }


CLK_COLUMNS = ["id", "first_name", "last_name", "email", "phone", "street", "city", "postcode", "state", "dob"]
CLK_SECRET = "quality-benchmark-secret"
# This schema fills most of each CLK's bits, so unrelated records already
# score a Dice of ~0.7. Each record keeps only its 10 best candidates
# (anonlink's k): without k, all pairs above 0.7 do not fit in memory.
SWEEP = [round(0.70 + 0.01 * i, 2) for i in range(30)]
TOP_K = 10


def encode(rows):
    from clkhash import clk, schema

    s = schema.from_json_dict(clk_schema())
    data = [[clean(r)[c] for c in CLK_COLUMNS] for r in rows]
    return clk.generate_clks(data, s, CLK_SECRET, validate=False, max_workers=1)


def clk_anonlink(task: str, paths: Paths, truth) -> Result:
    import anonlink

    t = time.time()
    if task == "link":
        a, b = read_csv(paths.link("a.csv")), read_csv(paths.link("b.csv"))
        ca, cb = encode(a), encode(b)
        sims, _, (ra, rb) = anonlink.candidate_generation.find_candidate_pairs(
            [ca, cb], anonlink.similarities.dice_coefficient_accelerated, min(SWEEP), k=TOP_K
        )
        cands = [(s, a[i]["id"], b[j]["id"]) for s, i, j in zip(sims, ra, rb)]
        best = None
        for th in SWEEP:
            pred = greedy_one_to_one([c for c in cands if c[0] >= th])
            f = score_link(pred, truth)[2]
            if best is None or f > best[0]:
                best = (f, th, pred)
        return Result(pairs=best[2], note=f"threshold {best[1]:.2f}", seconds=time.time() - t)
    rows = read_csv(paths.dedupe("records.csv"))
    clks = encode(rows)
    sims, _, (ra, rb) = anonlink.candidate_generation.find_candidate_pairs(
        [clks, clks], anonlink.similarities.dice_coefficient_accelerated, min(SWEEP), k=TOP_K
    )
    ids = [r["id"] for r in rows]
    cands = [(s, ids[i], ids[j]) for s, i, j in zip(sims, ra, rb) if i < j]
    best = None
    for th in SWEEP:
        pred = components(ids, ((x, y) for s, x, y in cands if s >= th))
        f = score_dedupe(pred, truth)[2]
        if best is None or f > best[0]:
            best = (f, th, pred)
    return Result(clusters=best[2], note=f"threshold {best[1]:.2f}", seconds=time.time() - t)


# ---------------------------------------------------------------- Splink


def splink_predictions(task: str, paths: Paths):
    """Splink's standard setup, trained without labels (EM); returns the scored
    pairs (probability, left id, right id) and the record ids."""
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    logging.getLogger("splink").setLevel(logging.WARNING)
    db = DuckDBAPI()

    def cleaned(rows):
        # Splink needs missing values as NULL, not as empty strings that match.
        return [{k: v or None for k, v in clean(r).items()} for r in rows]

    if task == "link":
        a = cleaned(read_csv(paths.link("a.csv")))
        b = cleaned(read_csv(paths.link("b.csv")))
        inputs = [db.register(a, dataset_display_name="a"), db.register(b, dataset_display_name="b")]
        ids = [r["id"] for r in a + b]
    else:
        rows = cleaned(read_csv(paths.dedupe("records.csv")))
        inputs = db.register(rows, dataset_display_name="records")
        ids = [r["id"] for r in rows]
    settings = SettingsCreator(
        link_type="link_only" if task == "link" else "dedupe_only",
        unique_id_column_name="id",
        comparisons=[
            cl.JaroWinklerAtThresholds("first_name", [0.92, 0.8]),
            cl.JaroWinklerAtThresholds("last_name", [0.92, 0.8]),
            cl.EmailComparison("email"),
            cl.DamerauLevenshteinAtThresholds("phone", [1]),
            cl.DamerauLevenshteinAtThresholds("dob", [1, 2]),
            cl.DamerauLevenshteinAtThresholds("postcode", [1]),
            cl.ExactMatch("city").configure(term_frequency_adjustments=True),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("email"),
            block_on("phone"),
            block_on("first_name", "last_name"),
            block_on("last_name", "dob"),
            block_on("first_name", "dob"),
            block_on("postcode", "last_name"),
        ],
        retain_intermediate_calculation_columns=False,
    )
    linker = Linker(inputs, settings, log_level=logging.WARNING)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("email"), block_on("phone"), block_on("first_name", "last_name", "dob")], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("first_name", "last_name"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("dob"))
    pred = linker.inference.predict(threshold_match_probability=0.01)
    scored = [
        (r["match_probability"], r["id_l"], r["id_r"]) for r in pred.as_record_list()
    ]
    return scored, ids


_SPLINK_CACHE: dict[str, tuple] = {}


def splink_cached(task, paths):
    if task not in _SPLINK_CACHE:
        t = time.time()
        scored, ids = splink_predictions(task, paths)
        _SPLINK_CACHE[task] = (scored, ids, time.time() - t)
    return _SPLINK_CACHE[task]


def splink_resolve(task, scored, ids, threshold, link_sides):
    kept = [s for s in scored if s[0] >= threshold]
    if task == "link":
        # Orient each pair (A id, B id): ids say which dataset a record is in.
        oriented = [(p, l, r) if l in link_sides else (p, r, l) for p, l, r in kept]
        return Result(pairs=greedy_one_to_one(oriented))
    return Result(clusters=components(ids, ((l, r) for _, l, r in kept)))


def a_ids(paths):
    return {r["id"] for r in read_csv(paths.link("a.csv"))}


def splink_at_half(task: str, paths: Paths, truth) -> Result:
    scored, ids, secs = splink_cached(task, paths)
    res = splink_resolve(task, scored, ids, 0.5, a_ids(paths) if task == "link" else None)
    res.note, res.seconds = "match probability ≥ 0.5", secs
    return res


def splink_best(task: str, paths: Paths, truth) -> Result:
    scored, ids, secs = splink_cached(task, paths)
    sides = a_ids(paths) if task == "link" else None
    best = None
    for th in [0.01, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 0.999, 0.9999]:
        res = splink_resolve(task, scored, ids, th, sides)
        f = (score_link(res.pairs, truth) if task == "link" else score_dedupe(res.clusters, truth))[2]
        if best is None or f > best[0]:
            best = (f, th, res)
    best[2].note, best[2].seconds = f"threshold {best[1]} (labelled)", secs
    return best[2]


# ---------------------------------------------------------------- calibration


def scored_link_pairs(data: Path, out: Path) -> list[tuple[float, bool]]:
    """Every link-task pair of one dataset that the default linker scores
    at 0.001 or more (no one-to-one step, so nothing is dropped), as
    (probability, is it a true pair). The model is trained on that
    dataset alone, without labels."""
    config = json.dumps({"threshold": 0.001, "oneToOne": False})
    subprocess.run(
        ["cargo", "bench", "--quiet", "--locked", "--bench", "quality_fuzzy", "--",
         "link", str(data / "link" / "a.csv"), str(data / "link" / "b.csv"), str(out)],
        cwd=ROOT, check=True, env={**os.environ, "PSEUDOLINK_LINK_CONFIG": config},
    )
    truth = {(r["a_id"], r["b_id"]) for r in read_csv(data / "link" / "truth.csv")}
    return [(float(r["probability"]), (r["a_id"], r["b_id"]) in truth) for r in read_csv(out)]


def calibration(scored: list[tuple[float, bool]]) -> str:
    """Is pseudolink's probability what it says? Pairs grouped into
    probability deciles: the mean probability of each decile against the
    share of its pairs that are true matches, with the share's 95% Wilson
    interval (a decile of 30 pairs cannot show a 0.05 gap: pool seeds)."""
    bins: dict[int, list[tuple[float, bool]]] = defaultdict(list)
    for p, t in scored:
        bins[min(int(p * 10), 9)].append((p, t))
    lines = [
        "| probability | pairs | mean probability | observed precision (95% interval) | gap | gap outside the interval |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    worst, beyond, weighted, total = 0.0, 0.0, 0.0, sum(len(v) for v in bins.values())
    for d in range(10):
        rows = bins.get(d, [])
        if not rows:
            lines.append(f"| {d / 10:.1f}–{(d + 1) / 10:.1f} | 0 | | | | |")
            continue
        mean = sum(p for p, _ in rows) / len(rows)
        prec = sum(t for _, t in rows) / len(rows)
        lo, hi = wilson(prec, len(rows))
        # How far the mean lies outside what the observed share allows.
        outside = max(lo - mean, mean - hi, 0.0)
        worst = max(worst, abs(mean - prec))
        beyond = max(beyond, outside)
        weighted += abs(mean - prec) * len(rows)
        lines.append(
            f"| {d / 10:.1f}–{(d + 1) / 10:.1f} | {len(rows)} | {mean:.3f} | {prec:.3f} ({lo:.3f}–{hi:.3f}) "
            f"| {mean - prec:+.3f} | {outside:.3f} |"
        )
    lines.append(
        f"\nLargest gap: {worst:.3f} (target ≤ 0.05); largest distance of a decile's mean probability "
        f"outside its 95% interval: {beyond:.3f}; pair-weighted mean gap (expected calibration error): "
        f"{weighted / max(total, 1):.3f}."
    )
    return "\n".join(lines)


def wilson(p: float, n: int, z: float = 1.96) -> tuple[float, float]:
    """Wilson score interval of a proportion p observed on n trials."""
    d = 1 + z * z / n
    c = (p + z * z / (2 * n)) / d
    h = z * ((p * (1 - p) / n + z * z / (4 * n * n)) ** 0.5) / d
    return c - h, c + h


# ---------------------------------------------------------------- the table


@dataclass
class Method:
    name: str
    run: object  # (task, paths, truth) -> Result
    tasks: tuple = ("link", "dedupe")


METHODS = [
    Method("pseudolink exact tokens (one shared identifying token)", lambda t, p, _truth: pseudolink_exact(t, p)),
    Method("pseudolink fuzzy (tokens + CLKs, EM, probability ≥ 0.5, no labels)", lambda t, p, _truth: pseudolink_fuzzy(t, p)),
    Method("pseudolink fuzzy, day-one model (shipped prior, no training, probability ≥ 0.5)",
           lambda t, p, _truth: pseudolink_day_one(t, p)),
    Method("clkhash 0.18.3 + anonlink, best threshold (labelled)", clk_anonlink),
    Method("Splink (plaintext, EM), probability ≥ 0.5", splink_at_half),
    Method("Splink (plaintext, EM), best threshold (labelled)", splink_best),
]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, help="the generated data (required unless --pool-calibration)")
    ap.add_argument("--work", type=Path, required=True)
    ap.add_argument("--pool-calibration", type=Path, nargs="+", metavar="DATA",
                    help="only the calibration deciles, pooled over these datasets' link jobs "
                         "(each trained on its own data); --data is then not needed")
    ap.add_argument("--only", help="substring of the method names to run")
    ap.add_argument("--no-calibration", action="store_true", help="skip the calibration deciles")
    args = ap.parse_args()
    if args.data is None and not args.pool_calibration:
        ap.error("the following arguments are required: --data (unless --pool-calibration)")
    args.work.mkdir(parents=True, exist_ok=True)
    if args.pool_calibration:
        scored = []
        for i, data in enumerate(args.pool_calibration):
            scored += scored_link_pairs(data, args.work / f"calibration-pooled-{i}.csv")
        table = (f"Calibration pooled over {len(args.pool_calibration)} link jobs "
                 f"({', '.join(d.name for d in args.pool_calibration)}):\n\n" + calibration(scored))
        print(table)
        (args.work / "calibration-pooled.md").write_text(table + "\n")
        return 0
    paths = Paths(args.data, args.work)
    link_truth = {(r["a_id"], r["b_id"]) for r in read_csv(paths.link("truth.csv"))}
    dedupe_truth = {r["id"]: r["entity"] for r in read_csv(paths.dedupe("truth.csv"))}
    lines = [
        "| method | link P | link R | link F1 | dedupe P | dedupe R | dedupe F1 | notes |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for m in METHODS:
        if args.only and args.only not in m.name:
            continue
        cells, notes = [], []
        for task in ("link", "dedupe"):
            truth = link_truth if task == "link" else dedupe_truth
            res = m.run(task, paths, truth)
            s = score_link(res.pairs, truth) if task == "link" else score_dedupe(res.clusters, truth)
            cells += [f"{x:.3f}" for x in s]
            notes.append(f"{task}: {res.note + ', ' if res.note else ''}{res.seconds:.1f} s")
            print(f"{m.name} / {task}: P={s[0]:.4f} R={s[1]:.4f} F1={s[2]:.4f} {res.note}", file=sys.stderr)
        lines.append(f"| {m.name} | " + " | ".join(cells) + " | " + "; ".join(notes) + " |")
    table = "\n".join(lines)
    if not args.no_calibration:
        table += "\n\nCalibration (pseudolink fuzzy, link task, pairs before one-to-one):\n\n"
        table += calibration(scored_link_pairs(paths.data, paths.work / "calibration-link.csv"))
    print(table)
    (args.work / "table.md").write_text(table + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
