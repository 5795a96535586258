"""The Python package's public API: values, columns, codes and exceptions."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pyarrow as pa
import pytest

import pseudolink as pl
from conftest import CLK_SECRET, DEFINITION, KEYS, ROOT

CODES_TS = (ROOT / "tests" / "error-codes.d.ts").read_text(encoding="utf-8")


def test_normalize_value_and_code():
    assert pl.normalize("email", " Jon.Smith+shop@GoogleMail.com ") == "jonsmith@gmail.com"
    assert pl.normalize("phone", "020 7946 0958", region="GB") == "+442079460958"
    with pytest.raises(pl.PseudolinkError) as e:
        pl.normalize("dateOfBirth", "1990-02-30")
    assert e.value.code == "date.impossible" and e.value.field == "dateOfBirth"
    assert "1990" not in str(e.value)  # never echoes the value


def test_error_codes_are_the_core_table():
    codes = pl.error_codes()
    assert len(codes) == len(set(codes)) > 50
    for c in codes:
        assert f"'{c}'" in CODES_TS


def test_normalize_array_codes_per_row():
    out = pl.normalize_array("phone", pa.array(["020 7946 0958", None, "12", "+1 415 555 0100"]), region="GB")
    assert out.to_pylist() == [
        {"value": "+442079460958", "error": None},
        {"value": None, "error": None},
        {"value": None, "error": "phone.too_short"},
        {"value": "+14155550100", "error": None},
    ]
    # Sliced and chunked inputs read the right rows.
    chunked = pa.chunked_array([["x@y.com", "bad"], ["A@B.COM"]])
    assert pl.normalize_array("email", chunked).field("value").to_pylist() == ["x@y.com", None, "a@b.com"]
    sliced = pa.array(["a@b.com", "c@d.com", "E@F.com"]).slice(1)
    assert pl.normalize_array("email", sliced).field("value").to_pylist() == ["c@d.com", "e@f.com"]


def test_platform_hashes_dict_and_table_agree():
    rec = {"email": "Jane@Example.com", "phone": "+1 650 555 1212"}
    one = pl.platform_hashes(rec, "uid2")
    assert set(one["hashes"]) == {"email_hash", "phone_hash"}
    table = pl.platform_hashes_table([rec, {"email": "no-at"}], "uid2")
    rows = table.to_pylist()
    assert rows[0]["email_hash"] == one["hashes"]["email_hash"]
    assert rows[1]["email_hash"] is None
    assert rows[1]["errors"] == [{"field": "email", "code": "email.missing_at"}]


def test_record_encoder_batch_matches_single_records():
    enc = pl.RecordEncoder(KEYS, DEFINITION, clk_schema="default", clk_secret=CLK_SECRET,
                           hardening={"diffusion": 8})
    rows = [
        {"id": "a", "email": "jon.smith@gmail.com", "phone": "(415) 555 0100", "firstName": "Jon",
         "lastName": "Smith", "dateOfBirth": "1985-02-14", "city": "Springfield"},
        {"id": "b", "email": "bad", "dateOfBirth": "1990-02-30"},
        {"id": "c"},
    ]
    table = enc.encode_batch(rows, keep=["id"], token_columns=True, threads=2)
    assert table.column("id").to_pylist() == ["a", "b", "c"]
    assert table.schema.field("clk_record").type == pa.binary()
    for row, rec in zip(table.to_pylist(), rows):
        single = enc.encode(rec)
        assert row["tokens"] == single["tokens"] and row["match_keys"] == single["match_keys"]
        for f, clk in single["clks"].items():
            assert row[f"clk_{f}"] == clk
        assert [(e["field"], e["code"]) for e in row["errors"]] == [
            (e["field"], e["code"]) for e in single["errors"]]
    first = table.to_pylist()[0]
    assert first["token_email"].startswith("pl1.email.k2026.")
    assert first["token_mk-nameDob"].startswith("pl1.mk-nameDob.k2026.")
    assert table.to_pylist()[1]["errors"] == [
        {"field": "email", "code": "email.missing_at"}, {"field": "dateOfBirth", "code": "date.impossible"}]
    assert table.schema == enc.output_schema(pa.schema([("id", pa.string())]), token_columns=True)


def test_threads_give_the_same_bytes(dedupe_2k):
    records, _ = dedupe_2k
    enc = pl.RecordEncoder(KEYS, DEFINITION, clk_schema="default", clk_secret=CLK_SECRET)
    one = enc.encode_batch(records, threads=1)
    results = {}

    def run(k):
        results[k] = enc.encode_batch(records, threads=2)

    workers = [threading.Thread(target=run, args=(k,)) for k in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert results[0].equals(one) and results[1].equals(one)


def test_bad_definitions_keys_schemas_and_options_raise_codes():
    cases = [
        (lambda: pl.RecordEncoder(KEYS, {"version": 3, "fields": ["email"]}), "definition.invalid"),
        (lambda: pl.RecordEncoder({"k": b"short"}, DEFINITION), "key.too_short"),
        (lambda: pl.RecordEncoder({"k": b"x" * 32, "k ": b"y" * 32}, DEFINITION), "key.invalid_id"),
        (lambda: pl.RecordEncoder(KEYS, DEFINITION, clk_schema="{", clk_secret=b"s"), "schema.invalid_json"),
        (lambda: pl.RecordEncoder(KEYS, DEFINITION, clk_schema="default", clk_secret=b"s",
                                  hardening={"diffusion": 99}), "option.invalid"),
        (lambda: pl.RecordEncoder(KEYS, DEFINITION, clk_secret=b"s"), "option.invalid"),
        (lambda: pl.normalize("email", "a@b.c", profile="nope"), "option.invalid"),
        (lambda: pl.Linker({"comparisons": []}), "link.bad_config"),
    ]
    for make, code in cases:
        with pytest.raises(pl.PseudolinkError) as e:
            make()
        assert e.value.code == code, code
        assert e.value.code in pl.error_codes()


def test_clk_encoder_rows_and_codes():
    schema = (ROOT / "tests" / "vectors" / "clk" / "a-example.schema.json").read_text(encoding="utf-8")
    vectors = json.loads((ROOT / "tests" / "vectors" / "clk" / "a-example.vectors.json").read_text(encoding="utf-8"))
    enc = pl.ClkEncoder(schema, vectors["secret"].encode())
    import base64

    out = enc.encode_rows([c["row"] for c in vectors["cases"]])
    for (clk, code, feature), case in zip(out, vectors["cases"]):
        if "clk" in case:
            assert base64.b64encode(clk).decode() == case["clk"]
        else:
            assert clk is None and code.startswith("clk.") and feature == case["error"]
    # Each worker thread keeps one token memo for its rows: repeated rows
    # (memo hits) encode as their first copies did.
    rows = [c["row"] for c in vectors["cases"]]
    assert enc.encode_rows(rows * 3, threads=2) == out * 3
    hardened = pl.ClkEncoder(schema, vectors["secret"].encode(), hardening={"diffusion": 8})
    assert hardened.bits == enc.bits


def test_lsh_band_keys_are_equal_for_equal_clks():
    enc = pl.RecordEncoder(KEYS, DEFINITION, clk_schema="default", clk_secret=CLK_SECRET)
    rows = [{"firstName": "Ann", "lastName": "Lee"}, {"firstName": "Ann", "lastName": "Lee"}, {}]
    clks = enc.encode_batch(rows).column("clk_record")
    keys = pl.lsh_band_keys(clks, bits=1024, bands=4, bits_per_band=12).to_pylist()
    assert keys[0] == keys[1]
    assert keys[2] == {f"lsh_{b}": None for b in range(4)}
    assert len({k >> 56 for k in keys[0].values()}) == 4  # the band is part of the key


def test_linker_params_round_trip(dedupe_2k):
    records, _ = dedupe_2k
    enc = pl.RecordEncoder(KEYS, DEFINITION, clk_schema="default", clk_secret=CLK_SECRET)
    encoded = pl.encoded_records(enc.encode_batch(records.slice(0, 500), keep=["id"]))
    linker = pl.Linker()
    result = linker.dedupe(encoded)
    assert result["clusters"] and linker.params() == result["params"]
    other = pl.Linker()
    other.set_params(result["params"])
    a, b = encoded[0], encoded[1]
    # Parameters cross as JSON text, whose floats parse to within an ulp
    # (serde_json's default parser; exact parsing costs wasm bytes).
    x, y = other.explain(a, b), linker.explain(a, b)
    assert [(c["comparison"], c["level"]) for c in x["contributions"]] == [
        (c["comparison"], c["level"]) for c in y["contributions"]]
    assert [c["matchWeight"] for c in x["contributions"]] == pytest.approx(
        [c["matchWeight"] for c in y["contributions"]], rel=1e-12, abs=1e-12)
    assert x["probability"] == pytest.approx(y["probability"], rel=1e-12)
    with pytest.raises(pl.PseudolinkError) as e:
        other.set_params({"version": 1, "prior": 2.0, "comparisons": []})
    assert e.value.code == "link.bad_params"


def test_a_small_shop_links_from_its_first_records():
    """Issue 18 through Python: no params, three records, the day-one model
    scores. The same e-mail in another case, and web -> phone -> web."""
    enc = pl.RecordEncoder(KEYS, DEFINITION, clk_schema="default", clk_secret=CLK_SECRET)
    rows = [
        {"id": "o-1", "firstName": "Katherine", "lastName": "Miller", "email": "kmiller@example.com"},
        {"id": "c-7", "firstName": "Kate", "lastName": "Miller", "phone": "(217) 555-0142"},
        {"id": "o-9", "firstName": "Katherine", "lastName": "Miller",
         "email": "KMiller@Example.COM", "phone": "+1 217 555 0142"},
        {"id": "x-1", "firstName": "Omar", "lastName": "Haddad", "email": "omar@example.org"},
    ]
    encoded = pl.encoded_records(enc.encode_batch(rows, keep=["id"]))
    linker = pl.Linker()
    result = linker.dedupe(encoded)
    assert result["stats"]["model"] == "prior"
    assert sorted(sorted(c) for c in result["clusters"]) == [["c-7", "o-1", "o-9"], ["x-1"]]
    assert linker.params() is None, "the day-one model is not kept"
