// Partner portal: map the CSV's columns, then in a Web Worker pseudonymise the
// file (tokens + CLKs) and link it against the company's customer directory,
// with progress and cancel. The same worker holds the directory as an identity
// graph (stored in this browser between visits) and answers with summaries:
// households, corporate families, value per customer view, segments, and how
// the partner's rows join them. The page only ever holds counts, ids, values,
// links and their explanations; it draws the probability histogram, a
// waterfall per link and the value charts.
import { DEMO_KEY, DEMO_KEY_ID, DEMO_CLK_SECRET, DEFINITION, FIELD_LABELS, explain } from '/shared/demo-config.js';
import { parseCsv } from '/portal/csv.js';
import { drawHistogram, drawWaterfall, SHORT_LABELS } from '/portal/charts.js';
import { DirectoryView } from '/portal/directory.js';

const $ = (sel) => document.querySelector(sel);
const FIELDS = Object.keys(FIELD_LABELS);
const DIRECTORY_URL = '/portal/demo-directory.json';
const DEMO_FILE_URL = '/portal/demo-partner.csv';
/** The Linker's default: pairs at this probability or more are links. */
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

/** Progress stages as the user sees them: the worker's stage names under each. */
const STAGES = [
  ['Read & encode', ['read', 'encode']],
  ['Block', ['directory', 'prepare', 'block']],
  ['Train (EM)', ['compare', 'sampleU', 'em']],
  ['Score & link', ['score', 'solve']],
  ['Identity graph', ['graph']],
];
const STAGE_TEXT = {
  read: 'Reading the file', encode: 'Encoding rows', directory: 'Loading the directory', prepare: 'Preparing',
  block: 'Finding candidate pairs', compare: 'Comparing candidates', sampleU: 'Sampling random pairs',
  em: 'Training the model', score: 'Scoring pairs', solve: 'Choosing one-to-one links',
  graph: 'Adding your rows to a copy of our identity graph', entities: 'Forming customers and households',
};

let file = null;
let worker = null;
let running = false;
let state = null; // {links, linked, page, selected}
let directoryView = null;

const fmt = (n) => n.toLocaleString('en');
const money = (v) => v.toLocaleString('en', { style: 'currency', currency: 'USD', notation: 'compact', maximumFractionDigits: 1 });
const pct = (p) => (p >= 0.9995 ? '>99.9%' : `${(p * 100).toFixed(p >= 0.1 ? 1 : 2)}%`);

function mapping() {
  return Object.fromEntries([...document.querySelectorAll('#mapping select')].map((s) => [s.dataset.col, s.value]));
}

