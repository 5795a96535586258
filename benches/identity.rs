//! Identity graph, natively: build of 100k records (add in chunks of 5k, then
//! resolve) with given parameters and with training, then 5 incremental adds
//! of 1k records; memory as the heap the graph holds (live bytes, counted by
//! the allocator) and as resident set size (Linux `/proc/self/status`).
//! Prints, asserts nothing. `cargo bench --bench identity`.
//! The Chromium run of the same workload: `scripts/identity/bench_wasm.sh`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
// The counting allocator below is the one `unsafe`: `GlobalAlloc` is an unsafe trait.
#![allow(unsafe_code)]

#[path = "identity/workload.rs"]
mod workload;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::time::Instant;
use workload::*;

/// The system allocator, counting the bytes allocated and not yet freed:
/// what a structure holds, exactly, where RSS also counts freed pages the
/// allocator kept.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size(), Relaxed);
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_add(new_size, Relaxed);
        LIVE.fetch_sub(layout.size(), Relaxed);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn live_mb() -> f64 {
    LIVE.load(Relaxed) as f64 / 1e6
}

fn rss() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb = |key: &str| {
        status
            .lines()
            .find(|l| l.starts_with(key))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
            / 1024.0
    };
    (kb("VmRSS:"), kb("VmHWM:"))
}

fn main() {
    let base = base();
    let enc = encoder();
    let data = rows();
    let params = params(&enc);
    for trained in [false, true] {
        let (rss0, _) = rss();
        let live0 = live_mb();
        let mut g = graph(if trained { None } else { Some(params.clone()) });
        let mut add = 0.0;
        for chunk in data.rows[..base].chunks(CHUNK) {
            let records = encode(&enc, chunk);
            let t = Instant::now();
            g.add_records(&records).unwrap();
            add += t.elapsed().as_secs_f64();
        }
        let t = Instant::now();
        let mut stages: Vec<(String, f64)> = Vec::new();
        let summary = g
            .resolve(&mut |s, _, _| {
                if stages.last().is_none_or(|(l, _)| l != s) {
                    stages.push((s.to_owned(), t.elapsed().as_secs_f64()));
                }
            })
            .unwrap();
        let resolve = t.elapsed().as_secs_f64();
        let mut line = String::new();
        for (n, (s, at)) in stages.iter().enumerate() {
            let end = stages.get(n + 1).map_or(resolve, |x| x.1);
            line.push_str(&format!("{s} {:.2}  ", end - at));
        }
        println!("native resolve stages (s): {line}");
        let (rss1, peak) = rss();
        let held = live_mb() - live0;
        let (p, r) = quality(&g, &data, base);
        println!(
            "native build {base} ({}): add {:.2} s + resolve {:.2} s = {:.2} s; {} persons, {} households; \
             {} candidate pairs; pairwise P {p:.3} R {r:.3}; graph heap {held:.0} MB; RSS +{:.0} MB (peak {:.0} MB)",
            if trained { "EM training" } else { "given params" },
            add,
            resolve,
            add + resolve,
            summary.entities["person"],
            summary.entities["household"],
            summary.candidate_pairs,
            rss1 - rss0,
            peak
        );
        if trained {
            break;
        }
        let mut times = Vec::new();
        for b in 0..BATCHES {
            let from = base + b * BATCH;
            let records = encode(&enc, &data.rows[from..from + BATCH]);
            let t = Instant::now();
            g.add_records(&records).unwrap();
            let added = t.elapsed().as_secs_f64() * 1e3;
            let mut stages: Vec<(String, f64)> = Vec::new();
            let s = g
                .resolve(&mut |s, _, _| {
                    if stages.last().is_none_or(|(l, _)| l != s) {
                        stages.push((s.to_owned(), t.elapsed().as_secs_f64() * 1e3));
                    }
                })
                .unwrap();
            let total = t.elapsed().as_secs_f64() * 1e3;
            times.push(total);
            if b == 0 {
                let mut line = format!("add {added:.1}  ");
                let mut prev = added;
                for (n, (st, at)) in stages.iter().enumerate() {
                    let end = stages.get(n + 1).map_or(total, |x| x.1);
                    line.push_str(&format!("[gap {:.1}] {st} {:.1}  ", at - prev, end - at));
                    prev = end;
                }
                println!("native incremental stages (ms): {line}");
            }
            if b == 0 {
                println!(
                    "native incremental {BATCH}: {} candidate pairs, {} links, {} entities changed",
                    s.candidate_pairs,
                    s.links,
                    s.changed.len()
                );
            }
        }
        times.sort_by(f64::total_cmp);
        println!(
            "native incremental add of {BATCH} into {base}+: median {:.1} ms (min {:.1}, max {:.1}) over {BATCHES}",
            times[BATCHES / 2],
            times[0],
            times[BATCHES - 1]
        );
        let t = Instant::now();
        let doc = g.to_json();
        let save = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let back = pseudolink::identity::IdentityGraph::from_json(&doc).unwrap();
        println!(
            "native document: {:.0} MB, to_json {:.2} s, from_json {:.2} s ({} records)",
            doc.len() as f64 / 1e6,
            save,
            t.elapsed().as_secs_f64(),
            back.len()
        );
        drop(g);
    }
}
