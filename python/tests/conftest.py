"""Shared fixtures: synthetic records with truth (pseudolink-synth, seeded)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pcsv
import pytest

import pseudolink as pl

ROOT = Path(__file__).resolve().parents[2]


def synth(kind: str, out: Path, *args: str) -> Path:
    """Runs pseudolink-synth (the workspace member) once per output dir."""
    if not ((out / "records.csv").exists() or (out / "a.csv").exists()):
        subprocess.run(
            ["cargo", "run", "--quiet", "--release", "--locked", "-p", "pseudolink-synth", "--",
             kind, *args, "--out", str(out)],
            cwd=ROOT, check=True, stdout=subprocess.DEVNULL,
        )
    return out


def read_records(path: Path) -> pa.Table:
    """A synth CSV with every column as text (postal codes keep their zeros)."""
    names = pcsv.read_csv(path, read_options=pcsv.ReadOptions(skip_rows_after_names=10**9)).column_names
    return pcsv.read_csv(path, convert_options=pcsv.ConvertOptions(column_types={n: pa.string() for n in names}))


@pytest.fixture(scope="session")
def dedupe_2k() -> tuple[pa.Table, pa.Table]:
    """2,000 synthetic customer records with ~30% duplicates, and their truth."""
    out = synth("dedupe", ROOT / "target" / "pytest-synth" / "dedupe-2k",
                "--n", "2000", "--dup-rate", "0.3", "--seed", "11")
    return read_records(out / "records.csv"), read_records(out / "truth.csv")


KEYS = {"k2026": bytes(range(32))}
DEFINITION = {
    "version": 1,
    "fields": ["email", "phone", "firstName", "lastName", "dateOfBirth"],
    "matchKeys": [{"name": "nameDob", "parts": [
        {"field": "lastName"}, {"field": "firstName", "take": "initial"}, {"field": "dateOfBirth"}]}],
    "defaultRegion": "US",
}
CLK_SECRET = b"the CLK secret both parties share"


LINK_DEFINITION = {
    "version": 1,
    "fields": ["email", "phone", "dateOfBirth"],
    "matchKeys": [{"name": "nameDob", "parts": [
        {"field": "lastName"}, {"field": "firstName", "take": "initial"}, {"field": "dateOfBirth"}]}],
    "defaultRegion": "US",
}
#: The demo project's comparisons (demo/linkage/linkage.json), without hardening.
LINK_CONFIG = {
    "blocking": {"lsh": [{"clk": "record"}, {"clk": "lastName"}]},
    "comparisons": [
        {"name": "email", "kind": "token", "source": "email", "tfAdjustment": True},
        {"name": "phone", "kind": "token", "source": "phone", "tfAdjustment": True},
        {"name": "dateOfBirth", "kind": "token", "source": "dateOfBirth", "tfAdjustment": True},
        {"name": "firstName", "kind": "clk", "source": "firstName", "thresholds": [0.92, 0.78, 0.62]},
        {"name": "lastName", "kind": "clk", "source": "lastName", "thresholds": [0.92, 0.78, 0.62]},
        {"name": "street", "kind": "clk", "source": "street", "thresholds": [0.92, 0.78, 0.62]},
        {"name": "city", "kind": "clk", "source": "city", "thresholds": [0.92, 0.75]},
        {"name": "postalCode", "kind": "clk", "source": "postalCode", "thresholds": [0.92, 0.75]},
    ],
}


@pytest.fixture(scope="session")
def link_800():
    """A directory (a) and a partner file (b) of 800 people each, half shared;
    records as the service stores them: ids are row numbers."""
    out = synth("link", ROOT / "target" / "pytest-synth" / "link-800", "--n", "800", "--overlap", "0.5",
                "--seed", "13")
    enc = pl.RecordEncoder(KEYS, LINK_DEFINITION, clk_schema="default", clk_secret=CLK_SECRET)
    tables = {}
    for side in ("a", "b"):
        t = read_records(out / f"{side}.csv")
        encoded = pl.encoded_records(enc.encode_batch(t, keep=["id"]))
        tables[side] = (t.column("id").to_pylist(), [dict(r, id=str(i)) for i, r in enumerate(encoded)])
    truth = read_records(out / "truth.csv")
    row = {side: {rid: i for i, rid in enumerate(tables[side][0])} for side in tables}
    pairs = {(row["b"][b], row["a"][a]) for a, b in zip(truth.column("a_id").to_pylist(),
                                                         truth.column("b_id").to_pylist())}
    return tables["b"][1], tables["a"][1], pairs


def one_to_one(answer: dict, threshold: float = 0.5) -> set[tuple[int, int]]:
    """The service's one-to-one decision (link::one_to_one_edges), in Python
    for the test: highest probability first while both rows are free."""
    p = answer["pairs"]
    order = sorted(range(len(p["a"])), key=lambda i: (-p["probability"][i], p["a"][i], p["b"][i]))
    used_a, used_b, out = set(), set(), set()
    for i in order:
        a, b = p["a"][i], p["b"][i]
        if p["probability"][i] >= threshold and a not in used_a and b not in used_b:
            used_a.add(a), used_b.add(b), out.add((a, b))
    return out
