"""Arrow buffers to and from the native module (no arrow-rs on the Rust side).

Inputs: any string-like column is cast to ``large_string`` and handed over as
(validity, 64-bit offsets, UTF-8 data, array offset). Outputs come back as
buffers for ``pyarrow.Array.from_buffers``: ``string``/``binary`` with 32-bit
offsets, ``list<string>``, and ``list<struct<field, code>>`` for errors."""

from __future__ import annotations

from typing import Any, Iterable, Mapping, Sequence

import pyarrow as pa

ERROR_TYPE = pa.list_(pa.struct([("field", pa.string()), ("code", pa.string())]))


def as_table(data: Any) -> pa.Table:
    """A ``pyarrow.Table`` from a table, record batch, reader, mapping of
    columns, list of dicts, or anything with the Arrow PyCapsule stream
    interface (DuckDB relations via ``.arrow()``, polars, pandas)."""
    if isinstance(data, pa.Table):
        return data
    if isinstance(data, pa.RecordBatch):
        return pa.Table.from_batches([data])
    if isinstance(data, pa.RecordBatchReader):
        return data.read_all()
    if isinstance(data, Mapping):
        return pa.table(dict(data))
    if isinstance(data, list):
        # Every key of every row (from_pylist alone reads the first row's keys).
        names: dict[str, None] = {}
        for row in data:
            names.update(dict.fromkeys(row))
        return pa.table({n: pa.array([row.get(n) for row in data], pa.string()) for n in names})
    if hasattr(data, "arrow") and not hasattr(data, "__arrow_c_stream__"):
        return as_table(data.arrow())
    return pa.table(data)


def column_in(name: str, column: pa.Array | pa.ChunkedArray, binary: bool = False) -> tuple:
    """``(name, validity, offsets, data, offset)`` of a column as large_string
    (or large_binary with ``binary``)."""
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)
    target = pa.large_binary() if binary else pa.large_string()
    if column.type != target:
        column = column.cast(target)
    validity, offsets, data = column.buffers()[:3]
    empty = b""
    return (
        name,
        validity.to_pybytes() if validity is not None and column.null_count else None,
        offsets.to_pybytes() if offsets is not None else (0).to_bytes(8, "little"),
        data.to_pybytes() if data is not None else empty,
        column.offset,
    )


def columns_in(
    table: pa.Table, fields: Iterable[str], mapping: Mapping[str, str] | None
) -> list[tuple]:
    """The input columns for the given fields: ``mapping`` maps a field wire
    name to a column name; otherwise a column named like the field is used."""
    mapping = dict(mapping or {})
    names = set(table.column_names)
    out = []
    for f in fields:
        col = mapping.get(f, f)
        if col in names:
            out.append(column_in(f, table.column(col)))
    return out


def _buf(b: bytes | None) -> pa.Buffer | None:
    return None if b is None else pa.py_buffer(b)


def _flat(kind: pa.DataType, n: int, desc: tuple) -> pa.Array:
    validity, offsets, data, nulls = desc
    return pa.Array.from_buffers(kind, n, [_buf(validity), _buf(offsets), _buf(data)], null_count=nulls)


def column_out(kind: str, n: int, desc: tuple) -> pa.Array:
    """One output column of the native module as a pyarrow array."""
    if kind == "utf8":
        return _flat(pa.string(), n, desc)
    if kind == "binary":
        return _flat(pa.binary(), n, desc)
    if kind == "list":
        offsets, values = desc
        m = len(values[1]) // 4 - 1
        return pa.ListArray.from_arrays(
            pa.Array.from_buffers(pa.int32(), n + 1, [None, pa.py_buffer(offsets)]),
            _flat(pa.string(), m, values),
        )
    if kind == "errors":
        offsets, fields, codes = desc
        m = len(fields[1]) // 4 - 1
        items = pa.StructArray.from_arrays(
            [_flat(pa.string(), m, fields), _flat(pa.string(), m, codes)], names=["field", "code"]
        )
        return pa.ListArray.from_arrays(
            pa.Array.from_buffers(pa.int32(), n + 1, [None, pa.py_buffer(offsets)]), items
        )
    raise ValueError(f"unknown column kind {kind}")


def batch_out(columns: Sequence[tuple], n: int, keep: pa.Table | None = None) -> pa.RecordBatch:
    """A record batch from the native module's ``[(name, kind, buffers)]``,
    after the kept input columns."""
    arrays: list[pa.Array] = []
    names: list[str] = []
    if keep is not None:
        for name in keep.column_names:
            c = keep.column(name)
            arrays.append(c.combine_chunks() if isinstance(c, pa.ChunkedArray) else c)
            names.append(name)
    for name, kind, desc in columns:
        arrays.append(column_out(kind, n, desc))
        names.append(name)
    return pa.RecordBatch.from_arrays(arrays, names=names)
