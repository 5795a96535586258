//! Field normalisation: one function per field, under a [`Profile`].
//!
//! Every field family lives in its own file under `normalize/`; this file only
//! checks the input's size, dispatches, and attaches the field to the error.

mod address;
mod company;
mod country;
mod date;
mod email;
mod external_id;
mod gender;
mod google;
mod meta;
mod name;
mod phone;
mod subdivision;
pub(crate) mod text;
mod uid2;

pub use country::Country;
pub use date::DateOrder;

use crate::error::{Error, ErrorCode};
use crate::field::Field;
use crate::profile::Profile;

/// Longest input accepted, in bytes. Real identifiers are far shorter; refusing
/// early keeps a 1 MB paste from costing time or memory.
pub const MAX_INPUT_BYTES: usize = 1024;

/// How to normalise a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct NormalizeOptions {
    /// Whose rules apply.
    pub profile: Profile,
    /// Region for national phone numbers, and the country for postal codes and
    /// states when the record has none.
    pub region: Option<Country>,
    /// Day/month order for dates written with separators (`03/04/1990`).
    /// Always wins when set. Without it, a date with one valid reading is
    /// read that way, and one with two is read in `region`'s usual order
    /// ([`DateOrder::of_region`]), or refused as `date.ambiguous` with no region.
    pub date_order: Option<DateOrder>,
}

impl NormalizeOptions {
    /// Options for a profile, with no region and no date order.
    pub const fn new(profile: Profile) -> Self {
        NormalizeOptions {
            profile,
            region: None,
            date_order: None,
        }
    }

    /// Sets the default region (phone) / country (postal code, state).
    pub const fn with_region(mut self, region: Country) -> Self {
        self.region = Some(region);
        self
    }

    /// Sets the day/month order for separated dates.
    pub const fn with_date_order(mut self, order: DateOrder) -> Self {
        self.date_order = Some(order);
        self
    }
}

/// Whether `profile` defines `field` at all (UID2, for instance, only knows
/// e-mail and phone).
pub const fn supports(profile: Profile, field: Field) -> bool {
    use Field::*;
    match profile {
        Profile::Pseudolink => true,
        Profile::Uid2 | Profile::Pair => matches!(field, Email | Phone),
        Profile::Google => matches!(
            field,
            Email | Phone | FirstName | LastName | Street | City | State | PostalCode | Country
        ),
        Profile::Meta | Profile::Pinterest => matches!(
            field,
            Email
                | Phone
                | FirstName
                | LastName
                | City
                | State
                | PostalCode
                | Country
                | DateOfBirth
                | Gender
                | ExternalId
        ),
        Profile::Tiktok => matches!(field, Email | Phone | ExternalId),
        Profile::Snap => matches!(field, Email | Phone),
        Profile::Linkedin => matches!(field, Email),
    }
}

/// Normalises one value of `field` under `options`.
///
/// ```
/// use pseudolink::{normalize, Field, NormalizeOptions, Profile};
/// let opts = NormalizeOptions::new(Profile::Pseudolink);
/// assert_eq!(normalize(Field::Email, " Jon.Smith+shop@GoogleMail.com ", &opts).unwrap(), "jonsmith@gmail.com");
/// let err = normalize(Field::Email, "no-at-sign", &opts).unwrap_err();
/// assert_eq!(err.code().as_str(), "email.missing_at");
/// ```
pub fn normalize(field: Field, value: &str, options: &NormalizeOptions) -> Result<String, Error> {
    normalize_code(field, value, options).map_err(|code| Error::field(field, code))
}

