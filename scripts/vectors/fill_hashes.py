#!/usr/bin/env python3
"""Compute the expected platform hash of every test vector with Python's hashlib.

The Rust code never computes an expected value: for each case that has a
`normalized` form this script writes `hash` = the profile's encoding of
SHA-256(UTF-8 of `normalized`), independently of pseudolink:

  uid2        standard base64 (padded) of the 32-byte digest
  google      lowercase hex, except city/state/postalCode/country, which Google
              takes unhashed (hash = null)
  meta        lowercase hex
  tiktok      lowercase hex
  pinterest   lowercase hex
  snap        lowercase hex
  linkedin    lowercase hex
  pair        lowercase hex
  pseudolink  lowercase hex

Where a vendor page publishes the hash itself (`publishedHash`), the script
checks it equals the computed one and fails loudly if not.

  python3 scripts/vectors/fill_hashes.py          # rewrite tests/vectors/*.json
  python3 scripts/vectors/fill_hashes.py --check  # exit 1 if any file would change
"""
import base64
import hashlib
import json
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2] / "tests" / "vectors"
GOOGLE_PLAIN = {"city", "state", "postalCode", "country"}


def expected_hash(profile: str, field: str, normalized: str):
    digest = hashlib.sha256(normalized.encode("utf-8")).digest()
    if profile == "uid2":
        return base64.b64encode(digest).decode("ascii")
    if profile == "google" and field in GOOGLE_PLAIN:
        return None
    if profile in ("google", "meta", "pseudolink", "tiktok", "pinterest", "snap", "linkedin", "pair"):
        return digest.hex()
    raise SystemExit(f"unknown profile {profile!r}")


def main() -> int:
    check = "--check" in sys.argv
    changed = []
    for path in sorted(ROOT.glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        for i, case in enumerate(doc.get("cases", [])):
            if "normalized" not in case:
                case.pop("hash", None)
                continue
            h = expected_hash(case["profile"], case["field"], case["normalized"])
            pub = case.get("publishedHash")
            if pub is not None and pub not in (h, (h or "").upper()):
                raise SystemExit(f"{path.name} case #{i}: published hash {pub} != hashlib {h}")
            case["hash"] = h
        out = json.dumps(doc, ensure_ascii=False, indent=1) + "\n"
        if out != path.read_text(encoding="utf-8"):
            changed.append(path.name)
            if not check:
                path.write_text(out, encoding="utf-8")
    if check and changed:
        print("hashes out of date in: " + ", ".join(changed), file=sys.stderr)
        return 1
    print(("checked" if check else "updated") + f" {len(list(ROOT.glob('*.json')))} vector files")
    return 0


if __name__ == "__main__":
    sys.exit(main())
