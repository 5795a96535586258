// Partner portal: map the CSV's columns, pseudonymise it in a Web Worker with
// progress and cancel, preview and download tokens only.
import init, { parseToken } from 'pseudolink';
import { DEMO_KEY, DEMO_KEY_ID, DEFINITION, FIELD_LABELS, explain } from '/shared/demo-config.js';
import { parseCsv, toCsv } from '/portal/csv.js';

const $ = (sel) => document.querySelector(sel);
const FIELDS = Object.keys(FIELD_LABELS);

/** Header spellings (lower-case, letters and digits only) for each field. */
const GUESSES = {
  email: ['email', 'emailaddress', 'mail'],
  phone: ['phone', 'phonenumber', 'tel', 'telephone', 'mobile', 'cell'],
  firstName: ['firstname', 'first', 'givenname', 'forename'],
  lastName: ['lastname', 'last', 'surname', 'familyname'],
  street: ['street', 'address', 'address1', 'streetaddress', 'addressline1'],
  city: ['city', 'town', 'locality'],
  state: ['state', 'province', 'region', 'county'],
  postalCode: ['zip', 'zipcode', 'postcode', 'postalcode'],
  country: ['country', 'countrycode'],
  dateOfBirth: ['dob', 'dateofbirth', 'birthdate', 'birthday'],
  gender: ['gender', 'sex'],
  companyName: ['company', 'companyname', 'organisation', 'organization', 'employer'],
  duns: ['duns', 'dunsnumber'],
  webDomain: ['website', 'domain', 'url', 'web'],
  externalId: ['id', 'customerid', 'externalid', 'accountid', 'customernumber'],
};

export function guessField(header) {
  const h = header.toLowerCase().replace(/[^a-z0-9]/g, '');
  return Object.keys(GUESSES).find((f) => GUESSES[f].includes(h)) ?? '';
}

let file = null;
let headers = [];
let result = null;
let worker = null;

function mapping() {
  return Object.fromEntries([...document.querySelectorAll('#mapping select')].map((s) => [s.dataset.col, s.value]));
}

async function chooseFile(f) {
  file = f;
  // Only the header line is read on the page, to build the mapping.
  const head = parseCsv(await f.slice(0, 64 * 1024).text())[0] ?? [];
  headers = head;
  $('#dropText').textContent = `${f.name} · ${(f.size / 1024).toFixed(1)} KB`;
  const body = $('#mapping tbody');
  body.replaceChildren();
  headers.forEach((h, col) => {
    const tr = document.createElement('tr');
    const name = document.createElement('td');
    name.textContent = h;
    const td = document.createElement('td');
    const sel = document.createElement('select');
    sel.dataset.col = String(col);
    sel.append(new Option('— ignore —', ''));
    for (const fld of FIELDS) sel.append(new Option(FIELD_LABELS[fld], fld));
    sel.value = guessField(h);
    td.append(sel);
    tr.append(name, td);
    body.append(tr);
  });
  $('#start').disabled = false;
}

function start() {
  const used = Object.values(mapping()).filter(Boolean);
  if (new Set(used).size !== used.length) {
    $('#progressText').textContent = 'Two columns are mapped to the same field.';
    return;
  }
  worker?.terminate();
  worker = new Worker('/portal/worker.js', { type: 'module' });
  $('#start').disabled = true;
  $('#cancel').disabled = false;
  $('#progress').hidden = false;
  $('#progress').value = 0;
  $('#progressText').textContent = 'Reading the file…';
  worker.onmessage = (ev) => {
    const m = ev.data;
    if (m.type === 'progress') {
      $('#progress').max = m.total;
      $('#progress').value = m.done;
      $('#progressText').textContent = `${m.done.toLocaleString('en')} of ${m.total.toLocaleString('en')} rows`;
    } else if (m.type === 'done') {
      finish(m);
    } else if (m.type === 'cancelled' || m.type === 'error') {
      $('#progressText').textContent = m.type === 'cancelled' ? 'Cancelled.' : `Failed (${m.code}).`;
      $('#start').disabled = false;
      $('#cancel').disabled = true;
    }
  };
  // Keys are bytes; the worker gets its own copy.
  worker.postMessage({ type: 'start', file, mapping: mapping(), definition: DEFINITION, key: { id: DEMO_KEY_ID, secret: DEMO_KEY } });
}

