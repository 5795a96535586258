//! Phone numbers to E.164, without the libphonenumber port.
//!
//! The full port costs about 490 KB gzipped in wasm. This module does the
//! E.164 job of libphonenumber's `parse` + `format(E164)` + possible-length
//! check with a compact table generated from the Python `phonenumbers` package
//! (`phone/metadata.rs`, written by `scripts/gen_phone_metadata.py`): calling
//! codes, trunk (national) prefixes, international (IDD) prefixes and the
//! possible national-number lengths, each length with the leading digits the
//! region's number pattern allows.
//!
//! Steps, in libphonenumber's order:
//!
//! 1. Lexing. Full-width ASCII forms are read as ASCII. `tel:` is dropped;
//!    `;` starts RFC 3966 parameters (only `phone-context=+CC…` is used: it
//!    prefixes a number written without `+`); `/x` starts a second number,
//!    dropped. An extension is removed: a marker (`ext`, `ext.`, `extn`,
//!    `extension`, `extensión`, `xtn`, `xt`, `x`, `#`, `~`, `anexo`, `int`,
//!    `доб`), a comma, or both, followed by digits to the end, or a final
//!    `-123#`. Digits are any Unicode decimal digit (category Nd); separators
//!    are whitespace, `-`, `.`, `/`, `~`, the Unicode dashes, and brackets;
//!    `+` (once or more) may come before the first digit. Three or more ASCII
//!    letters after the first three digits are vanity letters, mapped with
//!    the phone keypad (`1-800-FLOWERS` → `18003569377`), as libphonenumber
//!    does; one or two letters (which libphonenumber drops silently), letters
//!    before the third digit, or any other character is
//!    `phone.invalid_character`. No digit at all is `value.empty`.
//! 2. Country calling code. After `+`, after the default region's IDD
//!    (`011` in the US, `00` in most of the world, `0011` in Australia, ...)
//!    or after `00` (when no region is given, or no national number of the
//!    region starts with `0`): the code is read from the table (codes are
//!    prefix-free), else `phone.invalid_country_code`. An IDD must not be
//!    followed by `0`, and `+0…` is a `+` before an IDD (libphonenumber).
//!    Otherwise the number is national: it needs a default region
//!    (`phone.missing_country_code`; a region without a numbering plan in
//!    the table, such as AQ, counts as none), and one that starts with the
//!    region's own calling code is read as international when it only fits
//!    that way (`44 20 7946 0958` in GB), as libphonenumber does.
//! 3. Trunk prefix. A bracketed trunk prefix right after the calling code
//!    (`+44 (0)20 …`) is always removed. Otherwise a trunk prefix (the
//!    region's `national_prefix_for_parsing` where it is a plain list, else
//!    its `national_prefix`) is removed when the number starts with it,
//!    unless the number fits as written and no longer fits without it, and
//!    only if what remains has a possible length or is too long anyway:
//!    libphonenumber's rule, where "fits" is its full number pattern and here
//!    a possible length for the number's first two digits. Italy has no trunk
//!    prefix, so `+39 02…` keeps its `0`.
//! 4. Validation: at most 15 digits in all (E.164), and a national number
//!    whose length is possible for the calling code: one of its main
//!    region's lengths, or a length another region sharing the code allows
//!    for the number's first two digits (so Canada's seven-digit `310-xxxx`
//!    numbers pass, but a seven-digit US local number does not). Otherwise
//!    `phone.too_short` (also for a length between two possible ones) or
//!    `phone.too_long`.
//!
//! Not covered (libphonenumber needs its full patterns for them): carrier
//! selection codes behind a transform rule (Brazil), Argentina's mobile
//! `15`, other national-prefix transform rules (such as seven-digit local
//! numbers completed with an area code in the Caribbean, Guernsey or
//! Jersey), the full-pattern choice between the national and the
//! own-calling-code reading in variable-length plans (a Berlin number
//! written `4930123456` in DE), and validity beyond length and leading digits.

