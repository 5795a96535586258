//! (b) The similarity-graph matching attack of Vidanage, Christen, Ranbaduge
//! and Schnell ("A Graph Matching Attack on Privacy-Preserving Record
//! Linkage", CIKM 2020), per field, without any key:
//!
//! - the **encoded graph**: one node per distinct CLK of the field in the
//!   store, with its count; edges the pairwise Dice of the filters;
//! - the **plain graph**: one node per value of the public list with a
//!   frequency (pseudolink-synth's tables), with its expected count in a
//!   store of that many records; edges the q-gram Dice of the values;
//! - **similarity calibration**: Bloom-filter Dice is not q-gram Dice (and
//!   diffusion compresses it towards ½), so encoded similarities are mapped
//!   onto plain ones by quantile matching of the two pair distributions (the
//!   plain pairs weighted by the chance both values occur in the store);
//! - **node features** on both graphs alike: expected/actual count, the
//!   percentile of the filter weight vs that of the q-gram count (weight
//!   grows with the q-gram count, with or without diffusion), degree at four
//!   similarity floors, the strongest edges, and the neighbours' counts;
//!   each scaled by its pooled spread;
//! - **matching**: greedy one-to-one assignment on feature distance, then
//!   refinement rounds: the most confident matches become seeds, and every
//!   node's fingerprint (its calibrated similarity to each encoded seed) is
//!   compared with every plain value's (its q-gram Dice to each seed's
//!   value); the assignment is redone on fingerprint plus feature distance,
//!   with twice the seeds each round.
//!
//! Only what a field's similarity structure and frequencies say is used: no
//! bit pattern (that is [`super::service`]'s attack, which can take this
//! attack's confident matches as anchors).

use super::bits::{self, Bits};
use super::service::grams;
use std::collections::HashMap;

/// Knobs of the graph matching attack.
#[derive(Clone, Copy, Debug)]
pub struct GraphParams {
    /// Seeds of the first refinement round (doubled each round).
    pub seeds: usize,
    /// Refinement rounds.
    pub rounds: usize,
    /// Weight of the feature distance next to the fingerprint distance.
    pub feature_weight: f64,
}

impl Default for GraphParams {
    fn default() -> Self {
        GraphParams {
            seeds: 16,
            rounds: 6,
            feature_weight: 0.5,
        }
    }
}

/// What the graph attack saw and did on one field.
#[derive(Clone, Debug, Default)]
pub struct GraphReport {
    /// Encoded nodes (distinct CLKs).
    pub encoded: usize,
    /// Plain nodes (public values with a frequency).
    pub plain: usize,
    /// Seeds of the last round.
    pub seeds: usize,
}

/// One matched encoded node: the plain value and how much better it scored
/// than the runner-up (in units of the typical distance).
#[derive(Clone, Debug)]
pub struct Match {
    /// The public value.
    pub value: String,
    /// Margin over the second-best value.
    pub margin: f64,
}

/// Floors of the degree features.
const FLOORS: [f32; 4] = [0.4, 0.5, 0.6, 0.7];

/// Symmetric similarity matrix, row-major.
struct Sims {
    n: usize,
    s: Vec<f32>,
}

impl Sims {
    fn get(&self, i: usize, j: usize) -> f32 {
        self.s[i * self.n + j]
    }
}

fn pairwise(items: &[Bits]) -> Sims {
    let n = items.len();
    let mut s = vec![0f32; n * n];
    for i in 0..n {
        s[i * n + i] = 1.0;
        for j in i + 1..n {
            let d = bits::dice(&items[i], &items[j]) as f32;
            s[i * n + j] = d;
            s[j * n + i] = d;
        }
    }
    Sims { n, s }
}

