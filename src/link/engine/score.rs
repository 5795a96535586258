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

/// The comparison pattern of each pair, in order, to `f` (stage `compare`).
pub(crate) fn compare_pairs(
    rows: Rows<'_>,
    pairs: &[Pair],
    progress: Progress<'_>,
    mut f: impl FnMut(u64),
) {
    let n = pairs.len();
    for (done, &p) in pairs.iter().enumerate() {
        let (i, j) = p.rows();
        f(pattern(rows.comparisons, rows.a, i, rows.b, j));
        if done % STEP == 0 {
            progress("compare", done, n);
        }
    }
    progress("compare", n, n);
}

/// The match weight of each pair, in order, to `f(pair, weight)` (stage
/// `score`); `weight(pattern, i, j)` is the model's (the linker's
/// `Scorer`). `patterns`, when the caller kept them, are the pairs'
/// patterns in the same order; otherwise each is compared again.
pub(crate) fn score_pairs(
    weight: impl Fn(u64, usize, usize) -> f64,
    rows: Rows<'_>,
    pairs: &[Pair],
    patterns: Option<&[u64]>,
    progress: Progress<'_>,
    mut f: impl FnMut(Pair, f64),
) {
    let n = pairs.len();
    for (done, &p) in pairs.iter().enumerate() {
        let (i, j) = p.rows();
        let pat = match patterns.and_then(|ps| ps.get(done)) {
            Some(&pat) => pat,
            None => pattern(rows.comparisons, rows.a, i, rows.b, j),
        };
        f(p, weight(pat, i, j));
        if done % STEP == 0 {
            progress("score", done, n);
        }
    }
    progress("score", n, n);
}
