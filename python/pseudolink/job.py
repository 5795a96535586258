"""A linkage service job on Splink: a partner's records against the
directory's, on DuckDB embedded in the job or on Spark, with
:mod:`pseudolink.splink`'s comparisons.

The linkage service (``pseudolink-server --linkage``, a project's
``engine``) starts ``python -m pseudolink.job`` for a run whose datasets
are large, writes the job to its stdin and reads the scored pairs from its
stdout; it then makes the same one-to-one decision as the ``Linker``
(``link::one_to_one_edges``) and builds both parties' views itself. The
job holds what the service already holds (encodings, no key, no CLK
secret). DuckDB keeps it in memory without spilling; Spark writes shuffle
blocks to its local directory (by default a temporary one the job removes
when it ends) and the inputs and Splink's intermediate tables as Parquet to
``checkpointDir`` (by default inside that directory; the job deletes its
own tables when it ends).

Protocol ``pseudolink-job/2``. stdin: one JSON line
``{"protocol", "engine", "config", "params"?, "partnerBytes",
"directoryBytes", "lshBands", "lshBitsPerBand", "spark"?}`` (``engine``:
``duckdb`` or ``spark``; ``spark``: the session's options, see
:func:`spark_session`; ``config``: the project's ``LinkConfig`` as the
``Linker`` reports it; ``params``: the project's model, if it has one, as
``Linker.params()`` gives it: then nothing is trained), then
the partner's and the directory's records in the binary transfer form
(:func:`pseudolink.encoded_table`), ids being row numbers.

stdout, written as the engine reads the pairs out, so neither the job nor
its Spark driver holds them all (:func:`write_answer`):

* one JSON line ``{"protocol", "engine", "prior", "comparisons": [{"name",
  "labels", "tf"}]}`` (``labels`` by gamma, least alike first; ``tf``: the
  comparison's weights carry a term-frequency part);
* chunks of pairs at or above the configured threshold, each a JSON line
  ``{"rows": n}`` (1 ≤ n ≤ ``ANSWER_ROWS``) and then its columns, n values
  each, little-endian, back to back: ``a`` u32 (partner row), ``b`` u32
  (directory row), ``probability`` f64, ``matchWeight`` f64, then for each
  comparison in order ``gamma`` i8 (-1 null), ``mw`` f64 (the level's match
  weight, bits) and, if ``tf``, ``mwTf`` f64 (its term-frequency part, bits);
* one JSON line ``{"end": true, "rows": total}``, so a stream cut short is
  never taken for a whole answer.

Anything the engines print goes to stderr, which the service does not log
(it may hold SQL with table names, never values, but the service does not
rely on that). Exit codes: 0 done, 2 a malformed job, 3 the engine failed.
"""

from __future__ import annotations

import json
import logging
import math
import os
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, BinaryIO, Iterator, Mapping, Sequence

import pyarrow as pa
import pyarrow.compute as pc

from . import encoded_table
from . import splink as psp
from .errors import PseudolinkError

PROTOCOL = "pseudolink-job/2"

#: Most pairs in one chunk of the answer: what the job holds of the answer
#: at once (and what the service reads at once) besides what it keeps.
ANSWER_ROWS = 65_536

#: Rows per Parquet file when Spark writes the predictions out for the
#: driver to read back one file at a time (about 100 MB of Arrow).
SPARK_ANSWER_FILE_ROWS = 1_000_000

#: A Splink job's LSH bands per configured pass: the ``Linker``'s 64. All of
#: a pass's bands are one exploding blocking rule (one join), so a band costs
#: candidates, not a query (BENCHMARKS.md: 64 bands took the time 32 took as
#: a rule each, with 0.026 more recall at 100k). Bits per band 0: tuned to
#: the data, as the ``Linker`` tunes them.
LSH_BANDS = 64
LSH_BITS_PER_BAND = 0

#: Spark's broadcast-join threshold for the job, in MB of a table's files
#: (Spark's own default). The records are joined to every candidate pair
#: twice; below the threshold they are sent whole to each task instead of
#: being shuffled with the pairs. 256 measured 0.93-0.94x the time and 2.4x
#: less shuffle at 5,000 and 20,000 records a side (BENCHMARKS.md); it is
#: not the default because each executor, and the driver, hold the table.
BROADCAST_JOIN_MB = 10


