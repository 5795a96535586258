//! Value validation and formatting (`clkhash.field_formats`), with clkhash's
//! default `validate=True` rules. Errors are codes only: the caller attaches
//! the feature identifier, never the value.
//!
//! Known differences from Python, all on inputs real data rarely has:
//! - integers and dates accept ASCII digits only (Python also takes other
//!   Unicode decimal digits such as `"١٢"`);
//! - patterns use `regex-lite`: `\d`, `\w`, `\s` and `(?i)` are ASCII-only,
//!   and look-around/back-references are rejected at schema load;
//! - integers beyond ±10^38 are rejected with `clk.out_of_range` (Python's
//!   are unbounded);
//! - `case` uses Rust's Unicode tables, which may be a newer Unicode version.

use super::date::DateFormat;
use super::tokens::TextEncoding;
use crate::error::ErrorCode;
use regex_lite::Regex;
use std::borrow::Cow;

/// A feature's value format.
#[derive(Clone, Debug)]
pub(crate) enum Format {
    Text(TextRule),
    Integer { min: Option<i64>, max: Option<i64> },
    Date(DateFormat),
    Enum(Vec<String>),
}

/// A string feature's rule: a pattern, or case and length bounds.
#[derive(Clone, Debug)]
pub(crate) enum TextRule {
    /// Compiled as `\A(?:pattern)\z`, i.e. Python's `re.fullmatch`.
    Pattern(Regex),
    Plain {
        case: Case,
        min: Option<usize>,
        max: Option<usize>,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Case {
    Upper,
    Lower,
    Mixed,
}

impl Format {
    /// Validates a (non-missing) raw value and returns the text to tokenise.
    /// `encoding` is the feature's token encoding (only `ascii` can fail).
    pub(crate) fn prepare<'a>(
        &self,
        raw: &'a str,
        encoding: TextEncoding,
    ) -> Result<Cow<'a, str>, ErrorCode> {
        if encoding == TextEncoding::Ascii && !raw.is_ascii() {
            return Err(ErrorCode::ClkEncoding);
        }
        match self {
            Format::Text(TextRule::Pattern(re)) => {
                if !re.is_match(raw) {
                    return Err(ErrorCode::ClkPattern);
                }
                Ok(Cow::Borrowed(raw))
            }
            Format::Text(TextRule::Plain { case, min, max }) => {
                let len = raw.chars().count();
                if min.is_some_and(|m| len < m) {
                    return Err(ErrorCode::ClkTooShort);
                }
                if max.is_some_and(|m| len > m) {
                    return Err(ErrorCode::ClkTooLong);
                }
                let ok = match case {
                    Case::Mixed => true,
                    Case::Upper => raw.to_uppercase() == raw,
                    Case::Lower => raw.to_lowercase() == raw,
                };
                if !ok {
                    return Err(ErrorCode::ClkCase);
                }
                Ok(Cow::Borrowed(raw))
            }
            Format::Integer { min, max } => {
                let digits = parse_python_int(raw)?;
                // Beyond i128 is beyond any i64 bound, on the side of its sign.
                let (below, above) = match digits.parse::<i128>() {
                    Ok(v) => (
                        min.is_some_and(|m| v < i128::from(m)),
                        max.is_some_and(|m| v > i128::from(m)),
                    ),
                    Err(_) if digits.starts_with('-') => (min.is_some(), false),
                    Err(_) => (false, max.is_some()),
                };
                if below || above {
                    return Err(ErrorCode::ClkOutOfRange);
                }
                Ok(Cow::Owned(digits))
            }
            Format::Date(fmt) => fmt.reformat(raw).map(Cow::Owned),
            Format::Enum(values) => {
                if !values.iter().any(|v| v == raw) {
                    return Err(ErrorCode::ClkNotInEnum);
                }
                Ok(Cow::Borrowed(raw))
            }
        }
    }
}

/// Python's `str(int(s, 10))`: surrounding Unicode whitespace, one optional
/// sign, ASCII digits with single `_` between digits; leading zeros dropped.
pub(crate) fn parse_python_int(s: &str) -> Result<String, ErrorCode> {
    let t = s.trim_matches(char::is_whitespace);
    let (neg, body) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let bytes = body.as_bytes();
    let valid = !bytes.is_empty()
        && bytes.first().is_some_and(u8::is_ascii_digit)
        && bytes.last().is_some_and(u8::is_ascii_digit)
        && bytes.iter().all(|b| b.is_ascii_digit() || *b == b'_')
        && !body.contains("__");
    if !valid {
        return Err(ErrorCode::ClkNotInteger);
    }
    let digits: String = body
        .bytes()
        .filter(u8::is_ascii_digit)
        .map(char::from)
        .collect();
    let trimmed = digits.trim_start_matches('0');
    Ok(match (trimmed.is_empty(), neg) {
        (true, _) => "0".to_owned(),
        (false, true) => format!("-{trimmed}"),
        (false, false) => trimmed.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_int_rules() {
        for (s, want) in [
            (" +0800 ", "800"),
            ("-0", "0"),
            ("1_000", "1000"),
            ("\u{2003}-12\n", "-12"),
            ("000", "0"),
        ] {
            assert_eq!(parse_python_int(s).unwrap(), want, "{s:?}");
        }
        for s in [
            "", "+", "1__0", "_1", "1_", "1.0", "0x10", "--1", "\u{1c}12",
        ] {
            assert!(parse_python_int(s).is_err(), "{s:?}");
        }
    }

    #[test]
    fn integer_range_handles_huge_values() {
        let f = Format::Integer {
            min: Some(0),
            max: Some(10),
        };
        assert!(f.prepare("5", TextEncoding::Utf8).is_ok());
        for s in ["11", "-1", &"9".repeat(50), &format!("-{}", "9".repeat(50))] {
            assert_eq!(
                f.prepare(s, TextEncoding::Utf8).unwrap_err(),
                ErrorCode::ClkOutOfRange
            );
        }
        let open = Format::Integer {
            min: None,
            max: None,
        };
        assert_eq!(
            open.prepare(&"9".repeat(50), TextEncoding::Utf8).unwrap(),
            "9".repeat(50)
        );
    }
}
