// The portal's worker: parses the partner's CSV, normalises, tokenises and
// CLK-encodes it in chunks, then links it against the company's pseudonymised
// customer directory (EM-trained Fellegi–Sunter model, no labels). Raw rows
// stay in this worker's memory and are never posted back: the page gets counts,
// links with their explanations, and download files made of encodings only.
//
// Messages in:  {type: 'start', file, mapping: {column index: field}, definition,
//                key: {id, secret}, clkSecret, directoryUrl}
//               {type: 'export', what: 'pseudonymised' | 'links', format: 'csv' | 'json'}
// Messages out: {type: 'progress', stage, done, total}
//               {type: 'done', summary, links, stats}
//               {type: 'export', name, mime, blob}
//               {type: 'error', code}
// Cancelling is terminating the worker: linking is one long wasm call.
import init, { RecordEncoder, Linker, parseToken } from '/pkg/pseudolink_link.js';
import { parseCsv, toCsv } from './csv.js';

const CHUNK = 2000;
/** Pairs below this are still reported (for the histogram); links are the pairs at ≥ LINKED. */
const REPORT_FLOOR = 1e-4;
const LINKED = 0.5;

let encoded = null;
let links = null;
let keyId = '';
let directory = null;

const tick = () => new Promise((r) => setTimeout(r, 0));

async function loadDirectory(url) {
  if (directory?.url === url) return directory.records;
  const res = await fetch(url);
  if (!res.ok) throw Object.assign(new Error('directory'), { code: 'portal.directory_unavailable' });
  const body = await res.json();
  directory = { url, records: body.records };
  return body.records;
}

async function start(msg) {
  const t0 = performance.now();
  await init();
  const dir = loadDirectory(msg.directoryUrl);
  dir.catch(() => {}); // awaited below; avoid an unhandled rejection meanwhile
  keyId = msg.key.id;
  self.postMessage({ type: 'progress', stage: 'read', done: 0, total: 1 });
  const [, ...rows] = parseCsv(await msg.file.text());
  const cols = Object.entries(msg.mapping).filter(([, f]) => f).map(([c, f]) => [Number(c), f]);
  const records = [];
  rows.forEach((r, i) => {
    if (!r.some((c) => c.trim() !== '')) return;
    // The partner's record id is its data row number (1 = first row under the header).
    const rec = { id: String(i + 1) };
    for (const [col, field] of cols) rec[field] = r[col] ?? '';
    records.push(rec);
  });

  const enc = new RecordEncoder([msg.key], msg.definition, { clkSchema: 'default', clkSecret: msg.clkSecret });
  const out = [];
  try {
    for (let i = 0; i < records.length; i += CHUNK) {
      for (const r of enc.encodeBatch(records.slice(i, i + CHUNK), {})) out.push(r);
      self.postMessage({ type: 'progress', stage: 'encode', done: Math.min(i + CHUNK, records.length), total: records.length });
      await tick();
    }
  } finally {
    enc.free();
  }
  records.length = 0;
  encoded = out;
  const t1 = performance.now();

  self.postMessage({ type: 'progress', stage: 'directory', done: 0, total: 1 });
  const directoryRecords = await dir;
  const linker = new Linker({ threshold: REPORT_FLOOR });
  let result;
  try {
    result = linker.link(out.map(({ id, tokens, matchKeys, clks }) => ({ id, tokens, matchKeys, clks })), directoryRecords, {
      onProgress: ({ stage, done, total }) => self.postMessage({ type: 'progress', stage, done, total }),
    });
  } finally {
    linker.free();
  }
  links = result.links;
  const t2 = performance.now();

  const errorsByCode = {};
  let tokenised = 0;
  let withErrors = 0;
  for (const r of out) {
    if (r.tokens.length) tokenised++;
    if (r.errors.length) withErrors++;
    for (const e of r.errors) errorsByCode[`${e.field} ${e.code}`] = (errorsByCode[`${e.field} ${e.code}`] ?? 0) + 1;
  }
  const summary = {
    rows: out.length,
    tokenised,
    withErrors,
    errorsByCode, // by `field code`
    clkFields: Object.keys(out.find((r) => Object.keys(r.clks).length)?.clks ?? {}).length,
    directory: directoryRecords.length,
    linked: links.filter((l) => l.probability >= LINKED).length,
    encodeMs: Math.round(t1 - t0),
    linkMs: Math.round(t2 - t1),
  };
  self.postMessage({ type: 'done', summary, links, stats: result.stats });
}

