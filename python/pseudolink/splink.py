"""A Splink comparison library for pseudolink encodings, and model exchange
between Splink and pseudolink's ``Linker``.

Splink is the engine (DuckDB embedded, Spark to scale out); this module only
says how to compare what :class:`pseudolink.RecordEncoder` emits:

* token agreement on ``token_<subject>`` columns (``encode_batch(...,
  token_columns=True)``), with Splink's term-frequency adjustment;
* CLK Dice levels in SQL: in DuckDB ``bit_count`` of the AND of the BLOBs
  cast to ``BIT``; in Spark, the CLK as an array of 64-bit words with its
  popcount beside (:func:`clk_arrays`; one ``zip_with`` per level), or as
  fixed 64-bit word columns (:func:`clk_words`) and ``bit_count`` per word;
* blocking rules on tokens and on LSH band keys (:func:`add_lsh_bands`);
* clustering of Splink's predictions under the browser ``Linker``'s chain
  guard (:func:`cluster_pairwise_predictions_with_chain_guard`), where
  Splink's connected components chain different people together at scale.

The Dice levels are the linker's exactly (``2·|a∧b| / (|a|+|b|)`` in double
precision, 0 when either CLK is empty, null when either is missing), so a
model moves both ways: :func:`params_to_splink` turns a ``Linker``'s params
into a Splink model, :func:`params_from_splink` a trained Splink model into
params for ``Linker.set_params``; the same pair then scores the same
probability where the comparisons coincide (no term-frequency adjustment:
Splink's and the linker's TF formulas differ).

Nothing here needs Splink at import; building settings needs only dicts.
"""

from __future__ import annotations

import math
import sys
from array import array
from typing import Any, Hashable, Iterable, Mapping, Sequence

import pyarrow as pa

from . import _native, lsh_band_keys
from .errors import PseudolinkError

#: The linker's default comparisons (src/link/comparison.rs default_comparisons)
#: as far as Splink has them: without the ``nickname`` lift, the ``moved`` group
#: and the names' term-frequency adjustment (the linker applies it only where
#: the name tokens agree exactly, in jobs of 1,000 or more such records).
DEFAULT_COMPARISONS: list[dict[str, Any]] = [
    {"name": "email", "kind": "token", "source": "email", "thresholds": [], "tfAdjustment": True},
    {"name": "phone", "kind": "token", "source": "phone", "thresholds": [], "tfAdjustment": True},
    {"name": "dateOfBirth", "kind": "token", "source": "dateOfBirth", "thresholds": [], "tfAdjustment": True},
    {"name": "firstName", "kind": "clk", "source": "firstName", "thresholds": [0.95, 0.85, 0.70]},
    {"name": "lastName", "kind": "clk", "source": "lastName", "thresholds": [0.95, 0.85, 0.70]},
    {"name": "street", "kind": "clk", "source": "street", "thresholds": [0.95, 0.85, 0.70]},
    {"name": "city", "kind": "clk", "source": "city", "thresholds": [0.95, 0.80]},
    {"name": "postalCode", "kind": "clk", "source": "postalCode", "thresholds": [0.95, 0.80]},
]

_DESCRIPTION = "pseudolink:"


def _column_name(name: str) -> str:
    """A SQL-safe column/output name for a subject (``mk-nameDob`` → ``mk_nameDob``)."""
    return name.replace("-", "_")


def token_column(subject: str) -> str:
    """The ``encode_batch(token_columns=True)`` column of a token subject."""
    return f"token_{subject}"


def clk_level_label(thresholds: Sequence[float], level: int) -> str:
    """The linker's label of a CLK level (``dice<0.70``, ``dice≥0.95``)."""
    if level == 0:
        return f"dice<{thresholds[-1]:.2f}" if thresholds else "any"
    return f"dice≥{thresholds[len(thresholds) - level]:.2f}"


