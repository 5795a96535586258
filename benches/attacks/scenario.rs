//! The world the attacks run in: a directory like the partner portal's demo
//! (pseudolink-synth customers), a partner file that overlaps part of it, the
//! attacker's public lists, how each role's encodings are made, and how a
//! re-identification is scored.

use pseudolink::link::EncodedRecord;
use pseudolink::{
    normalize, ClkEncoder, ClkSchema, Country, DateOrder, Field, Hardening, IdentityDefinition,
    NormalizeOptions, Profile, Pseudonymizer, Record, RecordEncoder, Secret, DEFAULT_CLK_SCHEMA,
    RECORD_CLK,
};
use pseudolink_synth::{link, Config, Row};
use std::collections::{BTreeMap, HashMap};

/// The demo's seed (scripts/demo-directory.sh).
pub const SEED: u64 = 2026;
/// `DEMO_KEY` of www/shared/demo-config.js: the token key the partner portal
/// shipped before issue 11 (baseline a0).
pub const DEMO_KEY: &[u8] = b"pseudolink-demo-key-not-secret!!";
/// Its key id.
pub const DEMO_KEY_ID: &str = "demo2026";
/// The demo CLK secret the partner portal shipped before issue 11 (baseline a0).
pub const DEMO_CLK_SECRET: &[u8] = b"pseudolink-demo-clk-secret-not-secret!";
/// The linking project's CLK secret (data holders only, never the service).
pub const PROJECT_CLK_SECRET: &[u8] = b"pseudolink-demo-project-clk-secret-not-secret!";
/// Stands in for the key server's OPRF key: `po1` tokens are a deterministic
/// PRF of the same normalised value under a key only the key server holds,
/// so for everyone but the key server they behave like keyed tokens under a
/// key nobody else has. No role below is given it.
const KEY_SERVER_ONLY: &[u8] = b"held-by-the-key-server-and-nobody-else";

/// The demo's identity definition (www/shared/definition.js).
pub const DEFINITION: &str = r#"{
  "version": 1,
  "fields": ["email", "phone", "firstName", "lastName", "street", "city", "state", "postalCode",
             "country", "dateOfBirth", "gender", "companyName", "duns", "webDomain", "externalId"],
  "matchKeys": [
    {"name": "nameDob", "parts": [{"field": "lastName"}, {"field": "firstName", "take": "initial"}, {"field": "dateOfBirth"}]},
    {"name": "addressName", "parts": [{"field": "postalCode"}, {"field": "street", "take": "streetNumber"}, {"field": "lastName"}]},
    {"name": "companySite", "parts": [{"field": "companyName"}, {"field": "postalCode"}]}
  ],
  "defaultRegion": "US",
  "dateOrder": "mdy"
}"#;

/// Token subjects the linkage service accepts (contract: `tokenSubjects`).
pub const SERVICE_SUBJECTS: [&str; 5] = [
    "email",
    "phone",
    "dateOfBirth",
    "mk-nameDob",
    "mk-addressName",
];

/// The fields a re-identification is scored on, in this order.
pub const FIELDS: [Field; 8] = [
    Field::FirstName,
    Field::LastName,
    Field::DateOfBirth,
    Field::PostalCode,
    Field::Email,
    Field::Phone,
    Field::Street,
    Field::City,
];
/// Positions in [`FIELDS`].
pub const FIRST: usize = 0;
/// Last name.
pub const LAST: usize = 1;
/// Date of birth.
pub const DOB: usize = 2;
/// ZIP / postal code.
pub const ZIP: usize = 3;
/// City.
pub const CITY: usize = 7;

/// Normalised values of one record, by [`FIELDS`] position.
pub type Values = [Option<String>; 8];

/// The position in [`FIELDS`] of a field's wire name.
pub fn slot_of(name: &str) -> Option<usize> {
    FIELDS.iter().position(|f| f.name() == name)
}

/// How large the world is.
#[derive(Clone, Copy, Debug)]
pub struct Scale {
    /// Directory customers (synth's A).
    pub customers: usize,
    /// Rows of the partner's file (the first of synth's B; half of B are customers).
    pub partner_rows: usize,
}

impl Scale {
    /// The demo's sizes (scripts/demo-directory.sh: N=2500, 1,000 partner rows).
    pub const DEMO: Scale = Scale {
        customers: 2500,
        partner_rows: 1000,
    };
    /// The test suite's.
    pub const QUICK: Scale = Scale {
        customers: 600,
        partner_rows: 240,
    };
}

