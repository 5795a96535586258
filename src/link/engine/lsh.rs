//! The one LSH band scheme (Hamming bit sampling on CLKs; see the
//! `blocking` module docs for the arithmetic): each band samples
//! `bitsPerBand` seeded bit positions, and a record's key in a band is
//! those bits of its CLK. The batch linker buckets by the key itself, the
//! identity graph by a 32-bit hash of it; both sample the same positions.

use crate::link::dice::ClkRows;
use crate::link::rng::SplitMix64;
use serde::{Deserialize, Serialize};

/// Bit-sampling LSH on one CLK.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct LshConfig {
    /// The CLK key (`record`, `firstName`…).
    pub clk: String,
    /// Number of bands `L`.
    pub bands: u32,
    /// Bits sampled per band `k` (1–63); 0 tunes it to the data.
    pub bits_per_band: u32,
    /// Auto-tuning budget: random (non-similar) pairs per record it may add.
    pub random_pairs_per_record: f64,
    /// Seed of the sampled positions.
    pub seed: u64,
    /// More CLK keys sampled together with `clk`, as one CLK of their
    /// concatenated bits (at most 3): two records share a band only when
    /// they agree on the bits of all of them, so `firstName` with
    /// `lastName` finds similar names without the crowd that shares a
    /// common first or last name alone. A record missing any of them takes
    /// no part.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub also: Vec<String>,
}

impl Default for LshConfig {
    fn default() -> Self {
        LshConfig {
            clk: "record".into(),
            bands: 64,
            bits_per_band: 0,
            random_pairs_per_record: 20.0,
            seed: 0x0154_b10c,
            also: Vec::new(),
        }
    }
}

impl LshConfig {
    /// A pass on one name's CLK: 32 bands, `k` tuned to the data (the
    /// most bits for short name CLKs, so only near-identical names meet).
    pub fn names(clk: &str, seed: u64) -> Self {
        LshConfig {
            clk: clk.into(),
            bands: 32,
            seed,
            ..LshConfig::default()
        }
    }

    /// The CLK keys sampled: `clk`, then `also`.
    pub(crate) fn keys(&self) -> impl Iterator<Item = &String> {
        core::iter::once(&self.clk).chain(&self.also)
    }

    pub(crate) fn valid(&self) -> bool {
        self.keys().all(|k| !k.is_empty())
            && self.also.len() <= MAX_ALSO
            && (1..=1024).contains(&self.bands)
            && self.bits_per_band <= 63
            && self.random_pairs_per_record > 0.0
            && self.random_pairs_per_record.is_finite()
    }
}

/// Most keys `LshConfig::also` may add.
pub(crate) const MAX_ALSO: usize = 3;

/// The CLK columns of one LSH configuration (`clk`, then `also`).
pub(crate) type Cols = Vec<usize>;

/// The words of one record's CLKs in the columns of a configuration, or
/// `None` when it lacks one.
pub(crate) fn words_of<'r>(
    rows: &'r ClkRows,
    i: usize,
    cols: &[usize],
) -> Option<[&'r [u64]; MAX_ALSO + 1]> {
    let mut out: [&[u64]; MAX_ALSO + 1] = [&[]; MAX_ALSO + 1];
    for (slot, &c) in cols.iter().enumerate().take(MAX_ALSO + 1) {
        if !rows.is_present(i, c) {
            return None;
        }
        out[slot] = rows.words(i, c);
    }
    Some(out)
}

/// A hash of a record's CLK words in a configuration's columns, for
/// grouping identical CLKs (see `IdenticalClasses`): FxHash's mixing step
/// per word, so equal words hash equally; unequal ones rarely collide,
/// and a collision only costs a comparison of the words.
pub(crate) fn hash_words(w: &[&[u64]; MAX_ALSO + 1]) -> u64 {
    let mut h = 0u64;
    for slot in w {
        h = (h.rotate_left(5) ^ slot.len() as u64).wrapping_mul(0x517C_C1B7_2722_0A95);
        for &x in slot.iter() {
            h = (h.rotate_left(5) ^ x).wrapping_mul(0x517C_C1B7_2722_0A95);
        }
    }
    h
}

/// The sampled bit positions of one LSH configuration on its CLK columns.
#[derive(Debug, Clone)]
pub(crate) struct Bands {
    /// The CLK columns (`clk`, then `also`).
    pub cols: Cols,
    /// Number of bands `L`.
    pub bands: usize,
    /// Bits sampled per band `k`.
    pub bits_per_band: usize,
    /// Positions as (column slot, word, shift), band after band.
    positions: Vec<(u8, usize, u32)>,
}

impl Bands {
    /// Samples `bands × k` positions from `lsh.seed` over the concatenated
    /// bits of the columns (`bits[slot]` bits each).
    pub fn new(lsh: &LshConfig, cols: Cols, bits: &[usize], k: usize) -> Self {
        let mut rng = SplitMix64::new(lsh.seed);
        let bands = lsh.bands as usize;
        let total: usize = bits.iter().sum();
        let positions = (0..bands * k)
            .map(|_| {
                let mut p = rng.below(total as u64) as usize;
                let mut slot = 0;
                while slot + 1 < bits.len() && p >= bits[slot] {
                    p -= bits[slot];
                    slot += 1;
                }
                (slot as u8, p / 64, (p % 64) as u32)
            })
            .collect();
        Bands {
            cols,
            bands,
            bits_per_band: k,
            positions,
        }
    }

