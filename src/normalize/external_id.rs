//! External id: the business's own customer key.
//!
//! It is an opaque key, so it is kept as given (case included: `AB12` and
//! `ab12` may be different customers) apart from trimming. Meta says only
//! "Hashing is recommended" and that the value must be identical across Pixel
//! and Conversions API, so the Meta profile trims too (its Node SDK also
//! lowercases and removes whitespace; its Python SDK sends the value raw).
//! Control characters inside the key are refused: they come from broken
//! exports, and hashing them would silently never match.

use super::text;
use super::NormalizeOptions;
use crate::error::ErrorCode;

/// External id → trimmed value, or `external_id.invalid_character`.
pub(crate) fn normalize(value: &str, _o: &NormalizeOptions) -> Result<String, ErrorCode> {
    let t = text::trim(value);
    if t.chars().any(char::is_control) {
        return Err(ErrorCode::ExternalIdInvalidCharacter);
    }
    Ok(t.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::Profile;

    #[test]
    fn external_id_trimmed_case_kept() {
        let o = NormalizeOptions::new(Profile::Meta);
        assert_eq!(normalize("  CRM-00042\r\n", &o).unwrap(), "CRM-00042");
        assert_eq!(normalize("Ab 12", &o).unwrap(), "Ab 12");
    }

    #[test]
    fn external_id_control_characters_refused() {
        let o = NormalizeOptions::new(Profile::Pseudolink);
        assert_eq!(
            normalize("ab\u{0}12", &o),
            Err(ErrorCode::ExternalIdInvalidCharacter)
        );
    }
}
