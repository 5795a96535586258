//! Candidate pairs: exact agreement on blocking tokens, plus locality-sensitive
//! hashing on CLKs so that pairs with typos everywhere are not lost.
//!
//! **Hamming bit-sampling LSH.** Each band samples `bitsPerBand` seeded bit
//! positions of a CLK; two records land in the same bucket of a band when they
//! agree on all of them. A pair agreeing on a fraction `s` of its bits shares
//! a band with probability `s^k`, and some band of `L` with `1-(1-s^k)^L`.
//! With `bitsPerBand = 0` (the default) `k` is tuned to the data: from the
//! measured bit densities `p_i`, two random CLKs agree on a bit with
//! probability `r = mean(p_i² + (1-p_i)²)`, and `k` is the smallest for which
//! random pairs add at most `randomPairsPerRecord` candidates per record over
//! all bands. Similar CLKs agree on far more bits than `r`, so they survive.
//! Worked example at 10k × 10k, 1024 bits, 30% density, 64 bands: `r` = 0.58
//! gives k = 18; a pair at Dice 0.7 agrees on ~82% of bits and shares some
//! band with probability ≈ 0.84, at Dice 0.8 (88%) ≈ 0.999, while random pairs
//! add ≈ 20 candidates per record. Pairs fuzzier than that are left to the
//! exact buckets (tests/link.rs checks both parts).

use super::dice::ClkRows;
use super::encoded::Dataset;
use super::engine::index::{BatchBuckets, IdenticalClasses, SIDE_B};
use super::engine::lsh::{hash_words, row_key, words_of, LshConfig};
use super::engine::pair::sort_dedup;
use super::engine::{auto_bits, Bands, Pair};
use serde::{Deserialize, Serialize};

/// How candidate pairs are found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct BlockingConfig {
    /// Token subjects whose agreement makes a candidate pair; a trailing `*`
    /// is a prefix (`mk-*` = every match key).
    pub exact_subjects: Vec<String>,
    /// A bucket (exact or LSH) making more pairs than this is skipped: it is a
    /// placeholder value, not evidence, and would swamp the scoring.
    pub max_block_pairs: u64,
    /// LSH on CLKs.
    pub lsh: Vec<LshConfig>,
}

impl Default for BlockingConfig {
    /// Passes that keep ≥ 99.5% of true pairs on the quality data at 2.9×
    /// the candidates of the record-CLK pass alone (BENCHMARKS.md, "Blocking
    /// that keeps the pairs"): exact identifiers, dates of birth, names and
    /// streets and every match key; LSH on the record CLK at one random pair
    /// per record; and LSH on each name's CLK, which finds the customers who
    /// moved and changed e-mail and phone and share only a (mistyped) name.
    fn default() -> Self {
        BlockingConfig {
            exact_subjects: vec![
                "email".into(),
                "phone".into(),
                "dateOfBirth".into(),
                "lastName".into(),
                "firstName".into(),
                "street".into(),
                "mk-*".into(),
            ],
            max_block_pairs: 10_000,
            lsh: vec![
                LshConfig {
                    random_pairs_per_record: 1.0,
                    ..LshConfig::default()
                },
                LshConfig::names("lastName", 1),
                LshConfig::names("firstName", 2),
            ],
        }
    }
}

impl BlockingConfig {
    /// The blocking before names joined it: exact identifiers, dates of
    /// birth and match keys, and LSH on the record CLK. The identity
    /// graph keeps it (with lighter LSH): its person rules never link on a
    /// name alone, so name passes would only add pairs to score.
    pub fn record_only() -> Self {
        BlockingConfig {
            exact_subjects: vec![
                "email".into(),
                "phone".into(),
                "dateOfBirth".into(),
                "mk-*".into(),
            ],
            max_block_pairs: 10_000,
            lsh: vec![LshConfig::default()],
        }
    }
}

/// Candidate pairs, sorted and deduplicated, and the blocking passes that
/// found each: bit 0 the exact tokens, bit `1 + n` LSH configuration `n`
/// (configurations past the 31st share bit 31).
#[derive(Debug, Default)]
pub(crate) struct Candidates {
    pub pairs: Vec<Pair>,
    pub passes: Vec<u32>,
    /// Pairs each pass found (exact tokens first, then each LSH configuration).
    pub per_pass: Vec<usize>,
}

impl Candidates {
    /// Keeps the pairs `keep` accepts.
    pub fn retain(&mut self, mut keep: impl FnMut(Pair) -> bool) {
        let mut n = 0;
        for k in 0..self.pairs.len() {
            if keep(self.pairs[k]) {
                self.pairs[n] = self.pairs[k];
                self.passes[n] = self.passes[k];
                n += 1;
            }
        }
        self.pairs.truncate(n);
        self.passes.truncate(n);
    }
}

