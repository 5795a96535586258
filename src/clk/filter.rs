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

/// XOR-folds a one-bit-per-byte filter `folds` times in place
/// (`clkhash.bloomfilter.fold_xor`): each fold XORs the upper half into the
/// lower half and drops the upper half.
pub(crate) fn fold_xor(bits: &mut Vec<u8>, folds: u32) {
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
    fn fold_xors_halves() {
        let mut bits = vec![1, 0, 1, 0, 1, 1, 0, 0];
        fold_xor(&mut bits, 1);
        assert_eq!(bits, vec![0, 1, 1, 0]);
        fold_xor(&mut bits, 1);
        assert_eq!(bits, vec![1, 1]);
    }
}
