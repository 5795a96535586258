// The link entry `pseudolink/link` (a superset of the core), as a TypeScript
// user writes it. Type-checked only (tests/js/types/check.mjs): never run.
import init, { initSync, defaultClkSchema, ClkEncoder, RecordEncoder, Linker } from 'pseudolink/link';
import type {
  BatchOptions, ClkHardening, DedupeResult, EncodedBatch, EncodedBatchResult, EncodedRecord,
  EncodedRecordResult, EntitiesResult,
  Explanation, IdentifiedRecord, IdentityDefinition, LinkConfig, LinkProgress, LinkResult,
  LinkageSchema, ModelParams, RecordEncoderOptions, TokenKeyInput,
} from 'pseudolink/link';
import * as link from 'pseudolink/link';
import { exerciseCore } from './core.js';

/** What `pseudolink/link` adds to the core (init and initSync are each entry's own). */
export type LinkApi = Omit<typeof link, 'default' | 'initSync'>;

declare const keyBytes: Uint8Array;
declare const clkBytes: Uint8Array;
declare const theirs: EncodedRecord[];

/** Uses every function and class the link entry adds, through any entry that has them. */
export function exerciseLink(m: LinkApi): LinkResult {
  const schema: LinkageSchema = JSON.parse(m.defaultClkSchema());
  const onProgress = ({ stage, done, total }: LinkProgress) => console.log(stage, done / total);
  const batch: BatchOptions = { onProgress };

  const clk = new m.ClkEncoder(schema, clkBytes);
  const bits: number = clk.outputBits;
  const one: string = clk.encode(['Jane', 'Doe', '1985']);
  const features: (string | null)[] = clk.encodeFeatures(['Jane', 'Doe', '1985']);
  const rows: string[] = clk.encodeBatch([['Jane', 'Doe', '1985']]);   // options are optional
  clk.encodeBatch([['Jon', 'Smith', '1990']], batch);
  clk.free();
  new m.ClkEncoder('default', clkBytes).encodeBatch([['Jane']]);

  const keys: TokenKeyInput[] = [{ id: 'k2026', secret: keyBytes }];
  const definition: IdentityDefinition = { version: 1, fields: ['email', 'phone', 'firstName', 'lastName'], defaultRegion: 'US' };
  const hardening: ClkHardening = { balanced: true, saltFeature: 'dateOfBirth', diffusion: 4 };
  const options: RecordEncoderOptions = { clkSchema: 'default', clkSecret: clkBytes, hardening };
  const tokensOnly = new m.RecordEncoder(keys, definition);             // options are optional
  const enc = new m.RecordEncoder(keys, definition, options);
  new m.RecordEncoder([], definition, { clkSchema: schema, clkSecret: clkBytes }).free();
  const records: IdentifiedRecord[] = [{ id: 1, email: 'jane@example.com' }, { firstName: 'Jon' }];
  const single: EncodedRecordResult = enc.encode(records[0]);
  const mine: EncodedRecordResult[] = enc.encodeBatch(records);          // options are optional
  enc.encodeBatch(records, { onProgress: ({ done, total }) => console.log(done, total) });
  tokensOnly.encodeBatch(records, null);
  tokensOnly[Symbol.dispose]();

  const config: LinkConfig = { threshold: 0.9, explainLinks: true, em: { seed: 7 } };
  const linker = new m.Linker();                                         // every setting has a default
  new m.Linker(config).free();
  new m.Linker(JSON.stringify(config)).free();
  const result: LinkResult = linker.link(mine, theirs);                  // options are optional
  linker.link(mine, theirs, batch);
  const params: ModelParams | null = linker.params;
  const used: LinkConfig = linker.config;
  if (params) linker.setParams(params);
  linker.setParams(JSON.stringify(result.params));
  const clusters: DedupeResult = linker.dedupe(theirs);
  linker.dedupe(theirs, { onProgress });
  const entities: EntitiesResult = linker.linkMany([mine, theirs, theirs]);
  linker.linkMany([mine, theirs], batch);
  const why: Explanation = linker.explain(mine[0], theirs[0]);
  // The binary transfer form: one Uint8Array, wherever EncodedRecord[] goes.
  const packed: EncodedBatchResult = enc.encodeBatchBinary(records);     // options are optional
  enc.encodeBatchBinary(records, batch);
  const bytes: EncodedBatch = m.encodedToBinary(theirs);
  const back: EncodedRecord[] = m.encodedFromBinary(packed.records);
  linker.link(packed.records, bytes, batch);
  linker.link(mine, bytes);
  linker.dedupe(bytes);
  linker.linkMany([packed.records, theirs]);
  console.log(packed.errors[0]?.[0]?.code, back.length);
  linker.resetParams();
  linker.free();
  for (const l of result.links) console.log(l.a, l.b, l.probability, l.explanation?.contributions.length);
  console.log(bits, one, features, rows, single.errors, used.threshold, clusters.clusters, entities.entities, why.priorWeight);
  return result;
}

await init();
initSync({ module: new Uint8Array() });
exerciseCore(link);
exerciseLink(link);
defaultClkSchema();
new ClkEncoder('default', clkBytes).free();
new RecordEncoder([], { version: 1, fields: ['email'] }, { clkSchema: 'default', clkSecret: clkBytes }).free();
new Linker().free();
