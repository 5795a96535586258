// Node smoke test of the BUILT package, imported by its name as a consumer
// would (tests/js/package.json: "pseudolink": "file:../../pkg"; Node picks the
// package's "node" export, which initialises the wasm synchronously).
//
//   make pkg && (cd tests/js && node --test node-smoke.mjs)
//
// Two parts:
//   1. the JS API contract (normalize, platformHashes, Pseudonymizer, VERSION);
//      an export that does not exist yet is reported as a skipped test;
//   2. every case of every tests/vectors/*.json file (format:
//      tests/vectors/README.md) through `normalize` and, when exported,
//      `platformHashes`.
// Nothing here prints a raw input: failures name the file, case index and field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, existsSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

import * as pl from 'pseudolink';
import init from 'pseudolink';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const VECTORS = process.env.PSEUDOLINK_VECTORS_DIR ?? path.join(HERE, '..', 'vectors');
const PKG_JSON = JSON.parse(readFileSync(path.join(HERE, '..', '..', 'pkg', 'package.json'), 'utf8'));
const CODE_RE = /^[a-z0-9_]+\.[a-z0-9_]+$/;

// An input shorter than this can occur in any message by chance ("a" in "has"),
// so only longer inputs are checked for leaking into error messages.
const MIN_LEAK_CHECK = 6;

/** Fails if `text` contains `input` (without printing either). */
function assertNoLeak(text, input, where) {
    const needle = String(input).trim();
    if (needle.length < MIN_LEAK_CHECK) return;
    assert.ok(!String(text).includes(needle), `${where}: error output contains the raw input`);
}

/** Runs `fn`, expecting it to throw; returns the thrown value. */
function thrown(fn) {
    try {
        fn();
    } catch (e) {
        return e;
    }
    return undefined;
}

const has = (name) => typeof pl[name] !== 'undefined';
const skipUnless = (name) => (has(name) ? false : `pseudolink does not export ${name} yet`);

// ---------------------------------------------------------------- API contract

test('package: Node entry needs no init, and init() is a harmless no-op', async () => {
    assert.equal(typeof init, 'function');
    assert.equal(typeof pl.initSync, 'function');
    await init(); // already initialised by the node entry; must not refetch
    assert.equal(typeof pl.normalize, 'function');
});

test('package: the .wasm is exported as pseudolink/pseudolink_bg.wasm', () => {
    const url = import.meta.resolve('pseudolink/pseudolink_bg.wasm');
    assert.ok(existsSync(fileURLToPath(url)), 'resolved .wasm file exists');
});

test('package: version', { skip: has('VERSION') || has('version') ? false : 'no VERSION/version() export yet' }, () => {
    const v = has('VERSION') ? pl.VERSION : pl.version();
    assert.equal(v, PKG_JSON.version);
});

test('normalize: errors are Errors with .code and .field, and no input', () => {
    const input = 'smoke-test-not-an-email-address';
    const e = thrown(() => pl.normalize('email', input, { profile: 'pseudolink' }));
    assert.ok(e instanceof Error, 'throws an Error');
    assert.match(e.code, CODE_RE);
    assert.equal(e.field, 'email');
    assertNoLeak(e.message, input, 'normalize error');
    assertNoLeak(e.stack ?? '', input, 'normalize error stack');
});

test('normalize: bad arguments throw coded Errors', () => {
    for (const [field, opts] of [
        ['noSuchField', undefined],
        ['email', { profile: 'noSuchProfile' }],
        ['email', { dateOrder: 'dym' }],
    ]) {
        const e = thrown(() => pl.normalize(field, 'someone@example.com', opts));
        assert.ok(e instanceof Error, `${field} ${JSON.stringify(opts)} throws`);
        assert.match(e.code, CODE_RE);
        assertNoLeak(e.message, 'someone@example.com', 'argument error');
    }
});

test('normalize: options may be omitted', () => {
    // Either a value or a coded error: never a TypeError about `options`.
    const e = thrown(() => pl.normalize('email', 'someone@example.com'));
    if (e !== undefined) assert.match(e.code, CODE_RE);
});

