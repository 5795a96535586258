#!/usr/bin/env bash
# Benchmark only (not in `make test`): the partner portal on a 1,000,000-row
# file in headless Chromium, against the real pages, key server and linkage
# service of one release pseudolink-server on 127.0.0.1.
#
# The demo's limits (10,000 rows an upload, 20,000 records and key-server
# evaluations a day) refuse such a file, early and in a sentence; this run
# uses a BENCHMARK-ONLY copy of the demo configs, written to a temporary
# directory, with the partner's limits raised (2,000,000 rows an upload,
# 5,000,000 a day, key-server quota 50,000,000 a day). The seeds, store key
# and credentials are the demo's (DEMO ONLY, see demo/).
#
# The file has the demo partner file's shape and columns: its 1,000 rows
# (half of them customers of the company's directory), then rows of people
# the directory does not have (pseudolink-synth, seed 7), 1,000,000 in all.
#
#   scripts/portal/bench_1m.sh [rows]     # default 1000000; needs pkg/ (make pkg)
#
# Prints the time from the click on "Find my customers" to the results, and
# the page's own breakdown (read, tokens and CLKs, upload, link).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROWS=${1:-1000000}

[[ -f pkg/pseudolink_link_bg.wasm ]] || { echo "bench_1m: pkg/ not built: run make pkg" >&2; exit 1; }
[[ -d tests/js/node_modules/playwright-core ]] || { echo "bench_1m: run (cd tests/js && npm ci)" >&2; exit 1; }
cargo build --quiet --release --locked --features server --bin pseudolink-server
cargo build --quiet --release --locked -p pseudolink-synth

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Benchmark-only configs: the demo's, with absolute paths and the partner's limits raised.
node - "$tmp" <<'JS'
const fs = require('fs');
const path = require('path');
const out = process.argv[2];
const ks = JSON.parse(fs.readFileSync('demo/keyserver/keyserver.json', 'utf8'));
ks['//'] = 'BENCHMARK ONLY (scripts/portal/bench_1m.sh): the demo config with the partner quota raised.';
for (const k of ks.keys) k.seedFile = path.resolve('demo/keyserver', k.seedFile);
for (const p of ks.partners) Object.assign(p, { ratePerSecond: 1000000, burst: 10000000, quotaPerDay: 50000000 });
fs.writeFileSync(path.join(out, 'keyserver.json'), JSON.stringify(ks, null, 1));
const lk = JSON.parse(fs.readFileSync('demo/linkage/linkage.json', 'utf8'));
lk['//'] = 'BENCHMARK ONLY (scripts/portal/bench_1m.sh): the demo config with the partner limits raised.';
lk.storeKeyFile = path.resolve('demo/linkage', lk.storeKeyFile);
for (const p of lk.projects) {
  for (const party of p.parties) {
    Object.assign(party, { maxRecords: 2000000, recordsPerDay: 5000000, ratePerSecond: 1000, burst: 10000 });
  }
}
fs.writeFileSync(path.join(out, 'linkage.json'), JSON.stringify(lk, null, 1));
JS

# The file: the demo partner's rows, then synth people the directory does not have, in its columns.
extra=$((ROWS > 1000 ? ROWS - 1000 : 0))
target/release/pseudolink-synth link --n "$((extra > 0 ? extra : 1))" --overlap 0 --seed 7 --out "$tmp/synth" >/dev/null 2>&1
python3 - "$tmp" "$ROWS" <<'PY'
import csv, sys
out, rows = sys.argv[1], int(sys.argv[2])
cols = [('externalId', 'Customer No'), ('firstName', 'First Name'), ('lastName', 'Last Name'),
        ('email', 'Email Address'), ('phone', 'Phone'), ('street', 'Address'), ('city', 'City'),
        ('state', 'State'), ('postalCode', 'Zip'), ('country', 'Country'), ('dateOfBirth', 'Date of Birth'),
        ('gender', 'Gender'), ('companyName', 'Company')]
with open('www/portal/demo-partner.csv', newline='', encoding='utf-8') as f:
    demo = list(csv.reader(f))
with open(f'{out}/partner.csv', 'w', newline='', encoding='utf-8') as f:
    w = csv.writer(f, lineterminator='\r\n')
    w.writerow(demo[0])
    n = 0
    for r in demo[1:1 + min(rows, 1000)]:
        w.writerow(r)
        n += 1
    with open(f'{out}/synth/b.csv', newline='', encoding='utf-8') as s:
        for r in csv.DictReader(s):
            if n >= rows:
                break
            w.writerow([r[c] for c, _ in cols])
            n += 1
PY
echo "bench_1m: $(($(wc -l <"$tmp/partner.csv") - 1)) rows, $(du -h "$tmp/partner.csv" | cut -f1) (the demo partner file's columns)"
PSEUDOLINK_SERVER=target/release/pseudolink-server node scripts/portal/bench_1m.mjs "$tmp"
