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
