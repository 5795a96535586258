// Node test of the identity graph in the BUILT `pseudolink/identity` entry,
// imported by name as a consumer would: a B2B account (parent company, three
// business units under it by D-U-N-S, one bill-to site, three ship-to sites,
// invoices) counted by billing, service, sales and the group; the JSON
// document round trip; typed errors. Tokens come from raw values through
// the package's own Pseudonymizer.
//
//   make pkg && (cd tests/js && node --test node-identity.mjs)
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { IdentityGraph, Pseudonymizer, RecordEncoder } from 'pseudolink/identity';

const keys = [{ id: 'k1', secret: new Uint8Array(32).fill(3) }];
const definition = { version: 1, fields: ['email', 'firstName', 'lastName', 'companyName', 'duns', 'postalCode'], defaultRegion: 'US' };

function acme() {
  const p = new Pseudonymizer(keys, definition);
  const tokens = (raw) => {
    const t = p.tokenize(raw);
    assert.deepEqual(t.errors, []);
    return t.tokens;
  };
  const duns = (d) => tokens({ duns: d })[0];
  const hqDuns = '15-048-3782';
  const unitDuns = ['804735132', '079942718', '361846292'];
  const unitNames = ['Acme Industrial', 'Acme Medical', 'Acme Agri'];
  const records = [
    { system: 'erp', id: 'ACME-HQ', kind: 'organisation', tokens: tokens({ companyName: 'Acme Industrial Holdings, Inc.', duns: hqDuns }) },
    ...unitNames.map((name, k) => ({
      system: 'erp', id: `ACME-BU-${k + 1}`, kind: 'organisation', unit: 'businessUnit',
      tokens: tokens({ companyName: name, duns: unitDuns[k] }),
    })),
    { system: 'erp', id: 'ACME-BILL', kind: 'organisation', unit: 'site', relations: [{ type: 'memberOf', to: { id: 'ACME-HQ' } }] },
    ...['46204', '55401', '68102'].map((zip, k) => ({
      system: 'erp', id: `ACME-SHIP-${k + 1}`, kind: 'organisation', unit: 'site',
      tokens: tokens({ companyName: unitNames[k], postalCode: zip }),
      relations: [{ type: 'memberOf', to: { id: `ACME-BU-${k + 1}` } }],
    })),
  ];
  const amounts = [[1, 52000, 9000], [1, 61500, 10250], [2, 12000, 3100], [2, 14400, 2900], [3, 2300, 1900], [3, 1750, 1600]];
  amounts.forEach(([unit, revenue, costToServe], n) => records.push({
    system: 'erp', id: `INV-${n + 1}`, kind: 'interaction', date: `2025-0${n + 1}-15`,
    measures: { revenue, costToServe },
    relations: [
      { type: 'billTo', to: { id: 'ACME-BILL' } },
      { type: 'shipTo', to: { id: `ACME-SHIP-${unit}` } },
      { type: 'unit', to: { id: `ACME-BU-${unit}` } },
    ],
  }));
  records.push({
    system: 'crm', id: 'CT-9', tokens: tokens({ email: 'ana.lopez@acme.example', firstName: 'Ana', lastName: 'López' }),
    relations: [{ type: 'buyer', to: { system: 'erp', id: 'ACME-BU-1' } }],
  });
  const hierarchy = unitDuns.map((d) => ({ child: duns(d), parent: duns(hqDuns), relation: 'parent' }));
  p.free();
  const revenue = amounts.reduce((s, a) => s + a[1], 0);
  return { records, hierarchy, amounts, revenue };
}

const VIEWS = ['billing', 'service', 'sales', 'group', 'household'];

