//! What the browser tests share: values crossing as JavaScript does, and
//! reading typed errors (`.code`, `.row`) off thrown values.
#![allow(dead_code)] // each test file uses its own subset

use wasm_bindgen::JsValue;

/// A JS value from JSON text (what `JSON.parse` would give a page).
pub fn js(json: &str) -> JsValue {
    js_sys::JSON::parse(json).unwrap()
}

/// A JS value from a JSON value.
pub fn jv(v: &serde_json::Value) -> JsValue {
    js(&v.to_string())
}

/// A JS value as JSON (what `JSON.stringify` sees).
pub fn to_json(v: &JsValue) -> serde_json::Value {
    serde_json::from_str(&js_sys::JSON::stringify(v).unwrap().as_string().unwrap()).unwrap()
}

/// A property of a JS object.
pub fn prop(v: &JsValue, name: &str) -> JsValue {
    js_sys::Reflect::get(v, &name.into()).unwrap()
}

/// The stable `.code` of a thrown error.
pub fn code_of(err: &JsValue) -> String {
    prop(err, "code").as_string().unwrap()
}

/// The `.row` of a thrown batch error.
pub fn row_of(err: &JsValue) -> Option<f64> {
    prop(err, "row").as_f64()
}

/// `[{id, secret}]`: one key of 32 `byte`s, as a page passes its keys.
pub fn key_list(id: &str, byte: u8) -> JsValue {
    let k = js_sys::Object::new();
    js_sys::Reflect::set(&k, &"id".into(), &id.into()).unwrap();
    js_sys::Reflect::set(
        &k,
        &"secret".into(),
        &js_sys::Uint8Array::from(&[byte; 32][..]),
    )
    .unwrap();
    js_sys::Array::of1(&k).into()
}

/// `RecordEncoder` options: the default CLK schema and a CLK secret of 32 `byte`s.
pub fn default_clk_options(byte: u8) -> JsValue {
    let o = js_sys::Object::new();
    js_sys::Reflect::set(&o, &"clkSchema".into(), &"default".into()).unwrap();
    js_sys::Reflect::set(
        &o,
        &"clkSecret".into(),
        &js_sys::Uint8Array::from(&[byte; 32][..]),
    )
    .unwrap();
    o.into()
}

/// `(item[a], item[b])` of every item of a JSON array (two string fields).
pub fn string_pairs(v: &serde_json::Value, a: &str, b: &str) -> Vec<(String, String)> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                x[a].as_str().unwrap().to_owned(),
                x[b].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// Asserts an explanation adds up: prior weight + every contribution's
/// match weight = the link's match weight (what a waterfall draws).
pub fn assert_waterfall_adds_up(e: &serde_json::Value) {
    let sum = e["priorWeight"].as_f64().unwrap()
        + e["contributions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["matchWeight"].as_f64().unwrap())
            .sum::<f64>();
    assert!((sum - e["matchWeight"].as_f64().unwrap()).abs() < 1e-9);
}
