// Client cost of oblivious tokens, shared by Node and Chromium: per value,
// the wasm work around one key-server round trip, timed apart from it:
//   blind    = normalise + hash to curve + blind (ObliviousClient.blind)
//   finalize = verify the batched DLEQ proof + unblind + hash (ObliviousClient.finalize)
// The evaluation itself happens on the real key server and is not timed here.
export async function run({ m, endpoint, publicKey, apiKey, rounds = 20, batch = 256 }) {
  const client = new m.ObliviousClient({ version: 1, fields: ['email'] }, { b1: publicKey });
  const records = Array.from({ length: batch }, (_, i) => ({ email: `user${i}.name@example.com` }));
  let blindMs = 0;
  let finalizeMs = 0;
  let tokens = 0;
  for (let r = 0; r < rounds + 2; r++) {
    const t0 = performance.now();
    const b = client.blind(records);
    const t1 = performance.now();
    const res = await fetch(`${endpoint}/v1/evaluate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
      body: b.requestBody('b1'),
    });
    const answer = await res.json();
    const t2 = performance.now();
    const out = client.finalize(b, [answer]);
    const t3 = performance.now();
    b.free();
    if (r >= 2) { // the first two rounds warm up
      blindMs += t1 - t0;
      finalizeMs += t3 - t2;
      tokens += out.length;
    }
  }
  const us = (ms) => Math.round((ms * 1000) / tokens);
  return { values: tokens, batch, blindUs: us(blindMs), finalizeUs: us(finalizeMs), totalUs: us(blindMs + finalizeMs) };
}
