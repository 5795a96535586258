//! Clean entities (the truth) and their rendering into records.

use crate::rng::{Rng, Weighted};
use crate::tables::{self, Tables, FOREIGN_CITIES};
use crate::{Row, Slot};

/// Where someone lives. Kept apart from the person so a record can show a
/// moved address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Address {
    /// House number.
    pub number: u32,
    /// Street name without suffix (`Main`), or the whole street outside
    /// North America (`High Street`, `Hauptstraße`).
    pub street: String,
    /// USPS suffix as (full, abbreviation), North America only.
    pub suffix: Option<(&'static str, &'static str)>,
    /// Apartment/unit, sometimes.
    pub unit: Option<String>,
    /// City.
    pub city: String,
    /// State/province code (empty where not used).
    pub state: String,
    /// Postal code in its canonical form.
    pub postal: String,
    /// ISO alpha-2 country.
    pub country: &'static str,
    /// Telephone area code of the place.
    pub area: String,
    /// Subscriber digits that follow the area code.
    pub subscriber_digits: u32,
}

/// A business customer's company.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Company {
    /// Legal name, e.g. `Smith Logistics LLC`.
    pub name: String,
    /// Nine-digit D-U-N-S number.
    pub duns: String,
    /// Web domain.
    pub domain: String,
}

/// One real-world customer: the clean values every record of them derives from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entity {
    /// Entity id (`e` + number), the truth label.
    pub id: String,
    /// Given name.
    pub first: String,
    /// Family name.
    pub last: String,
    /// `'f'` or `'m'`.
    pub gender: char,
    /// Date of birth (year, month, day).
    pub dob: (u32, u32, u32),
    /// Home address.
    pub address: Address,
    /// Phone: country calling code and national significant number.
    pub phone: (&'static str, String),
    /// E-mail address (lowercase).
    pub email: String,
    /// Company, for business customers.
    pub company: Option<Company>,
}

const DAYS: [u32; 12] = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

fn days_in_month(y: u32, m: u32) -> u32 {
    let leap = y.is_multiple_of(4) && (!y.is_multiple_of(100) || y.is_multiple_of(400));
    if m == 2 && leap {
        29
    } else {
        DAYS.get(m as usize - 1).copied().unwrap_or(30)
    }
}

/// `n` random digits, the first from `first_from..=9`.
pub(crate) fn digits(rng: &mut Rng, n: u32, first_from: u32) -> String {
    (0..n)
        .map(|i| {
            let lo = if i == 0 { first_from } else { 0 };
            char::from(b'0' + rng.range(lo, 9) as u8)
        })
        .collect()
}

fn calling_code(country: &str) -> &'static str {
    match country {
        "GB" => "44",
        "DE" => "49",
        "FR" => "33",
        _ => "1",
    }
}

/// Fills a postal code pattern (see [`tables::ForeignCity::postal`]).
fn fill_postal(rng: &mut Rng, pattern: &str) -> String {
    const GB_INWARD: &[u8] = b"ABDEFGHJLNPQRSTUWXYZ";
    const CA_LETTER: &[u8] = b"ABCEGHJKLMNPRSTVWXYZ";
    pattern
        .chars()
        .map(|c| match c {
            '9' => char::from(b'0' + rng.below(10) as u8),
            'R' => char::from(*rng.pick(GB_INWARD).unwrap_or(&b'A')),
            'C' => char::from(*rng.pick(CA_LETTER).unwrap_or(&b'A')),
            other => other,
        })
        .collect()
}

