//! Street, city and postal code.
//!
//! The pseudolink profile folds free text (`fold_words`) and then applies the
//! USPS Publication 28 abbreviations so `123 North Main Street` and
//! `123 N Main St` meet. The vendor profiles do only what their pages say.

use super::text;
use super::{Country, NormalizeOptions};
use crate::error::ErrorCode;
use crate::profile::Profile;

/// Street words and their USPS Publication 28 standard abbreviation, sorted:
/// street suffixes (appendix C1), secondary unit designators (C2) and
/// directionals (section 233). Only the primary spellings, to stay small;
/// words already abbreviated pass through unchanged.
const STREET_WORDS: &[(&str, &str)] = &[
    ("alley", "aly"),
    ("annex", "anx"),
    ("apartment", "apt"),
    ("arcade", "arc"),
    ("avenue", "ave"),
    ("basement", "bsmt"),
    ("beach", "bch"),
    ("bend", "bnd"),
    ("bluff", "blf"),
    ("boulevard", "blvd"),
    ("branch", "br"),
    ("bridge", "brg"),
    ("brook", "brk"),
    ("building", "bldg"),
    ("bypass", "byp"),
    ("canyon", "cyn"),
    ("causeway", "cswy"),
    ("center", "ctr"),
    ("centre", "ctr"),
    ("circle", "cir"),
    ("cliff", "clf"),
    ("corner", "cor"),
    ("court", "ct"),
    ("cove", "cv"),
    ("creek", "crk"),
    ("crescent", "cres"),
    ("crossing", "xing"),
    ("department", "dept"),
    ("drive", "dr"),
    ("east", "e"),
    ("estates", "ests"),
    ("expressway", "expy"),
    ("extension", "ext"),
    ("falls", "fls"),
    ("ferry", "fry"),
    ("field", "fld"),
    ("floor", "fl"),
    ("forest", "frst"),
    ("fort", "ft"),
    ("freeway", "fwy"),
    ("front", "frnt"),
    ("garden", "gdn"),
    ("gardens", "gdns"),
    ("gateway", "gtwy"),
    ("glen", "gln"),
    ("green", "grn"),
    ("grove", "grv"),
    ("harbor", "hbr"),
    ("heights", "hts"),
    ("highway", "hwy"),
    ("hill", "hl"),
    ("hills", "hls"),
    ("island", "is"),
    ("junction", "jct"),
    ("lake", "lk"),
    ("landing", "lndg"),
    ("lane", "ln"),
    ("lobby", "lbby"),
    ("lower", "lowr"),
    ("manor", "mnr"),
    ("meadows", "mdws"),
    ("mount", "mt"),
    ("mountain", "mtn"),
    ("north", "n"),
    ("northeast", "ne"),
    ("northwest", "nw"),
    ("office", "ofc"),
    ("parkway", "pkwy"),
    ("penthouse", "ph"),
    ("place", "pl"),
    ("plaza", "plz"),
    ("point", "pt"),
    ("ridge", "rdg"),
    ("river", "riv"),
    ("road", "rd"),
    ("room", "rm"),
    ("route", "rte"),
    ("south", "s"),
    ("southeast", "se"),
    ("southwest", "sw"),
    ("space", "spc"),
    ("square", "sq"),
    ("station", "sta"),
    ("street", "st"),
    ("suite", "ste"),
    ("terrace", "ter"),
    ("trail", "trl"),
    ("trailer", "trlr"),
    ("turnpike", "tpke"),
    ("upper", "uppr"),
    ("valley", "vly"),
    ("view", "vw"),
    ("village", "vlg"),
    ("west", "w"),
];

/// City-name abbreviations expanded, sorted: `St. Louis` and `Saint Louis`
/// are the same place, and so are `Mt.`/`Mount` and `Ft.`/`Fort`.
const CITY_WORDS: &[(&str, &str)] = &[
    ("ft", "fort"),
    ("mt", "mount"),
    ("st", "saint"),
    ("ste", "sainte"),
];

/// Replaces every word of already folded text found in `table`.
fn map_words(folded: &str, table: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(folded.len());
    for word in folded.split(' ') {
        if !out.is_empty() {
            out.push(' ');
        }
        let mapped = table
            .binary_search_by(|(w, _)| text::cmp_first_byte_then_all(w, word))
            .ok()
            .and_then(|i| table.get(i))
            .map_or(word, |(_, abbr)| *abbr);
        out.push_str(mapped);
    }
    out
}

/// Street line. Google hashes it after "remove leading and trailing
/// whitespace; convert the text to lowercase" (enhanced conversions page);
/// pseudolink folds it and applies the USPS abbreviations. `#` (unit of
/// unknown type) disappears with the other punctuation.
pub(crate) fn street(value: &str, o: &NormalizeOptions) -> Result<String, ErrorCode> {
    Ok(match o.profile {
        Profile::Google => text::trim(value).to_lowercase(),
        _ => map_words(&text::fold_words(value), STREET_WORDS),
    })
}

