//! Dates of birth, to `YYYYMMDD` (Meta's `db` format, and pseudolink's).
//!
//! Year-first layouts (`1990-12-31`, `1990/12/31`, `1990.12.31`, `19901231`)
//! are read as they are. For day/month-first layouts (`03/04/1990`) the order
//! comes from, in turn:
//!
//! 1. an explicit [`DateOrder`] (`dateOrder`), which always wins;
//! 2. the date itself, when only one reading is a real date (`2/16/1997` can
//!    only be 16 February, `16/2/1997` too);
//! 3. the region's usual order (`region`, a definition's `defaultRegion`):
//!    month first in the US and the few other regions whose CLDR short date
//!    pattern puts the month first, day first in most of the world;
//! 4. otherwise `date.ambiguous`: `03/04/1990` is March in the US and April
//!    elsewhere, and a wrong guess links the wrong people.
use super::text;
use super::NormalizeOptions;
use crate::error::ErrorCode;
use crate::normalize::Country;

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

/// Regions whose usual numeric date order is month, day, year, and those
/// whose order is year first; every other region writes the day first. From
/// Unicode CLDR 47's short date pattern of each region's likely locale
/// (`scripts/vectors/cldr_date_order.py` prints both lists).
const MONTH_FIRST: &str = "ER GH GU MH MP PA PH PR UM US VI";
const YEAR_FIRST: &str =
    "AF AX BT CA CN GL HU IR JP KP KR LK LS LT MG MN MW NA NP PY RW SE TW ZA ZW";

impl DateOrder {
    /// The usual order of numeric dates in `region` (Unicode CLDR short date
    /// patterns): [`DateOrder::Mdy`] in the US, [`DateOrder::Ymd`] in China,
    /// Japan, Korea, Hungary, Sweden, Canada…, [`DateOrder::Dmy`] elsewhere.
    ///
    /// ```
    /// use pseudolink::{Country, DateOrder};
    /// let us = Country::parse("US").unwrap();
    /// assert_eq!(DateOrder::of_region(us), DateOrder::Mdy);
    /// assert_eq!(DateOrder::of_region(Country::parse("DE").unwrap()), DateOrder::Dmy);
    /// ```
    pub fn of_region(region: Country) -> DateOrder {
        let has = |list: &str| list.split(' ').any(|c| c == region.as_str());
        if has(MONTH_FIRST) {
            DateOrder::Mdy
        } else if has(YEAR_FIRST) {
            DateOrder::Ymd
        } else {
            DateOrder::Dmy
        }
    }
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

/// Checks a year, month and day and writes them as `YYYYMMDD`.
fn ymd(year: u32, month: u32, day: u32) -> Result<String, ErrorCode> {
    if !(MIN_YEAR..=MAX_YEAR).contains(&year) {
        return Err(ErrorCode::DateOutOfRange);
    }
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return Err(ErrorCode::DateImpossible);
    }
    // `{year:04}{month:02}{day:02}` without the formatting machinery, which
    // cost half of a date's normalisation: the checks above bound each
    // number to its width.
    if !text::FAST_PATHS {
        return Ok(format!("{year:04}{month:02}{day:02}"));
    }
    let mut out = String::with_capacity(8);
    for (v, width) in [(year, 4), (month, 2), (day, 2)] {
        for place in (0..width).rev() {
            out.push(char::from(b'0' + (v / 10u32.pow(place) % 10) as u8));
        }
    }
    Ok(out)
}

