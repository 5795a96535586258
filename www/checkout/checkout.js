// Checkout: the order form tokenises in the browser and sends only oblivious
// tokens, the key version and the order. The shop recognises a returning
// customer because the tokens agree.
//
// A shopper is a third party, so this page holds no key (issue 11): each
// value is normalised and blinded here, evaluated by the key server (public
// key pinned from this page's own origin, proof verified) and finalised into
// `po1` tokens. It loads the definition and labels from definition.js and its
// publishable key-server credential from demo-checkout-credentials.js, never
// the keyed pages' demo-config.js, and only the oblivious entry of the package.
import { DEFINITION, FIELD_LABELS, explainField } from '/shared/definition.js';
import { DEMO_KEYSERVER_API_KEY } from '/checkout/demo-checkout-credentials.js';

let normalize;
let parseToken;
/** The ObliviousPseudonymizer, pinned to the active key version. */
let oblivious;
let keyId;

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
 * Field errors of a record without tokenising it (tokens cost a key-server
 * call, so they are made once, at submit). The same rules as the tokenizer:
 * an empty field is absence, not an error.
 */
function fieldErrors(record) {
  let region = DEFINITION.defaultRegion;
  try { if (record.country) region = normalize('country', record.country); } catch { /* reported below */ }
  const errors = [];
  for (const [field, v] of Object.entries(record)) {
    try {
      normalize(field, v, { region, dateOrder: DEFINITION.dateOrder });
    } catch (e) {
      if (e.code !== 'value.empty') errors.push({ field, code: e.code, region });
    }
  }
  return errors;
}

/** Checks a record now; it is tokenised at submit. */
function checkNow(record) {
  return { tokens: [], matchKeys: [], errors: fieldErrors(record) };
}

/** Tokenises the form and redraws the field-by-field panel. Returns the request body, or null if a field is invalid. */
function build(sent = null) {
  const bill = billTo();
  const ship = shipTo();
  const out = sent?.bill ?? checkNow(bill);
  const shipOut = sent?.ship ?? (ship ? checkNow(ship) : { tokens: [], matchKeys: [], errors: [] });
  const errors = [...out.errors, ...shipOut.errors.map((e) => ({ ...e, field: `ship${e.field[0].toUpperCase()}${e.field.slice(1)}` }))];
  const errorOf = Object.fromEntries(errors.map((e) => [e.field, e.code]));
  const regionOf = Object.fromEntries(errors.map((e) => [e.field, e.region]));
  /** "Phone does not fit …": the field's label and the phrase for its code (the code itself in data-code). */
  const phrase = (f) => `${FIELD_LABELS[f] ?? FIELD_LABELS[SHIP[f]] ?? f} ${explainField(SHIP[f] ?? f, errorOf[f], { value: value(f), region: regionOf[f] })}`;
  for (const el of document.querySelectorAll('.error')) {
    const f = el.dataset.for;
    el.textContent = errorOf[f] ? phrase(f) : '';
    if (errorOf[f]) el.dataset.code = errorOf[f];
    else delete el.dataset.code;
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
      const why = cell(`${explainField(f, errorOf[f], { value: bill[f], region: regionOf[f] })} `, 'code');
      why.append(Object.assign(document.createElement('small'), { className: 'code-detail', textContent: `code: ${errorOf[f]}` }));
      tr.append(why, cell('nothing', 'muted'));
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
  // No platform hashes: unsalted SHA-256 of an e-mail can be reversed by
  // guessing, which is what oblivious tokens exist to prevent.
  return {
    keyId,
    tokens: out.tokens,
    matchKeys: out.matchKeys,
    shipTo: shipOut.tokens,
    platformHashes: {},
    order: ORDER,
  };
}

/** The tokens last sent, shown until the form changes. */
let lastSent = null;

function refresh() {
  $('#submit').disabled = build(lastSent) === null;
}

/** What the shop stored for the order just placed (from its answer; the
 * listing of every order is the back office's, behind its own key). */
function showStored(answer) {
  $('#stored').textContent = answer
    ? JSON.stringify({ orderId: answer.orderId, customerId: answer.customerId, body: answer.stored }, null, 2)
    : 'Nothing yet: place an order.';
}

/** One key-server round trip for bill-to and ship-to, then the panel shows what is sent. */
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
    const payload = await obliviousPayload();
    if (!payload) throw Object.assign(new Error('a field is invalid'), { code: 'checkout.invalid_field' });
    box.dataset.tokenizeMs = String(Math.round((performance.now() - t0) * 10) / 10);
    const res = await fetch('/api/checkout', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(payload),
    });
    const answer = await res.json();
    if (!res.ok) throw Object.assign(new Error(`HTTP ${res.status}`), { code: answer.error ?? `http.${res.status}` });
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
    showStored(answer);
  } catch (e) {
    box.hidden = false;
    box.className = 'result bad';
    box.textContent = `The order could not be placed. ${sentence(e)}`;
    box.dataset.code = codeOf(e);
  } finally {
    refresh();
  }
}

