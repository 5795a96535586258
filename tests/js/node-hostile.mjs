// Hostile values at the JS boundary of every package entry (issue 16): cyclic
// objects, BigInt, throwing getters and toJSON, Proxies (throwing and
// revoked), frozen, sparse-huge and deep values, wrong primitive types,
// passed in every position of every entry's functions and constructors.
//
// Each call must either work or throw an Error with a stable `code`
// (`area.reason`), never a bare TypeError from a trap, a wasm trap, or a
// message quoting the value. After every hostile call the same objects must
// still work, including the `&mut self` methods (a JS exception that unwinds
// through wasm would leave their borrow flag set: "recursive use of an
// object"), so no instance is ever poisoned.
//
//   make pkg && (cd tests/js && node --test node-hostile.mjs)
import { test } from 'node:test';
import assert from 'node:assert/strict';

import * as core from 'pseudolink';
import * as link from 'pseudolink/link';
import * as identity from 'pseudolink/identity';
import * as oblivious from 'pseudolink/oblivious';

const CODE_RE = /^[a-z0-9_]+\.[a-z0-9_]+$/;
const NEEDLE = 'hostile.needle.7f3a@example.com';

/** Fresh hostile values (some are consumed by being revoked). */
function hostiles() {
  const cyclic = { email: NEEDLE };
  cyclic.self = cyclic;
  const cyclicArr = [];
  cyclicArr.push(cyclicArr);
  const throwing = () => { throw new Error(NEEDLE); };
  const trapAll = new Proxy({}, {
    get: throwing, has: throwing, ownKeys: throwing, getOwnPropertyDescriptor: throwing,
    getPrototypeOf: throwing, defineProperty: throwing, set: throwing,
  });
  const trapArr = new Proxy([{ email: NEEDLE }], { get: throwing, ownKeys: throwing });
  const rObj = Proxy.revocable({}, {}); rObj.revoke();
  const rArr = Proxy.revocable([], {}); rArr.revoke();
  const getterIdx = [{}];
  Object.defineProperty(getterIdx, 0, { get: throwing, enumerable: true });
  const sparse = [];
  sparse.length = 2 ** 32 - 1;
  let deep = { email: NEEDLE };
  for (let i = 0; i < 100000; i++) deep = { a: deep };
  let deepArr = [NEEDLE];
  for (let i = 0; i < 100000; i++) deepArr = [deepArr];
  return {
    cyclic, cyclicArr,
    bigint: 10n,
    withBigint: { email: NEEDLE, n: 10n },
    getter: { get email() { return throwing(); } },
    toJSON: { email: NEEDLE, toJSON: throwing },
    toJSONArr: Object.assign([NEEDLE], { toJSON: throwing }),
    trapAll, trapArr,
    revokedObj: rObj.proxy, revokedArr: rArr.proxy,
    secretProxy: new Proxy(new Uint8Array(32), { getPrototypeOf: throwing }),
    getterIdx,
    frozen: Object.freeze({ email: NEEDLE }),
    frozenArr: Object.freeze([Object.freeze({ email: NEEDLE })]),
    sparse, deep, deepArr,
    symbol: Symbol(NEEDLE),
    fn: function hostile() {},
    number: 1e308, nan: NaN,
    string: NEEDLE,
    nul: null, undef: undefined,
    toPrimitive: { [Symbol.toPrimitive]: throwing, toString: throwing, valueOf: throwing },
  };
}

/** Runs `call`; it must return or throw a coded error that does not echo. */
function expectTypedOrOk(label, call) {
  let result;
  try {
    result = call();
  } catch (e) {
    assert.ok(e instanceof Error, `${label}: threw a non-Error`);
    assert.match(String(e.code), CODE_RE, `${label}: threw without a stable code (${e.name})`);
    assert.ok(!String(e.message).includes(NEEDLE), `${label}: the message echoes the value`);
    return 'error';
  }
  return result === undefined ? 'ok' : 'value';
}

/** Calls every way `fns` can take a hostile value, then checks `healthy()`. */
function hammer(name, fns, healthy) {
  for (const [fname, fn] of Object.entries(fns)) {
    for (const [hname, value] of Object.entries(hostiles())) {
      const label = `${name}.${fname}(${hname})`;
      expectTypedOrOk(label, () => fn(value));
      try {
        healthy();
      } catch (e) {
        assert.fail(`${label}: the instance is poisoned afterwards (${e?.name}: ${e?.message})`);
      }
    }
  }
}

const keys = () => [{ id: 'k1', secret: new Uint8Array(32).fill(7) }];
const definition = { version: 1, fields: ['email', 'phone', 'firstName', 'lastName', 'postalCode', 'duns'] };
const good = { email: 'jane.doe@example.com', firstName: 'Jane', lastName: 'Doe', postalCode: '94105' };