async function chooseFile(f) {
  file = f;
  // Only the header line is read on the page, to build the mapping.
  const head = parseCsv(await f.slice(0, 64 * 1024).text())[0] ?? [];
  $('#dropText').textContent = `${f.name} · ${f.size >= 1e6 ? `${(f.size / 1e6).toFixed(1)} MB` : `${(f.size / 1024).toFixed(1)} KB`}`;
  $('#drop').classList.add('chosen');
  const body = $('#mapping tbody');
  body.replaceChildren();
  const taken = new Set();
  head.forEach((h, col) => {
    const tr = document.createElement('tr');
    const name = document.createElement('td');
    name.textContent = h;
    const td = document.createElement('td');
    const sel = document.createElement('select');
    sel.dataset.col = String(col);
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
  $('#start').disabled = false;
}

async function tryDemo() {
  $('#tryDemo').disabled = true;
  try {
    const res = await fetch(DEMO_FILE_URL);
    if (!res.ok) throw new Error(String(res.status));
    await chooseFile(new File([await res.blob()], 'demo-partner.csv', { type: 'text/csv' }));
    start();
  } catch {
    $('#progressText').textContent = 'The demo file could not be loaded.';
  } finally {
    $('#tryDemo').disabled = false;
  }
}

/** The worker's stage names are `stage` or `stage.substage` (the graph's resolve). */
function showStage(stage) {
  const top = stage.split('.')[0];
  const at = STAGES.findIndex(([, names]) => names.includes(top));
  [...$('#stages').children].forEach((el, i) => {
    el.classList.toggle('done', i < at);
    el.classList.toggle('now', i === at);
  });
}

/** A worker holding the directory graph; the page keeps one, and a new one after a cancel. */
function spawnWorker({ forget = false } = {}) {
  worker?.terminate();
  worker = new Worker('/portal/worker.js', { type: 'module' });
  worker.onmessage = (ev) => onMessage(ev.data);
  worker.onerror = (ev) => {
    ev.preventDefault();
    running = false;
    $('#progressText').textContent = 'The worker stopped unexpectedly.';
    $('#start').disabled = !file;
    $('#cancel').disabled = true;
  };
  directoryView.opening(forget);
  worker.postMessage({ type: 'open', directoryUrl: DIRECTORY_URL, forget });
}

function onMessage(m) {
  if (directoryView.handle(m)) {
    $('#forget').disabled = running || !directoryView.ready;
    return;
  }
  if (m.type === 'progress') {
    showStage(m.stage);
    $('#progress').max = Math.max(1, m.total);
    $('#progress').value = m.done;
    const [top, sub] = m.stage.split('.');
    const count = m.stage === 'encode' ? `: ${fmt(m.done)} of ${fmt(m.total)} rows`
      : m.total > 1 ? ` (${Math.floor((100 * m.done) / m.total)}%)` : '…';
    $('#progressText').textContent = `${STAGE_TEXT[top] ?? 'Working'}${sub ? ` · ${STAGE_TEXT[sub]?.toLowerCase() ?? sub}` : ''}${count}`;
  } else if (m.type === 'done') {
    finish(m);
  } else if (m.type === 'overlay') {
    showOverlay(m);
  } else if (m.type === 'export') {
    download(m.name, m.blob);
  } else if (m.type === 'error') {
    running = false;
    $('#progressText').textContent = `Failed: ${m.code}.`;
    $('#empty').hidden = false;
    $('#report').hidden = true;
    $('#empty').textContent = 'The file could not be processed; see the message on the left.';
    $('#start').disabled = false;
    $('#cancel').disabled = true;
    $('#forget').disabled = !directoryView.ready;
  }
}

function start() {
  // A run still going is replaced: its worker goes, a new one opens the directory.
  if (running) spawnWorker();
  const used = Object.values(mapping()).filter(Boolean);
  if (new Set(used).size !== used.length) {
    $('#progressBox').hidden = false;
    $('#progressText').textContent = 'Two columns are mapped to the same field.';
    return;
  }
  delete document.body.dataset.done;
  delete document.body.dataset.overlay;
  // The previous results are replaced (the worker keeps only the latest run for downloads).
  state = null;
  running = true;
  $('#report').hidden = true;
  $('#empty').hidden = false;
  $('#empty').textContent = 'Pseudonymising and linking your file in this tab…';
  $('#start').disabled = true;
  $('#cancel').disabled = false;
  $('#forget').disabled = true;
  $('#progressBox').hidden = false;
  $('#stages').replaceChildren(...STAGES.map(([label]) => Object.assign(document.createElement('span'), { textContent: label })));
  $('#progress').max = 1;
  $('#progress').value = 0;
  $('#progressText').textContent = 'Starting…';
  // Keys are bytes; the worker gets its own copy.
  worker.postMessage({
    type: 'start', file, mapping: mapping(), definition: DEFINITION,
    key: { id: DEMO_KEY_ID, secret: DEMO_KEY }, clkSecret: DEMO_CLK_SECRET,
  });
}

function cancel() {
  // Linking is one long call inside the worker: stopping the worker is the
  // cancel. The next worker opens the directory again (from this browser's store).
  running = false;
  spawnWorker();
  $('#progressText').textContent = 'Cancelled.';
  $('#empty').textContent = 'Cancelled: nothing was kept. Choose a file or try the demo file.';
  $('#progress').value = 0;
  $('#start').disabled = false;
  $('#cancel').disabled = true;
}

function finish({ summary, links }) {
  showStage('graph');
  const seconds = (summary.encodeMs + summary.linkMs) / 1000;
  $('#progress').max = 1;
  $('#progress').value = 1;
  state = { links: null, linked: null, page: 0, selected: null, summary, seconds };
  $('#progressText').textContent = `Linked in ${seconds.toFixed(1)} s; now adding your rows to a copy of our identity graph…`;
  $('#overlayTiles').hidden = true;
  $('#overlayText').textContent = 'Adding your rows to a scratch copy of our identity graph…';

  const linked = links.filter((l) => l.probability >= LINKED);
  Object.assign(state, { links, linked, selected: linked[0] ?? links[0] ?? null });
  $('#empty').hidden = true;
  $('#report').hidden = false;
  $('#linkedCount').textContent = fmt(linked.length);
  $('#linkedCount').dataset.linked = String(linked.length);
  $('#rowCount').textContent = fmt(summary.rows);
  $('#directoryCount').textContent = fmt(summary.directory);
  $('#timeTaken').textContent = `${seconds.toFixed(1)} s`;
  const t = $('#summaryText');
  Object.assign(t.dataset, { rows: String(summary.rows), tokenised: String(summary.tokenised), withErrors: String(summary.withErrors) });
  const codes = Object.entries(summary.errorsByCode).sort((a, b) => b[1] - a[1]).slice(0, 3)
    .map(([fc, n]) => { const [f, c] = fc.split(' '); return `${FIELD_LABELS[f] ?? f} ${explain(c)} (${fmt(n)})`; }).join('; ');
  const share = summary.rows ? ` (${((100 * linked.length) / summary.rows).toFixed(0)}% of your rows)` : '';
  t.textContent = `${fmt(linked.length)} of your customers are in our directory${share}. `
    + `${fmt(summary.tokenised)} of ${fmt(summary.rows)} rows were pseudonymised; `
    + `${fmt(summary.withErrors)} had a field that could not be read${codes ? ` — most often: ${codes}` : ''}.`;

  drawHistogram($('#histogram'), links.map((l) => l.probability), LINKED);
  renderTable();
  select(state.selected);
  document.body.dataset.done = 'true';
}

/** How the partner's rows joined a scratch copy of the directory graph. */
function showOverlay({ overlay: o, error }) {
  running = false;
  $('#cancel').disabled = true;
  $('#start').disabled = false;
  $('#forget').disabled = !directoryView.ready;
  [...$('#stages').children].forEach((el) => { el.classList.remove('now'); el.classList.add('done'); });
  $('#progress').max = 1;
  $('#progress').value = 1;
  const { summary, seconds } = state;
  if (error) {
    $('#progressText').textContent = `Linked in ${seconds.toFixed(1)} s.`;
    $('#overlayText').textContent = `Your rows could not be added to our identity graph (${error}).`;
    document.body.dataset.overlay = 'failed';
    return;
  }
  $('#progressText').textContent = `Done in ${(seconds + o.ms / 1000).toFixed(1)} s: encoded in ${(summary.encodeMs / 1000).toFixed(1)} s, `
    + `linked in ${(summary.linkMs / 1000).toFixed(1)} s, identity graph in ${(o.ms / 1000).toFixed(1)} s.`;
  const set = (id, n, text = fmt(n)) => { $(id).textContent = text; $(id).dataset.n = String(n); };
  set('#ovCustomers', o.customers);
  set('#ovHouseholds', o.households);
  set('#ovContacts', o.contacts);
  set('#ovFamilies', o.families);
  set('#ovValue', Math.round(o.contribution), money(o.contribution));
  $('#overlayTiles').hidden = false;
  const tiers = Object.entries(o.tiers).sort().map(([t, n]) => `${fmt(n)} in tier ${t}`).join(', ');
  $('#overlayText').textContent = `${fmt(o.considered)} of your ${fmt(o.rows)} rows share a key or a likely match with our directory `
    + `and were resolved in a scratch copy of our graph (${fmt(o.links)} same-person links); the copy is dropped, `
    + `nothing of your file is stored. ${fmt(o.customers)} are customers we know${tiers ? ` (${tiers})` : ''}`
    + `${o.newMembers ? `; ${fmt(o.newMembers)} ${o.newMembers === 1 ? 'is a new member' : 'are new members'} of a household we know` : ''}.`;
  Object.assign($('#overlay').dataset, { considered: String(o.considered), rows: String(o.rows) });
  document.body.dataset.overlay = 'done';
}

function topFields(l) {
  return l.explanation.contributions
    .filter((c) => c.matchWeight > 0.5)
    .sort((a, b) => b.matchWeight - a.matchWeight)
    .slice(0, 3);
}

function renderTable() {
  const { linked, page } = state;
  const pages = Math.max(1, Math.ceil(linked.length / PAGE));
  const body = $('#links tbody');
  body.replaceChildren();
  for (const l of linked.slice(page * PAGE, (page + 1) * PAGE)) {
    const tr = document.createElement('tr');
    tr.tabIndex = 0;
    tr.dataset.a = l.a;
    tr.dataset.b = l.b;
    if (l === state.selected) tr.classList.add('selected');
    const row = document.createElement('td');
    row.textContent = `Row ${l.a}`;
    const cust = document.createElement('td');
    cust.className = 'mono';
    cust.textContent = l.b;
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
    tr.append(row, cust, prob, ev);
    tr.addEventListener('click', () => select(l));
    tr.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); select(l); } });
    body.append(tr);
  }
  $('#pageText').textContent = linked.length
    ? `${fmt(page * PAGE + 1)}–${fmt(Math.min((page + 1) * PAGE, linked.length))} of ${fmt(linked.length)}`
    : 'No links';
  $('#prev').disabled = page === 0;
  $('#next').disabled = page >= pages - 1;
}

