// Partner portal: map the CSV's columns, take the partner's credentials, then
// a Web Worker (worker.js) encodes the file (oblivious tokens through the key
// server, hardened CLKs), uploads the encodings to the linkage service, links
// them against the company's directory there and brings back which of the
// partner's own rows matched, with probability and explanation. This page
// only ever holds counts, the partner's row numbers, probabilities and
// explanations; it draws the histogram, a waterfall per row and the table.
// It never loads the company's directory: no page a partner opens has it.
// definition.js, not demo-config.js: no key of any kind reaches this page.
import { DEFINITION, FIELD_LABELS, explain } from '/shared/definition.js';
import { sniff, delimiterName, WINDOWS_1252 } from '/portal/csv.js';
import { drawHistogram, drawWaterfall, SHORT_LABELS } from '/portal/charts.js';
import { explainError } from '/portal/linkage-client.js';
import { DEMO_PARTNER_CREDENTIALS } from '/portal/demo-partner-credentials.js';

const $ = (sel) => document.querySelector(sel);
const FIELDS = Object.keys(FIELD_LABELS);
const DEMO_FILE_URL = '/portal/demo-partner.csv';
/** The linkage service links at this probability or more. */
const LINKED = 0.5;
const PAGE = 12;

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
  externalId: ['id', 'customerid', 'externalid', 'accountid', 'customernumber', 'customerno'],
};

export function guessField(header) {
  const h = header.toLowerCase().replace(/[^a-z0-9]/g, '');
  return Object.keys(GUESSES).find((f) => GUESSES[f].includes(h)) ?? '';
}

/** Progress stages as the user sees them. */
const STAGES = [['read', 'Read'], ['encode', 'Tokens & CLKs'], ['upload', 'Upload'], ['link', 'Link'], ['results', 'Results']];
const STAGE_TEXT = {
  read: 'Reading the file and the project',
  encode: 'Making tokens (key server) and CLKs',
  upload: 'Uploading encodings',
  link: 'Linking at the linkage service',
};
/** The linkage service's stages of a run, as it reports them while the run is in progress. */
const RUN_STEP_TEXT = {
  queued: 'waiting for the service',
  loading: 'reading the encodings',
  prepare: 'preparing',
  block: 'finding candidate pairs',
  compare: 'comparing',
  sampleU: 'training',
  em: 'training',
  score: 'scoring',
  solve: 'choosing matches',
  engine: 'at the engine for large files',
  storing: 'storing the results',
};
const CREDENTIALS = { project: '#credProject', keyserverApiKey: '#credKeyserver', linkageApiKey: '#credLinkage', clkSecret: '#credSecret' };

let file = null;
let worker = null;
let running = false;
let startedAt = 0;
let state = null; // {links, page, selected}

const fmt = (n) => n.toLocaleString('en');
const pct = (p) => (p >= 0.9995 ? '>99.9%' : `${(p * 100).toFixed(p >= 0.1 ? 1 : 2)}%`);

function mapping() {
  return Object.fromEntries([...document.querySelectorAll('#mapping select')].map((s) => [s.dataset.col, s.value]));
}

function credentials() {
  return Object.fromEntries(Object.entries(CREDENTIALS).map(([k, sel]) => [k, $(sel).value.trim()]));
}

function setCredentials(c) {
  for (const [k, sel] of Object.entries(CREDENTIALS)) $(sel).value = c[k] ?? '';
  $('#credentialsNote').textContent = '(the demo partner’s)';
}

/** Notes about the file (its encoding, its delimiter, an unmapped file): a sentence each, with its code. */
function clearNotes() {
  $('#notes').replaceChildren();
  $('#notes').hidden = true;
}

function addNote(code, { warn = false, text } = {}) {
  const box = $('#notes');
  if (box.querySelector(`[data-code="${code}"]`)) return;
  const p = document.createElement('p');
  p.className = warn ? 'note warn' : 'note';
  p.dataset.code = code;
  p.append(document.createTextNode(`${text ?? explainError(code)} `), codeDetail(code));
  box.append(p);
  box.hidden = false;
}

/** The stable code, small, for support: "code: portal.no_rows". */
function codeDetail(code) {
  const small = document.createElement('small');
  small.className = 'code-detail';
  small.append('code: ', Object.assign(document.createElement('code'), { textContent: code }));
  return small;
}

/** Warns, beside the mapping, when no column is mapped to a field. */
function checkMapping() {
  const none = !Object.values(mapping()).some(Boolean);
  $('#notes').querySelector('[data-code="portal.no_mapped_columns"]')?.remove();
  if (none && file) addNote('portal.no_mapped_columns', { warn: true });
  if (!$('#notes').children.length) $('#notes').hidden = true;
}

