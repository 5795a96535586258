// Node entry point: loads the WebAssembly module synchronously at import, so
// Node users need no `await init()`. Browsers and bundlers get ./pseudolink.js.
import { readFileSync } from 'node:fs';
import { initSync } from './pseudolink.js';

initSync({ module: readFileSync(new URL('./pseudolink_bg.wasm', import.meta.url)) });

export * from './pseudolink.js';
export { default } from './pseudolink.js';
