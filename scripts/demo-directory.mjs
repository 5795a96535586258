// Generates the demo data of the company console, the partner portal and the
// linkage service from pseudolink-synth output:
//
//   www/console/demo-directory.json  the company's customer directory as identity-graph
//                                    records, pseudonymised with the company's own
//                                    in-page demo key (ids, tokens, match keys, CLKs,
//                                    relations, measures; no raw value): the staff
//                                    console's graph, never served to partners' pages
//   demo/linkage/company-crm.csv     the company's raw *synthetic* CRM persons (made-up
//                                    people), one row per CRM person record of the
//                                    directory, in the directory's order, `id` = its id:
//                                    what scripts/company-upload.mjs uploads to the
//                                    linkage service (row r of the upload = row r here)
//   www/portal/demo-partner.csv      a partner's file: raw *synthetic* rows, with
//                                    typos, nicknames, moves, missing values…
//   tests/js/e2e/fixtures/demo-partner-truth.csv
//                                    which partner row (1 = first data row) is which
//                                    directory customer (its id in company-crm.csv)
//   tests/js/e2e/fixtures/demo-directory-truth.json
//                                    how the directory was built: households, shop
//                                    accounts, corporate families, record counts
//
//   node scripts/demo-directory.mjs --synth-dir DIR [--out ROOT] [--check]
//
// DIR holds `pseudolink-synth link` output (a.csv, b.csv, truth.csv); use
// scripts/demo-directory.sh, which makes it with the fixed seed. Tokens and CLKs
// (default CLK schema) are keyed with the company's own directory keys,
// demo/company/directory-keys.json: never a key that some page ships, since a
// page holding keyed tokens and their key can be inverted by guessing. The output is a pure function of the input: the
// same seed gives the same bytes. With --check nothing is written; it fails if
// a committed file differs from what would be generated.
//
// What a company has, built from synth's people (a.csv = the CRM's customers,
// ids kept so the partner truth holds; b.csv past the partner's 1,000 rows):
//  - CRM persons (system `crm`): a.csv, plus family members who share a
//    customer's family name and address (so its `addressName` match key) with
//    their own first name, e-mail, phone and birth date: consumer households;
//  - web-shop accounts (system `shop`) of some CRM customers: synth's corrupted
//    second records of the same people, for the graph to link (and to train on);
//  - corporate families (system `erp`): a parent legal entity, 2–4 business
//    units, each unit with a bill-to site and 1–2 ship-to sites; D-U-N-S
//    hierarchy edges (unit → parent, ship-to → unit), `memberOf` from sites to
//    units; business customers of a.csv are the organisations' contacts
//    (approver at the parent, buyer at a unit); one franchisee outside the tree;
//  - interactions: consumer orders (crm/shop) and monthly B2B invoices (erp)
//    with revenue, costToServe, transactions and dates in 2025.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { RecordEncoder } = await import(path.join(ROOT, 'pkg', 'link-node.js'));
const { parseCsv, toCsv } = await import(path.join(ROOT, 'scripts', 'csv.mjs'));
const config = await import(path.join(ROOT, 'www', 'shared', 'definition.js'));
const directoryKeys = JSON.parse(readFileSync(path.join(ROOT, 'demo', 'company', 'directory-keys.json'), 'utf8'));

/** The directory file's format marker (the portal's worker checks it). */
export const DIRECTORY_FORMAT = 'pseudolink-directory/2';
/** How many partner rows the demo file keeps (the first of synth's shuffled b.csv). */
export const PARTNER_ROWS = 1000;
/** Seed of this script's own choices (who is family, which companies form groups, order values). */
const SEED = 2026;
/** CRM customers who get family members (1–3 each) at their address. */
const HOUSEHOLD_HOSTS = 170;
/** CRM customers who also have a web-shop account (a second, corrupted record). */
const SHOP_ACCOUNTS = 150;
/** Corporate families, and business units per family. */
const FAMILIES = 6;
const UNITS = [2, 4];

