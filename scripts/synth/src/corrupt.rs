//! Corruptions: the ways real records of one customer disagree.

use crate::person::{draw_email, draw_phone, Address, Entity};
use crate::rng::Rng;
use crate::tables::Tables;
use crate::{Row, Slot};

/// Rates of each corruption, all in `[0, 1]`. "Per value" rates apply to each
/// eligible field of a record independently; "per record" rates once per record.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Corruption {
    /// Per value: one typo (insert, delete, keyboard-adjacent substitution or
    /// transposition) in names, street, city, e-mail, phone digits, date digits.
    pub typo: f64,
    /// Per name: one phonetic respelling (ph↔f, c↔k, y↔ie, …).
    pub phonetic: f64,
    /// Per record: the given name replaced by a nickname (or a nickname by
    /// its formal name).
    pub nickname: f64,
    /// Per value: the value left empty.
    pub missing: f64,
    /// Per record: a different address (and with it the landline phone).
    pub moved: f64,
    /// Per record: a different e-mail address.
    pub email_changed: f64,
    /// Per record: given and family name swapped.
    pub name_swap: f64,
    /// Per value: a different but equivalent writing (case, spaces,
    /// punctuation, phone and date layouts, St/Street, country names).
    pub formatting: f64,
}

impl Corruption {
    /// No corruption at all: every record is the clean rendering.
    pub const NONE: Corruption = Corruption {
        typo: 0.0,
        phonetic: 0.0,
        nickname: 0.0,
        missing: 0.0,
        moved: 0.0,
        email_changed: 0.0,
        name_swap: 0.0,
        formatting: 0.0,
    };
}

impl Default for Corruption {
    /// Moderate noise, roughly what matching customer files across channels
    /// looks like (the figures of the quality benchmark).
    fn default() -> Self {
        Corruption {
            typo: 0.05,
            phonetic: 0.03,
            nickname: 0.05,
            missing: 0.08,
            moved: 0.08,
            email_changed: 0.08,
            name_swap: 0.02,
            formatting: 0.15,
        }
    }
}

/// What was done to one record (for the rate tests and for debugging).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Applied {
    /// Typos made.
    pub typos: u32,
    /// Phonetic respellings made.
    pub phonetic: u32,
    /// Nickname substituted.
    pub nickname: bool,
    /// Values blanked.
    pub missing: u32,
    /// Address replaced.
    pub moved: bool,
    /// E-mail replaced.
    pub email_changed: bool,
    /// Names swapped.
    pub name_swap: bool,
    /// Values reformatted.
    pub formatted: u32,
}

/// QWERTY neighbours of each lowercase letter and digit.
fn neighbours(c: char) -> &'static str {
    match c {
        'q' => "wa",
        'w' => "qes",
        'e' => "wrd",
        'r' => "etf",
        't' => "ryg",
        'y' => "tuh",
        'u' => "yij",
        'i' => "uok",
        'o' => "ipl",
        'p' => "ol",
        'a' => "qsz",
        's' => "adwx",
        'd' => "sfec",
        'f' => "dgrv",
        'g' => "fhtb",
        'h' => "gjyn",
        'j' => "hkum",
        'k' => "jlim",
        'l' => "kop",
        'z' => "xas",
        'x' => "zcsd",
        'c' => "xvdf",
        'v' => "cbfg",
        'b' => "vngh",
        'n' => "bmhj",
        'm' => "njk",
        '1' => "24",
        '2' => "13",
        '3' => "24",
        '4' => "35",
        '5' => "46",
        '6' => "57",
        '7' => "68",
        '8' => "79",
        '9' => "80",
        '0' => "9",
        _ => "",
    }
}