def _dice_sql(col: str, dialect: str, words: int | None) -> tuple[str, str]:
    """(SQL of the Dice similarity, SQL that both CLKs are present)."""
    l, r = f"{col}_l", f"{col}_r"
    if dialect == "duckdb":
        inter = f"bit_count({l}::BIT & {r}::BIT)"
        cl, cr = f"bit_count({l}::BIT)", f"bit_count({r}::BIT)"
        present = f"{l} IS NOT NULL AND {r} IS NOT NULL"
    elif dialect == "spark" and words is None:
        # clk_arrays: the CLK as array<bigint>, its popcount in <col>_n. One
        # higher-order expression per level: the word-column form below
        # writes 80 bit_counts per level, which Spark's code generation
        # turns into methods large enough to exhaust a default driver heap.
        inter = f"aggregate(zip_with({l}, {r}, (x, y) -> bit_count(x & y)), 0, (s, v) -> s + v)"
        cl, cr = f"{col}_n_l", f"{col}_n_r"
        present = f"{l} IS NOT NULL AND {r} IS NOT NULL"
    elif dialect == "spark":
        if words <= 0:
            raise PseudolinkError("option.invalid", "Spark CLK levels need the number of 64-bit words", "option")
        # Splink suffixes each input column: clk_<f>_w<i> → clk_<f>_w<i>_l / _r.
        inter = " + ".join(f"bit_count({col}_w{i}_l & {col}_w{i}_r)" for i in range(words))
        cl = " + ".join(f"bit_count({col}_w{i}_l)" for i in range(words))
        cr = " + ".join(f"bit_count({col}_w{i}_r)" for i in range(words))
        present = f"{col}_w0_l IS NOT NULL AND {col}_w0_r IS NOT NULL"
    else:
        raise PseudolinkError("option.invalid", "dialect must be duckdb or spark", "option")
    dice = (
        f"(CASE WHEN ({cl}) = 0 OR ({cr}) = 0 THEN 0.0 ELSE "
        f"CAST(2 * ({inter}) AS DOUBLE) / CAST(({cl}) + ({cr}) AS DOUBLE) END)"
    )
    return dice, present


def token_comparison(subject: str, *, tf_adjustment: bool = True, name: str | None = None) -> dict[str, Any]:
    """Exact agreement of one token subject (levels: null, agree, disagree),
    with Splink's term-frequency adjustment on agreement when asked."""
    col = _column_name(token_column(subject))
    agree: dict[str, Any] = {"sql_condition": f"{col}_l = {col}_r", "label_for_charts": "agree"}
    if tf_adjustment:
        agree.update({"tf_adjustment_column": col, "tf_adjustment_weight": 1.0})
    return {
        "output_column_name": _column_name(name or subject),
        "comparison_description": _DESCRIPTION + (name or subject),
        "comparison_levels": [
            {"sql_condition": f"{col}_l IS NULL OR {col}_r IS NULL", "label_for_charts": "null", "is_null_level": True},
            agree,
            {"sql_condition": "ELSE", "label_for_charts": "disagree"},
        ],
    }


def clk_comparison(
    feature: str,
    thresholds: Sequence[float] = (0.95, 0.85, 0.70),
    *,
    dialect: str = "duckdb",
    words: int | None = None,
    name: str | None = None,
) -> dict[str, Any]:
    """Dice levels of one CLK column (``clk_<feature>``): null, one level per
    threshold (descending), else. ``dialect="spark"`` reads the CLK as an
    array of 64-bit words with its popcount in ``clk_<feature>_n`` (see
    :func:`clk_arrays`), or, given ``words``, as ``words`` 64-bit columns
    ``clk_<feature>_w<i>`` (see :func:`clk_words`)."""
    ts = list(thresholds)
    if any(not 0 < t <= 1 for t in ts) or any(a <= b for a, b in zip(ts, ts[1:])):
        raise PseudolinkError("link.bad_config", "thresholds must be strictly descending in (0, 1]", "link")
    col = _column_name(f"clk_{feature}")
    dice, present = _dice_sql(col, dialect, words)
    levels: list[dict[str, Any]] = [
        {"sql_condition": f"NOT ({present})", "label_for_charts": "null", "is_null_level": True}
    ]
    for i, t in enumerate(ts):
        levels.append({"sql_condition": f"{dice} >= {t!r}", "label_for_charts": clk_level_label(ts, len(ts) - i)})
    levels.append({"sql_condition": "ELSE", "label_for_charts": clk_level_label(ts, 0)})
    return {
        "output_column_name": _column_name(name or feature),
        "comparison_description": _DESCRIPTION + (name or feature),
        "comparison_levels": levels,
    }


