//! The whole fuzzy pipeline through the public API, on generated customers
//! with known truth: raw records → `RecordEncoder` (tokens + per-field CLKs)
//! → `Linker` (blocking, EM without labels, greedy one-to-one) → links with
//! explanations. Fuzzy linking must find customers exact tokens miss,
//! without paying for it in precision.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![cfg(feature = "fuzzy")]

use pseudolink::link::{EncodedRecord, LinkConfig, Linker};
use pseudolink::{
    ClkSchema, ErrorCode, Field, IdentityDefinition, Pseudonymizer, Record, RecordEncoder, Secret,
    DEFAULT_CLK_SCHEMA, RECORD_CLK,
};
use pseudolink_synth::{link, Config, Row};
use std::collections::HashSet;

const DEFINITION: &str = r#"{"version":1,
  "fields":["email","phone","firstName","lastName","street","city","postalCode","dateOfBirth"],
  "matchKeys":[{"name":"nameDob","parts":[{"field":"lastName"},{"field":"firstName","take":"initial"},{"field":"dateOfBirth"}]}],
  "defaultRegion":"US","dateOrder":"mdy"}"#;

fn pseudonymizer() -> Pseudonymizer {
    let def = IdentityDefinition::from_json(DEFINITION).unwrap();
    Pseudonymizer::new(vec![("k1".into(), Secret::new(vec![5; 32]).unwrap())], def).unwrap()
}

fn encoder() -> RecordEncoder {
    let schema = ClkSchema::from_json(DEFAULT_CLK_SCHEMA).unwrap();
    RecordEncoder::with_clks(pseudonymizer(), &schema, &[6; 32]).unwrap()
}

fn record(row: &Row) -> Record {
    let mut r = Record::new();
    for (name, value) in row.present() {
        r.set(Field::from_name(name).unwrap(), value);
    }
    r
}

fn encode(enc: &RecordEncoder, rows: &[Row]) -> Vec<EncodedRecord> {
    rows.iter()
        .map(|row| enc.encode(&row.id, &record(row)).record)
        .collect()
}

fn precision_recall(
    found: &HashSet<(String, String)>,
    truth: &HashSet<(String, String)>,
) -> (f64, f64) {
    let tp = found.intersection(truth).count() as f64;
    (
        tp / found.len().max(1) as f64,
        tp / truth.len().max(1) as f64,
    )
}

#[test]
fn fuzzy_linking_finds_what_exact_tokens_miss_at_high_precision() {
    let data = link(&Config::new(21), 1500, 0.5);
    let truth: HashSet<(String, String)> = data.pairs.iter().cloned().collect();
    let enc = encoder();
    let (a, b) = (encode(&enc, &data.a), encode(&enc, &data.b));

    // Exact: a shared e-mail, phone or match-key token.
    let strong = |r: &EncodedRecord| -> HashSet<String> {
        r.tokens
            .iter()
            .filter(|t| t.starts_with("pl1.email.") || t.starts_with("pl1.phone."))
            .chain(&r.match_keys)
            .cloned()
            .collect()
    };
    let tb: Vec<HashSet<String>> = b.iter().map(strong).collect();
    let mut exact = HashSet::new();
    for ra in &a {
        let ta = strong(ra);
        if let Some(j) = tb.iter().position(|t| !t.is_disjoint(&ta)) {
            exact.insert((ra.id.clone(), b[j].id.clone()));
        }
    }
    let (_, exact_recall) = precision_recall(&exact, &truth);

    let mut linker = Linker::new(LinkConfig::default()).unwrap();
    let result = linker.link(&a, &b, &mut |_, _, _| {}).unwrap();
    let found: HashSet<(String, String)> = result
        .links
        .iter()
        .map(|l| (l.a.clone(), l.b.clone()))
        .collect();
    let (precision, recall) = precision_recall(&found, &truth);
    assert!(precision >= 0.97, "precision {precision}");
    assert!(
        recall >= exact_recall + 0.02,
        "recall {recall} vs exact {exact_recall}"
    );
    // Probabilities are calibrated: the mean probability of the links is
    // close to the share of them that are right.
    let mean_p =
        result.links.iter().map(|l| l.probability).sum::<f64>() / result.links.len() as f64;
    assert!(
        (mean_p - precision).abs() < 0.05,
        "mean p {mean_p}, precision {precision}"
    );
    // Every link explains itself field by field, from encodings only.
    let e = result.links[0].explanation.as_ref().unwrap();
    assert!(e.contributions.iter().any(|c| c.comparison == "lastName"));
}

#[test]
fn every_schema_feature_gets_its_own_clk_and_the_record_clk_is_their_union() {
    let enc = encoder();
    let rec = Record::new()
        .with(Field::FirstName, "Zoë")
        .with(Field::LastName, "O'Brien-Smith")
        .with(Field::Street, "12 North Main Street")
        .with(Field::PostalCode, "02139");
    let out = enc.encode("r1", &rec);
    assert!(out.errors.is_empty());
    let keys: Vec<&str> = out.record.clks.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        ["firstName", "lastName", "postalCode", RECORD_CLK, "street"]
    );
    let mut union = vec![0u8; 128];
    for (k, clk) in &out.record.clks {
        assert_eq!(clk.len(), 128, "{k}: 1024 bits");
        if k != RECORD_CLK {
            union.iter_mut().zip(clk).for_each(|(u, c)| *u |= c);
        }
    }
    assert_eq!(&union, &out.record.clks[RECORD_CLK]);
}

