// The partner portal's worker: the partner's file in, encodings out, its own
// rows' matches back. It never loads the company's directory: there is none
// in this page, only the linkage service holds it.
//
//   1. the CSV is parsed and its mapped columns become contact records;
//   2. per chunk: oblivious `po1` tokens through the key server (the
//      partner's key-server credential; values are blinded here, the key
//      server sees none, and its answers are verified against the public key
//      pinned from this site's /api/oblivious-config) and hardened CLKs (a
//      CLK-only RecordEncoder with the project's CLK secret and encoding);
//   3. the chunks go to the linkage service (its address from this site's
//      /api/linkage-config, the partner's linkage credential) and are
//      committed; then a run links them against the company's directory;
//   4. the answer names the partner's own rows only (position in the upload,
//      probability, explanation): this worker turns positions back into the
//      file's row numbers.
// Raw rows stay in this worker; only counts, row numbers, links and their
// explanations are posted to the page. Downloads are made here, of the
// partner's own encodings and results.
//
// Messages in:  {type: 'start', file, mapping: {column index: field}, definition,
//                credentials: {project, keyserverApiKey, linkageApiKey, clkSecret}}
//               {type: 'export', what: 'pseudonymised' | 'links', format: 'csv' | 'json'}
// Messages out: {type: 'progress', stage, done, total}   stages: read, encode, upload, link
//               {type: 'done', summary, links}
//               {type: 'export', name, mime, blob}
//               {type: 'error', code, serverCode?, index?, text}
// Cancelling is terminating the worker: whatever was uploaded but not
// committed is never linked.
import { ObliviousPseudonymizer } from '/pkg/oblivious.js';
import initLink, { RecordEncoder } from '/pkg/pseudolink_link.js';
import { parseCsv, toCsv } from './csv.js';
import {
  LinkageClient, LinkageError, linkageDefinition, pickKeyVersion, encodeChunk, uploadAll, explainError, CHUNK_ROWS,
} from './linkage-client.js';

/** Links come back at this probability or more (the service's threshold). */
const LINKED = 0.5;

/** The last run, for downloads: {project, keyVersion, encoding, rows: [{row, record, errors}], result}. */
let last = null;

const post = (m) => self.postMessage(m);
const fail = (code) => new LinkageError(code, code);

/** A JSON config of this site (the pages server): the linkage endpoint, the key server's pinned keys. */
async function siteConfig(rel, missing) {
  let res;
  try {
    res = await fetch(rel, { cache: 'no-store' });
  } catch {
    throw fail('network.failed');
  }
  const body = await res.json().catch(() => null);
  if (res.status === 404) throw fail(missing);
  if (!res.ok || !body) throw fail(typeof body?.error === 'string' ? body.error : 'portal.failed');
  return body;
}

/** The file's data rows as contact records; `rowOf[i]` is record i's row number in the file (1 = first under the header). */
async function readFile(file, mapping) {
  let text;
  try {
    text = await file.text();
  } catch {
    throw fail('portal.not_csv');
  }
  const [, ...rows] = parseCsv(text);
  const cols = Object.entries(mapping).filter(([, f]) => f).map(([c, f]) => [Number(c), f]);
  if (!cols.length) throw fail('portal.no_fields');
  const records = [];
  const rowOf = [];
  rows.forEach((r, i) => {
    if (!r.some((c) => c.trim() !== '')) return;
    const rec = {};
    for (const [col, field] of cols) if (r[col] !== undefined && r[col] !== '') rec[field] = r[col];
    records.push(rec);
    rowOf.push(i + 1);
  });
  if (!records.length) throw fail('portal.no_rows');
  return { records, rowOf };
}

