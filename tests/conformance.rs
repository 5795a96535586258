//! The native face of the three-way conformance test: turns
//! `tests/conformance/inputs.json` into `target/conformance/rust.json`
//! (`PSEUDOLINK_CONFORMANCE_OUT` overrides), the output the npm package
//! (`tests/conformance/node.mjs`) and the Python package
//! (`tests/conformance/python.py`) must equal byte for byte
//! (`tests/conformance/compare.py`, run by `make python`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: failing loudly is the point

use pseudolink::{
    base64_std, normalize, platform_hashes, ClkEncoder, ClkSchema, DateOrder, Field, Hardening,
    IdentityDefinition, NormalizeOptions, Profile, Pseudonymizer, Record, RecordEncoder, Secret,
    TokenColumns, DEFAULT_CLK_SCHEMA,
};
use serde_json::{json, Map, Value};

fn options(c: &Value) -> NormalizeOptions {
    let mut o = NormalizeOptions::new(Profile::from_name(c["profile"].as_str().unwrap()).unwrap());
    if let Some(r) = c.get("region").and_then(Value::as_str) {
        o = o.with_region(pseudolink::Country::parse(r).unwrap());
    }
    if let Some(d) = c.get("dateOrder") {
        o = o.with_date_order(serde_json::from_value::<DateOrder>(d.clone()).unwrap());
    }
    o
}

fn record_of(v: &Value) -> Record {
    Record::from_json(&v.to_string()).unwrap()
}

#[test]
fn conformance_outputs() {
    let root = env!("CARGO_MANIFEST_DIR");
    let text = std::fs::read_to_string(format!("{root}/tests/conformance/inputs.json")).unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();

    let normalized: Vec<Value> = doc["normalize"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let field = Field::from_name(c["field"].as_str().unwrap()).unwrap();
            match normalize(field, c["input"].as_str().unwrap(), &options(c)) {
                Ok(v) => json!({ "value": v }),
                Err(e) => json!({ "error": e.code().as_str() }),
            }
        })
        .collect();

    let platform: Vec<Value> = doc["platform"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let h = platform_hashes(&record_of(&c["record"]), &options(c));
            json!({
                "hashes": h.hashes,
                "plain": h.plain,
                "errors": h.errors.iter().map(|e| e.code).collect::<Vec<_>>(),
            })
        })
        .collect();

    let clk: Vec<Value> = doc["clk"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let schema_text = std::fs::read_to_string(format!(
                "{root}/tests/vectors/clk/{}",
                c["schema"].as_str().unwrap()
            ))
            .unwrap();
            let schema = ClkSchema::from_json(&schema_text).unwrap();
            let enc = ClkEncoder::new(&schema, c["secret"].as_str().unwrap().as_bytes()).unwrap();
            let rows: Vec<Value> = c["rows"]
                .as_array()
                .unwrap()
                .iter()
                .map(|row| {
                    let row: Vec<&str> = row
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|v| v.as_str().unwrap())
                        .collect();
                    match enc.encode(&row) {
                        Ok(c) => json!({ "clk": c.to_base64() }),
                        Err(e) => json!({ "error": e.code().as_str() }),
                    }
                })
                .collect();
            Value::Array(rows)
        })
        .collect();

    let r = &doc["records"];
    let keys = || -> Vec<(String, Secret)> {
        r["keys"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(id, hex)| {
                let hex = hex.as_str().unwrap();
                let bytes = (0..hex.len())
                    .step_by(2)
                    .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
                    .collect();
                (id.clone(), Secret::new(bytes).unwrap())
            })
            .collect()
    };
    assert_eq!(r["clkSchema"], "default");
    let schema = ClkSchema::from_json(DEFAULT_CLK_SCHEMA).unwrap();
    let records: Vec<(String, Record)> = r["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| (String::new(), record_of(v)))
        .collect();
    let encoded: Vec<Value> = r["hardenings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            let hardening = if h.is_null() {
                Hardening::default()
            } else {
                Hardening::from_json(&h.to_string()).unwrap()
            };
            let definition = IdentityDefinition::from_json(&r["definition"].to_string()).unwrap();
            let p = Pseudonymizer::new(keys(), definition).unwrap();
            let enc = RecordEncoder::with_hardened_clks(
                p,
                &schema,
                r["clkSecret"].as_str().unwrap().as_bytes(),
                &hardening,
            )
            .unwrap();
            let rows: Vec<Value> = enc
                .encode_batch(&records, |_, _| {})
                .into_iter()
                .map(|e| {
                    let clks: Map<String, Value> = e
                        .record
                        .clks
                        .iter()
                        .map(|(k, v)| (k.clone(), Value::String(base64_std(v))))
                        .collect();
                    json!({
                        "tokens": e.record.tokens,
                        "matchKeys": e.record.match_keys,
                        "clks": clks,
                        "errors": e.errors.iter().map(|x| format!("{}:{}", x.field.name(), x.code)).collect::<Vec<_>>(),
                    })
                })
                .collect();
            Value::Array(rows)
        })
        .collect();

    // The same records through the pseudonymizer alone (no nickname tokens
    // or CLKs), as columns.
    let definition = IdentityDefinition::from_json(&r["definition"].to_string()).unwrap();
    let p = Pseudonymizer::new(keys(), definition).unwrap();
    let mut columns = TokenColumns::default();
    p.tokenize_into(records.iter().map(|(_, r)| r), &mut columns)
        .unwrap();
    let tokens: Vec<Value> = (0..columns.len())
        .map(|i| {
            json!({
                "tokens": columns.tokens().row(i).unwrap().collect::<Vec<_>>(),
                "matchKeys": columns.match_keys().row(i).unwrap().collect::<Vec<_>>(),
                "errors": columns.errors(i).iter().map(|x| format!("{}:{}", x.field.name(), x.code)).collect::<Vec<_>>(),
            })
        })
        .collect();

    let out = json!({ "normalize": normalized, "platform": platform, "clk": clk, "records": encoded, "tokens": tokens });
    let path = std::env::var("PSEUDOLINK_CONFORMANCE_OUT")
        .unwrap_or_else(|_| format!("{root}/target/conformance/rust.json"));
    if let Some(dir) = std::path::Path::new(&path).parent() {
        std::fs::create_dir_all(dir).unwrap();
    }
    std::fs::write(&path, serde_json::to_string(&out).unwrap()).unwrap();
}