#[rustfmt::skip]
mod metadata;

use super::NormalizeOptions;
use crate::error::ErrorCode;
use crate::profile::Profile;
use metadata::{CallingCode, Region, CALLING_CODES, DIGIT_ZEROS, IDDS, REGIONS, RULES, TRUNKS};

/// E.164: country code plus national number, at most 15 digits.
const E164_MAX_DIGITS: usize = 15;
/// More digits than any number can have, even with an IDD and trunk prefix.
const MAX_SCANNED_DIGITS: usize = 40;
/// Rule word layout (see the generator): first-digit mask, second-digit
/// mask, last-of-list flag, length mask.
const DIGIT_MASK: u32 = 0x3FF;
const SECOND_SHIFT: u32 = 10;
const LAST_RULE: u32 = 1 << 20;
/// Length L (4..=14) is bit 17 + L of a rule, bit L of a length mask.
const LEN_BITS_AT: u32 = 21;
const MIN_LEN_BIT: u32 = 4;

/// Normalises a phone number to E.164: `+` and digits, or, for the Meta,
/// Pinterest and Snap profiles, the same digits without `+`.
pub(crate) fn normalize(value: &str, o: &NormalizeOptions) -> Result<String, ErrorCode> {
    let region = o.region.and_then(|c| find_region(c.as_str()));
    let mut digits = e164_digits(value, region)?;
    let plus = !matches!(
        o.profile,
        Profile::Meta | Profile::Pinterest | Profile::Snap
    );
    if super::text::FAST_PATHS {
        if plus {
            // `finish` left room for it: no second allocation.
            digits.insert(0, b'+');
        }
        // `+` and ASCII digits: the buffer becomes the string.
        return String::from_utf8(digits).map_err(|_| ErrorCode::PhoneInvalidCharacter);
    }
    let mut out = String::with_capacity(digits.len().saturating_add(1));
    if plus {
        out.push('+');
    }
    out.extend(digits.iter().map(|&b| char::from(b)));
    Ok(out)
}

/// The E.164 digits (calling code + national number, ASCII) of `value`.
fn e164_digits(value: &str, region: Option<&'static Region>) -> Result<Vec<u8>, ErrorCode> {
    let scan = scan(value)?;
    let d = scan.digits.as_slice();
    if d.is_empty() {
        return Err(ErrorCode::Empty);
    }
    // No calling code starts with 0: `+0…` is a `+` before an IDD (libphonenumber).
    if scan.plus && d.first() != Some(&b'0') {
        return international(d, 0, &scan.groups);
    }
    if let Some(n) = region.and_then(|r| idd_len(r.idd(), d)) {
        return international(d, n, &scan.groups);
    }
    // `00` is the IDD of most of the world: read it as one where no national
    // number of the region can start with 0.
    if region.is_none_or(|r| first_digits(r.rules()) & 1 == 0) {
        if let Some(n) = idd_len("00", d) {
            return international(d, n, &scan.groups);
        }
    }
    match region {
        _ if scan.plus => Err(ErrorCode::PhoneInvalidCountryCode),
        Some(r) => national(r, d),
        None => Err(ErrorCode::PhoneMissingCountryCode),
    }
}

// --- lexing ---------------------------------------------------------------------

/// What the lexer keeps: digits (ASCII, vanity letters mapped), a leading `+`,
/// and the digit ranges of bracket groups.
#[derive(Debug, Default)]
struct Scan {
    plus: bool,
    digits: Vec<u8>,
    groups: Vec<(usize, usize)>,
}

