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
//! - **Diffusion layer** (Armknecht, Heng and Schnell, "Strengthening
//!   privacy-preserving record linkage using diffusion", PoPETs 2023): output
//!   bit `j` is `f[T_j,1] ⊕ … ⊕ f[T_j,t]` for a keyed set `T_j` of `t`
//!   distinct input positions, output length = input length. Applied last
//!   (after folding and balancing). A Bloom-filter bit no longer stands for a
//!   few n-grams: each output bit mixes `t` input bits, so the attacks that
//!   align bit patterns or bit frequencies with n-gram frequencies (pattern
//!   mining, graph matching on the encodings) lose their handle. The map is
//!   GF(2)-linear, so records that differ in few input bits still differ in
//!   few output bits (about `t` times as many): Dice still ranks near
//!   matches above non-matches, on a compressed scale. It hides nothing about
//!   equality: equal inputs give equal outputs.

use super::filter::Clk;
use crate::error::{Error, ErrorCode, Subject};
use hkdf::Hkdf;
use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use zeroize::Zeroizing;

/// Domain separator for the record-salt prefix.
const SALT_DOMAIN: &[u8] = b"pseudolink/clk/record-salt/v1";
/// HKDF info for the balancing permutation key.
const BALANCE_INFO: &[u8] = b"pseudolink/clk/balanced-permutation/v1";
/// HKDF info prefix for the diffusion table key (`‖ t ‖ n` as u32 big-endian
/// follow, so every shape has its own independent table).
const DIFFUSION_INFO: &[u8] = b"pseudolink/clk/diffusion/v1";

/// Smallest and largest `t` of the diffusion layer. `t = 1` would only
/// permute bits (no diffusion). Above 32 an output bit flips for almost any
/// input difference (two names sharing most n-grams look unrelated), so
/// linkage is lost while the table grows; the paper's useful range is 4–12.
pub const DIFFUSION_T: core::ops::RangeInclusive<u8> = 2..=32;

/// Hardening options for [`ClkEncoder::with_hardening`](super::ClkEncoder::with_hardening).
///
/// JSON (all keys optional, unknown keys refused):
/// `{"balanced": false, "saltFeature": null, "diffusion": 8}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
#[non_exhaustive]
pub struct Hardening {
    /// Output `π(f ‖ ¬f)`: `2l` bits, exactly `l` set.
    pub balanced: bool,
    /// Identifier of the feature whose raw value salts the record's tokens
    /// (it may be an ignored feature). `None`: no salting.
    pub salt_feature: Option<String>,
    /// Diffusion layer: each output bit the XOR of `t` keyed input bits
    /// ([`DIFFUSION_T`]). `None`: no diffusion.
    pub diffusion: Option<u8>,
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

    /// Diffusion layer with `t` input bits per output bit (checked when an
    /// encoder is made, or by [`Hardening::validate`]).
    pub fn diffusion(mut self, t: u8) -> Self {
        self.diffusion = Some(t);
        self
    }

    /// Parses the JSON form; any malformed, unknown or out-of-range option is
    /// `option.invalid` (the text is never echoed).
    pub fn from_json(text: &str) -> Result<Self, Error> {
        let bad = || Error::new(Subject::Option, ErrorCode::OptionInvalid);
        // An object only: serde would also fill a struct from an array.
        let value: serde_json::Value = serde_json::from_str(text).map_err(|_| bad())?;
        if !value.is_object() {
            return Err(bad());
        }
        let h: Hardening = serde_json::from_value(value).map_err(|_| bad())?;
        h.validate()?;
        Ok(h)
    }

