//! Text helpers shared by the field normalisers: trimming, case and diacritic
//! folding, punctuation and whitespace handling.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// Trims Unicode whitespace (including NBSP) and zero-width/BOM characters
/// from both ends. Vendors' JS/Python SDKs trim this set; see vectors README.
pub(crate) fn trim(s: &str) -> &str {
    s.trim_matches(is_space_like)
}

/// Whitespace per Unicode, plus the invisible characters that arrive from
/// copy-paste (zero-width space/joiners, BOM).
pub(crate) fn is_space_like(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}'
        )
}

/// Collapses every run of whitespace to one ASCII space and trims the ends.
pub(crate) fn collapse_spaces(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s.split(is_space_like).filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// Folds diacritics: compatibility decomposition (NFKD), combining marks
/// dropped, and the Latin letters that do not decompose spelled out
/// (`ß`→`ss`, `ø`→`o`, `æ`→`ae`, `ł`→`l`, ...). Case is preserved.
pub(crate) fn fold_diacritics(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    // Recompose (NFC) after dropping marks so scripts whose letters decompose
    // into non-mark parts (Hangul syllables) come back whole.
    for c in s.nfkd().filter(|c| !is_combining_mark(*c)).nfc() {
        match c {
            'ß' => out.push_str("ss"),
            'ẞ' => out.push_str("SS"),
            'æ' => out.push_str("ae"),
            'Æ' => out.push_str("AE"),
            'œ' => out.push_str("oe"),
            'Œ' => out.push_str("OE"),
            'ø' => out.push('o'),
            'Ø' => out.push('O'),
            'ł' => out.push('l'),
            'Ł' => out.push('L'),
            'đ' => out.push('d'),
            'Đ' => out.push('D'),
            'ð' => out.push('d'),
            'Ð' => out.push('D'),
            'þ' => out.push_str("th"),
            'Þ' => out.push_str("TH"),
            'ı' => out.push('i'),
            'ħ' => out.push('h'),
            'Ħ' => out.push('H'),
            _ => out.push(c),
        }
    }
    out
}

/// Canonical folding used by the pseudolink profile for free text: diacritics
/// folded, Unicode lowercase, every non-alphanumeric run turned into one
/// space, trimmed. `"  Zoë  O'Brien-Smith "` → `"zoe o brien smith"`.
pub(crate) fn fold_words(s: &str) -> String {
    let folded = fold_diacritics(s).to_lowercase();
    let mut out = String::with_capacity(folded.len());
    let mut pending_space = false;
    for c in folded.chars() {
        if c.is_alphanumeric() {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            out.push(c);
        } else {
            pending_space = true;
        }
    }
    out
}

/// Removes every character that is neither alphanumeric nor whitespace
/// (Unicode-aware: `é` and `정` are kept). Combining marks are kept too, so a
/// decomposed `é` or a Devanagari virama is not torn out of its letter.
pub(crate) fn strip_punctuation(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric() || is_combining_mark(*c) || is_space_like(*c))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trim_unicode_spaces() {
        assert_eq!(trim("\u{00A0}\tjane\u{FEFF} "), "jane");
    }

    #[test]
    fn fold_diacritics_latin() {
        assert_eq!(
            fold_diacritics("Zoë Ångström Straße Łódź"),
            "Zoe Angstrom Strasse Lodz"
        );
        assert_eq!(fold_diacritics("ﬁle"), "file");
    }

    #[test]
    fn fold_words_punctuation_and_case() {
        assert_eq!(fold_words("  Zoë  O'Brien-Smith "), "zoe o brien smith");
        assert_eq!(fold_words("정"), "정");
    }

    #[test]
    fn collapse_and_strip() {
        assert_eq!(collapse_spaces("  a \t b  "), "a b");
        assert_eq!(strip_punctuation("o'brien, jr."), "obrien jr");
    }
}
