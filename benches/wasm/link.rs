//! Linking speed in wasm (Node or headless Chromium): Dice all-pairs on the
//! random 1024-bit CLKs anonlink is timed on (`scripts/link/bench_anonlink.py
//! --wasm`) and the 10k × 10k link of `benches/link.rs`. Prints, asserts
//! nothing. Run with `scripts/link/bench_wasm.sh [dice|link]` (a `[[test]]`
//! with `test = false`, so `cargo test` never builds it and the wasm-bindgen
//! test runner can drive it).

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

/// The Dice workload `scripts/link/bench_anonlink.py` times anonlink on
/// (u32 little-endian nA, nB, byte length, threshold x 1e6, then the CLKs of
/// A and of B); `scripts/link/bench_wasm.sh` sets the path at build time.
const CLKS: &[u8] = include_bytes!(env!("LINK_BENCH_CLKS"));

fn word(i: usize) -> usize {
    u32::from_le_bytes(CLKS[4 * i..4 * i + 4].try_into().unwrap()) as usize
}

#[wasm_bindgen_test]
fn wasm_dice_speed() {
    let (na, nb, len, t) = (word(0), word(1), word(2), word(3));
    let mut clks = CLKS[16..].chunks_exact(len);
    let mut sa = ClkStore::new();
    let mut sb = ClkStore::new();
    clks.by_ref()
        .take(na)
        .for_each(|c| sa.push(Some(c)).unwrap());
    clks.take(nb).for_each(|c| sb.push(Some(c)).unwrap());
    let threshold = t as f64 / 1e6;
    let mut best = f64::MAX;
    let mut found = 0;
    for _ in 0..5 {
        let t = now();
        found = sa.pairs_above(&sb, threshold).len();
        best = best.min(now() - t);
    }
    console_log!(
        "wasm dice all-pairs {na}x{nb} at {threshold}: {found} pairs >= threshold, {:.1} M comparisons/s",
        (na * nb) as f64 / best / 1e3
    );
}

#[wasm_bindgen_test]
fn wasm_link_speed() {
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
