// The playground: everything is computed in this tab by the pseudolink module.
import init, { normalize, parseToken, platformHashes, Pseudonymizer } from 'pseudolink';
import { DEMO_KEY_ID, pageKey, DEFINITION, FIELD_LABELS, explain } from '/shared/demo-config.js';

// One key for this page load: options can change, tokens stay comparable.
const PAGE_KEY = pageKey();

const $ = (sel) => document.querySelector(sel);
const FIELDS = Object.keys(FIELD_LABELS);
const PLATFORMS = [
  ['uid2', 'UID2', 'SHA-256 · base64'],
  ['google', 'Google Ads', 'SHA-256 · hex'],
  ['meta', 'Meta CAPI', 'SHA-256 · hex'],
  ['tiktok', 'TikTok Events API', 'SHA-256 · hex'],
  ['pinterest', 'Pinterest CAPI', 'SHA-256 · hex'],
  ['snap', 'Snap CAPI', 'SHA-256 · hex'],
  ['linkedin', 'LinkedIn CAPI', 'SHA-256 · hex'],
  ['pair', 'IAB PAIR match keys', 'SHA-256 · hex'],
];
// Every profile a person can pick: the platforms above and pseudolink's own form.
const PROFILES = [...PLATFORMS, ['pseudolink', 'pseudolink', 'SHA-256 · hex']];
const EXAMPLE = {
  email: 'Jon.Smith+shop@GoogleMail.com', phone: '(415) 555 0100', firstName: 'Dr. Jon',
  lastName: 'Smith', street: '1600 Amphitheatre Parkway', city: 'Mountain View', state: 'California',
  postalCode: '94043-1351', country: 'United States', dateOfBirth: '02/14/1985', gender: 'Male',
  companyName: 'Acme Widgets, Inc.', duns: '15-048-3782', webDomain: 'https://www.acme.example/shop',
  externalId: 'CUST-000123',
};

let pseudonymizer = null;

function buildForm() {
  const box = $('#fields');
  for (const field of FIELDS) {
    const label = document.createElement('label');
    label.className = 'field';
    label.innerHTML = `<span>${FIELD_LABELS[field]}</span><input name="${field}" spellcheck="false"><small class="error" data-for="${field}"></small>`;
    box.append(label);
  }
}

function readRecord() {
  const record = {};
  for (const field of FIELDS) {
    const v = document.querySelector(`input[name="${field}"]`).value;
    if (v.trim() !== '') record[field] = v;
  }
  return record;
}

// With no day/month order picked, dates like 05/02/1984 are read in the
// region's usual order (month first in the US, day first in most regions).
function options() {
  const dateOrder = $('#dateOrder').value;
  return dateOrder ? { region: $('#region').value, dateOrder } : { region: $('#region').value };
}

function rebuildPseudonymizer() {
  pseudonymizer?.free();
  const { region, dateOrder } = options();
  const definition = { ...DEFINITION, defaultRegion: region };
  if (dateOrder) definition.dateOrder = dateOrder;
  else delete definition.dateOrder;
  pseudonymizer = new Pseudonymizer([{ id: DEMO_KEY_ID, secret: PAGE_KEY }], definition);
}

function short(token) {
  return token.length > 34 ? `${token.slice(0, 30)}…` : token;
}

function cell(text, cls = '') {
  const td = document.createElement('td');
  td.textContent = text;
  if (cls) td.className = cls;
  return td;
}

