//! TEMPORARY stub of the JS binding (infra worktree only): exports `normalize`
//! so the package build and its tests have something to build. The lead's real
//! `src/wasm.rs` replaces this file; drop the "TEMP wasm stub" commit.

use wasm_bindgen::prelude::*;

use crate::{
    normalize as core_normalize, Country, DateOrder, Error, Field, NormalizeOptions, Profile,
};

/// A JS `Error` whose message is the core error's `Display` (field, rule, code:
/// never the value), with `.code` and `.field` set.
fn js_error(e: &Error) -> JsValue {
    let err = js_sys::Error::new(&e.to_string());
    let _ = js_sys::Reflect::set(&err, &"code".into(), &e.code().as_str().into());
    let _ = js_sys::Reflect::set(&err, &"field".into(), &e.subject().name().into());
    err.into()
}

fn option_error(message: &str) -> JsValue {
    let err = js_sys::Error::new(message);
    let _ = js_sys::Reflect::set(&err, &"code".into(), &"option.invalid".into());
    let _ = js_sys::Reflect::set(&err, &"field".into(), &"option".into());
    err.into()
}

fn get_string(obj: &JsValue, key: &str) -> Option<String> {
    js_sys::Reflect::get(obj, &key.into())
        .ok()
        .and_then(|v| v.as_string())
}

/// Normalises one value of `field`; throws an `Error` with `.code` and `.field`.
#[wasm_bindgen]
pub fn normalize(field: &str, value: &str, options: JsValue) -> Result<String, JsValue> {
    let field = Field::from_name(field).ok_or_else(|| option_error("unknown field"))?;
    let mut opts = NormalizeOptions::new(Profile::Pseudolink);
    if options.is_object() {
        if let Some(p) = get_string(&options, "profile") {
            opts.profile = Profile::from_name(&p).ok_or_else(|| option_error("unknown profile"))?;
        }
        if let Some(r) = get_string(&options, "region") {
            opts.region = Some(Country::parse(&r).ok_or_else(|| option_error("unknown region"))?);
        }
        if let Some(d) = get_string(&options, "dateOrder") {
            opts.date_order = Some(match d.as_str() {
                "dmy" => DateOrder::Dmy,
                "mdy" => DateOrder::Mdy,
                "ymd" => DateOrder::Ymd,
                _ => return Err(option_error("unknown dateOrder")),
            });
        }
    }
    core_normalize(field, value, &opts).map_err(|e| js_error(&e))
}
