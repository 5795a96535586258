#!/usr/bin/env bash
# Creates (idempotently) the venv that builds and tests the Python package
# (maturin, pyarrow, duckdb, splink, pytest; pinned in requirements.txt) under
# target/, so `cargo clean` removes it. Reinstalls when the pins change.
# Prints the venv's python.
set -euo pipefail
cd "$(dirname "$0")/../.."
venv=target/python-venv
py="$venv/bin/python"
req=scripts/python/requirements.txt
stamp="$venv/.requirements"
if ! [ -x "$py" ] || ! cmp -s "$req" "$stamp"; then
    rm -rf "$venv"
    python3 -m venv "$venv" >&2
    "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$req" >&2
    cp "$req" "$stamp"
fi
echo "$py"
