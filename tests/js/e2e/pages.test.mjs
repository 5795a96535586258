// Loads every .html page under www/ from the real server in headless Chromium
// and fails on any console error, uncaught page error, failed request or HTTP
// error. The staff console's pages (console/) are loaded from the console's
// own listener, the others from the public pages'. Screenshots go to
// tests/e2e-artifacts/.
//
//   make pkg server && (cd tests/js && node --test e2e/)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT, startHarness } from './harness.mjs';

const WWW = path.join(ROOT, 'www');

/** Paths of every .html file under `dir`, relative to it, with '/' separators. */
function htmlFiles(dir, prefix = '') {
    return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
        if (d.name.startsWith('.') || d.name === 'node_modules') return [];
        const rel = prefix + d.name;
        if (d.isDirectory()) return htmlFiles(path.join(dir, d.name), `${rel}/`);
        return d.name.endsWith('.html') ? [rel] : [];
    });
}

const pages = htmlFiles(WWW).sort();

/**
 * This harness runs no linkage service, so the pages that use one (the staff
 * console, console/index.html) get the contract's 404 `linkage.not_configured`
 * from `/api/linkage-config`, which the browser logs, and say so on the page.
 * Those two lines are expected; any other error fails.
 */
const NO_LINKAGE = [
    /^HTTP 404: \/api\/linkage-config$/,
    /^console\.error: Failed to load resource: the server responded with a status of 404 .*\(\/api\/linkage-config\)$/,
];
/**
 * Nor does it run a key server, so the checkout (which holds no key and makes
 * its tokens through one) gets 404 `keyserver.not_configured` from
 * `/api/oblivious-config` and says so with its code (tested below).
 */
const NO_KEYSERVER = [
    /^HTTP 404: \/api\/oblivious-config$/,
    /^console\.error: Failed to load resource: the server responded with a status of 404 .*\(\/api\/oblivious-config\)$/,
];
const expected = (rel) => [...NO_LINKAGE, ...(rel === 'checkout/index.html' ? NO_KEYSERVER : [])];
let h;

before(async () => {
    h = await startHarness({ console: true });
});

after(async () => {
    await h?.close();
});

test('www/ has pages', () => {
    assert.ok(pages.length > 0, 'no .html files under www/');
});

for (const rel of pages) {
    test(`page ${rel}: loads with no console or page errors`, async () => {
        const { page, errors } = await h.open(rel.startsWith('console/') ? `${h.consoleUrl}/${rel}` : `/${rel}`);
        // Let module scripts finish their top-level await (wasm init).
        await page.waitForLoadState('networkidle');
        await page.waitForTimeout(200);
        await h.screenshot(page, `page-${rel}`);
        await page.close();
        assert.deepEqual(errors.filter((e) => !expected(rel).some((re) => re.test(e))), [], `errors on ${rel}`);
    });
}

test('checkout without a key server: a sentence with its code, and no order can be placed', async () => {
    const { page } = await h.open('/checkout/');
    await page.waitForSelector('body[data-error]');
    assert.equal(await page.getAttribute('body', 'data-error'), 'keyserver.not_configured');
    const status = await page.textContent('#status');
    assert.match(status, /^Could not start\. This shop runs no key server, so your details cannot be turned into tokens here and no order can be placed\./);
    assert.match(status, /\(keyserver\.not_configured\)$/);
    assert.equal(await page.getAttribute('#status', 'class'), 'status bad');
    assert.ok(await page.$eval('#submit', (b) => b.disabled));
    await page.close();
});

/** Every file under `dir` (relative, '/' separators). */
function allFiles(dir, prefix = '') {
    return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
        if (d.name.startsWith('.') || d.name === 'node_modules' || d.name === 'screenshots') return [];
        const rel = prefix + d.name;
        return d.isDirectory() ? allFiles(path.join(dir, d.name), `${rel}/`) : [rel];
    });
}

test('no page ships keyed tokens together with the key that made them', async () => {
    // No served file holds a token key: the playground makes a random key per
    // page load, and no served file carries a pl1 token under its key id
    // (whoever holds tokens and their key can invert them by guessing). The
    // company's directory is keyed with the company's own keys (demo/company/),
    // which no page holds: neither their bytes nor their hex appear under www/.
    const { DEMO_KEY_ID } = await import(path.join(WWW, 'shared', 'demo-config.js'));
    const keyed = new RegExp(`pl1\\.[A-Za-z-]+\\.${DEMO_KEY_ID}\\.[A-Za-z0-9_-]{43}`);
    const files = allFiles(WWW);
    assert.ok(files.includes('console/demo-directory.json'), 'the scan reaches the directory');
    const offenders = files.filter((f) => keyed.test(readFileSync(path.join(WWW, f), 'latin1')));
    assert.deepEqual(offenders, []);
    const { keyId } = JSON.parse(readFileSync(path.join(WWW, 'console', 'demo-directory.json'), 'utf8'));
    assert.notEqual(keyId, DEMO_KEY_ID);
    const company = JSON.parse(readFileSync(path.join(ROOT, 'demo', 'company', 'directory-keys.json'), 'utf8'));
    const secrets = [company.tokenKeyHex, Buffer.from(company.tokenKeyHex, 'hex').toString('base64'), company.clkSecret];
    assert.deepEqual(files.filter((f) => secrets.some((x) => readFileSync(path.join(WWW, f), 'latin1').includes(x))), []);
    // No key literal in the page modules (32 numbers in a Uint8Array, or 64 hex digits).
    const keyLiteral = /new Uint8Array\(\[(\s*0x[0-9a-f]{2}\s*,){31}|['"][0-9a-f]{64}['"]/i;
    assert.deepEqual(files.filter((f) => /\.(m?js|html)$/.test(f) && !f.startsWith('vendor/')
        && keyLiteral.test(readFileSync(path.join(WWW, f), 'utf8'))), []);
});
