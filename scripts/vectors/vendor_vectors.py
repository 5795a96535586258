#!/usr/bin/env python3
"""Turn a vendor's own unit-test cases into a tests/vectors/ file.

Input: the pairs `scripts/vectors/jest_cases.mjs` records from the vendor's
test files (`[{fn, args, expected, file}]`). Each pair becomes a case with the
vendor's expectation kept as `vendorExpected` (a string, or null for a
refusal) and ours as `normalized`, `refused: true`, or (where we deliberately
differ) the override in DEVIATIONS below, which must carry a `note`. The
expected hashes are then computed by `fill_hashes.py` (hashlib), never by
pseudolink.

  node scripts/vectors/jest_cases.mjs <capi-param-builder>/client_js/shared/tests/*Util.test.js > /tmp/pb.json
  python3 scripts/vectors/vendor_vectors.py meta /tmp/pb.json
  node scripts/vectors/jest_cases.mjs <capi-param-builder>/nodejs/capi-param-builder/tests/*Util.test.js > /tmp/pbn.json
  python3 scripts/vectors/vendor_vectors.py meta-node /tmp/pbn.json
  python3 scripts/vectors/vendor_vectors.py meta-php <capi-param-builder>/php/capi-param-builder/tests/*UtilsTest.php
  esbuild --format=esm --outfile=/tmp/f.test.js <data-manager-node>/util/test/formatter.test.ts
  node scripts/vectors/jest_cases.mjs /tmp/f.test.js > /tmp/g.json
  python3 scripts/vectors/vendor_vectors.py google /tmp/g.json
  python3 scripts/vectors/vendor_vectors.py uid2 <uid2-operator>/src/test/java/com/uid2/operator/InputNormalizationTest.java
  python3 scripts/vectors/fill_hashes.py
  python3 scripts/vectors/vendor_vectors.py --agreement    # per-profile agreement table
"""
import json
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2] / "tests" / "vectors"

VENDORS = {
    "meta": {
        "out": "meta-param-builder.json",
        "profile": "meta",
        "description": "Meta capi-param-builder client_js unit tests (every string input of "
        "client_js/shared/tests/*Util.test.js), the library a checkout page would otherwise load; "
        "vendorExpected is the test's own expectation.",
        "source": "https://github.com/facebook/capi-param-builder/blob/"
        "b0b6f0b19e042ff0ae723f684495dde8935a6ff0/client_js/shared/tests/{file}",
        "functions": {
            "getNormalizedCity": "city",
            "getNormalizedCountry": "country",
            "getNormalizedDOB": "dateOfBirth",
            "getNormalizedEmail": "email",
            "getNormalizedExternalID": "externalId",
            "getNormalizedGender": "gender",
            "getNormalizedName": "firstName",
            "getNormalizedPhone": "phone",
            "getNormalizedState": "state",
            "getNormalizedZipCode": "postalCode",
        },
        "types": {
            "city": "city",
            "country": "country",
            "date_of_birth": "dateOfBirth",
            "email": "email",
            "external_id": "externalId",
            "gender": "gender",
            "first_name": "firstName",
            "last_name": "lastName",
            "phone": "phone",
            "state": "state",
            "zip_code": "postalCode",
        },
        # A 64-hex (or 32-hex) input is passed through as an already hashed
        # value by the library; pseudolink takes raw values only.
        "skip": re.compile(r"^\s*([0-9a-fA-F]{64}|[0-9a-fA-F]{32})\s*$"),
    },
}
VENDORS["meta-node"] = dict(
    VENDORS["meta"],
    out="meta-param-builder-node.json",
    description="Meta capi-param-builder's Node.js server library unit tests "
    "(nodejs/capi-param-builder/tests/*Util.test.js), the inputs not already in "
    "meta-param-builder.json (where both test the same input they agree); vendorExpected is "
    "the test's own expectation.",
    source="https://github.com/facebook/capi-param-builder/blob/"
    "b0b6f0b19e042ff0ae723f684495dde8935a6ff0/nodejs/capi-param-builder/tests/{file}",
    # Inputs the client_js file already holds.
    dedupe="meta-param-builder.json",
)

