//! The one vector harness, shared by native (`tests/vectors.rs`) and browser
//! (`tests/web.rs`) runs. Files are passed in as text (`include_str!`) because
//! the browser has no filesystem.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: failing loudly is the point

#[cfg(feature = "oblivious")]
pub mod oprf;

use pseudolink::{
    normalize, platform_hashes, DateOrder, Error, Field, HashEncoding, NormalizeOptions, Profile,
    Record, Secret, TokenKey,
};
use serde_json::Value;

/// Every vector file, by name, embedded at compile time.
pub const NORMALIZATION_FILES: &[(&str, &str)] = &[
    ("email.json", include_str!("../vectors/email.json")),
    ("phone.json", include_str!("../vectors/phone.json")),
    ("name.json", include_str!("../vectors/name.json")),
    ("company.json", include_str!("../vectors/company.json")),
    ("geo.json", include_str!("../vectors/geo.json")),
    ("dob.json", include_str!("../vectors/dob.json")),
    ("gender.json", include_str!("../vectors/gender.json")),
    (
        "meta-param-builder.json",
        include_str!("../vectors/meta-param-builder.json"),
    ),
    (
        "meta-param-builder-node.json",
        include_str!("../vectors/meta-param-builder-node.json"),
    ),
    (
        "meta-param-builder-php.json",
        include_str!("../vectors/meta-param-builder-php.json"),
    ),
    (
        "google-data-manager.json",
        include_str!("../vectors/google-data-manager.json"),
    ),
    (
        "uid2-operator.json",
        include_str!("../vectors/uid2-operator.json"),
    ),
    (
        "uid2-web-integrations.json",
        include_str!("../vectors/uid2-web-integrations.json"),
    ),
    (
        "tiktok-events-api.json",
        include_str!("../vectors/tiktok-events-api.json"),
    ),
    (
        "pinterest-conversions.json",
        include_str!("../vectors/pinterest-conversions.json"),
    ),
    (
        "snap-conversions.json",
        include_str!("../vectors/snap-conversions.json"),
    ),
    (
        "linkedin-conversions.json",
        include_str!("../vectors/linkedin-conversions.json"),
    ),
    (
        "pair-match-keys.json",
        include_str!("../vectors/pair-match-keys.json"),
    ),
];

fn str_of<'a>(case: &'a Value, key: &str) -> Option<&'a str> {
    case.get(key).and_then(Value::as_str)
}

fn options_of(case: &Value) -> NormalizeOptions {
    let profile = str_of(case, "profile")
        .and_then(Profile::from_name)
        .expect("case has a known profile");
    let mut o = NormalizeOptions::new(profile);
    if let Some(opts) = case.get("options") {
        if let Some(r) = opts.get("region").and_then(Value::as_str) {
            o.region = Some(pseudolink::Country::parse(r).expect("valid region in case"));
        }
        if let Some(d) = opts.get("dateOrder") {
            o.date_order = Some(serde_json::from_value::<DateOrder>(d.clone()).expect("dateOrder"));
        }
    }
    o
}