    /// Checks what can be checked without a schema: `diffusion` within
    /// [`DIFFUSION_T`], and a non-empty salt feature name.
    pub fn validate(&self) -> Result<(), Error> {
        let bad_t = self.diffusion.is_some_and(|t| !DIFFUSION_T.contains(&t));
        let bad_salt = self.salt_feature.as_deref() == Some("");
        if bad_t || bad_salt {
            return Err(Error::new(Subject::Option, ErrorCode::OptionInvalid));
        }
        Ok(())
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
    let mut stream = Stream::keyed(secret, BALANCE_INFO)?;
    let mut perm = Zeroizing::new((0..n as u32).collect::<Vec<u32>>());
    for i in (1..n).rev() {
        let j = stream.below(i as u32 + 1) as usize;
        perm.swap(i, j);
    }
    Ok(perm)
}

/// The keyed `t × n` position table of the diffusion layer, row `j` = `T_j`
/// (the input positions output bit `j` XORs).
///
/// An HMAC-SHA-256 counter-mode stream under
/// `HKDF-SHA-256(secret, info = DIFFUSION_INFO ‖ t ‖ n)`; for output bit
/// `j = 0, 1, …` in turn, `t` draws uniform in `0..n` (rejection sampling);
/// a draw already in `T_j` is discarded and drawn again. So each `T_j` is a
/// uniformly random `t`-subset, independent of the other rows (an input bit
/// may feed several outputs, or none, as in the paper).
pub(crate) fn diffusion_table(
    secret: &[u8],
    t: u8,
    n: usize,
) -> Result<Zeroizing<Vec<u32>>, Error> {
    let bad = || Error::new(Subject::Option, ErrorCode::OptionInvalid);
    let n32 = u32::try_from(n).map_err(|_| bad())?;
    if !DIFFUSION_T.contains(&t) || n < usize::from(t) {
        return Err(bad());
    }
    let mut info = DIFFUSION_INFO.to_vec();
    info.push(t);
    info.extend_from_slice(&n32.to_be_bytes());
    let mut stream = Stream::keyed(secret, &info)?;
    let t = usize::from(t);
    let mut table = Zeroizing::new(Vec::with_capacity(t * n));
    for _ in 0..n {
        let start = table.len();
        while table.len() - start < t {
            let i = stream.below(n32);
            if !table[start..].contains(&i) {
                table.push(i);
            }
        }
    }
    Ok(table)
}

/// The diffusion layer for filters of `n` bits, prepared once per encoder:
/// the position table transposed into bit-packed columns. Applying it XORs,
/// for each set input bit `i`, column `i` (the outputs `i` feeds) into the
/// output: `popcount(input) × ⌈n/64⌉` word XORs, cheap for the sparse
/// per-field filters and about `t·n` bit operations for a half-full one.
pub(crate) struct Diffusion {
    n: usize,
    /// Words per column (`n` bits rounded up to 64).
    words: usize,
    /// `columns[i·words .. (i+1)·words]`: output bit `j` at word `j/64`,
    /// mask `1 << (63 − j%64)` (so big-endian bytes are clkhash bit order).
    columns: Zeroizing<Vec<u64>>,
}

impl Diffusion {
    /// The layer with `t` input bits per output bit over `n`-bit filters.
    pub(crate) fn new(secret: &[u8], t: u8, n: usize) -> Result<Self, Error> {
        let table = diffusion_table(secret, t, n)?;
        let words = n.div_ceil(64);
        let mut columns = Zeroizing::new(vec![0u64; n * words]);
        for (k, &i) in table.iter().enumerate() {
            let j = k / usize::from(t);
            if let Some(w) = columns.get_mut(i as usize * words + j / 64) {
                *w |= 1u64 << (63 - j % 64);
            }
        }
        Ok(Diffusion { n, words, columns })
    }

    /// Diffuses a filter given one bit per byte (`n` of them).
    pub(crate) fn apply(&self, bits: &[u8]) -> Clk {
        let mut out = vec![0u64; self.words];
        for (i, _) in bits.iter().enumerate().filter(|(_, &b)| b != 0) {
            if let Some(col) = self.columns.get(i * self.words..(i + 1) * self.words) {
                out.iter_mut().zip(col).for_each(|(o, c)| *o ^= c);
            }
        }
        let mut bytes: Vec<u8> = out.iter().flat_map(|w| w.to_be_bytes()).collect();
        bytes.truncate(self.n.div_ceil(8));
        Clk::from_packed(bytes, self.n)
    }
}

struct Stream {
    mac: Hmac<Sha256>,
    counter: u64,
    block: Zeroizing<[u8; 32]>,
    used: usize,
}

impl Stream {
    /// The stream under `HMAC key = HKDF-SHA-256(secret, info)`.
    fn keyed(secret: &[u8], info: &[u8]) -> Result<Self, Error> {
        let bad = || Error::new(Subject::Option, ErrorCode::OptionInvalid);
        let mut key = Zeroizing::new([0u8; 32]);
        Hkdf::<Sha256>::new(None, secret)
            .expand(info, key.as_mut())
            .map_err(|_| bad())?;
        let mac = Hmac::<Sha256>::new_from_slice(key.as_ref()).map_err(|_| bad())?;
        Ok(Stream {
            mac,
            counter: 0,
            block: Zeroizing::new([0u8; 32]),
            used: 32,
        })
    }

    /// Uniform in `0..bound` (`bound > 0`): draws at or above the largest
    /// multiple of `bound` that fits in u32 are rejected.
    fn below(&mut self, bound: u32) -> u32 {
        let zone = u32::MAX - (u32::MAX % bound);
        loop {
            let r = self.next_u32();
            if r < zone {
                return r % bound;
            }
        }
    }

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

