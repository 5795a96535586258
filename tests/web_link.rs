//! The link entry's JS API in the browser (wasm-bindgen-test, headless
//! Chromium and Firefox, `--features link`): `ClkEncoder` against clkhash's
//! own CLKs, then `RecordEncoder` → `Linker` (link, dedupe, linkMany,
//! explain, saved parameters) on generated customers with known truth,
//! called the way JavaScript calls them.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: failing loudly is the point
#![cfg(all(target_arch = "wasm32", feature = "link"))]

use pseudolink::wasm::link::{default_clk_schema, ClkEncoder, Linker, RecordEncoder};
use pseudolink_synth::{dedupe, link, Config, Row};
use std::collections::HashSet;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;
use web_support::{
    assert_waterfall_adds_up, code_of, default_clk_options, js, key_list, string_pairs, to_json,
};

mod web_support;

wasm_bindgen_test_configure!(run_in_browser);

const EXAMPLE_SCHEMA: &str = include_str!("vectors/clk/a-example.schema.json");
const EXAMPLE_VECTORS: &str = include_str!("vectors/clk/a-example.vectors.json");

const DEFINITION: &str = r#"{"version":1,
  "fields":["email","phone","firstName","lastName","street","city","postalCode","dateOfBirth"],
  "matchKeys":[{"name":"nameDob","parts":[{"field":"lastName"},{"field":"firstName","take":"initial"},{"field":"dateOfBirth"}]}],
  "defaultRegion":"US","dateOrder":"mdy"}"#;

fn keys() -> JsValue {
    key_list("k1", 3)
}

fn options_with_clks() -> JsValue {
    default_clk_options(4)
}

fn records(rows: &[Row]) -> JsValue {
    let v: Vec<serde_json::Value> = rows
        .iter()
        .map(|r| {
            let mut m: serde_json::Map<String, serde_json::Value> =
                r.present().map(|(k, v)| (k.to_owned(), v.into())).collect();
            m.insert("id".into(), r.id.clone().into());
            m.into()
        })
        .collect();
    js(&serde_json::to_string(&v).unwrap())
}

fn encoder() -> RecordEncoder {
    RecordEncoder::new(
        keys(),
        js(DEFINITION),
        Some(options_with_clks().unchecked_into()),
    )
    .unwrap()
}

/// An `{onProgress}` option that counts its calls into `calls`.
fn counting(calls: &js_sys::Array) -> JsValue {
    let f =
        js_sys::Function::new_with_args("p", "this.push(p.stage + ':' + p.done + '/' + p.total)");
    let bound = f.bind0(calls);
    let o = js_sys::Object::new();
    js_sys::Reflect::set(&o, &"onProgress".into(), &bound).unwrap();
    o.into()
}

