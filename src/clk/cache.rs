//! A per-batch memo of token → filter indices, as clkhash's `lru_cache`s
//! (G8) do: common n-grams (`" s"`, `"an"`, `"er"`) recur in most records,
//! and a table hit costs far less than the HMACs or BLAKE2b it replaces.
//! Output is unchanged by construction (same indices, same order).
//!
//! The table is our own open-addressing array rather than a `HashMap`, for
//! two reasons. A key (feature slot, `k`, token of at most 12 bytes) packs
//! into one `u128`, so a lookup is a multiply and a compare, with no key
//! buffer to build and no `memcmp` (in wasm those were out-of-line calls,
//! a fifth of encoding time). And the table's memory is ours to wipe: keys
//! hold plaintext tokens and the indices are key-derived, so both are
//! zeroised when the batch ends. Longer tokens (rare: whole values, long
//! numbers) are not memoised. The memo is bounded and never used for salted
//! records (their tokens are unique per salt anyway).

use zeroize::Zeroize;

/// Entries kept at most (then misses are computed but not stored): clkhash's
/// token cache size, a few MB at most.
const MAX_ENTRIES: usize = 1 << 15;

/// Slots in a new table; it doubles when half full.
const FIRST_SLOTS: usize = 1 << 10;

/// Longest token that fits a packed key (16 bytes less slot, `k` and length).
const MAX_TOKEN: usize = 12;

/// A packed key, as two words: wasm32 has no 128-bit integers, and building
/// one byte-wise cost an out-of-line copy per token there.
type Key = [u64; 2];

/// No key: a packed key always holds a non-zero length.
const FREE: Key = [0, 0];

/// One table slot: the packed key ([`FREE`] when free) and where its
/// indices sit in the arena.
#[derive(Clone, Copy, Default)]
struct Slot {
    key: Key,
    start: u32,
    len: u32,
}

#[derive(Default)]
pub(crate) struct TokenCache {
    slots: Vec<Slot>,
    entries: usize,
    /// Every memoised token's indices, end to end.
    arena: Vec<u32>,
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
        let Some(key) = pack(slot, k, token) else {
            return compute(&mut emit);
        };
        if self.slots.is_empty() {
            self.slots = vec![Slot::default(); FIRST_SLOTS];
        }
        let at = self.find(key);
        let found = self.slots.get(at).copied().unwrap_or_default();
        if found.key == key {
            let (start, len) = (found.start as usize, found.len as usize);
            if let Some(hit) = self.arena.get(start..start + len) {
                hit.iter().for_each(|&i| emit(i as usize));
            }
            return;
        }
        let start = self.arena.len();
        let arena = &mut self.arena;
        compute(&mut |i| {
            arena.push(i as u32);
            emit(i);
        });
        if self.entries >= MAX_ENTRIES {
            self.arena.truncate(start);
            return;
        }
        if let Some(free) = self.slots.get_mut(at) {
            *free = Slot {
                key,
                start: start as u32,
                len: (self.arena.len() - start) as u32,
            };
            self.entries += 1;
        }
        if self.entries < MAX_ENTRIES && self.entries * 2 >= self.slots.len() {
            self.grow();
        }
    }

    /// The slot holding `key`, or the free slot where it would go (linear
    /// probing; the table is at most half full, so one is found).
    fn find(&self, key: Key) -> usize {
        let mask = self.slots.len() - 1;
        let mut at = spread(key) & mask;
        while let Some(s) = self.slots.get(at) {
            if s.key == key || s.key == FREE {
                break;
            }
            at = (at + 1) & mask;
        }
        at
    }

    fn grow(&mut self) {
        let bigger = vec![Slot::default(); self.slots.len() * 2];
        let mut old = core::mem::replace(&mut self.slots, bigger);
        for s in old.iter().filter(|s| s.key != FREE) {
            let at = self.find(s.key);
            if let Some(free) = self.slots.get_mut(at) {
                *free = *s;
            }
        }
        wipe(&mut old);
    }
}

