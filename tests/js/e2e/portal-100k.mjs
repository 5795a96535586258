// One-off measurement (not part of `make e2e`): the partner portal on a
// 100,000-row file in headless Chromium. Reports the time from "Link my
// customers" to the links, then to the rows' place in the identity graph, and
// how responsive the page stayed meanwhile (the longest gap between animation
// frames on the main thread). With the demo directory's seed, every one of its
// 2,500 synthetic people is among the rows (the generator's entities depend on
// the seed and their number only).
//
//   cargo build --release -p pseudolink-synth && make pkg server
//   (cd tests/js && node e2e/portal-100k.mjs [rows])
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ROOT, startHarness } from './harness.mjs';

const rows = Number(process.argv[2] ?? 100_000);
const dir = mkdtempSync(path.join(tmpdir(), 'portal-100k-'));
const h = await startHarness();
try {
    execFileSync(path.join(ROOT, 'target', 'release', 'pseudolink-synth'),
        ['link', '--n', String(rows), '--overlap', '0.5', '--seed', '2026', '--out', dir], { stdio: 'ignore' });
    const csv = readFileSync(path.join(dir, 'b.csv'));
    const { page, errors } = await h.open('/portal/');
    await page.waitForSelector('body[data-ready="true"]');
    // The first visit builds and stores the directory graph: not part of the file's time.
    const d0 = Date.now();
    await page.waitForSelector('body[data-directory="ready"]', { timeout: 120_000 });
    console.log(`directory graph built and stored in ${((Date.now() - d0) / 1000).toFixed(1)} s`);
    await page.setInputFiles('#file', { name: 'big.csv', mimeType: 'text/csv', buffer: csv });
    await page.waitForSelector('#start:not([disabled])');
    // Watch the main thread: the longest gap between animation frames.
    await page.evaluate(() => {
        window.maxGap = 0;
        let last = performance.now();
        const f = (t) => { window.maxGap = Math.max(window.maxGap, t - last); last = t; if (!document.body.dataset.overlay) requestAnimationFrame(f); };
        requestAnimationFrame(f);
    });
    const t0 = Date.now();
    await page.click('#start');
    const poll = setInterval(async () => {
        const t = await page.$eval('#progressText', (e) => e.textContent).catch(() => '');
        console.log(`  ${((Date.now() - t0) / 1000).toFixed(0)} s: ${t}`);
    }, 10_000);
    let linkedAt = 0;
    try {
        await page.waitForSelector('body[data-done="true"]', { timeout: 600_000 });
        linkedAt = Date.now() - t0;
        await page.waitForSelector('body[data-overlay]', { timeout: 600_000 });
    } finally {
        clearInterval(poll);
    }
    const wall = Date.now() - t0;
    const out = await page.evaluate(() => ({
        maxGap: Math.round(window.maxGap),
        linked: document.querySelector('#linkedCount').dataset.linked,
        text: document.querySelector('#progressText').textContent,
        overlay: document.querySelector('#overlayText').textContent,
    }));
    console.log(`${rows.toLocaleString('en')} rows (${(csv.length / 1e6).toFixed(1)} MB): links after ${(linkedAt / 1000).toFixed(1)} s, `
        + `graph after ${(wall / 1000).toFixed(1)} s wall; ${out.text} ${out.linked} linked; ${out.overlay} `
        + `Longest main-thread frame gap ${out.maxGap} ms; errors: ${errors.length}`);
    await h.screenshot(page, 'portal-100k');
} finally {
    await h.close();
    rmSync(dir, { recursive: true, force: true });
}
