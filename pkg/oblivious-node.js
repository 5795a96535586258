// Node entry of pseudolink/oblivious: loads the WebAssembly module
// synchronously at import (Node has no `await init()` to remember), then
// exports the same API as ./oblivious.js. Node 18+ has fetch built in.
import { readFileSync } from 'node:fs';
import { initSync } from './pseudolink_oblivious.js';

initSync({ module: readFileSync(new URL('./pseudolink_oblivious_bg.wasm', import.meta.url)) });

export * from './oblivious.js';
export { default } from './oblivious.js';
