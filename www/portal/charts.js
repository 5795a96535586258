// The portal's two charts, drawn from link results only (no raw value):
// a histogram of match probabilities on a canvas, and a waterfall of one
// link's explanation (prior weight, each comparison's match weight, final
// weight and probability) in SVG.

/** Short names of the default comparisons, for chart labels and chips. */
export const SHORT_LABELS = {
  email: 'E-mail', phone: 'Phone', dateOfBirth: 'Birth date', firstName: 'First name', lastName: 'Last name',
  street: 'Street', city: 'City', postalCode: 'Postcode', state: 'State', country: 'Country', gender: 'Gender',
  companyName: 'Company', record: 'Record',
};

const INK = '#17202a';
const MUTED = '#5d6b7a';
const LINE = '#e3e8ee';
const ACCENT = '#3b5bdb';
const GOOD = '#2f9e66';
const BAD = '#d64545';
const SOFT = '#b8c2d0';

/** A probability histogram (20 bins) with the link threshold marked. */
export function drawHistogram(canvas, probabilities, threshold) {
  const dpr = window.devicePixelRatio || 1;
  const w = Math.max(280, canvas.clientWidth || 520);
  const h = Math.round(Math.min(260, Math.max(200, w * 0.34)));
  canvas.width = Math.round(w * dpr);
  canvas.height = Math.round(h * dpr);
  canvas.style.height = `${h}px`;
  const g = canvas.getContext('2d');
  g.scale(dpr, dpr);
  g.clearRect(0, 0, w, h);
  g.font = '12px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';

  const bins = new Array(20).fill(0);
  for (const p of probabilities) bins[Math.min(19, Math.floor(p * 20))]++;
  // Log scale: the few uncertain pairs in the middle stay visible next to the
  // hundreds of clear matches and non-matches at the ends.
  const max = Math.max(1, ...bins);
  const decades = Math.max(1, Math.ceil(Math.log10(max + 1)));
  const top = 10 ** decades;

  const m = { l: 54, r: 20, t: 10, b: 34 };
  const pw = w - m.l - m.r;
  const ph = h - m.t - m.b;
  const y = (v) => m.t + ph - (Math.log10(1 + v) / Math.log10(1 + top)) * ph;

  g.textAlign = 'right';
  g.textBaseline = 'middle';
  for (let d = 0; d <= decades; d++) {
    const v = d === 0 ? 0 : 10 ** d;
    const at = d === 0 ? y(0) : y(v);
    g.strokeStyle = LINE;
    g.lineWidth = 1;
    g.beginPath();
    g.moveTo(m.l, Math.round(at) + 0.5);
    g.lineTo(w - m.r, Math.round(at) + 0.5);
    g.stroke();
    g.fillStyle = MUTED;
    g.fillText(v.toLocaleString('en'), m.l - 6, at);
  }
  const bw = pw / 20;
  bins.forEach((n, i) => {
    if (!n) return;
    g.fillStyle = (i + 0.5) / 20 >= threshold ? ACCENT : SOFT;
    const top0 = y(n);
    g.fillRect(m.l + i * bw + 1, top0, bw - 2, m.t + ph - top0);
  });
  g.textAlign = 'center';
  g.textBaseline = 'top';
  g.fillStyle = MUTED;
  for (const t of [0, 0.25, 0.5, 0.75, 1]) g.fillText(`${t * 100}%`, m.l + t * pw, m.t + ph + 6);
  const tx = Math.round(m.l + threshold * pw) + 0.5;
  g.strokeStyle = INK;
  g.setLineDash([4, 3]);
  g.beginPath();
  g.moveTo(tx, m.t);
  g.lineTo(tx, m.t + ph);
  g.stroke();
  g.setLineDash([]);
  g.textAlign = 'left';
  g.fillStyle = INK;
  g.fillText('linked →', tx + 6, m.t + 2);
  g.fillStyle = MUTED;
  g.textAlign = 'center';
  g.fillText('match probability (pairs per bin, log scale)', m.l + pw / 2, m.t + ph + 20);
  canvas.dataset.bins = bins.join(',');
}

function niceStep(raw) {
  const p = 10 ** Math.floor(Math.log10(Math.max(raw, 1)));
  return [1, 2, 5, 10].map((k) => k * p).find((s) => s >= raw) ?? 10 * p;
}

const SVG = 'http://www.w3.org/2000/svg';
function el(parent, name, attrs, text) {
  const e = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text != null) e.textContent = text;
  parent.append(e);
  return e;
}

/** A comparison one side has no data for (the crate labels it `"null"`; the types say `null`). */
const isMissing = (c) => c.level == null || c.level === 'null';

