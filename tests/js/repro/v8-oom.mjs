// An attempt at the V8 fatal check (README.md): workers with a small heap whose
// JSON.stringify (called from the wasm glue) runs into the heap limit through
// the caller's getters, so Node terminates the worker from its near-heap-limit
// callback in the middle of the serialisation. Not reproduced: every worker
// ends with ERR_WORKER_OUT_OF_MEMORY, the process lives on.
//
//   make pkg && (cd tests/js && node repro/v8-oom.mjs [N])
import { Worker } from 'node:worker_threads';
const N = Number(process.argv[2] ?? 40);
const exits = {};
for (let i = 0; i < N; i++) {
  const w = new Worker(new URL('./v8-oom-worker.mjs', import.meta.url), { workerData: i, resourceLimits: { maxOldGenerationSizeMb: 24 + (i % 5) * 8, maxYoungGenerationSizeMb: 4 } });
  const code = await new Promise((r) => { w.once('error', (e) => r(e.code ?? e.message)); w.once('exit', (c) => r(`exit ${c}`)); });
  exits[code] = (exits[code] ?? 0) + 1;
}
console.log(exits);
