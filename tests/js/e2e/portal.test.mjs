// The partner portal (www/portal/): upload a CSV, check the guessed column
// mapping, pseudonymise in the worker with progress, check the counts against
// the known truth, download the pseudonymised CSV, and check that neither a
// request nor the download carries a raw value.
//
//   make pkg server && (cd tests/js && node --test e2e/portal.test.mjs)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startHarness } from './harness.mjs';

let h;
before(async () => { h = await startHarness(); });
after(async () => { await h?.close(); });

const FIRST = ['Ana', 'Ben', 'Chloé', 'Dev', 'Eve'];
const LAST = ['Ng', "O'Hara", 'Schmidt', 'Patel', 'Lopez'];

/** n rows with known truth: rows 7, 77, 177 have a broken e-mail, rows 50, 150 a short phone. */
function csv(n) {
    const lines = ['Customer ID,E-mail,Phone,First Name,Last Name,Street,City,ZIP,Country,Notes'];
    const raw = [];
    for (let i = 0; i < n; i++) {
        const email = [7, 77, 177].includes(i) ? `broken-address-${i}.example.com` : `customer.${i}@example.com`;
        const phone = [50, 150].includes(i) ? '555 01' : `(415) 555-${String(1000 + i).slice(-4)}`;
        const row = [`CUST-${10000 + i}`, email, phone, FIRST[i % 5], LAST[i % 5], `${100 + i} Market Street`, 'San Francisco', '94105', 'US', `"called twice, prefers e-mail"`];
        raw.push(email, `CUST-${10000 + i}`, `${100 + i} Market Street`);
        lines.push(row.join(','));
    }
    return { text: `${lines.join('\r\n')}\r\n`, raw };
}

test('portal: a CSV is pseudonymised in the browser and downloaded as tokens only', async () => {
    const { page, errors } = await h.open('/portal/');
    await page.waitForSelector('body[data-ready="true"]');
    const { text, raw } = csv(500);
    await page.setInputFiles('#file', { name: 'customers.csv', mimeType: 'text/csv', buffer: Buffer.from(text) });
    await page.waitForSelector('#start:not([disabled])');
    const guessed = await page.$$eval('#mapping select', (s) => s.map((x) => x.value));
    assert.deepEqual(guessed, ['externalId', 'email', 'phone', 'firstName', 'lastName', 'street', 'city', 'postalCode', 'country', '']);

    await page.click('#start');
    await page.waitForSelector('body[data-done="true"]');
    const s = await page.$eval('#summaryText', (p) => ({ ...p.dataset }));
    assert.deepEqual(s, { rows: '500', tokenised: '500', withErrors: '5' });
    assert.equal(await page.$eval('#progress', (p) => p.value), 500);

    const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#downloadCsv')]);
    const out = readFileSync(await dl.path(), 'utf8');
    const [header, ...rows] = out.trim().split('\r\n');
    assert.match(header, /^row,email,phone,firstName,lastName,street,city,state,postalCode,country,/);
    assert.equal(rows.length, 500);
    assert.match(rows[0], /pl1\.email\.demo2026\.[A-Za-z0-9_-]{43}/);
    assert.match(rows[7], /email\.missing_at/);
    for (const v of raw) assert.ok(!out.includes(v), 'the download carries a raw value');

    await h.screenshot(page, 'portal');
    await page.close();
    assert.deepEqual(errors, []);
    h.assertNoRawValues(raw.slice(0, 60));
});
