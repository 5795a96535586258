// The worker of v8-oom.mjs: definitions and options whose getters fill the
// heap while the glue's JSON.stringify walks them.
import * as pl from 'pseudolink';
import { parentPort, workerData } from 'node:worker_threads';
parentPort.postMessage('ready');
const big = 'x'.repeat(1 << (16 + (workerData % 6)));
const def = { version: 1, fields: ['email'] };
let keep = [];
Object.defineProperty(def, 'defaultRegion', { enumerable: true, get() { keep.push(new Array(1e5).fill(big)); return 'US'; } });
def.arr = Array.from({ length: 2000 }, () => ({ get a() { keep.push(big + big); return big; } }));
for (;;) {
  try { new pl.Pseudonymizer([{ id: 'k1', secret: new Uint8Array(32).fill(7) }], { toJSON() { return def; } }); } catch {}
  try { pl.normalize('email', 'a@b.co', def); } catch {}
}
