// Generated from the error_codes! table in src/error.rs by its unit test
// `error_codes_typescript_union_matches_golden`; do not edit.
// Update: BLESS=1 cargo test --lib error_codes
//
// Every stable `.code` a PseudolinkError can carry. Core codes come from
// every entry; `fuzzy` codes from pseudolink/link and pseudolink/identity;
// `oblivious` codes from pseudolink/oblivious.

/** Error codes of any build. */
export type CoreErrorCode =
  | 'value.empty'
  | 'value.too_long'
  | 'value.wrong_type'
  | 'profile.unsupported_field'
  | 'email.missing_at'
  | 'email.multiple_at'
  | 'email.empty_local'
  | 'email.invalid_domain'
  | 'email.whitespace'
  | 'email.invalid_character'
  | 'phone.too_short'
  | 'phone.too_long'
  | 'phone.missing_country_code'
  | 'phone.invalid_country_code'
  | 'phone.invalid_character'
  | 'name.invalid_character'
  | 'city.invalid'
  | 'postal.invalid'
  | 'state.unknown'
  | 'country.unknown'
  | 'date.invalid_format'
  | 'date.impossible'
  | 'date.out_of_range'
  | 'date.ambiguous'
  | 'gender.unknown'
  | 'external_id.invalid_character'
  | 'duns.invalid_length'
  | 'duns.invalid_character'
  | 'domain.invalid'
  | 'key.too_short'
  | 'key.invalid_secret'
  | 'key.invalid_id'
  | 'key.duplicate_id'
  | 'key.missing'
  | 'definition.invalid'
  | 'definition.invalid_match_key'
  | 'record.invalid'
  | 'option.invalid'
  | 'link.bad_base64';

/** Error codes of feature `fuzzy`. */
export type FuzzyErrorCode =
  | 'schema.invalid_json'
  | 'schema.unsupported_version'
  | 'schema.invalid'
  | 'schema.invalid_length'
  | 'schema.invalid_kdf'
  | 'schema.kdf_too_long'
  | 'schema.unknown_comparison'
  | 'schema.invalid_comparison'
  | 'schema.invalid_strategy'
  | 'schema.unknown_hash'
  | 'schema.singularity_needs_double_hash'
  | 'schema.blake_needs_power_of_two'
  | 'schema.blake_key_too_long'
  | 'schema.invalid_format'
  | 'schema.unsupported_encoding'
  | 'schema.invalid_pattern'
  | 'schema.unsupported_date_format'
  | 'schema.unknown_field'
  | 'clk.row_length'
  | 'clk.pattern'
  | 'clk.too_short'
  | 'clk.too_long'
  | 'clk.case'
  | 'clk.encoding'
  | 'clk.not_integer'
  | 'clk.out_of_range'
  | 'clk.bad_date'
  | 'clk.not_in_enum'
  | 'clk.not_number'
  | 'clk.empty_salt'
  | 'clk.invalid_encoding'
  | 'link.clk_length_mismatch'
  | 'link.bad_token'
  | 'link.bad_config'
  | 'link.bad_params'
  | 'link.duplicate_id'
  | 'link.not_trained'
  | 'link.too_many_records'
  | 'identity.invalid_record'
  | 'identity.invalid_relation'
  | 'identity.invalid_measure'
  | 'identity.invalid_date'
  | 'identity.invalid_hierarchy'
  | 'identity.duplicate_record'
  | 'identity.unknown_record'
  | 'identity.unknown_entity'
  | 'identity.unknown_view'
  | 'identity.bad_config'
  | 'identity.bad_document'
  | 'identity.unsupported_version'
  | 'identity.clk_layout'
  | 'segment.invalid_rule'
  | 'segment.unknown_measure';

/** Error codes of feature `oblivious`. */
export type ObliviousErrorCode =
  | 'oblivious.invalid_public_key'
  | 'oblivious.invalid_response'
  | 'oblivious.verification_failed';

/** Every error code of every entry. */
export type ErrorCode = CoreErrorCode | FuzzyErrorCode | ObliviousErrorCode;