fn normalize_code(field: Field, value: &str, o: &NormalizeOptions) -> Result<String, ErrorCode> {
    if !supports(o.profile, field) {
        return Err(ErrorCode::UnsupportedField);
    }
    if value.len() > MAX_INPUT_BYTES {
        return Err(ErrorCode::TooLong);
    }
    if text::trim(value).is_empty() {
        return Err(ErrorCode::Empty);
    }
    let out = match (o.profile, field) {
        // Snap's `em` and `ph` rules are Meta's (trimmed, lowercase; digits
        // with the country code, no leading zeros).
        (Profile::Meta | Profile::Pinterest | Profile::Snap, _) => meta_field(field, value, o),
        (Profile::Uid2, Field::Email) => uid2::email(value, true),
        // PAIR: "ASCII characters converted to lowercase", no provider
        // folding; "E.164 normalized (maximum of 15 digits)", as UID2's.
        (Profile::Pair, Field::Email) => uid2::email(value, false),
        (Profile::Uid2 | Profile::Pair, Field::Phone) => uid2::phone(value, o),
        (Profile::Google, Field::Email) => google::email(value),
        // TikTok: trimmed and lowercased, no provider folding; phone E.164
        // and external id trimmed (the `pseudolink` rules, below).
        // LinkedIn: the same (`SHA256_EMAIL`).
        (Profile::Tiktok | Profile::Linkedin, Field::Email) => google::lower_email(value, false),
        (Profile::Google, Field::Phone) => google::phone(value, o),
        (Profile::Google, Field::Country) => google::region_code(value),
        (Profile::Google, Field::PostalCode) => Ok(google::postal_code(value)),
        _ => other_field(field, value, o),
    }?;
    if out.is_empty() {
        return Err(ErrorCode::Empty);
    }
    Ok(out)
}

/// The `meta` profile: the rules of Meta's capi-param-builder library; also
/// the `snap` profile's (`em`, `ph`) and, but for `pinterest_field`, the
/// `pinterest` profile's.
fn meta_field(field: Field, value: &str, o: &NormalizeOptions) -> Result<String, ErrorCode> {
    if o.profile == Profile::Pinterest {
        if let Some(out) = pinterest_field(field, value, o) {
            return out;
        }
    }
    match field {
        Field::Email => meta::email(value),
        // With an explicit region a national number gets its calling code
        // (Meta's page); the library itself only keeps the digits.
        Field::Phone if o.region.is_some() => {
            phone::normalize(value, o).or_else(|_| Ok(meta::phone_digits(value)))
        }
        Field::Phone => Ok(meta::phone_digits(value)),
        Field::FirstName | Field::LastName => Ok(meta::name(value)),
        Field::City => meta::city(value),
        Field::State => meta::state(value),
        Field::PostalCode => meta::postal_code(value),
        Field::Country => meta::country(value),
        Field::DateOfBirth => meta::date_of_birth(value, o),
        Field::Gender => meta::gender(value),
        Field::ExternalId => Ok(meta::external_id(value)),
        _ => Err(ErrorCode::UnsupportedField),
    }
}

/// The `pinterest` profile where it differs from Meta's rules (Meta's
/// otherwise: the two pages ask the same of `em`, `ph` (digits, no leading
/// zeros), `st`, `country` and `db`).
fn pinterest_field(
    field: Field,
    value: &str,
    o: &NormalizeOptions,
) -> Option<Result<String, ErrorCode>> {
    Some(match field {
        // "in lowercase": nothing else removed.
        Field::FirstName | Field::LastName => Ok(text::trim(value).to_lowercase()),
        // "in lowercase, and without spaces or punctuation".
        Field::City => Ok(meta::name(value)),
        // "f", "m" or "n" for non-binary.
        Field::Gender if text::trim(value).eq_ignore_ascii_case("n") => Ok("n".into()),
        // "only digits": the ZIP (cut at `-`); a postcode with letters has no such form.
        Field::PostalCode => meta::postal_code(value).and_then(|z| {
            if z.bytes().all(|b| b.is_ascii_digit()) {
                Ok(z)
            } else {
                Err(ErrorCode::PostalInvalid)
            }
        }),
        // Hashed as given (trimmed), not lowercased as Meta's library does.
        Field::ExternalId => external_id::normalize(value, o),
        _ => return None,
    })
}

fn other_field(field: Field, value: &str, o: &NormalizeOptions) -> Result<String, ErrorCode> {
    match field {
        Field::Email => email::normalize(value, o),
        Field::Phone => phone::normalize(value, o),
        Field::FirstName => name::first_name(value, o),
        Field::LastName => name::last_name(value, o),
        Field::Street => address::street(value, o),
        Field::City => address::city(value, o),
        Field::State => subdivision::state(value, o),
        Field::PostalCode => address::postal_code(value, o),
        Field::Country => country::normalize(value, o),
        Field::DateOfBirth => date::date_of_birth(value, o),
        Field::Gender => gender::normalize(value, o),
        Field::CompanyName => company::company_name(value, o),
        Field::Duns => company::duns(value, o),
        Field::WebDomain => company::web_domain(value, o),
        Field::ExternalId => external_id::normalize(value, o),
    }
}
