// The partner portal (www/portal/) in headless Chromium against the real
// services: the pages, the key server and the linkage service of one
// pseudolink-server, the company's directory uploaded first by the company's
// own pipeline (scripts/company-upload.mjs, see linkage-harness.mjs).
//  - the demo partner file is encoded in the page's worker (oblivious tokens
//    through the key server, hardened CLKs), uploaded, linked at the service;
//    the partner's matched rows are scored against the generator's truth
//    (precision and recall ≥ 0.9), and so are the directory rows the company
//    sees for the same run; the histogram, the waterfall and the four
//    downloads are checked;
//  - no request carries a raw value of the file, and no response the
//    partner's page receives carries any encoding the company uploaded (a
//    po1 tag or a CLK), nor a directory id; the page never asks for the
//    directory, nor for the keyed pages' demo-config.js;
//  - an uploaded CSV gets its columns guessed and its own encodings back;
//  - refusals (wrong credentials, a short secret) are sentences, with the
//    stable code beside; cancel stops the worker, and the next run works;
//  - cancel while the service links (an engine that never answers) cancels
//    the run at the service, which kills the job and refunds the run.
//
//   make pkg server && (cd tests/js && node --test e2e/portal.test.mjs)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ROOT } from './harness.mjs';
import {
    COMPANY_CRM, companyCredentials, partnerRuns, runEndLine, sleepingEngineLinkage, startLinkageHarness,
} from './linkage-harness.mjs';
import Papa from 'papaparse';

/** CSV text → rows (Papa Parse, as the portal; blank lines skipped). */
const parseCsv = (text) => Papa.parse(text, { delimiter: ',', skipEmptyLines: true }).data;

const FIXTURES = path.join(ROOT, 'tests', 'js', 'e2e', 'fixtures');
const PARTNER = parseCsv(readFileSync(path.join(ROOT, 'www', 'portal', 'demo-partner.csv'), 'utf8'));
const TRUTH_PAIRS = parseCsv(readFileSync(path.join(FIXTURES, 'demo-partner-truth.csv'), 'utf8'))
    .slice(1).filter((r) => r.length === 2);
/** Partner row (1 = first data row) → the directory customer's id. */
const TRUTH = new Map(TRUTH_PAIRS.map(([row, id]) => [Number(row), id]));
/** The company's CRM ids in upload order: directory row r is CRM_IDS[r]. */
const CRM_IDS = parseCsv(readFileSync(COMPANY_CRM, 'utf8')).slice(1).map((r) => r[0]);

/** Raw values of the demo file that are distinctive enough to look for (e-mails, phones, streets). */
function rawSample(n) {
    const [header, ...rows] = PARTNER;
    const cols = ['Email Address', 'Phone', 'Address'].map((c) => header.indexOf(c));
    return rows.slice(0, n).flatMap((r) => cols.map((c) => r[c].trim())).filter((v) => v.length >= 8);
}

const precisionRecall = (found, truth) => {
    const tp = [...found].filter((k) => truth.has(k)).length;
    return { tp, precision: found.size ? tp / found.size : 0, recall: truth.size ? tp / truth.size : 0 };
};

let h;
/** Every response body the browser received: {url, text}. */
const received = [];
const pendingBodies = [];
before(async () => {
    h = await startLinkageHarness();
    // Responses to the pages and to their workers (Chromium reports a dedicated worker's fetches too).
    h.context.on('response', (r) => {
        pendingBodies.push(r.body().then((b) => received.push({ url: r.url(), text: b.toString('latin1') }), () => {}));
    });
});
after(async () => { await h?.close(); });

async function download(page, id) {
    const [dl] = await Promise.all([page.waitForEvent('download'), page.click(id)]);
    return { name: dl.suggestedFilename(), text: readFileSync(await dl.path(), 'utf8') };
}

/** The company's view of a run: which of its directory rows the partner's run matched. */
async function companyRun(run) {
    const c = companyCredentials();
    const res = await fetch(`${h.linkageUrl}/v1/projects/${c.project}/runs/${run}`, { headers: { authorization: `Bearer ${c.linkageApiKey}` } });
    assert.equal(res.status, 200);
    return res.json();
}

