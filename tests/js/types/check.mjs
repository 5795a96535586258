// `make types`: the built package (pkg/, as tests/js/node_modules/pseudolink)
// through a TypeScript user's eyes, with `tsc --strict` and `skipLibCheck: false`:
//   1. the consumer project consumer/*.ts (every entry imported by its package
//      name) compiles, resolved as a bundler does and as Node does;
//   2. it uses every exported function and class of every entry, and every
//      member of each class (enumerated from the modules themselves);
//   3. every js/ts code block of README.md and pkg/README.md compiles, with
//      the placeholders it uses declared below (PLACEHOLDERS). A block that is
//      deliberately not TypeScript carries `<!-- types: not checked (why) -->`
//      on the line before its fence. A block that is an ambient declaration
//      (`declare module …`) becomes a .d.ts of the project, as a reader's would.
// Run: cd tests/js && node --test types/check.mjs (after scripts/build-pkg.sh).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.join(HERE, '..', '..', '..');
const TSC = path.join(HERE, '..', 'node_modules', '.bin', 'tsc');
const GENERATED = path.join(HERE, 'readme');   // gitignored: the extracted blocks

/** Runs tsc on a project; resolves to its diagnostics (empty when it compiles). */
function tsc(project) {
  const r = spawnSync(TSC, ['-p', path.join(HERE, project), '--pretty', 'false'], { encoding: 'utf8' });
  if (r.error) throw r.error;
  const out = `${r.stdout}${r.stderr}`.trim();
  assert.ok(r.status === 0 || out !== '', `tsc -p ${project} failed without output (status ${r.status})`);
  return r.status === 0 ? '' : out;
}

// ------------------------------------------------------------ 1. the consumer

test('types: the consumer project compiles (moduleResolution bundler, strict, skipLibCheck false)', () => {
  assert.equal(tsc('tsconfig.json'), '');
});

test('types: the consumer project compiles (moduleResolution node16)', () => {
  assert.equal(tsc('tsconfig.node16.json'), '');
});

// ------------------------------------------------------------ 2. coverage

// Each entry, the consumer files that use it. An entry that is a superset of
// another hands its module to that one's exercise function (typed as that
// entry's API, so the superset is also checked to be assignable).
const ENTRIES = {
  'pseudolink': { files: ['core.ts'] },
  'pseudolink/oblivious': { files: ['oblivious.ts', 'core.ts'], calls: ['exerciseCore(oblivious)'] },
  'pseudolink/link': { files: ['link.ts', 'core.ts'], calls: ['exerciseCore(link)', 'exerciseLink(link)'] },
  'pseudolink/identity': {
    files: ['identity.ts', 'link.ts', 'core.ts'],
    calls: ['exerciseCore(identity)', 'exerciseLink(identity)'],
  },
  'pseudolink/worker': { files: ['worker.ts'] },
  'pseudolink/identity-store': { files: ['identity-store.ts'] },
  'pseudolink/simd': { files: ['simd.ts'] },
};

test('types: every entry of pkg/package.json has a consumer', () => {
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'pkg', 'package.json'), 'utf8'));
  const typed = Object.entries(pkg.exports).filter(([, v]) => typeof v === 'object' && v.types)
    .map(([k]) => (k === '.' ? 'pseudolink' : `pseudolink/${k.slice(2)}`));
  assert.deepEqual(typed.sort(), Object.keys(ENTRIES).sort());
});

/** Names a class's instances and the class itself offer (wasm-bindgen internals `__…` left out). */
function members(cls) {
  const own = (o, skip) => Object.getOwnPropertyNames(o).filter((n) => !skip.includes(n) && !n.startsWith('__'));
  return [...own(cls.prototype, ['constructor']), ...own(cls, ['length', 'name', 'prototype'])];
}

