#!/usr/bin/env bash
# `make python`: builds the Python package as an abi3 wheel (maturin, cargo
# profile `wheel`), installs it into the pinned venv (scripts/python/venv.sh),
# runs its tests (python/tests: API and codes, oblivious tokens against the
# demo key server, the Splink DuckDB dedupe job, the linkage service's
# Splink job and the service running it, model exchange, README's python
# blocks) and the three-way conformance check (tests/conformance:
# native Rust, the npm package in Node, the wheel; needs pkg/, built by the
# pkg stage, and the debug server from test-server for the key-server tests).
set -euo pipefail
cd "$(dirname "$0")/../.."
py="$PWD/$(scripts/python/venv.sh)"
bin=$(dirname "$py")

rm -rf target/wheels
VIRTUAL_ENV=$(dirname "$bin") PATH="$bin:$PATH" \
    maturin build --quiet --profile wheel --locked -m python/Cargo.toml -o target/wheels
"$bin/pip" install --quiet --disable-pip-version-check --force-reinstall --no-deps target/wheels/pseudolink-*-abi3-*.whl

# From python/tests, so `import pseudolink` is the installed wheel, not python/pseudolink.
(cd python/tests && "$py" -m pytest -q -p no:cacheprovider .)

# The linkage service sending a large run to this wheel's Splink job
# (tests/linkage.rs, ignored elsewhere: it needs the wheel).
PSEUDOLINK_TEST_PYTHON="$py" cargo test --quiet --locked --features server --test linkage -- --ignored

mkdir -p target/conformance
cargo test --quiet --locked --test conformance
node tests/conformance/node.mjs tests/conformance/inputs.json target/conformance/node.json
(cd python/tests && "$py" ../../tests/conformance/python.py ../../tests/conformance/inputs.json ../../target/conformance/python.json)
"$py" tests/conformance/compare.py target/conformance/rust.json target/conformance/node.json target/conformance/python.json
