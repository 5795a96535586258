"""The linkage service's Splink job (``python -m pseudolink.job``): the
binary transfer form read into Arrow, a partner file linked against a
directory on DuckDB against the truth and the core ``Linker``, the same job
on Spark local mode scoring what DuckDB scores, the protocol over real
pipes, and malformed jobs refused with exit code 2."""

from __future__ import annotations

import io
import json
import math
import os
import shutil
import struct
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


def read_answer(out: bytes) -> dict:
    """A ``pseudolink-job/2`` answer read as the module's docstring specifies
    it (the service's reader is Rust; this one checks the Python writer):
    the header line, ``{"rows": n}`` chunks of little-endian columns, the
    end line with the total, nothing after it."""
    at = out.index(b"\n") + 1
    answer = json.loads(out[:at])
    comps = answer["comparisons"]
    pairs = {"a": [], "b": [], "probability": [], "matchWeight": [],
             "gamma": [[] for _ in comps], "mw": [[] for _ in comps], "mwTf": [[] for _ in comps]}
    chunks = 0
    while True:
        end = out.index(b"\n", at) + 1
        frame = json.loads(out[at:end])
        at = end
        if frame.get("end"):
            assert frame["rows"] == len(pairs["a"]) and at == len(out), "the total, then nothing"
            break
        n = frame["rows"]
        assert 1 <= n <= job.ANSWER_ROWS
        chunks += 1

        def take(fmt: str, width: int) -> list:
            nonlocal at
            values = list(struct.unpack(f"<{n}{fmt}", out[at:at + n * width]))
            at += n * width
            return values

        pairs["a"] += take("I", 4)
        pairs["b"] += take("I", 4)
        pairs["probability"] += take("d", 8)
        pairs["matchWeight"] += take("d", 8)
        for i, c in enumerate(comps):
            pairs["gamma"][i] += take("b", 1)
            pairs["mw"][i] += take("d", 8)
            pairs["mwTf"][i] += take("d", 8) if c["tf"] else [0.0] * n
    return dict(answer, pairs=pairs, chunks=chunks)


def test_the_answer_streams_in_chunks_of_fixed_width_columns(monkeypatch):
    comparisons = [{"name": "email", "labels": ["disagree", "agree"], "tf": True},
                   {"name": "lastName", "labels": ["dice<0.7", "dice≥0.7"], "tf": False}]
    schema = job.answer_schema(comparisons)
    assert schema.names == ["a", "b", "probability", "matchWeight", "gamma_0", "mw_0", "mwTf_0", "gamma_1", "mw_1"]
    n = 20
    columns = {"a": list(range(n)), "b": [2**32 - 1 - i for i in range(n)], "probability": [0.5 + i / 100 for i in range(n)],
               "matchWeight": [float(i) for i in range(n)], "gamma_0": [1] * n, "mw_0": [3.25] * n,
               "mwTf_0": [-0.5 * i for i in range(n)], "gamma_1": [-1, 0, 1, 1] * 5, "mw_1": [0.0, -2.0, 4.5, 4.5] * 5}
    whole = pa.RecordBatch.from_pydict(columns, schema=schema)
    monkeypatch.setattr(job, "ANSWER_ROWS", 8)
    out = io.BytesIO()
    # Batches as an engine hands them over: uneven, one empty, one larger than a chunk.
    scored = job.Scored("duckdb", 0.01, comparisons, schema, iter([whole.slice(0, 3), whole.slice(3, 0), whole.slice(3)]))
    assert job.write_answer(out, scored) == n
    got = read_answer(out.getvalue())
    assert got["chunks"] == 4  # 3, then 8 + 8 + 1
    assert (got["protocol"], got["engine"], got["prior"], got["comparisons"]) == (job.PROTOCOL, "duckdb", 0.01, comparisons)
    p = got["pairs"]
    assert (p["a"], p["b"], p["probability"], p["matchWeight"]) == (columns["a"], columns["b"], columns["probability"],
                                                                     columns["matchWeight"])
    assert p["gamma"] == [columns["gamma_0"], columns["gamma_1"]] and p["mw"] == [columns["mw_0"], columns["mw_1"]]
    assert p["mwTf"] == [columns["mwTf_0"], [0.0] * n]
    # A pair without a value is not written as one: the job fails instead.
    holed = pa.RecordBatch.from_pydict(dict(columns, mw_1=[None] + columns["mw_1"][1:]),
                                       schema=pa.schema([f.with_nullable(True) for f in schema]))
    with pytest.raises(ValueError):
        job.write_answer(io.BytesIO(), job.Scored("duckdb", 0.01, comparisons, schema, iter([holed])))