/**
 * Fails if any body in `bodies` holds a po1 tag or a CLK of the company's
 * upload, or one of its CRM ids. Runs of token/base64 characters are cut
 * into every window of a tag's or a CLK's length, so an encoding inside a
 * longer string is found too. Names the response, never the value.
 */
function assertNoDirectoryEncodings(bodies) {
    const tags = new Set();
    const clks = new Set();
    for (const r of h.company.records) {
        for (const t of [...r.tokens, ...r.matchKeys]) tags.add(t.split('.')[3]);
        for (const c of Object.values(r.clks)) clks.add(c);
    }
    assert.ok(tags.size > 5000 && clks.size > 5000, 'the company uploaded tokens and CLKs');
    const clkLen = clks.values().next().value.length;
    const ids = new Set(CRM_IDS);
    for (const { url, text } of bodies) {
        const where = new URL(url).pathname;
        for (const m of text.matchAll(/[A-Za-z0-9_-]{43,}/g)) {
            for (let i = 0; i + 43 <= m[0].length; i++) assert.ok(!tags.has(m[0].slice(i, i + 43)), `${where} carries a token of the directory`);
        }
        for (const m of text.matchAll(/[A-Za-z0-9+/]{40,}={0,2}/g)) {
            for (let i = 0; i + clkLen <= m[0].length; i++) assert.ok(!clks.has(m[0].slice(i, i + clkLen)), `${where} carries a CLK of the directory`);
        }
        for (const m of text.matchAll(/\b[af]\d{7}\b/g)) assert.ok(!ids.has(m[0]), `${where} carries a directory id`);
    }
}