function finish({ rows, summary }) {
  result = rows;
  $('#cancel').disabled = true;
  $('#start').disabled = false;
  $('#progressText').textContent = `Done: ${summary.rows.toLocaleString('en')} rows.`;
  document.body.dataset.done = 'true';
  const codes = Object.entries(summary.errorsByCode).map(([c, n]) => `${n} × ${c}`).join(', ');
  $('#summary').innerHTML = '';
  const p = document.createElement('p');
  p.id = 'summaryText';
  p.dataset.rows = String(summary.rows);
  p.dataset.tokenised = String(summary.tokenised);
  p.dataset.withErrors = String(summary.withErrors);
  p.textContent = `${summary.tokenised.toLocaleString('en')} of ${summary.rows.toLocaleString('en')} rows tokenised; `
    + `${summary.withErrors.toLocaleString('en')} with a field that could not be read${codes ? ` (${codes})` : ''}.`;
  $('#summary').append(p);
  const body = $('#preview tbody');
  body.replaceChildren();
  rows.slice(0, 8).forEach((r, i) => {
    const tr = document.createElement('tr');
    const subjects = r.tokens.map((t) => parseToken(t).subject).join(', ');
    for (const text of [String(i + 1), subjects, r.errors.map((e) => `${FIELD_LABELS[e.field]} ${explain(e.code)}`).join('; ')]) {
      const td = document.createElement('td');
      td.textContent = text;
      tr.append(td);
    }
    body.append(tr);
  });
  $('#downloadCsv').disabled = false;
  $('#downloadJson').disabled = false;
}

/** One row per input row: each mapped field's token, each match key's token, the error codes. */
function pseudonymisedCsv() {
  const fields = DEFINITION.fields;
  const mks = DEFINITION.matchKeys.map((m) => m.name);
  const header = ['row', ...fields, ...mks.map((m) => `mk_${m}`), 'errors'];
  const lines = result.map((r, i) => {
    const by = Object.fromEntries([...r.tokens, ...r.matchKeys].map((t) => [parseToken(t).subject, t]));
    return [String(i + 1), ...fields.map((f) => by[f] ?? ''), ...mks.map((m) => by[`mk-${m}`] ?? ''), r.errors.map((e) => e.code).join(' ')];
  });
  return toCsv([header, ...lines]);
}

function download(name, type, text) {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([text], { type }));
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

async function main() {
  await init();
  $('#status').textContent = 'Ready. Files are processed in this tab and never uploaded.';
  $('#status').classList.add('ready');
  $('#file').addEventListener('change', (e) => e.target.files[0] && chooseFile(e.target.files[0]));
  const drop = $('#drop');
  drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('over'); });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => { e.preventDefault(); drop.classList.remove('over'); if (e.dataTransfer.files[0]) chooseFile(e.dataTransfer.files[0]); });
  $('#start').addEventListener('click', start);
  $('#cancel').addEventListener('click', () => worker?.postMessage({ type: 'cancel' }));
  $('#downloadCsv').addEventListener('click', () => download('pseudonymised.csv', 'text/csv', pseudonymisedCsv()));
  $('#downloadJson').addEventListener('click', () => download('pseudonymised.json', 'application/json', JSON.stringify({ keyId: DEMO_KEY_ID, rows: result }, null, 1)));
  document.body.dataset.ready = 'true';
}

main().catch((e) => {
  $('#status').textContent = `Could not start: ${e.code ?? e.message}`;
  $('#status').classList.add('bad');
});