test('platformHashes: result shape and error hygiene', { skip: skipUnless('platformHashes') }, () => {
    const bad = 'smoke-test-bad-email-value';
    for (const profile of ['pseudolink', 'uid2', 'google', 'meta']) {
        const r = pl.platformHashes({ email: bad }, profile);
        assert.equal(r.profile, profile);
        assert.equal(typeof r.hashes, 'object');
        assert.equal(typeof r.plain, 'object');
        assert.ok(Array.isArray(r.errors));
        assert.ok(r.errors.length >= 1, `${profile}: an invalid e-mail is reported`);
        for (const err of r.errors) {
            assert.equal(typeof err.field, 'string');
            assert.match(err.code, CODE_RE);
            assert.equal(typeof err.message, 'string');
        }
        assertNoLeak(JSON.stringify(r), bad, `platformHashes(${profile})`);
    }
});

test('Pseudonymizer: class shape; bad construction throws a coded Error without the secret', { skip: skipUnless('Pseudonymizer') }, () => {
    const P = pl.Pseudonymizer;
    for (const m of ['tokenize', 'tokenizeBatch', 'free']) {
        assert.equal(typeof P.prototype[m], 'function', `Pseudonymizer.prototype.${m}`);
    }
    const secret = new TextEncoder().encode('smoke-test-secret-bytes-0123456789');
    const e = thrown(() => new P([{ id: 'k1', secret }], 'this is not a definition {'));
    assert.ok(e instanceof Error, 'an unparsable definition throws');
    assert.match(e.code, CODE_RE);
    assertNoLeak(e.message, 'smoke-test-secret-bytes', 'Pseudonymizer error');
});

// ---------------------------------------------------------------- vectors

const vectorFiles = existsSync(VECTORS)
    ? readdirSync(VECTORS).filter((f) => f.endsWith('.json')).sort()
    : [];

test('vectors: at least one vector file', { skip: vectorFiles.length ? false : `no *.json in ${VECTORS} yet` }, () => {});

for (const file of vectorFiles) {
    const doc = JSON.parse(readFileSync(path.join(VECTORS, file), 'utf8'));
    const cases = doc.cases ?? [];
    if (doc.family === 'tokens') continue; // keyed-token vectors: see below

    test(`vectors ${file}: normalize (${cases.length} cases)`, () => {
        const failures = [];
        cases.forEach((c, i) => {
            const where = `${file} #${i} ${c.profile}/${c.field}`;
            const opts = { profile: c.profile, ...(c.options ?? {}) };
            let got;
            let err;
            try {
                got = pl.normalize(c.field, c.input, opts);
            } catch (e) {
                err = e;
            }
            if ('error' in c) {
                if (err === undefined) failures.push(`${where}: expected error ${c.error}, got a value`);
                else if (err.code !== c.error) failures.push(`${where}: expected error ${c.error}, got ${err.code}`);
                else if (err.field !== c.field) failures.push(`${where}: error .field ${err.field}`);
                // The stable code is part of the message; the input must not be.
                // (and the field's own name, which a value may happen to spell).
                const text = String(err?.message ?? '').replace(err?.code, '').replaceAll(c.field, '');
                if (err && c.input.trim().length >= MIN_LEAK_CHECK && text.includes(c.input.trim())) {
                    failures.push(`${where}: error message contains the input`);
                }
            } else if (c.refused === true) {
                // A vendor's refusal: any coded error.
                if (err === undefined) failures.push(`${where}: expected a refusal, got a value`);
                else if (!CODE_RE.test(err.code)) failures.push(`${where}: refusal without a stable code`);
            } else if ('normalized' in c) {
                if (err !== undefined) failures.push(`${where}: expected a value, got error ${err.code ?? err.message}`);
                else if (got !== c.normalized) failures.push(`${where}: normalized value differs`);
            }
        });
        assert.deepEqual(failures, [], `${failures.length} of ${cases.length} cases failed`);
    });

    test(`vectors ${file}: platformHashes`, { skip: skipUnless('platformHashes') }, () => {
        const failures = [];
        cases.forEach((c, i) => {
            const where = `${file} #${i} ${c.profile}/${c.field}`;
            let r;
            try {
                r = pl.platformHashes({ [c.field]: c.input }, c.profile, c.options ?? {});
            } catch (e) {
                failures.push(`${where}: platformHashes threw ${e.code ?? e.name}`);
                return;
            }
            if (c.error === 'value.empty' || c.error === 'profile.unsupported_field') {
                // An empty value is absence in a record, and a field the
                // platform does not define is simply not sent: no output, no error.
                if (r.errors.length || Object.keys(r.hashes).length) failures.push(`${where}: empty value produced output`);
            } else if (c.refused === true) {
                if (Object.keys(r.hashes).length || Object.keys(r.plain).length) failures.push(`${where}: refused value produced output`);
            } else if ('error' in c) {
                const e = r.errors.find((x) => x.field === c.field);
                if (!e) failures.push(`${where}: expected error ${c.error}, none reported`);
                else if (e.code !== c.error) failures.push(`${where}: expected error ${c.error}, got ${e.code}`);
                if (c.input.trim().length >= MIN_LEAK_CHECK && JSON.stringify(r).replaceAll(c.error, '').replaceAll(c.field, '').includes(c.input.trim())) {
                    failures.push(`${where}: result contains the rejected input`);
                }
            } else if ('normalized' in c) {
                if (c.hash === null) {
                    // Sent unhashed by this profile (e.g. Google's address parts).
                    if (!Object.values(r.plain).includes(c.normalized)) failures.push(`${where}: plain value differs`);
                } else if (typeof c.hash === 'string') {
                    if (!Object.values(r.hashes).includes(c.hash)) failures.push(`${where}: hash differs`);
                }
            }
        });
        assert.deepEqual(failures, [], `${failures.length} of ${cases.length} cases failed`);
    });
}

