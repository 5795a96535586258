//! Countries: ISO 3166-1 alpha-2 codes, from alpha-2, alpha-3 or English names.
//!
//! Every profile stores the country as alpha-2 because that is what Google
//! (`country_code`, "ISO-3166-1 alpha-2") and Meta (`country`, "lowercase
//! 2-letter ISO 3166-1 alpha-2") both ask for; only the case differs. The
//! tables come from ISO 3166-1 (the Debian `iso-codes` 4.15 data) plus a short
//! hand-picked alias list, packed into strings to keep the wasm small.

use super::text;
use super::NormalizeOptions;
use crate::error::ErrorCode;

/// An ISO 3166-1 alpha-2 country code, stored uppercase (`US`, `GB`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Country([u8; 2]);

impl Country {
    /// The uppercase alpha-2 code.
    pub fn as_str(&self) -> &str {
        core::str::from_utf8(&self.0).unwrap_or("ZZ")
    }

    /// Parses an assigned alpha-2 code, an alpha-3 code or an English country
    /// name (case, diacritics, punctuation and a leading "the" ignored).
    /// Unassigned codes (`ZZ`, `UK`) are not countries; `UK` is still
    /// accepted as a name for GB because people write it.
    pub fn parse(value: &str) -> Option<Country> {
        let t = text::trim(value);
        // Codes are 2 or 3 bytes: upper-cased on the stack, not in a String.
        let mut upper = [0u8; 3];
        let b = match upper.get_mut(..t.len()) {
            Some(b) if t.len() >= 2 => {
                b.copy_from_slice(t.as_bytes());
                b.make_ascii_uppercase();
                &*b
            }
            _ => &[],
        };
        let code = match b.len() {
            2 => find_record(ALPHA2, 2, b).and_then(|r| r.get(..2)),
            3 => find_record(ALPHA3, 5, b).and_then(|r| r.get(3..5)),
            _ => None,
        };
        if let Some(&[x, y]) = code {
            return Some(Country([x, y]));
        }
        let key = text::fold_words(t);
        let key = key.strip_prefix("the ").unwrap_or(&key);
        NAMES
            .binary_search_by(|(name, _)| (*name).cmp(key))
            .ok()
            .and_then(|i| NAMES.get(i))
            .map(|(_, code)| Country(*code))
    }

    /// Meta's library lookup: the country whose English name, letters only,
    /// is `key` (lowercase a–z), else the name found earliest inside `key`
    /// (the longest of those): `japanasia` → JP, `brazilsouthamerica` → BR.
    pub(crate) fn by_letters(key: &str) -> Option<Country> {
        let compact = |n: &str| {
            n.chars()
                .filter(char::is_ascii_lowercase)
                .collect::<String>()
        };
        let mut best: Option<(usize, usize, [u8; 2])> = None;
        for (name, code) in NAMES {
            let c = compact(name);
            if c == key {
                return Some(Country(*code));
            }
            if let Some(at) = key.find(c.as_str()) {
                let better = best.is_none_or(|(pos, len, _)| {
                    (at, usize::MAX - c.len()) < (pos, usize::MAX - len)
                });
                if better {
                    best = Some((at, c.len(), *code));
                }
            }
        }
        best.map(|(_, _, code)| Country(code))
    }

    /// Builds a country from a code known at compile time to be assigned.
    /// Used by the other normalisers (postal codes, states).
    pub(crate) const fn from_code(code: [u8; 2]) -> Country {
        Country(code)
    }

    /// The raw uppercase code bytes, for cheap comparisons.
    pub(crate) const fn code(&self) -> [u8; 2] {
        self.0
    }
}

