// pseudolink/oblivious: tokens for pages that hold no key (RFC 9497 VOPRF,
// ristretto255-SHA512). Normalising, blinding, verifying the server's proof
// and finalising all happen in WebAssembly (pseudolink_oblivious_bg.wasm, a
// superset of the core entry); this file only talks to the key server:
// batching, fetch, timeouts, progress, typed errors. Hand-written, committed.
import init, { ObliviousClient } from './pseudolink_oblivious.js';

export * from './pseudolink_oblivious.js';
export { default } from './pseudolink_oblivious.js';

/** Every error thrown by ObliviousPseudonymizer: `code` is stable. */
export class ObliviousError extends Error {
  constructor(code, message, details = {}) {
    super(message);
    this.name = 'ObliviousError';
    this.code = code;
    Object.assign(this, details);
  }
}

/** Most elements one request carries (the demo key server accepts 512). */
const DEFAULT_MAX_BATCH = 256;
const DEFAULT_TIMEOUT_MS = 15000;

function wrap(e) {
  if (e instanceof ObliviousError) return e;
  if (e && typeof e.code === 'string') return new ObliviousError(e.code, e.message, e.field ? { field: e.field } : {});
  return e;
}

export class ObliviousPseudonymizer {
  #endpoint;
  #apiKey;
  #pins;
  #definition;
  #maxBatch;
  #timeoutMs;
  #fetch;
  #client;
  #perRecord;

  /**
   * @param {object} options
   * @param {string} options.endpoint key server base URL (e.g. `https://keys.example`)
   * @param {string | Record<string,string>} options.publicKey pinned public key(s):
   *   base64url `pkSm` with `keyVersion`, or `{ [keyVersion]: pkSm }` (several during a rotation)
   * @param {object | string} options.definition identity definition
   */
  constructor({ endpoint, publicKey, definition, keyVersion, apiKey, maxBatch = DEFAULT_MAX_BATCH,
    timeoutMs = DEFAULT_TIMEOUT_MS, fetch: fetchImpl } = {}) {
    try {
      const u = new URL(endpoint);
      this.#endpoint = new URL('v1/evaluate', u.href.endsWith('/') ? u.href : `${u.href}/`).href;
    } catch {
      throw new ObliviousError('option.invalid', 'endpoint must be an absolute URL');
    }
    if (typeof publicKey === 'string') {
      if (typeof keyVersion !== 'string') throw new ObliviousError('option.invalid', 'a publicKey string needs its keyVersion');
      this.#pins = { [keyVersion]: publicKey };
    } else if (publicKey && typeof publicKey === 'object') {
      this.#pins = keyVersion ? { [keyVersion]: publicKey[keyVersion] } : { ...publicKey };
    } else {
      throw new ObliviousError('oblivious.invalid_public_key', 'publicKey is required: pin the key server public key');
    }
    if (!Number.isInteger(maxBatch) || maxBatch < 1) throw new ObliviousError('option.invalid', 'maxBatch must be a positive integer');
    this.#apiKey = apiKey;
    this.#definition = definition;
    this.#maxBatch = maxBatch;
    this.#timeoutMs = timeoutMs;
    this.#fetch = fetchImpl ?? ((...a) => globalThis.fetch(...a));
    const d = typeof definition === 'string' ? safeParse(definition) : definition;
    this.#perRecord = Math.max(1, (d?.fields?.length ?? 1) + (d?.matchKeys?.length ?? 0));
  }

  /** The pinned key versions; each record gets a token per version. */
  get keyVersions() {
    return Object.keys(this.#pins);
  }

  async #ready() {
    if (!this.#client) {
      await init();
      try {
        this.#client = new ObliviousClient(this.#definition, this.#pins);
      } catch (e) {
        throw wrap(e);
      }
    }
    return this.#client;
  }

  /** Tokens of one record: `{tokens, matchKeys, errors}`. */
  async tokenize(record, options) {
    const [out] = await this.tokenizeBatch([record], options);
    return out;
  }

  /**
   * Tokens of many records, in order. Records go in requests of at most
   * `maxBatch` elements each; `onProgress({done, total})` follows after each.
   */
  async tokenizeBatch(records, { onProgress, signal } = {}) {
    if (!Array.isArray(records)) throw new ObliviousError('record.invalid', 'records must be an array');
    const client = await this.#ready();
    const per = Math.max(1, Math.floor(this.#maxBatch / this.#perRecord));
    const out = [];
    for (let i = 0; i < records.length; i += per) {
      const chunk = records.slice(i, i + per);
      let batch;
      try {
        batch = client.blind(chunk);
      } catch (e) {
        throw wrap(e);
      }
      try {
        const answers = batch.size === 0 ? [] : await Promise.all(
          client.keyVersions.map((v) => this.#evaluate(batch.requestBody(v), signal)),
        );
        out.push(...client.finalize(batch, answers));
      } catch (e) {
        throw wrap(e);
      } finally {
        batch.free();
      }
      onProgress?.({ done: Math.min(i + per, records.length), total: records.length });
    }
    return out;
  }

  async #evaluate(body, signal) {
    const timeout = AbortSignal.timeout(this.#timeoutMs);
    const headers = { 'content-type': 'application/json' };
    if (this.#apiKey) headers.authorization = `Bearer ${this.#apiKey}`;
    let res;
    try {
      res = await this.#fetch(this.#endpoint, {
        method: 'POST',
        headers,
        body,
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
        credentials: 'omit',
        referrerPolicy: 'no-referrer',
      });
    } catch (e) {
      if (timeout.aborted) throw new ObliviousError('network.timeout', `the key server did not answer within ${this.#timeoutMs} ms`);
      if (signal?.aborted) throw new ObliviousError('network.aborted', 'aborted by the caller');
      throw new ObliviousError('network.failed', `the key server could not be reached (${e?.message ?? e})`);
    }
    let answer;
    try {
      answer = await res.json();
    } catch {
      answer = null;
    }
    if (!res.ok) {
      const serverCode = typeof answer?.error === 'string' ? answer.error : undefined;
      const retryAfter = Number(res.headers.get('retry-after')) || undefined;
      throw new ObliviousError('server.refused', `the key server refused the request (${res.status}${serverCode ? ` ${serverCode}` : ''})`,
        { status: res.status, serverCode, retryAfter });
    }
    if (!answer || typeof answer !== 'object') throw new ObliviousError('oblivious.invalid_response', 'the key server answered something that is not JSON');
    return answer;
  }
}

function safeParse(text) {
  try { return JSON.parse(text); } catch { return null; }
}
