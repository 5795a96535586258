//! Dice similarity of CLKs (Bloom filters), over packed 64-bit words.
//!
//! `Dice = 2·|a∧b| / (|a|+|b|)`, 0 when either filter is empty (as anonlink).
//! A dataset's CLKs for one field live in one contiguous [`ClkStore`] with
//! their popcounts precomputed, so a comparison is one AND + popcount pass
//! over `words` u64s: natively `popcnt` (chosen at run time on x86-64
//! builds without it), in wasm `i64.popcnt`, or `i8x16.popcnt` in the SIMD
//! build.

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
        #[cfg(all(target_arch = "x86_64", not(target_feature = "popcnt")))]
        if std::is_x86_feature_detected!("popcnt") {
            // SAFETY: the only requirement of this `#[target_feature(enable =
            // "popcnt")]` function is that the CPU has POPCNT, checked on the
            // line above. It is plain safe Rust otherwise.
            #[allow(unsafe_code)]
            return unsafe { hw_popcount::pairs_above(self, other, threshold) };
        }
        self.pairs_above_portable(other, threshold)
    }

    /// `pairs_above` with the popcount the build targets (`count_ones`, or
    /// the carry-save tree on x86-64 without POPCNT, or SIMD128 in wasm).
    #[inline(always)]
    fn pairs_above_portable(&self, other: &ClkStore, threshold: f64) -> Vec<(u32, u32, f64)> {
        // One dispatch on the CLK width, so the inner loop is fully unrolled
        // for the common sizes.
        match self.words_per {
            8 => self.scan(other, threshold, and_count_n::<8>, ONE_ROW),
            #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
            16 => self.scan(
                other,
                threshold,
                and_count_n::<16>,
                Some(simd_popcount::and_count_16x2),
            ),
            #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
            16 => self.scan(other, threshold, and_count_n::<16>, ONE_ROW),
            32 => self.scan(other, threshold, and_count_n::<32>, ONE_ROW),
            _ => self.scan(other, threshold, and_count_any, ONE_ROW),
        }
    }

    /// `pairs_above` with `count_ones` per word: compiled inside a
    /// `#[target_feature(enable = "popcnt")]` function, one POPCNT each.
    #[cfg(all(target_arch = "x86_64", not(target_feature = "popcnt")))]
    #[inline(always)]
    fn pairs_above_count_ones(&self, other: &ClkStore, threshold: f64) -> Vec<(u32, u32, f64)> {
        match self.words_per {
            8 => self.scan(other, threshold, and_count_words::<8>, ONE_ROW),
            16 => self.scan(other, threshold, and_count_words::<16>, ONE_ROW),
            32 => self.scan(other, threshold, and_count_words::<32>, ONE_ROW),
            _ => self.scan(other, threshold, and_count_any, ONE_ROW),
        }
    }

    /// Every pair above `threshold`, rows in order, each row's pairs in
    /// column order. With `and_k`, `K` consecutive live rows of `self` are
    /// scanned together, all counted against each row of `other` from one
    /// read of it (only the SIMD128 build has such a kernel: measured, the
    /// scalar wasm and native builds lost with several rows).
    #[inline(always)]
    fn scan<const K: usize, FK: Fn(&[&[u64]; K], &[u64]) -> [u32; K]>(
        &self,
        other: &ClkStore,
        threshold: f64,
        and: impl Fn(&[u64], &[u64]) -> u32,
        and_k: Option<FK>,
    ) -> Vec<(u32, u32, f64)> {
        let mut out = Vec::new();
        if self.words_per != other.words_per || self.words_per == 0 {
            return out;
        }
        // A hair of slack keeps the exact `dice >= threshold` test decisive.
        let loose = threshold * (1.0 - 1e-9);
        // need[pb]: fewest shared bits that can reach the threshold with a B
        // popcount of pb (u32::MAX where the popcount bound rules pb out).
        let max_pc = other.words_per as u32 * 64;
        let mut need: [Vec<u32>; K] = core::array::from_fn(|_| vec![u32::MAX; max_pc as usize + 1]);
        // Only B's popcount range needs a bound (the rest stays u32::MAX and
        // is never looked up): random CLKs span a few dozen of 1024 values.
        let lo = other.popcounts.iter().copied().filter(|&p| p > 0).min();
        let hi = other.popcounts.iter().copied().max().unwrap_or(0);
        let Some(lo) = lo else {
            return out;
        };
        let (lo, hi) = (lo as usize, (hi as usize).min(max_pc as usize));
        // Best case every bit of the smaller one is shared, so
        // `dice <= 2·min(pa,pb)/(pa+pb)` (anonlink's bound).
        let bound = |need: &mut [u32], pa: u32| {
            for (pb, n) in need.iter_mut().enumerate().take(hi + 1).skip(lo) {
                let pb = pb as u32;
                let k = (loose * f64::from(pa + pb) / 2.0).floor() as u32;
                *n = if k > pa.min(pb) { u32::MAX } else { k };
            }
        };
        let rows = other
            .words
            .chunks_exact(other.words_per)
            .zip(&other.popcounts)
            .enumerate();
        let live = |i: usize| self.is_present(i) && self.popcount(i) > 0;
        // Rows after the first of a group wait here, to keep row order.
        let mut later: [Vec<(u32, u32, f64)>; K] = core::array::from_fn(|_| Vec::new());
        let mut i = 0;
        while i < self.len() {
            if let Some(and_k) = &and_k {
                if (i..i + K).all(live) {
                    let pa: [u32; K] = core::array::from_fn(|r| self.popcount(i + r));
                    for (n, &p) in need.iter_mut().zip(&pa) {
                        bound(n, p);
                    }
                    let wa: [&[u64]; K] = core::array::from_fn(|r| self.words(i + r));
                    for (j, (wb, &pb)) in rows.clone() {
                        let n: [u32; K] = core::array::from_fn(|r| {
                            need[r].get(pb as usize).copied().unwrap_or(u32::MAX)
                        });
                        if n.iter().all(|&x| x == u32::MAX) {
                            continue;
                        }
                        // A count is at most the width: u32::MAX never passes.
                        let c = and_k(&wa, wb);
                        for r in 0..K {
                            if c[r] >= n[r] {
                                let d = dice_from_counts(c[r], pa[r], pb);
                                if d >= threshold {
                                    later[r].push(((i + r) as u32, j as u32, d));
                                }
                            }
                        }
                    }
                    for l in &mut later {
                        out.append(l);
                    }
                    i += K;
                    continue;
                }
            }
            if live(i) {
                let pa = self.popcount(i);
                bound(&mut need[0], pa);
                let wa = self.words(i);
                for (j, (wb, &pb)) in rows.clone() {
                    let n = need[0].get(pb as usize).copied().unwrap_or(u32::MAX);
                    if n == u32::MAX {
                        continue;
                    }
                    let c = and(wa, wb);
                    if c >= n {
                        let d = dice_from_counts(c, pa, pb);
                        if d >= threshold {
                            out.push((i as u32, j as u32, d));
                        }
                    }
                }
            }
            i += 1;
        }
        out
    }
}

