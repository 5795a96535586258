//! Fuzzy linkage on pseudonymised records: the "pseudolink fuzzy" row of the
//! "Linkage quality" table in BENCHMARKS.md (driven by `scripts/quality/run.sh`).
//!
//! ```text
//! cargo bench --bench quality_fuzzy -- link   A.csv B.csv  OUT_PAIRS.csv
//! cargo bench --bench quality_fuzzy -- dedupe RECORDS.csv  OUT_CLUSTERS.csv
//! cargo bench --bench quality_fuzzy -- blocking A.csv B.csv TRUTH.csv   # pair completeness
//! ```
//!
//! Every record goes through the public pipeline the pages use: normalise,
//! keyed tokens and match keys (`RecordEncoder`, the demo definition plus
//! the order-free `names` key; `PSEUDOLINK_NAMES_KEY=0` leaves it out, as
//! before issue 14's swapped names, and `prior` never adds it) and
//! CLKs per field under `DEFAULT_CLK_SCHEMA`; then the default `Linker`
//! trains its Fellegi–Sunter model by EM on the data itself (no labels)
//! and keeps pairs at probability ≥ 0.5. Nothing here looks at the truth.
//!
//! `PSEUDOLINK_CLK_HARDENING='{"diffusion":8}'` (the `Hardening` JSON) hardens
//! every CLK (`scripts/quality/hardening.py`: the "CLK hardening: linkage
//! quality" table); unset, the CLKs are clkhash's. `PSEUDOLINK_LINK_CONFIG`
//! (LinkConfig JSON) replaces the default linker settings (explanations stay off).
//! `blocking` with `PSEUDOLINK_MISSED_OUT=FILE` writes the true pairs that
//! blocking lost (ids), for inspection.
//! `PSEUDOLINK_MODEL=prior` scores with the shipped day-one model
//! (`PriorModel`, `src/link/prior.json`) instead of training: the "day-one"
//! row of the table.
//!
//! ```text
//! cargo bench --bench quality_fuzzy -- prior A.csv B.csv OUT_PRIOR.json   # scripts/prior/generate.sh
//! ```

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a tool: failing loudly is the point

#[path = "common.rs"]
mod common;

use common::{args, pseudonymizer_with, read, record};
use pseudolink::link::{EncodedRecord, LinkConfig, Linker, PriorModel};
use pseudolink::{ClkSchema, Hardening, RecordEncoder, DEFAULT_CLK_SCHEMA};
use pseudolink_synth::{csv, Row};

/// The encoder of the `link`, `dedupe`, `blocking` and `explain` rows: the
/// definition plus the order-free names key ([`common::NAMES_KEY`]), unless
/// `PSEUDOLINK_NAMES_KEY=0` (the definition as before, BENCHMARKS.md "Swapped
/// names"). `prior` always encodes without it (the day-one model's data).
fn encoder() -> RecordEncoder {
    let names = std::env::var("PSEUDOLINK_NAMES_KEY").map_or(true, |v| v != "0");
    encoder_with(if names { &[common::NAMES_KEY] } else { &[] })
}

fn encoder_with(extra: &[&str]) -> RecordEncoder {
    // Fixed benchmark keys: the encodings never leave this process.
    let schema = ClkSchema::from_json(DEFAULT_CLK_SCHEMA).unwrap();
    let hardening = match std::env::var("PSEUDOLINK_CLK_HARDENING") {
        Ok(json) => Hardening::from_json(&json).expect("PSEUDOLINK_CLK_HARDENING: Hardening JSON"),
        Err(_) => Hardening::default(),
    };
    RecordEncoder::with_hardened_clks(
        pseudonymizer_with(extra),
        &schema,
        b"pseudolink-quality-benchmark-clk-secret",
        &hardening,
    )
    .unwrap()
}

fn encode(enc: &RecordEncoder, rows: &[Row]) -> Vec<EncodedRecord> {
    rows.iter()
        .map(|row| enc.encode(&row.id, &record(row)).record)
        .collect()
}

