"""The exceptions of pseudolink. Every one carries a stable ``code``
(``family.rule``, the same table as the Rust crate and the npm package,
``src/error.rs``) and never the value that caused it."""

from __future__ import annotations


class PseudolinkError(ValueError):
    """A bad definition, key, schema, option or value.

    ``code`` is stable (e.g. ``definition.invalid``); ``subject`` says what it
    is about (``definition``, ``keys``, ``schema``, ``option``, a field's wire
    name, ...); ``field`` and ``feature`` name the field or linkage-schema
    feature when there is one. The message never quotes a value.
    """

    def __init__(
        self,
        code: str,
        message: str,
        subject: str | None = None,
        field: str | None = None,
        feature: str | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.subject = subject
        self.field = field
        self.feature = feature

    def __repr__(self) -> str:
        return f"PseudolinkError(code={self.code!r}, subject={self.subject!r})"


class ObliviousError(PseudolinkError):
    """A failed oblivious-token request, with the JS client's codes:
    ``network.failed``, ``network.timeout``, ``server.refused`` (with
    ``status``, ``server_code`` and ``retry_after``),
    ``oblivious.verification_failed``, ``oblivious.invalid_response``."""

    def __init__(
        self,
        code: str,
        message: str,
        *,
        status: int | None = None,
        server_code: str | None = None,
        retry_after: float | None = None,
        subject: str | None = None,
        field: str | None = None,
    ) -> None:
        super().__init__(code, message, subject, field)
        self.status = status
        self.server_code = server_code
        self.retry_after = retry_after
