// The partner portal (www/portal/) in headless Chromium:
//  - on the first visit the worker builds the demo directory's identity graph
//    and stores it in IndexedDB; households, corporate families, value per
//    customer view and segments are checked against the generator's structure
//    (fixtures/demo-directory-truth.json), with a view switch, a segment edit
//    and invalid rules;
//  - the demo partner file is pseudonymised and linked against the directory
//    in the worker; the links are checked against the generator's truth
//    (precision and recall), the histogram and waterfall are drawn, the four
//    downloads are checked, the rows that join known customers, households and
//    corporate families are counted, and no request carries a raw value;
//  - a reload finds the directory in the browser's store with the same numbers;
//    "Forget stored directory" builds it again;
//  - an uploaded CSV gets its columns guessed, and its pseudonymised download
//    holds tokens, CLKs and error codes only; cancel stops the worker.
//
//   make pkg server && (cd tests/js && node --test e2e/portal.test.mjs)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT, startHarness } from './harness.mjs';
import { parseCsv } from '../../../www/portal/csv.js';

const FIXTURES = path.join(ROOT, 'tests', 'js', 'e2e', 'fixtures');
const PARTNER = parseCsv(readFileSync(path.join(ROOT, 'www', 'portal', 'demo-partner.csv'), 'utf8'));
const TRUTH_PAIRS = parseCsv(readFileSync(path.join(FIXTURES, 'demo-partner-truth.csv'), 'utf8'))
    .slice(1).filter((r) => r.length === 2);
const TRUTH = new Set(TRUTH_PAIRS.map(([row, id]) => `${row}|${id}`));
/** How the generator built the directory (scripts/demo-directory.mjs). */
const BUILT = JSON.parse(readFileSync(path.join(FIXTURES, 'demo-directory-truth.json'), 'utf8'));

/** Raw values of the demo file that are distinctive enough to look for (e-mails, phones, streets). */
function rawSample(n) {
    const [header, ...rows] = PARTNER;
    const cols = ['Email Address', 'Phone', 'Address'].map((c) => header.indexOf(c));
    return rows.slice(0, n).flatMap((r) => cols.map((c) => r[c].trim())).filter((v) => v.length >= 8);
}

const num = async (page, sel) => Number(await page.$eval(sel, (e) => e.dataset.n));
const segmentCounts = async (page) => page.$$eval('#segmentTable tbody tr', (rows) => Object.fromEntries(rows.map((r) => [r.dataset.name, Number(r.dataset.customers)])));

/** Waits for the view's table and the segments of `view` to be drawn. */
async function showView(page, view) {
    await page.click(`#views button[data-view="${view}"]`);
    await page.waitForSelector(`#value[data-view="${view}"]`);
    await page.waitForSelector(`#segments[data-view="${view}"][data-state="ok"]`);
}

/** The directory's numbers as the page shows them. */
async function directoryNumbers(page) {
    const out = {};
    for (const id of ['dPersons', 'dRecords', 'dHouseholds', 'dFamilies', 'dInteractions', 'dContribution']) out[id] = await num(page, `#${id}`);
    out.groupCustomers = Number(await page.$eval('#value', (e) => e.dataset.customers));
    out.segments = await segmentCounts(page);
    out.households = await page.$$eval('#householdTable tbody tr', (r) => r.map((x) => `${x.dataset.id}:${x.dataset.persons}`));
    out.families = await page.$$eval('details.family', (d) => d.map((x) => `${x.dataset.id}:${x.dataset.units}:${x.dataset.sites}`));
    out.top = await page.$$eval('#valueTable tbody tr', (rows) => rows.map((x) => `${x.dataset.kind}:${x.dataset.entity}`));
    return out;
}
let firstLoad = null;

let h;
before(async () => { h = await startHarness(); });
after(async () => { await h?.close(); });

async function download(page, id) {
    const [dl] = await Promise.all([page.waitForEvent('download'), page.click(id)]);
    return { name: dl.suggestedFilename(), text: readFileSync(await dl.path(), 'utf8') };
}

