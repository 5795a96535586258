// `pseudolink/worker` in headless Chromium and Firefox ESR (browsers.mjs;
// E2E_BROWSERS picks one): `LinkWorker` runs the link entry
// in a module Web Worker served by the real server (same origin, the pages'
// strict CSP), encodes records with progress, links them, explains a link,
// and rejects pending work with `worker.cancelled` when cancelled.
//
//   make pkg server && (cd tests/js && node --test e2e/link-worker.test.mjs)
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BROWSERS, startBrowserHarness } from './browsers.mjs';

for (const browser of BROWSERS) describe(browser, () => {
  let h;
  before(async () => { h = await startBrowserHarness(browser); });
  after(async () => { await h?.close(); });

  test('LinkWorker encodes, links, explains and cancels off the main thread', async () => {
    const { page, errors } = await h.open('/');
    const out = await page.evaluate(async () => {
      const { LinkWorker } = await import('/pkg/worker.js');
      const first = ['Anna', 'Bernd', 'Clara', 'David', 'Emma', 'Felix', 'Greta', 'Hanna', 'Ivan', 'Jonas'];
      const last = ['Meyer', 'Schulz', 'Novak', 'Kowalski', 'Garcia', 'Rossi', 'Dubois', 'Jensen', 'Smith', 'Olsen'];
      const people = [];
      for (let i = 0; i < 100; i++) {
        people.push({
          firstName: first[i % 10], lastName: last[Math.floor(i / 10)],
          email: `p${i}@example.com`, phone: `+1 415 555 ${String(1000 + i)}`,
          street: `${10 + i} Main St`, city: 'Springfield', postalCode: '62701',
          dateOfBirth: `1980-0${1 + (i % 9)}-1${i % 10}`,
        });
      }
      const a = people.map((p, i) => ({ id: `a${i}`, ...p }));
      // B: the same people, e-mail changed and a swapped letter in the last name.
      const b = people.map((p, i) => ({
        id: `b${i}`, ...p, email: `new${i}@example.org`,
        lastName: p.lastName.slice(0, 2) + p.lastName[3] + p.lastName[2] + p.lastName.slice(4),
      }));
      const keys = [{ id: 'k1', secret: new Uint8Array(32).fill(7) }];
      const definition = { version: 1, fields: ['email', 'phone', 'firstName', 'lastName', 'dateOfBirth'], defaultRegion: 'US' };
      const w = new LinkWorker();
      const progress = [];
      const args = { keys, definition, clkSchema: 'default', clkSecret: new Uint8Array(32).fill(3) };
      const ea = await w.encode({ ...args, records: a }, { onProgress: (p) => progress.push(p) });
      const eb = await w.encode({ ...args, records: b });
      const stages = new Set();
      const r = await w.link(ea, eb, { onProgress: (p) => stages.add(p.stage) });
      const correct = r.links.filter((l) => l.a.slice(1) === l.b.slice(1)).length;
      const e = await w.explain(ea[0], eb[0], { params: r.params });
      // Cancel: a pending call rejects with a typed code, and the worker restarts on demand.
      const pending = w.link(ea, eb);
      w.cancel();
      const cancelled = await pending.then(() => 'resolved', (err) => err.code);
      const again = await w.link(ea.slice(0, 10), eb.slice(0, 10), { params: r.params });
      const bad = await w.link([{ id: 'x', clks: { record: '***' } }], eb).then(() => 'resolved', (err) => err.code);
      w.terminate();
      return {
        encoded: ea.length, lastProgress: progress.at(-1), hasClks: !!ea[0].clks.lastName,
        rawInEncodings: JSON.stringify(ea).includes('p0@example.com'),
        links: r.links.length, correct, stages: [...stages], contributions: e.contributions.length,
        cancelled, againLinks: again.links.length, bad,
      };
    });
    assert.deepEqual(errors, []);
    assert.equal(out.encoded, 100);
    assert.deepEqual(out.lastProgress, { stage: 'encode', done: 100, total: 100 });
    assert.ok(out.hasClks);
    assert.equal(out.rawInEncodings, false);
    assert.ok(out.correct >= 90, `${out.correct} of ${out.links} links correct`);
    assert.ok(out.correct / out.links > 0.95);
    assert.ok(out.stages.includes('em') && out.stages.includes('solve'), out.stages.join());
    assert.ok(out.contributions > 3);
    assert.equal(out.cancelled, 'worker.cancelled');
    assert.ok(out.againLinks >= 9);
    assert.equal(out.bad, 'link.bad_base64');
  });
});
