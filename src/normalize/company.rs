//! Company fields (pseudolink profile only): legal name, D-U-N-S number and web
//! domain, each reduced to the form two records of the same company share.

use super::email::is_plausible_domain;
use super::name::drop_apostrophes;
use super::text;
use super::NormalizeOptions;
use crate::error::ErrorCode;

/// Legal-form abbreviations and words dropped from the end of a company name,
/// in folded form with dots and spaces removed (`S.p.A.` → `spa`, `A/S` → `as`),
/// sorted for binary search. Drawn from the ISO 20275 Entity Legal Forms list.
const LEGAL_FORMS: [&str; 46] = [
    "ab",
    "ag",
    "as",
    "asa",
    "bhd",
    "bv",
    "bvba",
    "co",
    "company",
    "corp",
    "corporation",
    "cv",
    "gk",
    "gmbh",
    "inc",
    "incorporated",
    "kft",
    "kg",
    "kgaa",
    "kk",
    "limited",
    "llc",
    "llp",
    "lp",
    "ltd",
    "ltda",
    "nv",
    "ohg",
    "oy",
    "oyj",
    "plc",
    "pte",
    "pty",
    "sa",
    "sarl",
    "sas",
    "sdn",
    "se",
    "sl",
    "sp",
    "spa",
    "sprl",
    "srl",
    "sro",
    "ug",
    "zoo",
];

/// The longest dotted abbreviation we re-join (`S.à r.l.` is four letters).
const MAX_INITIALS: usize = 4;

/// D-U-N-S numbers have exactly nine digits.
const DUNS_DIGITS: usize = 9;

/// Normalises a company (legal entity) name.
///
/// `"The Acme Holdings, Inc."` → `"acme holdings"`: folded words, `&`/`+` read
/// as `and`, legal forms removed from the end repeatedly (`GmbH & Co. KG`), a
/// leading `The` removed; at least one word is always kept.
pub(crate) fn company_name(value: &str, _o: &NormalizeOptions) -> Result<String, ErrorCode> {
    let spelled: String = drop_apostrophes(value)
        .chars()
        .map(|c| match c {
            '&' | '+' => " and ".to_owned(),
            _ => c.to_string(),
        })
        .collect();
    let folded = text::fold_words(&spelled);
    let mut words: Vec<&str> = folded.split(' ').filter(|w| !w.is_empty()).collect();
    // "The" first, so it never counts as the one word kept ("The Limited").
    if words.len() > 1 && words.first() == Some(&"the") {
        words.remove(0);
    }
    while words.len() > 1 && remove_legal_form(&mut words) {
        // "Smith & Co." and "X GmbH & Co. KG": the joining "and" goes too.
        if words.len() > 1 && words.last() == Some(&"and") {
            words.pop();
        }
    }
    Ok(words.join(" "))
}

/// Removes one legal form from the end of `words` (keeping at least one word):
/// a trailing run of single letters re-joined (`l l c`), else one whole word.
fn remove_legal_form(words: &mut Vec<&str>) -> bool {
    for run in (2..=MAX_INITIALS).rev() {
        let Some(start) = words.len().checked_sub(run) else {
            continue;
        };
        if start == 0 {
            continue;
        }
        let Some(tail) = words.get(start..) else {
            continue;
        };
        if tail.iter().all(|w| w.chars().count() == 1) && is_legal_form(&tail.concat()) {
            words.truncate(start);
            return true;
        }
    }
    if words.last().is_some_and(|w| is_legal_form(w)) {
        words.pop();
        return true;
    }
    false
}

/// Whether a folded, joined token is a legal form.
fn is_legal_form(token: &str) -> bool {
    LEGAL_FORMS.binary_search(&token).is_ok()
}