def test_a_duckdb_job_links_as_well_as_the_core_linker(link_800):
    partner, directory, truth = link_800
    answer = job.link(pl.encoded_table(pl.encoded_binary(partner)),
                      pl.encoded_table(pl.encoded_binary(directory)), CONFIG)
    assert 0 < answer["prior"] < 1
    assert [c["name"] for c in answer["comparisons"]] == [c["name"] for c in CONFIG["comparisons"]]
    assert [c["tf"] for c in answer["comparisons"]] == [bool(c.get("tfAdjustment")) for c in CONFIG["comparisons"]]
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


def test_a_job_with_a_given_model_scores_each_pair_as_the_linker_does_and_trains_nothing(link_800):
    """A project's ``linkParams``: a model trained elsewhere (here a core
    ``Linker`` on these datasets) scores the job's pairs. Without term
    frequencies (Splink's formula is not the linker's), every pair's
    probability is the ``Linker``'s for that pair to 1e-9, the prior is the
    model's and each level weighs log2(m/u) of its m and u."""
    partner, directory, _ = link_800
    no_tf = dict(CONFIG, comparisons=[{k: v for k, v in c.items() if k != "tfAdjustment"}
                                      for c in CONFIG["comparisons"]])
    core = pl.Linker(no_tf)
    core.link(partner, directory)
    params = core.params()
    answer = job.link(pl.encoded_table(pl.encoded_binary(partner)), pl.encoded_table(pl.encoded_binary(directory)),
                      no_tf, params=params)
    assert answer["prior"] == pytest.approx(params["prior"], rel=1e-12)
    assert not any(c["tf"] for c in answer["comparisons"])
    p = answer["pairs"]
    assert len(p["a"]) > 300
    for a, b, q in zip(p["a"], p["b"], p["probability"]):
        assert abs(core.explain(partner[a], directory[b])["probability"] - q) <= 1e-9, (a, b)
    for c, given in enumerate(params["comparisons"]):
        weight = [math.log2(lvl["m"] / lvl["u"]) for lvl in given["levels"]]
        assert all(g < 0 or mw == pytest.approx(weight[g], abs=1e-9) for g, mw in zip(p["gamma"][c], p["mw"][c]))
    # A model that does not fit the comparisons is refused before any engine starts.
    with pytest.raises(PseudolinkError) as e:
        job.link(pl.encoded_table(pl.encoded_binary(partner)), pl.encoded_table(pl.encoded_binary(directory)),
                 no_tf, params=dict(params, comparisons=params["comparisons"][:-1]))
    assert e.value.code == "link.bad_params"


def run_module(stdin: bytes) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pseudolink.job"], input=stdin, capture_output=True, timeout=600)


def test_the_protocol_over_pipes_and_malformed_jobs(link_800):
    partner, directory, _ = link_800
    a, b = pl.encoded_binary(partner[:200]), pl.encoded_binary(directory[:200])
    header = {"protocol": job.PROTOCOL, "engine": "duckdb", "config": CONFIG,
              "partnerBytes": len(a), "directoryBytes": len(b)}
    done = run_module(json.dumps(header).encode() + b"\n" + a + b)
    assert done.returncode == 0, done.stderr[-2000:]
    answer = read_answer(done.stdout)  # the answer and nothing else on stdout
    assert answer["protocol"] == job.PROTOCOL and answer["pairs"]["a"]
    # The same pairs and levels as the job's Python API gives, the same
    # probabilities but for the last bits of DuckDB's parallel sums.
    direct = job.link(pl.encoded_table(a), pl.encoded_table(b), CONFIG)
    assert answer["comparisons"] == direct["comparisons"] and answer["prior"] == pytest.approx(direct["prior"], rel=1e-9)

    def by_pair(ans: dict) -> dict:
        p = ans["pairs"]
        return {(x, y): (q, [g[i] for g in p["gamma"]]) for i, (x, y, q) in enumerate(zip(p["a"], p["b"], p["probability"]))}

    piped, direct_pairs = by_pair(answer), by_pair(direct)
    assert piped.keys() == direct_pairs.keys()
    assert all(piped[k][1] == direct_pairs[k][1] and piped[k][0] == pytest.approx(direct_pairs[k][0], abs=1e-9) for k in piped)
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


def test_band_lists_hold_each_rows_band_keys_so_one_exploding_rule_blocks_as_the_bands_did():
    t = pa.table({"lsh_0_0": pa.array([1, None, 3], pa.int64()), "lsh_0_1": pa.array([10, 20, None], pa.int64()),
                  "other": ["x", "y", "z"]})
    out = job.band_lists(t, ["lsh_0"], 2)
    assert out.column_names == ["other", "lsh_0_keys"]
    assert out.column("lsh_0_keys").to_pylist() == [[1, 10], [20], [3]]


