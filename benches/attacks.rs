//! Attacks as a benchmark: who can re-identify whom (issue 11). Each role
//! plays with what it holds plus the public lists pseudolink-synth ships
//! (Census surnames, SSA given names and nicknames, its US ZIP table) and
//! every date 1920–2009; the share of directory customers *not* in the
//! partner's file that it re-identifies. Prints a Markdown table.
//!
//! `cargo bench --bench attacks` (demo scale: 2,500 customers, 1,000 partner
//! rows), `cargo bench --bench attacks -- --quick` (the test suite's scale).
//! `tests/attacks.rs` asserts the bounds on the quick scale. Role (c) spawns
//! the real service: `cargo build --release --features server --bin
//! pseudolink-server` first (or the debug build), else it is skipped.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "attacks/mod.rs"]
mod attacks;

use attacks::scenario::*;
use attacks::*;
use attacks::{probing, stolen};

fn main() {
    let quick = std::env::args().any(|a| a == "--quick")
        || std::env::var("ATTACKS_QUICK").is_ok_and(|v| v == "1");
    let scale = if quick { Scale::QUICK } else { Scale::DEMO };
    let s = Scenario::new(scale);
    let d = Dictionaries::public();
    println!(
        "directory {} customers, partner file {} rows ({} of them customers); targets (customers not in the partner's file): {}",
        s.directory.len(),
        s.partner.len(),
        s.partner_truth.iter().flatten().count(),
        s.targets()
    );
    println!(
        "public lists: {} given names (+nicknames), {} surnames, {} dates, {} ZIPs, {} cities\n",
        d.first.len(),
        d.last.len(),
        d.dates.len(),
        d.zips.len(),
        d.cities.len()
    );
    println!("| role | full identity | full, of those with all four | first names | last names | cities | first + last name | any field | time |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for l in role_a0(&s, &d).unwrap() {
        println!("{}", markdown(&l));
    }
    let default = Store::new(&s, &default_hardening()).unwrap();
    let (a, view) = role_a(&s, &default).unwrap();
    println!("{}", markdown(&a));
    let mut notes = vec![format!(
        "(a): run response {} bytes, {} links ({} to a customer who is not that row's person), directory tokens/CLKs in it: {}",
        view.response_bytes, view.links, view.false_links, view.directory_encodings
    )];
    for (name, h) in hardenings() {
        let store = Store::new(&s, &h).unwrap();
        let (line, attack) = role_b(&s, &d, &name, &store);
        println!("{}", markdown(&line));
        let fields: Vec<String> = attack
            .fields
            .iter()
            .map(|(f, r)| {
                format!(
                    "{f}: {} CLKs, {} distinct, {}{} anchors, {} decoded",
                    r.present,
                    r.distinct,
                    if r.unbalanced { "unbalanced, " } else { "" },
                    r.anchors,
                    r.decoded
                )
            })
            .collect();
        let per_attack: Vec<String> = attacks::service::ATTACKS
            .iter()
            .zip(&attack.by_attack)
            .map(|(a, g)| {
                let acc = field_accuracy(&s, g);
                format!(
                    "    {a}: first {}, last {}, city {}",
                    pct(acc[FIRST]),
                    pct(acc[LAST]),
                    pct(acc[CITY])
                )
            })
            .collect();
        notes.push(format!(
            "(b) {name}: {}\n{}",
            fields.join("; "),
            per_attack.join("\n")
        ));
    }
    match stolen::server_binary() {
        Some(bin) => {
            let (line, theft) = role_c(&s, &d, &default, &bin).unwrap();
            println!("{}", markdown(&line));
            notes.push(format!(
                "(c) {}: {} + {} records uploaded, {} bytes of db + WAL; blind: {} `po1.` strings, {} base64 runs of 43+; oracle: {} of {} encodings found ({} tokens, {} CLKs)",
                bin.display(),
                theft.uploaded.0,
                theft.uploaded.1,
                theft.bytes,
                theft.po1_strings,
                theft.base64_runs,
                theft.tokens + theft.clks,
                theft.searched,
                theft.tokens,
                theft.clks
            ));
        }
        None => {
            println!(
                "| c outsider with a stolen store file | not run: no server binary | | | | | | | |"
            );
            notes.push(format!(
                "(c) skipped: build the server first: {}",
                stolen::BUILD_HINT
            ));
        }
    }
    println!();
    for n in notes {
        println!("{n}");
    }

    println!("\n(d) membership probing within the partner's quotas");
    let with = probing::probes_per_day_with_tokens();
    let clk_only = probing::probes_per_day_clks_only();
    println!(
        "quotas: key server {} evaluations/day / {} tokens per record = {with} records/day with tokens; linkage {} records/day, {} per upload, {} runs/day = {clk_only} CLK-only records/day",
        probing::KEYSERVER_EVALUATIONS_PER_DAY,
        probing::TOKENS_PER_RECORD,
        probing::LINKAGE_RECORDS_PER_DAY,
        probing::MAX_RECORDS,
        probing::RUNS_PER_DAY
    );
    for tokens in [true, false] {
        let p = probing::targeted(&s, &default.clks, &default.directory, tokens).unwrap();
        let per_day = if tokens { with } else { clk_only };
        println!(
            "targeted list ({} people, {} customers), {}: {} links, {} confirmed -> {:.0} customers confirmed/day at {per_day} probes/day",
            p.probes,
            p.customers,
            if tokens { "with tokens" } else { "CLKs only" },
            p.links,
            p.confirmed,
            p.confirmed_per_day(per_day)
        );
    }
    let n = if quick { 2000 } else { with };
    let b = probing::blind(&s, &d, &default.clks, &default.directory, n).unwrap();
    let chance = probing::blind_hit_chance(&s, &d);
    println!(
        "blind guesses from public lists: {} probes, {} links, {} whole identities hit -> {:.2} links/day; expected whole-identity hits/day {:.2e} (chance per guess {:.2e})",
        b.probes,
        b.links,
        b.full_hits,
        b.links_per_day(with),
        chance * with as f64,
        chance
    );
}
