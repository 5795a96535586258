//! The chain guard over pairs scored elsewhere (Splink's predictions in
//! `pseudolink.splink`): which pairs join clusters, decided by the
//! [`Linker`](super::Linker)'s own clustering (`solve::cluster`).
//!
//! Every decision is `solve::chain_guard`'s, the loop the `Linker` runs,
//! which names each pair that joins two clusters.

use super::solve::{chain_guard, key, ClusterRules, Scored};
use crate::{Error, ErrorCode, Subject};
use std::collections::HashMap;

/// The pairs that join clusters under the chain guard, the
/// [`Linker`](super::Linker)'s default clustering
/// ([`Clustering::ChainGuard`](super::Clustering::ChainGuard)), as
/// positions in `pairs`, in the order the joins happen.
///
/// Each pair is `(i, j, probability)` of two records, `i ≠ j`, any
/// indices (only their order matters: equal probabilities are taken in
/// the order of `(min(i, j), max(i, j))`). Pairs are taken highest first;
/// two clusters merge only if the joining pair is at or above `threshold`,
/// the *average* probability over all their cross pairs is too, and the
/// union has at most `max_cluster_size` records. A cross pair not among
/// `pairs` counts as probability 0; a pair given more than once counts at
/// its highest probability (its first position at that probability).
///
/// The joins form a spanning forest of the clusters: their connected
/// components are the clusters. The result does not depend on the order
/// of `pairs` beyond which of equal duplicates is named.
///
/// # Errors
///
/// `option.invalid` when `threshold` is not in (0, 1], `max_cluster_size`
/// is 0, or a pair joins a record to itself or has a probability outside
/// [0, 1] (NaN included).
///
/// ```
/// use pseudolink::link::chain_guard_edges;
/// // a–b and b–c are strong, a–c weak: the average across {a, b} and {c}
/// // is (0.8 + 0.1) / 2 < 0.5, so c stays out.
/// let pairs = [(0, 1, 0.9), (1, 2, 0.8), (0, 2, 0.1)];
/// assert_eq!(chain_guard_edges(&pairs, 0.5, 50).unwrap(), vec![0]);
/// ```
pub fn chain_guard_edges(
    pairs: &[(u32, u32, f64)],
    threshold: f64,
    max_cluster_size: usize,
) -> Result<Vec<usize>, Error> {
    let bad = || Error::new(Subject::Option, ErrorCode::OptionInvalid);
    if !(threshold > 0.0 && threshold <= 1.0) || max_cluster_size == 0 {
        return Err(bad());
    }
    if pairs
        .iter()
        .any(|&(i, j, p)| i == j || !(0.0..=1.0).contains(&p))
    {
        return Err(bad());
    }
    let rules = ClusterRules {
        threshold,
        max_cluster_size,
    };
    let (dense, n) = dense_indices(pairs);

    // One edge per pair of records, at its highest probability.
    let mut best: HashMap<u64, usize> = HashMap::with_capacity(pairs.len());
    for (at, &(i, j)) in dense.iter().enumerate() {
        best.entry(key(i, j))
            .and_modify(|b| {
                if pairs[at].2 > pairs[*b].2 {
                    *b = at;
                }
            })
            .or_insert(at);
    }
    // Every pair, below the threshold too: they count in the averages, and
    // a cross pair not given counts 0.
    let edges: Vec<Scored> = best
        .values()
        .map(|&at| {
            let (i, j) = dense[at];
            Scored {
                i: i.min(j),
                j: i.max(j),
                probability: pairs[at].2,
                weight: 0.0,
            }
        })
        .collect();
    let mut joins = Vec::new();
    chain_guard(n, edges, rules, None, &mut |_, _| 0.0, &mut |s| {
        if let Some(&at) = best.get(&key(s.i, s.j)) {
            joins.push(at);
        }
    });
    Ok(joins)
}

/// Each pair's records as indices `0..n` in the order of the given ones
/// (as given when they are already dense enough), and `n`.
fn dense_indices(pairs: &[(u32, u32, f64)]) -> (Vec<(u32, u32)>, usize) {
    let max = pairs.iter().map(|&(i, j, _)| i.max(j)).max();
    let Some(max) = max else {
        return (Vec::new(), 0);
    };
    let n = max as usize + 1;
    if n <= pairs.len().saturating_mul(2) {
        return (pairs.iter().map(|&(i, j, _)| (i, j)).collect(), n);
    }
    let mut ids: Vec<u32> = pairs.iter().flat_map(|&(i, j, _)| [i, j]).collect();
    ids.sort_unstable();
    ids.dedup();
    let at = |r: u32| ids.partition_point(|&x| x < r) as u32;
    let dense = pairs.iter().map(|&(i, j, _)| (at(i), at(j))).collect();
    (dense, ids.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::link::rng::SplitMix64;

    /// The joins' connected components are the clusters the core's own
    /// run over all the pairs makes (missing pairs at 0), on random inputs
    /// with ties, duplicates and both orientations.
    #[test]
    fn joins_make_the_cores_clusters() {
        let mut rng = SplitMix64::new(13);
        for case in 0..500 {
            let n = 2 + rng.below(30) as u32;
            let mut pairs: Vec<(u32, u32, f64)> = Vec::new();
            for _ in 0..rng.below(u64::from(n) * 3) {
                let (i, j) = (rng.below(u64::from(n)), rng.below(u64::from(n)));
                let p = rng.below(17) as f64 / 16.0;
                if i != j {
                    pairs.push((i as u32, j as u32, p));
                }
            }
            let threshold = [0.25, 0.5, 0.75, 1.0][case % 4];
            let max_cluster_size = [2, 3, 5, 50][case / 4 % 4];
            let rules = ClusterRules {
                threshold,
                max_cluster_size,
            };
            let joins = chain_guard_edges(&pairs, threshold, max_cluster_size).unwrap();
            // Union of the joins.
            let mut owner: Vec<usize> = (0..n as usize).collect();
            fn root(owner: &mut [usize], mut x: usize) -> usize {
                while owner[x] != x {
                    owner[x] = owner[owner[x]];
                    x = owner[x];
                }
                x
            }
            for &at in &joins {
                let (a, b) = (pairs[at].0 as usize, pairs[at].1 as usize);
                let (ra, rb) = (root(&mut owner, a), root(&mut owner, b));
                assert_ne!(ra, rb, "case {case}: a join inside a cluster");
                owner[ra.max(rb)] = ra.min(rb);
            }
            let mut mine: Vec<Vec<u32>> = vec![Vec::new(); n as usize];
            for r in 0..n as usize {
                let c = root(&mut owner, r);
                mine[c].push(r as u32);
            }
            mine.retain(|c| !c.is_empty());
            // The core over every pair, each at its highest probability.
            let mut best: HashMap<u64, Scored> = HashMap::new();
            for &(i, j, p) in &pairs {
                let s = Scored {
                    i: i.min(j),
                    j: i.max(j),
                    probability: p,
                    weight: 0.0,
                };
                best.entry(key(i, j))
                    .and_modify(|b| b.probability = b.probability.max(p))
                    .or_insert(s);
            }
            let core = crate::link::solve::cluster(
                n as usize,
                best.into_values().collect(),
                rules,
                None,
                &mut |_, _| 0.0,
            );
            assert_eq!(
                mine, core,
                "case {case}: {pairs:?} at {threshold}, max {max_cluster_size}"
            );
        }
    }
}