for (const [entry, { files, calls = [] }] of Object.entries(ENTRIES)) {
  test(`types: the consumer uses every function and class of ${entry}, and every class member`, async () => {
    const text = files.map((f) => readFileSync(path.join(HERE, 'consumer', f), 'utf8')).join('\n');
    const own = readFileSync(path.join(HERE, 'consumer', files[0]), 'utf8');
    assert.match(own, new RegExp(`from '${entry}'`), `${files[0]} imports ${entry} by its package name`);
    for (const c of calls) assert.ok(own.includes(c), `${files[0]} calls ${c}`);
    const mod = await import(entry);
    const missing = [];
    const uses = (re) => re.test(text);
    for (const [name, value] of Object.entries(mod)) {
      if (typeof value !== 'function') continue;
      if (name === 'default') {
        if (!uses(/^import init\b/m) || !uses(/\bawait init\(/)) missing.push('default (init)');
        continue;
      }
      if (!uses(new RegExp(`\\b${name}\\b`))) missing.push(name);
      const isClass = /^class\b/.test(Function.prototype.toString.call(value));
      if (!isClass) continue;
      for (const m of members(value)) {
        if (!uses(new RegExp(`\\.${m}\\b`))) missing.push(`${name}.${m}`);
      }
      if (Symbol.dispose in value.prototype && !uses(/\[Symbol\.dispose\]\(\)|\busing\b/)) {
        missing.push(`${name}[Symbol.dispose]`);
      }
    }
    assert.deepEqual(missing, [], `consumer/${files[0]} does not use these exports of ${entry}`);
  });
}

// ------------------------------------------------------------ 3. the READMEs

const READMES = ['README.md', 'pkg/README.md'];
const CHECKED = new Set(['js', 'javascript', 'ts', 'typescript', 'mjs']);
const SKIP_MARK = /^<!--\s*types:\s*not checked\b.*-->$/;

/**
 * What each block leaves to the reader, as TypeScript declarations. Keyed by
 * `<file>#<n>`, n counting that file's checked blocks from 1. Types come from
 * the entry the block imports.
 */
const PLACEHOLDERS = {
  'README.md#1': {
    keyBytes: 'Uint8Array',
    records: "import('pseudolink').ContactRecord[]",
  },
  'README.md#2': {
    keyBytes: 'Uint8Array',
    clkBytes: 'Uint8Array',
    definition: "import('pseudolink/link').IdentityDefinition",
    rows: "import('pseudolink/link').IdentifiedRecord[]",
    theirs: "import('pseudolink/link').EncodedRecord[]",
    records: "import('pseudolink/link').EncodedRecord[]",
    sourceA: "import('pseudolink/link').EncodedRecord[]",
    sourceB: "import('pseudolink/link').EncodedRecord[]",
    sourceC: "import('pseudolink/link').EncodedRecord[]",
    a: "import('pseudolink/link').EncodedRecord",
    b: "import('pseudolink/link').EncodedRecord",
    clkhashSchema: "import('pseudolink/link').LinkageSchema",
    secretBytes: 'Uint8Array',
    keys: "import('pseudolink/link').TokenKeyInput[]",
    clkSecret: 'Uint8Array',
    directory: "import('pseudolink/link').EncodedRecord[]",
    bar: '{ update(progress: import(\'pseudolink/link\').LinkProgress): void }',
  },
  'README.md#3': {
    params: "import('pseudolink/identity').ModelParams",
    encodedRecords: "import('pseudolink/identity').GraphRecord[]",
    theirs: "import('pseudolink/identity').EncodedRecord[]",
    bar: '{ update(fraction: number): void }',
  },
  'README.md#4': {
    records: "import('pseudolink/oblivious').ContactRecord[]",
  },
  'pkg/README.md#5': {
    keys: "import('pseudolink/identity').TokenKeyInput[]",
    definition: "import('pseudolink/identity').IdentityDefinition",
    clkSecret: 'Uint8Array',
    shopContacts: "import('pseudolink/identity').IdentifiedRecord[]",
    crmContacts: "import('pseudolink/identity').IdentifiedRecord[]",
    linker: "import('pseudolink/identity').Linker",
    bar: '(fraction: number) => void',
    id: 'string',
    refA: "import('pseudolink/identity').RecordRef",
    refB: "import('pseudolink/identity').RecordRef",
  },
};

/** The fenced code blocks of a Markdown file: {lang, line, code, skipped}. */
function blocks(file) {
  const lines = readFileSync(path.join(ROOT, file), 'utf8').split('\n');
  const out = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)/.exec(lines[i]);
    if (!open) continue;
    const start = i;
    let end = i + 1;
    while (end < lines.length && !/^```\s*$/.test(lines[end])) end++;
    let before = start - 1;
    while (before >= 0 && lines[before].trim() === '') before--;
    out.push({
      lang: open[1].split(',')[0].toLowerCase(),
      line: start + 1,
      code: lines.slice(start + 1, end).join('\n'),
      skipped: before >= 0 && SKIP_MARK.test(lines[before].trim()),
    });
    i = end;
  }
  return out;
}

/** Writes readme/<file>-<n>.ts per checked block; returns their keys. */
function extract() {
  rmSync(GENERATED, { recursive: true, force: true });
  mkdirSync(GENERATED, { recursive: true });
  const written = [];
  for (const file of READMES) {
    const checked = blocks(file).filter((b) => CHECKED.has(b.lang));
    checked.forEach((b, i) => {
      const key = `${file}#${i + 1}`;
      if (b.skipped) return;
      const names = Object.entries(PLACEHOLDERS[key] ?? {});
      // A placeholder the block does not use means the blocks moved: renumber.
      const stale = names.filter(([n]) => !new RegExp(`\\b${n}\\b`).test(b.code)).map(([n]) => n);
      assert.deepEqual(stale, [], `${key} (${file}:${b.line}) does not use these PLACEHOLDERS`);
      const decls = names.map(([name, type]) => `declare const ${name}: ${type};`).join('\n');
      // An ambient declaration (`declare module …`) is a declaration file of
      // the project, as the README tells a reader to write; the rest are modules.
      const ambient = /^declare module\b/.test(b.code.trim());
      const name = `${file.replace(/\W+/g, '-')}-${i + 1}${ambient ? '.d.ts' : '.ts'}`;
      writeFileSync(path.join(GENERATED, name),
        `// ${file}:${b.line} (${key}), extracted by tests/js/types/check.mjs\n`
        + (ambient ? `${b.code}\n` : `${decls}\n${b.code}\nexport {};\n`));
      written.push(key);
    });
  }
  return written;
}

test('types: every js/ts block of README.md and pkg/README.md compiles with tsc --strict', () => {
  const written = extract();
  const unknown = Object.keys(PLACEHOLDERS).filter((k) => !written.includes(k));
  assert.deepEqual(unknown, [], 'PLACEHOLDERS names blocks that no longer exist (or are marked not checked)');
  assert.ok(written.length >= 8, `only ${written.length} blocks found`);
  assert.equal(tsc('tsconfig.readme.json'), '');
});

test('types: blocks marked "not checked" are few', () => {
  const skipped = READMES.flatMap((f) => blocks(f).filter((b) => CHECKED.has(b.lang) && b.skipped)
    .map((b) => `${f}:${b.line}`));
  assert.ok(skipped.length <= 3, `too many unchecked blocks: ${skipped.join(', ')}`);
  // A skipped block's reason is in its marker; list them so they stay visible.
  if (skipped.length) console.log(`not type-checked (marked): ${skipped.join(', ')}`);
});
