//! Reference tables: name frequencies, nicknames and US ZIP codes from the
//! files in `data/` (sources in `data/README.md`), plus small hand-made
//! tables for streets, e-mail providers and the non-US countries.

use crate::rng::Weighted;

/// A given name with its gender (`'f'` or `'m'`).
#[derive(Debug, Clone)]
pub struct GivenName {
    /// The name, capitalised.
    pub name: &'static str,
    /// `'f'` or `'m'`.
    pub gender: char,
}

/// A US ZIP code with its city, state and telephone area codes.
#[derive(Debug, Clone)]
pub struct UsZip {
    /// Five digits.
    pub zip: &'static str,
    /// USPS preferred city name.
    pub city: &'static str,
    /// USPS state code.
    pub state: &'static str,
    /// Area codes serving it.
    pub area_codes: Vec<&'static str>,
}

/// A non-US city: how its postal codes, phones and streets look.
#[derive(Debug, Clone, Copy)]
pub struct ForeignCity {
    /// ISO alpha-2 country.
    pub country: &'static str,
    /// City name as written locally.
    pub city: &'static str,
    /// State/province code, where the country uses one on addresses.
    pub state: &'static str,
    /// Postal code patterns, one drawn: `9` a random digit, `R` a GB inward
    /// letter (never C, I, K, M, O, V), `C` a Canadian letter (never D, F, I,
    /// O, Q, U), everything else literal.
    pub postal: &'static [&'static str],
    /// National trunk code area (without the trunk `0`), and how many
    /// subscriber digits follow it.
    pub area: &'static str,
    /// Subscriber digits after the area code.
    pub subscriber_digits: u32,
    /// Relative weight among the country's cities.
    pub weight: f64,
}

/// All tables, parsed once.
#[derive(Debug, Clone)]
pub struct Tables {
    /// Given names, weighted by SSA frequency.
    pub given: Weighted<GivenName>,
    /// Family names, weighted by Census 2010 counts.
    pub family: Weighted<&'static str>,
    /// `(name, nickname)` pairs, sorted by name.
    pub nicknames: Vec<(&'static str, &'static str)>,
    /// US ZIP codes (drawn uniformly, so cities weigh by their number of ZIPs).
    pub us_zips: Vec<UsZip>,
}

const SURNAMES: &str = include_str!("../data/surnames.csv");
const FIRST_NAMES: &str = include_str!("../data/first_names.csv");
const NICKNAMES: &str = include_str!("../data/nicknames.csv");
const US_ZIPS: &str = include_str!("../data/us_zips.csv");

/// Data rows of a small, unquoted CSV file (header skipped).
fn rows(text: &'static str) -> impl Iterator<Item = Vec<&'static str>> {
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split(',').collect())
}

impl Tables {
    /// Parses the embedded data files.
    pub fn load() -> Tables {
        let given = Weighted::new(rows(FIRST_NAMES).filter_map(|r| {
            let name = *r.first()?;
            let gender = r.get(1)?.chars().next()?;
            let w: f64 = r.get(2)?.parse().ok()?;
            Some((GivenName { name, gender }, w))
        }));
        let family = Weighted::new(rows(SURNAMES).filter_map(|r| {
            let w: f64 = r.get(1)?.parse().ok()?;
            Some((*r.first()?, w))
        }));
        let mut nicknames: Vec<(&str, &str)> = rows(NICKNAMES)
            .filter_map(|r| Some((*r.first()?, *r.get(1)?)))
            .collect();
        nicknames.sort_unstable();
        let us_zips = rows(US_ZIPS)
            .filter_map(|r| {
                Some(UsZip {
                    zip: r.first()?,
                    city: r.get(1)?,
                    state: r.get(2)?,
                    area_codes: r.get(3)?.split(' ').collect(),
                })
            })
            .collect();
        Tables {
            given,
            family,
            nicknames,
            us_zips,
        }
    }

    /// Nicknames of a given name (empty if none is known).
    pub fn nicknames_of(&self, name: &str) -> &[(&'static str, &'static str)] {
        let lo = self.nicknames.partition_point(|(n, _)| *n < name);
        let hi = self.nicknames.partition_point(|(n, _)| *n <= name);
        self.nicknames.get(lo..hi).unwrap_or_default()
    }

    /// The formal names that have `nickname` as a nickname.
    pub fn formal_of<'a>(&'a self, nickname: &'a str) -> impl Iterator<Item = &'static str> + 'a {
        self.nicknames
            .iter()
            .filter(move |(_, n)| *n == nickname)
            .map(|(f, _)| *f)
    }
}