test('portal: the first visit builds the directory graph, stores it, and shows households, families, value and segments', async () => {
    const { page, errors } = await h.open('/portal/');
    await page.waitForSelector('body[data-directory="ready"]', { timeout: 60_000 });
    const status = await page.$eval('#directoryStatus', (e) => ({ source: e.dataset.source, text: e.textContent }));
    assert.equal(status.source, 'built');
    assert.match(status.text, /^Built from the demo directory and stored in this browser/);

    // Counts against how the generator built the directory.
    const r = BUILT.records;
    const members = BUILT.households.reduce((a, hh) => a + hh.length - 1, 0);
    const homes = r.crmPersons - members; // CRM customers, family members moved in with them
    const shop = Object.keys(BUILT.shopAccounts).length;
    assert.equal(await num(page, '#dRecords'), r.crmPersons + r.shopPersons + r.organisations + r.interactions);
    assert.equal(await num(page, '#dInteractions'), r.interactions);
    const persons = await num(page, '#dPersons');
    // Web-shop accounts are second records of CRM customers: most are linked to them.
    assert.ok(persons >= r.crmPersons && persons <= r.crmPersons + 0.2 * shop, `persons ${persons}`);
    const households = await num(page, '#dHouseholds');
    assert.ok(households >= BUILT.households.length && households <= BUILT.households.length * 1.05, `households ${households}`);
    const listed = await page.$$eval('#householdTable tbody tr', (rows) => rows.map((x) => Number(x.dataset.persons)));
    assert.equal(listed.length, 10);
    assert.ok(listed.every((n) => n >= 2 && n <= 4), 'households of 2–4 people');

    // Corporate families: one tree per generated family, units and sites as built.
    assert.equal(await num(page, '#dFamilies'), BUILT.families.length);
    const trees = await page.$$eval('details.family', (d) => d.map((x) => [Number(x.dataset.units), Number(x.dataset.sites)]));
    const want = BUILT.families.map((f) => [f.units.length, f.units.reduce((a, u) => a + u.sites.length, 0)]);
    const order = (list) => list.map((x) => x.join('/')).sort();
    assert.deepEqual(order(trees), order(want));
    const firstTree = await page.$$eval('details.family[open] li', (li) => li.map((x) => x.dataset.kind));
    assert.ok(firstTree.includes('businessUnit') && firstTree.includes('site'), 'the first family opens on its units and sites');

    // Group view (the default): one customer per household and per family root.
    await page.waitForSelector('#value[data-view="group"]');
    await page.waitForSelector('#segments[data-view="group"][data-state="ok"]');
    const roots = BUILT.families.length + BUILT.franchises.length;
    const group = Number(await page.$eval('#value', (e) => e.dataset.customers));
    assert.ok(group >= homes + roots && group <= homes + roots + 0.2 * shop, `group customers ${group}`);
    const groupKinds = await page.$$eval('#valueTable tbody tr', (rows) => rows.map((x) => x.dataset.kind));
    assert.deepEqual(groupKinds.slice(0, roots), new Array(roots).fill('legalEntity'), 'corporate families lead the group view');
    assert.ok(groupKinds.slice(roots).every((k) => k === 'household'));
    const tiers = await page.$$eval('#tierLegend li', (li) => li.map((x) => x.dataset.tier));
    assert.deepEqual(tiers, ['A', 'B', 'C']);

    // Segments of the group view: key accounts are corporate families (consumers never reach 10,000).
    const seg = await segmentCounts(page);
    assert.deepEqual(Object.keys(seg), ['Key accounts', 'Loyal consumers', 'At risk']);
    assert.ok(seg['Key accounts'] >= BUILT.families.length && seg['Key accounts'] <= roots, `key accounts ${seg['Key accounts']}`);
    assert.ok(seg['At risk'] > 0 && seg['At risk'] < group);
    firstLoad = await directoryNumbers(page);

    // Another view, another table: billing counts bill-to sites and persons.
    await showView(page, 'billing');
    const billing = await page.$$eval('#valueTable tbody tr', (rows) => rows.map((x) => `${x.dataset.kind}:${x.dataset.entity}`));
    assert.notDeepEqual(billing.slice(0, 3), firstLoad.top.slice(0, 3));
    assert.equal(billing[0].split(':')[0], 'site', 'the biggest payer is a bill-to site');
    assert.ok(Number(await page.$eval('#value', (e) => e.dataset.customers)) > group);
    await showView(page, 'household');
    assert.ok((await page.$$eval('#valueTable tbody tr', (rows) => rows.map((x) => x.dataset.kind))).every((k) => k === 'household'));
    await showView(page, 'group');
    assert.deepEqual(await segmentCounts(page), seg);

    // Editing a rule updates the counts; invalid JSON and invalid rules show their code.
    const rules = await page.$eval('#segmentRules', (t) => t.value);
    await page.fill('#segmentRules', rules.replace('"value": 10000', '"value": 300000'));
    await page.click('#evaluate');
    await page.waitForFunction((n) => Number(document.querySelector('#segmentTable tbody tr').dataset.customers) < n, seg['Key accounts']);
    assert.ok((await segmentCounts(page))['Key accounts'] >= 1);
    await page.fill('#segmentRules', '[{"name": "broken", "rule": {"measure": "revenue", "op": "~", "value": 1}}]');
    await page.click('#evaluate');
    await page.waitForSelector('#segmentError:not([hidden])');
    assert.equal(await page.$eval('#segmentError', (e) => e.dataset.code), 'segment.invalid_rule');
    assert.match(await page.$eval('#segmentError', (e) => e.textContent), /^segment\.invalid_rule /);
    assert.equal(await page.$eval('#segmentTable', (e) => e.hidden), true);
    await page.fill('#segmentRules', '[{"name": ');
    await page.click('#evaluate');
    await page.waitForSelector('#segmentError[data-code="portal.invalid_json"]');
    await page.click('#resetSegments');
    await page.waitForSelector('#segments[data-state="ok"]');
    assert.deepEqual(await segmentCounts(page), seg);

    await page.close();
    assert.deepEqual(errors, []);
});

