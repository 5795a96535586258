// The staff console's directory sections: where the directory graph came from, its
// households, corporate families, value per customer view and segments. The
// worker does the graph work; this draws its summaries (entity ids, counts,
// values) and sends view and segment requests back.

const $ = (sel) => document.querySelector(sel);
const fmt = (n) => Math.round(n).toLocaleString('en');
const usd = (v) => v.toLocaleString('en', { style: 'currency', currency: 'USD', maximumFractionDigits: 0 });
const compact = (v) => v.toLocaleString('en', { style: 'currency', currency: 'USD', notation: 'compact', maximumFractionDigits: 1 });
const pct = (x) => `${(100 * x).toFixed(x > 0 && x < 0.01 ? 1 : 0)}%`;

/** What each view counts as a customer (see the identity graph's views). */
const VIEW_TEXT = {
  billing: 'Billing counts who pays: a company\'s bill-to site, a consumer\'s own person.',
  service: 'Service counts who is served: a company\'s ship-to site, a consumer\'s own person.',
  sales: 'Sales counts who decides to buy: a company\'s business unit, a consumer\'s household.',
  group: 'Group counts corporate families as one customer (the ultimate parent), and consumers by household.',
  household: 'Household counts consumers by household; company invoices belong to no household.',
};
const KIND = { person: 'Person', household: 'Household', legalEntity: 'Legal entity', businessUnit: 'Business unit', site: 'Site' };
const KIND_PLURAL = { person: 'persons', household: 'households', legalEntity: 'legal entities', businessUnit: 'business units', site: 'sites' };

/** The example rules the segment editor starts with, laid out to be edited. */
export const DEFAULT_SEGMENTS_TEXT = `[
  { "name": "Key accounts", "rule": { "all": [
    { "measure": "contribution", "op": ">", "value": 10000 },
    { "measure": "transactionsPerMonth", "op": ">", "value": 5 }
  ] } },
  { "name": "Loyal consumers", "rule": { "all": [
    { "measure": "transactions", "op": ">=", "value": 3 },
    { "not": { "tier": "A" } }
  ] } },
  { "name": "At risk", "rule": { "tier": "C" } }
]`;

const ERROR_TEXT = {
  'console.invalid_json': 'The rules are not valid JSON.',
  'segment.invalid_rule': 'A segment needs a "name" and a "rule": all, any, not, {"tier"} or {"measure", "op", "value"}.',
  'segment.unknown_measure': 'A rule names a measure no customer has.',
  'identity.unknown_view': 'Unknown customer view.',
};

/** Why the directory did not open, for people; the code is shown next to it. */
const DIRECTORY_ERROR_TEXT = {
  'console.directory_unavailable': 'the demo directory could not be fetched from this server',
  'console.directory_format': 'the demo directory file is not in a format this console reads',
  'identity.bad_document': 'the stored directory could not be read',
};

const STAGE_TEXT = {
  load: 'Loading the directory stored in this browser…',
  fetch: 'Fetching the demo directory…',
  save: 'Storing the directory graph in this browser…',
};

function el(name, attrs = {}, ...children) {
  const e = document.createElement(name);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v;
    else if (k === 'data') Object.assign(e.dataset, v);
    // Through the CSSOM: the page's CSP refuses style attributes.
    else if (k === 'style') Object.assign(e.style, v);
    else e.setAttribute(k, v);
  }
  e.append(...children.filter((c) => c != null && c !== false));
  return e;
}

/** A contribution cell: a bar relative to `max`, and the amount. */
function valueCell(v, max) {
  const bar = el('span', { class: 'vbar' }, el('span', { style: { width: `${max > 0 ? Math.max(1.5, (100 * Math.max(0, v)) / max).toFixed(1) : 0}%` } }));
  return el('td', { class: 'value' }, bar, el('span', { class: 'amount' }, usd(v)));
}

function savedText(iso) {
  const d = new Date(iso);
  return d.toLocaleString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' });
}