test('IdentityGraph: billing, service, sales and the group each count Acme their own way', () => {
  const { records, hierarchy, revenue } = acme();
  const g = new IdentityGraph();
  const progress = [];
  g.addRecords(records, { onProgress: (p) => progress.push(p) });
  assert.deepEqual(progress, [{ stage: 'add', done: records.length, total: records.length }]);
  g.addHierarchy(hierarchy);
  const summary = g.resolve();
  assert.equal(summary.records, records.length);
  assert.equal(g.size, records.length);
  assert.deepEqual(summary.entities, { legalEntity: 1, businessUnit: 3, site: 4, person: 1, household: 1 });
  assert.deepEqual(g.counts(), summary.entities);

  const invoices = records.filter((r) => r.kind === 'interaction');
  const own = (id) => g.customerOf({ system: 'erp', id }, 'billing');
  const expected = {
    billing: [own('ACME-BILL')],
    service: [1, 2, 3].map((k) => own(`ACME-SHIP-${k}`)),
    sales: [1, 2, 3].map((k) => own(`ACME-BU-${k}`)),
    group: [own('ACME-HQ')],
  };
  for (const [view, ids] of Object.entries(expected)) {
    const got = new Set(invoices.map((r) => g.customerOf(r, view)));
    assert.deepEqual([...got].sort(), [...ids].sort(), view);
    const rollup = g.rollup(view);
    assert.equal(rollup.totals.revenue, revenue, view);
    assert.equal(rollup.unassigned.revenue, undefined, view);
    const buying = rollup.customers.filter((c) => c.measures.interactions > 0).map((c) => c.entity);
    assert.deepEqual(buying.sort(), [...ids].sort(), view);
  }
  assert.equal(g.customerOf(invoices[0], 'household'), null);

  const hq = g.entity(own('ACME-HQ'));
  assert.equal(hq.kind, 'legalEntity');
  assert.deepEqual(
    hq.children.map((c) => [c.id, c.relation]).sort(),
    [...expected.sales.map((id) => [id, 'parent']), [own('ACME-BILL'), 'memberOf']].sort(),
  );
  const unit1 = g.entity(own('ACME-BU-1'));
  assert.deepEqual(unit1.parent, { id: hq.id, relation: 'parent' });
  assert.equal(unit1.ultimateParent, hq.id);
  assert.deepEqual(g.roles(), [{ person: g.customerOf({ system: 'crm', id: 'CT-9' }, 'billing'), organisation: unit1.id, role: 'buyer' }]);
  assert.deepEqual(g.entityIds('businessUnit'), [...expected.sales].sort());
  assert.deepEqual(g.recordsOf('sales', unit1.id).map((r) => r.id).sort(), ['ACME-BU-1', 'ACME-SHIP-1', 'INV-1', 'INV-2']);
  assert.equal(g.history(unit1.id)[0].kind, 'created');

  // Segments over the sales view: contribution = revenue − cost to serve.
  const s = g.segments({
    view: 'sales',
    segments: [
      { name: 'key', rule: { measure: 'contribution', op: '>', value: 20000 } },
      { name: 'small', rule: { all: [{ measure: 'contribution', op: '>', value: 0 }, { not: { tier: 'A' } }] } },
    ],
  });
  assert.deepEqual(s.segments.map((x) => x.customers), [[unit1.id, expected.sales[1]], [expected.sales[1], expected.sales[2]]]);
  assert.equal(s.segments[0].totals.revenue, 52000 + 61500 + 12000 + 14400);
  g.free();
});

test('IdentityGraph: toJSON → fromJSON answers as before, holds no raw value, and keeps growing', () => {
  const { records, hierarchy } = acme();
  const g = new IdentityGraph({ minTrainingRecords: 500 });
  g.addRecords(records);
  g.addHierarchy(hierarchy);
  g.resolve();
  const text = g.toJSON();
  assert.equal(typeof text, 'string');
  for (const raw of ['150483782', 'ana.lopez', 'Acme']) assert.ok(!text.includes(raw), raw);
  const back = IdentityGraph.fromJSON(text);
  assert.equal(back.size, g.size);
  for (const r of records) {
    for (const view of VIEWS) assert.equal(back.customerOf(r, view), g.customerOf(r, view), `${r.id} ${view}`);
  }
  assert.equal(back.toJSON(), text);
  back.addRecords([{ system: 'erp', id: 'INV-7', kind: 'interaction', measures: { revenue: 10 },
    relations: [{ type: 'billTo', to: { id: 'ACME-BILL' } }, { type: 'unit', to: { id: 'ACME-BU-3' } }] }]);
  back.resolve();
  assert.equal(back.customerOf({ system: 'erp', id: 'INV-7' }, 'group'), g.customerOf(records[0], 'group'));
  assert.equal(back.customerOf({ system: 'erp', id: 'INV-7' }, 'sales'), g.customerOf({ system: 'erp', id: 'INV-5' }, 'sales'));
  g.free();
  back.free();
});