impl Address {
    /// A random address in `country` (`US`, `GB`, `DE`, `FR` or `CA`).
    pub fn draw(t: &Tables, rng: &mut Rng, country: &'static str) -> Address {
        let number = match rng.below(10) {
            0..=5 => rng.range(1, 999),
            6..=8 => rng.range(1000, 9999),
            _ => rng.range(10000, 29999),
        };
        if country == "US" {
            let zip = rng.pick(&t.us_zips);
            let suffix = Weighted::new(tables::US_SUFFIXES.iter().map(|&(f, a, w)| ((f, a), w)))
                .draw(rng)
                .copied();
            let unit = rng
                .chance(0.12)
                .then(|| format!("Apt {}", rng.range(1, 40)));
            return Address {
                number,
                street: rng
                    .pick(tables::US_STREETS)
                    .copied()
                    .unwrap_or("Main")
                    .into(),
                suffix,
                unit,
                city: zip.map_or("New York", |z| z.city).into(),
                state: zip.map_or("NY", |z| z.state).into(),
                postal: zip.map_or("10001", |z| z.zip).into(),
                country,
                area: zip
                    .and_then(|z| rng.pick(&z.area_codes).copied())
                    .unwrap_or("212")
                    .into(),
                subscriber_digits: 7,
            };
        }
        let cities = Weighted::new(
            FOREIGN_CITIES
                .iter()
                .filter(|c| c.country == country)
                .map(|c| (*c, c.weight)),
        );
        let city = cities.draw(rng).copied().unwrap_or(FOREIGN_CITIES[0]);
        let pattern = rng.pick(city.postal).copied().unwrap_or("10001");
        let postal = fill_postal(rng, pattern);
        let (street, suffix) = match country {
            "GB" => (rng.pick(tables::GB_STREETS), None),
            "DE" => (rng.pick(tables::DE_STREETS), None),
            "FR" => (rng.pick(tables::FR_STREETS), None),
            _ => (
                rng.pick(tables::CA_STREETS),
                Weighted::new(tables::US_SUFFIXES.iter().map(|&(f, a, w)| ((f, a), w)))
                    .draw(rng)
                    .copied(),
            ),
        };
        Address {
            number: if country == "US" || country == "CA" {
                number
            } else {
                number % 200 + 1
            },
            street: street.copied().unwrap_or("Main").into(),
            suffix,
            unit: None,
            city: city.city.into(),
            state: city.state.into(),
            postal,
            country,
            area: city.area.into(),
            subscriber_digits: city.subscriber_digits,
        }
    }

    /// The street line, abbreviated (`123 Main St Apt 4`) or spelled out.
    pub fn street_line(&self, full_suffix: bool) -> String {
        let name = match self.suffix {
            Some((full, abbr)) => {
                format!("{} {}", self.street, if full_suffix { full } else { abbr })
            }
            None => self.street.clone(),
        };
        let mut line = match self.country {
            "DE" => format!("{name} {}", self.number),
            _ => format!("{} {name}", self.number),
        };
        if let Some(unit) = &self.unit {
            line.push(' ');
            if full_suffix {
                line.push_str(&unit.replacen("Apt", "Apartment", 1));
            } else {
                line.push_str(unit);
            }
        }
        line
    }
}

/// Local part and domain for an e-mail address of `first last`.
pub(crate) fn draw_email(
    rng: &mut Rng,
    first: &str,
    last: &str,
    year: u32,
    country: &str,
) -> String {
    let f = first.to_ascii_lowercase().replace([' ', '\''], "");
    let l = last.to_ascii_lowercase().replace([' ', '\''], "");
    let initial = f.get(..1).unwrap_or("x");
    let n = rng.range(1, 99);
    let local = match rng.below(9) {
        0 | 1 => format!("{f}.{l}"),
        2 => format!("{f}{l}"),
        3 => format!("{initial}{l}"),
        4 => format!("{f}_{l}"),
        5 => format!("{f}.{l}{n}"),
        6 => format!("{f}{:02}", year % 100),
        7 => format!("{l}.{f}"),
        _ => format!("{initial}{l}{n}"),
    };
    let domain = Weighted::new(tables::email_providers(country).iter().copied())
        .draw(rng)
        .copied()
        .unwrap_or("gmail.com");
    format!("{local}@{domain}")
}