/// A kernel counting `a AND b` for `K` rows `a` against one row `b`.
type RowsKernel<const K: usize> = fn(&[&[u64]; K], &[u64]) -> [u32; K];

/// `scan` one row at a time (no several-row kernel).
const ONE_ROW: Option<RowsKernel<1>> = None;

/// Several CLKs per record (one column per CLK key), record-major: a
/// record's CLKs sit next to each other, so scoring a pair streams a few
/// adjacent cache lines instead of one line per field from distant arrays.
#[derive(Debug, Clone, Default)]
pub(crate) struct ClkRows {
    /// Bytes per column (0: no record has it).
    widths: Vec<usize>,
    /// Word offset of each column in a row.
    offsets: Vec<usize>,
    row_words: usize,
    words: Vec<u64>,
    /// Per record and column.
    popcounts: Vec<u32>,
    present: Vec<bool>,
}

impl ClkRows {
    /// Rows with fixed column widths in bytes.
    pub fn new(widths: Vec<usize>) -> Self {
        let mut offsets = Vec::with_capacity(widths.len());
        let mut row_words = 0;
        for w in &widths {
            offsets.push(row_words);
            row_words += w.div_ceil(8);
        }
        ClkRows {
            widths,
            offsets,
            row_words,
            ..ClkRows::default()
        }
    }

