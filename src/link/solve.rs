//! From scored pairs to decisions: one-to-one links and clusters.
//!
//! **Greedy one-to-one** (as anonlink's greedy solver): pairs by probability,
//! highest first; a pair is taken when both records are still free.
//!
//! **Clusters with a chain guard.** Plain connected components turn
//! A≈B≈C≈…≈Z into one entity even when A and Z have nothing in common. Here
//! edges are taken highest first and two clusters merge only if
//! 1. the joining edge's probability is at least the threshold,
//! 2. the *average* probability over all cross pairs of the two clusters is at
//!    least the threshold (pairs that were not candidates are scored on
//!    demand; average linkage, so one weak pair does not veto a good merge but
//!    a chain, whose ends disagree, does),
//! 3. the merged cluster has at most `max_cluster_size` records, and
//! 4. optionally, the clusters share no source (one record per source).

use crate::{Error, ErrorCode, Subject};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// A scored pair of record indices.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Scored {
    pub i: u32,
    pub j: u32,
    pub probability: f64,
    /// Match weight (bits), prior included.
    pub weight: f64,
}

fn by_probability(pairs: &mut [Scored]) {
    pairs.sort_unstable_by(|x, y| {
        y.probability
            .total_cmp(&x.probability)
            .then(x.i.cmp(&y.i))
            .then(x.j.cmp(&y.j))
    });
}

/// Greedy one-to-one assignment of pairs at or above `threshold`; returns the
/// accepted pairs, highest probability first. Only the pairs at or above the
/// threshold are sorted: a 10k × 10k job scores over a million candidates,
/// of which a few thousand pass, and sorting them all was most of this step.
pub(crate) fn greedy_one_to_one(
    mut pairs: Vec<Scored>,
    na: usize,
    nb: usize,
    threshold: f64,
) -> Vec<Scored> {
    pairs.retain(|p| p.probability >= threshold);
    by_probability(&mut pairs);
    let (mut used_a, mut used_b) = (vec![false; na], vec![false; nb]);
    let mut out = Vec::new();
    for p in pairs {
        let (i, j) = (p.i as usize, p.j as usize);
        if !used_a[i] && !used_b[j] {
            used_a[i] = true;
            used_b[j] = true;
            out.push(p);
        }
    }
    out
}

/// The [`Linker`](super::Linker)'s one-to-one decision over pairs scored
/// elsewhere (the linkage service's Splink jobs): positions in `pairs` of
/// the accepted pairs, highest probability first.
///
/// Each pair is `(i, j, probability)`: record `i` of the first dataset,
/// `j` of the second. Pairs below `threshold` are dropped; the rest are
/// taken highest first (ties by `i`, then `j`) while both records are
/// still free, as [`LinkConfig::one_to_one`](super::LinkConfig) does.
///
/// # Errors
/// `option.invalid` when `threshold` is outside (0, 1] or a probability
/// is outside [0, 1] (or NaN).
///
/// ```
/// use pseudolink::link::one_to_one_edges;
/// // Record 0 of the first dataset fits both 0 and 1 of the second; the
/// // better pair wins and the next-best record takes the other.
/// let pairs = [(0, 0, 0.7), (0, 1, 0.9), (1, 1, 0.8), (1, 0, 0.6), (2, 2, 0.3)];
/// assert_eq!(one_to_one_edges(&pairs, 0.5).unwrap(), vec![1, 3]);
/// ```
pub fn one_to_one_edges(pairs: &[(u32, u32, f64)], threshold: f64) -> Result<Vec<usize>, Error> {
    let bad = || Error::new(Subject::Option, ErrorCode::OptionInvalid);
    if !(threshold > 0.0 && threshold <= 1.0)
        || pairs.iter().any(|&(_, _, p)| !(0.0..=1.0).contains(&p))
    {
        return Err(bad());
    }
    let (na, nb) = pairs.iter().fold((0, 0), |(a, b), &(i, j, _)| {
        (a.max(i as usize + 1), b.max(j as usize + 1))
    });
    // The position rides in `weight`, which the decision does not read.
    let scored = pairs
        .iter()
        .enumerate()
        .map(|(at, &(i, j, probability))| Scored {
            i,
            j,
            probability,
            weight: at as f64,
        })
        .collect();
    Ok(greedy_one_to_one(scored, na, nb, threshold)
        .into_iter()
        .map(|s| s.weight as usize)
        .collect())
}