/// Common US street names (hand-made list of frequent names: numbered,
/// tree, and presidents' names).
pub const US_STREETS: &[&str] = &[
    "Main",
    "Oak",
    "Pine",
    "Maple",
    "Cedar",
    "Elm",
    "Washington",
    "Lake",
    "Hill",
    "Park",
    "Walnut",
    "Spring",
    "North",
    "Ridge",
    "Lincoln",
    "Church",
    "Willow",
    "Mill",
    "Sunset",
    "Highland",
    "Jackson",
    "Cherry",
    "Jefferson",
    "Johnson",
    "Meadow",
    "Forest",
    "River",
    "Chestnut",
    "Madison",
    "Adams",
    "Franklin",
    "Center",
    "Dogwood",
    "Hickory",
    "Birch",
    "Lakeview",
    "Magnolia",
    "Sycamore",
    "Poplar",
    "Valley",
    "Second",
    "Third",
    "First",
    "Fourth",
    "Fifth",
    "Sixth",
    "Seventh",
    "Eighth",
    "Ninth",
    "Tenth",
    "Broad",
    "Market",
    "Union",
    "Prospect",
    "Woodland",
    "Green",
    "Hillcrest",
    "Laurel",
    "Locust",
    "Railroad",
];

/// USPS Publication 28 suffixes: (full, standard abbreviation, weight).
pub const US_SUFFIXES: &[(&str, &str, f64)] = &[
    ("Street", "St", 30.0),
    ("Avenue", "Ave", 18.0),
    ("Road", "Rd", 14.0),
    ("Drive", "Dr", 14.0),
    ("Lane", "Ln", 8.0),
    ("Court", "Ct", 5.0),
    ("Boulevard", "Blvd", 4.0),
    ("Place", "Pl", 3.0),
    ("Circle", "Cir", 2.0),
    ("Way", "Way", 2.0),
    ("Parkway", "Pkwy", 1.0),
    ("Terrace", "Ter", 1.0),
];

/// Street names for the non-US countries, with how the number is placed.
pub const GB_STREETS: &[&str] = &[
    "High Street",
    "Station Road",
    "Main Street",
    "Park Road",
    "Church Road",
    "Church Street",
    "London Road",
    "Victoria Road",
    "Green Lane",
    "Manor Road",
    "Church Lane",
    "Park Avenue",
    "The Avenue",
    "Queens Road",
    "New Road",
    "Grange Road",
    "Kings Road",
    "Mill Lane",
];
/// German streets (number after the name).
pub const DE_STREETS: &[&str] = &[
    "Hauptstraße",
    "Schulstraße",
    "Gartenstraße",
    "Bahnhofstraße",
    "Dorfstraße",
    "Bergstraße",
    "Birkenweg",
    "Lindenstraße",
    "Kirchstraße",
    "Waldstraße",
    "Ringstraße",
    "Schillerstraße",
    "Goethestraße",
    "Wiesenweg",
    "Mühlenweg",
    "Amselweg",
];
/// French streets (number before the name).
pub const FR_STREETS: &[&str] = &[
    "rue de la Paix",
    "rue Victor Hugo",
    "rue de l'Église",
    "avenue Jean Jaurès",
    "rue Pasteur",
    "place de la Mairie",
    "rue du Moulin",
    "rue de la République",
    "boulevard Voltaire",
    "rue des Écoles",
    "avenue de la Gare",
    "rue Nationale",
];
/// Canadian streets (as in the US).
pub const CA_STREETS: &[&str] = &[
    "King",
    "Queen",
    "Yonge",
    "Bloor",
    "Dundas",
    "Main",
    "Maple",
    "Church",
    "Wellington",
    "Victoria",
    "Park",
    "Elm",
    "Cedar",
    "Front",
    "Bay",
    "Richmond",
];

