//! Never-panic properties over the linker's and the identity graph's inputs
//! (issue 12): encoded records, link configurations, graph records and graph
//! documents, both arbitrary and mutated from valid ones (a value replaced
//! anywhere in the JSON tree, or the text edited). Whatever the input, every
//! call returns a value or a typed error, and an accepted graph exports a
//! document that loads back to the same document.
#![cfg(not(target_arch = "wasm32"))] // proptest is a native dev-dependency
#![cfg(feature = "fuzzy")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: failing loudly is the point

mod identity_support;

use identity_support::{encoded, graph_record, with};
use proptest::prelude::*;
use pseudolink::identity::{
    EntityKind, GraphConfig, GraphRecord, HierarchyEdge, IdentityGraph, RollupOptions,
    SegmentRequest, View,
};
use pseudolink::link::{EncodedRecord, LinkConfig, Linker, ModelParams};
use pseudolink::Field;
use serde_json::{json, Value};
use std::sync::OnceLock;

// ------------------------------------------------------------------ fixtures

/// Valid inputs to mutate: encoded people (two of them the same person), an
/// organisation, an interaction billed to it and a household member.
fn valid_records() -> &'static Vec<GraphRecord> {
    static R: OnceLock<Vec<GraphRecord>> = OnceLock::new();
    R.get_or_init(|| {
        let jane = [
            (Field::Email, "jane.doe@example.com"),
            (Field::FirstName, "Jane"),
            (Field::LastName, "Doe"),
            (Field::Street, "12 Main St"),
            (Field::PostalCode, "94105"),
            (Field::DateOfBirth, "03/04/1990"),
        ];
        let jayne = [
            (Field::Phone, "+1 415 555 0123"),
            (Field::FirstName, "Jayne"),
            (Field::LastName, "Doe"),
            (Field::Street, "12 Main Street"),
            (Field::PostalCode, "94105"),
        ];
        let acme = [
            (Field::CompanyName, "Acme Corp"),
            (Field::Duns, "150483782"),
            (Field::PostalCode, "10001"),
        ];
        vec![
            with(
                encoded("crm", "web", "p1", "person", &jane),
                json!({"relations": [{"type": "buyer", "to": {"id": "o1"}}], "household": "hh-1"}),
            ),
            encoded("shop", "", "p2", "person", &jayne),
            encoded("crm", "web", "o1", "organisation", &acme),
            with(
                graph_record("erp", "", "inv-1", "interaction"),
                json!({"relations": [{"type": "billTo", "to": {"system": "crm", "channel": "web", "id": "o1"}}],
                       "measures": {"revenue": 1200, "costToServe": 200}, "date": "2026-03-01"}),
            ),
        ]
    })
}

fn valid_records_json() -> Value {
    serde_json::to_value(valid_records()).unwrap()
}

fn valid_document() -> &'static str {
    static D: OnceLock<String> = OnceLock::new();
    D.get_or_init(|| {
        let mut g = IdentityGraph::new(small_graph_config()).unwrap();
        g.add_records(valid_records()).unwrap();
        g.resolve(&mut |_, _, _| {}).unwrap();
        g.to_json()
    })
}

/// Training that stays small (u sampling and EM cost what the config asks).
fn small_link_config() -> LinkConfig {
    let mut c = LinkConfig::default();
    c.em.u_sample_pairs = 500;
    c.em.max_iterations = 10;
    c
}

fn small_graph_config() -> GraphConfig {
    GraphConfig {
        link: small_link_config(),
        ..GraphConfig::default()
    }
}

fn tame(c: &mut LinkConfig) {
    c.em.u_sample_pairs = c.em.u_sample_pairs.min(500);
    c.em.max_iterations = c.em.max_iterations.min(10);
}

// ---------------------------------------------------------------- strategies

