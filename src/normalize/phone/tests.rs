//! Unit tests for phone normalisation, the generated table, and the vector file.

use super::*;
use crate::normalize::Country;

fn opts(profile: Profile, region: Option<&str>) -> NormalizeOptions {
    let o = NormalizeOptions::new(profile);
    match region {
        Some(r) => o.with_region(Country::parse(r).expect("test region")),
        None => o,
    }
}

/// E.164 with `+` (pseudolink profile).
fn e164(input: &str, region: Option<&str>) -> Result<String, ErrorCode> {
    normalize(input, &opts(Profile::Pseudolink, region))
}

#[track_caller]
fn ok(input: &str, region: Option<&str>, expected: &str) {
    assert_eq!(
        e164(input, region).as_deref(),
        Ok(expected),
        "{input:?} in {region:?}"
    );
}

#[track_caller]
fn err(input: &str, region: Option<&str>, expected: ErrorCode) {
    assert_eq!(
        e164(input, region),
        Err(expected),
        "{input:?} in {region:?}"
    );
}

// --- the brief's and the vendors' examples ---------------------------------------

#[test]
fn phone_plus_and_calling_code() {
    ok("+1 (650) 555-1212", None, "+16505551212");
    ok("+16505551212", Some("GB"), "+16505551212");
    ok("+49 30 123456", None, "+4930123456");
    ok("+61 491 570 006", None, "+61491570006");
}

#[test]
fn phone_bracketed_trunk_prefix() {
    ok("+44 (0)20 7946 0958", None, "+442079460958");
    ok("+44(0)2079460958", None, "+442079460958");
    ok("+49 (0)30 123456", None, "+4930123456");
    // Italy has no trunk prefix: the bracketed 0 is part of the number.
    ok("+39 (0)2 3661 8300", None, "+390236618300");
}

#[test]
fn phone_trunk_prefix_after_calling_code() {
    ok("+44 020 7946 0958", None, "+442079460958");
    ok("+1 1 650 555 1212", None, "+16505551212");
    ok("+7 8 495 123 45 67", None, "+74951234567");
    ok("+39 02 3661 8300", None, "+390236618300");
}

#[test]
fn phone_international_prefix_without_plus() {
    ok("0044 20 7946 0958", None, "+442079460958");
    ok("0044 20 7946 0958", Some("GB"), "+442079460958");
    ok("001 650 555 1212", None, "+16505551212");
    ok("011 44 20 7946 0958", Some("US"), "+442079460958");
    // `00` also works from the US, where no number starts with 0.
    ok("0044 20 7946 0958", Some("US"), "+442079460958");
    // Australia's IDD is 0011; Russia's 8~10.
    ok("0011 44 20 7946 0958", Some("AU"), "+442079460958");
    ok("8 10 44 20 7946 0958", Some("RU"), "+442079460958");
    // Japan has numbers starting with 0, so `00` is not assumed there.
    ok("010 1 650 555 1212", Some("JP"), "+16505551212");
}

#[test]
fn phone_national_format_with_region() {
    ok("0491 570 006", Some("AU"), "+61491570006");
    ok("(02) 1234 5678", Some("AU"), "+61212345678");
    ok("(650) 555-1212", Some("US"), "+16505551212");
    ok("1 650 555 1212", Some("US"), "+16505551212");
    ok("1 (234) 567-8901", Some("US"), "+12345678901");
    ok("020 7946 0958", Some("GB"), "+442079460958");
    ok("02 3661 8300", Some("IT"), "+390236618300");
    ok("06 12 34 56 78", Some("FR"), "+33612345678");
    ok("8 (495) 123-45-67", Some("RU"), "+74951234567");
    ok("06 1 234 5678", Some("HU"), "+3612345678");
    ok("0152 45-09-11", Some("BY"), "+375152450911");
    ok("8 029 491-19-11", Some("BY"), "+375294911911");
}

