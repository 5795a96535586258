// pseudolink/worker: a promise API over the link worker (./link-worker.js),
// so a page can encode, link and deduplicate large files without freezing.
// Hand-written, committed. Browsers only (module workers); in Node call the
// link entry directly.

/** An error from the worker: `code` is stable (the same codes as the link entry). */
export class WorkerError extends Error {
  constructor(code, message, details = {}) {
    super(message);
    this.name = 'WorkerError';
    this.code = code;
    Object.assign(this, details);
  }
}

export class LinkWorker {
  #worker = null;
  #url;
  #next = 1;
  #pending = new Map();

  /** @param {{url?: string | URL}} [options] where link-worker.js is served (default: beside this file) */
  constructor({ url } = {}) {
    this.#url = url ?? new URL('./link-worker.js', import.meta.url);
  }

  #ensure() {
    if (this.#worker) return this.#worker;
    const w = new Worker(this.#url, { type: 'module' });
    w.onmessage = (ev) => {
      const m = ev.data;
      const p = this.#pending.get(m.id);
      if (!p) return;
      if (m.type === 'progress') {
        p.onProgress?.({ stage: m.stage, done: m.done, total: m.total });
        return;
      }
      this.#pending.delete(m.id);
      if (m.type === 'result') p.resolve(m.value);
      else p.reject(new WorkerError(m.code, m.message, { field: m.field, row: m.row }));
    };
    w.onerror = (ev) => {
      ev.preventDefault?.();
      this.#failAll('worker.failed', 'the link worker failed to start or crashed');
    };
    this.#worker = w;
    return w;
  }

  #call(op, args, onProgress) {
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject, onProgress });
      this.#ensure().postMessage({ id, op, args });
    });
  }

  #failAll(code, message) {
    for (const p of this.#pending.values()) p.reject(new WorkerError(code, message));
    this.#pending.clear();
  }

  /** Normalises, tokenises and CLK-encodes records (each may carry an `id`). */
  encode(args, { onProgress } = {}) {
    return this.#call('encode', args, onProgress);
  }

  /** One-to-one links between two encoded datasets. */
  link(a, b, { config, params, onProgress } = {}) {
    return this.#call('link', { a, b, config, params }, onProgress);
  }

  /** Clusters of one encoded dataset. */
  dedupe(records, { config, params, onProgress } = {}) {
    return this.#call('dedupe', { records, config, params }, onProgress);
  }

  /** Entities across several encoded datasets. */
  linkMany(sources, { config, params, onProgress } = {}) {
    return this.#call('linkMany', { sources, config, params }, onProgress);
  }

  /** The per-comparison explanation of one pair under given parameters. */
  explain(a, b, { config, params } = {}) {
    return this.#call('explain', { a, b, config, params });
  }

  /** Stops the work in progress: pending calls reject with `worker.cancelled`. */
  cancel() {
    this.#worker?.terminate();
    this.#worker = null;
    this.#failAll('worker.cancelled', 'cancelled');
  }

  /** Ends the worker. */
  terminate() {
    this.cancel();
  }
}
