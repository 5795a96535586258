// pseudolink/link-worker: the module Web Worker behind `LinkWorker`
// (./worker.js). It runs the long batch work of the link entry (encoding a
// file, linking, deduplicating) off the page's main thread and reports
// progress as it goes. Raw records sent to it stay in this worker: only
// encodings, links and explanations are posted back. Hand-written, committed.
//
// Protocol (one request at a time per call id):
//   in : {id, op, args}        op: 'encode' | 'link' | 'dedupe' | 'linkMany' | 'explain'
//   out: {id, type: 'progress', stage, done, total}
//        {id, type: 'result', value}
//        {id, type: 'error', code, message, field?, row?}
import init, { RecordEncoder, Linker } from './pseudolink_link.js';

const ready = init();
/** Encoding yields to the event loop between chunks so a page stays informed. */
const CHUNK = 2000;

const ops = {
  async encode(id, { keys, definition, clkSchema, clkSecret, records }) {
    const enc = new RecordEncoder(keys, definition, clkSchema == null ? undefined : { clkSchema, clkSecret });
    try {
      const out = [];
      for (let i = 0; i < records.length; i += CHUNK) {
        out.push(...enc.encodeBatch(records.slice(i, i + CHUNK)));
        const done = Math.min(i + CHUNK, records.length);
        self.postMessage({ id, type: 'progress', stage: 'encode', done, total: records.length });
        await new Promise((r) => setTimeout(r, 0));
      }
      return out;
    } finally {
      enc.free();
    }
  },
  link: (id, { config, params, a, b }) => withLinker(config, params, (l) => l.link(a, b, { onProgress: progress(id) })),
  dedupe: (id, { config, params, records }) => withLinker(config, params, (l) => l.dedupe(records, { onProgress: progress(id) })),
  linkMany: (id, { config, params, sources }) => withLinker(config, params, (l) => l.linkMany(sources, { onProgress: progress(id) })),
  explain: (id, { config, params, a, b }) => withLinker(config, params, (l) => l.explain(a, b)),
};

function progress(id) {
  return ({ stage, done, total }) => self.postMessage({ id, type: 'progress', stage, done, total });
}

function withLinker(config, params, f) {
  const linker = new Linker(config ?? undefined);
  try {
    if (params) linker.setParams(params);
    return f(linker);
  } finally {
    linker.free();
  }
}

self.onmessage = async (ev) => {
  const { id, op, args } = ev.data ?? {};
  try {
    await ready;
    const f = ops[op];
    if (!f) throw Object.assign(new Error('unknown worker operation'), { code: 'worker.unknown_op' });
    const value = await f(id, args ?? {});
    self.postMessage({ id, type: 'result', value });
  } catch (e) {
    self.postMessage({
      id,
      type: 'error',
      code: typeof e?.code === 'string' ? e.code : 'worker.failed',
      message: String(e?.message ?? e),
      ...(e?.field ? { field: e.field } : {}),
      ...(Number.isInteger(e?.row) ? { row: e.row } : {}),
    });
  }
};