/// How `dedupe` and `linkMany` turn scored pairs into clusters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Clustering {
    /// Edges highest first; two clusters merge when the average probability
    /// over all their cross pairs reaches the threshold (see the module docs).
    #[default]
    ChainGuard,
    /// Connected components of the pairs at or above the threshold (size
    /// and source limits still hold).
    Components,
    /// Best link: each record keeps only its most probable pair at or above
    /// the threshold, then connected components of those pairs.
    BestLink,
    /// Correlation-clustering pivot (KwikCluster, Ailon, Charikar & Newman
    /// 2008): records in order of their strongest pair; each free record
    /// becomes a pivot and takes its free neighbours at or above the
    /// threshold.
    Pivot,
}

/// Clustering rules.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ClusterRules {
    pub threshold: f64,
    pub max_cluster_size: usize,
}

/// Clusters `n` records from scored pairs `i < j` (see the module docs).
/// `source[i]` (if given) forbids two records of one source in a cluster.
/// `score(i, j)` scores pairs that were not candidates. Returns clusters
/// (each sorted, ordered by first member) including singletons.
pub(crate) fn cluster(
    n: usize,
    pairs: Vec<Scored>,
    rules: ClusterRules,
    source: Option<&[u32]>,
    score: &mut dyn FnMut(u32, u32) -> f64,
) -> Vec<Vec<u32>> {
    cluster_by(Clustering::ChainGuard, n, pairs, rules, source, score)
}

/// [`cluster`] by any [`Clustering`] method.
pub(crate) fn cluster_by(
    method: Clustering,
    n: usize,
    mut pairs: Vec<Scored>,
    rules: ClusterRules,
    source: Option<&[u32]>,
    score: &mut dyn FnMut(u32, u32) -> f64,
) -> Vec<Vec<u32>> {
    match method {
        Clustering::ChainGuard => {}
        Clustering::Components => return merge_edges(n, pairs, rules, source),
        Clustering::BestLink => {
            let mut best: Vec<Option<Scored>> = vec![None; n];
            by_probability(&mut pairs);
            for p in &pairs {
                for r in [p.i, p.j] {
                    let slot = &mut best[r as usize];
                    if slot.is_none() {
                        *slot = Some(*p);
                    }
                }
            }
            let mut kept: Vec<Scored> = best.into_iter().flatten().collect();
            kept.sort_unstable_by_key(|p| key(p.i, p.j));
            kept.dedup_by_key(|p| key(p.i, p.j));
            return merge_edges(n, kept, rules, source);
        }
        Clustering::Pivot => return pivot(n, pairs, rules, source),
    }
    chain_guard(n, pairs, rules, source, score, &mut |_| {})
}

/// The chain guard (see the module docs), telling `on_join` each pair that
/// joins two clusters, in order: these pairs span the clusters.
pub(crate) fn chain_guard(
    n: usize,
    mut pairs: Vec<Scored>,
    rules: ClusterRules,
    source: Option<&[u32]>,
    score: &mut dyn FnMut(u32, u32) -> f64,
    on_join: &mut dyn FnMut(Scored),
) -> Vec<Vec<u32>> {
    let mut known: HashMap<u64, f64> = pairs
        .iter()
        .map(|p| (key(p.i, p.j), p.probability))
        .collect();
    by_probability(&mut pairs);
    let mut clusters = Clusters::new(n);
    for p in pairs {
        if p.probability < rules.threshold {
            break;
        }
        let Some((ca, cb)) = clusters.mergeable(p, rules, source) else {
            continue;
        };
        let (xa, xb) = (&clusters.members[ca], &clusters.members[cb]);
        if xa.len() + xb.len() > 2 {
            let mut sum = 0.0;
            for &x in xa {
                for &y in xb {
                    let k = key(x, y);
                    sum += match known.get(&k) {
                        Some(&v) => v,
                        None => {
                            let v = score(x.min(y), x.max(y));
                            known.insert(k, v);
                            v
                        }
                    };
                }
            }
            if sum / ((xa.len() * xb.len()) as f64) < rules.threshold {
                continue;
            }
        }
        clusters.merge(ca, cb);
        on_join(p);
    }
    finish(clusters.members)
}