fn scan(value: &str) -> Result<Scan, ErrorCode> {
    let trimmed = super::text::trim(value);
    // Full-width forms are outside ASCII: ASCII text is its own fold.
    let folded: std::borrow::Cow<'_, str> = if super::text::FAST_PATHS && trimmed.is_ascii() {
        trimmed.into()
    } else {
        trimmed
            .chars()
            .map(fold_full_width)
            .collect::<String>()
            .into()
    };
    let mut s = &*folded;
    if let Some(rest) = strip_prefix_ci(s, "tel:") {
        s = rest;
    }
    let (number, params) = match s.split_once(';') {
        Some((n, p)) => (n, Some(p)),
        None => (s, None),
    };
    let number = strip_extension(cut_second_number(number));
    let context = params.map(phone_context).transpose()?.flatten();

    let mut out = Scan::default();
    if super::text::FAST_PATHS {
        // Sized once: a number's digits never outgrow its text.
        out.digits
            .reserve_exact(number.len().min(MAX_SCANNED_DIGITS));
    }
    let mut letters = 0usize;
    let mut depth = 0usize;
    let mut open_at = 0usize;
    for c in number.chars() {
        if let Some(d) = decimal_digit(c) {
            push_digit(&mut out.digits, d)?;
        } else if c == '+' {
            // `++1 650…` is accepted, as libphonenumber does; a `+` after a digit is not.
            if !out.digits.is_empty() {
                return Err(ErrorCode::PhoneInvalidCharacter);
            }
            out.plus = true;
        } else if matches!(c, '(' | '[') {
            if depth == 0 {
                open_at = out.digits.len();
            }
            depth = depth.saturating_add(1);
        } else if matches!(c, ')' | ']') {
            if depth == 1 {
                out.groups.push((open_at, out.digits.len()));
            }
            depth = depth.saturating_sub(1);
        } else if c.is_ascii_alphabetic() && out.digits.len() >= 3 {
            letters = letters.saturating_add(1);
            push_digit(&mut out.digits, keypad(c))?;
        } else if !is_separator(c) {
            return Err(ErrorCode::PhoneInvalidCharacter);
        }
    }
    // libphonenumber reads letters as keypad digits only after three digits
    // and in numbers with at least three letters; it drops fewer, which we refuse.
    if letters > 0 && letters < 3 {
        return Err(ErrorCode::PhoneInvalidCharacter);
    }
    if let Some(ctx) = context {
        if !out.plus && !out.digits.is_empty() {
            let shift = ctx.len();
            for g in &mut out.groups {
                *g = (g.0.saturating_add(shift), g.1.saturating_add(shift));
            }
            let mut all = ctx;
            all.extend_from_slice(&out.digits);
            if all.len() > MAX_SCANNED_DIGITS {
                return Err(ErrorCode::PhoneTooLong);
            }
            out.digits = all;
            out.plus = true;
        }
    }
    Ok(out)
}

fn push_digit(digits: &mut Vec<u8>, d: u8) -> Result<(), ErrorCode> {
    if digits.len() >= MAX_SCANNED_DIGITS {
        return Err(ErrorCode::PhoneTooLong);
    }
    digits.push(d);
    Ok(())
}

/// Full-width ASCII forms (U+FF01..U+FF5E: `＋`, `（`, `ｅｘｔ`, `０`) to ASCII.
fn fold_full_width(c: char) -> char {
    if ('\u{FF01}'..='\u{FF5E}').contains(&c) {
        u32::from(c)
            .checked_sub(0xFEE0)
            .and_then(char::from_u32)
            .unwrap_or(c)
    } else {
        c
    }
}

/// Whitespace, dashes, dots, slashes and tildes (ASCII and Unicode).
fn is_separator(c: char) -> bool {
    super::text::is_space_like(c)
        || matches!(
            c,
            '-' | '.'
                | '/'
                | '~'
                | '\u{00AD}' // soft hyphen
                | '\u{2010}'
                ..='\u{2015}' // hyphen .. horizontal bar
                | '\u{2053}' // swung dash
                | '\u{2212}' // minus sign
                | '\u{223C}' // tilde operator
                | '\u{30FC}' // katakana prolonged sound mark, used as a dash
        )
}

