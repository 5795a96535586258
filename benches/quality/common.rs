//! What both pseudolink rows of the linkage-quality table share: the
//! definition, the fixed benchmark key, reading the generator's CSV and the
//! arguments after `cargo bench`'s own.

use pseudolink::{Field, IdentityDefinition, Pseudonymizer, Record, Secret};
use pseudolink_synth::{csv, Row};

/// The demo's definition (www/shared/demo-config.js) with the identifying
/// fields the synthetic data has.
const DEFINITION: &str = r#"{
  "version": 1,
  "fields": ["email", "phone", "firstName", "lastName", "street", "city", "state", "postalCode",
             "country", "dateOfBirth", "gender", "companyName", "duns", "webDomain"],
  "matchKeys": [
    {"name": "nameDob", "parts": [{"field": "lastName"}, {"field": "firstName", "take": "initial"}, {"field": "dateOfBirth"}]},
    {"name": "addressName", "parts": [{"field": "postalCode"}, {"field": "street", "take": "streetNumber"}, {"field": "lastName"}]},
    {"name": "companySite", "parts": [{"field": "companyName"}, {"field": "postalCode"}]}
  ],
  "defaultRegion": "US",
  "dateOrder": "mdy"
}"#;

/// The order-free names match key (definition version 2) the fuzzy row adds:
/// first and last name swapped give the same `mk-names` token, a blocking
/// key and the linker's `swapped` comparison.
#[allow(dead_code)] // the exact-tokens row does not use it
pub const NAMES_KEY: &str = r#"{"name": "names", "unordered": true, "parts": [{"field": "firstName"}, {"field": "lastName"}]}"#;

/// Tokens under the definition and a fixed benchmark key: the tokens never
/// leave this process.
#[allow(dead_code)] // the fuzzy row adds match keys
pub fn pseudonymizer() -> Pseudonymizer {
    pseudonymizer_with(&[])
}

/// [`pseudonymizer`] under the definition plus `extra` match keys (JSON
/// objects; the definition becomes version 2).
pub fn pseudonymizer_with(extra: &[&str]) -> Pseudonymizer {
    let json = if extra.is_empty() {
        DEFINITION.to_owned()
    } else {
        let keys = extra
            .iter()
            .map(|k| format!(",\n    {k}"))
            .collect::<String>();
        DEFINITION
            .replacen("\"version\": 1", "\"version\": 2", 1)
            .replacen(
                "\n  ],\n  \"defaultRegion\"",
                &format!("{keys}\n  ],\n  \"defaultRegion\""),
                1,
            )
    };
    let def = IdentityDefinition::from_json(&json).unwrap();
    let secret = Secret::new(b"pseudolink-quality-benchmark-key".to_vec()).unwrap();
    Pseudonymizer::new(vec![("q1".into(), secret)], def).unwrap()
}

/// A generated row as the crate's record (its `id` is not a field).
pub fn record(row: &Row) -> Record {
    let mut rec = Record::new();
    for (name, value) in row.present() {
        if let Some(f) = Field::from_name(name) {
            rec.set(f, value);
        }
    }
    rec
}

/// The rows of a `pseudolink-synth` CSV file.
pub fn read(path: &str) -> Vec<Row> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    csv::read_records(&text).unwrap()
}

/// The command-line arguments; `cargo bench` appends `--bench`, the rest are ours.
pub fn args() -> Vec<String> {
    std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect()
}
