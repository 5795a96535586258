//! Comparing and scoring candidate pairs: the loops the batch linker and
//! the identity graph's person index share.

use super::{Pair, Progress};
use crate::link::comparison::Comparison;
use crate::link::encoded::{pattern, Dataset};
use crate::link::tf::TermFrequencies;

/// What pairs are compared on: the comparisons, the rows of the first
/// (`a`) and second (`b`; `a` again within one dataset) side, and the term
/// frequencies of the job.
#[derive(Clone, Copy)]
pub(crate) struct Rows<'d> {
    pub comparisons: &'d [Comparison],
    pub a: &'d Dataset,
    pub b: &'d Dataset,
    pub tf: &'d TermFrequencies,
}

/// Progress is reported every this many pairs.
const STEP: usize = 65_536;

/// The comparison pattern of each pair, in pair order (stage `compare`),
/// computed in `order` (the pairs' [`tile_order`]).
pub(crate) fn compare_pairs(
    rows: Rows<'_>,
    pairs: &[Pair],
    order: &[usize],
    progress: Progress<'_>,
) -> Vec<u64> {
    let n = pairs.len();
    let mut out = vec![0u64; n];
    for (done, &at) in order.iter().enumerate() {
        if let (Some(p), Some(slot)) = (pairs.get(at), out.get_mut(at)) {
            let (i, j) = p.rows();
            *slot = pattern(rows.comparisons, rows.a, i, rows.b, j);
        }
        if done % STEP == 0 {
            progress("compare", done, n);
        }
    }
    progress("compare", n, n);
    out
}

/// The positions of `pairs` in the order the compare and score loops visit
/// them. Pairs come sorted by first row, so their second rows jump about
/// the whole second dataset (a cache miss per CLK and token column). In
/// tiles of [`TILE`] second rows instead, first rows in order within a
/// tile, a tile's rows stay in cache while the first rows stream past;
/// the loops put their results back in pair order.
pub(crate) fn tile_order(pairs: &[Pair]) -> Vec<usize> {
    let mut order: Vec<(u64, u32)> = pairs
        .iter()
        .enumerate()
        .map(|(at, p)| {
            (
                (u64::from(p.j()) / TILE) << 32 | u64::from(p.i()),
                at as u32,
            )
        })
        .collect();
    super::radix::sort_by_key(&mut order, &mut Vec::new(), |x| x.0);
    order.into_iter().map(|(_, at)| at as usize).collect()
}

/// Second rows per tile of the compare loop.
const TILE: u64 = 512;

/// The match weight of each pair, in order, to `f(pair, weight)` (stage
/// `score`); `weight(pattern, i, j)` is the model's (the linker's
/// `Scorer`). `patterns`, when the caller kept them, are the pairs'
/// patterns in the same order; otherwise each is compared again.
pub(crate) fn score_pairs(
    weight: impl Fn(u64, usize, usize) -> f64,
    rows: Rows<'_>,
    pairs: &[Pair],
    order: &[usize],
    patterns: Option<&[u64]>,
    progress: Progress<'_>,
    mut f: impl FnMut(Pair, f64),
) {
    let n = pairs.len();
    // In tile order, as `compare_pairs`: term-frequency adjustments read
    // both records' tokens.
    let mut out = vec![0f64; n];
    for (done, &at) in order.iter().enumerate() {
        if let (Some(p), Some(slot)) = (pairs.get(at), out.get_mut(at)) {
            let (i, j) = p.rows();
            let pat = match patterns.and_then(|ps| ps.get(at)) {
                Some(&pat) => pat,
                None => pattern(rows.comparisons, rows.a, i, rows.b, j),
            };
            *slot = weight(pat, i, j);
        }
        if done % STEP == 0 {
            progress("score", done, n);
        }
    }
    for (&p, w) in pairs.iter().zip(out) {
        f(p, w);
    }
    progress("score", n, n);
}
