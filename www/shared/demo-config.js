// Demo configuration shared by the pages that key tokens in the page (the
// playground, the keyed checkout, the company's own console). The definition,
// labels and error sentences live in definition.js (re-exported here); the
// partner portal imports only that one, so no key reaches a partner's page.
//
// DEMO_KEY is a *public* demo key: any key shipped inside a page can be read by
// anyone who opens it (see SECURITY.md). Real deployments use a key that never
// reaches the browser (the oblivious mode) or a per-partner key held by the
// partner. The bytes are fixed so a returning customer gets the same tokens.
export const DEMO_KEY_ID = 'demo2026';
export const DEMO_KEY = new Uint8Array([
  0x70, 0x73, 0x65, 0x75, 0x64, 0x6f, 0x6c, 0x69, 0x6e, 0x6b, 0x2d, 0x64, 0x65, 0x6d, 0x6f, 0x2d,
  0x6b, 0x65, 0x79, 0x2d, 0x6e, 0x6f, 0x74, 0x2d, 0x73, 0x65, 0x63, 0x72, 0x65, 0x74, 0x21, 0x21,
]);

/**
 * The *public* demo CLK secret: the Bloom-filter encodings (CLKs) of the
 * company's demo customer directory (www/console/demo-directory.json, made
 * by scripts/demo-directory.sh) are keyed with it. (The linking project's
 * CLK secret, which the partner portal and the company pipeline share, is
 * another one: www/portal/demo-partner-credentials.js.) Demo only, like DEMO_KEY: a real secret is shared by the
 * linking parties out of band and never shipped in a page.
 */
export const DEMO_CLK_SECRET = new TextEncoder().encode('pseudolink-demo-clk-secret-not-secret!');

/**
 * The checkout's publishable credential for the demo key server (oblivious
 * mode). Public by nature, like any credential in a page: the key server's
 * origin allowlist, rate limit and quota are what protect it. Demo only; its
 * SHA-256 is in demo/keyserver/keyserver.json.
 */
export const DEMO_KEYSERVER_API_KEY = 'pk_demo_checkout_not_secret';

export { DEFINITION, FIELD_LABELS, explain } from './definition.js';
