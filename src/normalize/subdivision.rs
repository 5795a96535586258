//! States, provinces and territories.
//!
//! For the United States, Canada and Australia a state is reduced to its postal
//! code (`California`, `ca`, `C.A.` → `CA`), because
//! Google wants the "state code" and Meta the "2-character ANSI abbreviation".
//! Elsewhere no code list is carried (it would cost kilobytes of wasm for little
//! matching gain): the name is folded per profile.

use super::text;
use super::{Country, NormalizeOptions};
use crate::error::ErrorCode;
use crate::profile::Profile;

/// One subdivision table: (code, name folded like `fold_words`), sorted by
/// code then name. A code may repeat for alias names (`DC`). Codes are found by
/// binary search; names by a scan (at most 60 rows, so one copy of the data).
type Table = &'static [(&'static str, &'static str)];

/// USPS / ANSI codes: 50 states, DC, the inhabited territories, the US Minor
/// Outlying Islands and the three military "states" (USPS Publication 28,
/// appendix B; ISO 3166-2:US).
const US: Table = &[
    ("AA", "armed forces americas"),
    ("AE", "armed forces europe"),
    ("AK", "alaska"),
    ("AL", "alabama"),
    ("AP", "armed forces pacific"),
    ("AR", "arkansas"),
    ("AS", "american samoa"),
    ("AZ", "arizona"),
    ("CA", "california"),
    ("CO", "colorado"),
    ("CT", "connecticut"),
    ("DC", "district of columbia"),
    ("DC", "washington dc"),
    ("DE", "delaware"),
    ("FL", "florida"),
    ("GA", "georgia"),
    ("GU", "guam"),
    ("HI", "hawaii"),
    ("IA", "iowa"),
    ("ID", "idaho"),
    ("IL", "illinois"),
    ("IN", "indiana"),
    ("KS", "kansas"),
    ("KY", "kentucky"),
    ("LA", "louisiana"),
    ("MA", "massachusetts"),
    ("MD", "maryland"),
    ("ME", "maine"),
    ("MI", "michigan"),
    ("MN", "minnesota"),
    ("MO", "missouri"),
    ("MP", "northern mariana islands"),
    ("MS", "mississippi"),
    ("MT", "montana"),
    ("NC", "north carolina"),
    ("ND", "north dakota"),
    ("NE", "nebraska"),
    ("NH", "new hampshire"),
    ("NJ", "new jersey"),
    ("NM", "new mexico"),
    ("NV", "nevada"),
    ("NY", "new york"),
    ("OH", "ohio"),
    ("OK", "oklahoma"),
    ("OR", "oregon"),
    ("PA", "pennsylvania"),
    ("PR", "puerto rico"),
    ("RI", "rhode island"),
    ("SC", "south carolina"),
    ("SD", "south dakota"),
    ("TN", "tennessee"),
    ("TX", "texas"),
    ("UM", "united states minor outlying islands"),
    ("UT", "utah"),
    ("VA", "virginia"),
    ("VI", "u s virgin islands"),
    ("VI", "virgin islands"),
    ("VI", "virgin islands u s"),
    ("VT", "vermont"),
    ("WA", "washington"),
    ("WI", "wisconsin"),
    ("WV", "west virginia"),
    ("WY", "wyoming"),
];

/// Canada Post province and territory symbols (ISO 3166-2:CA).
const CA: Table = &[
    ("AB", "alberta"),
    ("BC", "british columbia"),
    ("MB", "manitoba"),
    ("NB", "new brunswick"),
    ("NL", "newfoundland"),
    ("NL", "newfoundland and labrador"),
    ("NS", "nova scotia"),
    ("NT", "northwest territories"),
    ("NU", "nunavut"),
    ("ON", "ontario"),
    ("PE", "prince edward island"),
    ("QC", "quebec"),
    ("SK", "saskatchewan"),
    ("YT", "yukon"),
    ("YT", "yukon territory"),
];

/// Australian state and territory abbreviations (ISO 3166-2:AU), 2–3 letters.
const AU: Table = &[
    ("ACT", "australian capital territory"),
    ("NSW", "new south wales"),
    ("NT", "northern territory"),
    ("QLD", "queensland"),
    ("SA", "south australia"),
    ("TAS", "tasmania"),
    ("VIC", "victoria"),
    ("WA", "western australia"),
];