/// The ASCII digit of a Unicode decimal digit (category Nd).
fn decimal_digit(c: char) -> Option<u8> {
    if c.is_ascii() {
        return c.is_ascii_digit().then(|| u8::try_from(c).ok()).flatten();
    }
    let cp = u32::from(c);
    let zero = match DIGIT_ZEROS.binary_search(&cp) {
        Ok(_) => return Some(b'0'),
        Err(i) => *DIGIT_ZEROS.get(i.checked_sub(1)?)?,
    };
    let off = u8::try_from(cp.checked_sub(zero)?).ok()?;
    (off < 10).then(|| b'0'.saturating_add(off))
}

/// The phone keypad: ABC=2, DEF=3, GHI=4, JKL=5, MNO=6, PQRS=7, TUV=8, WXYZ=9.
fn keypad(c: char) -> u8 {
    match c.to_ascii_uppercase() {
        'A'..='C' => b'2',
        'D'..='F' => b'3',
        'G'..='I' => b'4',
        'J'..='L' => b'5',
        'M'..='O' => b'6',
        'P'..='S' => b'7',
        'T'..='V' => b'8',
        _ => b'9',
    }
}

/// `prefix` (lowercase) at the start of `s`, ignoring case.
fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let mut rest = s.chars();
    for p in prefix.chars() {
        if fold_case(rest.next()?) != p {
            return None;
        }
    }
    Some(rest.as_str())
}

/// Lowercase for the letters of the markers this module looks for (ASCII,
/// `Ó`, and the Cyrillic of `доб`), without Unicode case tables.
fn fold_case(c: char) -> char {
    match c {
        'A'..='Z' => c.to_ascii_lowercase(),
        '\u{D3}' => '\u{F3}',   // Ó
        '\u{414}' => '\u{434}', // Д
        '\u{41E}' => '\u{43E}', // О
        '\u{411}' => '\u{431}', // Б
        _ => c,
    }
}

/// Drops a second number introduced by `/x` or a backslash and `x`
/// (`(212)123-1234 x508/x1234`).
fn cut_second_number(s: &str) -> &str {
    for (i, c) in s.char_indices() {
        if c == '/' || c == '\\' {
            let rest = s
                .get(i.saturating_add(1)..)
                .unwrap_or_default()
                .trim_start_matches(' ');
            if rest.starts_with(['x', 'X']) {
                return s.get(..i).unwrap_or(s);
            }
        }
    }
    s
}

/// Words that introduce an extension (lowercase; full-width forms are folded
/// before), as in libphonenumber.
const EXTENSION_MARKERS: [&str; 13] = [
    "extensi\u{F3}n",
    "extensio\u{301}n",
    "extension",
    "extn",
    "ext",
    "xtn",
    "xt",
    "anexo",
    "int",
    "\u{434}\u{43E}\u{431}", // доб (Russian)
    "x",
    "#",
    "~",
];

/// `s` without its extension: a marker (or a comma, or both) after at least
/// one digit, followed by digits to the end (`ext. 123`, `x123`, `#123`,
/// `, 123`); or libphonenumber's `-123#` at the end.
fn strip_extension(s: &str) -> &str {
    let mut seen_digit = false;
    for (i, c) in s.char_indices() {
        if decimal_digit(c).is_some() {
            seen_digit = true;
        } else if seen_digit && s.get(i..).is_some_and(is_extension) {
            return s.get(..i).unwrap_or(s);
        }
    }
    strip_hash_extension(s)
}

fn is_extension(rest: &str) -> bool {
    // Fast exit: no marker starts with a separator or bracket.
    if rest
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_whitespace() || matches!(c, '-' | '.' | '(' | ')' | '/'))
    {
        return false;
    }
    let (rest, comma) = match rest.strip_prefix(',') {
        Some(r) => (r.trim_start_matches(super::text::is_space_like), true),
        None => (rest, false),
    };
    (comma && is_extension_digits(rest))
        || EXTENSION_MARKERS
            .iter()
            .any(|m| strip_prefix_ci(rest, m).is_some_and(is_extension_digits))
}