/// Numbers that break arithmetic and indexing: zero, negatives, fractions,
/// the edges of u32/i64/usize and beyond.
fn number() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(json!(0)),
        Just(json!(1)),
        Just(json!(-1)),
        Just(json!(0.5)),
        Just(json!(63)),
        Just(json!(64)),
        Just(json!(65535)),
        Just(json!(4294967295u64)),
        Just(json!(4294967296u64)),
        Just(json!(u64::MAX)),
        Just(json!(i64::MIN)),
        Just(json!(1e308)),
        Just(json!(-1e308)),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>()
            .prop_filter("JSON numbers are finite", |f| f.is_finite())
            .prop_map(|f| json!(f)),
    ]
}

/// Strings from the formats' own vocabulary, plus anything.
fn string() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("pl1.email.k1.AAAAAAAAAAAAAAAAAAAAAA".to_owned()),
        Just("po1.duns.2026a.AAAAAAAAAAAAAAAAAAAAAA".to_owned()),
        Just("AAAA".to_owned()),
        Just("////".to_owned()),
        Just("person".to_owned()),
        Just("organisation".to_owned()),
        Just("interaction".to_owned()),
        Just("billTo".to_owned()),
        Just("2026-02-29".to_owned()),
        Just("2026-13-01".to_owned()),
        Just("record".to_owned()),
        Just("email".to_owned()),
        "[a-zA-Z0-9+/=._-]{0,24}",
        "\\PC{0,16}",
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        number(),
        string().prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((string(), inner), 0..4)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

/// One edit of a JSON tree: at the `at`-th node (pre-order, modulo the node
/// count), replace it, remove it from its parent, or duplicate it.
#[derive(Debug, Clone)]
enum Edit {
    Replace(usize, Value),
    Remove(usize),
    Duplicate(usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        4 => (any::<usize>(), json_value()).prop_map(|(at, v)| Edit::Replace(at, v)),
        1 => any::<usize>().prop_map(Edit::Remove),
        1 => any::<usize>().prop_map(Edit::Duplicate),
    ]
}

fn count(v: &Value) -> usize {
    1 + match v {
        Value::Array(a) => a.iter().map(count).sum(),
        Value::Object(o) => o.values().map(count).sum(),
        _ => 0,
    }
}

/// Applies `edit` at pre-order node `target` (`*seen` counts nodes visited).
fn apply_at(v: &mut Value, target: usize, seen: &mut usize, edit: &Edit) -> bool {
    let here = *seen;
    *seen += 1;
    if here == target {
        if let Edit::Replace(_, new) = edit {
            *v = new.clone();
        }
        return true;
    }
    // Remove/duplicate act on a child of this container.
    match v {
        Value::Array(a) => {
            for i in 0..a.len() {
                if *seen == target && !matches!(edit, Edit::Replace(..)) {
                    match edit {
                        Edit::Remove(_) => {
                            a.remove(i);
                        }
                        _ => {
                            let c = a[i].clone();
                            a.insert(i, c);
                        }
                    }
                    return true;
                }
                if apply_at(&mut a[i], target, seen, edit) {
                    return true;
                }
            }
        }
        Value::Object(o) => {
            let keys: Vec<String> = o.keys().cloned().collect();
            for k in keys {
                if *seen == target && matches!(edit, Edit::Remove(_)) {
                    o.remove(&k);
                    return true;
                }
                if apply_at(o.get_mut(&k).unwrap(), target, seen, edit) {
                    return true;
                }
            }
        }
        _ => {}
    }
    false
}

fn mutate(mut v: Value, edits: &[Edit]) -> Value {
    for e in edits {
        let at = match e {
            Edit::Replace(at, _) | Edit::Remove(at) | Edit::Duplicate(at) => *at,
        };
        let n = count(&v);
        apply_at(&mut v, at % n, &mut 0, e);
    }
    v
}

