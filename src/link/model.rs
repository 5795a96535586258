//! The Fellegi–Sunter model: m and u per comparison level and the prior λ.
//!
//! * **u** (chance of a level among non-matches) is counted on random record
//!   pairs drawn with a seeded generator, as Splink does: almost all random
//!   pairs are non-matches, so no labels are needed.
//! * **m** (chance among matches) and the match rate are fitted by EM over the
//!   blocked candidate pairs. Inside EM the non-match distribution of the
//!   candidates is a free nuisance parameter: blocking enriches candidates with
//!   chance agreements, and fixing it to the random-pair u would let those
//!   non-matches pull m towards them.
//! * **λ** is the probability that two random records match: EM's expected
//!   matches among candidates over all possible pairs. Since candidates are
//!   chosen by what the comparisons see, the posterior of a pair given its
//!   levels uses this global prior with the random-pair u.

use super::comparison::{Comparison, NULL_LEVEL};
use super::encoded::level_of;
use crate::error::{Error, ErrorCode, Subject};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

mod train;
pub(crate) use train::{fit_model, fit_model_on, Sample};

/// Format version of [`ModelParams`] JSON.
pub const PARAMS_VERSION: u32 = 1;

/// Fitted parameters: save them as JSON and load them to score new data
/// without re-training.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ModelParams {
    /// [`PARAMS_VERSION`].
    pub version: u32,
    /// λ: probability that two random records are a match.
    pub prior: f64,
    /// Per comparison, in configuration order.
    pub comparisons: Vec<ComparisonParams>,
}

/// m and u of one comparison's levels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ComparisonParams {
    /// The comparison's name.
    pub name: String,
    /// Levels from least to most alike.
    pub levels: Vec<LevelParams>,
}

/// One level's probabilities.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LevelParams {
    /// e.g. `agree`, `dice≥0.85`.
    pub label: String,
    /// P(level | match).
    pub m: f64,
    /// P(level | non-match).
    pub u: f64,
}

impl ModelParams {
    /// Parses and validates parameters JSON.
    pub fn from_json(json: &str) -> Result<Self, Error> {
        let p: ModelParams = serde_json::from_str(json).map_err(|_| bad_params())?;
        p.validate()?;
        Ok(p)
    }

    /// The parameters as JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Rule checks: version, probabilities in (0, 1], prior in (0, 1).
    pub fn validate(&self) -> Result<(), Error> {
        let prob = |x: f64| x.is_finite() && x > 0.0 && x <= 1.0;
        let ok = self.version == PARAMS_VERSION
            && self.prior.is_finite()
            && self.prior > 0.0
            && self.prior < 1.0
            && !self.comparisons.is_empty()
            && self
                .comparisons
                .iter()
                .all(|c| !c.levels.is_empty() && c.levels.iter().all(|l| prob(l.m) && prob(l.u)));
        if ok {
            Ok(())
        } else {
            Err(bad_params())
        }
    }

    /// Whether the parameters were made for these comparisons (names and level counts).
    pub(crate) fn fits(&self, comparisons: &[Comparison]) -> Result<(), Error> {
        let same = self.comparisons.len() == comparisons.len()
            && self
                .comparisons
                .iter()
                .zip(comparisons)
                .all(|(p, c)| p.name == c.name && p.levels.len() == c.level_count());
        if same {
            Ok(())
        } else {
            Err(bad_params())
        }
    }

    /// Prior weight `log2(λ / (1-λ))`.
    pub fn prior_weight(&self) -> f64 {
        (self.prior / (1.0 - self.prior)).log2()
    }

    /// `log2(m/u)` per comparison and level.
    pub(crate) fn weights(&self) -> Vec<Vec<f64>> {
        self.comparisons
            .iter()
            .map(|c| c.levels.iter().map(|l| (l.m / l.u).log2()).collect())
            .collect()
    }
}

fn bad_params() -> Error {
    Error::new(Subject::Link, ErrorCode::LinkBadParams)
}

/// Match probability of a total match weight (prior included).
pub fn probability(weight: f64) -> f64 {
    1.0 / (1.0 + (-weight).exp2())
}

/// Counts of levels per comparison over sampled patterns, turned into
/// smoothed frequencies (add-½, so an unseen level gets a small, not zero, u).
pub(crate) fn level_frequencies(
    patterns: impl Iterator<Item = u64>,
    comparisons: &[Comparison],
) -> Vec<Vec<f64>> {
    let mut counts: Vec<Vec<f64>> = comparisons
        .iter()
        .map(|c| vec![0.0; c.level_count()])
        .collect();
    for p in patterns {
        for (k, row) in counts.iter_mut().enumerate() {
            if let Some(x) = row.get_mut(usize::from(level_of(p, k))) {
                *x += 1.0;
            }
        }
    }
    counts
        .into_iter()
        .map(|row| {
            let n: f64 = row.iter().sum::<f64>() + 0.5 * row.len() as f64;
            row.iter().map(|x| (x + 0.5) / n).collect()
        })
        .collect()
}

/// EM settings.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct EmSettings {
    /// Stop after this many iterations.
    pub max_iterations: u32,
    /// Stop when no probability moves more than this.
    pub tolerance: f64,
    /// Random pairs sampled to estimate u.
    pub u_sample_pairs: u32,
    /// Seed of the u sampling (and of nothing else).
    pub seed: u64,
}

