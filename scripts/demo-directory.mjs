// Generates the partner portal's demo data from pseudolink-synth output:
//
//   www/portal/demo-directory.json   the company's customer directory, pseudonymised
//                                    (ids, tokens, match keys, CLKs; no raw value)
//   www/portal/demo-partner.csv      a partner's file: raw *synthetic* rows, with
//                                    typos, nicknames, moves, missing values…
//   tests/js/e2e/fixtures/demo-partner-truth.csv
//                                    which partner row is which directory customer
//
//   node scripts/demo-directory.mjs --synth-dir DIR [--out ROOT] [--check]
//
// DIR holds `pseudolink-synth link` output (a.csv, b.csv, truth.csv); use
// scripts/demo-directory.sh, which makes it with the fixed seed. Tokens use the
// public DEMO_KEY and CLKs the public DEMO_CLK_SECRET of www/shared/demo-config.js,
// with the default CLK schema. The output is a pure function of the input: the
// same seed gives the same bytes. With --check nothing is written; it fails if
// a committed file differs from what would be generated.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { RecordEncoder } = await import(path.join(ROOT, 'pkg', 'link-node.js'));
const { parseCsv, toCsv } = await import(path.join(ROOT, 'www', 'portal', 'csv.js'));
// demo-config.js is a browser module with no package.json beside it: load its text as a module.
const config = await import(`data:text/javascript,${encodeURIComponent(readFileSync(path.join(ROOT, 'www', 'shared', 'demo-config.js'), 'utf8'))}`);

/** How many partner rows the demo file keeps (the first of synth's shuffled b.csv). */
export const PARTNER_ROWS = 1000;

/** Partner file columns: synth wire name → the header a partner's export would carry. */
const PARTNER_COLUMNS = [
  ['externalId', 'Customer No'], ['firstName', 'First Name'], ['lastName', 'Last Name'],
  ['email', 'Email Address'], ['phone', 'Phone'], ['street', 'Address'], ['city', 'City'],
  ['state', 'State'], ['postalCode', 'Zip'], ['country', 'Country'], ['dateOfBirth', 'Date of Birth'],
  ['gender', 'Gender'], ['companyName', 'Company'],
];

function args() {
  const a = { synthDir: null, out: ROOT, check: false };
  const v = process.argv.slice(2);
  for (let i = 0; i < v.length; i++) {
    if (v[i] === '--synth-dir') a.synthDir = v[++i];
    else if (v[i] === '--out') a.out = v[++i];
    else if (v[i] === '--check') a.check = true;
    else throw new Error(`unknown option ${v[i]}`);
  }
  if (!a.synthDir) throw new Error('usage: node scripts/demo-directory.mjs --synth-dir DIR [--out ROOT] [--check]');
  return a;
}

/** Rows of a CSV file as objects keyed by its header. */
function readTable(file) {
  const [header, ...rows] = parseCsv(readFileSync(file, 'utf8')).filter((r) => r.some((c) => c !== ''));
  return rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? ''])));
}

function generate(synthDir) {
  const a = readTable(path.join(synthDir, 'a.csv'));
  const b = readTable(path.join(synthDir, 'b.csv')).slice(0, PARTNER_ROWS);
  const truth = readTable(path.join(synthDir, 'truth.csv'));

  const enc = new RecordEncoder([{ id: config.DEMO_KEY_ID, secret: config.DEMO_KEY }], config.DEFINITION,
    { clkSchema: 'default', clkSecret: config.DEMO_CLK_SECRET });
  let encoded;
  try {
    encoded = enc.encodeBatch(a.map(({ id, ...fields }) => ({ id, ...fields })), {});
  } finally {
    enc.free();
  }
  // One customer per line: small diffs, and the file still parses as one JSON value.
  const records = encoded.map(({ id, tokens, matchKeys, clks }) => JSON.stringify({ id, tokens, matchKeys, clks }));
  const directory = `{"format":"pseudolink-directory/1","keyId":${JSON.stringify(config.DEMO_KEY_ID)},`
    + '"clkSchema":"default","generator":"scripts/demo-directory.sh","records":[\n'
    + `${records.join(',\n')}\n]}\n`;

  const partner = toCsv([PARTNER_COLUMNS.map(([, h]) => h), ...b.map((r) => PARTNER_COLUMNS.map(([f]) => r[f] ?? ''))]);

  const rowOf = new Map(b.map((r, i) => [r.id, i + 1]));
  const pairs = truth.filter((t) => rowOf.has(t.b_id)).map((t) => [rowOf.get(t.b_id), t.a_id]).sort((x, y) => x[0] - y[0]);
  const truthCsv = toCsv([['partner_row', 'directory_id'], ...pairs]);

  return {
    'www/portal/demo-directory.json': directory,
    'www/portal/demo-partner.csv': partner,
    'tests/js/e2e/fixtures/demo-partner-truth.csv': truthCsv,
  };
}

const opts = args();
const files = generate(opts.synthDir);
let stale = 0;
for (const [rel, text] of Object.entries(files)) {
  const file = path.join(opts.out, rel);
  if (opts.check) {
    let old = null;
    try { old = readFileSync(file, 'utf8'); } catch { /* missing */ }
    if (old !== text) { console.error(`demo-directory: ${rel} differs from the generator's output`); stale++; }
  } else {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
    console.log(`wrote ${rel} (${Buffer.byteLength(text).toLocaleString('en')} bytes)`);
  }
}
if (stale) {
  console.error('demo-directory: run scripts/demo-directory.sh to regenerate');
  process.exit(1);
}
if (opts.check) console.log('demo-directory: committed files match the generator');
