// The oblivious entry `pseudolink/oblivious` (a superset of the core), as a
// TypeScript user writes it. Type-checked only (tests/js/types/check.mjs).
import init, {
  initSync, ObliviousPseudonymizer, ObliviousError, ObliviousClient, BlindedBatch,
} from 'pseudolink/oblivious';
import type {
  ContactRecord, EvaluateResponse, ObliviousOptions, Progress, PublicKeys, TokenizeResult,
} from 'pseudolink/oblivious';
import * as oblivious from 'pseudolink/oblivious';
import { exerciseCore } from './core.js';

declare const records: ContactRecord[];

await init();
initSync({ module: new Uint8Array() });
exerciseCore(oblivious);

const options: ObliviousOptions = {
  endpoint: 'https://keys.example',
  publicKey: { '2026b': 'Gtp_ynld6MWw' },
  apiKey: 'pk_demo',
  definition: { version: 1, fields: ['email', 'phone'], defaultRegion: 'US' },
  timeoutMs: 5000,
  fetch: (input, init) => fetch(input, init),
};
const p = new ObliviousPseudonymizer(options);
new ObliviousPseudonymizer({ endpoint: 'https://keys.example', publicKey: 'Gtp_ynld6MWw', keyVersion: '2026b', definition: '{"version":1,"fields":["email"]}' });
const versions: string[] = p.keyVersions;
const controller = new AbortController();
try {
  const one: TokenizeResult = await p.tokenize({ email: 'jon.smith@gmail.com' });   // options are optional
  await p.tokenize({ phone: '+1 415 555 0100' }, { signal: controller.signal });
  const many: TokenizeResult[] = await p.tokenizeBatch(records);                      // options are optional
  await p.tokenizeBatch(records, { onProgress: ({ done, total }: Progress) => console.log(done / total), signal: controller.signal });
  console.log(versions, one.tokens, many.length);
} catch (e) {
  if (e instanceof ObliviousError) console.log(e.code, e.status, e.serverCode, e.retryAfter, e.field);
}
const made = new ObliviousError('network.failed', 'no answer', { status: 503 });
new ObliviousError('option.invalid');

// The wasm half, for callers that talk to the key server themselves.
const pins: PublicKeys = { '2026b': 'Gtp_ynld6MWw' };
const client = new ObliviousClient({ version: 1, fields: ['email'] }, pins);
const pinned: string[] = client.keyVersions;
const batch: BlindedBatch = client.blind(records);
const elements: number = batch.size;
const body: string = batch.requestBody(pinned[0]);
const answers: EvaluateResponse[] = [{ keyVersion: '2026b', evaluated: [], proof: '' }];
const tokens: TokenizeResult[] = client.finalize(batch, answers);
batch.free();
client[Symbol.dispose]();
console.log(made.message, elements, body, tokens);
