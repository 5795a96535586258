"""Thin DuckDB helpers: encode a relation into an Arrow-backed relation, and
scalar Arrow UDFs for SQL (``pl_normalize``, ``pl_platform_hash``).

    import duckdb, pseudolink as pl
    from pseudolink.duckdb import encode_relation, register_functions
    con = duckdb.connect()
    encoded = encode_relation(con, con.sql("select * from 'customers.parquet'"), encoder, keep=["id"])
    register_functions(con)
    con.sql("select pl_normalize('email', email) from customers")
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import pyarrow as pa

from . import RecordEncoder, normalize_array, platform_hashes_table


def encode_relation(
    con: Any,
    relation: Any,
    encoder: RecordEncoder,
    *,
    columns: Mapping[str, str] | None = None,
    keep: Sequence[str] = (),
    token_columns: bool = True,
    threads: int | None = None,
    name: str | None = None,
) -> Any:
    """Encodes a DuckDB relation (or table name) batch by batch, streaming
    Arrow record batches out of DuckDB and back in; returns a relation over
    the encoded table (registered as ``name`` when given)."""
    rel = con.table(relation) if isinstance(relation, str) else relation
    reader = rel.to_arrow_reader() if hasattr(rel, "to_arrow_reader") else rel.fetch_record_batch()
    batches = encoder.encode_batches(reader, columns=columns, keep=keep, threads=threads,
                                     token_columns=token_columns)
    keep_schema = reader.schema if keep else None
    schema = encoder.output_schema(
        pa.schema([keep_schema.field(k) for k in keep]) if keep_schema is not None else None,
        token_columns=token_columns,
    )
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