async function start({ file, mapping, definition, credentials: cred }) {
  const t0 = performance.now();
  last = null;
  post({ type: 'progress', stage: 'read', done: 0, total: 1 });
  const [{ records, rowOf }, linkageConfig, obliviousConfig] = await Promise.all([
    readFile(file, mapping),
    siteConfig('/api/linkage-config', 'linkage.not_configured'),
    siteConfig('/api/oblivious-config', 'keyserver.not_configured'),
    initLink(),
  ]);
  const client = new LinkageClient({ endpoint: linkageConfig.endpoint, apiKey: cred.linkageApiKey, project: cred.project });
  const project = await client.project();
  if (project.role !== 'partner') throw fail('role.forbidden');
  const max = project.limits?.maxRecords;
  if (Number.isFinite(max) && records.length > max) throw fail('upload.too_many_records');
  const key = pickKeyVersion(obliviousConfig, project);
  if (!cred.keyserverApiKey?.trim()) throw new LinkageError('server.refused', 'no key-server credential', { serverCode: 'auth.missing' });
  const tokenizer = new ObliviousPseudonymizer({
    endpoint: obliviousConfig.endpoint,
    publicKey: { [key.version]: key.publicKey },
    apiKey: cred.keyserverApiKey.trim(),
    definition: linkageDefinition(definition, project),
    maxBatch: 500,
  });
  const secret = new TextEncoder().encode(cred.clkSecret ?? '');
  let encoder;
  try {
    if (secret.length < 16) throw fail('key.too_short');
    encoder = new RecordEncoder([], definition, {
      clkSchema: project.encoding?.clkSchema ?? 'default', clkSecret: secret, hardening: project.encoding?.hardening,
    });
  } finally {
    secret.fill(0);
  }

  const size = Math.min(CHUNK_ROWS, project.limits?.maxChunkRecords ?? CHUNK_ROWS);
  const total = records.length;
  const out = [];
  let encoded = 0;
  let stored = 0;
  let t1 = 0;
  let upload;
  try {
    async function* chunks() {
      for (let i = 0; i < total; i += size) {
        const part = records.slice(i, i + size);
        const enc = await encodeChunk(part, {
          oblivious: tokenizer, encoder, project,
          onTokens: (n) => post({ type: 'progress', stage: 'encode', done: encoded + n, total }),
        });
        for (const e of enc) out.push(e);
        encoded += part.length;
        post({ type: 'progress', stage: 'encode', done: encoded, total });
        yield enc.map((e) => e.record);
      }
      t1 = performance.now();
    }
    upload = await uploadAll(client, chunks(), {
      onChunk: ({ records: n }) => {
        stored += n;
        post({ type: 'progress', stage: 'upload', done: stored, total });
      },
    });
  } finally {
    encoder.free();
  }
  records.length = 0;
  const t2 = performance.now();
  post({ type: 'progress', stage: 'link', done: 0, total: 1 });
  const result = await client.run(upload.upload);
  const t3 = performance.now();

  const links = (result.links ?? [])
    .filter((l) => Number.isInteger(l.row) && l.row >= 0 && l.row < rowOf.length)
    .map((l) => ({ row: rowOf[l.row], probability: l.probability, explanation: l.explanation }))
    .sort((a, b) => a.row - b.row);
  const errorsByCode = {};
  let withErrors = 0;
  let tokenised = 0;
  for (const e of out) {
    if (e.record.tokens.length || e.record.matchKeys.length) tokenised++;
    if (e.errors.length) withErrors++;
    for (const x of e.errors) errorsByCode[`${x.field} ${x.code}`] = (errorsByCode[`${x.field} ${x.code}`] ?? 0) + 1;
  }
  last = {
    project: cred.project, keyVersion: key.version, encoding: project.encoding ?? null, run: result.run,
    rows: out.map((e, i) => ({ row: rowOf[i], ...e })), links,
  };
  const summary = {
    rows: out.length, tokenised, withErrors, errorsByCode, run: result.run, linked: links.length,
    keyVersion: key.version, encodeMs: Math.round(t1 - t0), uploadMs: Math.round(t2 - t1), linkMs: Math.round(t3 - t2),
    totalMs: Math.round(t3 - t0),
  };
  post({ type: 'done', summary, links });
}

// ---------------------------------------------------------------- downloads

/** The partner's own encodings: one row per file row, tokens by subject, CLKs, error codes. */
function pseudonymisedCsv() {
  const subjects = [...new Set(last.rows.flatMap((r) => [...r.record.tokens, ...r.record.matchKeys].map((t) => t.split('.')[1])))];
  const clkKeys = [...new Set(last.rows.flatMap((r) => Object.keys(r.record.clks)))];
  const head = ['row', ...subjects.map((s) => s.replace(/^mk-/, 'mk_')), ...clkKeys.map((k) => `clk_${k}`), 'errors'];
  return [toCsv([head, ...last.rows.map((r) => {
    const by = {};
    for (const t of [...r.record.tokens, ...r.record.matchKeys]) by[t.split('.')[1]] = t;
    return [r.row, ...subjects.map((s) => by[s] ?? ''), ...clkKeys.map((k) => r.record.clks[k] ?? ''),
      r.errors.map((e) => `${e.field}:${e.code}`).join(' ')];
  })])];
}

function pseudonymisedJson() {
  const parts = [`{"project":${JSON.stringify(last.project)},"keyVersion":${JSON.stringify(last.keyVersion)},`
    + `"encoding":${JSON.stringify(last.encoding)},"records":[\n`];
  last.rows.forEach((r, i) => parts.push(`${i ? ',\n' : ''}${JSON.stringify({ row: r.row, ...r.record, errors: r.errors })}`));
  parts.push('\n]}\n');
  return parts;
}

/** The partner's matched rows, with each comparison's match weight. */
function linksCsv() {
  const comps = last.links[0]?.explanation?.contributions.map((c) => c.comparison) ?? [];
  return [toCsv([
    ['partner_row', 'probability', 'match_weight', ...comps.map((c) => `w_${c}`)],
    ...last.links.map((l) => {
      const w = Object.fromEntries(l.explanation.contributions.map((c) => [c.comparison, c.matchWeight]));
      return [l.row, l.probability.toFixed(6), l.explanation.matchWeight.toFixed(4), ...comps.map((c) => (w[c] ?? 0).toFixed(4))];
    }),
  ])];
}

function linksJson() {
  return [JSON.stringify({
    project: last.project, run: last.run, threshold: LINKED, rows: last.rows.length,
    links: last.links.map(({ row, probability, explanation }) => ({ partnerRow: row, probability, explanation })),
  }, null, 1)];
}

function exportFile({ what, format }) {
  const make = {
    'pseudonymised.csv': pseudonymisedCsv,
    'pseudonymised.json': pseudonymisedJson,
    'links.csv': linksCsv,
    'links.json': linksJson,
  }[`${what}.${format}`];
  if (!make || !last) throw fail('portal.nothing_to_export');
  const mime = format === 'csv' ? 'text/csv' : 'application/json';
  post({ type: 'export', name: `${what === 'links' ? 'matches' : 'pseudonymised'}.${format}`, mime, blob: new Blob(make(), { type: mime }) });
}

self.onmessage = async (ev) => {
  const msg = ev.data;
  try {
    if (msg.type === 'start') await start(msg);
    else if (msg.type === 'export') exportFile(msg);
  } catch (e) {
    const code = typeof e?.code === 'string' ? e.code : 'portal.failed';
    post({
      type: 'error', code, text: explainError(e),
      ...(typeof e?.serverCode === 'string' ? { serverCode: e.serverCode } : {}),
      ...(Number.isInteger(e?.index) ? { index: e.index } : {}),
    });
  }
};