/** Partner file columns: synth wire name → the header a partner's export would carry. */
const PARTNER_COLUMNS = [
  ['externalId', 'Customer No'], ['firstName', 'First Name'], ['lastName', 'Last Name'],
  ['email', 'Email Address'], ['phone', 'Phone'], ['street', 'Address'], ['city', 'City'],
  ['state', 'State'], ['postalCode', 'Zip'], ['country', 'Country'], ['dateOfBirth', 'Date of Birth'],
  ['gender', 'Gender'], ['companyName', 'Company'],
];
/** Person fields (synth wire names) a family member takes from its household. */
const ADDRESS = ['lastName', 'street', 'city', 'state', 'postalCode', 'country'];
const US = new Set(['US', 'us', 'USA', 'U.S.A.', 'United States']);

function args() {
  const a = { synthDir: null, out: ROOT, check: false };
  const v = process.argv.slice(2);
  for (let i = 0; i < v.length; i++) {
    if (v[i] === '--synth-dir') a.synthDir = v[++i];
    else if (v[i] === '--out') a.out = v[++i];
    else if (v[i] === '--check') a.check = true;
    else throw new Error(`unknown option ${v[i]}`);
  }
  if (!a.synthDir) throw new Error('usage: node scripts/demo-directory.mjs --synth-dir DIR [--out ROOT] [--check]');
  return a;
}

/** Rows of a CSV file as objects keyed by its header. */
function readTable(file) {
  const [header, ...rows] = parseCsv(readFileSync(file, 'utf8')).filter((r) => r.some((c) => c !== ''));
  return rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? ''])));
}

/**
 * A small seeded generator (mulberry32), one stream per purpose so changing
 * one part of the directory does not reshuffle the others.
 */
function rng(purpose) {
  let s = SEED >>> 0;
  for (const c of purpose) s = Math.imul(s ^ c.charCodeAt(0), 0x9e3779b1) >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const api = {
    next,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: (list) => list[Math.floor(next() * list.length)],
    /** Log-normal with the given median and spread (σ of the log). */
    lognormal: (median, sigma) => median * Math.exp(sigma * Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next())),
    shuffle: (list) => {
      const out = [...list];
      for (let i = out.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        [out[i], out[j]] = [out[j], out[i]];
      }
      return out;
    },
  };
  return api;
}

/** Pretty JSON with short arrays of strings on one line (a household, a site list). */
const compactJson = (v) => JSON.stringify(v, null, 1)
  .replace(/\[\n\s*("[^"\n]*"(?:,\n\s*"[^"\n]*")*)\n\s*\]/g, (_, items) => `[${items.replace(/,\n\s*/g, ', ')}]`);
const money = (v) => Math.round(v * 100) / 100;
const pad = (n, w) => String(n).padStart(w, '0');
const day = (r, year = 2025) => `${year}-${pad(r.int(1, 12), 2)}-${pad(r.int(1, 28), 2)}`;

