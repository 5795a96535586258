// The page tests that run in every browser (browsers.mjs: Chromium through
// playwright-core, Firefox ESR through geckodriver and WebDriver BiDi), against
// one real server with the pages, the key server, the linkage service and the
// staff console's listener, the company's directory uploaded first by its
// pipeline (as `make demo`):
//  - every page of www/ at 390 px: no sideways scroll
//    (document.documentElement.scrollWidth <= 390), every control it shows
//    has an accessible name, no console or page error, no failed request;
//  - the partner portal: the demo file is encoded and linked, with no raw
//    value of the file in any request (URL, headers or body, workers' too);
//    a new run clears the earlier results; an empty file, a
//    semicolon-separated file, a windows-1252 ("Latin-1") file and a file
//    with no column it can map each give a clear sentence, never a silent
//    "0 rows"; a file over the partner's row limit is refused before any
//    token is asked for; cancel while the service links (a second server
//    whose engine never answers) cancels the run there, and it is refunded;
//  - the checkout: a national phone number of another country says so (not
//    "is too long"), and an order goes out with no raw value in any request;
//  - the playground: typed values become tokens in the tab, none is sent.
// E2E_BROWSERS=firefox (or chromium) runs one of them.
//
//   make pkg server && (cd tests/js && node --test e2e/browsers.test.mjs)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Papa from 'papaparse';
import { ARTIFACTS, DEMO_KEYSERVER, ROOT, assertNoRawValues, startServer } from './harness.mjs';
import {
    DEMO_LINKAGE, partnerRuns, runCompanyPipeline, sleepingEngineLinkage, startLinkageServer,
} from './linkage-harness.mjs';
import { BROWSERS, launchBrowser } from './browsers.mjs';
import { overflow, unnamedControls } from './page-checks.mjs';

const PARTNER_TEXT = readFileSync(path.join(ROOT, 'www', 'portal', 'demo-partner.csv'), 'utf8');
const PARTNER = Papa.parse(PARTNER_TEXT, { delimiter: ',', skipEmptyLines: true }).data;

/** Distinctive raw values of the demo file's first `n` rows (e-mails, phones, streets). */
function rawSample(n) {
    const [header, ...rows] = PARTNER;
    const cols = ['Email Address', 'Phone', 'Address'].map((c) => header.indexOf(c));
    return rows.slice(0, n).flatMap((r) => cols.map((c) => r[c].trim())).filter((v) => v.length >= 8);
}

let server;
/** A second server whose linkage engine never answers: runs stay in progress until cancelled. */
let sleepy;
let sleepyDir;
before(async () => {
    server = await startServer({ keyserver: DEMO_KEYSERVER, linkage: DEMO_LINKAGE, console: true });
    await runCompanyPipeline(server.url);
    sleepyDir = mkdtempSync(path.join(tmpdir(), 'pseudolink-sleepy-'));
    sleepy = await startLinkageServer({ linkage: sleepingEngineLinkage(sleepyDir) });
});
after(async () => {
    await server?.stop();
    await sleepy?.close();
    if (sleepyDir) rmSync(sleepyDir, { recursive: true, force: true });
});

const waitReady = (tab) => tab.waitFor(() => document.body.dataset.ready === 'true' || document.body.dataset.error !== undefined, [], 60_000);

/** Chooses a file on the portal and waits until the page has read its head (mapping or message). */
async function choose(tab, name, buffer) {
    await tab.setFile('#file', name, buffer);
    await tab.waitFor(() => document.querySelector('#mapping tbody').children.length > 0 || !document.querySelector('#error').hidden);
}

const notes = (tab) => tab.eval(() => [...document.querySelectorAll('#notes .note')].map((n) => ({ code: n.dataset.code, text: n.textContent })));
const errorBox = (tab) => tab.eval(() => {
    const e = document.querySelector('#error');
    return { hidden: e.hidden, code: e.dataset.code ?? null, text: e.textContent };
});
/** Runs the portal on the chosen file: 'done' or the error code. */
async function run(tab) {
    await tab.click('#start');
    await tab.waitFor(() => document.body.dataset.done === 'true' || document.body.dataset.error !== undefined, [], 180_000);
    return tab.eval(() => document.body.dataset.error ?? 'done');
}