    /// Records held.
    pub fn len(&self) -> usize {
        self.present
            .len()
            .checked_div(self.widths.len())
            .unwrap_or(0)
    }

    /// Appends a record's CLKs, one per column (lengths were checked when
    /// the widths were taken; a wrong one is a length mismatch).
    pub fn push_row(&mut self, clks: &[Option<&[u8]>]) -> Result<(), Error> {
        let start = self.words.len();
        self.words.resize(start + self.row_words, 0);
        for (c, clk) in clks.iter().enumerate() {
            match clk {
                Some(bytes) if bytes.len() == self.widths[c] && !bytes.is_empty() => {
                    let row = &mut self.words[start + self.offsets[c]..];
                    let mut pc = 0;
                    for (w, chunk) in row.iter_mut().zip(bytes.chunks(8)) {
                        let mut b = [0u8; 8];
                        b[..chunk.len()].copy_from_slice(chunk);
                        *w = u64::from_le_bytes(b);
                        pc += w.count_ones();
                    }
                    self.popcounts.push(pc);
                    self.present.push(true);
                }
                Some(_) => {
                    return Err(Error::new(
                        Subject::Record,
                        ErrorCode::LinkClkLengthMismatch,
                    ))
                }
                None => {
                    self.popcounts.push(0);
                    self.present.push(false);
                }
            }
        }
        Ok(())
    }

    /// Appends all rows of `other` (same widths).
    pub fn append(&mut self, other: &ClkRows) -> Result<(), Error> {
        if other.widths != self.widths {
            return Err(Error::new(
                Subject::Record,
                ErrorCode::LinkClkLengthMismatch,
            ));
        }
        // A graph's rows grow chunk by chunk: by an eighth, not doubling.
        use super::engine::growth::extend;
        extend(&mut self.words, &other.words);
        extend(&mut self.popcounts, &other.popcounts);
        extend(&mut self.present, &other.present);
        Ok(())
    }

    /// Column `c` width in bytes.
    pub fn width(&self, c: usize) -> usize {
        self.widths.get(c).copied().unwrap_or(0)
    }

    /// Whether record `i` has column `c`.
    #[inline]
    pub fn is_present(&self, i: usize, c: usize) -> bool {
        self.present
            .get(i * self.widths.len() + c)
            .copied()
            .unwrap_or(false)
    }

    /// Word offset of column `c` in a row (0 for a column not held).
    pub fn offset(&self, c: usize) -> usize {
        self.offsets.get(c).copied().unwrap_or(0)
    }

    /// All of record `i`'s CLK words, column after column.
    #[inline]
    pub fn row(&self, i: usize) -> &[u64] {
        let s = i * self.row_words;
        self.words.get(s..s + self.row_words).unwrap_or(&[])
    }

    /// Record `i`'s CLK of column `c`, as words.
    #[inline]
    pub fn words(&self, i: usize, c: usize) -> &[u64] {
        let s = i * self.row_words + self.offsets[c];
        &self.words[s..s + self.widths[c].div_ceil(8)]
    }