#[test]
fn phone_own_calling_code_without_plus() {
    ok("44 (234) 567-8901", Some("GB"), "+442345678901");
    ok("33 1 23 45 67 89", Some("FR"), "+33123456789");
    ok("16505551212", Some("US"), "+16505551212");
    ok("4402079460958", Some("GB"), "+442079460958");
    ok("390236618300", Some("IT"), "+390236618300");
    // Not when the number fits the region as written.
    ok("123-456-7890", Some("US"), "+11234567890");
}

#[test]
fn phone_profiles() {
    let input = "(650)555-1212";
    let us = |p| normalize(input, &opts(p, Some("US")));
    assert_eq!(us(Profile::Pseudolink).as_deref(), Ok("+16505551212"));
    assert_eq!(us(Profile::Uid2).as_deref(), Ok("+16505551212"));
    assert_eq!(us(Profile::Google).as_deref(), Ok("+16505551212"));
    assert_eq!(us(Profile::Meta).as_deref(), Ok("16505551212"));
}

// --- lexing ------------------------------------------------------------------------

#[test]
fn phone_extensions_removed() {
    for input in [
        "+1 650 555 1212 ext 33",
        "+1 650 555 1212 ext. 33",
        "+1 650 555 1212 EXT:33",
        "+1 650 555 1212 extension 33",
        "+1 650 555 1212 extn 33",
        "+1 650 555 1212x33",
        "+1 650 555 1212 x 33",
        "+1 650 555 1212 #33",
        "+1 650 555 1212;ext=33",
        "tel:+1-650-555-1212;ext=33",
        "+1 650 555 1212, 33",
        "+1 650 555 1212 ext 33#",
        "+1 650 555 1212-33#",
        "+1 650 555 1212 x33/x34",
        "+1 650 555 1212 ｅｘｔ ３３",
    ] {
        ok(input, None, "+16505551212");
    }
}

#[test]
fn phone_separators_and_unicode_digits() {
    ok("+1.650.555.1212", None, "+16505551212");
    ok("+1/650/555/1212", None, "+16505551212");
    ok("+1 650\u{2013}555\u{2014}1212", None, "+16505551212");
    ok("\u{00A0}+1 650 555 1212\u{200B}", None, "+16505551212");
    ok("[+1] 650 555 1212", None, "+16505551212");
    ok("＋１ ６５０ ５５５ １２１２", None, "+16505551212");
    // Arabic-Indic, Devanagari and Mongolian digits.
    ok(
        "+\u{661}\u{666}\u{665}\u{660}\u{665}\u{665}\u{665}\u{661}\u{662}\u{661}\u{662}",
        None,
        "+16505551212",
    );
    ok("+१ ६५० ५५५ १२१२", None, "+16505551212");
    ok("(+44) 20 7946 0958", None, "+442079460958");
}

#[test]
fn phone_vanity_letters() {
    ok("+1-800-FLOWERS", None, "+18003569377");
    ok("1-800-flowers", Some("US"), "+18003569377");
    ok("0800 DDA 005", Some("NZ"), "+64800332005");
    // Fewer than three letters are not vanity letters.
    err("+1 650 555 12AB", None, ErrorCode::PhoneInvalidCharacter);
    // Letters before the first digit are not a phone number.
    err(
        "call +1 650 555 1212",
        None,
        ErrorCode::PhoneInvalidCharacter,
    );
    err("unknown", Some("US"), ErrorCode::PhoneInvalidCharacter);
    err("12 MICROSOFT", Some("NZ"), ErrorCode::PhoneInvalidCharacter);
}

#[test]
fn phone_rfc3966_phone_context() {
    ok("tel:03-331-6005;phone-context=+64", None, "+6433316005");
    ok(
        "tel:331-6005;phone-context=+64-3",
        Some("US"),
        "+6433316005",
    );
    ok("tel:+64-3-331-6005;isub=12345", None, "+6433316005");
    err(
        "tel:555-1234;phone-context=example.com",
        None,
        ErrorCode::PhoneMissingCountryCode,
    );
    err(
        "tel:555-1234;phone-context=+1a",
        None,
        ErrorCode::PhoneInvalidCharacter,
    );
}

// --- errors ------------------------------------------------------------------------