@pytest.mark.skipif(not shutil.which("java"), reason="no java for Spark local mode")
def test_a_spark_job_over_pipes_scores_what_the_duckdb_job_scores(link_800, tmp_path):
    """The service's path with ``"engine": "spark"``: the same job in a
    child process, Spark local mode, against the DuckDB job on the same
    records. Same training data, same candidates: the same pairs, with
    probabilities that differ only by the u sample (each engine draws its
    own random pairs). Shuffle blocks go to the job's own directory, which
    it removes; its tables go to the given ``checkpointDir``, and it removes
    them too."""
    pytest.importorskip("pyspark")
    partner, directory, truth = link_800
    n = 300
    a, b = pl.encoded_binary(partner[:n]), pl.encoded_binary(directory[:n])
    header = {"protocol": job.PROTOCOL, "engine": "spark", "config": CONFIG,
              "partnerBytes": len(a), "directoryBytes": len(b),
              "spark": {"master": "local[2]", "driverMemory": "1g", "shufflePartitions": 2,
                        "checkpointDir": str(tmp_path / "tables")}}
    env = dict(os.environ, TMPDIR=str(tmp_path))
    # Predictions read back from Parquet files of at most 25 rows: several files.
    main = "import sys; from pseudolink import job; job.SPARK_ANSWER_FILE_ROWS = 25; sys.exit(job.main())"
    done = subprocess.run([sys.executable, "-c", main], input=json.dumps(header).encode() + b"\n" + a + b,
                          capture_output=True, timeout=1200, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    answer = read_answer(done.stdout)
    assert len(answer["pairs"]["a"]) > 25
    assert answer["engine"] == "spark"
    assert [c["name"] for c in answer["comparisons"]] == [c["name"] for c in CONFIG["comparisons"]]
    duck = job.link(pl.encoded_table(a), pl.encoded_table(b), CONFIG)
    assert answer["prior"] == pytest.approx(duck["prior"], rel=1e-9)
    assert answer["comparisons"] == duck["comparisons"]
    spark_links, duck_links = decided(answer), decided(duck)
    assert spark_links and len(spark_links & duck_links) >= 0.95 * len(duck_links | spark_links)
    def scored(ans):
        p = ans["pairs"]
        return {(x, y): (q, w) for x, y, q, w in zip(p["a"], p["b"], p["probability"], p["matchWeight"])}
    duck_scores, spark_scores = scored(duck), scored(answer)
    both = [(spark_scores[k], duck_scores[k]) for k in spark_scores.keys() & duck_scores.keys()]
    # Measured on this data: 54 pairs scored by both, probabilities 0.0004 to
    # 0.061 apart at most, most under 0.013 (match weights up to 2.7 bits
    # apart, at pairs whose probability is 1 either way).
    gaps = [abs(s[0] - d[0]) for s, d in both]
    assert len(both) >= 0.9 * len(duck_scores) and max(gaps) < 0.1 and sum(gaps) / len(gaps) < 0.01, gaps
    small_truth = {(x, y) for x, y in truth if x < n and y < n}
    hits = len(spark_links & small_truth)
    assert hits / len(spark_links) >= 0.9 and hits / len(small_truth) >= 0.85
    # The job's temporary Spark directory is gone, and so is its directory of
    # tables (inputs and Splink's, as Parquet) under the given checkpointDir.
    assert not any(p.name.startswith("pseudolink-job-spark-") for p in tmp_path.iterdir())
    assert (tmp_path / "tables").is_dir() and not any((tmp_path / "tables").iterdir())


def test_a_spark_session_that_cannot_start_its_tables_leaves_nothing_behind(tmp_path):
    """The session takes the job's options (``broadcastJoinMb`` here, or
    Spark's default). ``spark_inputs`` with a ``checkpointDir`` no file
    system serves: the error reaches the caller, the session is stopped and
    the job's own temporary directory (shuffle blocks) removed. In a child
    process, so no other test's session is touched."""
    pytest.importorskip("pyspark")
    code = """
import tempfile
import pyarrow as pa
from pyspark.sql import SparkSession
from pseudolink import job
for options in ({"master": "local[1]", "broadcastJoinMb": 64}, {"master": "local[1]"}):
    with tempfile.TemporaryDirectory() as d:
        s = job.spark_session(options, d)
        print(s.conf.get("spark.sql.autoBroadcastJoinThreshold"))
        s.stop()
try:
    job.spark_inputs([("a_partner", pa.table({"unique_id": [1, 2]}))],
                     {"master": "local[1]", "driverMemory": "1g", "checkpointDir": "nosuchfs://nowhere/tables"})
except Exception as e:
    print(type(e).__name__, SparkSession.getActiveSession() is None)
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=300,
                          env=dict(os.environ, TMPDIR=str(tmp_path)))
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.decode().split() == [str(64 * 2**20), str(10 * 2**20), "Py4JJavaError", "True"]
    assert not any(p.name.startswith("pseudolink-job-spark-") for p in tmp_path.iterdir())