    /// Dice of column `c` between record `i` here and `j` of `other`.
    #[inline]
    pub fn dice(&self, i: usize, other: &ClkRows, j: usize, c: usize) -> Option<f64> {
        let n = self.widths.len();
        if !self.is_present(i, c) || !other.is_present(j, c) {
            return None;
        }
        let and = and_count(self.words(i, c), other.words(j, c));
        Some(dice_from_counts(
            and,
            self.popcounts[i * n + c],
            other.popcounts[j * n + c],
        ))
    }
}

/// Popcount of `a AND b`, unrolled by hand for the usual CLK widths (512,
/// 1024, 2048 bits): the crate is built at `opt-level = "s"`, which does not
/// unroll loops, and a loop-carried accumulator would serialise the popcounts.
#[inline]
pub(crate) fn and_count(a: &[u64], b: &[u64]) -> u32 {
    #[cfg(all(target_arch = "x86_64", not(target_feature = "popcnt")))]
    if std::is_x86_feature_detected!("popcnt") {
        // SAFETY: the only requirement of this `#[target_feature(enable =
        // "popcnt")]` function is that the CPU has POPCNT, checked on the
        // line above. It is plain safe Rust otherwise.
        #[allow(unsafe_code)]
        return unsafe { hw_popcount::and_count(a, b) };
    }
    match a.len() {
        8 => and_count_n::<8>(a, b),
        16 => and_count_n::<16>(a, b),
        32 => and_count_n::<32>(a, b),
        _ => and_count_any(a, b),
    }
}

/// Popcount of `a AND b` over 8 words, four independent accumulators.
#[inline(always)]
fn and8(a: &[u64; 8], b: &[u64; 8]) -> u32 {
    let p0 = (a[0] & b[0]).count_ones() + (a[4] & b[4]).count_ones();
    let p1 = (a[1] & b[1]).count_ones() + (a[5] & b[5]).count_ones();
    let p2 = (a[2] & b[2]).count_ones() + (a[6] & b[6]).count_ones();
    let p3 = (a[3] & b[3]).count_ones() + (a[7] & b[7]).count_ones();
    (p0 + p1) + (p2 + p3)
}

/// Popcount of `a AND b` over 16 words, straight-line (at `opt-level =
/// "s"` a loop over two `and8` stays a loop, with its counters spilled).
/// (The SIMD128 build uses `simd_popcount::and16` instead.)
#[cfg_attr(
    all(target_arch = "wasm32", target_feature = "simd128"),
    allow(dead_code)
)]
#[inline(always)]
fn and16(a: &[u64; 16], b: &[u64; 16]) -> u32 {
    let w = |i: usize| (a[i] & b[i]).count_ones();
    let p0 = (w(0) + w(4)) + (w(8) + w(12));
    let p1 = (w(1) + w(5)) + (w(9) + w(13));
    let p2 = (w(2) + w(6)) + (w(10) + w(14));
    let p3 = (w(3) + w(7)) + (w(11) + w(15));
    (p0 + p1) + (p2 + p3)
}

/// `and_count` for exactly `N` words (8, 16 or 32), without iterator
/// adapters (at `opt-level = "s"` their constructors stay out-of-line calls),
/// with the popcount the build targets.
#[inline(always)]
fn and_count_n<const N: usize>(a: &[u64], b: &[u64]) -> u32 {
    match (a.first_chunk::<N>(), b.first_chunk::<N>()) {
        (Some(x), Some(y)) => {
            let mut total = 0;
            let mut k = 0;
            #[cfg(all(target_arch = "x86_64", not(target_feature = "popcnt")))]
            while k + 16 <= N {
                if let (Some(x16), Some(y16)) =
                    (x[k..].first_chunk::<16>(), y[k..].first_chunk::<16>())
                {
                    total += soft_popcount::and16(x16, y16);
                }
                k += 16;
            }
            #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
            while k + 16 <= N {
                if let (Some(x16), Some(y16)) =
                    (x[k..].first_chunk::<16>(), y[k..].first_chunk::<16>())
                {
                    total += simd_popcount::and16(x16, y16);
                }
                k += 16;
            }
            #[cfg(not(any(
                all(target_arch = "x86_64", not(target_feature = "popcnt")),
                all(target_arch = "wasm32", target_feature = "simd128")
            )))]
            while k + 16 <= N {
                if let (Some(x16), Some(y16)) =
                    (x[k..].first_chunk::<16>(), y[k..].first_chunk::<16>())
                {
                    total += and16(x16, y16);
                }
                k += 16;
            }
            while k + 8 <= N {
                if let (Some(x8), Some(y8)) = (x[k..].first_chunk::<8>(), y[k..].first_chunk::<8>())
                {
                    total += and8(x8, y8);
                }
                k += 8;
            }
            total
        }
        _ => and_count_any(a, b),
    }
}

