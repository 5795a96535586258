// The "Partner matches" panel: the partners' runs at the linkage service, and
// for a chosen run which of our own customers the partner matched. The
// service returns our upload rows and probabilities only; the worker maps
// rows to CRM records, persons and households with their value.
import { COMPANY_LINKAGE_API_KEY, LINKAGE_PROJECT } from '/console/demo-company-credentials.js';
import { LinkageClient, LinkageError, linkageEndpoint, LINKAGE_ERROR_TEXT } from '/console/linkage.js';

const $ = (sel) => document.querySelector(sel);
const PAGE = 12;
const fmt = (n) => Math.round(n).toLocaleString('en');
const usd = (v) => v.toLocaleString('en', { style: 'currency', currency: 'USD', maximumFractionDigits: 0 });
const compact = (v) => v.toLocaleString('en', { style: 'currency', currency: 'USD', notation: 'compact', maximumFractionDigits: 1 });
const pct = (p) => (p >= 0.9995 ? '>99.9%' : `${(p * 100).toFixed(1)}%`);

const MATCH_ERROR_TEXT = {
  'console.directory_unavailable': 'The directory is not open, so matched rows cannot be shown as customers.',
  'console.invalid_run': 'The run could not be read.',
};

function el(name, attrs = {}, ...children) {
  const e = document.createElement(name);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v;
    else if (k === 'data') Object.assign(e.dataset, v);
    else if (k === 'style') Object.assign(e.style, v);
    else e.setAttribute(k, v);
  }
  e.append(...children.filter((c) => c != null && c !== false));
  return e;
}

function when(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso ?? '');
  return d.toLocaleString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' });
}

export class MatchesView {
  /** `post` sends a message to the current worker. */
  constructor({ post }) {
    this.post = post;
    this.client = null;
    this.runs = [];
    this.selected = null; // the chosen run's body, as the service gave it
    this.result = null;
    this.page = 0;
    $('#refreshRuns').addEventListener('click', () => this.refresh());
    $('#matchPrev').addEventListener('click', () => { this.page--; this.renderTable(); });
    $('#matchNext').addEventListener('click', () => { this.page++; this.renderTable(); });
  }

  status(state, text, code) {
    const s = $('#linkageStatus');
    s.className = `status ${{ ready: 'ready', error: 'bad', off: '', busy: 'busy' }[state]}`;
    s.replaceChildren(text, code ? ' ' : '', code ? el('code', {}, code) : '');
    s.dataset.state = state;
    if (code) s.dataset.code = code;
    else delete s.dataset.code;
    $('#matches').dataset.state = state;
  }

  failed(e, what) {
    // Anything but a LinkageError is this console's own fault: say so, and log it for the developer.
    if (!(e instanceof LinkageError)) console.error(e);
    const code = e instanceof LinkageError ? e.code : 'console.failed';
    const text = LINKAGE_ERROR_TEXT[code] ?? `${what} failed.`;
    this.status(code === 'linkage.not_configured' ? 'off' : 'error', text, code);
  }

  /** Finds the service, then lists the runs and shows the newest (or the chosen one). */
  async refresh() {
    $('#refreshRuns').disabled = true;
    this.status('busy', 'Asking the linkage service for partner runs…');
    try {
      if (!this.client) {
        // Kept once the service has accepted the credential for the project; asked again after a refusal.
        const endpoint = await linkageEndpoint();
        const client = new LinkageClient({ endpoint, apiKey: COMPANY_LINKAGE_API_KEY, project: LINKAGE_PROJECT });
        const p = await client.project();
        $('#linkageProject').textContent = `Project ${p.project ?? LINKAGE_PROJECT}, as ${p.party ?? 'company'} (${p.role ?? 'directory'}) at ${endpoint}.`;
        this.client = client;
      }
      this.runs = await this.client.runs();
      this.renderRuns();
      if (!this.runs.length) {
        this.status('ready', 'No partner has run a match against our directory yet.');
        this.showEmpty('No runs yet: when a partner links its file in the partner portal, its run appears here.');
        return;
      }
      this.status('ready', `${fmt(this.runs.length)} partner run${this.runs.length === 1 ? '' : 's'} against our directory.`);
      const keep = this.selected && this.runs.find((r) => r.run === this.selected.run);
      await this.choose((keep ?? this.runs[0]).run);
    } catch (e) {
      this.failed(e, 'Listing the runs');
    } finally {
      $('#refreshRuns').disabled = false;
    }
  }