/// Union of the pairs at or above the threshold, highest first, within the
/// size and source limits.
fn merge_edges(
    n: usize,
    mut pairs: Vec<Scored>,
    rules: ClusterRules,
    source: Option<&[u32]>,
) -> Vec<Vec<u32>> {
    by_probability(&mut pairs);
    let mut clusters = Clusters::new(n);
    for p in pairs {
        if p.probability < rules.threshold {
            break;
        }
        if let Some((ca, cb)) = clusters.mergeable(p, rules, source) {
            clusters.merge(ca, cb);
        }
    }
    finish(clusters.members)
}

/// Clusters that grow by merging: each record's cluster, and each
/// cluster's members (empty once merged away).
struct Clusters {
    owner: Vec<usize>,
    members: Vec<Vec<u32>>,
}

impl Clusters {
    /// Every record alone.
    fn new(n: usize) -> Self {
        Clusters {
            owner: (0..n).collect(),
            members: (0..n as u32).map(|i| vec![i]).collect(),
        }
    }

    /// The two clusters `p` would join, when they are distinct and the
    /// union stays within the size limit and holds no two records of one
    /// source.
    fn mergeable(
        &self,
        p: Scored,
        rules: ClusterRules,
        source: Option<&[u32]>,
    ) -> Option<(usize, usize)> {
        let (ca, cb) = (self.owner[p.i as usize], self.owner[p.j as usize]);
        if ca == cb {
            return None;
        }
        let (xa, xb) = (&self.members[ca], &self.members[cb]);
        if xa.len() + xb.len() > rules.max_cluster_size {
            return None;
        }
        if let Some(src) = source {
            if xa
                .iter()
                .any(|&x| xb.iter().any(|&y| src[x as usize] == src[y as usize]))
            {
                return None;
            }
        }
        Some((ca, cb))
    }

    /// Merges the smaller cluster into the larger.
    fn merge(&mut self, ca: usize, cb: usize) {
        let (big, small) = if self.members[ca].len() >= self.members[cb].len() {
            (ca, cb)
        } else {
            (cb, ca)
        };
        let moved = std::mem::take(&mut self.members[small]);
        for &x in &moved {
            self.owner[x as usize] = big;
        }
        self.members[big].extend(moved);
    }
}

/// KwikCluster with a deterministic pivot order (see [`Clustering::Pivot`]).
fn pivot(
    n: usize,
    mut pairs: Vec<Scored>,
    rules: ClusterRules,
    source: Option<&[u32]>,
) -> Vec<Vec<u32>> {
    pairs.retain(|p| p.probability >= rules.threshold);
    by_probability(&mut pairs);
    let mut adjacent: Vec<Vec<(u32, f64)>> = vec![Vec::new(); n];
    let mut strongest = vec![0.0f64; n];
    for p in &pairs {
        adjacent[p.i as usize].push((p.j, p.probability));
        adjacent[p.j as usize].push((p.i, p.probability));
        for r in [p.i, p.j] {
            strongest[r as usize] = strongest[r as usize].max(p.probability);
        }
    }
    let mut order: Vec<u32> = (0..n as u32).collect();
    order.sort_by(|&x, &y| {
        strongest[y as usize]
            .total_cmp(&strongest[x as usize])
            .then(x.cmp(&y))
    });
    let mut taken = vec![false; n];
    let mut out = Vec::new();
    for c in order {
        if taken[c as usize] {
            continue;
        }
        taken[c as usize] = true;
        let mut members = vec![c];
        // Neighbours are in probability order, highest first.
        for &(x, _) in &adjacent[c as usize] {
            if members.len() >= rules.max_cluster_size {
                break;
            }
            if taken[x as usize]
                || source.is_some_and(|s| members.iter().any(|&m| s[m as usize] == s[x as usize]))
            {
                continue;
            }
            taken[x as usize] = true;
            members.push(x);
        }
        out.push(members);
    }
    finish(out)
}

fn finish(members: Vec<Vec<u32>>) -> Vec<Vec<u32>> {
    let mut out: Vec<Vec<u32>> = members
        .into_iter()
        .filter(|m| !m.is_empty())
        .map(|mut m| {
            m.sort_unstable();
            m
        })
        .collect();
    out.sort_unstable_by_key(|m| m[0]);
    out
}