function select(l) {
  state.selected = l;
  for (const tr of document.querySelectorAll('#links tbody tr')) {
    tr.classList.toggle('selected', !!l && tr.dataset.a === l.a && tr.dataset.b === l.b);
  }
  if (!l) return;
  $('#whyPair').textContent = `row ${l.a} ↔ ${l.b}`;
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
  $('#status').textContent = 'Ready. Files are processed in this tab and never uploaded.';
  $('#status').classList.add('ready');
  directoryView = new DirectoryView({ post: (m) => worker?.postMessage(m) });
  spawnWorker();
  $('#file').addEventListener('change', (e) => e.target.files[0] && chooseFile(e.target.files[0]));
  const drop = $('#drop');
  drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('over'); });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => { e.preventDefault(); drop.classList.remove('over'); if (e.dataTransfer.files[0]) chooseFile(e.dataTransfer.files[0]); });
  $('#tryDemo').addEventListener('click', tryDemo);
  $('#start').addEventListener('click', start);
  $('#cancel').addEventListener('click', cancel);
  $('#forget').addEventListener('click', () => { if (!running) spawnWorker({ forget: true }); });
  $('#prev').addEventListener('click', () => { state.page--; renderTable(); });
  $('#next').addEventListener('click', () => { state.page++; renderTable(); });
  for (const b of document.querySelectorAll('.downloads button')) {
    b.addEventListener('click', () => worker?.postMessage({ type: 'export', what: b.dataset.what, format: b.dataset.format, definition: DEFINITION }));
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