/// A fresh phone number (area code of the address, random subscriber part).
pub(crate) fn draw_phone(rng: &mut Rng, a: &Address) -> (&'static str, String) {
    let cc = calling_code(a.country);
    let subscriber = match a.country {
        // NANP: exchange 2-9XX and never N11.
        "US" | "CA" => loop {
            let s = digits(rng, 7, 2);
            if s.get(1..3) != Some("11") {
                break s;
            }
        },
        "GB" if a.area == "20" => {
            format!(
                "{}{}",
                rng.pick(&['3', '7', '8']).copied().unwrap_or('7'),
                digits(rng, 7, 0)
            )
        }
        "FR" => digits(rng, 8, 0),
        _ => digits(rng, a.subscriber_digits, 2),
    };
    (cc, format!("{}{subscriber}", a.area))
}

impl Entity {
    /// Draws entity number `index` from its own stream of `seed`, so an
    /// entity is the same whatever else is generated.
    pub fn draw(
        t: &Tables,
        seed: u64,
        index: u64,
        business_rate: f64,
        foreign_rate: f64,
    ) -> Entity {
        let mut rng = crate::stream(seed, 1, index);
        let given = t
            .given
            .draw(&mut rng)
            .cloned()
            .unwrap_or(tables::GivenName {
                name: "Alex",
                gender: 'm',
            });
        let last = t.family.draw(&mut rng).copied().unwrap_or("Smith");
        let country = if rng.chance(foreign_rate) {
            *rng.pick(&["GB", "GB", "DE", "FR", "CA", "CA"])
                .unwrap_or(&"GB")
        } else {
            "US"
        };
        let year = rng.range(1940, 2006);
        let month = rng.range(1, 12);
        let day = rng.range(1, days_in_month(year, month));
        let address = Address::draw(t, &mut rng, country);
        let phone = draw_phone(&mut rng, &address);
        let email = draw_email(&mut rng, given.name, last, year, country);
        let company = rng.chance(business_rate).then(|| {
            let word = rng
                .pick(tables::COMPANY_WORDS)
                .copied()
                .unwrap_or("Holdings");
            let owner = t.family.draw(&mut rng).copied().unwrap_or(last);
            let legal = rng
                .pick(tables::legal_forms(country))
                .copied()
                .unwrap_or("Inc.");
            let tld = match country {
                "GB" => "co.uk",
                "DE" => "de",
                "FR" => "fr",
                "CA" => "ca",
                _ => "com",
            };
            Company {
                name: format!("{owner} {word} {legal}"),
                duns: digits(&mut rng, 9, 0),
                domain: format!(
                    "{}{}.{tld}",
                    owner.to_ascii_lowercase(),
                    word.to_ascii_lowercase()
                ),
            }
        });
        Entity {
            id: format!("e{index:07}"),
            first: given.name.into(),
            last: last.into(),
            gender: given.gender,
            dob: (year, month, day),
            address,
            phone,
            email,
            company,
        }
    }

    /// The entity as a clean record in canonical formats: ISO date, E.164
    /// phone, abbreviated street suffix.
    pub fn clean_row(&self, id: String, external_id: String) -> Row {
        let mut r = Row::new(id);
        let a = &self.address;
        let (y, m, d) = self.dob;
        r.set(Slot::Email, self.email.clone());
        r.set(Slot::Phone, format!("+{}{}", self.phone.0, self.phone.1));
        r.set(Slot::FirstName, self.first.clone());
        r.set(Slot::LastName, self.last.clone());
        r.set(Slot::Street, a.street_line(false));
        r.set(Slot::City, a.city.clone());
        r.set(Slot::State, a.state.clone());
        r.set(Slot::PostalCode, a.postal.clone());
        r.set(Slot::Country, a.country.into());
        r.set(Slot::DateOfBirth, format!("{y:04}-{m:02}-{d:02}"));
        r.set(Slot::Gender, self.gender.to_string());
        if let Some(c) = &self.company {
            r.set(Slot::CompanyName, c.name.clone());
            r.set(Slot::Duns, c.duns.clone());
            r.set(Slot::WebDomain, c.domain.clone());
        }
        r.set(Slot::ExternalId, external_id);
        r
    }
}