def comparisons(
    config_comparisons: Sequence[Mapping[str, Any]] = DEFAULT_COMPARISONS,
    *,
    dialect: str = "duckdb",
    words: int | None = None,
    tf_adjustment: bool | None = None,
) -> list[dict[str, Any]]:
    """Splink comparisons for a linker configuration's comparisons (the
    ``comparisons`` of a LinkConfig; default: the linker's defaults).
    ``tf_adjustment`` overrides every token comparison's setting."""
    out = []
    for c in config_comparisons:
        kind = c.get("kind")
        if c.get("group"):
            # A token standing in for other comparisons (``swapped``) has no
            # Splink form here: as a plain token it would count names twice.
            raise PseudolinkError("link.bad_config", "a comparison with a group has no Splink form", "link")
        if kind == "token":
            tf = c.get("tfAdjustment", False) if tf_adjustment is None else tf_adjustment
            out.append(token_comparison(c["source"], tf_adjustment=tf, name=c["name"]))
        elif kind == "clk":
            out.append(clk_comparison(c["source"], c["thresholds"], dialect=dialect, words=words, name=c["name"]))
        else:
            raise PseudolinkError("link.bad_config", "a comparison's kind must be token or clk", "link")
    return out


def token_blocking_rules(subjects: Iterable[str]) -> list[Any]:
    """``block_on(token_<subject>)`` for each subject (exact-token blocking)."""
    from splink import block_on

    return [block_on(_column_name(token_column(s))) for s in subjects]


def lsh_blocking_rules(bands: int, *, prefix: str = "lsh") -> list[Any]:
    """``block_on(<prefix>_<b>)`` for each band of :func:`add_lsh_bands`."""
    from splink import block_on

    return [block_on(f"{prefix}_{b}") for b in range(bands)]


def add_lsh_bands(
    table: pa.Table,
    *,
    clk_column: str = "clk_record",
    bits: int = 1024,
    bands: int = 16,
    bits_per_band: int = 16,
    seed: int = 0,
    prefix: str = "lsh",
) -> pa.Table:
    """The table with ``<prefix>_0 … <prefix>_<bands-1>`` band keys of a CLK
    column (a prefix other than ``lsh`` must start with ``lsh_`` for
    :func:`for_splink` to keep it)."""
    keys = lsh_band_keys(table.column(clk_column), bits=bits, bands=bands, bits_per_band=bits_per_band, seed=seed)
    for b in range(bands):
        table = table.append_column(f"{prefix}_{b}", keys.column(f"lsh_{b}"))
    return table


def _clk_bytes(column: Any, words: int) -> tuple[Any, Any]:
    """A CLK column as a zero-padded ``(rows, 8·words)`` uint8 matrix, and
    which rows have a CLK (the word forms of :func:`clk_words` and
    :func:`clk_arrays`)."""
    import numpy as np

    col = column.combine_chunks() if hasattr(column, "combine_chunks") else column
    valid = col.is_valid().to_numpy(zero_copy_only=False)
    buf = np.zeros((len(col), words * 8), dtype=np.uint8)
    for i, v in enumerate(col.to_pylist()):
        if v is not None:
            buf[i, : len(v)] = np.frombuffer(v, dtype=np.uint8)
    return buf, valid


def clk_words(table: pa.Table, features: Iterable[str], *, bits: int = 1024) -> pa.Table:
    """Adds ``clk_<f>_w0 …`` int64 columns (the CLK as little-endian 64-bit
    words, null where the CLK is null) for Spark, whose SQL has ``bit_count``
    on integers but not on binary."""
    words = (bits + 63) // 64
    for f in features:
        buf, valid = _clk_bytes(table.column(f"clk_{f}"), words)
        as_words = buf.view("<i8")
        for w in range(words):
            table = table.append_column(
                f"clk_{f}_w{w}", pa.array(as_words[:, w], pa.int64(), mask=~valid)
            )
    return table


