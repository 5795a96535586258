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
    /// A key server's answer.
    #[cfg(feature = "oblivious")]
    Response,
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
            #[cfg(feature = "oblivious")]
            Subject::Response => "response",
        }
    }
}

impl Error {
    /// An error about a field's value.
    pub const fn field(field: Field, code: ErrorCode) -> Self {
        Error {
            subject: Subject::Field(field),
            code,
        }
    }

    /// An error about something other than a field value.
    pub const fn new(subject: Subject, code: ErrorCode) -> Self {
        Error { subject, code }
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
