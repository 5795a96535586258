// Node driver: `node benches/js/node.mjs` (after `make pkg`). WASM=simd|scalar
// picks the package's .wasm (default: what the Node entry picks); ENTRY=link
// tokenises with the `pseudolink/link` entry's Pseudonymizer (the bulk entry,
// built with the `perf` feature at opt-level 3) instead of the core entry's;
// PKG=<dir> reads another build of the package. When
// @noble/hashes is installed under target/bench-js (scripts/bench-tokens.sh
// installs it), it runs too, on the same records in the same process.
import { webcrypto } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { run } from './tokenize-bench.js';
import { simd } from '../../pkg/simd.js';

const which = process.env.WASM ?? (simd ? 'simd' : 'scalar');
const entry = process.env.ENTRY === 'link' ? 'pseudolink_link' : 'pseudolink';
const pkg = new URL(process.env.PKG ? `file://${path.resolve(process.env.PKG)}/` : '../../pkg/', import.meta.url);
const pl = await import(new URL(`${entry}.js`, pkg).href);
const file = which === 'simd' ? `${entry}_simd_bg.wasm` : `${entry}_bg.wasm`;
pl.initSync({ module: readFileSync(new URL(file, pkg)) });

let noble;
try {
  const base = new URL('../../target/bench-js/node_modules/@noble/hashes/', import.meta.url);
  const { hmac } = await import(new URL('hmac.js', base).href);
  const { sha256 } = await import(new URL('sha256.js', base).href);
  noble = { hmac, sha256 };
} catch {
  noble = undefined;
}

const result = await run({ pl, subtle: webcrypto.subtle, noble, n: Number(process.env.N ?? 100000) });
console.log(JSON.stringify({ runtime: `node ${process.version}`, entry, wasm: which, ...result }));
