//! The one error type. Messages name the field and the rule, never the value.

use crate::field::Field;

/// A stable, machine-readable reason. [`ErrorCode::as_str`] is the wire form
/// (`"email.missing_at"`); it never changes once released.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorCode {
    // --- any value -------------------------------------------------------
    /// The value is empty (or only whitespace/punctuation) after normalisation.
    Empty,
    /// The value is longer than any real value of this field.
    TooLong,
    /// The value was not a string (for example a number or an object from JS).
    WrongType,
    /// The profile does not define this field.
    UnsupportedField,
    // --- email -----------------------------------------------------------
    /// No `@`.
    EmailMissingAt,
    /// More than one `@`.
    EmailMultipleAt,
    /// Nothing before the `@` (or nothing left after alias rules).
    EmailEmptyLocal,
    /// The domain is empty or not a valid host name.
    EmailInvalidDomain,
    /// Whitespace inside the address.
    EmailWhitespace,
    /// A character no address may contain.
    EmailInvalidCharacter,
    // --- phone -----------------------------------------------------------
    /// Too few digits for the country calling code.
    PhoneTooShort,
    /// Too many digits for the country calling code.
    PhoneTooLong,
    /// No country calling code and no default region to infer one.
    PhoneMissingCountryCode,
    /// The country calling code is not assigned.
    PhoneInvalidCountryCode,
    /// A character that is not a digit, separator or `+`.
    PhoneInvalidCharacter,
    // --- names -----------------------------------------------------------
    /// A character that cannot appear in a name (digits, `@`, ...).
    NameInvalidCharacter,
    // --- address ---------------------------------------------------------
    /// The postal code does not match the country's format.
    PostalInvalid,
    /// The state/province is not known for the country.
    StateUnknown,
    /// The country is not an ISO 3166-1 code or known name.
    CountryUnknown,
    // --- date of birth ---------------------------------------------------
    /// Not one of the accepted date layouts.
    DateInvalidFormat,
    /// A date that does not exist (e.g. 30 February).
    DateImpossible,
    /// A year outside the plausible range for a birth date.
    DateOutOfRange,
    /// A day/month order is needed for this layout but none was given.
    DateAmbiguous,
    // --- gender ----------------------------------------------------------
    /// Not a recognised gender value for the profile.
    GenderUnknown,
    // --- external id -----------------------------------------------------
    /// A control character inside the business's customer id.
    ExternalIdInvalidCharacter,
    // --- company / D-U-N-S / domain ---------------------------------------
    /// D-U-N-S is not exactly 9 digits.
    DunsInvalidLength,
    /// D-U-N-S contains a character other than digits and separators.
    DunsInvalidCharacter,
    /// Not a valid host name, URL or e-mail domain.
    DomainInvalid,
    // --- keys, definitions, records ---------------------------------------
    /// A secret key shorter than 32 bytes.
    KeyTooShort,
    /// A secret that is not bytes (from JS: not a `Uint8Array`).
    KeyInvalidSecret,
    /// A key id that is empty, too long, or not `[A-Za-z0-9_-]`.
    KeyInvalidId,
    /// Two keys share an id.
    KeyDuplicateId,
    /// No key was given.
    KeyMissing,
    /// The identity definition is not valid JSON or breaks a rule.
    DefinitionInvalid,
    /// A match key names a field or transform the definition cannot use.
    DefinitionInvalidMatchKey,
    /// A record is not an object of string fields.
    RecordInvalid,
    /// An option (profile, region, date order) is not recognised.
    OptionInvalid,
    // --- clk (Bloom-filter encodings, linkage schema v3) -----------------
    /// The linkage schema is not JSON.
    #[cfg(feature = "fuzzy")]
    SchemaInvalidJson,
    /// The linkage schema is not version 3 (versions 1 and 2 are not converted).
    #[cfg(feature = "fuzzy")]
    SchemaUnsupportedVersion,
    /// A required key is missing or has the wrong JSON type.
    #[cfg(feature = "fuzzy")]
    SchemaInvalid,
    /// `l` is 0, or `l`·2^`xor_folds` is too large.
    #[cfg(feature = "fuzzy")]
    SchemaInvalidLength,
    /// The KDF is not HKDF-SHA256/512, its salt/info is not base64, or keySize is 0.
    #[cfg(feature = "fuzzy")]
    SchemaInvalidKdf,
    /// 2·features·keySize exceeds 255·HashLen bytes.
    #[cfg(feature = "fuzzy")]
    SchemaKdfTooLong,
    /// The comparison is not `ngram`, `exact` or `numeric`.
    #[cfg(feature = "fuzzy")]
    SchemaUnknownComparison,
    /// n < 1, thresholdDistance ≤ 0, resolution < 1, or too little precision.
    #[cfg(feature = "fuzzy")]
    SchemaInvalidComparison,
    /// Not exactly one of bitsPerToken / bitsPerFeature ≥ 1.
    #[cfg(feature = "fuzzy")]
    SchemaInvalidStrategy,
    /// The hash is not `doubleHash` or `blakeHash`.
    #[cfg(feature = "fuzzy")]
    SchemaUnknownHash,
    /// `prevent_singularity` is only valid with `doubleHash`.
    #[cfg(feature = "fuzzy")]
    SchemaSingularityNeedsDoubleHash,
    /// blakeHash needs `l`·2^`xor_folds` to be a power of two.
    #[cfg(feature = "fuzzy")]
    SchemaBlakeNeedsPowerOfTwo,
    /// BLAKE2b keys are at most 64 bytes.
    #[cfg(feature = "fuzzy")]
    SchemaBlakeKeyTooLong,
    /// Unknown format type, or contradictory or out-of-range format options.
    #[cfg(feature = "fuzzy")]
    SchemaInvalidFormat,
    /// Not one of ascii, utf-8, utf-16, utf-32.
    #[cfg(feature = "fuzzy")]
    SchemaUnsupportedEncoding,
    /// The pattern does not compile (regex-lite syntax).
    #[cfg(feature = "fuzzy")]
    SchemaInvalidPattern,
    /// Only %Y %m %d %y %H %M %S %% are supported.
    #[cfg(feature = "fuzzy")]
    SchemaUnsupportedDateFormat,
    /// A record encoder's schema feature is not a field wire name (and not ignored).
    #[cfg(feature = "fuzzy")]
    SchemaUnknownField,
    /// The row does not have one value per schema feature.
    #[cfg(feature = "fuzzy")]
    ClkRowLength,
    /// The value does not match the feature's pattern.
    #[cfg(feature = "fuzzy")]
    ClkPattern,
    /// The value has fewer characters than minLength.
    #[cfg(feature = "fuzzy")]
    ClkTooShort,
    /// The value has more characters than maxLength.
    #[cfg(feature = "fuzzy")]
    ClkTooLong,
    /// The value is not in the required letter case.
    #[cfg(feature = "fuzzy")]
    ClkCase,
    /// The value has characters the feature's encoding cannot represent.
    #[cfg(feature = "fuzzy")]
    ClkEncoding,
    /// The value is not a base-10 integer.
    #[cfg(feature = "fuzzy")]
    ClkNotInteger,
    /// The value is outside the feature's minimum/maximum (or too large).
    #[cfg(feature = "fuzzy")]
    ClkOutOfRange,
    /// The value is not a real date in the feature's format.
    #[cfg(feature = "fuzzy")]
    ClkBadDate,
    /// The value is not one of the enum's values.
    #[cfg(feature = "fuzzy")]
    ClkNotInEnum,
    /// A numeric comparison got a value that is not a finite number.
    #[cfg(feature = "fuzzy")]
    ClkNotNumber,
    /// The record-salt value of a row is empty.
    #[cfg(feature = "fuzzy")]
    ClkEmptySalt,
    /// Not canonical standard base64 of the expected bit length.
    #[cfg(feature = "fuzzy")]
    ClkInvalidEncoding,
    // --- linking ---------------------------------------------------------
    /// Two CLKs compared with each other have different lengths.
    #[cfg(feature = "fuzzy")]
    LinkClkLengthMismatch,
    /// A CLK is not standard padded base64.
    LinkBadBase64,
    /// A token or match key is not a well-formed token.
    #[cfg(feature = "fuzzy")]
    LinkBadToken,
    /// The link configuration breaks a rule.
    #[cfg(feature = "fuzzy")]
    LinkBadConfig,
    /// Model parameters are malformed or do not fit the comparisons.
    #[cfg(feature = "fuzzy")]
    LinkBadParams,
    /// Two records of one dataset share an id.
    #[cfg(feature = "fuzzy")]
    LinkDuplicateId,
    /// Scoring needs model parameters: train by linking first, or load them.
    #[cfg(feature = "fuzzy")]
    LinkNotTrained,
    /// More records than the linker indexes (2^31).
    #[cfg(feature = "fuzzy")]
    LinkTooManyRecords,
    // --- identity graph --------------------------------------------------
    /// A graph record's reference, kind or unit breaks a rule.
    #[cfg(feature = "fuzzy")]
    IdentityInvalidRecord,
    /// A relation its record's kind cannot have (roles are a person's, membership an organisation's).
    #[cfg(feature = "fuzzy")]
    IdentityInvalidRelation,
    /// A measure name is not `[A-Za-z0-9_]{1,32}` or its value is not finite.
    #[cfg(feature = "fuzzy")]
    IdentityInvalidMeasure,
    /// A record date is not a real `YYYY-MM-DD` date.
    #[cfg(feature = "fuzzy")]
    IdentityInvalidDate,
    /// A hierarchy edge is malformed or does not join two distinct `duns` tokens.
    #[cfg(feature = "fuzzy")]
    IdentityInvalidHierarchy,
    /// A record's (system, channel, id) is already in the graph.
    #[cfg(feature = "fuzzy")]
    IdentityDuplicateRecord,
    /// No record of the graph has this reference.
    #[cfg(feature = "fuzzy")]
    IdentityUnknownRecord,
    /// No entity, live or retired, has this id.
    #[cfg(feature = "fuzzy")]
    IdentityUnknownEntity,
    /// Not one of the views `billing`, `service`, `sales`, `group`, `household`.
    #[cfg(feature = "fuzzy")]
    IdentityUnknownView,
    /// The graph configuration breaks a rule.
    #[cfg(feature = "fuzzy")]
    IdentityBadConfig,
    /// A graph document is malformed or inconsistent.
    #[cfg(feature = "fuzzy")]
    IdentityBadDocument,
    /// A graph document of a format or version this release cannot read.
    #[cfg(feature = "fuzzy")]
    IdentityUnsupportedVersion,
    /// A person record has a CLK key the graph's layout (fixed by its first CLKs) lacks.
    #[cfg(feature = "fuzzy")]
    IdentityClkLayout,
    /// A segment rule is malformed.
    #[cfg(feature = "fuzzy")]
    SegmentInvalidRule,
    /// A rule names a measure that is neither built in nor in any record.
    #[cfg(feature = "fuzzy")]
    SegmentUnknownMeasure,
    // --- oblivious tokens (feature `oblivious`) ---------------------------
    /// A pinned key-server public key or key version is not valid.
    #[cfg(feature = "oblivious")]
    ObliviousInvalidPublicKey,
    /// A key server's answer is malformed or does not fit the request.
    #[cfg(feature = "oblivious")]
    ObliviousInvalidResponse,
    /// A key server's answer fails its proof against the pinned public key.
    #[cfg(feature = "oblivious")]
    ObliviousVerificationFailed,
}

