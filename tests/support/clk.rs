//! CLK vector harness shared by the native run (`tests/clk.rs`, also the
//! differential test) and the browser run (`tests/web_clk.rs`). Files are
//! passed as text because the browser has no filesystem.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: failing loudly is the point

use pseudolink::{Clk, ClkEncoder, ClkSchema, Subject};
use serde_json::Value;

/// The committed schemas and their clkhash vectors, by schema name.
pub const CLK_FILES: &[(&str, &str, &str)] = &[
    (
        "a-example",
        include_str!("../vectors/clk/a-example.schema.json"),
        include_str!("../vectors/clk/a-example.vectors.json"),
    ),
    (
        "b-doublehash-singularity",
        include_str!("../vectors/clk/b-doublehash-singularity.schema.json"),
        include_str!("../vectors/clk/b-doublehash-singularity.vectors.json"),
    ),
    (
        "c-blake-sha512-numeric",
        include_str!("../vectors/clk/c-blake-sha512-numeric.schema.json"),
        include_str!("../vectors/clk/c-blake-sha512-numeric.vectors.json"),
    ),
    (
        "d-documented-xorfolds",
        include_str!("../vectors/clk/d-documented-xorfolds.schema.json"),
        include_str!("../vectors/clk/d-documented-xorfolds.vectors.json"),
    ),
    (
        "e-encodings-dates-enums",
        include_str!("../vectors/clk/e-encodings-dates-enums.schema.json"),
        include_str!("../vectors/clk/e-encodings-dates-enums.vectors.json"),
    ),
];

/// Checks every case of one vector file; returns (cases checked, failures).
/// A failure names the file and case index, never more than needed.
pub fn check_clk_file(name: &str, schema_json: &str, vectors_json: &str) -> (usize, Vec<String>) {
    let schema = ClkSchema::from_json(schema_json).expect("schema loads");
    let doc: Value = serde_json::from_str(vectors_json).expect("vector file is JSON");
    assert!(
        doc["source"]
            .as_str()
            .is_some_and(|s| s.starts_with("http")),
        "{name}: no source address"
    );
    let secret = doc["secret"].as_str().expect("secret");
    let l = doc["l"].as_u64().expect("l") as usize;
    assert_eq!(schema.l(), l, "{name}: l");
    let enc = ClkEncoder::new(&schema, secret.as_bytes()).expect("encoder");
    let cases = doc["cases"].as_array().expect("cases");
    assert!(!cases.is_empty(), "{name}: no cases");
    let mut failures = Vec::new();
    let mut valid_rows = Vec::new();
    let mut valid_clks = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        let row: Vec<&str> = case["row"]
            .as_array()
            .expect("row")
            .iter()
            .map(|v| v.as_str().expect("string cell"))
            .collect();
        let got = enc.encode(&row);
        match (case.get("clk").and_then(Value::as_str), got) {
            (Some(want), Ok(clk)) => {
                if clk.to_base64() != want {
                    failures.push(format!("{name} case #{i}: CLK differs from clkhash"));
                } else if Clk::from_base64(want, l).as_ref() != Ok(&clk) {
                    failures.push(format!("{name} case #{i}: from_base64 round trip"));
                }
                valid_rows.push(row);
                valid_clks.push(want.to_owned());
            }
            (Some(_), Err(e)) => failures.push(format!(
                "{name} case #{i}: rejected ({}) but clkhash encodes it",
                e.code()
            )),
            (None, Ok(_)) => {
                failures.push(format!("{name} case #{i}: accepted but clkhash rejects it"))
            }
            (None, Err(e)) => {
                let want = case["error"].as_str().expect("error names a feature");
                if e.subject() != Subject::Feature || e.feature() != Some(want) {
                    failures.push(format!(
                        "{name} case #{i}: rejected for {:?}, clkhash for {want}",
                        e.feature()
                    ));
                }
                let msg = e.to_string();
                for v in &row {
                    if v.chars().count() >= 4 && !want.contains(v) && msg.contains(v) {
                        failures.push(format!("{name} case #{i}: error message echoes a value"));
                    }
                }
            }
        }
    }
    // The batch API gives the same CLKs and reports progress to the end.
    let mut last = (0, 0);
    let batch = enc
        .encode_batch(&valid_rows, |d, t| last = (d, t))
        .expect("valid rows encode");
    if batch
        .iter()
        .map(Clk::to_base64)
        .ne(valid_clks.iter().cloned())
    {
        failures.push(format!("{name}: encode_batch differs from encode"));
    }
    if last != (valid_rows.len(), valid_rows.len()) && !valid_rows.is_empty() {
        failures.push(format!("{name}: progress ended at {last:?}"));
    }
    (cases.len(), failures)
}
