// The portal's worker: parses the partner's CSV, normalises and tokenises it
// in chunks with progress, and answers with tokens only. Raw rows stay in this
// worker's memory and are never posted back.
//
// Messages in:  {type: 'start', file, mapping: {column index: field}, definition, key: {id, secret}}
//               {type: 'cancel'}
// Messages out: {type: 'progress', done, total} · {type: 'done', rows, summary}
//               {type: 'cancelled'} · {type: 'error', code}
import init, { Pseudonymizer } from '/pkg/pseudolink.js';
import { parseCsv } from './csv.js';

const CHUNK = 2000;
let cancelled = false;

self.onmessage = async (ev) => {
  const msg = ev.data;
  if (msg.type === 'cancel') { cancelled = true; return; }
  if (msg.type !== 'start') return;
  cancelled = false;
  let p;
  try {
    await init();
    p = new Pseudonymizer([msg.key], msg.definition);
    const [, ...rows] = parseCsv(await msg.file.text());
    const records = rows
      .filter((r) => r.some((c) => c.trim() !== ''))
      .map((r) => {
        const rec = {};
        for (const [col, field] of Object.entries(msg.mapping)) if (field) rec[field] = r[Number(col)] ?? '';
        return rec;
      });
    const out = [];
    for (let i = 0; i < records.length; i += CHUNK) {
      if (cancelled) { self.postMessage({ type: 'cancelled' }); return; }
      out.push(...p.tokenizeBatch(records.slice(i, i + CHUNK)));
      self.postMessage({ type: 'progress', done: Math.min(i + CHUNK, records.length), total: records.length });
      // Yield so a cancel message can arrive between chunks.
      await new Promise((r) => setTimeout(r, 0));
    }
    const summary = {
      rows: out.length,
      tokenised: out.filter((r) => r.tokens.length > 0).length,
      withErrors: out.filter((r) => r.errors.length > 0).length,
      errorsByCode: out.flatMap((r) => r.errors).reduce((acc, e) => ({ ...acc, [e.code]: (acc[e.code] ?? 0) + 1 }), {}),
    };
    self.postMessage({ type: 'done', rows: out, summary });
  } catch (e) {
    self.postMessage({ type: 'error', code: e.code ?? 'portal.failed' });
  } finally {
    p?.free();
  }
};
