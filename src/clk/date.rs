//! `date` features: Python's `datetime.strptime(value, format)` followed by
//! `strftime('%Y%m%d')`, for the directives linkage schemas use.
//!
//! Python's `_strptime` turns the format into a regular expression (literal
//! text escaped, whitespace runs as `\s+`, case-insensitive), takes the first
//! match at the start of the value and fails if text remains; then builds a
//! `datetime` (defaults 1900-01-01), which rejects impossible dates. We build
//! the same expression with the same alternatives in the same order;
//! `regex-lite`'s leftmost-first semantics pick the same match as Python's
//! backtracking engine. `\d` and `\s` are ASCII-only here (Python: Unicode).

use crate::error::ErrorCode;
use regex_lite::Regex;

/// A compiled `strptime` format.
#[derive(Clone, Debug)]
pub(crate) struct DateFormat {
    re: Regex,
}

/// Python 3.11 `_strptime.TimeRE` expressions for the supported directives.
fn directive(c: char) -> Option<&'static str> {
    Some(match c {
        'd' => r"(?P<d>3[0-1]|[1-2]\d|0[1-9]|[1-9]| [1-9])",
        'm' => r"(?P<m>1[0-2]|0[1-9]|[1-9])",
        'y' => r"(?P<y>\d\d)",
        'Y' => r"(?P<Y>\d\d\d\d)",
        'H' => r"(?P<H>2[0-3]|[0-1]\d|\d)",
        'M' => r"(?P<M>[0-5]\d|\d)",
        'S' => r"(?P<S>6[0-1]|[0-5]\d|\d)",
        '%' => "%",
        _ => return None,
    })
}

impl DateFormat {
    /// Compiles a format; `None` for a directive we do not support (locale
    /// names, week numbers, time zones, a stray `%`) or a repeated directive.
    pub(crate) fn new(format: &str) -> Option<Self> {
        let mut re = String::from(r"(?i)\A");
        let mut chars = format.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '%' {
                re.push_str(directive(chars.next()?)?);
            } else if c.is_whitespace() {
                while chars.peek().is_some_and(|c| c.is_whitespace()) {
                    chars.next();
                }
                re.push_str(r"\s+");
            } else {
                re.push_str(&regex_lite::escape(c.encode_utf8(&mut [0u8; 4])));
            }
        }
        Regex::new(&re).ok().map(|re| DateFormat { re })
    }

    /// Parses `value` and writes it as `YYYYMMDD` (year not zero-padded below
    /// 1000, as glibc's `strftime` writes it).
    pub(crate) fn reformat(&self, value: &str) -> Result<String, ErrorCode> {
        let caps = self.re.captures(value).ok_or(ErrorCode::ClkBadDate)?;
        if caps.get(0).map(|m| m.end()) != Some(value.len()) {
            return Err(ErrorCode::ClkBadDate);
        }
        let num = |name: &str| -> Option<i64> {
            caps.name(name)
                .and_then(|m| m.as_str().trim_start().parse().ok())
        };
        let year = match (num("Y"), num("y")) {
            (Some(y), _) => y,
            (None, Some(y)) if y <= 68 => y + 2000,
            (None, Some(y)) => y + 1900,
            (None, None) => 1900,
        };
        let month = num("m").unwrap_or(1);
        let day = num("d").unwrap_or(1);
        if year < 1 || num("S").is_some_and(|s| s > 59) || day > days_in_month(year, month) {
            return Err(ErrorCode::ClkBadDate);
        }
        Ok(format!("{year}{month:02}{day:02}"))
    }
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strptime_like_python() {
        let f = DateFormat::new("%Y-%m-%d").unwrap();
        assert_eq!(f.reformat("1984-7-04").unwrap(), "19840704");
        assert_eq!(f.reformat("0999-01-01").unwrap(), "9990101");
        assert_eq!(f.reformat("2000-02-29").unwrap(), "20000229");
        for bad in [
            "1900-02-29",
            "1984-13-01",
            "1984-01-01x",
            "84-01-01",
            "0000-01-01",
        ] {
            assert_eq!(f.reformat(bad).unwrap_err(), ErrorCode::ClkBadDate, "{bad}");
        }
        let g = DateFormat::new("%d %b").is_none();
        assert!(g);
        let s = DateFormat::new("%d/%m/%y").unwrap();
        assert_eq!(s.reformat("1/2/69").unwrap(), "19690201");
        assert_eq!(s.reformat(" 1/2/68").unwrap(), "20680201");
        let compact = DateFormat::new("%Y%m%d").unwrap();
        assert_eq!(compact.reformat("2020111").unwrap(), "20201101");
        assert!(DateFormat::new("%Y%").is_none());
        assert!(DateFormat::new("%Y %Y").is_none());
    }
}
