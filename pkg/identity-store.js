// pseudolink/identity-store: keeps identity-graph documents in the browser's
// IndexedDB, so a portal finds its customer directory again on the next visit.
// Hand-written, committed, no dependencies. It never looks inside a graph: it
// stores the versioned JSON document text (`IdentityGraph#toJSON()`) and reads
// only its top-level `format` and `version`.
//
// Layout (database version 1): object store "graphs" holds one record per key,
// {key, savedAt, bytes, format, version, meta?, document}; object store
// "entries" holds the same record without the document, written in the same
// transaction, so `list()` never reads (or deserialises) a document.

const DEFAULT_DB = 'pseudolink';
const DB_VERSION = 1;
const GRAPHS = 'graphs';
const ENTRIES = 'entries';
/** Only open() constructs a store. */
const OPEN = Symbol('IdentityStore.open');

/** A failure of the store: `code` is stable; the message never holds document or meta contents. */
export class StoreError extends Error {
  constructor(code, message) {
    super(message);
    this.name = 'StoreError';
    this.code = code;
  }
}

const CLOSED = 'the store is closed (close() was called, or another tab upgraded or deleted the database); open it again';

/**
 * Maps an IndexedDB DOMException to a StoreError by its name only: browsers
 * put values into some messages (DataCloneError quotes the uncloneable value).
 */
function fromDomError(err, during) {
  const name = err?.name ?? 'UnknownError';
  if (name === 'QuotaExceededError') {
    return new StoreError('store.quota_exceeded', `${during}: the site's storage quota is exhausted`);
  }
  if (name === 'InvalidStateError') return new StoreError('store.unavailable', `${during}: ${CLOSED}`);
  return new StoreError('store.failed', `${during} failed (${name})`);
}

function checkKey(key) {
  if (typeof key !== 'string' || key === '') {
    throw new StoreError('store.invalid_argument', 'key must be a non-empty string');
  }
}

/** A copy of `meta` as IndexedDB will store it; refuses what it cannot store. */
function copyMeta(meta) {
  if (meta === undefined) return undefined;
  if (Object.prototype.toString.call(meta) !== '[object Object]') {
    throw new StoreError('store.invalid_argument', 'meta must be a plain object');
  }
  try {
    return structuredClone(meta);
  } catch {
    throw new StoreError('store.invalid_argument', 'meta holds a value that cannot be stored (functions, DOM nodes, symbols…)');
  }
}

/** UTF-8 length of a string without encoding it (lone surrogates count as U+FFFD, as TextEncoder writes them). */
function utf8Length(s) {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4;
        i++;
      } else n += 3;
    } else n += 3;
  }
  return n;
}

/**
 * The document text and its top-level `format` and `version`. Only those two
 * fields are read: the store must keep working whatever a graph version adds.
 */
