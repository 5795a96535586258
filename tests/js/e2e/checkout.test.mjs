// The checkout page (www/checkout/), opened by shoppers, so it holds no key:
// fill, submit, check what the server stored (oblivious `po1` tokens only,
// made through the demo key server), then come back typed differently and be
// recognised. Every request the page makes is checked for raw values; no
// served file holds a token key (pages.test.mjs checks www/).
//
//   make pkg server && (cd tests/js && node --test e2e/checkout.test.mjs)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DEMO_KEYSERVER, DEMO_ORDERS_KEY, ROOT, startHarness } from './harness.mjs';

let h;
// With the demo key server next to the pages, as `make demo` runs them.
before(async () => { h = await startHarness({ keyserver: DEMO_KEYSERVER }); });
after(async () => { await h?.close(); });

const FIRST = {
    firstName: 'Jon', lastName: 'Smith', email: 'jon.smith@gmail.com', phone: '+1 415-555-0100',
    street: '1600 Amphitheatre Parkway', city: 'Mountain View', state: 'CA', postalCode: '94043',
};
const RETURNING = {
    firstName: 'JON', lastName: 'smith', email: 'Jon.Smith+shop@GoogleMail.com', phone: '(415) 555 0100',
    street: '1600 Amphitheatre Pkwy', city: 'Mountain View', state: 'California', postalCode: '94043-1351',
};
const SHIP = { shipStreet: '500 Terry A Francois Blvd', shipCity: 'San Francisco', shipPostalCode: '94158' };

async function placeOrder(page, values, ship) {
    for (const [name, v] of Object.entries(values)) await page.fill(`input[name="${name}"]`, v);
    if (ship) {
        await page.check('#shipDifferent');
        for (const [name, v] of Object.entries(ship)) await page.fill(`input[name="${name}"]`, v);
    }
    await page.waitForSelector('#submit:not([disabled])');
    const [response] = await Promise.all([
        page.waitForResponse((r) => r.url().endsWith('/api/checkout')),
        page.click('#submit'),
    ]);
    assert.equal(response.status(), 200);
    await page.waitForSelector('#result:not([hidden])');
    return page.$eval('#result', (el) => ({ text: el.textContent, ...el.dataset }));
}

/** Records every response the browser receives from now on, with its body read at once. */
function recordResponses(context) {
    const got = [];
    const onResponse = (r) => {
        got.push(r.body().then(
            (body) => ({ url: r.url(), status: r.status(), body }),
            (e) => ({ url: r.url(), status: r.status(), error: e.message }),
        ));
    };
    context.on('response', onResponse);
    return async () => {
        context.off('response', onResponse);
        return Promise.all(got);
    };
}

