//! Linking speed in wasm (Node or headless Chromium): Dice all-pairs on
//! random 1024-bit CLKs and the 10k × 10k link of `benches/link.rs`. Prints,
//! asserts nothing. Run with `scripts/link/bench_wasm.sh` (a `[[test]]` with
//! `test = false`, so `cargo test` never builds it and the wasm-bindgen test
//! runner can drive it).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // bench code: failing loudly is the point
#![cfg(target_arch = "wasm32")]

#[path = "../../tests/link_synth/mod.rs"]
mod link_synth;
use pseudolink::link::{ClkStore, LinkConfig, Linker};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn now() -> f64 {
    js_sys::Date::now()
}

#[wasm_bindgen_test]
fn wasm_link_speed() {
    let mut r = link_synth::Rng::new(1);
    let mut clk = || (0..128).map(|_| r.next() as u8).collect::<Vec<u8>>();
    let mut sa = ClkStore::new();
    let mut sb = ClkStore::new();
    for _ in 0..3000 {
        sa.push(Some(&clk())).unwrap();
        sb.push(Some(&clk())).unwrap();
    }
    let mut best = f64::MAX;
    for _ in 0..3 {
        let t = now();
        let n = sa.pairs_above(&sb, 0.55).len();
        best = best.min(now() - t);
        console_log!("pairs {n}");
    }
    console_log!(
        "wasm dice all-pairs 3000x3000 at 0.55: {:.1} M comparisons/s",
        9e6 / best / 1e3
    );
    let (a, b, _) = link_synth::two_datasets(10_000, 5_000, 42);
    for _ in 0..3 {
        let mut linker = Linker::new(LinkConfig::default()).unwrap();
        let t = now();
        let res = linker.link(&a, &b, &mut |_, _, _| {}).unwrap();
        console_log!(
            "wasm link 10k x 10k: {:.0} ms, {} links",
            now() - t,
            res.links.len()
        );
    }
}