function readDocument(graph) {
  const notAGraph = (why) => new StoreError('store.not_a_graph', `not a graph document: ${why}`);
  let text;
  if (typeof graph === 'string') text = graph;
  else if (graph !== null && typeof graph === 'object' && typeof graph.toJSON === 'function') {
    text = graph.toJSON();
    if (typeof text !== 'string') throw notAGraph('toJSON() did not return a string');
  } else {
    throw notAGraph('expected a graph with toJSON() or its document text');
  }
  let doc;
  try {
    doc = JSON.parse(text);
  } catch {
    // The SyntaxError's message quotes the text: do not pass it on.
    throw notAGraph('the text is not JSON');
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw notAGraph('not a JSON object');
  const { format, version } = doc;
  if (typeof format !== 'string' || format === '') throw notAGraph('no string "format"');
  if (!Number.isSafeInteger(version)) throw notAGraph('no integer "version"');
  return { text, format, version };
}

/** Persists identity-graph documents in IndexedDB. Get one with `IdentityStore.open()`. */
export class IdentityStore {
  #db;

  /** @private use IdentityStore.open() */
  constructor(db, token) {
    if (token !== OPEN) throw new TypeError('use IdentityStore.open()');
    this.#db = db;
    // Another tab wants to upgrade or delete the database: let it, instead of
    // blocking it until this page is closed. Later calls reject with store.unavailable.
    db.onversionchange = () => this.close();
    // The browser closed the connection itself (storage cleared, disk error).
    db.onclose = () => {
      this.#db = null;
    };
  }

  /**
   * Opens (creating or upgrading) the database `dbName`, default "pseudolink".
   * Rejects with `store.unavailable` when IndexedDB is missing or refused
   * (some private modes, sandboxed frames, Node), when another tab blocks the
   * upgrade, or when the database belongs to something else.
   */
  static open(dbName = DEFAULT_DB) {
    return new Promise((resolve, reject) => {
      if (typeof dbName !== 'string' || dbName === '') {
        reject(new StoreError('store.invalid_argument', 'dbName must be a non-empty string'));
        return;
      }
      const unavailable = (why) => new StoreError('store.unavailable', `IndexedDB unavailable: ${why}`);
      let request;
      try {
        const factory = globalThis.indexedDB;
        if (!factory) {
          reject(unavailable('no indexedDB in this context (private mode, non-browser runtime?)'));
          return;
        }
        request = factory.open(dbName, DB_VERSION);
      } catch (e) {
        // SecurityError: opaque origins, sandboxed frames, storage disabled.
        reject(unavailable(`open refused (${e?.name ?? 'error'})`));
        return;
      }
      let settled = false;
      request.onupgradeneeded = () => {
        const db = request.result;
        for (const name of [GRAPHS, ENTRIES]) {
          if (!db.objectStoreNames.contains(name)) db.createObjectStore(name, { keyPath: 'key' });
        }
      };
      request.onsuccess = () => {
        const db = request.result;
        // Settled already (blocked, then unblocked): nobody holds this connection.
        if (settled) {
          db.close();
          return;
        }
        settled = true;
        if (!db.objectStoreNames.contains(GRAPHS) || !db.objectStoreNames.contains(ENTRIES)) {
          db.close();
          reject(unavailable('a database with this name exists without the store\'s object stores; use another dbName'));
          return;
        }
        resolve(new IdentityStore(db, OPEN));
      };
      request.onerror = (ev) => {
        ev.preventDefault();
        if (settled) return;
        settled = true;
        const name = request.error?.name ?? 'error';
        reject(unavailable(name === 'VersionError'
          ? 'the database was written by a newer version of this store'
          : `open failed (${name})`));
      };
      request.onblocked = () => {
        if (settled) return;
        settled = true;
        reject(unavailable('another tab keeps an older version of the database open; close it and retry'));
      };
    });
  }

  /**
   * One transaction over `stores`; resolves with what `body` hands to `done`
   * once the transaction completes. Writes ask for "strict" durability, so a
   * resolved save is on disk, not only in the browser's write-back cache.
   */
  #transact(stores, mode, during, body) {
    const db = this.#db;
    if (!db) return Promise.reject(new StoreError('store.unavailable', `${during}: ${CLOSED}`));
    return new Promise((resolve, reject) => {
      let tx;
      try {
        tx = db.transaction(stores, mode, mode === 'readwrite' ? { durability: 'strict' } : undefined);
      } catch (e) {
        reject(fromDomError(e, during));
        return;
      }
      let result;
      let failure = null;
      tx.oncomplete = () => resolve(result);
      tx.onabort = () => reject(failure ?? fromDomError(tx.error, during));
      try {
        body(tx, (value) => {
          result = value;
        });
      } catch (e) {
        failure = e instanceof StoreError ? e : fromDomError(e, during);
        try {
          tx.abort();
        } catch {
          // Already finished: onabort or oncomplete has run or will run.
        }
      }
    });
  }

  /**
   * Saves a graph (anything with `toJSON(): string`, or the document text)
   * under `key`, replacing what was there, with optional `meta`. Resolves with
   * the stored metadata once the transaction has committed.
   */
  async save(key, graph, meta) {
    checkKey(key);
    const { text, format, version } = readDocument(graph);
    const metaCopy = copyMeta(meta);
    const entry = { key, savedAt: new Date().toISOString(), bytes: utf8Length(text), format, version };
    if (metaCopy !== undefined) entry.meta = metaCopy;
    await this.#transact([GRAPHS, ENTRIES], 'readwrite', 'save', (tx) => {
      tx.objectStore(GRAPHS).put({ ...entry, document: text });
      tx.objectStore(ENTRIES).put(entry);
    });
    // IndexedDB stored clones: `entry` and its meta copy belong to the caller now.
    return entry;
  }

  /** The document text stored under `key`, or null. Load it with `IdentityGraph.fromJSON(text)`. */
  async load(key) {
    checkKey(key);
    return this.#transact([GRAPHS], 'readonly', 'load', (tx, done) => {
      const req = tx.objectStore(GRAPHS).get(key);
      req.onsuccess = () => done(req.result ? req.result.document : null);
    });
  }

  /** Metadata of every stored graph, in key order; no document is read. */
  async list() {
    return this.#transact([ENTRIES], 'readonly', 'list', (tx, done) => {
      const req = tx.objectStore(ENTRIES).getAll();
      req.onsuccess = () => done(req.result);
    });
  }

  /** Removes the graph under `key`; resolves to whether there was one. */
  async delete(key) {
    checkKey(key);
    return this.#transact([GRAPHS, ENTRIES], 'readwrite', 'delete', (tx, done) => {
      const entries = tx.objectStore(ENTRIES);
      const req = entries.count(key);
      req.onsuccess = () => done(req.result > 0);
      entries.delete(key);
      tx.objectStore(GRAPHS).delete(key);
    });
  }

  /** Closes the connection (idempotent). Later calls reject with `store.unavailable`. */
  close() {
    const db = this.#db;
    this.#db = null;
    db?.close();
  }
}
