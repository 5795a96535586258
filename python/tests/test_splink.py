"""A small Splink dedupe on DuckDB over pseudonymised synthetic records, and
models moving between Splink and pseudolink's Linker (same probability to
1e-9 for the same pair where the comparisons coincide)."""

from __future__ import annotations

import logging

import duckdb
import pyarrow as pa
import pytest

import pseudolink as pl
from pseudolink import splink as psp
from conftest import CLK_SECRET, KEYS

splink = pytest.importorskip("splink")
from splink import DuckDBAPI, Linker, block_on  # noqa: E402

logging.getLogger("splink").setLevel(logging.WARNING)

DEFINITION = {"version": 1, "fields": ["email", "phone", "dateOfBirth"], "defaultRegion": "US"}
NO_TF = [dict(c, tfAdjustment=False) if c["kind"] == "token" else c for c in psp.DEFAULT_COMPARISONS]
BANDS = 8


@pytest.fixture(scope="module")
def encoded(dedupe_2k):
    records, truth = dedupe_2k
    enc = pl.RecordEncoder(KEYS, DEFINITION, clk_schema="default", clk_secret=CLK_SECRET)
    table = enc.encode_batch(records, keep=["id"], token_columns=True)
    table = psp.add_lsh_bands(table, bands=BANDS, bits_per_band=20)
    return table, truth


def pair_f1(con, clusters_table: str, truth: pa.Table) -> tuple[float, float, float]:
    con.register("truth_t", truth)
    h, p, t = con.sql(f"""
        with c as (select * from {clusters_table}),
        pp as (select a.unique_id a, b.unique_id b from c a join c b
               on a.cluster_id = b.cluster_id and a.unique_id < b.unique_id),
        tp as (select a.id a, b.id b from truth_t a join truth_t b
               on a.entity = b.entity and a.id < b.id)
        select (select count(*) from pp join tp using (a, b)), (select count(*) from pp), (select count(*) from tp)
    """).fetchall()[0]
    precision, recall = h / p, h / t
    return precision, recall, 2 * precision * recall / (precision + recall)


def test_duckdb_dedupe_job(encoded):
    table, truth = encoded
    con = duckdb.connect()
    api = DuckDBAPI(connection=con)
    rules = psp.token_blocking_rules(["email", "phone", "dateOfBirth"]) + psp.lsh_blocking_rules(BANDS)
    linker = Linker(api.register(psp.for_splink(table)), psp.settings("dedupe_only", blocking_rules=rules))
    linker.training.estimate_probability_two_random_records_match(
        [block_on("token_email"), block_on("token_phone")], recall=0.8)
    linker.training.estimate_u_using_random_sampling(max_pairs=2e5)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("token_dateOfBirth"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("token_email"))
    predictions = linker.inference.predict(threshold_match_probability=0.5)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(predictions, 0.5)
    precision, recall, f1 = pair_f1(con, clusters.physical_name, truth)
    assert f1 >= 0.9, (precision, recall, f1)
    # The same predictions under the chain guard: every record once, no
    # cluster above the size limit, and at least as good here.
    guarded = psp.cluster_pairwise_predictions_with_chain_guard(linker, predictions, 0.5, max_cluster_size=10)
    assert con.sql(f"select count(*), count(distinct unique_id) from {guarded.physical_name}").fetchall()[0] == (
        table.num_rows, table.num_rows)
    assert con.sql(f"select max(n) from (select count(*) n from {guarded.physical_name} group by cluster_id)"
                   ).fetchall()[0][0] <= 10
    g_precision, g_recall, g_f1 = pair_f1(con, guarded.physical_name, truth)
    assert g_f1 >= 0.9 and g_precision >= precision, (g_precision, g_recall, g_f1, precision)


def probabilities(con, predictions) -> dict[tuple[str, str], float]:
    rows = con.sql(f"select unique_id_l, unique_id_r, match_probability from {predictions.physical_name}").fetchall()
    return {(a, b): p for a, b, p in rows}


def test_linker_params_score_the_same_in_splink(encoded):
    table, _ = encoded
    records = pl.encoded_records(table)
    by_id = {r["id"]: r for r in records}
    ours = pl.Linker({"comparisons": NO_TF})
    params = ours.dedupe(records)["params"]

    model = psp.params_to_splink(params, NO_TF, blocking_rules=psp.token_blocking_rules(["email", "phone"]))
    con = duckdb.connect()
    linker = Linker(DuckDBAPI(connection=con).register(psp.for_splink(table)), model)
    scored = probabilities(con, linker.inference.predict())
    assert len(scored) > 300
    for (a, b), p in scored.items():
        assert abs(ours.explain(by_id[a], by_id[b])["probability"] - p) <= 1e-9, (a, b)


