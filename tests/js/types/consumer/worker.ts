// The worker entry `pseudolink/worker`, as a TypeScript user writes it.
// Type-checked only (tests/js/types/check.mjs).
import { LinkWorker, WorkerError } from 'pseudolink/worker';
import type { EncodeArgs, WorkerCallOptions } from 'pseudolink/worker';
import type { EncodedRecord, EncodedRecordResult, LinkResult, DedupeResult, EntitiesResult, Explanation } from 'pseudolink/link';

declare const keyBytes: Uint8Array;
declare const clkBytes: Uint8Array;
declare const directory: EncodedRecord[];

const w = new LinkWorker();                                              // options are optional
new LinkWorker({ url: new URL('/pkg/link-worker.js', location.href) }).terminate();
new LinkWorker({ url: '/pkg/link-worker.js' }).terminate();
const args: EncodeArgs = {
  keys: [{ id: 'k2026', secret: keyBytes }],
  definition: { version: 1, fields: ['email', 'phone'] },
  clkSchema: 'default',
  clkSecret: clkBytes,
  records: [{ id: 'r1', email: 'jane@example.com' }],
};
try {
  const encoded: EncodedRecordResult[] = await w.encode(args);           // options are optional
  await w.encode(args, { onProgress: ({ stage, done, total }) => console.log(stage, done, total) });
  const options: WorkerCallOptions = { config: { threshold: 0.8 }, onProgress: (p) => console.log(p.done) };
  const linked: LinkResult = await w.link(encoded, directory);           // options are optional
  await w.link(encoded, directory, options);
  const clusters: DedupeResult = await w.dedupe(directory);
  await w.dedupe(directory, { params: linked.params });
  const entities: EntitiesResult = await w.linkMany([encoded, directory]);
  await w.linkMany([encoded, directory], { config: '{"threshold":0.9}' });
  const why: Explanation = await w.explain(encoded[0], directory[0], { params: linked.params });
  await w.explain(encoded[0], directory[0]);
  console.log(clusters.clusters, entities.entities, why.matchWeight);
} catch (e) {
  if (e instanceof WorkerError) console.log(e.code, e.field, e.row);
}
w.cancel();
w.terminate();
console.log(new WorkerError('worker.cancelled', 'cancelled').code);
