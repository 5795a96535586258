#!/usr/bin/env python3
"""Writes tests/conformance/inputs.json: the one input file that the three
implementations (native Rust, the npm package in Node, the Python package)
each turn into an output file, compared byte for byte by compare.py.

Inputs come from the vector files (tests/vectors/*.json, tests/vectors/clk/)
and from pseudolink-synth (seeded, so the same bytes every time):

    cargo run --release -p pseudolink-synth -- dedupe --n 120 --dup-rate 0.3 --seed 7 --out target/conf-synth
    python3 tests/conformance/make_inputs.py target/conf-synth/records.csv

Expected values are not in this file: the vector tests check each
implementation against the independent tools; this checks that the three
faces of the core agree on every byte."""

import csv
import glob
import json
import os
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
VECTORS = os.path.join(ROOT, "tests", "vectors")
NORMALIZATION = ["email", "phone", "name", "company", "geo", "dob", "gender"]
PROFILES = ["pseudolink", "uid2", "google", "meta"]


def main(records_csv: str) -> None:
    normalize, platform = [], []
    for family in NORMALIZATION:
        doc = json.load(open(os.path.join(VECTORS, f"{family}.json"), encoding="utf-8"))
        for c in doc["cases"]:
            case = {"field": c["field"], "profile": c["profile"], "input": c["input"]}
            case.update(c.get("options", {}))
            normalize.append(case)
            # The same value as a one-field record, under every profile.
            for p in PROFILES:
                entry = {"profile": p, "record": {c["field"]: c["input"]}}
                if "region" in c.get("options", {}):
                    entry["region"] = c["options"]["region"]
                platform.append(entry)

    tokens_doc = json.load(open(os.path.join(VECTORS, "tokens.json"), encoding="utf-8"))
    keys = tokens_doc["keys"]  # hex secrets by key id

    clk = []
    for schema_path in sorted(glob.glob(os.path.join(VECTORS, "clk", "*.schema.json"))):
        name = os.path.basename(schema_path)
        vec = json.load(open(schema_path.replace(".schema.json", ".vectors.json"), encoding="utf-8"))
        clk.append({"schema": name, "secret": vec["secret"], "rows": [c["row"] for c in vec["cases"]]})

    with open(records_csv, encoding="utf-8", newline="") as f:
        rows = [{k: v for k, v in r.items() if v} for r in csv.DictReader(f)]
    # Edge rows: bad values (per-row codes), nothing at all, non-ASCII.
    rows += [
        {"id": "edge-1", "email": "not-an-email", "phone": "12", "dateOfBirth": "1990-02-30"},
        {"id": "edge-2"},
        {"id": "edge-3", "firstName": "Zoë", "lastName": "Ødegård-Łukasz", "city": "São Paulo",
         "street": "Rue de l'Église 4", "postalCode": "01000-000", "country": "BR",
         "dateOfBirth": "04/03/1990"},
    ]
    records = {
        "keys": keys,
        "definition": {
            "version": 1,
            "fields": ["email", "phone", "firstName", "lastName", "dateOfBirth", "postalCode"],
            "matchKeys": [
                {"name": "nameDob", "parts": [
                    {"field": "lastName"}, {"field": "firstName", "take": "initial"}, {"field": "dateOfBirth"}]},
                {"name": "addressName", "parts": [
                    {"field": "postalCode"}, {"field": "street", "take": "streetNumber"}, {"field": "lastName"}]},
                {"name": "zip3", "parts": [
                    {"field": "postalCode", "take": {"prefix": 3}}, {"field": "dateOfBirth", "take": "year"}]},
            ],
            "defaultRegion": "US",
            "dateOrder": "dmy",
        },
        "clkSchema": "default",
        "clkSecret": "conformance CLK secret, 32+ bytes of it",
        "hardenings": [
            None,
            {"diffusion": 8},
            {"diffusion": 2},
            {"diffusion": 32},
            {"balanced": True},
            {"saltFeature": "dateOfBirth"},
            {"balanced": True, "saltFeature": "dateOfBirth", "diffusion": 8},
        ],
        "records": rows,
    }
    out = {
        "about": "Shared inputs of the three-way conformance test; regenerate with make_inputs.py (see its header).",
        "normalize": normalize,
        "platform": platform,
        "clk": clk,
        "records": records,
    }
    path = os.path.join(ROOT, "tests", "conformance", "inputs.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False, indent=0)
        f.write("\n")
    print(f"wrote {path}: {len(normalize)} normalize, {len(platform)} platform, "
          f"{sum(len(c['rows']) for c in clk)} clk rows, {len(rows)} records x {len(records['hardenings'])} hardenings")


if __name__ == "__main__":
    main(sys.argv[1])
