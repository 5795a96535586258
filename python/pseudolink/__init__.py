"""pseudolink for Python: the Rust core's normalisation, platform hashes,
keyed and oblivious tokens and clkhash-compatible CLKs, byte for byte the
same as the npm package and the Rust crate, columnar over Arrow.

Every per-row problem comes back as a code (``errors`` column or list), never
a value; a bad definition, key, schema or option raises
:class:`PseudolinkError` with the same stable code as in JS."""

from __future__ import annotations

import json
from typing import Any, Iterator, Mapping, Sequence, Union

import pyarrow as pa

from . import _native
from ._arrow import ERROR_TYPE, as_table, batch_out, column_in, columns_in, column_out
from .errors import ObliviousError, PseudolinkError
from .oblivious import ObliviousPseudonymizer

__all__ = [
    "VERSION",
    "ClkEncoder",
    "ObliviousError",
    "ObliviousPseudonymizer",
    "Pseudonymizer",
    "PseudolinkError",
    "RecordEncoder",
    "Linker",
    "encoded_binary",
    "encoded_records",
    "encoded_table",
    "error_codes",
    "lsh_band_keys",
    "normalize",
    "normalize_array",
    "platform_hashes",
    "platform_hashes_table",
]

VERSION: str = _native.VERSION

#: Rows per native call in the batch APIs (bounds memory; outputs stay < 2 GiB).
BATCH_ROWS = 65536

Keys = Union[Mapping[str, bytes], Sequence[tuple[str, bytes]]]


