//! Personal names (first and last) under each profile.
//!
//! - `pseudolink`: one canonical spelling per name for linking: diacritics and
//!   case folded, apostrophes dropped, other punctuation turned into word breaks,
//!   titles and suffixes removed.
//! - `google`: the Data Manager "Format user data" page: lowercase, trimmed,
//!   no prefixes such as `Mrs.` (given name), no suffixes such as `Jr.` (family name).
//! - `meta`: the Conversions API customer-information page: lowercase, no
//!   punctuation, UTF-8 letters kept.

use super::text;
use super::NormalizeOptions;
use crate::error::ErrorCode;
use crate::profile::Profile;

/// Which end of the name a profile cleans.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    /// Given name: titles come first.
    First,
    /// Family name: suffixes come last.
    Last,
}

/// Titles and honorifics dropped from the start of a pseudolink name (folded
/// spelling, sorted for binary search).
const TITLES: [&str; 19] = [
    "dame", "dr", "fr", "frau", "herr", "hon", "lady", "lord", "miss", "mlle", "mme", "mr", "mrs",
    "ms", "mx", "prof", "rev", "revd", "sir",
];

/// Generational and professional suffixes dropped from the end of a pseudolink
/// name (folded spelling, sorted). `v` is left out: it is as likely an initial.
const SUFFIXES: [&str; 20] = [
    "2nd", "3rd", "4th", "cpa", "dds", "dvm", "esq", "ii", "iii", "iv", "jd", "jnr", "jr", "mba",
    "md", "obe", "phd", "rn", "snr", "sr",
];

/// Prefixes the Google profile removes from a given name (lowercase, without
/// the optional period; sorted). The Data Manager page names `Mrs.`; Google's
/// own utility libraries remove `mr`, `mrs`, `ms` and `dr`.
const GOOGLE_PREFIXES: [&str; 5] = ["dr", "miss", "mr", "mrs", "ms"];

/// Suffixes the Google profile removes from a family name (lowercase, without
/// the optional period; sorted): the set Google's Data Manager libraries strip.
const GOOGLE_SUFFIXES: [&str; 16] = [
    "2nd", "3rd", "cpa", "dc", "dds", "ii", "iii", "iv", "jd", "jr", "md", "phd", "sr", "v", "vi",
    "vm",
];

/// Normalises a given name.
pub(crate) fn first_name(value: &str, o: &NormalizeOptions) -> Result<String, ErrorCode> {
    name(value, o, Part::First)
}

/// Normalises a family name.
pub(crate) fn last_name(value: &str, o: &NormalizeOptions) -> Result<String, ErrorCode> {
    name(value, o, Part::Last)
}

/// Dispatches on the profile; the dispatcher refuses UID2 before we get here.
fn name(value: &str, o: &NormalizeOptions, part: Part) -> Result<String, ErrorCode> {
    match o.profile {
        Profile::Google => Ok(google(value, part)),
        _ => pseudolink(value),
    }
}

/// Apostrophes (ASCII, typographic, modifier letter, grave and acute) that sit
/// inside names: `O'Brien` is also typed `OBrien`, rarely `O Brien`.
fn is_apostrophe(c: char) -> bool {
    matches!(
        c,
        '\'' | '\u{2018}' | '\u{2019}' | '\u{02BC}' | '`' | '\u{00B4}'
    )
}

/// Removes apostrophes so `O'Brien` and `OBrien` fold alike (also used for
/// company names: `McDonald's`).
pub(crate) fn drop_apostrophes(s: &str) -> String {
    s.chars().filter(|c| !is_apostrophe(*c)).collect()
}