/// `and_count` for exactly `N` words with `count_ones` per word, for the
/// POPCNT functions below (the build's own `and_count_n` would pick the
/// carry-save tree, chosen at compile time).
#[cfg(all(target_arch = "x86_64", not(target_feature = "popcnt")))]
#[inline(always)]
fn and_count_words<const N: usize>(a: &[u64], b: &[u64]) -> u32 {
    match (a.first_chunk::<N>(), b.first_chunk::<N>()) {
        (Some(x), Some(y)) => {
            let mut total = 0;
            let mut k = 0;
            while k + 16 <= N {
                if let (Some(x16), Some(y16)) =
                    (x[k..].first_chunk::<16>(), y[k..].first_chunk::<16>())
                {
                    total += and16(x16, y16);
                }
                k += 16;
            }
            while k + 8 <= N {
                if let (Some(x8), Some(y8)) = (x[k..].first_chunk::<8>(), y[k..].first_chunk::<8>())
                {
                    total += and8(x8, y8);
                }
                k += 8;
            }
            total
        }
        _ => and_count_any(a, b),
    }
}

/// x86-64 builds without POPCNT (Rust's default x86-64 target, what CI and
/// the wheel build): the same safe code compiled with POPCNT enabled, chosen
/// at run time when the CPU has it (every x86-64 server CPU since 2009). The
/// callers check `is_x86_feature_detected!("popcnt")` right before the one
/// `unsafe` call each. The tests run both these and the portable paths.
#[cfg(all(target_arch = "x86_64", not(target_feature = "popcnt")))]
mod hw_popcount {
    use super::{and_count_any, and_count_words, ClkStore};

    /// `ClkStore::pairs_above` with one POPCNT per word.
    #[target_feature(enable = "popcnt")]
    pub(super) fn pairs_above(a: &ClkStore, b: &ClkStore, threshold: f64) -> Vec<(u32, u32, f64)> {
        a.pairs_above_count_ones(b, threshold)
    }

    /// `and_count` with one POPCNT per word.
    #[target_feature(enable = "popcnt")]
    pub(super) fn and_count(a: &[u64], b: &[u64]) -> u32 {
        match a.len() {
            8 => and_count_words::<8>(a, b),
            16 => and_count_words::<16>(a, b),
            32 => and_count_words::<32>(a, b),
            _ => and_count_any(a, b),
        }
    }
}

