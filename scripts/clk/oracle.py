#!/usr/bin/env python3
"""clkhash 0.18.3 as the oracle for pseudolink's CLK encoder (src/clk/).

Run inside the venv made by scripts/clk/venv.sh (it has clkhash==0.18.3):

  oracle.py vectors            rewrite tests/vectors/clk/*.vectors.json (40 rows per schema)
  oracle.py diff DIR [N]       write N generated rows per schema (default 2000) with clkhash's CLKs to DIR
  oracle.py bench ROWS_OUT [N] time clkhash (single process) on N rows of the example schema,
                               write the rows to ROWS_OUT, print records/s as JSON

Rows are generated deterministically (Python `random` with fixed seeds): unicode names,
missing-value sentinels, padded/signed integers, dates, numbers, and ~6% deliberately invalid
values. Every expected CLK is computed by clkhash itself; a row clkhash's validation rejects is
recorded with the identifier of the first failing feature instead.
"""

import base64
import json
import os
import random
import sys
import time

from clkhash import clk as clk_mod
from clkhash import schema as schema_mod
from clkhash.serialization import serialize_bitarray

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
VECTOR_DIR = os.path.join(ROOT, "tests", "vectors", "clk")
SECRET = "correct horse battery staple ✓ pseudolink"
SOURCE = "https://pypi.org/project/clkhash/0.18.3/"

GIVEN = ["michaela", "Jon", "José", "Zoë", "Mary-Jane", "Aoife", "Mohammed", "Olga", "Li", "Siobhán",
         "Nguyễn", "李", "王小明", "Σωκράτης", "Владимир", "محمد", "Ærø", "e\u0301lise", "🙂emoji", "ǅenana",
         "ß", "  spaced  ", "tab\tname", "x", "Ω", "Chloé", "Łukasz", "İlkay"]
SUR = ["Smith", "O'Brien", "García", "Müller", "Kowalski", "Okafor", "Johansson", "de la Cruz",
       "Nguyen", "Straße", "Ñúñez", "van der Berg", "Ōtomo", "佐藤", "Иванов", "Åberg", "Q"]
STREETS = ["Main Street", "Oak Avenue", "Amphitheatre Parkway", "North Lake Road", "Rue de l'Église",
           "Königstraße 5", "Unit 4/12 George St", "", "  ", "PO Box 77"]
SUBURBS = ["Sydney", "Darlinghurst", "Wollongong", "São Paulo", "Zürich", "", "Mount Druitt"]
STATES = ["NSW", "VIC", "qld", "WA", "", "Tas", "ACT", "N.T."]
CITIES_LOWER = ["sydney", "paris", "new york", "zurich", "ab"]
DOMAINS = ["example.com", "mail.example.org", "uni.edu.au"]


def typo(rng, s):
    if len(s) < 2 or rng.random() < 0.6:
        return s
    i = rng.randrange(len(s) - 1)
    op = rng.randrange(3)
    if op == 0:
        return s[:i] + s[i + 1] + s[i] + s[i + 2:]
    if op == 1:
        return s[:i] + s[i + 1:]
    return s[:i] + rng.choice("aeioumnrst") + s[i:]


def name(rng, pool):
    r = rng.random()
    if r < 0.05:
        return ""
    if r < 0.15:
        return "".join(rng.choice("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ -'")
                       for _ in range(rng.randrange(1, 14)))
    return typo(rng, rng.choice(pool))


def integer_text(rng, lo, hi):
    v = rng.randrange(lo, hi)
    r = rng.random()
    if r < 0.1:
        return f"  {v} "
    if r < 0.2:
        return f"+{v:04d}"
    if r < 0.25 and v >= 1000:
        return f"{v // 1000}_{v % 1000:03d}"
    if r < 0.3:
        return f"0{v}"
    return str(v)


def date_parts(rng):
    y = rng.randrange(1900, 2021)
    m = rng.randrange(1, 13)
    d = rng.randrange(1, 29 if m == 2 else 31)
    return y, m, d


def email(rng):
    local = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789._+-") for _ in range(rng.randrange(1, 12)))
    return f"{local.strip('.') or 'a'}@{rng.choice(DOMAINS)}"


def number_text(rng):
    r = rng.random()
    if r < 0.3:
        return str(rng.randrange(-5000, 200000))
    if r < 0.5:
        return f"{rng.uniform(-1000, 150000):.{rng.randrange(1, 5)}f}"
    if r < 0.6:
        return f"{rng.randrange(0, 1000)}.125"
    return f"{rng.uniform(0, 90000):.2f}"


