// Node driver: `node benches/js/node.mjs` (after `make pkg`). WASM=simd|scalar
// picks the package's .wasm (default: what the Node entry picks). When
// @noble/hashes is installed under target/bench-js (scripts/bench-tokens.sh
// installs it), it runs too, on the same records in the same process.
import { webcrypto } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { run } from './tokenize-bench.js';
import { simd } from '../../pkg/simd.js';

const which = process.env.WASM ?? (simd ? 'simd' : 'scalar');
const pl = await import('../../pkg/pseudolink.js');
const file = which === 'simd' ? 'pseudolink_simd_bg.wasm' : 'pseudolink_bg.wasm';
pl.initSync({ module: readFileSync(new URL(`../../pkg/${file}`, import.meta.url)) });

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
console.log(JSON.stringify({ runtime: `node ${process.version}`, wasm: which, ...result }));
