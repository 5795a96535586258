"""Thin DuckDB helpers: encode a relation (with a ``RecordEncoder``, or a
``Pseudonymizer`` for keyed tokens alone) into an Arrow-backed relation (or
straight into Parquet, batch by batch, for tables larger than memory), and scalar
Arrow UDFs for SQL (``pl_normalize``, ``pl_platform_hash``).

    import duckdb, pseudolink as pl
    from pseudolink.duckdb import encode_relation, encode_to_parquet, register_functions
    con = duckdb.connect()
    encoded = encode_relation(con, con.sql("select * from 'customers.parquet'"), encoder, keep=["id"])
    encode_to_parquet(con, con.sql("select * from read_csv('big.csv', all_varchar = true)"), encoder,
                      "encoded.parquet", keep=["id"])
    register_functions(con)
    con.sql("select pl_normalize('email', email) from customers")
"""

from __future__ import annotations

from typing import Any, Callable, Iterator, Mapping, Sequence, Union

import pyarrow as pa

from . import BATCH_ROWS, Pseudonymizer, RecordEncoder, normalize_array, platform_hashes_table

#: What the helpers encode with: tokens, match keys and CLKs, or keyed tokens
#: and match keys alone (straight into Arrow buffers).
Encoder = Union[RecordEncoder, Pseudonymizer]


def _encoded_batches(
    relation: Any,
    encoder: Encoder,
    columns: Mapping[str, str] | None,
    keep: Sequence[str],
    token_columns: bool,
    threads: int | None,
    batch_rows: int,
) -> tuple[pa.Schema, Any, Iterator[pa.RecordBatch]]:
    """(output schema, DuckDB's reader, the encoded batches as they are read)."""
    reader = relation.to_arrow_reader(batch_rows) if hasattr(relation, "to_arrow_reader") \
        else relation.fetch_record_batch(batch_rows)
    keep_schema = reader.schema if keep else None
    schema = encoder.output_schema(
        pa.schema([keep_schema.field(k) for k in keep]) if keep_schema is not None else None,
        token_columns=token_columns,
    )
    run = encoder.tokenize_batches if isinstance(encoder, Pseudonymizer) else encoder.encode_batches
    batches = run(reader, columns=columns, keep=keep, threads=threads,
                  token_columns=token_columns, batch_rows=batch_rows)
    return schema, reader, batches


def encode_to_parquet(
    con: Any,
    relation: Any,
    encoder: Encoder,
    path: str,
    *,
    columns: Mapping[str, str] | None = None,
    keep: Sequence[str] = (),
    token_columns: bool = True,
    threads: int | None = None,
    batch_rows: int = BATCH_ROWS,
    on_batch: Callable[[int], Any] | None = None,
) -> dict[str, int]:
    """Encodes a DuckDB relation (or table name) into a Parquet file,
    batch by batch: DuckDB streams ``batch_rows`` rows at a time, each
    batch is encoded and written, and neither side holds the whole table,
    so a directory larger than memory fits. ``on_batch(rows_so_far)`` is
    called after each batch (progress; an exception it raises stops the
    work, and the file is then incomplete). Returns ``{"rows",
    "rowsWithErrors"}``. The connection is free again when it returns."""
    import pyarrow.parquet as pq

    rel = con.table(relation) if isinstance(relation, str) else relation
    schema, reader, batches = _encoded_batches(rel, encoder, columns, keep, token_columns, threads, batch_rows)
    rows = bad = 0
    try:
        with pq.ParquetWriter(path, schema) as writer:
            for batch in batches:
                writer.write_batch(batch)
                rows += batch.num_rows
                bad += _with_errors(batch.column("errors"))
                if on_batch is not None:
                    on_batch(rows)
    finally:
        reader.close()
    return {"rows": rows, "rowsWithErrors": bad}


def _with_errors(errors: pa.Array) -> int:
    """How many rows of an ``errors`` column hold at least one code."""
    import pyarrow.compute as pc

    return int(pc.sum(pc.greater(pc.list_value_length(errors), 0)).as_py() or 0)


def encode_relation(
    con: Any,
    relation: Any,
    encoder: Encoder,
    *,
    columns: Mapping[str, str] | None = None,
    keep: Sequence[str] = (),
    token_columns: bool = True,
    threads: int | None = None,
    name: str | None = None,
) -> Any:
    """Encodes a DuckDB relation (or table name) batch by batch into an
    Arrow table held in memory (for more than memory holds:
    :func:`encode_to_parquet`); returns a relation over it (registered as
    ``name`` when given)."""
    rel = con.table(relation) if isinstance(relation, str) else relation
    schema, _, batches = _encoded_batches(rel, encoder, columns, keep, token_columns, threads, BATCH_ROWS)
    table = pa.Table.from_batches(list(batches), schema=schema)
    if name:
        con.register(name, table)
        return con.table(name)
    return con.from_arrow(table)


def register_functions(con: Any, *, region: str | None = None) -> None:
    """Registers Arrow UDFs: ``pl_normalize(field, value)`` → normalised value
    or NULL; ``pl_normalize_error(field, value)`` → its code or NULL;
    ``pl_platform_hash(profile, field, value)`` → the platform's hash."""
    import duckdb

    def by_field(fields: pa.Array, values: pa.Array, part: str, profile: str | None = None) -> pa.Array:
        out: list[Any] = [None] * len(values)
        names = fields.to_pylist()
        for f in set(names):
            idx = [i for i, n in enumerate(names) if n == f]
            sub = values.take(pa.array(idx))
            if part == "hash":
                t = platform_hashes_table({f: sub}, profile or "", region=region)
                col = t.column(0).to_pylist() if t.num_columns > 1 else [None] * len(idx)
            else:
                col = normalize_array(f, sub, region=region).field(part).to_pylist()
            for i, v in zip(idx, col):
                out[i] = v
        return pa.array(out, pa.string())

    varchar = duckdb.sqltype("VARCHAR")
    con.create_function("pl_normalize", lambda f, v: by_field(f, v, "value"), [varchar, varchar], varchar,
                        type="arrow", side_effects=False)
    con.create_function("pl_normalize_error", lambda f, v: by_field(f, v, "error"), [varchar, varchar], varchar,
                        type="arrow", side_effects=False)

    def hash_udf(profiles: pa.Array, fields: pa.Array, values: pa.Array) -> pa.Array:
        out: list[Any] = [None] * len(values)
        ps = profiles.to_pylist()
        for p in set(ps):
            idx = [i for i, x in enumerate(ps) if x == p]
            col = by_field(fields.take(pa.array(idx)), values.take(pa.array(idx)), "hash", p).to_pylist()
            for i, v in zip(idx, col):
                out[i] = v
        return pa.array(out, pa.string())

    con.create_function("pl_platform_hash", hash_udf, [varchar, varchar, varchar], varchar,
                        type="arrow", side_effects=False)