/// Bit of pass `n` in [`Candidates::passes`].
fn pass_bit(n: usize) -> u32 {
    1 << n.min(31)
}

/// The union of sorted, deduplicated pair lists, with the lists each pair
/// is in (a k-way merge: no sort of the union).
fn merge(sets: &[Vec<Pair>]) -> (Vec<Pair>, Vec<u32>) {
    let mut heads = vec![0usize; sets.len()];
    let most = sets.iter().map(Vec::len).max().unwrap_or(0);
    let (mut pairs, mut passes) = (Vec::with_capacity(most), Vec::with_capacity(most));
    loop {
        let mut min: Option<Pair> = None;
        for (s, &h) in sets.iter().zip(&heads) {
            if let Some(&p) = s.get(h) {
                if min.is_none_or(|m| p < m) {
                    min = Some(p);
                }
            }
        }
        let Some(m) = min else {
            break;
        };
        let mut mask = 0;
        for (n, (s, h)) in sets.iter().zip(heads.iter_mut()).enumerate() {
            if s.get(*h) == Some(&m) {
                mask |= pass_bit(n);
                *h += 1;
            }
        }
        pairs.push(m);
        passes.push(mask);
    }
    (pairs, passes)
}

/// Pair completeness estimated from the data alone, without labels, from
/// the pairs that scored at or above the threshold and the passes that
/// found them (`passes` of those pairs; `count` passes in all).
///
/// Capture–recapture: for each pass, the share of the likely matches found
/// by the other passes that it missed estimates its miss rate; a match is
/// lost when every pass misses it, so with passes that miss independently
/// completeness is `1 − Π miss rate`. For two passes this is the
/// Lincoln–Petersen estimate (`|found| / (n₁ n₂ / m)`). Passes that miss
/// the same pairs (both need the same field) make it optimistic; a pass no
/// other pass overlaps says nothing and is left out. `None` with fewer than
/// two passes or no likely match.
pub(crate) fn estimate_completeness(
    passes: impl Iterator<Item = u32>,
    count: usize,
) -> Option<f64> {
    if count < 2 {
        return None;
    }
    // Per pass: (likely matches others found, of those the ones it missed).
    let mut seen = vec![(0u64, 0u64); count.min(32)];
    for mask in passes {
        for (n, (others, missed)) in seen.iter_mut().enumerate() {
            let bit = pass_bit(n);
            if mask & !bit != 0 {
                *others += 1;
                if mask & bit == 0 {
                    *missed += 1;
                }
            }
        }
    }
    let mut miss = 1.0;
    let mut any = false;
    for &(others, missed) in &seen {
        if others > 0 {
            miss *= missed as f64 / others as f64;
            any = true;
        }
    }
    any.then_some(1.0 - miss)
}

