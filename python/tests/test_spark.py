"""Spark local mode: the mapInArrow helper gives the wheel's bytes, and the
Spark SQL Dice levels (64-bit words and bit_count) agree with DuckDB's."""

from __future__ import annotations

import os
import shutil
import sys

import pyarrow as pa
import pytest

import pseudolink as pl
from pseudolink import splink as psp
from conftest import CLK_SECRET, KEYS

pyspark = pytest.importorskip("pyspark")
if not shutil.which("java"):
    pytest.skip("no java for Spark local mode", allow_module_level=True)

DEFINITION = {"version": 1, "fields": ["email", "phone", "dateOfBirth"], "defaultRegion": "US"}


@pytest.fixture(scope="module")
def spark(tmp_path_factory):
    from pyspark.sql import SparkSession

    os.environ["PYSPARK_PYTHON"] = sys.executable  # workers need the wheel too

    s = (SparkSession.builder.master("local[2]").appName("pseudolink-test")
         .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "4")
         .config("spark.driver.bindAddress", "127.0.0.1")
         .config("spark.local.dir", str(tmp_path_factory.mktemp("spark"))).getOrCreate())
    s.sparkContext.setLogLevel("ERROR")
    yield s
    s.stop()


def test_map_in_arrow_and_dice_in_spark_sql(spark, dedupe_2k):
    from pseudolink.spark import encode_dataframe

    records, _ = dedupe_2k
    small = records.slice(0, 300)
    df = spark.createDataFrame(small.to_pylist(), schema=", ".join(f"`{n}` string" for n in small.column_names))
    out = encode_dataframe(df.repartition(3), keys=KEYS, definition=DEFINITION, clk_schema="default",
                           clk_secret=CLK_SECRET, keep=["id"])
    got = {r["id"]: r for r in out.collect()}
    enc = pl.RecordEncoder(KEYS, DEFINITION, clk_schema="default", clk_secret=CLK_SECRET)
    want = enc.encode_batch(small, keep=["id"], token_columns=True)
    for row in want.to_pylist():
        g = got[row["id"]]
        assert list(g["tokens"]) == row["tokens"] and g["token_email"] == row["token_email"]
        assert (bytes(g["clk_firstName"]) if g["clk_firstName"] is not None else None) == row["clk_firstName"]

    # Dice levels in Spark SQL over 64-bit words equal the DuckDB SQL and the linker.
    words = psp.clk_words(want, ["firstName"], bits=1024)
    cols = ["id"] + [f"clk_firstName_w{i}" for i in range(16)]
    sdf = spark.createDataFrame(words.select(cols).to_pylist(), schema=", ".join(
        ["id string"] + [f"{c} bigint" for c in cols[1:]]))
    sdf.createOrReplaceTempView("w")
    comp = psp.clk_comparison("firstName", dialect="spark", words=16)
    top = comp["comparison_levels"][1]["sql_condition"]  # dice >= 0.95
    dice_sql = top.rsplit(" >= ", 1)[0]
    left = ", ".join(f"l.{c} AS {c}_l" for c in cols[1:])
    right = ", ".join(f"r.{c} AS {c}_r" for c in cols[1:])
    rows = spark.sql(f"""
        SELECT id_l, id_r, {dice_sql} AS dice FROM (
          SELECT l.id AS id_l, r.id AS id_r, {left}, {right}
          FROM w l JOIN w r ON l.id < r.id WHERE l.id < 'r0000040' AND r.id < 'r0000040')
        WHERE clk_firstName_w0_l IS NOT NULL AND clk_firstName_w0_r IS NOT NULL""").collect()
    assert rows
    by_id = {r["id"]: r for r in pl.encoded_records(want)}
    linker = pl.Linker({"comparisons": [{"name": "firstName", "kind": "clk", "source": "firstName",
                                         "thresholds": [0.95, 0.85, 0.7]}]})
    linker.set_params({"version": 1, "prior": 0.01, "comparisons": [{"name": "firstName", "levels": [
        {"label": "a", "m": 0.1, "u": 0.9}, {"label": "b", "m": 0.2, "u": 0.05},
        {"label": "c", "m": 0.3, "u": 0.03}, {"label": "d", "m": 0.4, "u": 0.02}]}]})
    for r in rows:
        sim = linker.explain(by_id[r["id_l"]], by_id[r["id_r"]])["contributions"][0]["similarity"]
        assert sim == r["dice"]  # the same double, bit for bit


