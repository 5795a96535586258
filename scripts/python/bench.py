#!/usr/bin/env python3
"""Benchmarks of the Python package, one step per invocation so each runs in
its own process (peak memory is the process's). Driven by scripts/python/bench.sh.

  bench.py encode RECORDS.csv OUT_ROWS.json     pseudolink encoding rates (+ rows for clkhash)
  bench.py clkhash ROWS.json                    clkhash 0.18.3 on the same rows (clkhash venv)
  bench.py spark RECORDS.csv                    the wheel in Spark local mode (mapInArrow)
  bench.py splink RECORDS.csv TRUTH.csv         Splink dedupe: wall time, peak RSS, pairwise F1,
                                                cluster F1 (connected components and the chain guard)
  bench.py splink-link A.csv B.csv TRUTH.csv    Splink link of two datasets (pseudolink-synth link):
                                                wall time, peak RSS, F1 of the pairs and of one-to-one links
  SPLINK_ENGINE=spark bench.py splink …         the same on Spark local mode (default: DuckDB)
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import sys
import time

SECRET = "pseudolink benchmark CLK secret, 32+ bytes"
DEFINITION = {"version": 1, "fields": ["email", "phone", "dateOfBirth"], "defaultRegion": "US"}


def read_csv(path):
    import pyarrow as pa
    import pyarrow.csv as pcsv

    names = pcsv.read_csv(path, read_options=pcsv.ReadOptions(skip_rows_after_names=10**9)).column_names
    return pcsv.read_csv(path, convert_options=pcsv.ConvertOptions(column_types={n: pa.string() for n in names}))


def cpu_seconds():
    """CPU time of this process and its finished children (all threads)."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def best_of(runs, fn):
    """(best wall seconds, CPU seconds of that run): on a shared machine the
    CPU rate (records per CPU-second) is what contention does not distort."""
    best = None
    for _ in range(runs):
        t, c = time.perf_counter(), cpu_seconds()
        fn()
        dt, dc = time.perf_counter() - t, cpu_seconds() - c
        best = (dt, dc) if best is None or dt < best[0] else best
    return best


def encode(records_csv, rows_out):
    import duckdb

    import pseudolink as pl
    from pseudolink.duckdb import encode_relation

    table = read_csv(records_csv)
    n = table.num_rows
    enc = pl.RecordEncoder({"k1": b"\x01" * 32}, DEFINITION, clk_schema="default", clk_secret=SECRET.encode())
    clk_only = pl.RecordEncoder({}, DEFINITION, clk_schema="default", clk_secret=SECRET.encode())
    results = []
    for label, e, threads in [("tokens + CLKs, pyarrow table, 2 threads", enc, 2),
                              ("tokens + CLKs, pyarrow table, 1 thread", enc, 1),
                              ("CLKs only, pyarrow table, 1 thread", clk_only, 1)]:
        dt, dc = best_of(3, lambda: e.encode_batch(table, threads=threads))
        results.append({"path": label, "records": n, "seconds": dt, "records_per_s": n / dt,
                        "records_per_cpu_s": n / dc})
    con = duckdb.connect()
    con.register("records_arrow", table)
    con.execute("create table customers as select * from records_arrow")

    def via_duckdb():
        encode_relation(con, "customers", enc, keep=["id"], threads=2).aggregate("count(*)").fetchall()

    dt, dc = best_of(3, via_duckdb)
    results.append({"path": "tokens + CLKs, DuckDB table -> encoded relation, 2 threads", "records": n,
                    "seconds": dt, "records_per_s": n / dt, "records_per_cpu_s": n / dc})
    # The same rows for clkhash: each default-schema feature's normalised value
    # (what the encoder hashes), in schema order; CLKs to check equality.
    schema = json.loads(open("src/encoder/default.schema.json", encoding="utf-8").read())
    feats = [f["identifier"] for f in schema["features"]]
    cols = [pl.normalize_array(f, table.column(f)).field("value").to_pylist() for f in feats]
    rows = [[c[i] or "" for c in cols] for i in range(n)]
    clks = clk_only.encode_batch(table, threads=2).column("clk_record").to_pylist()
    import base64

    with open(rows_out, "w", encoding="utf-8") as f:
        json.dump({"schema": schema, "secret": SECRET, "rows": rows,
                   "clks": [base64.b64encode(c).decode() if c else None for c in clks[:2000]]}, f)
    print(json.dumps(results))


