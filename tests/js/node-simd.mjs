// The SIMD128 builds (pkg/*_simd_bg.wasm, chosen at load where the engine has
// SIMD) against the scalar builds, in one Node process: every entry that has
// one must give byte-identical tokens, match keys, CLKs and Dice scores on
// generated records (random keys, values of every length around SHA-256's
// one/two-block boundary), and the Node entries must pick the SIMD file here.
//
//   make pkg && (cd tests/js && node --test node-simd.mjs)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { simd } from 'pseudolink/simd';

const PKG = new URL('../../pkg/', import.meta.url);

/** A fresh instance of an entry's glue, initialised with the given .wasm file. */
async function load(entry, file) {
    const m = await import(new URL(`${entry}.js?${file}`, PKG).href);
    m.initSync({ module: readFileSync(new URL(file, PKG)) });
    return m;
}

/** Deterministic PRNG (mulberry32). */
function rng(seed) {
    let a = seed >>> 0;
    return () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

const LETTERS = 'abcdefghijklmnopqrstuvwxyzéøü -MÜ';
function word(rnd, max) {
    const n = 1 + Math.floor(rnd() * max);
    let s = '';
    for (let i = 0; i < n; i++) s += LETTERS[Math.floor(rnd() * LETTERS.length)];
    return s;
}

function records(seed, n) {
    const rnd = rng(seed);
    return Array.from({ length: n }, (_, i) => {
        const r = { id: `r${i}` };
        if (rnd() < 0.9) r.email = `${word(rnd, 40).replace(/[ -]/g, '.')}${i}@${word(rnd, 30).replace(/[^a-z]/g, 'x')}.com`;
        if (rnd() < 0.8) r.phone = `(415) 555-${String(i % 10000).padStart(4, '0')}`;
        if (rnd() < 0.9) r.firstName = word(rnd, 12);
        if (rnd() < 0.9) r.lastName = word(rnd, 50);
        if (rnd() < 0.7) r.street = `${1 + (i % 900)} ${word(rnd, 60)} street`;
        if (rnd() < 0.7) r.dateOfBirth = `19${50 + (i % 50)}-0${1 + (i % 9)}-1${i % 9}`;
        if (rnd() < 0.5) r.postalCode = String(10000 + i);
        return r;
    });
}

function keys(seed) {
    const rnd = rng(seed);
    return [1, 2].map((k) => ({ id: `key${k}`, secret: Uint8Array.from({ length: 32 + k * 20 }, () => Math.floor(rnd() * 256)) }));
}

const DEFINITION = {
    version: 1,
    fields: ['email', 'phone', 'firstName', 'lastName', 'street', 'dateOfBirth', 'postalCode'],
    matchKeys: [
        { name: 'nameDob', parts: [{ field: 'lastName' }, { field: 'firstName', take: 'initial' }, { field: 'dateOfBirth' }] },
        { name: 'addressName', parts: [{ field: 'postalCode' }, { field: 'street', take: 'streetNumber' }, { field: 'lastName' }] },
    ],
    defaultRegion: 'US',
};

test('simd: this Node has SIMD128, and the entries load the SIMD file by default', async () => {
    assert.equal(simd, true);
    const glue = readFileSync(new URL('pseudolink.js', PKG), 'utf8');
    assert.ok(glue.includes("new URL('pseudolink_simd_bg.wasm', import.meta.url)"));
    for (const f of ['node.js', 'link-node.js', 'identity-node.js']) {
        assert.match(readFileSync(new URL(f, PKG), 'utf8'), /_simd_bg\.wasm/, f);
    }
});

test('simd: core entry tokens equal the scalar build, byte for byte', async () => {
    const scalar = await load('pseudolink', 'pseudolink_bg.wasm');
    const vector = await load('pseudolink', 'pseudolink_simd_bg.wasm');
    for (const seed of [1, 2, 3]) {
        const recs = records(seed, 400);
        const a = new scalar.Pseudonymizer(keys(seed), DEFINITION);
        const b = new vector.Pseudonymizer(keys(seed), DEFINITION);
        const ta = a.tokenizeBatch(recs);
        const tb = b.tokenizeBatch(recs);
        assert.ok(ta.reduce((n, r) => n + r.tokens.length + r.matchKeys.length, 0) > 400 * 8, 'tokens were made');
        assert.deepEqual(tb, ta, `seed ${seed}`);
        // One record at a time too (a batch of one record's HMACs).
        assert.deepEqual(recs.slice(0, 20).map((r) => b.tokenize(r)), ta.slice(0, 20), `seed ${seed}, one by one`);
        a.free();
        b.free();
    }
});

test('simd: the link entry (built with `perf`) tokenises as the core entry, byte for byte', async () => {
    // The link entry's wasm takes the paths native builds take (tokens over
    // cached SHA-256 midstates, ASCII fast paths in the normalisers, the
    // four-lane HMAC batch in its SIMD file); the core entry takes the
    // general ones. Both files of each entry must agree with the core's scalar file.
    const core = await load('pseudolink', 'pseudolink_bg.wasm');
    const others = [
        await load('pseudolink_link', 'pseudolink_link_bg.wasm'),
        await load('pseudolink_link', 'pseudolink_link_simd_bg.wasm'),
    ];
    for (const seed of [4, 5]) {
        const recs = records(seed, 400);
        const expected = new core.Pseudonymizer(keys(seed), DEFINITION).tokenizeBatch(recs);
        for (const [i, m] of others.entries()) {
            const p = new m.Pseudonymizer(keys(seed), DEFINITION);
            assert.deepEqual(p.tokenizeBatch(recs), expected, `seed ${seed}, file ${i}`);
            assert.deepEqual(recs.slice(0, 20).map((r) => p.tokenize(r)), expected.slice(0, 20), `seed ${seed}, file ${i}, one by one`);
            for (const f of ['email', 'phone', 'firstName', 'lastName', 'street', 'dateOfBirth', 'postalCode']) {
                for (const r of recs.slice(0, 50)) {
                    if (r[f] === undefined) continue;
                    let a, b;
                    try { a = core.normalize(f, r[f]); } catch (e) { a = e.code; }
                    try { b = m.normalize(f, r[f]); } catch (e) { b = e.code; }
                    assert.equal(b, a, `normalize ${f}, file ${i}`);
                }
            }
            p.free();
        }
    }
});

test('simd: the link entry\'s batch keeps each record\'s tokens, match keys and errors on that record', async () => {
    // The link entry hands a batch's tokens over as one string cut in JS;
    // records without tokens, with errors, or with match keys only must
    // come back exactly as the core entry (JSON) and one by one give them.
    const core = await load('pseudolink', 'pseudolink_bg.wasm');
    const link = await load('pseudolink_link', 'pseudolink_link_simd_bg.wasm');
    const good = records(6, 30);
    const bad = [
        {},
        { phone: 'call me maybe', email: 'no-at-sign' },
        { dateOfBirth: '2099-13-45', lastName: 'Smith', firstName: 'Jo', postalCode: '94105', street: '1 Main St' },
        { email: 'a@b.co', phone: 12345 },
        { firstName: '', lastName: '   ' },
        // Text that is not ASCII at every position the records' JSON is
        // encoded at: surrogate pairs, CJK, a lone surrogate (U+FFFD).
        { firstName: '😀Zoë', lastName: '山田', street: '1 Rue de l\u2019Église', email: 'a\ud800b@example.com' },
        { lastName: 'x'.repeat(70) + '😀', firstName: '\udc00' },
    ];
    const recs = [bad[0], ...good.slice(0, 10), bad[1], bad[2], ...good.slice(10, 20), bad[3], bad[4], ...good.slice(20), bad[5], bad[1], bad[6]];
    const expected = new core.Pseudonymizer(keys(6), DEFINITION).tokenizeBatch(recs);
    const p = new link.Pseudonymizer(keys(6), DEFINITION);
    const got = p.tokenizeBatch(recs);
    assert.deepEqual(got, expected);
    assert.deepEqual(recs.map((r) => p.tokenize(r)), got);
    assert.ok(got.some((r) => r.errors.length > 0) && got.some((r) => r.tokens.length === 0 && r.matchKeys.length === 0));
    assert.ok(got.some((r) => r.tokens.length > 0 && r.errors.length > 0), 'a record with tokens and errors');
    // Each record's lists are its own: changing one leaves the others.
    got[1].tokens.push('x');
    got[1].errors.push('y');
    assert.deepEqual(got[2].tokens, expected[2].tokens);
    assert.deepEqual(got[0].errors, expected[0].errors);
    assert.deepEqual(p.tokenizeBatch([]), []);
    p.free();
});

for (const entry of ['pseudolink_link', 'pseudolink_identity']) {
    test(`simd: ${entry} encodings and Dice equal the scalar build`, async () => {
        const scalar = await load(entry, `${entry}_bg.wasm`);
        const vector = await load(entry, `${entry}_simd_bg.wasm`);
        const recs = records(7, 300);
        const opts = (m) => ({ clkSchema: JSON.parse(m.defaultClkSchema()), clkSecret: new Uint8Array(32).fill(4) });
        const ea = new scalar.RecordEncoder(keys(7), DEFINITION, opts(scalar)).encodeBatch(recs);
        const eb = new vector.RecordEncoder(keys(7), DEFINITION, opts(vector)).encodeBatch(recs);
        assert.deepEqual(eb, ea);
        const la = new scalar.Linker().dedupe(ea);
        const lb = new vector.Linker().dedupe(eb);
        assert.deepEqual(lb, la);
    });
}
