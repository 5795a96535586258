// The staff console's worker. It holds the company's customer directory as an
// identity graph (persons, households, corporate families, orders and
// invoices, all pseudonymised) and answers the page with summaries.
//
// On 'open' it loads the graph this browser stored on an earlier visit
// (IndexedDB, pkg/identity-store.js); without one it fetches the demo
// directory, builds the graph (the first resolve trains the linking model on
// the directory itself), and stores it. The page gets counts, entity ids and
// values: households, corporate families, value per view, segments.
//
// Partner matches: the linkage service tells the company which rows of its
// own upload a partner's run matched. Row r of that upload is the r-th CRM
// person record (system 'crm', kind 'person') of the directory, in the
// directory file's order (scripts/company-upload.mjs uploads them in that
// order); the graph keeps its records in the order they were added, so a
// stored graph gives the same order. Each matched row is mapped to its
// record, then to its person and household, with their value.
//
// Messages in:  {type: 'open', directoryUrl, forget?: true}
//               {type: 'view', view}                 value roll-up of one customer view
//               {type: 'segments', view, text}       segment rules as JSON text
//               {type: 'matches', run, party, links: [{row, probability}]}
// Messages out: {type: 'directoryProgress', stage, done, total}
//               {type: 'directory', source: 'stored' | 'built', savedAt, stored, bytes, storeError, summary}
//               {type: 'directoryError', code}
//               {type: 'view', view, customers, kinds, top, tiers, totals} / {type: 'viewError', code}
//               {type: 'segments', view, customers, total, segments} / {type: 'segmentsError', code}
//               {type: 'matches', run, party, ...summary} / {type: 'matchesError', run, code}
import init, { IdentityGraph } from '/pkg/pseudolink_identity.js';
import { IdentityStore } from '/pkg/identity-store.js';

const CHUNK = 8000;
/** The directory file format this worker reads, and the store key of its graph. */
const DIRECTORY_FORMAT = 'pseudolink-directory/2';
const STORE_KEY = 'console-directory';
/** The records of the company's linkage upload: its CRM persons. */
const UPLOAD_SYSTEM = 'crm';
const VIEWS = ['billing', 'service', 'sales', 'group', 'household'];
const TOP = 12;