def clk_arrays(table: pa.Table, features: Iterable[str]) -> pa.Table:
    """Replaces each ``clk_<f>`` (binary) by the CLK as a list of
    little-endian 64-bit words and adds its popcount as ``clk_<f>_n``
    (int32), both null where the CLK is null: what Spark's Dice levels read
    (``clk_comparison(dialect="spark")``). Arrow carries both into Spark as
    ``array<bigint>`` and ``int``."""
    import numpy as np

    import pyarrow.compute as pc

    for f in features:
        name = f"clk_{f}"
        col = table.column(name)
        width = pc.max(pc.binary_length(col)).as_py() or 0
        words = (width + 7) // 8
        buf, valid = _clk_bytes(col, words)
        flat = pa.array(buf.view("<i8").reshape(-1), pa.int64())
        offsets = pa.array(np.arange(0, (len(col) + 1) * words, words, dtype=np.int32), pa.int32())
        lists = pa.ListArray.from_arrays(offsets, flat, mask=pa.array(~valid))
        counts = pa.array(np.unpackbits(buf, axis=1).sum(axis=1, dtype=np.int32), pa.int32(), mask=~valid)
        table = table.set_column(table.column_names.index(name), name, lists)
        table = table.append_column(f"{name}_n", counts)
    return table


def for_splink(table: pa.Table, *, id_column: str = "id") -> pa.Table:
    """The columns Splink reads: ``unique_id``, ``token_*`` (renamed SQL-safe),
    ``clk_*``, ``lsh_*`` and ``blk_*`` (blocking keys); list columns (tokens,
    errors) are left out."""
    cols, names = [], []
    for name in table.column_names:
        if name == id_column:
            cols.append(table.column(name)), names.append("unique_id")
        elif name.startswith(("token_", "clk_", "lsh_", "blk_")):
            cols.append(table.column(name)), names.append(_column_name(name))
    return pa.table(cols, names=names)


def settings(
    link_type: str,
    config_comparisons: Sequence[Mapping[str, Any]] = DEFAULT_COMPARISONS,
    *,
    blocking_rules: Sequence[Any] = (),
    dialect: str = "duckdb",
    words: int | None = None,
    tf_adjustment: bool | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A Splink settings dict over pseudolink encodings (``link_type``:
    ``dedupe_only``, ``link_only``, ``link_and_dedupe``)."""
    from splink import SettingsCreator

    return SettingsCreator(
        link_type=link_type,
        comparisons=comparisons(config_comparisons, dialect=dialect, words=words, tf_adjustment=tf_adjustment),
        blocking_rules_to_generate_predictions=list(blocking_rules),
        **extra,
    ).create_settings_dict(sql_dialect_str=dialect)


def params_to_splink(
    params: Mapping[str, Any],
    config_comparisons: Sequence[Mapping[str, Any]] = DEFAULT_COMPARISONS,
    *,
    link_type: str = "dedupe_only",
    blocking_rules: Sequence[Any] = (),
    dialect: str = "duckdb",
    words: int | None = None,
) -> dict[str, Any]:
    """A Splink model (settings dict with m and u filled in) from a
    ``Linker``'s params (``{version, prior, comparisons}``): load it with
    ``splink.Linker(table, model)``. Term-frequency adjustment is off (the
    linker's TF formula is not Splink's)."""
    model = settings(
        link_type, config_comparisons, blocking_rules=blocking_rules, dialect=dialect, words=words, tf_adjustment=False
    )
    model["probability_two_random_records_match"] = float(params["prior"])
    by_name = {c["name"]: c for c in params["comparisons"]}
    for cfg, comp in zip(config_comparisons, model["comparisons"]):
        p = by_name.get(cfg["name"])
        non_null = [lvl for lvl in comp["comparison_levels"] if not lvl.get("is_null_level")]
        if p is None or len(p["levels"]) != len(non_null):
            raise PseudolinkError("link.bad_params", "the params do not fit the comparisons", "link")
        # Splink lists levels most alike first; the linker least alike first.
        for lvl, lp in zip(non_null, reversed(p["levels"])):
            lvl["m_probability"] = float(lp["m"])
            lvl["u_probability"] = float(lp["u"])
    return model


def params_from_splink(
    model: Mapping[str, Any],
    config_comparisons: Sequence[Mapping[str, Any]] = DEFAULT_COMPARISONS,
) -> dict[str, Any]:
    """A ``Linker``'s params from a trained Splink model (e.g.
    ``linker.misc.save_model_to_json()``) whose comparisons are this
    module's: for ``Linker.set_params`` (JS: ``setParams``)."""
    by_name = {}
    for comp in model.get("comparisons", []):
        desc = comp.get("comparison_description") or ""
        name = desc[len(_DESCRIPTION):] if desc.startswith(_DESCRIPTION) else comp.get("output_column_name")
        by_name[name] = comp
    out = []
    for cfg in config_comparisons:
        comp = by_name.get(cfg["name"])
        if comp is None:
            raise PseudolinkError("link.bad_params", "the model lacks a comparison of the configuration", "link")
        non_null = [lvl for lvl in comp["comparison_levels"] if not lvl.get("is_null_level")]
        levels = []
        for i, lvl in enumerate(reversed(non_null)):
            m, u = lvl.get("m_probability"), lvl.get("u_probability")
            if not all(isinstance(x, (int, float)) and math.isfinite(x) and 0 < x <= 1 for x in (m, u)):
                raise PseudolinkError("link.bad_params", "a level has no usable m or u", "link")
            label = lvl.get("label_for_charts") or str(i)
            levels.append({"label": label, "m": float(m), "u": float(u)})
        out.append({"name": cfg["name"], "levels": levels})
    return {"version": 1, "prior": float(model["probability_two_random_records_match"]), "comparisons": out}


