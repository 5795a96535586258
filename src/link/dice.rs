//! Dice similarity of CLKs (Bloom filters), over packed 64-bit words.
//!
//! `Dice = 2·|a∧b| / (|a|+|b|)`, 0 when either filter is empty (as anonlink).
//! A dataset's CLKs for one field live in one contiguous [`ClkStore`] with
//! their popcounts precomputed, so a comparison is one AND + popcount pass
//! over `words` u64s (`u64::count_ones` is `popcnt` natively and
//! `i64.popcnt` in wasm).

use crate::error::{Error, ErrorCode, Subject};

/// Dice similarity of two equal-length byte strings; 0 if either is all zero.
/// Lengths must match (the caller checks; extra bytes of the longer are ignored).
pub fn dice(a: &[u8], b: &[u8]) -> f64 {
    let (mut pa, mut pb, mut pab) = (0u32, 0u32, 0u32);
    for (x, y) in a.iter().zip(b) {
        pa += x.count_ones();
        pb += y.count_ones();
        pab += (x & y).count_ones();
    }
    dice_from_counts(pab, pa, pb)
}

#[inline]
fn dice_from_counts(and: u32, pa: u32, pb: u32) -> f64 {
    let sum = pa + pb;
    if pa == 0 || pb == 0 {
        0.0
    } else {
        2.0 * f64::from(and) / f64::from(sum)
    }
}

/// One dataset's CLKs for one field: `words` u64s per record, contiguous, with
/// popcounts. Records without this CLK are marked absent (a null comparison
/// level, not a zero similarity).
#[derive(Debug, Clone, Default)]
pub struct ClkStore {
    byte_len: usize,
    words_per: usize,
    words: Vec<u64>,
    popcounts: Vec<u32>,
    present: Vec<bool>,
}

impl ClkStore {
    /// An empty store; the CLK length is fixed by the first CLK pushed.
    pub fn new() -> Self {
        ClkStore::default()
    }

    /// Number of records (present or not).
    pub fn len(&self) -> usize {
        self.present.len()
    }

    /// Whether the store holds no records.
    pub fn is_empty(&self) -> bool {
        self.present.is_empty()
    }

    /// CLK length in bytes (0 until a CLK was pushed).
    pub fn byte_len(&self) -> usize {
        self.byte_len
    }

    /// Appends a record's CLK, or an absent one (`None`). All CLKs of a store
    /// must have the same length.
    pub fn push(&mut self, clk: Option<&[u8]>) -> Result<(), Error> {
        let Some(bytes) = clk else {
            self.words.extend(core::iter::repeat_n(0, self.words_per));
            self.popcounts.push(0);
            self.present.push(false);
            return Ok(());
        };
        if bytes.is_empty() {
            return Err(Error::new(
                Subject::Record,
                ErrorCode::LinkClkLengthMismatch,
            ));
        }
        if self.byte_len == 0 {
            // First real CLK fixes the width; earlier absent rows get resized.
            self.byte_len = bytes.len();
            self.words_per = bytes.len().div_ceil(8);
            self.words = vec![0; self.words_per * self.present.len()];
        }
        if bytes.len() != self.byte_len {
            return Err(Error::new(
                Subject::Record,
                ErrorCode::LinkClkLengthMismatch,
            ));
        }
        let mut pc = 0;
        for chunk in bytes.chunks(8) {
            let mut w = [0u8; 8];
            w[..chunk.len()].copy_from_slice(chunk);
            let word = u64::from_le_bytes(w);
            pc += word.count_ones();
            self.words.push(word);
        }
        self.popcounts.push(pc);
        self.present.push(true);
        Ok(())
    }

    /// Appends all records of `other` (same CLK length, or either empty).
    pub fn append(&mut self, other: &ClkStore) -> Result<(), Error> {
        if !self.compatible(other) {
            return Err(Error::new(
                Subject::Record,
                ErrorCode::LinkClkLengthMismatch,
            ));
        }
        if self.byte_len == 0 && other.byte_len != 0 {
            self.byte_len = other.byte_len;
            self.words_per = other.words_per;
            self.words = vec![0; self.words_per * self.present.len()];
        }
        if other.byte_len == 0 {
            self.words
                .extend(core::iter::repeat_n(0, self.words_per * other.len()));
        } else {
            self.words.extend_from_slice(&other.words);
        }
        self.popcounts.extend_from_slice(&other.popcounts);
        self.present.extend_from_slice(&other.present);
        Ok(())
    }

    /// Whether record `i` has this CLK.
    #[inline]
    pub fn is_present(&self, i: usize) -> bool {
        self.present.get(i).copied().unwrap_or(false)
    }

    /// Set bits of record `i`'s CLK.
    #[inline]
    pub fn popcount(&self, i: usize) -> u32 {
        self.popcounts.get(i).copied().unwrap_or(0)
    }

    /// Record `i`'s CLK as words.
    #[inline]
    pub fn words(&self, i: usize) -> &[u64] {
        self.words
            .get(i * self.words_per..(i + 1) * self.words_per)
            .unwrap_or(&[])
    }

    /// Whether the two stores can be compared (same CLK length, or one empty).
    pub fn compatible(&self, other: &ClkStore) -> bool {
        self.byte_len == 0 || other.byte_len == 0 || self.byte_len == other.byte_len
    }

    /// Dice of record `i` here and record `j` of `other`; `None` if either is absent.
    #[inline]
    pub fn dice(&self, i: usize, other: &ClkStore, j: usize) -> Option<f64> {
        if !self.is_present(i) || !other.is_present(j) {
            return None;
        }
        let and = and_count(self.words(i), other.words(j));
        Some(dice_from_counts(and, self.popcount(i), other.popcount(j)))
    }