/// Optional `.`, `:`, `=` or spaces, then decimal digits to the end, then an
/// optional `#`.
fn is_extension_digits(s: &str) -> bool {
    let s = s.trim_start_matches(|c: char| {
        super::text::is_space_like(c) || matches!(c, '.' | ':' | '=')
    });
    let s = s.trim_end_matches(super::text::is_space_like);
    let s = s.strip_suffix('#').unwrap_or(s);
    !s.is_empty() && s.chars().all(|c| decimal_digit(c).is_some())
}

/// libphonenumber's `[- ]+(\d{1,6})#` extension at the end of the number.
fn strip_hash_extension(s: &str) -> &str {
    let Some(body) = s
        .trim_end_matches(super::text::is_space_like)
        .strip_suffix('#')
    else {
        return s;
    };
    let head = body.trim_end_matches(|c: char| c.is_ascii_digit());
    let ext_len = body.len().saturating_sub(head.len());
    let number = head.trim_end_matches(['-', ' ']);
    let digit_before = number
        .chars()
        .next_back()
        .is_some_and(|c| decimal_digit(c).is_some());
    if (1..=6).contains(&ext_len) && number.len() < head.len() && digit_before {
        number
    } else {
        s
    }
}

/// The digits of an RFC 3966 `phone-context=+…` parameter, if any.
fn phone_context(params: &str) -> Result<Option<Vec<u8>>, ErrorCode> {
    for p in params.split(';') {
        let Some(v) = strip_prefix_ci(p.trim(), "phone-context=") else {
            continue;
        };
        let Some(global) = v.strip_prefix('+') else {
            return Ok(None); // a domain name: says nothing about the digits
        };
        let mut digits = Vec::new();
        for c in global.chars() {
            match decimal_digit(c) {
                Some(d) => push_digit(&mut digits, d)?,
                None if matches!(c, '-' | '.' | '(' | ')') => {}
                None => return Err(ErrorCode::PhoneInvalidCharacter),
            }
        }
        return Ok((!digits.is_empty()).then_some(digits));
    }
    Ok(None)
}

// --- table look-ups --------------------------------------------------------------

fn find_region(alpha2: &str) -> Option<&'static Region> {
    let key: [u8; 2] = alpha2.as_bytes().try_into().ok()?;
    let i = REGIONS.binary_search_by(|r| r.0.cmp(&key)).ok()?;
    REGIONS.get(i)
}

fn find_calling_code(cc: u16) -> Option<&'static CallingCode> {
    let i = CALLING_CODES.binary_search_by(|c| c.0.cmp(&cc)).ok()?;
    CALLING_CODES.get(i)
}

impl Region {
    fn calling_code(&self) -> u16 {
        self.1
    }
    fn trunk(&self) -> &'static str {
        trunk(self.2)
    }
    fn idd(&self) -> &'static str {
        IDDS.get(usize::from(self.3)).copied().unwrap_or("")
    }
    fn rules(&self) -> u16 {
        self.4
    }
    /// Lengths (bit L) at which a national number may start with the
    /// region's calling code.
    fn own_code_lens(&self) -> u32 {
        u32::from(self.5)
    }
}

impl CallingCode {
    fn code(&self) -> u16 {
        self.0
    }
    fn trunk(&self) -> &'static str {
        trunk(self.1)
    }
    /// The main region's possible lengths (bit L).
    fn main_lens(&self) -> u32 {
        lens_union(self.2)
    }
    /// Rules of every region sharing the code.
    fn rules(&self) -> u16 {
        self.3
    }
}

fn trunk(index: u8) -> &'static str {
    TRUNKS.get(usize::from(index)).copied().unwrap_or("")
}

/// The rule words of the list starting at `offset`.
fn rules(offset: u16) -> impl Iterator<Item = u32> {
    let mut i = usize::from(offset);
    let mut done = false;
    core::iter::from_fn(move || {
        if done {
            return None;
        }
        let w = *RULES.get(i)?;
        i = i.saturating_add(1);
        done = w & LAST_RULE != 0;
        Some(w)
    })
}