def _json(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _keys(keys: Keys) -> list[tuple[str, bytes]]:
    items = keys.items() if isinstance(keys, Mapping) else keys
    return [(str(k), bytes(v)) for k, v in items]


def _hardening(hardening: Mapping[str, Any] | str | None) -> str | None:
    if hardening is None or isinstance(hardening, str):
        return hardening
    renamed = {"salt_feature": "saltFeature"}
    return json.dumps({renamed.get(k, k): v for k, v in hardening.items()})


def _schema(schema: Mapping[str, Any] | str | None) -> str | None:
    if schema is None or isinstance(schema, str):
        return schema
    return json.dumps(schema)


def error_codes() -> list[str]:
    """Every stable error code (the core's one table, ``src/error.rs``)."""
    return _native.error_codes()


def normalize(
    field: str,
    value: str,
    *,
    profile: str = "pseudolink",
    region: str | None = None,
    date_order: str | None = None,
) -> str:
    """Normalises one value of ``field`` (wire name, e.g. ``"email"``) under
    ``profile`` (``pseudolink``, ``uid2``, ``google``, ``meta``). Raises
    :class:`PseudolinkError` (``email.missing_at``, ...)."""
    return _native.normalize(field, value, profile, region, date_order)


def normalize_array(
    field: str,
    values: Any,
    *,
    profile: str = "pseudolink",
    region: str | None = None,
    date_order: str | None = None,
    threads: int | None = None,
) -> pa.StructArray:
    """Normalises a column: a struct array of ``value`` (null where it failed
    or was null) and ``error`` (the code, or null)."""
    arr = values if isinstance(values, (pa.Array, pa.ChunkedArray)) else pa.array(values, pa.string())
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    n = len(arr)
    vals, codes = _native.normalize_column(
        column_in(field, arr), n, profile, region, date_order, threads
    )
    return pa.StructArray.from_arrays(
        [column_out("utf8", n, vals), column_out("utf8", n, codes)], names=["value", "error"]
    )


def platform_hashes(record: Mapping[str, Any], profile: str, *, region: str | None = None) -> dict:
    """One record's platform hashes: ``{profile, hashes, plain, errors}``
    with each platform's parameter names (``em``, ``email_hash``, ...)."""
    return _native.platform_hashes(dict(record), profile, region)


def platform_hashes_table(
    data: Any,
    profile: str,
    *,
    region: str | None = None,
    columns: Mapping[str, str] | None = None,
    keep: Sequence[str] = (),
    threads: int | None = None,
) -> pa.Table:
    """Platform hashes of every row of a table whose columns are field wire
    names (or mapped by ``columns``): one column per parameter, then ``errors``."""
    table = as_table(data)
    fields = [f for f in _FIELDS]
    batches = []
    for start in range(0, max(table.num_rows, 1), BATCH_ROWS):
        part = table.slice(start, BATCH_ROWS)
        n = part.num_rows
        cols = _native.platform_hashes_columns(
            columns_in(part, fields, columns), n, profile, region, threads
        )
        batches.append(batch_out(cols, n, part.select(list(keep)) if keep else None))
    return pa.Table.from_batches(batches)


_FIELDS = (
    "email", "phone", "firstName", "lastName", "street", "city", "state", "postalCode",
    "country", "dateOfBirth", "gender", "companyName", "duns", "webDomain", "externalId",
)


class RecordEncoder:
    """Tokens, match keys and CLKs (optionally hardened) of records.

    ``keys``: ``{key_id: secret}`` or ``[(key_id, secret)]`` (32+ bytes each;
    may be empty with a ``clk_schema``: CLKs only). ``definition``: the
    identity definition (dict or JSON). ``clk_schema``: ``"default"`` or a
    clkhash v3 schema over field wire names; ``clk_secret``: the CLK secret
    shared by the linking parties (at least 16 bytes, else ``key.too_short``:
    the core's rule, as in JS); ``hardening``:
    ``{"balanced": bool, "salt_feature": str, "diffusion": int}``.
    """

    def __init__(
        self,
        keys: Keys,
        definition: Mapping[str, Any] | str,
        *,
        clk_schema: Mapping[str, Any] | str | None = None,
        clk_secret: bytes | None = None,
        hardening: Mapping[str, Any] | str | None = None,
    ) -> None:
        self._inner = _native.RecordEncoder(
            _keys(keys),
            _json(definition),
            _schema(clk_schema),
            None if clk_secret is None else bytes(clk_secret),
            _hardening(hardening),
        )

    @property
    def fields(self) -> list[str]:
        """The field wire names the encoder reads."""
        return self._inner.fields

    @property
    def clk_features(self) -> list[str]:
        """CLK column names after ``clk_``: schema features, then ``record``."""
        return self._inner.clk_features

    @property
    def token_subjects(self) -> list[str]:
        """Token subjects in definition order: fields, then ``mk-<name>``."""
        return self._inner.token_subjects

    def encode(self, record: Mapping[str, Any]) -> dict:
        """One record: ``{tokens, match_keys, clks: {feature: bytes}, errors}``."""
        return self._inner.encode(dict(record))

    def output_schema(self, keep: pa.Schema | None = None, *, token_columns: bool = False) -> pa.Schema:
        """The Arrow schema :meth:`encode_batch` returns (for Spark's ``mapInArrow``)."""
        return _output_schema(keep, self.token_subjects if token_columns else [], self.clk_features)

    def encode_batches(
        self,
        batches: Any,
        *,
        columns: Mapping[str, str] | None = None,
        keep: Sequence[str] = (),
        threads: int | None = None,
        token_columns: bool = False,
        batch_rows: int = BATCH_ROWS,
    ) -> Iterator[pa.RecordBatch]:
        """Encodes a stream of record batches (or a table), batch by batch."""
        return _batches_out(
            lambda cols, n: self._inner.encode_columns(cols, n, threads, token_columns),
            self.fields, batches, columns, keep, batch_rows,
        )

    def encode_batch(
        self,
        data: Any,
        *,
        columns: Mapping[str, str] | None = None,
        keep: Sequence[str] = (),
        threads: int | None = None,
        token_columns: bool = False,
    ) -> pa.Table:
        """Encodes every row of a table (columns named by field wire name, or
        mapped by ``columns={field: column}``). Returns the ``keep`` columns,
        then ``tokens``, ``match_keys`` (list<string>), with ``token_columns``
        one ``token_<subject>`` column per subject (the first key's token),
        ``clk_<feature>`` (binary) and ``errors`` (list<struct<field, code>>).
        The GIL is released while it works, on ``threads`` threads (default:
        all cores)."""
        table = as_table(data)
        batches = self.encode_batches(table, columns=columns, keep=keep, threads=threads,
                                      token_columns=token_columns)
        return _whole_table(batches, self.output_schema(_kept(table, keep), token_columns=token_columns))


class Pseudonymizer:
    """Keyed ``pl1`` tokens and match keys (exact linking), as the JS
    ``Pseudonymizer``: the same tokens, match keys and errors, byte for byte.
    (A :class:`RecordEncoder` adds nickname tokens and CLKs.)

    ``keys``: ``{key_id: secret}`` or ``[(key_id, secret)]`` (32+ bytes each,
    at least one; several during a key rotation). ``definition``: the identity
    definition (dict or JSON)."""

    def __init__(self, keys: Keys, definition: Mapping[str, Any] | str) -> None:
        self._inner = _native.Pseudonymizer(_keys(keys), _json(definition))

    @property
    def fields(self) -> list[str]:
        """The field wire names the definition reads."""
        return self._inner.fields

    @property
    def token_subjects(self) -> list[str]:
        """Token subjects in definition order: fields, then ``mk-<name>``."""
        return self._inner.token_subjects

    def tokenize(self, record: Mapping[str, Any]) -> dict:
        """``{tokens, match_keys, errors}`` of one record."""
        return self._inner.tokenize(dict(record))

    def output_schema(self, keep: pa.Schema | None = None, *, token_columns: bool = False) -> pa.Schema:
        """The Arrow schema :meth:`tokenize_batch` returns (for Spark's ``mapInArrow``)."""
        return _output_schema(keep, self.token_subjects if token_columns else [], [])

    def tokenize_batches(
        self,
        batches: Any,
        *,
        columns: Mapping[str, str] | None = None,
        keep: Sequence[str] = (),
        threads: int | None = None,
        token_columns: bool = False,
        batch_rows: int = BATCH_ROWS,
    ) -> Iterator[pa.RecordBatch]:
        """Tokenises a stream of record batches (or a table), batch by batch."""
        return _batches_out(
            lambda cols, n: self._inner.tokenize_columns(cols, n, threads, token_columns),
            self.fields, batches, columns, keep, batch_rows,
        )

    def tokenize_batch(
        self,
        data: Any,
        *,
        columns: Mapping[str, str] | None = None,
        keep: Sequence[str] = (),
        threads: int | None = None,
        token_columns: bool = False,
    ) -> pa.Table:
        """Tokenises every row of a table (columns named by field wire name,
        or mapped by ``columns={field: column}``). Returns the ``keep``
        columns, then ``tokens``, ``match_keys`` (list<string>), with
        ``token_columns`` one ``token_<subject>`` column per subject (the
        first key's token), and ``errors`` (list<struct<field, code>>). The
        tokens are written straight into Arrow buffers (the core's
        ``TokenColumns``: no Python or Rust string per token); the GIL is
        released while it works, on ``threads`` threads (default: all cores)."""
        table = as_table(data)
        batches = self.tokenize_batches(table, columns=columns, keep=keep, threads=threads,
                                        token_columns=token_columns)
        return _whole_table(batches, self.output_schema(_kept(table, keep), token_columns=token_columns))


def _output_schema(keep: pa.Schema | None, subjects: Sequence[str], clk_features: Sequence[str]) -> pa.Schema:
    """The batch APIs' output: the kept columns, ``tokens``, ``match_keys``,
    a ``token_<subject>`` per subject, a ``clk_<feature>`` per feature, ``errors``."""
    fields = list(keep) if keep is not None else []
    fields += [pa.field("tokens", pa.list_(pa.string())), pa.field("match_keys", pa.list_(pa.string()))]
    fields += [pa.field(f"token_{s}", pa.string()) for s in subjects]
    fields += [pa.field(f"clk_{c}", pa.binary()) for c in clk_features]
    fields.append(pa.field("errors", ERROR_TYPE))
    return pa.schema(fields)


def _kept(table: pa.Table, keep: Sequence[str]) -> pa.Schema | None:
    return table.select(list(keep)).schema if keep else None


def _whole_table(batches: Iterator[pa.RecordBatch], schema: pa.Schema) -> pa.Table:
    """The batches as one table (an empty one of ``schema`` for no rows)."""
    out = list(batches)
    return pa.Table.from_batches(out) if out else schema.empty_table()


def _batches_out(
    native: Any,
    fields: list[str],
    batches: Any,
    columns: Mapping[str, str] | None,
    keep: Sequence[str],
    batch_rows: int,
) -> Iterator[pa.RecordBatch]:
    """Runs ``native(columns_in, rows)`` over a stream of batches (or a
    table), ``batch_rows`` rows per call, yielding record batches."""
    if isinstance(batches, (pa.Table, pa.RecordBatch)) or not hasattr(batches, "__iter__"):
        batches = as_table(batches).to_batches(max_chunksize=batch_rows)
    # The record's country sets the region of its phone, postal code and
    # state, whether or not it is a definition field.
    fields = fields + [f for f in ("country",) if f not in fields]
    for batch in batches:
        table = pa.Table.from_batches([batch]) if isinstance(batch, pa.RecordBatch) else as_table(batch)
        for start in range(0, table.num_rows, batch_rows):
            part = table.slice(start, batch_rows)
            n = part.num_rows
            cols = native(columns_in(part, fields, columns), n)
            yield batch_out(cols, n, part.select(list(keep)) if keep else None)


class ClkEncoder:
    """clkhash-compatible CLKs from rows in schema order (any clkhash v3
    schema), optionally hardened; byte-identical to clkhash when unhardened."""

    def __init__(
        self,
        schema: Mapping[str, Any] | str,
        secret: bytes,
        *,
        hardening: Mapping[str, Any] | str | None = None,
    ) -> None:
        self._inner = _native.ClkEncoder(_schema(schema), bytes(secret), _hardening(hardening))

    @property
    def bits(self) -> int:
        """Bits per CLK."""
        return self._inner.bits

    def encode_rows(
        self, rows: Sequence[Sequence[str]], *, threads: int | None = None
    ) -> list[tuple[bytes | None, str | None, str | None]]:
        """One ``(clk, code, feature)`` per row: the CLK, or the code and the
        failing feature's identifier."""
        return self._inner.encode_rows([list(r) for r in rows], threads)


def lsh_band_keys(
    clks: Any, *, bits: int, bands: int = 16, bits_per_band: int = 16, seed: int = 0
) -> pa.Table:
    """LSH band keys of a binary CLK column (e.g. ``clk_record``): Hamming
    bit sampling, band ``b`` keyed by ``bits_per_band`` seeded bit positions.
    One ``int64`` column ``lsh_<b>`` per band (null for a missing CLK); two
    records share a band's key when their CLKs agree on its sampled bits, so
    blocking on each band (``pseudolink.splink.lsh_blocking_rules``) finds
    pairs of similar CLKs. ``bits``: the CLK length."""
    arr = clks if isinstance(clks, (pa.Array, pa.ChunkedArray)) else pa.array(clks, pa.binary())
    n = len(arr)
    cols = _native.lsh_band_keys(column_in("record", arr, binary=True), n, bits, bands, bits_per_band, seed)
    arrays = [
        pa.Array.from_buffers(pa.int64(), n, [None if v is None else pa.py_buffer(v), pa.py_buffer(d)], null_count=nulls)
        for v, d, nulls in cols
    ]
    return pa.table(arrays, names=[f"lsh_{b}" for b in range(bands)])


def encoded_records(table: pa.Table, *, id_column: str = "id") -> list[dict]:
    """The rows of an :meth:`RecordEncoder.encode_batch` table as the
    linker's encoded records (``{id, tokens, matchKeys, clks}``, CLKs base64)."""
    import base64

    clk_cols = [c for c in table.column_names if c.startswith("clk_")]
    out = []
    for row in table.select([id_column, "tokens", "match_keys", *clk_cols]).to_pylist():
        clks = {c[4:]: base64.b64encode(row[c]).decode() for c in clk_cols if row[c] is not None}
        out.append({"id": str(row[id_column]), "tokens": row["tokens"] or [],
                    "matchKeys": row["match_keys"] or [], "clks": clks})
    return out


def encoded_binary(records: Sequence[Mapping[str, Any]]) -> bytes:
    """Encoded records (:func:`encoded_records`) in the core's binary
    transfer form, as JS ``encodedToBinary`` writes it: what
    :func:`encoded_table` and the linkage service's Splink jobs read."""
    return _native.encoded_binary(json.dumps(list(records)))


def encoded_table(data: bytes) -> pa.Table:
    """Encoded records in the core's binary transfer form (``encodedToBinary``
    in JS, ``EncodedRecord::many_to_bytes`` in Rust; what the linkage service
    hands its Splink jobs) as a table: ``id``, ``tokens`` (list<string>: the
    tokens, then the match keys) and ``clk_<key>`` (binary, null where
    absent) for every CLK key a record carries. A malformed buffer raises
    ``PseudolinkError`` with the core's code (``transfer.malformed``...)."""
    rows, cols = _native.encoded_columns(bytes(data))
    return pa.Table.from_batches([batch_out(cols, rows)])


class Linker:
    """The core's Fellegi–Sunter linker (the JS ``Linker``): trains by EM
    without labels, scores pairs with calibrated probabilities and explains
    them. ``config``: LinkConfig (dict or JSON; defaults for what is missing).
    Records are encoded-record dicts (see :func:`encoded_records`)."""

    def __init__(self, config: Mapping[str, Any] | str | None = None) -> None:
        self._inner = _native.Linker(None if config is None else _json(config))

    @property
    def config(self) -> dict:
        return json.loads(self._inner.config())

    def params(self) -> dict | None:
        """The fitted parameters (``{version, prior, comparisons}``), or None."""
        p = self._inner.params()
        return None if p is None else json.loads(p)

    def set_params(self, params: Mapping[str, Any] | str) -> None:
        """Loads parameters, e.g. from :func:`pseudolink.splink.params_from_splink`."""
        self._inner.set_params(_json(params))

    def link(self, a: Sequence[Mapping[str, Any]], b: Sequence[Mapping[str, Any]]) -> dict:
        return json.loads(self._inner.link(json.dumps(list(a)), json.dumps(list(b))))

    def dedupe(self, records: Sequence[Mapping[str, Any]]) -> dict:
        return json.loads(self._inner.dedupe(json.dumps(list(records))))

    def explain(self, a: Mapping[str, Any], b: Mapping[str, Any]) -> dict:
        """``{priorWeight, contributions, matchWeight, probability}`` of one pair."""
        return json.loads(self._inner.explain(json.dumps(dict(a)), json.dumps(dict(b))))
