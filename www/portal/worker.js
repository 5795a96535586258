// The portal's worker. It holds the company's customer directory as an
// identity graph (persons, households, corporate families, orders and
// invoices, all pseudonymised) and links partner files against it.
//
// Directory: on 'open' it loads the graph this browser stored on an earlier
// visit (IndexedDB, pkg/identity-store.js); without one it fetches the demo
// directory, builds the graph (the first resolve trains the linking model on
// the directory itself), and stores it. The page gets summaries only: counts,
// entity ids, values; households, corporate families, value per view, segments.
//
// Partner file: parsed, normalised, tokenised and CLK-encoded in chunks, then
// linked against the directory's CRM persons (EM-trained Fellegi–Sunter
// model, no labels). Then its rows join a scratch copy of the graph (system
// `partner`, channel `portal`), loaded from the stored document text, so the
// page can say how many rows are known customers, live in a known household
// or are contacts of a corporate family. The scratch copy is dropped: partner
// rows never reach the stored directory. Raw rows stay in this worker's memory
// and are never posted back; downloads are made of encodings only.
//
// Messages in:  {type: 'open', directoryUrl, forget?: true}
//               {type: 'view', view}                 value roll-up of one customer view
//               {type: 'segments', view, text}       segment rules as JSON text
//               {type: 'start', file, mapping: {column index: field}, definition,
//                key: {id, secret}, clkSecret}
//               {type: 'export', what: 'pseudonymised' | 'links', format: 'csv' | 'json'}
// Messages out: {type: 'directoryProgress', stage, done, total}
//               {type: 'directory', source: 'stored' | 'built', savedAt, stored, bytes, storeError, summary}
//               {type: 'directoryError', code}
//               {type: 'view', view, customers, kinds, top, tiers, totals} / {type: 'viewError', code}
//               {type: 'segments', view, customers, total, segments} / {type: 'segmentsError', code}
//               {type: 'progress', stage, done, total}     (graph stages: 'graph', 'graph.<resolve stage>')
//               {type: 'done', summary, links, stats}
//               {type: 'overlay', overlay} | {type: 'overlay', error}
//               {type: 'export', name, mime, blob}
//               {type: 'error', code}
// Cancelling is terminating the worker (linking is one long wasm call); the
// page's next worker loads the stored directory again.
import init, { RecordEncoder, Linker, IdentityGraph, parseToken } from '/pkg/pseudolink_identity.js';
import { IdentityStore } from '/pkg/identity-store.js';
import { parseCsv, toCsv } from './csv.js';

const CHUNK = 2000;
/** Pairs below this are still reported (for the histogram); links are the pairs at ≥ LINKED. */
const REPORT_FLOOR = 1e-4;
const LINKED = 0.5;
/** The directory file format this worker reads, and the store key of its graph. */
const DIRECTORY_FORMAT = 'pseudolink-directory/2';
const STORE_KEY = 'portal-directory';
/** The partner's rows in the graph. */
const PARTNER = { system: 'partner', channel: 'portal' };
/** Identifying token subjects: a row sharing none with the directory cannot join anything in it. */
const JOINING = /^p[lo]1\.(email|phone|mk-[A-Za-z]+)\./;
const VIEWS = ['billing', 'service', 'sales', 'group', 'household'];
const TOP = 12;

let encoded = null;
let links = null;
let keyId = '';
/** {graph, text, entry, source, linkSystem, persons, summary} once opened. */
let directory = null;
let opening = null;

const tick = () => new Promise((r) => setTimeout(r, 0));
const post = (m) => self.postMessage(m);
const fail = (code) => Object.assign(new Error(code), { code });

// ---------------------------------------------------------------- directory

async function openStore() {
  try {
    return await IdentityStore.open();
  } catch (e) {
    return { error: e?.code ?? 'store.unavailable' };
  }
}

