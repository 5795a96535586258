//! Term-frequency adjustment of token agreement (Splink's formula).
//!
//! Agreeing on a common value (a shared family e-mail, a placeholder date of
//! birth) is weaker evidence than agreeing on a rare one. On agreement, the
//! level's `u` (chance agreement of two random records) is replaced by the
//! token's own frequency among the records, bounded below by `min_u`:
//!
//! ```text
//! adjustment = log2(u_agree / max(freq(token), min_u))
//! weight     = log2(m_agree / u_agree) + adjustment
//! ```
//!
//! The frequency is the chance that a record *other than the pair's two*
//! holds the token: both of the pair's records hold it by definition, so
//! counting them (Splink's `count / n`) makes every value look at least
//! `2 / n` common, and a value nobody else holds (most dates of birth in a
//! job of 20,000 records) reads as common as one a third record shares. With
//! one pseudo-record, so a value seen nowhere else keeps a small chance:
//! `freq = (count − 2 + 1) / n`. Measured in BENCHMARKS.md ("Calibration:
//! the token frequency without the pair's own records").
//!
//! Only token counts are used: which records hold the same token is exactly
//! what the holder of the tokens can already see (see SECURITY.md).

use super::comparison::{Comparison, ComparisonKind};
use super::encoded::{Dataset, Interner, TokenColumn};

/// Fewest records carrying a field before its CLK comparison's top level
/// is adjusted by the field token's frequency (below it, no adjustment).
pub(crate) const MIN_NAME_RECORDS: u32 = 1_000;

/// Token frequencies over all records of a linking job.
#[derive(Debug, Clone, Default)]
pub(crate) struct TermFrequencies {
    /// Records holding each interned token.
    counts: Vec<u32>,
    /// Per comparison: records holding any token of its subject.
    denominators: Vec<u32>,
}

impl TermFrequencies {
    /// Counts from the interner and the prepared datasets.
    pub fn new(interner: &Interner, comparisons: &[Comparison], datasets: &[&Dataset]) -> Self {
        // Records holding any token of a column, over all datasets.
        let holding = |column: fn(&Dataset) -> &[TokenColumn], k: usize| -> u32 {
            datasets
                .iter()
                .map(|d| {
                    (0..d.len())
                        .filter(|&i| !column(d)[k].of(i).is_empty())
                        .count() as u32
                })
                .sum()
        };
        let denominators = comparisons
            .iter()
            .enumerate()
            .map(|(k, c)| match c.kind {
                ComparisonKind::Token => holding(|d| &d.tokens, k),
                ComparisonKind::Clk if c.tf_adjustment => {
                    // A name's frequency needs a crowd to be measured: in a
                    // small job a couple's shared surname is "everyone's".
                    let n = holding(|d| &d.tf_tokens, k);
                    if n >= MIN_NAME_RECORDS {
                        n
                    } else {
                        0
                    }
                }
                ComparisonKind::Clk | ComparisonKind::Group => 0,
            })
            .collect();
        TermFrequencies {
            counts: interner.counts.clone(),
            denominators,
        }
    }

    /// Frequency of `token`, which a pair agrees on, among the other
    /// records carrying comparison `k`'s subject (see the module
    /// documentation); `None` when the token was not counted.
    pub fn frequency(&self, k: usize, token: u32) -> Option<f64> {
        frequency_of(
            *self.counts.get(token as usize)?,
            *self.denominators.get(k)?,
        )
    }

    /// Keeps the counts by tag, so later explanations of single pairs use the
    /// frequencies of the job that trained the model.
    pub fn corpus(&self, interner: &Interner) -> Corpus {
        Corpus {
            by_tag: interner
                .tag_of
                .iter()
                .zip(&self.counts)
                .map(|(t, &c)| (*t, c))
                .collect(),
            denominators: self.denominators.clone(),
        }
    }

    /// Frequencies for a small job (one explained pair) from a kept corpus.
    pub fn from_corpus(corpus: &Corpus, interner: &Interner) -> Self {
        TermFrequencies {
            counts: interner
                .tag_of
                .iter()
                .map(|t| corpus.by_tag.get(t).copied().unwrap_or(0))
                .collect(),
            denominators: corpus.denominators.clone(),
        }
    }
}

/// The frequency of a token `count` records hold among `n` (see
/// [`TermFrequencies::frequency`]).
fn frequency_of(count: u32, n: u32) -> Option<f64> {
    (n > 0 && count > 0).then(|| pair_excluded(count) / f64::from(n))
}

/// Counts below this have their adjustment precomputed.
const TABLE: u32 = 1024;

