//! The attack benchmark's shared code: `benches/attacks.rs` prints the table
//! for BENCHMARKS.md, `tests/attacks.rs` asserts the bounds at a
//! small scale. Each role plays with what it holds plus public lists.
#![allow(dead_code)]

pub mod bits;
pub mod dictionary;
pub mod graph;
pub mod probing;
pub mod scenario;
pub mod service;
pub mod stolen;

use pseudolink::Hardening;
use scenario::*;
use std::time::Instant;

/// One row of the table.
#[derive(Clone, Debug)]
pub struct Line {
    /// Role and setting.
    pub role: String,
    /// Re-identified targets.
    pub reid: Reid,
    /// Per field, the share of targets carrying it whose value was
    /// recovered ([`scenario::field_accuracy`]).
    pub fields: [f64; 8],
    /// Wall time of the attack (encoding the data it attacks not included).
    pub secs: f64,
}

/// (a0) today's design, both ways in: the page's token key, then its CLK secret alone.
pub fn role_a0(s: &Scenario, d: &Dictionaries) -> Result<Vec<Line>, String> {
    let directory = demo_directory(s)?;
    let t = Instant::now();
    let g = dictionary::tokens_attack(d, &directory)?;
    let tokens = Line {
        role: "a0 today's partner page: token key + directory pl1 tokens".into(),
        reid: score(s, &g),
        fields: field_accuracy(s, &g),
        secs: t.elapsed().as_secs_f64(),
    };
    let t = Instant::now();
    let g = dictionary::clks_attack(d, &directory)?;
    let clks = Line {
        role: "a0 today's partner page: CLK secret + directory CLKs (no token key)".into(),
        reid: score(s, &g),
        fields: field_accuracy(s, &g),
        secs: t.elapsed().as_secs_f64(),
    };
    Ok(vec![tokens, clks])
}

/// The store's encodings under a hardening: directory (`d<i>`), partner (`p<i>`).
pub struct Store {
    /// The directory's records.
    pub directory: Vec<pseudolink::link::EncodedRecord>,
    /// The partner's records.
    pub partner: Vec<pseudolink::link::EncodedRecord>,
    /// The encoder the data holders use.
    pub clks: ClkMaker,
}

impl Store {
    /// Encodes both files as the data holders do under `hardening`.
    pub fn new(s: &Scenario, hardening: &Hardening) -> Result<Store, String> {
        let clks = ClkMaker::new(PROJECT_CLK_SECRET, hardening)?;
        Ok(Store {
            directory: service_records(&s.directory, &s.truth, &clks, "d")?,
            partner: service_records(&s.partner, &s.partner_values, &clks, "p")?,
            clks,
        })
    }
}

/// (a) the new partner: its own file, the CLK secret, its own `po1` tokens
/// and the run's response. The dictionary attack needs directory encodings;
/// it receives none, so what it learns is what the response says.
pub fn role_a(s: &Scenario, store: &Store) -> Result<(Line, dictionary::PartnerView), String> {
    let t = Instant::now();
    let view = dictionary::partner_attack(s, &store.directory, &store.partner)?;
    let line = Line {
        role: "a new partner: own file + CLK secret + own po1 + run responses".into(),
        reid: score(s, &view.guesses),
        fields: field_accuracy(s, &view.guesses),
        secs: t.elapsed().as_secs_f64(),
    };
    Ok((line, view))
}

/// (b) the linkage service with its whole decrypted store.
pub fn role_b(
    s: &Scenario,
    d: &Dictionaries,
    setting: &str,
    store: &Store,
) -> (Line, service::ServiceAttack) {
    let t = Instant::now();
    let all: Vec<_> = store
        .directory
        .iter()
        .chain(&store.partner)
        .cloned()
        .collect();
    let attack = service::service_attack(
        d,
        &all,
        store.directory.len(),
        service::PatternParams::default(),
        graph::GraphParams::default(),
    );
    let best = strongest(s, &attack);
    let line = Line {
        role: format!("b linkage service, whole store, CLKs {setting}"),
        reid: score(s, &best),
        fields: field_accuracy(s, &best),
        secs: t.elapsed().as_secs_f64(),
    };
    (line, attack)
}

/// Per field, the attack that recovered most of it (chosen with the truth:
/// an upper bound on an attacker who tries them all).
pub fn strongest(s: &Scenario, attack: &service::ServiceAttack) -> Guesses {
    let mut best = attack.guesses.clone();
    for slot in 0..FIELDS.len() {
        let pick = attack
            .by_attack
            .iter()
            .max_by(|a, b| field_accuracy(s, a)[slot].total_cmp(&field_accuracy(s, b)[slot]));
        if let Some(g) = pick {
            for (out, guess) in best.iter_mut().zip(g) {
                out[slot].clone_from(&guess[slot]);
            }
        }
    }
    best
}

/// (c) an outsider with the service's db and WAL bytes (the service run for
/// real, its store at the default hardening): (b)'s attacks on whatever
/// encodings the bytes hold.
pub fn role_c(
    s: &Scenario,
    d: &Dictionaries,
    store: &Store,
    bin: &std::path::Path,
) -> Result<(Line, stolen::Theft), String> {
    let theft = stolen::steal(bin, &store.directory, &store.partner)?;
    let t = Instant::now();
    let attack = service::service_attack(
        d,
        &theft.store,
        store.directory.len(),
        service::PatternParams::default(),
        graph::GraphParams::default(),
    );
    let best = strongest(s, &attack);
    let line = Line {
        role: "c outsider with a stolen store file (db + WAL, no store key)".into(),
        reid: score(s, &best),
        fields: field_accuracy(s, &best),
        secs: t.elapsed().as_secs_f64(),
    };
    Ok((line, theft))
}

/// The hardening settings (b) is run under, by name.
pub fn hardenings() -> Vec<(String, Hardening)> {
    let mut out: Vec<(String, Hardening)> = vec![
        ("unhardened".into(), Hardening::default()),
        ("balanced".into(), Hardening::default().balanced(true)),
        (
            "salted (dateOfBirth)".into(),
            Hardening::default().salt_feature("dateOfBirth"),
        ),
    ];
    for t in [2u8, 4, 5, 6, 8, 10] {
        out.push((
            format!("diffusion t={t}"),
            Hardening::default().diffusion(t),
        ));
    }
    out
}

/// The project's default hardening (contract: `{"diffusion": 8}`).
pub fn default_hardening() -> Hardening {
    Hardening::default().diffusion(8)
}

/// A percentage with one decimal.
pub fn pct(x: f64) -> String {
    format!("{:.1}%", 100.0 * x)
}

/// A table row in Markdown.
pub fn markdown(l: &Line) -> String {
    format!(
        "| {} | {} | {} | {} | {} | {} | {} | {} | {:.2} s |",
        l.role,
        pct(l.reid.full),
        pct(l.reid.full_of_four),
        pct(l.fields[FIRST]),
        pct(l.fields[LAST]),
        pct(l.fields[CITY]),
        pct(l.reid.name),
        pct(l.reid.any),
        l.secs
    )
}
