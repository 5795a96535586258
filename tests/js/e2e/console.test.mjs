// The company's staff console (www/console/) in headless Chromium and Firefox
// ESR (browsers.mjs; E2E_BROWSERS picks one) against the real server, on the console's own listener (--console-port):
//  - the public pages' listener answers 404 under /console/ and its pages do
//    not link there;
//  - on the first visit the worker builds the demo directory's identity graph
//    and stores it in IndexedDB; households, corporate families, value per
//    customer view and segments are checked against the generator's structure
//    (fixtures/demo-directory-truth.json), with a view switch, a segment edit
//    and invalid rules shown with their code;
//  - a reload finds the directory in the browser's store with the same numbers;
//    "Forget stored directory" builds it again, with the same ids and numbers;
//  - a directory file that cannot be fetched is reported with its code;
//  - "Partner matches": without a linkage service the panel says so; the
//    panel's fetch code, and its mapping of our upload rows to CRM records,
//    persons and households, against a partner run answered by a mock of the
//    contract's API (routed in the browser, on the page's own origin);
//  - with the real key server and linkage service (demo configs, as
//    linkage-harness.mjs, the company's credential allowed from the console's
//    origin only): the company's pipeline uploads the directory, a partner
//    links the demo file in the partner portal, and the console shows that
//    run's matched customers, scored against the generator's truth.
//
//   make pkg server && (cd tests/js && node --test --test-concurrency=1 e2e/console.test.mjs)
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DEMO_KEYSERVER, ROOT } from './harness.mjs';
import { BROWSERS, startBrowserHarness } from './browsers.mjs';
import { COMPANY_CRM, DEMO_LINKAGE, runCompanyPipeline } from './linkage-harness.mjs';

const FIXTURES = path.join(ROOT, 'tests', 'js', 'e2e', 'fixtures');
/** How the generator built the directory (scripts/demo-directory.mjs). */
const BUILT = JSON.parse(readFileSync(path.join(FIXTURES, 'demo-directory-truth.json'), 'utf8'));
const DIRECTORY = JSON.parse(readFileSync(path.join(ROOT, 'www', 'console', 'demo-directory.json'), 'utf8'));
/** The company's upload rows: its CRM person records, in the directory file's order. */
const UPLOAD_ROWS = DIRECTORY.graph.records
    .filter((r) => r.system === (DIRECTORY.linkSystem ?? 'crm') && (r.kind ?? 'person') === 'person')
    .map((r) => r.id);
const COMPANY_KEY = 'sk_demo_company_linkage_not_secret';

/** Rows of a plain CSV file (ids and numbers: no quotes, no commas inside a field). */
const csvRows = (file) => readFileSync(file, 'utf8').split(/\r?\n/).filter(Boolean).map((l) => l.split(','));

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

/**
 * The errors a page may show when this server runs no linkage service: the
 * console asks `/api/linkage-config` and gets the contract's 404, which the
 * browser logs. Everything else is a failure.
 */
function unexpected(errors) {
    return errors.filter((e) => !(e === 'HTTP 404: /api/linkage-config'
        || /^console\.error: Failed to load resource: the server responded with a status of 404 .*\(\/api\/linkage-config\)$/.test(e)));
}