/// The non-US cities (hand-made; postal code ranges and area codes as the
/// national numbering plans and postal services publish them).
pub const FOREIGN_CITIES: &[ForeignCity] = &[
    ForeignCity {
        country: "GB",
        city: "London",
        state: "",
        postal: &[
            "SW1A 9RR", "EC1A 9RR", "N1 9RR", "E1 9RR", "SE1 9RR", "NW1 9RR", "W2 9RR",
        ],
        area: "20",
        subscriber_digits: 8,
        weight: 5.0,
    },
    ForeignCity {
        country: "GB",
        city: "Manchester",
        state: "",
        postal: &["M1 9RR", "M2 9RR", "M4 9RR", "M14 9RR"],
        area: "161",
        subscriber_digits: 7,
        weight: 2.0,
    },
    ForeignCity {
        country: "GB",
        city: "Birmingham",
        state: "",
        postal: &["B1 9RR", "B5 9RR", "B15 9RR"],
        area: "121",
        subscriber_digits: 7,
        weight: 2.0,
    },
    ForeignCity {
        country: "GB",
        city: "Edinburgh",
        state: "",
        postal: &["EH1 9RR", "EH3 9RR", "EH9 9RR"],
        area: "131",
        subscriber_digits: 7,
        weight: 1.0,
    },
    ForeignCity {
        country: "DE",
        city: "Berlin",
        state: "",
        postal: &["10999", "12999", "13999"],
        area: "30",
        subscriber_digits: 8,
        weight: 3.0,
    },
    ForeignCity {
        country: "DE",
        city: "München",
        state: "",
        postal: &["80999", "81999"],
        area: "89",
        subscriber_digits: 8,
        weight: 2.0,
    },
    ForeignCity {
        country: "DE",
        city: "Hamburg",
        state: "",
        postal: &["20999", "22999"],
        area: "40",
        subscriber_digits: 8,
        weight: 2.0,
    },
    ForeignCity {
        country: "DE",
        city: "Köln",
        state: "",
        postal: &["50999", "51099"],
        area: "221",
        subscriber_digits: 7,
        weight: 1.0,
    },
    ForeignCity {
        country: "FR",
        city: "Paris",
        state: "",
        postal: &["75009", "75019"],
        area: "1",
        subscriber_digits: 8,
        weight: 4.0,
    },
    ForeignCity {
        country: "FR",
        city: "Lyon",
        state: "",
        postal: &["69009"],
        area: "4",
        subscriber_digits: 8,
        weight: 1.0,
    },
    ForeignCity {
        country: "FR",
        city: "Marseille",
        state: "",
        postal: &["13009", "13019"],
        area: "4",
        subscriber_digits: 8,
        weight: 1.0,
    },
    ForeignCity {
        country: "FR",
        city: "Toulouse",
        state: "",
        postal: &["31000", "31100", "31200", "31300", "31400", "31500"],
        area: "5",
        subscriber_digits: 8,
        weight: 1.0,
    },
    ForeignCity {
        country: "CA",
        city: "Toronto",
        state: "ON",
        postal: &["M4C 9C9", "M5V 9C9", "M6G 9C9", "M4B 9C9"],
        area: "416",
        subscriber_digits: 7,
        weight: 3.0,
    },
    ForeignCity {
        country: "CA",
        city: "Vancouver",
        state: "BC",
        postal: &["V5K 9C9", "V6B 9C9", "V6Z 9C9"],
        area: "604",
        subscriber_digits: 7,
        weight: 2.0,
    },
    ForeignCity {
        country: "CA",
        city: "Montréal",
        state: "QC",
        postal: &["H2X 9C9", "H3A 9C9", "H3Z 9C9"],
        area: "514",
        subscriber_digits: 7,
        weight: 2.0,
    },
];

/// E-mail providers by country: (domain, relative weight). Weights are
/// rough shares, hand-set for realism, not measured figures.
pub fn email_providers(country: &str) -> &'static [(&'static str, f64)] {
    match country {
        "GB" => &[
            ("gmail.com", 35.0),
            ("hotmail.co.uk", 20.0),
            ("outlook.com", 10.0),
            ("yahoo.co.uk", 10.0),
            ("btinternet.com", 8.0),
            ("icloud.com", 8.0),
        ],
        "DE" => &[
            ("gmail.com", 25.0),
            ("gmx.de", 25.0),
            ("web.de", 25.0),
            ("t-online.de", 12.0),
            ("outlook.de", 5.0),
        ],
        "FR" => &[
            ("gmail.com", 35.0),
            ("orange.fr", 20.0),
            ("free.fr", 12.0),
            ("hotmail.fr", 12.0),
            ("laposte.net", 8.0),
            ("sfr.fr", 6.0),
        ],
        "CA" => &[
            ("gmail.com", 40.0),
            ("hotmail.com", 15.0),
            ("outlook.com", 10.0),
            ("yahoo.ca", 10.0),
            ("rogers.com", 6.0),
            ("videotron.ca", 4.0),
        ],
        _ => &[
            ("gmail.com", 38.0),
            ("yahoo.com", 14.0),
            ("hotmail.com", 9.0),
            ("outlook.com", 8.0),
            ("icloud.com", 7.0),
            ("aol.com", 4.0),
            ("comcast.net", 3.0),
            ("att.net", 2.0),
            ("msn.com", 2.0),
        ],
    }
}

/// Words for business customers' company names.
pub const COMPANY_WORDS: &[&str] = &[
    "Consulting",
    "Holdings",
    "Logistics",
    "Systems",
    "Partners",
    "Industries",
    "Solutions",
    "Trading",
    "Foods",
    "Construction",
    "Design",
    "Dental",
    "Motors",
    "Realty",
    "Labs",
];
/// Legal forms by country.
pub fn legal_forms(country: &str) -> &'static [&'static str] {
    match country {
        "GB" => &["Ltd", "Limited", "LLP", "plc"],
        "DE" => &["GmbH", "AG", "KG", "GmbH & Co. KG"],
        "FR" => &["SARL", "SAS", "SA"],
        "CA" => &["Inc.", "Ltd.", "Corp."],
        _ => &["Inc.", "LLC", "Corp.", "Co.", "Inc"],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_load_with_expected_sizes() {
        let t = Tables::load();
        assert_eq!(t.family.items().len(), 500);
        assert!(t.given.items().len() > 600);
        assert!(t.us_zips.len() > 1500);
        assert!(t
            .us_zips
            .iter()
            .all(|z| z.zip.len() == 5 && !z.area_codes.is_empty()));
        assert!(t.nicknames_of("William").iter().any(|(_, n)| *n == "Bill"));
        assert!(t.formal_of("Bob").any(|f| f == "Robert"));
    }
}