function render() {
  const record = readRecord();
  const opts = options();
  const out = pseudonymizer.tokenize(record);
  const tokenOf = Object.fromEntries(out.tokens.map((t) => [parseToken(t).subject, t]));
  const errorOf = Object.fromEntries(out.errors.map((e) => [e.field, e.code]));
  // The record's own country decides postal code, state and phone formats.
  let region = opts.region;
  try { if (record.country) region = normalize('country', record.country); } catch { /* shown below */ }

  const body = $('#table tbody');
  body.replaceChildren();
  for (const field of FIELDS) {
    const msg = document.querySelector(`.error[data-for="${field}"]`);
    msg.textContent = errorOf[field] ? `${FIELD_LABELS[field]} ${explain(errorOf[field])}` : '';
    document.querySelector(`input[name="${field}"]`).classList.toggle('invalid', Boolean(errorOf[field]));
    if (!(field in record)) continue;
    const tr = document.createElement('tr');
    tr.append(cell(FIELD_LABELS[field], 'name'));
    if (errorOf[field]) {
      tr.append(cell(errorOf[field], 'code'), cell('—', 'muted'));
    } else {
      let normalized = '';
      try { normalized = normalize(field, record[field], { ...opts, region }); } catch (e) { normalized = e.code; }
      const tok = cell(short(tokenOf[field] ?? ''), 'token');
      tok.title = tokenOf[field] ?? '';
      tr.append(cell(normalized, 'norm'), tok);
    }
    body.append(tr);
  }

  const platforms = $('#platforms');
  platforms.replaceChildren();
  const hashes = {};
  for (const [profile] of PLATFORMS) hashes[profile] = platformHashes(record, profile, opts);
  // One picked profile: its parameters, each with the value normalised under
  // that profile's rules and what would be sent; else a card per platform.
  const picked = $('#profile').value;
  for (const [profile, title, enc] of PROFILES) {
    if (picked ? profile !== picked : !(profile in hashes)) continue;
    const h = hashes[profile] ?? platformHashes(record, profile, opts);
    const card = document.createElement('div');
    card.className = 'platform';
    card.dataset.profile = profile;
    card.innerHTML = `<div class="ph"><strong>${title}</strong><span class="muted">${enc}</span></div>`;
    const dl = document.createElement('dl');
    const rows = [...Object.entries(h.hashes).map(([k, v]) => [k, short(v), v]),
      ...Object.entries(h.plain).map(([k, v]) => [k, `${v} (sent unhashed)`, v])];
    if (picked) {
      // What each field becomes under this profile before hashing.
      for (const field of Object.keys(record)) {
        let norm;
        try { norm = normalize(field, record[field], { ...opts, region, profile }); } catch (e) { norm = e.code; }
        if (norm !== 'profile.unsupported_field') rows.push([`${FIELD_LABELS[field]} → normalised`, norm, norm]);
      }
      for (const e of h.errors) rows.push([FIELD_LABELS[e.field] ?? e.field, `not sent: ${e.code}`, e.code]);
    }
    if (rows.length === 0) dl.innerHTML = '<dd class="muted">no fields for this platform yet</dd>';
    for (const [k, shown, full] of rows) {
      const dt = document.createElement('dt');
      dt.textContent = k;
      const dd = document.createElement('dd');
      dd.textContent = shown;
      dd.title = full;
      dl.append(dt, dd);
    }
    card.append(dl);
    platforms.append(card);
  }

  const payload = {
    keyId: DEMO_KEY_ID,
    tokens: tokenOf,
    matchKeys: Object.fromEntries(out.matchKeys.map((m) => [parseToken(m).subject.slice(3), m])),
    platforms: Object.fromEntries(PLATFORMS.map(([p]) => [p, hashes[p].hashes])),
  };
  const text = JSON.stringify(payload, null, 2);
  $('#payload').textContent = text;

  // Live check: no typed value, nor its lower-cased or trimmed form, is in the payload.
  const hay = text.toLowerCase();
  const leaks = Object.entries(record)
    .filter(([, v]) => v.trim().length >= 3)
    .filter(([, v]) => hay.includes(v.trim().toLowerCase()))
    .map(([f]) => FIELD_LABELS[f]);
  const n = Object.keys(record).length;
  const check = $('#check');
  check.className = `check ${leaks.length ? 'bad' : 'good'}`;
  check.textContent = leaks.length
    ? `Raw value found in payload: ${leaks.join(', ')}`
    : `✓ None of the ${n} typed value${n === 1 ? '' : 's'} appears in the payload.`;
}

async function main() {
  buildForm();
  const t0 = performance.now();
  await init();
  rebuildPseudonymizer();
  const ms = Math.round(performance.now() - t0);
  $('#status').textContent = `Module ready in ${ms} ms. Nothing you type leaves this tab.`;
  $('#status').classList.add('ready');
  $('#form').addEventListener('input', render);
  $('#form').addEventListener('reset', () => setTimeout(render));
  $('#profile').addEventListener('change', render);
  for (const id of ['#region', '#dateOrder']) {
    $(id).addEventListener('change', () => { rebuildPseudonymizer(); render(); });
  }
  $('#example').addEventListener('click', () => {
    for (const [f, v] of Object.entries(EXAMPLE)) document.querySelector(`input[name="${f}"]`).value = v;
    render();
  });
  render();
  document.body.dataset.ready = 'true';
}

main().catch((e) => {
  // A sentence for people; the code (or "module.failed") small after it, for support.
  const code = typeof e?.code === 'string' ? e.code : 'module.failed';
  const detail = Object.assign(document.createElement('small'), { className: 'code-detail', textContent: `code: ${code}` });
  $('#status').replaceChildren('Could not start: the pseudonymising module could not be loaded or set up. Reload the page to try again. ', detail);
  $('#status').classList.add('bad');
  document.body.dataset.error = code;
});