SYLLABLES = ["an", "bel", "cor", "da", "el", "fin", "gra", "ha", "is", "jo", "ka", "lin", "mar", "ne",
             "o", "pe", "qui", "ro", "sa", "ti", "u", "ve", "wil", "xa", "ya", "zo", "ch", "sh", "th", "ü", "é"]
STREET_TYPES = ["Street", "St", "Road", "Rd", "Avenue", "Ave", "Lane", "Crescent", "Parade", "Way"]


def word(rng, lo, hi):
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randrange(lo, hi))).capitalize()


def gen_bench(rng):
    """A realistic, diverse row of the example schema: names, streets and suburbs
    mostly unique (clkhash caches per feature value, so repetitive rows would
    measure its cache rather than its encoder)."""
    y, m, d = date_parts(rng)
    return [str(rng.randrange(10**6)), word(rng, 2, 4), word(rng, 2, 5), str(rng.randrange(1, 400)),
            f"{word(rng, 2, 4)} {rng.choice(STREET_TYPES)}",
            rng.choice(["", "", f"Unit {rng.randrange(1, 60)}", word(rng, 2, 4) + " House"]),
            word(rng, 2, 5), str(rng.randrange(800, 9999)), rng.choice(STATES[:4] + STATES[5:7]),
            f"{y}{m:02d}{d:02d}", f"{rng.randrange(10**8):08d}"]


# One generator per feature, by schema; `bad` makes a value the schema rejects.
def gen_a(rng, bad):
    y, m, d = date_parts(rng)
    row = [str(rng.randrange(10**6)), name(rng, GIVEN), name(rng, SUR),
           rng.choice(["", integer_text(rng, 1, 2000)]), rng.choice(STREETS), rng.choice(STREETS),
           rng.choice(SUBURBS), integer_text(rng, 50, 10000), rng.choice(STATES),
           rng.choice(["", f"{y}{m:02d}{d:02d}", f"{y}{m:02d}{d:02d}"]), f"{rng.randrange(10**8):08d}"]
    if bad:
        i = rng.choice([1, 3, 7, 9])
        row[i] = {1: "x" * 65, 3: "12a", 7: rng.choice(["49", "10000", "-3"]), 9: "1984-07-04"}[i]
    return row


def gen_b(rng, bad):
    y, m, d = date_parts(rng)
    row = [str(rng.randrange(10**6)), name(rng, GIVEN) or "Ann", name(rng, SUR),
           rng.choice([email(rng), email(rng), "N/A"]),
           rng.choice(["", f"{y}-{m:02d}-{d:02d}", f"{y}-{m}-{d}"]),
           rng.choice(["", f"+61 4{rng.randrange(10**7, 10**8)}", f"0{rng.randrange(10**8, 10**9)}"])]
    if bad:
        i = rng.choice([1, 3, 4, 5])
        row[i] = {1: "", 3: "no-at-sign", 4: rng.choice(["1999-02-30", "31/12/1999"]), 5: "phone?"}[i]
    return row


def gen_c(rng, bad):
    row = [str(rng.randrange(10**6)), name(rng, GIVEN) + " " + name(rng, SUR),
           rng.choice(["", email(rng), email(rng).upper()]),
           rng.choice(["", integer_text(rng, 0, 131)]),
           rng.choice(["", number_text(rng)]),
           rng.choice(["", f"{rng.uniform(140, 210):.1f}", str(rng.randrange(140, 210)), f" {rng.uniform(1.4, 2.1):.2f}e2"]),
           rng.choice(["", integer_text(rng, 800, 9999)])]
    if bad:
        i = rng.choice([3, 4, 6])
        row[i] = {3: rng.choice(["131", "-1", "twelve"]), 4: "12,5", 6: "4000A"}[i]
    return row


def gen_d(rng, bad):
    y, m, d = date_parts(rng)
    row = [name(rng, GIVEN), name(rng, SUR), rng.choice(["", f"{y}-{m:02d}-{d:02d}"]), "free text ✎"]
    if bad:
        row[2] = f"{d:02d}.{m:02d}.{y}"
    return row


