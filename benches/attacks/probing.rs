//! (d) A partner probing membership through the linkage service within its
//! quotas: the arithmetic, and two simulated probers.

use super::scenario::*;
use pseudolink::link::{EncodedRecord, LinkConfig, Linker};
use pseudolink_synth::{Rng, Row, Slot};

/// Contract quotas of the demo partner.
pub const LINKAGE_RECORDS_PER_DAY: usize = 20_000;
/// Largest committed upload.
pub const MAX_RECORDS: usize = 10_000;
/// Runs a day.
pub const RUNS_PER_DAY: usize = 20;
/// Key-server evaluations a day (one per `po1` token).
pub const KEYSERVER_EVALUATIONS_PER_DAY: usize = 20_000;
/// `po1` tokens a full record needs (the project's token subjects).
pub const TOKENS_PER_RECORD: usize = SERVICE_SUBJECTS.len();

/// Probe records a day with all tokens: the key server's quota binds.
pub fn probes_per_day_with_tokens() -> usize {
    (KEYSERVER_EVALUATIONS_PER_DAY / TOKENS_PER_RECORD).min(LINKAGE_RECORDS_PER_DAY)
}

/// Probe records a day with CLKs only (no key server): the linkage quota binds.
pub fn probes_per_day_clks_only() -> usize {
    LINKAGE_RECORDS_PER_DAY.min(MAX_RECORDS * RUNS_PER_DAY)
}

/// One simulated prober.
#[derive(Clone, Copy, Debug, Default)]
pub struct Probe {
    /// Probe records run.
    pub probes: usize,
    /// Probe records that are customers (targeted prober's list).
    pub customers: usize,
    /// Links returned.
    pub links: usize,
    /// Links to the probe's own person: a confirmed customer.
    pub confirmed: usize,
    /// Links with first name, last name, birth date and ZIP all equal to the
    /// linked customer's (a blind guess that hit a whole identity).
    pub full_hits: usize,
}

impl Probe {
    /// Confirmed customers a day at `per_day` probes.
    pub fn confirmed_per_day(&self, per_day: usize) -> f64 {
        rate(self.confirmed, self.probes) * per_day as f64
    }
    /// Links a day at `per_day` probes.
    pub fn links_per_day(&self, per_day: usize) -> f64 {
        rate(self.links, self.probes) * per_day as f64
    }
}

fn rate(k: usize, n: usize) -> f64 {
    if n == 0 {
        0.0
    } else {
        k as f64 / n as f64
    }
}

/// Links `probes` against the directory the way a run does.
fn run(
    probes: &[EncodedRecord],
    directory: &[EncodedRecord],
) -> Result<Vec<(usize, usize)>, String> {
    let mut linker = Linker::new(LinkConfig::default()).map_err(|e| e.to_string())?;
    let r = linker
        .link(probes, directory, &mut |_, _, _| {})
        .map_err(|e| e.to_string())?;
    let row_of = |id: &str| id.get(1..).and_then(|n| n.parse::<usize>().ok());
    Ok(r.links
        .iter()
        .filter_map(|l| Some((row_of(&l.a)?, row_of(&l.b)?)))
        .collect())
}

/// A prober with a list of people (`s.others`: synth's other B rows, about
/// half of them customers), uploaded with tokens or with CLKs only.
pub fn targeted(
    s: &Scenario,
    clks: &ClkMaker,
    directory: &[EncodedRecord],
    with_tokens: bool,
) -> Result<Probe, String> {
    let values: Vec<Values> = s.others.iter().map(values).collect();
    let mut probes = service_records(&s.others, &values, clks, "q")?;
    if !with_tokens {
        for p in &mut probes {
            p.tokens.clear();
            p.match_keys.clear();
        }
    }
    let links = run(&probes, directory)?;
    Ok(Probe {
        probes: probes.len(),
        customers: s.others_truth.iter().filter(|t| t.is_some()).count(),
        links: links.len(),
        confirmed: links
            .iter()
            .filter(|(i, j)| s.others_truth.get(*i).copied().flatten() == Some(*j))
            .count(),
        full_hits: 0,
    })
}

/// Draws from a ranked public list by weight.
fn draw<'a>(rng: &mut Rng, list: &'a [(String, f64)]) -> &'a str {
    let total: f64 = list.iter().map(|(_, w)| w).sum();
    let mut x = rng.unit() * total;
    for (v, w) in list {
        if x < *w {
            return v;
        }
        x -= w;
    }
    list.first().map_or("", |(v, _)| v.as_str())
}

/// `n` blind guesses from the public lists: a name by frequency, a date and
/// a ZIP uniformly (city and state of that ZIP), uploaded with all tokens.
pub fn blind(
    s: &Scenario,
    d: &Dictionaries,
    clks: &ClkMaker,
    directory: &[EncodedRecord],
    n: usize,
) -> Result<Probe, String> {
    let mut rng = Rng::new(SEED ^ 0xb11d);
    let zips = d.zips.len().max(1);
    let rows: Vec<Row> = (0..n)
        .map(|i| {
            let mut r = Row::new(format!("g{i}"));
            r.set(Slot::FirstName, draw(&mut rng, &d.first).to_owned());
            r.set(Slot::LastName, draw(&mut rng, &d.last).to_owned());
            if let Some(date) = d.dates.get(rng.below(d.dates.len().max(1))) {
                r.set(Slot::DateOfBirth, date.clone());
            }
            if let Some(z) = d.zips.get(rng.below(zips)) {
                r.set(Slot::PostalCode, z.clone());
            }
            r.set(Slot::Country, "US".to_owned());
            r
        })
        .collect();
    let values: Vec<Values> = rows.iter().map(values).collect();
    let probes = service_records(&rows, &values, clks, "g")?;
    let links = run(&probes, directory)?;
    let full = |i: usize, j: usize| {
        let (Some(g), Some(t)) = (values.get(i), s.truth.get(j)) else {
            return false;
        };
        [FIRST, LAST, DOB, ZIP]
            .iter()
            .all(|k| t[*k].is_some() && t[*k] == g[*k])
    };
    Ok(Probe {
        probes: n,
        customers: 0,
        links: links.len(),
        confirmed: 0,
        full_hits: links.iter().filter(|(i, j)| full(*i, *j)).count(),
    })
}

/// Expected whole identities (first, last, birth date, ZIP) a blind guess
/// from the public lists hits: Σ over customers of the chance a guess equals
/// theirs (name weights, uniform date and ZIP).
pub fn blind_hit_chance(s: &Scenario, d: &Dictionaries) -> f64 {
    let weight = |list: &[(String, f64)], v: &Option<String>| {
        let total: f64 = list.iter().map(|(_, w)| w).sum();
        let w = v
            .as_ref()
            .and_then(|v| list.iter().find(|(x, _)| x == v))
            .map_or(0.0, |(_, w)| *w);
        if total > 0.0 {
            w / total
        } else {
            0.0
        }
    };
    let dates = d.dates.len().max(1) as f64;
    let zips = d.zips.len().max(1) as f64;
    s.truth
        .iter()
        .map(|t| {
            let date = if t[DOB].as_ref().is_some_and(|v| d.dates.contains(v)) {
                1.0 / dates
            } else {
                0.0
            };
            let zip = if t[ZIP].as_ref().is_some_and(|v| d.zips.contains(v)) {
                1.0 / zips
            } else {
                0.0
            };
            weight(&d.first, &t[FIRST]) * weight(&d.last, &t[LAST]) * date * zip
        })
        .sum()
}