/** Builds the directory graph from the demo file, with progress. */
async function build(url) {
  post({ type: 'directoryProgress', stage: 'fetch', done: 0, total: 1 });
  const res = await fetch(url);
  if (!res.ok) throw fail('portal.directory_unavailable');
  const body = await res.json();
  if (body.format !== DIRECTORY_FORMAT) throw fail('portal.directory_format');
  const graph = new IdentityGraph();
  try {
    const { records, hierarchy } = body.graph;
    // In slices, so progress reaches the page between them.
    for (let i = 0; i < records.length; i += 4 * CHUNK) {
      graph.addRecords(records.slice(i, i + 4 * CHUNK));
      post({ type: 'directoryProgress', stage: 'add', done: Math.min(i + 4 * CHUNK, records.length), total: records.length });
      await tick();
    }
    graph.addHierarchy(hierarchy);
    graph.resolve({ onProgress: ({ stage, done, total }) => post({ type: 'directoryProgress', stage: `resolve.${stage}`, done, total }) });
  } catch (e) {
    graph.free();
    throw e;
  }
  return { graph, linkSystem: body.linkSystem ?? 'crm', records: body.graph.records };
}

/**
 * The directory's graph: the stored one, else built from the demo file and
 * stored. `forget` deletes the stored one first.
 */
async function open({ directoryUrl, forget }) {
  await init();
  directory?.graph.free();
  directory = null;
  const store = await openStore();
  let storeError = store.error ?? null;
  try {
    let loaded = null;
    if (!storeError) {
      try {
        if (forget) await store.delete(STORE_KEY);
        const entry = (await store.list()).find((e) => e.key === STORE_KEY && e.meta?.directory === DIRECTORY_FORMAT);
        const text = entry ? await store.load(STORE_KEY) : null;
        if (text) {
          post({ type: 'directoryProgress', stage: 'load', done: 0, total: 1 });
          loaded = { graph: IdentityGraph.fromJSON(text), text, entry, linkSystem: entry.meta.linkSystem ?? 'crm' };
        }
      } catch (e) {
        // A store that fails, or a document this release cannot read (another
        // graph version): build again, and replace it if the store works.
        if (e?.code?.startsWith('store.')) storeError = e.code;
      }
    }
    if (loaded) {
      directory = { ...loaded, source: 'stored', persons: null };
    } else {
      const { graph, linkSystem, records } = await build(directoryUrl);
      post({ type: 'directoryProgress', stage: 'save', done: 0, total: 1 });
      const text = graph.toJSON();
      let entry = null;
      if (!storeError) {
        try {
          entry = await store.save(STORE_KEY, text, { directory: DIRECTORY_FORMAT, source: directoryUrl, linkSystem });
        } catch (e) {
          storeError = e?.code ?? 'store.failed';
        }
      }
      directory = { graph, text, entry, source: 'built', linkSystem, persons: personsOf(records, linkSystem) };
    }
  } finally {
    store.close?.();
  }
  const { entry, text, source } = directory;
  directory.summary = directorySummary(directory.graph);
  post({
    type: 'directory', source, stored: !!entry,
    savedAt: entry?.savedAt ?? null, bytes: entry?.bytes ?? text.length, storeError, summary: directory.summary,
  });
}

/** A customer's numbers for the page. */
function value(c) {
  const m = c?.measures ?? {};
  return {
    revenue: m.revenue ?? 0, contribution: m.contribution ?? 0, transactions: m.transactions ?? 0,
    transactionsPerMonth: m.transactionsPerMonth ?? 0, interactions: m.interactions ?? 0, records: m.records ?? 0,
  };
}

/** Contribution of each customer of a view, by entity id. */
function byEntity(graph, view) {
  return new Map(graph.rollup(view).customers.map((c) => [c.entity, c]));
}

