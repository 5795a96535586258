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
//               {type: 'cancel'}
// Messages out: {type: 'progress', stage, done, total, step?}   stages: read, encode, upload, link
//                                                  (step: the service's stage of the run)
//               {type: 'note', code, ...details}   (the file's encoding, its size against the limits)
//               {type: 'done', summary, links}
//               {type: 'export', name, mime, blob}
//               {type: 'cancelled'}                 (after 'cancel': requests stopped, a run cancelled)
//               {type: 'error', code, serverCode?, index?, rows?, max?, left?, text}
// Cancelling stops the requests: an upload not committed is never linked,
// and a run in progress is cancelled at the service (which refunds it). The
// page terminates the worker once it says 'cancelled', or soon after asking.
//
// The file is streamed twice, never held whole: once to count its rows and
// check its encoding (so that a file over the party's limits is refused
// before any token is bought), once to encode it chunk by chunk while the
// previous chunk uploads. What the partner may download afterwards (its own
// encodings) is kept as one Blob per chunk, off the JS heap.
import { ObliviousPseudonymizer } from '/pkg/oblivious.js';
import initLink, { RecordEncoder } from '/pkg/pseudolink_link.js';
import { sniff, countRows, csvBatches, blankRow, toCsv, WINDOWS_1252 } from './csv.js';
import {
  LinkageClient, LinkageError, linkageDefinition, pickKeyVersion, encodeChunk, uploadAll, explainError, CHUNK_ROWS,
} from './linkage-client.js';

/** Links come back at this probability or more (the service's threshold). */
const LINKED = 0.5;

/**
 * The last run, for downloads: {project, keyVersion, encoding, run, subjects,
 * clkKeys, parts: [Blob of JSON lines, one per chunk], rows, links}.
 */
let last = null;

const post = (m) => self.postMessage(m);
const fail = (code, details) => new LinkageError(code, code, details);

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

/** The file's format and data-row count; refuses an empty file or one with no data row. */
async function survey(file) {
  let format;
  try {
    format = await sniff(file);
  } catch {
    throw fail('portal.not_csv');
  }
  if (format.empty) throw fail('portal.empty_file');
  let read = 0;
  const { rows, encoding } = await countRows(file, format, (n) => {
    read += n;
    post({ type: 'progress', stage: 'read', done: read, total: Math.max(1, file.size) });
  });
  if (encoding === WINDOWS_1252) post({ type: 'note', code: 'portal.encoding_windows1252' });
  if (!rows) throw fail('portal.no_rows');
  return { format: { ...format, encoding }, rows };
}

/** Refuses, before any token is bought, a file over the party's limits. */
function checkLimits(rows, project) {
  const limits = project.limits ?? {};
  const max = limits.maxRecords;
  if (Number.isFinite(max) && rows > max) throw fail('upload.too_many_records', { rows, max });
  const perDay = limits.recordsPerDay;
  const today = project.usage?.recordsToday ?? 0;
  if (Number.isFinite(perDay) && rows > perDay - today) {
    throw fail('portal.over_daily_limit', { rows, max: perDay, left: Math.max(0, perDay - today) });
  }
}

/** The running start's cancel: aborting it stops requests and cancels a run at the service. */
let stopping = null;