def clkhash(rows_json):
    from clkhash import clk as clk_mod
    from clkhash import schema as schema_mod
    from clkhash.serialization import serialize_bitarray

    doc = json.load(open(rows_json, encoding="utf-8"))
    schema = schema_mod.from_json_dict(doc["schema"])
    rows = doc["rows"]
    n = len(rows)
    results = []
    for workers in (1, 2):
        t, c = time.perf_counter(), cpu_seconds()
        clks = clk_mod.generate_clks(rows, schema, doc["secret"], max_workers=workers)
        dt, dc = time.perf_counter() - t, cpu_seconds() - c
        # Worker processes are not reaped when generate_clks returns, so their
        # CPU time is not counted: no CPU rate for max_workers > 1.
        results.append({"path": f"clkhash 0.18.3, CLKs only, max_workers={workers}", "records": n,
                        "seconds": dt, "records_per_s": n / dt,
                        "records_per_cpu_s": n / dc if workers == 1 else None})
    same = sum(serialize_bitarray(c) == ref for c, ref in zip(clks, doc["clks"]) if ref)
    checked = sum(1 for r in doc["clks"] if r)
    print(json.dumps({"results": results, "equal_clks": same, "checked": checked}))


def spark(records_csv):
    """Encoding in Spark local mode (local[2], mapInArrow), JVM start excluded."""
    from pyspark.sql import SparkSession

    import pseudolink  # noqa: F401  (the workers import it too)
    from pseudolink.spark import encode_dataframe

    os.environ["PYSPARK_PYTHON"] = sys.executable
    s = (SparkSession.builder.master("local[2]").config("spark.ui.enabled", "false")
         .config("spark.driver.bindAddress", "127.0.0.1").config("spark.driver.memory", "2g").getOrCreate())
    s.sparkContext.setLogLevel("ERROR")
    table = read_csv(records_csv)
    df = s.createDataFrame(table.to_pandas()).repartition(4).cache()
    n = df.count()
    results = []
    for _ in range(2):
        t = time.perf_counter()
        out = encode_dataframe(df, keys={"k1": b"\x01" * 32}, definition=DEFINITION, clk_schema="default",
                               clk_secret=SECRET.encode(), keep=["id"])
        # Force every column (a count alone could skip the Python stage's output).
        got = out.selectExpr("sum(length(clk_record))", "sum(size(tokens))").collect()[0]
        dt = time.perf_counter() - t
        assert got[0] > 0 and got[1] > 0
        results.append(dt)
    s.stop()
    dt = min(results)
    print(json.dumps({"path": "tokens + CLKs, Spark local[2] mapInArrow, 4 partitions", "records": n,
                      "seconds": dt, "records_per_s": n / dt, "records_per_cpu_s": None}))


def pair_scores(con, pairs_sql):
    """(precision, recall, F1, pairs) of the pairs (a < b) that pairs_sql selects, against truth_tp."""
    h, p, t = con.sql(f"""
        with pp as ({pairs_sql})
        select (select count(*) from pp join truth_tp using (a, b)), (select count(*) from pp), (select count(*) from truth_tp)
    """).fetchall()[0]
    precision, recall = h / max(p, 1), h / max(t, 1)
    return {"precision": precision, "recall": recall, "f1": 2 * precision * recall / max(precision + recall, 1e-12), "pairs": p}


