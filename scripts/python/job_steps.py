#!/usr/bin/env python3
"""The linkage service's Splink job on one engine, timed per Splink step
(BENCHMARKS.md, "The same job on Spark local mode"): ``bench_job.py N``'s
encoded files if it made them, else the first N rows of each side of
``bench_job.py 5000``'s; the demo project's comparisons, then precision and
recall of the service's decision.

  target/python-venv/bin/python scripts/python/bench_job.py 5000   # once: makes the files (or N)
  target/python-venv/bin/python scripts/python/job_steps.py N duckdb|spark
  SPARK_EXTRA_CONF="spark.shuffle.compress false;…" …   (more spark-defaults.conf lines, for trials)
  JOB_SPARK='{"broadcastJoinMb": 256}' …                  (the job's own Spark options, over local[2] and 2g)
  JOB_PARAMS_FROM=M …   (a project's model: a core Linker trained on bench_job.py M's files; nothing trained in the job)
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "python" / "tests"))


def timed(cls: type, name: str) -> None:
    """Prints each call's wall time to stderr."""
    f = getattr(cls, name)

    def g(*a, **k):
        t = time.perf_counter()
        r = f(*a, **k)
        print(f"step {name} {time.perf_counter() - t:.1f} s", file=sys.stderr, flush=True)
        return r

    setattr(cls, name, g)


def main() -> None:
    import splink.internals.linker_components.inference as inference
    import splink.internals.linker_components.training as training
    from conftest import LINK_CONFIG, one_to_one

    import pseudolink as pl
    from pseudolink import job

    for step in ("estimate_probability_two_random_records_match", "estimate_u_using_random_sampling",
                 "estimate_parameters_using_expectation_maximisation"):
        timed(training.LinkerTraining, step)
    timed(inference.LinkerInference, "predict")
    n, engine = int(sys.argv[1]), sys.argv[2]
    events = None
    if engine == "spark":
        # Spark's event log (through a spark-defaults.conf of our own, so the
        # job's session is the service's): stages, tasks and shuffle bytes.
        import tempfile

        conf, events = Path(tempfile.mkdtemp(prefix="job-steps-conf-")), Path(tempfile.mkdtemp(prefix="job-steps-events-"))
        (conf / "spark-defaults.conf").write_text(f"spark.eventLog.enabled true\nspark.eventLog.dir file://{events}\n"
                                                   "spark.eventLog.compress false\n"
                                                   + "".join(f"{kv}\n" for kv in os.environ.get("SPARK_EXTRA_CONF", "").split(";") if kv))
        os.environ["SPARK_CONF_DIR"] = str(conf)
    # bench_job.py N's own files when made, else the first N rows of its 5,000.
    files = ROOT / "target" / "python-bench" / f"link-{n}"
    if not (files / "partner.bin").exists():
        files = ROOT / "target" / "python-bench" / "link-5000"
    a = pl.encoded_table((files / "partner.bin").read_bytes()).slice(0, n)
    b = pl.encoded_table((files / "directory.bin").read_bytes()).slice(0, n)
    truth = {tuple(p) for p in json.loads((files / "truth.json").read_text()) if p[0] < n and p[1] < n}
    sys.path.insert(0, str(ROOT / "scripts" / "python"))
    from measure import Tree

    params, params_note = None, {}
    if os.environ.get("JOB_PARAMS_FROM"):
        m = int(os.environ["JOB_PARAMS_FROM"])
        t = time.perf_counter()
        params = model_from(ROOT / "target" / "python-bench" / f"link-{m}", LINK_CONFIG)
        params_note = {"params_from": m, "params_s": round(time.perf_counter() - t, 1)}
    tree = Tree()
    tree.start()
    t0 = time.perf_counter()
    spark = {"master": "local[2]", "driverMemory": "2g", **json.loads(os.environ.get("JOB_SPARK", "{}"))}
    answer = job.link(a, b, LINK_CONFIG, engine=engine, spark=spark, params=params)
    wall = time.perf_counter() - t0
    tree.stop()
    links = one_to_one(answer)
    hits = len(links & truth)
    print(json.dumps({"engine": engine, "rows": n, "wall_s": round(wall, 1), "cpu_s": round(tree.cpu_seconds(), 1),
                      "peak_rss_mb": round(tree.peak / 2**20),
                      "pairs_scored": len(answer["pairs"]["a"]), "links": len(links),
                      "precision": hits / max(len(links), 1), "recall": hits / max(len(truth), 1),
                      "prior": answer["prior"], **params_note, **(spark_events(events) if events else {})}))
    if events:
        import shutil

        for d in (conf, events):
            shutil.rmtree(d, ignore_errors=True)


