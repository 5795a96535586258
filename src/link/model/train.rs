//! Training: u from random pairs, then m and λ by EM over the candidate
//! pairs' comparison patterns, and the check that EM's match class is the
//! same customer. Used by the batch linker and the identity graph.

use super::{
    expectation_maximisation, level_frequencies, ComparisonParams, EmSettings, LevelParams,
    ModelParams, PARAMS_VERSION,
};
use crate::link::comparison::{default_comparisons, Comparison, ComparisonKind, NULL_LEVEL};
use crate::link::encoded::{level_of, pattern, Dataset};
use crate::link::engine::Progress;
use crate::link::rng::SplitMix64;
use std::collections::HashMap;

/// Where the u sample draws its random pairs from.
pub(crate) struct Sample<'d> {
    /// The second dataset of a link job.
    pub b: Option<&'d Dataset>,
    /// Source of each record (linkMany): pairs within a source are not drawn.
    pub source: Option<&'d [u32]>,
    /// Draws go through this permutation of `a`'s rows, so that a caller
    /// whose rows arrive in any order trains the same model (the identity
    /// graph passes its rows in record-key order).
    pub order: Option<&'d [u32]>,
    /// Pairs within a source are never drawn (linkMany's `onePerSource`);
    /// otherwise only a record with itself is not.
    pub one_per_source: bool,
}

/// Trains parameters: u from random pairs, then m and λ by EM over the
/// candidate `patterns`. Returns the parameters, the pairs sampled, EM's
/// iterations and whether the fit is plausible (see `plausible_match_class`).
pub(crate) fn fit_model(
    comparisons: &[Comparison],
    em: &EmSettings,
    a: &Dataset,
    sample_from: Sample<'_>,
    patterns: &[u64],
    total_pairs: f64,
    progress: Progress<'_>,
) -> (ModelParams, usize, u32, bool) {
    let mut histogram: HashMap<u64, u32> = HashMap::new();
    for &p in patterns {
        *histogram.entry(p).or_default() += 1;
    }
    fit_model_on(
        comparisons,
        em,
        a,
        sample_from,
        &histogram,
        total_pairs,
        progress,
    )
}

/// [`fit_model`] on the candidates' pattern counts (callers that score in
/// one pass need not keep a pattern per pair).
pub(crate) fn fit_model_on(
    comparisons: &[Comparison],
    em: &EmSettings,
    a: &Dataset,
    sample_from: Sample<'_>,
    histogram: &HashMap<u64, u32>,
    total_pairs: f64,
    progress: Progress<'_>,
) -> (ModelParams, usize, u32, bool) {
    let b = sample_from.b.unwrap_or(a);
    let want = em.u_sample_pairs as usize;
    let mut rng = SplitMix64::new(em.seed);
    let mut sample = Vec::with_capacity(want);
    progress("sampleU", 0, want);
    let na = sample_from.order.map_or(a.len(), <[u32]>::len) as u64;
    let nb = b.len() as u64;
    let row = |i: u64| match sample_from.order {
        Some(o) => o[i as usize] as usize,
        None => i as usize,
    };
    if total_pairs >= 1.0 {
        let mut tries = 0;
        while sample.len() < want && tries < want * 4 {
            tries += 1;
            let (i, j) = (rng.below(na), rng.below(nb));
            let (i, j) = if sample_from.b.is_some() {
                (i as usize, j as usize)
            } else {
                (row(i), row(j))
            };
            let distinct = match (sample_from.b, sample_from.source) {
                (Some(_), _) => true,
                (None, Some(src)) => src[i] != src[j] || (!sample_from.one_per_source && i != j),
                (None, None) => i != j,
            };
            if distinct {
                sample.push(pattern(comparisons, a, i, b, j));
            }
            if sample.len() % 65_536 == 0 {
                progress("sampleU", sample.len(), want);
            }
        }
    }
    progress("sampleU", sample.len(), want);
    let mut u = level_frequencies(sample.iter().copied(), comparisons);
    for (k, exact) in exact_token_u(comparisons, a, &sample_from)
        .into_iter()
        .enumerate()
    {
        if let Some(agree) = exact {
            u[k] = vec![1.0 - agree, agree];
        }
    }
    progress("em", 0, em.max_iterations as usize);
    let fit = expectation_maximisation(histogram, comparisons, &u, em, progress);
    let candidates: u64 = histogram.values().map(|&n| u64::from(n)).sum();
    let expected_matches = fit.match_rate * candidates as f64;
    // The comparisons the data added (after the defaults) do not vote: a
    // shared employer's D-U-N-S number or company name is no sign of the
    // same customer.
    let defaults = default_comparisons();
    let voting = if comparisons.starts_with(&defaults) {
        defaults.len()
    } else {
        comparisons.len()
    };
    let plausible = plausible_match_class(&comparisons[..voting], &fit.m, histogram);
    let prior = if plausible {
        (expected_matches / total_pairs.max(1.0)).clamp(1e-12, 0.5)
    } else {
        // No pair is a match: see `plausible_match_class`.
        1e-12
    };
    let params = ModelParams {
        version: PARAMS_VERSION,
        prior,
        comparisons: comparisons
            .iter()
            .zip(fit.m.iter().zip(&u))
            .map(|(c, (m, u))| ComparisonParams {
                name: c.name.clone(),
                levels: (0..c.level_count())
                    .map(|l| LevelParams {
                        label: c.level_label(l),
                        m: m[l],
                        u: u[l],
                    })
                    .collect(),
            })
            .collect(),
    };
    (params, sample.len(), fit.iterations, plausible)
}

