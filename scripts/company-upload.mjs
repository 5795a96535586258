#!/usr/bin/env node
// The company's pipeline: its CRM persons (raw, synthetic in the demo:
// demo/linkage/company-crm.csv) → oblivious `po1` tokens through the key
// server (the company's own key-server credential; the key server never sees
// a value) + hardened CLKs (a CLK-only RecordEncoder with the project's CLK
// secret and the project's `encoding`) → the linkage service, in chunks →
// commit: the upload becomes the project's directory. Row r of the upload is
// row r of the CSV (the service stores no id; the company keeps the mapping).
//
//   node scripts/company-upload.mjs [--config demo/linkage/company.json]
//        [--pages URL] [--wait SECONDS] [--state FILE] [--force] [--record-out FILE]
//
//   --config      DEMO ONLY credentials and the CRM file (see the file)
//   --pages       the company's pages server: where the key server's pinned
//                 public keys (/api/oblivious-config) and the linkage service's
//                 endpoint (/api/linkage-config) are read (default: the config's)
//   --wait        wait up to SECONDS for the pages server to answer (make demo
//                 starts the server and this script together)
//   --state       remember what was uploaded; the next run with the same CRM
//                 file, project encoding and key does nothing if that upload is
//                 still committed (so `make demo` can run it at every start)
//   --force       upload even if the state says it is done
//   --record-out  also write the uploaded records as JSON (tests: no partner
//                 page may ever receive any of them)
//
// Needs the built package (make pkg): pkg/oblivious-node.js, pkg/link-node.js.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync, mkdirSync, renameSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { parseCsv } = await import(path.join(ROOT, 'scripts', 'csv.mjs'));
const {
  LinkageClient, LinkageError, linkageDefinition, pickKeyVersion, encodeChunk, uploadAll, explainError, CHUNK_ROWS,
} = await import(path.join(ROOT, 'www', 'portal', 'linkage-client.js'));
// The same identity definition as the partner portal: tokens and CLKs only meet if both encode alike.
const { DEFINITION } = await import(path.join(ROOT, 'www', 'shared', 'definition.js'));

function args(argv) {
  const a = { config: path.join(ROOT, 'demo', 'linkage', 'company.json'), pages: null, wait: 0, state: null, force: false, recordOut: null };
  for (let i = 0; i < argv.length; i++) {
    const v = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) throw new Error(`${v} needs a value`);
      return argv[++i];
    };
    if (v === '--config') a.config = next();
    else if (v === '--pages') a.pages = next();
    else if (v === '--wait') a.wait = Number(next());
    else if (v === '--state') a.state = next();
    else if (v === '--force') a.force = true;
    else if (v === '--record-out') a.recordOut = next();
    else if (v === '--help' || v === '-h') a.help = true;
    else throw new Error(`unknown option ${v} (see the comment at the top of scripts/company-upload.mjs)`);
  }
  if (!Number.isFinite(a.wait) || a.wait < 0) throw new Error('--wait needs a number of seconds');
  return a;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** GET a JSON config from the pages server; `wait` seconds of retries while it is not up yet. */
async function pageConfig(pages, rel, wait) {
  const until = Date.now() + wait * 1000;
  for (;;) {
    let res;
    try {
      res = await fetch(new URL(rel, pages), { cache: 'no-store' });
    } catch {
      if (Date.now() < until) { await sleep(250); continue; }
      throw new LinkageError('network.failed', `the pages server ${pages} could not be reached`);
    }
    const body = await res.json().catch(() => null);
    if (res.ok && body) return body;
    throw new LinkageError(typeof body?.error === 'string' ? body.error : `http.${res.status}`, `${rel} answered ${res.status}`);
  }
}

/** The CRM file's rows as contact records, in file order: record r is row r (its id stays with the company). */
function readCrm(file) {
  const text = readFileSync(file, 'utf8');
  const [header, ...rows] = parseCsv(text);
  if (!header?.includes('id')) throw new Error(`${file}: no id column`);
  const fields = header.map((h) => (DEFINITION.fields.includes(h) ? h : null));
  const records = rows.map((r) => {
    const rec = {};
    fields.forEach((f, i) => { if (f && r[i] !== undefined && r[i] !== '') rec[f] = r[i]; });
    return rec;
  });
  return { text, records };
}

