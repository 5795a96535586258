#!/usr/bin/env python3
"""How encoding cost grows with the directory (BENCHMARKS.md, "Cost curve"):
one data pipeline, CSV in and encoded Parquet out, on one engine per process.

  curve.py spark  RECORDS.csv OUT.parquet   Spark local[2]: spark.read.csv → encode_dataframe → Parquet
  curve.py duckdb RECORDS.csv OUT.parquet   DuckDB: read_csv → pseudolink.duckdb.encode_to_parquet
  curve.py same   A.parquet B.parquet       rows (by id) whose encodings differ between two outputs

Both stream: neither holds the encoded table in memory, so 10M rows fit. The
output is what a pipeline keeps: the ``id``, the tokens as columns and the
CLKs. Prints one JSON line: rows, wall seconds, CPU seconds of the whole
process tree (the JVM and its Python workers included), peak RSS of the tree
(sampled every 0.2 s), output bytes, rows with errors. The clock starts
once the engine is up (the JVM's start is not the pipeline's cost).
"""

from __future__ import annotations

import json
import os
import sys
import time

from measure import Tree

SECRET = b"pseudolink benchmark CLK secret, 32+ bytes"
KEYS = {"k1": b"\x01" * 32}
DEFINITION = {"version": 1, "fields": ["email", "phone", "dateOfBirth"], "defaultRegion": "US"}


def size_of(path: str) -> int:
    if os.path.isdir(path):
        return sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(path) for f in fs)
    return os.path.getsize(path)


def spark(records_csv: str, out: str, tree: Tree) -> dict:
    from pyspark.sql import SparkSession
    from pyspark.sql import functions as F

    from pseudolink.spark import encode_dataframe

    os.environ["PYSPARK_PYTHON"] = sys.executable
    s = (SparkSession.builder.master("local[2]").config("spark.ui.enabled", "false")
         .config("spark.ui.showConsoleProgress", "false")
         .config("spark.driver.bindAddress", "127.0.0.1").config("spark.driver.host", "127.0.0.1")
         .config("spark.driver.memory", "2g")
         # 32 MB input splits: enough tasks to keep both cores busy at 100k.
         .config("spark.sql.files.maxPartitionBytes", str(32 << 20))
         .config("spark.sql.execution.arrow.maxRecordsPerBatch", "10000")
         .getOrCreate())
    s.sparkContext.setLogLevel("ERROR")
    tree.start()  # the JVM's start is not the pipeline's cost
    t = time.perf_counter()
    # Every column a string, as the encoder reads them (no schema inference pass).
    header = s.read.option("header", True).csv(records_csv).columns
    df = s.read.option("header", True).schema(", ".join(f"`{c}` string" for c in header)).csv(records_csv)
    enc = encode_dataframe(df, keys=KEYS, definition=DEFINITION, clk_schema="default", clk_secret=SECRET,
                           keep=["id"])
    enc.write.mode("overwrite").parquet(out)
    wall = time.perf_counter() - t
    tree.stop()
    back = s.read.parquet(out)
    rows, bad = back.select(F.count("*"), F.sum((F.size("errors") > 0).cast("int"))).collect()[0]
    s.stop()
    return {"engine": "spark local[2]", "rows": rows, "rows_with_errors": int(bad or 0), "wall_s": wall}


def duckdb(records_csv: str, out: str, tree: Tree) -> dict:
    import duckdb as ddb

    import pseudolink as pl
    from pseudolink.duckdb import encode_to_parquet

    con = ddb.connect()
    tree.start()
    t = time.perf_counter()
    enc = pl.RecordEncoder(KEYS, DEFINITION, clk_schema="default", clk_secret=SECRET)
    done = encode_to_parquet(con, con.sql(f"select * from read_csv('{records_csv}', all_varchar = true)"), enc, out,
                             keep=["id"], threads=2, batch_rows=10_000)
    wall = time.perf_counter() - t
    tree.stop()
    return {"engine": "duckdb", "rows": done["rows"], "rows_with_errors": done["rowsWithErrors"], "wall_s": wall}


def same(a: str, b: str) -> dict:
    """Both engines' outputs joined on ``id``: how many rows are missing on a
    side or differ in any column (every token, CLK bit and error code)."""
    import duckdb as ddb

    con = ddb.connect()
    cols = [c for (c, *_) in con.sql(f"describe select * from '{a}'").fetchall() if c != "id"]
    left, right = (", ".join(f"{t}.{c}" for c in cols) for t in ("a", "b"))
    (rows, differ), = con.sql(f"""
        select count(*), count(*) filter (where a.id is null or b.id is null or row({left}) is distinct from row({right}))
        from '{a}' a full outer join '{b}' b using (id)""").fetchall()
    return {"rows": rows, "differ": differ, "columns": len(cols)}


def main() -> None:
    if sys.argv[1] == "same":
        print(json.dumps(same(sys.argv[2], sys.argv[3])))
        return
    cmd, csv_path, out = sys.argv[1], os.path.abspath(sys.argv[2]), os.path.abspath(sys.argv[3])
    tree = Tree()
    result = {"spark": spark, "duckdb": duckdb}[cmd](csv_path, out, tree)
    result.update(cpu_s=tree.cpu_seconds(), peak_rss_mb=tree.peak / 2**20, out_mb=size_of(out) / 2**20,
                  input_mb=os.path.getsize(csv_path) / 2**20)
    result["rows_per_s"] = result["rows"] / result["wall_s"]
    print(json.dumps(result))


if __name__ == "__main__":
    main()