/// The table for a country, if it has one.
fn table(c: Country) -> Option<Table> {
    match &c.code() {
        b"US" => Some(US),
        b"CA" => Some(CA),
        b"AU" => Some(AU),
        _ => None,
    }
}

/// Finds a code by code (letters only: `N.Y.` is `NY`) or by folded name.
fn lookup(table: Table, value: &str) -> Option<&'static str> {
    let letters: String = value
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect::<String>()
        .to_ascii_uppercase();
    if (2..=3).contains(&letters.len()) {
        if let Ok(i) = table.binary_search_by(|(code, _)| (*code).cmp(letters.as_str())) {
            return table.get(i).map(|(code, _)| *code);
        }
    }
    let key = text::fold_words(value);
    table
        .iter()
        .find(|(_, name)| *name == key)
        .map(|(code, _)| *code)
}

/// Splits an ISO 3166-2 code such as `US-CA` into its country and the rest.
fn split_iso(value: &str) -> Option<(Country, &str)> {
    let (cc, rest) = value.split_once('-')?;
    if cc.len() != 2 || !(2..=3).contains(&rest.len()) {
        return None;
    }
    let c = Country::parse(cc)?;
    table(c).map(|_| (c, rest))
}

/// State field. The country comes from an ISO 3166-2 prefix, else
/// `o.region`, else the first of US, CA, AU that knows the value. Which one
/// answers does not change the output for codes shared between them (`WA`,
/// `NT`): the result is the code either way.
pub(crate) fn state(value: &str, o: &NormalizeOptions) -> Result<String, ErrorCode> {
    let t = text::trim(value);
    let (country, rest) = match split_iso(t) {
        Some((c, rest)) => (Some(c), rest),
        None => (o.region, t),
    };
    let found = match country.map(|c| (c, table(c))) {
        Some((c, Some(tab))) => Some((c, lookup(tab, rest).ok_or(ErrorCode::StateUnknown)?)),
        Some((_, None)) => None,
        None => [*b"US", *b"CA", *b"AU"]
            .into_iter()
            .map(Country::from_code)
            .find_map(|c| {
                table(c)
                    .and_then(|tab| lookup(tab, rest))
                    .map(|code| (c, code))
            }),
    };
    Ok(match (o.profile, found) {
        (_, Some((_, code))) => code.to_string(),
        // Google takes the state unhashed; with no code list, pass it trimmed.
        (Profile::Google, None) => rest.to_string(),
        (_, None) => text::fold_words(rest),
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

    fn pl(v: &str, region: Option<&str>) -> Result<String, ErrorCode> {
        state(v, &opts(Profile::Pseudolink, region))
    }

    #[test]
    fn tables_sorted_by_code_and_names_folded() {
        for tab in [US, CA, AU] {
            assert!(tab.windows(2).all(|w| w[0] < w[1]));
            for (_, name) in tab {
                assert_eq!(text::fold_words(name), *name);
            }
        }
    }

    #[test]
    fn state_us_names_and_codes_to_code() {
        assert_eq!(pl("California", Some("US")).unwrap(), "CA");
        assert_eq!(pl(" n.y. ", Some("US")).unwrap(), "NY");
        assert_eq!(pl("District of Columbia", None).unwrap(), "DC");
        assert_eq!(pl("Narnia", Some("US")), Err(ErrorCode::StateUnknown));
    }

    #[test]
    fn state_canada_diacritics_folded() {
        assert_eq!(pl("Québec", Some("CA")).unwrap(), "QC");
        assert_eq!(pl("Québec", None).unwrap(), "QC");
    }

    #[test]
    fn state_australia_three_letter_codes() {
        assert_eq!(pl("New South Wales", Some("AU")).unwrap(), "NSW");
        assert_eq!(pl("vic", Some("AU")).unwrap(), "VIC");
        assert_eq!(pl("AU-QLD", None).unwrap(), "QLD");
    }

    #[test]
    fn state_other_countries_folded_name() {
        assert_eq!(
            pl("Baden-Württemberg", Some("DE")).unwrap(),
            "baden wurttemberg"
        );
        assert_eq!(pl("Bavaria", None).unwrap(), "bavaria");
    }

    #[test]
    fn state_google_uppercase_code() {
        let g = |v, r| state(v, &opts(Profile::Google, r));
        assert_eq!(g("texas", Some("US")).unwrap(), "TX");
        assert_eq!(g("  Île-de-France ", Some("FR")).unwrap(), "Île-de-France");
    }
}
