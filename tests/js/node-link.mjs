// Node test of the BUILT `pseudolink/link` entry, imported by name as a
// consumer would (Node picks pkg/link-node.js, which initialises the wasm):
// ClkEncoder against clkhash's own CLKs, then RecordEncoder → Linker on a
// seeded population with known truth, saved parameters, and typed errors.
//
//   make pkg && (cd tests/js && node --test node-link.mjs)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

import {
  ClkEncoder, RecordEncoder, Linker, defaultClkSchema, normalize, encodedToBinary, encodedFromBinary,
} from 'pseudolink/link';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const CLK = path.join(HERE, '..', 'vectors', 'clk');

test('ClkEncoder gives clkhash 0.18.3 CLKs byte for byte', () => {
  for (const name of ['a-example', 'b-doublehash-singularity', 'c-blake-sha512-numeric']) {
    const schema = readFileSync(path.join(CLK, `${name}.schema.json`), 'utf8');
    const v = JSON.parse(readFileSync(path.join(CLK, `${name}.vectors.json`), 'utf8'));
    const enc = new ClkEncoder(schema, new TextEncoder().encode(v.secret));
    const valid = v.cases.filter((c) => typeof c.clk === 'string');
    assert.ok(valid.length > 10, name);
    assert.deepEqual(enc.encodeBatch(valid.map((c) => c.row)), valid.map((c) => c.clk), name);
    enc.free();
  }
});