function coreCalls(pl) {
  const p = new pl.Pseudonymizer(keys(), definition);
  const fns = {
    normalizeField: (v) => pl.normalize(v, 'a@b.co'),
    normalizeValue: (v) => pl.normalize('email', v),
    normalizeOptions: (v) => pl.normalize('email', 'a@b.co', v),
    platformHashesRecord: (v) => pl.platformHashes(v, 'uid2'),
    platformHashesProfile: (v) => pl.platformHashes(good, v),
    platformHashesOptions: (v) => pl.platformHashes(good, 'google', v),
    profileFields: (v) => pl.profileFields(v),
    parseToken: (v) => pl.parseToken(v),
    newKeys: (v) => new pl.Pseudonymizer(v, definition).free(),
    newKeyEntry: (v) => new pl.Pseudonymizer([v], definition).free(),
    newSecret: (v) => new pl.Pseudonymizer([{ id: 'k1', secret: v }], definition).free(),
    newKeyId: (v) => new pl.Pseudonymizer([{ id: v, secret: new Uint8Array(32) }], definition).free(),
    newDefinition: (v) => new pl.Pseudonymizer(keys(), v).free(),
    tokenize: (v) => p.tokenize(v),
    tokenizeBatch: (v) => p.tokenizeBatch(v),
    tokenizeBatchItem: (v) => p.tokenizeBatch([good, v]),
  };
  const healthy = () => {
    assert.equal(p.tokenize(good).tokens.length, 4);
    assert.equal(pl.normalize('email', ' A@B.co '), 'a@b.co');
  };
  return { fns, healthy, p };
}

test('core entry (pseudolink): hostile values give coded errors, nothing is poisoned', () => {
  const { fns, healthy } = coreCalls(core);
  hammer('core', fns, healthy);
});

function linkCalls(pl) {
  const { fns: coreFns, healthy: coreHealthy } = coreCalls(pl);
  const clk = new pl.ClkEncoder('default', new Uint8Array(32).fill(1));
  const width = JSON.parse(pl.defaultClkSchema()).features.length;
  const row = Array.from({ length: width }, (_, i) => `v${i}`);
  const enc = new pl.RecordEncoder(keys(), definition, { clkSecret: new Uint8Array(32).fill(2) });
  const rows = enc.encodeBatch([{ id: 'a', ...good }, { id: 'b', ...good, firstName: 'Jayne' }]).map((r) => {
    const { errors, ...rest } = r;
    return rest;
  });
  const linker = new pl.Linker({ em: { uSamplePairs: 2000, maxIterations: 10 } });
  const binary = pl.encodedToBinary(rows);
  const fns = {
    ...coreFns,
    clkNewSchema: (v) => new pl.ClkEncoder(v, new Uint8Array(32)).free(),
    clkNewSecret: (v) => new pl.ClkEncoder('default', v).free(),
    clkEncode: (v) => clk.encode(v),
    clkEncodeCell: (v) => clk.encode(['a', v]),
    clkEncodeFeatures: (v) => clk.encodeFeatures(v),
    clkEncodeBatch: (v) => clk.encodeBatch(v),
    clkEncodeBatchRow: (v) => clk.encodeBatch([v]),
    clkEncodeBatchOptions: (v) => clk.encodeBatch([['a']], v),
    encNewKeys: (v) => new pl.RecordEncoder(v, definition).free(),
    encNewDefinition: (v) => new pl.RecordEncoder(keys(), v).free(),
    encNewOptions: (v) => new pl.RecordEncoder(keys(), definition, v).free(),
    encEncode: (v) => enc.encode(v),
    encEncodeBatch: (v) => enc.encodeBatch(v),
    encEncodeBatchItem: (v) => enc.encodeBatch([v]),
    encEncodeBatchOptions: (v) => enc.encodeBatch([{ id: 'x', ...good }], v),
    linkerNew: (v) => new pl.Linker(v).free(),
    linkA: (v) => linker.link(v, rows),
    linkB: (v) => linker.link(rows, v),
    linkItem: (v) => linker.link([v], rows),
    linkOptions: (v) => linker.link(rows, rows, v),
    dedupe: (v) => linker.dedupe(v),
    dedupeItem: (v) => linker.dedupe([rows[0], v]),
    linkMany: (v) => linker.linkMany(v),
    linkManySource: (v) => linker.linkMany([rows, v]),
    explainA: (v) => linker.explain(v, rows[0]),
    explainB: (v) => linker.explain(rows[0], v),
    setParams: (v) => linker.setParams(v),
    encEncodeBatchBinary: (v) => enc.encodeBatchBinary(v),
    encEncodeBatchBinaryItem: (v) => enc.encodeBatchBinary([v]),
    encEncodeBatchBinaryOptions: (v) => enc.encodeBatchBinary([{ id: 'x', ...good }], v),
    encodedToBinary: (v) => pl.encodedToBinary(v),
    encodedToBinaryItem: (v) => pl.encodedToBinary([rows[0], v]),
    encodedFromBinary: (v) => pl.encodedFromBinary(v),
    linkBinaryA: (v) => linker.link(v, binary),
    linkBinaryB: (v) => linker.link(binary, v),
  };
  const healthy = () => {
    coreHealthy();
    assert.equal(typeof clk.encode(row), 'string');
    assert.equal(enc.encode({ id: 'z', ...good }).id, 'z');
    linker.resetParams(); // &mut self: fails if a borrow was left behind
    assert.ok(Array.isArray(linker.dedupe(rows).clusters));
  };
  return { fns, healthy };
}

