//! The synthetic data generator (`scripts/synth`) against the crate: its
//! records must be what the normalisers accept, and its formatting noise
//! must be exactly the kind normalisation removes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use pseudolink::{Field, IdentityDefinition, Pseudonymizer, Record, Secret};
use pseudolink_synth::{link, Config, Corruption, Row, FIELDS};
use std::collections::{HashMap, HashSet};

fn pseudonymizer() -> Pseudonymizer {
    let all: Vec<&str> = Field::ALL.iter().map(|f| f.name()).collect();
    let def = format!(
        r#"{{"version":1,"fields":{},"defaultRegion":"US","dateOrder":"mdy"}}"#,
        serde_json::to_string(&all).unwrap()
    );
    let def = IdentityDefinition::from_json(&def).unwrap();
    Pseudonymizer::new(vec![("k1".into(), Secret::new(vec![9; 32]).unwrap())], def).unwrap()
}

fn record(row: &Row) -> Record {
    let mut r = Record::new();
    for (name, value) in row.present() {
        r.set(Field::from_name(name).unwrap(), value);
    }
    r
}

#[test]
fn generator_columns_are_the_field_wire_names() {
    let names: Vec<&str> = Field::ALL.iter().map(|f| f.name()).collect();
    assert_eq!(FIELDS.to_vec(), names);
}

#[test]
fn clean_and_reformatted_records_normalise_to_the_same_tokens() {
    let p = pseudonymizer();
    let mut clean = Config::new(4);
    clean.corruption = Corruption::NONE;
    clean.business_rate = 0.3;
    clean.foreign_rate = 0.3;
    let mut noisy = clean.clone();
    noisy.corruption.formatting = 1.0;
    let (c, f) = (link(&clean, 800, 0.5), link(&noisy, 800, 0.5));
    // Same entities, same ids: only the writing differs.
    assert_eq!(c.pairs, f.pairs);
    let tokens = |rows: &[Row]| -> HashMap<String, HashSet<String>> {
        rows.iter()
            .map(|row| {
                let t = p.tokenize(&record(row));
                assert!(t.errors.is_empty(), "{} {:?}", row.id, t.errors);
                let set: HashSet<String> = t
                    .tokens
                    .into_iter()
                    .filter(|t| !t.starts_with("pl1.externalId."))
                    .collect();
                assert!(set.len() >= 10, "{}: {} tokens", row.id, set.len());
                (row.id.clone(), set)
            })
            .collect()
    };
    let (ca, fa) = (tokens(&c.a), tokens(&f.a));
    for (id, set) in &ca {
        assert_eq!(set, &fa[id], "record {id}: formatting changed a token");
    }
    // And the true pairs of the clean data agree on every identifying token.
    let cb = tokens(&c.b);
    for (x, y) in &c.pairs {
        assert_eq!(ca[x], cb[y]);
    }
}
