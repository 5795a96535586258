// The identity graph in headless Chromium, kept between visits: a page served
// by the real server (strict CSP) builds a graph with `pseudolink/identity`
// from records it tokenises itself (a couple at one address, a company known
// to two systems under one D-U-N-S, its plant, an invoice), saves the document
// with `pseudolink/identity-store`, and after a page reload loads it back: the
// same customers in every view, the same ids and history, and the loaded graph
// keeps resolving new records.
//
//   make pkg server && (cd tests/js && node --test e2e/identity-graph.test.mjs)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness } from './harness.mjs';

let h;
let tab;
before(async () => {
  h = await startHarness();
  tab = await h.open('/');
});
after(async () => {
  await h?.close();
});

/** Runs `fn(modules)` in the page, importing the package as a page would. */
function inPage(page, fn, refs = null) {
  return page.evaluate(`(async () => {
    const identity = await import('/pkg/pseudolink_identity.js');
    await identity.default();
    const { IdentityStore } = await import('/pkg/identity-store.js');
    const SNAPSHOT_FN = ${snapshotSource()};
    const REFS_VALUE = ${JSON.stringify(refs)};
    return (${fn.toString().replaceAll('eval(SNAPSHOT)', 'SNAPSHOT_FN').replaceAll('REFS', 'REFS_VALUE')})({ ...identity, IdentityStore });
  })()`);
}

const VIEWS = ['billing', 'service', 'sales', 'group', 'household'];

/** Every record's customer in every view, and every live entity id. */
function snapshotSource() {
  return `(graph, refs) => {
    const views = ['billing', 'service', 'sales', 'group', 'household'];
    const customers = refs.map((r) => views.map((v) => graph.customerOf(r, v)));
    const kinds = ['person', 'household', 'legalEntity', 'site', 'businessUnit'];
    return { customers, ids: kinds.map((k) => graph.entityIds(k)) };
  }`;
}

test('a graph built in the page survives a reload through IndexedDB', async () => {
  const built = await inPage(tab.page, async (m) => {
    const snapshot = eval(SNAPSHOT);
    const p = new m.Pseudonymizer([{ id: 'k1', secret: new Uint8Array(32).fill(9) }], {
      version: 1,
      fields: ['email', 'firstName', 'lastName', 'street', 'postalCode', 'companyName', 'duns'],
      matchKeys: [{ name: 'addressName', parts: [{ field: 'postalCode' }, { field: 'street', take: 'streetNumber' }, { field: 'lastName' }] }],
      defaultRegion: 'US',
    });
    const person = (id, first, email) => {
      const t = p.tokenize({ firstName: first, lastName: 'Okafor', email, street: '8 Birch Lane', postalCode: '30301' });
      return { system: 'shop', channel: 'web', id, tokens: t.tokens, matchKeys: t.matchKeys, measures: { revenue: 90 }, date: '2026-04-01' };
    };
    const org = (system, id, extra) => ({ system, channel: 'b2b', id, kind: 'organisation', ...extra });
    const duns = p.tokenize({ duns: '123456789' }).tokens;
    const records = [
      person('o-1', 'Ada', 'ada@example.org'),
      person('o-2', 'Chidi', 'chidi@example.net'),
      org('crm', 'C-1', { tokens: duns }),
      org('erp', 'E-1', { tokens: duns }),
      org('erp', 'P-1', { unit: 'site', relations: [{ type: 'memberOf', to: { id: 'E-1' } }] }),
      { system: 'erp', channel: 'b2b', id: 'I-1', kind: 'interaction', measures: { revenue: 5000, costToServe: 700 },
        relations: [{ type: 'billTo', to: { id: 'E-1' } }, { type: 'shipTo', to: { id: 'P-1' } }] },
    ];
    p.free();
    const graph = new m.IdentityGraph();
    const stages = [];
    graph.addRecords(records, { onProgress: (s) => stages.push(s.stage) });
    graph.resolve();
    const refs = records.map(({ system, channel, id }) => ({ system, channel, id }));
    const store = await m.IdentityStore.open('pseudolink-e2e-graph');
    const entry = await store.save('directory', graph, { records: records.length });
    store.close();
    const household = graph.customerOf(refs[0], 'household');
    return {
      refs, stages, entry, snap: snapshot(graph, refs),
      householdPersons: graph.entity(household).persons.length,
      legalEntityRecords: graph.entity(graph.customerOf(refs[5], 'billing')).records.length,
      history: graph.history(household),
      text: graph.toJSON(),
    };
  });
  assert.deepEqual(tab.errors, []);
  assert.ok(built.stages.includes('add'));
  assert.equal(built.householdPersons, 2, 'the couple is one household of two persons');
  assert.equal(built.legalEntityRecords, 2, 'one company, two systems, one D-U-N-S');
  const [billing, service] = built.snap.customers[5];
  assert.notEqual(billing, service, 'the invoice is billed to the company and served at its plant');
  assert.equal(built.entry.format, 'pseudolink-identity-graph');
  for (const raw of ['Okafor', 'okafor', 'ada@example.org', '8 Birch Lane', '30301', '123456789']) {
    assert.ok(!built.text.includes(raw), 'the stored document holds no raw value');
  }

  await tab.page.reload();
  const loaded = await inPage(tab.page, async (m) => {
    const snapshot = eval(SNAPSHOT);
    const store = await m.IdentityStore.open('pseudolink-e2e-graph');
    const text = await store.load('directory');
    store.close();
    const graph = m.IdentityGraph.fromJSON(text);
    const refs = REFS;
    const snap = snapshot(graph, refs);
    const household = graph.customerOf(refs[0], 'household');
    const history = graph.history(household);
    // It keeps working: a third family member joins the household.
    const p = new m.Pseudonymizer([{ id: 'k1', secret: new Uint8Array(32).fill(9) }], {
      version: 1, fields: ['email', 'firstName', 'lastName', 'street', 'postalCode'],
      matchKeys: [{ name: 'addressName', parts: [{ field: 'postalCode' }, { field: 'street', take: 'streetNumber' }, { field: 'lastName' }] }],
      defaultRegion: 'US',
    });
    const t = p.tokenize({ firstName: 'Ngozi', lastName: 'Okafor', email: 'ngozi@example.com', street: '8 Birch Lane', postalCode: '30301' });
    p.free();
    graph.addRecords([{ system: 'app', channel: 'ios', id: 'u-3', tokens: t.tokens, matchKeys: t.matchKeys }]);
    const summary = graph.resolve();
    return {
      text, snap, history, summary,
      after: graph.customerOf({ system: 'app', channel: 'ios', id: 'u-3' }, 'household'),
      persons: graph.entity(household).persons.length,
    };
  }, built.refs);
  assert.deepEqual(tab.errors, []);
  assert.equal(loaded.text, built.text, 'the stored document is the one saved');
  assert.deepEqual(loaded.snap, built.snap, 'same customers in every view and same ids after the reload');
  assert.deepEqual(loaded.history, built.history);
  assert.equal(loaded.after, built.snap.customers[0][VIEWS.indexOf('household')], 'a new member joins the stored household');
  assert.equal(loaded.persons, 3);
  assert.ok(loaded.summary.changed.length > 0);
});