impl ErrorCode {
    /// The stable wire code, `family.rule`.
    pub const fn as_str(self) -> &'static str {
        use ErrorCode::*;
        match self {
            Empty => "value.empty",
            TooLong => "value.too_long",
            WrongType => "value.wrong_type",
            UnsupportedField => "profile.unsupported_field",
            EmailMissingAt => "email.missing_at",
            EmailMultipleAt => "email.multiple_at",
            EmailEmptyLocal => "email.empty_local",
            EmailInvalidDomain => "email.invalid_domain",
            EmailWhitespace => "email.whitespace",
            EmailInvalidCharacter => "email.invalid_character",
            PhoneTooShort => "phone.too_short",
            PhoneTooLong => "phone.too_long",
            PhoneMissingCountryCode => "phone.missing_country_code",
            PhoneInvalidCountryCode => "phone.invalid_country_code",
            PhoneInvalidCharacter => "phone.invalid_character",
            NameInvalidCharacter => "name.invalid_character",
            PostalInvalid => "postal.invalid",
            StateUnknown => "state.unknown",
            CountryUnknown => "country.unknown",
            DateInvalidFormat => "date.invalid_format",
            DateImpossible => "date.impossible",
            DateOutOfRange => "date.out_of_range",
            DateAmbiguous => "date.ambiguous",
            GenderUnknown => "gender.unknown",
            ExternalIdInvalidCharacter => "external_id.invalid_character",
            DunsInvalidLength => "duns.invalid_length",
            DunsInvalidCharacter => "duns.invalid_character",
            DomainInvalid => "domain.invalid",
            KeyTooShort => "key.too_short",
            KeyInvalidSecret => "key.invalid_secret",
            KeyInvalidId => "key.invalid_id",
            KeyDuplicateId => "key.duplicate_id",
            KeyMissing => "key.missing",
            DefinitionInvalid => "definition.invalid",
            DefinitionInvalidMatchKey => "definition.invalid_match_key",
            RecordInvalid => "record.invalid",
            OptionInvalid => "option.invalid",
            #[cfg(feature = "fuzzy")]
            SchemaInvalidJson => "schema.invalid_json",
            #[cfg(feature = "fuzzy")]
            SchemaUnsupportedVersion => "schema.unsupported_version",
            #[cfg(feature = "fuzzy")]
            SchemaInvalid => "schema.invalid",
            #[cfg(feature = "fuzzy")]
            SchemaInvalidLength => "schema.invalid_length",
            #[cfg(feature = "fuzzy")]
            SchemaInvalidKdf => "schema.invalid_kdf",
            #[cfg(feature = "fuzzy")]
            SchemaKdfTooLong => "schema.kdf_too_long",
            #[cfg(feature = "fuzzy")]
            SchemaUnknownComparison => "schema.unknown_comparison",
            #[cfg(feature = "fuzzy")]
            SchemaInvalidComparison => "schema.invalid_comparison",
            #[cfg(feature = "fuzzy")]
            SchemaInvalidStrategy => "schema.invalid_strategy",
            #[cfg(feature = "fuzzy")]
            SchemaUnknownHash => "schema.unknown_hash",
            #[cfg(feature = "fuzzy")]
            SchemaSingularityNeedsDoubleHash => "schema.singularity_needs_double_hash",
            #[cfg(feature = "fuzzy")]
            SchemaBlakeNeedsPowerOfTwo => "schema.blake_needs_power_of_two",
            #[cfg(feature = "fuzzy")]
            SchemaBlakeKeyTooLong => "schema.blake_key_too_long",
            #[cfg(feature = "fuzzy")]
            SchemaInvalidFormat => "schema.invalid_format",
            #[cfg(feature = "fuzzy")]
            SchemaUnsupportedEncoding => "schema.unsupported_encoding",
            #[cfg(feature = "fuzzy")]
            SchemaInvalidPattern => "schema.invalid_pattern",
            #[cfg(feature = "fuzzy")]
            SchemaUnsupportedDateFormat => "schema.unsupported_date_format",
            #[cfg(feature = "fuzzy")]
            SchemaUnknownField => "schema.unknown_field",
            #[cfg(feature = "fuzzy")]
            ClkRowLength => "clk.row_length",
            #[cfg(feature = "fuzzy")]
            ClkPattern => "clk.pattern",
            #[cfg(feature = "fuzzy")]
            ClkTooShort => "clk.too_short",
            #[cfg(feature = "fuzzy")]
            ClkTooLong => "clk.too_long",
            #[cfg(feature = "fuzzy")]
            ClkCase => "clk.case",
            #[cfg(feature = "fuzzy")]
            ClkEncoding => "clk.encoding",
            #[cfg(feature = "fuzzy")]
            ClkNotInteger => "clk.not_integer",
            #[cfg(feature = "fuzzy")]
            ClkOutOfRange => "clk.out_of_range",
            #[cfg(feature = "fuzzy")]
            ClkBadDate => "clk.bad_date",
            #[cfg(feature = "fuzzy")]
            ClkNotInEnum => "clk.not_in_enum",
            #[cfg(feature = "fuzzy")]
            ClkNotNumber => "clk.not_number",
            #[cfg(feature = "fuzzy")]
            ClkEmptySalt => "clk.empty_salt",
            #[cfg(feature = "fuzzy")]
            ClkInvalidEncoding => "clk.invalid_encoding",
            #[cfg(feature = "fuzzy")]
            LinkClkLengthMismatch => "link.clk_length_mismatch",
            LinkBadBase64 => "link.bad_base64",
            #[cfg(feature = "fuzzy")]
            LinkBadToken => "link.bad_token",
            #[cfg(feature = "fuzzy")]
            LinkBadConfig => "link.bad_config",
            #[cfg(feature = "fuzzy")]
            LinkBadParams => "link.bad_params",
            #[cfg(feature = "fuzzy")]
            LinkDuplicateId => "link.duplicate_id",
            #[cfg(feature = "fuzzy")]
            LinkNotTrained => "link.not_trained",
            #[cfg(feature = "fuzzy")]
            LinkTooManyRecords => "link.too_many_records",
            #[cfg(feature = "fuzzy")]
            IdentityInvalidRecord => "identity.invalid_record",
            #[cfg(feature = "fuzzy")]
            IdentityInvalidRelation => "identity.invalid_relation",
            #[cfg(feature = "fuzzy")]
            IdentityInvalidMeasure => "identity.invalid_measure",
            #[cfg(feature = "fuzzy")]
            IdentityInvalidDate => "identity.invalid_date",
            #[cfg(feature = "fuzzy")]
            IdentityInvalidHierarchy => "identity.invalid_hierarchy",
            #[cfg(feature = "fuzzy")]
            IdentityDuplicateRecord => "identity.duplicate_record",
            #[cfg(feature = "fuzzy")]
            IdentityUnknownRecord => "identity.unknown_record",
            #[cfg(feature = "fuzzy")]
            IdentityUnknownEntity => "identity.unknown_entity",
            #[cfg(feature = "fuzzy")]
            IdentityUnknownView => "identity.unknown_view",
            #[cfg(feature = "fuzzy")]
            IdentityBadConfig => "identity.bad_config",
            #[cfg(feature = "fuzzy")]
            IdentityBadDocument => "identity.bad_document",
            #[cfg(feature = "fuzzy")]
            IdentityUnsupportedVersion => "identity.unsupported_version",
            #[cfg(feature = "fuzzy")]
            IdentityClkLayout => "identity.clk_layout",
            #[cfg(feature = "fuzzy")]
            SegmentInvalidRule => "segment.invalid_rule",
            #[cfg(feature = "fuzzy")]
            SegmentUnknownMeasure => "segment.unknown_measure",
            #[cfg(feature = "oblivious")]
            ObliviousInvalidPublicKey => "oblivious.invalid_public_key",
            #[cfg(feature = "oblivious")]
            ObliviousInvalidResponse => "oblivious.invalid_response",
            #[cfg(feature = "oblivious")]
            ObliviousVerificationFailed => "oblivious.verification_failed",
        }
    }

    /// A short human description of the rule (English, no value).
    pub const fn rule(self) -> &'static str {
        use ErrorCode::*;
        match self {
            Empty => "is empty",
            TooLong => "is too long",
            WrongType => "must be a string",
            UnsupportedField => "is not defined by this profile",
            EmailMissingAt => "has no @",
            EmailMultipleAt => "has more than one @",
            EmailEmptyLocal => "has nothing before the @",
            EmailInvalidDomain => "has an invalid domain",
            EmailWhitespace => "contains whitespace",
            EmailInvalidCharacter => "contains a character not allowed in an e-mail address",
            PhoneTooShort => "has too few digits for its country calling code",
            PhoneTooLong => "has too many digits for its country calling code",
            PhoneMissingCountryCode => {
                "has no country calling code and no default region was given"
            }
            PhoneInvalidCountryCode => "has an unassigned country calling code",
            PhoneInvalidCharacter => "contains a character not allowed in a phone number",
            NameInvalidCharacter => "contains a character not allowed in a name",
            PostalInvalid => "does not match the country's postal code format",
            StateUnknown => "is not a known state or province of the country",
            CountryUnknown => "is not a known country code or name",
            DateInvalidFormat => "is not in an accepted date layout",
            DateImpossible => "is not a real calendar date",
            DateOutOfRange => "has a year outside the plausible range",
            DateAmbiguous => "needs an explicit day/month order",
            GenderUnknown => "is not a recognised gender value",
            ExternalIdInvalidCharacter => "contains a control character",
            DunsInvalidLength => "must have exactly 9 digits",
            DunsInvalidCharacter => "may contain only digits and separators",
            DomainInvalid => "is not a valid host name",
            KeyTooShort => "must be at least 32 bytes",
            KeyInvalidSecret => "must be a byte array (Uint8Array)",
            KeyInvalidId => "must be 1-32 characters of A-Z, a-z, 0-9, _ or -",
            KeyDuplicateId => "is used by more than one key",
            KeyMissing => "must contain at least one key",
            DefinitionInvalid => "is not a valid identity definition",
            DefinitionInvalidMatchKey => "has an invalid match key",
            RecordInvalid => "must be an object of string fields",
            OptionInvalid => "is not a recognised option",
            #[cfg(feature = "fuzzy")]
            SchemaInvalidJson => "is not valid JSON",
            #[cfg(feature = "fuzzy")]
            SchemaUnsupportedVersion => "is not a version 3 linkage schema",
            #[cfg(feature = "fuzzy")]
            SchemaInvalid => "does not have the shape of a linkage schema",
            #[cfg(feature = "fuzzy")]
            SchemaInvalidLength => "has an invalid filter length or fold count",
            #[cfg(feature = "fuzzy")]
            SchemaInvalidKdf => "has an invalid key derivation",
            #[cfg(feature = "fuzzy")]
            SchemaKdfTooLong => "needs more key material than HKDF can derive",
            #[cfg(feature = "fuzzy")]
            SchemaUnknownComparison => "has an unknown comparison type",
            #[cfg(feature = "fuzzy")]
            SchemaInvalidComparison => "has invalid comparison parameters",
            #[cfg(feature = "fuzzy")]
            SchemaInvalidStrategy => "has an invalid insertion strategy",
            #[cfg(feature = "fuzzy")]
            SchemaUnknownHash => "has an unknown hash type",
            #[cfg(feature = "fuzzy")]
            SchemaSingularityNeedsDoubleHash => "sets prevent_singularity without doubleHash",
            #[cfg(feature = "fuzzy")]
            SchemaBlakeNeedsPowerOfTwo => {
                "uses blakeHash with a filter length that is not a power of two"
            }
            #[cfg(feature = "fuzzy")]
            SchemaBlakeKeyTooLong => "uses blakeHash with keySize above 64",
            #[cfg(feature = "fuzzy")]
            SchemaInvalidFormat => "has an invalid value format",
            #[cfg(feature = "fuzzy")]
            SchemaUnsupportedEncoding => "has an unsupported text encoding",
            #[cfg(feature = "fuzzy")]
            SchemaInvalidPattern => "has a pattern the regex engine rejects",
            #[cfg(feature = "fuzzy")]
            SchemaUnsupportedDateFormat => "has a date format with an unsupported directive",
            #[cfg(feature = "fuzzy")]
            SchemaUnknownField => "has a feature that is not a field name",
            #[cfg(feature = "fuzzy")]
            ClkRowLength => "does not have one value per schema feature",
            #[cfg(feature = "fuzzy")]
            ClkPattern => "does not match the feature's pattern",
            #[cfg(feature = "fuzzy")]
            ClkTooShort => "is shorter than minLength",
            #[cfg(feature = "fuzzy")]
            ClkTooLong => "is longer than maxLength",
            #[cfg(feature = "fuzzy")]
            ClkCase => "is not in the feature's letter case",
            #[cfg(feature = "fuzzy")]
            ClkEncoding => "cannot be represented in the feature's encoding",
            #[cfg(feature = "fuzzy")]
            ClkNotInteger => "is not a base-10 integer",
            #[cfg(feature = "fuzzy")]
            ClkOutOfRange => "is outside the feature's range",
            #[cfg(feature = "fuzzy")]
            ClkBadDate => "is not a date in the feature's format",
            #[cfg(feature = "fuzzy")]
            ClkNotInEnum => "is not one of the feature's values",
            #[cfg(feature = "fuzzy")]
            ClkNotNumber => "is not a finite number",
            #[cfg(feature = "fuzzy")]
            ClkEmptySalt => "is empty but is the record salt",
            #[cfg(feature = "fuzzy")]
            ClkInvalidEncoding => "is not a base64 filter of the expected length",
            #[cfg(feature = "fuzzy")]
            LinkClkLengthMismatch => "has CLKs of different lengths for one comparison",
            LinkBadBase64 => "has a CLK that is not standard padded base64",
            #[cfg(feature = "fuzzy")]
            LinkBadToken => "has a token that is not well formed",
            #[cfg(feature = "fuzzy")]
            LinkBadConfig => "is not a valid link configuration",
            #[cfg(feature = "fuzzy")]
            LinkBadParams => "are not valid model parameters for these comparisons",
            #[cfg(feature = "fuzzy")]
            LinkDuplicateId => "has an id used by another record of the same dataset",
            #[cfg(feature = "fuzzy")]
            LinkNotTrained => "needs model parameters (link first or load them)",
            #[cfg(feature = "fuzzy")]
            LinkTooManyRecords => "has more records than the linker can index",
            #[cfg(feature = "fuzzy")]
            IdentityInvalidRecord => "is not a valid graph record (reference, kind or unit)",
            #[cfg(feature = "fuzzy")]
            IdentityInvalidRelation => "has a relation its kind cannot have",
            #[cfg(feature = "fuzzy")]
            IdentityInvalidMeasure => "has a measure with a bad name or a non-finite value",
            #[cfg(feature = "fuzzy")]
            IdentityInvalidDate => "has a date that is not a real YYYY-MM-DD date",
            #[cfg(feature = "fuzzy")]
            IdentityInvalidHierarchy => "is not a valid D-U-N-S hierarchy edge",
            #[cfg(feature = "fuzzy")]
            IdentityDuplicateRecord => "has a reference already in the graph",
            #[cfg(feature = "fuzzy")]
            IdentityUnknownRecord => "is not in the graph",
            #[cfg(feature = "fuzzy")]
            IdentityUnknownEntity => "is not an entity of the graph",
            #[cfg(feature = "fuzzy")]
            IdentityUnknownView => "is not a known customer view",
            #[cfg(feature = "fuzzy")]
            IdentityBadConfig => "is not a valid graph configuration",
            #[cfg(feature = "fuzzy")]
            IdentityBadDocument => "is not a consistent identity graph document",
            #[cfg(feature = "fuzzy")]
            IdentityUnsupportedVersion => "has a format version this release cannot read",
            #[cfg(feature = "fuzzy")]
            IdentityClkLayout => "has a CLK the graph's first records did not have",
            #[cfg(feature = "fuzzy")]
            SegmentInvalidRule => "is not a valid segment rule",
            #[cfg(feature = "fuzzy")]
            SegmentUnknownMeasure => "names a measure no customer has",
            #[cfg(feature = "oblivious")]
            ObliviousInvalidPublicKey => {
                "is not a valid ristretto255 public key with a key version"
            }
            #[cfg(feature = "oblivious")]
            ObliviousInvalidResponse => "is not a valid evaluation of the request",
            #[cfg(feature = "oblivious")]
            ObliviousVerificationFailed => "does not verify against the pinned public key",
        }
    }
}

