// CLK encoding and linking through the `pseudolink/link` JS API, in Node 20
// and then in headless Chromium, one after the other (after `make pkg`):
//
//   node benches/js/link.mjs clk  ROWS.json   rows written by `scripts/clk/oracle.py bench`
//   node benches/js/link.mjs link SYNTH_DIR   a.csv, b.csv, truth.csv of `pseudolink-synth link`
//
// PKG=<dir under the repository> times another build of the package (default pkg).
// Prints one JSON line per runtime. The browser half serves the repository on
// 127.0.0.1 and runs benches/js/link-bench.js in a page, which fetches the
// same input (converted once to JSON under target/link-bench/).
import { createServer } from 'node:http';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as bench from './link-bench.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const [mode, input] = process.argv.slice(2);
if (!['clk', 'link'].includes(mode) || !input) {
  console.error('usage: node benches/js/link.mjs clk ROWS.json | link SYNTH_DIR');
  process.exit(2);
}
const RUNS = Number(process.env.RUNS ?? 3);
const PKG = process.env.PKG ?? 'pkg';

/** RFC 4180 CSV (as scripts/synth writes it) to objects keyed by the header. */
function readCsv(file) {
  const text = readFileSync(file, 'utf8');
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (c === '"') quoted = false; else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; } else if (c === '\n') { row.push(field); rows.push(row); row = []; field = ''; } else if (c !== '\r') field += c;
  }
  if (field !== '' || row.length) { row.push(field); rows.push(row); }
  const [header, ...body] = rows;
  return body.map((r) => Object.fromEntries(header.map((h, k) => [h, r[k]]).filter(([, v]) => v !== '')));
}

let data;
if (mode === 'clk') {
  const doc = JSON.parse(readFileSync(input, 'utf8'));
  const schema = JSON.parse(readFileSync(path.join(root, 'tests/vectors/clk', doc.schema), 'utf8'));
  data = { schema, secret: doc.secret, rows: doc.rows, runs: RUNS };
} else {
  const truth = readCsv(path.join(input, 'truth.csv')).map((r) => [r.a_id, r.b_id]);
  data = { a: readCsv(path.join(input, 'a.csv')), b: readCsv(path.join(input, 'b.csv')), truth, runs: RUNS };
}
const work = path.join(root, 'target/link-bench');
mkdirSync(work, { recursive: true });
writeFileSync(path.join(work, `js-${mode}-input.json`), JSON.stringify(data));

// Node.
{
  const m = await import(path.join(root, PKG, 'link-node.js'));
  const result = bench[mode]({ m, ...data });
  console.log(JSON.stringify({ runtime: `node ${process.version}`, ...result }));
}

// Headless Chromium.
const require = createRequire(path.join(root, 'tests/js/package.json'));
const { chromium } = require('playwright-core');
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json' };
const server = createServer(async (req, res) => {
  const url = new URL(req.url, 'http://x').pathname;
  if (url === '/') { res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>link bench</title>'); return; }
  const file = path.join(root, decodeURIComponent(url));
  if (!file.startsWith(root + path.sep)) { res.writeHead(403).end(); return; }
  try {
    const body = await readFile(file);
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' }).end(body);
  } catch { res.writeHead(404).end(); }
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = await browser.newPage();
  page.on('pageerror', (e) => { console.error(e); process.exitCode = 1; });
  await page.goto(`http://127.0.0.1:${server.address().port}/`);
  const result = await page.evaluate(async ([mode, file, pkg]) => {
    const m = await import(`/${pkg}/pseudolink_link.js`);
    await m.default();
    const bench = await import('/benches/js/link-bench.js');
    const data = await (await fetch(file)).json();
    return bench[mode]({ m, ...data });
  }, [mode, `/target/link-bench/js-${mode}-input.json`, PKG]);
  console.log(JSON.stringify({ runtime: `chromium ${browser.version()}`, ...result }));
} finally {
  await browser.close();
  server.close();
}
