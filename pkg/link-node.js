// Node entry of pseudolink/link: loads the WebAssembly module synchronously
// at import (no `await init()` to remember), then exports the same API as
// ./pseudolink_link.js: the core API plus ClkEncoder, RecordEncoder, Linker.
import { readFileSync } from 'node:fs';
import { initSync } from './pseudolink_link.js';

initSync({ module: readFileSync(new URL('./pseudolink_link_bg.wasm', import.meta.url)) });

export * from './pseudolink_link.js';
export { default } from './pseudolink_link.js';
