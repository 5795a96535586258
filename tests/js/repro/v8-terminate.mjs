// An attempt at the V8 fatal check (README.md): execution terminated while
// JSON.stringify, called from the wasm glue, runs a caller's getter. Worker
// terminations at random moments of a loop whose definitions, records and
// options have spinning getters and toJSON, then vm timeouts (the watchdog's
// TerminateExecution) inside such getters. Not reproduced: the process
// survives and the instance answers after every timeout.
//
//   make pkg && (cd tests/js && node repro/v8-terminate.mjs [N])
import { Worker } from 'node:worker_threads';
import vm from 'node:vm';
const N = Number(process.argv[2] ?? 200);
let done = 0;
for (let i = 0; i < N; i++) {
  const w = new Worker(new URL('./v8-terminate-worker.mjs', import.meta.url));
  await new Promise((r) => w.once('message', r));
  await new Promise((r) => setTimeout(r, Math.random() * 20));
  await w.terminate();
  done++;
}
console.log('worker terminations:', done);
// vm timeouts: the watchdog terminates execution inside the getter/stringify.
const pl = await import('pseudolink');
const p = new pl.Pseudonymizer([{ id: 'k1', secret: new Uint8Array(32).fill(7) }], { version: 1, fields: ['email', 'phone'] });
let t = 0;
const ctx = vm.createContext({ p, pl, Date, Uint8Array });
for (let i = 0; i < N; i++) {
  try {
    vm.runInContext(`
      const def = { version: 1, fields: ['email'] };
      Object.defineProperty(def, 'defaultRegion', { enumerable: true, get() { for (;;) {} } });
      if (${i} % 2) new pl.Pseudonymizer([{ id: 'k1', secret: new Uint8Array(32).fill(7) }], { toJSON() { return def; } });
      else pl.normalize('email', 'a@b.co', def);`, ctx, { timeout: 1 + (i % 7) });
  } catch (e) { if (/timed out/.test(e.message)) t++; }
  try { p.tokenize({ email: 'a@b.co' }); } catch (e) { console.log('after timeout:', e.message); break; }
}
console.log('vm timeouts:', t);
