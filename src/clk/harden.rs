//! Optional hardening clkhash 0.18.3 lacks. Off by default: with
//! [`Hardening::default`] the output stays byte-identical to clkhash.
//!
//! - **Balanced Bloom filters** (Berger et al.): the filter `f` becomes
//!   `π(f ‖ ¬f)` for a keyed permutation `π` of the `2l` positions, so every
//!   encoding has Hamming weight exactly `l`. Defends against attacks that
//!   read the number of set bits (which leaks value length / token count) and
//!   weakens frequency and pattern-mining attacks that align frequent bit
//!   patterns with frequent n-grams. Costs: twice the length; Dice values
//!   shift (they are computed on balanced filters on both sides).
//! - **Record-level salting**: every token of a record is hashed as
//!   `DOMAIN 0x00 len(salt) salt ‖ token`, with the salt taken from a stable
//!   attribute of the record (e.g. year of birth). The same n-gram sets
//!   different bits in records with different salts, which defeats
//!   cross-record n-gram frequency analysis (the attack that recovers names
//!   from CLKs by matching bit-frequency to n-gram frequency). Cost: two
//!   records whose salts differ are no longer comparable (similarity ≈ that of
//!   unrelated records), so an error in the salt attribute loses the link.

use crate::error::{Error, ErrorCode, Subject};
use hkdf::Hkdf;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use zeroize::Zeroizing;

/// Domain separator for the record-salt prefix.
const SALT_DOMAIN: &[u8] = b"pseudolink/clk/record-salt/v1";
/// HKDF info for the balancing permutation key.
const BALANCE_INFO: &[u8] = b"pseudolink/clk/balanced-permutation/v1";

/// Hardening options for [`ClkEncoder::with_hardening`](super::ClkEncoder::with_hardening).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Hardening {
    /// Output `π(f ‖ ¬f)`: `2l` bits, exactly `l` set.
    pub balanced: bool,
    /// Identifier of the feature whose raw value salts the record's tokens
    /// (it may be an ignored feature). `None`: no salting.
    pub salt_feature: Option<String>,
}

impl Hardening {
    /// Balanced filters on or off.
    pub fn balanced(mut self, on: bool) -> Self {
        self.balanced = on;
        self
    }

    /// Salts each record with the value of feature `identifier`.
    pub fn salt_feature(mut self, identifier: &str) -> Self {
        self.salt_feature = Some(identifier.to_owned());
        self
    }
}

/// The prefix absorbed before every token of a record with this salt.
pub(crate) fn salt_prefix(salt: &str) -> Vec<u8> {
    let mut p = Vec::with_capacity(SALT_DOMAIN.len() + 5 + salt.len());
    p.extend_from_slice(SALT_DOMAIN);
    p.push(0);
    p.extend_from_slice(&(salt.len() as u32).to_be_bytes());
    p.extend_from_slice(salt.as_bytes());
    p
}

/// A keyed permutation of `0..n`: Fisher–Yates driven by HMAC-SHA-256 in
/// counter mode under a key derived from the secret (independent of the
/// clkhash keys), with rejection sampling so every index is unbiased.
pub(crate) fn permutation(secret: &[u8], n: usize) -> Result<Zeroizing<Vec<u32>>, Error> {
    let bad = || Error::new(Subject::Option, ErrorCode::OptionInvalid);
    let mut key = Zeroizing::new([0u8; 32]);
    Hkdf::<Sha256>::new(None, secret)
        .expand(BALANCE_INFO, key.as_mut())
        .map_err(|_| bad())?;
    let mac = Hmac::<Sha256>::new_from_slice(key.as_ref()).map_err(|_| bad())?;
    let mut stream = Stream {
        mac,
        counter: 0,
        block: Zeroizing::new([0u8; 32]),
        used: 32,
    };
    let mut perm = Zeroizing::new((0..n as u32).collect::<Vec<u32>>());
    for i in (1..n).rev() {
        let bound = i as u32 + 1;
        // Largest multiple of `bound` that fits in u32: draws above it are rejected.
        let zone = u32::MAX - (u32::MAX % bound);
        let j = loop {
            let r = stream.next_u32();
            if r < zone {
                break (r % bound) as usize;
            }
        };
        perm.swap(i, j);
    }
    Ok(perm)
}

struct Stream {
    mac: Hmac<Sha256>,
    counter: u64,
    block: Zeroizing<[u8; 32]>,
    used: usize,
}

impl Stream {
    fn next_u32(&mut self) -> u32 {
        if self.used + 4 > self.block.len() {
            let mut m = self.mac.clone();
            m.update(&self.counter.to_be_bytes());
            self.block.copy_from_slice(&m.finalize().into_bytes());
            self.counter += 1;
            self.used = 0;
        }
        let mut w = [0u8; 4];
        w.copy_from_slice(&self.block[self.used..self.used + 4]);
        self.used += 4;
        u32::from_be_bytes(w)
    }
}

/// `π(bits ‖ ¬bits)`, one byte per bit in and out.
pub(crate) fn balance(bits: &[u8], perm: &[u32]) -> Vec<u8> {
    let mut out = vec![0u8; perm.len()];
    let doubled = bits.iter().copied().chain(bits.iter().map(|b| b ^ 1));
    for (src, bit) in doubled.enumerate() {
        if let Some(&dst) = perm.get(src) {
            out[dst as usize] = bit;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permutation_is_a_keyed_bijection() {
        let p = permutation(b"secret one", 2048).unwrap();
        let mut seen = vec![false; 2048];
        for &i in p.iter() {
            assert!(!seen[i as usize]);
            seen[i as usize] = true;
        }
        assert_ne!(*p, *permutation(b"secret two", 2048).unwrap());
        assert_eq!(*p, *permutation(b"secret one", 2048).unwrap());
        assert_ne!(
            p.iter().copied().collect::<Vec<_>>(),
            (0..2048).collect::<Vec<_>>()
        );
    }

    #[test]
    fn balanced_weight_is_exactly_half() {
        let p = permutation(b"k", 16).unwrap();
        let out = balance(&[1, 1, 1, 0, 0, 0, 0, 1], &p);
        assert_eq!(out.len(), 16);
        assert_eq!(out.iter().map(|&b| u32::from(b)).sum::<u32>(), 8);
    }
}
