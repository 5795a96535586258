// Types of pseudolink/identity-store (hand-written; ./identity-store.js is hand-written too).

/**
 * A failure of the store. `code` is stable:
 * - `store.unavailable`: no IndexedDB (some private modes, sandboxed frames, Node), the open
 *   was refused, blocked by another tab or hit a database of a newer version or another owner,
 *   or the store was closed (`close()`, or another tab upgraded or deleted the database);
 * - `store.not_a_graph`: the text is not a JSON object with a string `format` and an integer `version`;
 * - `store.invalid_argument`: `key` or `dbName` is not a non-empty string, or `meta` is not a
 *   plain object of storable (structured-cloneable) values;
 * - `store.quota_exceeded`: the browser's storage quota for the site is exhausted (nothing was written);
 * - `store.failed`: any other IndexedDB failure.
 * Messages never hold document or meta contents.
 */
export class StoreError extends Error {
  constructor(code: StoreError['code'], message?: string);
  readonly name: 'StoreError';
  readonly code:
    | 'store.unavailable'
    | 'store.not_a_graph'
    | 'store.invalid_argument'
    | 'store.quota_exceeded'
    | 'store.failed';
}

/** What is known of a stored graph without reading its document. */
export interface StoredEntry {
  key: string;
  /** When it was saved, ISO 8601 in UTC (`Date#toISOString()`). */
  savedAt: string;
  /** Size of the document text in UTF-8 bytes. */
  bytes: number;
  /** The document's top-level `format`, e.g. `"pseudolink-identity-graph"`. */
  format: string;
  /** The document's top-level `version`. */
  version: number;
  /** What the caller passed to `save` (absent if nothing was). */
  meta?: Record<string, unknown>;
}

/**
 * Keeps identity-graph documents in the browser's IndexedDB, so a portal finds
 * its customer directory again on the next visit. It stores the versioned JSON
 * document (`IdentityGraph#toJSON()`) as text and reads only its top-level
 * `format` and `version`; load it back with `IdentityGraph.fromJSON(text)`.
 *
 * ```js
 * import { IdentityGraph } from 'pseudolink/identity';
 * import { IdentityStore } from 'pseudolink/identity-store';
 *
 * const store = await IdentityStore.open();               // database "pseudolink"
 * const text = await store.load('customers');
 * const graph = text ? IdentityGraph.fromJSON(text) : new IdentityGraph();
 * // … add today's records to the graph …
 * const entry = await store.save('customers', graph, { source: 'crm-export.csv' });
 * console.log(entry.bytes, entry.savedAt);
 * for (const e of await store.list()) console.log(e.key, e.version, e.bytes);
 * ```
 *
 * Another tab that upgrades or deletes the database is not blocked: this
 * connection closes, and later calls reject with `store.unavailable` (open
 * the store again).
 */
export class IdentityStore {
  private constructor();
  /** Opens (creates/upgrades) the IndexedDB database `dbName` (default "pseudolink"), object stores "graphs" and "entries". */
  static open(dbName?: string): Promise<IdentityStore>;
  /**
   * Saves a graph (anything with `toJSON(): string`, or the document text) under
   * `key`, replacing what was there. Checks the text is a JSON object with a
   * string `format` and an integer `version` (`store.not_a_graph` otherwise).
   * One transaction with strict durability; resolves once committed.
   * An error thrown by the graph's own `toJSON()` passes through unchanged.
   */
  save(key: string, graph: { toJSON(): string } | string, meta?: Record<string, unknown>): Promise<StoredEntry>;
  /** The stored document text, or null. */
  load(key: string): Promise<string | null>;
  /** Metadata of every stored graph in key order (no document is read). */
  list(): Promise<StoredEntry[]>;
  /** Removes the graph under `key`; resolves to whether there was one. */
  delete(key: string): Promise<boolean>;
  /** Closes the connection (idempotent); later calls reject with `store.unavailable`. */
  close(): void;
}
