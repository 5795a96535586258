//! Token → filter indices (`clkhash.bloomfilter`): doubleHash (HMAC-SHA1 /
//! HMAC-MD5, optionally avoiding a zero step) and blakeHash (keyed BLAKE2b).
//!
//! Keyed states are prepared once per feature (HMAC pads absorbed, BLAKE2b
//! key block buffered); each token clones them, so a token costs the digest
//! work over its own bytes only. The states are key-equivalent: they are
//! zeroised on drop (RustCrypto `zeroize` features) and have no `Debug`.

use blake2::digest::block_api::{Block, Buffer, UpdateCore, VariableOutputCore};
use blake2::digest::Output;
use blake2::Blake2bVarCore;
use hmac::{Hmac, KeyInit, Mac};
use md5::Md5;
use sha1::Sha1;
use zeroize::Zeroize;

/// Which hash family a feature uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum HashKind {
    Double { prevent_singularity: bool },
    Blake,
}

/// A feature's prepared keyed hash state.
// One per feature, built once: the inline HMAC states are not worth a box.
#[allow(clippy::large_enum_variant)]
#[derive(Clone)]
pub(crate) enum FeatureHasher {
    Double {
        sha1: Hmac<Sha1>,
        md5: Hmac<Md5>,
        prevent_singularity: bool,
    },
    /// One state per 32 indices: BLAKE2b-512 keyed with key 0, salt `str(j)`.
    Blake(Vec<BlakeState>),
}

/// Keyed BLAKE2b-512 with its key block already compressed. A keyed BLAKE2b
/// hash is `compress(key block) ; compress(message blocks, last flagged)`;
/// the first step depends only on the key and salt, so it is done once here
/// instead of per token. Valid because tokens are never empty (n-grams have
/// n ≥ 1 characters, exact and numeric values are non-empty), so the key
/// block is never the final block.
#[derive(Clone)]
pub(crate) struct BlakeState {
    core: Blake2bVarCore,
    buffer: Buffer<Blake2bVarCore>,
}

impl BlakeState {
    fn new(key: &[u8], salt: &[u8]) -> Option<Self> {
        if key.is_empty() || key.len() > 64 || salt.len() > 16 {
            return None;
        }
        let mut core = Blake2bVarCore::new_with_params(salt, &[], key.len(), 64);
        let mut block = Block::<Blake2bVarCore>::default();
        block[..key.len()].copy_from_slice(key);
        core.update_blocks(core::slice::from_ref(&block));
        block.as_mut_slice().zeroize();
        Some(BlakeState {
            core,
            buffer: Buffer::<Blake2bVarCore>::default(),
        })
    }

    fn update(&mut self, data: &[u8]) {
        let core = &mut self.core;
        self.buffer
            .digest_blocks(data, |blocks| core.update_blocks(blocks));
    }

    fn digest(&self, token: &[u8]) -> Output<Blake2bVarCore> {
        let mut s = self.clone();
        s.update(token);
        let mut out = Output::<Blake2bVarCore>::default();
        s.core.finalize_variable_core(&mut s.buffer, &mut out);
        out
    }
}

impl FeatureHasher {
    /// Prepares the state from the feature's two derived keys. `max_k` bounds
    /// the indices per token (blakeHash prepares `ceil(max_k / 32)` states).
    /// `None` only if a key length is impossible for the primitive.
    pub(crate) fn new(kind: HashKind, key0: &[u8], key1: &[u8], max_k: u32) -> Option<Self> {
        Some(match kind {
            HashKind::Double {
                prevent_singularity,
            } => FeatureHasher::Double {
                sha1: Hmac::<Sha1>::new_from_slice(key0).ok()?,
                md5: Hmac::<Md5>::new_from_slice(key1).ok()?,
                prevent_singularity,
            },
            HashKind::Blake => {
                let mut states = Vec::new();
                for j in 0..max_k.div_ceil(32).max(1) {
                    let salt = j.to_string();
                    states.push(BlakeState::new(key0, salt.as_bytes())?);
                }
                FeatureHasher::Blake(states)
            }
        })
    }

