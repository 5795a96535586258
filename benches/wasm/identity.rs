//! The identity graph in headless Chromium, through the JS API
//! (`IdentityGraph.addRecords` with arrays of objects, `resolve`): the
//! workload of `benches/identity.rs` (100k synthetic customers, then 5 adds
//! of 1k). Records are encoded in wasm first and cross as JS arrays of 5k,
//! like a portal's worker would hand them over; only the graph calls are
//! timed. Memory: the wasm linear memory (it never shrinks: its size is the
//! high-water mark) and Chromium's JS heap. Prints, asserts nothing.
//! Run with `scripts/identity/bench_wasm.sh`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![cfg(all(target_arch = "wasm32", feature = "identity"))]

#[path = "../identity/workload.rs"]
mod workload;

use pseudolink::wasm::identity::IdentityGraph;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;
use workload::*;

wasm_bindgen_test_configure!(run_in_browser);

fn now() -> f64 {
    js_sys::Date::now()
}

fn js_array(records: &[pseudolink::identity::GraphRecord]) -> JsValue {
    js_sys::JSON::parse(&serde_json::to_string(records).unwrap()).unwrap()
}

fn wasm_mb() -> f64 {
    let mem: js_sys::WebAssembly::Memory = wasm_bindgen::memory().unchecked_into();
    let buf: js_sys::ArrayBuffer = mem.buffer().unchecked_into();
    buf.byte_length() as f64 / 1e6
}

fn js_heap_mb() -> f64 {
    let perf = js_sys::Reflect::get(&js_sys::global(), &"performance".into()).unwrap();
    js_sys::Reflect::get(&perf, &"memory".into())
        .and_then(|m| js_sys::Reflect::get(&m, &"usedJSHeapSize".into()))
        .ok()
        .and_then(|v| v.as_f64())
        .map_or(f64::NAN, |b| b / 1e6)
}

fn config(params: &pseudolink::link::ModelParams) -> JsValue {
    let c = serde_json::json!({ "params": params });
    JsValue::from_str(&c.to_string())
}

/// The same build through the Rust API compiled to wasm: what the graph
/// itself costs in Chromium, without the JSON crossing of the JS API.
#[wasm_bindgen_test]
fn wasm_identity_core_speed() {
    let base = base();
    let enc = encoder();
    let data = rows();
    let params = params(&enc);
    let before = wasm_mb();
    let mut g = graph(Some(params));
    let mut add = 0.0;
    for chunk in data.rows[..base].chunks(CHUNK) {
        let records = encode(&enc, chunk);
        let t = now();
        g.add_records(&records).unwrap();
        add += now() - t;
    }
    let t = now();
    let mut stages: Vec<(String, f64)> = Vec::new();
    let summary = g
        .resolve(&mut |s, _, _| {
            if stages.last().is_none_or(|(l, _)| l != s) {
                stages.push((s.to_owned(), now()));
            }
        })
        .unwrap();
    let resolve = now() - t;
    let mut line = String::new();
    for (n, (s, at)) in stages.iter().enumerate() {
        let end = stages.get(n + 1).map_or(t + resolve, |x| x.1);
        line.push_str(&format!("{s} {:.0}  ", end - at));
    }
    console_log!("wasm identity core resolve stages (ms): {line}");
    let mut times = Vec::new();
    for b in 0..BATCHES {
        let from = base + b * BATCH;
        let records = encode(&enc, &data.rows[from..from + BATCH]);
        let t = now();
        g.add_records(&records).unwrap();
        g.resolve(&mut |_, _, _| {}).unwrap();
        times.push(now() - t);
    }
    times.sort_by(f64::total_cmp);
    console_log!(
        "wasm identity core build {base} (Rust API in wasm): add {:.0} ms + resolve {:.0} ms = {:.2} s; \
         {} candidate pairs; incremental {BATCH}: median {:.0} ms (min {:.0}, max {:.0}); \
         wasm memory {:.0} MB (was {:.0} MB before the graph)",
        add,
        resolve,
        (add + resolve) / 1e3,
        summary.candidate_pairs,
        times[BATCHES / 2],
        times[0],
        times[BATCHES - 1],
        wasm_mb(),
        before
    );
}

#[wasm_bindgen_test]
fn wasm_identity_speed() {
    let base = base();
    let enc = encoder();
    let data = rows();
    let params = params(&enc);
    let before = wasm_mb();
    let mut g = IdentityGraph::new(Some(config(&params).unchecked_into())).unwrap();
    let mut add = 0.0;
    for chunk in data.rows[..base].chunks(CHUNK) {
        let records = js_array(&encode(&enc, chunk));
        let t = now();
        g.add_records(records, None).unwrap();
        add += now() - t;
    }
    let t = now();
    let summary = g.resolve(None).unwrap();
    let resolve = now() - t;
    let candidates = js_sys::Reflect::get(&summary, &"candidatePairs".into()).unwrap();
    console_log!(
        "wasm identity build {base} (given params, JS API): add {:.0} ms + resolve {:.0} ms = {:.2} s; \
         {} candidate pairs; wasm memory {:.0} MB (was {:.0} MB before the graph), JS heap {:.0} MB",
        add,
        resolve,
        (add + resolve) / 1e3,
        candidates.as_f64().unwrap_or(0.0),
        wasm_mb(),
        before,
        js_heap_mb()
    );
    let mut times = Vec::new();
    for b in 0..BATCHES {
        let from = base + b * BATCH;
        let records = js_array(&encode(&enc, &data.rows[from..from + BATCH]));
        let t = now();
        g.add_records(records, None).unwrap();
        g.resolve(None).unwrap();
        times.push(now() - t);
    }
    times.sort_by(f64::total_cmp);
    console_log!(
        "wasm identity incremental add of {BATCH} into {base}+ (JS API): median {:.0} ms (min {:.0}, max {:.0}) over {BATCHES}; wasm memory {:.0} MB",
        times[BATCHES / 2],
        times[0],
        times[BATCHES - 1],
        wasm_mb()
    );
}