  renderRuns() {
    $('#runsTable').hidden = !this.runs.length;
    $('#runsTable tbody').replaceChildren(...this.runs.map((r) => {
      const tr = el('tr', { tabindex: '0', data: { run: r.run, party: r.party ?? '' } },
        el('td', { class: 'mono', title: r.run }, r.run),
        el('td', {}, r.party ?? ''),
        el('td', {}, when(r.createdAt)),
        el('td', { class: 'num' }, fmt(Number(r.linked) || 0)));
      tr.addEventListener('click', () => this.choose(r.run));
      tr.addEventListener('keydown', (ev) => { if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); this.choose(r.run); } });
      if (this.selected?.run === r.run) tr.classList.add('selected');
      return tr;
    }));
  }

  async choose(run) {
    for (const tr of document.querySelectorAll('#runsTable tbody tr')) tr.classList.toggle('selected', tr.dataset.run === run);
    $('#matchText').textContent = `Fetching run ${run}…`;
    delete $('#matches').dataset.run;
    try {
      const body = await this.client.run(run);
      this.selected = body;
      this.ask();
    } catch (e) {
      this.failed(e, 'Fetching the run');
      $('#matchText').textContent = '';
    }
  }

  /** Asks the (current) worker to map the chosen run's rows to customers. */
  ask() {
    if (!this.selected) return;
    const { run, party, links } = this.selected;
    $('#matchText').textContent = `Mapping ${fmt(links.length)} matched rows of run ${run} to our customers…`;
    this.post({ type: 'matches', run, party, links });
  }

  showEmpty(text) {
    $('#matchDetail').hidden = true;
    $('#matchText').textContent = text;
  }

  /** Handles a worker message about matches; false if it is not one. */
  handle(m) {
    if (m.type === 'matchesError') {
      if (m.run !== this.selected?.run) return true;
      $('#matchDetail').hidden = true;
      $('#matchText').replaceChildren(`${MATCH_ERROR_TEXT[m.code] ?? 'The matches could not be mapped to our customers.'} `, el('code', {}, m.code));
      return true;
    }
    if (m.type !== 'matches') return false;
    if (m.run !== this.selected?.run) return true;
    this.result = m;
    this.page = 0;
    this.render();
    return true;
  }

  render() {
    const r = this.result;
    const set = (id, n, text = fmt(n)) => { $(id).textContent = text; $(id).dataset.n = String(Math.round(n)); };
    set('#mRows', r.links - r.unknownRows);
    set('#mPersons', r.persons);
    set('#mHouseholds', r.sharedHouseholds);
    set('#mContribution', r.contribution, compact(r.contribution));
    const tiers = Object.entries(r.tiers).sort().map(([t, n]) => `${fmt(n)} in tier ${t}`).join(', ');
    const part = r.customerTotal > 0 ? (100 * r.contribution) / r.customerTotal : 0;
    const share = r.customerTotal > 0 ? ` (${part > 0 && part < 0.1 ? 'under 0.1' : part.toFixed(1)}% of what all our customers bring)` : '';
    const n = (k, one, many) => `${fmt(k)} ${k === 1 ? one : many}`;
    $('#matchText').textContent = `Partner ${r.party} matched ${fmt(r.links)} of the ${fmt(r.uploadRows)} rows we uploaded: `
      + `${n(r.persons, 'of our customers', 'of our customers')}${tiers ? ` (${tiers})` : ''}, in ${n(r.households, 'household', 'households')}, `
      + `${fmt(r.sharedHouseholds)} of them shared with other people we know; `
      + `${n(r.contacts, 'is a contact', 'are contacts')} of ${n(r.families, 'corporate family', 'corporate families')}. `
      + `Together they bring ${usd(r.contribution)} a year${share}.`
      + `${r.unknownRows ? ` ${n(r.unknownRows, 'matched row is', 'matched rows are')} not in this directory (is it older than the upload?).` : ''}`;
    Object.assign($('#matches').dataset, { run: r.run, party: r.party, links: String(r.links), persons: String(r.persons) });
    $('#matchDetail').hidden = false;
    this.renderTable();
  }

  renderTable() {
    const { matched } = this.result;
    const pages = Math.max(1, Math.ceil(matched.length / PAGE));
    const max = Math.max(0, ...matched.map((m) => m.contribution));
    $('#matchTable tbody').replaceChildren(...matched.slice(this.page * PAGE, (this.page + 1) * PAGE).map((m) => el('tr', {
      data: { row: String(m.row), record: m.record, person: m.person ?? '', household: m.household ?? '' },
    },
    el('td', { class: 'num' }, fmt(m.row)),
    el('td', { class: 'mono' }, m.record),
    el('td', { class: 'mono' }, m.person ?? '–'),
    el('td', { class: 'mono' }, m.household ?? '–', m.householdPersons >= 2 ? el('span', { class: 'muted' }, ` · ${m.householdPersons} people`) : null),
    el('td', { class: 'num' }, pct(m.probability)),
    el('td', { class: 'value' },
      el('span', { class: 'vbar' }, el('span', { style: { width: `${max > 0 ? Math.max(1.5, (100 * Math.max(0, m.contribution)) / max).toFixed(1) : 0}%` } })),
      el('span', { class: 'amount' }, usd(m.contribution))),
    el('td', { class: 'num' }, el('span', { class: `tier t${m.personTier}` }, m.personTier || '–')))));
    $('#matchPageText').textContent = matched.length
      ? `${fmt(this.page * PAGE + 1)}–${fmt(Math.min((this.page + 1) * PAGE, matched.length))} of ${fmt(matched.length)}`
      : 'No matched customers';
    $('#matchPrev').disabled = this.page === 0;
    $('#matchNext').disabled = this.page >= pages - 1;
  }
}