/// wasm with SIMD128 (the package's second, SIMD build): `i8x16.popcnt` on
/// 128-bit vectors, byte counts summed in the vector and widened once per
/// 16 words. The intrinsics are safe to call in a build with `simd128`
/// enabled; the one `unsafe` is the 16-byte load from a checked sub-slice.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod simd_popcount {
    use core::arch::wasm32::{
        i32x4_add, i32x4_shuffle, i64x2_shuffle, u16x8_extadd_pairwise_u8x16,
        u32x4_extadd_pairwise_u16x8, u32x4_extract_lane, u8x16_add, u8x16_popcnt, u8x16_splat,
        v128, v128_and, v128_load,
    };

    /// Words `i` and `i + 1` of `w` as one vector, with one `v128.load`
    /// (built from two `u64`s safely, LLVM emits two half loads instead).
    #[inline(always)]
    fn pair(w: &[u64; 16], i: usize) -> v128 {
        let words = &w[i..i + 2];
        // SAFETY: `words` is two in-bounds u64s (the slice above checks it),
        // the 16 bytes read; `v128.load` has no alignment requirement.
        #[allow(unsafe_code)]
        unsafe {
            v128_load(words.as_ptr().cast::<v128>())
        }
    }

    /// Popcount of `a AND b` over 16 words (8 vectors; a byte lane's count
    /// is at most 8 × 8 = 64, so the u8 sums cannot overflow).
    #[inline(always)]
    pub(super) fn and16(a: &[u64; 16], b: &[u64; 16]) -> u32 {
        let v = |i: usize| -> v128 { u8x16_popcnt(v128_and(pair(a, i), pair(b, i))) };
        let s0 = u8x16_add(v(0), v(2));
        let s1 = u8x16_add(v(4), v(6));
        let s2 = u8x16_add(v(8), v(10));
        let s3 = u8x16_add(v(12), v(14));
        let bytes = u8x16_add(u8x16_add(s0, s1), u8x16_add(s2, s3));
        let words = u32x4_extadd_pairwise_u16x8(u16x8_extadd_pairwise_u8x16(bytes));
        (u32x4_extract_lane::<0>(words) + u32x4_extract_lane::<1>(words))
            + (u32x4_extract_lane::<2>(words) + u32x4_extract_lane::<3>(words))
    }

    /// [`and16x2`] over slices of 16 words (`scan`'s two-row kernel for
    /// 1024-bit CLKs); other lengths count one row at a time.
    #[inline(always)]
    pub(super) fn and_count_16x2(a: &[&[u64]; 2], b: &[u64]) -> [u32; 2] {
        match (a[0].first_chunk(), a[1].first_chunk(), b.first_chunk()) {
            (Some(x), Some(x2), Some(y)) => and16x2(x, x2, y),
            _ => [super::and_count_any(a[0], b), super::and_count_any(a[1], b)],
        }
    }

    /// [`and16`] of `a` and of `a2` against `b`: each vector of `b` loaded
    /// once, and the two byte sums reduced together (the halves of both
    /// interleaved and added, then widened once). Measured in headless
    /// Chromium: two rows 1.13x one row, four rows 0.97x.
    #[inline(always)]
    fn and16x2(a: &[u64; 16], a2: &[u64; 16], b: &[u64; 16]) -> [u32; 2] {
        let mut s = u8x16_splat(0);
        let mut s2 = u8x16_splat(0);
        for i in [0, 2, 4, 6, 8, 10, 12, 14] {
            let vb = pair(b, i);
            s = u8x16_add(s, u8x16_popcnt(v128_and(pair(a, i), vb)));
            s2 = u8x16_add(s2, u8x16_popcnt(v128_and(pair(a2, i), vb)));
        }
        // Low halves of both, plus high halves of both: bytes 0..8 sum `s`,
        // 8..16 sum `s2` (each byte at most 2 × 64, no overflow).
        let h = u8x16_add(i64x2_shuffle::<0, 2>(s, s2), i64x2_shuffle::<1, 3>(s, s2));
        let w = u32x4_extadd_pairwise_u16x8(u16x8_extadd_pairwise_u8x16(h));
        let u = i32x4_add(w, i32x4_shuffle::<1, 0, 3, 2>(w, w));
        [u32x4_extract_lane::<0>(u), u32x4_extract_lane::<2>(u)]
    }
}