/// One key per unordered pair of records.
pub(crate) fn key(i: u32, j: u32) -> u64 {
    u64::from(i.min(j)) << 32 | u64::from(i.max(j))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(i: u32, j: u32, probability: f64) -> Scored {
        Scored {
            i,
            j,
            probability,
            weight: 0.0,
        }
    }

    #[test]
    fn greedy_never_reuses_a_record() {
        let pairs = vec![
            s(0, 0, 0.9),
            s(0, 1, 0.95),
            s(1, 1, 0.8),
            s(1, 0, 0.7),
            s(2, 2, 0.4),
        ];
        let got = greedy_one_to_one(pairs, 3, 3, 0.5);
        assert_eq!(got, vec![s(0, 1, 0.95), s(1, 0, 0.7)]);
    }

    #[test]
    fn chain_is_cut_where_the_ends_disagree() {
        // 0-1-2-3-4 chain of strong links; non-neighbours score 0.
        let pairs = (0..4)
            .map(|i| s(i, i + 1, 0.99 - f64::from(i) * 0.01))
            .collect();
        let rules = ClusterRules {
            threshold: 0.5,
            max_cluster_size: 100,
        };
        let got = cluster(5, pairs, rules, None, &mut |_, _| 0.0);
        assert!(got.iter().all(|c| c.len() <= 2), "{got:?}");
        // A clique is merged fully.
        let clique = vec![s(0, 1, 0.9), s(0, 2, 0.9), s(1, 2, 0.9)];
        let got = cluster(3, clique, rules, None, &mut |_, _| 0.0);
        assert_eq!(got, vec![vec![0, 1, 2]]);
    }

    #[test]
    fn each_method_keeps_a_clique_and_differs_on_a_chain() {
        let rules = ClusterRules {
            threshold: 0.5,
            max_cluster_size: 100,
        };
        let chain = || -> Vec<Scored> {
            (0..4)
                .map(|i| s(i, i + 1, 0.99 - f64::from(i) * 0.01))
                .collect()
        };
        let clique = || vec![s(0, 1, 0.9), s(0, 2, 0.8), s(1, 2, 0.7), s(3, 4, 0.4)];
        for method in [
            Clustering::ChainGuard,
            Clustering::Components,
            Clustering::BestLink,
            Clustering::Pivot,
        ] {
            let got = cluster_by(method, 5, clique(), rules, None, &mut |_, _| 0.0);
            assert_eq!(got, vec![vec![0, 1, 2], vec![3], vec![4]], "{method:?}");
        }
        let run = |m| cluster_by(m, 5, chain(), rules, None, &mut |_, _| 0.0);
        // Components join the whole chain; best link too (each record's
        // best pair is a chain link); the pivot takes its direct neighbours
        // only; the chain guard stops where the ends disagree.
        assert_eq!(run(Clustering::Components), vec![vec![0, 1, 2, 3, 4]]);
        assert_eq!(run(Clustering::BestLink), vec![vec![0, 1, 2, 3, 4]]);
        assert_eq!(
            run(Clustering::Pivot),
            vec![vec![0, 1], vec![2, 3], vec![4]]
        );
        assert!(run(Clustering::ChainGuard).iter().all(|c| c.len() <= 2));
    }

    #[test]
    fn best_link_keeps_only_each_records_best_pair() {
        let rules = ClusterRules {
            threshold: 0.5,
            max_cluster_size: 100,
        };
        // 2's best is 3 and 1's best is 0: the weaker 1–2 pair is nobody's best.
        let pairs = vec![s(0, 1, 0.95), s(1, 2, 0.6), s(2, 3, 0.9)];
        let got = cluster_by(Clustering::BestLink, 4, pairs, rules, None, &mut |_, _| 0.0);
        assert_eq!(got, vec![vec![0, 1], vec![2, 3]]);
    }

    #[test]
    fn size_and_source_limits() {
        let clique = vec![s(0, 1, 0.9), s(0, 2, 0.9), s(1, 2, 0.9)];
        let rules = ClusterRules {
            threshold: 0.5,
            max_cluster_size: 2,
        };
        assert_eq!(
            cluster(3, clique.clone(), rules, None, &mut |_, _| 0.9).len(),
            2
        );
        let rules = ClusterRules {
            threshold: 0.5,
            max_cluster_size: 10,
        };
        let got = cluster(3, clique, rules, Some(&[0, 1, 1]), &mut |_, _| 0.9);
        assert_eq!(got.len(), 2);
    }
}
