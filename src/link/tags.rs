//! [`TagTable`]: token tags interned as dense `u32` ids, each tag stored once.
//!
//! A `HashMap<[u8; 32], u32>` beside a `Vec` of tags by id holds every tag
//! twice, and its buckets are 36 bytes: 38 MB for the half-million distinct
//! tokens of a 100k-record identity graph. Here the hash table holds only
//! ids (4 bytes a bucket) and finds tags through the list.

use hashbrown::HashTable;

/// Distinct tags, by id in first-seen order.
#[derive(Debug, Default, Clone)]
pub(crate) struct TagTable {
    tags: Vec<[u8; 32]>,
    ids: HashTable<u32>,
}

/// A tag's hash: its first eight bytes. Tags are HMAC or OPRF outputs,
/// uniformly random to anyone without the key, so hashing them again buys
/// nothing.
fn hash(tag: &[u8; 32]) -> u64 {
    let mut b = [0u8; 8];
    b.copy_from_slice(&tag[..8]);
    u64::from_le_bytes(b)
}

impl TagTable {
    /// The id of `tag`, if it was interned.
    pub fn get(&self, tag: &[u8; 32]) -> Option<u32> {
        self.ids
            .find(hash(tag), |&id| &self.tags[id as usize] == tag)
            .copied()
    }

    /// The id of `tag`, interning it if new; and whether it was new.
    pub fn intern(&mut self, tag: &[u8; 32]) -> (u32, bool) {
        let Self { tags, ids } = self;
        let h = hash(tag);
        if let Some(&id) = ids.find(h, |&id| &tags[id as usize] == tag) {
            return (id, false);
        }
        let id = tags.len() as u32;
        super::engine::growth::reserve(tags, 1);
        tags.push(*tag);
        ids.insert_unique(h, id, |&id| hash(&tags[id as usize]));
        (id, true)
    }

    /// The tag of an id.
    pub fn tag(&self, id: u32) -> &[u8; 32] {
        &self.tags[id as usize]
    }

    /// All tags, by id.
    pub fn tags(&self) -> &[[u8; 32]] {
        &self.tags
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_tags_are_equal_ids_in_first_seen_order() {
        let mut t = TagTable::default();
        let tag = |b: u8, last: u8| {
            let mut x = [b; 32];
            x[31] = last;
            x
        };
        assert_eq!(t.intern(&tag(1, 0)), (0, true));
        assert_eq!(t.intern(&tag(2, 0)), (1, true));
        assert_eq!(t.intern(&tag(1, 0)), (0, false));
        // Same first eight bytes (same hash), another tag: another id.
        assert_eq!(t.intern(&tag(1, 9)), (2, true));
        assert_eq!(t.get(&tag(1, 9)), Some(2));
        assert_eq!(t.get(&tag(3, 0)), None);
        assert_eq!(t.tag(1), &tag(2, 0));
        assert_eq!(t.tags().len(), 3);
        // Many more, through the table's growth.
        for n in 0..5000u32 {
            let mut x = [0u8; 32];
            x[..4].copy_from_slice(&n.to_le_bytes());
            x[8] = 1;
            assert_eq!(t.intern(&x), (3 + n, true));
        }
        assert_eq!(t.get(&tag(2, 0)), Some(1));
        assert_eq!(t.tags().len(), 5003);
    }
}
