// Checkout: the order form tokenises in the browser and sends only tokens,
// platform hashes, the key id and the order. The shop recognises a returning
// customer because the tokens agree.
//
// Two modes. Keyed (default): pl1 tokens under the public demo key shipped in
// this page. Oblivious (`?mode=oblivious`): the page holds no key; each value
// is blinded here, evaluated by the key server (pinned public key, verified
// proof) and finalised into po1 tokens. Each mode loads only its own entry.
import { DEMO_KEY, DEMO_KEY_ID, DEMO_KEYSERVER_API_KEY, DEFINITION, FIELD_LABELS, explain } from '/shared/demo-config.js';

const MODE = new URLSearchParams(window.location.search).get('mode') === 'oblivious' ? 'oblivious' : 'keyed';
let normalize;
let parseToken;
let platformHashes;
/** Keyed mode: the Pseudonymizer. Oblivious mode: the ObliviousPseudonymizer and its key version. */
let keyed;
let oblivious;
let keyId = DEMO_KEY_ID;

const $ = (sel) => document.querySelector(sel);
const CONTACT = ['firstName', 'lastName', 'email', 'phone', 'street', 'city', 'state', 'postalCode', 'country', 'companyName', 'duns'];
const SHIP = { shipStreet: 'street', shipCity: 'city', shipState: 'state', shipPostalCode: 'postalCode', shipCountry: 'country' };
const ORDER = { items: 2, totalCents: 5980, currency: 'USD' };


const value = (name) => document.querySelector(`input[name="${name}"]`).value;

function billTo() {
  const r = {};
  for (const f of CONTACT) if (value(f).trim() !== '') r[f] = value(f);
  return r;
}

function shipTo() {
  if (!$('#shipDifferent').checked) return null;
  const r = {};
  for (const [input, field] of Object.entries(SHIP)) if (value(input).trim() !== '') r[field] = value(input);
  return r;
}

function cell(text, cls = '') {
  const td = document.createElement('td');
  td.textContent = text;
  if (cls) td.className = cls;
  return td;
}

/**
 * Field errors of a record without tokenising it (oblivious mode: tokens
 * cost a key-server call, so they are made once, at submit). The same rules
 * as the tokenizers: an empty field is absence, not an error.
 */
function fieldErrors(record) {
  let region = DEFINITION.defaultRegion;
  try { if (record.country) region = normalize('country', record.country); } catch { /* reported below */ }
  const errors = [];
  for (const [field, v] of Object.entries(record)) {
    try {
      normalize(field, v, { region, dateOrder: DEFINITION.dateOrder });
    } catch (e) {
      if (e.code !== 'value.empty') errors.push({ field, code: e.code });
    }
  }
  return errors;
}

/** Keyed mode tokenises now; oblivious mode checks now and tokenises at submit. */
function tokenizeNow(record) {
  if (keyed) return keyed.tokenize(record);
  return { tokens: [], matchKeys: [], errors: fieldErrors(record) };
}

/** Tokenises the form and redraws the field-by-field panel. Returns the request body, or null if a field is invalid. */
function build(sent = null) {
  const bill = billTo();
  const ship = shipTo();
  const out = sent?.bill ?? tokenizeNow(bill);
  const shipOut = sent?.ship ?? (ship ? tokenizeNow(ship) : { tokens: [], matchKeys: [], errors: [] });
  const errors = [...out.errors, ...shipOut.errors.map((e) => ({ ...e, field: `ship${e.field[0].toUpperCase()}${e.field.slice(1)}` }))];
  const errorOf = Object.fromEntries(errors.map((e) => [e.field, e.code]));
  for (const el of document.querySelectorAll('.error')) {
    const f = el.dataset.for;
    const label = FIELD_LABELS[f] ?? FIELD_LABELS[SHIP[f]] ?? f;
    el.textContent = errorOf[f] ? `${label} ${explain(errorOf[f])}` : '';
    document.querySelector(`input[name="${f}"]`)?.classList.toggle('invalid', Boolean(errorOf[f]));
  }

  const tokenOf = Object.fromEntries(out.tokens.map((t) => [parseToken(t).subject, t]));
  let region = DEFINITION.defaultRegion;
  try { if (bill.country) region = normalize('country', bill.country); } catch { /* shown inline */ }
  const body = $('#table tbody');
  body.replaceChildren();
  for (const f of CONTACT) {
    if (!(f in bill)) continue;
    const tr = document.createElement('tr');
    tr.append(cell(FIELD_LABELS[f], 'name'), cell(bill[f], 'typed'));
    if (errorOf[f]) {
      tr.append(cell(errorOf[f], 'code'), cell('nothing', 'muted'));
    } else {
      let n = '';
      try { n = normalize(f, bill[f], { region, dateOrder: DEFINITION.dateOrder }); } catch (e) { n = e.code; }
      const token = tokenOf[f];
      const sentCell = token ? cell(`${token.slice(0, 26)}…`, 'token') : cell('blinded at submit', 'muted');
      if (token) sentCell.title = token;
      tr.append(cell(n, 'norm'), sentCell);
    }
    body.append(tr);
  }

  if (errors.length || !bill.email) return null;
  // Unsalted platform hashes can be reversed by guessing, which is what the
  // oblivious mode exists to prevent: that mode stores none next to its tokens.
  const hashes = {};
  if (keyed) for (const p of ['uid2', 'google', 'meta']) hashes[p] = platformHashes(bill, p, { region }).hashes;
  return {
    keyId,
    tokens: out.tokens,
    matchKeys: out.matchKeys,
    shipTo: shipOut.tokens,
    platformHashes: hashes,
    order: ORDER,
  };
}