async function chooseFile(f) {
  file = null;
  clearNotes();
  clearResults();
  $('#error').hidden = true;
  $('#dropText').textContent = `${f.name} · ${f.size >= 1e6 ? `${(f.size / 1e6).toFixed(1)} MB` : `${(f.size / 1024).toFixed(1)} KB`}`;
  $('#drop').classList.add('chosen');
  const body = $('#mapping tbody');
  body.replaceChildren();
  $('#start').disabled = true;
  // Only the head of the file is read on the page, to build the mapping.
  let head;
  try {
    head = await sniff(f);
  } catch {
    showError({ code: 'portal.not_csv' });
    return;
  }
  if (head.empty) {
    showError({ code: 'portal.empty_file' });
    return;
  }
  file = f;
  if (head.encoding === WINDOWS_1252) addNote('portal.encoding_windows1252');
  if (head.delimiter !== ',') {
    addNote('portal.delimiter', { text: `The columns are separated by ${delimiterName(head.delimiter)}; they were read as such.` });
  }
  const taken = new Set();
  head.header.forEach((h, col) => {
    const tr = document.createElement('tr');
    const name = document.createElement('td');
    name.textContent = h;
    const td = document.createElement('td');
    const sel = document.createElement('select');
    sel.dataset.col = String(col);
    sel.setAttribute('aria-label', `Field of column ${col + 1}${h ? ` (${h.slice(0, 40)})` : ''}`);
    sel.addEventListener('change', checkMapping);
    sel.append(new Option('— ignore —', ''));
    for (const fld of FIELDS) sel.append(new Option(FIELD_LABELS[fld], fld));
    // Each field is guessed for one column at most (the first that fits).
    const guess = guessField(h);
    sel.value = taken.has(guess) ? '' : guess;
    if (guess) taken.add(guess);
    td.append(sel);
    tr.append(name, td);
    body.append(tr);
  });
  checkMapping();
  $('#start').disabled = running;
}

async function tryDemo() {
  $('#tryDemo').disabled = true;
  try {
    const res = await fetch(DEMO_FILE_URL);
    if (!res.ok) throw new Error(String(res.status));
    await chooseFile(new File([await res.blob()], 'demo-partner.csv', { type: 'text/csv' }));
    start();
  } catch {
    showError({ code: 'portal.demo_unavailable', text: 'The demo file could not be loaded.' });
  } finally {
    $('#tryDemo').disabled = false;
  }
}

function showStage(stage) {
  const at = STAGES.findIndex(([s]) => s === stage);
  [...$('#stages').children].forEach((el, i) => {
    el.classList.toggle('done', i < at);
    el.classList.toggle('now', i === at);
  });
}

/** A fresh worker: one per run, so that nothing of a cancelled run lingers. */
function spawnWorker() {
  worker?.terminate();
  worker = new Worker('/portal/worker.js', { type: 'module' });
  worker.onmessage = (ev) => onMessage(ev.data);
  worker.onerror = (ev) => {
    ev.preventDefault();
    showError({ code: 'portal.failed', text: explainError('portal.failed') });
  };
}

function onMessage(m) {
  if (m.type === 'progress') {
    showStage(m.stage);
    $('#progress').max = Math.max(1, m.total);
    $('#progress').value = m.done;
    const count = m.stage === 'encode' || m.stage === 'upload' ? `: ${fmt(m.done)} of ${fmt(m.total)} rows`
      : m.stage === 'read' && m.total > 1 ? `: ${Math.floor((100 * m.done) / m.total)}%`
        : m.step ? ` (${RUN_STEP_TEXT[m.step] ?? 'linking'})…` : '…';
    $('#progressText').textContent = `${STAGE_TEXT[m.stage] ?? 'Working'}${count}`;
  } else if (m.type === 'note') {
    addNote(m.code);
  } else if (m.type === 'done') {
    finish(m);
  } else if (m.type === 'export') {
    download(m.name, m.blob);
  } else if (m.type === 'error') {
    showError(m);
  }
}

/** A failure as a sentence; its stable code rides along in data-code (and after the text, small, for support). */
function showError(m) {
  const { code, text } = m;
  running = false;
  const box = $('#error');
  box.hidden = false;
  box.dataset.code = code;
  box.replaceChildren(document.createTextNode(`${text ?? explainError(m)} `), codeDetail(code));
  clearResults();
  $('#progressText').textContent = 'Stopped.';
  $('#empty').hidden = false;
  $('#report').hidden = true;
  $('#empty').textContent = 'Nothing to show: see the message on the left.';
  $('#start').disabled = !file;
  $('#cancel').disabled = true;
  document.body.dataset.error = code;
}

