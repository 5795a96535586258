// The partner portal (www/portal/) in headless Chromium:
//  - the demo partner file is pseudonymised and linked against the demo
//    directory in the worker; the links are checked against the generator's
//    truth (precision and recall), the histogram and waterfall are drawn, the
//    four downloads are checked, and no request carries a raw value;
//  - an uploaded CSV gets its columns guessed, and its pseudonymised download
//    holds tokens, CLKs and error codes only.
//
//   make pkg server && (cd tests/js && node --test e2e/portal.test.mjs)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT, startHarness } from './harness.mjs';
import { parseCsv } from '../../../www/portal/csv.js';

const PARTNER = parseCsv(readFileSync(path.join(ROOT, 'www', 'portal', 'demo-partner.csv'), 'utf8'));
const TRUTH = new Set(parseCsv(readFileSync(path.join(ROOT, 'tests', 'js', 'e2e', 'fixtures', 'demo-partner-truth.csv'), 'utf8'))
    .slice(1).filter((r) => r.length === 2).map(([row, id]) => `${row}|${id}`));

/** Raw values of the demo file that are distinctive enough to look for (e-mails, phones, streets). */
function rawSample(n) {
    const [header, ...rows] = PARTNER;
    const cols = ['Email Address', 'Phone', 'Address'].map((c) => header.indexOf(c));
    return rows.slice(0, n).flatMap((r) => cols.map((c) => r[c].trim())).filter((v) => v.length >= 8);
}

let h;
before(async () => { h = await startHarness(); });
after(async () => { await h?.close(); });

async function download(page, id) {
    const [dl] = await Promise.all([page.waitForEvent('download'), page.click(id)]);
    return { name: dl.suggestedFilename(), text: readFileSync(await dl.path(), 'utf8') };
}

test('portal: the demo file is linked against the directory, explained and downloaded', async () => {
    const { page, errors } = await h.open('/portal/');
    await page.waitForSelector('body[data-ready="true"]');
    await page.click('#tryDemo');
    await page.waitForSelector('body[data-done="true"]', { timeout: 60_000 });
    assert.equal(await page.$eval('#progress', (p) => p.value === p.max), true);

    const guessed = await page.$$eval('#mapping select', (s) => s.map((x) => x.value));
    assert.deepEqual(guessed, ['externalId', 'firstName', 'lastName', 'email', 'phone', 'street', 'city', 'state',
        'postalCode', 'country', 'dateOfBirth', 'gender', 'companyName']);
    const s = await page.$eval('#summaryText', (p) => ({ ...p.dataset }));
    assert.equal(s.rows, String(PARTNER.length - 1));

    // Links against the known truth.
    const linkedShown = Number(await page.$eval('#linkedCount', (e) => e.dataset.linked));
    const linksCsv = await download(page, '#downloadLinksCsv');
    assert.equal(linksCsv.name, 'links.csv');
    const [header, ...rows] = parseCsv(linksCsv.text).filter((r) => r.length > 1);
    assert.deepEqual(header.slice(0, 4), ['partner_row', 'directory_id', 'probability', 'match_weight']);
    assert.ok(header.includes('w_email') && header.includes('w_lastName'), 'per-comparison weights');
    assert.equal(rows.length, linkedShown);
    const found = rows.map((r) => `${r[0]}|${r[1]}`);
    assert.equal(new Set(rows.map((r) => r[0])).size, rows.length, 'one link per partner row');
    const tp = found.filter((k) => TRUTH.has(k)).length;
    const precision = tp / found.length;
    const recall = tp / TRUTH.size;
    console.log(`portal demo: ${found.length} links, ${TRUTH.size} true pairs, precision ${precision.toFixed(3)}, recall ${recall.toFixed(3)}`);
    assert.ok(precision >= 0.9, `precision ${precision}`);
    assert.ok(recall >= 0.9, `recall ${recall}`);
    for (const r of rows) assert.ok(Number(r[2]) >= 0.5 && Number(r[2]) <= 1);

    const linksJson = JSON.parse((await download(page, '#downloadLinksJson')).text);
    assert.equal(linksJson.links.length, linkedShown);
    const first = linksJson.links[0];
    assert.equal(typeof first.partnerRow, 'string');
    const ex = first.explanation;
    const sum = ex.priorWeight + ex.contributions.reduce((acc, c) => acc + c.matchWeight, 0);
    assert.ok(Math.abs(sum - first.matchWeight) < 1e-6, 'prior + contributions = match weight');

    // The histogram is drawn (non-blank pixels) from all scored pairs; the waterfall has every step.
    const hist = await page.$eval('#histogram', (c) => {
        const { data } = c.getContext('2d').getImageData(0, 0, c.width, c.height);
        let ink = 0;
        for (let i = 3; i < data.length; i += 4) if (data[i] > 0) ink++;
        return { ink, total: c.width * c.height, bins: c.dataset.bins.split(',').map(Number) };
    });
    assert.ok(hist.ink > hist.total * 0.02, 'the histogram canvas is drawn');
    assert.equal(hist.bins.length, 20);
    assert.ok(hist.bins.slice(10).reduce((a, b) => a + b) >= linkedShown, 'linked pairs are in the upper bins');
    const bars = async () => page.$$eval('#waterfall rect.bar', (r) => r.map((x) => Number(x.getAttribute('height'))));
    const before = await bars();
    assert.equal(before.length, ex.contributions.length + 2, 'prior + one bar per comparison + total');
    assert.ok(before.every((v) => Number.isFinite(v) && v > 0));

    // Selecting another link redraws the waterfall for it.
    const second = await page.$eval('#links tbody tr:nth-child(2)', (tr) => `row ${tr.dataset.a} ↔ ${tr.dataset.b}`);
    await page.click('#links tbody tr:nth-child(2)');
    assert.equal(await page.$eval('#whyPair', (e) => e.textContent), second);
    await page.click('#next');
    assert.equal(await page.$$eval('#links tbody tr', (r) => r.length), Math.min(12, linkedShown - 12));

    // The pseudonymised file: tokens and CLKs, never a raw value.
    const raw = rawSample(200);
    const pcsv = await download(page, '#downloadCsv');
    const [ph, ...prows] = parseCsv(pcsv.text).filter((r) => r.length > 1);
    assert.equal(ph[0], 'row');
    assert.ok(ph.includes('clk_record') && ph.includes('clk_lastName') && ph.includes('mk_nameDob'));
    assert.equal(prows.length, PARTNER.length - 1);
    const pjson = JSON.parse((await download(page, '#downloadJson')).text);
    assert.equal(pjson.records.length, PARTNER.length - 1);
    assert.match(pjson.records[0].clks.record, /^[A-Za-z0-9+/]+=*$/);
    for (const text of [pcsv.text, JSON.stringify(pjson), linksCsv.text, JSON.stringify(linksJson)]) {
        for (const v of raw) assert.ok(!text.includes(v), 'a download carries a raw value');
    }

    await h.screenshot(page, 'portal');
    await page.close();
    assert.deepEqual(errors, []);
    h.assertNoRawValues(raw);
});

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

