// Driven by scripts/portal/bench_1m.sh (which writes the benchmark-only
// configs and the file into DIR): starts the release server with them, lets
// the company's pipeline upload its directory, then drops DIR/partner.csv on
// /portal/ in headless Chromium and times it from the click to the results.
//
//   node scripts/portal/bench_1m.mjs DIR
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer, launchChromium } from '../../tests/js/e2e/harness.mjs';
import { runCompanyPipeline } from '../../tests/js/e2e/linkage-harness.mjs';

const dir = process.argv[2];
if (!dir) throw new Error('usage: node scripts/portal/bench_1m.mjs DIR');
const file = path.join(dir, 'partner.csv');
const db = mkdtempSync(path.join(tmpdir(), 'pseudolink-bench-1m-'));
const t = Date.now();
const server = await startServer({
    keyserver: path.join(dir, 'keyserver.json'), linkage: path.join(dir, 'linkage.json'), linkageDb: path.join(db, 'linkage.sqlite'),
});
let browser;
try {
    const company = await runCompanyPipeline(server.url);
    console.log(`bench_1m: server up, the company's directory uploaded in ${((Date.now() - t) / 1000).toFixed(1)} s (${company.stdout.trim().split('\n').at(-1)})`);
    browser = await launchChromium();
    const page = await browser.context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(new URL('/portal/', server.url).href, { waitUntil: 'networkidle' });
    await page.waitForSelector('body[data-ready="true"]');
    await page.setInputFiles('#file', file);
    await page.waitForSelector('#start:not([disabled])', { timeout: 120_000 });
    const t0 = Date.now();
    await page.click('#start');
    // Progress every minute, so a long run shows it is alive.
    const tick = setInterval(() => {
        page.$eval('#progressText', (e) => e.textContent).then(
            (p) => console.log(`bench_1m: ${((Date.now() - t0) / 1000).toFixed(0)} s: ${p}`), () => {});
    }, 60_000);
    try {
        await page.waitForSelector('body[data-done="true"], body[data-error]', { timeout: 4 * 3600_000 });
    } finally {
        clearInterval(tick);
    }
    const wall = Date.now() - t0;
    const out = await page.evaluate(() => ({
        error: document.body.dataset.error ?? null,
        errorText: document.querySelector('#error').textContent,
        ms: document.querySelector('#timeTaken').dataset.ms,
        linked: document.querySelector('#linkedCount').dataset.linked,
        rows: document.querySelector('#summaryText').dataset.rows,
        text: document.querySelector('#progressText').textContent,
    }));
    if (out.error) throw new Error(`bench_1m: the portal stopped: ${out.error}: ${out.errorText}`);
    console.log(`bench_1m: ${Number(out.rows).toLocaleString('en')} rows (${(statSync(file).size / 1e6).toFixed(1)} MB), `
        + `click to results ${(wall / 1000).toFixed(1)} s (page: ${(out.ms / 1000).toFixed(1)} s); ${out.linked} matched; ${out.text}`
        + `${errors.length ? ` page errors: ${errors.join('; ')}` : ''}`);
} finally {
    await browser?.close().catch(() => {});
    await server.stop().catch(() => {});
    rmSync(db, { recursive: true, force: true });
}
