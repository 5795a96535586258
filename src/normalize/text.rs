//! Text helpers shared by the field normalisers: trimming, case and diacritic
//! folding, punctuation and whitespace handling.

mod unicode_tables;

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

/// Folds diacritics: each character becomes its compatibility decomposition
/// without nonspacing marks, with the Latin letters that do not decompose
/// spelled out (`ß`→`ss`, `ø`→`o`, `æ`→`ae`, `ł`→`l`, ...); loose marks are
/// dropped. Case is preserved. Hangul, CJK, Arabic presentation forms and
/// characters outside the BMP pass through unchanged (see
/// scripts/gen_unicode_tables.py).
pub(crate) fn fold_diacritics(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii() {
            out.push(c);
        } else if let Some(folded) = folded(c) {
            out.push_str(folded);
        } else if !is_combining_mark(c) {
            out.push(c);
        }
    }
    out
}

/// The folded form of `c`, if it differs.
fn folded(c: char) -> Option<&'static str> {
    let cp = u16::try_from(u32::from(c)).ok()?;
    let i = unicode_tables::FOLD_KEYS.binary_search(&cp).ok()?;
    let start = usize::from(*unicode_tables::FOLD_OFFSETS.get(i)?);
    let len = usize::from(*unicode_tables::FOLD_LENS.get(i)?);
    unicode_tables::FOLD_POOL.get(start..start + len)
}

/// Whether `c` is a nonspacing combining mark (General_Category=Mn), such as
/// U+0301 in a decomposed `é`.
pub(crate) fn is_combining_mark(c: char) -> bool {
    let cp = u32::from(c);
    if cp < 0x300 {
        return false;
    }
    unicode_tables::MARK_RANGES
        .binary_search_by(|&(lo, hi)| range_order(lo, hi, cp))
        .is_ok()
}

/// Where an inclusive range `lo..=hi` lies relative to `x`, for binary search
/// over sorted, disjoint ranges.
fn range_order<T: Ord>(lo: T, hi: T, x: T) -> core::cmp::Ordering {
    if hi < x {
        core::cmp::Ordering::Less
    } else if lo > x {
        core::cmp::Ordering::Greater
    } else {
        core::cmp::Ordering::Equal
    }
}

/// Canonical composition (NFC), for profiles that hash letters with their
/// accents (`Valéry`): a decomposed `e` + U+0301 must hash like `é`.
///
/// This is the Unicode canonical composition algorithm (UAX #15) over the
/// text as given, with generated tables instead of a normalisation crate
/// (which costs ~60 KB gzipped in the .wasm). It equals NFC whenever no
/// precomposed letter is followed by further marks that would reorder before
/// its own (true of NFC and NFD input, i.e. of what keyboards and OSes produce).
pub(crate) fn compose(s: &str) -> String {
    let mut out: Vec<char> = Vec::with_capacity(s.len());
    // Index in `out` of the last starter, and the highest combining class
    // seen since it (a mark is blocked by an earlier mark of equal/higher class).
    let mut starter: Option<usize> = None;
    let mut last_ccc: u8 = 0;
    for c in s.chars() {
        let ccc = combining_class(c);
        if let Some(si) = starter {
            let blocked =
                last_ccc != 0 && last_ccc >= ccc || (last_ccc == 0 && out.len() != si + 1);
            if !blocked {
                if let Some(composite) = out.get(si).and_then(|&first| compose_pair(first, c)) {
                    if let Some(slot) = out.get_mut(si) {
                        *slot = composite;
                    }
                    continue;
                }
            }
        }
        if ccc == 0 {
            starter = Some(out.len());
            last_ccc = 0;
        } else {
            last_ccc = ccc;
        }
        out.push(c);
    }
    out.into_iter().collect()
}

/// The primary composite of `a` followed by `b`, if any.
fn compose_pair(a: char, b: char) -> Option<char> {
    let (a, b) = (u32::from(a), u32::from(b));
    // Hangul: L+V → LV, LV+T → LVT (Unicode §3.12), computed, not tabled.
    const S_BASE: u32 = 0xAC00;
    if (0x1100..0x1113).contains(&a) && (0x1161..0x1176).contains(&b) {
        return char::from_u32(S_BASE + ((a - 0x1100) * 21 + (b - 0x1161)) * 28);
    }
    if (S_BASE..S_BASE + 11172).contains(&a)
        && (a - S_BASE).is_multiple_of(28)
        && (0x11A8..0x11C3).contains(&b)
    {
        return char::from_u32(a + (b - 0x11A7));
    }
    if a > 0xFFFF || b > 0xFFFF {
        return None;
    }
    let i = unicode_tables::COMPOSE_KEYS
        .binary_search(&(a << 16 | b))
        .ok()?;
    char::from_u32(u32::from(*unicode_tables::COMPOSE_VALS.get(i)?))
}