test('portal: the demo file is encoded in the tab, linked by the service, and only the partner\'s own rows come back', async () => {
    assert.ok(h.company.records.length === CRM_IDS.length, 'the company uploaded one record per CRM row');
    const { page, errors } = await h.open('/portal/');
    await page.waitForSelector('body[data-ready="true"]');
    assert.equal(await page.$eval('#credProject', (e) => e.value), 'demo-partners');
    await page.click('#tryDemo');
    await page.waitForSelector('body[data-done="true"]', { timeout: 120_000 });
    assert.equal(await page.$eval('#progress', (p) => p.value === p.max), true);
    assert.match(await page.$eval('#progressText', (e) => e.textContent), /^Done in \d+\.\d s: tokens and CLKs in/);

    const guessed = await page.$$eval('#mapping select', (s) => s.map((x) => x.value));
    assert.deepEqual(guessed, ['externalId', 'firstName', 'lastName', 'email', 'phone', 'street', 'city', 'state',
        'postalCode', 'country', 'dateOfBirth', 'gender', 'companyName']);
    const s = await page.$eval('#summaryText', (p) => ({ ...p.dataset }));
    assert.equal(s.rows, String(PARTNER.length - 1));
    assert.match(s.run, /^r_[A-Za-z0-9_-]+$/);

    // The partner's matched rows against the truth: a matched row should be a customer of the directory.
    const linkedShown = Number(await page.$eval('#linkedCount', (e) => e.dataset.linked));
    const matches = await download(page, '#downloadLinksCsv');
    assert.equal(matches.name, 'matches.csv');
    const [header, ...rows] = parseCsv(matches.text).filter((r) => r.length > 1);
    assert.deepEqual(header.slice(0, 3), ['partner_row', 'probability', 'match_weight']);
    assert.ok(header.includes('w_email') && header.includes('w_lastName'), 'per-comparison weights');
    assert.ok(!header.some((c) => /directory|customer|id$/i.test(c)), 'no directory column');
    assert.equal(rows.length, linkedShown);
    const partnerRows = new Set(rows.map((r) => Number(r[0])));
    assert.equal(partnerRows.size, rows.length, 'one match per partner row');
    const p = precisionRecall(partnerRows, new Set(TRUTH.keys()));
    for (const r of rows) assert.ok(Number(r[1]) >= 0.5 && Number(r[1]) <= 1);

    // The same run as the company sees it: which of its directory rows, scored against the truth's ids.
    const run = await companyRun(s.run);
    assert.equal(run.links.length, linkedShown, 'both sides see the same number of links');
    const dirIds = new Set(run.links.map((l) => CRM_IDS[l.row]));
    assert.equal(dirIds.size, run.links.length, 'one partner row per directory row');
    const d = precisionRecall(dirIds, new Set(TRUTH.values()));
    console.log(`portal demo: ${linkedShown} matches, ${TRUTH.size} true pairs; partner rows precision ${p.precision.toFixed(3)} `
        + `recall ${p.recall.toFixed(3)}; directory rows precision ${d.precision.toFixed(3)} recall ${d.recall.toFixed(3)}`);
    assert.ok(p.precision >= 0.9 && p.recall >= 0.9, `partner rows: precision ${p.precision}, recall ${p.recall}`);
    assert.ok(d.precision >= 0.9 && d.recall >= 0.9, `directory rows: precision ${d.precision}, recall ${d.recall}`);

    const json = JSON.parse((await download(page, '#downloadLinksJson')).text);
    assert.equal(json.links.length, linkedShown);
    assert.equal(json.run, s.run);
    const ex = json.links[0].explanation;
    const sum = ex.priorWeight + ex.contributions.reduce((acc, c) => acc + c.matchWeight, 0);
    assert.ok(Math.abs(sum - ex.matchWeight) < 1e-6, 'prior + contributions = match weight');

    // The histogram is drawn from the matched rows; the waterfall has every step.
    const hist = await page.$eval('#histogram', (c) => {
        const { data } = c.getContext('2d').getImageData(0, 0, c.width, c.height);
        let ink = 0;
        for (let i = 3; i < data.length; i += 4) if (data[i] > 0) ink++;
        return { ink, total: c.width * c.height, bins: c.dataset.bins.split(',').map(Number) };
    });
    assert.ok(hist.ink > hist.total * 0.02, 'the histogram canvas is drawn');
    assert.equal(hist.bins.slice(10).reduce((a, b) => a + b), linkedShown, 'every match is in the upper bins');
    const bars = await page.$$eval('#waterfall rect.bar', (r) => r.map((x) => Number(x.getAttribute('height'))));
    assert.equal(bars.length, ex.contributions.length + 2, 'prior + one bar per comparison + total');
    assert.ok(bars.every((v) => Number.isFinite(v) && v > 0));
    const second = await page.$eval('#links tbody tr:nth-child(2)', (tr) => tr.dataset.row);
    await page.click('#links tbody tr:nth-child(2)');
    assert.equal(await page.$eval('#whyPair', (e) => e.textContent), `row ${Number(second).toLocaleString('en')}`);
    await page.click('#next');
    assert.equal(await page.$$eval('#links tbody tr', (r) => r.length), Math.min(12, linkedShown - 12));

    // The partner's own encodings: po1 tokens and CLKs of its rows, never a raw value.
    const raw = rawSample(200);
    const pcsv = await download(page, '#downloadCsv');
    const [ph, ...prows] = parseCsv(pcsv.text).filter((r) => r.length > 1);
    assert.equal(ph[0], 'row');
    assert.ok(ph.includes('clk_record') && ph.includes('clk_lastName') && ph.includes('mk_nameDob') && ph.includes('email'));
    assert.equal(prows.length, PARTNER.length - 1);
    const pjson = JSON.parse((await download(page, '#downloadJson')).text);
    assert.equal(pjson.records.length, PARTNER.length - 1);
    assert.match(pjson.records[0].tokens[0], /^po1\.[A-Za-z-]+\.[A-Za-z0-9-]+\.[A-Za-z0-9_-]{43}$/);
    assert.match(pjson.records[0].clks.record, /^[A-Za-z0-9+/]+=*$/);
    for (const text of [pcsv.text, JSON.stringify(pjson), matches.text, JSON.stringify(json)]) {
        for (const v of raw) assert.ok(!text.includes(v), 'a download carries a raw value');
    }

    await h.screenshot(page, 'portal');
    await page.close();
    assert.deepEqual(errors, []);

    // On the wire: no raw value went out; no directory encoding, id or file came in.
    h.assertNoRawValues(raw);
    await Promise.all(pendingBodies);
    assert.ok(received.some((r) => r.url.startsWith(h.linkageUrl) && r.text.includes('"links"')), 'the run\'s answer was seen');
    assert.ok(received.some((r) => r.url.startsWith(h.keyserverUrl)), 'the key server\'s answers were seen');
    // Nor any in-page key: the keyed pages' demo-config.js (token key, the console's CLK secret) is never loaded.
    for (const r of h.requests) {
        assert.ok(!/demo-directory|\/console\/|demo-config/.test(new URL(r.url).pathname), `the partner's page asked for ${new URL(r.url).pathname}`);
    }
    assertNoDirectoryEncodings(received);
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
        const row = [`CUST-${10000 + i}`, email, phone, FIRST[i % 5], LAST[i % 5], `${100 + i} Market Street`, 'San Francisco', '94105', 'US', '"called twice, prefers e-mail"'];
        raw.push(email, `CUST-${10000 + i}`, `${100 + i} Market Street`);
        lines.push(row.join(','));
    }
    return { text: `${lines.join('\r\n')}\r\n`, raw };
}