VENDORS["google"] = {
    "out": "google-data-manager.json",
    "profile": "google",
    "description": "Google Data Manager UserDataFormatter unit tests (data-manager-node "
    "util/test/formatter.test.ts); vendorExpected is the test's own expectation.",
    "source": "https://github.com/googleads/data-manager-node/blob/"
    "e7987f83b55c43a5fd6efa4d6b3b2ccfb5bd62f1/util/test/{file}",
    "functions": {
        "formatEmailAddress": "email",
        "formatPhoneNumber": "phone",
        "formatGivenName": "firstName",
        "formatFamilyName": "lastName",
        "formatRegionCode": "country",
        "formatPostalCode": "postalCode",
    },
    "types": {},
    "skip": re.compile(r"^\b$"),
    "file_name": "formatter.test.ts",
}
VENDORS["uid2-web"] = {
    "out": "uid2-web-integrations.json",
    "profile": "uid2",
    "description": "UID2 JavaScript SDK normalisation unit tests (uid2-web-integrations "
    "src/unitTests/diiNormalization.test.ts).",
    "source": "https://github.com/IABTechLab/uid2-web-integrations/blob/"
    "6048b60a249bd6baca439b6c6607b54e49bc5d09/src/unitTests/{file}",
    "file_name": "diiNormalization.test.ts",
    "functions": {"normalizeEmail": "email", "isNormalizedPhone": "phone"},
    "types": {},
    "skip": re.compile(r"^\b$"),
    "truthy_is_input": True,
}
VENDORS["uid2"] = {
    "out": "uid2-operator.json",
    "profile": "uid2",
    "description": "UID2 operator input normalisation unit tests (uid2-operator "
    "src/test/java/com/uid2/operator/InputNormalizationTest.java): e-mails valid (with the "
    "operator's published hash) and invalid, phone numbers normalised or not.",
    "source": "https://github.com/IABTechLab/uid2-operator/blob/"
    "ac64c26b504fde5afad531a80d0e260be4c7a1ae/src/test/java/com/uid2/operator/{file}",
    "functions": {"normalizeEmail": "email", "isPhoneNumberNormalized": "phone"},
    "types": {},
    "skip": re.compile(r"^\b$"),
}


def java_uid2_cases(path):
    """The string cases of InputNormalizationTest.java, per test method:
    invalid e-mails, valid e-mail triples (input, normalised, base64 hash),
    phone numbers that are or are not normalised."""
    src = pathlib.Path(path).read_text(encoding="utf-8")
    lit = r'"((?:[^"\\]|\\.)*)"'

    def strings(body):
        return [json.loads(f'"{m}"') for m in re.findall(lit, body)]

    def method(name):
        m = re.search(r"public void " + name + r"\(\)\s*\{(.*?)\n    \}", src, re.S)
        body = m.group(1)
        return body[: body.index("for (")]

    file = pathlib.Path(path).name
    out = []
    for s in strings(method("testInvalidEmailNormalization")):
        out.append({"fn": "normalizeEmail", "args": [s], "expected": None, "file": file})
    for row in re.findall(r"new String\[\]\{(" + lit + r",\s*" + lit + r",\s*" + lit + r")\}",
                          method("testValidEmailNormalization")):
        i, n, h = strings(row[0])
        out.append({"fn": "normalizeEmail", "args": [i], "expected": n, "published": h, "file": file})
    for s in strings(method("testPhoneNumberIsNormalizedNegative")):
        out.append({"fn": "isPhoneNumberNormalized", "args": [s], "expected": None, "file": file})
    for s in strings(method("testPhoneNumberIsNormalizedPositive")):
        out.append({"fn": "isPhoneNumberNormalized", "args": [s], "expected": s, "file": file})
    return out