function levelText(c) {
  if (isMissing(c)) return 'missing';
  if (c.level === 'agree') return 'same';
  if (c.level === 'disagree') return 'differs';
  if (c.similarity != null) return `${Math.round(c.similarity * 100)}% alike`;
  // The linkage service gives partners levels, not similarities: `dice≥0.85`, `dice<0.70`.
  const m = /^dice([<≥])([0-9.]+)$/.exec(c.level ?? '');
  if (m) return `${m[1]}${Math.round(Number(m[2]) * 100)}% alike`;
  return c.level;
}

const signed = (v) => `${v > 0 ? '+' : v < 0 ? '−' : '±'}${Math.abs(v).toFixed(1)}`;

/**
 * A waterfall of one explanation: the prior weight, then each comparison's
 * match weight as a bar up (evidence for) or down (against), ending at the
 * final match weight, labelled with the probability.
 */
export function drawWaterfall(svg, ex) {
  svg.replaceChildren();
  const steps = [{ label: 'Prior', sub: 'start', from: 0, to: ex.priorWeight, kind: 'prior' }];
  let run = ex.priorWeight;
  for (const c of ex.contributions) {
    steps.push({ label: SHORT_LABELS[c.comparison] ?? c.comparison, sub: levelText(c), from: run, to: run + c.matchWeight, kind: isMissing(c) ? 'missing' : c.matchWeight >= 0 ? 'up' : 'down', c });
    run += c.matchWeight;
  }
  steps.push({ label: 'Total', sub: `${ex.probability >= 0.9995 ? '>99.9' : (ex.probability * 100).toFixed(1)}%`, from: 0, to: ex.matchWeight, kind: 'total' });

  // Drawn at the element's own width, so text keeps its size on any screen.
  const m = { l: 40, r: 8, t: 22, b: 44 };
  const w = Math.max(m.l + m.r + 56 * steps.length, Math.round(svg.clientWidth || svg.parentElement?.clientWidth || 0));
  const colW = (w - m.l - m.r) / steps.length;
  const h = 280;
  svg.setAttribute('viewBox', `0 0 ${w} ${h}`);
  svg.setAttribute('preserveAspectRatio', 'xMidYMid meet');
  const values = steps.flatMap((s) => [s.from, s.to]);
  let lo = Math.min(0, ...values);
  let hi = Math.max(0, ...values);
  const pad = (hi - lo) * 0.08 || 1;
  lo -= lo < 0 ? pad : 0;
  hi += pad;
  const ph = h - m.t - m.b;
  const y = (v) => m.t + ((hi - v) / (hi - lo)) * ph;

  const step = niceStep((hi - lo) / 5);
  for (let v = Math.ceil(lo / step) * step; v <= hi; v += step) {
    el(svg, 'line', { x1: m.l, x2: w - m.r, y1: y(v), y2: y(v), stroke: v === 0 ? SOFT : LINE, 'stroke-width': 1 });
    el(svg, 'text', { x: m.l - 6, y: y(v) + 4, 'text-anchor': 'end', class: 'axis' }, String(v));
  }
  el(svg, 'text', { x: 4, y: 12, class: 'axis' }, 'bits');

  steps.forEach((s, i) => {
    const bw = Math.min(40, colW - 14);
    const x = m.l + i * colW + (colW - bw) / 2;
    const y0 = y(Math.max(s.from, s.to));
    const y1 = y(Math.min(s.from, s.to));
    const fill = { prior: SOFT, up: GOOD, down: BAD, missing: SOFT, total: ACCENT }[s.kind];
    const bar = el(svg, 'rect', { x, y: y0, width: bw, height: Math.max(2, y1 - y0), rx: 2, fill, class: `bar ${s.kind}` });
    el(bar, 'title', {}, s.c ? `${s.label}: ${levelText(s.c)}, ${signed(s.c.matchWeight)} bits` : `${s.label}: ${signed(s.to)} bits`);
    if (i < steps.length - 1) {
      el(svg, 'line', { x1: x + bw, x2: x + colW, y1: y(s.to), y2: y(s.to), stroke: MUTED, 'stroke-dasharray': '2 2', 'stroke-width': 1 });
    }
    const val = s.kind === 'prior' || s.kind === 'total' ? s.to : s.to - s.from;
    const above = s.kind === 'down' ? y1 + 13 : y0 - 5;
    el(svg, 'text', { x: x + bw / 2, y: above, 'text-anchor': 'middle', class: `val ${s.kind}` }, s.kind === 'missing' ? '0' : signed(val));
    el(svg, 'text', { x: x + bw / 2, y: h - m.b + 16, 'text-anchor': 'middle', class: 'lab' }, s.label);
    el(svg, 'text', { x: x + bw / 2, y: h - m.b + 30, 'text-anchor': 'middle', class: 'sub' }, s.sub);
  });
  svg.dataset.steps = String(steps.length);
}