def test_dice_over_word_arrays_in_spark_sql_is_the_linkers(spark, dedupe_2k):
    """clk_arrays + the Spark levels' one zip_with: the linker's Dice, bit for bit."""
    records, _ = dedupe_2k
    enc = pl.RecordEncoder(KEYS, DEFINITION, clk_schema="default", clk_secret=CLK_SECRET)
    want = enc.encode_batch(records.slice(0, 40), keep=["id"], token_columns=True)
    arrays = psp.clk_arrays(want.select(["id", "clk_firstName"]), ["firstName"])
    spark.createDataFrame(arrays).createOrReplaceTempView("arr")
    top = psp.clk_comparison("firstName", dialect="spark")["comparison_levels"][1]["sql_condition"]
    dice_sql = top.rsplit(" >= ", 1)[0]
    rows = spark.sql(f"""
        SELECT id_l, id_r, {dice_sql} AS dice FROM (
          SELECT l.id AS id_l, r.id AS id_r, l.clk_firstName AS clk_firstName_l, r.clk_firstName AS clk_firstName_r,
                 l.clk_firstName_n AS clk_firstName_n_l, r.clk_firstName_n AS clk_firstName_n_r
          FROM arr l JOIN arr r ON l.id < r.id)
        WHERE clk_firstName_l IS NOT NULL AND clk_firstName_r IS NOT NULL""").collect()
    assert len(rows) > 500
    by_id = {r["id"]: r for r in pl.encoded_records(want)}
    linker = pl.Linker({"comparisons": [{"name": "firstName", "kind": "clk", "source": "firstName",
                                         "thresholds": [0.95, 0.85, 0.7]}]})
    linker.set_params({"version": 1, "prior": 0.01, "comparisons": [{"name": "firstName", "levels": [
        {"label": "a", "m": 0.1, "u": 0.9}, {"label": "b", "m": 0.2, "u": 0.05},
        {"label": "c", "m": 0.3, "u": 0.03}, {"label": "d", "m": 0.4, "u": 0.02}]}]})
    assert any(r["dice"] == 1.0 for r in rows) and any(r["dice"] < 0.5 for r in rows)
    for r in rows:
        sim = linker.explain(by_id[r["id_l"]], by_id[r["id_r"]])["contributions"][0]["similarity"]
        assert sim == r["dice"]  # the same double, bit for bit


@pytest.mark.skipif(
    os.environ.get("PSEUDOLINK_SPARK_SPLINK") != "1",
    reason="opt-in (PSEUDOLINK_SPARK_SPLINK=1): Spark's code generation for the Dice levels takes "
    "1-3 min on 2 cores, over the python stage's budget",
)
def test_splink_dedupe_on_spark(spark, dedupe_2k, tmp_path):
    """A small Splink dedupe on Spark local mode: CLK Dice over 64-bit words."""
    import logging

    from splink import Linker, block_on
    from splink.backends.spark import SparkAPI

    logging.getLogger("splink").setLevel(logging.WARNING)
    records, truth = dedupe_2k
    small = records.slice(0, 600)
    enc = pl.RecordEncoder(KEYS, DEFINITION, clk_schema="default", clk_secret=CLK_SECRET)
    table = enc.encode_batch(small, keep=["id"], token_columns=True)
    # A reduced comparison set: Spark compiles each Dice level over 16 words
    # into one large expression, and the default set's 13 such levels take
    # minutes of code generation on a loaded 2-core machine.
    comparisons = [
        {"name": "email", "kind": "token", "source": "email", "tfAdjustment": True},
        {"name": "dateOfBirth", "kind": "token", "source": "dateOfBirth", "tfAdjustment": False},
        {"name": "firstName", "kind": "clk", "source": "firstName", "thresholds": [0.85]},
        {"name": "lastName", "kind": "clk", "source": "lastName", "thresholds": [0.85]},
    ]
    clk_fields = [c["source"] for c in comparisons if c["kind"] == "clk"]
    table = psp.clk_words(table, clk_fields, bits=1024)
    table = psp.for_splink(table.select(["id", "token_email", "token_phone", "token_dateOfBirth"]
                                        + [f"clk_{f}_w{i}" for f in clk_fields for i in range(16)]))
    df = spark.createDataFrame(table)  # a pyarrow Table (Spark 4): int64 words stay bigint
    spark.sparkContext.setCheckpointDir(str(tmp_path / "checkpoints"))
    settings = psp.settings("dedupe_only", comparisons, dialect="spark", words=16,
                            blocking_rules=psp.token_blocking_rules(["email", "phone", "dateOfBirth"]))
    linker = Linker(SparkAPI(spark_session=spark).register(df), settings)
    linker.training.estimate_probability_two_random_records_match([block_on("token_email")], recall=0.8)
    linker.training.estimate_u_using_random_sampling(max_pairs=2e4)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("token_dateOfBirth"))
    predictions = linker.inference.predict(threshold_match_probability=0.5).as_spark_dataframe().collect()
    ids = {r["id"]: r["entity"] for r in truth.to_pylist()}
    found = [(r["unique_id_l"], r["unique_id_r"]) for r in predictions]
    true_links = sum(ids[a] == ids[b] for a, b in found)
    assert found and true_links / len(found) >= 0.9