/// `[slot, k (2 bytes), length, token…]` little-endian over two words, when
/// all fit; `None` for long tokens, empty ones and outsized `slot`/`k`.
fn pack(slot: usize, k: u32, token: &[u8]) -> Option<Key> {
    let slot = u8::try_from(slot).ok()?;
    let k = u16::try_from(k).ok()?;
    if token.is_empty() || token.len() > MAX_TOKEN {
        return None;
    }
    let mut key = [
        u64::from(slot) | u64::from(k) << 8 | (token.len() as u64) << 24,
        0,
    ];
    for (i, &b) in token.iter().enumerate() {
        let at = i + 4;
        if let Some(word) = key.get_mut(at / 8) {
            *word |= u64::from(b) << (8 * (at % 8));
        }
    }
    Some(key)
}

/// A table position from a key: FxHash's multiply over both words, the
/// high bits folded down (the mask keeps the low ones).
fn spread([lo, hi]: Key) -> usize {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let h = (lo.wrapping_mul(K).rotate_left(23) ^ hi).wrapping_mul(K);
    (h ^ (h >> 29)) as usize
}

fn wipe(slots: &mut [Slot]) {
    for s in slots {
        s.key.zeroize();
        s.start.zeroize();
        s.len.zeroize();
    }
}

impl Drop for TokenCache {
    fn drop(&mut self) {
        wipe(&mut self.slots);
        self.arena.zeroize();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stand-in hash: the token's bytes and `k` decide the indices.
    fn compute(token: &[u8], k: u32) -> Vec<usize> {
        (0..k as usize)
            .map(|i| (token.iter().map(|&b| b as usize).sum::<usize>() * 31 + i * 7) % 1000)
            .collect()
    }

    fn via(
        cache: &mut TokenCache,
        slot: usize,
        k: u32,
        token: &[u8],
        calls: &mut usize,
    ) -> Vec<usize> {
        let mut out = Vec::new();
        cache.indices(
            slot,
            k,
            token,
            |emit| {
                *calls += 1;
                compute(token, k).into_iter().for_each(&mut *emit);
            },
            |i| out.push(i),
        );
        out
    }

    #[test]
    fn a_memoised_token_gives_the_computed_indices_and_is_computed_once() {
        let mut cache = TokenCache::default();
        let mut calls = 0;
        // Enough tokens to grow the table several times.
        let tokens: Vec<Vec<u8>> = (0..5000u32).map(|i| format!("t{i}").into_bytes()).collect();
        for round in 0..2 {
            for (i, t) in tokens.iter().enumerate() {
                let (slot, k) = (i % 3, 1 + (i % 40) as u32);
                assert_eq!(via(&mut cache, slot, k, t, &mut calls), compute(t, k));
            }
            assert_eq!(calls, tokens.len(), "round {round}");
        }
    }

    #[test]
    fn slot_k_and_length_are_part_of_the_key() {
        let mut cache = TokenCache::default();
        let mut calls = 0;
        via(&mut cache, 0, 5, b"ab", &mut calls);
        via(&mut cache, 1, 5, b"ab", &mut calls);
        via(&mut cache, 0, 6, b"ab", &mut calls);
        via(&mut cache, 0, 5, b"ab\0", &mut calls);
        assert_eq!(calls, 4);
        via(&mut cache, 0, 5, b"ab", &mut calls);
        assert_eq!(calls, 4);
    }

    #[test]
    fn long_tokens_and_outsized_keys_are_computed_every_time() {
        let mut cache = TokenCache::default();
        let mut calls = 0;
        let long = b"thirteen byte";
        for _ in 0..2 {
            assert_eq!(via(&mut cache, 0, 3, long, &mut calls), compute(long, 3));
            assert_eq!(
                via(&mut cache, 300, 3, b"ab", &mut calls),
                compute(b"ab", 3)
            );
            assert_eq!(
                via(&mut cache, 0, 70_000, b"ab", &mut calls),
                compute(b"ab", 70_000)
            );
        }
        assert_eq!(calls, 6);
        assert_eq!(cache.entries, 0);
    }

    #[test]
    fn the_memo_stops_growing_at_its_bound() {
        let mut cache = TokenCache::default();
        let mut calls = 0;
        for i in 0..(MAX_ENTRIES as u32 + 100) {
            via(&mut cache, 0, 2, &i.to_le_bytes(), &mut calls);
        }
        assert_eq!(cache.entries, MAX_ENTRIES);
        assert_eq!(cache.arena.len(), MAX_ENTRIES * 2);
        let past = (MAX_ENTRIES as u32 + 50).to_le_bytes();
        assert_eq!(via(&mut cache, 0, 2, &past, &mut calls), compute(&past, 2));
    }
}