fn len_bit(len: usize) -> u32 {
    u32::try_from(len)
        .ok()
        .and_then(|l| 1u32.checked_shl(l))
        .unwrap_or(0)
}

/// The rule's lengths as a mask with bit L for length L.
fn lens_of(rule: u32) -> u32 {
    (rule >> LEN_BITS_AT) << MIN_LEN_BIT
}

fn digit_bit(d: Option<&u8>) -> u32 {
    d.and_then(|b| 1u32.checked_shl(u32::from(b.wrapping_sub(b'0'))))
        .unwrap_or(0)
        & DIGIT_MASK
}

/// Whether `nsn` has a possible length for its first two digits under the
/// rules at `offset` (libphonenumber matches the whole number pattern; this
/// is that pattern's length and leading digits).
fn fits(offset: u16, nsn: &[u8]) -> bool {
    let len = len_bit(nsn.len());
    let first = digit_bit(nsn.first());
    let second = if nsn.len() > 1 {
        digit_bit(nsn.get(1))
    } else {
        DIGIT_MASK
    };
    rules(offset)
        .any(|w| lens_of(w) & len != 0 && w & first != 0 && (w >> SECOND_SHIFT) & second != 0)
}

/// Every possible length of the rules (bit L).
fn lens_union(offset: u16) -> u32 {
    rules(offset).fold(0, |acc, w| acc | lens_of(w))
}

/// Every first digit of the rules (bit d).
fn first_digits(offset: u16) -> u32 {
    rules(offset).fold(0, |acc, w| acc | (w & DIGIT_MASK))
}

/// Highest set bit, i.e. the longest possible length (0 if none).
fn max_len(mask: u32) -> usize {
    usize::try_from(
        u32::BITS
            .saturating_sub(mask.leading_zeros())
            .saturating_sub(1),
    )
    .unwrap_or(0)
}

/// Lengths of the alternatives of a prefix `pattern` that match the start of
/// `d`, longest first.
fn prefix_matches<'a>(pattern: &'a str, d: &'a [u8]) -> impl Iterator<Item = usize> + 'a {
    pattern
        .split('|')
        .filter(|alt| !alt.is_empty())
        .filter_map(move |alt| match_alternative(alt.as_bytes(), d))
}

/// Length of an IDD from `pattern` at the start of `d`, when a digit other
/// than `0` follows it (libphonenumber's rule).
fn idd_len(pattern: &str, d: &[u8]) -> Option<usize> {
    prefix_matches(pattern, d).find(|&n| d.get(n).is_some_and(|&b| b != b'0'))
}

/// Digits of `d` matched by one alternative (digits and `[..]` classes).
fn match_alternative(alt: &[u8], d: &[u8]) -> Option<usize> {
    let mut pos = 0usize;
    let mut it = alt.iter().copied();
    while let Some(p) = it.next() {
        let digit = *d.get(pos)?;
        let ok = if p == b'[' {
            let mut hit = false;
            let mut prev = None;
            let mut range = false;
            for q in it.by_ref() {
                match q {
                    b']' => break,
                    b'-' => range = true,
                    _ => {
                        hit |= if range {
                            prev.is_some_and(|lo| (lo..=q).contains(&digit))
                        } else {
                            q == digit
                        };
                        range = false;
                        prev = Some(q);
                    }
                }
            }
            hit
        } else {
            p == digit
        };
        if !ok {
            return None;
        }
        pos = pos.saturating_add(1);
    }
    Some(pos)
}

// --- calling code, trunk prefix, validation --------------------------------------