/** Which people the directory holds and how they relate (raw synthetic values; encoded below). */
function plan(a, bRest, partnerOf) {
  const inPartner = (id) => partnerOf.has(id);
  const business = (r) => r.companyName.trim() && r.duns.trim() && r.postalCode.trim() && US.has(r.country.trim());

  // Households: hosts are consumers with a full address; members are synth
  // people who are in neither the CRM nor the partner file, moved in.
  const hr = rng('households');
  const hasAddress = (r) => /^\s*\d/.test(r.street) && r.postalCode.trim() && r.lastName.trim() && !business(r);
  const hosts = hr.shuffle(a.filter(hasAddress)).slice(0, HOUSEHOLD_HOSTS).sort((x, y) => (x.id < y.id ? -1 : 1));
  const donors = bRest.filter((r) => !r.truth && !r.companyName.trim());
  const members = [];
  const households = [];
  let d = 0;
  for (const host of hosts) {
    const size = hr.next() < 0.75 ? 1 : hr.next() < 0.8 ? 2 : 3;
    const ids = [host.id];
    for (let k = 0; k < size && d < donors.length; k++) {
      let donor = donors[d++];
      while (donor && donor.firstName.trim().toLowerCase() === host.firstName.trim().toLowerCase()) donor = donors[d++];
      if (!donor) break;
      const m = { ...donor, id: `f${pad(members.length + 1, 7)}`, companyName: '', duns: '', webDomain: '', externalId: '' };
      for (const f of ADDRESS) m[f] = host[f];
      members.push(m);
      ids.push(m.id);
    }
    households.push(ids);
  }

  // Web-shop accounts: synth's second records of CRM customers (typos, moves, new e-mails…).
  const shop = bRest.filter((r) => r.truth).slice(0, SHOP_ACCOUNTS)
    .map((r, i) => ({ ...r, id: `s${pad(i + 1, 7)}`, customer: r.truth }));

  // Corporate families from business customers: each organisation is one
  // customer's company (name, postcode, D-U-N-S), and that customer its contact.
  // Half the contacts are people the partner file also has, so partner rows
  // can join a family through them.
  const br = rng('families');
  const usedByHousehold = new Set(households.flat());
  const candidates = br.shuffle(a.filter((r) => business(r) && !usedByHousehold.has(r.id)));
  const known = candidates.filter((r) => inPartner(r.id));
  const unknown = candidates.filter((r) => !inPartner(r.id));
  let turn = 0;
  const nextCompany = () => ((turn++ % 2 === 0 && known.length) || !unknown.length ? known.shift() : unknown.shift());
  const usPostcodes = a.filter((r) => US.has(r.country.trim()) && /^\d{5}/.test(r.postalCode.trim())).map((r) => r.postalCode.trim());
  const usedDuns = new Set(a.map((r) => r.duns.replace(/\D/g, '')).filter(Boolean));
  const fakeDuns = () => {
    for (;;) {
      const v = String(br.int(100_000_000, 999_999_999));
      if (!usedDuns.has(v)) { usedDuns.add(v); return v; }
    }
  };
  const org = (id, unit, person, extra = {}) => ({
    id, unit, contact: person.id,
    fields: { companyName: person.companyName, postalCode: person.postalCode, country: person.country, duns: person.duns, webDomain: person.webDomain },
    ...extra,
  });
  const families = [];
  for (let f = 1; f <= FAMILIES; f++) {
    const g = `G${pad(f, 2)}`;
    const parent = org(g, 'legalEntity', nextCompany(), { role: 'approver' });
    const units = [];
    const n = br.int(UNITS[0], UNITS[1]);
    for (let u = 1; u <= n; u++) {
      const unit = org(`${g}-U${u}`, 'businessUnit', nextCompany(), { role: 'buyer' });
      const { companyName, country } = unit.fields;
      unit.billTo = { id: `${g}-U${u}-BILL`, fields: { companyName, postalCode: unit.fields.postalCode, country } };
      unit.shipTo = Array.from({ length: br.int(1, 2) }, (_, s) => ({
        id: `${g}-U${u}-SHIP${s + 1}`, fields: { companyName, postalCode: br.pick(usPostcodes), country, duns: fakeDuns() },
      }));
      unit.scale = br.lognormal(9000, 0.8); // monthly revenue per ship-to site
      unit.orders = br.int(4, 24); // orders a month per ship-to site
      units.push(unit);
    }
    families.push({ parent, units });
  }
  // A franchisee: its own legal entity, related to a group by a `franchise`
  // edge, which the group view does not climb (franchises are not owned).
  const franchise = org('F01', 'legalEntity', nextCompany(), { role: 'buyer', scale: br.lognormal(6000, 0.5), orders: br.int(3, 8) });
  return { hosts, members, households, shop, families, franchise };
}

