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
from conftest import LINK_CONFIG as CONFIG, one_to_one as decided

pytest.importorskip("splink")


def test_the_transfer_form_reads_into_arrow(link_800):
    partner, _, _ = link_800
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


def test_a_duckdb_job_links_as_well_as_the_core_linker(link_800):
    partner, directory, truth = link_800
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


def test_the_protocol_over_pipes_and_malformed_jobs(link_800):
    partner, directory, _ = link_800
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


def test_a_crowded_blocking_key_blocks_nobody():
    """maxBlockPairs, as the Linker applies it: a key pairing more records
    across the two datasets than allowed is nulled in both; others stay."""
    a = pa.table({"k": ["crowd", "crowd", "crowd", "rare", None]})
    b = pa.table({"k": ["crowd", "crowd", "rare", "only-b"]})
    capped_a, capped_b = job.cap_buckets([a, b], ["k"], 4)  # crowd: 3 x 2 = 6 pairs > 4
    assert capped_a.column("k").to_pylist() == [None, None, None, "rare", None]
    assert capped_b.column("k").to_pylist() == [None, None, "rare", "only-b"]
    kept_a, _ = job.cap_buckets([a, b], ["k"], 6)  # exactly the limit is allowed
    assert kept_a.column("k").to_pylist() == a.column("k").to_pylist()