#[wasm_bindgen_test]
fn clk_encoder_matches_clkhash_through_the_js_api() {
    let v: serde_json::Value = serde_json::from_str(EXAMPLE_VECTORS).unwrap();
    let secret = v["secret"].as_str().unwrap().as_bytes();
    let enc = ClkEncoder::new(
        EXAMPLE_SCHEMA.into(),
        js_sys::Uint8Array::from(secret).into(),
    )
    .unwrap();
    assert_eq!(enc.output_bits(), 1024);
    let all = v["cases"].as_array().unwrap();
    let mut rejected = 0;
    for case in all {
        let row = js(&case["row"].to_string());
        match case["clk"].as_str() {
            Some(clk) => assert_eq!(enc.encode(row).unwrap(), clk),
            None => {
                // clkhash rejects this row: so do we, naming the same feature.
                let err = enc.encode(row).unwrap_err();
                assert!(code_of(&err).starts_with("clk."));
                let msg = js_sys::Reflect::get(&err, &"message".into())
                    .unwrap()
                    .as_string()
                    .unwrap();
                assert!(msg.contains(case["error"].as_str().unwrap()), "{msg}");
                rejected += 1;
            }
        }
    }
    assert!(rejected < all.len());
    let cases: Vec<&serde_json::Value> = all.iter().filter(|c| c["clk"].is_string()).collect();
    let rows: Vec<&serde_json::Value> = cases.iter().map(|c| &c["row"]).collect();
    let calls = js_sys::Array::new();
    let out = to_json(
        &enc.encode_batch(
            js(&serde_json::to_string(&rows).unwrap()),
            Some(counting(&calls).unchecked_into()),
        )
        .unwrap(),
    );
    for (got, case) in out.as_array().unwrap().iter().zip(&cases) {
        assert_eq!(got, &case["clk"]);
    }
    assert!(calls.length() >= 1, "progress reported");
    // A short row is a typed error carrying its row index, never the value.
    let bad = enc.encode_batch(js(r#"[["x"]]"#), None).unwrap_err();
    assert_eq!(code_of(&bad), "clk.row_length");
    assert_eq!(
        js_sys::Reflect::get(&bad, &"row".into()).unwrap().as_f64(),
        Some(0.0)
    );
}

#[wasm_bindgen_test]
fn bad_schemas_and_secrets_are_typed_errors() {
    let secret: JsValue = js_sys::Uint8Array::from(&[1u8; 32][..]).into();
    let e = ClkEncoder::new("{not json".into(), secret.clone())
        .err()
        .unwrap();
    assert_eq!(code_of(&e), "schema.invalid_json");
    let e = ClkEncoder::new(js(r#"{"version":2}"#), secret)
        .err()
        .unwrap();
    assert_eq!(code_of(&e), "schema.unsupported_version");
    let e = ClkEncoder::new(default_clk_schema().into(), "not bytes".into())
        .err()
        .unwrap();
    assert_eq!(code_of(&e), "key.invalid_secret");
    let e = Linker::new(Some(js(r#"{"threshold":"high"}"#).unchecked_into()))
        .err()
        .unwrap();
    assert_eq!(code_of(&e), "link.bad_config");
}

#[wasm_bindgen_test]
fn encode_link_explain_and_reuse_parameters_in_the_browser() {
    let data = link(&Config::new(31), 600, 0.5);
    let truth: HashSet<(String, String)> = data.pairs.iter().cloned().collect();
    let enc = encoder();
    let calls = js_sys::Array::new();
    let a = enc
        .encode_batch(records(&data.a), Some(counting(&calls).unchecked_into()))
        .unwrap();
    let b = enc.encode_batch(records(&data.b), None).unwrap();
    assert!(calls.length() >= 1);
    let first = to_json(&js_sys::Reflect::get_u32(&a, 0).unwrap());
    assert_eq!(first["id"], data.a[0].id.as_str());
    assert!(first["clks"]["record"].is_string() && first["tokens"].is_array());

    let mut linker = Linker::new(None).unwrap();
    assert!(linker.params().unwrap().is_null());
    let stages = js_sys::Array::new();
    let result = to_json(
        &linker
            .link(
                a.clone(),
                b.clone(),
                Some(counting(&stages).unchecked_into()),
            )
            .unwrap(),
    );
    let found: HashSet<(String, String)> = string_pairs(&result["links"], "a", "b")
        .into_iter()
        .collect();
    let tp = found.intersection(&truth).count() as f64;
    let (precision, recall) = (tp / found.len() as f64, tp / truth.len() as f64);
    assert!(
        precision > 0.95 && recall > 0.8,
        "precision {precision}, recall {recall}"
    );
    let staged: Vec<String> = stages.iter().map(|s| s.as_string().unwrap()).collect();
    assert!(staged.iter().any(|s| s.starts_with("em:")), "{staged:?}");

    // The explanation a page draws: prior + contributions = match weight.
    let link0 = &result["links"][0];
    let e = &link0["explanation"];
    assert_waterfall_adds_up(e);

    // Saved parameters load into a fresh linker and give the same links
    // without training (term frequencies come from the data linked).
    let params = linker.params().unwrap();
    let saved = js_sys::JSON::stringify(&params)
        .unwrap()
        .as_string()
        .unwrap();
    let mut again = Linker::new(None).unwrap();
    again.set_params(saved.into()).unwrap();
    let r2 = to_json(&again.link(a.clone(), b.clone(), None).unwrap());
    assert_eq!(r2["stats"]["trained"], false);
    let key = |r: &serde_json::Value| -> Vec<(String, String, f64)> {
        r["links"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| {
                (
                    l["a"].as_str().unwrap().into(),
                    l["b"].as_str().unwrap().into(),
                    l["probability"].as_f64().unwrap(),
                )
            })
            .collect()
    };
    let (k2, k1) = (key(&r2), key(&result));
    assert_eq!(k2.len(), k1.len());
    for (x, y) in k2.iter().zip(&k1) {
        // Parameters round-trip through JSON within 1e-12 (no float_roundtrip).
        assert!(
            x.0 == y.0 && x.1 == y.1 && (x.2 - y.2).abs() < 1e-9,
            "{x:?} vs {y:?}"
        );
    }
    let e0 = again
        .explain(
            js_sys::Reflect::get_u32(&a, 0).unwrap(),
            js_sys::Reflect::get_u32(&b, 0).unwrap(),
        )
        .unwrap();
    assert!(to_json(&e0)["contributions"].is_array());
    let bad = again
        .set_params(js(r#"{"version":1,"prior":0.5,"comparisons":[]}"#))
        .unwrap_err();
    assert_eq!(code_of(&bad), "link.bad_params");
}

#[wasm_bindgen_test]
fn dedupe_and_link_many_in_the_browser() {
    let data = dedupe(&Config::new(32), 500, 0.3, 4);
    let enc = encoder();
    let recs = enc.encode_batch(records(&data.rows), None).unwrap();
    let mut linker = Linker::new(None).unwrap();
    let d = to_json(&linker.dedupe(recs.clone(), None).unwrap());
    let clusters = d["clusters"].as_array().unwrap();
    let members: usize = clusters.iter().map(|c| c.as_array().unwrap().len()).sum();
    assert_eq!(
        members,
        data.rows.len(),
        "every record in exactly one cluster"
    );
    let entity: std::collections::HashMap<&str, &str> = data
        .clusters
        .iter()
        .map(|(id, e)| (id.as_str(), e.as_str()))
        .collect();
    let multi: Vec<_> = clusters
        .iter()
        .filter(|c| c.as_array().unwrap().len() > 1)
        .collect();
    assert!(!multi.is_empty());
    let pure = multi
        .iter()
        .filter(|c| {
            let es: HashSet<&str> = c
                .as_array()
                .unwrap()
                .iter()
                .map(|id| entity[id.as_str().unwrap()])
                .collect();
            es.len() == 1
        })
        .count();
    assert!(
        pure as f64 / multi.len() as f64 > 0.95,
        "{pure} of {} clusters pure",
        multi.len()
    );

    let split = js_sys::Array::from(&recs);
    let half = split.length() / 2;
    let sources = js_sys::Array::of2(&split.slice(0, half), &split.slice(half, split.length()));
    let m = to_json(&linker.link_many(sources.into(), None).unwrap());
    assert!(m["entities"].as_array().unwrap().iter().all(|e| {
        let s: HashSet<u64> = e
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["source"].as_u64().unwrap())
            .collect();
        s.len() == e.as_array().unwrap().len()
    }));
}

/// `default_clk_options(4)` plus `hardening` (JSON text parsed to an object).
fn hardened_options(hardening: &str) -> JsValue {
    let o = options_with_clks();
    js_sys::Reflect::set(&o, &"hardening".into(), &js(hardening)).unwrap();
    o
}

#[wasm_bindgen_test]
fn hardened_and_clk_only_encoders_in_the_browser() {
    let rows = link(&Config::new(41), 20, 0.5).a;
    let recs = records(&rows);
    let encode = |enc: &RecordEncoder| to_json(&enc.encode_batch(recs.clone(), None).unwrap());
    let plain = encode(&encoder());
    let opts = || hardened_options(r#"{"diffusion":8}"#);
    let keyed =
        encode(&RecordEncoder::new(keys(), js(DEFINITION), Some(opts().unchecked_into())).unwrap());
    // `keys: []` with a schema: CLKs only, the same CLKs as the keyed encoder.
    let only = encode(
        &RecordEncoder::new(js("[]"), js(DEFINITION), Some(opts().unchecked_into())).unwrap(),
    );
    let (plain, keyed, only) = (
        plain.as_array().unwrap(),
        keyed.as_array().unwrap(),
        only.as_array().unwrap(),
    );
    let mut clks = 0;
    for ((p, k), o) in plain.iter().zip(keyed).zip(only) {
        assert_eq!(k["clks"], o["clks"]);
        assert_eq!(k["tokens"], p["tokens"]);
        assert_eq!(o["tokens"], serde_json::json!([]));
        assert_eq!(o["matchKeys"], serde_json::json!([]));
        for (key, v) in p["clks"].as_object().unwrap() {
            assert_ne!(&k["clks"][key], v, "diffusion changes {key}");
            assert_eq!(
                k["clks"][key].as_str().unwrap().len(),
                v.as_str().unwrap().len()
            );
            clks += 1;
        }
    }
    assert!(clks > 20);
    // JSON text works as an object does; the full form too.
    let text = options_with_clks();
    js_sys::Reflect::set(
        &text,
        &"hardening".into(),
        &r#"{"balanced":false,"saltFeature":null,"diffusion":8}"#.into(),
    )
    .unwrap();
    assert_eq!(
        to_json(
            &RecordEncoder::new(keys(), js(DEFINITION), Some(text.unchecked_into()))
                .unwrap()
                .encode_batch(recs.clone(), None)
                .unwrap()
        )
        .as_array()
        .unwrap(),
        keyed
    );
    // Bad hardening: `option.invalid`, the value never in the message.
    for bad in [
        r#"{"diffusion":40}"#,
        r#"{"diffusion":1}"#,
        r#"{"diffusion":"8"}"#,
        r#"{"diffusion":8,"rounds":2}"#,
        r#"{"saltFeature":"noSuchField"}"#,
        r#"[8]"#,
        "8",
    ] {
        let err = RecordEncoder::new(
            keys(),
            js(DEFINITION),
            Some(hardened_options(bad).unchecked_into()),
        )
        .err()
        .unwrap();
        assert_eq!(code_of(&err), "option.invalid", "{bad}");
        let msg = js_sys::Reflect::get(&err, &"message".into())
            .unwrap()
            .as_string()
            .unwrap();
        assert!(!msg.contains("40") && !msg.contains("rounds") && !msg.contains("noSuchField"));
    }
    // Hardening needs a schema; no keys without a schema is still `key.missing`.
    let no_schema = js(r#"{"hardening":{"diffusion":8}}"#);
    let err = RecordEncoder::new(keys(), js(DEFINITION), Some(no_schema.unchecked_into()))
        .err()
        .unwrap();
    assert_eq!(code_of(&err), "option.invalid");
    let err = RecordEncoder::new(js("[]"), js(DEFINITION), None)
        .err()
        .unwrap();
    assert_eq!(code_of(&err), "key.missing");
}

/// Hostile JS values (issue 16) in the browser: a revoked Proxy, a Proxy
/// whose every trap throws and an object whose getter throws give coded
/// errors (no bare TypeError unwinding through the wasm frames), and the same
/// objects, `&mut self` methods included, still work afterwards.
#[wasm_bindgen_test]
fn hostile_values_are_coded_errors_and_poison_nothing() {
    let throwing = js_sys::Function::new_no_args("throw new Error('hostile')");
    let revocable = js_sys::Proxy::revocable(&js_sys::Array::new(), &js_sys::Object::new());
    let revoked = js_sys::Reflect::get(&revocable, &"proxy".into()).unwrap();
    let revoke: js_sys::Function = js_sys::Reflect::get(&revocable, &"revoke".into())
        .unwrap()
        .unchecked_into();
    revoke.call0(&JsValue::NULL).unwrap();
    let handler = js_sys::Object::new();
    for trap in [
        "get",
        "has",
        "ownKeys",
        "getOwnPropertyDescriptor",
        "getPrototypeOf",
    ] {
        js_sys::Reflect::set(&handler, &trap.into(), &throwing).unwrap();
    }
    let trapping: JsValue = js_sys::Proxy::new(&js_sys::Array::new(), &handler).into();
    let getter = js_sys::Object::new();
    let descriptor = js_sys::Object::new();
    js_sys::Reflect::set(&descriptor, &"get".into(), &throwing).unwrap();
    js_sys::Object::define_property(&getter, &"email".into(), &descriptor);
    let getter: JsValue = getter.into();

    let enc = encoder();
    let rows = enc
        .encode_batch(
            js(r#"[{"id":"a","email":"a@b.co"},{"id":"b","email":"a@b.co"}]"#),
            None,
        )
        .unwrap();
    let mut rows = to_json(&rows);
    for r in rows.as_array_mut().unwrap() {
        r.as_object_mut().unwrap().remove("errors");
    }
    let rows = js(&rows.to_string());
    let mut linker = Linker::new(None).unwrap();
    let p = pseudolink::wasm::Pseudonymizer::new(keys(), js(DEFINITION)).unwrap();
    for v in [&revoked, &trapping, &getter] {
        let e = linker.link(v.clone(), rows.clone(), None).unwrap_err();
        assert_eq!(code_of(&e), "record.invalid");
        let e = linker
            .dedupe(js_sys::Array::of1(v).into(), None)
            .unwrap_err();
        assert_eq!(code_of(&e), "record.invalid");
        // Works (an engine may stringify a revoked Proxy as `{}`) or is coded.
        if let Err(e) = p.tokenize(v.clone()) {
            assert_eq!(code_of(&e), "record.invalid");
        }
        assert!(pseudolink::wasm::Pseudonymizer::new(v.clone(), js(DEFINITION)).is_err());
        let e = ClkEncoder::new("default".into(), v.clone()).err().unwrap();
        assert_eq!(code_of(&e), "key.invalid_secret");
        // Nothing is left borrowed or broken.
        linker.reset_params();
        assert!(linker.dedupe(rows.clone(), None).is_ok());
        assert!(p.tokenize(js(r#"{"email":"a@b.co"}"#)).is_ok());
    }
}
