// The worker of v8-terminate.mjs: calls the package forever with values whose
// getters and toJSON spin, until the main thread terminates it.
import * as pl from 'pseudolink';
const p = new pl.Pseudonymizer([{ id: 'k1', secret: new Uint8Array(32).fill(7) }], { version: 1, fields: ['email', 'phone'] });
import { parentPort } from 'node:worker_threads';
parentPort.postMessage('ready');
for (;;) {
  const rec = { email: 'a@b.co' };
  let n = 0;
  Object.defineProperty(rec, 'phone', { enumerable: true, get() { const end = Date.now() + 1; while (Date.now() < end) n++; return '+1 415 555 0100'; } });
  const deep = { toJSON() { for (let i = 0; i < 1e4; i++) n++; return rec; } };
  try { p.tokenize(deep); } catch {}
  const def = { version: 1, fields: ['email'] };
  Object.defineProperty(def, 'defaultRegion', { enumerable: true, get() { const end = Date.now() + 1; while (Date.now() < end) n++; return 'US'; } });
  try { new pl.Pseudonymizer([{ id: 'k1', secret: new Uint8Array(32).fill(7) }], { toJSON() { return def; } }); } catch {}
  try { pl.normalize('email', 'a@b.co', def); } catch {}
  try { p.tokenizeBatch([rec, deep, rec, deep]); } catch {}
}
