// Reproducer: calls into a wasm-bindgen module near the JS stack limit leave
// wasm-bindgen's externref heap borrowed, and every later call that passes
// or returns a JS value aborts with `RuntimeError: unreachable`. No hostile
// value is needed: a plain record, at the wrong stack depth, is enough.
// See README.md (the upstream report).
//
//   make pkg && node tests/js/repro/stack-exhaustion.mjs
//
// Exit 0: the instance survived; exit 1: it was poisoned (reproduced).
import * as pl from 'pseudolink';

const keys = [{ id: 'k1', secret: new Uint8Array(32).fill(7) }];
const p = new pl.Pseudonymizer(keys, { version: 1, fields: ['email'] });
const record = { email: 'jane@example.com' };
// Ordinary calls; several kinds, so that over the whole recursion one of them
// starts at just the wrong stack depth (which one is a matter of frame sizes).
const calls = [
  () => p.tokenize(record),
  () => p.tokenizeBatch([record]),
  () => pl.platformHashes(record, 'uid2'),
  () => pl.normalize('email', 'a@b.co', record),
  () => new pl.Pseudonymizer(keys, record), // throws definition.invalid
];
const healthy = () => p.tokenize(record).tokens.length === 1;

console.log(`node ${process.version}, V8 ${process.versions.v8}`);
console.log('before:', healthy() ? 'ok' : 'broken');

// Recurse until the stack overflows, calling into wasm at every depth, so
// some call starts with just too little stack left. Errors are expected
// (RangeError: Maximum call stack size exceeded) and swallowed.
let made = 0;
function dive() {
  for (const call of calls) {
    try {
      made++;
      call();
    } catch {
      // a RangeError (or a typed PseudolinkError) here is fine
    }
  }
  dive();
}
for (let round = 0; round < 5; round++) {
  try {
    dive();
  } catch {
    // the recursion's own RangeError
  }
}

let after;
try {
  after = healthy() ? 'ok' : 'wrong result';
} catch (e) {
  after = `${e?.constructor?.name}: ${e?.message}`;
}
console.log(`after ${made} calls, many near the stack limit:`, after);
if (after !== 'ok') {
  console.log('REPRODUCED: the wasm instance is poisoned');
  process.exit(1);
}
console.log('not reproduced');
