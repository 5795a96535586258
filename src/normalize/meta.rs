//! The `meta` profile: the rules of Meta's own in-page library,
//! capi-param-builder (`client_js/shared/utils/piiUtil`, commit b0b6f0b), so
//! a page that swaps that library for pseudolink sends the same hashes.
//!
//! Written from the library's behaviour and unit tests (ported as
//! `tests/vectors/meta-param-builder.json`); where the library and Meta's
//! documentation page disagree, the library wins. Deliberate differences,
//! each listed in `tests/vectors/README.md`:
//!
//! - a day/month-first date whose two readings are both dates needs
//!   `dateOrder` or a region (the library guesses month first);
//! - the latest birth year is 2100, not "this year + 1" (the core has no clock);
//! - with an explicit `region`, a national phone number gets its country
//!   calling code (Meta's page asks for one; the library cannot know it).

use super::date::DateOrder;
use super::NormalizeOptions;
use crate::error::ErrorCode;

/// JavaScript's `\s` (Unicode White_Space and the BOM), what `trim()` and
/// the library's whitespace patterns remove.
fn js_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{feff}'
}

fn js_trim(s: &str) -> &str {
    s.trim_matches(js_space)
}

/// `em`: lowercase, trimmed, and a plain `atom(.atom)*@label(.label)+`
/// address of ASCII characters.
pub(crate) fn email(value: &str) -> Result<String, ErrorCode> {
    let v = value.to_lowercase();
    let v = js_trim(&v);
    if v.contains(js_space) {
        return Err(ErrorCode::EmailWhitespace);
    }
    let (local, domain) = match v.split_once('@') {
        None => return Err(ErrorCode::EmailMissingAt),
        Some((_, d)) if d.contains('@') => return Err(ErrorCode::EmailMultipleAt),
        Some(("", _)) => return Err(ErrorCode::EmailEmptyLocal),
        Some(p) => p,
    };
    let atom_char = |c: char| c.is_ascii_alphanumeric() || "_!#$%&'*+/=?^`{|}~-".contains(c);
    // `atom(:?.atom)*`: the library's pattern lets a `:` stand before each `.`.
    let atoms: Vec<&str> = local.split('.').collect();
    let last = atoms.len() - 1;
    let atoms_ok = atoms.iter().enumerate().all(|(i, a)| {
        let a = if i < last {
            a.strip_suffix(':').unwrap_or(a)
        } else {
            a
        };
        !a.is_empty() && a.chars().all(atom_char)
    });
    if !atoms_ok {
        return Err(ErrorCode::EmailInvalidCharacter);
    }
    let labels: Vec<&str> = domain.split('.').collect();
    let label_ok = |l: &&str| {
        !l.is_empty()
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    };
    if labels.len() < 2 || !labels.iter().all(label_ok) {
        return Err(ErrorCode::EmailInvalidDomain);
    }
    Ok(v.to_owned())
}

/// `ph`: every character but ASCII digits removed, then leading zeros.
pub(crate) fn phone_digits(value: &str) -> String {
    let digits: String = value.chars().filter(char::is_ascii_digit).collect();
    digits.trim_start_matches('0').to_owned()
}

/// `fn` / `ln`: whitespace and ASCII punctuation removed, lowercase; letters
/// of every script, digits and symbols (emoji) kept.
pub(crate) fn name(value: &str) -> String {
    value
        .chars()
        .filter(|c| !js_space(*c) && !c.is_ascii_punctuation())
        .collect::<String>()
        .to_lowercase()
}

/// `ct`: only ASCII letters and digits kept, lowercase; must start with a letter.
pub(crate) fn city(value: &str) -> Result<String, ErrorCode> {
    let s: String = value
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_lowercase();
    match s.bytes().next() {
        None => Err(ErrorCode::Empty),
        Some(b) if b.is_ascii_lowercase() => Ok(s),
        Some(_) => Err(ErrorCode::CityInvalid),
    }
}

/// Canadian provinces and territories, then US states, as the library looks
/// them up (letters only, lowercase), each with its code. Order matters: a
/// value that is no exact name takes the first name it contains.
const STATES: &str = "ontario:on quebec:qc britishcolumbia:bc alberta:ab saskatchewan:sk \
manitoba:mb novascotia:ns newbrunswick:nb princeedwardisland:pe newfoundlandandlabrador:nl \
yukon:yt northwestterritories:nt nunavut:nu alabama:al alaska:ak arizona:az arkansas:ar \
california:ca colorado:co connecticut:ct delaware:de florida:fl georgia:ga hawaii:hi idaho:id \
illinois:il indiana:in iowa:ia kansas:ks kentucky:ky louisiana:la maine:me maryland:md \
massachusetts:ma michigan:mi minnesota:mn mississippi:ms missouri:mo montana:mt nebraska:ne \
nevada:nv newhampshire:nh newjersey:nj newmexico:nm newyork:ny northcarolina:nc \
northdakota:nd ohio:oh oklahoma:ok oregon:or pennsylvania:pa rhodeisland:ri \
southcarolina:sc southdakota:sd tennessee:tn texas:tx utah:ut vermont:vt virginia:va \
washington:wa westvirginia:wv wisconsin:wi wyoming:wy";

