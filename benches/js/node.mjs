// Node 20 driver: `node benches/js/node.mjs` (after `make pkg`).
import { webcrypto } from 'node:crypto';
import * as pl from '../../pkg/node.js';
import { run } from './tokenize-bench.js';

const result = await run({ pl, subtle: webcrypto.subtle, n: Number(process.env.N ?? 100000) });
console.log(JSON.stringify({ runtime: `node ${process.version}`, ...result }));