/// The directory, the partner's file and the truth that scores attacks.
pub struct Scenario {
    /// The company's customers (raw synthetic rows; only encodings leave).
    pub directory: Vec<Row>,
    /// Normalised values of each directory customer.
    pub truth: Vec<Values>,
    /// Whether a directory customer is also in the partner's file.
    pub in_partner: Vec<bool>,
    /// The partner's file.
    pub partner: Vec<Row>,
    /// Normalised values of each partner row.
    pub partner_values: Vec<Values>,
    /// The directory customer a partner row is, if any.
    pub partner_truth: Vec<Option<usize>>,
    /// Rows of synth's B after the partner's file: other people, about half
    /// of them customers (a competitor's list, for the membership prober).
    pub others: Vec<Row>,
    /// The directory customer each of `others` is, if any.
    pub others_truth: Vec<Option<usize>>,
}

impl Scenario {
    /// Generates the world (same scale, same bytes).
    pub fn new(scale: Scale) -> Scenario {
        let data = link(&Config::new(SEED), scale.customers, 0.5);
        let index: HashMap<&str, usize> = data
            .a
            .iter()
            .enumerate()
            .map(|(i, r)| (r.id.as_str(), i))
            .collect();
        let b_to_a: HashMap<&str, usize> = data
            .pairs
            .iter()
            .filter_map(|(a, b)| Some((b.as_str(), *index.get(a.as_str())?)))
            .collect();
        let rows = scale.partner_rows.min(data.b.len());
        let truth_of = |r: &Row| b_to_a.get(r.id.as_str()).copied();
        let partner: Vec<Row> = data.b[..rows].to_vec();
        let others: Vec<Row> = data.b[rows..].to_vec();
        let partner_truth: Vec<Option<usize>> = partner.iter().map(truth_of).collect();
        let others_truth = others.iter().map(truth_of).collect();
        let mut in_partner = vec![false; data.a.len()];
        for j in partner_truth.iter().flatten() {
            in_partner[*j] = true;
        }
        Scenario {
            truth: data.a.iter().map(values).collect(),
            partner_values: partner.iter().map(values).collect(),
            directory: data.a,
            in_partner,
            partner,
            partner_truth,
            others,
            others_truth,
        }
    }

    /// Directory customers not in the partner's file: whom the attacks must not learn.
    pub fn targets(&self) -> usize {
        self.in_partner.iter().filter(|p| !**p).count()
    }
}

/// Normalisation options for a row (its own country, else the US).
fn options(country: &str) -> NormalizeOptions {
    let mut o = NormalizeOptions::new(Profile::Pseudolink);
    o.region = Country::parse(country).or_else(|| Country::parse("US"));
    o.date_order = Some(DateOrder::Mdy);
    o
}

/// A row's normalised values (what tokens and CLKs are made of).
pub fn values(row: &Row) -> Values {
    let country = row
        .present()
        .find(|(k, _)| *k == "country")
        .map_or("", |(_, v)| v);
    let o = options(country);
    let mut out: Values = Default::default();
    for (name, value) in row.present() {
        if let (Some(slot), Some(field)) = (slot_of(name), Field::from_name(name)) {
            out[slot] = normalize(field, value, &o).ok();
        }
    }
    out
}

/// A row as the crate's record.
pub fn record(row: &Row) -> Record {
    let mut rec = Record::new();
    for (name, value) in row.present() {
        if let Some(f) = Field::from_name(name) {
            rec.set(f, value);
        }
    }
    rec
}

/// Guessed values per directory customer (`None`: nothing recovered).
pub type Guesses = Vec<Values>;

/// No guess for any of `n` customers.
pub fn no_guesses(n: usize) -> Guesses {
    vec![Default::default(); n]
}

/// Share of target customers (not in the partner's file) re-identified.
#[derive(Clone, Copy, Debug, Default)]
pub struct Reid {
    /// First name, last name, date of birth and ZIP all correct.
    pub full: f64,
    /// `full` among the targets who carry all four (the issue's 75% is this).
    pub full_of_four: f64,
    /// First and last name correct.
    pub name: f64,
    /// At least one field value correct.
    pub any: f64,
    /// Target customers.
    pub targets: usize,
}

/// Scores guesses against the truth: a field counts when the guess equals
/// the customer's normalised value in the directory.
pub fn score(s: &Scenario, guesses: &Guesses) -> Reid {
    let (mut full, mut four, mut name, mut any, mut targets) = (0usize, 0usize, 0usize, 0, 0);
    for ((truth, guess), in_partner) in s.truth.iter().zip(guesses).zip(&s.in_partner) {
        if *in_partner {
            continue;
        }
        targets += 1;
        let ok = |k: usize| truth[k].is_some() && truth[k] == guess[k];
        if [FIRST, LAST, DOB, ZIP].iter().all(|k| truth[*k].is_some()) {
            four += 1;
        }
        if ok(FIRST) && ok(LAST) && ok(DOB) && ok(ZIP) {
            full += 1;
        }
        if ok(FIRST) && ok(LAST) {
            name += 1;
        }
        if (0..FIELDS.len()).any(ok) {
            any += 1;
        }
    }
    let share = |k: usize, of: usize| if of == 0 { 0.0 } else { k as f64 / of as f64 };
    Reid {
        full: share(full, targets),
        full_of_four: share(full, four),
        name: share(name, targets),
        any: share(any, targets),
        targets,
    }
}