/// Canonical linking form: words folded, titles/suffixes removed, one word kept.
/// Hyphens and spaces both become one space, so `Mary-Jane` equals `Mary Jane`.
fn pseudolink(value: &str) -> Result<String, ErrorCode> {
    if value.contains('@') {
        return Err(ErrorCode::NameInvalidCharacter);
    }
    let folded = if text::FAST_PATHS {
        // One pass: apostrophes dropped as the words are folded.
        text::fold_words_skipping(value, is_apostrophe)
    } else {
        text::fold_words(&drop_apostrophes(value))
    };
    if text::FAST_PATHS
        && folded
            .split_once(' ')
            .zip(folded.rsplit_once(' '))
            .is_none_or(|((first, _), (_, last))| {
                !(in_sorted(&TITLES, first) || in_sorted(&SUFFIXES, last))
            })
    {
        // No title or suffix to drop: the folded words are the name
        // (`fold_words` leaves one space between words, none at the ends).
        if folded.chars().any(char::is_numeric) {
            return Err(ErrorCode::NameInvalidCharacter);
        }
        return Ok(folded);
    }
    let mut words: Vec<&str> = folded.split(' ').filter(|w| !w.is_empty()).collect();
    while words.len() > 1
        && words
            .first()
            .is_some_and(|w| TITLES.binary_search(w).is_ok())
    {
        words.remove(0);
    }
    while words.len() > 1
        && words
            .last()
            .is_some_and(|w| SUFFIXES.binary_search(w).is_ok())
    {
        words.pop();
    }
    let out = words.join(" ");
    if out.chars().any(char::is_numeric) {
        return Err(ErrorCode::NameInvalidCharacter);
    }
    Ok(out)
}

/// Whether `word` is in the sorted `table`.
fn in_sorted(table: &[&str], word: &str) -> bool {
    table
        .binary_search_by(|t| text::cmp_first_byte_then_all(t, word))
        .is_ok()
}

/// Google: lowercase, spaces collapsed, punctuation and diacritics kept; the
/// given name loses leading prefixes, the family name trailing suffixes. A
/// name that is only a prefix/suffix comes back empty (`value.empty`).
fn google(value: &str, part: Part) -> String {
    let lower = text::collapse_spaces(&value.to_lowercase());
    match part {
        Part::First => strip_google_prefixes(&lower).to_owned(),
        Part::Last => strip_google_suffixes(&lower).to_owned(),
    }
}

/// Whether `token` (optionally ending in a period) is in the sorted `table`.
fn in_table(token: &str, table: &[&str]) -> bool {
    let bare = token.strip_suffix('.').unwrap_or(token);
    table.binary_search(&bare).is_ok()
}

/// Drops leading `mr.`/`mrs.`/... words.
fn strip_google_prefixes(mut s: &str) -> &str {
    while let Some((head, rest)) = s.split_once(' ') {
        if !in_table(head, &GOOGLE_PREFIXES) {
            break;
        }
        s = rest;
    }
    // A lone prefix ("Mr.") is no name at all.
    if in_table(s, &GOOGLE_PREFIXES) && s.ends_with('.') {
        return "";
    }
    s
}