/** What the page shows of the directory: counts, households, corporate families. */
function directorySummary(graph) {
  const counts = graph.counts();
  const household = byEntity(graph, 'household');
  const multi = [];
  let peopleInMulti = 0;
  for (const id of graph.entityIds('household')) {
    const e = graph.entity(id);
    if (e.persons.length < 2) continue;
    peopleInMulti += e.persons.length;
    multi.push({ id, persons: e.persons.length, ...value(household.get(id)) });
  }
  multi.sort((a, b) => b.contribution - a.contribution || (a.id < b.id ? -1 : 1));
  const householdSizes = {};
  for (const h of multi) householdSizes[h.persons] = (householdSizes[h.persons] ?? 0) + 1;

  // Corporate families: every root organisation with children, as a tree,
  // each node with its value in the view that counts it.
  const group = byEntity(graph, 'group');
  const sales = byEntity(graph, 'sales');
  const billing = byEntity(graph, 'billing');
  const service = byEntity(graph, 'service');
  const rolesOf = new Map();
  for (const r of graph.roles()) {
    if (!rolesOf.has(r.organisation)) rolesOf.set(r.organisation, []);
    rolesOf.get(r.organisation).push(r.role);
  }
  const node = (id, relation, depth) => {
    const e = graph.entity(id);
    const v = e.kind === 'legalEntity' && depth === 0 ? group.get(id)
      : e.kind === 'site' ? null : sales.get(id);
    const out = { id, kind: e.kind, relation, roles: rolesOf.get(id) ?? [], ...value(v) };
    if (e.kind === 'site') {
      // A site is a bill-to, a ship-to or both: what its invoices say.
      out.billed = value(billing.get(id)).revenue;
      out.shipped = value(service.get(id)).revenue;
    }
    const size = (t) => t.revenue || t.billed || t.shipped || 0;
    out.children = depth < 3 ? (e.children ?? []).map((c) => node(c.id, c.relation, depth + 1))
      .sort((a, b) => size(b) - size(a) || (a.id < b.id ? -1 : 1)) : [];
    return out;
  };
  const roots = graph.entityIds('legalEntity').map((id) => graph.entity(id)).filter((e) => !e.parent);
  const families = roots.filter((e) => e.children?.length).map((e) => node(e.id, null, 0))
    .sort((a, b) => b.contribution - a.contribution);
  const count = (tree) => {
    const all = [];
    const walk = (t) => { all.push(t); t.children.forEach(walk); };
    walk(tree);
    return { units: all.filter((t) => t.kind === 'businessUnit').length, sites: all.filter((t) => t.kind === 'site').length, organisations: all.length };
  };
  for (const f of families) Object.assign(f, count(f));

  const totals = graph.rollup('billing').totals;
  return {
    counts: {
      records: graph.size, persons: counts.person ?? 0, households: counts.household ?? 0,
      multiHouseholds: multi.length, peopleInMulti,
      legalEntities: counts.legalEntity ?? 0, businessUnits: counts.businessUnit ?? 0, sites: counts.site ?? 0,
      families: families.length, standaloneCompanies: roots.length - families.length,
      interactions: totals.interactions ?? 0, revenue: totals.revenue ?? 0, contribution: totals.contribution ?? 0,
    },
    households: multi.slice(0, 10),
    householdSizes,
    families,
  };
}

/** The top customers of a view, its tiers and totals. */
function viewSummary(view) {
  if (!VIEWS.includes(view)) throw fail('identity.unknown_view');
  const r = directory.graph.rollup(view);
  const kinds = {};
  for (const c of r.customers) kinds[c.kind] = (kinds[c.kind] ?? 0) + 1;
  return {
    view,
    customers: r.customers.length,
    kinds,
    top: r.customers.slice(0, TOP).map((c) => ({ entity: c.entity, kind: c.kind, tier: c.tier, ...value(c) })),
    tiers: r.tiers,
    totals: value({ measures: r.totals }),
  };
}

/** Business-rule segments of a view, from the JSON text the user edits. */
function segments(view, text) {
  let rules;
  try {
    rules = JSON.parse(text);
  } catch {
    throw fail('portal.invalid_json');
  }
  const r = directory.graph.segments({ view, segments: rules });
  const all = directory.graph.rollup(view);
  return {
    view,
    customers: all.customers.length,
    total: all.totals.contribution ?? 0,
    segments: r.segments.map((s) => ({ name: s.name, customers: s.customers.length, ...value({ measures: s.totals }), sample: s.customers.slice(0, 3) })),
  };
}

