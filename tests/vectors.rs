//! Native run of every vector file under tests/vectors/ (the same files run in
//! headless browsers through tests/web.rs and in Node against pkg/).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: failing loudly is the point

mod support;

fn assert_clean(failures: Vec<String>) {
    assert!(
        failures.is_empty(),
        "{} failing case(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn normalization_vectors() {
    let mut failures = Vec::new();
    for (name, json) in support::NORMALIZATION_FILES {
        failures.extend(support::check_normalization_file(name, json));
    }
    assert_clean(failures);
}

#[test]
fn token_vectors() {
    assert_clean(support::check_token_file(include_str!(
        "vectors/tokens.json"
    )));
}
