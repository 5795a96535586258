// Headless Chromium driver: `node benches/js/browser.mjs` (after `make pkg`).
// WASM=scalar,simd (the pages, in order), ENTRY=link (the bulk entry),
// PKG=<dir under the root> (another build of the package).
// Serves the repository root on 127.0.0.1, opens bench.html, prints the result.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(path.join(root, 'tests/js/package.json'));
const { chromium } = require('playwright-core');
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json' };

const server = createServer(async (req, res) => {
  const file = path.join(root, decodeURIComponent(new URL(req.url, 'http://x').pathname));
  if (!file.startsWith(root)) { res.writeHead(403).end(); return; }
  try {
    const body = await readFile(file);
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' }).end(body);
  } catch { res.writeHead(404).end(); }
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const { port } = server.address();

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  // WASM=simd,scalar (default both, one page each, one after the other).
  for (const which of (process.env.WASM ?? 'scalar,simd').split(',')) {
    const page = await browser.newPage();
    page.on('pageerror', (e) => { console.error(e); process.exitCode = 1; });
    const extra = (process.env.ENTRY ? `&entry=${process.env.ENTRY}` : '') + (process.env.PKG ? `&pkg=/${process.env.PKG}` : '');
    await page.goto(`http://127.0.0.1:${port}/benches/js/bench.html?n=${process.env.N ?? 100000}&wasm=${which}${extra}`);
    const result = await page.waitForFunction(() => window.__result, null, { timeout: 300000 });
    console.log(JSON.stringify({ runtime: `chromium ${browser.version()}`, ...(await result.jsonValue()) }));
    await page.close();
  }
} finally {
  await browser.close();
  server.close();
}
