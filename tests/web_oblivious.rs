//! Oblivious tokens in the browser (wasm-bindgen-test, headless Chromium and
//! Firefox, `--features oblivious`): the RFC 9497 vectors through the crate's
//! own client and evaluator, then the JS-facing `ObliviousClient` against an
//! in-page evaluator (the network round trips are tests/js/e2e/oblivious.test.mjs).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: failing loudly is the point
#![cfg(all(target_arch = "wasm32", feature = "oblivious"))]

mod support;

use pseudolink::oblivious::{EvaluateRequest, KeyPair};
use pseudolink::wasm::oblivious::ObliviousClient;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn rfc9497_voprf_vectors_in_browser() {
    let failures = support::oprf::check_voprf(support::oprf::OPRF_FILE);
    assert!(failures.is_empty(), "{failures:#?}");
}

#[wasm_bindgen_test]
fn rfc9497_oprf_vectors_in_browser() {
    let failures = support::oprf::check_oprf(support::oprf::OPRF_FILE);
    assert!(failures.is_empty(), "{failures:#?}");
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

/// Evaluates a request body the way the key server does.
fn answer(key: &KeyPair, body: &str) -> String {
    let req: EvaluateRequest = serde_json::from_str(body).unwrap();
    let res = key.evaluate_request(&req, &mut rand_core::OsRng).unwrap();
    serde_json::to_string(&res).unwrap()
}

fn client(key: &KeyPair) -> ObliviousClient {
    let pins = js_sys::Object::new();
    js_sys::Reflect::set(
        &pins,
        &key.version().into(),
        &pseudolink::base64_url(&key.public_key()).into(),
    )
    .unwrap();
    ObliviousClient::new(
        obj(r#"{"version":1,"fields":["email","lastName"],"defaultRegion":"US"}"#),
        pins.into(),
    )
    .unwrap()
}

fn tokens(c: &ObliviousClient, key: &KeyPair, records: &str) -> Result<String, JsValue> {
    let batch = c.blind(obj(records))?;
    let res = answer(key, &batch.request_body(key.version().into()).unwrap());
    let out = c.finalize(&batch, obj(&format!("[{res}]")))?;
    Ok(js_sys::JSON::stringify(&out).unwrap().into())
}

#[wasm_bindgen_test]
fn js_oblivious_client_round_trip_is_stable_across_blinds() {
    let key = KeyPair::derive("v1", &[3; 32]).unwrap();
    let c = client(&key);
    let a = tokens(
        &c,
        &key,
        r#"[{"email":"Jane@Example.com","lastName":"Doe"}]"#,
    )
    .unwrap();
    let b = tokens(
        &c,
        &key,
        r#"[{"email":" jane@example.COM","lastName":"DOE"}]"#,
    )
    .unwrap();
    assert_eq!(a, b);
    assert!(a.contains("po1.email.v1.") && a.contains("po1.lastName.v1."));
    assert!(!a.contains("Jane") && !a.contains("example"));
}

#[wasm_bindgen_test]
fn js_oblivious_client_refuses_tampered_answers_and_bad_pins() {
    let key = KeyPair::derive("v1", &[3; 32]).unwrap();
    let c = client(&key);
    let batch = c
        .blind(obj(r#"[{"email":"jane@example.com","lastName":"Doe"}]"#))
        .unwrap();
    let mut res: serde_json::Value =
        serde_json::from_str(&answer(&key, &batch.request_body("v1".into()).unwrap())).unwrap();
    let first = res["evaluated"][0].clone();
    res["evaluated"][0] = res["evaluated"][1].clone();
    res["evaluated"][1] = first;
    let err = c.finalize(&batch, obj(&format!("[{res}]"))).unwrap_err();
    assert_eq!(code_of(&err), "oblivious.verification_failed");
    let err = c.finalize(&batch, obj("[{}]")).unwrap_err();
    assert_eq!(code_of(&err), "oblivious.invalid_response");

    let def = obj(r#"{"version":1,"fields":["email"]}"#);
    let err = ObliviousClient::new(def.clone(), obj(r#"{"v1":"not-a-key"}"#))
        .err()
        .unwrap();
    assert_eq!(code_of(&err), "oblivious.invalid_public_key");
    let err = ObliviousClient::new(def, obj("{}")).err().unwrap();
    assert_eq!(code_of(&err), "key.missing");
    let err = c.blind(JsValue::from("not records")).err().unwrap();
    assert_eq!(code_of(&err), "record.invalid");
}
