#!/usr/bin/env bash
# Creates (idempotently) the throw-away venv with clkhash 0.18.3, the oracle for
# src/clk/, under target/ so `cargo clean` removes it. Prints the venv's python.
set -euo pipefail
cd "$(dirname "$0")/../.."
venv=target/clkhash-venv
py="$venv/bin/python"
if ! "$py" -c 'import importlib.metadata as m; assert m.version("clkhash") == "0.18.3"' 2>/dev/null; then
    rm -rf "$venv"
    python3 -m venv "$venv" >&2
    "$venv/bin/pip" install --quiet --disable-pip-version-check clkhash==0.18.3 >&2
fi
echo "$py"