test('portal: an uploaded CSV is mapped, encoded in the browser, and its own encodings are downloaded', async () => {
    const { page, errors } = await h.open('/portal/');
    await page.waitForSelector('body[data-ready="true"]');
    const { text, raw } = csv(300);
    await page.setInputFiles('#file', { name: 'customers.csv', mimeType: 'text/csv', buffer: Buffer.from(text) });
    await page.waitForSelector('#start:not([disabled])');
    const guessed = await page.$$eval('#mapping select', (s) => s.map((x) => x.value));
    assert.deepEqual(guessed, ['externalId', 'email', 'phone', 'firstName', 'lastName', 'street', 'city', 'postalCode', 'country', '']);

    await page.click('#start');
    await page.waitForSelector('body[data-done="true"]', { timeout: 120_000 });
    const s = await page.$eval('#summaryText', (p) => ({ rows: p.dataset.rows, tokenised: p.dataset.tokenised, withErrors: p.dataset.withErrors }));
    assert.deepEqual(s, { rows: '300', tokenised: '300', withErrors: '5' });

    const { text: out } = await download(page, '#downloadCsv');
    const [header, ...rows] = parseCsv(out).filter((r) => r.length > 1);
    assert.deepEqual(header.slice(0, 3), ['row', 'email', 'phone']);
    assert.ok(header.includes('clk_firstName') && header.includes('clk_record') && header.includes('mk_addressName'));
    assert.ok(!header.includes('externalId') && !header.includes('clk_externalId'), 'only what the project accepts');
    assert.equal(rows.length, 300);
    assert.match(rows[0][1], /^po1\.email\.[A-Za-z0-9-]+\.[A-Za-z0-9_-]{43}$/);
    assert.equal(rows[7][1], '', 'a broken e-mail gets no token');
    assert.match(rows[7].at(-1), /email:email\.missing_at/);
    for (const v of raw) assert.ok(!out.includes(v), 'the download carries a raw value');

    await page.close();
    assert.deepEqual(errors, []);
    h.assertNoRawValues(raw.slice(0, 90));
});