async function start({ file, mapping, definition, credentials: cred }) {
  const t0 = performance.now();
  stopping = new AbortController();
  const { signal } = stopping;
  last = null;
  const cols = Object.entries(mapping).filter(([, f]) => f).map(([c, f]) => [Number(c), f]);
  if (!cols.length) throw fail('portal.no_fields');
  post({ type: 'progress', stage: 'read', done: 0, total: 1 });
  const [{ format, rows: total }, linkageConfig, obliviousConfig] = await Promise.all([
    survey(file),
    siteConfig('/api/linkage-config', 'linkage.not_configured'),
    siteConfig('/api/oblivious-config', 'keyserver.not_configured'),
    initLink(),
  ]);
  const client = new LinkageClient({ endpoint: linkageConfig.endpoint, apiKey: cred.linkageApiKey, project: cred.project });
  const project = await client.project();
  if (project.role !== 'partner') throw fail('role.forbidden');
  checkLimits(total, project);
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
  /** rowOf[i]: upload record i's row number in the file (1 = first row under the header). */
  const rowOf = [];
  const parts = [];
  const errorsByCode = {};
  let encoded = 0;
  let stored = 0;
  let withErrors = 0;
  let tokenised = 0;
  let t1 = 0;
  let upload;

  /** Encodes one chunk of records; keeps its download lines; returns the upload records. */
  async function encode(records, rows) {
    const enc = await encodeChunk(records, {
      oblivious: tokenizer, encoder, project,
      onTokens: (n) => post({ type: 'progress', stage: 'encode', done: encoded + n, total }),
    });
    const lines = [];
    enc.forEach((e, i) => {
      if (e.record.tokens.length || e.record.matchKeys.length) tokenised++;
      if (e.errors.length) withErrors++;
      for (const x of e.errors) errorsByCode[`${x.field} ${x.code}`] = (errorsByCode[`${x.field} ${x.code}`] ?? 0) + 1;
      lines.push(JSON.stringify({ row: rows[i], ...e.record, errors: e.errors }));
    });
    parts.push(new Blob([lines.join(',\n')], { type: 'application/json' }));
    encoded += records.length;
    post({ type: 'progress', stage: 'encode', done: encoded, total });
    return enc.map((e) => e.record);
  }

  try {
    async function* chunks() {
      let header = true;
      let fileRow = 0;
      let records = [];
      let rows = [];
      for await (const batch of csvBatches(file, format)) {
        for (const r of batch) {
          if (header) { header = false; continue; }
          fileRow++;
          if (blankRow(r)) continue;
          const rec = {};
          for (const [col, field] of cols) if (r[col] !== undefined && r[col] !== '') rec[field] = r[col];
          records.push(rec);
          rows.push(fileRow);
          rowOf.push(fileRow);
          if (records.length === size) {
            const out = encode(records, rows);
            records = [];
            rows = [];
            yield await out;
          }
        }
      }
      if (records.length) yield await encode(records, rows);
      t1 = performance.now();
    }
    upload = await uploadAll(client, chunks(), {
      signal,
      onChunk: ({ records: n }) => {
        stored += n;
        post({ type: 'progress', stage: 'upload', done: stored, total });
      },
    });
  } finally {
    encoder.free();
  }
  if (!rowOf.length) throw fail('portal.no_rows');
  const t2 = performance.now();
  post({ type: 'progress', stage: 'link', done: 0, total: 1 });
  const result = await client.run(upload.upload, {
    signal,
    onStatus: ({ stage }) => post({ type: 'progress', stage: 'link', done: 0, total: 1, step: stage }),
  });
  const t3 = performance.now();

  const links = (result.links ?? [])
    .filter((l) => Number.isInteger(l.row) && l.row >= 0 && l.row < rowOf.length)
    .map((l) => ({ row: rowOf[l.row], probability: l.probability, explanation: l.explanation }))
    .sort((a, b) => a.row - b.row);
  last = {
    project: cred.project, keyVersion: key.version, encoding: project.encoding ?? null, run: result.run,
    subjects: project.tokenSubjects ?? [], clkKeys: project.clk?.keys ?? [], parts, rows: rowOf.length, links,
  };
  const summary = {
    rows: rowOf.length, tokenised, withErrors, errorsByCode, run: result.run, linked: links.length,
    keyVersion: key.version, encodeMs: Math.round(t1 - t0), uploadMs: Math.round(t2 - t1), linkMs: Math.round(t3 - t2),
    totalMs: Math.round(t3 - t0), encoding: format.encoding, delimiter: format.delimiter,
  };
  post({ type: 'done', summary, links });
}

// ---------------------------------------------------------------- downloads

/** The partner's own encodings: one row per file row, tokens by subject, CLKs, error codes (chunk by chunk). */
async function pseudonymisedCsv() {
  const { subjects, clkKeys } = last;
  const head = ['row', ...subjects.map((s) => s.replace(/^mk-/, 'mk_')), ...clkKeys.map((k) => `clk_${k}`), 'errors'];
  const out = [toCsv([head])];
  for (const part of last.parts) {
    const rows = JSON.parse(`[${await part.text()}]`);
    out.push(new Blob([toCsv(rows.map((r) => {
      const by = {};
      for (const t of [...r.tokens, ...r.matchKeys]) by[t.split('.')[1]] = t;
      return [r.row, ...subjects.map((s) => by[s] ?? ''), ...clkKeys.map((k) => r.clks[k] ?? ''),
        r.errors.map((e) => `${e.field}:${e.code}`).join(' ')];
    }))]));
  }
  return out;
}

function pseudonymisedJson() {
  const parts = [`{"project":${JSON.stringify(last.project)},"keyVersion":${JSON.stringify(last.keyVersion)},`
    + `"encoding":${JSON.stringify(last.encoding)},"records":[\n`];
  last.parts.forEach((part, i) => parts.push(...(i ? [',\n'] : []), part));
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
    project: last.project, run: last.run, threshold: LINKED, rows: last.rows,
    links: last.links.map(({ row, probability, explanation }) => ({ partnerRow: row, probability, explanation })),
  }, null, 1)];
}

async function exportFile({ what, format }) {
  const make = {
    'pseudonymised.csv': pseudonymisedCsv,
    'pseudonymised.json': pseudonymisedJson,
    'links.csv': linksCsv,
    'links.json': linksJson,
  }[`${what}.${format}`];
  if (!make || !last) throw fail('portal.nothing_to_export');
  const mime = format === 'csv' ? 'text/csv' : 'application/json';
  post({ type: 'export', name: `${what === 'links' ? 'matches' : 'pseudonymised'}.${format}`, mime, blob: new Blob(await make(), { type: mime }) });
}

self.onmessage = async (ev) => {
  const msg = ev.data;
  try {
    if (msg.type === 'start') await start(msg);
    else if (msg.type === 'export') await exportFile(msg);
    else if (msg.type === 'cancel') stopping?.abort();
  } catch (e) {
    if (e?.code === 'network.aborted' && stopping?.signal.aborted) {
      post({ type: 'cancelled' });
      return;
    }
    const code = typeof e?.code === 'string' ? e.code : 'portal.failed';
    post({
      type: 'error', code, text: explainError(e),
      ...(typeof e?.serverCode === 'string' ? { serverCode: e.serverCode } : {}),
      ...(Number.isInteger(e?.index) ? { index: e.index } : {}),
      ...Object.fromEntries(['rows', 'max', 'left'].filter((k) => Number.isInteger(e?.[k])).map((k) => [k, e[k]])),
    });
  }
};