def test_splink_model_loads_into_the_linker(encoded):
    table, _ = encoded
    records = pl.encoded_records(table)
    by_id = {r["id"]: r for r in records}
    con = duckdb.connect()
    rules = psp.token_blocking_rules(["email", "dateOfBirth"])
    linker = Linker(DuckDBAPI(connection=con).register(psp.for_splink(table)),
                    psp.settings("dedupe_only", NO_TF, blocking_rules=rules))
    linker.training.estimate_probability_two_random_records_match([block_on("token_email")], recall=0.8)
    linker.training.estimate_u_using_random_sampling(max_pairs=2e5)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("token_dateOfBirth"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("token_email"))
    model = linker.misc.save_model_to_json()
    ours = pl.Linker({"comparisons": NO_TF})
    ours.set_params(psp.params_from_splink(model, NO_TF))
    scored = probabilities(con, linker.inference.predict())
    assert len(scored) > 300
    for (a, b), p in scored.items():
        assert abs(ours.explain(by_id[a], by_id[b])["probability"] - p) <= 1e-9, (a, b)


def test_a_relation_is_encoded_into_parquet_batch_by_batch(dedupe_2k, tmp_path):
    """``encode_to_parquet``: 2,000 rows read by DuckDB and written in
    batches of 500 (progress after each), the same rows as the whole table
    encoded at once, the bad rows counted, and the connection free again."""
    import pyarrow.parquet as pq

    from pseudolink.duckdb import encode_to_parquet

    records, _ = dedupe_2k
    con = duckdb.connect()
    con.register("customers", records)
    enc = pl.RecordEncoder(KEYS, DEFINITION, clk_schema="default", clk_secret=CLK_SECRET)
    seen = []
    done = encode_to_parquet(con, "customers", enc, str(tmp_path / "encoded.parquet"), keep=["id"],
                             batch_rows=500, on_batch=seen.append)
    assert seen == [500, 1000, 1500, 2000]
    written = pq.read_table(tmp_path / "encoded.parquet").sort_by("id")
    direct = enc.encode_batch(records, keep=["id"], token_columns=True).sort_by("id")
    assert written.schema == direct.schema and written.num_rows == records.num_rows
    for name in direct.column_names:
        assert written.column(name).to_pylist() == direct.column(name).to_pylist(), name
    bad = sum(1 for e in direct.column("errors").to_pylist() if e)
    assert bad > 0 and done == {"rows": 2000, "rowsWithErrors": bad}
    assert con.sql("select count(*) from customers").fetchall() == [(2000,)]


def test_a_relation_is_tokenised_into_parquet_by_a_pseudonymizer(dedupe_2k, tmp_path):
    """The DuckDB helpers take a ``Pseudonymizer`` too: keyed tokens and
    match keys alone, batch by batch, the same as the table tokenised at once."""
    import pyarrow.parquet as pq

    from pseudolink.duckdb import encode_relation, encode_to_parquet

    records, _ = dedupe_2k
    con = duckdb.connect()
    con.register("customers", records)
    p = pl.Pseudonymizer(KEYS, DEFINITION)
    done = encode_to_parquet(con, "customers", p, str(tmp_path / "tokens.parquet"), keep=["id"],
                             batch_rows=700)
    written = pq.read_table(tmp_path / "tokens.parquet").sort_by("id")
    direct = p.tokenize_batch(records, keep=["id"], token_columns=True).sort_by("id")
    assert written.schema == direct.schema and not [c for c in written.column_names if c.startswith("clk_")]
    for name in direct.column_names:
        assert written.column(name).to_pylist() == direct.column(name).to_pylist(), name
    assert done["rows"] == 2000
    rel = encode_relation(con, "customers", p, keep=["id"], token_columns=False)
    assert rel.count("*").fetchall() == [(2000,)]


def test_encoding_into_parquet_stops_when_progress_says_so(dedupe_2k, tmp_path):
    from pseudolink.duckdb import encode_to_parquet

    records, _ = dedupe_2k
    con = duckdb.connect()
    con.register("customers", records)
    enc = pl.RecordEncoder(KEYS, DEFINITION, clk_schema="default", clk_secret=CLK_SECRET)

    def cancel(rows):
        if rows >= 1000:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        encode_to_parquet(con, con.sql("select * from customers"), enc, str(tmp_path / "e.parquet"),
                          batch_rows=500, on_batch=cancel)
    assert con.sql("select count(*) from customers").fetchall() == [(2000,)]


