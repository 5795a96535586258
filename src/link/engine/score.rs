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
    let tile = |p: &Pair| (u64::from(p.j()) / TILE) as usize;
    if !pairs.is_sorted() {
        let mut order: Vec<usize> = (0..pairs.len()).collect();
        order.sort_by_key(|&at| (tile(&pairs[at]), pairs[at].i()));
        return order;
    }
    // Sorted pairs are in (first, second) order already: a stable counting
    // sort by tile gives (tile, first, second) in one pass, with no keys or
    // scratch beside the order itself (the radix sort it replaces held 32
    // bytes a pair while it sorted: 45 MB for a 100k graph's first resolve).
    let tiles = pairs.iter().map(tile).max().map_or(0, |t| t + 1);
    let mut next = vec![0usize; tiles + 1];
    for p in pairs {
        next[tile(p) + 1] += 1;
    }
    for t in 1..next.len() {
        next[t] += next[t - 1];
    }
    let mut order = vec![0usize; pairs.len()];
    for (at, p) in pairs.iter().enumerate() {
        let slot = &mut next[tile(p)];
        if let Some(o) = order.get_mut(*slot) {
            *o = at;
        }
        *slot += 1;
    }
    order
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The order the loops must visit: by tile of second rows, then first
    /// row, then (stably) pair order.
    fn reference(pairs: &[Pair]) -> Vec<usize> {
        let mut order: Vec<usize> = (0..pairs.len()).collect();
        order.sort_by_key(|&at| (u64::from(pairs[at].j()) / TILE, pairs[at].i()));
        order
    }

    #[test]
    fn pairs_are_visited_tile_by_tile_first_rows_in_order() {
        // Second rows over several tiles, first rows repeating.
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = |m: u32| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % u64::from(m)) as u32
        };
        let mut pairs: Vec<Pair> = (0..5000)
            .map(|_| Pair::new(next(300), next(3000)))
            .collect();
        let unsorted = pairs.clone();
        pairs.sort_unstable();
        pairs.dedup();
        for p in [&pairs, &unsorted] {
            let order = tile_order(p);
            assert_eq!(order, reference(p));
            // Every pair once.
            let mut seen = order.clone();
            seen.sort_unstable();
            assert!(seen.iter().copied().eq(0..p.len()));
        }
        assert!(tile_order(&[]).is_empty());
        let one = [Pair::new(7, 1025)];
        assert_eq!(tile_order(&one), [0]);
    }
}
