//! Linkage by exact tokens only: the baseline row of the "Linkage quality"
//! table in BENCHMARKS.md (driven by `scripts/quality/run.sh`).
//!
//! ```text
//! cargo bench --bench quality_exact -- link   A.csv B.csv  OUT_PAIRS.csv
//! cargo bench --bench quality_exact -- dedupe RECORDS.csv  OUT_CLUSTERS.csv
//! ```
//!
//! Reads CSV files from `pseudolink-synth`, tokenises every record with the
//! crate's `Pseudonymizer` under the definition below, and links records that
//! share at least one identifying token: e-mail, phone, D-U-N-S, or a match
//! key (name + date of birth, address + name, company + postal code). Link:
//! one-to-one, greedy by the number of shared tokens. Dedupe: connected
//! components. Field tokens of names, cities and the like are not evidence on
//! their own (thousands of customers share them).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a tool: failing loudly is the point

#[path = "common.rs"]
mod common;

use common::{args, pseudonymizer, read, record};
use pseudolink::Pseudonymizer;
use pseudolink_synth::{csv, Row};
use std::collections::HashMap;

/// Token subjects that identify a customer on their own.
const EVIDENCE: [&str; 3] = ["pl1.email.", "pl1.phone.", "pl1.duns."];

/// The identifying tokens of each record.
fn evidence(p: &Pseudonymizer, rows: &[Row]) -> Vec<Vec<String>> {
    rows.iter()
        .map(|row| {
            let t = p.tokenize(&record(row));
            let mut keys: Vec<String> = t
                .tokens
                .into_iter()
                .filter(|tok| EVIDENCE.iter().any(|e| tok.starts_with(e)))
                .chain(t.match_keys)
                .collect();
            keys.sort();
            keys.dedup();
            keys
        })
        .collect()
}

/// Greedy one-to-one: pairs sharing more tokens first; ties by position so
/// the output is deterministic.
fn link(a: &[Row], b: &[Row], p: &Pseudonymizer) -> Vec<(String, String)> {
    let (ta, tb) = (evidence(p, a), evidence(p, b));
    let mut index: HashMap<&str, Vec<usize>> = HashMap::new();
    for (j, keys) in tb.iter().enumerate() {
        for k in keys {
            index.entry(k.as_str()).or_default().push(j);
        }
    }
    let mut scored: HashMap<(usize, usize), u32> = HashMap::new();
    for (i, keys) in ta.iter().enumerate() {
        for k in keys {
            for &j in index.get(k.as_str()).map_or(&[][..], Vec::as_slice) {
                *scored.entry((i, j)).or_default() += 1;
            }
        }
    }
    let mut cands: Vec<((usize, usize), u32)> = scored.into_iter().collect();
    cands.sort_by(|x, y| y.1.cmp(&x.1).then(x.0.cmp(&y.0)));
    let (mut used_a, mut used_b) = (vec![false; a.len()], vec![false; b.len()]);
    let mut out = Vec::new();
    for ((i, j), _) in cands {
        if !used_a[i] && !used_b[j] {
            used_a[i] = true;
            used_b[j] = true;
            out.push((a[i].id.clone(), b[j].id.clone()));
        }
    }
    out.sort();
    out
}

fn find(parent: &mut [usize], mut x: usize) -> usize {
    while parent[x] != x {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    x
}

/// Connected components of "shares an identifying token".
fn dedupe(rows: &[Row], p: &Pseudonymizer) -> Vec<(String, String)> {
    let keys = evidence(p, rows);
    let mut parent: Vec<usize> = (0..rows.len()).collect();
    let mut first: HashMap<&str, usize> = HashMap::new();
    for (i, ks) in keys.iter().enumerate() {
        for k in ks {
            let j = *first.entry(k.as_str()).or_insert(i);
            let (ri, rj) = (find(&mut parent, i), find(&mut parent, j));
            if ri != rj {
                parent[ri.max(rj)] = ri.min(rj);
            }
        }
    }
    (0..rows.len())
        .map(|i| (rows[i].id.clone(), rows[find(&mut parent, i)].id.clone()))
        .collect()
}

fn main() {
    let args = args();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let p = pseudonymizer();
    let start = std::time::Instant::now();
    match args.as_slice() {
        ["link", a, b, out] => {
            let pairs = link(&read(a), &read(b), &p);
            std::fs::write(out, csv::pairs(["a_id", "b_id"], &pairs)).unwrap();
            eprintln!("exact tokens: {} links in {:.2?}", pairs.len(), start.elapsed());
        }
        ["dedupe", records, out] => {
            let clusters = dedupe(&read(records), &p);
            std::fs::write(out, csv::pairs(["id", "cluster"], &clusters)).unwrap();
            eprintln!("exact tokens: {} records clustered in {:.2?}", clusters.len(), start.elapsed());
        }
        // Plain `cargo bench` (no arguments) runs every bench: nothing to do here.
        [] => eprintln!("quality_exact: needs `link A B OUT` or `dedupe RECORDS OUT` (see scripts/quality/run.sh)"),
        _ => panic!("usage: quality_exact (link A.csv B.csv OUT.csv | dedupe RECORDS.csv OUT.csv)"),
    }
}
