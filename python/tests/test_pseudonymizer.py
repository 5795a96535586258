"""``pl.Pseudonymizer``: keyed tokens and match keys, one record or columns."""

from __future__ import annotations

import pyarrow as pa
import pytest

import pseudolink as pl
from conftest import DEFINITION, KEYS

ROWS = [
    {"email": "Jon.Smith@Example.com", "phone": "(415) 555-0100", "firstName": "Bob",
     "lastName": "Smith", "dateOfBirth": "1980-02-01", "postalCode": "94105", "country": "US"},
    {},
    {"phone": "12", "lastName": "Ó Sé", "firstName": "Zoë"},
    {"email": "ann@example.org", "lastName": "Müller", "firstName": "Ann", "country": "DE",
     "phone": "030 1234567"},
]


def test_the_batch_is_the_records_one_by_one_in_any_number_of_threads():
    p = pl.Pseudonymizer(KEYS, DEFINITION)
    one_by_one = [p.tokenize(r) for r in ROWS * 50]
    for threads in (1, 3):
        table = p.tokenize_batch(ROWS * 50, threads=threads)
        assert table.column_names == ["tokens", "match_keys", "errors"]
        rows = table.to_pylist()
        assert [r["tokens"] for r in rows] == [o["tokens"] for o in one_by_one]
        assert [r["match_keys"] for r in rows] == [o["match_keys"] for o in one_by_one]
        assert [r["errors"] for r in rows] == [
            [{"field": e["field"], "code": e["code"]} for e in o["errors"]] for o in one_by_one
        ]
    assert one_by_one[0]["tokens"][0].startswith("pl1.email.k2026.")
    assert one_by_one[1] == {"tokens": [], "match_keys": [], "errors": []}
    assert [e["code"] for e in one_by_one[2]["errors"]] == ["phone.too_short"]


def test_tokens_are_the_js_pseudonymizers_not_the_record_encoders():
    # The encoder adds a nickname token for "Bob" (robert); the pseudonymizer
    # makes exactly the definition's tokens, as in JS and Rust.
    p = pl.Pseudonymizer(KEYS, DEFINITION)
    enc = pl.RecordEncoder(KEYS, DEFINITION)
    mine, encoded = p.tokenize(ROWS[0]), enc.encode(ROWS[0])
    assert [t for t in encoded["tokens"] if t.startswith("pl1.nickname.")]
    assert not [t for t in mine["tokens"] if t.startswith("pl1.nickname.")]
    assert [t for t in encoded["tokens"] if not t.startswith("pl1.nickname.")] == mine["tokens"]
    assert encoded["match_keys"] == mine["match_keys"]
    assert len(mine["tokens"]) == len([f for f in DEFINITION["fields"] if ROWS[0].get(f)])


def test_a_value_that_is_not_text_is_reported_in_its_place():
    p = pl.Pseudonymizer(KEYS, DEFINITION)
    out = p.tokenize({"email": 42, "phone": "12", "lastName": "Smith"})
    assert [(e["field"], e["code"]) for e in out["errors"]] == [
        ("email", "value.wrong_type"), ("phone", "phone.too_short")]
    assert "42" not in str(out["errors"])


def test_keep_token_columns_mapping_and_an_empty_table():
    p = pl.Pseudonymizer(KEYS, DEFINITION)
    data = pa.table({"id": ["a", "b"], "mail": ["x@example.com", None], "lastName": ["Lee", "Kim"]})
    t = p.tokenize_batch(data, columns={"email": "mail"}, keep=["id"], token_columns=True)
    assert t.schema == p.output_schema(pa.schema([("id", pa.string())]), token_columns=True)
    assert t.column("id").to_pylist() == ["a", "b"]
    emails = t.column("token_email").to_pylist()
    assert emails[0] == p.tokenize({"email": "x@example.com"})["tokens"][0] and emails[1] is None
    assert t.column("token_lastName").to_pylist()[1] == p.tokenize({"lastName": "Kim"})["tokens"][0]
    empty = p.tokenize_batch(data.slice(0, 0), keep=["id"])
    assert empty.num_rows == 0 and empty.schema == p.output_schema(pa.schema([("id", pa.string())]))
    # Batches stream: one output batch per input batch (or per batch_rows).
    parts = list(p.tokenize_batches(data, columns={"email": "mail"}, batch_rows=1))
    assert [b.num_rows for b in parts] == [1, 1]


def test_bad_keys_and_definitions_raise_with_codes():
    with pytest.raises(pl.PseudolinkError) as e:
        pl.Pseudonymizer({}, DEFINITION)
    assert e.value.code == "key.missing"
    with pytest.raises(pl.PseudolinkError) as e:
        pl.Pseudonymizer({"k": b"short"}, DEFINITION)
    assert e.value.code == "key.too_short"
    with pytest.raises(pl.PseudolinkError) as e:
        pl.Pseudonymizer(KEYS, {"version": 1, "fields": ["nope"]})
    assert e.value.code == "definition.invalid"