impl core::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What went wrong, and where. Never carries the offending value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    subject: Subject,
    code: ErrorCode,
    /// The linkage-schema feature identifier (schema metadata, never a value)
    /// for [`Subject::Schema`] and [`Subject::Feature`] errors.
    feature: Option<Box<str>>,
}

/// What an [`Error`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Subject {
    /// A record field.
    Field(Field),
    /// The key set.
    Keys,
    /// The identity definition.
    Definition,
    /// A record as a whole.
    Record,
    /// A call option.
    Option,
    /// A clkhash linkage schema (see [`Error::feature`] for the feature, if any).
    #[cfg(feature = "fuzzy")]
    Schema,
    /// One feature's value in a CLK row ([`Error::feature`] names it).
    #[cfg(feature = "fuzzy")]
    Feature,
    /// Linking configuration or model parameters.
    #[cfg(feature = "fuzzy")]
    Link,
    /// A key server's answer.
    #[cfg(feature = "oblivious")]
    Response,
    /// The identity graph: its configuration, documents, entities, views
    /// and segment rules.
    #[cfg(feature = "fuzzy")]
    Graph,
}

impl Subject {
    /// The wire name: a field's camelCase name, or `keys`/`definition`/`record`/`option`.
    pub const fn name(self) -> &'static str {
        match self {
            Subject::Field(f) => f.name(),
            Subject::Keys => "keys",
            Subject::Definition => "definition",
            Subject::Record => "record",
            Subject::Option => "option",
            #[cfg(feature = "fuzzy")]
            Subject::Schema => "schema",
            #[cfg(feature = "fuzzy")]
            Subject::Feature => "feature",
            #[cfg(feature = "fuzzy")]
            Subject::Link => "link",
            #[cfg(feature = "oblivious")]
            Subject::Response => "response",
            #[cfg(feature = "fuzzy")]
            Subject::Graph => "graph",
        }
    }
}