// ---------------------------------------------------------------- partner file

/**
 * The directory's person records: the CRM persons a partner row is linked
 * against (`link`), and every person record's key (`refs`).
 */
function personsOf(records, linkSystem) {
  const people = records.filter((r) => (r.kind ?? 'person') === 'person');
  return {
    link: people.filter((r) => r.system === linkSystem)
      .map(({ id, tokens, matchKeys, clks }) => ({ id, tokens: tokens ?? [], matchKeys: matchKeys ?? [], clks: clks ?? {} })),
    refs: people.map(({ system, channel, id }) => ({ system, channel: channel ?? '', id })),
  };
}

/** The directory's person records; a stored directory's come from its document (GraphRecords). */
function persons() {
  directory.persons ??= personsOf(JSON.parse(directory.text).records ?? [], directory.linkSystem);
  return directory.persons;
}

async function start(msg) {
  const t0 = performance.now();
  await init();
  keyId = msg.key.id;
  encoded = null;
  links = null;
  post({ type: 'progress', stage: 'read', done: 0, total: 1 });
  const [, ...rows] = parseCsv(await msg.file.text());
  const cols = Object.entries(msg.mapping).filter(([, f]) => f).map(([c, f]) => [Number(c), f]);
  const records = [];
  rows.forEach((r, i) => {
    if (!r.some((c) => c.trim() !== '')) return;
    // The partner's record id is its data row number (1 = first row under the header).
    const rec = { id: String(i + 1) };
    for (const [col, field] of cols) rec[field] = r[col] ?? '';
    records.push(rec);
  });

  const enc = new RecordEncoder([msg.key], msg.definition, { clkSchema: 'default', clkSecret: msg.clkSecret });
  const out = [];
  try {
    for (let i = 0; i < records.length; i += CHUNK) {
      for (const r of enc.encodeBatch(records.slice(i, i + CHUNK), {})) out.push(r);
      post({ type: 'progress', stage: 'encode', done: Math.min(i + CHUNK, records.length), total: records.length });
      await tick();
    }
  } finally {
    enc.free();
  }
  records.length = 0;
  encoded = out;
  const t1 = performance.now();

  post({ type: 'progress', stage: 'directory', done: 0, total: 1 });
  await opening;
  if (!directory) throw fail('portal.directory_unavailable');
  const directoryRecords = persons().link;
  const linker = new Linker({ threshold: REPORT_FLOOR });
  let result;
  try {
    result = linker.link(out.map(({ id, tokens, matchKeys, clks }) => ({ id, tokens, matchKeys, clks })), directoryRecords, {
      onProgress: ({ stage, done, total }) => post({ type: 'progress', stage, done, total }),
    });
  } finally {
    linker.free();
  }
  links = result.links;
  const t2 = performance.now();

  const errorsByCode = {};
  let tokenised = 0;
  let withErrors = 0;
  for (const r of out) {
    if (r.tokens.length) tokenised++;
    if (r.errors.length) withErrors++;
    for (const e of r.errors) errorsByCode[`${e.field} ${e.code}`] = (errorsByCode[`${e.field} ${e.code}`] ?? 0) + 1;
  }
  const summary = {
    rows: out.length,
    tokenised,
    withErrors,
    errorsByCode, // by `field code`
    clkFields: Object.keys(out.find((r) => Object.keys(r.clks).length)?.clks ?? {}).length,
    directory: directoryRecords.length,
    linked: links.filter((l) => l.probability >= LINKED).length,
    encodeMs: Math.round(t1 - t0),
    linkMs: Math.round(t2 - t1),
  };
  post({ type: 'done', summary, links, stats: result.stats });
  await tick();
  // The links stand on their own: a failure here is reported beside them.
  try {
    post({ type: 'overlay', overlay: overlay(out, links) });
  } catch (e) {
    post({ type: 'overlay', error: codeOf(e, 'portal.failed') });
  }
}