#[test]
fn clks_see_the_normalised_value_so_formatting_does_not_matter() {
    let enc = encoder();
    let a = enc.encode(
        "a",
        &Record::new()
            .with(Field::FirstName, "  JOSÉ ")
            .with(Field::Street, "12 North Main Street"),
    );
    let b = enc.encode(
        "b",
        &Record::new()
            .with(Field::FirstName, "jose")
            .with(Field::Street, "12 N Main St"),
    );
    assert_eq!(a.record.clks, b.record.clks);
}

#[test]
fn a_schema_feature_that_is_not_a_field_is_a_typed_error() {
    let schema = ClkSchema::from_json(
        r#"{"version":3,"clkConfig":{"l":1024,"kdf":{"type":"HKDF"}},"features":[
          {"identifier":"given_name","format":{"type":"string"},"hashing":{"comparison":{"type":"ngram","n":2},"strategy":{"bitsPerToken":20}}}]}"#,
    )
    .unwrap();
    let err = RecordEncoder::with_clks(pseudonymizer(), &schema, &[6; 32]).unwrap_err();
    assert_eq!(err.code(), ErrorCode::SchemaUnknownField);
    assert_eq!(err.feature(), Some("given_name"));
}

#[test]
fn a_value_the_schema_rejects_costs_that_clk_only() {
    let schema = ClkSchema::from_json(
        r#"{"version":3,"clkConfig":{"l":1024,"kdf":{"type":"HKDF"}},"features":[
          {"identifier":"firstName","format":{"type":"string","maxLength":3},"hashing":{"comparison":{"type":"ngram","n":2},"strategy":{"bitsPerToken":20}}},
          {"identifier":"lastName","format":{"type":"string"},"hashing":{"comparison":{"type":"ngram","n":2},"strategy":{"bitsPerToken":20}}}]}"#,
    )
    .unwrap();
    let enc = RecordEncoder::with_clks(pseudonymizer(), &schema, &[6; 32]).unwrap();
    let out = enc.encode(
        "r",
        &Record::new()
            .with(Field::FirstName, "Alexandra")
            .with(Field::LastName, "Ng"),
    );
    assert_eq!(out.errors.len(), 1);
    assert_eq!(out.errors[0].field, Field::FirstName);
    assert_eq!(out.errors[0].code, "clk.too_long");
    assert!(!out.errors[0].message.to_lowercase().contains("alexandra"));
    let keys: Vec<&str> = out.record.clks.keys().map(String::as_str).collect();
    assert_eq!(keys, ["lastName", RECORD_CLK]);
    assert!(out
        .record
        .tokens
        .iter()
        .any(|t| t.starts_with("pl1.firstName.")));
}

#[test]
fn files_with_no_customer_in_common_give_no_links() {
    // EM always finds two classes; with no shared customers the second one is
    // neighbours (same street, city, postal code). The linker must refuse it
    // rather than call neighbours the same person.
    let a = link(&Config::new(41), 1000, 0.0).a;
    let b = link(&Config::new(42), 1000, 0.0).b;
    let enc = encoder();
    let (ea, eb) = (encode(&enc, &a), encode(&enc, &b));
    let mut linker = Linker::new(LinkConfig::default()).unwrap();
    let r = linker.link(&ea, &eb, &mut |_, _, _| {}).unwrap();
    assert!(
        r.links.len() <= 5,
        "{} links between unrelated files",
        r.links.len()
    );
    assert!(r.stats.implausible_model || r.links.is_empty());
    if r.stats.implausible_model {
        assert!(
            !r.stats.trained && linker.params().is_none(),
            "an implausible fit is not kept"
        );
    }
}

/// `encode_batch` keeps one n-gram memo for the whole batch (issue 13); its
/// encodings must equal encoding each record on its own, on data where names,
/// streets and cities repeat across rows (so the memo is hit), including a
/// batch that repeats whole records.
#[test]
fn encode_batch_with_memo_equals_encode_per_record() {
    let data = link(&Config::new(33), 400, 0.5);
    let enc = encoder();
    let mut rows: Vec<(String, Record)> = data
        .a
        .iter()
        .chain(&data.b)
        .map(|r| (r.id.clone(), record(r)))
        .collect();
    let again = rows[..50].to_vec();
    rows.extend(again);
    let batch = enc.encode_batch(&rows, |_, _| {});
    assert_eq!(batch.len(), rows.len());
    let mut with_clks = 0;
    for ((id, r), b) in rows.iter().zip(&batch) {
        let one = enc.encode(id, r);
        assert_eq!(b, &one, "record {id}");
        with_clks += usize::from(b.record.clks.contains_key(RECORD_CLK));
    }
    assert!(with_clks > rows.len() / 2);
}