def test_duckdb_helpers(dedupe_2k):
    from pseudolink.duckdb import encode_relation, register_functions

    records, _ = dedupe_2k
    con = duckdb.connect()
    con.register("customers", records)
    enc = pl.RecordEncoder(KEYS, DEFINITION, clk_schema="default", clk_secret=CLK_SECRET)
    rel = encode_relation(con, "customers", enc, keep=["id"], name="encoded")
    direct = enc.encode_batch(records, keep=["id"], token_columns=True)
    assert con.sql("select count(*) from encoded").fetchall()[0][0] == records.num_rows
    assert rel.arrow().read_all().column("clk_record").equals(direct.column("clk_record"))
    dice = con.sql("""
        select 2.0::DOUBLE * bit_count(a.clk_firstName::BIT & b.clk_firstName::BIT)
               / (bit_count(a.clk_firstName::BIT) + bit_count(b.clk_firstName::BIT))::DOUBLE
        from encoded a, encoded b where a.id = b.id and a.clk_firstName is not null limit 1""").fetchall()
    assert dice == [(1.0,)]
    register_functions(con)
    got = con.sql("""select pl_normalize('email', 'Jon.Smith+shop@GoogleMail.com'),
                            pl_normalize_error('dateOfBirth', '1990-02-30'),
                            pl_platform_hash('meta', 'email', 'Jane@Example.com')""").fetchall()[0]
    assert got[0] == "jonsmith@gmail.com" and got[1] == "date.impossible"
    assert got[2] == pl.platform_hashes({"email": "Jane@Example.com"}, "meta")["hashes"]["em"]


def test_chain_guard_stops_a_chain_components_join():
    # Two people (a, b) and (c, d), each pair sure; one borderline pair b–c
    # bridges them, and nothing else of a or b looks like c or d.
    pairs = [("a", "b", 0.99), ("c", "d", 0.98), ("b", "c", 0.6), ("a", "c", 0.02)]
    kept = psp.chain_guard_edges(pairs, 0.5)
    assert sorted((l, r) for l, r, _ in kept) == [("a", "b"), ("c", "d")]
    # A clique whose weakest pair is below the threshold still merges: the
    # average of the cross pairs decides, not one weak pair.
    clique = [("x", "y", 0.95), ("y", "z", 0.9), ("x", "z", 0.4)]
    assert len(psp.chain_guard_edges(clique, 0.5)) == 2
    # The same input in any order, the same result; the size limit holds.
    assert psp.chain_guard_edges(list(reversed(pairs)), 0.5) == kept
    assert len(psp.chain_guard_edges(clique, 0.5, max_cluster_size=2)) == 1
    with pytest.raises(pl.PseudolinkError):
        psp.chain_guard_edges(pairs, 0.0)


def reference_chain_guard(pairs, threshold, max_cluster_size):
    """The chain guard by brute force, as its docstring says: each pair of
    records once at its best probability, highest first (ties by the ids),
    clusters as sets, each merge's mean over every cross pair (0 if not
    given)."""
    first, best = {}, {}
    for a, b, p in pairs:
        if p is None or a == b:
            continue
        for x in (a, b):
            first.setdefault(x, len(first))
        key = frozenset((a, b))
        best[key] = max(p, best.get(key, p))
    cluster = {x: frozenset([x]) for x in first}
    by_id = lambda x: (type(x).__name__, x)  # noqa: E731
    kept = []
    for key in sorted(best, key=lambda k: (-best[k], sorted(map(by_id, k)))):
        p = best[key]
        if p < threshold:
            break
        a, b = sorted(key, key=first.__getitem__)
        ca, cb = cluster[a], cluster[b]
        if ca == cb or len(ca) + len(cb) > max_cluster_size:
            continue
        mean = sum(best.get(frozenset((x, y)), 0.0) for x in ca for y in cb) / (len(ca) * len(cb))
        if mean < threshold:
            continue
        for x in ca | cb:
            cluster[x] = ca | cb
        kept.append((a, b, p))
    return kept


def test_chain_guard_is_the_brute_force_guard_on_random_pairs():
    import random

    rng = random.Random(13)
    for case in range(400):
        n = rng.randint(2, 24)
        kind = case % 3
        ids = [f"r{k}" if kind == 0 or (kind == 2 and k % 2) else k * 7 % 101 for k in range(n)]
        rng.shuffle(ids)
        pairs = []
        for _ in range(rng.randint(0, 3 * n)):
            a, b = rng.choice(ids), rng.choice(ids)
            # Multiples of 1/32: every mean is exact whatever the order of
            # the sum, so native and reference must agree to the bit.
            p = None if rng.random() < 0.03 else rng.randint(0, 32) / 32
            pairs.append((a, b, p))
        threshold = rng.choice([0.25, 0.5, 0.5, 0.75, 1.0])
        max_size = rng.choice([2, 3, 4, 6, 50])
        got = psp.chain_guard_edges(pairs, threshold, max_cluster_size=max_size)
        assert got == reference_chain_guard(pairs, threshold, max_size), (case, pairs, threshold, max_size)
    with pytest.raises(pl.PseudolinkError) as bad:
        psp.chain_guard_edges([("a", "b", 1.5)], 0.5)
    assert bad.value.code == "option.invalid"