for (const browser of BROWSERS) describe(browser, () => {
    let firstLoad = null;
    let h;
    /** The console's page on the console's own listener. */
    const CONSOLE = () => `${h.consoleUrl}/console/`;
    before(async () => { h = await startBrowserHarness(browser, { console: true }); });
    after(async () => { await h?.close(); });

    test('console: the public pages\' listener does not serve the console, and its pages do not link there', async () => {
        for (const rel of ['/console/', '/console/demo-directory.json', '/console/worker.js', '/%63onsole/demo-directory.json']) {
            const res = await fetch(`${h.url}${rel}`);
            assert.equal(res.status, 404, rel);
            assert.deepEqual(await res.json(), { error: 'not_found', message: 'no such page' });
        }
        const res = await fetch(`${h.consoleUrl}/console/demo-directory.json`);
        assert.equal(res.status, 200);
        await res.arrayBuffer();
        for (const rel of ['/', '/checkout/', '/portal/']) {
            const html = await (await fetch(`${h.url}${rel}`)).text();
            assert.ok(!/href="[^"]*console/i.test(html), `${rel} links to the console`);
        }
    });

    test('console: the first visit builds the directory graph, stores it, and shows households, families, value and segments', async () => {
        const { page, errors } = await h.open(CONSOLE());
        await page.waitForSelector('body[data-directory="ready"]', { timeout: 90_000 });
        const status = await page.$eval('#directoryStatus', (e) => ({ source: e.dataset.source, text: e.textContent }));
        assert.equal(status.source, 'built');
        assert.match(status.text, /^Built from the demo directory and stored in this browser \(\d+\.\d MB\)$/);

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
        assert.ok(await num(page, '#dContribution') > 0);

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
        assert.equal(await page.$eval('#views button[aria-checked="true"]', (b) => b.dataset.view), 'billing');
        assert.equal(await page.$eval('#segView', (e) => e.textContent), 'billing');
        await showView(page, 'household');
        assert.ok((await page.$$eval('#valueTable tbody tr', (rows) => rows.map((x) => x.dataset.kind))).every((k) => k === 'household'));
        await showView(page, 'group');
        assert.deepEqual(await segmentCounts(page), seg);

        // Editing a rule updates the counts; invalid JSON and invalid rules show a message with their code.
        const rules = await page.$eval('#segmentRules', (t) => t.value);
        await page.fill('#segmentRules', rules.replace('"value": 10000', '"value": 300000'));
        await page.click('#evaluate');
        await page.waitForFunction((n) => Number(document.querySelector('#segmentTable tbody tr')?.dataset.customers) < n, seg['Key accounts']);
        assert.ok((await segmentCounts(page))['Key accounts'] >= 1);
        await page.fill('#segmentRules', '[{"name": "broken", "rule": {"measure": "revenue", "op": "~", "value": 1}}]');
        await page.click('#evaluate');
        await page.waitForSelector('#segmentError:not([hidden])');
        assert.equal(await page.$eval('#segmentError', (e) => e.dataset.code), 'segment.invalid_rule');
        assert.match(await page.$eval('#segmentError', (e) => e.textContent), /^A segment needs a "name" and a "rule"[^]*code: segment\.invalid_rule$/);
        assert.equal(await page.$eval('#segmentTable', (e) => e.hidden), true);
        await page.fill('#segmentRules', '[{"name": ');
        await page.click('#evaluate');
        await page.waitForSelector('#segmentError[data-code="console.invalid_json"]');
        assert.match(await page.$eval('#segmentError', (e) => e.textContent), /^The rules are not valid JSON\. code: console\.invalid_json$/);
        await page.click('#resetSegments');
        await page.waitForSelector('#segments[data-state="ok"]');
        assert.deepEqual(await segmentCounts(page), seg);

        await h.screenshot(page, 'console');
        await page.close();
        assert.deepEqual(unexpected(errors), []);
    });

    test('console: a reload finds the directory stored in the browser, with the same numbers; forget builds it again', async () => {
        assert.ok(firstLoad, 'the first test built the directory');
        const { page, errors } = await h.open(CONSOLE());
        await page.waitForSelector('body[data-directory="ready"]', { timeout: 90_000 });
        const status = await page.$eval('#directoryStatus', (e) => ({ source: e.dataset.source, text: e.textContent }));
        assert.equal(status.source, 'stored');
        assert.match(status.text, /^Directory stored in this browser, saved \d{1,2} \w{3} \d{4}, \d{2}:\d{2} \(\d+\.\d MB\)$/);
        assert.deepEqual(await directoryNumbers(page), firstLoad);
        await page.reload({ waitUntil: 'networkidle' });
        await page.waitForSelector('body[data-directory="ready"]', { timeout: 90_000 });
        assert.equal(await page.$eval('#directoryStatus', (e) => e.dataset.source), 'stored');
        assert.deepEqual(await directoryNumbers(page), firstLoad);

        await page.click('#forget');
        await page.waitForSelector('#directoryStatus[data-source="built"]', { timeout: 90_000 });
        await page.waitForSelector('body[data-directory="ready"]');
        assert.match(await page.$eval('#directoryStatus', (e) => e.textContent), /^Built from the demo directory and stored in this browser/);
        assert.deepEqual(await directoryNumbers(page), firstLoad, 'a rebuild gives the same ids and numbers');
        await page.close();
        assert.deepEqual(unexpected(errors), []);
    });

    /**
     * Answers the contract's linkage API in the browser (every page of the
     * context, until `unroute()`): the pages server's `/api/linkage-config` points
     * at the page's own origin (so the page's CSP allows it), and
     * `/v1/projects/demo-partners/...` is served from `runs` ({id: body}). Every
     * request is checked for the company's bearer key.
     */
    async function mockLinkage({ runs, refuse = null }) {
        const origin = new URL(h.consoleUrl).origin;
        const seen = [];
        await h.route(`${origin}/api/linkage-config`, (route) => route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify({ endpoint: origin }) }));
        await h.route(`${origin}/v1/projects/demo-partners**`, (route) => {
            const req = route.request();
            const rel = new URL(req.url()).pathname;
            seen.push({ path: rel, auth: req.headers().authorization, method: req.method() });
            const json = (status, body) => route.fulfill({ status, contentType: 'application/json', body: JSON.stringify(body) });
            if (req.headers().authorization !== `Bearer ${COMPANY_KEY}`) return json(401, { error: 'auth.invalid', message: 'unknown credential' });
            if (refuse && rel.startsWith(refuse.path)) return json(refuse.status, { error: refuse.code, message: 'refused' });
            if (rel === '/v1/projects/demo-partners') {
                return json(200, { project: 'demo-partners', party: 'company', role: 'directory', usage: { recordsToday: 0, runsToday: 0 } });
            }
            if (rel === '/v1/projects/demo-partners/runs') {
                return json(200, { runs: Object.entries(runs).map(([run, b]) => ({ run, party: b.party, createdAt: b.createdAt, linked: b.links.length })) });
            }
            const id = decodeURIComponent(rel.split('/').pop());
            if (!runs[id]) return json(404, { error: 'run.unknown', message: 'no such run' });
            const { party, links } = runs[id];
            return json(200, { run: id, party, rows: links.length, links });
        });
        const unroute = () => h.unrouteAll();
        return { seen, unroute };
    }

    test('console: partner matches without a linkage service say the service is not running', async () => {
        const { page, errors } = await h.open(CONSOLE());
        await page.waitForSelector('#linkageStatus[data-state="off"], #linkageStatus[data-state="error"]');
        const s = await page.$eval('#linkageStatus', (e) => ({ state: e.dataset.state, code: e.dataset.code, text: e.textContent }));
        assert.deepEqual([s.state, s.code], ['off', 'linkage.not_configured'], s.text);
        assert.match(s.text, /^The linkage service is not running on this server, so there are no partner matches to show\. linkage\.not_configured$/);
        assert.equal(await page.$eval('#matchDetail', (e) => e.hidden), true);
        await page.close();
        assert.deepEqual(unexpected(errors), []);
    });

    test('console: partner matches map our upload rows to CRM records, persons and households (mocked linkage API)', async (t) => {
        // A partner matched the three people of one household, one corporate
        // family's approver, one row twice-known customer and a row the directory lacks.
        const house = BUILT.households.find((hh) => hh.length === 3);
        const approver = BUILT.families[0].approver;
        const rowOf = (id) => UPLOAD_ROWS.indexOf(id);
        for (const id of [...house, approver]) assert.ok(rowOf(id) >= 0, `${id} is a CRM person`);
        const links = [
            ...house.map((id, i) => ({ row: rowOf(id), probability: 0.99 - i * 0.01 })),
            { row: rowOf(approver), probability: 0.87 },
            { row: rowOf(UPLOAD_ROWS[0]), probability: 0.61 },
            { row: UPLOAD_ROWS.length + 5, probability: 0.9 },
        ];
        const runs = {
            r_older: { party: 'partner-acme', createdAt: '2026-05-01T09:00:00Z', links: links.slice(0, 1) },
            r_newest: { party: 'partner-acme', createdAt: '2026-05-02T10:30:00Z', links },
        };
        const { seen, unroute } = await mockLinkage({ runs });
        t.after(unroute);
        const { page, errors } = await h.open(CONSOLE());
        await page.waitForSelector('body[data-directory="ready"]', { timeout: 90_000 });
        await page.waitForSelector('#matches[data-run="r_newest"]', { timeout: 30_000 });
        assert.equal(await page.$eval('#linkageStatus', (e) => e.dataset.state), 'ready');
        assert.deepEqual(await page.$$eval('#runsTable tbody tr', (r) => r.map((x) => x.dataset.run)), ['r_newest', 'r_older'], 'newest first');
        assert.equal(await page.$eval('#runsTable tbody tr.selected', (x) => x.dataset.run), 'r_newest');

        // Rows → CRM records: exactly the ones the partner matched, the unknown row left out.
        const rows = await page.$$eval('#matchTable tbody tr', (r) => r.map((x) => ({ ...x.dataset })));
        const wantIds = [...house, approver, UPLOAD_ROWS[0]];
        assert.deepEqual(rows.map((x) => x.record).sort(), [...wantIds].sort());
        for (const x of rows) assert.equal(UPLOAD_ROWS[Number(x.row)], x.record, 'row r is the r-th CRM person');
        // The household's three people: three persons, one household entity, shown as one shared household.
        const inHouse = rows.filter((x) => house.includes(x.record));
        assert.equal(new Set(inHouse.map((x) => x.person)).size, 3);
        assert.equal(new Set(inHouse.map((x) => x.household)).size, 1);
        assert.ok(inHouse.every((x) => /^[A-Za-z0-9_-]+$/.test(x.person) && x.household));
        assert.equal(await num(page, '#mPersons'), 5);
        assert.equal(await num(page, '#mRows'), 5);
        assert.ok(await num(page, '#mHouseholds') >= 1);
        assert.ok(await num(page, '#mContribution') > 0);
        const text = await page.$eval('#matchText', (e) => e.textContent);
        assert.match(text, new RegExp(`^Partner partner-acme matched 6 of the ${UPLOAD_ROWS.length.toLocaleString('en')} rows we uploaded: 5 of our customers`));
        assert.match(text, /is a contact of 1 corporate family\./);
        assert.match(text, /1 matched row is not in this directory/);
        // Sorted by value, with a tier for every matched customer.
        const tiers = await page.$$eval('#matchTable tbody tr td:last-child .tier', (t) => t.map((x) => x.textContent));
        assert.ok(tiers.every((t) => ['A', 'B', 'C'].includes(t)), tiers.join());

        await h.screenshot(page, 'console-matches');

        // Another run: its rows only.
        await page.click('#runsTable tbody tr[data-run="r_older"]');
        await page.waitForSelector('#matches[data-run="r_older"]');
        assert.deepEqual(await page.$$eval('#matchTable tbody tr', (r) => r.map((x) => x.dataset.record)), [house[0]]);
        // Every call carried the company's credential, and only reads were made.
        assert.ok(seen.length >= 4);
        assert.ok(seen.every((s) => s.auth === `Bearer ${COMPANY_KEY}` && s.method === 'GET'));
        await page.close();
        assert.deepEqual(unexpected(errors), []);
    });

    test('console: a refusal by the linkage service is shown with its code', async (t) => {
        const { unroute } = await mockLinkage({ runs: {}, refuse: { path: '/v1/projects/demo-partners/runs', status: 403, code: 'origin.forbidden' } });
        t.after(unroute);
        const { page, errors } = await h.open(CONSOLE());
        await page.waitForSelector('#linkageStatus[data-state="error"]');
        assert.equal(await page.$eval('#linkageStatus', (e) => e.dataset.code), 'origin.forbidden');
        assert.match(await page.$eval('#linkageStatus', (e) => e.textContent), /^The linkage service does not accept the company's credential from this page's origin\. origin\.forbidden$/);
        await page.close();
        // The browser logs the refused request; nothing else.
        assert.deepEqual(unexpected(errors).filter((e) => !/\/v1\/projects\/demo-partners\/runs/.test(e) && !/status of 403/.test(e)), []);
    });

    test('console: a directory that cannot be fetched is reported with its code; forget stays available', async (t) => {
        // Forget the stored directory while the server's file is unreachable.
        await h.route('**/console/demo-directory.json', (route) => route.fulfill({ status: 404, contentType: 'text/plain', body: 'gone' }));
        t.after(() => h.unrouteAll());
        const { page, errors } = await h.open(CONSOLE());
        await page.waitForSelector('#forget:not([disabled])', { timeout: 90_000 });
        await page.click('#forget');
        await page.waitForSelector('#directoryStatus[data-code]', { timeout: 90_000 });
        assert.equal(await page.$eval('#directoryStatus', (e) => e.dataset.code), 'console.directory_unavailable');
        assert.equal(await page.$eval('#directoryStatus', (e) => e.textContent),
            'The directory could not be opened: the demo directory could not be fetched from this server console.directory_unavailable');
        assert.equal(await page.$eval('body', (b) => b.dataset.directory ?? null), null);
        assert.equal(await page.$eval('#forget', (b) => b.disabled), false, 'forget stays available to try again');
        await page.close();
        assert.deepEqual(unexpected(errors).filter((e) => !e.includes('/console/demo-directory.json')), []);
    });

    // ---------------------------------------------------------------- with the real linkage service

    test('console: after a partner runs the demo file in the partner portal, the panel shows which of our customers it matched (real services)', async () => {
        const dir = mkdtempSync(path.join(tmpdir(), 'pseudolink-console-'));
        const lh = await startBrowserHarness(browser, { keyserver: DEMO_KEYSERVER, linkage: DEMO_LINKAGE, linkageDb: path.join(dir, 'linkage.sqlite'), console: true });
        try {
            // The company's pipeline uploads its CRM persons in the directory's order.
            const company = await runCompanyPipeline(lh.url, { recordOut: path.join(dir, 'company-records.json') });
            const crmIds = csvRows(COMPANY_CRM).slice(1).map((r) => r[0]);
            assert.deepEqual(crmIds, UPLOAD_ROWS, 'the upload\'s rows are the directory\'s CRM persons, in order');
            assert.equal(company.records.length, UPLOAD_ROWS.length);

            // A partner links the demo file in the partner portal.
            const partner = await lh.open('/portal/');
            await partner.page.waitForSelector('body[data-ready="true"]');
            await partner.page.click('#tryDemo');
            await partner.page.waitForSelector('body[data-done="true"]', { timeout: 180_000 });
            const run = await partner.page.$eval('#summaryText', (p) => p.dataset.run);
            assert.match(run, /^r_[A-Za-z0-9_-]+$/);
            await partner.page.close();

            // The same run as the service tells the company.
            const res = await fetch(`${lh.linkageUrl}/v1/projects/demo-partners/runs/${run}`, { headers: { authorization: `Bearer ${COMPANY_KEY}` } });
            assert.equal(res.status, 200);
            const body = await res.json();
            assert.ok(body.links.length > 0, "the run matched some of our rows");

            const { page, errors } = await lh.open(`${lh.consoleUrl}/console/`);
            await page.waitForSelector('body[data-directory="ready"]', { timeout: 90_000 });
            await page.waitForSelector(`#matches[data-run="${run}"]`, { timeout: 60_000 });
            assert.equal(await page.$eval('#linkageStatus', (e) => e.dataset.state), 'ready');
            assert.match(await page.$eval('#linkageProject', (e) => e.textContent), /^Project demo-partners, as company \(directory\) at http:\/\/127\.0\.0\.1:\d+\.$/);
            const listed = await page.$$eval('#runsTable tbody tr', (r) => r.map((x) => ({ run: x.dataset.run, party: x.dataset.party })));
            assert.deepEqual(listed, [{ run, party: 'partner-acme' }]);
            assert.equal(await num(page, '#mRows'), body.links.length, 'every matched row is a CRM record of the directory');
            const persons = await num(page, '#mPersons');
            assert.ok(persons <= body.links.length && persons >= 0.95 * body.links.length, `persons ${persons}`);
            assert.ok(await num(page, '#mContribution') > 0);

            // The matched customers against the generator's truth (partner row → directory id).
            const truthIds = new Set(csvRows(path.join(FIXTURES, 'demo-partner-truth.csv')).slice(1)
                .filter((r) => r.length === 2).map(([, id]) => id));
            const matchedIds = new Set(body.links.map((l) => UPLOAD_ROWS[l.row]));
            const tp = [...matchedIds].filter((id) => truthIds.has(id)).length;
            console.log(`console: run ${run}: ${body.links.length} of our rows matched, ${persons} customers; precision ${(tp / matchedIds.size).toFixed(3)}, recall ${(tp / truthIds.size).toFixed(3)}`);
            assert.ok(tp / matchedIds.size >= 0.9 && tp / truthIds.size >= 0.9);
            // The page's rows: mapped as row r → the r-th CRM person, all of them from the run.
            const shown = await page.$$eval('#matchTable tbody tr', (r) => r.map((x) => ({ ...x.dataset })));
            assert.equal(shown.length, 12);
            const runRows = new Set(body.links.map((l) => l.row));
            for (const x of shown) {
                assert.ok(runRows.has(Number(x.row)));
                assert.equal(x.record, UPLOAD_ROWS[Number(x.row)]);
                assert.ok(x.person && x.household);
            }
            await page.click('#matchNext');
            assert.notDeepEqual(await page.$$eval('#matchTable tbody tr', (r) => r.map((x) => x.dataset.record)), shown.map((x) => x.record));
            await h.screenshot(page, 'console-partner-matches');
            await page.close();
            assert.deepEqual(errors, []);
        } finally {
            await lh.close();
            rmSync(dir, { recursive: true, force: true });
        }
    });
});