/** The pseudonymised file: one row per input row, tokens, match keys, CLKs and error codes. */
function pseudonymisedCsv(definition) {
  const fields = definition.fields;
  const mks = (definition.matchKeys ?? []).map((m) => m.name);
  const clkKeys = [...new Set(encoded.flatMap((r) => Object.keys(r.clks)))];
  const parts = [toCsv([['row', ...fields, ...mks.map((m) => `mk_${m}`), ...clkKeys.map((k) => `clk_${k}`), 'errors']])];
  for (let i = 0; i < encoded.length; i += CHUNK) {
    parts.push(toCsv(encoded.slice(i, i + CHUNK).map((r) => {
      const by = {};
      for (const t of [...r.tokens, ...r.matchKeys]) by[parseToken(t).subject] = t;
      return [r.id, ...fields.map((f) => by[f] ?? ''), ...mks.map((m) => by[`mk-${m}`] ?? ''),
        ...clkKeys.map((k) => r.clks[k] ?? ''), r.errors.map((e) => `${e.field}:${e.code}`).join(' ')];
    })));
  }
  return parts;
}

function pseudonymisedJson() {
  const parts = [`{"keyId":${JSON.stringify(keyId)},"clkSchema":"default","records":[\n`];
  for (let i = 0; i < encoded.length; i++) parts.push(`${i ? ',\n' : ''}${JSON.stringify(encoded[i])}`);
  parts.push('\n]}\n');
  return parts;
}

/** Links at or above LINKED, with each comparison's match weight. */
function linksCsv() {
  const linked = links.filter((l) => l.probability >= LINKED);
  const comps = linked[0]?.explanation?.contributions.map((c) => c.comparison) ?? [];
  return [toCsv([
    ['partner_row', 'directory_id', 'probability', 'match_weight', ...comps.map((c) => `w_${c}`)],
    ...linked.map((l) => {
      const w = Object.fromEntries(l.explanation.contributions.map((c) => [c.comparison, c.matchWeight]));
      return [l.a, l.b, l.probability.toFixed(6), l.matchWeight.toFixed(4), ...comps.map((c) => w[c].toFixed(4))];
    }),
  ])];
}

function linksJson() {
  const linked = links.filter((l) => l.probability >= LINKED);
  return [JSON.stringify({ threshold: LINKED, links: linked.map(({ a, b, probability, matchWeight, explanation }) => ({
    partnerRow: a, directoryId: b, probability, matchWeight, explanation,
  })) }, null, 1)];
}

function exportFile({ what, format, definition }) {
  const make = {
    'pseudonymised.csv': () => pseudonymisedCsv(definition),
    'pseudonymised.json': pseudonymisedJson,
    'links.csv': linksCsv,
    'links.json': linksJson,
  }[`${what}.${format}`];
  if (!make || !encoded) throw Object.assign(new Error('export'), { code: 'portal.nothing_to_export' });
  const mime = format === 'csv' ? 'text/csv' : 'application/json';
  self.postMessage({ type: 'export', name: `${what === 'links' ? 'links' : 'pseudonymised'}.${format}`, mime, blob: new Blob(make(), { type: mime }) });
}

self.onmessage = async (ev) => {
  const msg = ev.data;
  try {
    if (msg.type === 'start') await start(msg);
    else if (msg.type === 'export') exportFile(msg);
  } catch (e) {
    self.postMessage({ type: 'error', code: typeof e?.code === 'string' ? e.code : 'portal.failed' });
  }
};