/// Normalises a Dun & Bradstreet D-U-N-S number to its nine digits, accepting
/// the usual spaces, dashes and dots between groups (`15-048-3782`).
pub(crate) fn duns(value: &str, _o: &NormalizeOptions) -> Result<String, ErrorCode> {
    let mut digits = String::with_capacity(DUNS_DIGITS);
    for c in text::trim(value).chars() {
        if c.is_ascii_digit() {
            digits.push(c);
        } else if !(c == '-' || c == '.' || text::is_space_like(c)) {
            return Err(ErrorCode::DunsInvalidCharacter);
        }
    }
    if digits.len() != DUNS_DIGITS {
        return Err(ErrorCode::DunsInvalidLength);
    }
    Ok(digits)
}

/// Normalises a company web domain given as a bare host, a URL or an e-mail
/// address: the host, lowercase, without port, trailing root dot or a leading
/// `www.` label.
pub(crate) fn web_domain(value: &str, _o: &NormalizeOptions) -> Result<String, ErrorCode> {
    let s = text::trim(value);
    // Scheme ("https://") or scheme-relative ("//") prefix.
    let s = s.split_once("://").map_or(s, |(_, rest)| rest);
    let s = s.trim_start_matches('/');
    // Authority ends at the first path, query or fragment delimiter.
    let authority = s.split(['/', '?', '#']).next().unwrap_or_default();
    // Userinfo ("user:pw@") or an e-mail local part.
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = match host_port.rsplit_once(':') {
        Some((h, port)) if port.chars().all(|c| c.is_ascii_digit()) => h,
        Some(_) => return Err(ErrorCode::DomainInvalid),
        None => host_port,
    };
    let host = host.to_lowercase();
    let host = host.strip_suffix('.').unwrap_or(&host);
    let host = match host.strip_prefix("www.") {
        Some(rest) if rest.contains('.') => rest,
        _ => host,
    };
    if is_plausible_domain(host) {
        Ok(host.to_owned())
    } else {
        Err(ErrorCode::DomainInvalid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::Profile;

    fn opts() -> NormalizeOptions {
        NormalizeOptions::new(Profile::Pseudolink)
    }

    fn company(v: &str) -> String {
        company_name(v, &opts()).unwrap()
    }

    #[test]
    fn company_legal_forms_sorted() {
        let mut sorted = LEGAL_FORMS;
        sorted.sort_unstable();
        assert_eq!(sorted, LEGAL_FORMS);
    }

    #[test]
    fn company_removes_legal_forms_repeatedly() {
        assert_eq!(company("Acme Holdings, Inc."), "acme holdings");
        assert_eq!(company("Müller GmbH & Co. KG"), "muller");
        assert_eq!(company("Widgets Pty. Ltd."), "widgets");
        assert_eq!(company("Foo L.L.C."), "foo");
        assert_eq!(company("Fiat S.p.A."), "fiat");
        assert_eq!(company("Maersk A/S"), "maersk");
        assert_eq!(company("The Limited"), "limited");
        assert_eq!(company("Inc."), "inc");
    }

    #[test]
    fn company_ampersand_and_the() {
        assert_eq!(
            company("The Procter & Gamble Company"),
            "procter and gamble"
        );
        assert_eq!(company("Smith & Co."), "smith");
        assert_eq!(company("McDonald's Corporation"), "mcdonalds");
    }

    #[test]
    fn company_duns_digits() {
        assert_eq!(duns(" 15-048-3782 ", &opts()).unwrap(), "150483782");
        assert_eq!(
            duns("15 048 378", &opts()),
            Err(ErrorCode::DunsInvalidLength)
        );
        assert_eq!(
            duns("15048378X", &opts()),
            Err(ErrorCode::DunsInvalidCharacter)
        );
    }

    #[test]
    fn company_web_domain_forms() {
        let d = |v: &str| web_domain(v, &opts());
        assert_eq!(
            d("https://www.Example.com:8080/path?q").unwrap(),
            "example.com"
        );
        assert_eq!(d("jane@Example.co.uk").unwrap(), "example.co.uk");
        assert_eq!(d("example.com.").unwrap(), "example.com");
        assert_eq!(d("www.com").unwrap(), "www.com");
        assert_eq!(d("localhost"), Err(ErrorCode::DomainInvalid));
        assert_eq!(d("http://[::1]/"), Err(ErrorCode::DomainInvalid));
    }
}
