// Node entry of pseudolink/link: loads the WebAssembly module synchronously
// at import (no `await init()` to remember), then exports the same API as
// ./pseudolink_link.js: the core API plus ClkEncoder, RecordEncoder, Linker.
import { readFileSync } from 'node:fs';
import { simd } from './simd.js';
import { initSync } from './pseudolink_link.js';

// The SIMD128 build where the engine has it (./simd.js); PSEUDOLINK_SIMD=0
// forces the scalar one (benchmarks, and tests that compare the two).
const useSimd = simd && process.env.PSEUDOLINK_SIMD !== '0';
initSync({ module: readFileSync(new URL(useSimd ? './pseudolink_link_simd_bg.wasm' : './pseudolink_link_bg.wasm', import.meta.url)) });

export * from './pseudolink_link.js';
export { default } from './pseudolink_link.js';