class JobError(Exception):
    """A malformed job (exit code 2)."""


def read_job(stream: BinaryIO) -> tuple[dict[str, Any], bytes, bytes]:
    """The header and both datasets' transfer bytes from a job stream."""
    line = stream.readline(1 << 20)
    try:
        header = json.loads(line)
    except ValueError as e:
        raise JobError("the job's first line is not JSON") from e
    if not isinstance(header, dict) or header.get("protocol") != PROTOCOL:
        raise JobError(f"the job is not {PROTOCOL}")
    sizes = [header.get("partnerBytes"), header.get("directoryBytes")]
    if not all(isinstance(n, int) and n >= 0 for n in sizes):
        raise JobError("the job's sizes are not byte counts")
    partner, directory = (stream.read(n) for n in sizes)
    if len(partner) != sizes[0] or len(directory) != sizes[1]:
        raise JobError("the job ended early")
    return header, partner, directory


def _token_heads(table: pa.Table) -> dict[tuple[str, str], int]:
    """How many tokens each (subject, key version) has in a table."""
    flat = pc.list_flatten(table.column("tokens"))
    if len(flat) == 0:
        return {}
    parts = pc.extract_regex(flat, r"^[^.]+\.(?P<subject>[^.]+)\.(?P<version>[^.]+)\.")
    counts = pa.table({"s": pc.struct_field(parts, "subject"), "v": pc.struct_field(parts, "version")}) \
        .group_by(["s", "v"]).aggregate([("s", "count")])
    return {(s, v): n for s, v, n in zip(*(counts.column(c).to_pylist() for c in ("s", "v", "s_count")))}


def _first_token(table: pa.Table, subject: str, version: str) -> pa.Array:
    """Each row's token of ``subject`` under key ``version`` (null if none)."""
    tokens = table.column("tokens").combine_chunks()
    flat = pc.list_flatten(tokens)
    parents = pc.list_parent_indices(tokens)
    mask = pc.match_substring_regex(flat, "^[^.]+\\." + subject.replace(".", "\\.") + "\\." + version.replace(".", "\\.") + "\\.")
    rows = parents.filter(mask).to_pylist()
    values = flat.filter(mask)
    at = [None] * table.num_rows
    for k in range(len(rows) - 1, -1, -1):  # the first token of a row wins
        at[rows[k]] = k
    return values.take(pa.array(at, pa.int64()))


def token_columns(
    partner: pa.Table,
    directory: pa.Table,
    subjects: list[str],
    heads: tuple[dict[tuple[str, str], int], dict[tuple[str, str], int]] | None = None,
) -> tuple[pa.Table, pa.Table]:
    """Adds ``token_<subject>`` to both tables: for each subject, the key
    version both datasets carry most (tokens under different keys never
    agree, so comparing one version on both sides loses nothing)."""
    ha, hb = heads or (_token_heads(partner), _token_heads(directory))
    for subject in subjects:
        versions = {v for (s, v) in ha if s == subject} & {v for (s, v) in hb if s == subject}
        name = psp.token_column(subject)
        if not versions:
            partner = partner.append_column(name, pa.nulls(partner.num_rows, pa.string()))
            directory = directory.append_column(name, pa.nulls(directory.num_rows, pa.string()))
            continue
        best = max(sorted(versions), key=lambda v: min(ha[(subject, v)], hb[(subject, v)]))
        partner = partner.append_column(name, _first_token(partner, subject, best))
        directory = directory.append_column(name, _first_token(directory, subject, best))
    return partner, directory


def _lsh_source(table: pa.Table, entry: Mapping[str, Any]) -> pa.Array | None:
    """The CLK an LSH entry bands (``also``: the CLKs concatenated, null
    where any is missing, as the ``Linker``), or None if the table lacks it."""
    cols = [f"clk_{k}" for k in (entry["clk"], *entry.get("also", []))]
    if not all(c in table.column_names for c in cols):
        return None
    if len(cols) == 1:
        return table.column(cols[0]).combine_chunks()
    return pc.binary_join_element_wise(*(table.column(c) for c in cols), b"").combine_chunks()