def gen_e(rng, bad):
    y, m, d = date_parts(rng)
    sur = name(rng, SUR).upper()
    row = [name(rng, GIVEN)[:30], rng.choice([sur, sur, "-"]),
           rng.choice(CITIES_LOWER + ["?"]),
           rng.choice(["", f"{d:02d}/{m:02d}/{y}", f"{d}/{m}/{y}"]),
           rng.choice(["F", "M", "X", ""]),
           rng.choice(["0", integer_text(rng, 1, 99999)])]
    if bad:
        i = rng.choice([0, 1, 2, 3, 4, 5])
        row[i] = {0: "y" * 31, 1: "Smith", 2: rng.choice(["Zürich", "x", "Paris"]),
                  3: rng.choice(["29/02/1900", "2000-01-01"]), 4: "f", 5: "100000"}[i]
    return row


SCHEMAS = {
    "a-example": gen_a,
    "b-doublehash-singularity": gen_b,
    "c-blake-sha512-numeric": gen_c,
    "d-documented-xorfolds": gen_d,
    "e-encodings-dates-enums": gen_e,
}


def load_schema(name):
    with open(os.path.join(VECTOR_DIR, f"{name}.schema.json"), encoding="utf-8") as f:
        return schema_mod.from_json_dict(json.load(f))


def first_invalid(schema, row):
    """Identifier of the first feature clkhash's validation rejects, or None."""
    for field, value in zip(schema.fields, row):
        try:
            field.validate(value)
        except Exception:  # clkhash raises InvalidEntryError (a ValueError)
            return field.identifier
    return None


def cases_for(name, n, seed):
    rng = random.Random(seed)
    schema = load_schema(name)
    rows = [SCHEMAS[name](rng, rng.random() < 0.06) for _ in range(n)]
    verdicts = [first_invalid(schema, r) for r in rows]
    valid = [r for r, v in zip(rows, verdicts) if v is None]
    clks = iter(clk_mod.generate_clks(valid, schema, SECRET, max_workers=1))
    cases = []
    for row, v in zip(rows, verdicts):
        if v is None:
            cases.append({"row": row, "clk": serialize_bitarray(next(clks))})
        else:
            cases.append({"row": row, "error": v})
    return {
        "source": SOURCE,
        "generator": f"scripts/clk/oracle.py (seed {seed}, {n} rows); CLKs computed by clkhash 0.18.3",
        "schema": f"{name}.schema.json",
        "secret": SECRET,
        "l": schema.l,
        "cases": cases,
    }


def write(path, doc):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(doc, f, ensure_ascii=False, indent=1)
        f.write("\n")


def main(argv):
    cmd = argv[1] if len(argv) > 1 else ""
    if cmd == "vectors":
        for i, name in enumerate(SCHEMAS):
            write(os.path.join(VECTOR_DIR, f"{name}.vectors.json"), cases_for(name, 40, 1000 + i))
    elif cmd == "diff":
        out, n = argv[2], int(argv[3]) if len(argv) > 3 else 2000
        os.makedirs(out, exist_ok=True)
        for i, name in enumerate(SCHEMAS):
            doc = cases_for(name, n, 2000 + i)
            write(os.path.join(out, f"{name}.vectors.json"), doc)
            bad = sum("error" in c for c in doc["cases"])
            print(f"clkhash: {name}: {n} rows ({bad} rejected by validation)")
    elif cmd == "bench":
        out, n = argv[2], int(argv[3]) if len(argv) > 3 else 10000
        rng = random.Random(42)
        schema = load_schema("a-example")
        rows = []
        while len(rows) < n:
            r = gen_bench(rng)
            if first_invalid(schema, r) is None:
                rows.append(r)
        write(out, {"schema": "a-example.schema.json", "secret": SECRET, "rows": rows})
        from clkhash import bloomfilter
        caches = [getattr(bloomfilter, n) for n in dir(bloomfilter) if hasattr(getattr(bloomfilter, n), "cache_clear")]
        best = None
        for _ in range(3):
            # clkhash's lru_caches persist across calls; each timed run starts
            # cold, like ours (whose memo lives for one batch).
            for c in caches:
                c.cache_clear()
            t = time.perf_counter()
            clks = clk_mod.generate_clks(rows, schema, SECRET, max_workers=1)
            dt = time.perf_counter() - t
            best = dt if best is None else min(best, dt)
        assert len(clks) == n
        print(json.dumps({"tool": "clkhash 0.18.3 (single process)", "records": n,
                          "seconds": best, "records_per_s": n / best}))
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
