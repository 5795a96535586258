// The no-raw-PII check every page suite relies on, checked on its own:
// it must catch a typed value however a page sends it, and must not fail on
// a short value that random base64 happens to contain.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertNoRawValues, carries } from './harness.mjs';

const req = (body, url = 'http://127.0.0.1/v1/evaluate') => ({ url, method: 'POST', headers: { 'content-type': 'application/json' }, body });

test('a long value is caught anywhere, even inside other text', () => {
    assert.ok(carries('{"e":"xJane.Doe@Example.comy"}', 'Jane.Doe@Example.com'));
    assert.throws(() => assertNoRawValues([req('{"email":"Jane.Doe@Example.com"}')], ['Jane.Doe@Example.com']), /POST \/v1\/evaluate carries a raw value/);
});

test('a short value is caught as a JSON string, a query parameter or URL-encoded', () => {
    assert.throws(() => assertNoRawValues([req('{"lastName":"Doe"}')], ['Doe']));
    assert.throws(() => assertNoRawValues([req('', 'http://127.0.0.1/x?last=Doe&y=1')], ['Doe']));
    assert.throws(() => assertNoRawValues([req('{"n":"Jane Doe"}')], ['Jane']));
});

test('a short value inside random base64 is not a leak', () => {
    // A blinded element whose base64 happens to contain "Doe" (one in ~700 evaluate requests).
    const blinded = 'q8Zr0+Doe/3vY1kQm2_Wc-7hXJt4aPbLsN5fE9uGdO';
    assert.ok(!carries(`{"blinded":["${blinded}"]}`, 'Doe'));
    assert.doesNotThrow(() => assertNoRawValues([req(`{"blinded":["${blinded}"]}`)], ['Doe', 'doe']));
    // At the start or end of a base64 string, next to a quote, too.
    assert.ok(!carries('{"b":"Doeq8Zr0"}', 'Doe'));
    assert.ok(!carries('{"b":"q8Zr0Doe"}', 'Doe'));
});

test('the message names the request, never the value', () => {
    assert.throws(() => assertNoRawValues([req('{"lastName":"Doe"}')], ['Doe']), (e) => !e.message.includes('Doe'));
});