/// x86-64 without POPCNT (Rust's default x86-64 target): `count_ones` is a
/// software popcount of ~12 operations per word. A Harley–Seal carry-save
/// adder tree over 16 words needs 5 of them instead of 16 (measured ≈ 1.5×
/// faster Dice there, BENCHMARKS.md "Linking"). Used when the CPU has no
/// POPCNT (`hw_popcount` otherwise); builds with `target-cpu=x86-64-v2` or
/// later, and wasm (`i64.popcnt`), never compile this.
#[cfg(all(target_arch = "x86_64", not(target_feature = "popcnt")))]
mod soft_popcount {
    const M1: u64 = 0x5555_5555_5555_5555;
    const M2: u64 = 0x3333_3333_3333_3333;
    const M4: u64 = 0x0f0f_0f0f_0f0f_0f0f;
    const H01: u64 = 0x0101_0101_0101_0101;

    /// Carry-save adder: (carry, sum) of three words, bit by bit.
    #[inline(always)]
    fn csa(a: u64, b: u64, c: u64) -> (u64, u64) {
        let u = a ^ b;
        ((a & b) | (u & c), u ^ c)
    }

    /// SWAR popcount of one word.
    #[inline(always)]
    fn pc(x: u64) -> u32 {
        let x = x - ((x >> 1) & M1);
        let x = (x & M2) + ((x >> 2) & M2);
        ((((x + (x >> 4)) & M4).wrapping_mul(H01)) >> 56) as u32
    }

    /// Popcount of `a AND b` over 16 words.
    #[inline(always)]
    pub(super) fn and16(a: &[u64; 16], b: &[u64; 16]) -> u32 {
        let w = |i: usize| a[i] & b[i];
        let (twos_a, ones) = csa(0, w(0), w(1));
        let (twos_b, ones) = csa(ones, w(2), w(3));
        let (fours_a, twos) = csa(0, twos_a, twos_b);
        let (twos_a, ones) = csa(ones, w(4), w(5));
        let (twos_b, ones) = csa(ones, w(6), w(7));
        let (fours_b, twos) = csa(twos, twos_a, twos_b);
        let (eights_a, fours) = csa(0, fours_a, fours_b);
        let (twos_a, ones) = csa(ones, w(8), w(9));
        let (twos_b, ones) = csa(ones, w(10), w(11));
        let (fours_a, twos) = csa(twos, twos_a, twos_b);
        let (twos_a, ones) = csa(ones, w(12), w(13));
        let (twos_b, ones) = csa(ones, w(14), w(15));
        let (fours_b, twos) = csa(twos, twos_a, twos_b);
        let (eights_b, fours) = csa(fours, fours_a, fours_b);
        let (sixteens, eights) = csa(0, eights_a, eights_b);
        16 * pc(sixteens) + 8 * pc(eights) + 4 * pc(fours) + 2 * pc(twos) + pc(ones)
    }
}

