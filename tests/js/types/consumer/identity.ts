// The identity entry `pseudolink/identity` (a superset of `pseudolink/link`),
// as a TypeScript user writes it. Type-checked only (tests/js/types/check.mjs).
import init, { initSync, IdentityGraph } from 'pseudolink/identity';
import type {
  EncodedBatch, EncodedRecord, EntityInfo, EntityKind, Explanation, GraphConfig, GraphEvent,
  GraphMatch, GraphRecord, HierarchyEdge, ModelParams, RecordFilter, RecordRef, ResolveSummary,
  Role, Rollup, SegmentRequest, Segments, View,
} from 'pseudolink/identity';
import * as identity from 'pseudolink/identity';
import { exerciseCore } from './core.js';
import { exerciseLink } from './link.js';

declare const encoded: GraphRecord[];
declare const saved: string;
declare const rows: EncodedRecord[];
declare const packed: EncodedBatch;

await init();
initSync({ module: new Uint8Array() });
exerciseCore(identity);
const linked = exerciseLink(identity);

const config: GraphConfig = { params: linked.params, minTrainingRecords: 2, household: { familyNameDice: 0.8 } };
const graph = new IdentityGraph(config);
new IdentityGraph().free();                                   // every setting has a default
new IdentityGraph(JSON.stringify(config)).free();
graph.addRecords(encoded);                                    // options are optional
graph.addRecords([
  { system: 'erp', id: 'ACME', kind: 'organisation', tokens: ['pl1.duns.k.x'] },
  { system: 'erp', id: 'PLANT-1', kind: 'organisation', unit: 'site', relations: [{ type: 'memberOf', to: { id: 'ACME' } }] },
  { system: 'erp', id: 'INV-1', kind: 'interaction', date: '2026-03-01', measures: { revenue: 1200, costToServe: 200 },
    relations: [{ type: 'billTo', to: { id: 'ACME' } }, { type: 'shipTo', to: { id: 'PLANT-1' } }] },
], { onProgress: ({ done, total }) => console.log(done / total) });
const edges: HierarchyEdge[] = [{ child: 'pl1.duns.k.a', parent: 'pl1.duns.k.b', relation: 'parent' }];
graph.addHierarchy(edges);
const summary: ResolveSummary = graph.resolve();              // options are optional
graph.resolve({ onProgress: ({ stage }) => console.log(stage) });
const invoice: RecordRef = { system: 'erp', id: 'INV-1' };
const view: View = 'billing';
const customer: string | null = graph.customerOf(invoice, view);
if (customer) {
  const info: EntityInfo = graph.entity(customer);
  const refs: RecordRef[] = graph.recordsOf('service', customer);
  const history: GraphEvent[] = graph.history(customer);
  console.log(info.kind, refs.length, history.map((e) => e.reason.rule));
}
const why: Explanation = graph.explain({ system: 'shop', id: '1' }, { system: 'crm', channel: 'web', id: '2' });
const value: Rollup = graph.rollup('sales');                  // options are optional
graph.rollup('group', { measures: ['revenue'], tiers: [{ name: 'A', upTo: 0.8 }, { name: 'B', upTo: 1 }] });
const request: SegmentRequest = {
  view: 'sales',
  segments: [
    { name: 'key accounts', rule: { all: [{ measure: 'contribution', op: '>', value: 10000 }, { measure: 'transactionsPerMonth', op: '>', value: 5 }] } },
    { name: 'at risk', rule: { not: { tier: 'A' } } },
  ],
};
const segments: Segments = graph.segments(request);
const params: ModelParams | null = graph.params();
const counts: Partial<Record<EntityKind, number>> = graph.counts();
const roles: Role[] = graph.roles();
const size: number = graph.size;
const households: string[] = graph.entityIds('household');
const filter: RecordFilter = { system: 'erp', kind: 'interaction' };
const erp: RecordRef[] = graph.records(filter);
graph.records();                                              // every live record
const billed: (string | null)[] = graph.customersOf(erp, 'billing');
graph.addEncoded('web', packed);
graph.addEncoded('app', rows);
const found: GraphMatch[] = graph.linkEncoded(packed);
graph.linkEncoded(rows, { onProgress: ({ stage }) => console.log(stage) });
const copy: IdentityGraph = graph.clone();
copy.free();
console.log(billed, found[0]?.person, found[0]?.record.id);
graph.removeRecords([invoice]);
const text: string = graph.toJSON();
const again = IdentityGraph.fromJSON(text);
again[Symbol.dispose]();
IdentityGraph.fromJSON(saved).free();
graph.free();
console.log(summary.changed, why.probability, value.customers[0]?.tier, segments.segments, params?.prior, counts.person, roles, size, households);
