// CLK encoding and linking through the `pseudolink/link` JS API, shared by
// the Node and headless-Chromium halves of benches/js/link.mjs. `m` is the
// initialised entry (pkg/link-node.js or pkg/pseudolink_link.js); the data
// comes from the driver (files under target/, made by the bench scripts).

const now = () => performance.now();
const best = (xs) => Math.min(...xs);

/**
 * CLK encoding records/s: `ClkEncoder.encodeBatch` on the rows clkhash is
 * timed on (scripts/clk/oracle.py bench), best of `runs`; a fresh encoder per
 * run, so the per-batch token memo starts empty like clkhash's cleared caches.
 * `encode` per row is timed once as well (every token hashed, one call each).
 */
export function clk({ m, schema, secret, rows, runs = 3 }) {
  const key = new TextEncoder().encode(secret);
  const batch = [];
  let clks;
  for (let r = 0; r < runs; r++) {
    const enc = new m.ClkEncoder(schema, key);
    const t = now();
    clks = enc.encodeBatch(rows);
    batch.push(now() - t);
    enc.free();
  }
  const enc = new m.ClkEncoder(schema, key);
  const t = now();
  for (let i = 0; i < rows.length; i++) {
    if (enc.encode(rows[i]) !== clks[i]) throw new Error(`encode and encodeBatch differ at row ${i}`);
  }
  const perRowMs = now() - t;
  enc.free();
  return {
    records: rows.length,
    encodeBatchMs: batch.map(Math.round),
    encodeBatchPerS: Math.round(rows.length / (best(batch) / 1e3)),
    encodePerRowPerS: Math.round(rows.length / (perRowMs / 1e3)),
  };
}

/** The demo's identity definition, as benches/quality/fuzzy.rs uses it. */
export const DEFINITION = {
  version: 1,
  fields: ['email', 'phone', 'firstName', 'lastName', 'street', 'city', 'state', 'postalCode',
    'country', 'dateOfBirth', 'gender', 'companyName', 'duns', 'webDomain'],
  matchKeys: [
    { name: 'nameDob', parts: [{ field: 'lastName' }, { field: 'firstName', take: 'initial' }, { field: 'dateOfBirth' }] },
    { name: 'addressName', parts: [{ field: 'postalCode' }, { field: 'street', take: 'streetNumber' }, { field: 'lastName' }] },
    { name: 'companySite', parts: [{ field: 'companyName' }, { field: 'postalCode' }] },
  ],
  defaultRegion: 'US',
  dateOrder: 'mdy',
};

/**
 * The generated link workload (`pseudolink-synth link`): RecordEncoder with
 * the default CLK schema on both datasets, then `Linker.link` with the
 * default configuration, `runs` times (a fresh Linker each, so EM trains every
 * time). Times: encoding (records in, encoded records out: JSON both ways),
 * and the link call end to end (JSON of both encoded datasets in, result
 * object out), plus what `JSON.stringify` of the inputs alone costs in JS.
 */
export function link({ m, a, b, truth, runs = 3, config = {} }) {
  const keys = [{ id: 'b1', secret: new TextEncoder().encode('pseudolink-js-bench-token-key-32') }];
  const options = { clkSchema: 'default', clkSecret: new TextEncoder().encode('pseudolink-js-bench-clk-secret') };
  const encodeMs = [];
  let ea;
  let eb;
  for (let r = 0; r < runs; r++) {
    const enc = new m.RecordEncoder(keys, DEFINITION, options);
    const t = now();
    ea = enc.encodeBatch(a);
    eb = enc.encodeBatch(b);
    encodeMs.push(now() - t);
    enc.free();
  }
  // What the inputs' JSON text costs on the JS side of the crossing.
  let t = now();
  const bytes = JSON.stringify(ea).length + JSON.stringify(eb).length;
  const stringifyMs = now() - t;

  /** `runs` fresh linkers on (x, y): times of the call end to end and stage times. */
  const timeLink = (x, y) => {
    const ms = [];
    const stages = [];
    let res;
    for (let r = 0; r < runs; r++) {
      const linker = new m.Linker(config);
      const marks = [];
      const t0 = now();
      res = linker.link(x, y, {
        onProgress: (p) => {
          if (marks.length === 0 || marks[marks.length - 1][0] !== p.stage) marks.push([p.stage, now()]);
        },
      });
      const end = now();
      ms.push(end - t0);
      // Stage times: from each stage's first report to the next one's (the
      // first stage starts at the call, the last ends at the return).
      const s = {};
      marks.forEach(([stage, at], i) => {
        const from = i === 0 ? t0 : at;
        const to = i + 1 < marks.length ? marks[i + 1][1] : end;
        s[stage] = Math.round(to - from);
      });
      stages.push(s);
      linker.free();
    }
    return { ms, stages, res };
  };
  const { ms: linkMs, stages, res } = timeLink(ea, eb);
  const want = new Set(truth.map(([x, y]) => `${x}\u0000${y}`));
  const tp = res.links.filter((l) => want.has(`${l.a}\u0000${l.b}`)).length;
  const i = linkMs.indexOf(best(linkMs));
  // The binary transfer (issue 12), when this build has it: the same records
  // encoded into one Uint8Array each, linked without JSON.
  let binary = {};
  if (typeof m.RecordEncoder.prototype.encodeBatchBinary === 'function') {
    const bEncodeMs = [];
    let ba;
    let bb;
    for (let r = 0; r < runs; r++) {
      const enc = new m.RecordEncoder(keys, DEFINITION, options);
      const t0 = now();
      ba = enc.encodeBatchBinary(a).records;
      bb = enc.encodeBatchBinary(b).records;
      bEncodeMs.push(now() - t0);
      enc.free();
    }
    const run = timeLink(ba, bb);
    const same = JSON.stringify(run.res.links.map((l) => [l.a, l.b, l.probability]))
      === JSON.stringify(res.links.map((l) => [l.a, l.b, l.probability]));
    if (!same) throw new Error('the binary transfer linked differently from the JSON form');
    binary = {
      binaryBytes: ba.length + bb.length,
      binaryEncodeMs: bEncodeMs.map(Math.round),
      linkBinaryMs: run.ms.map(Math.round),
      stagesOfBestBinary: run.stages[run.ms.indexOf(best(run.ms))],
    };
  }
  return {
    records: [a.length, b.length],
    encodeMs: encodeMs.map(Math.round),
    encodePerS: Math.round((a.length + b.length) / (best(encodeMs) / 1e3)),
    encodedJsonBytes: bytes,
    stringifyMs: Math.round(stringifyMs),
    linkMs: linkMs.map(Math.round),
    stagesOfBest: stages[i],
    candidates: res.stats.candidatePairs,
    links: res.links.length,
    precision: Number((tp / res.links.length).toFixed(4)),
    recall: Number((tp / truth.length).toFixed(4)),
    ...binary,
  };
}
