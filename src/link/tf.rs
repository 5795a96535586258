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
    /// frequencies of the job that trained the model. The job's tag table
    /// is copied as it is (two flat arrays), not hashed again into a map:
    /// in wasm, hashing every token of a 10k × 10k job cost ~50 ms.
    pub fn corpus(&self, interner: &Interner) -> Corpus {
        Corpus {
            tags: interner.tags.clone(),
            counts: self.counts.clone(),
            denominators: self.denominators.clone(),
        }
    }

    /// Frequencies for a small job (one explained pair) from a kept corpus.
    pub fn from_corpus(corpus: &Corpus, interner: &Interner) -> Self {
        TermFrequencies {
            counts: interner
                .tags
                .tags()
                .iter()
                .map(|t| {
                    corpus
                        .tags
                        .get(t)
                        .and_then(|id| corpus.counts.get(id as usize))
                        .copied()
                        .unwrap_or(0)
                })
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

/// Records other than an agreeing pair's two that hold its token, plus one
/// pseudo-record: `count − 1` (at least 1: a kept corpus may not have
/// counted both of a later pair's records).
fn pair_excluded(count: u32) -> f64 {
    f64::from(count.saturating_sub(1).max(1))
}

/// Token counts of a finished job, by tag.
#[derive(Debug, Clone, Default)]
pub(crate) struct Corpus {
    tags: super::tags::TagTable,
    /// Records holding each of `tags`, by id.
    counts: Vec<u32>,
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
    fn a_kept_corpus_gives_each_tag_its_count_in_a_later_job() {
        let tag = |b: u8| [b; 32];
        let mut job = Interner::default();
        for b in [1, 2, 3] {
            job.id(&tag(b), None);
        }
        job.counts = vec![5, 1, 9];
        let tf = TermFrequencies {
            counts: job.counts.clone(),
            denominators: vec![10],
        };
        let corpus = tf.corpus(&job);
        // The explained pair's own job: other ids, a tag the corpus lacks.
        let mut later = Interner::default();
        for b in [3, 4, 1] {
            later.id(&tag(b), None);
        }
        let again = TermFrequencies::from_corpus(&corpus, &later);
        assert_eq!(again.counts, [9, 0, 5]);
        assert_eq!(again.denominators, [10]);
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
