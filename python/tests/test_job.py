"""The linkage service's Splink job (``python -m pseudolink.job``): the
binary transfer form read into Arrow, a partner file linked against a
directory on DuckDB against the truth and the core ``Linker``, the
protocol over real pipes, and malformed jobs refused with exit code 2."""

from __future__ import annotations

import json
import subprocess
import sys

import pyarrow as pa
import pytest

import pseudolink as pl
from pseudolink import job
from pseudolink.errors import PseudolinkError
from conftest import CLK_SECRET, KEYS, ROOT, read_records, synth

pytest.importorskip("splink")

DEFINITION = {
    "version": 1,
    "fields": ["email", "phone", "dateOfBirth"],
    "matchKeys": [{"name": "nameDob", "parts": [
        {"field": "lastName"}, {"field": "firstName", "take": "initial"}, {"field": "dateOfBirth"}]}],
    "defaultRegion": "US",
}
#: The demo project's comparisons (demo/linkage/linkage.json), without hardening.
CONFIG = {
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


@pytest.fixture(scope="module")
def files():
    """A directory (a) and a partner file (b) of 800 people each, half shared;
    records as the service stores them: ids are row numbers."""
    out = synth("link", ROOT / "target" / "pytest-synth" / "link-800", "--n", "800", "--overlap", "0.5",
                "--seed", "13")
    enc = pl.RecordEncoder(KEYS, DEFINITION, clk_schema="default", clk_secret=CLK_SECRET)
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


def test_the_transfer_form_reads_into_arrow(files):
    partner, _, _ = files
    table = pl.encoded_table(pl.encoded_binary(partner))
    assert table.num_rows == len(partner)
    assert table.column("id").to_pylist() == [r["id"] for r in partner]
    back = pl.encoded_records(table.append_column("match_keys", pa.nulls(table.num_rows, pa.list_(pa.string()))))
    # Tokens and match keys arrive together; CLKs byte for byte.
    for got, want in zip(back, partner):
        assert got["tokens"] == want["tokens"] + want["matchKeys"]
        assert got["clks"] == want["clks"]
    with pytest.raises(PseudolinkError) as e:
        pl.encoded_table(b"not a transfer")
    assert e.value.code.startswith("transfer.")


def decided(answer: dict, threshold: float = 0.5) -> set[tuple[int, int]]:
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


def test_a_duckdb_job_links_as_well_as_the_core_linker(files):
    partner, directory, truth = files
    answer = job.link(pl.encoded_table(pl.encoded_binary(partner)),
                      pl.encoded_table(pl.encoded_binary(directory)), CONFIG)
    assert answer["protocol"] == job.PROTOCOL and 0 < answer["prior"] < 1
    assert [c["name"] for c in answer["comparisons"]] == [c["name"] for c in CONFIG["comparisons"]]
    assert answer["comparisons"][0]["labels"] == ["disagree", "agree"]
    assert answer["comparisons"][3]["labels"] == ["dice<0.62", "dice≥0.62", "dice≥0.78", "dice≥0.92"]
    p = answer["pairs"]
    n = len(p["a"])
    assert n and all(len(p[k]) == n for k in ("b", "probability", "matchWeight"))
    assert all(len(col) == n for k in ("gamma", "mw", "mwTf") for col in p[k])
    assert min(p["probability"]) >= 0.5
    links = decided(answer)
    hits = len(links & truth)
    precision, recall = hits / len(links), hits / len(truth)
    assert precision >= 0.95 and recall >= 0.9, (precision, recall)

    core = pl.Linker(CONFIG).link(partner, directory)
    core_links = {(int(l["a"]), int(l["b"])) for l in core["links"]}
    core_f1 = 2 * len(core_links & truth) / (len(core_links) + len(truth))
    f1 = 2 * hits / (len(links) + len(truth))
    assert f1 >= core_f1 - 0.03, (f1, core_f1)


def run_module(stdin: bytes) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pseudolink.job"], input=stdin, capture_output=True, timeout=600)


def test_the_protocol_over_pipes_and_malformed_jobs(files):
    partner, directory, _ = files
    a, b = pl.encoded_binary(partner[:200]), pl.encoded_binary(directory[:200])
    header = {"protocol": job.PROTOCOL, "engine": "duckdb", "config": CONFIG,
              "partnerBytes": len(a), "directoryBytes": len(b)}
    done = run_module(json.dumps(header).encode() + b"\n" + a + b)
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.splitlines()
    assert len(lines) == 1, "one answer line and nothing else on stdout"
    answer = json.loads(lines[0])
    assert answer["protocol"] == job.PROTOCOL and answer["pairs"]["a"]
    # Whatever went to stderr holds no token or CLK of the job.
    tags = {t.rsplit(".", 1)[1] for r in partner[:200] + directory[:200] for t in r["tokens"]}
    assert not any(t.encode() in done.stderr for t in tags)

    for bad in (b"not json\n", json.dumps(dict(header, protocol="other/1")).encode() + b"\n",
                json.dumps(header).encode() + b"\n" + a[:10],
                json.dumps(dict(header, partnerBytes=10)).encode() + b"\n" + b"x" * 10 + b):
        refused = run_module(bad)
        assert refused.returncode == 2 and refused.stdout == b""
    unknown = run_module(json.dumps(dict(header, engine="hadoop")).encode() + b"\n" + a + b)
    assert unknown.returncode == 3 and unknown.stdout == b""