VENDORS["meta-php"] = dict(
    VENDORS["meta"],
    out="meta-param-builder-php.json",
    description="Meta capi-param-builder's PHP server library unit tests "
    "(php/capi-param-builder/tests/*UtilsTest.php), the inputs not already in "
    "meta-param-builder.json or meta-param-builder-node.json; vendorExpected is the test's "
    "own expectation.",
    source="https://github.com/facebook/capi-param-builder/blob/"
    "b0b6f0b19e042ff0ae723f684495dde8935a6ff0/php/capi-param-builder/tests/{file}",
    dedupe=["meta-param-builder.json", "meta-param-builder-node.json"],
)


def php_string(lit):
    """The value of a PHP string literal (single- or double-quoted)."""
    q, body = lit[0], lit[1:-1]
    if q == '"' and re.search(r"\$[{\w]|\{\$", body):
        return None  # interpolated at run time: no fixed value
    if q == "'":
        return re.sub(r"\\(['\\])", r"\1", body)
    simple = {"n": "\n", "t": "\t", "r": "\r", "v": "\v", "f": "\f", "0": "\0",
              "\\": "\\", '"': '"', "$": "$", "e": "\x1b"}

    def esc(m):
        e = m.group(1)
        if e.startswith("u{"):
            return chr(int(e[2:-1], 16))
        if e.startswith("x"):
            return chr(int(e[1:], 16))
        return simple.get(e, "\\" + e)

    return re.sub(r"\\(u\{[0-9a-fA-F]+\}|x[0-9a-fA-F]{1,2}|.)", esc, body)


def php_cases(paths):
    """One pair per PHPUnit test method of the shape
    `$v = '<literal>'; $expected = '<literal>'|null; $result = X::getNormalizedY($v);
    assertEquals($expected, $result)` (or assertNull($result)); other methods
    (arrays, loops, hashed inputs built at run time) are skipped."""
    lit = r"('(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")"
    out = []
    for path in paths:
        src = pathlib.Path(path).read_text(encoding="utf-8")
        file = pathlib.Path(path).name
        for body in re.split(r"public function test\w*\(\)", src)[1:]:
            calls = re.findall(r"::(getNormalized\w+)\(\s*(\$\w+|" + lit + r")\s*\)", body)
            if len(calls) != 1:
                continue
            fn, arg = calls[0][0], calls[0][1]
            values = {m[0]: php_string(m[1]) for m in re.findall(r"(\$\w+)\s*=\s*" + lit + r"\s*;", body)}
            values = {k: v for k, v in values.items() if v is not None}
            nulls = set(re.findall(r"(\$\w+)\s*=\s*null\s*;", body))
            value = values.get(arg) if arg.startswith("$") else php_string(arg)
            if value is None:
                continue
            if re.search(r"assertNull\(\s*\$result\s*\)", body):
                expected = None
            else:
                m = re.search(r"assert(?:Equals|Same)\(\s*(\$\w+|" + lit + r")\s*,\s*\$result\s*\)", body)
                if not m:
                    continue
                e = m.group(1)
                if e.startswith("$"):
                    if e in nulls:
                        expected = None
                    elif e in values:
                        expected = values[e]
                    else:
                        continue
                else:
                    expected = php_string(e)
                    if expected is None:
                        continue
            out.append({"fn": fn, "args": [value], "expected": expected, "file": file})
    return out


