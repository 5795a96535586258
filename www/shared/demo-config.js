// The playground's token key: a fresh random key per page load, for
// single-party use (a business trying tokenisation on its own values in its
// own browser). No key bytes ship in any served file, so no page can hold both
// keyed tokens and the key that made them (whoever held both could invert the
// tokens by guessing), and no two visitors share a key. Tokens are comparable
// within one page load, which is all the playground shows. The company's
// directory is keyed with the company's own keys (demo/company/), which no page
// holds; pages that others open (the checkout, the partner portal) import only
// definition.js and use oblivious `po1` tokens through the key server.
export const DEMO_KEY_ID = 'page';

/** 32 random bytes from the browser's CSPRNG: the key of this page load. */
export function pageKey() {
  return crypto.getRandomValues(new Uint8Array(32));
}

export { DEFINITION, FIELD_LABELS, explain } from './definition.js';
