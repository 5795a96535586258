//! Text helpers shared by the field normalisers: trimming, case and diacritic
//! folding, punctuation and whitespace handling.

mod unicode_tables;

/// Trims Unicode whitespace (including NBSP) and zero-width/BOM characters
/// from both ends. Vendors' JS/Python SDKs trim this set; see vectors README.
pub(crate) fn trim(s: &str) -> &str {
    // Most values start and end with an ASCII letter or digit: nothing to
    // trim, and no char to decode at either end. (ASCII's space-like
    // characters are exactly tab to carriage return and space.)
    let ascii_kept =
        |b: Option<&u8>| b.is_some_and(|&b| b.is_ascii() && !matches!(b, 9..=13 | b' '));
    if FAST_PATHS && ascii_kept(s.as_bytes().first()) && ascii_kept(s.as_bytes().last()) {
        return s;
    }
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

/// Canonical folding used by the pseudolink profile for free text: diacritics
/// folded, Unicode lowercase, every non-alphanumeric run turned into one
/// space, trimmed. `"  Zoë  O'Brien-Smith "` → `"zoe o brien smith"`.
pub(crate) fn fold_words(s: &str) -> String {
    if s.is_ascii() {
        // Most values are ASCII: one pass, one allocation.
        return fold_ascii_words(s, |_| false);
    }
    if FAST_PATHS {
        return fold_words_skipping(s, |_| false);
    }
    fold_words_general(s)
}

/// [`fold_words`] in three passes and three strings: fold, lowercase, keep
/// the words. The definition the one-pass forms are tested against.
fn fold_words_general(s: &str) -> String {
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

/// [`fold_words`] of `s` with the characters `skip` accepts removed first
/// (they break no word), in one pass and one allocation for any text: each
/// character is folded, lowercased and kept or turned into a word break on
/// its own. Only `Σ` lowercases by its context (a word's final sigma), so
/// text where it appears takes the general path.
pub(crate) fn fold_words_skipping(s: &str, skip: impl Fn(char) -> bool) -> String {
    if s.is_ascii() {
        return fold_ascii_words(s, |b| skip(char::from(b)));
    }
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    // Lowercases a folded character into `out`; `false` on `Σ`.
    let mut push = |c: char, out: &mut String| {
        if c == '\u{3A3}' {
            return false;
        }
        for lower in c.to_lowercase() {
            if lower.is_alphanumeric() {
                if pending_space && !out.is_empty() {
                    out.push(' ');
                }
                pending_space = false;
                out.push(lower);
            } else {
                pending_space = true;
            }
        }
        true
    };
    for c in s.chars() {
        let kept = if skip(c) {
            true
        } else if c.is_ascii() {
            push(c, &mut out)
        } else if let Some(f) = folded(c) {
            f.chars().all(|fc| push(fc, &mut out))
        } else if is_combining_mark(c) {
            true
        } else {
            push(c, &mut out)
        };
        if !kept {
            let rest: String = s.chars().filter(|&c| !skip(c)).collect();
            return fold_words_general(&rest);
        }
    }
    out
}

/// Whether the normalisers take their ASCII fast paths: natively, and in
/// wasm builds with the `perf` feature. Each is tested equal to its general
/// path; the core `.wasm` keeps the general paths because it sits just under
/// its 120 KB gzip budget and the fast paths duplicate code (BENCHMARKS.md,
/// "Native tokens at the hardware's limit").
pub(crate) const FAST_PATHS: bool = cfg!(any(not(target_arch = "wasm32"), feature = "perf"));

/// `a.cmp(b)`, deciding on the first bytes where they differ without a
/// call to `memcmp` (short table keys in a binary search: most steps are
/// decided there). The same order as `str::cmp`.
pub(crate) fn cmp_first_byte_then_all(a: &str, b: &str) -> core::cmp::Ordering {
    if !FAST_PATHS {
        return a.cmp(b);
    }
    a.as_bytes()
        .first()
        .cmp(&b.as_bytes().first())
        .then_with(|| a.cmp(b))
}

/// [`fold_words`] of ASCII text with the bytes `skip` accepts removed first
/// (as if they were never there: they break no word), in one pass and one
/// allocation. Only for ASCII `s`: other text needs the Unicode path.
pub(crate) fn fold_ascii_words(s: &str, skip: impl Fn(u8) -> bool) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            out.push(char::from(b.to_ascii_lowercase()));
        } else if !skip(b) {
            pending_space = true;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_byte_order_is_str_order() {
        let words = [
            "", "a", "ab", "b", "ba", "aa", "z", "é", "\u{0}", "st", "str", "ste", "9", "99",
        ];
        for a in words {
            for b in words {
                assert_eq!(cmp_first_byte_then_all(a, b), a.cmp(b), "{a:?} {b:?}");
            }
        }
    }

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
    fn combining_marks() {
        assert!(is_combining_mark('\u{301}') && !is_combining_mark('e') && !is_combining_mark('é'));
    }

    #[test]
    fn collapse() {
        assert_eq!(collapse_spaces("  a \t b  "), "a b");
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
            fn trim_equals_the_general_trim(s in "[ \\t\\n\\x0B\\x0C\\r\\x1C\\x85\\xA0\\u{200B}\\u{3000}a-c0-9.é]{0,8}") {
                prop_assert_eq!(trim(&s), s.trim_matches(is_space_like));
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

        /// Names as typed: accented letters, marks, Greek sigmas (final and
        /// not), dotted I, apostrophes of every kind, digits and punctuation.
        fn typed_names() -> impl Strategy<Value = String> {
            let chars = prop_oneof![
                4 => accented_text(),
                1 => "[A-Za-z0-9 '`\u{2019}\u{B4}\u{3A3}\u{3C3}\u{3C2}\u{3F9}\u{130}\u{1E9E}\u{FB01}\u{2160}.,_-]{0,6}",
            ];
            proptest::collection::vec(chars, 0..4).prop_map(|v| v.concat())
        }

        proptest! {
            #[test]
            fn one_pass_fold_equals_the_general_fold(s in typed_names()) {
                prop_assert_eq!(fold_words_skipping(&s, |_| false), fold_words_general(&s));
                let apostrophe = |c: char| matches!(c, '\'' | '`' | '\u{2019}' | '\u{B4}');
                let kept: String = s.chars().filter(|&c| !apostrophe(c)).collect();
                prop_assert_eq!(fold_words_skipping(&s, apostrophe), fold_words_general(&kept));
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
