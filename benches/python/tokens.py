"""Python token throughput: the wheel's ``Pseudonymizer.tokenize_batch`` (core
``TokenColumns`` straight into Arrow buffers) against the path it replaced
(``RecordEncoder.encode_batch`` without CLKs: a Rust ``String`` per token,
copied into Arrow) and against the standard library's ``hmac.digest`` (OpenSSL)
over the same eleven values a record, already normalised, as an anchor.

The records and definition are benches/tokenize.rs's (8 fields, 3 match keys).
Run after ``make python`` (the wheel in target/python-venv):

    target/python-venv/bin/python benches/python/tokens.py [rows] [rounds]
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import sys
import time

import pyarrow as pa

import pseudolink as pl

DEFINITION = {
    "version": 1,
    "fields": ["email", "phone", "firstName", "lastName", "dateOfBirth", "postalCode", "street", "country"],
    "matchKeys": [
        {"name": "nameDob", "parts": [{"field": "lastName"}, {"field": "firstName", "take": "initial"},
                                      {"field": "dateOfBirth"}]},
        {"name": "addressName", "parts": [{"field": "postalCode"}, {"field": "street", "take": "streetNumber"},
                                          {"field": "lastName"}]},
        {"name": "emailName", "parts": [{"field": "email"}, {"field": "lastName"}]},
    ],
    "defaultRegion": "US",
}
KEYS = {"k1": bytes([7] * 32)}
FIRST = ["Jon", "Mary-Jane", "José", "Li", "Aoife", "Zoë", "Mohammed", "Olga"]
LAST = ["Smith", "O'Brien", "García", "Nguyen", "Müller", "Kowalski", "Okafor", "Johansson"]
STREET = ["Main Street", "Oak Avenue", "Amphitheatre Parkway", "North Lake Road"]


def records(n: int) -> pa.Table:
    """benches/tokenize.rs's generator, as columns."""
    f = [FIRST[i % 8] for i in range(n)]
    l_ = [LAST[(i // 8) % 8] for i in range(n)]
    return pa.table({
        "email": [f"{f[i]}.{l_[i]}{i}@Example.com" for i in range(n)],
        "phone": [f"(415) 555-{i % 10_000:04}" for i in range(n)],
        "firstName": f,
        "lastName": l_,
        "dateOfBirth": [f"19{40 + i % 60:02}-{1 + i % 12:02}-{1 + i % 28:02}" for i in range(n)],
        "postalCode": [f"{10_000 + (i * 7) % 89_999:05}" for i in range(n)],
        "street": [f"{1 + i % 9_000} {STREET[i % 4]}" for i in range(n)],
        "country": ["US"] * n,
    })


def best(rounds: int, work) -> float:
    times = []
    for _ in range(rounds):
        t = time.perf_counter()
        work()
        times.append(time.perf_counter() - t)
    return min(times)


def main(n: int, rounds: int) -> None:
    table = records(n)
    p = pl.Pseudonymizer(KEYS, DEFINITION)
    enc = pl.RecordEncoder(KEYS, DEFINITION)
    sample = p.tokenize_batch(table.slice(0, 1)).to_pylist()[0]
    assert (len(sample["tokens"]), len(sample["match_keys"]), sample["errors"]) == (8, 3, [])

    # The anchor: 11 HMAC-SHA-256 over values as the core normalises them
    # (one normalised record repeated), base64 as in a token; no Arrow.
    values = [t.encode() for t in ["jonsmith0@example.com", "+14155550000", "jon", "smith", "1940-01-01",
                                   "10000", "1 main st", "US", "smith|j|1940-01-01", "10000|1|smith",
                                   "jonsmith0@example.com|smith"]]
    key = KEYS["k1"]

    def stdlib() -> None:
        for _ in range(n):
            for v in values:
                base64.urlsafe_b64encode(hmac.digest(key, v, hashlib.sha256))

    print(f"{n:,} records of 8 fields + 3 match keys (11 tokens), best of {rounds}")
    for threads in (1, 2):
        new = best(rounds, lambda: p.tokenize_batch(table, threads=threads))
        old = best(rounds, lambda: enc.encode_batch(table, threads=threads))
        print(f"threads={threads}: Pseudonymizer.tokenize_batch {n / new:>10,.0f} records/s; "
              f"RecordEncoder.encode_batch (the former path) {n / old:>10,.0f} records/s; ratio {old / new:.2f}x")
    lib = best(rounds, stdlib)
    one = best(rounds, lambda: p.tokenize_batch(table, threads=1))
    print(f"hmac.digest (stdlib, OpenSSL; 11 values, no normalisation, no Arrow): {n / lib:>10,.0f} records/s; "
          f"tokenize_batch on one thread is {lib / one:.1f}x that")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200_000, int(sys.argv[2]) if len(sys.argv) > 2 else 5)
