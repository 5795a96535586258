//! A per-batch memo of token → filter indices, as clkhash's `lru_cache`s
//! (G8) do: common n-grams (`" s"`, `"an"`, `"er"`) recur in most records,
//! and a hash-map hit costs far less than the HMACs or BLAKE2b it replaces.
//! Output is unchanged by construction (same indices, same order).
//!
//! Keys hold plaintext tokens and values are key-derived, so both are
//! zeroised when the batch ends. The memo is bounded and never used for
//! salted records (their tokens are unique per salt anyway).

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use zeroize::Zeroize;

/// Entries kept at most (then misses are computed but not stored): clkhash's
/// token cache size, a few MB at most.
const MAX_ENTRIES: usize = 1 << 15;

#[derive(Default)]
pub(crate) struct TokenCache {
    map: HashMap<Box<[u8]>, Box<[u32]>, BuildHasherDefault<WordHasher>>,
    key: Vec<u8>,
    pending: Vec<u32>,
}

impl TokenCache {
    /// The indices of `token` for feature `slot` with `k` insertions:
    /// from the memo, or computed by `compute` (which emits them) and stored.
    pub(crate) fn indices(
        &mut self,
        slot: usize,
        k: u32,
        token: &[u8],
        compute: impl FnOnce(&mut dyn FnMut(usize)),
        mut emit: impl FnMut(usize),
    ) {
        self.key.clear();
        self.key.extend_from_slice(&(slot as u32).to_le_bytes());
        self.key.extend_from_slice(&k.to_le_bytes());
        self.key.extend_from_slice(token);
        if let Some(hit) = self.map.get(self.key.as_slice()) {
            hit.iter().for_each(|&i| emit(i as usize));
            return;
        }
        self.pending.clear();
        let pending = &mut self.pending;
        compute(&mut |i| {
            pending.push(i as u32);
            emit(i);
        });
        if self.map.len() < MAX_ENTRIES {
            self.map
                .insert(self.key.as_slice().into(), self.pending.as_slice().into());
        }
    }
}

impl Drop for TokenCache {
    fn drop(&mut self) {
        for (mut k, mut v) in self.map.drain() {
            k.as_mut().zeroize();
            v.as_mut().zeroize();
        }
        self.key.zeroize();
        self.pending.zeroize();
    }
}

/// A multiply-rotate hash over 8-byte words (FxHash's construction): keys
/// are short tokens, and SipHash's flooding resistance buys nothing for a
/// bounded, per-batch memo whose worst case is computing the hashes anyway.
#[derive(Default)]
struct WordHasher(u64);

impl Hasher for WordHasher {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x517c_c1b7_2722_0a95;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(K);
        }
        let mut w = [0u8; 8];
        let rest = chunks.remainder();
        w[..rest.len()].copy_from_slice(rest);
        self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(w) ^ (rest.len() as u64) << 59)
            .wrapping_mul(K);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}
