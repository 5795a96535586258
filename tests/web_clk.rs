//! Browser run (wasm-bindgen-test, headless Chromium and Firefox) of the
//! committed clkhash 0.18.3 CLK vectors, through the Rust API compiled to
//! wasm32: same harness as the native `tests/clk.rs`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: failing loudly is the point
#![cfg(all(target_arch = "wasm32", feature = "fuzzy"))]

#[path = "support/clk.rs"]
mod clk_support;

use pseudolink::{ClkEncoder, ClkSchema, ErrorCode, Hardening};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn clk_vectors_in_browser() {
    let mut failures = Vec::new();
    for (name, schema, vectors) in clk_support::CLK_FILES {
        let (n, f) = clk_support::check_clk_file(name, schema, vectors);
        assert!(n >= 40);
        failures.extend(f);
    }
    assert!(
        failures.is_empty(),
        "{} failing case(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[wasm_bindgen_test]
fn clk_errors_and_balanced_hardening_in_browser() {
    let (_, schema_json, _) = clk_support::CLK_FILES[0];
    let schema = ClkSchema::from_json(schema_json).unwrap();
    let enc = ClkEncoder::new(&schema, b"browser secret").unwrap();
    let row = [
        "1", "anna", "smith", "12", "Main St", "", "Sydney", "49", "NSW", "", "x",
    ];
    let err = enc.encode(&row).unwrap_err();
    assert_eq!(
        (err.code(), err.feature()),
        (ErrorCode::ClkOutOfRange, Some("postcode"))
    );
    assert!(!err.to_string().contains("49"));
    let balanced = ClkEncoder::with_hardening(
        &schema,
        b"browser secret",
        &Hardening::default().balanced(true),
    )
    .unwrap();
    let mut ok = row;
    ok[7] = "2000";
    let c = balanced.encode(&ok).unwrap();
    assert_eq!((c.len_bits(), c.count_ones()), (2048, 1024));
}
