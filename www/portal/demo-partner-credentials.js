// DEMO ONLY: the demo partner's credentials, shown (and editable) in the
// portal's "Credentials" section. A real partner pastes its own: they are
// issued by the company to that partner and kept by the partner, never
// shipped in a page anyone can open.
//
//  - keyserverApiKey: the partner's key-server credential (id `demo-partner`
//    in demo/keyserver/keyserver.json: this site's origin only, its own rate
//    and daily quota of evaluations). It buys oblivious tokens: the key server
//    never sees a value and the page never holds the token key.
//  - linkageApiKey: the partner's linkage credential (party `partner-acme` of
//    project `demo-partners` in demo/linkage/linkage.json): what it may upload,
//    how often it may link, and that it only ever reads its own results.
//  - clkSecret: the linking project's CLK secret, shared out of band by the
//    data holders (the company and its partners), never given to the linkage
//    service. Without it the stored CLKs cannot be compared to guesses.
//
// All three are publishable demo strings: the services store only SHA-256
// hashes of the keys, and the demo data is synthetic.
export const DEMO_PARTNER_CREDENTIALS = Object.freeze({
  project: 'demo-partners',
  keyserverApiKey: 'pk_demo_partner_keyserver_not_secret',
  linkageApiKey: 'pk_demo_partner_linkage_not_secret',
  clkSecret: 'pseudolink-demo-project-clk-secret-not-secret!',
});
