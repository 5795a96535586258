//! Native linking speed: Dice comparisons/s on 1024-bit CLKs, and a 10k × 10k
//! link (blocking + comparison + EM + scoring + solving) on synthetic encoded
//! records. Run: `cargo bench --bench link`; `scripts/link/bench_anonlink.py`
//! runs it next to anonlink on the same CLKs.
//!
//! `LINK_BENCH_CLKS=<file>` reads the Dice workload from a file written by the
//! anonlink script: u32 little-endian nA, nB, byte length, threshold ×1e6,
//! then the CLKs of A and of B. Without it, random CLKs are generated here.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // bench code: failing loudly is the point

#[path = "../tests/link_synth/mod.rs"]
mod link_synth;

use pseudolink::link::{
    pair_completeness, ClkStore, EncodedRecord, LinkConfig, Linker, Records, TransferView,
    TransferWriter,
};
use std::collections::{BTreeMap, HashSet};
use std::hint::black_box;
use std::time::Instant;

struct DiceWorkload {
    a: Vec<Vec<u8>>,
    b: Vec<Vec<u8>>,
    threshold: f64,
}

fn dice_workload() -> DiceWorkload {
    if let Ok(path) = std::env::var("LINK_BENCH_CLKS") {
        let raw = std::fs::read(path).expect("read LINK_BENCH_CLKS");
        let word =
            |i: usize| u32::from_le_bytes(raw[4 * i..4 * i + 4].try_into().unwrap()) as usize;
        let (na, nb, len, t) = (word(0), word(1), word(2), word(3));
        let mut clks = raw[16..].chunks_exact(len).map(<[u8]>::to_vec);
        let a = clks.by_ref().take(na).collect();
        let b = clks.take(nb).collect();
        return DiceWorkload {
            a,
            b,
            threshold: t as f64 / 1e6,
        };
    }
    let mut r = link_synth::Rng::new(1);
    let mut clk = || (0..128).map(|_| r.next() as u8).collect::<Vec<u8>>();
    DiceWorkload {
        a: (0..5000).map(|_| clk()).collect(),
        b: (0..5000).map(|_| clk()).collect(),
        threshold: 0.8,
    }
}

fn bench_dice() {
    let w = dice_workload();
    let mut sa = ClkStore::new();
    let mut sb = ClkStore::new();
    w.a.iter().for_each(|c| sa.push(Some(c)).unwrap());
    w.b.iter().for_each(|c| sb.push(Some(c)).unwrap());
    let n = (w.a.len() * w.b.len()) as f64;
    let mut best = f64::MAX;
    let mut found = 0;
    for _ in 0..5 {
        let t = Instant::now();
        found = black_box(sa.pairs_above(black_box(&sb), w.threshold)).len();
        best = best.min(t.elapsed().as_secs_f64());
    }
    println!(
        "dice all-pairs {}x{} at {}: {} pairs >= threshold, {:.1} M comparisons/s",
        w.a.len(),
        w.b.len(),
        w.threshold,
        found,
        n / best / 1e6
    );
    // The pairwise call the scorer uses (no pruning).
    let mut best = f64::MAX;
    for _ in 0..3 {
        let t = Instant::now();
        let mut acc = 0.0;
        for i in 0..sa.len() {
            for j in 0..sb.len() {
                acc += sa.dice(i, &sb, j).unwrap_or(0.0);
            }
        }
        black_box(acc);
        best = best.min(t.elapsed().as_secs_f64());
    }
    println!(
        "dice pairwise (scorer path): {:.1} M comparisons/s",
        n / best / 1e6
    );
}

fn bench_link() {
    let n = 10_000;
    let (a, b, truth) = link_synth::two_datasets(n, n / 2, 42);
    let truth_ids: HashSet<_> = truth
        .iter()
        .map(|&(i, j)| (a[i].id.clone(), b[j].id.clone()))
        .collect();
    for explain in [false, true] {
        let config = LinkConfig {
            explain_links: explain,
            ..LinkConfig::default()
        };
        let mut best = f64::MAX;
        let mut stage_ms: BTreeMap<String, f64> = BTreeMap::new();
        let mut result = None;
        for _ in 0..3 {
            let mut linker = Linker::new(config.clone()).unwrap();
            let start = Instant::now();
            let mut last = start;
            let mut stages: BTreeMap<String, f64> = BTreeMap::new();
            let mut current = String::new();
            let r = linker
                .link(&a, &b, &mut |stage: &str, _, _| {
                    if stage != current {
                        let now = Instant::now();
                        *stages.entry(current.clone()).or_default() +=
                            (now - last).as_secs_f64() * 1e3;
                        last = now;
                        current = stage.to_owned();
                    }
                })
                .unwrap();
            let total = start.elapsed().as_secs_f64();
            *stages.entry(current.clone()).or_default() += last.elapsed().as_secs_f64() * 1e3;
            if total < best {
                best = total;
                stage_ms = stages;
            }
            result = Some(r);
        }
        let r = result.unwrap();
        let found: HashSet<_> = r.links.iter().map(|l| (l.a.clone(), l.b.clone())).collect();
        let tp = found.intersection(&truth_ids).count() as f64;
        println!(
            "link {n}x{n} (explainLinks={explain}): {:.0} ms; candidates {}, EM iterations {}, links {}, precision {:.4}, recall {:.4}",
            best * 1e3,
            r.stats.candidate_pairs,
            r.stats.em_iterations,
            r.links.len(),
            tp / found.len() as f64,
            tp / truth_ids.len() as f64,
        );
        let parts: Vec<String> = stage_ms
            .iter()
            .filter(|(k, _)| !k.is_empty())
            .map(|(k, v)| format!("{k} {v:.0}"))
            .collect();
        println!("  stages (ms, in order reported): {}", parts.join(", "));
    }
    let linker = Linker::new(LinkConfig::default()).unwrap();
    let t = Instant::now();
    let cands = linker.candidate_pairs(&a, &b).unwrap();
    println!(
        "blocking alone: {:.0} ms, {} candidates, pair completeness {:.4}, reduction ratio {:.6}",
        t.elapsed().as_secs_f64() * 1e3,
        cands.len(),
        pair_completeness(&cands, &truth),
        1.0 - cands.len() as f64 / (n * n) as f64
    );
}

