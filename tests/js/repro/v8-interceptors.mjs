// An attempt at the V8 fatal check (README.md): values with V8 API
// interceptors (a vm context's global, process.env, objects inheriting from
// them, with getters and toJSON that throw) stringified by the wasm glue, at
// every stack depth up to the limit. Not reproduced: ~350k calls, every one
// a value or a catchable exception, and the instance answers afterwards.
//
//   make pkg && (cd tests/js && node repro/v8-interceptors.mjs)
import vm from 'node:vm';
import * as pl from 'pseudolink';
const keys = [{ id: 'k1', secret: new Uint8Array(32).fill(7) }];
const p = new pl.Pseudonymizer(keys, { version: 1, fields: ['email'] });
const vals = [];
// Objects with V8 API interceptors: a vm context's global (named/indexed interceptors), process.env.
const ctx = vm.createContext({ version: 1, fields: ['email'] });
vm.runInContext(`Object.defineProperty(globalThis, 'boom', { enumerable: true, get() { throw new Error('x'); } }); globalThis.toJSON = function () { throw new RangeError('y'); };`, ctx);
vals.push(ctx, vm.runInContext('globalThis', ctx), process.env, Object.create(process.env), Object.create(ctx));
const ctx2 = vm.createContext({}); vm.runInContext(`globalThis.self = globalThis; globalThis.deep = { get a() { return globalThis; } };`, ctx2);
vals.push(ctx2, { a: ctx2 }, [ctx2, process.env]);
let n = 0;
function dive(d) {
  for (const v of vals) {
    for (const call of [() => new pl.Pseudonymizer(keys, v), () => pl.normalize('email', 'a@b.co', v), () => p.tokenize(v), () => pl.platformHashes(v, 'uid2'), () => p.tokenizeBatch([v])]) {
      try { n++; call(); } catch {}
    }
  }
  if (d < 20000) try { dive(d + 1); } catch {}
}
dive(0);
console.log('calls', n, 'healthy', (() => { try { return p.tokenize({ email: 'a@b.co' }).tokens.length; } catch (e) { return e.message; } })());
