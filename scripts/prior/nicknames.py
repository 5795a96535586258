#!/usr/bin/env python3
"""Extracts the nickname table src/encoder/nicknames.csv from the PyPI package
`nicknames` 1.0.1 (carltonnorthern/nicknames, Apache-2.0,
https://github.com/carltonnorthern/nicknames): every `has_nickname` row of its
`names.csv`, as `name,nickname`, lowercase, sorted.

    pip download --no-deps nicknames==1.0.1 -d /tmp/nick
    python3 scripts/prior/nicknames.py /tmp/nick/nicknames-1.0.1-py3-none-any.whl > src/encoder/nicknames.csv
"""
import csv
import io
import sys
import zipfile

with zipfile.ZipFile(sys.argv[1]) as whl:
    text = whl.read("nicknames/names.csv").decode("utf-8")
rows = set()
for r in csv.DictReader(io.StringIO(text)):
    if r["relationship"] == "has_nickname":
        a, b = r["name1"].strip().lower(), r["name2"].strip().lower()
        if a and b and a != b and "," not in a + b:
            rows.add((a, b))
out = sys.stdout
out.write("name,nickname\n")
for a, b in sorted(rows):
    out.write(f"{a},{b}\n")