/// Any width: chunks of four with independent accumulators.
#[inline]
fn and_count_any(a: &[u64], b: &[u64]) -> u32 {
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
        for len in [1usize, 7, 8, 13, 64, 128, 130, 256] {
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

    /// Every bit set: the widest carries of the unrolled and carry-save paths.
    #[test]
    fn and_count_of_full_filters() {
        for words in [8usize, 16, 32, 17] {
            let full = vec![u64::MAX; words];
            assert_eq!(and_count(&full, &full), 64 * words as u32);
        }
    }

    /// Bit by bit, no `count_ones`.
    fn and_count_reference(a: &[u64], b: &[u64]) -> u32 {
        a.iter()
            .zip(b)
            .map(|(x, y)| (0..64).filter(|k| (x & y) >> k & 1 == 1).count() as u32)
            .sum()
    }

    /// Every popcount path this build has (the dispatched one, the build's
    /// own, and POPCNT where the CPU has it) against the reference, on
    /// random words of random densities.
    #[test]
    fn popcount_paths_agree_on_random_words() {
        let mut r = crate::link::rng::SplitMix64::new(17);
        for words in [1usize, 3, 8, 16, 17, 32, 33] {
            for round in 0..300 {
                let mut word = || match round % 3 {
                    0 => r.next_u64(),
                    1 => r.next_u64() & r.next_u64(),
                    _ => r.next_u64() | r.next_u64(),
                };
                let a: Vec<u64> = (0..words).map(|_| word()).collect();
                let b: Vec<u64> = (0..words).map(|_| word()).collect();
                let want = and_count_reference(&a, &b);
                assert_eq!(and_count(&a, &b), want, "{words} words");
                let own = match words {
                    8 => and_count_n::<8>(&a, &b),
                    16 => and_count_n::<16>(&a, &b),
                    32 => and_count_n::<32>(&a, &b),
                    _ => and_count_any(&a, &b),
                };
                assert_eq!(own, want, "{words} words, the build's popcount");
                #[cfg(all(target_arch = "x86_64", not(target_feature = "popcnt")))]
                if std::is_x86_feature_detected!("popcnt") {
                    // SAFETY: POPCNT checked on the line above.
                    #[allow(unsafe_code)]
                    let hw = unsafe { hw_popcount::and_count(&a, &b) };
                    assert_eq!(hw, want, "{words} words, POPCNT");
                }
            }
        }
    }

    /// The dispatched scan (POPCNT where the CPU has it) and the build's own
    /// return the same pairs.
    #[test]
    fn dispatched_and_portable_scans_agree() {
        for len in [64usize, 128, 256, 72] {
            let mut a = ClkStore::new();
            let mut b = ClkStore::new();
            for s in 0..30u64 {
                a.push(Some(&bytes(s, len, 20 + s % 50))).unwrap();
                b.push(
                    (s % 7 != 3)
                        .then(|| bytes(s / 2, len, 20 + (s / 2) % 50))
                        .as_deref(),
                )
                .unwrap();
            }
            for t in [0.2, 0.5, 0.8, 1.0] {
                assert_eq!(a.pairs_above(&b, t), a.pairs_above_portable(&b, t));
            }
        }
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
        // An odd number of rows, some absent and some empty, so the scan's
        // two-row steps meet every neighbour: both live, one, none, the last alone.
        let (na, nb) = (41usize, 50usize);
        let mut a = ClkStore::new();
        let mut b = ClkStore::new();
        let raw_a: Vec<Option<Vec<u8>>> = (0..na as u64)
            .map(|s| match s % 9 {
                2 | 6 => None,
                5 => Some(vec![0; 128]),
                // Each live row equals two of B's, so every row has pairs.
                _ => Some(bytes(s % 25, 128, 5 + (s % 25) % 40)),
            })
            .collect();
        let raw_b: Vec<_> = (0..nb as u64)
            .map(|s| bytes(s / 2, 128, 5 + (s / 2) % 40))
            .collect();
        raw_a.iter().for_each(|x| a.push(x.as_deref()).unwrap());
        raw_b.iter().for_each(|x| b.push(Some(x)).unwrap());
        for t in [0.3, 0.6, 0.9] {
            let got = a.pairs_above(&b, t);
            assert_eq!(got, a.pairs_above_portable(&b, t));
            // The two-row scan the SIMD128 build runs, with plain counts.
            let rows = |r: &[&[u64]; 2], y: &[u64]| (*r).map(|x| and_count_any(x, y));
            assert_eq!(a.scan(&b, t, and_count_any, Some(rows)), got);
            let want: Vec<_> = (0..na)
                .flat_map(|i| (0..nb).map(move |j| (i, j)))
                .filter_map(|(i, j)| {
                    let d = reference(raw_a[i].as_ref()?, &raw_b[j]);
                    (d >= t).then_some((i as u32, j as u32, d))
                })
                .collect();
            assert!(
                want.len() > 20 && want.iter().any(|w| w.0 == 40),
                "t {t}: pairs were found"
            );
            assert_eq!(got.len(), want.len());
            for (g, w) in got.iter().zip(&want) {
                assert_eq!((g.0, g.1), (w.0, w.1));
                assert!((g.2 - w.2).abs() < 1e-12);
            }
        }
    }
}
