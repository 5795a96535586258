//! The `Clk` bitset and the pre-fold working filter.
//!
//! Bit order is clkhash's (bitarray `big` endianness): bit `i` lives in byte
//! `i / 8` under mask `0x80 >> (i % 8)`, so `as_bytes` and `to_base64` are
//! exactly what `clkhash.serialization.serialize_bitarray` writes.

use crate::encoding::{base64_std, base64_std_decode};
use crate::error::{Error, ErrorCode, Subject};

/// A Bloom-filter encoding (CLK) of `len_bits` bits.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Clk {
    bytes: Vec<u8>,
    len_bits: usize,
}

impl Clk {
    /// Packs bits given one per byte (0 or 1), clkhash bit order.
    pub(crate) fn from_bits(bits: &[u8]) -> Self {
        let mut bytes = Vec::with_capacity(bits.len().div_ceil(8));
        let mut chunks = bits.chunks_exact(8);
        for chunk in &mut chunks {
            // Byte-wise (no `copy_from_slice`: out of line in the wasm build).
            let w = chunk.iter().rev().fold(0u64, |w, &b| w << 8 | u64::from(b));
            // Gathers the low bit of each byte into one byte (byte j → bit j;
            // the 8 partial products land on distinct bits, so no carries),
            // then reverses it into clkhash's MSB-first order.
            let x = w & 0x0101_0101_0101_0101;
            let gathered = (x.wrapping_mul(0x0102_0408_1020_4080) >> 56) as u8;
            bytes.push(gathered.reverse_bits());
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let byte = rest
                .iter()
                .enumerate()
                .fold(0u8, |acc, (j, &b)| acc | ((b & 1) << (7 - j)));
            bytes.push(byte);
        }
        Clk {
            bytes,
            len_bits: bits.len(),
        }
    }

    /// Wraps packed bytes (clkhash bit order) whose spare bits are zero.
    pub(crate) fn from_packed(bytes: Vec<u8>, len_bits: usize) -> Self {
        Clk { bytes, len_bits }
    }

    /// A filter from its bytes (clkhash bit order). Bits past `len_bits` in
    /// the last byte must be zero, as clkhash writes them.
    pub fn from_bytes(bytes: &[u8], len_bits: usize) -> Result<Self, Error> {
        let invalid = Error::new(Subject::Option, ErrorCode::ClkInvalidEncoding);
        if len_bits == 0 || bytes.len() != len_bits.div_ceil(8) {
            return Err(invalid);
        }
        let spare = bytes.len() * 8 - len_bits;
        if spare > 0 && bytes.last().is_some_and(|b| b & ((1u8 << spare) - 1) != 0) {
            return Err(invalid);
        }
        Ok(Clk {
            bytes: bytes.to_vec(),
            len_bits,
        })
    }

    /// Parses clkhash's serialisation (standard base64 with padding) of a
    /// filter of `len_bits` bits.
    pub fn from_base64(text: &str, len_bits: usize) -> Result<Self, Error> {
        let bytes = base64_std_decode(text)
            .ok_or(Error::new(Subject::Option, ErrorCode::ClkInvalidEncoding))?;
        Clk::from_bytes(&bytes, len_bits)
    }

    /// Length in bits (`l`, or `2l` for a balanced filter).
    pub fn len_bits(&self) -> usize {
        self.len_bits
    }

    /// The packed bytes, clkhash bit order (bit 0 = MSB of byte 0).
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Standard base64 with `=` padding, byte-identical to clkhash's output.
    pub fn to_base64(&self) -> String {
        base64_std(&self.bytes)
    }

    /// Number of set bits (the filter's Hamming weight).
    pub fn count_ones(&self) -> u32 {
        self.bytes.iter().map(|b| b.count_ones()).sum()
    }

    /// Whether bit `i` is set (`false` past the end).
    pub fn bit(&self, i: usize) -> bool {
        i < self.len_bits
            && self
                .bytes
                .get(i / 8)
                .is_some_and(|b| b & (0x80 >> (i % 8)) != 0)
    }
}

