//! The identity-graph benchmark's workload, shared by the native run
//! (`benches/identity.rs`) and the Chromium run (`benches/wasm/identity.rs`):
//! synthetic customers with duplicates (`pseudolink-synth`, seed 2026),
//! encoded with the default CLK schema like a browser would, handed to the
//! graph in chunks so the input never sits in memory whole.

use pseudolink::identity::{GraphConfig, GraphRecord, IdentityGraph};
use pseudolink::link::{LinkConfig, Linker, ModelParams};
use pseudolink::{
    ClkSchema, Field, IdentityDefinition, Pseudonymizer, Record, RecordEncoder, Secret,
    DEFAULT_CLK_SCHEMA,
};
use pseudolink_synth::{dedupe, Config, DedupeData, Row};

const DEFINITION: &str = r#"{"version":1,
  "fields":["email","phone","firstName","lastName","street","city","postalCode","dateOfBirth"],
  "matchKeys":[
    {"name":"nameDob","parts":[{"field":"lastName"},{"field":"firstName","take":"initial"},{"field":"dateOfBirth"}]},
    {"name":"addressName","parts":[{"field":"postalCode"},{"field":"street","take":"streetNumber"},{"field":"lastName"}]}],
  "defaultRegion":"US","dateOrder":"mdy"}"#;

/// Records in the base graph (100k; `IDENTITY_BENCH_RECORDS` sets another
/// number natively, as `make bench-smoke` does to check the bench runs).
pub fn base() -> usize {
    std::env::var("IDENTITY_BENCH_RECORDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000)
}

/// Records in each incremental batch.
pub const BATCH: usize = 1_000;
pub const BATCHES: usize = 5;
/// Records handed to `addRecords` per call.
pub const CHUNK: usize = 5_000;

pub fn encoder() -> RecordEncoder {
    let def = IdentityDefinition::from_json(DEFINITION).unwrap();
    let p =
        Pseudonymizer::new(vec![("k1".into(), Secret::new(vec![5; 32]).unwrap())], def).unwrap();
    let schema = ClkSchema::from_json(DEFAULT_CLK_SCHEMA).unwrap();
    RecordEncoder::with_clks(p, &schema, &[6; 32]).unwrap()
}

fn raw(row: &Row) -> Record {
    let mut r = Record::new();
    for (name, value) in row.present() {
        r.set(Field::from_name(name).unwrap(), value);
    }
    r
}

/// All rows: the base, then the batches (duplicates across the split).
pub fn rows() -> DedupeData {
    dedupe(&Config::new(2026), base() + BATCH * BATCHES, 0.3, 3)
}

/// Graph records of `rows`, with an order value on every tenth.
pub fn encode(enc: &RecordEncoder, rows: &[Row]) -> Vec<GraphRecord> {
    rows.iter()
        .enumerate()
        .map(|(i, row)| {
            let e = enc.encode(&row.id, &raw(row)).record;
            let mut g: GraphRecord = serde_json::from_value(serde_json::json!({
                "system": "shop", "channel": "web", "id": row.id, "kind": "person"
            }))
            .unwrap();
            g.tokens = e.tokens;
            g.match_keys = e.match_keys;
            g.clks = e.clks;
            if i % 10 == 0 {
                g.measures.insert("revenue".into(), 20.0 + (i % 97) as f64);
                g.date = Some("2026-06-01".into());
            }
            g
        })
        .collect()
}

/// Parameters trained without labels on 3,000 other synthetic customers
/// (a directory's model, trained once and shipped).
pub fn params(enc: &RecordEncoder) -> ModelParams {
    let data = dedupe(&Config::new(77), 3000, 0.3, 3);
    let rows: Vec<_> = data
        .rows
        .iter()
        .map(|row| enc.encode(&row.id, &raw(row)).record)
        .collect();
    // The graph's comparisons (the linker's defaults without the group
    // comparisons): parameters must fit the comparisons they score.
    let config = LinkConfig {
        comparisons: pseudolink::identity::graph_link_config().comparisons,
        ..LinkConfig::default()
    };
    let mut linker = Linker::new(config).unwrap();
    linker.dedupe(&rows, &mut |_, _, _| {}).unwrap();
    linker.params().unwrap().clone()
}

pub fn graph(params: Option<ModelParams>) -> IdentityGraph {
    IdentityGraph::new(GraphConfig {
        params,
        ..GraphConfig::default()
    })
    .unwrap()
}

/// Pairwise precision and recall of the graph's persons on `rows`.
pub fn quality(g: &IdentityGraph, data: &DedupeData, n: usize) -> (f64, f64) {
    use pseudolink::identity::{RecordRef, View};
    use std::collections::HashMap;
    let mut by_person: HashMap<String, Vec<&str>> = HashMap::new();
    let mut by_truth: HashMap<&str, Vec<&str>> = HashMap::new();
    let truth: HashMap<&str, &str> = data
        .clusters
        .iter()
        .map(|(r, e)| (r.as_str(), e.as_str()))
        .collect();
    for row in &data.rows[..n] {
        let p = g
            .customer_of(&RecordRef::new("shop", "web", &row.id), View::Billing)
            .unwrap()
            .unwrap();
        by_person.entry(p).or_default().push(&row.id);
        by_truth
            .entry(truth[row.id.as_str()])
            .or_default()
            .push(&row.id);
    }
    let pairs = |groups: &mut dyn Iterator<Item = &Vec<&str>>| -> f64 {
        groups
            .map(|g| (g.len() * g.len().saturating_sub(1) / 2) as f64)
            .sum()
    };
    let found = pairs(&mut by_person.values());
    let real = pairs(&mut by_truth.values());
    let mut tp = 0.0;
    for members in by_person.values() {
        for (i, a) in members.iter().enumerate() {
            for b in &members[i + 1..] {
                if truth[a] == truth[b] {
                    tp += 1.0;
                }
            }
        }
    }
    (tp / found.max(1.0), tp / real.max(1.0))
}
