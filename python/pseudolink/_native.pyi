# Typed stubs of the native module (python/src/lib.rs). The public API is
# pseudolink/__init__.py, which is typed itself; these keep it checkable.
from typing import Optional, Sequence

VERSION: str

# (field wire name, validity | None, 64-bit offsets, UTF-8 data, array offset)
_ColumnIn = tuple[str, Optional[bytes], bytes, bytes, int]
# (validity | None, 32-bit offsets, data, null count)
_Flat = tuple[Optional[bytes], bytes, bytes, int]
# (name, kind: "utf8" | "binary" | "list" | "errors", buffers)
_ColumnOut = tuple[str, str, tuple]

def normalize(
    field: str,
    value: str,
    profile: str = "pseudolink",
    region: Optional[str] = None,
    date_order: Optional[str] = None,
) -> str: ...
def normalize_column(
    column: _ColumnIn,
    rows: int,
    profile: str = "pseudolink",
    region: Optional[str] = None,
    date_order: Optional[str] = None,
    threads: Optional[int] = None,
) -> tuple[_Flat, _Flat]: ...
def platform_hashes(record: dict, profile: str, region: Optional[str] = None) -> dict: ...
def platform_hashes_columns(
    columns: Sequence[_ColumnIn],
    rows: int,
    profile: str,
    region: Optional[str] = None,
    threads: Optional[int] = None,
) -> list[_ColumnOut]: ...
def error_codes() -> list[str]: ...
def lsh_band_keys(
    column: _ColumnIn, rows: int, bits: int, bands: int, bits_per_band: int, seed: int = 0
) -> list[tuple[Optional[bytes], bytes, int]]: ...
# (left uint32, right uint32, probability float64: little-endian columns) ->
# positions of the joining pairs (little-endian uint64)
def chain_guard_edges(
    left: bytes, right: bytes, probability: bytes, threshold: float, max_cluster_size: int
) -> bytes: ...

class Linker:
    def __init__(self, config: Optional[str] = None) -> None: ...
    def config(self) -> str: ...
    def params(self) -> Optional[str]: ...
    def set_params(self, params: str) -> None: ...
    def link(self, a: str, b: str) -> str: ...
    def dedupe(self, records: str) -> str: ...
    def explain(self, a: str, b: str) -> str: ...

class RecordEncoder:
    def __init__(
        self,
        keys: Sequence[tuple[str, bytes]],
        definition: str,
        clk_schema: Optional[str] = None,
        clk_secret: Optional[bytes] = None,
        hardening: Optional[str] = None,
    ) -> None: ...
    @property
    def clk_features(self) -> list[str]: ...
    @property
    def fields(self) -> list[str]: ...
    @property
    def token_subjects(self) -> list[str]: ...
    def encode(self, record: dict) -> dict: ...
    def encode_columns(
        self,
        columns: Sequence[_ColumnIn],
        rows: int,
        threads: Optional[int] = None,
        token_columns: bool = False,
    ) -> list[_ColumnOut]: ...

class ClkEncoder:
    def __init__(self, schema: str, secret: bytes, hardening: Optional[str] = None) -> None: ...
    @property
    def bits(self) -> int: ...
    def encode_rows(
        self, rows: Sequence[Sequence[str]], threads: Optional[int] = None
    ) -> list[tuple[Optional[bytes], Optional[str], Optional[str]]]: ...

class BlindedBatch:
    def __len__(self) -> int: ...
    def request_body(self, key_version: str) -> str: ...

class ObliviousClient:
    def __init__(self, definition: str, pins: Sequence[tuple[str, str]]) -> None: ...
    @property
    def key_versions(self) -> list[str]: ...
    def blind(self, records: Sequence[dict]) -> BlindedBatch: ...
    def finalize(self, batch: BlindedBatch, answers: Sequence[str]) -> list[dict]: ...
