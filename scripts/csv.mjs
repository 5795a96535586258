// CSV for the Node scripts that make and upload the demo data
// (scripts/demo-directory.mjs, scripts/company-upload.mjs): files this project
// writes itself, comma-separated UTF-8, so a small RFC 4180 reader and writer
// (quoted fields, doubled quotes, CRLF or LF, a leading BOM) whose output is
// byte for byte stable. A partner's file of any shape goes through Papa Parse
// in the portal (www/portal/csv.js).

/** Parses CSV text into rows of strings. */
export function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  for (; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') { row.push(field); field = ''; }
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field); rows.push(row); row = []; field = '';
    } else field += c;
  }
  if (field !== '' || row.length) { row.push(field); rows.push(row); }
  return rows;
}

/** Writes rows of strings as CSV, quoting where needed. */
export function toCsv(rows) {
  const cell = (v) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  return `${rows.map((r) => r.map((v) => cell(String(v ?? ''))).join(',')).join('\r\n')}\r\n`;
}