/// The exact `agree` u of each token comparison (`None` for the others, and
/// where no pair carries the subject): the share of all drawable pairs with
/// the subject under a shared key that hold the same token.
///
/// The random-pair sample estimates a rare agreement from a handful of hits
/// (a date of birth agrees in about 8 of 100,000 random pairs, so 200,000
/// draws see a dozen or two), and that noise goes straight into the weight of the
/// agreement. The token counts give it exactly: over ordered pairs,
/// `Σ_t c(t)² − Σ_g Σ_t c_g(t)²` agreeing out of `Σ_κ n(κ)² − Σ_g Σ_κ n_g(κ)²`,
/// where `c(t)` counts the records holding token `t`, `n(κ)` those with a
/// token under key `κ`, and `g` runs over the groups whose pairs are not
/// drawn (each record by itself; each source under `onePerSource`). A link
/// job's pairs are `Σ_t c_a(t) c_b(t)` of `Σ_κ n_a(κ) n_b(κ)`. A record with
/// two tokens both shared with another counts that pair twice, which is rare
/// enough not to matter here. Bounded to `[½/pairs, 1 − ½/pairs]`, as the
/// sample's add-½ smoothing bounds it.
///
/// A token comparison that stands in for others (`swapped`, whose level
/// exists only where both names disagree) is left to the sample: its
/// agreement among all pairs is mostly the names agreeing in order, which
/// is not the event its level counts.
fn exact_token_u(comparisons: &[Comparison], a: &Dataset, from: &Sample<'_>) -> Vec<Option<f64>> {
    type Counts = HashMap<(u16, u32), f64>;
    // Per (key, token) and per key: records holding it, over `rows` of `d`.
    let count = |d: &Dataset, k: usize, rows: &mut dyn Iterator<Item = usize>| {
        let (mut tokens, mut keys): (Counts, HashMap<u16, f64>) = Default::default();
        for i in rows {
            let held = d.tokens[k].of(i);
            for (n, &(key, t)) in held.iter().enumerate() {
                if !held[..n].contains(&(key, t)) {
                    *tokens.entry((key, t)).or_default() += 1.0;
                }
                if !held[..n].iter().any(|&(other, _)| other == key) {
                    *keys.entry(key).or_default() += 1.0;
                }
            }
        }
        (tokens, keys)
    };
    let rows_of_a = || -> Box<dyn Iterator<Item = usize> + '_> {
        match from.order {
            Some(order) => Box::new(order.iter().map(|&i| i as usize)),
            None => Box::new(0..a.len()),
        }
    };
    comparisons
        .iter()
        .enumerate()
        .map(|(k, c)| {
            if c.kind != ComparisonKind::Token || c.level_count() != 2 || !c.group.is_empty() {
                return None;
            }
            let (agree, pairs) = match from.b {
                Some(b) => {
                    let (ta, ka) = count(a, k, &mut rows_of_a());
                    let (tb, kb) = count(b, k, &mut (0..b.len()));
                    let dot = |x: &Counts, y: &Counts| -> f64 {
                        x.iter().filter_map(|(t, n)| Some(n * y.get(t)?)).sum()
                    };
                    let pairs = ka
                        .iter()
                        .filter_map(|(key, n)| Some(n * kb.get(key)?))
                        .sum();
                    (dot(&ta, &tb), pairs)
                }
                None => {
                    let (tokens, keys) = count(a, k, &mut rows_of_a());
                    // Pairs inside a group, which are never drawn.
                    let (same_tokens, same_keys) = match (from.source, from.one_per_source) {
                        (Some(source), true) => {
                            let mut by_group: HashMap<u32, Vec<usize>> = HashMap::new();
                            for i in rows_of_a() {
                                by_group.entry(source[i]).or_default().push(i);
                            }
                            by_group.values().fold((0.0, 0.0), |(st, sk), rows| {
                                let (t, key) = count(a, k, &mut rows.iter().copied());
                                (
                                    st + squares(t.into_values()),
                                    sk + squares(key.into_values()),
                                )
                            })
                        }
                        // Each record is its own group: it holds a token once.
                        _ => (tokens.values().sum(), keys.values().sum()),
                    };
                    (
                        squares(tokens.into_values()) - same_tokens,
                        squares(keys.into_values()) - same_keys,
                    )
                }
            };
            (pairs >= 1.0).then(|| (agree / pairs).clamp(0.5 / pairs, 1.0 - 0.5 / pairs))
        })
        .collect()
}