function start() {
  if (!file) return;
  const used = Object.values(mapping()).filter(Boolean);
  $('#error').hidden = true;
  delete document.body.dataset.error;
  if (new Set(used).size !== used.length) { showError({ code: 'portal.duplicate_mapping' }); return; }
  if (!used.length) { showError({ code: 'portal.no_fields' }); return; }
  delete document.body.dataset.done;
  delete document.body.dataset.cancelled;
  clearResults();
  for (const n of [...$('#notes').children]) if (!['portal.encoding_windows1252', 'portal.delimiter'].includes(n.dataset.code)) n.remove();
  if (!$('#notes').children.length) $('#notes').hidden = true;
  running = true;
  startedAt = performance.now();
  spawnWorker();
  $('#report').hidden = true;
  $('#empty').hidden = false;
  $('#empty').textContent = 'Encoding your file in this tab and linking the encodings…';
  $('#start').disabled = true;
  $('#cancel').disabled = false;
  $('#progressBox').hidden = false;
  $('#stages').replaceChildren(...STAGES.map(([, label]) => Object.assign(document.createElement('span'), { textContent: label })));
  $('#progress').max = 1;
  $('#progress').value = 0;
  $('#progressText').textContent = 'Starting…';
  worker.postMessage({ type: 'start', file, mapping: mapping(), definition: DEFINITION, credentials: credentials() });
}

/** Forgets an earlier run's results: tiles, summary, histogram, waterfall, table. */
function clearResults() {
  state = null;
  $('#report').hidden = true;
  $('#empty').hidden = false;
  for (const id of ['#linkedCount', '#rowCount', '#shareCount', '#timeTaken']) $(id).textContent = '–';
  delete $('#linkedCount').dataset.linked;
  delete $('#timeTaken').dataset.ms;
  const t = $('#summaryText');
  t.textContent = '';
  for (const k of Object.keys(t.dataset)) delete t.dataset[k];
  const c = $('#histogram');
  c.getContext('2d')?.clearRect(0, 0, c.width, c.height);
  delete c.dataset.bins;
  $('#waterfall').replaceChildren();
  $('#whyPair').textContent = 'this row';
  $('#links tbody').replaceChildren();
  $('#pageText').textContent = '';
  delete document.body.dataset.done;
}

function cancel() {
  // The worker stops its requests and cancels a run in progress at the
  // service (refunded there), then says 'cancelled' and is terminated; if it
  // does not answer soon, it is terminated anyway. An upload it did not
  // commit is never linked.
  running = false;
  const w = worker;
  worker = null;
  if (w) {
    // From now on this worker's messages are not the page's business.
    w.onmessage = (ev) => { if (ev.data?.type === 'cancelled') w.terminate(); };
    w.postMessage({ type: 'cancel' });
    setTimeout(() => w.terminate(), 5000);
  }
  $('#progressText').textContent = 'Cancelled.';
  $('#empty').textContent = 'Cancelled: nothing was linked. Choose a file or try the demo file.';
  $('#progress').value = 0;
  $('#start').disabled = !file;
  $('#cancel').disabled = true;
  document.body.dataset.cancelled = 'true';
}

function finish({ summary, links }) {
  running = false;
  const seconds = (performance.now() - startedAt) / 1000;
  showStage('results');
  [...$('#stages').children].forEach((el) => { el.classList.remove('now'); el.classList.add('done'); });
  $('#progress').max = 1;
  $('#progress').value = 1;
  $('#progressText').textContent = `Done in ${seconds.toFixed(1)} s: tokens and CLKs in ${(summary.encodeMs / 1000).toFixed(1)} s, `
    + `upload in ${(summary.uploadMs / 1000).toFixed(1)} s, linking in ${(summary.linkMs / 1000).toFixed(1)} s.`;
  $('#start').disabled = false;
  $('#cancel').disabled = true;
  state = { links, page: 0, selected: links[0] ?? null };
  $('#empty').hidden = true;
  $('#report').hidden = false;
  $('#linkedCount').textContent = fmt(links.length);
  $('#linkedCount').dataset.linked = String(links.length);
  $('#rowCount').textContent = fmt(summary.rows);
  $('#shareCount').textContent = summary.rows ? `${((100 * links.length) / summary.rows).toFixed(0)}%` : '–';
  $('#timeTaken').textContent = `${seconds.toFixed(1)} s`;
  $('#timeTaken').dataset.ms = String(Math.round(seconds * 1000));
  const t = $('#summaryText');
  Object.assign(t.dataset, { rows: String(summary.rows), tokenised: String(summary.tokenised), withErrors: String(summary.withErrors), run: summary.run });
  const codes = Object.entries(summary.errorsByCode).sort((a, b) => b[1] - a[1]).slice(0, 3)
    .map(([fc, n]) => { const [f, c] = fc.split(' '); return `${FIELD_LABELS[f] ?? f} ${explain(c)} (${fmt(n)})`; }).join('; ');
  t.textContent = `${fmt(links.length)} of your ${fmt(summary.rows)} rows are customers we share. `
    + `${fmt(summary.tokenised)} rows got tokens (key ${summary.keyVersion}); `
    + `${fmt(summary.withErrors)} had a field that could not be read${codes ? ` — most often: ${codes}` : ''}.`;
  if (summary.tokenised === 0) addNote('portal.nothing_tokenised', { warn: true });

  drawHistogram($('#histogram'), links.map((l) => l.probability), LINKED);
  renderTable();
  select(state.selected);
  document.body.dataset.done = 'true';
}

