// DEMO ONLY: the checkout's publishable credential for the demo key server
// (id `demo-shop` in demo/keyserver/keyserver.json; only its SHA-256 is
// stored there). Public by nature, like any credential in a page that
// shoppers open: what protects it is the key server's origin allowlist, rate
// limit and daily quota. It buys oblivious `po1` tokens; it is not a key, and
// the checkout holds no token key (www/shared/demo-config.js, the keyed
// pages' module, is never loaded here).
export const DEMO_KEYSERVER_API_KEY = 'pk_demo_checkout_not_secret';
