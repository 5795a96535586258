// Tokenise throughput, shared by the Node and browser drivers: pseudolink's
// tokenizeBatch (wasm) side by side with a plain JavaScript implementation of
// the same pl1 tokens over WebCrypto `crypto.subtle` HMAC, in the same run.
//
// Records are already in canonical form, so normalisation is the identity and
// both implementations must produce identical tokens (checked below): the
// WebCrypto side does strictly less work (no normalisation), which favours it.

export const DEFINITION = {
  version: 1,
  fields: ['email', 'phone', 'firstName', 'lastName', 'dateOfBirth', 'postalCode', 'street', 'country'],
  matchKeys: [
    { name: 'nameDob', parts: [{ field: 'lastName' }, { field: 'firstName', take: 'initial' }, { field: 'dateOfBirth' }] },
    { name: 'addressName', parts: [{ field: 'postalCode' }, { field: 'street', take: 'streetNumber' }, { field: 'lastName' }] },
    { name: 'emailName', parts: [{ field: 'email' }, { field: 'lastName' }] },
  ],
  defaultRegion: 'US',
};

const FIRST = ['jon', 'mary', 'jose', 'li', 'aoife', 'zoe', 'mohammed', 'olga'];
const LAST = ['smith', 'obrien', 'garcia', 'nguyen', 'muller', 'kowalski', 'okafor', 'johansson'];
const STREET = ['main st', 'oak ave', 'amphitheatre pkwy', 'n elm dr'];

/** n canonical records (8 fields), deterministic. */
export function records(n) {
  const out = new Array(n);
  for (let i = 0; i < n; i++) {
    const f = FIRST[i % 8];
    const l = LAST[(i >> 3) % 8];
    out[i] = {
      email: `${f}.${l}${i}@example.com`,
      phone: `+1415555${String(i % 10000).padStart(4, '0')}`,
      firstName: f,
      lastName: l,
      dateOfBirth: `19${40 + (i % 60)}${String(1 + (i % 12)).padStart(2, '0')}${String(1 + (i % 28)).padStart(2, '0')}`,
      postalCode: String(10000 + ((i * 7) % 89999)).padStart(5, '0'),
      street: `${1 + (i % 9000)} ${STREET[i % 4]}`,
      country: 'US',
    };
  }
  return out;
}

const enc = new TextEncoder();
const DOMAIN = enc.encode('pseudolink/token/v1\0');