function topFields(l) {
  return l.explanation.contributions
    .filter((c) => c.matchWeight > 0.5)
    .sort((a, b) => b.matchWeight - a.matchWeight)
    .slice(0, 3);
}

function renderTable() {
  const { links, page } = state;
  const pages = Math.max(1, Math.ceil(links.length / PAGE));
  const body = $('#links tbody');
  body.replaceChildren();
  for (const l of links.slice(page * PAGE, (page + 1) * PAGE)) {
    const tr = document.createElement('tr');
    tr.tabIndex = 0;
    tr.dataset.row = String(l.row);
    if (l === state.selected) tr.classList.add('selected');
    const row = document.createElement('td');
    row.textContent = `Row ${fmt(l.row)}`;
    const prob = document.createElement('td');
    const bar = document.createElement('span');
    bar.className = 'pbar';
    const fill = document.createElement('span');
    fill.style.width = `${(l.probability * 100).toFixed(1)}%`;
    bar.append(fill);
    prob.append(bar, document.createTextNode(pct(l.probability)));
    const ev = document.createElement('td');
    for (const c of topFields(l)) {
      const chip = document.createElement('span');
      chip.className = 'chip';
      chip.textContent = SHORT_LABELS[c.comparison] ?? c.comparison;
      ev.append(chip);
    }
    tr.append(row, prob, ev);
    tr.addEventListener('click', () => select(l));
    tr.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); select(l); } });
    body.append(tr);
  }
  $('#pageText').textContent = links.length
    ? `${fmt(page * PAGE + 1)}–${fmt(Math.min((page + 1) * PAGE, links.length))} of ${fmt(links.length)}`
    : 'No matches';
  $('#prev').disabled = page === 0;
  $('#next').disabled = page >= pages - 1;
}

function select(l) {
  state.selected = l;
  for (const tr of document.querySelectorAll('#links tbody tr')) tr.classList.toggle('selected', !!l && tr.dataset.row === String(l.row));
  if (!l) return;
  $('#whyPair').textContent = `row ${fmt(l.row)}`;
  drawWaterfall($('#waterfall'), l.explanation);
}

function download(name, blob) {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

function main() {
  setCredentials(DEMO_PARTNER_CREDENTIALS);
  for (const sel of Object.values(CREDENTIALS)) {
    $(sel).addEventListener('input', () => { $('#credentialsNote').textContent = '(edited)'; });
  }
  $('#showSecret').addEventListener('click', (e) => {
    const show = $('#credSecret').type === 'password';
    $('#credSecret').type = show ? 'text' : 'password';
    e.target.setAttribute('aria-pressed', String(show));
    e.target.textContent = show ? 'Hide secret' : 'Show secret';
  });
  $('#resetCredentials').addEventListener('click', () => setCredentials(DEMO_PARTNER_CREDENTIALS));
  $('#status').textContent = 'Ready. Your rows are encoded in this tab; only encodings leave it.';
  $('#status').classList.add('ready');
  $('#file').addEventListener('change', (e) => e.target.files[0] && chooseFile(e.target.files[0]));
  const drop = $('#drop');
  drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('over'); });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => { e.preventDefault(); drop.classList.remove('over'); if (e.dataTransfer.files[0]) chooseFile(e.dataTransfer.files[0]); });
  $('#tryDemo').addEventListener('click', tryDemo);
  clearResults();
  $('#start').addEventListener('click', start);
  $('#cancel').addEventListener('click', cancel);
  $('#prev').addEventListener('click', () => { state.page--; renderTable(); });
  $('#next').addEventListener('click', () => { state.page++; renderTable(); });
  for (const b of document.querySelectorAll('.downloads button')) {
    b.addEventListener('click', () => worker?.postMessage({ type: 'export', what: b.dataset.what, format: b.dataset.format }));
  }
  let resize;
  window.addEventListener('resize', () => {
    clearTimeout(resize);
    resize = setTimeout(() => {
      if (!state?.links) return;
      drawHistogram($('#histogram'), state.links.map((l) => l.probability), LINKED);
      if (state.selected) drawWaterfall($('#waterfall'), state.selected.explanation);
    }, 150);
  });
  document.body.dataset.ready = 'true';
}

main();