/// Text edits: delete, insert or overwrite characters at arbitrary places.
fn mutate_text(text: &str, edits: &[(usize, u8, char)]) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for &(at, op, c) in edits {
        let i = at % (chars.len() + 1);
        match op % 3 {
            0 if i < chars.len() => {
                chars.remove(i);
            }
            1 => chars.insert(i, c),
            _ if i < chars.len() => chars[i] = c,
            _ => {}
        }
    }
    chars.into_iter().collect()
}

fn text_edits() -> impl Strategy<Value = Vec<(usize, u8, char)>> {
    prop::collection::vec(
        (
            any::<usize>(),
            any::<u8>(),
            prop_oneof![
                Just('"'),
                Just(','),
                Just('0'),
                Just('9'),
                Just('-'),
                Just('['),
                Just('}'),
                any::<char>()
            ],
        ),
        1..6,
    )
}

/// An encoded record's shape with arbitrary contents: CLKs of any length
/// under any name, tokens and match keys from the vocabulary or anything.
fn arbitrary_encoded() -> impl Strategy<Value = Value> {
    (
        string(),
        prop::collection::vec(string(), 0..4),
        prop::collection::vec(string(), 0..3),
        prop::collection::btree_map(
            prop_oneof![Just("record".to_owned()), Just("lastName".to_owned()), string()],
            prop::collection::vec(any::<u8>(), 0..200).prop_map(|b| pseudolink::base64_std(&b)),
            0..3,
        ),
    )
        .prop_map(|(id, tokens, keys, clks)| {
            json!({"id": id, "tokens": tokens, "matchKeys": keys, "clks": clks})
        })
}

/// A graph record's shape with arbitrary contents.
fn arbitrary_graph_record() -> impl Strategy<Value = Value> {
    (
        arbitrary_encoded(),
        string(),
        string(),
        prop_oneof![
            Just("person"),
            Just("organisation"),
            Just("interaction"),
            Just("bogus")
        ],
        prop::collection::vec(
            (
                prop_oneof![
                    Just("billTo"),
                    Just("shipTo"),
                    Just("unit"),
                    Just("customer"),
                    Just("memberOf"),
                    Just("buyer"),
                    Just("user")
                ],
                string(),
            ),
            0..3,
        ),
        prop::option::of(string()),
        prop::collection::btree_map(string(), number(), 0..3),
        prop::option::of(string()),
    )
        .prop_map(
            |(mut v, system, channel, kind, relations, household, measures, date)| {
                v["system"] = system.into();
                v["channel"] = channel.into();
                v["kind"] = kind.into();
                v["relations"] = relations
                    .into_iter()
                    .map(|(t, id)| json!({"type": t, "to": {"id": id}}))
                    .collect();
                if let Some(h) = household {
                    v["household"] = h.into();
                }
                v["measures"] = Value::Object(measures.into_iter().collect());
                if let Some(d) = date {
                    v["date"] = d.into();
                }
                v
            },
        )
}

// ---------------------------------------------------------------- exercising

/// Links, dedupes and explains whatever parsed; nothing may panic.
fn exercise_linker(config: Option<&str>, params: Option<&str>, a: &str, b: &str) {
    let Ok(a) = EncodedRecord::many_from_json(a) else {
        return;
    };
    let b = EncodedRecord::many_from_json(b).unwrap_or_default();
    let mut config = config
        .and_then(|c| LinkConfig::from_json(c).ok())
        .unwrap_or_else(small_link_config);
    tame(&mut config);
    let Ok(mut linker) = Linker::new(config) else {
        return;
    };
    if let Some(p) = params.and_then(|p| ModelParams::from_json(p).ok()) {
        match linker.clone().with_params(p) {
            Ok(l) => linker = l,
            Err(_) => return,
        }
    }
    let _ = linker.clone().dedupe(&a, &mut |_, _, _| {});
    let _ = linker.clone().link_many(&[&a, &b], &mut |_, _, _| {});
    if linker.link(&a, &b, &mut |_, _, _| {}).is_ok() {
        if let (Some(x), Some(y)) = (a.first(), b.first()) {
            let _ = linker.explain(x, y);
        }
        if let Some(p) = linker.params() {
            let back = ModelParams::from_json(&p.to_json()).expect("trained params load back");
            assert_close(&p.to_json(), &back.to_json());
        }
    }
}