test('portal: the demo file is linked against the directory, explained, downloaded and joins the graph', async () => {
    const { page, errors } = await h.open('/portal/');
    await page.waitForSelector('body[data-ready="true"]');
    await page.click('#tryDemo');
    await page.waitForSelector('body[data-done="true"]', { timeout: 60_000 });
    await page.waitForSelector('body[data-overlay="done"]', { timeout: 60_000 });
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

    // The partner's rows in a scratch copy of the graph, against the generator's structure.
    const ov = {};
    for (const k of ['ovCustomers', 'ovHouseholds', 'ovContacts', 'ovFamilies']) ov[k] = await num(page, `#${k}`);
    const inHousehold = new Set(BUILT.households.flat());
    const contactOf = new Map(BUILT.families.flatMap((f, i) => [f.approver, ...f.units.map((u) => u.buyer)].map((p) => [p, i])));
    const knownInHouseholds = TRUTH_PAIRS.filter(([, id]) => inHousehold.has(id)).length;
    const knownContacts = TRUTH_PAIRS.filter(([, id]) => contactOf.has(id));
    console.log(`portal graph: ${JSON.stringify(ov)}; truth: ${TRUTH.size} customers, ${knownInHouseholds} in households, ${knownContacts.length} contacts`);
    assert.ok(ov.ovCustomers >= 0.85 * TRUTH.size && ov.ovCustomers <= TRUTH.size * 1.02, `customers ${ov.ovCustomers}`);
    assert.ok(Math.abs(ov.ovCustomers - linkedShown) <= 0.1 * linkedShown, 'the graph and the linker mostly agree');
    assert.ok(ov.ovHouseholds >= 0.8 * knownInHouseholds && ov.ovHouseholds <= knownInHouseholds + 5, `households ${ov.ovHouseholds}`);
    assert.ok(ov.ovContacts >= 0.75 * knownContacts.length && ov.ovContacts <= knownContacts.length, `contacts ${ov.ovContacts}`);
    assert.ok(ov.ovFamilies >= 1 && ov.ovFamilies <= new Set(knownContacts.map(([, id]) => contactOf.get(id))).size);
    assert.ok(await num(page, '#ovValue') > 0);

    // The directory is not changed by the partner's rows.
    await page.waitForSelector('body[data-directory="ready"]');
    assert.deepEqual(await directoryNumbers(page), firstLoad);

    await h.screenshot(page, 'portal');
    await page.close();
    assert.deepEqual(errors, []);
    h.assertNoRawValues(raw);
});

test('portal: a reload finds the directory stored in the browser, with the same numbers; forget builds it again', async () => {
    const { page, errors } = await h.open('/portal/');
    await page.waitForSelector('body[data-directory="ready"]', { timeout: 60_000 });
    const status = await page.$eval('#directoryStatus', (e) => ({ source: e.dataset.source, text: e.textContent }));
    assert.equal(status.source, 'stored');
    assert.match(status.text, /^Directory stored in this browser, saved \d{1,2} \w{3} \d{4}, \d{2}:\d{2} \(\d+\.\d MB\)$/);
    assert.deepEqual(await directoryNumbers(page), firstLoad);
    await page.reload({ waitUntil: 'networkidle' });
    await page.waitForSelector('body[data-directory="ready"]', { timeout: 60_000 });
    assert.equal(await page.$eval('#directoryStatus', (e) => e.dataset.source), 'stored');
    assert.deepEqual(await directoryNumbers(page), firstLoad);

    await page.click('#forget');
    await page.waitForSelector('#directoryStatus[data-source="built"]', { timeout: 60_000 });
    await page.waitForSelector('body[data-directory="ready"]');
    assert.match(await page.$eval('#directoryStatus', (e) => e.textContent), /^Built from the demo directory and stored in this browser/);
    assert.deepEqual(await directoryNumbers(page), firstLoad, 'a rebuild gives the same ids and numbers');
    await page.close();
    assert.deepEqual(errors, []);
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
