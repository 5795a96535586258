//! Shared by the identity-graph tests: a definition, an encoder, parameters
//! trained once on synthetic customers, and record builders from raw values.
#![allow(dead_code)]

use pseudolink::identity::{GraphConfig, GraphRecord, HierarchyEdge, HierarchyRelation};
use pseudolink::link::{LinkConfig, Linker, ModelParams};
use pseudolink::{
    ClkSchema, Field, IdentityDefinition, Pseudonymizer, Record, RecordEncoder, Secret,
    DEFAULT_CLK_SCHEMA,
};
use pseudolink_synth::{dedupe, Config, Row};
use std::sync::OnceLock;

pub const DEFINITION: &str = r#"{"version":1,
  "fields":["email","phone","firstName","lastName","street","city","postalCode","dateOfBirth","companyName","duns"],
  "matchKeys":[
    {"name":"nameDob","parts":[{"field":"lastName"},{"field":"firstName","take":"initial"},{"field":"dateOfBirth"}]},
    {"name":"addressName","parts":[{"field":"postalCode"},{"field":"street","take":"streetNumber"},{"field":"lastName"}]},
    {"name":"companySite","parts":[{"field":"companyName"},{"field":"postalCode"}]}],
  "defaultRegion":"US","dateOrder":"mdy"}"#;

pub fn encoder() -> RecordEncoder {
    let def = IdentityDefinition::from_json(DEFINITION).unwrap();
    let p =
        Pseudonymizer::new(vec![("k1".into(), Secret::new(vec![5; 32]).unwrap())], def).unwrap();
    let schema = ClkSchema::from_json(DEFAULT_CLK_SCHEMA).unwrap();
    RecordEncoder::with_clks(p, &schema, &[6; 32]).unwrap()
}

fn synth_record(row: &Row) -> Record {
    let mut r = Record::new();
    for (name, value) in row.present() {
        r.set(Field::from_name(name).unwrap(), value);
    }
    r
}

/// Synthetic customers with duplicates, as graph person records of one system.
pub fn synthetic_people(
    seed: u64,
    n: usize,
    system: &str,
) -> (Vec<GraphRecord>, Vec<(String, String)>) {
    let data = dedupe(&Config::new(seed), n, 0.3, 3);
    let enc = encoder();
    let records = data
        .rows
        .iter()
        .map(|row| {
            let e = enc.encode(&row.id, &synth_record(row)).record;
            let mut g = graph_record(system, "web", &row.id, "person");
            g.tokens = e.tokens;
            g.match_keys = e.match_keys;
            g.clks = e.clks;
            g
        })
        .collect();
    (records, data.clusters)
}

/// Parameters trained once, without labels, on 3,000 synthetic customers
/// encoded the way the scenarios are: what a business would ship.
pub fn params() -> ModelParams {
    static PARAMS: OnceLock<ModelParams> = OnceLock::new();
    PARAMS
        .get_or_init(|| {
            let data = dedupe(&Config::new(77), 3000, 0.3, 3);
            let enc = encoder();
            let rows: Vec<_> = data
                .rows
                .iter()
                .map(|row| enc.encode(&row.id, &synth_record(row)).record)
                .collect();
            // The graph's comparisons (the linker's defaults without `moved`).
            let config = LinkConfig {
                comparisons: pseudolink::identity::graph_link_config().comparisons,
                ..LinkConfig::default()
            };
            let mut linker = Linker::new(config).unwrap();
            linker.dedupe(&rows, &mut |_, _, _| {}).unwrap();
            linker.params().unwrap().clone()
        })
        .clone()
}

pub fn config() -> GraphConfig {
    GraphConfig {
        params: Some(params()),
        ..GraphConfig::default()
    }
}

/// An empty record of a kind.
pub fn graph_record(system: &str, channel: &str, id: &str, kind: &str) -> GraphRecord {
    serde_json::from_value(serde_json::json!({
        "system": system, "channel": channel, "id": id, "kind": kind
    }))
    .unwrap()
}

/// A record of raw values, encoded in the test as a browser would.
pub fn encoded(
    system: &str,
    channel: &str,
    id: &str,
    kind: &str,
    fields: &[(Field, &str)],
) -> GraphRecord {
    let mut r = Record::new();
    for (f, v) in fields {
        r.set(*f, *v);
    }
    let e = encoder().encode(id, &r);
    assert!(e.errors.is_empty(), "{:?}", e.errors);
    let mut g = graph_record(system, channel, id, kind);
    g.tokens = e.record.tokens;
    g.match_keys = e.record.match_keys;
    g.clks = e.record.clks;
    g
}

/// Adds relations, measures and a date through the record's JSON form.
pub fn with(mut g: GraphRecord, extra: serde_json::Value) -> GraphRecord {
    let mut v = serde_json::to_value(&g).unwrap();
    for (k, val) in extra.as_object().unwrap() {
        v[k] = val.clone();
    }
    g = serde_json::from_value(v).unwrap();
    g
}

/// The D-U-N-S token of a number, as the definition makes it.
pub fn duns(number: &str) -> String {
    let r = Record::new().with(Field::Duns, number);
    encoder()
        .encode("x", &r)
        .record
        .tokens
        .into_iter()
        .find(|t| t.starts_with("pl1.duns."))
        .unwrap()
}

pub fn edge(child: &str, parent: &str, relation: HierarchyRelation) -> HierarchyEdge {
    HierarchyEdge {
        child: duns(child),
        parent: duns(parent),
        relation,
    }
}
