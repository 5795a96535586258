#!/usr/bin/env python3
"""Compares the conformance outputs of the three implementations (native
Rust, the npm package in Node, the Python package) for inputs.json: every
normalised value, error code, platform hash, token, match key and CLK
(of the record encoder, and of the pseudonymizer alone)
(plain and hardened: diffused, balanced, salted) must be equal, byte for
byte. Usage: compare.py rust.json node.json python.json"""

import json
import sys


def walk(a, b, path, diffs, counts):
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                diffs.append(f"{path}.{k}: only in {'first' if k in a else 'second'}")
                continue
            walk(a[k], b[k], f"{path}.{k}", diffs, counts)
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            diffs.append(f"{path}: {len(a)} vs {len(b)} items")
        for i, (x, y) in enumerate(zip(a, b)):
            walk(x, y, f"{path}[{i}]", diffs, counts)
    elif a != b:
        diffs.append(f"{path}: differs")
    elif isinstance(a, str):
        counts["strings"] += 1
        counts["bytes"] += len(a.encode())


def main(paths):
    docs = {p: json.load(open(p, encoding="utf-8")) for p in paths}
    first, *rest = paths
    failed = False
    for other in rest:
        diffs, counts = [], {"strings": 0, "bytes": 0}
        walk(docs[first], docs[other], "$", diffs, counts)
        for section in ("normalize", "platform", "clk", "records", "tokens"):
            if not docs[other].get(section):
                diffs.append(f"$.{section}: empty in {other}")
        if diffs:
            failed = True
            print(f"{first} vs {other}: {len(diffs)} differences, first ones:")
            for d in diffs[:20]:
                print("  ", d)
        else:
            print(f"{first} == {other}: {counts['strings']} strings, {counts['bytes']} bytes equal")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main(sys.argv[1:])
