// What a data holder does to take part in a linking project, shared by the
// partner portal's worker (www/portal/worker.js) and the company's pipeline
// (scripts/company-upload.mjs, Node): no wasm in here, only plain JS.
//
//  - `linkageDefinition`: the identity definition reduced to the project's
//    token subjects, so that the key server is asked only for tokens the
//    linkage service accepts (each one is an evaluation charged to the quota);
//  - `pickKeyVersion`: the one key version both sides tokenise under: the key
//    server's active version if the project accepts it;
//  - `encodeChunk`: oblivious `po1` tokens (key server) + hardened CLKs (a
//    CLK-only RecordEncoder) of some rows, as upload records;
//  - `LinkageClient`: the linkage service's HTTP API (see contract: project,
//    uploads by chunk, commit, runs), with typed errors and retries where a
//    retry cannot count anything twice;
//  - `explainError`: a sentence for every stable code a user can meet.
//
// Nothing here sees a raw value except `encodeChunk`, which hands the rows to
// the encoders and returns encodings only.

/** Every failure: `code` is stable; `status`, `index`, `retryAfter` when known. */
export class LinkageError extends Error {
  constructor(code, message, details = {}) {
    super(message);
    this.name = 'LinkageError';
    this.code = code;
    Object.assign(this, details);
  }
}

/** Rows per upload chunk at most (the project's limit may be lower). */
export const CHUNK_ROWS = 500;

/**
 * The identity definition a project's tokens come from: its fields and match
 * keys that are among the project's token subjects (`email`, `mk-nameDob`).
 * Match keys keep their parts, whatever fields those read.
 */
export function linkageDefinition(definition, project) {
  const subjects = new Set(project.tokenSubjects ?? []);
  const fields = definition.fields.filter((f) => subjects.has(f));
  const matchKeys = (definition.matchKeys ?? []).filter((m) => subjects.has(`mk-${m.name}`));
  if (!fields.length) throw new LinkageError('project.no_token_fields', 'the project accepts no field token this definition makes');
  return { ...definition, fields, matchKeys };
}

/**
 * The key version to tokenise under, with its pinned public key: the key
 * server's active version when the project accepts it, else the newest
 * version both know. Both data holders follow this rule, so their tokens
 * meet. `config` is the pages server's `/api/oblivious-config`.
 */
export function pickKeyVersion(config, project) {
  const accepted = project.tokenKeyVersions ?? [];
  const served = new Map((config?.keys ?? []).map((k) => [k.version, k.publicKey]));
  const version = accepted.includes(config?.activeKey) && served.has(config.activeKey)
    ? config.activeKey
    : [...accepted].reverse().find((v) => served.has(v));
  if (!version) throw new LinkageError('project.no_key_version', 'the key server serves no key version the project accepts');
  return { version, publicKey: served.get(version) };
}

/**
 * Upload records of `rows` (contact records): `{tokens, matchKeys, clks}` with
 * only what the project accepts, and each row's field errors (codes) beside.
 * `oblivious` is an ObliviousPseudonymizer over `linkageDefinition(…)`,
 * `encoder` a CLK-only RecordEncoder. Token requests run `parallel` at a time.
 */