/// Maps encoded similarities onto the plain scale by quantiles: a lookup
/// table over 0.001 steps.
fn calibrate(enc: &Sims, plain: &Sims, appear: &[f64]) -> Vec<f32> {
    let mut e: Vec<f32> = Vec::with_capacity(enc.n * enc.n / 2);
    for i in 0..enc.n {
        for j in i + 1..enc.n {
            e.push(enc.get(i, j));
        }
    }
    e.sort_by(f32::total_cmp);
    let mut p: Vec<(f32, f64)> = Vec::with_capacity(plain.n * plain.n / 2);
    for i in 0..plain.n {
        for j in i + 1..plain.n {
            p.push((plain.get(i, j), appear[i] * appear[j]));
        }
    }
    p.sort_by(|a, b| a.0.total_cmp(&b.0));
    let total: f64 = p.iter().map(|x| x.1).sum();
    let mut cum = Vec::with_capacity(p.len());
    let mut acc = 0.0;
    for (_, w) in &p {
        acc += w;
        cum.push(acc);
    }
    (0..=1000)
        .map(|k| {
            let x = k as f32 / 1000.0;
            if e.is_empty() || p.is_empty() || total <= 0.0 {
                return x;
            }
            // Mid-rank quantile of x among encoded pairs.
            let lo = e.partition_point(|v| *v < x);
            let hi = e.partition_point(|v| *v <= x);
            let q = (lo + hi) as f64 / 2.0 / e.len() as f64;
            let at = cum.partition_point(|c| *c < q * total).min(p.len() - 1);
            p[at].0
        })
        .collect()
}

fn cal(table: &[f32], x: f32) -> f32 {
    table[((x * 1000.0).round() as usize).min(1000)]
}

/// Percentiles (mid-rank, weighted) of `keys` among themselves.
fn percentiles(keys: &[f64], weights: &[f64]) -> Vec<f64> {
    let total: f64 = weights.iter().sum();
    keys.iter()
        .map(|k| {
            let below: f64 = keys
                .iter()
                .zip(weights)
                .filter(|(x, _)| *x < k)
                .map(|(_, w)| w)
                .sum();
            let same: f64 = keys
                .iter()
                .zip(weights)
                .filter(|(x, _)| *x == k)
                .map(|(_, w)| w)
                .sum();
            if total > 0.0 {
                (below + same / 2.0) / total
            } else {
                0.5
            }
        })
        .collect()
}

/// Node features of a graph whose similarity (already on the plain scale)
/// is `sim`, node counts `count`, node presence weights `appear` (1 for
/// encoded nodes), size percentiles `size`.
fn features(
    n: usize,
    sim: &dyn Fn(usize, usize) -> f32,
    count: &[f64],
    appear: &[f64],
    size: &[f64],
) -> Vec<Vec<f64>> {
    (0..n)
        .map(|i| {
            let mut degree = [0f64; FLOORS.len()];
            let mut top = [0f32; 3];
            let (mut nb_count, mut nb_weight) = (0f64, 0f64);
            for j in 0..n {
                if j == i {
                    continue;
                }
                let s = sim(i, j);
                for (d, f) in degree.iter_mut().zip(FLOORS) {
                    if s >= f {
                        *d += appear[j];
                    }
                }
                if s > top[2] {
                    top[2] = s;
                    top.sort_by(|a, b| b.total_cmp(a));
                }
                if s >= FLOORS[1] {
                    nb_count += appear[j] * (1.0 + count[j]).ln();
                    nb_weight += appear[j];
                }
            }
            let mut f = vec![3.0 * (1.0 + count[i]).ln(), 2.0 * size[i]];
            f.extend(degree.iter().map(|d| (1.0 + d).ln()));
            f.push(f64::from(top[0]));
            f.push(f64::from(top.iter().sum::<f32>()) / 3.0);
            f.push(if nb_weight > 0.0 {
                nb_count / nb_weight
            } else {
                0.0
            });
            f
        })
        .collect()
}