/// Every query through every view; the export loads back to itself.
fn exercise_graph(graph: &mut IdentityGraph) {
    let _ = graph.counts();
    let _ = graph.roles();
    for view in View::ALL {
        let _ = graph.rollup(view, &RollupOptions::default());
    }
    for kind in [
        EntityKind::Person,
        EntityKind::Household,
        EntityKind::LegalEntity,
        EntityKind::Site,
    ] {
        for id in graph.entity_ids(kind).iter().take(3) {
            let _ = graph.entity(id);
            let _ = graph.history(id);
            for view in View::ALL {
                if let Ok(refs) = graph.records_of(view, id) {
                    for r in refs.iter().take(2) {
                        let _ = graph.customer_of(r, view);
                    }
                }
            }
        }
    }
    let request = r#"{"view":"billing","segments":[{"name":"s","rule":{"measure":"revenue","op":">=","value":1}}]}"#;
    let _ = graph.segments(&SegmentRequest::from_json(request).unwrap());
    let doc = graph.to_json();
    let back = IdentityGraph::from_json(&doc).expect("an exported graph loads");
    assert_close(&back.to_json(), &doc);
}

/// Equal JSON documents, numbers to 1e-12 relative: serde_json's default
/// float parsing (no `float_roundtrip` feature, kept out of the .wasm) may
/// be one unit in the last place off.
fn assert_close(a: &str, b: &str) {
    fn close(a: &Value, b: &Value) -> bool {
        match (a, b) {
            (Value::Number(x), Value::Number(y)) => {
                let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
                x == y || (x - y).abs() <= 1e-12 * x.abs().max(y.abs())
            }
            (Value::Array(x), Value::Array(y)) => {
                x.len() == y.len() && x.iter().zip(y).all(|(x, y)| close(x, y))
            }
            (Value::Object(x), Value::Object(y)) => {
                x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| close(v, w)))
            }
            _ => a == b,
        }
    }
    let (x, y): (Value, Value) = (
        serde_json::from_str(a).unwrap(),
        serde_json::from_str(b).unwrap(),
    );
    assert!(close(&x, &y), "export, load, export is stable");
}

fn exercise_records(records_json: &str, config: Option<&str>, hierarchy: Option<&str>) {
    let Ok(records) = GraphRecord::many_from_json(records_json) else {
        return;
    };
    let mut config = config
        .and_then(|c| GraphConfig::from_json(c).ok())
        .unwrap_or_else(small_graph_config);
    tame(&mut config.link);
    let Ok(mut g) = IdentityGraph::new(config) else {
        return;
    };
    if g.add_records(&records).is_err() {
        return;
    }
    if let Some(Ok(edges)) = hierarchy.map(HierarchyEdge::many_from_json) {
        let _ = g.add_hierarchy(&edges);
    }
    if g.resolve(&mut |_, _, _| {}).is_ok() {
        exercise_graph(&mut g);
        if let Some(r) = records.first() {
            let _ = g.remove_records(&[r.record_ref()]);
            let _ = g.resolve(&mut |_, _, _| {});
        }
    }
}

fn exercise_document(text: &str) {
    let Ok(mut g) = IdentityGraph::from_json(text) else {
        return;
    };
    if let Some(c) = serde_json::from_str::<Value>(text)
        .ok()
        .and_then(|v| serde_json::from_value::<GraphConfig>(v["config"].clone()).ok())
    {
        // A loaded document keeps its config; only resolve when training is small.
        if c.link.em.u_sample_pairs > 5_000 || c.link.em.max_iterations > 50 {
            exercise_graph(&mut g);
            return;
        }
    }
    exercise_graph(&mut g);
    let _ = g.add_records(&valid_records()[..1]);
    if g.resolve(&mut |_, _, _| {}).is_ok() {
        exercise_graph(&mut g);
    }
}

