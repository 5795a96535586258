#!/usr/bin/env python3
"""Extracts the ristretto255-SHA512 OPRF and VOPRF test vectors of RFC 9497
Appendix A.1.1/A.1.2 into tests/vectors/oprf.json.

    curl -s https://www.rfc-editor.org/rfc/rfc9497.txt > /tmp/rfc9497.txt
    python3 scripts/vectors/rfc9497_vectors.py /tmp/rfc9497.txt > tests/vectors/oprf.json

The RFC wraps long hex values over several lines; a value continues while the
next line holds only hex digits (and commas, for batch vectors). Values are
copied, never computed: the RFC is the oracle.
"""
import json
import re
import sys

SECTION_START = "ristretto255-SHA512"
MODES = {"OPRF Mode": "oprf", "VOPRF Mode": "voprf"}


def parse(text):
    # Only the ristretto255 part of Appendix A (up to the next suite).
    start = text.index(SECTION_START, text.index("Test Vectors"))
    end = text.index("decaf448-SHAKE256", start)
    lines = [l.strip() for l in text[start:end].splitlines()]
    out, mode, vector, key = {}, None, None, None
    for line in lines:
        m = re.search(r"(OPRF Mode|VOPRF Mode|POPRF Mode)$", line)
        if m:
            mode = MODES.get(m.group(1))
            if mode:
                out[mode] = {"key": {}, "vectors": []}
            vector = None
            continue
        if mode is None:
            continue
        if re.search(r"Test Vector \d+, Batch Size \d+", line):
            vector = {}
            out[mode]["vectors"].append(vector)
            continue
        m = re.match(r"^(\w+) = ([0-9a-f,]+)$", line)
        if m:
            key = m.group(1)
            target = vector if vector is not None else out[mode]["key"]
            target[key] = m.group(2)
            continue
        if key and re.match(r"^[0-9a-f,]+$", line):
            target = vector if vector is not None else out[mode]["key"]
            target[key] += line
            continue
        key = None
    for mode in out.values():
        for v in mode["vectors"]:
            for k in list(v):
                v[k] = v[k].split(",")
    return out


def main():
    data = parse(open(sys.argv[1], encoding="utf-8").read())
    doc = {
        "source": "RFC 9497, Appendix A.1.1 (OPRF) and A.1.2 (VOPRF), ristretto255-SHA512: "
        "https://www.rfc-editor.org/rfc/rfc9497#appendix-A.1",
        "how": "scripts/vectors/rfc9497_vectors.py over the RFC text; every value is the RFC's own",
        "suite": "ristretto255-SHA512",
        **data,
    }
    # The layout scripts/vectors/fill_hashes.py keeps every vector file in.
    json.dump(doc, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