test('portal: refusals are sentences with their code beside, never a stack or a value', async () => {
    const { page } = await h.open('/portal/');
    await page.waitForSelector('body[data-ready="true"]');
    await page.setInputFiles('#file', { name: 'customers.csv', mimeType: 'text/csv', buffer: Buffer.from(csv(20).text) });
    await page.waitForSelector('#start:not([disabled])');
    await page.click('#credentials summary');

    const attempt = async (field, value) => {
        await page.click('#resetCredentials');
        if (field) await page.fill(field, value);
        await page.click('#start');
        await page.waitForSelector('body[data-error], body[data-done="true"]', { timeout: 60_000 });
        const box = await page.$eval('#error', (e) => ({ hidden: e.hidden, code: e.dataset.code, text: e.textContent }));
        assert.equal(box.hidden, false, `${field}: an error is shown`);
        assert.ok(!/Error:|at \w+ \(|undefined|\[object/.test(box.text), `${field}: a sentence, not a stack: ${box.text}`);
        if (value) assert.ok(!box.text.includes(value), `${field}: the message does not echo the input`);
        return box;
    };
    let box = await attempt('#credLinkage', 'pk_wrong_linkage_key');
    assert.equal(box.code, 'auth.invalid');
    assert.match(box.text, /^The linkage service does not know this credential\./);
    box = await attempt('#credKeyserver', 'pk_wrong_keyserver_key');
    assert.equal(box.code, 'server.refused');
    assert.match(box.text, /^The key server does not know this credential\./);
    box = await attempt('#credSecret', 'short-2026');
    assert.equal(box.code, 'key.too_short');
    assert.match(box.text, /CLK secret is too short/);
    box = await attempt('#credProject', 'no-such-project');
    assert.equal(box.code, 'project.unknown');
    assert.match(box.text, /^The linkage service has no project with this id\./);
    assert.equal(await page.$eval('#report', (e) => e.hidden), true, 'no results after a refusal');
    await page.close();
});

test('portal: cancel stops the worker, nothing is shown, and the next run works', async () => {
    const { page, errors } = await h.open('/portal/');
    await page.waitForSelector('body[data-ready="true"]');
    const { text } = csv(3000);
    await page.setInputFiles('#file', { name: 'big.csv', mimeType: 'text/csv', buffer: Buffer.from(text) });
    await page.waitForSelector('#start:not([disabled])');
    await page.click('#start');
    await page.waitForSelector('#progressText:text-matches("rows$")', { timeout: 60_000 });
    await page.click('#cancel');
    assert.equal(await page.$eval('#progressText', (e) => e.textContent), 'Cancelled.');
    assert.equal(await page.$eval('#start', (b) => b.disabled), false);
    assert.equal(await page.$eval('#cancel', (b) => b.disabled), true);
    assert.equal(await page.$eval('body', (b) => b.dataset.done ?? null), null, 'a cancelled run shows no results');
    assert.equal(await page.$eval('#report', (e) => e.hidden), true);
    await page.click('#tryDemo');
    await page.waitForSelector('body[data-done="true"]', { timeout: 120_000 });
    assert.ok(Number(await page.$eval('#linkedCount', (e) => e.dataset.linked)) > 0);
    await page.close();
    // Requests the terminated worker had in flight are reported as failed; nothing else may fail.
    assert.deepEqual(errors.filter((e) => !/^request failed: \/(v1\/evaluate|v1\/projects\/)/.test(e)), []);
});

test('portal: cancel while the service links cancels the run there, and it is refunded', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pseudolink-portal-cancel-'));
    const h2 = await startLinkageHarness({ linkage: sleepingEngineLinkage(dir) });
    try {
        const deletes = [];
        h2.context.on('response', (r) => {
            // Status and URL only: the worker that read the body is terminated once it has.
            if (r.request().method() === 'DELETE') deletes.push({ status: r.status(), run: new URL(r.url()).pathname.split('/').at(-1) });
        });
        const { page, errors } = await h2.open('/portal/');
        await page.waitForSelector('body[data-ready="true"]');
        await page.click('#tryDemo');
        await page.waitForSelector('#progressText:text-matches("at the engine for large files")', { timeout: 120_000 });
        await page.click('#cancel');
        assert.equal(await page.$eval('#progressText', (e) => e.textContent), 'Cancelled.');
        for (let i = 0; i < 200 && !deletes.length; i++) await new Promise((r) => setTimeout(r, 50));
        assert.equal(deletes.length, 1, 'the worker asked the service to cancel the run');
        const { status, run } = deletes[0];
        assert.equal(status, 200);

        const key = await page.$eval('#credLinkage', (e) => e.value);
        const { runs, runsToday } = await partnerRuns(h2.linkageUrl, { project: 'demo-partners', key });
        assert.deepEqual(runs.map((r) => [r.run, r.status]), [[run, 'cancelled']]);
        assert.equal(runsToday, 0, 'a cancelled run is refunded');
        // The engine job was killed: the run's log line is written when it ends.
        assert.equal((await runEndLine(h2.serverLog))?.status, 'cancelled');
        assert.equal(await page.$eval('body', (b) => b.dataset.done ?? null), null, 'a cancelled run shows no results');
        await page.close();
        assert.deepEqual(errors, []);
    } finally {
        await h2.close();
        rmSync(dir, { recursive: true, force: true });
    }
});