    /// Every pair `(i, j, dice)` with `dice >= threshold`, skipping without
    /// computing the pairs whose popcounts alone rule the threshold out
    /// (`dice <= 2·min/(pa+pb)`), as anonlink does. Sorted by row, then column.
    /// `threshold` must be in (0, 1].
    pub fn pairs_above(&self, other: &ClkStore, threshold: f64) -> Vec<(u32, u32, f64)> {
        let mut out = Vec::new();
        for i in 0..self.len() {
            if !self.is_present(i) {
                continue;
            }
            let pa = self.popcount(i);
            let wa = self.words(i);
            for j in 0..other.len() {
                let pb = other.popcount(j);
                // Best case: every bit of the smaller one is shared.
                if pa == 0
                    || pb == 0
                    || 2.0 * f64::from(pa.min(pb)) < threshold * f64::from(pa + pb)
                {
                    continue;
                }
                let d = dice_from_counts(and_count(wa, other.words(j)), pa, pb);
                if d >= threshold {
                    out.push((i as u32, j as u32, d));
                }
            }
        }
        out
    }
}

/// Popcount of `a AND b`. Four independent accumulators let the CPU overlap
/// popcounts; the chunked form also lets LLVM unroll for 1024-bit CLKs.
#[inline]
pub(crate) fn and_count(a: &[u64], b: &[u64]) -> u32 {
    let mut acc = [0u32; 4];
    let mut ca = a.chunks_exact(4);
    let mut cb = b.chunks_exact(4);
    for (x, y) in (&mut ca).zip(&mut cb) {
        acc[0] += (x[0] & y[0]).count_ones();
        acc[1] += (x[1] & y[1]).count_ones();
        acc[2] += (x[2] & y[2]).count_ones();
        acc[3] += (x[3] & y[3]).count_ones();
    }
    let tail: u32 = ca
        .remainder()
        .iter()
        .zip(cb.remainder())
        .map(|(x, y)| (x & y).count_ones())
        .sum();
    acc[0] + acc[1] + acc[2] + acc[3] + tail
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Straightforward reference: bit by bit.
    fn reference(a: &[u8], b: &[u8]) -> f64 {
        let bit = |v: &[u8], i: usize| (v[i / 8] >> (i % 8)) & 1 == 1;
        let n = a.len() * 8;
        let ca = (0..n).filter(|&i| bit(a, i)).count();
        let cb = (0..n).filter(|&i| bit(b, i)).count();
        let cab = (0..n).filter(|&i| bit(a, i) && bit(b, i)).count();
        if ca == 0 || cb == 0 {
            0.0
        } else {
            2.0 * cab as f64 / (ca + cb) as f64
        }
    }

    fn bytes(seed: u64, len: usize, density: u64) -> Vec<u8> {
        let mut r = crate::link::rng::SplitMix64::new(seed);
        (0..len)
            .map(|_| {
                (0..8).fold(0u8, |acc, k| {
                    acc | (u8::from(r.next_u64() % 100 < density) << k)
                })
            })
            .collect()
    }

    #[test]
    fn dice_matches_reference_on_odd_and_even_lengths() {
        for len in [1usize, 7, 8, 13, 64, 128, 130] {
            for s in 0..20u64 {
                let a = bytes(s, len, 30);
                let b = bytes(s + 1000, len, 10 + s * 4);
                let want = reference(&a, &b);
                assert!((dice(&a, &b) - want).abs() < 1e-12);
                let mut sa = ClkStore::new();
                let mut sb = ClkStore::new();
                sa.push(Some(&a)).unwrap();
                sb.push(None).unwrap();
                sb.push(Some(&b)).unwrap();
                assert!((sa.dice(0, &sb, 1).unwrap() - want).abs() < 1e-12);
                assert_eq!(sa.dice(0, &sb, 0), None);
            }
        }
    }

    #[test]
    fn dice_is_zero_for_empty_and_one_for_equal() {
        assert_eq!(dice(&[0, 0], &[0xff, 1]), 0.0);
        assert_eq!(dice(&[0xf0, 1], &[0xf0, 1]), 1.0);
    }

    #[test]
    fn store_rejects_length_mismatch() {
        let mut s = ClkStore::new();
        s.push(None).unwrap();
        s.push(Some(&[1, 2, 3])).unwrap();
        assert_eq!(s.words(0), &[0]);
        let e = s.push(Some(&[1, 2])).unwrap_err();
        assert_eq!(e.code(), ErrorCode::LinkClkLengthMismatch);
    }

    #[test]
    fn pruned_pairs_equal_brute_force() {
        let mut a = ClkStore::new();
        let mut b = ClkStore::new();
        let raw_a: Vec<_> = (0..40).map(|s| bytes(s, 128, 5 + s % 40)).collect();
        let raw_b: Vec<_> = (0..50)
            .map(|s| bytes(s / 2, 128, 5 + (s / 2) % 40))
            .collect();
        raw_a.iter().for_each(|x| a.push(Some(x)).unwrap());
        raw_b.iter().for_each(|x| b.push(Some(x)).unwrap());
        for t in [0.3, 0.6, 0.9] {
            let got = a.pairs_above(&b, t);
            let want: Vec<_> = (0..40)
                .flat_map(|i| (0..50).map(move |j| (i, j)))
                .filter_map(|(i, j)| {
                    let d = reference(&raw_a[i], &raw_b[j]);
                    (d >= t).then_some((i as u32, j as u32, d))
                })
                .collect();
            assert_eq!(got.len(), want.len());
            for (g, w) in got.iter().zip(&want) {
                assert_eq!((g.0, g.1), (w.0, w.1));
                assert!((g.2 - w.2).abs() < 1e-12);
            }
        }
    }
}