#[test]
fn phone_errors() {
    err("650 555 1212", None, ErrorCode::PhoneMissingCountryCode);
    err("+1 650 555 121", None, ErrorCode::PhoneTooShort);
    err("+1 650 555 12123", None, ErrorCode::PhoneTooLong);
    err("555-1212", Some("US"), ErrorCode::PhoneTooShort);
    err("+1 555 1212", None, ErrorCode::PhoneTooShort);
    err("+999 123 456", None, ErrorCode::PhoneInvalidCountryCode);
    err("+0 123 456", None, ErrorCode::PhoneInvalidCountryCode);
    err("+9", None, ErrorCode::PhoneTooShort);
    err(
        "+44 20 7946 0958 +1",
        None,
        ErrorCode::PhoneInvalidCharacter,
    );
    err("+44 20 7946 0958 *", None, ErrorCode::PhoneInvalidCharacter);
    // A bare "ext" is three vanity letters, as in libphonenumber: one digit too many.
    err("+44 20 7946 0958 ext", None, ErrorCode::PhoneTooLong);
    err(
        "+44 20 7946 0958 ex",
        None,
        ErrorCode::PhoneInvalidCharacter,
    );
    err("+---", None, ErrorCode::Empty);
    // E.164 allows 15 digits in all, whatever the national plan says.
    err("+49 800 1234567890123", None, ErrorCode::PhoneTooLong);
    err(&"1".repeat(100), Some("US"), ErrorCode::PhoneTooLong);
}

#[test]
fn phone_region_without_metadata_is_no_region() {
    // Antarctica (AQ) has no numbering plan in the table.
    err(
        "020 7946 0958",
        Some("AQ"),
        ErrorCode::PhoneMissingCountryCode,
    );
    ok("+44 20 7946 0958", Some("AQ"), "+442079460958");
}

#[test]
fn phone_shared_calling_codes() {
    // +1: Canada's seven-digit 310-xxxx numbers are possible, US local numbers are not.
    ok("+1 310 1234", None, "+13101234");
    err("+1 555 1234", None, ErrorCode::PhoneTooShort);
    // Jersey (+44) with its own region.
    ok("01534 123456", Some("JE"), "+441534123456");
    // Non-geographic codes.
    ok("+800 1234 5678", None, "+80012345678");
    ok("+882 1234 567890", None, "+8821234567890");
}

#[test]
fn phone_never_panics_on_odd_input() {
    let alphabet: Vec<char> =
        "0123456789+-()[] .#;=,x/\\~tel:phone-contextABC０＋\u{661}\u{301}é€\u{10FFFF}"
            .chars()
            .collect();
    // A small deterministic generator (xorshift), so no dependency is needed.
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..20_000 {
        let len = (next() % 40) as usize;
        let s: String = (0..len)
            .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
            .collect();
        for region in [
            None,
            Some("US"),
            Some("GB"),
            Some("JP"),
            Some("AU"),
            Some("BY"),
        ] {
            let _ = e164(&s, region);
        }
    }
    for s in [
        "", "+", "++++", "(", ")", "()", "#", ";", "tel:", "x1", "1x", "0", "00", "000", "+0",
        "-1#",
    ] {
        let _ = e164(s, Some("US"));
        let _ = e164(s, None);
    }
}

// --- the generated table -----------------------------------------------------------

#[test]
fn phone_table_is_sorted_and_consistent() {
    assert!(
        REGIONS.windows(2).all(|w| w[0].0 < w[1].0),
        "REGIONS sorted by alpha-2"
    );
    assert!(
        CALLING_CODES.windows(2).all(|w| w[0].0 < w[1].0),
        "CALLING_CODES sorted"
    );
    assert!(
        DIGIT_ZEROS.windows(2).all(|w| w[0] + 10 <= w[1]),
        "digit blocks sorted, disjoint"
    );
    for r in &REGIONS {
        assert!(find_calling_code(r.calling_code()).is_some(), "{:?}", r.0);
        assert!(usize::from(r.2) < TRUNKS.len() && usize::from(r.3) < IDDS.len());
        assert!(rules(r.rules()).count() > 0 && lens_union(r.rules()) != 0);
    }
    for c in &CALLING_CODES {
        assert!(usize::from(c.1) < TRUNKS.len());
        assert!(
            lens_union(c.rules()) & c.main_lens() == c.main_lens(),
            "+{}",
            c.0
        );
    }
    // Every list ends with a LAST rule inside the array.
    assert!(RULES.last().is_some_and(|w| w & LAST_RULE != 0));
    for p in TRUNKS.iter().chain(IDDS.iter()) {
        assert!(
            p.bytes()
                .all(|b| b.is_ascii_digit() || b"[]-|".contains(&b)),
            "{p}"
        );
    }
}