/// One typo at a letter (or, with `digits_only`, a digit) of `s`; the result
/// always differs from `s`. `None` when `s` has nothing to mistype.
pub fn typo(s: &str, rng: &mut Rng, digits_only: bool) -> Option<String> {
    let chars: Vec<char> = s.chars().collect();
    let eligible = |c: &char| {
        if digits_only {
            c.is_ascii_digit()
        } else {
            c.is_alphabetic()
        }
    };
    let positions: Vec<usize> = (0..chars.len())
        .filter(|&i| chars.get(i).is_some_and(eligible))
        .collect();
    if positions.is_empty() {
        return None;
    }
    for _ in 0..8 {
        let &i = rng.pick(&positions)?;
        let c = *chars.get(i)?;
        let mut out = chars.clone();
        // Digits keep their count (a phone or date typo is a wrong digit or
        // two swapped digits, not a length change).
        let op = if digits_only {
            2 + rng.below(2)
        } else {
            rng.below(4)
        };
        match op {
            0 => {
                let lower = c.to_lowercase().next().unwrap_or(c);
                let n = rng
                    .pick(neighbours(lower).as_bytes())
                    .map_or(lower, |&b| char::from(b));
                out.insert(i + 1, n);
            }
            1 if positions.len() > 2 => {
                out.remove(i);
            }
            2 => {
                let lower = c.to_lowercase().next().unwrap_or(c);
                let n = rng
                    .pick(neighbours(lower).as_bytes())
                    .map_or(c, |&b| char::from(b));
                let n = if c.is_uppercase() {
                    n.to_ascii_uppercase()
                } else {
                    n
                };
                if let Some(slot) = out.get_mut(i) {
                    *slot = n;
                }
            }
            _ => {
                // Two neighbouring letters (or digits) swapped, each position
                // keeping its case: Center → Cetner, never eCnter.
                let j = i + 1;
                let Some(&d) = chars.get(j).filter(|d| eligible(d)) else {
                    continue;
                };
                let with_case = |ch: char, upper: bool| -> char {
                    if upper {
                        ch.to_uppercase().next().unwrap_or(ch)
                    } else {
                        ch.to_lowercase().next().unwrap_or(ch)
                    }
                };
                if let Some(slot) = out.get_mut(i) {
                    *slot = with_case(d, c.is_uppercase());
                }
                if let Some(slot) = out.get_mut(j) {
                    *slot = with_case(c, d.is_uppercase());
                }
            }
        }
        let t: String = out.into_iter().collect();
        if t != s {
            return Some(t);
        }
    }
    None
}

/// Spelling rules that sound alike, applied one way or the other.
const PHONETIC: &[(&str, &str)] = &[
    ("ph", "f"),
    ("ck", "k"),
    ("c", "k"),
    ("y", "ie"),
    ("ei", "ie"),
    ("ou", "ow"),
    ("z", "s"),
    ("ll", "l"),
    ("tt", "t"),
    ("nn", "n"),
    ("rr", "r"),
    ("th", "t"),
    ("ee", "ea"),
    ("ai", "ay"),
    ("x", "ks"),
    ("qu", "kw"),
    ("mm", "m"),
    ("sch", "sh"),
    ("i", "y"),
    ("er", "ar"),
    ("an", "en"),
    ("son", "sen"),
];

