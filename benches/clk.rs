//! Native CLK encoding throughput under clkhash's published example schema.
//! Run: `cargo bench --bench clk` (rows: the committed vectors' valid rows,
//! repeated to 10,000), or through `scripts/clk/bench.sh`, which hands in the
//! exact rows it times clkhash on (`CLK_BENCH_ROWS=<rows.json>`).
//!
//! Prints records/s for `encode` row by row (every token hashed) and for
//! `encode_batch` (best of 5 runs; its per-batch token memo starts empty each
//! run) and, last, one JSON line the script reads.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: failing loudly is the point

use pseudolink::{ClkEncoder, ClkSchema};
use serde_json::Value;
use std::hint::black_box;
use std::time::Instant;

const SCHEMA: &str = include_str!("../tests/vectors/clk/a-example.schema.json");
const VECTORS: &str = include_str!("../tests/vectors/clk/a-example.vectors.json");

fn rows_of(doc: &Value, key: &str) -> Vec<Vec<String>> {
    doc[key]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| {
            let row = if key == "cases" {
                c.get("clk")?;
                &c["row"]
            } else {
                c
            };
            Some(
                row.as_array()
                    .unwrap()
                    .iter()
                    .map(|v| v.as_str().unwrap().to_owned())
                    .collect(),
            )
        })
        .collect()
}

fn main() {
    let (secret, rows) = match std::env::var("CLK_BENCH_ROWS") {
        Ok(path) => {
            let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
            assert_eq!(doc["schema"], "a-example.schema.json");
            (
                doc["secret"].as_str().unwrap().to_owned(),
                rows_of(&doc, "rows"),
            )
        }
        Err(_) => {
            let doc: Value = serde_json::from_str(VECTORS).unwrap();
            let valid = rows_of(&doc, "cases");
            let rows = valid.iter().cycle().take(10_000).cloned().collect();
            (doc["secret"].as_str().unwrap().to_owned(), rows)
        }
    };
    let schema = ClkSchema::from_json(SCHEMA).unwrap();
    let enc = ClkEncoder::new(&schema, secret.as_bytes()).unwrap();
    let mut best = f64::INFINITY;
    for _ in 0..5 {
        let t = Instant::now();
        let clks = enc.encode_batch(black_box(&rows), |_, _| {}).unwrap();
        best = best.min(t.elapsed().as_secs_f64());
        black_box(clks);
    }
    let mut single = f64::INFINITY;
    for _ in 0..3 {
        let t = Instant::now();
        for r in &rows {
            black_box(enc.encode(black_box(r)).unwrap());
        }
        single = single.min(t.elapsed().as_secs_f64());
    }
    println!(
        "clk encode per row, no batch memo ({} rows): {:.0} records/s",
        rows.len(),
        rows.len() as f64 / single
    );
    let rps = rows.len() as f64 / best;
    println!(
        "clk encode_batch (example schema, {} rows): {:.0} records/s",
        rows.len(),
        rps
    );
    println!(
        r#"{{"tool": "pseudolink native", "records": {}, "seconds": {best}, "records_per_s": {rps}}}"#,
        rows.len()
    );
}
