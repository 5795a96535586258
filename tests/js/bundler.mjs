// Bundler test: esbuild bundles a tiny consumer (fixtures/bundle-entry.js,
// importing 'pseudolink' by name) for the browser; the real server serves the
// output; headless Chromium loads it. The page's results must equal what the
// same calls give in Node, with no console or page errors.
//
//   make pkg server && (cd tests/js && node --test bundler.mjs)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { normalize, Pseudonymizer } from 'pseudolink';
import { CASES, TOKEN_KEY, TOKEN_DEFINITION, TOKEN_RECORDS } from './fixtures/bundle-cases.js';
import { startHarness, ROOT } from './e2e/harness.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));

function outcome(field, input, options) {
    try {
        return { value: normalize(field, input, options) };
    } catch (e) {
        return { code: e.code, field: e.field };
    }
}

test('bundler: esbuild bundle runs in Chromium and agrees with Node', async () => {
    const out = mkdtempSync(path.join(tmpdir(), 'pseudolink-bundle-'));
    try {
        const result = await esbuild.build({
            entryPoints: [path.join(HERE, 'fixtures', 'bundle-entry.js')],
            bundle: true,
            format: 'esm',
            platform: 'browser',
            target: 'es2022',
            minify: true,
            outdir: out,
            entryNames: 'bundle',
            // The .wasm becomes a hashed file next to the bundle; importing it
            // yields its URL.
            loader: { '.wasm': 'file' },
            logLevel: 'silent',
        });
        assert.deepEqual(result.errors, []);
        const emitted = readdirSync(out);
        assert.equal(emitted.filter((f) => f.endsWith('.wasm')).length, 2, `emitted ${emitted.join(', ')}`);
        writeFileSync(
            path.join(out, 'index.html'),
            '<!doctype html><html><head><meta charset="utf-8"><title>bundle</title>' +
                '<link rel="icon" href="data:,"><script type="module" src="bundle.js"></script>' +
                '</head><body></body></html>\n',
        );

        // Serve only the bundle: the page must not need anything from pkg/.
        const h = await startHarness({ www: out, pkg: path.join(out, 'no-pkg') });
        try {
            const { page, errors } = await h.open('/');
            await page.waitForSelector('body[data-ready="true"]', { state: 'attached', timeout: 15000 });
            const got = JSON.parse(await page.getAttribute('body', 'data-results'));
            await h.screenshot(page, 'bundler');
            assert.deepEqual(errors, []);
            const want = CASES.map(([f, i, o]) => outcome(f, i, o));
            assert.deepEqual(got, want, 'browser bundle and Node agree');
            // Chromium has SIMD128: the page loaded the SIMD build, and its
            // tokens equal Node's byte for byte.
            assert.equal(await page.getAttribute('body', 'data-simd'), 'true');
            const p = new Pseudonymizer([{ id: 'k1', secret: new Uint8Array(TOKEN_KEY) }], TOKEN_DEFINITION);
            const wantTokens = p.tokenizeBatch(TOKEN_RECORDS);
            p.free();
            assert.deepEqual(JSON.parse(await page.getAttribute('body', 'data-tokens')), wantTokens);
            assert.equal(wantTokens[1].tokens.length, 3);
            assert.ok(!h.requests.some((r) => new URL(r.url).pathname.startsWith('/pkg/')), 'no request to /pkg/');
        } finally {
            await h.close();
        }
    } finally {
        rmSync(out, { recursive: true, force: true });
    }
});