test('portal: an uploaded CSV is mapped, pseudonymised in the browser and downloaded as encodings only', async () => {
    const { page, errors } = await h.open('/portal/');
    await page.waitForSelector('body[data-ready="true"]');
    const { text, raw } = csv(500);
    await page.setInputFiles('#file', { name: 'customers.csv', mimeType: 'text/csv', buffer: Buffer.from(text) });
    await page.waitForSelector('#start:not([disabled])');
    const guessed = await page.$$eval('#mapping select', (s) => s.map((x) => x.value));
    assert.deepEqual(guessed, ['externalId', 'email', 'phone', 'firstName', 'lastName', 'street', 'city', 'postalCode', 'country', '']);

    await page.click('#start');
    await page.waitForSelector('body[data-done="true"]', { timeout: 60_000 });
    const s = await page.$eval('#summaryText', (p) => ({ ...p.dataset }));
    assert.deepEqual(s, { rows: '500', tokenised: '500', withErrors: '5' });

    const { text: out } = await download(page, '#downloadCsv');
    const [header, ...rows] = out.trim().split('\r\n');
    assert.match(header, /^row,email,phone,firstName,lastName,street,city,state,postalCode,country,/);
    assert.equal(rows.length, 500);
    assert.match(rows[0], /pl1\.email\.demo2026\.[A-Za-z0-9_-]{43}/);
    assert.match(rows[7], /email:email\.missing_at/);
    for (const v of raw) assert.ok(!out.includes(v), 'the download carries a raw value');

    await page.close();
    assert.deepEqual(errors, []);
    h.assertNoRawValues(raw.slice(0, 60));
});

test('portal: cancel stops the worker, and the next run still works', async () => {
    const { page, errors } = await h.open('/portal/');
    await page.waitForSelector('body[data-ready="true"]');
    // Large enough that encoding alone outlasts the click on Cancel.
    const { text } = csv(30_000);
    await page.setInputFiles('#file', { name: 'big.csv', mimeType: 'text/csv', buffer: Buffer.from(text) });
    await page.click('#start');
    await page.click('#cancel');
    assert.equal(await page.$eval('#progressText', (e) => e.textContent), 'Cancelled.');
    assert.equal(await page.$eval('#start', (b) => b.disabled), false);
    await page.waitForTimeout(300);
    assert.equal(await page.$eval('body', (b) => b.dataset.done ?? null), null, 'a cancelled run shows no results');
    await page.click('#tryDemo');
    await page.waitForSelector('body[data-done="true"]', { timeout: 60_000 });
    assert.ok(Number(await page.$eval('#linkedCount', (e) => e.dataset.linked)) > 0);
    await page.close();
    assert.deepEqual(errors, []);
});
