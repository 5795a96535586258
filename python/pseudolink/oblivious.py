"""Oblivious ``po1`` tokens through a pseudolink key server (RFC 9497 VOPRF,
ristretto255-SHA512): the same protocol, credentials, batching and error
codes as the JS client (``pkg/oblivious.js``). Normalising, blinding,
verifying the server's batched proof and finalising run in the Rust core;
this module only talks HTTP (``POST <endpoint>/v1/evaluate``)."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Mapping, Sequence

from . import _native
from .errors import ObliviousError, PseudolinkError

#: Most elements one request carries (the demo key server accepts 512).
DEFAULT_MAX_BATCH = 256
DEFAULT_TIMEOUT_S = 15.0

Transport = Callable[[str, bytes, Mapping[str, str], float], tuple[int, Mapping[str, str], bytes]]


def _urllib_transport(url: str, body: bytes, headers: Mapping[str, str], timeout: float):
    req = urllib.request.Request(url, data=body, headers=dict(headers), method="POST")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as res:
            return res.status, dict(res.headers.items()), res.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers.items()) if e.headers else {}, e.read()


class ObliviousPseudonymizer:
    """Oblivious tokens for parties that hold no token key.

    ``endpoint``: the key server's base URL; ``public_key``: ``{version:
    base64url pkSm}`` pinned (several during a rotation), or a string with
    ``key_version``; ``api_key``: the party's publishable credential (sent as
    ``Authorization: Bearer``); ``definition``: the identity definition.
    Errors: :class:`ObliviousError` with ``code`` ``network.failed``,
    ``network.timeout``, ``server.refused`` (``status``, ``server_code``,
    ``retry_after``: quotas and rate limits are the server's 429s),
    ``oblivious.verification_failed``, ``oblivious.invalid_response``, or a
    bad-input code."""

    def __init__(
        self,
        *,
        endpoint: str,
        public_key: Mapping[str, str] | str,
        definition: Mapping[str, Any] | str,
        key_version: str | None = None,
        api_key: str | None = None,
        max_batch: int = DEFAULT_MAX_BATCH,
        timeout: float = DEFAULT_TIMEOUT_S,
        transport: Transport | None = None,
    ) -> None:
        parts = urllib.parse.urlsplit(endpoint)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ObliviousError("option.invalid", "endpoint must be an absolute URL")
        base = endpoint if endpoint.endswith("/") else endpoint + "/"
        self._url = urllib.parse.urljoin(base, "v1/evaluate")
        if isinstance(public_key, str):
            if not isinstance(key_version, str):
                raise ObliviousError("option.invalid", "a public_key string needs its key_version")
            pins = {key_version: public_key}
        elif isinstance(public_key, Mapping):
            pins = {key_version: public_key[key_version]} if key_version else dict(public_key)
        else:
            raise ObliviousError(
                "oblivious.invalid_public_key", "public_key is required: pin the key server public key"
            )
        if not isinstance(max_batch, int) or max_batch < 1:
            raise ObliviousError("option.invalid", "max_batch must be a positive integer")
        d = definition if isinstance(definition, str) else json.dumps(definition)
        try:
            self._client = _native.ObliviousClient(d, list(pins.items()))
        except PseudolinkError as e:
            raise ObliviousError(e.code, str(e), subject=e.subject, field=e.field) from None
        parsed = json.loads(d) if isinstance(d, str) else {}
        self._per_record = max(1, len(parsed.get("fields", [])) + len(parsed.get("matchKeys", [])))
        self._api_key = api_key
        self._max_batch = max_batch
        self._timeout = timeout
        self._transport = transport or _urllib_transport

    @property
    def key_versions(self) -> list[str]:
        """The pinned key versions; each record gets a token per version."""
        return self._client.key_versions

    def tokenize(self, record: Mapping[str, Any]) -> dict:
        """``{tokens, match_keys, errors}`` of one record."""
        return self.tokenize_batch([record])[0]

    def tokenize_batch(
        self,
        records: Sequence[Mapping[str, Any]] | Any,
        *,
        on_progress: Callable[[int, int], None] | None = None,
    ) -> list[dict]:
        """Tokens of many records (dicts, or a table), in order, in requests
        of at most ``max_batch`` elements; ``on_progress(done, total)`` after each."""
        if hasattr(records, "to_pylist"):
            records = records.to_pylist()
        if not isinstance(records, (list, tuple)):
            raise ObliviousError("record.invalid", "records must be a list")
        per = max(1, self._max_batch // self._per_record)
        out: list[dict] = []
        versions = self.key_versions
        with ThreadPoolExecutor(max_workers=max(1, len(versions))) as pool:
            for i in range(0, len(records), per):
                chunk = [dict(r) for r in records[i : i + per]]
                try:
                    batch = self._client.blind(chunk)
                except PseudolinkError as e:
                    raise ObliviousError(e.code, str(e), subject=e.subject, field=e.field) from None
                answers = (
                    []
                    if len(batch) == 0
                    else list(pool.map(lambda v: self._evaluate(batch.request_body(v)), versions))
                )
                try:
                    out.extend(self._client.finalize(batch, answers))
                except PseudolinkError as e:
                    raise ObliviousError(e.code, str(e), subject=e.subject) from None
                if on_progress:
                    on_progress(min(i + per, len(records)), len(records))
        return out

    def _evaluate(self, body: str) -> str:
        headers = {"content-type": "application/json"}
        if self._api_key:
            headers["authorization"] = f"Bearer {self._api_key}"
        try:
            status, res_headers, payload = self._transport(
                self._url, body.encode(), headers, self._timeout
            )
        except TimeoutError:
            raise ObliviousError(
                "network.timeout", f"the key server did not answer within {self._timeout} s"
            ) from None
        except OSError as e:
            reason = getattr(e, "reason", None)
            if isinstance(reason, TimeoutError):
                raise ObliviousError(
                    "network.timeout", f"the key server did not answer within {self._timeout} s"
                ) from None
            raise ObliviousError("network.failed", "the key server could not be reached") from None
        try:
            answer = json.loads(payload)
        except ValueError:
            answer = None
        if not 200 <= status < 300:
            server_code = answer.get("error") if isinstance(answer, dict) else None
            server_code = server_code if isinstance(server_code, str) else None
            lower = {k.lower(): v for k, v in res_headers.items()}
            try:
                retry_after = float(lower.get("retry-after", "")) or None
            except ValueError:
                retry_after = None
            suffix = f" {server_code}" if server_code else ""
            raise ObliviousError(
                "server.refused",
                f"the key server refused the request ({status}{suffix})",
                status=status,
                server_code=server_code,
                retry_after=retry_after,
            )
        if not isinstance(answer, dict):
            raise ObliviousError(
                "oblivious.invalid_response", "the key server answered something that is not JSON"
            )
        return json.dumps(answer)