def tuned_bits_per_band(sources: list[pa.Array], bands: int, random_pairs_per_record: float) -> int:
    """The ``Linker``'s tuning (``link::engine::lsh::auto_bits``): the smallest
    k whose expected random-pair collisions over all bands stay within
    ``random_pairs_per_record`` per record, from the bit densities of up to
    2,048 CLKs per dataset; between 8 and 63."""
    import numpy as np

    rows = []
    for s in sources:
        valid = s.drop_null()
        step = max(len(valid) // 2048, 1)
        rows += [np.frombuffer(v, dtype=np.uint8) for v in valid.take(pa.array(range(0, len(valid), step))).to_pylist()]
    if not rows or len({len(r) for r in rows}) != 1:
        return 63
    p = np.unpackbits(np.stack(rows), axis=1).mean(axis=0)
    r = float(np.mean(p * p + (1 - p) * (1 - p)))
    na, nb = (len(s) for s in sources)
    per_band = min(random_pairs_per_record * (na + nb) / bands / max(na * nb, 1), 1.0)
    if r >= 1.0 or per_band >= 1.0:
        return 8
    return int(min(max(math.ceil(math.log(per_band) / math.log(r)), 8), 63))


def _lsh(tables: list[pa.Table], entries: list[Mapping[str, Any]], bands: int,
         bits_per_band: int) -> tuple[list[pa.Table], list[str]]:
    """LSH band keys (``lsh_<n>_<b>``) for each of the configuration's LSH
    entries both datasets can take part in, with the entry's seed; bits per
    band tuned to the data unless given. The tables and the prefixes."""
    prefixes = []
    for n, entry in enumerate(entries):
        sources = [_lsh_source(t, entry) for t in tables]
        if any(s is None or s.null_count == len(s) for s in sources):
            continue
        bits = max(pc.max(pc.binary_length(s)).as_py() for s in sources) * 8
        k = bits_per_band or tuned_bits_per_band(sources, bands, float(entry.get("randomPairsPerRecord", 20.0)))
        prefix = f"lsh_{n}"
        tables = [
            psp.add_lsh_bands(t.append_column("_lsh_source", s), clk_column="_lsh_source", bits=bits, bands=bands,
                              # lsh_band_keys keys a band by at most 48 bits
                              bits_per_band=min(k, 48, bits), seed=int(entry.get("seed", 0)),
                              prefix=prefix).drop_columns(["_lsh_source"])
            for t, s in zip(tables, sources)
        ]
        prefixes.append(prefix)
    return tables, prefixes


def band_lists(table: pa.Table, prefixes: list[str], bands: int) -> pa.Table:
    """Replaces each pass's band columns ``<prefix>_<b>`` by one list column
    ``<prefix>_keys`` of the row's non-null band keys (a band key carries its
    band's index, so keys of different bands never meet)."""
    import numpy as np

    for prefix in prefixes:
        names = [f"{prefix}_{b}" for b in range(bands)]
        cols = [table.column(n).combine_chunks() for n in names]
        values = np.stack([c.fill_null(0).to_numpy(zero_copy_only=False) for c in cols], axis=1)
        valid = np.stack([c.is_valid().to_numpy(zero_copy_only=False) for c in cols], axis=1)
        offsets = np.concatenate([[0], np.cumsum(valid.sum(axis=1))]).astype(np.int32)
        keys = pa.ListArray.from_arrays(pa.array(offsets, pa.int32()), pa.array(values[valid], pa.int64()))
        table = table.drop_columns(names).append_column(f"{prefix}_keys", keys)
    return table


def _exact_subjects(config: Mapping[str, Any], token_subjects: list[str]) -> list[str]:
    """The configured exact-blocking subjects the job has as token columns
    (``mk-*`` expanded)."""
    wanted = config.get("blocking", {}).get("exactSubjects", [])
    return [s for s in token_subjects
            if any(s == w or (w.endswith("*") and s.startswith(w[:-1])) for w in wanted)]


def cap_buckets(tables: list[pa.Table], columns: list[str], max_pairs: int) -> list[pa.Table]:
    """The ``Linker``'s ``maxBlockPairs`` for Splink, which has none: a
    blocking key whose bucket would pair more than ``max_pairs`` records
    across the two datasets is nulled (it blocks nobody). Such a key is a
    placeholder value or a crowd (the CLK of a common surname, which every
    LSH band of that pass shares), not evidence, and at 100k records one
    crowd makes tens of millions of pairs."""
    a, b = tables
    for c in columns:
        counts = [t.group_by(c).aggregate([(c, "count")]).filter(pc.is_valid(pc.field(c))) for t in (a, b)]
        joined = counts[0].join(counts[1], c, join_type="inner", left_suffix="_a", right_suffix="_b")
        if joined.num_rows == 0:
            continue
        left, right = joined.column(f"{c}_count_a"), joined.column(f"{c}_count_b")
        crowded = joined.column(c).filter(pc.greater(pc.multiply(pc.cast(left, pa.float64()),
                                                                 pc.cast(right, pa.float64())), max_pairs))
        if len(crowded) == 0:
            continue
        a, b = (t.set_column(t.column_names.index(c), c,
                             pc.if_else(pc.is_in(t.column(c), value_set=crowded.combine_chunks()),
                                        pa.scalar(None, t.schema.field(c).type), t.column(c)))
                for t in (a, b))
    return [a, b]


@dataclass(frozen=True)
class Scored:
    """A job's scored pairs, read out chunk by chunk (protocol v2).

    ``comparisons``: ``{"name", "labels", "tf"}`` in the configuration's
    order, ``labels`` by gamma, least alike first. ``batches``: record
    batches of at most the requested rows, pairs at or above the threshold,
    with the columns of ``schema``: ``a`` (partner row, uint32), ``b``
    (directory row, uint32), ``probability``, ``matchWeight``, then per
    comparison ``i`` ``gamma_i`` (int8, -1 null), ``mw_i`` (the level's
    match weight, bits) and, where ``tf``, ``mwTf_i`` (its term-frequency
    part). Read them inside :func:`scored`'s ``with``: the engine ends with it."""

    engine: str
    prior: float
    comparisons: list[dict[str, Any]]
    schema: pa.Schema
    batches: Iterator[pa.RecordBatch]


def link(
    partner: pa.Table,
    directory: pa.Table,
    config: Mapping[str, Any],
    *,
    engine: str = "duckdb",
    lsh_bands: int = LSH_BANDS,
    lsh_bits_per_band: int = LSH_BITS_PER_BAND,
    spark: Mapping[str, Any] | None = None,
    params: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Scores the partner's records (:func:`pseudolink.encoded_table`)
    against the directory's with Splink, trained without labels on these
    two datasets unless ``params`` gives the model (see :func:`scored`), all
    pairs in hand:
    ``{"engine", "prior", "comparisons", "pairs": {"a", "b", "probability",
    "matchWeight", "gamma", "mw", "mwTf"}}``, columns of equal length
    (``gamma``, ``mw``, ``mwTf``: one list per comparison; ``mwTf`` zeros
    where the comparison has no term-frequency part)."""
    with scored(partner, directory, config, engine=engine, lsh_bands=lsh_bands,
                lsh_bits_per_band=lsh_bits_per_band, spark=spark, params=params) as s:
        table = pa.Table.from_batches(list(s.batches), schema=s.schema)
    n = table.num_rows
    col = table.column
    pairs = {
        "a": col("a").to_pylist(), "b": col("b").to_pylist(),
        "probability": col("probability").to_pylist(), "matchWeight": col("matchWeight").to_pylist(),
        "gamma": [col(f"gamma_{i}").to_pylist() for i in range(len(s.comparisons))],
        "mw": [col(f"mw_{i}").to_pylist() for i in range(len(s.comparisons))],
        "mwTf": [col(f"mwTf_{i}").to_pylist() if c["tf"] else [0.0] * n for i, c in enumerate(s.comparisons)],
    }
    return {"engine": s.engine, "prior": s.prior, "comparisons": s.comparisons, "pairs": pairs}


@contextmanager
def scored(
    partner: pa.Table,
    directory: pa.Table,
    config: Mapping[str, Any],
    *,
    engine: str = "duckdb",
    lsh_bands: int = LSH_BANDS,
    lsh_bits_per_band: int = LSH_BITS_PER_BAND,
    spark: Mapping[str, Any] | None = None,
    params: Mapping[str, Any] | None = None,
    batch_rows: int = ANSWER_ROWS,
) -> Iterator[Scored]:
    """Scores the partner's records (:func:`pseudolink.encoded_table`)
    against the directory's with Splink, trained without labels on these
    two datasets, and yields the pairs at or above ``config["threshold"]``
    as :class:`Scored`, batch by batch; the engine and its files end with
    the ``with``. ``engine``: ``duckdb`` (embedded, in memory) or ``spark``
    (a Spark session per :func:`spark_session` with the ``spark`` options;
    the predictions are written to ``checkpointDir`` and read back a file at
    a time, so the driver never holds them all). ``params``: a ``Linker``'s
    parameters for ``config``'s comparisons (``Linker.params()``,
    :func:`pseudolink.splink.params_from_splink`): the pairs are scored with
    that model (its m, u and prior; without term frequencies, as
    :func:`pseudolink.splink.params_to_splink` loads it) and nothing is trained."""
    from splink import block_on

    if engine not in ("duckdb", "spark"):
        raise PseudolinkError("option.invalid", "engine must be duckdb or spark", "option")
    comps = list(config.get("comparisons") or [])
    if not comps:
        raise PseudolinkError("link.bad_config", "a Splink job needs the configuration's comparisons", "link")
    threshold = float(config.get("threshold", 0.5))
    heads = (_token_heads(partner), _token_heads(directory))
    subjects = sorted({c["source"] for c in comps if c.get("kind") == "token"}
                      | {s for (s, _) in heads[0]} & {s for (s, _) in heads[1]})
    partner, directory = token_columns(partner, directory, subjects, heads)
    entries = list(config.get("blocking", {}).get("lsh", []))
    (partner, directory), prefixes = _lsh([partner, directory], entries, lsh_bands, lsh_bits_per_band)
    # Blocking keys: copies of the exact subjects' tokens (the comparisons
    # keep the tokens) and the LSH bands, crowded buckets nulled.
    exact = _exact_subjects(config, subjects)

    def with_exact_keys(t: pa.Table) -> pa.Table:
        for sub in exact:
            t = t.append_column(f"blk_{sub}", t.column(psp.token_column(sub)))
        return t

    partner, directory = with_exact_keys(partner), with_exact_keys(directory)
    keys = [f"blk_{sub}" for sub in exact] + [f"{p}_{band}" for p in prefixes for band in range(lsh_bands)]
    max_pairs = int(config.get("blocking", {}).get("maxBlockPairs", 10_000))
    partner, directory = cap_buckets([partner, directory], keys, max_pairs)
    # One exploding rule per LSH pass instead of one rule per band: each rule
    # is a join in every training and prediction query (on Spark a few stages
    # each). The same candidate pairs; on DuckDB 0.76x the time at 100k.
    partner, directory = (band_lists(t, prefixes, lsh_bands) for t in (partner, directory))
    rules = [block_on(_sql(f"blk_{sub}")) for sub in exact]
    rules += [block_on(f"{p}_keys", arrays_to_explode=[f"{p}_keys"]) for p in prefixes]
    if not rules:
        raise PseudolinkError("link.bad_config", "the configuration blocks on nothing both datasets carry", "link")

    for c in comps:
        if c.get("kind") == "clk":
            col = f"clk_{c['source']}"
            for t in (partner, directory):
                if col not in t.column_names:
                    raise PseudolinkError("link.bad_config", "a compared CLK is in neither dataset", "link")
    # Matching columns bring the gamma (level) columns; they hold only what
    # the job already holds.
    retain = {"retain_intermediate_calculation_columns": True, "retain_matching_columns": True}
    if params is None:
        settings = psp.settings("link_only", comps, blocking_rules=rules, dialect=engine, **retain)
    else:
        settings = dict(psp.params_to_splink(params, comps, link_type="link_only", blocking_rules=rules,
                                             dialect=engine), **retain)
    from splink import Linker

    a, b = psp.for_splink(partner), psp.for_splink(directory)
    if engine == "duckdb":
        api, inputs, fetch, close = _duckdb_inputs([("a_partner", a), ("b_directory", b)])
    else:
        features = [c["source"] for c in comps if c.get("kind") == "clk"]
        api, inputs, fetch, close = spark_inputs(
            [("a_partner", psp.clk_arrays(a, features)), ("b_directory", psp.clk_arrays(b, features))], spark or {})
    try:
        linker = Linker(inputs, settings, log_level=logging.WARNING)
        if params is None:
            token_rules = [block_on(_sql(psp.token_column(s))) for s in subjects
                           if any(c.get("kind") == "token" and c["source"] == s for c in comps)]
            _train(linker, token_rules, rules, a.num_rows + b.num_rows)
        predictions = linker.inference.predict(threshold_match_probability=threshold)
        names = [_sql(c["name"]) for c in comps]
        tf_names = {_sql(c["name"]) for c in comps
                    if params is None and c.get("kind") == "token" and c.get("tfAdjustment")}
        cols = ["source_dataset_l", "unique_id_l", "unique_id_r", "match_probability", "match_weight"]
        cols += [f"gamma_{n}" for n in names] + [f"mw_{n}" for n in names]
        cols += [f"mw_tf_adj_{n}" for n in sorted(tf_names)]
        model = linker.misc.save_model_to_json()
        by_name = {c["output_column_name"]: c for c in model["comparisons"]}
        comparisons = []
        for c, n in zip(comps, names):
            levels = [lvl for lvl in by_name[n]["comparison_levels"] if not lvl.get("is_null_level")]
            comparisons.append({"name": c["name"], "labels": [lvl.get("label_for_charts", "") for lvl in reversed(levels)],
                                "tf": n in tf_names})
        schema = answer_schema(comparisons)
        batches = (_answer_batch(b, names, tf_names, schema) for b in fetch(predictions, cols, batch_rows))
        yield Scored(engine, float(model["probability_two_random_records_match"]), comparisons, schema, batches)
    finally:
        close()


def _train(linker: Any, token_rules: list[Any], rules: list[Any], records: int) -> None:
    """Trains the job's Splink model without labels: the prior from token
    agreement (else the first blocking rule), u from random pairs, m by EM
    on up to two token blockings that give pairs."""
    deterministic = token_rules or rules[:1]
    linker.training.estimate_probability_two_random_records_match(deterministic, recall=0.8)
    # u from the whole sample in one pass: Splink's default probes in up to
    # 11 chunks until every level has 100 pairs, each chunk a query (on
    # Spark, dozens of stages: 54 of 118 s at 300 × 300).
    linker.training.estimate_u_using_random_sampling(
        max_pairs=min(1e6, 50.0 * records), seed=1, min_count_per_level=None, num_chunks=1)
    # EM on up to two token blockings that produce pairs (a subject the
    # two datasets never share gives none, and Splink refuses it).
    from splink.internals.exceptions import EMTrainingException

    trained = 0
    for rule in token_rules or rules:
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(rule)
        except EMTrainingException:
            continue
        trained += 1
        if trained == 2:
            break
    if not trained:
        raise PseudolinkError("link.not_trained", "no blocking gave EM pairs to train on", "link")


def answer_schema(comparisons: Sequence[Mapping[str, Any]]) -> pa.Schema:
    """The columns of a :class:`Scored` batch for these comparisons, in the
    order protocol v2 writes them."""
    fields = [pa.field("a", pa.uint32(), False), pa.field("b", pa.uint32(), False),
              pa.field("probability", pa.float64(), False), pa.field("matchWeight", pa.float64(), False)]
    for i, c in enumerate(comparisons):
        fields += [pa.field(f"gamma_{i}", pa.int8(), False), pa.field(f"mw_{i}", pa.float64(), False)]
        if c["tf"]:
            fields.append(pa.field(f"mwTf_{i}", pa.float64(), False))
    return pa.schema(fields)


def _answer_batch(batch: pa.RecordBatch, names: list[str], tf_names: set[str], schema: pa.Schema) -> pa.RecordBatch:
    """Splink's prediction columns as the answer's: partner row first
    whichever side Splink put it on, fixed widths."""
    flip = pc.not_equal(batch.column("source_dataset_l"), "a_partner")
    left, right = batch.column("unique_id_l"), batch.column("unique_id_r")
    arrays = [pc.if_else(flip, right, left), pc.if_else(flip, left, right),
              batch.column("match_probability"), batch.column("match_weight")]
    for n in names:
        arrays += [batch.column(f"gamma_{n}"), batch.column(f"mw_{n}")]
        if n in tf_names:
            arrays.append(batch.column(f"mw_tf_adj_{n}"))
    # Safe casts: an id or level that does not fit its width fails the job.
    return pa.RecordBatch.from_arrays([pc.cast(x, f.type) for x, f in zip(arrays, schema)], schema=schema)


_WIRE = {pa.uint32(): "<u4", pa.int8(): "i1", pa.float64(): "<f8"}


def write_answer(out: BinaryIO, s: Scored) -> int:
    """Writes ``s`` to ``out`` in protocol v2 (see the module), chunk by
    chunk as its batches arrive; returns the number of pairs written."""
    import numpy as np

    def line(obj: Mapping[str, Any]) -> bytes:
        return json.dumps(obj, allow_nan=False, separators=(",", ":")).encode() + b"\n"

    out.write(line({"protocol": PROTOCOL, "engine": s.engine, "prior": s.prior, "comparisons": s.comparisons}))
    total = 0
    for batch in s.batches:
        for at in range(0, batch.num_rows, ANSWER_ROWS):
            part = batch.slice(at, ANSWER_ROWS)
            out.write(line({"rows": part.num_rows}))
            for col in part.columns:
                if col.null_count:
                    raise ValueError("a scored pair lacks a value")
                out.write(np.ascontiguousarray(col.to_numpy(zero_copy_only=False), dtype=_WIRE[col.type]).tobytes())
            total += part.num_rows
    out.write(line({"end": True, "rows": total}))
    out.flush()
    return total




def _sql(name: str) -> str:
    return name.replace("-", "_")


def _duckdb_inputs(named: Sequence[tuple[str, pa.Table]]) -> tuple[Any, list[Any], Any, Any]:
    """The tables, by name, in an in-memory DuckDB that never spills: the
    Splink API, the registered inputs, a reader of result columns into
    Arrow, and what ends it all."""
    import duckdb
    from splink import DuckDBAPI

    con = duckdb.connect()
    con.execute("SET temp_directory = ''")  # never spill encodings to disk
    api = DuckDBAPI(connection=con)
    inputs = []
    for name, t in named:
        # CLKs as DuckDB BIT once, not cast from BLOB in every level of every
        # pair (the comparisons' `::BIT` is then a no-op).
        clks = [c for c in t.column_names if c.startswith("clk_")]
        con.register(f"{name}_arrow", t)
        cast = f" REPLACE ({', '.join(f'{c}::BIT AS {c}' for c in clks)})" if clks else ""
        con.execute(f"CREATE TABLE {name}_input AS SELECT *{cast} FROM {name}_arrow")
        con.unregister(f"{name}_arrow")
        inputs.append(api.register(f"{name}_input", dataset_display_name=name))

    def fetch(frame: Any, cols: list[str], rows: int) -> Iterator[pa.RecordBatch]:
        yield from con.sql(f"select {', '.join(cols)} from {frame.physical_name}").to_arrow_reader(rows)

    return api, inputs, fetch, con.close


def spark_session(options: Mapping[str, Any], local_dir: str) -> Any:
    """The job's Spark session: ``master`` (default ``local[*]``), ``driverMemory``
    (default ``2g``; in local mode the driver does all the work),
    ``shufflePartitions`` (default 8), ``broadcastJoinMb`` (default
    ``BROADCAST_JOIN_MB``: a table up to this size on disk is sent whole to
    every task instead of shuffling both sides of a join; each executor
    holds it); shuffle blocks in ``local_dir``."""
    from pyspark.sql import SparkSession

    master = str(options.get("master", "local[*]"))
    builder = (SparkSession.builder.master(master).appName("pseudolink-job")
               .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
               .config("spark.driver.memory", str(options.get("driverMemory", "2g")))
               .config("spark.sql.shuffle.partitions", str(int(options.get("shufflePartitions", 8))))
               .config("spark.sql.autoBroadcastJoinThreshold",
                       str(int(options.get("broadcastJoinMb", BROADCAST_JOIN_MB)) * 2**20))
               .config("spark.local.dir", local_dir)
               .config("spark.sql.execution.arrow.pyspark.enabled", "true"))
    if master.startswith("local"):
        # Local mode listens on loopback only, and says so: a host whose name
        # resolves to loopback otherwise advertises its outside address, where
        # nothing listens, and fetching a persisted block fails.
        builder = builder.config("spark.driver.bindAddress", "127.0.0.1").config("spark.driver.host", "127.0.0.1")
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


def spark_inputs(named: Sequence[tuple[str, pa.Table]], options: Mapping[str, Any]) -> tuple[Any, list[Any], Any, Any]:
    """The tables, by name, as Spark DataFrames (from Arrow, not row by row),
    written once as Parquet and read back, in a session per
    :func:`spark_session`: the Splink API, the registered inputs, a reader
    of result columns into Arrow, and what ends it all (call it however the
    work ends). Shuffle blocks, the
    inputs and Splink's intermediate tables hold encodings. Shuffle blocks go
    to ``localDir`` if given, else to a fresh temporary directory that the
    end removes with the session; the tables go to ``checkpointDir`` (default
    ``<localDir>/checkpoints``; on a cluster, storage every executor reads,
    such as ``hdfs://…``), in a directory of this job's that the end deletes."""
    import shutil
    import tempfile

    from splink import SparkAPI

    own = not options.get("localDir")
    local_dir = tempfile.mkdtemp(prefix="pseudolink-job-spark-") if own else str(options["localDir"])
    session = job_dir = None

    def close() -> None:
        try:  # this job's tables, wherever checkpointDir is (Hadoop's file systems)
            if job_dir is not None:
                where = sc._jvm.org.apache.hadoop.fs.Path(job_dir)
                where.getFileSystem(sc._jsc.hadoopConfiguration()).delete(where, True)
        except Exception:  # noqa: BLE001 - never mask the job's answer; say so, without the path
            print("pseudolink.job: spark.cleanup: the job's tables could not be deleted", file=sys.stderr)
        finally:
            if session is not None:
                session.stop()
            if own:
                shutil.rmtree(local_dir, ignore_errors=True)

    try:
        session = spark_session(options, local_dir)
        # Splink's intermediate tables written as Parquet and read back: each
        # later query plans from a file scan. With `persist` the plan kept the
        # whole lineage, so every EM iteration re-planned and shipped it (3.5 s
        # an iteration on 300 rows; 5,000 × 5,000 did not end in 17 minutes).
        sc = session.sparkContext
        sc.setCheckpointDir(str(options.get("checkpointDir") or os.path.join(local_dir, "checkpoints")))
        job_dir = sc._jsc.sc().getCheckpointDir().get()  # Spark adds a directory of this job's own
        api = SparkAPI(spark_session=session, break_lineage_method="parquet")
        # The inputs as files too: a DataFrame made from Arrow is a local relation,
        # whose rows travel inside the plan of every query that reads them, and
        # so inside its tasks (a 300 × 300 thread dump: tasks deserialising).
        inputs = []
        for name, t in named:
            path = f"{job_dir}/input_{name}"
            session.createDataFrame(t).write.parquet(path)
            inputs.append(api.register(session.read.parquet(path), dataset_display_name=name))
    except BaseException:  # a session or tables half made: ended here, then the error
        close()
        raise

    def fetch(frame: Any, cols: list[str], rows: int) -> Iterator[pa.RecordBatch]:
        # Written where the tables are, read back a bounded file at a time:
        # the driver never collects every prediction at once.
        path = f"{job_dir}/answer"
        (frame.as_spark_dataframe().select(*cols).write
         .option("maxRecordsPerFile", SPARK_ANSWER_FILE_ROWS).parquet(path))
        for f in sorted(session.read.parquet(path).inputFiles()):
            yield from session.read.parquet(f).toArrow().to_batches(rows)

    return api, inputs, fetch, close


def main() -> int:
    """``python -m pseudolink.job``: one job from stdin, its answer on stdout."""
    answer = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # whatever the engines print goes to stderr
    sys.stdout = sys.stderr
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    logging.getLogger("splink").setLevel(logging.WARNING)
    try:
        header, a, b = read_job(sys.stdin.buffer)
        partner, directory = encoded_table(a), encoded_table(b)
    except (JobError, PseudolinkError) as e:
        print(f"pseudolink.job: {e}", file=sys.stderr)
        return 2
    try:
        with scored(partner, directory, header.get("config") or {}, engine=header.get("engine", "duckdb"),
                    lsh_bands=int(header.get("lshBands", LSH_BANDS)),
                    lsh_bits_per_band=int(header.get("lshBitsPerBand", LSH_BITS_PER_BAND)),
                    spark=header.get("spark") or {}, params=header.get("params")) as s:
            write_answer(answer, s)
    except Exception as e:  # noqa: BLE001 - any engine failure is exit 3, its type only
        # An answer cut short here has no end line: the service refuses it.
        print(f"pseudolink.job: the engine failed ({type(e).__name__})", file=sys.stderr)
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
