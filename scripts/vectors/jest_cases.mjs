#!/usr/bin/env node
// Reads the input/expected pairs out of a vendor's Jest unit tests, without
// running the vendor's code: every import of the test file is replaced by a
// recorder, so `expect(getNormalizedX('Ab')).toEqual('ab')` records
// {fn: 'getNormalizedX', args: ['Ab'], expected: 'ab'}. Loops, arrays of
// {input, expected} and computed expectations (`input.toLowerCase()`) are
// evaluated by Node as the test file wrote them. Read matchers: toEqual,
// toBe, toStrictEqual (the value), toBeNull, toBeUndefined, toBeFalsy (a
// refusal), toBeTruthy (a predicate's yes); every other matcher is ignored.
//
//   node scripts/vectors/jest_cases.mjs <test-file.js>... > cases.json
//
// TypeScript tests are first turned into JavaScript with esbuild (from
// tests/js/node_modules): esbuild --format=esm --outfile=/tmp/x.test.js x.test.ts
// Chai's expect(x).to.equal(y) and expect(() => f(x)).to.throw() are read too.
//
// The test files are read from a checkout of the vendor's repository; nothing
// of them is stored in this repository, only the recorded pairs
// (scripts/vectors/vendor_vectors.py turns them into tests/vectors/ files).
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const REC = Symbol('recorded call');
const records = [];

// A stand-in for anything imported: calling it records the call; its
// properties are stand-ins too (`formatter.formatEmailAddress(...)`), and so
// is what `new` makes of it.
function recorder(fn) {
  const f = function (...args) { return { [REC]: { fn, args } }; };
  const props = (t, k) => (typeof k === 'symbol' || k === 'then' ? undefined : recorder(String(k)));
  return new Proxy(f, {
    get: props,
    construct: () => new Proxy({}, { get: props }),
  });
}

function record(actual, expected, matcher) {
  if (actual && typeof actual === 'object' && actual[REC]) {
    records.push({ ...actual[REC], types: actual[REC].args.map((a) => (a instanceof Date ? 'date' : typeof a)), expected, matcher });
  }
}

function expectStub(actual) {
  const m = {
    // Jest
    toEqual: (e) => record(actual, e, 'toEqual'),
    toBe: (e) => record(actual, e, 'toBe'),
    toStrictEqual: (e) => record(actual, e, 'toStrictEqual'),
    toBeNull: () => record(actual, null, 'toBeNull'),
    toBeUndefined: () => record(actual, null, 'toBeUndefined'),
    toBeFalsy: () => record(actual, null, 'toBeFalsy'),
    // A predicate's truthy answer (isNormalizedPhone): the input is accepted as is.
    toBeTruthy: () => record(actual, true, 'toBeTruthy'),
    // Chai: expect(x).to.equal(y), expect(() => f(x)).to.throw()
    equal: (e) => record(actual, e, 'equal'),
    eql: (e) => record(actual, e, 'eql'),
    throw: () => {
      if (typeof actual === 'function') record(actual(), null, 'throw');
    },
  };
  const self = new Proxy(m, {
    get: (t, k) => {
      if (k in t) return t[k];
      if (k === 'to' || k === 'be' || k === 'deep') return self;
      if (k === 'not') return new Proxy({}, { get: () => new Proxy(() => {}, { get: () => () => {} }) });
      return () => {};
    },
  });
  return self;
}
expectStub.any = () => ({});
expectStub.stringContaining = () => ({});
expectStub.stringMatching = () => ({});
expectStub.objectContaining = () => ({});

const hooks = [];
globalThis.expect = expectStub;
globalThis.describe = (name, body) => body();
globalThis.it = globalThis.test = (name, body) => hooks.push(body);
globalThis.beforeEach = globalThis.afterEach = globalThis.beforeAll = globalThis.afterAll = () => {};
const mockFn = () => { const f = () => {}; Object.assign(f, { mockImplementation: () => f, mockReturnValue: () => f, mockRestore: () => {}, mockClear: () => {} }); return f; };
globalThis.jest = { spyOn: mockFn, fn: mockFn, mock: () => {}, clearAllMocks: () => {}, restoreAllMocks: () => {} };

const dir = mkdtempSync(path.join(tmpdir(), 'jest-cases-'));
try {
  for (const file of process.argv.slice(2)) {
    let src = readFileSync(file, 'utf8');
    // Each `import {a, b} from '...'` becomes recorders (constants: their key names).
    src = src.replace(/import\s*\{([^}]*)\}\s*from\s*['"][^'"]+['"];?/g, (_, names) =>
      names.split(',').map((n) => n.trim()).filter(Boolean).map((n) => {
        const local = n.split(/\s+as\s+/).pop();
        if (local === 'expect') return '';
        return /^[A-Z_]+$/.test(local)
          ? `const ${local} = new Proxy({}, { get: (t, k) => String(k).toLowerCase() });`
          : `const ${local} = globalThis.__recorder(${JSON.stringify(local)});`;
      }).join('\n'));
    src = src.replace(/import\s+\w+\s+from\s*['"][^'"]+['"];?/g, '');
    // CommonJS: `const {a, b} = require('...')` and `const M = require('...')`.
    src = src.replace(/const\s*\{([^}]*)\}\s*=\s*require\([^)]*\);?/g, (_, names) =>
      names.split(',').map((n) => n.trim()).filter(Boolean).map((n) => {
        const local = n.split(/\s*:\s*/).pop();
        return /^[A-Z_]+$/.test(local)
          ? `const ${local} = new Proxy({}, { get: (t, k) => String(k).toLowerCase() });`
          : `const ${local} = globalThis.__recorder(${JSON.stringify(local)});`;
      }).join('\n'));
    src = src.replace(/const\s+(\w+)\s*=\s*require\([^)]*\);?/g, (_, m) =>
      `const ${m} = new Proxy({}, { get: (t, k) => globalThis.__recorder(String(k)) });`);
    globalThis.__recorder = recorder;
    const out = path.join(dir, path.basename(file).replace(/\.js$/, '.mjs'));
    writeFileSync(out, src);
    const before = records.length;
    hooks.length = 0;
    await import(pathToFileURL(out).href);
    let failed = 0;
    for (const h of hooks) {
      try { await h(); } catch { failed += 1; }
    }
    for (const r of records.slice(before)) r.file = path.basename(file);
    process.stderr.write(`${path.basename(file)}: ${records.length - before} pairs, ${failed} tests not replayable\n`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
process.stdout.write(JSON.stringify(records, null, 1) + '\n');
