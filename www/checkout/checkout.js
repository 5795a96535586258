// Checkout: the order form tokenises in the browser and sends only tokens,
// platform hashes, the key id and the order. The shop recognises a returning
// customer because the tokens agree.
import init, { normalize, parseToken, platformHashes, Pseudonymizer } from 'pseudolink';
import { DEMO_KEY, DEMO_KEY_ID, DEFINITION, FIELD_LABELS, explain } from '/shared/demo-config.js';

const $ = (sel) => document.querySelector(sel);
const CONTACT = ['firstName', 'lastName', 'email', 'phone', 'street', 'city', 'state', 'postalCode', 'country', 'companyName', 'duns'];
const SHIP = { shipStreet: 'street', shipCity: 'city', shipState: 'state', shipPostalCode: 'postalCode', shipCountry: 'country' };
const ORDER = { items: 2, totalCents: 5980, currency: 'USD' };

let pseudonymizer;

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

/** Tokenises the form and redraws the field-by-field panel. Returns the request body, or null if a field is invalid. */
function build() {
  const bill = billTo();
  const ship = shipTo();
  const out = pseudonymizer.tokenize(bill);
  const shipOut = ship ? pseudonymizer.tokenize(ship) : { tokens: [], matchKeys: [], errors: [] };
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
      const sent = cell(`${tokenOf[f].slice(0, 26)}…`, 'token');
      sent.title = tokenOf[f];
      tr.append(cell(n, 'norm'), sent);
    }
    body.append(tr);
  }

  if (errors.length || !bill.email) return null;
  const hashes = {};
  for (const p of ['uid2', 'google', 'meta']) hashes[p] = platformHashes(bill, p, { region }).hashes;
  return {
    keyId: DEMO_KEY_ID,
    tokens: out.tokens,
    matchKeys: out.matchKeys,
    shipTo: shipOut.tokens,
    platformHashes: hashes,
    order: ORDER,
  };
}

function refresh() {
  $('#submit').disabled = build() === null;
}

async function showStored() {
  const res = await fetch('/api/orders');
  const orders = await res.json();
  $('#stored').textContent = orders.length ? JSON.stringify(orders[0], null, 2) : 'Nothing yet: place an order.';
}

async function submit(ev) {
  ev.preventDefault();
  const payload = build();
  if (!payload) return;
  $('#submit').disabled = true;
  const box = $('#result');
  try {
    const res = await fetch('/api/checkout', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(payload),
    });
    const answer = await res.json();
    if (!res.ok) throw new Error(answer.error ?? `HTTP ${res.status}`);
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
    box.textContent = `The order could not be placed (${e.message}).`;
  } finally {
    refresh();
  }
}

async function main() {
  const t0 = performance.now();
  await init();
  pseudonymizer = new Pseudonymizer([{ id: DEMO_KEY_ID, secret: DEMO_KEY }], DEFINITION);
  $('#status').textContent = `Module ready in ${Math.round(performance.now() - t0)} ms. Your details are tokenised in this tab.`;
  $('#status').classList.add('ready');
  $('#shipDifferent').addEventListener('change', () => { $('#shipping').hidden = !$('#shipDifferent').checked; refresh(); });
  $('#form').addEventListener('input', refresh);
  $('#form').addEventListener('submit', submit);
  refresh();
  await showStored();
  document.body.dataset.ready = 'true';
}

main().catch((e) => {
  $('#status').textContent = `Could not start: ${e.code ?? e.message}`;
  $('#status').classList.add('bad');
});