/// Binary search in a string of fixed-width ASCII records sorted by their
/// first `key.len()` bytes; returns the whole record.
fn find_record<'a>(table: &'a str, width: usize, key: &[u8]) -> Option<&'a [u8]> {
    let bytes = table.as_bytes();
    let n = bytes.len() / width;
    let (mut lo, mut hi) = (0usize, n);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        let rec = bytes.get(mid * width..mid * width + width)?;
        match rec.get(..key.len())?.cmp(key) {
            core::cmp::Ordering::Less => lo = mid + 1,
            core::cmp::Ordering::Greater => hi = mid,
            core::cmp::Ordering::Equal => return Some(rec),
        }
    }
    None
}

impl core::fmt::Debug for Country {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Country({})", self.as_str())
    }
}

impl core::fmt::Display for Country {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Country field: alpha-2, uppercase for pseudolink and Google (Google's
/// `country_code`/`region_code` are uppercase ISO codes), lowercase for Meta
/// ("Use the lowercase, 2-letter country codes in ISO 3166-1 alpha-2").
pub(crate) fn normalize(value: &str, _o: &NormalizeOptions) -> Result<String, ErrorCode> {
    let c = Country::parse(value).ok_or(ErrorCode::CountryUnknown)?;
    Ok(c.as_str().to_string())
}

/// Every assigned alpha-2 code, sorted, two bytes each (binary search by index).
const ALPHA2: &str = "ADAEAFAGAIALAMAOAQARASATAUAWAXAZBABBBDBEBFBGBHBIBJBLBMBNBOBQBRBSBTBVBWBYBZCACCCDCFCGCHCICKCLCMCNCOCRCUCVCWCXCYCZDEDJDKDMDODZECEEEGEHERESETFIFJFKFMFOFRGAGBGDGEGFGGGHGIGLGMGNGPGQGRGSGTGUGWGYHKHMHNHRHTHUIDIEILIMINIOIQIRISITJEJMJOJPKEKGKHKIKMKNKPKRKWKYKZLALBLCLILKLRLSLTLULVLYMAMCMDMEMFMGMHMKMLMMMNMOMPMQMRMSMTMUMVMWMXMYMZNANCNENFNGNINLNONPNRNUNZOMPAPEPFPGPHPKPLPMPNPRPSPTPWPYQARERORSRURWSASBSCSDSESGSHSISJSKSLSMSNSOSRSSSTSVSXSYSZTCTDTFTGTHTJTKTLTMTNTOTRTTTVTWTZUAUGUMUSUYUZVAVCVEVGVIVNVUWFWSYEYTZAZMZW";
/// Alpha-3 then alpha-2, five bytes a record, sorted by alpha-3.
const ALPHA3: &str = concat!(
    "ABWAWAFGAFAGOAOAIAAIALAAXALBALANDADAREAEARGARARMAMASMASATAAQATFTFATGAGAUSAUAUTATAZEAZBDIBIBELBEBENBJ",
    "BESBQBFABFBGDBDBGRBGBHRBHBHSBSBIHBABLMBLBLRBYBLZBZBMUBMBOLBOBRABRBRBBBBRNBNBTNBTBVTBVBWABWCAFCFCANCA",
    "CCKCCCHECHCHLCLCHNCNCIVCICMRCMCODCDCOGCGCOKCKCOLCOCOMKMCPVCVCRICRCUBCUCUWCWCXRCXCYMKYCYPCYCZECZDEUDE",
    "DJIDJDMADMDNKDKDOMDODZADZECUECEGYEGERIERESHEHESPESESTEEETHETFINFIFJIFJFLKFKFRAFRFROFOFSMFMGABGAGBRGB",
    "GEOGEGGYGGGHAGHGIBGIGINGNGLPGPGMBGMGNBGWGNQGQGRCGRGRDGDGRLGLGTMGTGUFGFGUMGUGUYGYHKGHKHMDHMHNDHNHRVHR",
    "HTIHTHUNHUIDNIDIMNIMINDINIOTIOIRLIEIRNIRIRQIQISLISISRILITAITJAMJMJEYJEJORJOJPNJPKAZKZKENKEKGZKGKHMKH",
    "KIRKIKNAKNKORKRKWTKWLAOLALBNLBLBRLRLBYLYLCALCLIELILKALKLSOLSLTULTLUXLULVALVMACMOMAFMFMARMAMCOMCMDAMD",
    "MDGMGMDVMVMEXMXMHLMHMKDMKMLIMLMLTMTMMRMMMNEMEMNGMNMNPMPMOZMZMRTMRMSRMSMTQMQMUSMUMWIMWMYSMYMYTYTNAMNA",
    "NCLNCNERNENFKNFNGANGNICNINIUNUNLDNLNORNONPLNPNRUNRNZLNZOMNOMPAKPKPANPAPCNPNPERPEPHLPHPLWPWPNGPGPOLPL",
    "PRIPRPRKKPPRTPTPRYPYPSEPSPYFPFQATQAREUREROURORUSRURWARWSAUSASDNSDSENSNSGPSGSGSGSSHNSHSJMSJSLBSBSLESL",
    "SLVSVSMRSMSOMSOSPMPMSRBRSSSDSSSTPSTSURSRSVKSKSVNSISWESESWZSZSXMSXSYCSCSYRSYTCATCTCDTDTGOTGTHATHTJKTJ",
    "TKLTKTKMTMTLSTLTONTOTTOTTTUNTNTURTRTUVTVTWNTWTZATZUGAUGUKRUAUMIUMURYUYUSAUSUZBUZVATVAVCTVCVENVEVGBVG",
    "VIRVIVNMVNVUTVUWLFWFWSMWSYEMYEZAFZAZMBZMZWEZW",
);
/// English names (short, common, reordered, aliases) folded like `fold_words`, sorted: 328 entries.
const NAMES: &[(&str, [u8; 2])] = &[
    ("afghanistan", *b"AF"),
    ("aland islands", *b"AX"),
    ("albania", *b"AL"),
    ("algeria", *b"DZ"),
    ("america", *b"US"),
    ("american samoa", *b"AS"),
    ("andorra", *b"AD"),
    ("angola", *b"AO"),
    ("anguilla", *b"AI"),
    ("antarctica", *b"AQ"),
    ("antigua and barbuda", *b"AG"),
    ("argentina", *b"AR"),
    ("armenia", *b"AM"),
    ("aruba", *b"AW"),
    ("ascension and tristan da cunha saint helena", *b"SH"),
    ("australia", *b"AU"),
    ("austria", *b"AT"),
    ("azerbaijan", *b"AZ"),
    ("bahamas", *b"BS"),
    ("bahrain", *b"BH"),
    ("bangladesh", *b"BD"),
    ("barbados", *b"BB"),
    ("belarus", *b"BY"),
    ("belgium", *b"BE"),
    ("belize", *b"BZ"),
    ("benin", *b"BJ"),
    ("bermuda", *b"BM"),
    ("bhutan", *b"BT"),
    ("bolivarian republic of venezuela", *b"VE"),
    ("bolivia", *b"BO"),
    ("bolivia plurinational state of", *b"BO"),
    ("bonaire sint eustatius and saba", *b"BQ"),
    ("bosnia and herzegovina", *b"BA"),
    ("botswana", *b"BW"),
    ("bouvet island", *b"BV"),
    ("brasil", *b"BR"),
    ("brazil", *b"BR"),
    ("britain", *b"GB"),
    ("british indian ocean territory", *b"IO"),
    ("british virgin islands", *b"VG"),
    ("brunei darussalam", *b"BN"),
    ("bulgaria", *b"BG"),
    ("burkina faso", *b"BF"),
    ("burma", *b"MM"),
    ("burundi", *b"BI"),
    ("cabo verde", *b"CV"),
    ("cambodia", *b"KH"),
    ("cameroon", *b"CM"),
    ("canada", *b"CA"),
    ("cape verde", *b"CV"),
    ("cayman islands", *b"KY"),
    ("central african republic", *b"CF"),
    ("chad", *b"TD"),
    ("chile", *b"CL"),
    ("china", *b"CN"),
    ("christmas island", *b"CX"),
    ("cocos islands", *b"CC"),
    ("cocos keeling islands", *b"CC"),
    ("colombia", *b"CO"),
    ("comoros", *b"KM"),
    ("congo", *b"CG"),
    ("congo brazzaville", *b"CG"),
    ("congo kinshasa", *b"CD"),
    ("congo the democratic republic of the", *b"CD"),
    ("cook islands", *b"CK"),
    ("costa rica", *b"CR"),
    ("cote d ivoire", *b"CI"),
    ("croatia", *b"HR"),
    ("cuba", *b"CU"),
    ("curacao", *b"CW"),
    ("cyprus", *b"CY"),
    ("czech republic", *b"CZ"),
    ("czechia", *b"CZ"),
    ("danmark", *b"DK"),
    ("democratic people s republic of korea", *b"KP"),
    ("democratic republic of the congo", *b"CD"),
    ("denmark", *b"DK"),
    ("deutschland", *b"DE"),
    ("djibouti", *b"DJ"),
    ("dominica", *b"DM"),
    ("dominican republic", *b"DO"),
    ("dr congo", *b"CD"),
    ("east timor", *b"TL"),
    ("ecuador", *b"EC"),
    ("egypt", *b"EG"),
    ("eire", *b"IE"),
    ("el salvador", *b"SV"),
    ("england", *b"GB"),
    ("equatorial guinea", *b"GQ"),
    ("eritrea", *b"ER"),
    ("espana", *b"ES"),
    ("estonia", *b"EE"),
    ("eswatini", *b"SZ"),
    ("ethiopia", *b"ET"),
    ("falkland islands", *b"FK"),
    ("falkland islands malvinas", *b"FK"),
    ("faroe islands", *b"FO"),
    ("federated states of micronesia", *b"FM"),
    ("fiji", *b"FJ"),
    ("finland", *b"FI"),
    ("france", *b"FR"),
    ("french guiana", *b"GF"),
    ("french polynesia", *b"PF"),
    ("french southern territories", *b"TF"),
    ("gabon", *b"GA"),
    ("gambia", *b"GM"),
    ("georgia", *b"GE"),
    ("germany", *b"DE"),
    ("ghana", *b"GH"),
    ("gibraltar", *b"GI"),
    ("great britain", *b"GB"),
    ("greece", *b"GR"),
    ("greenland", *b"GL"),
    ("grenada", *b"GD"),
    ("guadeloupe", *b"GP"),
    ("guam", *b"GU"),
    ("guatemala", *b"GT"),
    ("guernsey", *b"GG"),
    ("guinea", *b"GN"),
    ("guinea bissau", *b"GW"),
    ("guyana", *b"GY"),
    ("haiti", *b"HT"),
    ("heard island and mcdonald islands", *b"HM"),
    ("holland", *b"NL"),
    ("holy see", *b"VA"),
    ("holy see vatican city state", *b"VA"),
    ("honduras", *b"HN"),
    ("hong kong", *b"HK"),
    ("hungary", *b"HU"),
    ("iceland", *b"IS"),
    ("india", *b"IN"),
    ("indonesia", *b"ID"),
    ("iran", *b"IR"),
    ("iran islamic republic of", *b"IR"),
    ("iraq", *b"IQ"),
    ("ireland", *b"IE"),
    ("islamic republic of iran", *b"IR"),
    ("isle of man", *b"IM"),
    ("israel", *b"IL"),
    ("italia", *b"IT"),
    ("italy", *b"IT"),
    ("ivory coast", *b"CI"),
    ("jamaica", *b"JM"),
    ("japan", *b"JP"),
    ("jersey", *b"JE"),
    ("jordan", *b"JO"),
    ("kazakhstan", *b"KZ"),
    ("kenya", *b"KE"),
    ("kiribati", *b"KI"),
    ("korea democratic people s republic of", *b"KP"),
    ("korea republic of", *b"KR"),
    ("kuwait", *b"KW"),
    ("kyrgyzstan", *b"KG"),
    ("lao people s democratic republic", *b"LA"),
    ("laos", *b"LA"),
    ("latvia", *b"LV"),
    ("lebanon", *b"LB"),
    ("lesotho", *b"LS"),
    ("liberia", *b"LR"),
    ("libya", *b"LY"),
    ("liechtenstein", *b"LI"),
    ("lithuania", *b"LT"),
    ("luxembourg", *b"LU"),
    ("macao", *b"MO"),
    ("macedonia", *b"MK"),
    ("madagascar", *b"MG"),
    ("malawi", *b"MW"),
    ("malaysia", *b"MY"),
    ("maldives", *b"MV"),
    ("mali", *b"ML"),
    ("malta", *b"MT"),
    ("marshall islands", *b"MH"),
    ("martinique", *b"MQ"),
    ("mauritania", *b"MR"),
    ("mauritius", *b"MU"),
    ("mayotte", *b"YT"),
    ("mexico", *b"MX"),
    ("micronesia", *b"FM"),
    ("micronesia federated states of", *b"FM"),
    ("moldova", *b"MD"),
    ("moldova republic of", *b"MD"),
    ("monaco", *b"MC"),
    ("mongolia", *b"MN"),
    ("montenegro", *b"ME"),
    ("montserrat", *b"MS"),
    ("morocco", *b"MA"),
    ("mozambique", *b"MZ"),
    ("myanmar", *b"MM"),
    ("namibia", *b"NA"),
    ("nauru", *b"NR"),
    ("nederland", *b"NL"),
    ("nepal", *b"NP"),
    ("netherlands", *b"NL"),
    ("new caledonia", *b"NC"),
    ("new zealand", *b"NZ"),
    ("nicaragua", *b"NI"),
    ("niger", *b"NE"),
    ("nigeria", *b"NG"),
    ("niue", *b"NU"),
    ("norfolk island", *b"NF"),
    ("norge", *b"NO"),
    ("north korea", *b"KP"),
    ("north macedonia", *b"MK"),
    ("northern ireland", *b"GB"),
    ("northern mariana islands", *b"MP"),
    ("norway", *b"NO"),
    ("oman", *b"OM"),
    ("osterreich", *b"AT"),
    ("pakistan", *b"PK"),
    ("palau", *b"PW"),
    ("palestine", *b"PS"),
    ("palestine state of", *b"PS"),
    ("panama", *b"PA"),
    ("papua new guinea", *b"PG"),
    ("paraguay", *b"PY"),
    ("peru", *b"PE"),
    ("philippines", *b"PH"),
    ("pitcairn", *b"PN"),
    ("plurinational state of bolivia", *b"BO"),
    ("poland", *b"PL"),
    ("polska", *b"PL"),
    ("portugal", *b"PT"),
    ("province of china taiwan", *b"TW"),
    ("puerto rico", *b"PR"),
    ("qatar", *b"QA"),
    ("republic of korea", *b"KR"),
    ("republic of moldova", *b"MD"),
    ("republic of the congo", *b"CG"),
    ("reunion", *b"RE"),
    ("romania", *b"RO"),
    ("russia", *b"RU"),
    ("russian federation", *b"RU"),
    ("rwanda", *b"RW"),
    ("saint barthelemy", *b"BL"),
    ("saint helena ascension and tristan da cunha", *b"SH"),
    ("saint kitts and nevis", *b"KN"),
    ("saint lucia", *b"LC"),
    ("saint martin", *b"MF"),
    ("saint martin french part", *b"MF"),
    ("saint pierre and miquelon", *b"PM"),
    ("saint vincent and the grenadines", *b"VC"),
    ("samoa", *b"WS"),
    ("san marino", *b"SM"),
    ("sao tome and principe", *b"ST"),
    ("saudi arabia", *b"SA"),
    ("schweiz", *b"CH"),
    ("scotland", *b"GB"),
    ("senegal", *b"SN"),
    ("serbia", *b"RS"),
    ("seychelles", *b"SC"),
    ("sierra leone", *b"SL"),
    ("singapore", *b"SG"),
    ("sint eustatius and saba bonaire", *b"BQ"),
    ("sint maarten", *b"SX"),
    ("sint maarten dutch part", *b"SX"),
    ("slovakia", *b"SK"),
    ("slovenia", *b"SI"),
    ("solomon islands", *b"SB"),
    ("somalia", *b"SO"),
    ("south africa", *b"ZA"),
    ("south georgia and the south sandwich islands", *b"GS"),
    ("south korea", *b"KR"),
    ("south sudan", *b"SS"),
    ("spain", *b"ES"),
    ("sri lanka", *b"LK"),
    ("state of palestine", *b"PS"),
    ("sudan", *b"SD"),
    ("suisse", *b"CH"),
    ("suomi", *b"FI"),
    ("suriname", *b"SR"),
    ("svalbard and jan mayen", *b"SJ"),
    ("sverige", *b"SE"),
    ("svizzera", *b"CH"),
    ("swaziland", *b"SZ"),
    ("sweden", *b"SE"),
    ("switzerland", *b"CH"),
    ("syria", *b"SY"),
    ("syrian arab republic", *b"SY"),
    ("taiwan", *b"TW"),
    ("taiwan province of china", *b"TW"),
    ("tajikistan", *b"TJ"),
    ("tanzania", *b"TZ"),
    ("tanzania united republic of", *b"TZ"),
    ("thailand", *b"TH"),
    ("timor leste", *b"TL"),
    ("togo", *b"TG"),
    ("tokelau", *b"TK"),
    ("tonga", *b"TO"),
    ("trinidad and tobago", *b"TT"),
    ("tunisia", *b"TN"),
    ("turkey", *b"TR"),
    ("turkiye", *b"TR"),
    ("turkmenistan", *b"TM"),
    ("turks and caicos islands", *b"TC"),
    ("tuvalu", *b"TV"),
    ("u k", *b"GB"),
    ("u s", *b"US"),
    ("u s a", *b"US"),
    ("u s virgin islands", *b"VI"),
    ("uae", *b"AE"),
    ("uganda", *b"UG"),
    ("uk", *b"GB"),
    ("ukraine", *b"UA"),
    ("united arab emirates", *b"AE"),
    ("united kingdom", *b"GB"),
    (
        "united kingdom of great britain and northern ireland",
        *b"GB",
    ),
    ("united republic of tanzania", *b"TZ"),
    ("united states", *b"US"),
    ("united states minor outlying islands", *b"UM"),
    ("united states of america", *b"US"),
    ("uruguay", *b"UY"),
    ("us virgin islands", *b"VI"),
    ("uzbekistan", *b"UZ"),
    ("vanuatu", *b"VU"),
    ("vatican", *b"VA"),
    ("vatican city", *b"VA"),
    ("venezuela", *b"VE"),
    ("venezuela bolivarian republic of", *b"VE"),
    ("viet nam", *b"VN"),
    ("vietnam", *b"VN"),
    ("virgin islands british", *b"VG"),
    ("virgin islands u s", *b"VI"),
    ("wales", *b"GB"),
    ("wallis and futuna", *b"WF"),
    ("western sahara", *b"EH"),
    ("yemen", *b"YE"),
    ("zambia", *b"ZM"),
    ("zimbabwe", *b"ZW"),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Option<String> {
        Country::parse(s).map(|c| c.as_str().to_string())
    }

    /// `Country::parse`'s code lookup as it was, upper-casing into a String.
    fn parse_reference(value: &str) -> Option<Country> {
        let t = text::trim(value);
        let upper = t.to_ascii_uppercase();
        let b = upper.as_bytes();
        let code = match b.len() {
            2 => find_record(ALPHA2, 2, b).and_then(|r| r.get(..2)),
            3 => find_record(ALPHA3, 5, b).and_then(|r| r.get(3..5)),
            _ => None,
        };
        if let Some(&[x, y]) = code {
            return Some(Country([x, y]));
        }
        let key = text::fold_words(t);
        let key = key.strip_prefix("the ").unwrap_or(&key);
        NAMES
            .binary_search_by(|(name, _)| (*name).cmp(key))
            .ok()
            .and_then(|i| NAMES.get(i))
            .map(|(_, code)| Country(*code))
    }

    #[test]
    fn stack_upper_casing_matches_the_reference() {
        // Every 1-, 2- and 3-character string over letters of both cases,
        // a digit, a space and non-ASCII letters, and some names.
        let alphabet: Vec<char> = "AaBbCcDdEeFfGgJjKkNnPpRrSsUuZz1 éü李".chars().collect();
        let mut inputs: Vec<String> = vec![
            " us ".into(),
            "United States".into(),
            "the Netherlands".into(),
            "".into(),
        ];
        for &a in &alphabet {
            inputs.push(a.to_string());
            for &b in &alphabet {
                inputs.push([a, b].iter().collect());
                for &c in &alphabet {
                    inputs.push([a, b, c].iter().collect());
                }
            }
        }
        for v in &inputs {
            assert_eq!(Country::parse(v), parse_reference(v), "{v:?}");
        }
        assert_eq!(parse("us"), Some("US".into()));
        assert_eq!(parse("dEu"), Some("DE".into()));
    }

    #[test]
    fn parse_alpha2_case_insensitive_and_assigned_only() {
        assert_eq!(parse(" us "), Some("US".into()));
        assert_eq!(parse("gb"), Some("GB".into()));
        assert_eq!(parse("ZZ"), None);
        assert_eq!(parse("XK"), None);
    }

    #[test]
    fn parse_alpha3() {
        assert_eq!(parse("USA"), Some("US".into()));
        assert_eq!(parse("deu"), Some("DE".into()));
        assert_eq!(parse("GBR"), Some("GB".into()));
        assert_eq!(parse("ZZZ"), None);
    }

    #[test]
    fn parse_english_names_and_aliases() {
        assert_eq!(parse("United States of America"), Some("US".into()));
        assert_eq!(parse("U.S."), Some("US".into()));
        assert_eq!(parse("UK"), Some("GB".into()));
        assert_eq!(parse("Great Britain"), Some("GB".into()));
        assert_eq!(parse("The Netherlands"), Some("NL".into()));
        assert_eq!(parse("Côte d'Ivoire"), Some("CI".into()));
        assert_eq!(parse("Korea, Republic of"), Some("KR".into()));
        assert_eq!(parse("South Korea"), Some("KR".into()));
        assert_eq!(parse("Deutschland"), Some("DE".into()));
        assert_eq!(parse("Narnia"), None);
    }

    #[test]
    fn tables_sorted_and_keys_already_folded() {
        assert!(NAMES.windows(2).all(|w| w[0].0 < w[1].0));
        for (name, code) in NAMES {
            assert_eq!(text::fold_words(name), *name);
            assert!(find_record(ALPHA2, 2, code).is_some(), "{name}");
        }
        let a2: Vec<&[u8]> = ALPHA2.as_bytes().chunks(2).collect();
        assert_eq!(a2.len(), 249);
        assert!(a2.windows(2).all(|w| w[0] < w[1]));
        let a3: Vec<&[u8]> = ALPHA3.as_bytes().chunks(5).collect();
        assert_eq!(a3.len(), 249);
        assert!(a3.windows(2).all(|w| w[0][..3] < w[1][..3]));
    }
}