test('IdentityGraph: bad input throws typed errors with rows, never the value', () => {
  const { records } = acme();
  const g = new IdentityGraph();
  g.addRecords(records);
  const code = (fn) => { try { fn(); } catch (e) { return [e.code, e.row, e.message]; } return null; };
  assert.equal(code(() => g.customerOf(records[0], 'finance'))[0], 'identity.unknown_view');
  const [dup, row] = code(() => g.addRecords([{ system: 'erp', id: 'NEW-1', kind: 'interaction' }, records[3]]));
  assert.deepEqual([dup, row], ['identity.duplicate_record', 1]);
  const [bad, badRow, message] = code(() => g.addRecords([{ system: 'erp', id: 'jane@example.com', measures: { revenue: 'lots' } }]));
  assert.deepEqual([bad, badRow], ['record.invalid', 0]);
  assert.ok(!message.includes('jane@example.com'));
  assert.equal(g.size, records.length, 'nothing of a failed chunk is added');
  assert.equal(code(() => g.segments({ view: 'sales', segments: [{ name: 'x', rule: { measure: 'revenue', op: '≈', value: 1 } }] }))[0], 'segment.invalid_rule');
  assert.equal(code(() => IdentityGraph.fromJSON('{"format":"pseudolink-identity-graph","version":2}'))[0], 'identity.unsupported_version');
  assert.equal(code(() => new IdentityGraph({ household: { familyNameDice: 2 } }))[0], 'identity.bad_config');
  g.free();
});

test('IdentityGraph: records, customersOf, clone, addEncoded and linkEncoded answer without reading the document', () => {
  const { records, hierarchy } = acme();
  const g = new IdentityGraph();
  g.addRecords(records);
  g.addHierarchy(hierarchy);
  g.resolve();
  // Records of a system and kind, in the order they were added.
  const erp = g.records({ system: 'erp', kind: 'interaction' });
  assert.deepEqual(erp.map((r) => r.id), records.filter((r) => r.system === 'erp' && r.kind === 'interaction').map((r) => r.id));
  assert.equal(g.records().length, records.length);
  assert.deepEqual(g.records({ system: 'nope' }), []);
  const fromDoc = JSON.parse(g.toJSON()).records.filter((r) => r.system === 'erp' && r.kind === 'interaction');
  assert.deepEqual(erp, fromDoc.map(({ system, channel, id }) => ({ system, channel, id })));
  // customersOf = customerOf, element by element, in every view.
  for (const view of VIEWS) {
    assert.deepEqual(g.customersOf(erp, view), erp.map((r) => g.customerOf(r, view)));
  }
  const code = (fn) => { try { fn(); } catch (e) { return [e.code, e.row]; } return null; };
  assert.deepEqual(code(() => g.customersOf([erp[0], { system: 'erp', id: 'nope' }], 'billing')), ['identity.unknown_record', 1]);
  assert.deepEqual(code(() => g.records({ system: 1 })), ['option.invalid', undefined]);
  // A clone answers alike and is separate.
  const copy = g.clone();
  assert.deepEqual(copy.counts(), g.counts());
  assert.deepEqual(copy.customersOf(erp, 'group'), g.customersOf(erp, 'group'));
  copy.removeRecords([erp[0]]);
  assert.equal(copy.size, g.size - 1);
  copy.free();

  // Encoded rows (JSON or binary) in, and linked against the graph's persons.
  // Tokens only: the graph's first records had no CLKs (a graph keeps one CLK layout).
  const enc = new RecordEncoder(keys, definition);
  const people = [
    { id: 'w1', email: 'ana.lopez@acme.example', firstName: 'Ana', lastName: 'Lopez' },
    { id: 'w2', email: 'bo.berg@example.org', firstName: 'Bo', lastName: 'Berg' },
  ];
  const bin = enc.encodeBatchBinary(people);
  g.addEncoded('web', bin.records);
  assert.deepEqual(g.records({ system: 'web' }).map((r) => r.id), ['w1', 'w2']);
  assert.deepEqual(code(() => g.addEncoded('web', bin.records)), ['identity.duplicate_record', 0]);
  assert.equal(code(() => g.addEncoded('web', new Uint8Array(8)))[0], 'transfer.not_encoded');
  g.resolve();
  const probe = enc.encodeBatchBinary([{ id: 'x', email: 'bo.berg@example.org', firstName: 'Bo', lastName: 'Berg' }]);
  const found = g.linkEncoded(probe.records);
  assert.equal(found.length, 1);
  assert.deepEqual([found[0].row, found[0].record], [0, { system: 'web', channel: '', id: 'w2' }]);
  assert.equal(found[0].person, g.customerOf({ system: 'web', id: 'w2' }, 'billing'));
  assert.deepEqual(g.linkEncoded(enc.encodeBatch([{ id: 'x', email: 'bo.berg@example.org', firstName: 'Bo', lastName: 'Berg' }])
    .map(({ errors, ...r }) => r)), found);
  enc.free();
  g.free();
});