// ---------------------------------------------------------------- properties

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn linker_never_panics_on_arbitrary_records(
        a in prop::collection::vec(arbitrary_encoded(), 0..5),
        b in prop::collection::vec(arbitrary_encoded(), 0..5),
    ) {
        exercise_linker(None, None, &Value::from(a).to_string(), &Value::from(b).to_string());
    }

    #[test]
    fn linker_never_panics_on_mutated_records_config_and_params(
        edits in prop::collection::vec(edit(), 1..4),
        target in 0..3u8,
        text in prop::option::of(text_edits()),
    ) {
        let records: Vec<Value> = valid_records_json().as_array().unwrap().iter()
            .map(|r| json!({"id": r["id"], "tokens": r["tokens"], "matchKeys": r["matchKeys"], "clks": r["clks"]}))
            .collect();
        let (a, b) = (Value::from(records[..2].to_vec()), Value::from(records[1..].to_vec()));
        let config = serde_json::to_value(small_link_config()).unwrap();
        let params = json!({"version": 1});
        let mut parts = [a, b, config, params];
        let i = target as usize;
        parts[i] = mutate(parts[i].clone(), &edits);
        let mut texts: Vec<String> = parts.iter().map(Value::to_string).collect();
        if let Some(t) = text {
            texts[i] = mutate_text(&texts[i], &t);
        }
        exercise_linker(Some(&texts[2]), Some(&texts[3]), &texts[0], &texts[1]);
    }

    #[test]
    fn graph_never_panics_on_arbitrary_records(
        records in prop::collection::vec(arbitrary_graph_record(), 0..6),
        hierarchy in json_value(),
    ) {
        exercise_records(&Value::from(records).to_string(), None, Some(&hierarchy.to_string()));
    }

    #[test]
    fn graph_never_panics_on_mutated_records_and_config(
        edits in prop::collection::vec(edit(), 1..4),
        mutate_config in any::<bool>(),
        text in prop::option::of(text_edits()),
    ) {
        let (mut records, mut config) = (
            valid_records_json(),
            serde_json::to_value(small_graph_config()).unwrap(),
        );
        if mutate_config {
            config = mutate(config, &edits);
        } else {
            records = mutate(records, &edits);
        }
        let mut records = records.to_string();
        if let Some(t) = text {
            records = mutate_text(&records, &t);
        }
        exercise_records(&records, Some(&config.to_string()), None);
    }

    #[test]
    fn graph_documents_never_panic_when_mutated(
        edits in prop::collection::vec(edit(), 1..4),
        text in prop::option::of(text_edits()),
    ) {
        let doc: Value = serde_json::from_str(valid_document()).unwrap();
        let mut doc = mutate(doc, &edits).to_string();
        if let Some(t) = text {
            doc = mutate_text(&doc, &t);
        }
        exercise_document(&doc);
    }

    #[test]
    fn graph_documents_never_panic_when_arbitrary(
        body in json_value(),
        entities in prop::collection::vec(json_value(), 0..3),
        links in prop::collection::vec((number(), number(), number()), 0..3),
        lsh in prop::option::of(prop::collection::vec(number(), 0..3)),
    ) {
        let mut doc: Value = serde_json::from_str(valid_document()).unwrap();
        doc["entities"] = Value::from(entities);
        doc["links"] = links.into_iter().map(|(a, b, p)| json!([a, b, p])).collect();
        if let Some(l) = lsh {
            doc["lshBits"] = Value::from(l);
        }
        doc["events"] = json!([body]);
        exercise_document(&doc.to_string());
    }
}

#[test]
fn the_fixtures_are_valid() {
    // The mutations start from inputs the graph accepts.
    let mut g = IdentityGraph::from_json(valid_document()).unwrap();
    assert_eq!(g.len(), valid_records().len());
    exercise_graph(&mut g);
}