fn linker() -> Linker {
    let base = match std::env::var("PSEUDOLINK_LINK_CONFIG") {
        Ok(json) => LinkConfig::from_json(&json).expect("PSEUDOLINK_LINK_CONFIG: LinkConfig JSON"),
        Err(_) => LinkConfig::default(),
    };
    // `PSEUDOLINK_EXPLAIN=1`: the link output gets a fourth column, each
    // comparison's level and weight (for calibration work).
    let config = LinkConfig {
        explain_links: std::env::var("PSEUDOLINK_EXPLAIN").is_ok_and(|v| v == "1"),
        ..base
    };
    Linker::new(config).unwrap()
}

/// The linker for a job of `records` records (the smaller side) over
/// `pairs` possible pairs: trained by EM on the job (the default), or with
/// the shipped day-one model when `PSEUDOLINK_MODEL=prior`.
fn linker_for(records: usize, pairs: f64) -> Linker {
    let l = linker();
    match std::env::var("PSEUDOLINK_MODEL").as_deref() {
        Ok("prior") => {
            let params = PriorModel::shipped()
                .and_then(|m| m.params_for(&l.config().comparisons, records, pairs))
                .expect("the day-one model covers the comparisons");
            l.with_params(params).unwrap()
        }
        _ => l,
    }
}

/// `PSEUDOLINK_PARAMS_OUT=FILE` keeps the fitted parameters and the
/// comparisons the job built, for inspection.
fn dump_params(params: &pseudolink::link::ModelParams, stats: &pseudolink::link::LinkStats) {
    if let Ok(path) = std::env::var("PSEUDOLINK_PARAMS_OUT") {
        let json =
            serde_json::json!({ "params": params, "builtComparisons": stats.built_comparisons });
        std::fs::write(path, serde_json::to_string_pretty(&json).unwrap()).unwrap();
    }
}

