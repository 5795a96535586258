// The demo key for the page that keys tokens in the page, which is right only
// for single-party use: the playground (a business tokenising its own records
// in its own browser). No keyed token made with it is served anywhere; the
// company's directory is keyed with its own keys (demo/company/). The definition, labels and
// error sentences live in definition.js (re-exported here); the pages that a
// third party opens (the checkout, the partner portal) import only that one,
// so no key reaches them (the e2e tests check their requests and responses).
//
// DEMO_KEY is a *public* demo key: any key shipped inside a page can be read by
// anyone who opens it (see SECURITY.md). Pages that others open use a key that
// never reaches the browser (oblivious `po1` tokens through the key server).
// The bytes are fixed so the playground is reproducible.
export const DEMO_KEY_ID = 'demo2026';
export const DEMO_KEY = new Uint8Array([
  0x70, 0x73, 0x65, 0x75, 0x64, 0x6f, 0x6c, 0x69, 0x6e, 0x6b, 0x2d, 0x64, 0x65, 0x6d, 0x6f, 0x2d,
  0x6b, 0x65, 0x79, 0x2d, 0x6e, 0x6f, 0x74, 0x2d, 0x73, 0x65, 0x63, 0x72, 0x65, 0x74, 0x21, 0x21,
]);

export { DEFINITION, FIELD_LABELS, explain } from './definition.js';