/// One phonetic respelling of a name (`Stephen` → `Stefen`, `Katie` →
/// `Katy`); `None` when no rule applies.
pub fn phonetic(name: &str, rng: &mut Rng) -> Option<String> {
    let lower = name.to_lowercase();
    let mut options: Vec<(usize, &str, &str)> = Vec::new();
    for &(a, b) in PHONETIC {
        for (from, to) in [(a, b), (b, a)] {
            // Not on the first letter: people rarely misspell how a name starts.
            for (pos, _) in lower.match_indices(from).filter(|(p, _)| *p > 0) {
                options.push((pos, from, to));
            }
        }
    }
    let &(pos, from, to) = rng.pick(&options)?;
    let mut out = String::with_capacity(name.len() + 2);
    out.push_str(lower.get(..pos)?);
    out.push_str(to);
    out.push_str(lower.get(pos + from.len()..)?);
    Some(capitalise(&out))
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// A nickname of `first` (or, if `first` is a nickname, its formal name).
pub fn nickname(t: &Tables, first: &str, rng: &mut Rng) -> Option<String> {
    let nicks = t.nicknames_of(first);
    if let Some((_, n)) = rng.pick(nicks) {
        return Some((*n).to_string());
    }
    let formal: Vec<&str> = t.formal_of(first).collect();
    rng.pick(&formal).map(|s| (*s).to_string())
}

/// A US/CA/GB/DE/FR state name table is not needed: states stay codes, only
/// their case changes.
fn reformat(slot: Slot, value: &str, e: &Entity, rng: &mut Rng) -> Option<String> {
    let v = value;
    let case = |rng: &mut Rng| match rng.below(3) {
        0 => v.to_uppercase(),
        1 => v.to_lowercase(),
        _ => format!("  {v} "),
    };
    Some(match slot {
        Slot::FirstName | Slot::LastName | Slot::City | Slot::CompanyName | Slot::State => {
            case(rng)
        }
        Slot::Email => match rng.below(2) {
            0 => v.to_uppercase(),
            _ => capitalise(v) + " ",
        },
        Slot::Phone => {
            let (cc, nsn) = (&e.phone.0, e.phone.1.as_str());
            let domestic = matches!(
                (e.address.country, *cc),
                ("US" | "CA", "1") | ("GB", "44") | ("DE", "49") | ("FR", "33")
            );
            if !domestic {
                return None;
            }
            let (area, sub) = nsn.split_at(e.address.area.len().min(nsn.len()));
            match (*cc, rng.below(4)) {
                ("1", 0) => format!("({area}) {}-{}", sub.get(..3)?, sub.get(3..)?),
                ("1", 1) => format!("{area}-{}-{}", sub.get(..3)?, sub.get(3..)?),
                ("1", 2) => format!("{area}.{}.{}", sub.get(..3)?, sub.get(3..)?),
                ("1", _) => format!("+1 {area} {} {}", sub.get(..3)?, sub.get(3..)?),
                ("33", 0) => format!(
                    "0{area} {} {} {} {}",
                    sub.get(..2)?,
                    sub.get(2..4)?,
                    sub.get(4..6)?,
                    sub.get(6..)?
                ),
                ("33", 1) => format!(
                    "+33 {area} {} {} {} {}",
                    sub.get(..2)?,
                    sub.get(2..4)?,
                    sub.get(4..6)?,
                    sub.get(6..)?
                ),
                ("49", 0) => format!("0{area}/{sub}"),
                (_, 0 | 1) => format!("0{area} {sub}"),
                (cc, _) => format!("+{cc} {area} {sub}"),
            }
        }
        Slot::DateOfBirth => {
            let (y, m, d) = e.dob;
            match rng.below(3) {
                0 => format!("{y:04}{m:02}{d:02}"),
                1 => format!("{y:04}/{m:02}/{d:02}"),
                // US order, the only day/month-first order the data uses
                // (definitions read it with dateOrder "mdy").
                _ => format!("{m:02}/{d:02}/{y:04}"),
            }
        }
        Slot::Street => {
            let full = e.address.street_line(true);
            if v.eq_ignore_ascii_case(&full) {
                return Some(v.to_uppercase());
            }
            match rng.below(3) {
                0 if full != v => full,
                1 => v.to_uppercase(),
                _ => {
                    if let Some((_, abbr)) = e.address.suffix {
                        v.replacen(&format!(" {abbr}"), &format!(" {abbr}."), 1)
                    } else {
                        v.to_lowercase()
                    }
                }
            }
        }
        Slot::PostalCode => match e.address.country {
            "US" => format!("{v}-{}", crate::person::digits(rng, 4, 0)),
            "GB" | "CA" => v.replace(' ', "").to_lowercase(),
            _ => format!(" {v}"),
        },
        Slot::Country => {
            let names: &[&str] = match e.address.country {
                "US" => &["USA", "United States", "us", "U.S.A."],
                "GB" => &["United Kingdom", "UK", "gb"],
                "DE" => &["Germany", "Deutschland", "DEU"],
                "FR" => &["France", "FRA", "fr"],
                _ => &["Canada", "CAN", "ca"],
            };
            rng.pick(names)?.to_string()
        }
        Slot::Gender => match (e.gender, rng.below(2)) {
            ('f', 0) => "F".into(),
            ('f', _) => "female".into(),
            (_, 0) => "M".into(),
            _ => "Male".into(),
        },
        Slot::Duns => {
            let d = v;
            format!("{}-{}-{}", d.get(..2)?, d.get(2..5)?, d.get(5..)?)
        }
        Slot::WebDomain => format!("www.{v}"),
        Slot::ExternalId => return None,
    })
}

/// Fields a typo can hit, and whether it hits digits rather than letters.
const TYPO_SLOTS: &[(Slot, bool)] = &[
    (Slot::FirstName, false),
    (Slot::LastName, false),
    (Slot::Street, false),
    (Slot::City, false),
    (Slot::Email, false),
    (Slot::Phone, true),
    (Slot::DateOfBirth, true),
];

/// Fields that can be missing. Country and the company identifiers stay:
/// they decide how other fields are read, or define the business customer.
const MISSABLE: &[Slot] = &[
    Slot::Email,
    Slot::Phone,
    Slot::FirstName,
    Slot::LastName,
    Slot::Street,
    Slot::City,
    Slot::State,
    Slot::PostalCode,
    Slot::DateOfBirth,
    Slot::Gender,
];

/// Renders one noisy record of `e`: record-level changes first (moved,
/// new e-mail, nickname, swap), then formatting, typos, phonetic
/// respellings, and last the blanks.
pub fn noisy_row(
    t: &Tables,
    e: &Entity,
    id: String,
    external_id: String,
    c: &Corruption,
    rng: &mut Rng,
) -> (Row, Applied) {
    let mut applied = Applied::default();
    let mut e = e.clone();
    if rng.chance(c.moved) {
        let old = e.address.clone();
        for _ in 0..4 {
            e.address = Address::draw(t, rng, old.country);
            if e.address.postal != old.postal {
                break;
            }
        }
        e.phone = draw_phone(rng, &e.address);
        applied.moved = true;
    }
    if rng.chance(c.email_changed) {
        let old = e.email.clone();
        for _ in 0..4 {
            e.email = draw_email(rng, &e.first, &e.last, e.dob.0, e.address.country);
            if e.email != old {
                break;
            }
        }
        applied.email_changed = e.email != old;
    }
    let mut row = e.clean_row(id, external_id);
    if rng.chance(c.nickname) {
        if let Some(n) = nickname(t, &e.first, rng) {
            row.set(Slot::FirstName, n);
            applied.nickname = true;
        }
    }
    if rng.chance(c.name_swap) {
        let first = row.get(Slot::FirstName).to_string();
        let last = row.get(Slot::LastName).to_string();
        row.set(Slot::FirstName, last);
        row.set(Slot::LastName, first);
        applied.name_swap = true;
    }
    for slot in Slot::ALL {
        if row.get(slot).is_empty() || !rng.chance(c.formatting) {
            continue;
        }
        if let Some(v) = reformat(slot, row.get(slot), &e, rng) {
            if v != row.get(slot) {
                row.set(slot, v);
                applied.formatted += 1;
            }
        }
    }
    for &(slot, digits_only) in TYPO_SLOTS {
        if row.get(slot).is_empty() || !rng.chance(c.typo) {
            continue;
        }
        if let Some(v) = typo(row.get(slot), rng, digits_only) {
            row.set(slot, v);
            applied.typos += 1;
        }
    }
    for slot in [Slot::FirstName, Slot::LastName] {
        if row.get(slot).is_empty() || !rng.chance(c.phonetic) {
            continue;
        }
        if let Some(v) = phonetic(row.get(slot), rng) {
            if v.to_lowercase() != row.get(slot).to_lowercase() {
                row.set(slot, v);
                applied.phonetic += 1;
            }
        }
    }
    for &slot in MISSABLE {
        if !row.get(slot).is_empty() && rng.chance(c.missing) {
            row.set(slot, String::new());
            applied.missing += 1;
        }
    }
    (row, applied)
}