test('checkout: no key in the page, po1 tokens, a returning customer is recognised', async () => {
    const before = h.requests.length;
    const responses = recordResponses(h.context);
    const { page, errors } = await h.open('/checkout/');
    await page.waitForSelector('body[data-ready="true"]');
    assert.match(await page.textContent('#status'), /This page holds no key/);
    // Only the oblivious entry is loaded: not the core wasm, and not the keyed
    // pages' module with the demo key (definition.js has the definition and labels).
    const loaded = h.requests.slice(before).map((r) => new URL(r.url).pathname);
    assert.ok(loaded.includes('/pkg/pseudolink_oblivious_bg.wasm'));
    assert.ok(loaded.includes('/shared/definition.js'));
    assert.ok(!loaded.includes('/pkg/pseudolink_bg.wasm'));
    assert.deepEqual(loaded.filter((p) => p.endsWith('/demo-config.js')), []);

    // An invalid e-mail blocks the order with an inline message.
    await page.fill('input[name="email"]', 'jon.smith.gmail.com');
    await page.waitForFunction(() => document.querySelector('.error[data-for="email"]').textContent !== '');
    assert.equal(await page.textContent('.error[data-for="email"]'), 'E-mail needs an @');
    assert.ok(await page.$eval('#submit', (b) => b.disabled));

    const first = await placeOrder(page, FIRST, SHIP);
    assert.equal(first.returning, 'false');
    assert.match(first.text, /You are new here/);
    assert.ok(Number(first.tokenizeMs) > 0);

    // What the server stored: oblivious tokens under the key server's active
    // version, no platform hashes (unsalted, guessable), the order.
    // The listing is the back office's: refused without its key.
    const refused = await fetch(new URL('/api/orders', h.url));
    assert.equal(refused.status, 401);
    assert.deepEqual(await refused.json(), { error: 'auth.missing' });
    const stored = await (await fetch(new URL('/api/orders', h.url), {
        headers: { authorization: `Bearer ${DEMO_ORDERS_KEY}` },
    })).json();
    assert.equal(stored.length, 1);
    const body = stored[0].body;
    assert.equal(body.keyId, 'demo-2026b');
    assert.ok(body.tokens.every((t) => /^po1\.[A-Za-z]+\.demo-2026b\.[A-Za-z0-9_-]{43}$/.test(t)), body.tokens.join());
    assert.ok(body.matchKeys.length > 0 && body.matchKeys.every((t) => t.startsWith('po1.mk-')));
    assert.deepEqual(body.shipTo.map((t) => t.split('.')[1]), ['street', 'city', 'postalCode', 'country']);
    assert.deepEqual(body.platformHashes, {});
    assert.deepEqual(body.order, { items: 2, totalCents: 5980, currency: 'USD' });
    // The panel shows what was sent, and what the shop stored for this order
    // (from the checkout's answer: the page never lists other orders).
    assert.match(await page.textContent('#table tbody'), /po1\.email\.demo-2026b/);
    const panel = JSON.parse(await page.textContent('#stored'));
    assert.deepEqual(panel.body, body);
    assert.equal(panel.orderId, stored[0].orderId);
    // The page called the key server (another origin) with blinded elements only.
    const ksCalls = h.requests.filter((r) => r.url.startsWith(h.keyserverUrl) && r.method === 'POST');
    assert.ok(ksCalls.length >= 1);
    assert.ok(ksCalls.every((r) => JSON.parse(r.body).keyVersion === 'demo-2026b'));

    await page.reload();
    await page.waitForSelector('body[data-ready="true"]');
    const again = await placeOrder(page, RETURNING);
    assert.equal(again.returning, 'true');
    assert.equal(again.customer, first.customer);
    assert.match(again.text, /Welcome back!.*recognised by matching e-mail, phone tokens/);

    await h.screenshot(page, 'checkout');
    await page.close();
    assert.deepEqual(errors, []);
    // No request (page loads, key-server calls, the POSTs, the order list)
    // carried a typed value, nor its lower-cased or trimmed form.
    const typed = [...Object.values(FIRST), ...Object.values(RETURNING), ...Object.values(SHIP)]
        .filter((v) => v.trim().length >= 4);
    h.assertNoRawValues(typed.flatMap((v) => [v, v.toLowerCase(), v.trim()]));
    assert.deepEqual(h.requests.filter((r) => new URL(r.url).pathname.endsWith('/demo-config.js')).map((r) => r.url), []);
    // Nor the back office's listing of every order.
    assert.deepEqual(h.requests.filter((r) => new URL(r.url).pathname === '/api/orders').map((r) => r.url), []);

    // Every response the page received (documents, modules, wasm, key
    // server, API answers) was read without error.
    const received = await responses();
    assert.ok(received.some((r) => r.url.endsWith('/pkg/pseudolink_oblivious_bg.wasm') && r.body?.length > 0), 'response bodies were not recorded');
    assert.deepEqual(received.filter((r) => r.error && r.status < 300 && r.status !== 204).map((r) => `${r.url}: ${r.error}`), []);
});

test('checkout endpoint: refuses anything that is not a token or a hash', async () => {
    const post = (body, type = 'application/json') => fetch(new URL('/api/checkout', h.url), {
        method: 'POST', headers: { 'content-type': type }, body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    const order = { items: 1, totalCents: 100, currency: 'USD' };
    const keyId = 'demo-2026b';
    const tag = 'A'.repeat(43);
    const cases = [
        [{ keyId, tokens: ['jane@example.com'], order }, 400, 'checkout.invalid_token'],
        [{ keyId, tokens: [`po1.jane_example_com.${keyId}.${tag}`], order }, 400, 'checkout.unknown_subject'],
        [{ keyId: 'jane_example_com', tokens: [], order }, 400, 'checkout.unknown_key'],
        [{ keyId, tokens: [], platformHashes: { meta: { em: 'jane@example.com' } }, order }, 400, 'checkout.invalid_hash'],
        [{ keyId, tokens: [], platformHashes: { meta: { jane_example_com: 'a'.repeat(64) } }, order }, 400, 'checkout.unknown_parameter'],
        [{ keyId, tokens: [], order: { ...order, currency: 'dollars' } }, 400, 'checkout.invalid_currency'],
        // Unknown fields (a raw e-mail under another name) and wrong types.
        [{ keyId, tokens: [], email: 'jane@example.com', order }, 422, 'checkout.invalid_request'],
        [{ keyId, tokens: [], order: { ...order, items: 'jane@example.com' } }, 422, 'checkout.invalid_request'],
        ['jane@example.com', 400, 'request.invalid_json'],
    ];
    for (const [body, status, code] of cases) {
        const res = await post(body);
        const text = await res.text();
        assert.deepEqual([res.status, JSON.parse(text).error], [status, code]);
        assert.ok(!text.includes('jane'), 'the error echoes the value');
    }
    // Non-JSON and oversized bodies: coded JSON too.
    const form = await post('email=jane', 'application/x-www-form-urlencoded');
    assert.deepEqual([form.status, (await form.json()).error], [415, 'request.content_type']);
    const large = await post('x'.repeat(40000));
    assert.deepEqual([large.status, (await large.json()).error], [413, 'request.too_large']);
    assert.equal((await fetch(new URL('/healthz', h.url))).status, 200, 'still serving');
});
