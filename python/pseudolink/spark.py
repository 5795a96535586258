"""Thin PySpark helper: encode a DataFrame with ``mapInArrow``.

The encoder is rebuilt on each executor from its constructor arguments (keys,
definition, CLK schema and secret, hardening), then every Arrow batch Spark
hands over is encoded in native code with the GIL released.

    from pseudolink.spark import encode_dataframe
    encoded = encode_dataframe(df, keys={"k2026": key}, definition=definition,
                               clk_schema="default", clk_secret=clk_secret, keep=["id"])
"""

from __future__ import annotations

from typing import Any, Iterator, Mapping, Sequence

import pyarrow as pa

from . import RecordEncoder


def encode_dataframe(
    df: Any,
    *,
    keys: Any,
    definition: Mapping[str, Any] | str,
    clk_schema: Mapping[str, Any] | str | None = None,
    clk_secret: bytes | None = None,
    hardening: Mapping[str, Any] | None = None,
    columns: Mapping[str, str] | None = None,
    keep: Sequence[str] = (),
    token_columns: bool = True,
    threads: int = 1,
) -> Any:
    """``df.mapInArrow`` with a :class:`RecordEncoder`; the output schema is
    the encoder's (``keep`` columns, tokens, ``token_<subject>``, ``clk_*``,
    ``errors``). ``threads`` per task (Spark already runs a task per core)."""
    from pyspark.sql.pandas.types import from_arrow_schema

    args = dict(keys=keys, definition=definition, clk_schema=clk_schema,
                clk_secret=clk_secret, hardening=hardening)
    keep_fields = [f for f in df.schema.fields if f.name in set(keep)]
    encoder = RecordEncoder(**args)
    keep_schema = pa.schema([pa.field(f.name, pa.string()) for f in keep_fields])
    out_schema = encoder.output_schema(keep_schema if keep else None, token_columns=token_columns)

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        enc = RecordEncoder(**args)
        yield from enc.encode_batches(batches, columns=columns, keep=keep, threads=threads,
                                      token_columns=token_columns)

    return df.mapInArrow(run, from_arrow_schema(out_schema))
