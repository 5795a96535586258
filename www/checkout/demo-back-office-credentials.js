// DEMO ONLY: the shop's back-office key for `GET /api/orders` (the server
// holds only its SHA-256: `--orders-key-sha256`, set by `make demo` and the
// e2e harness). In a real shop the order listing belongs to the back office
// and this key never reaches a shopper's page; the demo shows "what the
// server received" next to the form, so the page carries it here.
export const DEMO_BACK_OFFICE_ORDERS_KEY = 'demo_back_office_orders_not_secret';