/// The attacker's public lists, normalised like the data, most frequent first.
pub struct Dictionaries {
    /// SSA given names (weights), then nicknames (weight 0).
    pub first: Vec<(String, f64)>,
    /// Census surnames (counts).
    pub last: Vec<(String, f64)>,
    /// Every date 1920-01-01 ..= 2009-12-31 (uniform).
    pub dates: Vec<String>,
    /// Every ZIP of the generator's table (uniform).
    pub zips: Vec<String>,
    /// Cities of the ZIP table, weighted by their number of ZIPs.
    pub cities: Vec<(String, f64)>,
}

const FIRST_NAMES: &str = include_str!("../../scripts/synth/data/first_names.csv");
const SURNAMES: &str = include_str!("../../scripts/synth/data/surnames.csv");
const NICKNAMES: &str = include_str!("../../scripts/synth/data/nicknames.csv");
const US_ZIPS: &str = include_str!("../../scripts/synth/data/us_zips.csv");

/// Data rows of one of synth's small unquoted CSV files.
fn csv_rows(text: &str) -> impl Iterator<Item = Vec<&str>> {
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split(',').collect())
}

/// Normalised values with summed weights, most frequent first (ties by value).
fn ranked(field: Field, items: impl Iterator<Item = (String, f64)>) -> Vec<(String, f64)> {
    let o = options("US");
    let mut sum: BTreeMap<String, f64> = BTreeMap::new();
    for (v, w) in items {
        if let Ok(n) = normalize(field, &v, &o) {
            *sum.entry(n).or_default() += w;
        }
    }
    let mut out: Vec<(String, f64)> = sum.into_iter().collect();
    out.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    out
}

fn leap(y: u32) -> bool {
    (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400)
}

impl Dictionaries {
    /// The lists pseudolink-synth ships, plus every date and every ZIP.
    pub fn public() -> Dictionaries {
        let weight = |r: &Vec<&str>, i: usize| r.get(i).and_then(|w| w.parse::<f64>().ok());
        let first = ranked(
            Field::FirstName,
            csv_rows(FIRST_NAMES)
                .filter_map(|r| Some((r.first()?.to_string(), weight(&r, 2)?)))
                .chain(csv_rows(NICKNAMES).filter_map(|r| Some((r.get(1)?.to_string(), 0.0)))),
        );
        let last = ranked(
            Field::LastName,
            csv_rows(SURNAMES).filter_map(|r| Some((r.first()?.to_string(), weight(&r, 1)?))),
        );
        let o = options("US");
        let mut dates = Vec::new();
        for y in 1920..=2009u32 {
            for m in 1..=12u32 {
                let days = match m {
                    2 if leap(y) => 29,
                    2 => 28,
                    4 | 6 | 9 | 11 => 30,
                    _ => 31,
                };
                for d in 1..=days {
                    if let Ok(v) = normalize(Field::DateOfBirth, &format!("{y}-{m:02}-{d:02}"), &o)
                    {
                        dates.push(v);
                    }
                }
            }
        }
        let zips = csv_rows(US_ZIPS)
            .filter_map(|r| normalize(Field::PostalCode, r.first()?, &o).ok())
            .collect();
        let cities = ranked(
            Field::City,
            csv_rows(US_ZIPS).filter_map(|r| Some((r.get(1)?.to_string(), 1.0))),
        );
        Dictionaries {
            first,
            last,
            dates,
            zips,
            cities,
        }
    }

    /// The list for a scored field (values only), if the attacker has one.
    pub fn of(&self, slot: usize) -> Vec<String> {
        let names = |l: &[(String, f64)]| l.iter().map(|(v, _)| v.clone()).collect();
        match slot {
            FIRST => names(&self.first),
            LAST => names(&self.last),
            DOB => self.dates.clone(),
            ZIP => self.zips.clone(),
            CITY => names(&self.cities),
            _ => Vec::new(),
        }
    }
}

/// The demo definition.
pub fn definition() -> Result<IdentityDefinition, String> {
    IdentityDefinition::from_json(DEFINITION).map_err(|e| e.to_string())
}

/// A pseudonymizer under one key.
pub fn pseudonymizer(id: &str, key: &[u8]) -> Result<Pseudonymizer, String> {
    let secret = Secret::new(key.to_vec()).map_err(|e| e.to_string())?;
    Pseudonymizer::new(vec![(id.to_owned(), secret)], definition()?).map_err(|e| e.to_string())
}

