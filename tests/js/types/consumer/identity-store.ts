// The store entry `pseudolink/identity-store`, as a TypeScript user writes it.
// Type-checked only (tests/js/types/check.mjs).
import { IdentityStore, StoreError } from 'pseudolink/identity-store';
import type { StoredEntry } from 'pseudolink/identity-store';
import { IdentityGraph } from 'pseudolink/identity';

try {
  const store: IdentityStore = await IdentityStore.open();               // dbName is optional
  await IdentityStore.open('my-portal').then((s) => s.close());
  const text: string | null = await store.load('customers');
  const graph = text ? IdentityGraph.fromJSON(text) : new IdentityGraph();
  const entry: StoredEntry = await store.save('customers', graph);       // meta is optional
  await store.save('customers', graph.toJSON(), { source: 'crm-export.csv' });
  const all: StoredEntry[] = await store.list();
  const existed: boolean = await store.delete('customers');
  store.close();
  console.log(entry.bytes, entry.savedAt, entry.meta, all.map((e) => e.key), existed);
} catch (e) {
  if (e instanceof StoreError) {
    const code: 'store.unavailable' | 'store.not_a_graph' | 'store.invalid_argument' | 'store.quota_exceeded' | 'store.failed' = e.code;
    console.log(code);
  }
}
console.log(new StoreError('store.failed', 'failed').name);
