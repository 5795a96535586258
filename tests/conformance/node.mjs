// The npm package's output for tests/conformance/inputs.json (see compare.py),
// through its Node entries (pkg/). Usage: node node.mjs INPUTS OUT
import { readFileSync, writeFileSync } from 'node:fs';
import { normalize, platformHashes, ClkEncoder, Pseudonymizer, RecordEncoder } from '../../pkg/link-node.js';

const [inputs, outPath] = process.argv.slice(2);
const doc = JSON.parse(readFileSync(inputs, 'utf8'));
const out = { normalize: [], platform: [], clk: [], records: [], tokens: [] };

for (const c of doc.normalize) {
  const options = { profile: c.profile };
  if (c.region) options.region = c.region;
  if (c.dateOrder) options.dateOrder = c.dateOrder;
  try {
    out.normalize.push({ value: normalize(c.field, c.input, options) });
  } catch (e) {
    out.normalize.push({ error: e.code });
  }
}

for (const c of doc.platform) {
  const h = platformHashes(c.record, c.profile, c.region ? { region: c.region } : undefined);
  out.platform.push({ hashes: h.hashes, plain: h.plain, errors: h.errors.map((e) => e.code) });
}

for (const c of doc.clk) {
  const schema = readFileSync(new URL(`../vectors/clk/${c.schema}`, import.meta.url), 'utf8');
  const enc = new ClkEncoder(schema, new TextEncoder().encode(c.secret));
  out.clk.push(c.rows.map((row) => {
    try {
      return { clk: enc.encode(row) };
    } catch (e) {
      return { error: e.code };
    }
  }));
  enc.free();
}

const r = doc.records;
const keys = Object.entries(r.keys).map(([id, hex]) => ({ id, secret: Uint8Array.from(Buffer.from(hex, 'hex')) }));
for (const hardening of r.hardenings) {
  const options = { clkSchema: r.clkSchema, clkSecret: new TextEncoder().encode(r.clkSecret) };
  if (hardening) options.hardening = hardening;
  const enc = new RecordEncoder(keys, r.definition, options);
  out.records.push(enc.encodeBatch(r.records).map((e) => ({
    tokens: e.tokens,
    matchKeys: e.matchKeys,
    clks: e.clks,
    errors: e.errors.map((x) => `${x.field}:${x.code}`),
  })));
  enc.free();
}

// The pseudonymizer alone, in one batch (the bulk entry's token columns).
const p = new Pseudonymizer(keys, r.definition);
out.tokens = p.tokenizeBatch(r.records).map((t) => ({
  tokens: t.tokens,
  matchKeys: t.matchKeys,
  errors: t.errors.map((x) => `${x.field}:${x.code}`),
}));
p.free();

writeFileSync(outPath, JSON.stringify(out));
