#!/usr/bin/env python3
"""Write tests/vectors/tokens.json: keyed-token vectors computed with Python's
hmac/hashlib from the format in src/token.rs (and SECURITY.md), independently of
the Rust code.

  token   = "pl1." + subject + "." + keyId + "." + base64url_nopad(tag)
  tag     = HMAC-SHA-256(secret, b"pseudolink/token/v1" + b"\\0" + subject + b"\\0" + body)
  field:     subject = field wire name, body = UTF-8 normalised value
  match key: subject = "mk-" + name,   body = for each part: u32be(len) + bytes

Inputs are already-normalised values (normalisation has its own vectors), so
these vectors pin the token format alone.

  python3 scripts/vectors/token_vectors.py
"""
import base64
import hashlib
import hmac
import json
import pathlib
import struct

OUT = pathlib.Path(__file__).resolve().parents[2] / "tests" / "vectors" / "tokens.json"

# Secrets are fixed test bytes (never real keys): 32 bytes 0x00..0x1f, and 64 bytes of 0x0b.
KEYS = {
    "k2026": bytes(range(32)),
    "legacy-1": b"\x0b" * 64,
}


def b64url(b: bytes) -> str:
    return base64.urlsafe_b64encode(b).decode().rstrip("=")


def token(key_id: str, subject: str, body: bytes) -> str:
    msg = b"pseudolink/token/v1\x00" + subject.encode() + b"\x00" + body
    tag = hmac.new(KEYS[key_id], msg, hashlib.sha256).digest()
    return f"pl1.{subject}.{key_id}.{b64url(tag)}"


def main() -> None:
    cases = []
    fields = [
        ("email", "jonsmith@gmail.com"),
        ("phone", "+14155550100"),
        ("firstName", "jon"),
        ("lastName", "smith"),
        ("dateOfBirth", "19850214"),
        ("postalCode", "94105"),
        ("street", "1600 amphitheatre pkwy"),
        ("companyName", "acme"),
        ("duns", "150483782"),
        ("externalId", "CUST-000123"),
        ("city", "zürich"),
    ]
    for key_id in KEYS:
        for field, value in fields:
            cases.append({
                "kind": "field", "keyId": key_id, "field": field, "value": value,
                "token": token(key_id, field, value.encode()),
            })
    match_keys = [
        ("nameDob", ["smith", "j", "19850214"]),
        ("addressName", ["94105", "1600", "smith"]),
        ("x", ["ab", "c"]),
        ("x", ["a", "bc"]),
    ]
    for key_id in KEYS:
        for name, parts in match_keys:
            body = b"".join(struct.pack(">I", len(p.encode())) + p.encode() for p in parts)
            cases.append({
                "kind": "matchKey", "keyId": key_id, "name": name, "parts": parts,
                "token": token(key_id, "mk-" + name, body),
            })
    doc = {
        "family": "tokens",
        "description": "Keyed token format pl1: HMAC-SHA-256, domain-separated by subject; computed by scripts/vectors/token_vectors.py with Python hmac+hashlib.",
        "source": "https://www.rfc-editor.org/rfc/rfc2104 (HMAC), https://www.rfc-editor.org/rfc/rfc4648#section-5 (base64url); format defined in src/token.rs",
        "keys": {k: v.hex() for k, v in KEYS.items()},
        "cases": cases,
    }
    OUT.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {len(cases)} token vectors to {OUT}")


if __name__ == "__main__":
    main()
