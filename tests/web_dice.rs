//! `ClkStore::pairs_above` compiled for wasm32, against Dice counted bit by
//! bit. Every wasm test stage runs it (the scalar build: `i64.popcnt`), and
//! `make test-simd` runs it again built with `-C target-feature=+simd128`:
//! there the scan counts two rows at a time with `i8x16.popcnt`, a kernel no
//! JS entry reaches, so this file is its test. Runs in Node (no browser
//! needed for plain Rust).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: failing loudly is the point
#![cfg(all(target_arch = "wasm32", feature = "fuzzy"))]

use pseudolink::link::ClkStore;
use wasm_bindgen_test::*;

/// xorshift64: a deterministic stream of CLK bytes.
fn bytes(seed: u64, len: usize, density_percent: u64) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    (0..len)
        .map(|_| {
            (0..8).fold(0u8, |b, k| {
                b | (u8::from(next() % 100 < density_percent) << k)
            })
        })
        .collect()
}

/// Dice by counting set bits one at a time.
fn dice_bits(a: &[u8], b: &[u8]) -> f64 {
    let ones = |x: &[u8]| {
        x.iter()
            .map(|v| (0..8).filter(|k| v >> k & 1 == 1).count())
            .sum::<usize>()
    };
    let both: Vec<u8> = a.iter().zip(b).map(|(x, y)| x & y).collect();
    let (pa, pb) = (ones(a), ones(b));
    if pa == 0 || pb == 0 {
        0.0
    } else {
        2.0 * ones(&both) as f64 / (pa + pb) as f64
    }
}

#[wasm_bindgen_test]
fn pairs_above_equals_dice_counted_bit_by_bit() {
    for len in [128usize, 64, 136] {
        // 37 rows of A (odd; some absent, some empty) and 30 of B; every
        // live A row equals one B row, so each row has pairs.
        let a_rows: Vec<Option<Vec<u8>>> = (0..37u64)
            .map(|s| match s % 8 {
                3 => None,
                6 => Some(vec![0; len]),
                _ => Some(bytes(s % 30, len, 20 + (s % 30) % 50)),
            })
            .collect();
        let b_rows: Vec<Vec<u8>> = (0..30u64).map(|s| bytes(s, len, 20 + s % 50)).collect();
        let mut a = ClkStore::new();
        let mut b = ClkStore::new();
        a_rows.iter().for_each(|r| a.push(r.as_deref()).unwrap());
        b_rows.iter().for_each(|r| b.push(Some(r)).unwrap());
        for t in [0.3, 0.55, 0.8, 1.0] {
            let want: Vec<(u32, u32, f64)> = a_rows
                .iter()
                .enumerate()
                .filter_map(|(i, r)| Some((i, r.as_ref()?)))
                .flat_map(|(i, r)| {
                    b_rows
                        .iter()
                        .enumerate()
                        .map(move |(j, s)| (i as u32, j as u32, dice_bits(r, s)))
                })
                .filter(|&(_, _, d)| d >= t)
                .collect();
            let got = a.pairs_above(&b, t);
            assert!(
                want.iter().any(|w| w.0 == 36),
                "len {len}, t {t}: the last row has pairs"
            );
            assert_eq!(got.len(), want.len(), "len {len}, t {t}");
            for (g, w) in got.iter().zip(&want) {
                assert_eq!((g.0, g.1), (w.0, w.1), "len {len}, t {t}");
                assert!((g.2 - w.2).abs() < 1e-12);
            }
        }
    }
}
