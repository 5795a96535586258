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
pub use super::engine::lsh::LshConfig;
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
    fn default() -> Self {
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

/// Side flag in a bucket item: record of the second dataset.
const SIDE_B: u32 = 1 << 31;

/// Collects `(key, record)` items and emits the pairs of equal keys.
struct Buckets {
    items: Vec<(u64, u32)>,
}

impl Buckets {
    /// Emits pairs of each run of equal keys: across sides when `link`,
    /// every unordered pair when not. Runs over `max_pairs` are skipped.
    fn emit(&mut self, link: bool, max_pairs: u64, out: &mut Vec<Pair>) {
        self.items.sort_unstable();
        let mut start = 0;
        while start < self.items.len() {
            let key = self.items[start].0;
            let mut end = start + 1;
            while end < self.items.len() && self.items[end].0 == key {
                end += 1;
            }
            let run = &self.items[start..end];
            if link {
                // Sorted: side-A items (flag clear) come first.
                let split = run.partition_point(|x| x.1 & SIDE_B == 0);
                let (a, b) = run.split_at(split);
                if (a.len() as u64) * (b.len() as u64) <= max_pairs {
                    for x in a {
                        for y in b {
                            out.push(Pair::new(x.1, y.1 & !SIDE_B));
                        }
                    }
                }
            } else if (run.len() as u64) * (run.len() as u64 - 1) / 2 <= max_pairs {
                for (n, x) in run.iter().enumerate() {
                    for y in &run[n + 1..] {
                        let (i, j) = (x.1.min(y.1), x.1.max(y.1));
                        if i != j {
                            out.push(Pair::new(i, j));
                        }
                    }
                }
            }
            start = end;
        }
        self.items.clear();
    }
}

/// Candidate pairs between `a` and `b` (`b = None`: within `a`, as `i < j`),
/// sorted and deduplicated. `lsh_col` is the CLK
/// column of each LSH configuration.
pub(crate) fn candidates(
    config: &BlockingConfig,
    lsh_col: &[usize],
    a: &Dataset,
    b: Option<&Dataset>,
    progress: &mut dyn FnMut(&str, usize, usize),
) -> Vec<Pair> {
    let link = b.is_some();
    let total_bands: usize = config.lsh.iter().map(|l| l.bands as usize).sum();
    progress("block", 0, total_bands);
    let mut out = Vec::new();
    let mut buckets = Buckets { items: Vec::new() };
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
    let mut done = 0;
    for (n, lsh) in config.lsh.iter().enumerate() {
        let col = lsh_col.get(n).copied().unwrap_or(0);
        let stores: Vec<(&ClkRows, u32)> = sides.iter().map(|&(d, f)| (&d.clks, f)).collect();
        let bits = a.clks.width(col) * 8;
        if bits == 0 {
            continue;
        }
        let k = match lsh.bits_per_band {
            0 => auto_bits(
                &stores,
                col,
                bits,
                lsh,
                a.len(),
                b.map_or(a.len(), Dataset::len),
                link,
            ),
            k => k as usize,
        };
        let scheme = Bands::new(lsh, col, bits, k);
        let bands = scheme.bands;
        // All band keys of a record in one visit (its CLK stays in L1), band-major.
        let total: usize = stores.iter().map(|(s, _)| s.len()).sum();
        let mut keys: Vec<(u64, u32)> = vec![(0, 0); bands * total];
        let mut row = 0;
        for &(s, flag) in &stores {
            for i in 0..s.len() {
                let present = s.is_present(i, col);
                let w = s.words(i, col);
                for band in 0..bands {
                    // Absent CLKs get the marker key u64::MAX, skipped below.
                    let mut key = u64::MAX;
                    if present {
                        key = scheme.key(w, band);
                    }
                    keys[band * total + row] = (key, i as u32 | flag);
                }
                row += 1;
            }
        }
        for band in 0..bands {
            buckets.items.extend(
                keys[band * total..(band + 1) * total]
                    .iter()
                    .filter(|x| x.0 != u64::MAX),
            );
            buckets.emit(link, config.max_block_pairs, &mut out);
            done += 1;
            progress("block", done, total_bands);
        }
    }
    out.sort_unstable();
    out.dedup();
    out
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