/// Runs every normalisation case of one file; returns the failures, each
/// naming the file and case index.
pub fn check_normalization_file(name: &str, json: &str) -> Vec<String> {
    let doc: Value = serde_json::from_str(json).expect("vector file is JSON");
    let cases = doc["cases"].as_array().expect("cases array");
    assert!(!cases.is_empty(), "{name}: no cases");
    let mut failures = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        let fail = |msg: String| format!("{name} case #{i} ({}): {msg}", case);
        assert!(
            str_of(case, "source").is_some_and(|s| s.starts_with("http")),
            "{}",
            fail("no source address".into())
        );
        let field = str_of(case, "field")
            .and_then(Field::from_name)
            .expect("known field");
        let input = str_of(case, "input").expect("input");
        let opts = options_of(case);
        let got = normalize(field, input, &opts);
        match (str_of(case, "normalized"), str_of(case, "error"), got) {
            (Some(want), _, Ok(v)) if v == want => {
                if let Err(m) = check_platform_hash(case, field, input, &opts, &v) {
                    failures.push(fail(m));
                }
            }
            (Some(want), _, got) => failures.push(fail(format!("want {want:?}, got {got:?}"))),
            (None, Some(code), Err(e)) if e.code().as_str() == code => {
                // The message is fully determined by field and code, so it
                // cannot carry the input.
                if e.to_string() != Error::field(field, e.code()).to_string() {
                    failures.push(fail("error message is not the fixed text".into()));
                }
            }
            (None, Some(code), got) => {
                failures.push(fail(format!("want error {code}, got {got:?}")))
            }
            // A vendor's refusal with no code of ours: any coded error, and
            // no platform parameter for the field.
            (None, None, Err(_)) if case.get("refused") == Some(&Value::Bool(true)) => {
                let out = platform_hashes(&Record::new().with(field, input), &opts);
                if !out.hashes.is_empty() || !out.plain.is_empty() {
                    failures.push(fail(format!("refused, but platform_hashes sent {out:?}")));
                }
            }
            (None, None, got) if case.get("refused") == Some(&Value::Bool(true)) => {
                failures.push(fail(format!("want a refusal, got {got:?}")))
            }
            (None, None, _) => failures.push(fail("case has neither normalized nor error".into())),
        }
    }
    failures
}

/// The vector's `hash` (computed by Python hashlib) must equal both the
/// profile's encoding of SHA-256 and what `platform_hashes` emits.
fn check_platform_hash(
    case: &Value,
    field: Field,
    input: &str,
    opts: &NormalizeOptions,
    normalized: &str,
) -> Result<(), String> {
    let record = Record::new().with(field, input);
    let out = platform_hashes(&record, opts);
    match case.get("hash") {
        Some(Value::String(want)) => {
            let ours = HashEncoding::of(opts.profile).encode(&pseudolink::sha256(normalized));
            if &ours != want {
                return Err(format!("hash: want {want}, got {ours}"));
            }
            if !out.hashes.values().any(|h| h == want) {
                return Err(format!("platform_hashes lacks {want}: {out:?}"));
            }
            Ok(())
        }
        Some(Value::Null) => {
            if !out.plain.values().any(|v| v == normalized) {
                return Err(format!("platform_hashes lacks plain value: {out:?}"));
            }
            Ok(())
        }
        _ => Err("case has no hash (run scripts/vectors/fill_hashes.py)".into()),
    }
}

/// Runs the keyed-token vectors (computed by Python hmac) through the public
/// `TokenKey` API; values in the file are already normalised.
pub fn check_token_file(json: &str) -> Vec<String> {
    let doc: Value = serde_json::from_str(json).expect("tokens.json");
    let mut failures = Vec::new();
    for (i, case) in doc["cases"].as_array().expect("cases").iter().enumerate() {
        let key_id = case["keyId"].as_str().expect("keyId");
        let secret =
            Secret::new(hex_decode(doc["keys"][key_id].as_str().expect("key"))).expect("secret");
        let key = TokenKey::new(key_id, &secret).expect("key");
        let want = case["token"].as_str().expect("token");
        let got = match case["kind"].as_str() {
            Some("field") => {
                let field =
                    Field::from_name(case["field"].as_str().expect("field")).expect("known field");
                key.field_token(field, case["value"].as_str().expect("value"))
            }
            Some("matchKey") => {
                let parts: Vec<&[u8]> = case["parts"]
                    .as_array()
                    .expect("parts")
                    .iter()
                    .map(|p| p.as_str().expect("part").as_bytes())
                    .collect();
                key.match_key_token(case["name"].as_str().expect("name"), &parts)
            }
            other => panic!("unknown kind {other:?}"),
        };
        if got != want {
            failures.push(format!("tokens case #{i}: want {want}, got {got}"));
        }
    }
    failures
}

/// Decodes lowercase/uppercase hex (test data only).
pub fn hex_decode(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|j| u8::from_str_radix(&s[j..j + 2], 16).expect("hex"))
        .collect()
}