fn main() {
    let args = args();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let enc = match args.first() {
        Some(&"prior") => encoder_with(&[]),
        _ => encoder(),
    };
    let start = std::time::Instant::now();
    match args.as_slice() {
        ["link", a, b, out] => {
            let (a, b) = (encode(&enc, &read(a)), encode(&enc, &read(b)));
            let encoded = start.elapsed();
            let pairs = a.len() as f64 * b.len() as f64;
            let r = linker_for(a.len().min(b.len()), pairs)
                .link(&a, &b, &mut |_, _, _| {})
                .unwrap();
            // A third column keeps each link's probability for inspection.
            let mut text = String::from("a_id,b_id,probability\r\n");
            for l in &r.links {
                text.push_str(&format!("{},{},{:.6}", l.a, l.b, l.probability));
                if let Some(e) = &l.explanation {
                    let levels: Vec<String> = e
                        .contributions
                        .iter()
                        .map(|c| format!("{}={}:{:.2}", c.comparison, c.level, c.match_weight))
                        .collect();
                    text.push_str(&format!(",{} prior:{:.2}", levels.join(" "), e.prior_weight));
                }
                text.push_str("\r\n");
            }
            std::fs::write(out, text).unwrap();
            let pairs = &r.links;
            dump_params(&r.params, &r.stats);
            eprintln!(
                "fuzzy: {} links; encode {:.2?}, link {:.2?} ({} candidate pairs, by pass {:?}, \
                 estimated pair completeness {:?}, EM {} iterations)",
                pairs.len(),
                encoded,
                start.elapsed() - encoded,
                r.stats.candidate_pairs,
                r.stats.candidate_pairs_by_pass,
                r.stats.pair_completeness_estimate,
                r.stats.em_iterations
            );
        }
        ["dedupe", records, out] => {
            let rows = encode(&enc, &read(records));
            let n = rows.len() as f64;
            let r = linker_for(rows.len(), n * (n - 1.0) / 2.0)
                .dedupe(&rows, &mut |_, _, _| {})
                .unwrap();
            let mut labels = Vec::new();
            for members in &r.clusters {
                for id in members {
                    labels.push((id.clone(), members[0].clone()));
                }
            }
            std::fs::write(out, csv::pairs(["id", "cluster"], &labels)).unwrap();
            dump_params(&r.params, &r.stats);
            eprintln!("fuzzy: {} clusters in {:.2?}", r.clusters.len(), start.elapsed());
        }
        // The day-one model: the default linker's EM fit on generated data
        // (scripts/prior/generate.sh), λ as expected matches per record.
        ["prior", a, b, out] => {
            let (a, b) = (encode(&enc, &read(a)), encode(&enc, &read(b)));
            // The default comparisons only: the data's own get stand-ins
            // (`PriorModel::stand_in`) until EM trains on real data.
            let config = LinkConfig {
                min_training_records: 0,
                comparisons_from_data: false,
                ..linker().config().clone()
            };
            let r = Linker::new(config)
                .unwrap()
                .link(&a, &b, &mut |_, _, _| {})
                .unwrap();
            assert!(r.stats.trained, "EM must fit the generated data");
            let (na, nb) = (a.len() as f64, b.len() as f64);
            let model = PriorModel {
                version: String::new(),
                generated_by: String::new(),
                matches_per_record: r.params.prior * na * nb / na.min(nb),
                comparisons: r.params.comparisons,
            };
            std::fs::write(out, serde_json::to_string_pretty(&model).unwrap() + "\n").unwrap();
            eprintln!("prior: EM {} iterations, λ {:.3e}", r.stats.em_iterations, r.params.prior);
        }
        // Blocking alone, scored against the truth: the one place this tool
        // reads it, to report how many true pairs blocking lets through.
        ["blocking", a, b, truth] => {
            let (ra, rb) = (read(a), read(b));
            let (ea, eb) = (encode(&enc, &ra), encode(&enc, &rb));
            let cands = linker().candidate_pairs(&ea, &eb).unwrap();
            let pos = |rows: &[Row]| -> std::collections::HashMap<String, usize> {
                rows.iter().enumerate().map(|(i, r)| (r.id.clone(), i)).collect()
            };
            let (pa, pb) = (pos(&ra), pos(&rb));
            let text = std::fs::read_to_string(truth).unwrap();
            let truth: Vec<(usize, usize)> = text
                .lines()
                .skip(1)
                .filter_map(|l| l.split_once(','))
                .map(|(x, y)| (pa[x.trim()], pb[y.trim()]))
                .collect();
            // `PSEUDOLINK_MISSED_OUT=FILE`: the true pairs blocking lost, by id.
            if let Ok(path) = std::env::var("PSEUDOLINK_MISSED_OUT") {
                let found: std::collections::HashSet<(usize, usize)> = cands.iter().copied().collect();
                let mut text = String::from("a_id,b_id\r\n");
                for &(i, j) in truth.iter().filter(|p| !found.contains(p)) {
                    text.push_str(&format!("{},{}\r\n", ra[i].id, rb[j].id));
                }
                std::fs::write(path, text).unwrap();
            }
            let total = (ra.len() * rb.len()) as f64;
            println!(
                "blocking: {} candidate pairs of {} ({:.4}% kept, reduction ratio {:.6}); pair completeness {:.4} ({} true pairs)",
                cands.len(),
                total,
                100.0 * cands.len() as f64 / total,
                pseudolink::link::reduction_ratio(cands.len(), total),
                pseudolink::link::pair_completeness(&cands, &truth),
                truth.len()
            );
        }
        ["explain", a, b, ia, ib] => {
            let (a, b) = (encode(&enc, &read(a)), encode(&enc, &read(b)));
            let mut l = linker();
            l.link(&a, &b, &mut |_, _, _| {}).unwrap();
            let find = |d: &[EncodedRecord], id: &str| d.iter().find(|r| r.id == id).cloned().unwrap();
            let e = l.explain(&find(&a, ia), &find(&b, ib)).unwrap();
            println!("{}", serde_json::to_string_pretty(&e).unwrap());
            println!("{}", serde_json::to_string_pretty(l.params().unwrap()).unwrap());
        }
        [] => eprintln!("quality_fuzzy: needs `link A B OUT` or `dedupe RECORDS OUT` (see scripts/quality/run.sh)"),
        _ => panic!("usage: quality_fuzzy (link A.csv B.csv OUT.csv | dedupe RECORDS.csv OUT.csv)"),
    }
}
