// Loads every .html page under www/ from the real server in headless Chromium
// and fails on any console error, uncaught page error, failed request or HTTP
// error. The staff console's pages (console/) are loaded from the console's
// own listener, the others from the public pages'. Screenshots go to
// tests/e2e-artifacts/.
//
//   make pkg server && (cd tests/js && node --test e2e/)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
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
        assert.deepEqual(errors.filter((e) => !NO_LINKAGE.some((re) => re.test(e))), [], `errors on ${rel}`);
    });
}
