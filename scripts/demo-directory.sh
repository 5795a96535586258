#!/usr/bin/env bash
# Regenerates the demo data of the company console, the company pipeline and
# the partner portal (see scripts/demo-directory.mjs): the pseudonymised
# customer directory (www/console/: identity-graph records: persons,
# households, corporate families, orders and invoices), the company's raw
# synthetic CRM persons (demo/linkage/company-crm.csv), the synthetic partner
# CSV, its truth, and how the directory was built (for the e2e tests).
#
#   scripts/demo-directory.sh          # write the files
#   scripts/demo-directory.sh --check  # fail if the committed files are stale
#
# Needs the link package entry (make pkg) and builds pseudolink-synth.
# Same seed, same bytes.
set -euo pipefail
cd "$(dirname "$0")/.."

SEED=2026
# CRM customers; the partner file keeps the first 1,000 of an equally large
# second dataset, half of whose people are in the directory; the rest of it
# gives web-shop accounts of CRM customers and their family members.
N=2500

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cargo build --quiet --release --locked -p pseudolink-synth
target/release/pseudolink-synth link --n "$N" --overlap 0.5 --seed "$SEED" --out "$tmp" >/dev/null 2>&1 \
  || { echo "demo-directory: pseudolink-synth failed" >&2; exit 1; }
node scripts/demo-directory.mjs --synth-dir "$tmp" "$@"