/// The default CLK schema.
pub fn schema() -> Result<ClkSchema, String> {
    ClkSchema::from_json(DEFAULT_CLK_SCHEMA).map_err(|e| e.to_string())
}

/// Today's design: the directory as the demo builds it (pl1 tokens and
/// match keys under the page's key, unhardened CLKs under the page's secret).
pub fn demo_directory(s: &Scenario) -> Result<Vec<EncodedRecord>, String> {
    let enc = RecordEncoder::with_clks(
        pseudonymizer(DEMO_KEY_ID, DEMO_KEY)?,
        &schema()?,
        DEMO_CLK_SECRET,
    )
    .map_err(|e| e.to_string())?;
    Ok(s.directory
        .iter()
        .map(|r| enc.encode(&r.id, &record(r)).record)
        .collect())
}

/// The schema's feature order (a CLK row is one value per feature).
pub const CLK_FEATURES: [usize; 6] = [FIRST, LAST, 6, CITY, ZIP, DOB];

/// Encodes CLKs under the project secret with a hardening, as a data holder
/// does: one per present feature plus the record CLK.
pub struct ClkMaker {
    encoder: ClkEncoder,
}

impl ClkMaker {
    /// The default schema under `secret` and `hardening`.
    pub fn new(secret: &[u8], hardening: &Hardening) -> Result<ClkMaker, String> {
        let encoder =
            ClkEncoder::with_hardening(&schema()?, secret, hardening).map_err(|e| e.to_string())?;
        Ok(ClkMaker { encoder })
    }

    /// The CLKs of one record's normalised values (empty when the encoder
    /// refuses the row, e.g. salting without a birth date).
    pub fn clks(&self, v: &Values) -> BTreeMap<String, Vec<u8>> {
        let row: Vec<&str> = CLK_FEATURES
            .iter()
            .map(|k| v[*k].as_deref().unwrap_or(""))
            .collect();
        let mut out = BTreeMap::new();
        let Ok(features) = self.encoder.encode_features(&row) else {
            return out;
        };
        for (k, clk) in CLK_FEATURES.iter().zip(features) {
            if let Some(c) = clk {
                out.insert(FIELDS[*k].name().to_owned(), c.as_bytes().to_vec());
            }
        }
        if !out.is_empty() {
            if let Ok(r) = self.encoder.encode(&row) {
                out.insert(RECORD_CLK.to_owned(), r.as_bytes().to_vec());
            }
        }
        out
    }

    /// The CLK of one feature's value alone.
    pub fn feature(&self, slot: usize, value: &str) -> Option<Vec<u8>> {
        let pos = CLK_FEATURES.iter().position(|k| *k == slot)?;
        let row: Vec<&str> = CLK_FEATURES
            .iter()
            .map(|k| if *k == slot { value } else { "" })
            .collect();
        let features = self.encoder.encode_features(&row).ok()?;
        features
            .into_iter()
            .nth(pos)
            .flatten()
            .map(|c| c.as_bytes().to_vec())
    }
}

/// What the linkage service stores for a file in the new design: `po1`
/// tokens of the project's subjects (modelled, see [`KEY_SERVER_ONLY`]) and
/// CLKs hardened as configured. Ids are row positions, as in the service.
pub fn service_records(
    rows: &[Row],
    values: &[Values],
    clks: &ClkMaker,
    prefix: &str,
) -> Result<Vec<EncodedRecord>, String> {
    let p = pseudonymizer("ks", KEY_SERVER_ONLY)?;
    let keep = |t: &String| {
        let subject = t.split('.').nth(1).unwrap_or("");
        SERVICE_SUBJECTS.contains(&subject)
    };
    Ok(rows
        .iter()
        .zip(values)
        .enumerate()
        .map(|(i, (r, v))| {
            let t = p.tokenize(&record(r));
            EncodedRecord {
                id: format!("{prefix}{i}"),
                tokens: t.tokens.into_iter().filter(keep).collect(),
                match_keys: t.match_keys.into_iter().filter(keep).collect(),
                clks: clks.clks(v),
            }
        })
        .collect())
}

/// Per field, the share of targets carrying it whose value was guessed right.
pub fn field_accuracy(s: &Scenario, guesses: &Guesses) -> [f64; 8] {
    let mut out = [0.0; 8];
    for (k, o) in out.iter_mut().enumerate() {
        let (mut have, mut ok) = (0usize, 0usize);
        for ((t, g), p) in s.truth.iter().zip(guesses).zip(&s.in_partner) {
            if *p || t[k].is_none() {
                continue;
            }
            have += 1;
            if t[k] == g[k] {
                ok += 1;
            }
        }
        *o = if have == 0 {
            0.0
        } else {
            ok as f64 / have as f64
        };
    }
    out
}
