//! Countries: ISO 3166-1 alpha-2 codes, from alpha-2, alpha-3 or English names.
//! (Tables to be completed.)

use super::NormalizeOptions;
use crate::error::ErrorCode;

/// An ISO 3166-1 alpha-2 country code, stored uppercase (`US`, `GB`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Country([u8; 2]);

impl Country {
    /// The uppercase alpha-2 code.
    pub fn as_str(&self) -> &str {
        core::str::from_utf8(&self.0).unwrap_or("ZZ")
    }

    /// Parses an alpha-2 code, alpha-3 code or English country name.
    pub fn parse(value: &str) -> Option<Country> {
        let t = super::text::trim(value).as_bytes();
        match t {
            [a, b] if a.is_ascii_alphabetic() && b.is_ascii_alphabetic() => {
                Some(Country([a.to_ascii_uppercase(), b.to_ascii_uppercase()]))
            }
            _ => None,
        }
    }
}

impl core::fmt::Debug for Country {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Country({})", self.as_str())
    }
}

impl core::fmt::Display for Country {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.as_str())
    }
}

pub(crate) fn normalize(value: &str, _o: &NormalizeOptions) -> Result<String, ErrorCode> {
    Country::parse(value)
        .map(|c| c.as_str().to_string())
        .ok_or(ErrorCode::CountryUnknown)
}