impl core::fmt::Debug for Clk {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // Encodings are pseudonymous but still linkable: show only the shape.
        write!(f, "Clk({} bits, {} set)", self.len_bits, self.count_ones())
    }
}

/// The working filter while a row is hashed: one bit per position, bit `i`
/// in word `i / 64` under `1 << (i % 64)`. Clearing, OR-ing feature filters
/// into the record's, folding and packing then touch `len / 64` words, not
/// `len` bytes; clkhash's bit order is applied once, when packing.
#[derive(Clone, Default)]
pub(crate) struct Bits {
    words: Vec<u64>,
    len: usize,
}

impl Bits {
    /// Empties the filter and sizes it to `len` bits.
    pub(crate) fn reset(&mut self, len: usize) {
        self.words.clear();
        self.words.resize(len.div_ceil(64), 0);
        self.len = len;
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Sets bit `i`; positions past the end are ignored (those in the last
    /// word's spare bits are set there, and never read: `get`, `fold` and
    /// `to_clk` stop at `len`).
    pub(crate) fn set(&mut self, i: usize) {
        if let Some(w) = self.words.get_mut(i / 64) {
            *w |= 1 << (i % 64);
        }
    }

    fn get(&self, i: usize) -> bool {
        i < self.len
            && self
                .words
                .get(i / 64)
                .is_some_and(|w| w >> (i % 64) & 1 == 1)
    }

    /// OR-s `other` (of the same length) into this filter.
    pub(crate) fn or(&mut self, other: &Bits) {
        self.words
            .iter_mut()
            .zip(&other.words)
            .for_each(|(a, b)| *a |= b);
    }

    /// `clkhash.bloomfilter.fold_xor`, `folds` times: each fold XORs the upper
    /// half into the lower and drops the upper; word-wise while a half is
    /// whole words.
    pub(crate) fn fold(&mut self, folds: u32) {
        for _ in 0..folds {
            let half = self.len / 2;
            if half.is_multiple_of(64) {
                let (low, high) = self.words.split_at_mut(half / 64);
                low.iter_mut().zip(high.iter()).for_each(|(a, b)| *a ^= b);
            } else {
                for i in 0..half {
                    if self.get(half + i) {
                        if let Some(w) = self.words.get_mut(i / 64) {
                            *w ^= 1 << (i % 64);
                        }
                    }
                }
            }
            self.words.truncate(half.div_ceil(64));
            if let Some(last) = self.words.last_mut() {
                if !half.is_multiple_of(64) {
                    *last &= (1 << (half % 64)) - 1;
                }
            }
            self.len = half;
        }
    }

    /// One bit per byte (0 or 1), for the hardening steps.
    pub(crate) fn to_bit_bytes(&self) -> Vec<u8> {
        (0..self.len).map(|i| u8::from(self.get(i))).collect()
    }

    /// Packs into clkhash's bit order: each little-endian byte of a word
    /// holds its bits LSB-first, so reversing it gives MSB-first.
    pub(crate) fn to_clk(&self) -> Clk {
        let mut bytes = Vec::with_capacity(self.words.len() * 8);
        for w in &self.words {
            // Reverses the bits within each byte, all eight at once.
            let w = (w >> 1 & 0x5555_5555_5555_5555) | (w & 0x5555_5555_5555_5555) << 1;
            let w = (w >> 2 & 0x3333_3333_3333_3333) | (w & 0x3333_3333_3333_3333) << 2;
            let w = (w >> 4 & 0x0f0f_0f0f_0f0f_0f0f) | (w & 0x0f0f_0f0f_0f0f_0f0f) << 4;
            bytes.extend_from_slice(&w.to_le_bytes());
        }
        bytes.truncate(self.len.div_ceil(8));
        if let Some(last) = bytes.last_mut().filter(|_| !self.len.is_multiple_of(8)) {
            *last &= 0xff << (8 - self.len % 8);
        }
        Clk {
            bytes,
            len_bits: self.len,
        }
    }
}

/// XOR-folds a one-bit-per-byte filter `folds` times in place
/// (`clkhash.bloomfilter.fold_xor`): each fold XORs the upper half into the
/// lower half and drops the upper half. The reference [`Bits::fold`] is
/// tested against.
#[cfg(test)]
fn fold_xor(bits: &mut Vec<u8>, folds: u32) {
    for _ in 0..folds {
        let half = bits.len() / 2;
        let (low, high) = bits.split_at_mut(half);
        for (a, b) in low.iter_mut().zip(high.iter()) {
            *a ^= *b;
        }
        bits.truncate(half);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bit_order_is_big_endian_and_base64_padded() {
        let mut bits = vec![0u8; 16];
        bits[0] = 1;
        bits[9] = 1;
        let c = Clk::from_bits(&bits);
        assert_eq!(c.as_bytes(), &[0x80, 0x40]);
        assert_eq!(c.to_base64(), "gEA=");
        assert_eq!(Clk::from_base64("gEA=", 16).unwrap(), c);
        assert!(c.bit(0) && c.bit(9) && !c.bit(1));
        assert_eq!(c.count_ones(), 2);
    }

    #[test]
    fn from_base64_rejects_wrong_length_padding_bits_and_alphabet() {
        assert!(Clk::from_base64("gEA=", 24).is_err());
        assert!(Clk::from_base64("gEA", 16).is_err());
        assert!(Clk::from_base64("gE-=", 16).is_err());
        // 12 bits: the low nibble of byte 1 must be zero.
        assert!(Clk::from_base64("gEE=", 12).is_err());
        assert!(Clk::from_base64("gEA=", 12).is_ok());
    }

    #[test]
    fn packing_matches_bit_by_bit() {
        let bits: Vec<u8> = (0..67u32)
            .map(|i| u8::from((i * 7 + i / 3) % 5 < 2))
            .collect();
        let c = Clk::from_bits(&bits);
        for (i, &b) in bits.iter().enumerate() {
            assert_eq!(c.bit(i), b == 1, "bit {i}");
        }
        assert_eq!(c.as_bytes().len(), 9);
        assert_eq!(
            c.count_ones() as usize,
            bits.iter().filter(|&&b| b == 1).count()
        );
    }

    #[test]
    fn the_word_filter_folds_and_packs_as_the_byte_filter() {
        // Pseudo-random fills of lengths with whole-word and partial halves.
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        for (len, folds) in [
            (1024, 0),
            (1024, 1),
            (2048, 2),
            (200, 1),
            (96, 3),
            (8, 3),
            (13, 0),
            (1000, 1),
        ] {
            let mut bytes = vec![0u8; len];
            let mut bits = Bits::default();
            bits.reset(len);
            for _ in 0..len / 3 {
                seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                let i = (seed >> 33) as usize % (len + 5);
                bits.set(i);
                if let Some(b) = bytes.get_mut(i) {
                    *b = 1;
                }
            }
            let mut other = Bits::default();
            other.reset(len);
            other.set(len - 1);
            bits.or(&other);
            bytes[len - 1] = 1;
            assert_eq!(bits.to_bit_bytes(), bytes, "len {len}");
            fold_xor(&mut bytes, folds);
            bits.fold(folds);
            assert_eq!(bits.len(), bytes.len());
            assert_eq!(bits.to_bit_bytes(), bytes, "len {len} folds {folds}");
            assert_eq!(
                bits.to_clk(),
                Clk::from_bits(&bytes),
                "len {len} folds {folds}"
            );
        }
    }

    #[test]
    fn fold_xors_halves() {
        let mut bits = vec![1, 0, 1, 0, 1, 1, 0, 0];
        fold_xor(&mut bits, 1);
        assert_eq!(bits, vec![0, 1, 1, 0]);
        fold_xor(&mut bits, 1);
        assert_eq!(bits, vec![1, 1]);
    }
}
