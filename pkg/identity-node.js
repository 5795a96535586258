// Node entry of pseudolink/identity: loads the WebAssembly module
// synchronously at import (no `await init()` to remember), then exports the
// same API as ./pseudolink_identity.js: the link entry's API (core,
// ClkEncoder, RecordEncoder, Linker) plus IdentityGraph.
import { readFileSync } from 'node:fs';
import { simd } from './simd.js';
import { initSync } from './pseudolink_identity.js';

// The SIMD128 build where the engine has it (./simd.js); PSEUDOLINK_SIMD=0
// forces the scalar one (benchmarks, and tests that compare the two).
const useSimd = simd && process.env.PSEUDOLINK_SIMD !== '0';
initSync({ module: readFileSync(new URL(useSimd ? './pseudolink_identity_simd_bg.wasm' : './pseudolink_identity_bg.wasm', import.meta.url)) });

export * from './pseudolink_identity.js';
export { default } from './pseudolink_identity.js';