/// Scales every feature by its spread over both graphs together.
fn standardise(a: &mut [Vec<f64>], b: &mut [Vec<f64>]) {
    let Some(k) = a.first().map(Vec::len) else {
        return;
    };
    for f in 0..k {
        let all: Vec<f64> = a.iter().chain(b.iter()).map(|v| v[f]).collect();
        let mean = all.iter().sum::<f64>() / all.len().max(1) as f64;
        let var =
            all.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / all.len().max(1) as f64;
        let sd = var.sqrt().max(1e-9);
        for v in a.iter_mut().chain(b.iter_mut()) {
            v[f] = (v[f] - mean) / sd;
        }
    }
}

fn distance(a: &[f64], b: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y) * (x - y))
        .sum::<f64>()
        .sqrt()
}

/// Greedy one-to-one assignment on a cost matrix (`ne × np`, lower is
/// better): each encoded node's best few candidates, cheapest first.
/// Returns per encoded node its plain node and its margin.
fn assign(ne: usize, np: usize, cost: &[f64]) -> Vec<Option<(usize, f64)>> {
    const CANDIDATES: usize = 12;
    let mut pairs: Vec<(f64, usize, usize)> = Vec::new();
    let mut margin = vec![0f64; ne];
    for e in 0..ne {
        let row = &cost[e * np..(e + 1) * np];
        let mut best: Vec<(f64, usize)> = row.iter().copied().zip(0..).collect();
        let k = CANDIDATES.min(best.len());
        if k == 0 {
            continue;
        }
        best.select_nth_unstable_by(k - 1, |a, b| a.0.total_cmp(&b.0));
        best.truncate(k);
        best.sort_by(|a, b| a.0.total_cmp(&b.0));
        margin[e] = best.get(1).map_or(1.0, |s| s.0 - best[0].0);
        pairs.extend(best.into_iter().map(|(c, p)| (c, e, p)));
    }
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let mut out = vec![None; ne];
    let mut taken = vec![false; np];
    for (_, e, p) in pairs {
        if out[e].is_none() && !taken[p] {
            out[e] = Some((p, margin[e]));
            taken[p] = true;
        }
    }
    out
}