    /// Absorbs a prefix into every state (record-level salting): afterwards
    /// every token is hashed as `prefix || token`.
    pub(crate) fn absorb_prefix(&mut self, prefix: &[u8]) {
        match self {
            FeatureHasher::Double { sha1, md5, .. } => {
                sha1.update(prefix);
                md5.update(prefix);
            }
            FeatureHasher::Blake(states) => {
                for s in states {
                    s.update(prefix);
                }
            }
        }
    }

    /// Calls `emit` with the `k` indices of `token` in a filter of `len`
    /// bits (`L`, the pre-fold length: G9), in clkhash's order.
    pub(crate) fn indices(&self, token: &[u8], k: u32, len: usize, mut emit: impl FnMut(usize)) {
        let len = len as u64;
        if k == 0 || len == 0 {
            return;
        }
        match self {
            FeatureHasher::Double {
                sha1,
                md5,
                prevent_singularity,
            } => {
                let mut m = sha1.clone();
                m.update(token);
                let h1 = mod_be(&m.finalize().into_bytes(), len);
                let mut m = md5.clone();
                m.update(token);
                let mut h2 = mod_be(&m.finalize().into_bytes(), len);
                if *prevent_singularity {
                    // Python: HMAC-MD5(key1, token + chr(j).encode()) for j = 0, 1, ...
                    let mut j = 0u32;
                    while h2 == 0 {
                        let mut m = md5.clone();
                        m.update(token);
                        if let Some(c) = char::from_u32(j) {
                            m.update(c.encode_utf8(&mut [0u8; 4]).as_bytes());
                            h2 = mod_be(&m.finalize().into_bytes(), len);
                        }
                        j += 1;
                    }
                }
                // (h1 + i·h2) mod L, stepwise: both terms are below L.
                let mut idx = h1;
                for _ in 0..k {
                    emit(idx as usize);
                    idx += h2;
                    if idx >= len {
                        idx -= len;
                    }
                }
            }
            FeatureHasher::Blake(states) => {
                // Schema load guarantees L is a power of two for blakeHash.
                let mask = len - 1;
                let mut left = k as usize;
                for s in states {
                    if left == 0 {
                        break;
                    }
                    let digest = s.digest(token);
                    // 32 little-endian u16 words (G4), the first `left` used.
                    for w in digest.chunks_exact(2).take(left) {
                        let short = u64::from(u16::from_le_bytes([w[0], w[1]]));
                        emit((short & mask) as usize);
                    }
                    left = left.saturating_sub(32);
                }
            }
        }
    }
}

/// `int.from_bytes(digest, 'big') % m`, without big integers.
fn mod_be(digest: &[u8], m: u64) -> u64 {
    if m.is_power_of_two() {
        let tail = digest.len().saturating_sub(8);
        let mut low = [0u8; 8];
        low[8 - (digest.len() - tail)..].copy_from_slice(&digest[tail..]);
        return u64::from_be_bytes(low) & (m - 1);
    }
    if m < 1 << 48 {
        // acc < 2^48, so acc·256 + 255 fits in u64.
        return digest
            .iter()
            .fold(0u64, |acc, &b| (acc * 256 + u64::from(b)) % m);
    }
    digest.iter().fold(0u64, |acc, &b| {
        ((u128::from(acc) * 256 + u128::from(b)) % u128::from(m)) as u64
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mod_be_matches_big_integer_arithmetic() {
        // 0x0102 = 258; 258 % 7 = 6.
        assert_eq!(mod_be(&[1, 2], 7), 6);
        assert_eq!(mod_be(&[0xff; 20], 1024), 1023);
        // 2^160 - 1 mod 1000 = 975 (Python: (2**160 - 1) % 1000).
        assert_eq!(mod_be(&[0xff; 20], 1000), 975);
        assert_eq!(
            mod_be(&[0xff; 20], (1 << 50) + 1),
            mod_slow(&[0xff; 20], (1 << 50) + 1)
        );
    }

    fn mod_slow(d: &[u8], m: u64) -> u64 {
        d.iter()
            .fold(0u128, |a, &b| (a * 256 + u128::from(b)) % u128::from(m)) as u64
    }
}
