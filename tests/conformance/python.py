#!/usr/bin/env python3
"""The Python package's output for tests/conformance/inputs.json (see
compare.py). Usage: python.py INPUTS OUT. Columnar paths throughout: records
and CLK rows go through the Arrow batch APIs, the way pipelines use them."""

import base64
import json
import os
import sys

import pyarrow as pa

import pseudolink as pl


def b64(b: bytes) -> str:
    return base64.b64encode(b).decode()


def main(inputs: str, out_path: str) -> None:
    doc = json.load(open(inputs, encoding="utf-8"))
    out: dict = {"normalize": [], "platform": [], "clk": [], "records": []}

    # One value at a time, and the same values as one Arrow column per field:
    # both must agree with each other before they are compared with the others.
    for c in doc["normalize"]:
        try:
            v = pl.normalize(c["field"], c["input"], profile=c["profile"],
                             region=c.get("region"), date_order=c.get("dateOrder"))
            out["normalize"].append({"value": v})
        except pl.PseudolinkError as e:
            out["normalize"].append({"error": e.code})
    for i, c in enumerate(doc["normalize"]):
        col = pl.normalize_array(c["field"], [c["input"]], profile=c["profile"],
                                 region=c.get("region"), date_order=c.get("dateOrder"))
        row = col.to_pylist()[0]
        got = {"value": row["value"]} if row["error"] is None else {"error": row["error"]}
        assert got == out["normalize"][i], f"normalize case {i}: column and scalar disagree"

    for c in doc["platform"]:
        t = pl.platform_hashes_table([c["record"]], c["profile"], region=c.get("region"))
        row = t.to_pylist()[0]
        errors = [e["code"] for e in row.pop("errors")]
        single = pl.platform_hashes(c["record"], c["profile"], region=c.get("region"))
        hashes = {k: v for k, v in row.items() if v is not None and k in single["hashes"]}
        plain = {k: v for k, v in row.items() if v is not None and k in single["plain"]}
        assert hashes == single["hashes"] and plain == single["plain"], "platform: table and dict disagree"
        out["platform"].append({"hashes": hashes, "plain": plain, "errors": errors})

    for c in doc["clk"]:
        schema_path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "vectors", "clk", c["schema"])
        schema = open(schema_path, encoding="utf-8").read()
        enc = pl.ClkEncoder(schema, c["secret"].encode())
        out["clk"].append([
            {"clk": b64(clk)} if clk is not None else {"error": code}
            for clk, code, _feature in enc.encode_rows(c["rows"])
        ])

    r = doc["records"]
    keys = {k: bytes.fromhex(v) for k, v in r["keys"].items()}
    table = r["records"]  # a list of dicts: the package makes it a table
    for h in r["hardenings"]:
        enc = pl.RecordEncoder(keys, r["definition"], clk_schema=r["clkSchema"],
                               clk_secret=r["clkSecret"].encode(), hardening=h)
        rows = enc.encode_batch(table).to_pylist()
        encoded = []
        for row in rows:
            clks = {name[4:]: b64(v) for name, v in row.items() if name.startswith("clk_") and v is not None}
            encoded.append({
                "tokens": row["tokens"],
                "matchKeys": row["match_keys"],
                "clks": clks,
                "errors": [f"{e['field']}:{e['code']}" for e in row["errors"]],
            })
        out["records"].append(encoded)

    # The pseudonymizer alone, as columns.
    rows = pl.Pseudonymizer(keys, r["definition"]).tokenize_batch(table).to_pylist()
    out["tokens"] = [{
        "tokens": row["tokens"],
        "matchKeys": row["match_keys"],
        "errors": [f"{e['field']}:{e['code']}" for e in row["errors"]],
    } for row in rows]

    with open(out_path, "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False, sort_keys=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