def test_chain_guard_table_keeps_the_pairs_chain_guard_edges_keeps():
    import random

    rng = random.Random(29)
    for case in range(300):
        n = rng.randint(2, 24)
        ids = [f"r{k}" if case % 2 else k * 7 % 101 for k in range(n)]
        rng.shuffle(ids)
        pairs = []
        for _ in range(rng.randint(0, 3 * n)):
            a, b = rng.choice(ids), rng.choice(ids)
            p = None if rng.random() < 0.03 else rng.randint(0, 32) / 32
            pairs.append((a, b, p))
        threshold = rng.choice([0.25, 0.5, 0.75, 1.0])
        max_size = rng.choice([2, 3, 6, 50])
        id_type = pa.string() if case % 2 else pa.int64()
        table = pa.table({
            "unique_id_l": pa.array([a for a, _, _ in pairs], id_type),
            "unique_id_r": pa.array([b for _, b, _ in pairs], id_type),
            "match_probability": pa.array([p for _, _, p in pairs], pa.float64()),
        })
        got = psp.chain_guard_table(table, threshold, max_cluster_size=max_size)
        assert got.column_names == ["unique_id_l", "unique_id_r", "match_probability"]
        assert got.schema.field("unique_id_l").type == id_type

        def norm(rows):
            return sorted((min(a, b), max(a, b), p) for a, b, p in rows)

        want = psp.chain_guard_edges(pairs, threshold, max_cluster_size=max_size)
        assert norm(zip(*(got.column(c).to_pylist() for c in got.column_names))) == norm(want), case
    with pytest.raises(pl.PseudolinkError) as bad:
        psp.chain_guard_table(pa.table({"unique_id_l": ["a"], "unique_id_r": ["b"]}), 0.5)
    assert bad.value.code == "option.invalid"


def clusters_of(frame) -> list[list[str]]:
    groups: dict[int, list[str]] = {}
    for row in frame.query_sql("select cluster_id, unique_id from {this}").as_record_list():
        groups.setdefault(row["cluster_id"], []).append(row["unique_id"])
    return sorted(sorted(g) for g in groups.values())


def test_splink_clusters_with_chain_guard_against_components():
    from splink import SettingsCreator
    import splink.comparison_library as cl

    con = duckdb.connect()
    api = DuckDBAPI(connection=con)
    records = pa.table({"unique_id": ["a", "b", "c", "d", "e", "f", "g", "h"],
                        "x": ["1", "1", "2", "2", "3", "4", "4", "4"]})
    exact = cl.ExactMatch("x").configure(m_probabilities=[0.9, 0.1], u_probabilities=[0.001, 0.999])
    linker = Linker(api.register(records), SettingsCreator(
        link_type="dedupe_only", comparisons=[exact], probability_two_random_records_match=0.5))
    predictions = api.register(pa.table({
        "unique_id_l": ["a", "c", "b", "a"], "unique_id_r": ["b", "d", "c", "c"],
        "match_probability": [0.99, 0.98, 0.6, 0.02]}))
    components = linker.clustering.cluster_pairwise_predictions_at_threshold(predictions, 0.5)
    guarded = psp.cluster_pairwise_predictions_with_chain_guard(linker, predictions, 0.5)
    assert clusters_of(components) == [["a", "b", "c", "d"], ["e"], ["f"], ["g"], ["h"]]
    assert clusters_of(guarded) == [["a", "b"], ["c", "d"], ["e"], ["f"], ["g"], ["h"]]
    assert {c.unquote().name for c in guarded.columns} >= {"cluster_id", "unique_id", "x"}
    # f, g, h are one person, but blocking found only f–g and g–h: Splink
    # scores the missing f–h (inside their component), so the three stay
    # together; counted as 0 instead, the average (0.99 + 0) / 2 splits them.
    chain = api.register(pa.table({
        "unique_id_l": ["f", "g"], "unique_id_r": ["g", "h"], "match_probability": [0.99, 0.99]}))
    assert clusters_of(psp.cluster_pairwise_predictions_with_chain_guard(linker, chain, 0.5))[-1] == ["f", "g", "h"]
    unscored = psp.cluster_pairwise_predictions_with_chain_guard(linker, chain, 0.5, score_missing_up_to=0)
    assert ["f", "g", "h"] not in clusters_of(unscored)