function generate(synthDir) {
  const a = readTable(path.join(synthDir, 'a.csv'));
  const bAll = readTable(path.join(synthDir, 'b.csv'));
  const truth = readTable(path.join(synthDir, 'truth.csv'));
  const b = bAll.slice(0, PARTNER_ROWS);
  const truthOf = new Map(truth.map((t) => [t.b_id, t.a_id]));
  const partnerOf = new Map(b.filter((r) => truthOf.has(r.id)).map((r) => [truthOf.get(r.id), r.id]));
  const bRest = bAll.slice(PARTNER_ROWS).map((r) => ({ ...r, truth: truthOf.get(r.id) ?? null }));
  const p = plan(a, bRest, partnerOf);

  const keys = [{ id: directoryKeys.keyId, secret: Buffer.from(directoryKeys.tokenKeyHex, 'hex') }];
  const persons = new RecordEncoder(keys, config.DEFINITION, {
    clkSchema: 'default', clkSecret: new TextEncoder().encode(directoryKeys.clkSecret),
  });
  const companies = new RecordEncoder(keys, config.DEFINITION, {});
  let crm;
  let shop;
  let encodeOrg;
  try {
    const strip = ({ id, ...fields }) => ({ id, ...fields });
    const fields = (r) => strip(Object.fromEntries(Object.entries(r).filter(([k]) => k === 'id' || config.DEFINITION.fields.includes(k))));
    crm = persons.encodeBatch([...a, ...p.members].map(fields), {});
    shop = persons.encodeBatch(p.shop.map(fields), {});
    // Organisations carry only company tokens (name, D-U-N-S, website) and the
    // `companySite` match key: no CLK, nothing personal.
    const COMPANY = /^pl1\.(companyName|duns|webDomain|mk-companySite)\./;
    encodeOrg = (id, f) => {
      const [r] = companies.encodeBatch([{ id, ...f }], {});
      return { tokens: r.tokens.filter((t) => COMPANY.test(t)), matchKeys: r.matchKeys.filter((t) => COMPANY.test(t)) };
    };
  } finally {
    persons.free();
  }

  const lines = [];
  const push = (r) => lines.push(JSON.stringify(r));
  const dunsToken = (f) => encodeOrg('x', { duns: f.duns }).tokens[0];
  try {
    // Roles of the CRM's business customers at the organisations.
    const roles = new Map();
    for (const { parent, units } of p.families) for (const o of [parent, ...units]) roles.set(o.contact, { type: o.role, to: { system: 'erp', id: o.id } });
    roles.set(p.franchise.contact, { type: p.franchise.role, to: { system: 'erp', id: p.franchise.id } });

    for (const { id, tokens, matchKeys, clks } of crm) {
      const rel = roles.get(id);
      push({ system: 'crm', id, tokens, matchKeys, clks, ...(rel ? { relations: [rel] } : {}) });
    }
    for (const { id, tokens, matchKeys, clks } of shop) push({ system: 'shop', id, tokens, matchKeys, clks });

    const hierarchy = [];
    const orgRecord = (o, unit, extra = {}) => {
      push({ system: 'erp', id: o.id, kind: 'organisation', unit, ...encodeOrg(o.id, o.fields), ...extra });
    };
    for (const { parent, units } of p.families) {
      orgRecord(parent, 'legalEntity');
      for (const u of units) {
        orgRecord(u, 'businessUnit');
        hierarchy.push({ child: dunsToken(u.fields), parent: dunsToken(parent.fields), relation: 'parent' });
        orgRecord(u.billTo, 'site', { relations: [{ type: 'memberOf', to: { id: u.id } }] });
        for (const s of u.shipTo) {
          orgRecord(s, 'site', { relations: [{ type: 'memberOf', to: { id: u.id } }] });
          hierarchy.push({ child: dunsToken(s.fields), parent: dunsToken(u.fields), relation: 'branch' });
        }
      }
    }
    orgRecord(p.franchise, 'legalEntity');
    hierarchy.push({ child: dunsToken(p.franchise.fields), parent: dunsToken(p.families[0].parent.fields), relation: 'franchise' });

    // Consumer orders: most customers buy 1–3 times a year; spend is log-normal
    // (a few big spenders carry much of the value, as in any shop).
    const or = rng('orders');
    let orders = 0;
    const consumerOrders = (system, customer) => {
      const k = or.pick([0, 1, 1, 2, 2, 3, 4]);
      const basket = or.lognormal(70, 0.9);
      for (let i = 0; i < k; i++) {
        const revenue = money(basket * (0.6 + 0.8 * or.next()));
        const costToServe = money(4.9 + revenue * (0.15 + 0.3 * or.next()));
        push({
          system, id: `o${pad(++orders, 6)}`, kind: 'interaction', date: day(or),
          relations: [{ type: 'customer', to: { id: customer } }], measures: { revenue, costToServe, transactions: 1 },
        });
      }
    };
    for (const r of crm) consumerOrders('crm', r.id);
    for (const r of shop) consumerOrders('shop', r.id);

    // B2B invoices: one a month per ship-to site, billed to the unit's bill-to
    // site and bought by its unit. No `customer` relation: the buyer's role is
    // on the person record, and a company's invoice is no household's value.
    let invoices = 0;
    const invoice = (month, rel, scale, perMonth) => {
      const revenue = money(scale * (0.7 + 0.6 * or.next()));
      push({
        system: 'erp', id: `INV-2025-${pad(++invoices, 5)}`, kind: 'interaction', date: `2025-${pad(month, 2)}-${pad(or.int(1, 28), 2)}`,
        relations: rel,
        measures: { revenue, costToServe: money(revenue * (0.18 + 0.17 * or.next())), transactions: Math.max(1, Math.round(perMonth * (0.6 + 0.8 * or.next()))) },
      });
    };
    for (let month = 1; month <= 12; month++) {
      for (const { units } of p.families) {
        for (const u of units) {
          for (const s of u.shipTo) {
            invoice(month, [
              { type: 'billTo', to: { id: u.billTo.id } }, { type: 'shipTo', to: { id: s.id } }, { type: 'unit', to: { id: u.id } },
            ], u.scale, u.orders);
          }
        }
      }
      invoice(month, [{ type: 'billTo', to: { id: p.franchise.id } }],
        p.franchise.scale, p.franchise.orders);
    }

    const directory = `{"format":${JSON.stringify(DIRECTORY_FORMAT)},"keyId":${JSON.stringify(directoryKeys.keyId)},`
      + '"clkSchema":"default","generator":"scripts/demo-directory.sh","linkSystem":"crm",'
      + `"graph":{"hierarchy":${JSON.stringify(hierarchy)},"records":[\n${lines.join(',\n')}\n]}}\n`;

    const partner = toCsv([PARTNER_COLUMNS.map(([, h]) => h), ...b.map((r) => PARTNER_COLUMNS.map(([f]) => r[f] ?? ''))]);
    const rowOf = new Map(b.map((r, i) => [r.id, i + 1]));
    const pairs = truth.filter((t) => rowOf.has(t.b_id)).map((t) => [rowOf.get(t.b_id), t.a_id]).sort((x, y) => x[0] - y[0]);
    const truthCsv = toCsv([['partner_row', 'directory_id'], ...pairs]);
    // The raw CRM persons, in the directory's order (the console maps upload row r to the r-th CRM person).
    const crmRows = [...a, ...p.members];
    const crmCsv = toCsv([['id', ...config.DEFINITION.fields], ...crmRows.map((r) => [r.id, ...config.DEFINITION.fields.map((f) => r[f] ?? '')])]);

    const structure = {
      note: 'How scripts/demo-directory.mjs built www/console/demo-directory.json (record keys, no values).',
      records: {
        crmPersons: crm.length, shopPersons: shop.length, organisations: lines.filter((l) => l.includes('"kind":"organisation"')).length,
        interactions: orders + invoices, consumerOrders: orders, invoices,
      },
      households: p.households,
      shopAccounts: Object.fromEntries(p.shop.map((s) => [s.id, s.customer])),
      families: p.families.map(({ parent, units }) => ({
        parent: parent.id, approver: parent.contact,
        units: units.map((u) => ({ id: u.id, buyer: u.contact, sites: [u.billTo.id, ...u.shipTo.map((s) => s.id)] })),
      })),
      franchises: [{ id: p.franchise.id, buyer: p.franchise.contact, franchisor: p.families[0].parent.id }],
    };
    return {
      'www/console/demo-directory.json': directory,
      'demo/linkage/company-crm.csv': crmCsv,
      'www/portal/demo-partner.csv': partner,
      'tests/js/e2e/fixtures/demo-partner-truth.csv': truthCsv,
      'tests/js/e2e/fixtures/demo-directory-truth.json': `${compactJson(structure)}\n`,
    };
  } finally {
    companies.free();
  }
}

const opts = args();
const files = generate(opts.synthDir);
let stale = 0;
for (const [rel, text] of Object.entries(files)) {
  const file = path.join(opts.out, rel);
  if (opts.check) {
    let old = null;
    try { old = readFileSync(file, 'utf8'); } catch { /* missing */ }
    if (old !== text) { console.error(`demo-directory: ${rel} differs from the generator's output`); stale++; }
  } else {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
    console.log(`wrote ${rel} (${Buffer.byteLength(text).toLocaleString('en')} bytes)`);
  }
}
if (stale) {
  console.error('demo-directory: run scripts/demo-directory.sh to regenerate');
  process.exit(1);
}
if (opts.check) console.log('demo-directory: committed files match the generator');