    /// Deterministic pseudo-random bits (xorshift), about `density` set.
    fn bits(seed: u64, n: usize, density: u64) -> Vec<u8> {
        let mut x = seed | 1;
        (0..n)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                u8::from(x % 100 < density)
            })
            .collect()
    }

    fn xor(a: &[u8], b: &[u8]) -> Vec<u8> {
        a.iter().zip(b).map(|(x, y)| x ^ y).collect()
    }

    fn unpack(c: &Clk) -> Vec<u8> {
        (0..c.len_bits()).map(|i| u8::from(c.bit(i))).collect()
    }

    #[test]
    fn each_output_bit_is_the_xor_of_exactly_t_distinct_keyed_inputs() {
        for (t, n) in [(2u8, 64usize), (8, 1024), (12, 1000), (32, 2048)] {
            let table = diffusion_table(b"secret one", t, n).unwrap();
            let t = usize::from(t);
            assert_eq!(table.len(), t * n);
            let d = Diffusion::new(b"secret one", t as u8, n).unwrap();
            let x = bits(u64::from(t as u32) * 7 + 1, n, 40);
            let y = unpack(&d.apply(&x));
            assert_eq!(y.len(), n);
            for (j, row) in table.chunks(t).enumerate() {
                let mut seen = row.to_vec();
                seen.sort_unstable();
                seen.dedup();
                assert_eq!(seen.len(), t, "T_{j} has repeats");
                assert!(row.iter().all(|&i| (i as usize) < n));
                let expected = row.iter().fold(0u8, |acc, &i| acc ^ x[i as usize]);
                assert_eq!(y[j], expected, "output bit {j}");
            }
            // A unit input lights exactly the outputs whose T_j contain it.
            let mut e = vec![0u8; n];
            e[5] = 1;
            let ones = d.apply(&e).count_ones() as usize;
            assert_eq!(ones, table.iter().filter(|&&i| i == 5).count());
        }
    }

    #[test]
    fn diffusion_is_gf2_linear_deterministic_and_keyed() {
        let n = 1024;
        let d = Diffusion::new(b"secret one", 8, n).unwrap();
        let (a, b) = (bits(1, n, 10), bits(2, n, 50));
        let (da, db) = (unpack(&d.apply(&a)), unpack(&d.apply(&b)));
        assert_eq!(unpack(&d.apply(&xor(&a, &b))), xor(&da, &db));
        // Zero in, zero out.
        assert_eq!(d.apply(&vec![0u8; n]).count_ones(), 0);
        // Deterministic, also across encoders.
        let again = Diffusion::new(b"secret one", 8, n).unwrap();
        assert_eq!(d.apply(&a), again.apply(&a));
        // Another secret, t or length: another table.
        let t1 = diffusion_table(b"secret one", 8, n).unwrap();
        assert_ne!(*t1, *diffusion_table(b"secret two", 8, n).unwrap());
        assert_ne!(t1[..8], diffusion_table(b"secret one", 9, n).unwrap()[..8]);
        assert_ne!(
            t1[..8],
            diffusion_table(b"secret one", 8, 2048).unwrap()[..8]
        );
        let other = Diffusion::new(b"secret two", 8, n).unwrap();
        assert_ne!(d.apply(&a), other.apply(&a));
    }

    #[test]
    fn diffusion_packs_odd_lengths_with_zero_spare_bits() {
        let d = Diffusion::new(b"k", 4, 67).unwrap();
        let c = d.apply(&bits(3, 67, 50));
        assert_eq!((c.len_bits(), c.as_bytes().len()), (67, 9));
        assert_eq!(Clk::from_bytes(c.as_bytes(), 67).unwrap(), c);
    }

    #[test]
    fn diffusion_t_out_of_range_or_above_length_is_option_invalid() {
        for (t, n) in [(0u8, 64usize), (1, 64), (33, 1024), (255, 1024), (8, 7)] {
            assert_eq!(
                Diffusion::new(b"k", t, n).err().map(|e| e.code()),
                Some(ErrorCode::OptionInvalid),
                "t {t}, n {n}"
            );
        }
        assert!(Diffusion::new(b"k", 8, 8).is_ok());
    }

    #[test]
    fn hardening_json_is_camel_case_optional_and_closed() {
        let h =
            Hardening::from_json(r#"{"balanced":false,"saltFeature":null,"diffusion":8}"#).unwrap();
        assert_eq!(h, Hardening::default().diffusion(8));
        assert_eq!(Hardening::from_json("{}").unwrap(), Hardening::default());
        let full = Hardening::default()
            .balanced(true)
            .salt_feature("dateOfBirth")
            .diffusion(6);
        let text = serde_json::to_string(&full).unwrap();
        assert_eq!(
            text,
            r#"{"balanced":true,"saltFeature":"dateOfBirth","diffusion":6}"#
        );
        assert_eq!(Hardening::from_json(&text).unwrap(), full);
        for bad in [
            r#"{"diffusion":1}"#,
            r#"{"diffusion":33}"#,
            r#"{"diffusion":300}"#,
            r#"{"diffusion":-1}"#,
            r#"{"diffusion":"8"}"#,
            r#"{"salt_feature":"x"}"#,
            r#"{"saltFeature":""}"#,
            r#"{"extra":1}"#,
            "[]",
            "not json",
        ] {
            let e = Hardening::from_json(bad).unwrap_err();
            assert_eq!(e.code(), ErrorCode::OptionInvalid, "{bad}");
            assert!(!e.to_string().contains("300") && !e.to_string().contains("extra"));
        }
    }
}