/** Oblivious mode: the tokens last sent, shown until the form changes. */
let lastSent = null;

function refresh() {
  $('#submit').disabled = build(lastSent) === null;
}

async function showStored() {
  const res = await fetch('/api/orders');
  const orders = await res.json();
  $('#stored').textContent = orders.length ? JSON.stringify(orders[0], null, 2) : 'Nothing yet: place an order.';
}

/** Oblivious mode: one key-server round trip for bill-to and ship-to, then the panel shows what is sent. */
async function obliviousPayload() {
  const ship = shipTo();
  const [bill, shipOut] = await oblivious.tokenizeBatch(ship ? [billTo(), ship] : [billTo()]);
  lastSent = { bill, ship: shipOut ?? { tokens: [], matchKeys: [], errors: [] } };
  return build(lastSent);
}

async function submit(ev) {
  ev.preventDefault();
  if (!build()) return;
  $('#submit').disabled = true;
  const box = $('#result');
  try {
    const t0 = performance.now();
    const payload = oblivious ? await obliviousPayload() : build();
    if (!payload) throw new Error('a field is invalid');
    box.dataset.tokenizeMs = String(Math.round((performance.now() - t0) * 10) / 10);
    const res = await fetch('/api/checkout', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(payload),
    });
    const answer = await res.json();
    if (!res.ok) throw new Error(answer.error ?? `HTTP ${res.status}`);
    box.dataset.totalMs = String(Math.round((performance.now() - t0) * 10) / 10);
    box.hidden = false;
    if (answer.returning) {
      const on = answer.matchedOn.map((s) => (s.startsWith('mk-') ? s.slice(3) : FIELD_LABELS[s] ?? s).toLowerCase());
      box.className = 'result returning';
      box.textContent = `Welcome back! Order #${answer.orderId} is linked to customer ${answer.customerId} `
        + `(${answer.previousOrders} earlier order${answer.previousOrders === 1 ? '' : 's'}), recognised by matching ${on.join(', ')} tokens.`;
    } else {
      box.className = 'result new';
      box.textContent = `Thank you! Order #${answer.orderId} placed. You are new here: customer ${answer.customerId}.`;
    }
    box.dataset.customer = answer.customerId;
    box.dataset.returning = String(answer.returning);
    await showStored();
  } catch (e) {
    box.hidden = false;
    box.className = 'result bad';
    box.textContent = `The order could not be placed (${e.code ?? e.message}).`;
  } finally {
    refresh();
  }
}

/** Oblivious mode: the key server's address and public key, pinned from this page's own origin. */
async function startOblivious() {
  const mod = await import('pseudolink/oblivious');
  await mod.default();
  const res = await fetch('/api/oblivious-config');
  if (!res.ok) throw Object.assign(new Error('no key server next to this page (make demo starts one)'), { code: 'keyserver.not_configured' });
  const config = await res.json();
  const active = config.keys.find((k) => k.version === config.activeKey);
  keyId = config.activeKey;
  oblivious = new mod.ObliviousPseudonymizer({
    endpoint: config.endpoint,
    publicKey: { [keyId]: active.publicKey },
    apiKey: DEMO_KEYSERVER_API_KEY,
    definition: DEFINITION,
  });
  return mod;
}

async function main() {
  const t0 = performance.now();
  for (const a of document.querySelectorAll('#modes a')) a.setAttribute('aria-current', String(a.dataset.mode === MODE));
  document.body.dataset.mode = MODE;
  let mod;
  if (MODE === 'oblivious') {
    mod = await startOblivious();
  } else {
    mod = await import('pseudolink');
    await mod.default();
    keyed = new mod.Pseudonymizer([{ id: DEMO_KEY_ID, secret: DEMO_KEY }], DEFINITION);
  }
  ({ normalize, parseToken, platformHashes } = mod);
  $('#status').textContent = MODE === 'oblivious'
    ? `Module ready in ${Math.round(performance.now() - t0)} ms. Oblivious mode: your details are blinded in this tab; the key server (key ${keyId}) never sees them.`
    : `Module ready in ${Math.round(performance.now() - t0)} ms. Your details are tokenised in this tab.`;
  $('#status').classList.add('ready');
  $('#shipDifferent').addEventListener('change', () => { lastSent = null; $('#shipping').hidden = !$('#shipDifferent').checked; refresh(); });
  $('#form').addEventListener('input', () => { lastSent = null; refresh(); });
  $('#form').addEventListener('submit', submit);
  refresh();
  await showStored();
  document.body.dataset.ready = 'true';
}

main().catch((e) => {
  $('#status').textContent = `Could not start: ${e.code ?? e.message}`;
  $('#status').classList.add('bad');
});
