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
    let u = level_frequencies(sample.iter().copied(), comparisons);
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
