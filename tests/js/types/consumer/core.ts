// The core entry `pseudolink`, as a TypeScript user writes it. Type-checked
// only (tests/js/types/check.mjs): never run.
import init, {
  initSync, normalize, platformHashes, profileFields, parseToken, version, Pseudonymizer,
} from 'pseudolink';
import type {
  ContactRecord, FieldName, IdentityDefinition, InitOutput, NormalizeOptions, PlatformHashes,
  ProfileName, PseudolinkError, TokenInfo, TokenKeyInput, TokenizeResult,
} from 'pseudolink';
import * as core from 'pseudolink';

/** The core API every entry re-exports (init and initSync are each entry's own). */
export type CoreApi = Omit<typeof core, 'default' | 'initSync'>;

declare const keyBytes: Uint8Array;
declare const wasmBytes: ArrayBuffer;

/** Uses every core function and class, through any entry that re-exports the core. */
export function exerciseCore(m: CoreApi): TokenizeResult[] {
  const options: NormalizeOptions = { profile: 'uid2', region: 'GB', dateOrder: 'dmy' };
  const phone: string = m.normalize('phone', '020 7946 0958', options);
  m.normalize('email', ' Jane.Doe@Example.com ');            // options are optional
  try {
    m.normalize('email', 'not-an-address', null);
  } catch (e) {
    const err = e as PseudolinkError;
    console.log(err.code, err.field, phone);
  }
  const record: ContactRecord = { email: 'jane@example.com', phone: null, orderTotal: 12.5 };
  const hashes: PlatformHashes = m.platformHashes(record, 'meta');
  m.platformHashes(record, 'google', { region: 'US' });
  const profile: ProfileName = hashes.profile;
  const fields: FieldName[] = m.profileFields(profile);
  const info: TokenInfo | null = m.parseToken('pl1.email.k2026.AAAA');
  const v: string = m.version();

  const keys: TokenKeyInput[] = [{ id: 'k2026', secret: keyBytes }];
  const definition: IdentityDefinition = {
    version: 1,
    fields: ['email', 'phone', 'lastName', 'dateOfBirth'],
    matchKeys: [{ name: 'nameDob', parts: [{ field: 'lastName' }, { field: 'firstName', take: 'initial' }, { field: 'dateOfBirth' }] }],
    defaultRegion: 'US',
  };
  const p = new m.Pseudonymizer(keys, definition);
  const one: TokenizeResult = p.tokenize(record);
  const many: TokenizeResult[] = p.tokenizeBatch([record, { phone: '+1 650 555 1212' }]);
  const ids: string[] = p.keyIds;
  p.free();
  {
    // Explicit resource management: `[Symbol.dispose]` frees the keys.
    using q = new m.Pseudonymizer(keys, JSON.stringify(definition));
    q.tokenize({});
  }
  const again = new m.Pseudonymizer(keys, definition);
  again[Symbol.dispose]();
  console.log(fields, info?.keyId, v, one.tokens, ids);
  return many;
}

// The core entry itself: initialised once in a browser (a no-op in Node).
const out: InitOutput = await init();
await init({ module_or_path: new URL('pseudolink/pseudolink_bg.wasm', import.meta.url) });
initSync({ module: wasmBytes });
console.log(out.memory.buffer.byteLength);

exerciseCore(core);
// The named imports are the same functions.
normalize('email', 'a@b.example');
platformHashes({ email: 'a@b.example' }, 'uid2');
profileFields('pseudolink');
parseToken('x');
version();
new Pseudonymizer([{ id: 'k', secret: keyBytes }], { version: 1, fields: ['email'] }).free();