/** {graph, text, entry, source, linkSystem, crm, summary} once opened. */
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
  let body;
  try {
    const res = await fetch(url);
    if (!res.ok) throw fail('console.directory_unavailable');
    body = await res.json();
  } catch (e) {
    throw fail(e?.code ?? 'console.directory_unavailable');
  }
  if (body?.format !== DIRECTORY_FORMAT || !Array.isArray(body.graph?.records)) throw fail('console.directory_format');
  const graph = new IdentityGraph();
  try {
    const { records, hierarchy } = body.graph;
    // In slices, so progress reaches the page between them.
    for (let i = 0; i < records.length; i += CHUNK) {
      graph.addRecords(records.slice(i, i + CHUNK));
      post({ type: 'directoryProgress', stage: 'add', done: Math.min(i + CHUNK, records.length), total: records.length });
      await tick();
    }
    graph.addHierarchy(hierarchy ?? []);
    graph.resolve({ onProgress: ({ stage, done, total }) => post({ type: 'directoryProgress', stage: `resolve.${stage}`, done, total }) });
  } catch (e) {
    graph.free();
    throw e;
  }
  return { graph, linkSystem: body.linkSystem ?? UPLOAD_SYSTEM };
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
          loaded = { graph: IdentityGraph.fromJSON(text), text, entry, linkSystem: entry.meta.linkSystem ?? UPLOAD_SYSTEM };
        }
      } catch (e) {
        // A store that fails, or a document this release cannot read (another
        // graph version): build again, and replace it if the store works.
        if (e?.code?.startsWith('store.')) storeError = e.code;
      }
    }
    if (loaded) {
      directory = { ...loaded, source: 'stored', crm: null };
    } else {
      const { graph, linkSystem } = await build(directoryUrl);
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
      directory = { graph, text, entry, source: 'built', linkSystem, crm: null };
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

/** Each customer of a view, by entity id. */
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
    throw fail('console.invalid_json');
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

// ---------------------------------------------------------------- partner matches

/**
 * The record keys of the company's upload rows: its CRM person records, in
 * the order they were added (the graph lists them so, stored or built).
 */
function uploadRows() {
  directory.crm ??= directory.graph.records({ system: directory.linkSystem, kind: 'person' });
  return directory.crm;
}

/**
 * Which of our customers a partner's run matched: each matched upload row as
 * its CRM record, person and household with their value (billing view for the
 * person, household view for the household), and what they add up to.
 */
function matches({ run, party, links }) {
  if (!Array.isArray(links)) throw fail('console.invalid_run');
  const rows = uploadRows();
  const g = directory.graph;
  const billing = byEntity(g, 'billing');
  const household = byEntity(g, 'household');
  const contactOf = new Map();
  const familyOf = new Map();
  for (const f of directory.summary.families) {
    const walk = (t) => { familyOf.set(t.id, f.id); t.children.forEach(walk); };
    walk(f);
  }
  for (const r of g.roles()) if (familyOf.has(r.organisation)) contactOf.set(r.person, familyOf.get(r.organisation));

  const list = [];
  let unknownRows = 0;
  const known = [];
  for (const l of links) {
    const ref = Number.isInteger(l?.row) ? rows[l.row] : undefined;
    if (ref) known.push([l, ref]);
    else unknownRows++;
  }
  // Each matched record's person and household, two calls for all of them.
  const refs = known.map(([, ref]) => ref);
  const personOf = g.customersOf(refs, 'billing');
  const homeOf = g.customersOf(refs, 'household');
  const sizeOf = new Map();
  for (const [k, [l, ref]] of known.entries()) {
    const person = personOf[k];
    const home = homeOf[k];
    if (home && !sizeOf.has(home)) sizeOf.set(home, g.entity(home).persons.length);
    const p = billing.get(person);
    const h = household.get(home);
    list.push({
      row: l.row, record: ref.id, probability: Number(l.probability) || 0,
      person, personTier: p?.tier ?? '', ...value(p),
      household: home, householdPersons: home ? sizeOf.get(home) : 0,
      householdTier: h?.tier ?? '', householdContribution: value(h).contribution,
      family: contactOf.get(person) ?? null,
    });
  }
  // Persons, not rows: two CRM records of one person count once.
  const persons = new Map();
  for (const m of list) if (m.person && !persons.has(m.person)) persons.set(m.person, m);
  const households = new Set(list.map((m) => m.household).filter(Boolean));
  const shared = new Set(list.filter((m) => m.householdPersons >= 2).map((m) => m.household));
  const tiers = {};
  let contribution = 0;
  let revenue = 0;
  for (const m of persons.values()) {
    contribution += m.contribution;
    revenue += m.revenue;
    if (m.personTier) tiers[m.personTier] = (tiers[m.personTier] ?? 0) + 1;
  }
  const families = new Set(list.map((m) => m.family).filter(Boolean));
  list.sort((a, b) => b.contribution - a.contribution || a.row - b.row);
  return {
    run, party,
    uploadRows: rows.length,
    links: links.length, unknownRows,
    persons: persons.size, households: households.size, sharedHouseholds: shared.size,
    contacts: list.filter((m) => m.family).length, families: families.size,
    contribution, revenue, tiers,
    customerTotal: g.rollup('billing').totals.contribution ?? 0,
    matched: list,
  };
}

const codeOf = (e, fallback) => (typeof e?.code === 'string' ? e.code : fallback);

self.onmessage = async (ev) => {
  const msg = ev.data;
  if (msg.type === 'open') {
    opening = open(msg).catch((e) => post({ type: 'directoryError', code: codeOf(e, 'console.directory_failed') }));
    return;
  }
  await opening;
  try {
    // The page has said why the directory did not open; a request now gets the same answer.
    if (!directory) throw fail('console.directory_unavailable');
    if (msg.type === 'view') post({ type: 'view', ...viewSummary(msg.view) });
    else if (msg.type === 'segments') post({ type: 'segments', ...segments(msg.view, msg.text) });
    else if (msg.type === 'matches') post({ type: 'matches', ...matches(msg) });
  } catch (e) {
    post({ type: `${msg.type}Error`, run: msg.run, code: codeOf(e, 'console.failed') });
  }
};
