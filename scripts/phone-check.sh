#!/usr/bin/env bash
# `make phone-check`: src/normalize/phone/metadata.rs is what
# scripts/gen_phone_metadata.py generates from its pinned phonenumbers, run in
# a throw-away venv under target/ (as scripts/clk/venv.sh does for clkhash).
#   scripts/phone-check.sh            exit 1 if the table is out of date
#   scripts/phone-check.sh --write    regenerate it
set -euo pipefail
cd "$(dirname "$0")/.."
pin="$(sed -n 's/^PINNED = "\(.*\)"$/\1/p' scripts/gen_phone_metadata.py)"
[[ -n "$pin" ]] || { echo "phone-check: no PINNED in scripts/gen_phone_metadata.py" >&2; exit 1; }
venv=target/phonenumbers-venv
py="$venv/bin/python"
if ! "$py" -c "import importlib.metadata as m; assert m.version('phonenumbers') == '$pin'" 2>/dev/null; then
    rm -rf "$venv"
    python3 -m venv "$venv" >&2
    "$venv/bin/pip" install --quiet --disable-pip-version-check "phonenumbers==$pin" >&2
fi
if [[ "${1:-}" == --write ]]; then
    exec "$py" scripts/gen_phone_metadata.py
fi
exec "$py" scripts/gen_phone_metadata.py --check
