// Reading a partner's CSV file, for the portal page (the column mapping) and
// its worker (the rows): Papa Parse (www/vendor/papaparse/, vendored by
// scripts/portal/vendor-papaparse.sh) does the CSV (quotes, delimiter
// detection); this module decodes the bytes and streams.
//
//  - the encoding: UTF-8 with fatal decoding, else windows-1252 (what
//    "Latin-1" exports from spreadsheets are), which the page says;
//  - the delimiter and line break: Papa Parse guesses them from the head of
//    the file (comma, semicolon, tab, pipe);
//  - the rows: the file is read as a stream, decoded with a streaming
//    decoder (a character split between two reads is kept whole) and parsed
//    batch by batch with Papa Parse's parser, a row that straddles two
//    batches (a quoted newline too) carried over; memory stays bounded by a
//    batch, whatever the file's size.
import Papa from '/vendor/papaparse/papaparse.esm.js';

/** Bytes of the head read to guess the encoding, delimiter and header. */
const HEAD_BYTES = 64 * 1024;
/** Characters parsed at a time. */
const BATCH_CHARS = 1 << 20;
export const UTF8 = 'utf-8';
export const WINDOWS_1252 = 'windows-1252';

/** Decodes `bytes` as UTF-8, fatally; `null` when they are not UTF-8 (a cut character at the end is fine). */
function utf8OrNull(bytes, { partial }) {
  try {
    return new TextDecoder(UTF8, { fatal: true }).decode(bytes, { stream: partial });
  } catch {
    return null;
  }
}

/**
 * What the head of `file` says: `{empty, encoding, delimiter, newline, header}`.
 * `empty`: no byte, or only white space (and a byte-order mark).
 * `encoding` is the head's; a later non-UTF-8 byte is found by `countRows`.
 */
export async function sniff(file) {
  const bytes = new Uint8Array(await file.slice(0, HEAD_BYTES).arrayBuffer());
  const partial = file.size > HEAD_BYTES;
  let text = utf8OrNull(bytes, { partial });
  const encoding = text === null ? WINDOWS_1252 : UTF8;
  if (text === null) text = new TextDecoder(WINDOWS_1252).decode(bytes);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (!text.trim()) {
    return { empty: !partial, encoding, delimiter: ',', newline: '\n', header: [] };
  }
  // Whole lines only: the last one may be cut.
  const head = partial ? text.slice(0, Math.max(text.lastIndexOf('\n'), 0) || text.length) : text;
  const res = Papa.parse(head, { preview: 50, delimitersToGuess: [',', ';', '\t', '|'] });
  const header = (res.data[0] ?? []).map((h) => String(h).trim());
  return {
    empty: false,
    encoding,
    delimiter: res.meta.delimiter || ',',
    newline: res.meta.linebreak || '\n',
    header,
  };
}

/** The file's text, piece by piece; `onBytes(n)` after each read. Throws a TypeError on bytes that are not `encoding` (UTF-8 only). */
async function* textPieces(file, encoding, onBytes) {
  const decoder = new TextDecoder(encoding, { fatal: encoding === UTF8 });
  const reader = file.stream().getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      const text = decoder.decode(value, { stream: true });
      onBytes?.(value.byteLength);
      if (text) yield text;
    }
    const rest = decoder.decode();
    if (rest) yield rest;
  } finally {
    reader.releaseLock();
  }
}

/**
 * The file's rows (arrays of strings, the header first), in batches.
 * `format` is what `sniff` found. `onBytes(n)` as bytes are read.
 */
export async function* csvBatches(file, { encoding, delimiter, newline }, onBytes) {
  const parser = new Papa.Parser({ delimiter, newline, quoteChar: '"' });
  let carried = '';
  let buffer = '';
  let first = true;
  const strip = (t) => (first && t.charCodeAt(0) === 0xfeff ? t.slice(1) : t);
  for await (const piece of textPieces(file, encoding, onBytes)) {
    buffer += piece;
    if (buffer.length < BATCH_CHARS) continue;
    const text = carried + strip(buffer);
    first = false;
    buffer = '';
    // The last row may be cut: Papa Parse leaves it out and says where it starts.
    const res = parser.parse(text, 0, true);
    carried = text.slice(res.meta.cursor);
    if (res.data.length) yield res.data;
  }
  const text = carried + strip(buffer);
  if (text) {
    const res = parser.parse(text, 0, false);
    if (res.data.length) yield res.data;
  }
}

/** A row with no cell but white space. */
export const blankRow = (r) => !r.some((c) => c.trim() !== '');

/**
 * Counts the data rows (not blank, under the header) and checks the whole
 * file's encoding: `{rows, encoding}`, UTF-8 if every byte is, else
 * windows-1252 (the file is read once more then).
 */
export async function countRows(file, format, onBytes) {
  const count = async (encoding) => {
    let rows = -1;
    for await (const batch of csvBatches(file, { ...format, encoding }, onBytes)) {
      for (const r of batch) if (!blankRow(r) || rows < 0) rows++;
    }
    return Math.max(rows, 0);
  };
  if (format.encoding === UTF8) {
    try {
      return { rows: await count(UTF8), encoding: UTF8 };
    } catch (e) {
      if (!(e instanceof TypeError)) throw e;
    }
  }
  return { rows: await count(WINDOWS_1252), encoding: WINDOWS_1252 };
}

/** Rows of strings as CSV (CRLF, quoted where needed), through Papa Parse. */
export function toCsv(rows) {
  return `${Papa.unparse(rows.map((r) => r.map((v) => String(v ?? ''))), { newline: '\r\n' })}\r\n`;
}

/** The delimiter's name, for the page. */
export function delimiterName(d) {
  return { ',': 'commas', ';': 'semicolons', '\t': 'tabs', '|': 'vertical bars' }[d] ?? `“${d}”`;
}