/// Candidate pairs between `a` and `b` (`b = None`: within `a`, as `i < j`),
/// sorted and deduplicated, with the passes that found them. `lsh_col` is
/// the CLK columns of each LSH configuration.
pub(crate) fn candidates(
    config: &BlockingConfig,
    lsh_col: &[Vec<usize>],
    a: &Dataset,
    b: Option<&Dataset>,
    progress: &mut dyn FnMut(&str, usize, usize),
) -> Candidates {
    let link = b.is_some();
    let total_bands: usize = config.lsh.iter().map(|l| l.bands as usize).sum();
    progress("block", 0, total_bands);
    let mut out = Vec::new();
    let mut buckets = BatchBuckets::default();
    let sides: Vec<(&Dataset, u32)> = match b {
        Some(b) => vec![(a, 0), (b, SIDE_B)],
        None => vec![(a, 0)],
    };
    // Exact: one bucket per token (interned ids are unique across key ids).
    for &(d, flag) in &sides {
        for i in 0..d.len() {
            for &(_, tok) in d.block_keys.of(i) {
                buckets.items.push((u64::from(tok), i as u32 | flag));
            }
        }
    }
    buckets.emit(link, config.max_block_pairs, &mut out);
    let mut sets = Vec::with_capacity(1 + config.lsh.len());
    let mut scratch = Vec::new();
    sort_dedup(&mut out, &mut scratch);
    sets.push(std::mem::take(&mut out));
    let mut done = 0;
    for (n, lsh) in config.lsh.iter().enumerate() {
        let cols = lsh_col.get(n).cloned().unwrap_or_default();
        let stores: Vec<(&ClkRows, u32)> = sides.iter().map(|&(d, f)| (&d.clks, f)).collect();
        let bits: Vec<usize> = cols.iter().map(|&c| a.clks.width(c) * 8).collect();
        if bits.is_empty() || bits.contains(&0) {
            sets.push(Vec::new());
            continue;
        }
        let k = match lsh.bits_per_band {
            0 => auto_bits(
                &stores,
                &cols,
                &bits,
                lsh,
                a.len(),
                b.map_or(a.len(), Dataset::len),
                link,
            ),
            k => k as usize,
        };
        let scheme = Bands::new(lsh, cols, &bits, k);
        let bands = scheme.bands;
        // All band keys of a record in one visit (its CLK stays in L1), band-major.
        let total: usize = stores.iter().map(|(s, _)| s.len()).sum();
        let mut keys: Vec<(u64, u32)> = vec![(0, 0); bands * total];
        let words_by_row: Vec<_> = stores
            .iter()
            .flat_map(|&(s, _)| (0..s.len()).map(|i| words_of(s, i, &scheme.cols)))
            .collect();
        let mut classes = IdenticalClasses::new(&words_by_row, hash_words, a.clks.len());
        // Identical CLKs (a common name) have identical band keys: sample
        // each class's bits once and copy them to the rest of the class.
        let mut sampled_at = vec![usize::MAX; classes.count()];
        // Both sides' rows have the job's one layout.
        let positions = scheme.row_positions(&a.clks);
        let k = scheme.bits_per_band;
        let mut row = 0;
        for &(s, flag) in &stores {
            for i in 0..s.len() {
                let item = i as u32 | flag;
                let class = classes.of_row(row);
                match class.map(|c| sampled_at[c]) {
                    Some(first) if first != usize::MAX => {
                        for band in 0..bands {
                            keys[band * total + row] = (keys[band * total + first].0, item);
                        }
                    }
                    _ => {
                        let present = words_by_row[row].is_some();
                        let clk_row = s.row(i);
                        for (band, at) in positions.chunks_exact(k.max(1)).enumerate() {
                            // Absent CLKs get the marker key u64::MAX, skipped below.
                            let key = if present {
                                row_key(clk_row, at)
                            } else {
                                u64::MAX
                            };
                            if let Some(slot) = keys.get_mut(band * total + row) {
                                *slot = (key, item);
                            }
                        }
                        if let Some(c) = class {
                            sampled_at[c] = row;
                        }
                    }
                }
                row += 1;
            }
        }
        drop(words_by_row);
        for band in 0..bands {
            buckets.items.extend(
                keys[band * total..(band + 1) * total]
                    .iter()
                    .filter(|x| x.0 != u64::MAX),
            );
            buckets.emit_band(link, config.max_block_pairs, &mut out, &mut classes);
            done += 1;
            progress("block", done, total_bands);
        }
        sort_dedup(&mut out, &mut scratch);
        sets.push(std::mem::take(&mut out));
    }
    let (pairs, passes) = merge(&sets);
    Candidates {
        pairs,
        passes,
        per_pass: sets.iter().map(Vec::len).collect(),
    }
}

/// Share of true pairs that blocking kept (`truth` and `candidates` in the
/// same orientation). 1.0 when there is no truth.
pub fn pair_completeness(candidates: &[(usize, usize)], truth: &[(usize, usize)]) -> f64 {
    if truth.is_empty() {
        return 1.0;
    }
    let set: std::collections::HashSet<_> = candidates.iter().collect();
    truth.iter().filter(|t| set.contains(t)).count() as f64 / truth.len() as f64
}

/// Share of all pairs that blocking spared from scoring: `1 - candidates/total`.
pub fn reduction_ratio(candidates: usize, total_pairs: f64) -> f64 {
    if total_pairs <= 0.0 {
        return 0.0;
    }
    1.0 - candidates as f64 / total_pairs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_marks_the_passes_that_found_each_pair() {
        let p = Pair::new;
        let sets = vec![
            vec![p(0, 1), p(2, 3)],
            vec![],
            vec![p(0, 1), p(1, 0), p(4, 4)],
        ];
        let (pairs, passes) = merge(&sets);
        assert_eq!(pairs, vec![p(0, 1), p(1, 0), p(2, 3), p(4, 4)]);
        assert_eq!(passes, vec![0b101, 0b100, 0b001, 0b100]);
    }

    #[test]
    fn estimate_is_lincoln_petersen_for_two_passes() {
        // n1 = 80 (found by pass 0), n2 = 60, m = 50 both: N = 96, found 90.
        let masks = std::iter::repeat_n(0b11, 50)
            .chain(std::iter::repeat_n(0b01, 30))
            .chain(std::iter::repeat_n(0b10, 10));
        let e = estimate_completeness(masks, 2).unwrap_or(0.0);
        assert!((e - 90.0 / (80.0 * 60.0 / 50.0)).abs() < 1e-12, "{e}");
        // Nothing to judge by: one pass, or no likely match.
        assert_eq!(estimate_completeness([0b1u32].into_iter(), 1), None);
        assert_eq!(estimate_completeness(std::iter::empty(), 3), None);
        // Every pass found every likely match: nothing seems missed.
        assert_eq!(
            estimate_completeness([0b11u32; 5].into_iter(), 2),
            Some(1.0)
        );
    }
}
