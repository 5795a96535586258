// The checkout page (www/checkout/): fill, submit, check what the server
// stored (tokens and hashes only), then come back typed differently and be
// recognised. Every request the page makes is checked for raw values.
//
//   make pkg server && (cd tests/js && node --test e2e/checkout.test.mjs)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO_KEYSERVER, startHarness } from './harness.mjs';

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

test('checkout: only tokens leave the page, and a returning customer is recognised', async () => {
    const { page, errors } = await h.open('/checkout/');
    await page.waitForSelector('body[data-ready="true"]');

    // An invalid e-mail blocks the order with an inline message.
    await page.fill('input[name="email"]', 'jon.smith.gmail.com');
    await page.waitForFunction(() => document.querySelector('.error[data-for="email"]').textContent !== '');
    assert.equal(await page.textContent('.error[data-for="email"]'), 'E-mail needs an @');
    assert.ok(await page.$eval('#submit', (b) => b.disabled));

    const first = await placeOrder(page, FIRST, SHIP);
    assert.equal(first.returning, 'false');
    assert.match(first.text, /You are new here/);

    // What the server stored: tokens under the demo key, hashes, the order.
    const stored = await (await fetch(new URL('/api/orders', h.url))).json();
    assert.equal(stored.length, 1);
    const body = stored[0].body;
    assert.equal(body.keyId, 'demo2026');
    assert.ok(body.tokens.every((t) => /^pl1\.[A-Za-z]+\.demo2026\.[A-Za-z0-9_-]{43}$/.test(t)));
    assert.deepEqual(body.shipTo.map((t) => t.split('.')[1]), ['street', 'city', 'postalCode', 'country']);
    assert.match(body.platformHashes.meta.em, /^[0-9a-f]{64}$/);
    assert.deepEqual(body.order, { items: 2, totalCents: 5980, currency: 'USD' });

    await page.reload();
    await page.waitForSelector('body[data-ready="true"]');
    const again = await placeOrder(page, RETURNING);
    assert.equal(again.returning, 'true');
    assert.equal(again.customer, first.customer);
    assert.match(again.text, /Welcome back!.*recognised by matching e-mail, phone tokens/);

    await h.screenshot(page, 'checkout');
    await page.close();
    assert.deepEqual(errors, []);
    // No request (page loads, the POSTs, the order list) carried a typed value,
    // nor its lower-cased or trimmed form.
    const typed = [...Object.values(FIRST), ...Object.values(RETURNING), ...Object.values(SHIP)]
        .filter((v) => v.trim().length >= 4);
    h.assertNoRawValues(typed.flatMap((v) => [v, v.toLowerCase(), v.trim()]));
});

test('checkout endpoint: refuses anything that is not a token or a hash', async () => {
    const post = (body, type = 'application/json') => fetch(new URL('/api/checkout', h.url), {
        method: 'POST', headers: { 'content-type': type }, body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    const order = { items: 1, totalCents: 100, currency: 'USD' };
    const cases = [
        [{ keyId: 'demo2026', tokens: ['jane@example.com'], order }, 400, 'checkout.invalid_token'],
        [{ keyId: 'demo2026', tokens: [], platformHashes: { meta: { em: 'jane@example.com' } }, order }, 400, 'checkout.invalid_hash'],
        [{ keyId: 'demo2026', tokens: [], order: { ...order, currency: 'dollars' } }, 400, 'checkout.invalid_currency'],
    ];
    for (const [body, status, code] of cases) {
        const res = await post(body);
        assert.equal(res.status, status);
        const text = await res.text();
        assert.equal(JSON.parse(text).error, code);
        assert.ok(!text.includes('jane@example.com'), 'the error echoes the value');
    }
    // Unknown fields (a raw e-mail under another name) and non-JSON are refused too.
    assert.equal((await post({ keyId: 'demo2026', tokens: [], email: 'jane@example.com', order })).status, 422);
    assert.equal((await post('email=jane', 'application/x-www-form-urlencoded')).status, 415);
    assert.equal((await post('x'.repeat(40000))).status, 413);
    assert.equal((await fetch(new URL('/healthz', h.url))).status, 200, 'still serving');
});

test('checkout, oblivious mode: no key in the page, po1 tokens, a returning customer is recognised', async () => {
    const before = h.requests.length;
    const { page, errors } = await h.open('/checkout/?mode=oblivious');
    await page.waitForSelector('body[data-ready="true"]');
    assert.equal(await page.getAttribute('body', 'data-mode'), 'oblivious');
    assert.match(await page.textContent('#status'), /Oblivious mode/);
    // Only the oblivious entry is loaded: not the core wasm, not the demo key.
    const loaded = h.requests.slice(before).map((r) => new URL(r.url).pathname);
    assert.ok(loaded.includes('/pkg/pseudolink_oblivious_bg.wasm'));
    assert.ok(!loaded.includes('/pkg/pseudolink_bg.wasm'));

    const first = await placeOrder(page, FIRST, SHIP);
    assert.equal(first.returning, 'false');
    assert.ok(Number(first.tokenizeMs) > 0);
    const stored = await (await fetch(new URL('/api/orders', h.url))).json();
    const body = stored[0].body;
    assert.equal(body.keyId, 'demo-2026b');
    assert.ok(body.tokens.every((t) => /^po1\.[A-Za-z]+\.demo-2026b\.[A-Za-z0-9_-]{43}$/.test(t)), body.tokens.join());
    assert.ok(body.matchKeys.every((t) => t.startsWith('po1.mk-')));
    assert.deepEqual(body.shipTo.map((t) => t.split('.')[1]), ['street', 'city', 'postalCode', 'country']);
    // No guessable unsalted hashes next to oblivious tokens.
    assert.deepEqual(body.platformHashes, {});
    // The panel shows what was sent.
    assert.match(await page.textContent('#table tbody'), /po1\.email\.demo-2026b/);
    // The page called the key server (another origin) with blinded elements only.
    const ksCalls = h.requests.filter((r) => r.url.startsWith(h.keyserverUrl) && r.method === 'POST');
    assert.ok(ksCalls.length >= 1);
    assert.ok(ksCalls.every((r) => JSON.parse(r.body).keyVersion === 'demo-2026b'));

    await page.reload();
    await page.waitForSelector('body[data-ready="true"]');
    const again = await placeOrder(page, RETURNING);
    assert.equal(again.returning, 'true');
    assert.equal(again.customer, first.customer);
    assert.match(again.text, /recognised by matching e-mail, phone tokens/);

    await h.screenshot(page, 'checkout-oblivious');
    await page.close();
    assert.deepEqual(errors, []);
    const typed = [...Object.values(FIRST), ...Object.values(RETURNING), ...Object.values(SHIP)]
        .filter((v) => v.trim().length >= 4);
    h.assertNoRawValues(typed.flatMap((v) => [v, v.toLowerCase(), v.trim()]));
});