fn main() {
    let only = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    if only.as_deref().is_none_or(|o| "dice".contains(o)) {
        bench_dice();
    }
    if only.as_deref().is_none_or(|o| "link".contains(o)) {
        bench_link();
    }
    if only.as_deref().is_none_or(|o| "crossing".contains(o)) {
        bench_crossing();
    }
}

/// What the JSON form costs before linking starts, natively: parsing the
/// two 10k datasets' JSON text into owned records, against reading the
/// binary transfer in place, and the linker's `prepare` stage on each
/// (best of three). The wasm `Linker.link` on `EncodedRecord[]` pays the
/// parse (plus the JS stringify) inside its `prepare` stage.
fn bench_crossing() {
    let n = 10_000;
    let (a, b, _) = link_synth::two_datasets(n, n / 2, 42);
    let (ja, jb) = (
        serde_json::to_string(&a).unwrap(),
        serde_json::to_string(&b).unwrap(),
    );
    let (ba, bb) = (
        EncodedRecord::many_to_bytes(&a).unwrap(),
        EncodedRecord::many_to_bytes(&b).unwrap(),
    );
    let best = |f: &mut dyn FnMut()| {
        (0..3)
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed().as_secs_f64() * 1e3
            })
            .fold(f64::MAX, f64::min)
    };
    let parse_json = best(&mut || {
        black_box((
            EncodedRecord::many_from_json(&ja).unwrap(),
            EncodedRecord::many_from_json(&jb).unwrap(),
        ));
    });
    // The JSON text written straight into the binary form (what the wasm
    // `Linker` does with `EncodedRecord[]`), then the view's check.
    let json_to_binary = best(&mut || {
        for text in [&ja, &jb] {
            let mut w = TransferWriter::new();
            w.push_json_rows(text).unwrap();
            let bytes = w.finish().unwrap();
            black_box(TransferView::parse(&bytes).unwrap().len());
        }
    });
    let parse_binary = best(&mut || {
        black_box((
            TransferView::parse(&ba).unwrap(),
            TransferView::parse(&bb).unwrap(),
        ));
    });
    let prepare_of = |records: &mut dyn FnMut(&mut Linker) -> f64| {
        (0..3)
            .map(|_| records(&mut Linker::new(LinkConfig::default()).unwrap()))
            .fold(f64::MAX, f64::min)
    };
    // The time from the call to the first stage after `prepare`.
    let until_blocking = |l: &mut Linker, ra: Records<'_>, rb: Records<'_>| {
        let start = Instant::now();
        let mut prepared = None;
        l.link_records(ra, rb, &mut |stage: &str, _, _| {
            if stage != "prepare" && prepared.is_none() {
                prepared = Some(start.elapsed().as_secs_f64() * 1e3);
            }
        })
        .unwrap();
        prepared.unwrap_or(f64::NAN)
    };
    let prepare_owned =
        prepare_of(&mut |l| until_blocking(l, Records::Encoded(&a), Records::Encoded(&b)));
    let (va, vb) = (
        TransferView::parse(&ba).unwrap(),
        TransferView::parse(&bb).unwrap(),
    );
    let prepare_view =
        prepare_of(&mut |l| until_blocking(l, Records::Transfer(&va), Records::Transfer(&vb)));
    println!(
        "crossing {n}+{n}: JSON {:.1} MB parse {parse_json:.0} ms + prepare {prepare_owned:.0} ms; \
         JSON written to binary {json_to_binary:.0} ms; \
         binary {:.1} MB parse {parse_binary:.0} ms + prepare {prepare_view:.0} ms",
        (ja.len() + jb.len()) as f64 / 1e6,
        (ba.len() + bb.len()) as f64 / 1e6,
    );
}