impl Error {
    /// An error about a field's value.
    pub const fn field(field: Field, code: ErrorCode) -> Self {
        Error {
            subject: Subject::Field(field),
            code,
            feature: None,
        }
    }

    /// An error about something other than a field value.
    pub const fn new(subject: Subject, code: ErrorCode) -> Self {
        Error {
            subject,
            code,
            feature: None,
        }
    }

    #[cfg(feature = "fuzzy")]
    /// An error about a linkage-schema feature (its identifier, never a value).
    pub(crate) fn about_feature(subject: Subject, code: ErrorCode, identifier: &str) -> Self {
        Error {
            subject,
            code,
            feature: Some(identifier.into()),
        }
    }

    /// The linkage-schema feature identifier the error is about, if any.
    pub fn feature(&self) -> Option<&str> {
        self.feature.as_deref()
    }

    /// The stable code, e.g. `email.missing_at`.
    pub const fn code(&self) -> ErrorCode {
        self.code
    }

    /// What the error is about.
    pub const fn subject(&self) -> Subject {
        self.subject
    }

    /// The field, if the error is about a field value.
    pub const fn field_name(&self) -> Option<Field> {
        match self.subject {
            Subject::Field(f) => Some(f),
            _ => None,
        }
    }
}

impl core::fmt::Display for Error {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        if let Some(id) = &self.feature {
            // Debug-quoted so an odd identifier cannot forge the message layout.
            write!(f, "{} {:?} ", self.subject.name(), id)?;
            return write!(f, "{} ({})", self.code.rule(), self.code.as_str());
        }
        write!(
            f,
            "{} {} ({})",
            self.subject.name(),
            self.code.rule(),
            self.code.as_str()
        )
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_display_names_field_rule_and_code() {
        let e = Error::field(Field::Email, ErrorCode::EmailMissingAt);
        assert_eq!(e.to_string(), "email has no @ (email.missing_at)");
    }
}
