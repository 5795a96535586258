//! Gender: Meta's `f`/`m`, and pseudolink's `f`/`m`/`x`.
//!
//! Meta's page defines only `f` and `m`; its SDKs also map the English words,
//! so the words are accepted but nothing else is guessed (titles such as `Mr`
//! say nothing reliable about gender). Pseudolink adds `x` so records that say
//! non-binary/other/diverse (German `d`, "divers") link with each other
//! instead of being dropped.

use super::text;
use super::NormalizeOptions;
use crate::error::ErrorCode;

/// Accepted spellings (folded, spaces removed), sorted, with their code.
/// `x` rows are pseudolink only.
const GENDERS: &[(&str, char)] = &[
    ("d", 'x'),
    ("divers", 'x'),
    ("diverse", 'x'),
    ("f", 'f'),
    ("female", 'f'),
    ("m", 'm'),
    ("male", 'm'),
    ("man", 'm'),
    ("nonbinary", 'x'),
    ("other", 'x'),
    ("woman", 'f'),
    ("x", 'x'),
];

/// Gender field → one letter. Unknown words and `x` under Meta →
/// `gender.unknown`.
pub(crate) fn normalize(value: &str, _o: &NormalizeOptions) -> Result<String, ErrorCode> {
    let key: String = text::fold_words(value)
        .chars()
        .filter(|c| *c != ' ')
        .collect();
    let code = GENDERS
        .binary_search_by(|(k, _)| (*k).cmp(key.as_str()))
        .ok()
        .and_then(|i| GENDERS.get(i))
        .map(|(_, c)| *c)
        .ok_or(ErrorCode::GenderUnknown)?;
    Ok(code.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::Profile;

    fn g(v: &str, p: Profile) -> Result<String, ErrorCode> {
        normalize(v, &NormalizeOptions::new(p))
    }

    #[test]
    fn gender_table_sorted() {
        assert!(GENDERS.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn gender_pseudolink_adds_x() {
        assert_eq!(g("Non-Binary", Profile::Pseudolink).unwrap(), "x");
        assert_eq!(g("non binary", Profile::Pseudolink).unwrap(), "x");
        assert_eq!(g("D", Profile::Pseudolink).unwrap(), "x");
        assert_eq!(g("M", Profile::Pseudolink).unwrap(), "m");
        assert_eq!(
            g("unknown", Profile::Pseudolink),
            Err(ErrorCode::GenderUnknown)
        );
    }
}
