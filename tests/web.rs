//! Browser run (wasm-bindgen-test, headless Chromium and Firefox): the same
//! vector files as the native run, plus the JS-facing exports called with the
//! values a page can really pass (wrong types, lone surrogates, 1 MB strings).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: failing loudly is the point
#![cfg(target_arch = "wasm32")]

mod support;

use pseudolink::wasm::{normalize, platform_hashes_js, Pseudonymizer};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn assert_clean(failures: Vec<String>) {
    assert!(
        failures.is_empty(),
        "{} failing case(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

fn obj(json: &str) -> JsValue {
    js_sys::JSON::parse(json).unwrap()
}

fn code_of(err: &JsValue) -> String {
    js_sys::Reflect::get(err, &"code".into())
        .unwrap()
        .as_string()
        .unwrap()
}

fn message_of(err: &JsValue) -> String {
    err.dyn_ref::<js_sys::Error>().unwrap().message().into()
}

#[wasm_bindgen_test]
fn normalization_vectors_in_browser() {
    for (name, json) in support::NORMALIZATION_FILES {
        assert_clean(support::check_normalization_file(name, json));
    }
}

#[wasm_bindgen_test]
fn token_vectors_in_browser() {
    assert_clean(support::check_token_file(include_str!(
        "vectors/tokens.json"
    )));
}

#[wasm_bindgen_test]
fn js_normalize_throws_error_with_code_and_no_value() {
    let err = normalize("email".into(), "nobody.example.com".into(), None).unwrap_err();
    assert_eq!(code_of(&err), "email.missing_at");
    assert!(!message_of(&err).contains("nobody"));
    let err = normalize(
        "email".into(),
        "a@b.example".into(),
        Some(obj(r#"{"profile":"nope"}"#).unchecked_into()),
    )
    .unwrap_err();
    assert_eq!(code_of(&err), "option.invalid");
}

#[wasm_bindgen_test]
fn js_values_of_the_wrong_type_get_typed_errors() {
    for v in [
        JsValue::from(4155550100.0),
        JsValue::NULL,
        JsValue::UNDEFINED,
        obj("{}"),
        obj("[1]"),
        JsValue::TRUE,
    ] {
        let err = normalize("phone".into(), v, None).unwrap_err();
        assert_eq!(code_of(&err), "value.wrong_type");
    }
    let err = normalize(JsValue::from(3.0), "x".into(), None).unwrap_err();
    assert_eq!(code_of(&err), "option.invalid");
    let err = platform_hashes_js(JsValue::from("not a record"), "meta".into(), None).unwrap_err();
    assert_eq!(code_of(&err), "record.invalid");
}

#[wasm_bindgen_test]
fn js_lone_surrogates_and_huge_strings_do_not_panic() {
    let lone = obj(r#""jane\ud800@example.com""#);
    let _ = normalize("email".into(), lone.clone(), None);
    let big: String = "x".repeat(1 << 20);
    let err = normalize("firstName".into(), big.into(), None).unwrap_err();
    assert_eq!(code_of(&err), "value.too_long");
    // A batch holding a lone surrogate (escaped by JSON.stringify) is repaired
    // to U+FFFD and still answers, record by record.
    let p = pseudonymizer();
    let records = js_sys::Array::new();
    let rec = js_sys::Object::new();
    js_sys::Reflect::set(&rec, &"email".into(), &lone).unwrap();
    records.push(&rec);
    let out = p.tokenize_batch(records.into()).unwrap();
    assert_eq!(js_sys::Array::from(&out).length(), 1);
}

fn pseudonymizer() -> Pseudonymizer {
    let keys = js_sys::Array::new();
    let key = js_sys::Object::new();
    js_sys::Reflect::set(&key, &"id".into(), &"k1".into()).unwrap();
    js_sys::Reflect::set(
        &key,
        &"secret".into(),
        &js_sys::Uint8Array::from(&[7u8; 32][..]),
    )
    .unwrap();
    keys.push(&key);
    Pseudonymizer::new(
        keys.into(),
        obj(r#"{"version":1,"fields":["email","phone","lastName"],"matchKeys":[{"name":"em","parts":[{"field":"email"},{"field":"lastName"}]}],"defaultRegion":"US"}"#),
    )
    .unwrap()
}

#[wasm_bindgen_test]
fn js_pseudonymizer_batch_equals_single_and_flags_wrong_types() {
    let p = pseudonymizer();
    let records = obj(
        r#"[{"email":"Jane.Doe@Example.com","lastName":"Doe"},{"phone":4155550100,"lastName":"Roe"},{"email":"bad"}]"#,
    );
    let batch = js_sys::JSON::stringify(&p.tokenize_batch(records.clone()).unwrap()).unwrap();
    let singles = js_sys::Array::new();
    for r in js_sys::Array::from(&records).iter() {
        singles.push(&p.tokenize(r).unwrap());
    }
    assert_eq!(batch, js_sys::JSON::stringify(&singles).unwrap());
    let text: String = batch.into();
    assert!(text.contains("value.wrong_type") && !text.contains("Jane") && !text.contains("Doe\""));
}

#[wasm_bindgen_test]
fn js_pseudonymizer_rejects_bad_keys_with_codes() {
    let def = obj(r#"{"version":1,"fields":["email"]}"#);
    let err = Pseudonymizer::new(obj(r#"[{"id":"k1","secret":"not bytes"}]"#), def.clone())
        .err()
        .unwrap();
    assert_eq!(code_of(&err), "key.invalid_secret");
    let err = Pseudonymizer::new(obj("[]"), def.clone()).err().unwrap();
    assert_eq!(code_of(&err), "key.missing");
    let err = Pseudonymizer::new(JsValue::UNDEFINED, def).err().unwrap();
    assert_eq!(code_of(&err), "key.missing");
}

/// The synthetic data generator runs in the browser too, and what it writes
/// is what the JS API accepts: reformatted records of the same customers
/// tokenise without errors to the same tokens.
#[wasm_bindgen_test]
fn synthetic_records_tokenise_in_the_browser() {
    use pseudolink_synth::{link, Config, Corruption, Row};
    let mut cfg = Config::new(21);
    cfg.corruption = Corruption::NONE;
    cfg.corruption.formatting = 1.0;
    cfg.foreign_rate = 0.3;
    let data = link(&cfg, 60, 0.5);
    let keys = js_sys::Array::new();
    let key = js_sys::Object::new();
    js_sys::Reflect::set(&key, &"id".into(), &"k1".into()).unwrap();
    js_sys::Reflect::set(
        &key,
        &"secret".into(),
        &js_sys::Uint8Array::from(&[7u8; 32][..]),
    )
    .unwrap();
    keys.push(&key);
    let p = Pseudonymizer::new(
        keys.into(),
        obj(r#"{"version":1,"fields":["email","phone","firstName","lastName","street","city","state","postalCode","country","dateOfBirth","gender","companyName","duns","webDomain"],"defaultRegion":"US","dateOrder":"mdy"}"#),
    )
    .unwrap();
    let tokens = |rows: &[Row]| -> Vec<serde_json::Value> {
        let records: Vec<serde_json::Map<String, serde_json::Value>> = rows
            .iter()
            .map(|r| {
                r.present()
                    .map(|(k, v)| (k.to_string(), v.into()))
                    .collect()
            })
            .collect();
        let out = p
            .tokenize_batch(obj(&serde_json::to_string(&records).unwrap()))
            .unwrap();
        let text: String = js_sys::JSON::stringify(&out).unwrap().into();
        serde_json::from_str(&text).unwrap()
    };
    let (ta, tb) = (tokens(&data.a), tokens(&data.b));
    let index = |rows: &[Row], id: &str| rows.iter().position(|r| r.id == id).unwrap();
    for out in ta.iter().chain(&tb) {
        assert_eq!(out["errors"], serde_json::json!([]), "{out}");
    }
    assert_eq!(data.pairs.len(), 30);
    for (x, y) in &data.pairs {
        let (a, b) = (
            &ta[index(&data.a, x)]["tokens"],
            &tb[index(&data.b, y)]["tokens"],
        );
        assert!(a.as_array().unwrap().len() >= 10);
        assert_eq!(a, b, "{x} {y}");
    }
}