fn pairs(table: &'static str) -> impl Iterator<Item = (&'static str, &'static str)> {
    table.split(' ').filter_map(|p| p.split_once(':'))
}

/// Letters a–z of the lowercased value.
fn letters(value: &str) -> String {
    value
        .to_lowercase()
        .chars()
        .filter(char::is_ascii_lowercase)
        .collect()
}

/// The library's two-letter reduction: two letters stay; a known name gives
/// its code; else the first known name inside the value; else the value;
/// then at most its first two letters.
fn two_letters(
    key: String,
    exact: impl Fn(&str) -> Option<String>,
    table: &'static str,
) -> Result<String, ErrorCode> {
    let code = if key.len() == 2 {
        key
    } else if let Some(c) = exact(&key) {
        c
    } else if let Some((_, c)) = pairs(table).find(|(n, _)| key.contains(n)) {
        c.to_owned()
    } else {
        key
    };
    if code.is_empty() {
        return Err(ErrorCode::Empty);
    }
    Ok(code.chars().take(2).collect())
}

/// `st`: a US state or Canadian province name → its code; anything else →
/// its first two letters, lowercase.
pub(crate) fn state(value: &str) -> Result<String, ErrorCode> {
    let exact = |k: &str| {
        pairs(STATES)
            .find(|(n, _)| *n == k)
            .map(|(_, c)| c.to_owned())
    };
    two_letters(letters(value), exact, STATES)
}

/// `country`: an English country name (or one inside the value) → its
/// alpha-2 code, also `usa` and `ind`; anything else → its first two
/// letters, lowercase.
pub(crate) fn country(value: &str) -> Result<String, ErrorCode> {
    let key = letters(value);
    let code = match key.as_str() {
        k if k.len() == 2 => return Ok(key),
        "usa" => Some("us".to_owned()),
        "ind" => Some("in".to_owned()),
        k => super::Country::by_letters(k).map(|c| c.as_str().to_ascii_lowercase()),
    };
    two_letters(code.unwrap_or(key), |_| None, "")
}

/// `zp`: lowercase, cut at the first `-`, trimmed; at least two characters
/// (counted in UTF-16 code units, as the library does).
pub(crate) fn postal_code(value: &str) -> Result<String, ErrorCode> {
    let lower = value.to_lowercase();
    let head = lower.split('-').next().unwrap_or_default();
    let head = js_trim(head);
    if head.encode_utf16().count() < 2 {
        return Err(ErrorCode::PostalInvalid);
    }
    Ok(head.to_owned())
}

/// `external_id`: whitespace removed, lowercase.
pub(crate) fn external_id(value: &str) -> String {
    value
        .chars()
        .filter(|c| !js_space(*c))
        .collect::<String>()
        .to_lowercase()
}

/// Words the library reads as a gender (trimmed, lowercase).
const MALE: &str = " man male boy gentleman guy sir mister mr son father dad daddy papa uncle \
nephew brother husband boyfriend groom widower king prince duke count emperor god lord lad \
fellow chap bloke dude he him his himself m ";
const FEMALE: &str = " woman female girl lady miss ms mrs madam ma'am daughter mother mom mama \
mommy aunt niece sister wife girlfriend bride widow queen princess duchess countess empress \
goddess maiden lass gal chick dame belle she her hers herself f ";

/// `ge`: `m` or `f` from the library's word lists.
pub(crate) fn gender(value: &str) -> Result<String, ErrorCode> {
    let w = value.to_lowercase();
    let w = js_trim(&w);
    if w.is_empty() || w.contains(' ') {
        return Err(ErrorCode::GenderUnknown);
    }
    let has = |list: &str| list.contains(&format!(" {w} "));
    if has(MALE) {
        Ok("m".into())
    } else if has(FEMALE) {
        Ok("f".into())
    } else {
        Err(ErrorCode::GenderUnknown)
    }
}

/// Earliest birth year the library takes.
const MIN_YEAR: u64 = 1800;
/// Latest birth year (the library's is "this year + 1"; the core has no clock).
const MAX_YEAR: u64 = 2100;

