//! Synthetic customer records with known truth, for pseudolink's tests and
//! linkage-quality benchmarks.
//!
//! Names are drawn with real frequencies (US Census 2010 surnames, SSA given
//! names), addresses from real US ZIP/city/state/area-code rows plus a few
//! GB/DE/FR/CA cities, and every record is a noisy rendering of a clean
//! [`Entity`] under configurable, seeded [`Corruption`] rates. The same
//! seed and parameters give byte-identical output on every platform: the
//! PRNG is our own ([`rng`]) and nothing iterates a hash map.
//!
//! Pure computation (no file system), so it also builds for wasm32; the
//! `pseudolink-synth` binary writes the CSV files.
//!
//! ```
//! use pseudolink_synth::{link, Config};
//! let data = link(&Config::new(1), 100, 0.5);
//! assert_eq!((data.a.len(), data.b.len(), data.pairs.len()), (100, 100, 50));
//! ```

pub mod corrupt;
pub mod csv;
pub mod person;
pub mod rng;
pub mod tables;

pub use corrupt::{Applied, Corruption};
pub use person::Entity;
pub use rng::Rng;
use tables::Tables;

/// The record columns: pseudolink's field wire names, in its wire order.
pub const FIELDS: [&str; 15] = [
    "email",
    "phone",
    "firstName",
    "lastName",
    "street",
    "city",
    "state",
    "postalCode",
    "country",
    "dateOfBirth",
    "gender",
    "companyName",
    "duns",
    "webDomain",
    "externalId",
];

/// A column of [`FIELDS`], by position.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[allow(missing_docs)]
pub enum Slot {
    Email,
    Phone,
    FirstName,
    LastName,
    Street,
    City,
    State,
    PostalCode,
    Country,
    DateOfBirth,
    Gender,
    CompanyName,
    Duns,
    WebDomain,
    ExternalId,
}

impl Slot {
    /// Every slot, in [`FIELDS`] order.
    pub const ALL: [Slot; 15] = [
        Slot::Email,
        Slot::Phone,
        Slot::FirstName,
        Slot::LastName,
        Slot::Street,
        Slot::City,
        Slot::State,
        Slot::PostalCode,
        Slot::Country,
        Slot::DateOfBirth,
        Slot::Gender,
        Slot::CompanyName,
        Slot::Duns,
        Slot::WebDomain,
        Slot::ExternalId,
    ];

    /// The wire name.
    pub fn name(self) -> &'static str {
        FIELDS[self as usize]
    }
}

/// One generated record: an id and a value per field (empty = missing).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// Record id, unique within its dataset (`a0000001`, `r0000001`, …).
    pub id: String,
    /// Values in [`FIELDS`] order.
    pub values: [String; 15],
}

impl Row {
    /// An empty record.
    pub fn new(id: String) -> Row {
        Row {
            id,
            values: Default::default(),
        }
    }

    /// A field's value (`""` when missing).
    pub fn get(&self, slot: Slot) -> &str {
        self.values[slot as usize].as_str()
    }

    /// Sets a field's value.
    pub fn set(&mut self, slot: Slot, value: String) {
        self.values[slot as usize] = value;
    }

    /// `(wire name, value)` of the present fields.
    pub fn present(&self) -> impl Iterator<Item = (&'static str, &str)> {
        FIELDS
            .iter()
            .zip(self.values.iter())
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| (*k, v.as_str()))
    }
}

/// Generation parameters shared by every scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// The seed: same seed and parameters, same bytes.
    pub seed: u64,
    /// Corruption rates.
    pub corruption: Corruption,
    /// Share of business customers (company name, D-U-N-S, web domain).
    pub business_rate: f64,
    /// Share of customers living outside the US (GB, DE, FR, CA).
    pub foreign_rate: f64,
}

impl Config {
    /// Default rates with the given seed.
    pub fn new(seed: u64) -> Config {
        Config {
            seed,
            corruption: Corruption::default(),
            business_rate: 0.1,
            foreign_rate: 0.1,
        }
    }
}

