//! Scoring a pair with fitted parameters, and explaining the score as a
//! waterfall: prior weight + one match weight per comparison = final weight.

use super::comparison::{Comparison, ComparisonKind, NULL_LEVEL};
use super::encoded::{agreeing_token, level_of, outcomes, tf_token, Dataset};
use super::model::{probability, ModelParams};
use super::tf::{tf_adjustment, TermFrequencies};
use serde::{Deserialize, Serialize};

/// Why a pair got its probability: the bars of a waterfall chart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Explanation {
    /// `log2(λ/(1-λ))`: where every pair starts.
    pub prior_weight: f64,
    /// One bar per comparison, in configuration order.
    pub contributions: Vec<Contribution>,
    /// Prior weight plus every contribution's match weight.
    pub match_weight: f64,
    /// `1 / (1 + 2^-matchWeight)`.
    pub probability: f64,
}

/// One comparison's part of a pair's match weight.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Contribution {
    /// The comparison's name.
    pub comparison: String,
    /// The level's label (`agree`, `dice≥0.85`), `nickname` when the nickname
    /// tokens agreed and lifted a lower Dice (weighed as the level below the
    /// top), or `null` when either side lacks the data.
    pub level: String,
    /// Dice similarity, for CLK comparisons with both CLKs present.
    pub similarity: Option<f64>,
    /// `log2(m/u)` of the level, term-frequency adjustment included (0 for null).
    pub match_weight: f64,
    /// The term-frequency part of `matchWeight` (0 when not adjusted).
    pub tf_adjustment: f64,
}

/// Fitted parameters turned into per-level weights for fast scoring.
#[derive(Debug, Clone)]
pub(crate) struct Scorer<'c> {
    comparisons: &'c [Comparison],
    params: &'c ModelParams,
    weights: Vec<Vec<f64>>,
    /// `weights` indexed by any 4-bit level, the null level's 0: the
    /// scoring loop adds one entry per comparison, without a branch or a
    /// bounds check (adding 0 for null leaves the sum as skipping did).
    by_level: Vec<[f64; 16]>,
    prior_weight: f64,
    tf_minimum_u: f64,
    /// Comparisons with term-frequency adjustment, the level it applies
    /// to, and that level's u.
    tf_comparisons: Vec<(usize, u8, f64)>,
}

impl<'c> Scorer<'c> {
    /// A scorer for parameters that fit `comparisons` (checked by the caller).
    pub fn new(comparisons: &'c [Comparison], params: &'c ModelParams, tf_minimum_u: f64) -> Self {
        let tf_comparisons = comparisons
            .iter()
            .enumerate()
            .filter_map(|(k, c)| {
                let level = c.tf_level()?;
                let u = params.comparisons.get(k)?.levels.get(usize::from(level))?.u;
                Some((k, level, u))
            })
            .collect();
        let weights = params.weights();
        let by_level = weights
            .iter()
            .map(|row| {
                let mut t = [0.0; 16];
                for (slot, &w) in t.iter_mut().zip(row).take(usize::from(NULL_LEVEL)) {
                    *slot = w;
                }
                t
            })
            .collect();
        Scorer {
            comparisons,
            params,
            weights,
            by_level,
            prior_weight: params.prior_weight(),
            tf_minimum_u,
            tf_comparisons,
        }
    }

    /// Match weight of a pair whose levels are `pattern`.
    #[inline]
    pub fn weight(
        &self,
        pattern: u64,
        a: &Dataset,
        i: usize,
        b: &Dataset,
        j: usize,
        tf: &TermFrequencies,
    ) -> f64 {
        let mut w = self.prior_weight;
        for (k, row) in self.by_level.iter().enumerate() {
            w += row[usize::from(level_of(pattern, k))];
        }
        for &(k, level, u) in &self.tf_comparisons {
            if level_of(pattern, k) == level {
                let token = self.tf_token(k, a, i, b, j);
                w += self.tf_part(k, u, token, tf);
            }
        }
        w
    }

    /// The token whose frequency adjusts comparison `k` for this pair.
    fn tf_token(&self, k: usize, a: &Dataset, i: usize, b: &Dataset, j: usize) -> Option<u32> {
        match self.comparisons[k].kind {
            ComparisonKind::Clk => tf_token(k, a, i, b, j),
            _ => agreeing_token(k, a, i, b, j),
        }
    }

    fn tf_part(&self, k: usize, u: f64, token: Option<u32>, tf: &TermFrequencies) -> f64 {
        token
            .and_then(|t| tf.frequency(k, t))
            .map_or(0.0, |f| tf_adjustment(u, f, self.tf_minimum_u))
    }

    /// The full explanation of one pair.
    pub fn explain(
        &self,
        a: &Dataset,
        i: usize,
        b: &Dataset,
        j: usize,
        tf: &TermFrequencies,
    ) -> Explanation {
        let mut contributions = Vec::with_capacity(self.comparisons.len());
        let mut total = self.prior_weight;
        let all = outcomes(self.comparisons, a, i, b, j);
        for ((k, c), o) in self.comparisons.iter().enumerate().zip(all) {
            let (level, weight, adj) = if o.level == NULL_LEVEL {
                ("null".to_owned(), 0.0, 0.0)
            } else {
                let l = usize::from(o.level);
                let adj = match self.tf_comparisons.iter().find(|x| x.0 == k) {
                    Some(&(_, level, u)) if o.level == level => {
                        self.tf_part(k, u, self.tf_token(k, a, i, b, j), tf)
                    }
                    _ => 0.0,
                };
                let label = if o.nickname {
                    "nickname".to_owned()
                } else {
                    self.params.comparisons[k].levels[l].label.clone()
                };
                (label, self.weights[k][l] + adj, adj)
            };
            total += weight;
            contributions.push(Contribution {
                comparison: c.name.clone(),
                level,
                similarity: o.similarity,
                match_weight: weight,
                tf_adjustment: adj,
            });
        }
        Explanation {
            prior_weight: self.prior_weight,
            contributions,
            match_weight: total,
            probability: probability(total),
        }
    }
}