fn squares(counts: impl Iterator<Item = f64>) -> f64 {
    counts.map(|n| n * n).sum()
}

/// Share of candidate pairs in which an exact identifier must agree, under the
/// fitted match class, for that class to be "the same customer".
const MIN_IDENTIFIER_AGREEMENT: f64 = 0.2;

/// Identifiers a person keeps for life: the same customer agrees on them
/// in most pairs that carry them, typos aside.
const STABLE_IDENTIFIERS: [&str; 1] = ["dateOfBirth"];

/// Least share of a "match" class's pairs (with data) that must agree on a
/// stable identifier.
const MIN_STABLE_AGREEMENT: f64 = 0.05;

/// Whether EM's "match" class is plausibly the same-customer class.
///
/// EM finds *a* two-class structure; when the files share no customers it
/// finds another one, typically neighbours (same street, city and postal
/// code, different people), and calls them matches with high probability.
/// The same customer agrees on at least one exact identifier (e-mail, phone,
/// date of birth) much of the time, whatever else changed; neighbours almost
/// never do. So a fit whose match class agrees on every token comparison that
/// has data in under `MIN_IDENTIFIER_AGREEMENT` of its pairs is refused. With
/// no token comparison carrying data there is nothing to judge by: accepted.
/// A class that almost never agrees on a date of birth (under
/// `MIN_STABLE_AGREEMENT` of the pairs that carry one) is namesakes, not the
/// same customer (with `moved`, EM can find people of one name who share a
/// generated e-mail): refused too.
fn plausible_match_class(
    comparisons: &[Comparison],
    m: &[Vec<f64>],
    patterns: &HashMap<u64, u32>,
) -> bool {
    let (mut judged, mut agrees) = (false, false);
    for (k, c) in comparisons.iter().enumerate() {
        if c.kind != ComparisonKind::Token {
            continue;
        }
        let with_data: u64 = patterns
            .iter()
            .filter(|(&p, _)| level_of(p, k) != NULL_LEVEL)
            .map(|(_, &n)| u64::from(n))
            .sum();
        if with_data < 10 {
            continue;
        }
        judged = true;
        // Token levels: 0 = disagree, 1 = agree.
        let agree = m.get(k).and_then(|row| row.get(1)).copied().unwrap_or(0.0);
        if STABLE_IDENTIFIERS.contains(&c.source.as_str()) && agree < MIN_STABLE_AGREEMENT {
            return false;
        }
        agrees |= agree >= MIN_IDENTIFIER_AGREEMENT;
    }
    agrees || !judged
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encoded::EncodedRecord;
    use crate::encoding::base64_url;
    use crate::link::encoded::{prepare, ClkLayout, Interner};

    /// Records whose only token is a date of birth `x`, `y`, `z`, or none.
    fn records(dobs: &str) -> Vec<EncodedRecord> {
        dobs.chars()
            .enumerate()
            .map(|(i, d)| EncodedRecord {
                id: format!("r{i}"),
                tokens: match d {
                    '-' => vec![],
                    _ => vec![format!("pl1.dateOfBirth.k1.{}", base64_url(&[d as u8; 32]))],
                },
                ..EncodedRecord::default()
            })
            .collect()
    }

    fn exact(a: &str, b: Option<&str>, source: Option<&[u32]>) -> Option<f64> {
        let comparisons = [Comparison::token("dateOfBirth", false)];
        let (ra, rb) = (records(a), b.map(records));
        let layout = ClkLayout::new::<EncodedRecord>(&comparisons, &[], &[], &[]).unwrap();
        let mut interner = Interner::default();
        let da = prepare(&ra, &comparisons, &[], &layout, &mut interner).unwrap();
        let db = rb.map(|r| prepare(&r, &comparisons, &[], &layout, &mut interner).unwrap());
        let from = Sample {
            b: db.as_ref(),
            source,
            order: None,
            one_per_source: source.is_some(),
        };
        exact_token_u(&comparisons, &da, &from)[0]
    }

    #[test]
    fn token_agreement_u_is_counted_exactly() {
        // Link: 3 × 3 pairs carry a date; x agrees 2 × 1 times, y 1 × 1.
        assert_eq!(exact("xxy-", Some("xzy"), None), Some(3.0 / 9.0));
        // Dedupe: 6 pairs among the 4 with a date, 3 of them x with x.
        assert_eq!(exact("xx-yx", None, None), Some(3.0 / 6.0));
        // linkMany, one per source: sources {0: x x} {1: x y}. Across the
        // sources 2 × 2 = 4 pairs, x agreeing 2 × 1 times.
        assert_eq!(exact("xxxy", None, Some(&[0, 0, 1, 1])), Some(2.0 / 4.0));
        // Nobody agrees: bounded by the add-½ floor, not 0.
        assert_eq!(exact("xy", Some("z"), None), Some(0.5 / 2.0));
        // No pair carries the subject: left to the sample.
        assert_eq!(exact("--", Some("x"), None), None);
    }

    #[test]
    fn a_token_comparison_standing_in_for_others_is_left_to_the_sample() {
        let records: Vec<EncodedRecord> = (0..3)
            .map(|i| EncodedRecord {
                id: format!("r{i}"),
                match_keys: vec![format!(
                    "pl1.{}.k1.{}",
                    crate::link::comparison::SWAPPED_NAMES_SUBJECT,
                    base64_url(&[7; 32])
                )],
                ..EncodedRecord::default()
            })
            .collect();
        let comparisons = [
            Comparison::clk("firstName", &[0.9]),
            Comparison::clk("lastName", &[0.9]),
            Comparison::swapped(),
        ];
        let layout = ClkLayout::new::<EncodedRecord>(&comparisons, &[], &[], &[]).unwrap();
        let mut interner = Interner::default();
        let d = prepare(&records, &comparisons, &[], &layout, &mut interner).unwrap();
        let from = Sample {
            b: None,
            source: None,
            order: None,
            one_per_source: false,
        };
        // Every pair shares the order-free names key, yet `swapped`'s level
        // is conditional on both names disagreeing: no exact u for it.
        assert_eq!(
            exact_token_u(&comparisons, &d, &from),
            vec![None, None, None]
        );
    }
}
