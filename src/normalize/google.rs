//! The `google` profile's e-mail, phone, region code and postal code: the
//! rules of Google's Data Manager client libraries' `UserDataFormatter`
//! (data-manager-node `util/src/formatter.ts`, whose unit tests are ported as
//! `tests/vectors/google-data-manager.json`). Names, street, city and state
//! keep the rules of `name.rs`, `address.rs` and `subdivision.rs`.
//!
//! Where the library and the "Format user data" page disagree, the library
//! wins: intermediate whitespace in an e-mail is refused (the page says to
//! remove it), and a phone number is `+` and its digits (the page asks for
//! E.164). With an explicit `region`, a national phone number gets its
//! calling code (`(800) 555-0100` in `US` → `+18005550100`), which the
//! library cannot know.

use super::{email, phone, text, NormalizeOptions};
use crate::error::ErrorCode;

/// Trimmed, lowercase, one `@` with something on both sides; Gmail and
/// Googlemail local parts lose their dots and `+tag`. The domain is not checked.
pub(crate) fn email(value: &str) -> Result<String, ErrorCode> {
    lower_email(value, true)
}

/// The formatter's e-mail rule, with or without its Gmail folding (other
/// platforms ask for the address trimmed and lowercased, nothing more).
pub(crate) fn lower_email(value: &str, fold_gmail: bool) -> Result<String, ErrorCode> {
    let t = text::trim(value);
    if t.chars().any(text::is_space_like) {
        return Err(ErrorCode::EmailWhitespace);
    }
    let lower = t.to_lowercase();
    email::vendor_address(&lower, |domain| {
        fold_gmail && (domain == "gmail.com" || domain == "googlemail.com")
    })
}

/// `+` and every ASCII digit of the value; with a region, E.164 when the
/// number parses for it.
pub(crate) fn phone(value: &str, o: &NormalizeOptions) -> Result<String, ErrorCode> {
    if o.region.is_some() {
        if let Ok(e164) = phone::normalize(value, o) {
            return Ok(e164);
        }
    }
    let digits: String = value.chars().filter(char::is_ascii_digit).collect();
    if digits.is_empty() {
        return Err(ErrorCode::PhoneInvalidCharacter);
    }
    Ok(format!("+{digits}"))
}

/// `country_code`: exactly two letters A–Z once trimmed, uppercase.
pub(crate) fn region_code(value: &str) -> Result<String, ErrorCode> {
    let t = text::trim(value).to_uppercase();
    if t.len() == 2 && t.bytes().all(|b| b.is_ascii_uppercase()) {
        Ok(t)
    } else {
        Err(ErrorCode::CountryUnknown)
    }
}

/// `postal_code`: trimmed, otherwise as given.
pub(crate) fn postal_code(value: &str) -> String {
    text::trim(value).to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::Profile;

    #[test]
    fn google_formatter_rules() {
        assert_eq!(
            email(" Cloudy.SF+shop@GoogleMail.com ").unwrap(),
            "cloudysf@googlemail.com"
        );
        assert_eq!(
            email("user.name+NYC@Example.com").unwrap(),
            "user.name+nyc@example.com"
        );
        assert_eq!(email("a b@example.com"), Err(ErrorCode::EmailWhitespace));
        assert_eq!(
            lower_email(" Cloudy.SF+shop@GMail.com ", false).unwrap(),
            "cloudy.sf+shop@gmail.com"
        );
        assert_eq!(email("@example.com"), Err(ErrorCode::EmailEmptyLocal));
        let o = NormalizeOptions::new(Profile::Google);
        assert_eq!(phone("1 800 555 0100", &o).unwrap(), "+18005550100");
        assert_eq!(phone("++++", &o), Err(ErrorCode::PhoneInvalidCharacter));
        let us = o.with_region(crate::normalize::Country::parse("US").unwrap());
        assert_eq!(phone("(800) 555-0100", &us).unwrap(), "+18005550100");
        assert_eq!(region_code(" us ").unwrap(), "US");
        assert_eq!(region_code("usa"), Err(ErrorCode::CountryUnknown));
        assert_eq!(postal_code(" 1229-076 "), "1229-076");
    }
}
