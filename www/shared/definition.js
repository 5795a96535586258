// What identifies a customer, and how the pages talk about it: the identity
// definition, field labels and sentences for field error codes. No key and no
// secret: pages that must hold none (the checkout, the partner portal) import
// this module, not demo-config.js.

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
    'city.invalid': 'must start with a Latin letter',
    'gender.unknown': 'is not a recognised value',
    'duns.invalid_length': 'must have 9 digits',
    'duns.invalid_character': 'may contain only digits',
    'domain.invalid': 'is not a valid domain',
  }[code];
  return text ?? `is not valid (${family}.${rule})`;
}

/**
 * A field's error as a phrase, knowing what was typed and the region it was
 * read in. A phone number typed without a country code is read as a number
 * of `region`: when it has too many or too few digits for that region it is
 * most likely a number of another country, and saying "is too long" would
 * mislead; the phrase says which region it was read in and how to type a
 * foreign number. Never repeats the value.
 */
export function explainField(field, code, { value = '', region } = {}) {
  const national = !/^\s*(\+|00)/.test(value);
  if (field === 'phone' && national && region && (code === 'phone.too_long' || code === 'phone.too_short')) {
    let name = region;
    try { name = new Intl.DisplayNames(['en'], { type: 'region' }).of(region) ?? region; } catch { /* the code then */ }
    return `does not fit a ${name} number. For a number from another country, start with + and its country code `
      + '(e.g. +44 20 7946 0958)';
  }
  return explain(code);
}