export async function encodeChunk(rows, { oblivious, encoder, project, parallel = 4, signal, onTokens }) {
  const clkKeys = project.clk?.keys ?? [];
  const clks = encoder.encodeBatch(rows.map((r, i) => ({ ...r, id: String(i) })), {});
  // The key server answers one request at a time per call: split the rows
  // so that a few requests are in flight while this thread blinds and unblinds.
  const parts = Math.max(1, Math.min(parallel, Math.ceil(rows.length / 100)));
  const size = Math.ceil(rows.length / parts);
  const done = new Array(parts).fill(0);
  // The first part to fail stops the others (their evaluations would count against the quota for nothing).
  const stop = new AbortController();
  const both = signal ? AbortSignal.any([signal, stop.signal]) : stop.signal;
  const tokens = (await Promise.all(Array.from({ length: parts }, (_, p) => oblivious.tokenizeBatch(
    rows.slice(p * size, (p + 1) * size),
    {
      signal: both,
      onProgress: onTokens && ((o) => { done[p] = o.done; onTokens(done.reduce((a, b) => a + b, 0)); }),
    },
  ).catch((e) => { stop.abort(); throw e; })))).flat();
  const subjects = new Set(project.tokenSubjects ?? []);
  const versions = new Set(project.tokenKeyVersions ?? []);
  const keep = (t) => {
    const [, subject, version] = t.split('.');
    return subjects.has(subject) && versions.has(version);
  };
  return rows.map((_, i) => {
    const t = tokens[i];
    const c = clks[i];
    const seen = new Set();
    const errors = [...t.errors, ...c.errors].filter((e) => {
      const k = `${e.field} ${e.code}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
    return {
      record: {
        tokens: [...new Set(t.tokens.filter(keep))],
        matchKeys: [...new Set(t.matchKeys.filter(keep))],
        clks: Object.fromEntries(clkKeys.filter((k) => typeof c.clks[k] === 'string').map((k) => [k, c.clks[k]])),
      },
      errors,
    };
  });
}

const sleep = (ms, signal) => new Promise((resolve, reject) => {
  const t = setTimeout(resolve, ms);
  signal?.addEventListener('abort', () => { clearTimeout(t); reject(new LinkageError('network.aborted', 'cancelled')); }, { once: true });
});

/** The linkage service's API for one party of one project. */
export class LinkageClient {
  #base;
  #apiKey;
  #fetch;
  #timeoutMs;

  /**
   * @param {object} o
   * @param {string} o.endpoint the service's base URL (`http://127.0.0.1:8082`)
   * @param {string} o.apiKey the party's credential (`Authorization: Bearer`)
   * @param {string} o.project the linking project's id
   */
  constructor({ endpoint, apiKey, project, fetch: fetchImpl, timeoutMs = 60_000 }) {
    let base;
    try {
      base = new URL(endpoint);
    } catch {
      throw new LinkageError('linkage.invalid_endpoint', 'the linkage endpoint is not an absolute URL');
    }
    if (typeof project !== 'string' || !/^[A-Za-z0-9._-]{1,64}$/.test(project)) {
      throw new LinkageError('project.invalid', 'the project id is empty or has characters an id cannot have');
    }
    if (typeof apiKey !== 'string' || !apiKey.trim()) throw new LinkageError('auth.missing', 'no linkage credential');
    this.#base = `${base.href.replace(/\/+$/, '')}/v1/projects/${encodeURIComponent(project)}`;
    this.#apiKey = apiKey.trim();
    this.#fetch = fetchImpl ?? ((...a) => globalThis.fetch(...a));
    this.#timeoutMs = timeoutMs;
  }

  /**
   * One call. Refusals become LinkageErrors with the service's code. Calls
   * marked `retry` (reads, and chunk PUTs, which the service stores once)
   * are tried again after a network failure or a 5xx; every call waits and
   * tries again when the service says `rate.limited` (nothing was done then).
   */
  async #call(method, path, body, { signal, retry = false, timeoutMs = this.#timeoutMs, headers = {} } = {}) {
    for (let attempt = 0; ; attempt++) {
      const timeout = AbortSignal.timeout(timeoutMs);
      let res;
      try {
        res = await this.#fetch(`${this.#base}${path}`, {
          method,
          headers: {
            authorization: `Bearer ${this.#apiKey}`,
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
            ...headers,
          },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
          credentials: 'omit',
          referrerPolicy: 'no-referrer',
          cache: 'no-store',
        });
      } catch {
        if (signal?.aborted) throw new LinkageError('network.aborted', 'cancelled');
        const code = timeout.aborted ? 'network.timeout' : 'network.failed';
        if (retry && attempt < 3) { await sleep(500 * 2 ** attempt, signal); continue; }
        throw new LinkageError(code, 'the linkage service could not be reached');
      }
      let answer = null;
      try {
        answer = await res.json();
      } catch {
        answer = null;
      }
      if (res.ok) {
        if (!answer || typeof answer !== 'object') throw new LinkageError('linkage.invalid_response', 'the linkage service answered something that is not JSON');
        return answer;
      }
      const code = typeof answer?.error === 'string' ? answer.error : `http.${res.status}`;
      const retryAfter = Number(res.headers.get('retry-after')) || undefined;
      if (code === 'rate.limited' && attempt < 5) { await sleep(1000 * (retryAfter ?? 1), signal); continue; }
      if (retry && res.status >= 500 && attempt < 3) { await sleep(500 * 2 ** attempt, signal); continue; }
      throw new LinkageError(code, `the linkage service refused the request (${res.status} ${code})`, {
        status: res.status, retryAfter, ...(Number.isInteger(answer?.index) ? { index: answer.index } : {}),
      });
    }
  }

  /** The project as this party sees it: subjects, key versions, CLK keys, encoding, limits, usage. */
  project(o) { return this.#call('GET', '', undefined, { ...o, retry: true }); }

  /** A new upload: its id. */
  async createUpload(o) { return (await this.#call('POST', '/uploads', {}, o)).upload; }

  /** Stores chunk `index` of an upload (the same chunk twice is stored once). */
  putChunk(upload, index, records, o) {
    return this.#call('PUT', `/uploads/${encodeURIComponent(upload)}/chunks/${index}`, { records }, { ...o, retry: true });
  }

  /** An upload's chunks and whether it is committed. */
  upload(upload, o) { return this.#call('GET', `/uploads/${encodeURIComponent(upload)}`, undefined, { ...o, retry: true }); }

  /** Commits chunks 0..chunks-1: the upload becomes this party's active dataset. */
  commit(upload, chunks, o) { return this.#call('POST', `/uploads/${encodeURIComponent(upload)}/commit`, { chunks }, o); }

  /**
   * Links a committed upload (partner role) against the directory and
   * resolves to the partner's view. The run does not hold a request open
   * (`Prefer: respond-async`): it is read again until it is done, each
   * answer passed to `o.onStatus({run, status, stage})`. Aborting `o.signal`
   * cancels the run at the service (refunded there) and rejects with
   * `network.aborted`.
   */
  async run(upload, { signal, onStatus } = {}) {
    let answer = await this.#call('POST', '/runs', { upload }, { signal, headers: { prefer: 'respond-async' } });
    const run = answer.run;
    let wait = 100;
    // A server that ignores the preference answers the view at once.
    while (answer.status === 'queued' || answer.status === 'running') {
      onStatus?.({ run, status: answer.status, stage: answer.stage });
      try {
        await sleep(wait, signal);
        wait = Math.min(1000, wait * 2);
        answer = await this.getRun(run, { signal });
      } catch (e) {
        if (signal?.aborted) {
          // Best effort: the service refunds a cancelled run.
          await this.cancelRun(run, { timeoutMs: 5000 }).catch(() => {});
          throw new LinkageError('network.aborted', 'cancelled');
        }
        throw e;
      }
    }
    return answer;
  }

  /** Cancels a run still in progress (refunded); `run.finished` once it is stored. */
  cancelRun(run, o) { return this.#call('DELETE', `/runs/${encodeURIComponent(run)}`, undefined, o); }

  /** One run's results, as this party may see them. */
  getRun(run, o) { return this.#call('GET', `/runs/${encodeURIComponent(run)}`, undefined, { ...o, retry: true }); }

  /** Runs this party may read. */
  runs(o) { return this.#call('GET', '/runs', undefined, { ...o, retry: true }); }
}

/**
 * Uploads `chunks` (a sequence, possibly async, of record arrays) as one
 * upload and commits it. `onChunk({index, records})` after each stored chunk.
 * Resolves to `{upload, records, chunks}`.
 */
export async function uploadAll(client, chunks, { signal, onChunk } = {}) {
  const upload = await client.createUpload({ signal });
  let index = 0;
  let records = 0;
  const pending = [];
  for await (const recs of chunks) {
    const i = index++;
    records += recs.length;
    // One chunk in flight while the next one is encoded.
    const put = client.putChunk(upload, i, recs, { signal }).then((ack) => onChunk?.({ index: i, records: recs.length, ack }));
    // Awaited below; until then a failure must not count as unhandled.
    put.catch(() => {});
    pending.push(put);
    if (pending.length > 1) await pending.shift();
  }
  await Promise.all(pending);
  const done = await client.commit(upload, index, { signal });
  if (done.committed !== true) throw new LinkageError('linkage.invalid_response', 'the commit was not confirmed');
  return { upload, records, chunks: index };
}

/**
 * A sentence for a stable code (of the linkage service, the key server
 * client, the encoders or the portal). Never carries a value.
 */
export function explainError(e) {
  const code = typeof e === 'string' ? e : e?.code ?? 'unknown';
  const server = typeof e === 'object' ? e?.serverCode : undefined;
  const n = (k) => (Number.isInteger(e?.[k]) ? e[k].toLocaleString('en') : null);
  if (code === 'upload.too_many_records' && n('rows') && n('max')) {
    return `Your file has ${n('rows')} rows, and this project accepts at most ${n('max')} from you in one upload. `
      + 'Nothing was sent: split the file, or ask the company for a higher limit.';
  }
  if (code === 'portal.over_daily_limit' && n('rows') && n('max')) {
    return `Your file has ${n('rows')} rows, and your credential may upload ${n('max')} a day (${n('left') ?? 0} left today). `
      + 'Nothing was sent: split the file over several days, or ask the company for a higher limit.';
  }
  const text = {
    // Credentials and configuration.
    'auth.missing': 'No linkage credential was given. Paste yours under “Credentials”.',
    'auth.invalid': 'The linkage service does not know this credential. Check the linkage key under “Credentials”.',
    'auth.revoked': 'This linkage credential has been revoked. Ask the company for a new one.',
    'origin.forbidden': 'The linkage service does not accept this credential from this web address.',
    'project.unknown': 'The linkage service has no project with this id. Check the project under “Credentials”.',
    'project.invalid': 'The project id is empty or has characters an id cannot have.',
    'project.no_token_fields': 'The project accepts no token this page can make.',
    'project.no_key_version': 'The key server serves no key version that the project accepts.',
    'role.forbidden': 'This credential may not do that in this project (it is not a partner credential).',
    'linkage.not_configured': 'This site runs no linkage service, so there is nothing to upload to.',
    'linkage.invalid_endpoint': 'The linkage service address is not a valid URL.',
    'keyserver.not_configured': 'This site runs no key server, so tokens cannot be made.',
    'key.too_short': 'The project’s CLK secret is too short (at least 16 characters).',
    'key.missing': 'The project’s CLK secret is missing.',
    // Limits.
    'quota.exceeded': 'Today’s quota for this credential is used up. Try again tomorrow, or ask the company for more.',
    'rate.limited': 'The service is busy with this credential’s earlier requests. Wait a moment and try again.',
    'upload.too_many_records': 'The file has more rows than this project accepts from you.',
    'request.too_large': 'A part of the upload was larger than the service accepts.',
    // Uploads and runs.
    'run.no_directory': 'The company has not uploaded its directory yet: there is nothing to link against. Try again later.',
    'upload.incomplete': 'The upload lost a part on the way. Try again.',
    'upload.not_committed': 'The upload was not completed. Try again.',
    'upload.unknown': 'The service no longer knows this upload. Try again.',
    'upload.chunk_conflict': 'A part of the upload was sent twice with different contents. Try again.',
    'upload.committed': 'This upload was already completed. Try again.',
    'run.unknown': 'The service does not know this run.',
    'run.failed': 'The linkage service could not link this file against the directory. Try again later.',
    'run.cancelled': 'This run was cancelled: nothing was linked, and it did not count against your runs for today.',
    'run.finished': 'This run had already finished, so it could not be cancelled.',
    'engine.unavailable': 'The linkage service’s engine for large files did not finish this run. It did not count against your runs for today; try again later.',
    'store.internal': 'The linkage service could not store or read data just now. Try again later.',
    // Network.
    'network.failed': 'The service could not be reached. Check the connection and try again.',
    'network.timeout': 'The service did not answer in time. Try again.',
    'network.aborted': 'Cancelled.',
    'linkage.invalid_response': 'The linkage service gave an answer this page cannot read.',
    'oblivious.verification_failed': 'The key server’s answer did not prove itself against the pinned public key, so nothing was uploaded.',
    'oblivious.invalid_response': 'The key server gave an answer this page cannot read.',
    'oblivious.invalid_public_key': 'The key server’s pinned public key is not valid.',
    // The portal.
    'portal.no_rows': 'The file has no data rows under its header, so there is nothing to match.',
    'portal.empty_file': 'The file is empty: there is nothing to match. Choose the CSV export of your customers.',
    'portal.no_mapped_columns': 'None of the file’s columns was recognised as a field we match on. Choose a field for at least one column below.',
    'portal.encoding_windows1252': 'This file is not UTF-8: it was read as Windows-1252 (Western European, “Latin-1”). If names look wrong, export the file as UTF-8.',
    'portal.over_daily_limit': 'The file has more rows than your credential may upload today.',
    'portal.nothing_tokenised': 'No row gave a single token: check that the columns are mapped to the right fields.',
    'portal.no_fields': 'No column is mapped to a field, so there is nothing to match. Choose a field for at least one column.',
    'portal.duplicate_mapping': 'Two columns are mapped to the same field.',
    'portal.not_csv': 'The file could not be read as CSV text.',
    'portal.failed': 'Something went wrong in this tab. Reload the page and try again.',
    'portal.nothing_to_export': 'There is nothing to download yet.',
  }[code];
  if (text) return text;
  if (code === 'server.refused') {
    const ks = {
      'auth.missing': 'The key server needs a credential. Paste your key-server key under “Credentials”.',
      'auth.invalid': 'The key server does not know this credential. Check the key-server key under “Credentials”.',
      'origin.not_allowed': 'The key server does not accept this credential from this web address.',
      'quota.exceeded': 'Today’s key-server quota for this credential is used up. Try again tomorrow.',
      'rate.limited': 'The key server is busy with this credential’s earlier requests. Wait a moment and try again.',
      'key.retired': 'The key version the project uses has been retired on the key server.',
      'key.unknown_version': 'The key server does not serve the key version the project uses.',
    }[server];
    return ks ?? 'The key server refused the request.';
  }
  const family = code.split('.')[0];
  if (['token', 'clk', 'record', 'chunk'].includes(family)) {
    return 'The linkage service refused an encoding: this page and the project disagree on how to encode. Reload the page and try again.';
  }
  if (family === 'request') return 'The linkage service could not read a request from this page.';
  return 'Something went wrong.';
}
