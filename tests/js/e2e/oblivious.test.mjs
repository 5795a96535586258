// Oblivious tokens in headless Chromium and Firefox ESR (browsers.mjs;
// E2E_BROWSERS picks one), and Node, against the real key
// server started here: same input → same token across calls and blinds,
// fields domain-separated, rotation across key versions, tampered answers
// refused, typed errors, and no raw value in any request. And the checkout
// (keyless, oblivious only: its own flow is checkout.test.mjs) in front of a
// key server that does not know its credential: a sentence with the code.
//
//   make pkg && cargo build --features server && (cd tests/js && node --test e2e/oblivious.test.mjs)
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BROWSERS, startBrowserHarness } from './browsers.mjs';

const API_KEY = 'e2e-oblivious-key';
const DEFINITION = {
    version: 1,
    fields: ['email', 'phone', 'firstName', 'lastName'],
    matchKeys: [{ name: 'nameInit', parts: [{ field: 'lastName' }, { field: 'firstName', take: 'initial' }] }],
    defaultRegion: 'US',
};
const JANE = { email: 'Jane.Doe@Example.com', phone: '(415) 555-0100', firstName: 'Jane', lastName: 'Doe' };
const JANE_AGAIN = { email: ' jane.doe@EXAMPLE.COM', phone: '+1 415 555 0100', firstName: 'JANE', lastName: 'doe' };