# (profile, field, input) -> our expectation where it deliberately differs
# from the vendor library; each says why (tests/vectors/README.md lists them).
MAX_INPUT_BYTES = 1024
_TOO_LONG = (
    "Longer than 1,024 bytes: every profile refuses such input before reading it "
    "(MAX_INPUT_BYTES), where the library reads any length."
)
_AMBIGUOUS = (
    "Both readings are dates and no dateOrder or region is given: refused as ambiguous "
    "(the library guesses month first). Options that change meaning stay explicit (issue 15); "
    "with dateOrder mdy or region US we give the library's value."
)
DEVIATIONS = {
    ("meta", "dateOfBirth", v): {"error": "date.ambiguous", "note": _AMBIGUOUS}
    for v in (
        "03-05-1995",
        "05-03-1995",
        "01-02-1990",
        "02-01-1990",
        "05-09-2000",
        "05-08-1990",
        "1/5/1990",
        "01/05/1990",
    )
}
DEVIATIONS[("meta", "dateOfBirth", "01-01-2028")] = {
    "normalized": "20280101",
    "note": "The library's latest year is the current year + 1 (its test was written in "
    "2026); the core has no clock, so its bound is a fixed 2100.",
}


def cases_for(vendor: str, records):
    v = VENDORS[vendor]
    seen = {}
    skip_keys = set()
    dedupe = v.get("dedupe") or []
    for name in [dedupe] if isinstance(dedupe, str) else dedupe:
        other = json.loads((ROOT / name).read_text(encoding="utf-8"))
        skip_keys |= {(c["field"], c["input"]) for c in other["cases"]}
    for r in records:
        args = r.get("args") or []
        if r["fn"] in v["functions"]:
            field = v["functions"][r["fn"]]
        elif r["fn"] == "getNormalizedPII" and len(args) > 1 and isinstance(args[1], str):
            field = v["types"].get(args[1])
        else:
            field = None
        if field is None or not args or (r.get("types") or ["string"])[0] != "string":
            continue
        value = args[0]
        if v["skip"].match(value):
            continue
        expected = r["expected"]
        if expected is True and v.get("truthy_is_input"):
            expected = value
        if expected == "":
            expected = None  # an empty result is no value (getNormalizedPII gives null)
        if expected is not None and not isinstance(expected, str):
            continue
        key = (field, value)
        if key in skip_keys:
            continue
        if key in seen:
            if seen[key]["vendorExpected"] != expected:
                raise SystemExit(f"{vendor}: the vendor's tests disagree on {key}")
            continue
        case = {
            "source": v["source"].format(file=v.get("file_name", r["file"])),
            "field": field,
            "profile": v["profile"],
            "input": value,
            "vendorExpected": expected,
        }
        if r.get("published"):
            case["publishedHash"] = r["published"]
        dev = DEVIATIONS.get((v["profile"], field, value))
        if len(value.encode("utf-8")) > MAX_INPUT_BYTES:
            dev = {"error": "value.too_long", "note": _TOO_LONG}
        if dev:
            assert dev.get("note"), key
            case.update(dev)
        elif expected is None:
            case["refused"] = True
        else:
            case["normalized"] = expected
        seen[key] = case
    return list(seen.values())


def agreement():
    rows = {}
    for path in sorted(ROOT.glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        for c in doc.get("cases", []):
            if "vendorExpected" not in c:
                continue
            ours = c.get("normalized")
            same = ours == c["vendorExpected"]
            key = (path.name, c["profile"])
            n, ok = rows.get(key, (0, 0))
            rows[key] = (n + 1, ok + same)
    print("| file | profile | vendor cases | same result | agreement |")
    print("|---|---|---|---|---|")
    for (f, p), (n, ok) in sorted(rows.items()):
        print(f"| {f} | {p} | {n} | {ok} | {100 * ok / n:.1f}% |")


def main():
    if sys.argv[1:2] == ["--agreement"]:
        agreement()
        return
    vendor, src = sys.argv[1], sys.argv[2]
    if src.endswith(".java"):
        records = java_uid2_cases(src)
    elif src.endswith(".php"):
        records = php_cases(sys.argv[2:])
    else:
        records = json.loads(pathlib.Path(src).read_text(encoding="utf-8"))
    cases = cases_for(vendor, records)
    v = VENDORS[vendor]
    doc = {"family": f"vendor-{vendor}", "description": v["description"], "cases": cases}
    (ROOT / v["out"]).write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{v['out']}: {len(cases)} cases", file=sys.stderr)


if __name__ == "__main__":
    main()