export async function companyUpload(opts) {
  const t0 = performance.now();
  const configFile = path.resolve(opts.config);
  const conf = JSON.parse(readFileSync(configFile, 'utf8'));
  const pages = opts.pages ?? conf.pages;
  const crm = readCrm(path.resolve(path.dirname(configFile), conf.crm));

  const linkage = await pageConfig(pages, '/api/linkage-config', opts.wait);
  const oblivious = await pageConfig(pages, '/api/oblivious-config', 0);
  const client = new LinkageClient({ endpoint: linkage.endpoint, apiKey: conf.linkageApiKey, project: conf.project });
  const project = await client.project();
  if (project.role !== 'directory') throw new LinkageError('role.forbidden', 'this credential is not the project\'s directory party');
  const key = pickKeyVersion(oblivious, project);

  // What the upload is a function of: the same inputs give the same encodings.
  const digest = createHash('sha256').update(JSON.stringify({
    crm: createHash('sha256').update(crm.text).digest('hex'),
    endpoint: linkage.endpoint, project: conf.project, key, encoding: project.encoding,
    subjects: project.tokenSubjects, clk: project.clk,
  })).digest('hex');
  if (opts.state && !opts.force) {
    let state = null;
    try { state = JSON.parse(readFileSync(opts.state, 'utf8')); } catch { /* none yet */ }
    if (state?.digest === digest) {
      const u = await client.upload(state.upload).catch(() => null);
      if (u?.committed === true && u.records === crm.records.length) {
        console.log(`company-upload: ${crm.records.length.toLocaleString('en')} CRM persons already uploaded (${state.upload}); nothing to do`);
        return { upload: state.upload, records: crm.records.length, skipped: true };
      }
    }
  }

  const { ObliviousPseudonymizer } = await import(path.join(ROOT, 'pkg', 'oblivious-node.js'));
  const { RecordEncoder } = await import(path.join(ROOT, 'pkg', 'link-node.js'));
  const tokenizer = new ObliviousPseudonymizer({
    endpoint: oblivious.endpoint,
    publicKey: { [key.version]: key.publicKey },
    apiKey: conf.keyserverApiKey,
    definition: linkageDefinition(DEFINITION, project),
    maxBatch: 500,
  });
  const secret = new TextEncoder().encode(conf.clkSecret);
  let encoder;
  try {
    encoder = new RecordEncoder([], DEFINITION, {
      clkSchema: project.encoding?.clkSchema ?? 'default', clkSecret: secret, hardening: project.encoding?.hardening,
    });
  } finally {
    secret.fill(0);
  }
  const size = Math.min(CHUNK_ROWS * 2, project.limits?.maxChunkRecords ?? CHUNK_ROWS);
  const uploaded = opts.recordOut ? [] : null;
  let withErrors = 0;
  let result;
  try {
    async function* chunks() {
      for (let i = 0; i < crm.records.length; i += size) {
        const out = await encodeChunk(crm.records.slice(i, i + size), { oblivious: tokenizer, encoder, project });
        const recs = out.map((o) => o.record);
        withErrors += out.filter((o) => o.errors.length).length;
        uploaded?.push(...recs);
        yield recs;
      }
    }
    result = await uploadAll(client, chunks());
  } finally {
    encoder.free();
  }
  if (uploaded) {
    mkdirSync(path.dirname(path.resolve(opts.recordOut)), { recursive: true });
    writeFileSync(opts.recordOut, JSON.stringify({ upload: result.upload, records: uploaded }));
  }
  if (opts.state) {
    mkdirSync(path.dirname(path.resolve(opts.state)), { recursive: true });
    const tmp = `${opts.state}.tmp`;
    writeFileSync(tmp, `${JSON.stringify({ upload: result.upload, records: result.records, digest }, null, 1)}\n`);
    renameSync(tmp, opts.state);
  }
  const s = ((performance.now() - t0) / 1000).toFixed(1);
  console.log(`company-upload: ${result.records.toLocaleString('en')} CRM persons (${withErrors.toLocaleString('en')} with a field that could not be read) `
    + `→ ${result.upload}, ${result.chunks} chunks, committed in ${s} s (tokens under ${key.version})`);
  return { ...result, skipped: false };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const opts = args(process.argv.slice(2));
    if (opts.help) {
      // The usage is the comment at the top of this file.
      const text = readFileSync(fileURLToPath(import.meta.url), 'utf8');
      console.log(text.split('\n').slice(1).filter((l, i, all) => all.slice(0, i + 1).every((x) => x.startsWith('//'))).map((l) => l.replace(/^\/\/ ?/, '')).join('\n'));
      process.exit(0);
    }
    await companyUpload(opts);
  } catch (e) {
    const code = typeof e?.code === 'string' ? e.code : null;
    console.error(`company-upload: ${code ? `${explainError(e)} (${code})` : e?.message ?? e}`);
    process.exit(1);
  }
}
