// Demo configuration shared by the pages.
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
 * partner portal and of its demo customer directory
 * (www/portal/demo-directory.json, made by scripts/demo-directory.sh) are
 * keyed with it. Demo only, like DEMO_KEY: a real secret is shared by the
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

/** Which fields identify a customer, and the composite keys derived from them. */
export const DEFINITION = {
  version: 1,
  fields: [
    'email', 'phone', 'firstName', 'lastName', 'street', 'city', 'state', 'postalCode',
    'country', 'dateOfBirth', 'gender', 'companyName', 'duns', 'webDomain', 'externalId',
  ],
  matchKeys: [
    { name: 'nameDob', parts: [{ field: 'lastName' }, { field: 'firstName', take: 'initial' }, { field: 'dateOfBirth' }] },
    { name: 'addressName', parts: [{ field: 'postalCode' }, { field: 'street', take: 'streetNumber' }, { field: 'lastName' }] },
    { name: 'companySite', parts: [{ field: 'companyName' }, { field: 'postalCode' }] },
  ],
  defaultRegion: 'US',
  dateOrder: 'mdy',
};

/** Human labels for the fields, in form order. */
export const FIELD_LABELS = {
  email: 'E-mail',
  phone: 'Phone',
  firstName: 'First name',
  lastName: 'Last name',
  street: 'Street address',
  city: 'City',
  state: 'State / province',
  postalCode: 'Postal code',
  country: 'Country',
  dateOfBirth: 'Date of birth',
  gender: 'Gender',
  companyName: 'Company',
  duns: 'D-U-N-S number',
  webDomain: 'Company website',
  externalId: 'Customer id',
};

/** Plain-language text for the stable error codes a form can show. */
export function explain(code) {
  const [family, rule] = code.split('.');
  const text = {
    'value.too_long': 'is too long',
    'value.wrong_type': 'must be text',
    'email.missing_at': 'needs an @',
    'email.multiple_at': 'has more than one @',
    'email.empty_local': 'needs a name before the @',
    'email.invalid_domain': 'has an invalid domain',
    'email.whitespace': 'must not contain spaces',
    'phone.too_short': 'is too short',
    'phone.too_long': 'is too long',
    'phone.missing_country_code': 'needs a country code (e.g. +44)',
    'phone.invalid_country_code': 'has an unknown country code',
    'phone.invalid_character': 'has characters a phone number cannot have',
    'name.invalid_character': 'has characters a name cannot have',
    'postal.invalid': 'is not a valid postal code for the country',
    'state.unknown': 'is not a known state or province',
    'country.unknown': 'is not a known country',
    'date.invalid_format': 'is not a date we can read',
    'date.impossible': 'is not a real date',
    'date.out_of_range': 'is outside 1900–2100',
    'date.ambiguous': 'needs a day/month order',
    'gender.unknown': 'is not a recognised value',
    'duns.invalid_length': 'must have 9 digits',
    'duns.invalid_character': 'may contain only digits',
    'domain.invalid': 'is not a valid domain',
  }[code];
  return text ?? `is not valid (${family}.${rule})`;
}