/// `db`: the first three digit runs, wherever they are, as a date; or one
/// run of eight digits as is. The year is the number above 31; a number
/// above 12 is the day. Month 1–12, day 1–31, year 1800–2100.
pub(crate) fn date_of_birth(value: &str, o: &NormalizeOptions) -> Result<String, ErrorCode> {
    let runs: Vec<&str> = value
        .split(|c: char| !c.is_ascii_digit())
        .filter(|r| !r.is_empty())
        .collect();
    if let [a, b, c, ..] = runs[..] {
        // parseInt: leading zeros ignored; a run too long for u64 is no date.
        let n = |s: &str| match s.trim_start_matches('0') {
            "" => 0,
            t => t.parse::<u64>().unwrap_or(u64::MAX),
        };
        let (n1, n2, n3) = (n(a), n(b), n(c));
        let (year, month, day) = if n1 > 31 {
            if n2 > 12 {
                (n1, n3, n2)
            } else {
                (n1, n2, n3)
            }
        } else if n2 > 31 {
            if n3 > 12 {
                (n2, n1, n3)
            } else {
                (n2, n3, n1)
            }
        } else {
            let order = match o.date_order {
                Some(order) => Some(order),
                None if n1 > 12 || n2 > 12 || n1 == n2 => None,
                None => match o.region.map(DateOrder::of_region) {
                    Some(DateOrder::Ymd) | None => return Err(ErrorCode::DateAmbiguous),
                    order => order,
                },
            };
            match order {
                Some(DateOrder::Dmy) => (n3, n2, n1),
                Some(DateOrder::Mdy) => (n3, n1, n2),
                Some(DateOrder::Ymd) => return Err(ErrorCode::DateInvalidFormat),
                None if n1 > 12 => (n3, n2, n1),
                None => (n3, n1, n2),
            }
        };
        if !(MIN_YEAR..=MAX_YEAR).contains(&year) {
            return Err(ErrorCode::DateOutOfRange);
        }
        if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
            return Err(ErrorCode::DateImpossible);
        }
        return Ok(format!("{year:04}{month:02}{day:02}"));
    }
    match runs[..] {
        [one] if one.len() == 8 => Ok(one.to_owned()),
        _ => Err(ErrorCode::DateInvalidFormat),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::Profile;

    #[test]
    fn meta_names_keep_letters_of_every_script() {
        assert_eq!(name("  Na'than-Boile "), "nathanboile");
        assert_eq!(name("Van  Der Berg"), "vanderberg");
        assert_eq!(name("정 Valéry"), "정valéry");
    }

    #[test]
    fn meta_city_state_country_zip() {
        assert_eq!(city("St. Louis").unwrap(), "stlouis");
        assert_eq!(city("São Paulo").unwrap(), "sopaulo");
        assert_eq!(city("1st City"), Err(ErrorCode::CityInvalid));
        assert_eq!(state("California").unwrap(), "ca");
        assert_eq!(state("Ontario").unwrap(), "on");
        assert_eq!(state("New South Wales").unwrap(), "ne");
        assert_eq!(state("123"), Err(ErrorCode::Empty));
        assert_eq!(country("United States").unwrap(), "us");
        assert_eq!(country("JapanAsia").unwrap(), "jp");
        assert_eq!(country("UK").unwrap(), "uk");
        assert_eq!(postal_code("K1A 0A6").unwrap(), "k1a 0a6");
        assert_eq!(postal_code("94105-1234").unwrap(), "94105");
        assert_eq!(postal_code("1"), Err(ErrorCode::PostalInvalid));
    }

    #[test]
    fn meta_email_phone_gender_external_id() {
        assert_eq!(
            email(" Jane.Doe+x@Example.COM ").unwrap(),
            "jane.doe+x@example.com"
        );
        assert_eq!(
            email("a..b@example.com"),
            Err(ErrorCode::EmailInvalidCharacter)
        );
        assert_eq!(email("a@localhost"), Err(ErrorCode::EmailInvalidDomain));
        assert_eq!(email("a b@example.com"), Err(ErrorCode::EmailWhitespace));
        assert_eq!(phone_digits("+1 (650) 555-1212"), "16505551212");
        assert_eq!(phone_digits("0044 20 7946 0958"), "442079460958");
        assert_eq!(gender(" Sir ").unwrap(), "m");
        assert_eq!(gender("her").unwrap(), "f");
        assert_eq!(gender("x"), Err(ErrorCode::GenderUnknown));
        assert_eq!(external_id(" AB 12 "), "ab12");
    }

    #[test]
    fn meta_dates_like_the_library_but_never_guessing() {
        let o = NormalizeOptions::new(Profile::Meta);
        assert_eq!(date_of_birth("2/16/1997", &o).unwrap(), "19970216");
        assert_eq!(date_of_birth("Born: 31.12.1990", &o).unwrap(), "19901231");
        assert_eq!(date_of_birth("1990-31-12", &o).unwrap(), "19901231");
        assert_eq!(
            date_of_birth("05-03-1995", &o),
            Err(ErrorCode::DateAmbiguous)
        );
        let us = o.with_region(crate::normalize::Country::parse("US").unwrap());
        assert_eq!(date_of_birth("05-03-1995", &us).unwrap(), "19950503");
        let dmy = o.with_date_order(DateOrder::Dmy);
        assert_eq!(date_of_birth("05-03-1995", &dmy).unwrap(), "19950305");
        assert_eq!(date_of_birth("19970216", &o).unwrap(), "19970216");
        assert_eq!(
            date_of_birth("01-01-1799", &o),
            Err(ErrorCode::DateOutOfRange)
        );
        assert_eq!(date_of_birth("1997", &o), Err(ErrorCode::DateInvalidFormat));
    }
}
