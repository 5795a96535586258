//! Smallest browser test: proves the wasm-bindgen-test toolchain (build-std,
//! wasm-bindgen-test-runner, chromedriver / geckodriver) works end to end.
//! The lead's tests/web.rs holds the real browser tests of the JS API.
#![cfg(target_arch = "wasm32")]

use pseudolink::{normalize, Field, NormalizeOptions, Profile};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn web_smoke_error_names_code_not_value() {
    let input = "web-smoke-input-value";
    let opts = NormalizeOptions::new(Profile::Pseudolink);
    if let Err(e) = normalize(Field::Email, input, &opts) {
        assert!(!e.code().as_str().is_empty());
        assert!(!e.to_string().contains(input));
    }
}

#[wasm_bindgen_test]
fn web_smoke_oversized_input_is_refused() {
    let long = "a".repeat(pseudolink::MAX_INPUT_BYTES + 1);
    let opts = NormalizeOptions::new(Profile::Pseudolink);
    let e = normalize(Field::Email, &long, &opts);
    assert!(e.is_err());
}