/// City. Google takes the city unhashed and states no rule beyond
/// trimming. Pseudolink: folded, with `st`→`saint` and friends. (Meta:
/// `normalize/meta.rs`.)
pub(crate) fn city(value: &str, o: &NormalizeOptions) -> Result<String, ErrorCode> {
    Ok(match o.profile {
        Profile::Google => text::trim(value).to_string(),
        _ => map_words(&text::fold_words(value), CITY_WORDS),
    })
}

/// The postal code systems pseudolink validates; everything else is generic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scheme {
    /// US ZIP codes, also used by the US territories.
    Us,
    /// UK postcodes, also used by the Crown Dependencies.
    Gb,
    /// Canadian postal codes.
    Ca,
    /// No format known: only cleaned.
    Other,
}

/// Which scheme a country uses.
fn scheme_for(c: Country) -> Scheme {
    match &c.code() {
        b"US" | b"PR" | b"GU" | b"VI" | b"AS" | b"MP" => Scheme::Us,
        b"GB" | b"GG" | b"JE" | b"IM" => Scheme::Gb,
        b"CA" => Scheme::Ca,
        _ => Scheme::Other,
    }
}

/// Guesses the scheme from the shape of the code when no country is known.
fn detect(v: &str) -> Scheme {
    if parse_us(v).is_some() {
        Scheme::Us
    } else if parse_gb(v).is_some() {
        Scheme::Gb
    } else if parse_ca(v).is_some() {
        Scheme::Ca
    } else {
        Scheme::Other
    }
}

/// ZIP or ZIP+4: `94105`, `94105-1234`, `94105 1234`, `941051234`.
/// Returns the five digits and the optional four.
fn parse_us(v: &str) -> Option<(&str, Option<&str>)> {
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    let (five, four) = match v.split_once(['-', ' ']) {
        Some((a, b)) => (a, Some(b)),
        None if v.len() == 9 => (v.get(..5)?, v.get(5..)),
        None => (v, None),
    };
    (digits(five, 5) && four.is_none_or(|f| digits(f, 4))).then_some((five, four))
}

/// Whitespace removed and ASCII uppercased, if only ASCII letters and digits
/// remain.
fn compact_upper(v: &str) -> Option<String> {
    let s: String = v.chars().filter(|c| !text::is_space_like(*c)).collect();
    s.bytes()
        .all(|b| b.is_ascii_alphanumeric())
        .then(|| s.to_ascii_uppercase())
}

/// Does `s` match `shape`, where `A` is a letter and `9` a digit?
fn shaped(s: &str, shape: &str) -> bool {
    s.len() == shape.len()
        && s.bytes().zip(shape.bytes()).all(|(c, p)| match p {
            b'A' => c.is_ascii_uppercase(),
            _ => c.is_ascii_digit(),
        })
}

/// UK postcode (Royal Mail PAF): outward code `A9`, `A99`, `A9A`, `AA9`,
/// `AA99` or `AA9A`, then inward code `9AA` whose letters are never C, I, K,
/// M, O or V; plus the special `GIR 0AA`. Returns (outward, inward).
fn parse_gb(v: &str) -> Option<(String, String)> {
    let s = compact_upper(v)?;
    let split = s.len().checked_sub(3)?;
    let (outward, inward) = (s.get(..split)?, s.get(split..)?);
    let inward_ok = shaped(inward, "9AA") && !inward.bytes().any(|b| b"CIKMOV".contains(&b));
    let outward_ok = ["A9", "A99", "A9A", "AA9", "AA99", "AA9A"]
        .iter()
        .any(|p| shaped(outward, p))
        || outward == "GIR";
    (inward_ok && outward_ok).then(|| (outward.to_string(), inward.to_string()))
}

/// Canadian postal code (Canada Post): `A9A 9A9`, letters never D, F, I, O,
/// Q or U, and never W or Z first. Returns the six characters uppercase.
fn parse_ca(v: &str) -> Option<String> {
    let s = compact_upper(v)?;
    let letters_ok =
        s.bytes().step_by(2).all(|b| !b"DFIOQU".contains(&b)) && !s.starts_with(['W', 'Z']);
    (shaped(&s, "A9A9A9") && letters_ok).then_some(s)
}