/// An independent PRNG stream for (`seed`, purpose, index).
pub(crate) fn stream(seed: u64, purpose: u64, index: u64) -> Rng {
    let mut s = seed ^ purpose.wrapping_mul(0xD1B5_4A32_D192_ED03);
    let a = rng::splitmix64(&mut s);
    let mut s2 = a ^ index.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    Rng::new(rng::splitmix64(&mut s2))
}

/// Two datasets to link, and which records are the same customer.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkData {
    /// Dataset A.
    pub a: Vec<Row>,
    /// Dataset B.
    pub b: Vec<Row>,
    /// True matches `(A id, B id)`, sorted.
    pub pairs: Vec<(String, String)>,
    /// What each record's corruption did, by dataset position (A then B).
    pub applied: Vec<Applied>,
}

/// The generator with its tables parsed once: for drawing many single
/// entities or records (the scenario functions build one themselves).
#[derive(Debug, Clone)]
pub struct Generator {
    tables: Tables,
    cfg: Config,
}

type Gen = Generator;

impl Generator {
    /// Parses the tables for `cfg`.
    pub fn new(cfg: &Config) -> Generator {
        Generator {
            tables: Tables::load(),
            cfg: cfg.clone(),
        }
    }

    /// The clean entity number `index` (what its records derive from).
    pub fn entity(&self, index: u64) -> Entity {
        Entity::draw(
            &self.tables,
            self.cfg.seed,
            index,
            self.cfg.business_rate,
            self.cfg.foreign_rate,
        )
    }

    /// Record `n` of dataset `dataset` showing entity `e`.
    fn record(&self, e: &Entity, dataset: u64, n: u64, id: String) -> (Row, Applied) {
        let mut rng = stream(self.cfg.seed, 100 + dataset, n);
        let external = format!("C{}{:07}", dataset, rng.below(10_000_000));
        corrupt::noisy_row(
            &self.tables,
            e,
            id,
            external,
            &self.cfg.corruption,
            &mut rng,
        )
    }
}

/// Rounds a share of `n` to a count in `0..=n`.
fn share(n: usize, rate: f64) -> usize {
    ((n as f64 * rate.clamp(0.0, 1.0)).round() as usize).min(n)
}

/// Two datasets of `n` records each; `overlap` of B's records (rounded) are
/// customers also in A. Each record is an independent noisy rendering, and
/// each dataset is shuffled.
pub fn link(cfg: &Config, n: usize, overlap: f64) -> LinkData {
    let g = Gen::new(cfg);
    let common = share(n, overlap);
    // Entities 0..common are in both; then A's own, then B's own.
    let a_entities: Vec<u64> = (0..common as u64).chain(common as u64..n as u64).collect();
    let b_entities: Vec<u64> = (0..common as u64)
        .chain(n as u64..(2 * n - common) as u64)
        .collect();
    let mut order_rng = stream(cfg.seed, 2, 0);
    let mut a_order = a_entities;
    let mut b_order = b_entities;
    order_rng.shuffle(&mut a_order);
    order_rng.shuffle(&mut b_order);
    let mut applied = Vec::with_capacity(2 * n);
    let mut make = |order: &[u64], dataset: u64, prefix: char| -> (Vec<Row>, Vec<(u64, String)>) {
        let mut rows = Vec::with_capacity(order.len());
        let mut ids = Vec::with_capacity(order.len());
        for (i, &ent) in order.iter().enumerate() {
            let id = format!("{prefix}{:07}", i + 1);
            let (row, ap) = g.record(&g.entity(ent), dataset, i as u64, id.clone());
            rows.push(row);
            applied.push(ap);
            ids.push((ent, id));
        }
        (rows, ids)
    };
    let (a, mut a_ids) = make(&a_order, 1, 'a');
    let (b, mut b_ids) = make(&b_order, 2, 'b');
    a_ids.sort();
    b_ids.sort();
    let mut pairs: Vec<(String, String)> = a_ids
        .iter()
        .take_while(|(e, _)| (*e as usize) < common)
        .zip(b_ids.iter())
        .map(|((_, x), (_, y))| (x.clone(), y.clone()))
        .collect();
    pairs.sort();
    LinkData {
        a,
        b,
        pairs,
        applied,
    }
}