impl Default for EmSettings {
    fn default() -> Self {
        EmSettings {
            max_iterations: 100,
            tolerance: 1e-5,
            u_sample_pairs: 200_000,
            seed: 0x5eed_114b,
        }
    }
}

/// What EM returns.
#[derive(Debug, Clone)]
pub(crate) struct EmFit {
    pub m: Vec<Vec<f64>>,
    /// Share of matches among the candidate pairs.
    pub match_rate: f64,
    pub iterations: u32,
}

/// Fits a two-class latent model over candidate patterns (deduplicated with
/// counts). `u_start` seeds the non-match class; m starts favouring the top
/// levels (each level 4× as likely as the one below), which names the first
/// class "match".
pub(crate) fn expectation_maximisation(
    patterns: &HashMap<u64, u32>,
    comparisons: &[Comparison],
    u_start: &[Vec<f64>],
    settings: &EmSettings,
    progress: &mut dyn FnMut(&str, usize, usize),
) -> EmFit {
    let mut m: Vec<Vec<f64>> = comparisons
        .iter()
        .map(|c| {
            let raw: Vec<f64> = (0..c.level_count()).map(|l| 4f64.powi(l as i32)).collect();
            let s: f64 = raw.iter().sum();
            raw.iter().map(|x| x / s).collect()
        })
        .collect();
    let mut u = u_start.to_vec();
    let mut rate: f64 = 0.1;
    // Sorted: the sums below then run in one order, so the same patterns give
    // bit-identical parameters in every run (a HashMap's order is random).
    let mut pats: Vec<(u64, f64)> = patterns.iter().map(|(&p, &n)| (p, f64::from(n))).collect();
    pats.sort_unstable_by_key(|&(p, _)| p);
    let total: f64 = pats.iter().map(|x| x.1).sum();
    let k_count = comparisons.len();
    let mut iterations = 0;
    if total == 0.0 {
        return EmFit {
            m,
            match_rate: 0.0,
            iterations,
        };
    }
    let mut levels = vec![0u8; k_count];
    for it in 0..settings.max_iterations {
        iterations = it + 1;
        let mut m_acc: Vec<Vec<f64>> = m.iter().map(|r| vec![0.0; r.len()]).collect();
        let mut u_acc = m_acc.clone();
        let mut matches = 0.0;
        for &(p, n) in &pats {
            let (mut lm, mut lu) = (rate.ln(), (1.0 - rate).ln());
            for (k, l) in levels.iter_mut().enumerate() {
                *l = level_of(p, k);
                if *l != NULL_LEVEL {
                    let li = usize::from(*l);
                    lm += m[k][li].ln();
                    lu += u[k][li].ln();
                }
            }
            // Posterior of "match", stable in log space.
            let post = 1.0 / (1.0 + (lu - lm).exp());
            matches += post * n;
            for (k, &l) in levels.iter().enumerate() {
                if l != NULL_LEVEL {
                    m_acc[k][usize::from(l)] += post * n;
                    u_acc[k][usize::from(l)] += (1.0 - post) * n;
                }
            }
        }
        let normalise = |acc: Vec<Vec<f64>>| -> Vec<Vec<f64>> {
            acc.into_iter()
                .map(|row| {
                    // A tiny pseudo-count keeps every level possible (no log 0).
                    let s: f64 = row.iter().sum::<f64>() + 0.01 * row.len() as f64;
                    row.iter().map(|x| (x + 0.01) / s).collect()
                })
                .collect()
        };
        let new_m = normalise(m_acc);
        let new_u = normalise(u_acc);
        let new_rate = (matches / total).clamp(1e-9, 1.0 - 1e-9);
        let delta = new_m
            .iter()
            .flatten()
            .zip(m.iter().flatten())
            .chain(new_u.iter().flatten().zip(u.iter().flatten()))
            .map(|(a, b)| (a - b).abs())
            .fold((new_rate - rate).abs(), f64::max);
        m = new_m;
        u = new_u;
        rate = new_rate;
        progress("em", iterations as usize, settings.max_iterations as usize);
        if delta < settings.tolerance {
            break;
        }
    }
    EmFit {
        m,
        match_rate: rate,
        iterations,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probability_of_weights() {
        assert_eq!(probability(0.0), 0.5);
        assert!((probability(10.0) - 1024.0 / 1025.0).abs() < 1e-12);
    }

    #[test]
    fn frequencies_are_smoothed_and_ignore_nulls() {
        let c = vec![Comparison::token("email", false)];
        // 3 × agree (1), 1 × disagree (0), 2 × null (15).
        let f = level_frequencies([1u64, 1, 1, 0, 15, 15].into_iter(), &c);
        assert!((f[0][1] - 3.5 / 5.0).abs() < 1e-12);
        assert!((f[0][0] - 1.5 / 5.0).abs() < 1e-12);
    }

    #[test]
    fn params_json_rejects_bad_values() {
        let good = r#"{"version":1,"prior":0.001,"comparisons":[{"name":"email","levels":[{"label":"disagree","m":0.1,"u":0.9},{"label":"agree","m":0.9,"u":0.1}]}]}"#;
        assert!(ModelParams::from_json(good).is_ok());
        for bad in [
            good.replace("\"version\":1", "\"version\":2"),
            good.replace("0.001", "0"),
            good.replace("\"m\":0.9", "\"m\":1.5"),
            "{}".to_owned(),
        ] {
            assert_eq!(
                ModelParams::from_json(&bad).unwrap_err().code(),
                ErrorCode::LinkBadParams
            );
        }
    }
}
