// Node entry of pseudolink/identity: loads the WebAssembly module
// synchronously at import (no `await init()` to remember), then exports the
// same API as ./pseudolink_identity.js: the link entry's API (core,
// ClkEncoder, RecordEncoder, Linker) plus IdentityGraph.
import { readFileSync } from 'node:fs';
import { initSync } from './pseudolink_identity.js';

initSync({ module: readFileSync(new URL('./pseudolink_identity_bg.wasm', import.meta.url)) });

export * from './pseudolink_identity.js';
export { default } from './pseudolink_identity.js';