    /// The key of a record's CLK words `w` (by slot) in `band`: its
    /// sampled bits, in order.
    #[inline]
    pub fn key(&self, w: &[&[u64]], band: usize) -> u64 {
        let k = self.bits_per_band;
        let mut key = 0u64;
        for (bit, &(slot, word, shift)) in
            self.positions[band * k..(band + 1) * k].iter().enumerate()
        {
            key |= ((w[usize::from(slot)][word] >> shift) & 1) << bit;
        }
        key
    }

    /// The sampled positions for rows laid out as `rows`'s: band after
    /// band, each a word of a whole row ([`ClkRows::row`]) and a shift, so
    /// [`row_key`] reads one slice instead of a column's per bit.
    pub fn row_positions(&self, rows: &ClkRows) -> Vec<(u32, u32)> {
        self.positions
            .iter()
            .map(|&(slot, word, shift)| {
                let col = self.cols.get(usize::from(slot)).copied().unwrap_or(0);
                ((rows.offset(col) + word) as u32, shift)
            })
            .collect()
    }

    /// A 32-bit bucket key for `band` of configuration `n` (the growing
    /// index keys items by 32 bits): one key per (configuration, band,
    /// sample); a rare collision only adds a candidate, which is scored.
    #[inline]
    pub fn key32(&self, n: usize, w: &[&[u64]], band: usize) -> u64 {
        let key = self.key(w, band);
        SplitMix64::new(key ^ ((n as u64) << 56) ^ ((band as u64) << 40)).next_u64() >> 32
    }
}

/// [`Bands::key`] of one band from a record's whole CLK row, given that
/// band's [`Bands::row_positions`] (the same bits, in the same order).
#[inline]
pub(crate) fn row_key(row: &[u64], positions: &[(u32, u32)]) -> u64 {
    let mut key = 0u64;
    for (bit, &(word, shift)) in positions.iter().enumerate() {
        let w = row.get(word as usize).copied().unwrap_or(0);
        key |= ((w >> shift) & 1) << bit;
    }
    key
}

/// Smallest `k` whose expected random-pair collisions over all bands stay
/// within the budget (see the module docs).
pub(crate) fn auto_bits(
    stores: &[(&ClkRows, u32)],
    cols: &[usize],
    bits: &[usize],
    lsh: &LshConfig,
    na: usize,
    nb: usize,
    link: bool,
) -> usize {
    let mut ones: Vec<Vec<u64>> = bits.iter().map(|&b| vec![0u64; b]).collect();
    let mut n = 0u64;
    for (s, _) in stores {
        // Densities from a few thousand CLKs are as good as from all.
        for i in (0..s.len()).step_by((s.len() / 2048).max(1)) {
            let Some(words) = words_of(s, i, cols) else {
                continue;
            };
            n += 1;
            for (ones, w) in ones.iter_mut().zip(words) {
                for (p, one) in ones.iter_mut().enumerate() {
                    *one += (w[p / 64] >> (p % 64)) & 1;
                }
            }
        }
    }
    let bits: usize = bits.iter().sum();
    if n == 0 {
        return 63;
    }
    let r = ones
        .iter()
        .flatten()
        .map(|&c| {
            let p = c as f64 / n as f64;
            p * p + (1.0 - p) * (1.0 - p)
        })
        .sum::<f64>()
        / bits as f64;
    let pairs = if link {
        na as f64 * nb as f64
    } else {
        na as f64 * (na as f64 - 1.0) / 2.0
    };
    let budget = lsh.random_pairs_per_record * (na + if link { nb } else { 0 }) as f64;
    let per_band = (budget / f64::from(lsh.bands) / pairs.max(1.0)).min(1.0);
    if r >= 1.0 || per_band >= 1.0 {
        return 8;
    }
    ((per_band.ln() / r.ln()).ceil() as usize).clamp(8, 63)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rows_key_is_the_bands_key_of_its_columns() {
        // Three columns of 64, 128 and 256 bits; the configuration reads
        // the third and the first, so row offsets differ from slots.
        let mut rows = ClkRows::new(vec![8, 16, 32]);
        let mut rng = SplitMix64::new(3);
        let mut bytes = |n: usize| -> Vec<u8> { (0..n).map(|_| rng.next_u64() as u8).collect() };
        for _ in 0..20 {
            let (x, y, z) = (bytes(8), bytes(16), bytes(32));
            assert!(rows.push_row(&[Some(&x), Some(&y), Some(&z)]).is_ok());
        }
        let lsh = LshConfig {
            bands: 16,
            ..LshConfig::default()
        };
        let bands = Bands::new(&lsh, vec![2, 0], &[256, 64], 12);
        let positions = bands.row_positions(&rows);
        for i in 0..rows.len() {
            let w = words_of(&rows, i, &bands.cols).unwrap_or_default();
            for (band, at) in positions.chunks_exact(12).enumerate() {
                assert_eq!(
                    row_key(rows.row(i), at),
                    bands.key(&w, band),
                    "row {i} band {band}"
                );
            }
        }
    }
}