def _check_guard_options(threshold_match_probability: float, max_cluster_size: int) -> None:
    if not 0 < threshold_match_probability <= 1:
        raise PseudolinkError("option.invalid", "threshold_match_probability must be in (0, 1]", "option")
    if max_cluster_size < 2:
        raise PseudolinkError("option.invalid", "max_cluster_size must be at least 2", "option")


def chain_guard_edges(
    pairs: Iterable[tuple[Hashable, Hashable, float]],
    threshold_match_probability: float = 0.5,
    *,
    max_cluster_size: int = 50,
) -> list[tuple[Hashable, Hashable, float]]:
    """The pairs (``(left, right, match_probability)``) that join clusters
    under the chain guard, the browser ``Linker``'s default clustering,
    decided by the core's own code (``pseudolink::link::chain_guard_edges``
    over ``src/link/solve.rs``; ids are mapped to indices here): pairs
    highest first; two clusters merge only if the joining pair is at or
    above the threshold, the *average* probability over all their cross
    pairs is too, and the union has at most ``max_cluster_size`` records. A
    cross pair not among ``pairs`` (not a blocking candidate, or scored
    below the ``predict()`` threshold) counts as probability 0: pass
    ``predict()``'s output at a threshold below the clustering's (e.g.
    0.01) so that weak pairs count with their score. A pair given more than
    once counts at its highest probability; a pair whose probability is
    ``None`` or whose two ids are equal is skipped, and a probability
    outside [0, 1] raises ``option.invalid``.

    Why: connected components join A≈B≈C≈…≈Z into one entity even when A
    and Z have nothing in common, and the number of such chains grows
    faster than the number of records (on pseudolink-synth data, the same
    predictions: connected components' pair precision 0.93 / 0.80 / 0.32 at
    100k / 300k / 1M records, the pairs ≥ 0.5 themselves 0.96 / 0.90 /
    0.67). Average linkage stops a chain where its ends disagree, while one
    weak pair does not veto an otherwise good merge. It cannot undo a
    wrong model: a crowd of records that all score ≥ 0.5 with each other
    stays together (up to ``max_cluster_size``).

    The result is a spanning forest of the clusters (one pair per merge):
    its connected components are the clusters. Ties are broken by the
    records' ids, so the result does not depend on the input's order."""
    _check_guard_options(threshold_match_probability, max_cluster_size)
    # The core decides (``link::chain_guard_edges``). Here ids become dense
    # indices in the ids' order (which breaks ties between equal
    # probabilities), and each joining pair is named in first-seen order.
    index: dict[Hashable, int] = {}
    seen_left, seen_right, prob = array("I"), array("I"), array("d")
    for left, right, p in pairs:
        if p is None or left == right:
            continue
        seen_left.append(index.setdefault(left, len(index)))
        seen_right.append(index.setdefault(right, len(index)))
        prob.append(float(p))
    names = list(index)
    del index
    if len(set(map(type, names))) <= 1:
        order = sorted(range(len(names)), key=names.__getitem__)
    else:
        order = sorted(range(len(names)), key=lambda k: (type(names[k]).__name__, names[k]))  # type: ignore[type-var]
    rank = array("I", bytes(4 * len(names)))
    for r, k in enumerate(order):
        rank[k] = r
    del order
    columns = [array("I", map(rank.__getitem__, seen_left)), array("I", map(rank.__getitem__, seen_right)),
               array("d", prob)]
    if sys.byteorder == "big":  # the native side reads little-endian
        for c in columns:
            c.byteswap()
    joined = array("Q")
    joined.frombytes(_native.chain_guard_edges(
        *(c.tobytes() for c in columns), float(threshold_match_probability), int(max_cluster_size)))
    if sys.byteorder == "big":
        joined.byteswap()
    kept: list[tuple[Hashable, Hashable, float]] = []
    for k in joined:
        i, j = seen_left[k], seen_right[k]
        if i > j:
            i, j = j, i
        kept.append((names[i], names[j], prob[k]))
    return kept