for (const browser of BROWSERS) describe(browser, () => {
    let h;
    let dir;
    before(async () => {
        dir = mkdtempSync(path.join(tmpdir(), 'pseudolink-oblivious-'));
        mkdirSync(path.join(dir, 'keys'));
        for (const v of ['r1', 'r2', 'gone']) writeFileSync(path.join(dir, 'keys', `${v}.seed`), randomBytes(32).toString('hex'));
        writeFileSync(path.join(dir, 'keyserver.json'), JSON.stringify({
            activeKey: 'r2',
            keys: [
                { version: 'gone', seedFile: 'keys/gone.seed', retiresAt: '2020-01-01T00:00:00Z' },
                { version: 'r1', seedFile: 'keys/r1.seed', retiresAt: '2099-01-01T00:00:00Z' },
                { version: 'r2', seedFile: 'keys/r2.seed' },
            ],
            partners: [{
                id: 'e2e', apiKeySha256: createHash('sha256').update(API_KEY).digest('hex'),
                origins: ['pages'], ratePerSecond: 5000, burst: 20000, quotaPerDay: 1000000,
            }],
            maxBatch: 64,
        }));
        h = await startBrowserHarness(browser, { keyserver: path.join(dir, 'keyserver.json') });
    });
    after(async () => {
        await h?.close();
        if (dir) rmSync(dir, { recursive: true, force: true });
    });

    /** Public keys as the key server lists them: {version: pkSm}. */
    async function publicKeys() {
        const keys = await (await fetch(new URL('/v1/keys', h.keyserverUrl))).json();
        return Object.fromEntries(keys.keys.map((k) => [k.version, k.publicKey]));
    }

    /** Runs `scenario(args)` in a page of the pages origin (its CSP applies). */
    async function inPage(scenario, args) {
        const { page, errors } = await h.open('/');
        const out = await page.evaluate(scenario, args);
        await page.close();
        return { out, errors };
    }

    test('oblivious in the browser: stable tokens, domain separation, rotation, tampering refused', async () => {
        const pins = await publicKeys();
        assert.deepEqual(Object.keys(pins).sort(), ['r1', 'r2'], 'retired versions are not listed');
        const { out, errors } = await inPage(async ({ endpoint, pins, apiKey, definition, jane, janeAgain }) => {
            const m = await import('/pkg/oblivious.js');
            const make = (publicKey, extra = {}) => new m.ObliviousPseudonymizer({ endpoint, publicKey, apiKey, definition, ...extra });
            const catchCode = async (p) => {
                try { await p; return null; } catch (e) { return { name: e.name, code: e.code, status: e.status, serverCode: e.serverCode, isTyped: e instanceof m.ObliviousError }; }
            };
            const r2 = make({ r2: pins.r2 });
            const a = await r2.tokenize(jane);
            const b = await r2.tokenize(janeAgain);
            const progress = [];
            const batch = await r2.tokenizeBatch([jane, janeAgain, { firstName: 'Jordan', lastName: 'Jordan' }], { onProgress: (p) => progress.push(p) });
            const both = await make({ r1: pins.r1, r2: pins.r2 }).tokenize(jane);
            const r1 = await make(pins.r1, { keyVersion: 'r1' }).tokenize(jane);

            // A man in the middle swaps two evaluations: the proof no longer holds.
            const tamperingFetch = async (url, init) => {
                const res = await fetch(url, init);
                const body = await res.json();
                [body.evaluated[0], body.evaluated[1]] = [body.evaluated[1], body.evaluated[0]];
                return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
            };
            return {
                a, b, batch, both, r1, progress,
                tampered: await catchCode(make({ r2: pins.r2 }, { fetch: tamperingFetch }).tokenize(jane)),
                // r1's key pinned under r2's name: the server's r2 answer cannot verify.
                wrongPin: await catchCode(make({ r2: pins.r1 }).tokenize(jane)),
                retired: await catchCode(make({ gone: pins.r1 }).tokenize(jane)),
                badKey: await catchCode(make({ r2: pins.r2 }, { apiKey: 'wrong' }).tokenize(jane)),
                unreachable: await catchCode(make({ r2: pins.r2 }, { endpoint: 'http://127.0.0.1:9' }).tokenize(jane)),
                badPin: await catchCode(make({ r2: 'AAAA' }).tokenize(jane)),
                badRecord: await catchCode(r2.tokenizeBatch('not records')),
                badField: (await r2.tokenize({ email: 'not-an-email' })).errors,
            };
        }, { endpoint: h.keyserverUrl, pins, apiKey: API_KEY, definition: DEFINITION, jane: JANE, janeAgain: JANE_AGAIN });
        // The only console errors are the refusals provoked above: the 410 and
        // 401, and the page's CSP blocking the endpoint that is not its key server.
        const unexpected = errors.filter((e) => !/\b(410|401)\b|127\.0\.0\.1:9\//.test(e));
        assert.deepEqual(unexpected, []);

        // Same input, typed differently, fresh blinds each call: the same tokens.
        assert.equal(out.a.tokens.length, 4);
        assert.deepEqual(out.a, out.b);
        assert.deepEqual(out.batch[0], out.a);
        assert.deepEqual(out.batch[1], out.a);
        assert.deepEqual(out.progress.at(-1), { done: 3, total: 3 });
        for (const t of [...out.a.tokens, ...out.a.matchKeys]) assert.match(t, /^po1\.[A-Za-z-]+\.r2\.[A-Za-z0-9_-]{43}$/);
        assert.deepEqual(out.a.tokens.map((t) => t.split('.')[1]), ['email', 'phone', 'firstName', 'lastName']);
        assert.match(out.a.matchKeys[0], /^po1\.mk-nameInit\.r2\./);

        // Different fields, same value: different tokens.
        const [first, last] = out.batch[2].tokens;
        assert.equal(first.split('.')[1], 'firstName');
        assert.notEqual(first.split('.')[3], last.split('.')[3]);

        // Rotation: pinning both versions gives a token under each; each equals
        // the token of a client pinning that version alone.
        assert.equal(out.both.tokens.length, 8);
        assert.equal(out.both.tokens[0], out.r1.tokens[0]);
        assert.equal(out.both.tokens[1], out.a.tokens[0]);
        assert.notEqual(out.r1.tokens[0].split('.')[3], out.a.tokens[0].split('.')[3]);

        // Typed errors.
        assert.deepEqual(out.tampered, { name: 'ObliviousError', code: 'oblivious.verification_failed', status: undefined, serverCode: undefined, isTyped: true });
        assert.equal(out.wrongPin.code, 'oblivious.verification_failed');
        assert.deepEqual([out.retired.code, out.retired.status, out.retired.serverCode], ['server.refused', 410, 'key.retired']);
        assert.deepEqual([out.badKey.code, out.badKey.status, out.badKey.serverCode], ['server.refused', 401, 'auth.invalid']);
        assert.equal(out.unreachable.code, 'network.failed');
        assert.equal(out.badPin.code, 'oblivious.invalid_public_key');
        assert.equal(out.badRecord.code, 'record.invalid');
        assert.equal(out.badField[0].code, 'email.missing_at');

        // Neither the pages server nor the key server saw a typed value.
        await h.assertNoRawValues([...Object.values(JANE), ...Object.values(JANE_AGAIN), 'Jordan']
            .flatMap((v) => [v, v.trim().toLowerCase()]));
        // The key server's log: counts and codes, never elements or credentials.
        const ksLog = h.serverLog.filter((l) => l.includes('"svc":"keyserver"'));
        assert.ok(ksLog.length > 0);
        assert.ok(ksLog.every((l) => !l.includes(API_KEY) && !l.includes('blinded')));
    });

    test('oblivious in Node: the same tokens as in the browser', async () => {
        const { ObliviousPseudonymizer } = await import('pseudolink/oblivious');
        const pins = await publicKeys();
        const p = new ObliviousPseudonymizer({ endpoint: h.keyserverUrl, publicKey: { r2: pins.r2 }, apiKey: API_KEY, definition: DEFINITION });
        const node = await p.tokenize(JANE);
        const { out } = await inPage(async (a) => {
            const m = await import('/pkg/oblivious.js');
            return new m.ObliviousPseudonymizer(a).tokenize(a.jane);
        },
            { endpoint: h.keyserverUrl, publicKey: { r2: pins.r2 }, apiKey: API_KEY, definition: DEFINITION, jane: JANE });
        assert.deepEqual(node, out);
    });

    test('checkout, key server refuses its credential: a sentence with the code, nothing sent to the shop', async () => {
        // This key server pins r2 and knows only the e2e credential, not the
        // checkout's publishable one: the page starts, the evaluation is refused.
        const { page, errors } = await h.open('/checkout/');
        await page.waitForSelector('body[data-ready="true"]');
        assert.match(await page.textContent('#status'), /key r2/);
        for (const [name, v] of Object.entries({ firstName: 'Jane', lastName: 'Doe', email: JANE.email, phone: JANE.phone })) {
            await page.fill(`input[name="${name}"]`, v);
        }
        await page.waitForSelector('#submit:not([disabled])');
        await page.click('#submit');
        await page.waitForSelector('#result:not([hidden])');
        const result = await page.$eval('#result', (el) => ({ text: el.textContent, code: el.dataset.code, cls: el.className }));
        await page.close();
        assert.equal(result.code, 'auth.invalid');
        assert.equal(result.cls, 'result bad');
        assert.equal(result.text, 'The order could not be placed. The key server does not know this shop’s credential. (auth.invalid)');
        await h.settle();
        assert.ok(!h.requests.some((r) => r.url.endsWith('/api/checkout')), 'an order was sent without tokens');
        // The only errors are the key server's 401 (the response and its console line).
        assert.deepEqual(errors.filter((e) => !/\b401\b/.test(e)), []);
        assert.ok(errors.length > 0);
        await h.assertNoRawValues([...Object.values(JANE)].flatMap((v) => [v, v.trim().toLowerCase()]));
    });
});
