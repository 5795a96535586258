"""Shared fixtures: synthetic records with truth (pseudolink-synth, seeded)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pcsv
import pytest

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