/// Date of birth → `YYYYMMDD`. Errors: `date.invalid_format` (layout, two-digit
/// year), `date.ambiguous` (day/month first, both readings real dates, and no
/// order given or known for the region), `date.out_of_range` (year outside
/// 1900..=2100), `date.impossible` (no such day).
pub(crate) fn date_of_birth(value: &str, o: &NormalizeOptions) -> Result<String, ErrorCode> {
    let t = text::trim(value);
    if t.len() == 8 && t.bytes().all(|b| b.is_ascii_digit()) {
        let n = |r: core::ops::Range<usize>| t.get(r).and_then(|s| number(s, 4)).unwrap_or(0);
        return ymd(n(0..4), n(4..6), n(6..8));
    }
    let [a, b, c] = split3(t).ok_or(ErrorCode::DateInvalidFormat)?;
    let [x, y, z] = [a, b, c].map(|p| number(p, 4));
    let (Some(x), Some(y), Some(z)) = (x, y, z) else {
        return Err(ErrorCode::DateInvalidFormat);
    };
    if a.len() == 4 && b.len() <= 2 && c.len() <= 2 {
        return ymd(x, y, z);
    }
    // Two-digit years (`2/16/97`) are refused: the century is a guess.
    if c.len() != 4 || a.len() > 2 || b.len() > 2 {
        return Err(ErrorCode::DateInvalidFormat);
    }
    let dmy = ymd(z, y, x);
    let mdy = ymd(z, x, y);
    let order = match o.date_order {
        Some(DateOrder::Ymd) => return Err(ErrorCode::DateInvalidFormat),
        Some(order) => order,
        None => match (&dmy, &mdy) {
            (Ok(_), Err(_)) => DateOrder::Dmy,
            (Err(_), Ok(_)) => DateOrder::Mdy,
            (Ok(d), Ok(m)) if d == m => DateOrder::Dmy,
            (Ok(_), Ok(_)) => match o.region.map(DateOrder::of_region) {
                Some(DateOrder::Ymd) | None => return Err(ErrorCode::DateAmbiguous),
                Some(order) => order,
            },
            // Neither is a date: the day-first reading's error says why.
            (Err(_), Err(_)) => DateOrder::Dmy,
        },
    };
    if order == DateOrder::Mdy {
        mdy
    } else {
        dmy
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::Profile;

    #[test]
    fn ymd_writes_what_format_wrote() {
        for year in MIN_YEAR.saturating_sub(5)..=MAX_YEAR + 5 {
            for month in 0..=13 {
                for day in 0..=32 {
                    let want = if !(MIN_YEAR..=MAX_YEAR).contains(&year) {
                        Err(ErrorCode::DateOutOfRange)
                    } else if !(1..=12).contains(&month)
                        || day == 0
                        || day > days_in_month(year, month)
                    {
                        Err(ErrorCode::DateImpossible)
                    } else {
                        Ok(format!("{year:04}{month:02}{day:02}"))
                    };
                    assert_eq!(ymd(year, month, day), want, "{year}-{month}-{day}");
                }
            }
        }
    }

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
    fn dob_day_month_first_one_reading_or_order() {
        // Only one reading is a date: accepted with no order.
        assert_eq!(dob("16/02/1997", None).unwrap(), "19970216");
        assert_eq!(dob("2/16/1997", None).unwrap(), "19970216");
        assert_eq!(dob("05/05/1984", None).unwrap(), "19840505");
        // Both readings are dates: ambiguous without an order.
        assert_eq!(dob("05/02/1984", None), Err(ErrorCode::DateAmbiguous));
        assert_eq!(dob("16.02.1997", Some(DateOrder::Dmy)).unwrap(), "19970216");
        assert_eq!(dob("2/16/1997", Some(DateOrder::Mdy)).unwrap(), "19970216");
        // An explicit order wins, even against the only valid reading.
        assert_eq!(
            dob("2/16/1997", Some(DateOrder::Dmy)),
            Err(ErrorCode::DateImpossible)
        );
        assert_eq!(
            dob("16/02/1997", Some(DateOrder::Ymd)),
            Err(ErrorCode::DateInvalidFormat)
        );
        assert_eq!(dob("13/13/1990", None), Err(ErrorCode::DateImpossible));
        assert_eq!(dob("01/02/1890", None), Err(ErrorCode::DateOutOfRange));
    }

    #[test]
    fn dob_region_order() {
        let at = |v: &str, r: &str| {
            let o =
                NormalizeOptions::new(Profile::Pseudolink).with_region(Country::parse(r).unwrap());
            date_of_birth(v, &o)
        };
        assert_eq!(at("05/02/1984", "US").unwrap(), "19840502");
        assert_eq!(at("05/02/1984", "DE").unwrap(), "19840205");
        assert_eq!(at("05/02/1984", "JP"), Err(ErrorCode::DateAmbiguous));
        // The only valid reading still wins over the region's order.
        assert_eq!(at("16/02/1997", "US").unwrap(), "19970216");
        let o = NormalizeOptions::new(Profile::Pseudolink)
            .with_region(Country::parse("US").unwrap())
            .with_date_order(DateOrder::Dmy);
        assert_eq!(date_of_birth("05/02/1984", &o).unwrap(), "19840205");
    }

    #[test]
    fn dob_region_lists_are_assigned_codes() {
        for c in MONTH_FIRST.split(' ').chain(YEAR_FIRST.split(' ')) {
            assert_eq!(
                Country::parse(c).map(|c| c.as_str().to_owned()),
                Some(c.into())
            );
        }
        assert_eq!(
            DateOrder::of_region(Country::parse("CN").unwrap()),
            DateOrder::Ymd
        );
        assert_eq!(
            DateOrder::of_region(Country::parse("GB").unwrap()),
            DateOrder::Dmy
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