def chain_guard_table(
    pairs: pa.Table,
    threshold_match_probability: float = 0.5,
    *,
    max_cluster_size: int = 50,
) -> pa.Table:
    """:func:`chain_guard_edges` over Arrow columns: ``pairs`` holds
    ``unique_id_l``, ``unique_id_r`` and ``match_probability``; the result is
    the rows of ``pairs`` that join clusters (the same pairs, each once, as
    given), with those three columns. Ids become dense ranks with Arrow's
    compute functions (sorted unique ids: the same tie order as
    :func:`chain_guard_edges` for ids of one type), so no Python object is
    made per pair: for a million pairs that per-pair work was most of the
    time (BENCHMARKS.md, "The chain guard from the core in Python")."""
    import pyarrow.compute as pc

    _check_guard_options(threshold_match_probability, max_cluster_size)
    names = ["unique_id_l", "unique_id_r", "match_probability"]
    if not set(names) <= set(pairs.column_names):
        raise PseudolinkError(
            "option.invalid", "pairs needs unique_id_l, unique_id_r and match_probability", "option")
    t = pairs.select(names).combine_chunks()
    prob = t.column("match_probability").cast(pa.float64())
    left, right = t.column("unique_id_l"), t.column("unique_id_r")
    keep = pc.and_(pc.is_valid(prob), pc.not_equal(left, right))
    t = pa.table({"unique_id_l": left, "unique_id_r": right, "match_probability": prob}).filter(
        pc.fill_null(keep, False)).combine_chunks()
    left, right, prob = (t.column(n).chunk(0) if t.num_rows else pa.array([], t.schema.field(n).type)
                         for n in names)
    ids = pc.unique(pa.concat_arrays([left, right]))
    ids = ids.take(pc.sort_indices(ids))

    def column(values: pa.Array, kind: pa.DataType, width: int) -> bytes:
        values = values.cast(kind)
        if values.null_count:
            raise PseudolinkError("option.invalid", "pairs need both ids", "option")
        data = values.buffers()[1]
        raw = data.to_pybytes()[values.offset * width:(values.offset + len(values)) * width] if data else b""
        if sys.byteorder == "big":  # the native side reads little-endian
            swapped = array("I" if width == 4 else "d", raw)
            swapped.byteswap()
            raw = swapped.tobytes()
        return raw

    joined = array("Q")
    joined.frombytes(_native.chain_guard_edges(
        column(pc.index_in(left, value_set=ids), pa.uint32(), 4),
        column(pc.index_in(right, value_set=ids), pa.uint32(), 4),
        column(prob, pa.float64(), 8),
        float(threshold_match_probability), int(max_cluster_size)))
    if sys.byteorder == "big":
        joined.byteswap()
    return t.take(pa.array(joined, pa.uint64()))