function b64url(buf) {
  let s = '';
  const b = new Uint8Array(buf);
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function concat(parts) {
  const len = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(len);
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

function message(subject, body) {
  return concat([DOMAIN, enc.encode(subject), new Uint8Array([0]), body]);
}

function matchKeyBody(parts) {
  return concat(parts.flatMap((p) => {
    const b = enc.encode(p);
    const len = new Uint8Array(4);
    new DataView(len.buffer).setUint32(0, b.length);
    return [len, b];
  }));
}

function take(t, v) {
  if (!t || t === 'full') return v;
  if (t === 'initial') return [...v][0];
  if (t === 'streetNumber') return (v.match(/^\d+/) || [null])[0];
  if (t === 'year') return v.slice(0, 4);
  return [...v].slice(0, t.prefix).join('');
}

/** The same tokens with WebCrypto: one `crypto.subtle.sign` per token. */
export async function webcryptoTokenize(subtle, keyBytes, keyId, recs) {
  const key = await subtle.importKey('raw', keyBytes, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const sign = async (subject, body) =>
    `pl1.${subject}.${keyId}.${b64url(await subtle.sign('HMAC', key, message(subject, body)))}`;
  return Promise.all(recs.map(async (r) => {
    const tokens = await Promise.all(DEFINITION.fields.map((f) => sign(f, enc.encode(r[f]))));
    const mks = await Promise.all(DEFINITION.matchKeys.map((mk) =>
      sign(`mk-${mk.name}`, matchKeyBody(mk.parts.map((p) => take(p.take, r[p.field]))))));
    return [...tokens, ...mks];
  }));
}

/** The same tokens with @noble/hashes (pure JS): the key's pads absorbed
 * once (`hmac.create`), then one `clone().update().digest()` per token. */
export function nobleTokenize({ hmac, sha256 }, keyBytes, keyId, recs) {
  const base = hmac.create(sha256, keyBytes);
  const sign = (subject, body) =>
    `pl1.${subject}.${keyId}.${b64url(base.clone().update(message(subject, body)).digest())}`;
  return recs.map((r) => [
    ...DEFINITION.fields.map((f) => sign(f, enc.encode(r[f]))),
    ...DEFINITION.matchKeys.map((mk) => sign(`mk-${mk.name}`, matchKeyBody(mk.parts.map((p) => take(p.take, r[p.field]))))),
  ]);
}

/** Runs both (and @noble/hashes when given), checks they agree, returns
 * records/s for each and the ratios. */
export async function run({ pl, subtle, noble, n = 100000, now = () => performance.now() }) {
  const keyBytes = new Uint8Array(32).fill(7);
  const recs = records(n);
  const p = new pl.Pseudonymizer([{ id: 'k1', secret: keyBytes }], DEFINITION);
  // Correctness first, on a slice.
  const ours = p.tokenizeBatch(recs.slice(0, 200));
  const theirs = await webcryptoTokenize(subtle, keyBytes, 'k1', recs.slice(0, 200));
  for (let i = 0; i < ours.length; i++) {
    const a = [...ours[i].tokens, ...ours[i].matchKeys];
    if (ours[i].errors.length || a.join() !== theirs[i].join()) {
      throw new Error(`implementations disagree on record ${i}`);
    }
  }
  const best = async (fn, reps) => {
    let b = Infinity;
    for (let k = 0; k < reps; k++) { const t = now(); await fn(); b = Math.min(b, now() - t); }
    return b / 1000;
  };
  let nobleS;
  const nm = Math.min(n, 20000);
  if (noble) {
    const theirs = nobleTokenize(noble, keyBytes, 'k1', recs.slice(0, 200));
    for (let i = 0; i < ours.length; i++) {
      if ([...ours[i].tokens, ...ours[i].matchKeys].join() !== theirs[i].join()) throw new Error(`noble disagrees on record ${i}`);
    }
  }
  const wasmS = await best(() => p.tokenizeBatch(recs), 5);
  if (noble) nobleS = await best(() => nobleTokenize(noble, keyBytes, 'k1', recs.slice(0, nm)), 3);
  // Where the time goes: the same batch shape with trivial normalisation
  // (one externalId per record) and 1 or 11 tokens per record. The difference
  // of the two is ten HMACs; the 1-token run is the per-record floor (JSON in
  // and out, one HMAC).
  const ids = recs.map((_, i) => ({ externalId: `C${i}` }));
  const timeWith = async (matchKeys) => {
    const q = new pl.Pseudonymizer([{ id: 'k1', secret: keyBytes }], { version: 1, fields: ['externalId'], matchKeys });
    const s = await best(() => q.tokenizeBatch(ids), 3);
    q.free();
    return s;
  };
  const mk = Array.from({ length: 10 }, (_, j) => ({ name: `m${j}`, parts: [{ field: 'externalId' }, { field: 'externalId' }] }));
  const oneS = await timeWith([]);
  const elevenS = await timeWith(mk);
  const m = Math.min(n, 20000); // WebCrypto is slow; measure on a slice
  const wcS = await best(() => webcryptoTokenize(subtle, keyBytes, 'k1', recs.slice(0, m)), 3);
  p.free();
  const wasm = n / wasmS;
  const webcrypto = m / wcS;
  const hmacNs = ((elevenS - oneS) / (10 * n)) * 1e9;
  const msPer100k = (seconds) => Math.round((seconds / n) * 1e8);
  return {
    records: n,
    wasmRecordsPerSec: Math.round(wasm),
    webcryptoRecordsPerSec: Math.round(webcrypto),
    ratio: +(wasm / webcrypto).toFixed(1),
    ...(noble ? { nobleRecordsPerSec: Math.round(nm / nobleS), ratioVsNoble: +(wasm / (nm / nobleS)).toFixed(1) } : {}),
    // HMAC rate measured in this run, the records/s it alone would allow at
    // 11 tokens a record, and where the milliseconds of 100k records go.
    hmacPerSec: Math.round(1e9 / hmacNs),
    hmacLimitRecordsPerSec: Math.round(1e9 / (11 * hmacNs)),
    msPer100k: {
      total: msPer100k(wasmS),
      hmac: Math.round((11 * hmacNs * 1e5) / 1e6),
      jsonInOutAndRecordFloor: msPer100k(oneS) - Math.round((hmacNs * 1e5) / 1e6),
      normalisation: msPer100k(wasmS) - msPer100k(elevenS),
    },
  };
}
