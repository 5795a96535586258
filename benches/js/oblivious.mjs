// Oblivious tokens, client side and end to end: `node benches/js/oblivious.mjs`
// (after `make pkg` and `cargo build --release --features server`).
//   1. blind + finalize µs per value in Node 20 and headless Chromium (benches/js/oblivious-bench.js)
//   2. the checkout page's time from "Place order" to the shop's answer (it
//      holds no key: one key-server round trip on loopback), medians of RUNS orders
// Starts the release server with a key server on free ports.
// BASELINE_PKG=<dir of another build's pkg/> (e.g. main's) times that build's
// client too, alternating with this one in the same Node process and the same
// Chromium, ROUNDS (3) times each, best of each, and prints the ratio.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(path.join(root, 'tests/js/package.json'));
const { chromium } = require('playwright-core');
const RUNS = Number(process.env.RUNS ?? 7);
const API_KEY = 'bench-client-key';

const dir = mkdtempSync(path.join(tmpdir(), 'pseudolink-obl-bench-'));
mkdirSync(path.join(dir, 'keys'));
writeFileSync(path.join(dir, 'keys', 'b1.seed'), randomBytes(32).toString('hex'));
writeFileSync(path.join(dir, 'keyserver.json'), JSON.stringify({
  activeKey: 'b1',
  keys: [{ version: 'b1', seedFile: 'keys/b1.seed' }],
  partners: [{ id: 'bench', apiKeySha256: createHash('sha256').update(API_KEY).digest('hex'), origins: ['pages'],
    ratePerSecond: 1e9, burst: 1e9, quotaPerDay: 1e12 }],
  maxBatch: 1024,
  maxBodyBytes: 1048576,
}));
// The checkout page pins the demo config's key server; run a second server for it.
const servers = [];
async function start(keyserver) {
  const child = spawn(path.join(root, 'target/release/pseudolink-server'),
    ['--port', '0', '--keyserver-port', '0', '--www', path.join(root, 'www'), '--pkg', path.join(root, 'pkg'), '--keyserver', keyserver],
    { stdio: ['ignore', 'pipe', 'ignore'] });
  servers.push(child);
  const lines = [];
  await new Promise((resolve) => createInterface({ input: child.stdout }).on('line', (l) => { lines.push(l.split(' ').at(-1)); if (lines.length === 2) resolve(); }));
  return { pages: lines[0], keyserver: lines[1] };
}

// A second server serving another build's pkg/, with its own key server
// (same key file; "pages" origins are per process).
async function startPages(pkg) {
  const child = spawn(path.join(root, 'target/release/pseudolink-server'),
    ['--port', '0', '--keyserver-port', '0', '--www', path.join(root, 'www'), '--pkg', path.resolve(pkg), '--keyserver', path.join(dir, 'keyserver.json')],
    { stdio: ['ignore', 'pipe', 'ignore'] });
  servers.push(child);
  const lines = [];
  await new Promise((resolve) => createInterface({ input: child.stdout }).on('line', (l) => { lines.push(l.split(' ').at(-1)); if (lines.length === 2) resolve(); }));
  return { pages: lines[0], keyserver: lines[1] };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
try {
  const bench = await start(path.join(dir, 'keyserver.json'));
  const keys = await (await fetch(`${bench.keyserver}/v1/keys`)).json();
  const args = { endpoint: bench.keyserver, publicKey: keys.keys[0].publicKey, apiKey: API_KEY };

  const m = await import(path.join(root, 'pkg/oblivious-node.js'));
  const { run } = await import('./oblivious-bench.js');
  const baselinePkg = process.env.BASELINE_PKG;
  const rounds = baselinePkg ? Number(process.env.ROUNDS ?? 3) : 1;
  // Best (lowest total) of `rounds` alternated runs per side.
  const best = (a, b) => (!a || b.totalUs < a.totalUs ? b : a);
  const report = (runtime, ours, base) => {
    console.log(JSON.stringify({ runtime, ...ours }));
    if (base) {
      console.log(JSON.stringify({ runtime, baseline: baselinePkg, ...base, totalRatio: +(base.totalUs / ours.totalUs).toFixed(2) }));
    }
  };
  {
    const mb = baselinePkg ? await import(path.join(path.resolve(baselinePkg), 'oblivious-node.js')) : null;
    let ours = null;
    let base = null;
    for (let i = 0; i < rounds; i++) {
      ours = best(ours, await run({ m, ...args }));
      if (mb) base = best(base, await run({ m: mb, ...args }));
    }
    report(`node ${process.version}`, ours, base);
  }

  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    // The bench function is not under www/: hand its source to the page (an
    // evaluation from the driver, which the page's CSP does not govern).
    const inPage = async (server) => {
      const page = await browser.newPage();
      await page.goto(`${server.pages}/`);
      const pageArgs = { ...args, endpoint: server.keyserver };
      const result = await page.evaluate(`(async () => {
        const m = await import('/pkg/oblivious.js');
        await m.default();
        return (${run.toString()})({ m, ...${JSON.stringify(pageArgs)} });
      })()`);
      await page.close();
      return result;
    };
    const baseServer = baselinePkg ? await startPages(baselinePkg) : null;
    let ours = null;
    let base = null;
    for (let i = 0; i < rounds; i++) {
      ours = best(ours, await inPage(bench));
      if (baseServer) base = best(base, await inPage(baseServer));
    }
    report(`chromium ${browser.version()}`, ours, base);

    // Checkout, end to end, against the demo key server config.
    const demo = await start(path.join(root, 'demo/keyserver/keyserver.json'));
    const fill = {
      firstName: 'Jon', lastName: 'Smith', email: 'jon.smith@gmail.com', phone: '+1 415-555-0100',
      street: '1600 Amphitheatre Parkway', city: 'Mountain View', state: 'CA', postalCode: '94043',
    };
    {
      const tokenize = [];
      const total = [];
      for (let i = 0; i < RUNS; i++) {
        const p = await browser.newPage();
        await p.goto(`${demo.pages}/checkout/`);
        await p.waitForSelector('body[data-ready="true"]');
        for (const [k, v] of Object.entries(fill)) await p.fill(`input[name="${k}"]`, v);
        await p.waitForSelector('#submit:not([disabled])');
        await p.click('#submit');
        await p.waitForSelector('#result:not([hidden])');
        const d = await p.$eval('#result', (el) => ({ ...el.dataset }));
        tokenize.push(Number(d.tokenizeMs));
        total.push(Number(d.totalMs));
        await p.close();
      }
      console.log(JSON.stringify({ checkout: 'oblivious', runs: RUNS, tokenizeMsMedian: median(tokenize), submitToAnswerMsMedian: median(total) }));
    }
  } finally {
    await browser.close();
  }
} finally {
  for (const s of servers) s.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}