/**
 * Sentences for what can stop the page or an order: the key server's and the
 * checkout endpoint's codes. The code itself is shown after the sentence.
 */
const SENTENCES = {
  'keyserver.not_configured': 'This shop runs no key server, so your details cannot be turned into tokens here and no order can be placed.',
  'keyserver.invalid_config': 'This shop’s key-server settings could not be read, so no order can be placed.',
  'module.failed': 'The tokenising module could not be loaded. Reload the page to try again.',
  'network.failed': 'The key server could not be reached. Check the connection and try again.',
  'network.timeout': 'The key server did not answer in time. Try again.',
  'auth.invalid': 'The key server does not know this shop’s credential.',
  'auth.missing': 'The key server needs this shop’s credential, and none was sent.',
  'origin.not_allowed': 'The key server does not accept this shop’s credential from this web address.',
  'rate.limited': 'The key server is busy with this shop’s earlier requests. Wait a moment and try again.',
  'quota.exceeded': 'Today’s key-server quota for this shop is used up. Try again tomorrow.',
  'key.retired': 'The key version this page pinned has been retired. Reload the page.',
  'key.unknown_version': 'The key server does not serve the key version this page pinned. Reload the page.',
  'oblivious.verification_failed': 'The key server’s answer did not prove itself against the pinned public key, so nothing was sent.',
  'oblivious.invalid_response': 'The key server gave an answer this page cannot read.',
  'oblivious.invalid_public_key': 'The key server’s pinned public key is not valid.',
  'checkout.invalid_field': 'A field is invalid.',
};

/** The most specific code of an error: the server's own, else the client's. */
function codeOf(e) {
  return e?.serverCode ?? e?.code ?? 'unknown';
}

/** A sentence and its code, e.g. "The key server … (network.failed)". */
function sentence(e) {
  const code = codeOf(e);
  const text = SENTENCES[code] ?? (code.startsWith('checkout.') ? 'The shop refused the request.' : 'Something went wrong.');
  return `${text} (${code})`;
}

/** The key server's address and public keys, pinned from this page's own origin. */
async function siteConfig() {
  const res = await fetch('/api/oblivious-config');
  if (res.status === 404) throw Object.assign(new Error('no key server'), { code: 'keyserver.not_configured' });
  const config = res.ok ? await res.json().catch(() => null) : null;
  const active = config?.keys?.find((k) => k.version === config.activeKey);
  if (!active || typeof config.endpoint !== 'string') throw Object.assign(new Error('bad key-server config'), { code: 'keyserver.invalid_config' });
  return { endpoint: config.endpoint, keyVersion: config.activeKey, publicKey: active.publicKey };
}

async function main() {
  const t0 = performance.now();
  let mod;
  try {
    mod = await import('pseudolink/oblivious');
    await mod.default();
  } catch (e) {
    throw Object.assign(new Error(String(e?.message ?? e)), { code: 'module.failed' });
  }
  ({ normalize, parseToken } = mod);
  const config = await siteConfig();
  keyId = config.keyVersion;
  oblivious = new mod.ObliviousPseudonymizer({
    endpoint: config.endpoint,
    publicKey: { [keyId]: config.publicKey },
    apiKey: DEMO_KEYSERVER_API_KEY,
    definition: DEFINITION,
  });
  $('#status').textContent = `Module ready in ${Math.round(performance.now() - t0)} ms. This page holds no key: your details are `
    + `normalised and blinded in this tab, and the key server (key ${keyId}) never sees them.`;
  $('#status').classList.add('ready');
  $('#shipDifferent').addEventListener('change', () => { lastSent = null; $('#shipping').hidden = !$('#shipDifferent').checked; refresh(); });
  $('#form').addEventListener('input', () => { lastSent = null; refresh(); });
  $('#form').addEventListener('submit', submit);
  refresh();
  showStored(null);
  document.body.dataset.ready = 'true';
}

main().catch((e) => {
  $('#status').textContent = `Could not start. ${sentence(e)}`;
  $('#status').classList.add('bad');
  document.body.dataset.error = codeOf(e);
});