#[test]
fn phone_table_spot_checks() {
    let gb = find_region("GB").expect("GB");
    assert_eq!(gb.calling_code(), 44);
    assert_eq!(gb.idd(), "00");
    assert!(prefix_matches(gb.trunk(), b"0207").any(|n| n == 1));
    assert_eq!(lens_union(gb.rules()), (1 << 7) | (1 << 9) | (1 << 10));
    let us = find_region("US").expect("US");
    assert_eq!((us.calling_code(), us.idd(), us.trunk()), (1, "011", "1"));
    let it = find_region("IT").expect("IT");
    assert_eq!(it.trunk(), "");
    assert!(find_region("ZZ").is_none());
    let nanp = find_calling_code(1).expect("+1");
    assert_eq!(nanp.main_lens(), 1 << 10);
    assert!(find_calling_code(999).is_none());
}

#[test]
fn phone_table_header_matches_generator_pin() {
    let table = include_str!("metadata.rs");
    let script = include_str!("../../../scripts/gen_phone_metadata.py");
    let pin = script
        .lines()
        .find_map(|l| l.strip_prefix("PINNED = \""))
        .and_then(|l| l.strip_suffix('"'))
        .expect("PINNED in the generator");
    let header = format!(
        "// generated by scripts/gen_phone_metadata.py from phonenumbers {pin}; do not edit"
    );
    assert_eq!(table.lines().next(), Some(header.as_str()));
}

#[test]
fn phone_idd_patterns() {
    assert_eq!(match_alternative(b"001[14-689]", b"0011"), Some(4));
    assert_eq!(match_alternative(b"001[14-689]", b"0017"), None);
    assert_eq!(match_alternative(b"0[0-3][0-9]", b"019"), Some(3));
    assert_eq!(match_alternative(b"0[0-3][0-9]", b"04"), None);
    assert_eq!(idd_len("00", b"0044"), Some(2));
    assert_eq!(idd_len("00", b"0004"), None, "an IDD is not followed by 0");
    assert_eq!(idd_len("00", b"00"), None);
}

#[test]
fn phone_decimal_digits() {
    assert_eq!(decimal_digit('7'), Some(b'7'));
    assert_eq!(decimal_digit('\u{FF17}'), Some(b'7'));
    assert_eq!(decimal_digit('\u{0667}'), Some(b'7'));
    assert_eq!(
        decimal_digit('\u{1D7D5}'),
        Some(b'7'),
        "mathematical bold digit seven"
    );
    assert_eq!(
        decimal_digit('\u{00B2}'),
        None,
        "superscript two is not a decimal digit"
    );
    assert_eq!(decimal_digit('\u{2167}'), None, "Roman numeral eight");
    assert_eq!(decimal_digit('a'), None);
}

#[test]
fn ascii_is_its_own_full_width_fold() {
    // `scan` skips the fold for ASCII text: the fold changes no ASCII
    // character, and does change the full-width forms.
    for b in 0..=0x7fu8 {
        let c = char::from(b);
        assert_eq!(fold_full_width(c), c);
    }
    assert_eq!(fold_full_width('\u{FF10}'), '0');
    assert_eq!(fold_full_width('＋'), '+');
    let o = opts(Profile::Pseudolink, Some("US"));
    assert_eq!(
        normalize("＋１ ６５０ ２５３ ００００", &o),
        normalize("+1 650 253 0000", &o)
    );
    assert_eq!(
        normalize("+1 650 253 0000", &o).as_deref(),
        Ok("+16502530000")
    );
}
