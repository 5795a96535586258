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
/// accepted pairs, highest probability first.
pub(crate) fn greedy_one_to_one(
    mut pairs: Vec<Scored>,
    na: usize,
    nb: usize,
    threshold: f64,
) -> Vec<Scored> {
    by_probability(&mut pairs);
    let (mut used_a, mut used_b) = (vec![false; na], vec![false; nb]);
    let mut out = Vec::new();
    for p in pairs {
        if p.probability < threshold {
            break;
        }
        let (i, j) = (p.i as usize, p.j as usize);
        if !used_a[i] && !used_b[j] {
            used_a[i] = true;
            used_b[j] = true;
            out.push(p);
        }
    }
    out
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
    mut pairs: Vec<Scored>,
    rules: ClusterRules,
    source: Option<&[u32]>,
    score: &mut dyn FnMut(u32, u32) -> f64,
) -> Vec<Vec<u32>> {
    let mut known: HashMap<u64, f64> = pairs
        .iter()
        .map(|p| (key(p.i, p.j), p.probability))
        .collect();
    by_probability(&mut pairs);
    let mut owner: Vec<u32> = (0..n as u32).collect();
    let mut members: Vec<Vec<u32>> = (0..n as u32).map(|i| vec![i]).collect();
    for p in pairs {
        if p.probability < rules.threshold {
            break;
        }
        let (ca, cb) = (owner[p.i as usize], owner[p.j as usize]);
        if ca == cb {
            continue;
        }
        let (xa, xb) = (&members[ca as usize], &members[cb as usize]);
        if xa.len() + xb.len() > rules.max_cluster_size {
            continue;
        }
        if let Some(src) = source {
            if xa
                .iter()
                .any(|&x| xb.iter().any(|&y| src[x as usize] == src[y as usize]))
            {
                continue;
            }
        }
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
        // Merge the smaller into the larger.
        let (big, small) = if members[ca as usize].len() >= members[cb as usize].len() {
            (ca, cb)
        } else {
            (cb, ca)
        };
        let moved = std::mem::take(&mut members[small as usize]);
        for &x in &moved {
            owner[x as usize] = big;
        }
        members[big as usize].extend(moved);
    }
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

fn key(i: u32, j: u32) -> u64 {
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