/// Postal code, country-aware through `o.region` (or the code's shape).
/// US: five digits. UK and Canada: validated, then `SW1A 1AA`. Elsewhere:
/// uppercase words. (Meta and Google: `normalize/meta.rs`, `normalize/google.rs`.)
pub(crate) fn postal_code(value: &str, o: &NormalizeOptions) -> Result<String, ErrorCode> {
    let t = text::trim(value);
    let scheme = o.region.map_or_else(|| detect(t), scheme_for);
    Ok(match scheme {
        Scheme::Us => {
            let (five, _) = parse_us(t).ok_or(ErrorCode::PostalInvalid)?;
            five.to_string()
        }
        Scheme::Gb => {
            let (outward, inward) = parse_gb(t).ok_or(ErrorCode::PostalInvalid)?;
            format!("{outward} {inward}")
        }
        Scheme::Ca => {
            let s = parse_ca(t).ok_or(ErrorCode::PostalInvalid)?;
            let (fsa, ldu) = s.split_at(3);
            format!("{fsa} {ldu}")
        }
        Scheme::Other => text::fold_words(t).to_uppercase(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(p: Profile, region: Option<&str>) -> NormalizeOptions {
        let o = NormalizeOptions::new(p);
        match region.and_then(Country::parse) {
            Some(c) => o.with_region(c),
            None => o,
        }
    }

    fn zip(v: &str, p: Profile, region: Option<&str>) -> Result<String, ErrorCode> {
        postal_code(v, &opts(p, region))
    }

    #[test]
    fn tables_sorted() {
        assert!(STREET_WORDS.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(CITY_WORDS.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn street_usps_abbreviations() {
        let o = opts(Profile::Pseudolink, None);
        assert_eq!(
            street("123 North Main Street, Apartment #5", &o).unwrap(),
            "123 n main st apt 5"
        );
        assert_eq!(
            street("1600 Pennsylvania Avenue NW", &o).unwrap(),
            "1600 pennsylvania ave nw"
        );
        assert_eq!(street("Hauptstraße 5", &o).unwrap(), "hauptstrasse 5");
    }

    #[test]
    fn street_google_lowercase_trim_only() {
        let o = opts(Profile::Google, None);
        assert_eq!(street("  123 Main St. ", &o).unwrap(), "123 main st.");
    }

    #[test]
    fn city_pseudolink_saint_expanded() {
        let o = opts(Profile::Pseudolink, None);
        assert_eq!(city("St. Louis", &o).unwrap(), "saint louis");
        assert_eq!(city("Saint Louis", &o).unwrap(), "saint louis");
        assert_eq!(city("Winston-Salem", &o).unwrap(), "winston salem");
    }

    #[test]
    fn postal_us_five_digits() {
        for v in ["94105", "94105-1234", "941051234", " 94105 1234 "] {
            assert_eq!(zip(v, Profile::Pseudolink, Some("US")).unwrap(), "94105");
        }
        assert_eq!(
            zip("9410", Profile::Pseudolink, Some("US")),
            Err(ErrorCode::PostalInvalid)
        );
        assert_eq!(
            zip("94105-12", Profile::Pseudolink, Some("US")),
            Err(ErrorCode::PostalInvalid)
        );
    }

    #[test]
    fn postal_uk_format_per_profile() {
        assert_eq!(
            zip("sw1a1aa", Profile::Pseudolink, None).unwrap(),
            "SW1A 1AA"
        );
        assert_eq!(
            zip("M1 1AE", Profile::Pseudolink, Some("GB")).unwrap(),
            "M1 1AE"
        );
        assert_eq!(
            zip("SW1A 1AI", Profile::Pseudolink, Some("GB")),
            Err(ErrorCode::PostalInvalid)
        );
    }

    #[test]
    fn postal_canada_format_per_profile() {
        assert_eq!(zip("k1a0a6", Profile::Pseudolink, None).unwrap(), "K1A 0A6");
        assert_eq!(
            zip("D1A 0A6", Profile::Pseudolink, Some("CA")),
            Err(ErrorCode::PostalInvalid)
        );
    }

    #[test]
    fn postal_other_countries_cleaned() {
        assert_eq!(
            zip("1229-076", Profile::Pseudolink, Some("PT")).unwrap(),
            "1229 076"
        );
    }

    #[test]
    fn geo_fields_never_panic_on_odd_input() {
        use crate::field::Field;
        use crate::normalize::{normalize, DateOrder};
        let odd = [
            "",
            " ",
            "-",
            "--",
            "#",
            "\u{0}",
            "é",
            "9410é234",
            "éééééééé",
            "1997-02-",
            "--1997",
            "US-",
            "-CA",
            "GIR0AA",
            "Ω",
            "\u{303}",
            "١٩٩٧-٠٢-١٦",
            "99999999999999999999",
        ];
        let fields = [
            Field::Street,
            Field::City,
            Field::State,
            Field::PostalCode,
            Field::Country,
            Field::DateOfBirth,
            Field::Gender,
            Field::ExternalId,
        ];
        for p in [Profile::Pseudolink, Profile::Google, Profile::Meta] {
            for region in [
                None,
                Some("US"),
                Some("GB"),
                Some("CA"),
                Some("AU"),
                Some("FR"),
            ] {
                for order in [None, Some(DateOrder::Dmy)] {
                    let mut o = opts(p, region);
                    if let Some(d) = order {
                        o = o.with_date_order(d);
                    }
                    for f in fields {
                        for v in odd {
                            let _ = normalize(f, v, &o);
                        }
                    }
                }
            }
        }
    }
}
