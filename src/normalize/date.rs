//! Dates of birth, to `YYYYMMDD` (Meta's `db` format, and pseudolink's).
//!
//! Only layouts that cannot be misread are taken without help: year first
//! (`1990-12-31`, `1990/12/31`, `1990.12.31`, `19901231`). Day/month-first
//! layouts need an explicit [`DateOrder`], because `03/04/1990` is March in
//! the US and April elsewhere, and a wrong guess links the wrong people.

use super::text;
use super::NormalizeOptions;
use crate::error::ErrorCode;

/// Order of day and month in dates written with separators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DateOrder {
    /// `31/12/1990`
    Dmy,
    /// `12/31/1990`
    Mdy,
    /// `1990/12/31`
    Ymd,
}

/// Earliest accepted birth year: Meta's "from 1900".
const MIN_YEAR: u32 = 1900;
/// Latest accepted year. Meta says "to current year", but the core has no
/// clock (it must give the same answer natively, in wasm and in tests), so a
/// fixed bound keeps results reproducible.
const MAX_YEAR: u32 = 2100;

/// Parses an all-digit field of 1..=`max` ASCII digits.
fn number(s: &str, max: usize) -> Option<u32> {
    if s.is_empty() || s.len() > max || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Days in a month, Gregorian leap rule (1900 is not a leap year, 2000 is).
fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        _ => 31,
    }
}

/// Splits on one separator kind (`-`, `/`, `.` or space, used both times)
/// into exactly three parts.
fn split3(t: &str) -> Option<[&str; 3]> {
    let sep = t.chars().find(|c| matches!(c, '-' | '/' | '.' | ' '))?;
    let mut it = t.split(sep);
    let parts = [it.next()?, it.next()?, it.next()?];
    it.next().is_none().then_some(parts)
}

/// Date of birth → `YYYYMMDD`. Errors: `date.invalid_format` (layout, two-digit
/// year), `date.ambiguous` (day/month first with no order), `date.out_of_range`
/// (year outside 1900..=2100), `date.impossible` (no such day).
pub(crate) fn date_of_birth(value: &str, o: &NormalizeOptions) -> Result<String, ErrorCode> {
    let t = text::trim(value);
    let (y, m, d) = if t.len() == 8 && t.bytes().all(|b| b.is_ascii_digit()) {
        (t.get(..4), t.get(4..6), t.get(6..))
    } else {
        let [a, b, c] = split3(t).ok_or(ErrorCode::DateInvalidFormat)?;
        if [a, b, c].iter().any(|p| number(p, 4).is_none()) {
            return Err(ErrorCode::DateInvalidFormat);
        }
        if a.len() == 4 {
            (Some(a), Some(b), Some(c))
        } else if c.len() == 4 {
            match o.date_order {
                Some(DateOrder::Dmy) => (Some(c), Some(b), Some(a)),
                Some(DateOrder::Mdy) => (Some(c), Some(a), Some(b)),
                Some(DateOrder::Ymd) => return Err(ErrorCode::DateInvalidFormat),
                None => return Err(ErrorCode::DateAmbiguous),
            }
        } else {
            // Two-digit years (`2/16/97`) are refused: the century is a guess.
            return Err(ErrorCode::DateInvalidFormat);
        }
    };
    let num = |s: Option<&str>, max| s.and_then(|s| number(s, max));
    let (year, month, day) = match (num(y, 4), num(m, 2), num(d, 2)) {
        (Some(y), Some(m), Some(d)) => (y, m, d),
        _ => return Err(ErrorCode::DateInvalidFormat),
    };
    if !(MIN_YEAR..=MAX_YEAR).contains(&year) {
        return Err(ErrorCode::DateOutOfRange);
    }
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return Err(ErrorCode::DateImpossible);
    }
    Ok(format!("{year:04}{month:02}{day:02}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::Profile;

    fn dob(v: &str, order: Option<DateOrder>) -> Result<String, ErrorCode> {
        let o = NormalizeOptions::new(Profile::Pseudolink);
        let o = match order {
            Some(d) => o.with_date_order(d),
            None => o,
        };
        date_of_birth(v, &o)
    }

    #[test]
    fn dob_year_first_layouts() {
        for v in [
            "1997-02-16",
            "1997/02/16",
            "1997.02.16",
            "19970216",
            "1997-2-16",
            " 1997 02 16 ",
        ] {
            assert_eq!(dob(v, None).unwrap(), "19970216", "{v}");
        }
    }

    #[test]
    fn dob_day_month_first_needs_order() {
        assert_eq!(dob("16/02/1997", None), Err(ErrorCode::DateAmbiguous));
        assert_eq!(dob("16.02.1997", Some(DateOrder::Dmy)).unwrap(), "19970216");
        assert_eq!(dob("2/16/1997", Some(DateOrder::Mdy)).unwrap(), "19970216");
        assert_eq!(
            dob("16/02/1997", Some(DateOrder::Ymd)),
            Err(ErrorCode::DateInvalidFormat)
        );
    }

    #[test]
    fn dob_two_digit_years_and_junk_rejected() {
        assert_eq!(
            dob("2/16/97", Some(DateOrder::Mdy)),
            Err(ErrorCode::DateInvalidFormat)
        );
        assert_eq!(dob("1997-02", None), Err(ErrorCode::DateInvalidFormat));
        assert_eq!(dob("1997-02/16", None), Err(ErrorCode::DateInvalidFormat));
        assert_eq!(
            dob("February 16, 1997", None),
            Err(ErrorCode::DateInvalidFormat)
        );
        assert_eq!(dob("1997-0x-16", None), Err(ErrorCode::DateInvalidFormat));
    }

    #[test]
    fn dob_leap_years() {
        assert_eq!(dob("2000-02-29", None).unwrap(), "20000229");
        assert_eq!(dob("1900-02-29", None), Err(ErrorCode::DateImpossible));
        assert_eq!(dob("1996-02-29", None).unwrap(), "19960229");
        assert_eq!(dob("1997-02-29", None), Err(ErrorCode::DateImpossible));
    }

    #[test]
    fn dob_impossible_and_out_of_range() {
        assert_eq!(dob("1990-13-01", None), Err(ErrorCode::DateImpossible));
        assert_eq!(dob("1990-04-31", None), Err(ErrorCode::DateImpossible));
        assert_eq!(dob("1990-01-00", None), Err(ErrorCode::DateImpossible));
        assert_eq!(dob("1899-12-31", None), Err(ErrorCode::DateOutOfRange));
        assert_eq!(dob("2101-01-01", None), Err(ErrorCode::DateOutOfRange));
    }
}