/// Canonical combining class (0 for starters).
fn combining_class(c: char) -> u8 {
    let Ok(cp) = u16::try_from(u32::from(c)) else {
        return 0;
    };
    if cp < 0x300 {
        return 0;
    }
    let ranges = &unicode_tables::CCC_RANGES;
    ranges
        .binary_search_by(|&(lo, hi, _)| range_order(lo, hi, cp))
        .ok()
        .and_then(|i| ranges.get(i))
        .map_or(0, |r| r.2)
}

/// Canonical folding used by the pseudolink profile for free text: diacritics
/// folded, Unicode lowercase, every non-alphanumeric run turned into one
/// space, trimmed. `"  Zoë  O'Brien-Smith "` → `"zoe o brien smith"`.
pub(crate) fn fold_words(s: &str) -> String {
    if s.is_ascii() {
        // Most values are ASCII: one pass, one allocation.
        let mut out = String::with_capacity(s.len());
        let mut pending_space = false;
        for b in s.bytes() {
            if b.is_ascii_alphanumeric() {
                if pending_space && !out.is_empty() {
                    out.push(' ');
                }
                pending_space = false;
                out.push(char::from(b.to_ascii_lowercase()));
            } else {
                pending_space = true;
            }
        }
        return out;
    }
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
        assert_eq!(fold_diacritics("Jose\u{301} Ｊｏｓé"), "Jose Jose");
        assert_eq!(fold_diacritics("Đặng Thị Ánh"), "Dang Thi Anh");
        assert_eq!(fold_diacritics("Ørsted Søren"), "Orsted Soren");
    }

    #[test]
    fn fold_words_punctuation_and_case() {
        assert_eq!(fold_words("  Zoë  O'Brien-Smith "), "zoe o brien smith");
        assert_eq!(fold_words("정"), "정");
    }

    #[test]
    fn combining_marks_and_compose() {
        assert!(is_combining_mark('\u{301}') && !is_combining_mark('e') && !is_combining_mark('é'));
        assert_eq!(compose("Vale\u{301}ry"), "Valéry");
        assert_eq!(compose("A\u{30A}ngstro\u{308}m"), "Ångström");
        // ệ: e + dot below (220) + circumflex (230), in canonical order.
        assert_eq!(compose("e\u{323}\u{302}"), "ệ");
        assert_eq!(compose("\u{1100}\u{1161}\u{11A8}"), "각");
        assert_eq!(compose("정 José"), "정 José");
    }

    #[test]
    fn collapse_and_strip() {
        assert_eq!(collapse_spaces("  a \t b  "), "a b");
        assert_eq!(strip_punctuation("o'brien, jr."), "obrien jr");
    }

    #[cfg(not(target_arch = "wasm32"))]
    mod oracle {
        use super::super::*;
        use proptest::prelude::*;
        use unicode_normalization::char::is_combining_mark as oracle_mark;
        use unicode_normalization::UnicodeNormalization;

        /// Latin/Greek/Cyrillic/Vietnamese letters and the marks that go on them.
        fn accented_text() -> impl Strategy<Value = String> {
            let chars = prop_oneof![
                proptest::char::range('a', 'z'),
                proptest::char::range('\u{C0}', '\u{24F}'),
                proptest::char::range('\u{300}', '\u{36F}'),
                proptest::char::range('\u{370}', '\u{3FF}'),
                // Cyrillic without U+0488/U+0489, enclosing marks (Me) that we keep.
                proptest::char::range('\u{400}', '\u{487}'),
                proptest::char::range('\u{48A}', '\u{4FF}'),
                proptest::char::range('\u{1E00}', '\u{1EFF}'),
                Just(' '),
            ];
            proptest::collection::vec(chars, 0..24).prop_map(|v| v.into_iter().collect())
        }

        proptest! {
            #[test]
            fn compose_equals_nfc_on_nfc_and_nfd_input(s in accented_text()) {
                let nfd: String = s.nfd().collect();
                let nfc: String = s.nfc().collect();
                prop_assert_eq!(compose(&nfd), nfc.clone());
                prop_assert_eq!(compose(&nfc), nfc);
            }

            #[test]
            fn fold_equals_nfkd_without_marks(s in accented_text()) {
                let want: String = s.nfkd().filter(|c| !oracle_mark(*c)).collect();
                // The spelled-out letters (ß, ø, ł, ...) are our addition on top.
                let got = fold_diacritics(&s);
                let spelled = ['ß', 'ẞ', 'æ', 'Æ', 'œ', 'Œ', 'ø', 'Ø', 'ł', 'Ł', 'đ', 'Đ', 'ð', 'Ð', 'þ', 'Þ', 'ı', 'ħ', 'Ħ', 'ŧ', 'Ŧ', 'ƀ', 'ƒ'];
                if !want.chars().any(|c| spelled.contains(&c)) {
                    prop_assert_eq!(got, want);
                }
            }
        }

        #[test]
        fn mark_table_matches_oracle_on_bmp() {
            for cp in 0..0x10000u32 {
                if let Some(c) = char::from_u32(cp) {
                    // Both use General_Category=Mn plus the crate's Mc/Me: compare on Mn only.
                    if is_combining_mark(c) {
                        assert!(oracle_mark(c), "U+{cp:04X}");
                    }
                }
            }
        }
    }
}