// A seeded population: the same person on both sides, B with typos.
function mulberry32(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const FIRST = ['James', 'Mary', 'Robert', 'Patricia', 'John', 'Jennifer', 'Michael', 'Linda', 'David', 'Elizabeth',
  'William', 'Barbara', 'Richard', 'Susan', 'Joseph', 'Jessica', 'Thomas', 'Sarah', 'Charles', 'Karen'];
const LAST = ['Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Garcia', 'Miller', 'Davis', 'Rodriguez', 'Martinez',
  'Hernandez', 'Lopez', 'Gonzalez', 'Wilson', 'Anderson', 'Thomas', 'Taylor', 'Moore', 'Jackson', 'Martin'];
const STREETS = ['Main St', 'Oak Ave', 'Pine Rd', 'Maple Dr', 'Cedar Ln', 'Elm St', 'Lake Rd', 'Hill Ave'];
const CITIES = [['Springfield', '62701'], ['Riverside', '92501'], ['Franklin', '37064'], ['Greenville', '29601']];

function population(n, rnd) {
  const pick = (a) => a[Math.floor(rnd() * a.length)];
  return Array.from({ length: n }, (_, i) => {
    const [city, zip] = pick(CITIES);
    const first = pick(FIRST), last = pick(LAST);
    return {
      firstName: first, lastName: last,
      email: `${first}.${last}${i}@example.com`.toLowerCase(),
      phone: `+1 415 555 ${String(1000 + i).padStart(4, '0')}`,
      street: `${1 + Math.floor(rnd() * 9000)} ${pick(STREETS)}`,
      city, postalCode: zip,
      dateOfBirth: `19${50 + Math.floor(rnd() * 50)}-0${1 + Math.floor(rnd() * 9)}-1${Math.floor(rnd() * 9)}`,
    };
  });
}
const typo = (s, rnd) => { const i = 1 + Math.floor(rnd() * (s.length - 2)); return s.slice(0, i) + s[i + 1] + s[i] + s.slice(i + 2); };

test('RecordEncoder and Linker find the same people, with calibrated probabilities and explanations', () => {
  const rnd = mulberry32(7);
  const people = population(400, rnd);
  const a = people.slice(0, 300).map((p, i) => ({ id: `a${i}`, ...p }));
  // B: people 100..399; the shared ones (100..299) with a changed e-mail and a typo in a name.
  const b = people.slice(100).map((p, i) => {
    const shared = i < 200;
    const q = { id: `b${i}`, ...p };
    if (shared) {
      q.email = `x${i}@example.org`;
      if (rnd() < 0.5) q.lastName = typo(q.lastName, rnd); else q.firstName = typo(q.firstName, rnd);
      q.lastName = rnd() < 0.5 ? q.lastName.toUpperCase() : q.lastName;
    }
    return q;
  });
  const truth = new Set(Array.from({ length: 200 }, (_, i) => `a${i + 100}|b${i}`));
  const keys = [{ id: 'k1', secret: new Uint8Array(32).fill(9) }];
  const definition = { version: 1, fields: ['email', 'phone', 'firstName', 'lastName', 'street', 'city', 'postalCode', 'dateOfBirth'], defaultRegion: 'US' };
  const enc = new RecordEncoder(keys, definition, { clkSchema: JSON.parse(defaultClkSchema()), clkSecret: new Uint8Array(32).fill(4) });
  const progress = [];
  const ea = enc.encodeBatch(a, { onProgress: (p) => progress.push(p) });
  const eb = enc.encodeBatch(b);
  assert.equal(ea.length, 300);
  assert.equal(progress.at(-1).done, 300);
  assert.ok(ea[0].clks.firstName && ea[0].clks.record && ea[0].tokens.length > 0);
  const serialised = JSON.stringify(ea);
  for (const p of people.slice(0, 50)) assert.ok(!serialised.includes(p.email), 'no raw e-mail in the encodings');

  const linker = new Linker({ explainLinks: true });
  const stages = new Set();
  const r = linker.link(ea, eb, { onProgress: ({ stage }) => stages.add(stage) });
  assert.ok(stages.has('em') && stages.has('solve'));
  // stats say which comparisons the job built and why.
  const built = Object.fromEntries(r.stats.builtComparisons.map((c) => [c.name, c]));
  assert.deepEqual(built.email, { name: 'email', kind: 'token', source: 'default' });
  assert.deepEqual(built.moved, { name: 'moved', kind: 'group', source: 'default' });
  const found = r.links.map((l) => `${l.a}|${l.b}`);
  const tp = found.filter((k) => truth.has(k)).length;
  const precision = tp / found.length, recall = tp / truth.size;
  assert.ok(precision > 0.95, `precision ${precision}`);
  assert.ok(recall > 0.9, `recall ${recall}`);
  const e = r.links[0].explanation;
  const sum = e.priorWeight + e.contributions.reduce((s, c) => s + c.matchWeight, 0);
  assert.ok(Math.abs(sum - e.matchWeight) < 1e-9);

  // Saved parameters reproduce the links in a fresh linker, without training.
  // (Term frequencies are not parameters: they come from the data linked.)
  const again = new Linker({ explainLinks: true });
  again.setParams(JSON.stringify(linker.params));
  const r2 = again.link(ea, eb);
  assert.equal(r2.stats.trained, false);
  assert.deepEqual(r2.links.map((l) => [l.a, l.b]), r.links.map((l) => [l.a, l.b]));
  // Parameters round-trip through JSON within 1e-12.
  r2.links.forEach((l, i) => assert.ok(Math.abs(l.probability - r.links[i].probability) < 1e-9));

  // Typed errors, no echo.
  assert.throws(() => new ClkEncoder('{"version": 1}', new Uint8Array(32)), (err) => err.code === 'schema.unsupported_version');
  assert.throws(() => linker.link([{ id: 'z', clks: { record: 'not base64!' } }], eb), (err) => err.code === 'link.bad_base64' && !err.message.includes('not base64'));
  assert.throws(() => new Linker({ threshold: 'high' }), (err) => err.code === 'link.bad_config');
  assert.equal(normalize('email', 'Jon.Smith+shop@GoogleMail.com'), 'jonsmith@gmail.com');
  for (const x of [enc, linker, again]) x.free();
});

test('RecordEncoder hardening: diffused CLKs, and a CLK-only encoder (keys []) gives the same CLKs', () => {
  const definition = { version: 1, fields: ['email', 'firstName', 'lastName', 'street', 'city', 'postalCode', 'dateOfBirth'], defaultRegion: 'US', dateOrder: 'mdy' };
  const keys = [{ id: 'k1', secret: new Uint8Array(32).fill(3) }];
  const clkSecret = new TextEncoder().encode('a project clk secret, long enough');
  const base = { clkSchema: 'default', clkSecret };
  const people = [
    { id: 'a', email: 'ann.lee@example.com', firstName: 'Ann', lastName: 'Lee', street: '12 Main Street', city: 'Springfield', postalCode: '62704', dateOfBirth: '03/14/1985' },
    { id: 'b', email: 'ann.lee@example.com', firstName: 'Anne', lastName: 'Leigh', street: '12 Main St', city: 'Springfeld', postalCode: '62704', dateOfBirth: '03/14/1985' },
    { id: 'c', email: 'rob@example.org', firstName: 'Robert', lastName: 'Okafor', street: '901 Harbor Blvd', city: 'Riverton', postalCode: '84065', dateOfBirth: '11/02/1961' },
  ];
  const plainEnc = new RecordEncoder(keys, definition, base);
  const keyedEnc = new RecordEncoder(keys, definition, { ...base, hardening: { diffusion: 8 } });
  const onlyEnc = new RecordEncoder([], definition, { ...base, hardening: { balanced: false, saltFeature: null, diffusion: 8 } });
  const [plain, keyed, only] = [plainEnc, keyedEnc, onlyEnc].map((e) => e.encodeBatch(people));
  for (let i = 0; i < people.length; i++) {
    assert.deepEqual(only[i].clks, keyed[i].clks);
    assert.deepEqual(only[i].tokens, []);
    assert.deepEqual(only[i].matchKeys, []);
    assert.deepEqual(keyed[i].tokens, plain[i].tokens);
    for (const [k, v] of Object.entries(plain[i].clks)) {
      assert.notEqual(keyed[i].clks[k], v, `diffusion changes ${k}`);
      assert.equal(keyed[i].clks[k].length, v.length);
    }
  }
  // Same input, same CLKs; a near match stays nearer than a stranger (record CLK, Dice).
  assert.deepEqual(onlyEnc.encode(people[0]).clks, only[0].clks);
  const bits = (b64) => Buffer.from(b64, 'base64');
  const pop = (buf) => buf.reduce((s, x) => { let c = 0; while (x) { c += x & 1; x >>= 1; } return s + c; }, 0);
  const dice = (x, y) => { const a = bits(x), b = bits(y); return 2 * pop(a.map((v, i) => v & b[i])) / (pop(a) + pop(b)); };
  assert.ok(dice(only[0].clks.record, only[1].clks.record) > dice(only[0].clks.record, only[2].clks.record));

  // Typed errors, no echo.
  for (const hardening of [{ diffusion: 40 }, { diffusion: 1 }, { diffusion: 8, rounds: 2 }, { saltFeature: 'noSuchField' }]) {
    assert.throws(() => new RecordEncoder(keys, definition, { ...base, hardening }),
      (err) => err.code === 'option.invalid' && !/40|rounds|noSuchField/.test(err.message), JSON.stringify(hardening));
  }
  assert.throws(() => new RecordEncoder(keys, definition, { hardening: { diffusion: 8 } }), (err) => err.code === 'option.invalid');
  assert.throws(() => new RecordEncoder([], definition, {}), (err) => err.code === 'key.missing');
  for (const x of [plainEnc, keyedEnc, onlyEnc]) x.free();
});

test('Binary transfer: encodeBatchBinary → link/dedupe/linkMany as JSON does, round trip, typed errors, bad rows named', () => {
  const rnd = mulberry32(11);
  const people = population(120, rnd);
  const a = people.slice(0, 80).map((p, i) => ({ id: `a${i}`, ...p }));
  const b = people.slice(40).map((p, i) => ({ id: `b${i}`, ...p, email: i % 2 ? p.email : `n${i}@example.org` }));
  const keys = [{ id: 'k1', secret: new Uint8Array(32).fill(9) }];
  const definition = { version: 1, fields: ['email', 'phone', 'firstName', 'lastName', 'street', 'city', 'postalCode', 'dateOfBirth'], defaultRegion: 'US' };
  const enc = new RecordEncoder(keys, definition, { clkSchema: 'default', clkSecret: new Uint8Array(32).fill(4) });
  const strip = (rs) => rs.map(({ errors, ...r }) => r);
  const ja = enc.encodeBatch(a);
  const jb = enc.encodeBatch(b);
  const ba = enc.encodeBatchBinary(a);
  const bb = enc.encodeBatchBinary(b);
  assert.ok(ba.records instanceof Uint8Array);
  assert.equal(new TextDecoder().decode(ba.records.subarray(0, 4)), 'PLEB');
  assert.deepEqual(ba.errors, ja.map((r) => r.errors));
  // The binary form holds what the JSON form holds, and converts both ways.
  assert.deepEqual(encodedFromBinary(ba.records), strip(ja));
  assert.deepEqual(encodedToBinary(strip(ja)), ba.records);
  assert.ok(ba.records.length < JSON.stringify(strip(ja)).length, 'smaller than the JSON text');

  const params = { em: { uSamplePairs: 5000 } };
  const viaJson = new Linker(params).link(strip(ja), strip(jb));
  const viaBinary = new Linker(params).link(ba.records, bb.records);
  assert.deepEqual(viaBinary.links, viaJson.links);
  assert.deepEqual(viaBinary.params, viaJson.params);
  const mixed = new Linker(params).link(ba.records, strip(jb));
  assert.deepEqual(mixed.links, viaJson.links);
  // Ids beyond ASCII (two bytes and astral) cross the JSON form intact.
  const wide = (rs) => strip(rs).map((r) => ({ ...r, id: `${r.id}-zoë-😀` }));
  const key = (l) => `${l.a}|${l.b}|${l.probability}`;
  assert.deepEqual(new Linker(params).link(wide(ja), wide(jb)).links.map(key).sort(),
    viaJson.links.map((l) => key({ ...l, a: `${l.a}-zoë-😀`, b: `${l.b}-zoë-😀` })).sort());
  assert.deepEqual(new Linker(params).dedupe(ba.records).clusters, new Linker(params).dedupe(strip(ja)).clusters);
  assert.deepEqual(new Linker(params).linkMany([ba.records, bb.records]).entities,
    new Linker(params).linkMany([strip(ja), strip(jb)]).entities);

  // Hostile bytes: typed errors, never a panic.
  const code = (fn) => { try { fn(); } catch (e) { return [e.code, e.row]; } return null; };
  const linker = new Linker(params);
  assert.equal(code(() => linker.link(new Uint8Array([1, 2, 3]), bb.records))[0], 'transfer.not_encoded');
  const v9 = ba.records.slice(); v9[4] = 9;
  assert.equal(code(() => linker.dedupe(v9))[0], 'transfer.version');
  assert.equal(code(() => linker.dedupe(ba.records.subarray(0, ba.records.length - 1)))[0], 'transfer.malformed');
  const flip = mulberry32(5);
  for (let k = 0; k < 300; k++) {
    const m = ba.records.slice();
    for (let e = 0; e < 4; e++) m[Math.floor(flip() * m.length)] = Math.floor(flip() * 256);
    const c = code(() => encodedFromBinary(m));
    assert.ok(c === null || /^(transfer|link)\.[a-z_]+$/.test(c[0]), String(c));
  }
  assert.equal(code(() => encodedFromBinary('PLEB'))[0], 'transfer.not_encoded');
  assert.deepEqual(code(() => encodedToBinary([strip(ja)[0], { id: 'x', tokens: ['not a token'] }])), ['link.bad_token', undefined]);
  // The JSON path names the bad record (its index in the whole array).
  const bad = strip(ja);
  bad[57] = { id: 'z', clks: { record: 'not base64!' } };
  assert.deepEqual(code(() => linker.link(bad, strip(jb))), ['link.bad_base64', 57]);
  linker.resetParams(); // not poisoned
  enc.free();
  linker.free();
});