def cluster_pairwise_predictions_with_chain_guard(
    linker: Any,
    df_predict: Any,
    threshold_match_probability: float = 0.5,
    *,
    max_cluster_size: int = 50,
    score_missing_up_to: int = 500,
) -> Any:
    """Clusters Splink's pairwise predictions under the chain guard
    (:func:`chain_guard_edges`) instead of the connected components of
    ``linker.clustering.cluster_pairwise_predictions_at_threshold``; the
    same arguments and the same output (a ``SplinkDataFrame``: ``cluster_id``
    and the input columns, every record, singletons included).

    Splink stays the engine: it scored the pairs (``df_predict``, the
    output of ``linker.inference.predict()``, best at a threshold below
    this one so weak cross pairs count with their score), it scores the
    pairs the average needs that ``df_predict`` lacks (every pair inside a
    connected component of the pairs at or above the threshold with at most
    ``score_missing_up_to`` records, with ``linker.inference.predict_within``
    blocked on the component; 0 turns this off, and pairs still missing
    count as probability 0), and Splink's own connected components cluster
    the pairs the guard kept (a spanning forest of the clusters). Only the
    choice of pairs runs outside Splink, in pseudolink's core, over
    ``unique_id_l``, ``unique_id_r`` and ``match_probability`` (dedupe
    only: no ``source_dataset``). ``predict_within`` reads the term-frequency tables
    the linker's own ``predict()`` computed (or that were registered).

    Why: at scale connected components chain different people into large
    clusters (on pseudolink-synth data at 300k records, pair precision 0.80
    against 0.90 for the same predictions ≥ 0.5; 0.32 against 0.67 at 1M,
    where the guard's is 0.70); the guard merges two
    clusters only when their average cross-pair probability reaches the
    threshold, as the browser ``Linker`` does (BENCHMARKS.md, "Dedupe
    clustering" and "Python, DuckDB and Splink"). Scoring the missing
    pairs matters for recall: a true duplicate that no blocking rule found
    would otherwise count 0 and split its cluster."""
    cols = {c.unquote().name for c in df_predict.columns}
    if not {"unique_id_l", "unique_id_r", "match_probability"} <= cols:
        raise PseudolinkError(
            "option.invalid", "df_predict needs unique_id_l, unique_id_r and match_probability", "option")
    if "source_dataset_l" in cols:
        raise PseudolinkError("option.invalid", "the chain guard clusters a dedupe_only job's predictions", "option")

    def pairs_of(frame: Any) -> pa.Table:
        return frame.query_sql(
            "select unique_id_l, unique_id_r, match_probability from {this} where match_probability is not null"
        ).as_pyarrow_table()

    pairs = [pairs_of(df_predict)]
    if score_missing_up_to > 2:
        from splink import block_on

        components = linker.clustering.cluster_pairwise_predictions_at_threshold(
            df_predict, threshold_match_probability)
        within = components.query_sql(
            f"""select * from {{this}} where cluster_id in (select cluster_id from {{this}} group by cluster_id
                having count(*) between 3 and {int(score_missing_up_to)})""")
        scored = linker.inference.predict_within(
            within, blocking_rules_to_generate_predictions=[block_on("cluster_id")], warning_mode="never")
        pairs.append(pairs_of(scored).cast(pairs[0].schema))
        # Not the components: Splink hands the same table to a caller who
        # clustered the same predictions at the same threshold.
        for frame in (scored, within):
            frame.drop_table_from_database_and_remove_from_cache()
    edges = chain_guard_table(
        pa.concat_tables(pairs), threshold_match_probability, max_cluster_size=max_cluster_size)
    del pairs
    name = f"__pseudolink_chain_guard_edges_{id(edges):x}"
    kept_df = linker.table_management.register_table(edges, name, overwrite=True)
    try:
        return linker.clustering.cluster_pairwise_predictions_at_threshold(kept_df, None)
    finally:
        kept_df.drop_table_from_database_and_remove_from_cache(force_non_splink_table=True)