def cluster_scores(con, clusters):
    """Pair scores of a clustering (a SplinkDataFrame: every pair inside a
    cluster) and its largest cluster, read into Arrow and scored in ``con``."""
    con.register("clusters_t", clusters.query_sql("select unique_id, cluster_id from {this}").as_pyarrow_table())
    out = pair_scores(con, """select a.unique_id a, b.unique_id b from clusters_t a join clusters_t b
                               on a.cluster_id = b.cluster_id and a.unique_id < b.unique_id""")
    out["largest_cluster"] = con.sql("select max(n) from (select count(*) n from clusters_t group by cluster_id)").fetchall()[0][0]
    con.unregister("clusters_t")
    return out


@contextlib.contextmanager
def step(name):
    """Prints a step's wall time to stderr when it ends (a long run that is
    stopped still shows how far it got)."""
    t = time.perf_counter()
    yield
    print(f"step {name}: {time.perf_counter() - t:.1f} s", file=sys.stderr, flush=True)


def _tree():
    """The process tree's CPU and memory, sampled from here on (a Spark
    session's JVM is a live child that getrusage does not count)."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from measure import Tree

    tree = Tree()
    tree.start()
    return tree


def _peak_mb(tree):
    """Peak RSS in MB: the sampled tree's, or this process's own high-water
    mark if higher (sampling every 0.2 s can miss a short peak)."""
    tree.stop()
    return max(tree.peak / 2**20, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def _training_blocks():
    """(prior's deterministic blocking columns, EM sessions' blocking
    columns): SPLINK_PRIOR_BLOCKS and SPLINK_EM_BLOCKS, comma-separated."""
    return (os.environ.get("SPLINK_PRIOR_BLOCKS", "token_email,token_phone").split(","),
            os.environ.get("SPLINK_EM_BLOCKS", "token_dateOfBirth,token_phone").split(","))


def _encode_for_splink(*tables):
    """Each table encoded as the Splink benchmarks read it: tokens, CLKs and
    8 LSH bands of 24 bits, ``id`` kept."""
    import pseudolink as pl
    from pseudolink import splink as psp

    enc = pl.RecordEncoder({"k1": b"\x01" * 32}, DEFINITION, clk_schema="default", clk_secret=SECRET.encode())
    return [psp.add_lsh_bands(enc.encode_batch(t, keep=["id"], token_columns=True), bands=8, bits_per_band=24)
            for t in tables]


def _trained_linker(link_type, encoded, prior_blocks, em_blocks):
    """(Splink linker, what ends its engine) over the encoded tables,
    trained without labels: the prior from deterministic rules on
    ``prior_blocks``, u by random sampling, EM blocked on each of
    ``em_blocks``. SPLINK_ENGINE picks the engine: ``duckdb`` (default;
    DUCKDB_MEMORY_LIMIT, e.g. 6GB, caps its memory and it spills to disk
    beyond it: a company's own pipeline on its own machine, where the
    linkage service's job never spills) or ``spark`` (local mode on every
    core, SPARK_DRIVER_MEMORY (default 8g) of heap; the linkage service's
    Spark session and tables, ``pseudolink.job.spark_inputs``)."""
    from splink import DuckDBAPI, Linker, block_on

    from pseudolink import splink as psp

    engine = os.environ.get("SPLINK_ENGINE", "duckdb")
    names = ("a", "b") if len(encoded) == 2 else ("records",)
    rules = psp.token_blocking_rules(["email", "phone", "dateOfBirth"]) + psp.lsh_blocking_rules(8)
    if engine == "spark":
        from pseudolink import job

        features = [c["source"] for c in psp.DEFAULT_COMPARISONS if c.get("kind") == "clk"]
        tables = [psp.clk_arrays(psp.for_splink(t), features) for t in encoded]
        _, inputs, _, close = job.spark_inputs(
            list(zip(names, tables)), {"master": "local[*]", "driverMemory": os.environ.get("SPARK_DRIVER_MEMORY", "8g")})
    else:
        import duckdb

        con = duckdb.connect()
        if os.environ.get("DUCKDB_MEMORY_LIMIT"):
            con.execute(f"SET memory_limit = '{os.environ['DUCKDB_MEMORY_LIMIT']}'")
        api = DuckDBAPI(connection=con)
        inputs = [api.register(psp.for_splink(t), dataset_display_name=name) for t, name in zip(encoded, names)]
        close = con.close
    try:
        linker = Linker(inputs if len(inputs) > 1 else inputs[0],
                        psp.settings(link_type, blocking_rules=rules, dialect=engine), log_level="WARNING")
        with step("prior"):
            linker.training.estimate_probability_two_random_records_match(
                [block_on(col) for col in prior_blocks], recall=0.8)
        with step("u"):
            linker.training.estimate_u_using_random_sampling(max_pairs=1e6)
        for col in em_blocks:
            with step(f"EM on {col}"):
                linker.training.estimate_parameters_using_expectation_maximisation(block_on(col))
    except BaseException:
        close()
        raise
    return linker, close


def splink(records_csv, truth_csv):
    """Train, predict (pairs >= predict_floor, 0.01, so the chain guard sees weak cross
    pairs with their score), then score the same predictions three ways: the
    pairs >= 0.5 themselves, Splink's connected components at 0.5, and
    pseudolink.splink's chain guard at 0.5 (missing cross pairs scored by
    Splink, the default, and counted as 0). SPLINK_EM_BLOCKS (default
    token_dateOfBirth,token_phone; the generator's e-mails are made from
    names, so namesakes share them and EM blocked on e-mail learns that
    "matches" disagree on everything else) lists the EM sessions' blocking columns,
    SPLINK_PRIOR_BLOCKS (default token_email,token_phone) the deterministic
    rules the prior is estimated from."""
    import duckdb

    from pseudolink import splink as psp

    predict_floor = 0.01
    prior_blocks, em_blocks = _training_blocks()
    tree = _tree()
    t0 = time.perf_counter()
    table = read_csv(records_csv)
    truth = read_csv(truth_csv)
    (encoded,) = _encode_for_splink(table)
    t_enc = time.perf_counter() - t0
    linker, close = _trained_linker("dedupe_only", [encoded], prior_blocks, em_blocks)
    try:
        with step("predict"):
            pred = linker.inference.predict(threshold_match_probability=predict_floor)
        t_pred = time.perf_counter() - t0
        con = duckdb.connect()  # scores the engine's results, read into Arrow
        con.register("truth_t", truth)
        con.execute("create temp table truth_tp as select a.id a, b.id b from truth_t a join truth_t b on a.entity = b.entity and a.id < b.id")
        con.register("pred_t", pred.query_sql("select unique_id_l, unique_id_r, match_probability from {this}").as_pyarrow_table())
        pairwise = pair_scores(con, """select least(unique_id_l, unique_id_r) a, greatest(unique_id_l, unique_id_r) b
                                       from pred_t where match_probability >= 0.5""")
        t = time.perf_counter()
        components = linker.clustering.cluster_pairwise_predictions_at_threshold(pred, 0.5)
        components_s = time.perf_counter() - t
        t = time.perf_counter()
        guarded = psp.cluster_pairwise_predictions_with_chain_guard(linker, pred, 0.5)
        guard_s = time.perf_counter() - t
        t = time.perf_counter()
        unscored = psp.cluster_pairwise_predictions_with_chain_guard(linker, pred, 0.5, score_missing_up_to=0)
        unscored_s = time.perf_counter() - t
        comp, guard, guard0 = cluster_scores(con, components), cluster_scores(con, guarded), cluster_scores(con, unscored)
        comp["seconds"], guard["seconds"], guard0["seconds"] = components_s, guard_s, unscored_s
        wall = time.perf_counter() - t0
        model = linker.misc.save_model_to_json()
    finally:
        close()
    print(json.dumps({"engine": os.environ.get("SPLINK_ENGINE", "duckdb"), "records": table.num_rows,
                      "wall_s": wall, "cpu_s": tree.cpu_seconds(), "encode_s": t_enc,
                      "train_predict_s": t_pred - t_enc, "em_blocks": em_blocks, "prior_blocks": prior_blocks,
                      "prior": model["probability_two_random_records_match"],
                      "pairs_over_0_01": con.sql("select count(*) from pred_t").fetchall()[0][0],
                      "pairs_over_0_5": pairwise["pairs"],
                      "peak_rss_mb": _peak_mb(tree),
                      "pairwise": pairwise, "components": comp, "chain_guard": guard,
                      "chain_guard_missing_0": guard0,
                      # The clustering the earlier runs reported (connected components).
                      "precision": comp["precision"], "recall": comp["recall"], "f1": comp["f1"]}))


def splink_link(a_csv, b_csv, truth_csv):
    """Splink linking two datasets (``pseudolink-synth link``: A and
    B, each with a truth pair where a person is in both), trained without
    labels as the dedupe is (SPLINK_EM_BLOCKS, SPLINK_PRIOR_BLOCKS,
    DUCKDB_MEMORY_LIMIT likewise); scored as the pairs >= 0.5 and as
    one-to-one links (a pair >= 0.5 that is each side's best, as a
    directory link keeps one match a record). SPLINK_ENGINE=spark: on Spark."""
    import duckdb

    prior_blocks, em_blocks = _training_blocks()
    tree = _tree()
    t0 = time.perf_counter()
    a, b = read_csv(a_csv), read_csv(b_csv)
    truth = read_csv(truth_csv)
    encoded = _encode_for_splink(a, b)
    t_enc = time.perf_counter() - t0
    linker, close = _trained_linker("link_only", encoded, prior_blocks, em_blocks)
    try:
        with step("predict"):
            pred = linker.inference.predict(threshold_match_probability=0.5)
        t_pred = time.perf_counter() - t0
        con = duckdb.connect()  # scores the engine's results, read into Arrow
        con.register("truth_t", truth)
        con.execute("create temp table truth_tp as select a_id a, b_id b from truth_t")
        con.register("pred_t", pred.query_sql(
            "select source_dataset_l, unique_id_l, unique_id_r, match_probability from {this}").as_pyarrow_table())
        model = linker.misc.save_model_to_json()
    finally:
        close()
    # Splink puts either dataset on the left: A's id first.
    con.execute("""create temp table pairs as
        select case when source_dataset_l = 'a' then unique_id_l else unique_id_r end a,
               case when source_dataset_l = 'a' then unique_id_r else unique_id_l end b,
               match_probability p
        from pred_t""")
    pairwise = pair_scores(con, "select a, b from pairs")
    one_to_one = pair_scores(con, """
        select a, b from (
            select a, b, row_number() over (partition by a order by p desc, b) ra,
                         row_number() over (partition by b order by p desc, a) rb
            from pairs) where ra = 1 and rb = 1""")
    wall = time.perf_counter() - t0
    print(json.dumps({"engine": os.environ.get("SPLINK_ENGINE", "duckdb"), "records_a": a.num_rows, "records_b": b.num_rows, "truth_pairs": truth.num_rows,
                      "wall_s": wall, "cpu_s": tree.cpu_seconds(), "encode_s": t_enc,
                      "train_predict_s": t_pred - t_enc, "em_blocks": em_blocks, "prior_blocks": prior_blocks,
                      "prior": model["probability_two_random_records_match"],
                      "peak_rss_mb": _peak_mb(tree),
                      "pairwise": pairwise, "one_to_one": one_to_one}))


if __name__ == "__main__":
    cmd = sys.argv[1]
    {"encode": encode, "clkhash": clkhash, "spark": spark, "splink": splink, "splink-link": splink_link}[cmd](*sys.argv[2:])