export class DirectoryView {
  /** `post` sends a message to the current worker. */
  constructor({ post }) {
    this.post = post;
    this.view = 'group';
    this.ready = false;
    this.rendered = new Set();
    $('#segmentRules').value = DEFAULT_SEGMENTS_TEXT;
    for (const b of document.querySelectorAll('#views button')) {
      b.addEventListener('click', () => this.setView(b.dataset.view));
    }
    $('#views').addEventListener('keydown', (e) => {
      const order = [...document.querySelectorAll('#views button')].map((b) => b.dataset.view);
      const step = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 }[e.key];
      if (!step) return;
      e.preventDefault();
      const next = order[(order.indexOf(this.view) + step + order.length) % order.length];
      this.setView(next);
      $(`#views button[data-view="${next}"]`).focus();
    });
    $('#evaluate').addEventListener('click', () => this.evaluate());
    $('#resetSegments').addEventListener('click', () => { $('#segmentRules').value = DEFAULT_SEGMENTS_TEXT; this.evaluate(); });
    let typing;
    $('#segmentRules').addEventListener('input', () => { clearTimeout(typing); typing = setTimeout(() => this.evaluate(), 600); });
    this.markView();
  }

  /** A new worker is opening the directory (again). */
  opening(forget) {
    this.ready = false;
    this.rendered.clear();
    delete document.body.dataset.directory;
    const s = $('#directoryStatus');
    s.className = 'status busy';
    delete s.dataset.source;
    delete s.dataset.code;
    s.textContent = forget ? 'Forgetting the stored directory…' : 'Opening the directory…';
  }

  /** Handles a worker message about the directory; false if it is not one. */
  handle(m) {
    switch (m.type) {
      case 'directoryProgress': this.progress(m); return true;
      case 'directory': this.show(m); return true;
      case 'directoryError':
        $('#directoryStatus').className = 'status bad';
        $('#directoryStatus').replaceChildren(`The directory could not be opened: ${DIRECTORY_ERROR_TEXT[m.code] ?? (m.code.startsWith('identity.') ? 'the identity graph refused the demo directory' : 'an unexpected failure')} `,
          el('code', {}, m.code));
        $('#directoryStatus').dataset.code = m.code;
        return true;
      case 'view': this.showView(m); return true;
      case 'viewError':
        $('#viewText').replaceChildren('This view could not be rolled up: ', el('code', {}, m.code));
        return true;
      case 'segments': this.showSegments(m); return true;
      case 'segmentsError': this.showSegmentError(m.code); return true;
      default: return false;
    }
  }

  progress({ stage, done, total }) {
    const [top, sub] = stage.split('.');
    let text = STAGE_TEXT[top];
    if (top === 'add') text = `Building the directory graph: ${fmt(done)} of ${fmt(total)} records…`;
    if (top === 'resolve') {
      text = sub === 'em' || sub === 'sampleU' ? 'Training the linking model on the directory…'
        : sub === 'entities' ? 'Forming customers, households and corporate families…'
          : 'Linking the directory\'s person records…';
    }
    $('#directoryStatus').textContent = text ?? 'Opening the directory…';
  }

  show({ source, stored, savedAt, bytes, storeError, summary }) {
    const s = $('#directoryStatus');
    s.dataset.source = source;
    s.className = 'status ready';
    const size = `${(bytes / 1e6).toFixed(1)} MB`;
    if (source === 'stored') s.textContent = `Directory stored in this browser, saved ${savedText(savedAt)} (${size})`;
    else if (stored) s.textContent = `Built from the demo directory and stored in this browser (${size})`;
    else s.textContent = `Built from the demo directory; not stored in this browser (${storeError ?? 'store.unavailable'})`;
    if (savedAt) s.title = `Saved ${savedAt}`;
    this.summary = summary;
    this.ready = true;
    this.showCounts(summary.counts);
    this.showHouseholds(summary);
    this.showFamilies(summary.families);
    this.rendered.add('summary');
    this.post({ type: 'view', view: this.view });
    this.evaluate();
  }

  showCounts(c) {
    const set = (id, n, text = fmt(n)) => { $(id).textContent = text; $(id).dataset.n = String(Math.round(n)); };
    set('#dPersons', c.persons);
    set('#dRecords', c.records);
    set('#dHouseholds', c.multiHouseholds);
    set('#dFamilies', c.families);
    set('#dInteractions', c.interactions);
    set('#dContribution', c.contribution, compact(c.contribution));
  }

  showHouseholds({ counts, households, householdSizes }) {
    $('#householdsText').textContent = `${fmt(counts.multiHouseholds)} of our ${fmt(counts.households)} households have several people `
      + `(${fmt(counts.peopleInMulti)} people): persons who share an address and a family name (the addressName match key, and the `
      + 'family-name token or CLK), however many records each has. The largest by contribution:';
    $('#householdSizes').replaceChildren(...Object.entries(householdSizes).map(([size, n]) => el('span', { class: 'size', data: { size, n: String(n) } },
      el('strong', {}, fmt(n)), ` × ${size} people`)));
    const max = Math.max(0, ...households.map((h) => h.contribution));
    $('#householdTable tbody').replaceChildren(...households.map((h) => el('tr', { data: { id: h.id, persons: String(h.persons) } },
      el('td', { class: 'mono' }, h.id),
      el('td', { class: 'num' }, fmt(h.persons)),
      el('td', { class: 'num' }, fmt(h.interactions)),
      valueCell(h.contribution, max))));
  }

  showFamilies(families) {
    const { counts } = this.summary;
    $('#familiesText').textContent = `${fmt(counts.families)} corporate families (${fmt(counts.legalEntities)} legal entities, `
      + `${fmt(counts.businessUnits)} business units, ${fmt(counts.sites)} sites), from D-U-N-S hierarchy edges and site memberships`
      + `${counts.standaloneCompanies ? `; ${fmt(counts.standaloneCompanies)} compan${counts.standaloneCompanies === 1 ? 'y stands' : 'ies stand'} alone (a franchise is related, not owned)` : ''}. `
      + 'Each family\'s value is its roll-up in the group view.';
    const label = (t) => {
      const roles = t.roles.length ? el('span', { class: 'chip role' }, t.roles.join(', ')) : null;
      let amount;
      if (t.kind === 'site') {
        const parts = [];
        if (t.billed) parts.push(`bill-to · ${compact(t.billed)} billed`);
        if (t.shipped) parts.push(`ship-to · ${compact(t.shipped)} delivered`);
        amount = parts.join(' · ') || 'no invoices';
      } else {
        amount = `${compact(t.contribution)} contribution`;
      }
      return [el('span', { class: 'mono' }, t.id), el('span', { class: `kind ${t.kind}` }, KIND[t.kind] ?? t.kind), roles,
        el('span', { class: 'muted amount' }, amount)];
    };
    const tree = (t) => el('li', { data: { id: t.id, kind: t.kind } }, el('div', { class: 'node' }, ...label(t)),
      t.children.length ? el('ul', {}, ...t.children.map(tree)) : null);
    $('#familyList').replaceChildren(...families.map((f, i) => {
      const d = el('details', { class: 'family', data: { id: f.id, units: String(f.units), sites: String(f.sites) } },
        el('summary', {},
          el('span', { class: 'mono' }, f.id),
          el('span', { class: 'kind legalEntity' }, 'Legal entity'),
          f.roles.length ? el('span', { class: 'chip role' }, f.roles.join(', ')) : null,
          el('span', { class: 'muted' }, `${f.units} units · ${f.sites} sites`),
          el('span', { class: 'family-value' }, compact(f.contribution))),
        el('ul', { class: 'tree' }, ...f.children.map(tree)));
      if (i === 0) d.open = true;
      return d;
    }));
  }

  setView(view) {
    if (view === this.view && this.rendered.has('view')) return;
    this.view = view;
    this.markView();
    if (!this.ready) return;
    this.post({ type: 'view', view });
    this.evaluate();
  }

  markView() {
    for (const b of document.querySelectorAll('#views button')) {
      const on = b.dataset.view === this.view;
      b.setAttribute('aria-checked', String(on));
      b.tabIndex = on ? 0 : -1;
    }
    $('#segView').textContent = this.view;
    $('#viewText').textContent = VIEW_TEXT[this.view];
  }

  showView(v) {
    if (v.view !== this.view) return;
    const kinds = Object.entries(v.kinds).sort((a, b) => b[1] - a[1]).map(([k, n]) => `${fmt(n)} ${n === 1 ? (KIND[k] ?? k).toLowerCase() : KIND_PLURAL[k] ?? k}`).join(', ');
    $('#viewText').textContent = `${VIEW_TEXT[v.view]} ${fmt(v.customers)} customers: ${kinds}. `
      + `Revenue ${compact(v.totals.revenue)}, contribution (revenue − cost to serve) ${compact(v.totals.contribution)}.`;
    const max = Math.max(0, ...v.top.map((c) => c.contribution));
    $('#valueTable tbody').replaceChildren(...v.top.map((c) => el('tr', { data: { entity: c.entity, kind: c.kind, tier: c.tier } },
      el('td', { class: 'mono' }, c.entity),
      el('td', {}, el('span', { class: `kind ${c.kind}` }, KIND[c.kind] ?? c.kind)),
      el('td', { class: 'num' }, usd(c.revenue)),
      valueCell(c.contribution, max),
      el('td', { class: 'num' }, c.transactionsPerMonth.toFixed(1)),
      el('td', { class: 'num' }, el('span', { class: `tier t${c.tier}` }, c.tier || '–')))));
    Object.assign($('#value').dataset, { view: v.view, customers: String(v.customers) });

    // Value tiers: share of customers and of contribution, as one stacked bar.
    const positive = v.tiers.reduce((a, t) => a + Math.max(0, t.contribution), 0) || 1;
    $('#tierBar').replaceChildren(...v.tiers.filter((t) => t.contribution > 0).map((t) => el('span', {
      class: `seg t${t.name}`, style: { width: `${((100 * t.contribution) / positive).toFixed(2)}%` }, title: `Tier ${t.name}: ${usd(t.contribution)}`,
    }, (t.contribution / positive) > 0.08 ? `${t.name} ${pct(t.contribution / positive)}` : '')));
    $('#tierLegend').replaceChildren(...v.tiers.map((t) => el('li', { data: { tier: t.name, customers: String(t.customers) } },
      el('span', { class: `tier t${t.name}` }, t.name),
      ` ${fmt(t.customers)} customers (${pct(t.customers / Math.max(1, v.customers))}) bring ${compact(t.contribution)} (${pct(Math.max(0, t.contribution) / positive)})`)));
    this.rendered.add('view');
    this.markReady();
  }

  evaluate() {
    if (!this.ready) return;
    $('#segments').dataset.state = 'pending';
    this.post({ type: 'segments', view: this.view, text: $('#segmentRules').value });
  }

  showSegments(r) {
    if (r.view !== this.view) return;
    $('#segmentError').hidden = true;
    $('#segmentTable').hidden = false;
    delete $('#segmentError').dataset.code;
    $('#segmentRules').classList.remove('invalid');
    $('#segmentTable tbody').replaceChildren(...r.segments.map((s) => el('tr', { data: { name: s.name, customers: String(s.customers) } },
      el('td', {}, s.name),
      el('td', { class: 'num' }, fmt(s.customers)),
      el('td', { class: 'num' }, pct(s.customers / Math.max(1, r.customers))),
      el('td', { class: 'num' }, compact(s.contribution)))));
    Object.assign($('#segments').dataset, { state: 'ok', view: r.view });
    this.rendered.add('segments');
    this.markReady();
  }

  showSegmentError(code) {
    const e = $('#segmentError');
    // The sentence first; the code small after it, for support.
    e.replaceChildren(`${ERROR_TEXT[code] ?? 'The rules could not be evaluated.'} `, el('small', { class: 'code-detail' }, 'code: ', el('code', {}, code)));
    e.dataset.code = code;
    e.hidden = false;
    // The last good results would read as this text's: hide them.
    $('#segmentTable').hidden = true;
    $('#segmentRules').classList.add('invalid');
    $('#segments').dataset.state = 'error';
  }

  markReady() {
    if (['summary', 'view', 'segments'].every((k) => this.rendered.has(k))) document.body.dataset.directory = 'ready';
  }
}