/// One comparison's adjustments for agreeing on a token, precomputed by
/// count for a job's frequencies: the scoring loop would otherwise take a
/// logarithm for every agreeing pair (in software, in wasm). The same
/// values as [`tf_adjustment`] of [`TermFrequencies::frequency`].
#[derive(Debug, Clone)]
pub(crate) struct Adjustments {
    k: usize,
    n: u32,
    u_agree: f64,
    min_u: f64,
    by_count: Vec<f64>,
}

impl Adjustments {
    /// Comparison `k`'s adjustments under `tf`, for its agree level's u.
    pub fn new(tf: &TermFrequencies, k: usize, u_agree: f64, min_u: f64) -> Self {
        let n = tf.denominators.get(k).copied().unwrap_or(0);
        let of = |c| frequency_of(c, n).map_or(0.0, |f| tf_adjustment(u_agree, f, min_u));
        Adjustments {
            k,
            n,
            u_agree,
            min_u,
            by_count: (0..TABLE).map(of).collect(),
        }
    }

    /// The adjustment for agreeing on `token` (0 for none, or a token not
    /// counted): from the table when `tf` has the counts it was made for.
    #[inline]
    pub fn of(&self, tf: &TermFrequencies, token: Option<u32>) -> f64 {
        let (Some(t), Some(&n)) = (token, tf.denominators.get(self.k)) else {
            return 0.0;
        };
        let Some(&c) = tf.counts.get(t as usize) else {
            return 0.0;
        };
        match self.by_count.get(c as usize) {
            Some(&adjustment) if n == self.n => adjustment,
            _ => frequency_of(c, n).map_or(0.0, |f| tf_adjustment(self.u_agree, f, self.min_u)),
        }
    }
}

/// Records other than an agreeing pair's two that hold its token, plus one
/// pseudo-record: `count − 1` (at least 1: a kept corpus may not have
/// counted both of a later pair's records).
fn pair_excluded(count: u32) -> f64 {
    f64::from(count.saturating_sub(1).max(1))
}

/// Token counts of a finished job, by tag.
#[derive(Debug, Clone, Default)]
pub(crate) struct Corpus {
    by_tag: std::collections::HashMap<[u8; 32], u32>,
    denominators: Vec<u32>,
}

/// The weight adjustment (bits) for agreeing on a token of frequency `freq`
/// when the agree level's u is `u_agree`.
pub fn tf_adjustment(u_agree: f64, freq: f64, min_u: f64) -> f64 {
    (u_agree / freq.max(min_u).max(f64::MIN_POSITIVE)).log2()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pairs_own_records_do_not_count_towards_the_frequency() {
        // Only the pair holds it: one pseudo-record. A third record: two.
        assert_eq!(pair_excluded(2), 1.0);
        assert_eq!(pair_excluded(3), 2.0);
        assert_eq!(pair_excluded(601), 600.0);
        // Never zero, even for a count a kept corpus lacks.
        assert_eq!(pair_excluded(1), 1.0);
        assert_eq!(pair_excluded(0), 1.0);
    }

    #[test]
    fn the_table_holds_the_adjustments_it_replaces() {
        let tf = TermFrequencies {
            counts: vec![0, 1, 2, 3, 600, 1023, 1024, 5000],
            denominators: vec![0, 12_000],
        };
        let (u, min_u) = (0.003, 1e-6);
        let table = Adjustments::new(&tf, 1, u, min_u);
        for t in 0..tf.counts.len() as u32 {
            let want = tf
                .frequency(1, t)
                .map_or(0.0, |f| tf_adjustment(u, f, min_u));
            assert_eq!(
                table.of(&tf, Some(t)).to_bits(),
                want.to_bits(),
                "token {t}"
            );
        }
        assert_eq!(table.of(&tf, None), 0.0);
        assert_eq!(table.of(&tf, Some(99)), 0.0);
        // Another job's counts are computed, not looked up.
        let other = TermFrequencies {
            counts: vec![3],
            denominators: vec![0, 50],
        };
        let want = tf_adjustment(u, 2.0 / 50.0, min_u);
        assert_eq!(table.of(&other, Some(0)), want);
    }

    #[test]
    fn common_tokens_weigh_less_rare_ones_more() {
        let u = 0.001;
        assert!(tf_adjustment(u, 0.2, 1e-6) < -7.0);
        assert!(tf_adjustment(u, 0.0001, 1e-6) > 3.0);
        // The bound caps how much a unique token can gain.
        assert_eq!(tf_adjustment(u, 1e-9, 0.001), 0.0);
    }
}