/**
 * The partner's rows in a scratch copy of the directory graph: which of them
 * are known customers, live in a known household, or are contacts of a
 * corporate family, and what the shared customers are worth to us.
 *
 * Only rows that can join something go in: those the link step found a
 * candidate for, and those sharing an identifying token or match key (e-mail,
 * phone, name + birth date, address + family name, company site) with the
 * directory. The others share no key with it, so they could only be linked
 * among themselves, which is the partner's business, and on 100,000 rows is
 * most of the work.
 */
function overlay(rows, pairs) {
  const t0 = performance.now();
  const { graph: dir } = directory;
  const known = new Set();
  for (const r of persons().link) for (const t of [...r.tokens, ...r.matchKeys]) if (JOINING.test(t)) known.add(t);
  const candidates = new Set(pairs.map((l) => l.a));
  const joining = rows.filter((r) => candidates.has(r.id) || r.tokens.some((t) => known.has(t)) || r.matchKeys.some((t) => known.has(t)));

  post({ type: 'progress', stage: 'graph', done: 0, total: 1 });
  const g = IdentityGraph.fromJSON(directory.text);
  try {
    g.addRecords(joining.map(({ id, tokens, matchKeys, clks }) => ({ ...PARTNER, id, tokens, matchKeys, clks })));
    const resolved = g.resolve({
      onProgress: ({ stage, done, total }) => post({ type: 'progress', stage: `graph.${stage}`, done, total }),
    });

    // Persons and households holding directory records, after the partner's rows joined.
    const dirPersons = new Set();
    const dirPeopleIn = new Map(); // household → directory persons in it
    for (const r of persons().refs) {
      const p = g.customerOf(r, 'billing');
      const h = g.customerOf(r, 'household');
      if (p) dirPersons.add(p);
      if (h) {
        if (!dirPeopleIn.has(h)) dirPeopleIn.set(h, new Set());
        if (p) dirPeopleIn.get(h).add(p);
      }
    }
    // Contacts: persons with a role at an organisation of a corporate family.
    const familyOf = new Map();
    for (const f of directory.summary.families) {
      const walk = (t) => { familyOf.set(t.id, f.id); t.children.forEach(walk); };
      walk(f);
    }
    const contactFamily = new Map();
    for (const r of g.roles()) if (familyOf.has(r.organisation)) contactFamily.set(r.person, familyOf.get(r.organisation));

    const billing = byEntity(dir, 'billing');
    const joinedPersons = new Set();
    let customers = 0;
    let households = 0;
    let newMembers = 0;
    let contacts = 0;
    const families = new Set();
    for (const r of joining) {
      const ref = { ...PARTNER, id: r.id };
      const p = g.customerOf(ref, 'billing');
      const h = g.customerOf(ref, 'household');
      const isCustomer = dirPersons.has(p);
      if (isCustomer) { customers++; joinedPersons.add(p); }
      const people = dirPeopleIn.get(h);
      // A known household: one with several people we know, or one a new person joined.
      if (people && (people.size >= 2 || !isCustomer)) {
        households++;
        if (!isCustomer) newMembers++;
      }
      if (contactFamily.has(p)) { contacts++; families.add(contactFamily.get(p)); }
    }
    const tiers = {};
    let contribution = 0;
    let revenue = 0;
    for (const p of joinedPersons) {
      const c = billing.get(p);
      if (!c) continue;
      contribution += c.measures.contribution ?? 0;
      revenue += c.measures.revenue ?? 0;
      tiers[c.tier] = (tiers[c.tier] ?? 0) + 1;
    }
    return {
      rows: rows.length, considered: joining.length, customers, households, newMembers, contacts, families: families.size,
      contribution, revenue, tiers, links: resolved.links, ms: Math.round(performance.now() - t0),
    };
  } finally {
    g.free();
  }
}

// ---------------------------------------------------------------- downloads