test('link entry (pseudolink/link): hostile values give coded errors, nothing is poisoned', () => {
  const { fns, healthy } = linkCalls(link);
  hammer('link', fns, healthy);
});

test('identity entry (pseudolink/identity): hostile values give coded errors, nothing is poisoned', () => {
  const { fns: linkFns, healthy: linkHealthy } = linkCalls(identity);
  const p = new identity.Pseudonymizer(keys(), definition);
  const person = (id, raw) => ({ system: 'crm', id, ...p.tokenize(raw), errors: undefined });
  const g = new identity.IdentityGraph();
  g.addRecords([person('p1', good), person('p2', { ...good, firstName: 'Jayne' })]);
  g.resolve();
  const ref = { system: 'crm', id: 'p1' };
  const personId = g.entityIds('person')[0];
  const fns = {
    ...linkFns,
    graphNew: (v) => new identity.IdentityGraph(v).free(),
    fromJSON: (v) => identity.IdentityGraph.fromJSON(v).free(),
    addRecords: (v) => g.addRecords(v),
    addRecordsItem: (v) => g.addRecords([v]),
    addRecordsOptions: (v) => g.addRecords([], v),
    addHierarchy: (v) => g.addHierarchy(v),
    addHierarchyItem: (v) => g.addHierarchy([v]),
    removeRecords: (v) => g.removeRecords(v),
    removeRecordsItem: (v) => g.removeRecords([v]),
    resolveOptions: (v) => g.resolve(v),
    entity: (v) => g.entity(v),
    entityIds: (v) => g.entityIds(v),
    customerOfRecord: (v) => g.customerOf(v, 'household'),
    customerOfView: (v) => g.customerOf(ref, v),
    recordsOfView: (v) => g.recordsOf(v, personId),
    recordsOfId: (v) => g.recordsOf('household', v),
    history: (v) => g.history(v),
    explain: (v) => g.explain(v, ref),
    rollupView: (v) => g.rollup(v),
    rollupOptions: (v) => g.rollup('billing', v),
    segments: (v) => g.segments(v),
    records: (v) => g.records(v),
    customersOf: (v) => g.customersOf(v, 'billing'),
    customersOfItem: (v) => g.customersOf([ref, v], 'billing'),
    customersOfView: (v) => g.customersOf([ref], v),
    addEncodedSystem: (v) => g.addEncoded(v, []),
    addEncoded: (v) => g.addEncoded('hostile', v),
    addEncodedItem: (v) => g.addEncoded('hostile', [v]),
    linkEncoded: (v) => g.linkEncoded(v),
    linkEncodedItem: (v) => g.linkEncoded([v]),
    linkEncodedOptions: (v) => g.linkEncoded([], v),
  };
  const healthy = () => {
    linkHealthy();
    g.addRecords([]); // &mut self
    assert.ok(g.entityIds('person').includes(personId));
    assert.equal(typeof g.toJSON(), 'string');
    assert.deepEqual(g.customersOf([ref], 'household'), [g.customerOf(ref, 'household')]);
    g.clone().free();
  };
  hammer('identity', fns, healthy);
});

test('oblivious entry (pseudolink/oblivious): hostile values give coded errors, nothing is poisoned', () => {
  const { fns: coreFns, healthy: coreHealthy } = coreCalls(oblivious);
  // The ristretto255 base point: a valid public key (nothing here is evaluated).
  const pin = Buffer.from('e2f2ae0a6abc4e71a884a961c500515f58e30b6aa582dd8db6a65945e08d2d76', 'hex').toString('base64url');
  const client = new oblivious.ObliviousClient(definition, { v1: pin });
  const batch = client.blind([good]);
  const fns = {
    ...coreFns,
    clientNewDefinition: (v) => new oblivious.ObliviousClient(v, { v1: pin }).free(),
    clientNewKeys: (v) => new oblivious.ObliviousClient(definition, v).free(),
    clientNewKey: (v) => new oblivious.ObliviousClient(definition, { v1: v }).free(),
    blind: (v) => client.blind(v).free(),
    blindItem: (v) => client.blind([good, v]).free(),
    finalize: (v) => client.finalize(batch, v),
    finalizeItem: (v) => client.finalize(batch, [v]),
    requestBody: (v) => batch.requestBody(v),
  };
  const healthy = () => {
    coreHealthy();
    assert.equal(JSON.parse(batch.requestBody('v1')).keyVersion, 'v1');
    client.blind([good]).free();
  };
  hammer('oblivious', fns, healthy);
});
