#!/usr/bin/env python3
"""`make msrv`: the crate's declared `rust-version` is true of its dependencies.

This machine has one Rust toolchain and cannot fetch another, so the MSRV is
checked in two parts instead of by a build with the old compiler:
  1. here: every package in Cargo.lock's resolved graph (normal, build and dev
     dependencies, every feature) declares a `rust-version` no newer than ours,
     so nothing we depend on needs a newer compiler than we promise;
  2. clippy's `incompatible_msrv` lint (on in `make clippy`, which reads the same
     `rust-version`) flags std APIs stabilised after it in our own code.
What neither catches: language features newer than the MSRV in our own code.

    python3 scripts/msrv-check.py
"""
import json
import subprocess
import sys


def version(text: str) -> tuple:
    parts = [int(p) for p in text.split(".")]
    return tuple(parts + [0] * (3 - len(parts)))


def main() -> None:
    meta = json.loads(subprocess.run(
        ["cargo", "metadata", "--format-version", "1", "--locked"],
        capture_output=True, text=True, check=True).stdout)
    members = set(meta["workspace_members"])
    ours = {p["name"]: p.get("rust_version") for p in meta["packages"] if p["id"] in members}
    msrv = ours.get("pseudolink")
    if not msrv:
        sys.exit("msrv-check: the pseudolink package declares no rust-version")
    newer = sorted(
        f"{p['name']} {p['version']} needs {p['rust_version']}"
        for p in meta["packages"]
        if p.get("rust_version") and version(p["rust_version"]) > version(msrv))
    if newer:
        sys.exit(f"msrv-check: rust-version is {msrv}, but these need newer:\n  " + "\n  ".join(newer))
    print(f"msrv-check: {len(meta['packages'])} packages, none needs a Rust newer than {msrv}")


if __name__ == "__main__":
    main()