/** The pseudonymised file: one row per input row, tokens, match keys, CLKs and error codes. */
function pseudonymisedCsv(definition) {
  const fields = definition.fields;
  const mks = (definition.matchKeys ?? []).map((m) => m.name);
  const clkKeys = [...new Set(encoded.flatMap((r) => Object.keys(r.clks)))];
  const parts = [toCsv([['row', ...fields, ...mks.map((m) => `mk_${m}`), ...clkKeys.map((k) => `clk_${k}`), 'errors']])];
  for (let i = 0; i < encoded.length; i += CHUNK) {
    parts.push(toCsv(encoded.slice(i, i + CHUNK).map((r) => {
      const by = {};
      for (const t of [...r.tokens, ...r.matchKeys]) by[parseToken(t).subject] = t;
      return [r.id, ...fields.map((f) => by[f] ?? ''), ...mks.map((m) => by[`mk-${m}`] ?? ''),
        ...clkKeys.map((k) => r.clks[k] ?? ''), r.errors.map((e) => `${e.field}:${e.code}`).join(' ')];
    })));
  }
  return parts;
}

function pseudonymisedJson() {
  const parts = [`{"keyId":${JSON.stringify(keyId)},"clkSchema":"default","records":[\n`];
  for (let i = 0; i < encoded.length; i++) parts.push(`${i ? ',\n' : ''}${JSON.stringify(encoded[i])}`);
  parts.push('\n]}\n');
  return parts;
}

/** Links at or above LINKED, with each comparison's match weight. */
function linksCsv() {
  const linked = links.filter((l) => l.probability >= LINKED);
  const comps = linked[0]?.explanation?.contributions.map((c) => c.comparison) ?? [];
  return [toCsv([
    ['partner_row', 'directory_id', 'probability', 'match_weight', ...comps.map((c) => `w_${c}`)],
    ...linked.map((l) => {
      const w = Object.fromEntries(l.explanation.contributions.map((c) => [c.comparison, c.matchWeight]));
      return [l.a, l.b, l.probability.toFixed(6), l.matchWeight.toFixed(4), ...comps.map((c) => w[c].toFixed(4))];
    }),
  ])];
}

function linksJson() {
  const linked = links.filter((l) => l.probability >= LINKED);
  return [JSON.stringify({ threshold: LINKED, links: linked.map(({ a, b, probability, matchWeight, explanation }) => ({
    partnerRow: a, directoryId: b, probability, matchWeight, explanation,
  })) }, null, 1)];
}

function exportFile({ what, format, definition }) {
  const make = {
    'pseudonymised.csv': () => pseudonymisedCsv(definition),
    'pseudonymised.json': pseudonymisedJson,
    'links.csv': linksCsv,
    'links.json': linksJson,
  }[`${what}.${format}`];
  if (!make || !encoded || !links) throw fail('portal.nothing_to_export');
  const mime = format === 'csv' ? 'text/csv' : 'application/json';
  post({ type: 'export', name: `${what === 'links' ? 'links' : 'pseudonymised'}.${format}`, mime, blob: new Blob(make(), { type: mime }) });
}

const codeOf = (e, fallback) => (typeof e?.code === 'string' ? e.code : fallback);

self.onmessage = async (ev) => {
  const msg = ev.data;
  if (msg.type === 'open') {
    opening = open(msg).catch((e) => post({ type: 'directoryError', code: codeOf(e, 'portal.directory_failed') }));
    return;
  }
  if (msg.type === 'view' || msg.type === 'segments') {
    await opening;
    if (!directory) return;
    try {
      post(msg.type === 'view' ? { type: 'view', ...viewSummary(msg.view) } : { type: 'segments', ...segments(msg.view, msg.text) });
    } catch (e) {
      post({ type: `${msg.type}Error`, code: codeOf(e, 'portal.failed') });
    }
    return;
  }
  try {
    if (msg.type === 'start') await start(msg);
    else if (msg.type === 'export') exportFile(msg);
  } catch (e) {
    post({ type: 'error', code: codeOf(e, 'portal.failed') });
  }
};