/// One dataset with duplicates, and each record's cluster (entity).
#[derive(Debug, Clone, PartialEq)]
pub struct DedupeData {
    /// The records, shuffled.
    pub rows: Vec<Row>,
    /// `(record id, entity id)` in record order.
    pub clusters: Vec<(String, String)>,
}

/// `n` records; about `dup_rate` of the customers appear more than once, in
/// clusters of 2..=`max_cluster` records (smaller clusters more likely).
pub fn dedupe(cfg: &Config, n: usize, dup_rate: f64, max_cluster: usize) -> DedupeData {
    let g = Gen::new(cfg);
    let mut size_rng = stream(cfg.seed, 3, 0);
    let mut members: Vec<u64> = Vec::with_capacity(n);
    let mut entity = 0u64;
    while members.len() < n {
        let mut size = 1;
        if size_rng.chance(dup_rate) {
            // 2 with weight 1/2, 3 with 1/4, … (geometric), capped.
            size = 2;
            while size < max_cluster.max(2) && size_rng.chance(0.5) {
                size += 1;
            }
        }
        for _ in 0..size.min(n - members.len()) {
            members.push(entity);
        }
        entity += 1;
    }
    size_rng.shuffle(&mut members);
    let mut rows = Vec::with_capacity(n);
    let mut clusters = Vec::with_capacity(n);
    for (i, &ent) in members.iter().enumerate() {
        let id = format!("r{:07}", i + 1);
        let e = g.entity(ent);
        let (row, _) = g.record(&e, 0, i as u64, id.clone());
        clusters.push((id, e.id.clone()));
        rows.push(row);
    }
    DedupeData { rows, clusters }
}

/// `k` sources about one population.
#[derive(Debug, Clone, PartialEq)]
pub struct SourcesData {
    /// Records of each source, shuffled; ids are `s<k>_<n>`.
    pub sources: Vec<Vec<Row>>,
    /// `(record id, entity id)` for every record of every source.
    pub entities: Vec<(String, String)>,
}

/// `population` customers, each present in each of `k` sources with
/// probability `presence` (and in at least one).
pub fn sources(cfg: &Config, k: usize, population: usize, presence: f64) -> SourcesData {
    let g = Gen::new(cfg);
    let mut pick = stream(cfg.seed, 4, 0);
    let mut lists: Vec<Vec<u64>> = vec![Vec::new(); k];
    for ent in 0..population as u64 {
        let mut any = false;
        for list in lists.iter_mut() {
            if pick.chance(presence) {
                list.push(ent);
                any = true;
            }
        }
        if !any && k > 0 {
            let s = pick.below(k);
            if let Some(list) = lists.get_mut(s) {
                list.push(ent);
            }
        }
    }
    let mut sources = Vec::with_capacity(k);
    let mut entities = Vec::new();
    for (s, list) in lists.iter_mut().enumerate() {
        pick.shuffle(list);
        let rows: Vec<Row> = list
            .iter()
            .enumerate()
            .map(|(i, &ent)| {
                let id = format!("s{}_{:07}", s + 1, i + 1);
                let e = g.entity(ent);
                entities.push((id.clone(), e.id.clone()));
                g.record(&e, 10 + s as u64, i as u64, id).0
            })
            .collect();
        sources.push(rows);
    }
    SourcesData { sources, entities }
}

impl Generator {
    /// One noisy record of entity `index` (record stream `n`): the unit the
    /// rate tests sample.
    pub fn sample(&self, index: u64, n: u64) -> (Entity, Row, Applied) {
        let e = self.entity(index);
        let (row, applied) = self.record(&e, 0, n, format!("r{n:07}"));
        (e, row, applied)
    }
}