// ---------------------------------------------------------------- keyed tokens

function hexBytes(hex) {
    return Uint8Array.from(hex.match(/../g), (b) => parseInt(b, 16));
}

test('vectors tokens.json: Pseudonymizer reproduces the Python-hmac tokens', () => {
    const doc = JSON.parse(readFileSync(path.join(VECTORS, 'tokens.json'), 'utf8'));
    let checked = 0;
    const failures = [];
    doc.cases.forEach((c, i) => {
        // The vectors hold normalised values; where normalising is the
        // identity, tokenising the value through the public API must give
        // exactly the vector's token.
        if (c.kind !== 'field' || pl.normalize(c.field, c.value) !== c.value) return;
        const p = new pl.Pseudonymizer([{ id: c.keyId, secret: hexBytes(doc.keys[c.keyId]) }], { version: 1, fields: [c.field] });
        const out = p.tokenize({ [c.field]: c.value });
        p.free();
        checked += 1;
        if (out.tokens[0] !== c.token) failures.push(`tokens.json #${i} ${c.field}`);
    });
    assert.deepEqual(failures, []);
    assert.ok(checked >= 16, `only ${checked} token vectors were checkable`);
});

const DEF = {
    version: 1,
    fields: ['email', 'phone', 'lastName'],
    matchKeys: [{ name: 'emailName', parts: [{ field: 'email' }, { field: 'lastName' }] }],
    defaultRegion: 'US',
};
const KEY = { id: 'k1', secret: new Uint8Array(32).fill(7) };

test('Pseudonymizer: a returning customer typed differently gets the same tokens', () => {
    const p = new pl.Pseudonymizer([KEY], DEF);
    const first = p.tokenize({ email: 'jon.smith@gmail.com', phone: '+1 415-555-0100', lastName: 'Smith' });
    const again = p.tokenize({ email: 'Jon.Smith+shop@GoogleMail.com', phone: '(415) 555 0100', lastName: 'SMITH' });
    p.free();
    assert.deepEqual(again, first);
    assert.equal(first.tokens.length, 3);
    assert.equal(first.matchKeys.length, 1);
    assert.deepEqual(pl.parseToken(first.tokens[0]), { version: 'pl1', subject: 'email', keyId: 'k1' });
    assert.equal(pl.parseToken('not a token'), null);
});

