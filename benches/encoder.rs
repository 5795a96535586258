//! Native `RecordEncoder` throughput (tokens + per-field CLKs + record CLK, the
//! default CLK schema) on 10,000 synthetic customers (`pseudolink-synth`, seed
//! 5), per record (`encode`, every n-gram hashed) against `encode_batch` (one
//! n-gram memo for the batch, issue 13), in one run.
//! Run: `nice -n 19 cargo bench --bench encoder`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: failing loudly is the point

use pseudolink::{
    ClkSchema, Field, IdentityDefinition, Pseudonymizer, Record, RecordEncoder, Secret,
    DEFAULT_CLK_SCHEMA,
};
use pseudolink_synth::{link, Config};
use std::hint::black_box;
use std::time::Instant;

const DEFINITION: &str = r#"{"version":1,
  "fields":["email","phone","firstName","lastName","street","city","postalCode","dateOfBirth"],
  "matchKeys":[{"name":"nameDob","parts":[{"field":"lastName"},{"field":"firstName","take":"initial"},{"field":"dateOfBirth"}]}],
  "defaultRegion":"US","dateOrder":"mdy"}"#;

fn main() {
    let def = IdentityDefinition::from_json(DEFINITION).unwrap();
    let p =
        Pseudonymizer::new(vec![("k1".into(), Secret::new(vec![5; 32]).unwrap())], def).unwrap();
    let schema = ClkSchema::from_json(DEFAULT_CLK_SCHEMA).unwrap();
    let enc = RecordEncoder::with_clks(p, &schema, &[6; 32]).unwrap();
    let data = link(&Config::new(5), 5_000, 0.5);
    let rows: Vec<(String, Record)> = data
        .a
        .iter()
        .chain(&data.b)
        .map(|row| {
            let mut r = Record::new();
            for (name, value) in row.present() {
                r.set(Field::from_name(name).unwrap(), value);
            }
            (row.id.clone(), r)
        })
        .collect();
    let n = rows.len() as f64;
    let (mut one, mut batch) = (f64::INFINITY, f64::INFINITY);
    for _ in 0..3 {
        let t = Instant::now();
        for (id, r) in &rows {
            black_box(enc.encode(id, r));
        }
        one = one.min(t.elapsed().as_secs_f64());
        let t = Instant::now();
        black_box(enc.encode_batch(black_box(&rows), |_, _| {}));
        batch = batch.min(t.elapsed().as_secs_f64());
    }
    println!(
        "RecordEncoder encode per record ({} rows): {:.0} records/s",
        rows.len(),
        n / one
    );
    println!(
        "RecordEncoder encode_batch (n-gram memo):   {:.0} records/s ({:.2}x)",
        n / batch,
        one / batch
    );
}
