// Linker.link on a large array of encoded-record OBJECTS in Node (issue 12):
// before, the binding stringified the whole array in one JSON.stringify, and
// past ~244,000 realistic encoded records that text passed V8's string limit
// (2^29 - 24 characters) and came back as `record.invalid`. Now the array
// crosses 2,000 records per text.
//
//   node benches/js/link-large.mjs SYNTH_DIR [N]     (default N = 300000)
//   PKG=<dir under the repository> times another build (default pkg)
//
// SYNTH_DIR is `pseudolink-synth link --n 10000 --overlap 0.5 --seed 1`'s
// output (scripts/link/bench_js.sh makes it): its 10,000 A records are
// encoded once and repeated under new ids up to N (the objects share their
// strings, so the JS heap stays small); B's first 500 records are linked
// against them with exact blocking only and no explanations (the crossing
// and the parse are what is measured, not the pairs).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFINITION } from './link-bench.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const [dir, nArg] = process.argv.slice(2);
if (!dir) {
  console.error('usage: node benches/js/link-large.mjs SYNTH_DIR [N]');
  process.exit(2);
}
const N = Number(nArg ?? 300000);
const PKG = process.env.PKG ?? 'pkg';
const m = await import(path.join(root, PKG, 'link-node.js'));

function readCsv(file) {
  const [header, ...body] = readFileSync(file, 'utf8').trim().split('\n').map((l) => l.split(','));
  return body.map((r) => Object.fromEntries(header.map((h, k) => [h, r[k]]).filter(([, v]) => v !== '' && v !== undefined)));
}

const keys = [{ id: 'b1', secret: new TextEncoder().encode('pseudolink-js-bench-token-key-32') }];
const options = { clkSchema: 'default', clkSecret: new TextEncoder().encode('pseudolink-js-bench-clk-secret') };
const enc = new m.RecordEncoder(keys, DEFINITION, options);
const base = enc.encodeBatch(readCsv(path.join(dir, 'a.csv'))).map(({ errors, ...r }) => r);
const probe = enc.encodeBatch(readCsv(path.join(dir, 'b.csv')).slice(0, 500)).map(({ errors, ...r }) => r);
enc.free();
const big = Array.from({ length: N }, (_, i) => ({ ...base[i % base.length], id: `r${i}` }));
let chars = 0;
for (let i = 0; i < big.length; i += 2000) chars += JSON.stringify(big.slice(i, i + 2000)).length + 1;
const config = { blocking: { lsh: [] }, explainLinks: false, em: { uSamplePairs: 20000 } };
const out = { runtime: `node ${process.version}`, pkg: PKG, records: N, jsonChars: chars, v8StringLimit: 2 ** 29 - 24 };
const t = performance.now();
try {
  const r = new m.Linker(config).link(big, probe);
  out.objects = { ok: true, ms: Math.round(performance.now() - t), links: r.links.length, candidates: r.stats.candidatePairs };
} catch (e) {
  out.objects = { ok: false, ms: Math.round(performance.now() - t), code: e.code ?? String(e) };
}
console.log(JSON.stringify(out));