/// Drops trailing `jr.`/`phd`/... words, separated by a comma or a space.
fn strip_google_suffixes(s: &str) -> &str {
    let is_sep = |c: char| c == ',' || c == ' ';
    let mut s = s.trim_end_matches(is_sep);
    while let Some(i) = s.rfind(is_sep) {
        let (head, tail) = s.split_at(i);
        let token = tail.trim_start_matches(is_sep);
        if !in_table(token, &GOOGLE_SUFFIXES) {
            break;
        }
        s = head.trim_end_matches(is_sep);
    }
    s.trim_start_matches(is_sep)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first(p: Profile, v: &str) -> Result<String, ErrorCode> {
        first_name(v, &NormalizeOptions::new(p))
    }

    fn last(p: Profile, v: &str) -> Result<String, ErrorCode> {
        last_name(v, &NormalizeOptions::new(p))
    }

    /// The pseudolink form as it was before the one-pass ASCII path: the
    /// oracle the fast path is held to.
    fn pseudolink_reference(value: &str) -> Result<String, ErrorCode> {
        if value.contains('@') {
            return Err(ErrorCode::NameInvalidCharacter);
        }
        let folded = text::fold_words(&drop_apostrophes(value));
        let mut words: Vec<&str> = folded.split(' ').filter(|w| !w.is_empty()).collect();
        while words.len() > 1
            && words
                .first()
                .is_some_and(|w| TITLES.binary_search(w).is_ok())
        {
            words.remove(0);
        }
        while words.len() > 1
            && words
                .last()
                .is_some_and(|w| SUFFIXES.binary_search(w).is_ok())
        {
            words.pop();
        }
        let out = words.join(" ");
        if out.chars().any(char::is_numeric) {
            return Err(ErrorCode::NameInvalidCharacter);
        }
        Ok(out)
    }

    #[test]
    fn the_one_pass_path_matches_the_reference() {
        // Pieces that exercise every branch: apostrophes of every kind,
        // punctuation, digits (ASCII and not), titles and suffixes, letters
        // that fold, `@`, spaces of every kind.
        let pieces = [
            "o'brien",
            "O`Neil",
            "d\u{2019}arcy",
            "Mary-Jane",
            " ",
            "  ",
            "\t",
            "\u{a0}",
            "dr",
            "Mr.",
            "jr",
            "III",
            "phd",
            "Zoë",
            "García",
            "Müller",
            "straße",
            "李",
            "x2",
            "٣",
            "3rd",
            "-",
            "'",
            "`",
            "@",
            ".",
            ",",
            "Jon",
            "A",
            "",
            "sir",
            "ß",
            "\u{301}",
        ];
        let mut x = 0x2545_f491_4f6c_dd1du64;
        let mut checked = 0;
        for len in 0..7 {
            for _ in 0..3000 {
                let mut v = String::new();
                for _ in 0..len {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    v.push_str(pieces[(x % pieces.len() as u64) as usize]);
                    if x & 0x100 != 0 {
                        v.push(' ');
                    }
                }
                assert_eq!(pseudolink(&v), pseudolink_reference(&v), "{v:?}");
                checked += 1;
            }
        }
        assert_eq!(checked, 21_000);
    }

    #[test]
    fn name_tables_sorted() {
        for t in [&TITLES[..], &SUFFIXES, &GOOGLE_PREFIXES, &GOOGLE_SUFFIXES] {
            assert!(t.windows(2).all(|w| w[0] < w[1]));
        }
    }

    #[test]
    fn name_pseudolink_folds_and_joins() {
        let p = Profile::Pseudolink;
        assert_eq!(first(p, "  Zoë ").unwrap(), "zoe");
        assert_eq!(
            first(p, "Mary-Jane").unwrap(),
            first(p, "mary  jane").unwrap()
        );
        assert_eq!(last(p, "O'Brien").unwrap(), "obrien");
        assert_eq!(last(p, "O’Brien").unwrap(), "obrien");
    }

    #[test]
    fn name_pseudolink_titles_and_suffixes() {
        let p = Profile::Pseudolink;
        assert_eq!(first(p, "Rev. Dr. Martin").unwrap(), "martin");
        assert_eq!(last(p, "King, Jr.").unwrap(), "king");
        assert_eq!(last(p, "Smith III, PhD").unwrap(), "smith");
        assert_eq!(last(p, "Smith 3rd").unwrap(), "smith");
        assert_eq!(first(p, "Miss").unwrap(), "miss");
    }

    #[test]
    fn name_pseudolink_rejects_digits_and_at() {
        let p = Profile::Pseudolink;
        assert_eq!(first(p, "j0hn"), Err(ErrorCode::NameInvalidCharacter));
        assert_eq!(first(p, "john@x"), Err(ErrorCode::NameInvalidCharacter));
    }

    #[test]
    fn name_google_prefix_and_suffix() {
        let p = Profile::Google;
        assert_eq!(first(p, " Mrs.  Alex ").unwrap(), "alex");
        assert_eq!(first(p, "Alex Dr.").unwrap(), "alex dr.");
        assert_eq!(first(p, "Mralex").unwrap(), "mralex");
        assert_eq!(first(p, " Mr. ").unwrap(), "");
        assert_eq!(last(p, " Quinn, Jr. ").unwrap(), "quinn");
        assert_eq!(last(p, "quinn, jr., dds").unwrap(), "quinn");
        assert_eq!(last(p, "Boardds").unwrap(), "boardds");
        assert_eq!(last(p, ",Jr.,DDS").unwrap(), "");
        assert_eq!(last(p, "O'Neil-Smith").unwrap(), "o'neil-smith");
    }
}
