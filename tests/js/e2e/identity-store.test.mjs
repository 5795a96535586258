// pseudolink/identity-store in headless Chromium and Firefox ESR (browsers.mjs;
// E2E_BROWSERS picks one): a page served by the real
// server (its strict CSP) saves identity-graph documents to IndexedDB, lists
// and loads them, finds them again after a reload, refuses what is not a graph
// document, and lets another tab delete the database. The graph class is not
// needed: any object with toJSON() returning the versioned document will do.
//
//   make pkg server && (cd tests/js && node --test e2e/identity-store.test.mjs)
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness } from './harness.mjs';
import { BROWSERS, startBrowserHarness } from './browsers.mjs';

const MODULE = '/pkg/identity-store.js';

test('Node has no IndexedDB: open() rejects with store.unavailable', async () => {
  // Through the package's export map, as an application would import it.
  const { IdentityStore, StoreError } = await import('pseudolink/identity-store');
  await assert.rejects(IdentityStore.open(), (e) => e instanceof StoreError && e.code === 'store.unavailable');
});

for (const browser of BROWSERS) describe(browser, () => {
  let h;
  let tab;
  before(async () => {
    h = await startBrowserHarness(browser);
    tab = await h.open('/');
  });
  after(async () => {
    await h?.close();
  });

  /**
   * Runs `fn(IdentityStore)` in `page`, with the module imported from the server
   * as a page would (the page's CSP applies to the import). Playwright evaluates
   * the composed source through DevTools, so it needs no 'unsafe-eval'.
   */
  function inPage(page, fn) {
    return page.evaluate(`(async () => {
      const { IdentityStore } = await import(${JSON.stringify(MODULE)});
      return (${fn.toString()})(IdentityStore);
    })()`);
  }

  test('save, list, load: two graphs coexist with their metadata', async () => {
    const out = await inPage(tab.page, async (IdentityStore) => {
      const graph = (nodes) => ({
        toJSON() {
          return JSON.stringify({ format: 'pseudolink-identity-graph', version: 1, nodes });
        },
      });
      const store = await IdentityStore.open();
      const before = Date.now();
      const a = await store.save('customers', graph([{ id: 'Zoë 😀' }]), { source: 'crm', rows: 2 });
      const b = await store.save('partners', graph([]).toJSON());
      const after = Date.now();
      const list = await store.list();
      const textA = await store.load('customers');
      const textB = await store.load('partners');
      const missing = await store.load('nobody');
      store.close();
      return {
        a, b, list, textA, textB, missing, before, after,
        // Independent of the store's own count: the browser's UTF-8 encoder.
        utf8A: new TextEncoder().encode(graph([{ id: 'Zoë 😀' }]).toJSON()).length,
        expectedA: graph([{ id: 'Zoë 😀' }]).toJSON(),
      };
    });
    assert.deepEqual(tab.errors, []);
    assert.equal(out.textA, out.expectedA);
    assert.equal(JSON.parse(out.textB).nodes.length, 0);
    assert.equal(out.missing, null);
    assert.equal(out.a.bytes, out.utf8A);
    assert.ok(out.a.bytes > out.textA.length, 'non-ASCII counted in UTF-8 bytes');
    assert.equal(out.b.bytes, out.textB.length);
    for (const e of [out.a, out.b]) {
      assert.equal(e.format, 'pseudolink-identity-graph');
      assert.equal(e.version, 1);
      assert.match(e.savedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      const t = Date.parse(e.savedAt);
      assert.ok(t >= out.before && t <= out.after, e.savedAt);
      assert.equal('document' in e, false);
    }
    assert.deepEqual(out.a.meta, { source: 'crm', rows: 2 });
    assert.equal('meta' in out.b, false);
    // list(): both, in key order, metadata only.
    assert.deepEqual(out.list, [out.a, out.b]);
  });

  test('a reload finds the saved graph again', async () => {
    await tab.page.reload({ waitUntil: 'networkidle' });
    const out = await inPage(tab.page, async (IdentityStore) => {
      const store = await IdentityStore.open();
      const text = await store.load('customers');
      const keys = (await store.list()).map((e) => e.key);
      store.close();
      return { text, keys };
    });
    assert.deepEqual(tab.errors, []);
    assert.deepEqual(JSON.parse(out.text), { format: 'pseudolink-identity-graph', version: 1, nodes: [{ id: 'Zoë 😀' }] });
    assert.deepEqual(out.keys, ['customers', 'partners']);
  });

  test('saving again replaces; delete removes one key and reports whether it existed', async () => {
    const out = await inPage(tab.page, async (IdentityStore) => {
      const store = await IdentityStore.open();
      const doc = JSON.stringify({ format: 'pseudolink-identity-graph', version: 2, nodes: [1, 2, 3] });
      const replaced = await store.save('customers', doc);
      const afterReplace = await store.list();
      const deleted = await store.delete('partners');
      const again = await store.delete('partners');
      const gone = await store.load('partners');
      const kept = await store.load('customers');
      const keys = (await store.list()).map((e) => e.key);
      store.close();
      return { replaced, afterReplace, deleted, again, gone, kept, doc, keys };
    });
    assert.equal(out.replaced.version, 2);
    assert.equal('meta' in out.afterReplace[0], false, 'the old meta went with the old document');
    assert.equal(out.afterReplace.length, 2);
    assert.equal(out.deleted, true);
    assert.equal(out.again, false);
    assert.equal(out.gone, null);
    assert.equal(out.kept, out.doc);
    assert.deepEqual(out.keys, ['customers']);
  });

  test('what is not a graph document is refused with store.not_a_graph, without echoing it', async () => {
    const out = await inPage(tab.page, async (IdentityStore) => {
      const store = await IdentityStore.open('pseudolink-refusals');
      const secret = 'jane.doe@example.com';
      const cases = {
        notJson: `{"format": "x", "version": 1, "email": ${secret}}`,
        array: JSON.stringify([{ format: 'x', version: 1, email: secret }]),
        noFormat: JSON.stringify({ version: 1, email: secret }),
        numericFormat: JSON.stringify({ format: 7, version: 1 }),
        fractionalVersion: JSON.stringify({ format: 'x', version: 1.5, email: secret }),
        stringVersion: JSON.stringify({ format: 'x', version: '1' }),
        nullText: null,
        plainObject: { format: 'x', version: 1 },
        toJsonObject: { toJSON: () => ({ format: 'x', version: 1 }) },
      };
      const got = {};
      for (const [name, g] of Object.entries(cases)) {
        got[name] = await store.save('k', g).then(() => 'saved', (e) => ({ code: e.code, leaks: e.message.includes(secret) }));
      }
      const args = {
        emptyKey: await store.save('', '{"format":"x","version":1}').then(() => 'saved', (e) => e.code),
        numberKey: await store.load(7).then(() => 'loaded', (e) => e.code),
        arrayMeta: await store.save('k', '{"format":"x","version":1}', [1]).then(() => 'saved', (e) => e.code),
        functionMeta: await store.save('k', '{"format":"x","version":1}', { f() {} }).then(() => 'saved', (e) => e.code),
      };
      const stored = (await store.list()).length;
      store.close();
      const closed = await store.list().then(() => 'listed', (e) => e.code);
      return { got, args, stored, closed };
    });
    for (const [name, r] of Object.entries(out.got)) {
      assert.deepEqual(r, { code: 'store.not_a_graph', leaks: false }, name);
    }
    assert.deepEqual(out.args, {
      emptyKey: 'store.invalid_argument',
      numberKey: 'store.invalid_argument',
      arrayMeta: 'store.invalid_argument',
      functionMeta: 'store.invalid_argument',
    });
    assert.equal(out.stored, 0, 'nothing refused was written');
    assert.equal(out.closed, 'store.unavailable');
    assert.deepEqual(tab.errors, []);
  });

  test('another tab can delete the database: the open store closes instead of blocking it', async () => {
    const other = await h.open('/');
    try {
      await inPage(tab.page, async (IdentityStore) => {
        const store = await IdentityStore.open('pseudolink-shared');
        await store.save('g', '{"format":"x","version":1}');
        // Kept open on purpose: the other tab's delete must not wait for it.
        globalThis.__openStore = store;
      });
      const deleted = await other.page.evaluate(() => new Promise((resolve) => {
        const req = indexedDB.deleteDatabase('pseudolink-shared');
        // "blocked" fires only if a connection is still open after its versionchange event.
        req.onblocked = () => resolve({ blocked: true, ok: false });
        req.onsuccess = () => resolve({ blocked: false, ok: true });
        req.onerror = () => resolve({ blocked: false, ok: false });
      }));
      assert.deepEqual(deleted, { blocked: false, ok: true });
      const after = await tab.page.evaluate(() => globalThis.__openStore
        .save('g', '{"format":"x","version":1}').then(() => 'saved', (e) => e.code));
      assert.equal(after, 'store.unavailable');
      assert.deepEqual(other.errors, []);
    } finally {
      await other.page.close();
    }
  });

  test('open() refuses a newer or foreign database with store.unavailable', async () => {
    const out = await inPage(tab.page, async (IdentityStore) => {
      const raw = (name, version) => new Promise((resolve, reject) => {
        const req = version ? indexedDB.open(name, version) : indexedDB.open(name);
        req.onsuccess = () => { req.result.close(); resolve(); };
        req.onerror = () => reject(req.error);
      });
      await raw('pseudolink-newer', 5);     // as if a later version of the store had upgraded it
      await raw('pseudolink-foreign');      // version 1, but none of the store's object stores
      const code = (name) => IdentityStore.open(name).then((s) => { s.close(); return 'opened'; }, (e) => e.code);
      return { newer: await code('pseudolink-newer'), foreign: await code('pseudolink-foreign'), empty: await code('') };
    });
    assert.deepEqual(out, { newer: 'store.unavailable', foreign: 'store.unavailable', empty: 'store.invalid_argument' });
    assert.deepEqual(tab.errors, []);
  });

  // Chromium only: the quota override is Chromium's DevTools protocol
  // (Storage.overrideQuotaForOrigin); Firefox has no per-origin override, and
  // its smallest group limit (10 MB) is a different test.
  test('a full quota is reported as store.quota_exceeded and leaves the old graph intact',
    { skip: browser !== 'chromium' && 'the quota override needs Chromium\'s DevTools protocol' }, async () => {
    // Chromium's DevTools protocol can shrink an origin's quota, but IndexedDB
    // caches the space left once the origin has used it: a fresh server (a new
    // origin) and browser, with the override set before the first write.
    const q = await startHarness();
    try {
      const { page, errors } = await q.open('/');
      const cdp = await q.context.newCDPSession(page);
      await cdp.send('Storage.overrideQuotaForOrigin', { origin: new URL(q.url).origin, quotaSize: 256 * 1024 });
      const out = await inPage(page, async (IdentityStore) => {
        const store = await IdentityStore.open();
        await store.save('g', JSON.stringify({ format: 'x', version: 1, nodes: [] }));
        // 2 MB of random hex: Chromium compresses large values, so a repeated letter would fit.
        const hex = () => Array.from(crypto.getRandomValues(new Uint8Array(65536)), (b) => b.toString(16).padStart(2, '0')).join('');
        const big = JSON.stringify({ format: 'x', version: 2, nodes: Array.from({ length: 16 }, hex) });
        const code = await store.save('g', big).then(() => 'saved', (e) => e.code);
        const kept = JSON.parse(await store.load('g')).version;
        const listed = (await store.list()).map((e) => e.version);
        store.close();
        return { code, kept, listed };
      });
      assert.deepEqual(out, { code: 'store.quota_exceeded', kept: 1, listed: [1] });
      assert.deepEqual(errors, []);
    } finally {
      await q.close();
    }
  });
});