test('Pseudonymizer: an unordered match key (definition version 2) gives swapped names one token', () => {
    const names = { name: 'names', unordered: true, parts: [{ field: 'firstName' }, { field: 'lastName' }] };
    const p = new pl.Pseudonymizer([KEY], { version: 2, fields: ['email'], matchKeys: [names] });
    const key = (firstName, lastName) => p.tokenize({ firstName, lastName }).matchKeys;
    const johnSmith = key('John', 'Smith');
    assert.equal(johnSmith.length, 1);
    assert.deepEqual(pl.parseToken(johnSmith[0]), { version: 'pl1', subject: 'mk-names', keyId: 'k1' });
    assert.deepEqual(key('Smith', 'John'), johnSmith);
    assert.notDeepEqual(key('Jane', 'Smith'), johnSmith);
    p.free();
    // Version 1 documents have no order-free keys: a coded refusal.
    const e = thrown(() => new pl.Pseudonymizer([KEY], { version: 1, fields: ['email'], matchKeys: [names] }));
    assert.equal(e.code, 'definition.invalid_match_key');
    // And version 1 definitions tokenise as before under version 2.
    const v1 = new pl.Pseudonymizer([KEY], DEF);
    const v2 = new pl.Pseudonymizer([KEY], { ...DEF, version: 2 });
    const rec = { email: 'jon.smith@gmail.com', phone: '+1 415-555-0100', lastName: 'Smith' };
    assert.deepEqual(v2.tokenize(rec), v1.tokenize(rec));
    v1.free();
    v2.free();
});

test('Pseudonymizer: tokenizeBatch equals tokenize, per-field errors without values', () => {
    const p = new pl.Pseudonymizer([KEY, { id: 'k0', secret: new Uint8Array(32).fill(8) }], DEF);
    const records = [
        { email: 'a.person@example.com', lastName: 'Person', orderTotal: 12.5 },
        { email: 'broken-address-value', phone: 4155550100 },
        {},
    ];
    const batch = p.tokenizeBatch(records);
    assert.deepEqual(batch, records.map((r) => p.tokenize(r)));
    assert.equal(batch[0].tokens.length, 4, 'two fields under two keys');
    assert.deepEqual(batch[1].errors.map((e) => [e.field, e.code]), [['email', 'email.missing_at'], ['phone', 'value.wrong_type']]);
    assertNoLeak(JSON.stringify(batch), 'broken-address-value', 'tokenizeBatch');
    assert.deepEqual(p.keyIds, ['k1', 'k0']);
    const e = thrown(() => p.tokenizeBatch('not an array'));
    assert.equal(e.code, 'record.invalid');
    p.free();
});

// ---------------------------------------------------------------- JS contract

// Each entry's generated declarations against a golden copy, so a change of
// the TypeScript API is reviewed, never silent. The hand-written entries'
// declarations (oblivious.d.ts, worker.d.ts, identity-store.d.ts) are
// committed themselves; tests/js/types/check.mjs compiles a consumer of all.
const GOLDEN_DTS = {
    'pseudolink.d.ts': 'api.d.ts',
    'pseudolink_oblivious.d.ts': 'api-oblivious.d.ts',
    'pseudolink_link.d.ts': 'api-link.d.ts',
    'pseudolink_identity.d.ts': 'api-identity.d.ts',
};
for (const [generated, golden] of Object.entries(GOLDEN_DTS)) {
    test(`package: ${generated} equals the golden tests/${golden} (BLESS=1 to update)`, () => {
        const built = readFileSync(path.join(HERE, '..', '..', 'pkg', generated), 'utf8');
        const goldenPath = path.join(HERE, '..', golden);
        if (process.env.BLESS === '1') {
            writeFileSync(goldenPath, built);
            return;
        }
        assert.equal(built, readFileSync(goldenPath, 'utf8'), 'the TypeScript API changed: review it, then run with BLESS=1');
    });
}
