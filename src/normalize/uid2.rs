//! The `uid2` profile (UID2 and EUID): the input normalisation of the UID2
//! operator (uid2-operator `InputUtil`, whose unit tests are ported as
//! `tests/vectors/uid2-operator.json`), which computes the hash when it is
//! sent raw values.
//!
//! - E-mail: trimmed, A–Z lowercased (other letters kept as typed), one `@`
//!   with something on both sides, the domain not checked; `gmail.com` local
//!   parts lose their dots and `+tag`. Inner whitespace is refused (the
//!   operator deletes it from the local part, the UID2 JavaScript SDK refuses
//!   it; refusing cannot hash a wrong address).
//! - Phone: a value that is already `+` and 10–15 digits is taken as it is,
//!   as the operator does, whatever the country's own lengths; anything else
//!   goes through the E.164 parser (`phone.rs`) with the `region` given.

use super::{email, phone, text, NormalizeOptions};
use crate::error::ErrorCode;

/// The operator's e-mail normalisation (PAIR's: the same without the Gmail
/// folding).
pub(crate) fn email(value: &str, fold_gmail: bool) -> Result<String, ErrorCode> {
    let t = text::trim(value);
    if t.chars().any(text::is_space_like) {
        return Err(ErrorCode::EmailWhitespace);
    }
    if t.chars().any(char::is_control) {
        return Err(ErrorCode::EmailInvalidCharacter);
    }
    let lower = t.to_ascii_lowercase();
    email::vendor_address(&lower, |domain| fold_gmail && domain == "gmail.com")
}

/// `+` and 10–15 ASCII digits (nothing else, not even a space) as is; else
/// E.164 from the parser, which checks the country's own lengths.
pub(crate) fn phone(value: &str, o: &NormalizeOptions) -> Result<String, ErrorCode> {
    if let Some(d) = value.strip_prefix('+') {
        if (10..=15).contains(&d.len()) && d.bytes().all(|b| b.is_ascii_digit()) {
            return Ok(value.to_owned());
        }
    }
    phone::normalize(value, o)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::Profile;

    #[test]
    fn uid2_operator_rules() {
        assert_eq!(
            email(" TEst.TEst+123@GMail.Com ", true).unwrap(),
            "testtest@gmail.com"
        );
        assert_eq!(email("ÄBC@Test.com", true).unwrap(), "Äbc@test.com");
        assert_eq!(
            email("testtest@\u{1F60A}test.com", true).unwrap(),
            "testtest@\u{1F60A}test.com"
        );
        assert_eq!(email(".+@gmail.com", true), Err(ErrorCode::EmailEmptyLocal));
        assert_eq!(email("a@ba@z.com", true), Err(ErrorCode::EmailMultipleAt));
        assert_eq!(
            email(" TEst.TEst+123@GMail.Com ", false).unwrap(),
            "test.test+123@gmail.com"
        );
        let o = NormalizeOptions::new(Profile::Uid2);
        assert_eq!(phone("+1234567890", &o).unwrap(), "+1234567890");
        assert_eq!(phone("+123456789012345", &o).unwrap(), "+123456789012345");
        assert!(phone("+1234567890123456", &o).is_err());
        assert!(phone("1234567890", &o).is_err());
    }
}