def model_from(files: Path, config: dict) -> dict:
    """A project's model as the service would hold it: the parameters of a
    core ``Linker`` trained on another pair of files (``bench_job.py M``'s),
    handed over as the service hands records to the core."""
    import pyarrow as pa

    import pseudolink as pl

    records = []
    for name in ("partner.bin", "directory.bin"):
        t = pl.encoded_table((files / name).read_bytes())
        recs = pl.encoded_records(t.append_column("match_keys", pa.nulls(t.num_rows, pa.list_(pa.string()))))
        for r in recs:
            r["matchKeys"] = [x for x in r["tokens"] if x.split(".")[1].startswith("mk-")]
            r["tokens"] = [x for x in r["tokens"] if not x.split(".")[1].startswith("mk-")]
        records.append(recs)
    linker = pl.Linker(config)
    linker.link(*records)
    return linker.params()


def spark_events(directory: Path) -> dict:
    """Stages, tasks, shuffle bytes written and task time from the event log,
    and the stages that wrote the most shuffle, each named by the Splink
    table its query wrote (the job writes them as Parquet) or else by
    Spark's description of the query."""
    stages = tasks = 0
    by_stage: dict[int, list[float]] = {}  # stage -> [shuffle bytes written, task ms]
    query_of_stage: dict[int, str] = {}
    query_name: dict[str, str] = {}
    for log in directory.rglob("events_*"):
        for line in log.open(encoding="utf-8"):
            e = json.loads(line)
            kind = e["Event"]
            if kind == "SparkListenerStageCompleted":
                stages += 1
            elif kind.endswith("SparkListenerSQLExecutionStart"):
                table = re.search(r"Execute InsertIntoHadoopFsRelationCommand\n(?:.*\n)*?Arguments: [^\s,]*/(__splink__\w+)",
                                  e.get("physicalPlanDescription", ""))
                query_name[str(e["executionId"])] = table.group(1) if table else e.get("description", "")[:60]
            elif kind == "SparkListenerJobStart":
                query = (e.get("Properties") or {}).get("spark.sql.execution.id")
                for sid in e.get("Stage IDs", []):
                    query_of_stage[sid] = str(query)
            elif kind == "SparkListenerTaskEnd" and e.get("Task Metrics"):
                m = e["Task Metrics"]
                tasks += 1
                acc = by_stage.setdefault(e["Stage ID"], [0.0, 0.0])
                acc[0] += m["Shuffle Write Metrics"]["Shuffle Bytes Written"]
                acc[1] += m["Executor Run Time"]
    shuffle, run_ms = (sum(acc[i] for acc in by_stage.values()) for i in (0, 1))
    top = sorted(by_stage.items(), key=lambda kv: -kv[1][0])[:8]
    return {"spark_stages": stages, "spark_tasks": tasks, "shuffle_written_mb": round(shuffle / 2**20, 1),
            "task_s": round(run_ms / 1000, 1),
            "top_shuffle_stages": [{"stage": sid, "query": query_name.get(query_of_stage.get(sid, ""), "?"),
                                    "shuffle_mb": round(w / 2**20, 1), "task_s": round(ms / 1000, 1)}
                                   for sid, (w, ms) in top]}


if __name__ == "__main__":
    main()
