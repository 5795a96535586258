// One-off measurement (not part of `make e2e`: it times, and tests do not):
// the partner portal on a 1,000-row file, from the click on "Find my
// customers" to the results on the page, in headless Chromium against the
// real pages, key server and linkage service (the company's directory
// uploaded first by its pipeline). Encoding (oblivious tokens + hardened
// CLKs), upload, linking at the service and drawing are all inside the time.
// The target is 5 s. Runs the file `runs` times (default 3) in fresh
// pages and prints each time and the page's own breakdown.
//
//   make pkg server && (cd tests/js && node e2e/portal-1k.mjs [runs] [rows])
//
// rows (default 1,000, the demo file) above 1,000 repeat the demo file's rows;
// the demo partner's quotas (20,000 key-server evaluations and linkage
// records a day, 10,000 rows an upload) bound what one server start allows.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './harness.mjs';
import { startLinkageHarness } from './linkage-harness.mjs';

const runs = Number(process.argv[2] ?? 3);
const rows = Number(process.argv[3] ?? 1000);
const demo = readFileSync(path.join(ROOT, 'www', 'portal', 'demo-partner.csv'), 'utf8').trimEnd().split('\r\n');
const lines = [demo[0], ...Array.from({ length: rows }, (_, i) => demo[1 + (i % (demo.length - 1))])];
const csv = Buffer.from(`${lines.join('\r\n')}\r\n`);

const t = Date.now();
const h = await startLinkageHarness();
console.log(`server up and the company's ${h.company.records.length.toLocaleString('en')} CRM persons uploaded in ${((Date.now() - t) / 1000).toFixed(1)} s`);
try {
    for (let i = 1; i <= runs; i++) {
        const { page, errors } = await h.open('/portal/');
        await page.waitForSelector('body[data-ready="true"]');
        await page.setInputFiles('#file', { name: 'partner.csv', mimeType: 'text/csv', buffer: csv });
        await page.waitForSelector('#start:not([disabled])');
        const t0 = Date.now();
        await page.click('#start');
        await page.waitForSelector('body[data-done="true"], body[data-error]', { timeout: 600_000 });
        const wall = Date.now() - t0;
        const out = await page.evaluate(() => ({
            error: document.body.dataset.error ?? null,
            ms: document.querySelector('#timeTaken').dataset.ms,
            linked: document.querySelector('#linkedCount').dataset.linked,
            text: document.querySelector('#progressText').textContent,
        }));
        if (out.error) throw new Error(`run ${i}: ${out.error}: ${await page.$eval('#error', (e) => e.textContent)}`);
        console.log(`run ${i}: ${rows.toLocaleString('en')} rows, click to results ${(wall / 1000).toFixed(2)} s (page: ${out.ms} ms); `
            + `${out.linked} matched; ${out.text} errors: ${errors.length}`);
        await page.close();
    }
} finally {
    await h.close();
}
