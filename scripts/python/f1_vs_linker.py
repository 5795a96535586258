#!/usr/bin/env python3
"""Pair F1 on the same pseudonymised synthetic sample: the browser's Linker
(defaults, in-memory) against a Splink DuckDB dedupe with pseudolink.splink,
its predictions clustered by connected components and by the chain guard.

  target/python-venv/bin/python scripts/python/f1_vs_linker.py N   (N records, pseudolink-synth seed 11)
"""
import itertools
import sys
import time
sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parents[2] / "python" / "tests"))
import duckdb, pyarrow as pa
import pseudolink as pl
from pseudolink import splink as psp
from conftest import synth, read_records, ROOT, KEYS, CLK_SECRET
from splink import DuckDBAPI, Linker, block_on
import logging; logging.getLogger("splink").setLevel(logging.WARNING)
n = int(sys.argv[1])
out = synth("dedupe", ROOT / "target" / "pytest-synth" / f"dedupe-{n}", "--n", str(n), "--dup-rate", "0.3", "--seed", "11")
records, truth = read_records(out / "records.csv"), read_records(out / "truth.csv")
ent = {r["id"]: r["entity"] for r in truth.to_pylist()}
tp_all = {(a, b) for grp in itertools.groupby(sorted(ent, key=ent.get), key=ent.get) for a, b in itertools.combinations(sorted(grp[1]), 2)}
def f1(clusters):
    pp = {(a, b) for c in clusters for a, b in itertools.combinations(sorted(c), 2)}
    h = len(pp & tp_all); p, r = h / max(len(pp), 1), h / len(tp_all)
    return round(p, 4), round(r, 4), round(2 * p * r / (p + r), 4)
DEF = {"version": 1, "fields": ["email", "phone", "dateOfBirth"], "defaultRegion": "US"}
enc = pl.RecordEncoder(KEYS, DEF, clk_schema="default", clk_secret=CLK_SECRET)
table = psp.add_lsh_bands(enc.encode_batch(records, keep=["id"], token_columns=True), bands=8, bits_per_band=20)
t = time.time(); res = pl.Linker().dedupe(pl.encoded_records(table)); print("Linker (browser's, defaults)", f1(res["clusters"]), f"{time.time()-t:.1f}s")
con = duckdb.connect()
rules = psp.token_blocking_rules(["email", "phone", "dateOfBirth"]) + psp.lsh_blocking_rules(8)
t = time.time()
lk = Linker(DuckDBAPI(connection=con).register(psp.for_splink(table)), psp.settings("dedupe_only", blocking_rules=rules))
lk.training.estimate_probability_two_random_records_match([block_on("token_email"), block_on("token_phone")], recall=0.8)
lk.training.estimate_u_using_random_sampling(max_pairs=1e6)
lk.training.estimate_parameters_using_expectation_maximisation(block_on("token_dateOfBirth"))
lk.training.estimate_parameters_using_expectation_maximisation(block_on("token_email"))
pred = lk.inference.predict(threshold_match_probability=0.01)  # weak pairs too: the chain guard averages them
def groups(cl):
    out = {}
    for c, u in con.sql(f"select cluster_id, unique_id from {cl.physical_name}").fetchall(): out.setdefault(c, []).append(u)
    return out.values()
cl = lk.clustering.cluster_pairwise_predictions_at_threshold(pred, 0.5)
print("Splink DuckDB (pseudolink.splink), connected components", f1(groups(cl)), f"{time.time()-t:.1f}s")
t = time.time()
cl = psp.cluster_pairwise_predictions_with_chain_guard(lk, pred, 0.5)
print("Splink DuckDB (pseudolink.splink), chain guard", f1(groups(cl)), f"+{time.time()-t:.1f}s")
