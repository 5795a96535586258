// Types of pseudolink/oblivious (pkg/oblivious.js). Hand-written, committed.
export * from './pseudolink_oblivious.js';
export { default } from './pseudolink_oblivious.js';
import type { ContactRecord, IdentityDefinition, TokenizeResult } from './pseudolink_oblivious.js';

/**
 * Stable codes:
 * - `network.failed`, `network.timeout`, `network.aborted`: no answer from the key server;
 * - `server.refused`: a 4xx/5xx (`status`, `serverCode` e.g. `rate.limited`, `retryAfter` seconds);
 * - `oblivious.verification_failed`: the answer's proof fails against the pinned key;
 * - `oblivious.invalid_response`: the answer is malformed;
 * - bad input: `option.invalid`, `oblivious.invalid_public_key`, `definition.invalid`,
 *   `definition.invalid_match_key`, `record.invalid`, `key.missing`, `key.duplicate_id`.
 */
export class ObliviousError extends Error {
  constructor(code: string, message?: string, details?: { field?: string; status?: number; serverCode?: string; retryAfter?: number });
  readonly name: 'ObliviousError';
  readonly code: string;
  readonly field?: string;
  readonly status?: number;
  readonly serverCode?: string;
  readonly retryAfter?: number;
}

export interface ObliviousOptions {
  /** Key server base URL; requests go to `<endpoint>/v1/evaluate`. */
  endpoint: string;
  /** Pinned public key(s): `{ [keyVersion]: base64url pkSm }`, or one key with `keyVersion`. */
  publicKey: string | Record<string, string>;
  /** With a string `publicKey`: its version. With a map: use only this version. */
  keyVersion?: string;
  definition: IdentityDefinition | string;
  /** The partner's API key, sent as `Authorization: Bearer`. */
  apiKey?: string;
  /** Most elements per request (default 256). */
  maxBatch?: number;
  /** Per-request timeout (default 15000 ms). */
  timeoutMs?: number;
  /** A fetch implementation (default `globalThis.fetch`). */
  fetch?: typeof fetch;
}

export interface Progress { done: number; total: number; }

/**
 * Oblivious, domain-separated tokens `po1.<field>.<keyVersion>.<tag>`: the
 * page holds no key and the key server never sees a value. Verifiable
 * (VOPRF): an answer that does not prove itself against the pinned key is refused.
 */
export class ObliviousPseudonymizer {
  constructor(options: ObliviousOptions);
  readonly keyVersions: string[];
  tokenize(record: ContactRecord, options?: { signal?: AbortSignal }): Promise<TokenizeResult>;
  tokenizeBatch(records: ContactRecord[], options?: { onProgress?: (p: Progress) => void; signal?: AbortSignal }): Promise<TokenizeResult[]>;
}