/// `d[start..]` begins with a country calling code.
fn international(d: &[u8], start: usize, groups: &[(usize, usize)]) -> Result<Vec<u8>, ErrorCode> {
    let rest = d.get(start..).unwrap_or_default();
    let mut value: u16 = 0;
    for (k, &b) in rest.iter().take(3).enumerate() {
        value = value
            .saturating_mul(10)
            .saturating_add(u16::from(b.wrapping_sub(b'0')));
        let Some(cc) = find_calling_code(value) else {
            continue;
        };
        let cc_end = start.saturating_add(k).saturating_add(1);
        let nsn = d.get(cc_end..).unwrap_or_default();
        let tp = cc.trunk();
        let bracketed = groups.iter().find(|&&(a, b)| {
            a == cc_end
                && d.get(a..b)
                    .is_some_and(|g| prefix_matches(tp, g).any(|n| n == g.len() && n > 0))
        });
        let nsn = match bracketed {
            Some(&(_, b)) => d.get(b..).unwrap_or_default(),
            None => strip_trunk(nsn, tp, cc.rules()),
        };
        return finish(cc, nsn);
    }
    if rest.len() < 3 {
        Err(ErrorCode::PhoneTooShort)
    } else {
        Err(ErrorCode::PhoneInvalidCountryCode)
    }
}

/// A number written without calling code, in region `r`.
fn national(r: &Region, d: &[u8]) -> Result<Vec<u8>, ErrorCode> {
    let cc = find_calling_code(r.calling_code()).ok_or(ErrorCode::PhoneInvalidCountryCode)?;
    let (tp, at) = (r.trunk(), r.rules());
    let own = cc_digits(r.calling_code());
    if let Some(after_cc) = d.strip_prefix(own.as_slice()) {
        // libphonenumber: the region's own calling code written without `+`.
        let potential = strip_trunk(after_cc, tp, at);
        let fits_as_written = r.own_code_lens() & len_bit(d.len()) != 0 && fits(at, d);
        if (!fits_as_written && fits(at, potential)) || d.len() > max_len(lens_union(at)) {
            return finish(cc, potential);
        }
    }
    finish(cc, strip_trunk(d, tp, at))
}

/// Removes a trunk prefix (pattern `tp`) from `nsn` where libphonenumber
/// would: the longest one present, unless the number fits as written and not
/// without it, and only if what remains has a possible length (or is too long
/// either way).
fn strip_trunk<'a>(nsn: &'a [u8], tp: &str, rules_at: u16) -> &'a [u8] {
    let Some(stripped) = prefix_matches(tp, nsn).next().and_then(|n| nsn.get(n..)) else {
        return nsn;
    };
    if fits(rules_at, nsn) && !fits(rules_at, stripped) {
        return nsn;
    }
    let lens = lens_union(rules_at);
    if lens & len_bit(stripped.len()) != 0 || stripped.len() > max_len(lens) {
        stripped
    } else {
        nsn
    }
}

/// Validates the national number's length and joins the E.164 digits, with
/// room for a leading `+`.
fn finish(cc: &CallingCode, nsn: &[u8]) -> Result<Vec<u8>, ErrorCode> {
    let mut out = cc_digits(cc.code());
    if out.len().saturating_add(nsn.len()) > E164_MAX_DIGITS {
        return Err(ErrorCode::PhoneTooLong);
    }
    let possible = cc.main_lens() & len_bit(nsn.len()) != 0 || fits(cc.rules(), nsn);
    if !possible {
        let longest = max_len(cc.main_lens() | lens_union(cc.rules()));
        return Err(if nsn.len() > longest {
            ErrorCode::PhoneTooLong
        } else {
            ErrorCode::PhoneTooShort
        });
    }
    out.extend_from_slice(nsn);
    Ok(out)
}

/// The decimal digits of a calling code (1 to 3 of them), ASCII, with room
/// for the national number and a `+` (E.164's 15 digits at most).
fn cc_digits(cc: u16) -> Vec<u8> {
    let mut out = Vec::with_capacity(E164_MAX_DIGITS + 1);
    let mut div = 100u16;
    while div > 0 {
        let d = cc.checked_div(div).unwrap_or(0) % 10;
        if d > 0 || !out.is_empty() || div == 1 {
            out.push(b'0'.saturating_add(u8::try_from(d).unwrap_or(0)));
        }
        div /= 10;
    }
    out
}

#[cfg(test)]
mod tests;
