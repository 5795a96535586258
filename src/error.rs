//! The one error type. Messages name the field and the rule, never the value.

use crate::field::Field;

/// Declares [`ErrorCode`] from one table: each row is a variant's doc, its
/// feature gate (if any), the variant, its wire code and its rule, so the
/// enum, [`ErrorCode::as_str`], [`ErrorCode::rule`], [`ErrorCode::ALL`] and
/// [`ErrorCode::parse`] cannot disagree. The tests below check that codes are
/// unique and well formed and that `tests/error-codes.d.ts` (the TypeScript
/// union of every code) is generated from this table.
macro_rules! error_codes {
    ($(
        $(#[doc = $doc:literal])*
        $(#[cfg(feature = $feature:literal)])?
        $variant:ident = $code:literal, $rule:literal;
    )*) => {
        /// A stable, machine-readable reason. [`ErrorCode::as_str`] is the wire form
        /// (`"email.missing_at"`); it never changes once released.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum ErrorCode {
            $(
                $(#[doc = $doc])*
                $(#[cfg(feature = $feature)])?
                $variant,
            )*
        }

        impl ErrorCode {
            /// Every code this build has (the features it was built with), each
            /// once, in declaration order.
            pub const ALL: &'static [ErrorCode] = &[
                $($(#[cfg(feature = $feature)])? ErrorCode::$variant,)*
            ];

            /// The stable wire code, `family.rule`.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($(#[cfg(feature = $feature)])? ErrorCode::$variant => $code,)*
                }
            }

            /// A short human description of the rule (English, no value).
            pub const fn rule(self) -> &'static str {
                match self {
                    $($(#[cfg(feature = $feature)])? ErrorCode::$variant => $rule,)*
                }
            }

            /// The code whose [`as_str`](ErrorCode::as_str) is `code`, if this
            /// build has it.
            pub fn parse(code: &str) -> Option<Self> {
                match code {
                    $($(#[cfg(feature = $feature)])? $code => Some(ErrorCode::$variant),)*
                    _ => None,
                }
            }
        }

        /// Every row of the table whatever the build's features: (wire code,
        /// the feature that gates it or `""`). The tests read it.
        #[cfg(test)]
        const CODE_TABLE: &[(&str, &str)] = &[
            $(($code, concat!("" $(, $feature)?)),)*
        ];
    };
}

error_codes! {
    // --- any value -------------------------------------------------------
    /// The value is empty (or only whitespace/punctuation) after normalisation.
    Empty = "value.empty", "is empty";
    /// The value is longer than any real value of this field.
    TooLong = "value.too_long", "is too long";
    /// The value was not a string (for example a number or an object from JS).
    WrongType = "value.wrong_type", "must be a string";
    /// The profile does not define this field.
    UnsupportedField = "profile.unsupported_field", "is not defined by this profile";
    // --- email -----------------------------------------------------------
    /// No `@`.
    EmailMissingAt = "email.missing_at", "has no @";
    /// More than one `@`.
    EmailMultipleAt = "email.multiple_at", "has more than one @";
    /// Nothing before the `@` (or nothing left after alias rules).
    EmailEmptyLocal = "email.empty_local", "has nothing before the @";
    /// The domain is empty or not a valid host name.
    EmailInvalidDomain = "email.invalid_domain", "has an invalid domain";
    /// Whitespace inside the address.
    EmailWhitespace = "email.whitespace", "contains whitespace";
    /// A character no address may contain.
    EmailInvalidCharacter = "email.invalid_character",
        "contains a character not allowed in an e-mail address";
    // --- phone -----------------------------------------------------------
    /// Too few digits for the country calling code.
    PhoneTooShort = "phone.too_short", "has too few digits for its country calling code";
    /// Too many digits for the country calling code.
    PhoneTooLong = "phone.too_long", "has too many digits for its country calling code";
    /// No country calling code and no default region to infer one.
    PhoneMissingCountryCode = "phone.missing_country_code",
        "has no country calling code and no default region was given";
    /// The country calling code is not assigned.
    PhoneInvalidCountryCode = "phone.invalid_country_code",
        "has an unassigned country calling code";
    /// A character that is not a digit, separator or `+`.
    PhoneInvalidCharacter = "phone.invalid_character",
        "contains a character not allowed in a phone number";
    // --- names -----------------------------------------------------------
    /// A character that cannot appear in a name (digits, `@`, ...).
    NameInvalidCharacter = "name.invalid_character", "contains a character not allowed in a name";
    // --- address ---------------------------------------------------------
    /// The city does not start with a Latin letter (Meta's library rule).
    CityInvalid = "city.invalid", "must start with a Latin letter";
    /// The postal code does not match the country's format.
    PostalInvalid = "postal.invalid", "does not match the country's postal code format";
    /// The state/province is not known for the country.
    StateUnknown = "state.unknown", "is not a known state or province of the country";
    /// The country is not an ISO 3166-1 code or known name.
    CountryUnknown = "country.unknown", "is not a known country code or name";
    // --- date of birth ---------------------------------------------------
    /// Not one of the accepted date layouts.
    DateInvalidFormat = "date.invalid_format", "is not in an accepted date layout";
    /// A date that does not exist (e.g. 30 February).
    DateImpossible = "date.impossible", "is not a real calendar date";
    /// A year outside the plausible range for a birth date.
    DateOutOfRange = "date.out_of_range", "has a year outside the plausible range";
    /// A day/month order is needed for this layout but none was given.
    DateAmbiguous = "date.ambiguous", "needs an explicit day/month order";
    // --- gender ----------------------------------------------------------
    /// Not a recognised gender value for the profile.
    GenderUnknown = "gender.unknown", "is not a recognised gender value";
    // --- external id -----------------------------------------------------
    /// A control character inside the business's customer id.
    ExternalIdInvalidCharacter = "external_id.invalid_character", "contains a control character";
    // --- company / D-U-N-S / domain ---------------------------------------
    /// D-U-N-S is not exactly 9 digits.
    DunsInvalidLength = "duns.invalid_length", "must have exactly 9 digits";
    /// D-U-N-S contains a character other than digits and separators.
    DunsInvalidCharacter = "duns.invalid_character", "may contain only digits and separators";
    /// Not a valid host name, URL or e-mail domain.
    DomainInvalid = "domain.invalid", "is not a valid host name";
    // --- keys, definitions, records ---------------------------------------
    /// A secret key shorter than 32 bytes.
    KeyTooShort = "key.too_short", "must be at least 32 bytes";
    /// A secret that is not bytes (from JS: not a `Uint8Array`).
    KeyInvalidSecret = "key.invalid_secret", "must be a byte array (Uint8Array)";
    /// A key id that is empty, too long, or not `[A-Za-z0-9_-]`.
    KeyInvalidId = "key.invalid_id", "must be 1-32 characters of A-Z, a-z, 0-9, _ or -";
    /// Two keys share an id.
    KeyDuplicateId = "key.duplicate_id", "is used by more than one key";
    /// No key was given.
    KeyMissing = "key.missing", "must contain at least one key";
    /// The identity definition is not valid JSON or breaks a rule.
    DefinitionInvalid = "definition.invalid", "is not a valid identity definition";
    /// A match key names a field or transform the definition cannot use.
    DefinitionInvalidMatchKey = "definition.invalid_match_key", "has an invalid match key";
    /// A record is not an object of string fields.
    RecordInvalid = "record.invalid", "must be an object of string fields";
    /// An option (profile, region, date order) is not recognised.
    OptionInvalid = "option.invalid", "is not a recognised option";
    // --- clk (Bloom-filter encodings, linkage schema v3) -----------------
    /// The linkage schema is not JSON.
    #[cfg(feature = "fuzzy")]
    SchemaInvalidJson = "schema.invalid_json", "is not valid JSON";
    /// The linkage schema is not version 3 (versions 1 and 2 are not converted).
    #[cfg(feature = "fuzzy")]
    SchemaUnsupportedVersion = "schema.unsupported_version", "is not a version 3 linkage schema";
    /// A required key is missing or has the wrong JSON type.
    #[cfg(feature = "fuzzy")]
    SchemaInvalid = "schema.invalid", "does not have the shape of a linkage schema";
    /// `l` is 0, or `l`·2^`xor_folds` is too large.
    #[cfg(feature = "fuzzy")]
    SchemaInvalidLength = "schema.invalid_length", "has an invalid filter length or fold count";
    /// The KDF is not HKDF-SHA256/512, its salt/info is not base64, or keySize is 0.
    #[cfg(feature = "fuzzy")]
    SchemaInvalidKdf = "schema.invalid_kdf", "has an invalid key derivation";
    /// 2·features·keySize exceeds 255·HashLen bytes.
    #[cfg(feature = "fuzzy")]
    SchemaKdfTooLong = "schema.kdf_too_long", "needs more key material than HKDF can derive";
    /// The comparison is not `ngram`, `exact` or `numeric`.
    #[cfg(feature = "fuzzy")]
    SchemaUnknownComparison = "schema.unknown_comparison", "has an unknown comparison type";
    /// n < 1, thresholdDistance ≤ 0, resolution < 1, or too little precision.
    #[cfg(feature = "fuzzy")]
    SchemaInvalidComparison = "schema.invalid_comparison", "has invalid comparison parameters";
    /// Not exactly one of bitsPerToken / bitsPerFeature ≥ 1.
    #[cfg(feature = "fuzzy")]
    SchemaInvalidStrategy = "schema.invalid_strategy", "has an invalid insertion strategy";
    /// The hash is not `doubleHash` or `blakeHash`.
    #[cfg(feature = "fuzzy")]
    SchemaUnknownHash = "schema.unknown_hash", "has an unknown hash type";
    /// `prevent_singularity` is only valid with `doubleHash`.
    #[cfg(feature = "fuzzy")]
    SchemaSingularityNeedsDoubleHash = "schema.singularity_needs_double_hash",
        "sets prevent_singularity without doubleHash";
    /// blakeHash needs `l`·2^`xor_folds` to be a power of two.
    #[cfg(feature = "fuzzy")]
    SchemaBlakeNeedsPowerOfTwo = "schema.blake_needs_power_of_two",
        "uses blakeHash with a filter length that is not a power of two";
    /// BLAKE2b keys are at most 64 bytes.
    #[cfg(feature = "fuzzy")]
    SchemaBlakeKeyTooLong = "schema.blake_key_too_long", "uses blakeHash with keySize above 64";
    /// Unknown format type, or contradictory or out-of-range format options.
    #[cfg(feature = "fuzzy")]
    SchemaInvalidFormat = "schema.invalid_format", "has an invalid value format";
    /// Not one of ascii, utf-8, utf-16, utf-32.
    #[cfg(feature = "fuzzy")]
    SchemaUnsupportedEncoding = "schema.unsupported_encoding", "has an unsupported text encoding";
    /// The pattern does not compile (regex-lite syntax).
    #[cfg(feature = "fuzzy")]
    SchemaInvalidPattern = "schema.invalid_pattern", "has a pattern the regex engine rejects";
    /// Only %Y %m %d %y %H %M %S %% are supported.
    #[cfg(feature = "fuzzy")]
    SchemaUnsupportedDateFormat = "schema.unsupported_date_format",
        "has a date format with an unsupported directive";
    /// A record encoder's schema feature is not a field wire name (and not ignored).
    #[cfg(feature = "fuzzy")]
    SchemaUnknownField = "schema.unknown_field", "has a feature that is not a field name";
    /// The row does not have one value per schema feature.
    #[cfg(feature = "fuzzy")]
    ClkRowLength = "clk.row_length", "does not have one value per schema feature";
    /// The value does not match the feature's pattern.
    #[cfg(feature = "fuzzy")]
    ClkPattern = "clk.pattern", "does not match the feature's pattern";
    /// The value has fewer characters than minLength.
    #[cfg(feature = "fuzzy")]
    ClkTooShort = "clk.too_short", "is shorter than minLength";
    /// The value has more characters than maxLength.
    #[cfg(feature = "fuzzy")]
    ClkTooLong = "clk.too_long", "is longer than maxLength";
    /// The value is not in the required letter case.
    #[cfg(feature = "fuzzy")]
    ClkCase = "clk.case", "is not in the feature's letter case";
    /// The value has characters the feature's encoding cannot represent.
    #[cfg(feature = "fuzzy")]
    ClkEncoding = "clk.encoding", "cannot be represented in the feature's encoding";
    /// The value is not a base-10 integer.
    #[cfg(feature = "fuzzy")]
    ClkNotInteger = "clk.not_integer", "is not a base-10 integer";
    /// The value is outside the feature's minimum/maximum (or too large).
    #[cfg(feature = "fuzzy")]
    ClkOutOfRange = "clk.out_of_range", "is outside the feature's range";
    /// The value is not a real date in the feature's format.
    #[cfg(feature = "fuzzy")]
    ClkBadDate = "clk.bad_date", "is not a date in the feature's format";
    /// The value is not one of the enum's values.
    #[cfg(feature = "fuzzy")]
    ClkNotInEnum = "clk.not_in_enum", "is not one of the feature's values";
    /// A numeric comparison got a value that is not a finite number.
    #[cfg(feature = "fuzzy")]
    ClkNotNumber = "clk.not_number", "is not a finite number";
    /// The record-salt value of a row is empty.
    #[cfg(feature = "fuzzy")]
    ClkEmptySalt = "clk.empty_salt", "is empty but is the record salt";
    /// Not canonical standard base64 of the expected bit length.
    #[cfg(feature = "fuzzy")]
    ClkInvalidEncoding = "clk.invalid_encoding", "is not a base64 filter of the expected length";
    // --- linking ---------------------------------------------------------
    /// Two CLKs compared with each other have different lengths.
    #[cfg(feature = "fuzzy")]
    LinkClkLengthMismatch = "link.clk_length_mismatch",
        "has CLKs of different lengths for one comparison";
    /// A CLK is not standard padded base64.
    LinkBadBase64 = "link.bad_base64", "has a CLK that is not standard padded base64";
    /// A token or match key is not a well-formed token.
    #[cfg(feature = "fuzzy")]
    LinkBadToken = "link.bad_token", "has a token that is not well formed";
    /// The link configuration breaks a rule.
    #[cfg(feature = "fuzzy")]
    LinkBadConfig = "link.bad_config", "is not a valid link configuration";
    /// Model parameters are malformed or do not fit the comparisons.
    #[cfg(feature = "fuzzy")]
    LinkBadParams = "link.bad_params", "are not valid model parameters for these comparisons";
    /// Two records of one dataset share an id.
    #[cfg(feature = "fuzzy")]
    LinkDuplicateId = "link.duplicate_id", "has an id used by another record of the same dataset";
    /// Scoring needs model parameters: train by linking first, or load them.
    #[cfg(feature = "fuzzy")]
    LinkNotTrained = "link.not_trained", "needs model parameters (link first or load them)";
    /// More records than the linker indexes (2^31).
    #[cfg(feature = "fuzzy")]
    LinkTooManyRecords = "link.too_many_records", "has more records than the linker can index";
    /// Bytes that are not a binary transfer of encoded records (no `PLEB` magic).
    #[cfg(feature = "fuzzy")]
    TransferNotEncoded = "transfer.not_encoded", "is not a binary batch of encoded records";
    /// A binary transfer of encoded records in a layout version this build does not read.
    #[cfg(feature = "fuzzy")]
    TransferVersion = "transfer.version", "is a binary batch in a layout version this build does not read";
    /// A binary transfer that is truncated, has trailing bytes, or a bad count, index, text or token head.
    #[cfg(feature = "fuzzy")]
    TransferMalformed = "transfer.malformed",
        "is a malformed binary batch (truncated, or a bad count, index, text or token head)";
    // --- identity graph --------------------------------------------------
    /// A graph record's reference, kind or unit breaks a rule.
    #[cfg(feature = "fuzzy")]
    IdentityInvalidRecord = "identity.invalid_record",
        "is not a valid graph record (reference, kind or unit)";
    /// A relation its record's kind cannot have (roles are a person's, membership an organisation's).
    #[cfg(feature = "fuzzy")]
    IdentityInvalidRelation = "identity.invalid_relation", "has a relation its kind cannot have";
    /// A measure name is not `[A-Za-z0-9_]{1,32}` or its value is not finite.
    #[cfg(feature = "fuzzy")]
    IdentityInvalidMeasure = "identity.invalid_measure",
        "has a measure with a bad name or a non-finite value";
    /// A record date is not a real `YYYY-MM-DD` date.
    #[cfg(feature = "fuzzy")]
    IdentityInvalidDate = "identity.invalid_date", "has a date that is not a real YYYY-MM-DD date";
    /// A hierarchy edge is malformed or does not join two distinct `duns` tokens.
    #[cfg(feature = "fuzzy")]
    IdentityInvalidHierarchy = "identity.invalid_hierarchy",
        "is not a valid D-U-N-S hierarchy edge";
    /// A record's (system, channel, id) is already in the graph.
    #[cfg(feature = "fuzzy")]
    IdentityDuplicateRecord = "identity.duplicate_record", "has a reference already in the graph";
    /// No record of the graph has this reference.
    #[cfg(feature = "fuzzy")]
    IdentityUnknownRecord = "identity.unknown_record", "is not in the graph";
    /// No entity, live or retired, has this id.
    #[cfg(feature = "fuzzy")]
    IdentityUnknownEntity = "identity.unknown_entity", "is not an entity of the graph";
    /// Not one of the views `billing`, `service`, `sales`, `group`, `household`.
    #[cfg(feature = "fuzzy")]
    IdentityUnknownView = "identity.unknown_view", "is not a known customer view";
    /// The graph configuration breaks a rule.
    #[cfg(feature = "fuzzy")]
    IdentityBadConfig = "identity.bad_config", "is not a valid graph configuration";
    /// A graph document is malformed or inconsistent.
    #[cfg(feature = "fuzzy")]
    IdentityBadDocument = "identity.bad_document", "is not a consistent identity graph document";
    /// A graph document of a format or version this release cannot read.
    #[cfg(feature = "fuzzy")]
    IdentityUnsupportedVersion = "identity.unsupported_version",
        "has a format version this release cannot read";
    /// A person record has a CLK key the graph's layout (fixed by its first CLKs) lacks.
    #[cfg(feature = "fuzzy")]
    IdentityClkLayout = "identity.clk_layout", "has a CLK the graph's first records did not have";
    /// A segment rule is malformed.
    #[cfg(feature = "fuzzy")]
    SegmentInvalidRule = "segment.invalid_rule", "is not a valid segment rule";
    /// A rule names a measure that is neither built in nor in any record.
    #[cfg(feature = "fuzzy")]
    SegmentUnknownMeasure = "segment.unknown_measure", "names a measure no customer has";
    // --- oblivious tokens (feature `oblivious`) ---------------------------
    /// A pinned key-server public key or key version is not valid.
    #[cfg(feature = "oblivious")]
    ObliviousInvalidPublicKey = "oblivious.invalid_public_key",
        "is not a valid ristretto255 public key with a key version";
    /// A key server's answer is malformed or does not fit the request.
    #[cfg(feature = "oblivious")]
    ObliviousInvalidResponse = "oblivious.invalid_response",
        "is not a valid evaluation of the request";
    /// A key server's answer fails its proof against the pinned public key.
    #[cfg(feature = "oblivious")]
    ObliviousVerificationFailed = "oblivious.verification_failed",
        "does not verify against the pinned public key";
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

    /// Whether this build has the feature a table row names (`""`: always).
    fn built_with(feature: &str) -> bool {
        match feature {
            "" => true,
            "fuzzy" => cfg!(feature = "fuzzy"),
            "oblivious" => cfg!(feature = "oblivious"),
            other => panic!("error_codes! gates a code on feature {other:?}: add it here"),
        }
    }

    #[test]
    fn error_codes_are_unique_well_formed_and_round_trip() {
        let mut seen = std::collections::HashSet::new();
        for &(code, feature) in CODE_TABLE {
            assert!(seen.insert(code), "{code} is the wire code of two variants");
            let (family, rule) = code.split_once('.').expect("family.rule");
            let word = |s: &str| {
                !s.is_empty()
                    && s.bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
            };
            assert!(
                word(family) && word(rule),
                "{code} is not family.rule in [a-z0-9_]"
            );
            let parsed = ErrorCode::parse(code);
            assert_eq!(
                parsed.is_some(),
                built_with(feature),
                "{code} (feature {feature:?})"
            );
        }
        let built = CODE_TABLE.iter().filter(|(_, f)| built_with(f)).count();
        assert_eq!(
            ErrorCode::ALL.len(),
            built,
            "ALL lists each built code once"
        );
        let mut variants = std::collections::HashSet::new();
        for &c in ErrorCode::ALL {
            assert!(variants.insert(c), "{c:?} twice in ALL");
            assert_eq!(ErrorCode::parse(c.as_str()), Some(c));
            assert_eq!(c.to_string(), c.as_str());
            assert!(!c.rule().is_empty());
        }
        assert_eq!(ErrorCode::parse("email.missing_at "), None);
        assert_eq!(ErrorCode::parse(""), None);
    }

    /// `tests/error-codes.d.ts`: the TypeScript union of every code, one
    /// union per feature gate, rendered from [`CODE_TABLE`].
    fn typescript_union() -> String {
        let mut groups: Vec<(&str, Vec<&str>)> = Vec::new();
        for &(code, feature) in CODE_TABLE {
            match groups.iter_mut().find(|(f, _)| *f == feature) {
                Some((_, codes)) => codes.push(code),
                None => groups.push((feature, vec![code])),
            }
        }
        let name = |feature: &str| match feature {
            "" => "CoreErrorCode".to_string(),
            f => format!("{}{}ErrorCode", f[..1].to_ascii_uppercase(), &f[1..]),
        };
        let mut out = String::from(
            "// Generated from the error_codes! table in src/error.rs by its unit test\n\
             // `error_codes_typescript_union_matches_golden`; do not edit.\n\
             // Update: BLESS=1 cargo test --lib error_codes\n\
             //\n\
             // Every stable `.code` a PseudolinkError can carry. Core codes come from\n\
             // every entry; `fuzzy` codes from pseudolink/link and pseudolink/identity;\n\
             // `oblivious` codes from pseudolink/oblivious.\n",
        );
        for (feature, codes) in &groups {
            let gate = if feature.is_empty() {
                "any build".to_string()
            } else {
                format!("feature `{feature}`")
            };
            out += &format!(
                "\n/** Error codes of {gate}. */\nexport type {} =\n",
                name(feature)
            );
            for code in codes {
                out += &format!("  | '{code}'\n");
            }
            out.pop();
            out += ";\n";
        }
        let all: Vec<String> = groups.iter().map(|(f, _)| name(f)).collect();
        out += &format!(
            "\n/** Every error code of every entry. */\nexport type ErrorCode = {};\n",
            all.join(" | ")
        );
        out
    }

    #[test]
    fn error_codes_typescript_union_matches_golden() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/error-codes.d.ts");
        let generated = typescript_union();
        if std::env::var_os("BLESS").is_some() {
            std::fs::write(path, &generated).expect("write tests/error-codes.d.ts");
        }
        let golden = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            golden == generated,
            "tests/error-codes.d.ts is not the union of the error_codes! table: \
             review the change, then run BLESS=1 cargo test --lib error_codes"
        );
    }
}
