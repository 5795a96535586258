// Node entry point: loads the WebAssembly module synchronously at import, so
// Node users need no `await init()`. Browsers and bundlers get ./pseudolink.js.
import { readFileSync } from 'node:fs';
import { simd } from './simd.js';
import { initSync } from './pseudolink.js';

// The SIMD128 build where the engine has it (./simd.js); PSEUDOLINK_SIMD=0
// forces the scalar one (benchmarks, and tests that compare the two).
const useSimd = simd && process.env.PSEUDOLINK_SIMD !== '0';
initSync({ module: readFileSync(new URL(useSimd ? './pseudolink_simd_bg.wasm' : './pseudolink_bg.wasm', import.meta.url)) });

export * from './pseudolink.js';
export { default } from './pseudolink.js';