/// Runs the attack on one field. `nodes`: the distinct encoded filters with
/// their counts; `dict`: the public list with frequencies (values of weight
/// 0 have no frequency profile and are left out). Returns per encoded node
/// its match.
pub fn graph_match(
    slot: usize,
    nodes: &[(Bits, usize)],
    dict: &[(String, f64)],
    p: GraphParams,
    report: &mut GraphReport,
) -> Vec<Option<Match>> {
    let ne = nodes.len();
    let total: f64 = nodes.iter().map(|(_, c)| *c as f64).sum();
    let mass: f64 = dict.iter().map(|(_, w)| w.max(0.0)).sum();
    let plain: Vec<(&str, f64)> = dict
        .iter()
        .filter(|(_, w)| *w > 0.0)
        .map(|(v, w)| (v.as_str(), w / mass))
        .collect();
    let np = plain.len();
    report.encoded = ne;
    report.plain = np;
    if ne < 2 || np < 2 || mass <= 0.0 {
        return vec![None; ne];
    }
    // Plain nodes: q-gram sets as bit sets over gram ids.
    let mut ids: HashMap<String, usize> = HashMap::new();
    let gram_ids: Vec<Vec<usize>> = plain
        .iter()
        .map(|(v, _)| {
            grams(slot, v)
                .into_iter()
                .map(|g| {
                    let next = ids.len();
                    *ids.entry(g).or_insert(next)
                })
                .collect()
        })
        .collect();
    let words = ids.len().div_ceil(64).max(1);
    let gram_sets: Vec<Bits> = gram_ids
        .iter()
        .map(|g| {
            let mut b = vec![0u64; words];
            for i in g {
                bits::set(&mut b, *i);
            }
            b
        })
        .collect();
    let sp = pairwise(&gram_sets);
    let filters: Vec<Bits> = nodes.iter().map(|(f, _)| f.clone()).collect();
    let se = pairwise(&filters);
    // Chance a value occurs at least once among `total` draws, and its
    // expected count when it does.
    let appear: Vec<f64> = plain
        .iter()
        .map(|(_, pi)| 1.0 - (1.0 - pi).powf(total))
        .collect();
    let plain_count: Vec<f64> = plain
        .iter()
        .zip(&appear)
        .map(|((_, pi), a)| (pi * total / a.max(1e-12)).max(1.0))
        .collect();
    let table = calibrate(&se, &sp, &appear);
    let enc_sim = |i: usize, j: usize| cal(&table, se.get(i, j));
    let plain_sim = |i: usize, j: usize| sp.get(i, j);
    let enc_count: Vec<f64> = nodes.iter().map(|(_, c)| *c as f64).collect();
    let enc_size = percentiles(
        &nodes
            .iter()
            .map(|(f, _)| f64::from(bits::ones(f)))
            .collect::<Vec<_>>(),
        &vec![1.0; ne],
    );
    let plain_size = percentiles(
        &gram_ids.iter().map(|g| g.len() as f64).collect::<Vec<_>>(),
        &appear,
    );
    let mut fe = features(ne, &enc_sim, &enc_count, &vec![1.0; ne], &enc_size);
    let mut fp = features(np, &plain_sim, &plain_count, &appear, &plain_size);
    standardise(&mut fe, &mut fp);
    let mut feature_cost = vec![0f64; ne * np];
    for e in 0..ne {
        for q in 0..np {
            feature_cost[e * np + q] = distance(&fe[e], &fp[q]);
        }
    }
    let typical = |c: &[f64]| {
        let mut v: Vec<f64> = c.iter().step_by(7).copied().collect();
        v.sort_by(f64::total_cmp);
        v.get(v.len() / 2).copied().unwrap_or(1.0).max(1e-9)
    };
    let ft = typical(&feature_cost);
    let mut matched = assign(ne, np, &feature_cost);
    let mut seeds = p.seeds;
    for _ in 0..p.rounds {
        // The most confident matches, frequent nodes first among equals.
        let mut order: Vec<usize> = (0..ne).filter(|e| matched[*e].is_some()).collect();
        order.sort_by(|a, b| {
            let m = |e: usize| matched[e].as_ref().map_or(0.0, |x| x.1);
            m(*b).total_cmp(&m(*a)).then(nodes[*b].1.cmp(&nodes[*a].1))
        });
        order.truncate(seeds);
        report.seeds = order.len();
        let pairs: Vec<(usize, usize)> = order
            .iter()
            .filter_map(|e| matched[*e].as_ref().map(|(q, _)| (*e, *q)))
            .collect();
        if pairs.is_empty() {
            break;
        }
        let mut cost = vec![0f64; ne * np];
        let enc_fp: Vec<Vec<f32>> = (0..ne)
            .map(|e| pairs.iter().map(|(a, _)| enc_sim(e, *a)).collect())
            .collect();
        let plain_fp: Vec<Vec<f32>> = (0..np)
            .map(|q| pairs.iter().map(|(_, b)| plain_sim(q, *b)).collect())
            .collect();
        for e in 0..ne {
            for q in 0..np {
                let d: f32 = enc_fp[e]
                    .iter()
                    .zip(&plain_fp[q])
                    .map(|(x, y)| (x - y).abs())
                    .sum();
                cost[e * np + q] = f64::from(d) / pairs.len() as f64;
            }
        }
        let st = typical(&cost);
        for (c, f) in cost.iter_mut().zip(&feature_cost) {
            *c = *c / st + p.feature_weight * f / ft;
        }
        matched = assign(ne, np, &cost);
        seeds = (seeds * 2).min(ne);
    }
    matched
        .into_iter()
        .map(|m| {
            m.map(|(q, margin)| Match {
                value: plain[q].0.to_owned(),
                margin,
            })
        })
        .collect()
}