/** A sentence for people, its code beside for support; never a stack, never "undefined". */
function assertSentence(text, code) {
    assert.ok(!/Error:|at \w+ \(|undefined|\[object|NaN/.test(text), `a sentence, not a stack: ${text}`);
    assert.match(text, /^[A-Z][^]*\.\s/, `starts as a sentence: ${text}`);
    assert.ok(text.includes(`code: ${code}`), `the code is there for support: ${text}`);
}

/** n rows in the demo partner file's columns, separated by `sep`, as UTF-8 or windows-1252 bytes. */
function partnerFile(n, { sep = ',', latin1 = false, header } = {}) {
    const rows = PARTNER.slice(1, 1 + n).map((r) => r.map((c) => (c.includes(sep) || c.includes('"') ? `"${c.replace(/"/g, '""')}"` : c)));
    // Accented names, so that the encoding matters.
    rows.forEach((r, i) => { if (i % 3 === 0) r[1] = ['Zoë', 'José', 'Müller', 'Françoise'][i % 4]; });
    const text = [(header ?? PARTNER[0]).join(sep), ...rows.map((r) => r.join(sep))].join('\r\n') + '\r\n';
    return latin1 ? Buffer.from(text, 'latin1') : Buffer.from(text, 'utf8');
}

for (const name of BROWSERS) {
    let b;
    test(`${name}: start`, async () => { b = await launchBrowser(name); });

    test(`${name}: every page at 390 px has no sideways scroll, names every control and logs no error`, async () => {
        mkdirSync(ARTIFACTS, { recursive: true });
        for (const url of [`${server.url}/`, `${server.url}/checkout/`, `${server.url}/portal/`, `${server.consoleUrl}/console/`]) {
            const tab = await b.open(url);
            await tab.setViewport(390, 844);
            await waitReady(tab);
            if (url.endsWith('/console/')) {
                // The directory graph is built in a worker on the first visit; its sections fill the page then.
                await tab.waitFor(() => document.querySelector('#directoryStatus').dataset.source !== undefined
                    || document.querySelector('#directoryStatus').dataset.code !== undefined, [], 120_000);
            }
            const where = new URL(url).pathname;
            assert.equal(await tab.eval(() => document.body.dataset.error ?? null), null, `${where} started`);
            const o = await tab.eval(overflow);
            assert.equal(o.innerWidth, 390, `${where}: the viewport is 390 px wide`);
            assert.ok(o.scrollWidth <= 390 && o.scrollWidth <= o.clientWidth,
                `${where}: scrolls sideways (${o.scrollWidth} px in ${o.clientWidth}: ${o.wide.join(', ')})`);
            assert.deepEqual(await tab.eval(unnamedControls), [], `${where}: controls without an accessible name`);
            // The navigation is whole: every link of the header is inside the screen.
            const cut = await tab.eval(() => [...document.querySelectorAll('header nav a')]
                .filter((a) => { const r = a.getBoundingClientRect(); return r.left < 0 || r.right > document.documentElement.clientWidth; })
                .map((a) => a.textContent));
            assert.deepEqual(cut, [], `${where}: navigation cut`);
            await tab.screenshot(path.join(ARTIFACTS, `${name}-390-${where.replace(/\W+/g, '_')}.png`));
            assert.deepEqual(tab.errors, [], `${where}: errors`);
            await tab.close();
        }
    });

    test(`${name}: portal: the demo file is linked with no raw value on the wire, the column selects are named, and a new run clears the results`, async () => {
        const tab = await b.open(`${server.url}/portal/`);
        await waitReady(tab);
        await tab.click('#tryDemo');
        await tab.waitFor(() => document.body.dataset.done === 'true' || document.body.dataset.error !== undefined, [], 180_000);
        assert.equal(await tab.eval(() => document.body.dataset.error ?? null), null);
        const s = await tab.eval(() => ({ ...document.querySelector('#summaryText').dataset, linked: document.querySelector('#linkedCount').dataset.linked }));
        assert.equal(s.rows, String(PARTNER.length - 1));
        assert.ok(Number(s.linked) > 400, `matched ${s.linked}`);
        // The 13 column-mapping selects have names, and so has everything else now shown.
        const names = await tab.eval(() => [...document.querySelectorAll('#mapping select')].map((x) => x.getAttribute('aria-label')));
        assert.equal(names.length, 13);
        assert.ok(names.every((n) => /^Field of column \d+/.test(n)), names.join('; '));
        assert.deepEqual(await tab.eval(unnamedControls), []);
        assert.ok(await tab.eval(() => document.querySelectorAll('#waterfall rect.bar').length > 2), 'the waterfall is drawn');
        // The worker's requests are seen with their bodies: the upload's chunks and the key server's blinded elements.
        await b.settle((rs) => rs.some((r) => r.url.startsWith(server.linkageUrl) && r.method === 'PUT')
            && rs.some((r) => r.url.startsWith(server.keyserverUrl) && r.method === 'POST'));
        assert.ok(b.requests.some((r) => r.url.startsWith(server.linkageUrl) && r.method === 'PUT' && r.body.includes('"records"')), 'the upload\'s chunks were recorded');
        assert.ok(b.requests.some((r) => r.url.startsWith(server.keyserverUrl) && r.method === 'POST' && r.body.length > 100), 'the key server\'s requests were recorded');
        assertNoRawValues(b.requests, rawSample(300));

        // A new file: the earlier results go at once, and do not come back while it runs.
        await choose(tab, 'second.csv', partnerFile(30));
        const cleared = () => tab.eval(() => ({
            report: document.querySelector('#report').hidden,
            bars: document.querySelectorAll('#waterfall > *').length,
            rows: document.querySelectorAll('#links tbody tr').length,
            bins: document.querySelector('#histogram').dataset.bins ?? null,
            linked: document.querySelector('#linkedCount').textContent,
            done: document.body.dataset.done ?? null,
        }));
        assert.deepEqual(await cleared(), { report: true, bars: 0, rows: 0, bins: null, linked: '–', done: null });
        await tab.click('#start');
        assert.deepEqual(await cleared(), { report: true, bars: 0, rows: 0, bins: null, linked: '–', done: null });
        await tab.waitFor(() => document.body.dataset.done === 'true' || document.body.dataset.error !== undefined, [], 120_000);
        assert.equal(await tab.eval(() => document.querySelector('#summaryText').dataset.rows), '30');
        assert.deepEqual(tab.errors, []);
        await tab.close();
    });

    test(`${name}: portal: cancel while the service links cancels the run there, and it is refunded`, async () => {
        const ended = () => sleepy.log.filter((l) => l.includes('"event":"run"')).map((l) => JSON.parse(l));
        const before = ended().length;
        const tab = await b.open(`${sleepy.url}/portal/`);
        await waitReady(tab);
        await tab.click('#tryDemo');
        await tab.waitFor(() => /at the engine for large files/.test(document.querySelector('#progressText').textContent)
            || document.body.dataset.error !== undefined, [], 120_000);
        assert.equal(await tab.eval(() => document.body.dataset.error ?? null), null);
        await tab.click('#cancel');
        assert.equal(await tab.eval(() => document.querySelector('#progressText').textContent), 'Cancelled.');
        // The worker's DELETE reaches the service, which kills the engine job and logs the run's end.
        for (let i = 0; i < 200 && ended().length === before; i++) await new Promise((r) => setTimeout(r, 50));
        assert.equal(ended().length, before + 1, 'the run ended at the service');
        assert.equal(ended().at(-1).status, 'cancelled');
        const key = await tab.eval(() => document.querySelector('#credLinkage').value);
        const { runs, runsToday } = await partnerRuns(sleepy.linkageUrl, { project: 'demo-partners', key });
        assert.ok(runs.length > 0 && runs.every((r) => r.status === 'cancelled'), JSON.stringify(runs));
        assert.equal(runsToday, 0, 'cancelled runs are refunded');
        assert.equal(await tab.eval(() => document.body.dataset.done ?? null), null, 'a cancelled run shows no results');
        assert.deepEqual(tab.errors, []);
        await tab.close();
    });

    test(`${name}: portal: an empty, a semicolon-separated, a Latin-1 and an unmappable file each get a clear result`, async () => {
        const tab = await b.open(`${server.url}/portal/`);
        await waitReady(tab);

        // Empty: a sentence at once, nothing to start.
        await choose(tab, 'empty.csv', Buffer.alloc(0));
        let box = await errorBox(tab);
        assert.equal(box.hidden, false);
        assert.equal(box.code, 'portal.empty_file');
        assertSentence(box.text, 'portal.empty_file');
        assert.equal(await tab.eval(() => document.querySelector('#start').disabled), true);

        // A header and no row: started, then a sentence (not "0 rows").
        await choose(tab, 'header-only.csv', Buffer.from(`${PARTNER[0].join(',')}\r\n`));
        assert.equal(await run(tab), 'portal.no_rows');
        assertSentence((await errorBox(tab)).text, 'portal.no_rows');

        // Semicolons: the columns are found and mapped, the page says how it read them, and the rows are encoded.
        await choose(tab, 'semicolons.csv', partnerFile(40, { sep: ';' }));
        const mapped = await tab.eval(() => [...document.querySelectorAll('#mapping select')].map((x) => x.value));
        assert.equal(mapped.length, 13);
        assert.equal(mapped[3], 'email');
        assert.ok((await notes(tab)).some((n) => n.code === 'portal.delimiter' && /semicolons/.test(n.text)));
        assert.equal(await run(tab), 'done');
        let s = await tab.eval(() => ({ ...document.querySelector('#summaryText').dataset }));
        assert.equal(s.rows, '40');
        assert.ok(Number(s.tokenised) >= 35, `tokenised ${s.tokenised}`);
        const tokenisedUtf8 = s.tokenised;

        // windows-1252: read as such, with a visible note, and the accents survive (same tokens as the UTF-8 file).
        await choose(tab, 'latin1.csv', partnerFile(40, { latin1: true }));
        let n = await notes(tab);
        assert.ok(n.some((x) => x.code === 'portal.encoding_windows1252' && /Windows-1252/.test(x.text)), JSON.stringify(n));
        assert.equal(await tab.eval(() => document.querySelector('#notes').hidden), false);
        assert.equal(await run(tab), 'done');
        s = await tab.eval(() => ({ ...document.querySelector('#summaryText').dataset }));
        assert.equal(s.rows, '40');
        assert.equal(s.tokenised, tokenisedUtf8);
        // The same file in UTF-8 has no such note.
        await choose(tab, 'utf8.csv', partnerFile(40));
        assert.ok(!(await notes(tab)).some((x) => x.code === 'portal.encoding_windows1252'));

        // No column the page can map: a warning beside the mapping, then a sentence on start.
        await choose(tab, 'unknown.csv', partnerFile(20, { header: PARTNER[0].map((_, i) => `col ${i + 1}`) }));
        n = await notes(tab);
        assert.ok(n.some((x) => x.code === 'portal.no_mapped_columns'), JSON.stringify(n));
        assert.equal(await run(tab), 'portal.no_fields');
        box = await errorBox(tab);
        assertSentence(box.text, 'portal.no_fields');
        // Mapping one column by hand lifts the warning.
        await tab.select('#mapping select[data-col="3"]', 'email');
        assert.ok(!(await notes(tab)).some((x) => x.code === 'portal.no_mapped_columns'));
        assert.deepEqual(tab.errors, []);
        await tab.close();
    });

    test(`${name}: portal: a file over the partner's row limit is refused before any token is asked for`, async () => {
        const tab = await b.open(`${server.url}/portal/`);
        await waitReady(tab);
        // The demo partner may upload 10,000 rows at a time (demo/linkage/linkage.json).
        const limit = JSON.parse(readFileSync(DEMO_LINKAGE, 'utf8')).projects[0].parties.find((p) => p.id === 'partner-acme').maxRecords;
        // Each row has a quoted first name with a line break and accents inside, so the count is right only if
        // the stream keeps quoted fields and characters whole across its pieces (the file is larger than one piece).
        const row = ['C1', '"Zoë\r\nMüller, Jr."', ...PARTNER[1].slice(2)].join(',');
        const big = Buffer.from(`${PARTNER[0].join(',')}\r\n${`${row}\r\n`.repeat(limit + 1)}`);
        assert.ok(big.length > 1.1e6, 'the file spans more than one parsed piece');
        await choose(tab, 'too-big.csv', big);
        const before = b.requests.length;
        assert.equal(await run(tab), 'upload.too_many_records');
        const box = await errorBox(tab);
        assertSentence(box.text, 'upload.too_many_records');
        assert.match(box.text, new RegExp(`^Your file has ${(limit + 1).toLocaleString('en')} rows, and this project accepts at most ${limit.toLocaleString('en')}`));
        const evaluations = b.requests.slice(before).filter((r) => new URL(r.url).origin === server.keyserverUrl && r.method === 'POST');
        assert.deepEqual(evaluations.map((r) => new URL(r.url).pathname), [], 'no key-server evaluation for a refused file');
        assert.deepEqual(tab.errors, []);
        await tab.close();
    });

    test(`${name}: checkout: a national number of another country says so, and an order carries no raw value`, async () => {
        const tab = await b.open(`${server.url}/checkout/`);
        await waitReady(tab);
        await tab.fill('input[name="phone"]', '020 7946 0958');
        await tab.waitFor(() => document.querySelector('.error[data-for="phone"]').textContent !== '');
        const phone = await tab.eval(() => ({ text: document.querySelector('.error[data-for="phone"]').textContent, code: document.querySelector('.error[data-for="phone"]').dataset.code }));
        assert.equal(phone.code, 'phone.too_long');
        assert.match(phone.text, /^Phone does not fit a United States number\. For a number from another country, start with \+ and its country code/);
        assert.ok(!phone.text.includes('is too long'));
        const typed = {
            firstName: 'Amélie', lastName: 'Okonkwo-Smith', email: 'amelie.okonkwo@example.org', phone: '+44 20 7946 0958',
            street: '350 Fifth Avenue', city: 'New York', state: 'NY', postalCode: '10118',
        };
        for (const [k, v] of Object.entries(typed)) await tab.fill(`input[name="${k}"]`, v);
        await tab.waitFor(() => !document.querySelector('#submit').disabled);
        const before = b.requests.length;
        await tab.click('#submit');
        await tab.waitFor(() => !document.querySelector('#result').hidden, [], 60_000);
        assert.match(await tab.eval(() => document.querySelector('#result').textContent), /Order #\d+/);
        await b.settle((rs) => rs.slice(before).some((r) => new URL(r.url).pathname === '/api/checkout'));
        const sent = b.requests.slice(before);
        assert.ok(sent.some((r) => new URL(r.url).pathname === '/api/checkout' && r.body.includes('"tokens"')), 'the order\'s body was recorded');
        assertNoRawValues(sent, Object.values(typed).filter((v) => v.length >= 6));
        assert.deepEqual(tab.errors, []);
        await tab.close();
    });

    test(`${name}: playground: typed values are normalised and tokenised in the tab, and none is sent`, async () => {
        const tab = await b.open(`${server.url}/`);
        await waitReady(tab);
        const typed = { email: 'Jon.Smith+shop@GoogleMail.com', phone: '(415) 555 0100', firstName: 'Dr. Jon', lastName: 'Smith', dateOfBirth: '02/14/1985' };
        const before = b.requests.length;
        for (const [k, v] of Object.entries(typed)) await tab.fill(`input[name="${k}"]`, v);
        await tab.waitFor(() => /jonsmith@gmail\.com/.test(document.querySelector('#table').textContent));
        const payload = JSON.parse(await tab.eval(() => document.querySelector('#payload').textContent));
        assert.match(payload.tokens.email, /^pl1\.email\.page\.[A-Za-z0-9_-]{43}$/);
        await b.settle();
        assertNoRawValues(b.requests.slice(before).length ? b.requests.slice(before) : b.requests, Object.values(typed));
        assert.deepEqual(tab.errors, []);
        await tab.close();
    });

    test(`${name}: stop`, async () => { await b?.close(); });
}
