//! A blocking index that grows: `(key, row)` items kept sorted in one
//! vector, so adding rows is one sort of the new items plus an in-place
//! merge, and the candidate pairs of the new rows are one linear walk.
//!
//! A hash map of vectors would make lookups O(1) but costs ~5× the memory
//! per item at 100k records × 64 LSH bands; the walk over 6.4M sorted `u64`s
//! takes a few milliseconds.

/// Sorted `key << 32 | row` items.
#[derive(Debug, Default, Clone)]
pub(crate) struct Buckets {
    items: Vec<u64>,
}

impl Buckets {
    /// Items stored.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Adds items (`key << 32 | row`), keeping the order.
    pub fn insert(&mut self, mut new: Vec<u64>) {
        if new.is_empty() {
            return;
        }
        new.sort_unstable();
        let old = self.items.len();
        self.items.resize(old + new.len(), 0);
        // Merge from the back, in place: no second copy of the index.
        let (mut i, mut j, mut k) = (old, new.len(), self.items.len());
        while j > 0 {
            k -= 1;
            if i > 0 && self.items[i - 1] > new[j - 1] {
                self.items[k] = self.items[i - 1];
                i -= 1;
            } else {
                self.items[k] = new[j - 1];
                j -= 1;
            }
        }
    }

    /// Drops every item of the rows `gone` marks.
    pub fn remove_rows(&mut self, gone: &[bool]) {
        self.items.retain(|&x| {
            !gone
                .get((x & 0xFFFF_FFFF) as usize)
                .copied()
                .unwrap_or(false)
        });
    }

    /// Pairs `i < j` sharing a key where `dirty` marks `i` or `j`, packed
    /// `i << 32 | j` (unsorted, may repeat). A key shared by more than
    /// `max_pairs` pairs is a placeholder value, not evidence: skipped.
    pub fn pairs_touching(&self, dirty: &[bool], max_pairs: u64, out: &mut Vec<u64>) {
        let is_dirty = |x: u64| {
            dirty
                .get((x & 0xFFFF_FFFF) as usize)
                .copied()
                .unwrap_or(false)
        };
        let mut start = 0;
        let n = self.items.len();
        while start < n {
            let key = self.items[start] >> 32;
            let mut end = start + 1;
            let mut any = is_dirty(self.items[start]);
            while end < n && self.items[end] >> 32 == key {
                any |= is_dirty(self.items[end]);
                end += 1;
            }
            let s = (end - start) as u64;
            if any && s > 1 && s * (s - 1) / 2 <= max_pairs {
                let run = &self.items[start..end];
                for (a, &x) in run.iter().enumerate() {
                    for &y in &run[a + 1..] {
                        if is_dirty(x) || is_dirty(y) {
                            let (i, j) = (x & 0xFFFF_FFFF, y & 0xFFFF_FFFF);
                            if i != j {
                                out.push(i.min(j) << 32 | i.max(j));
                            }
                        }
                    }
                }
            }
            start = end;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(key: u64, row: u64) -> u64 {
        key << 32 | row
    }

    #[test]
    fn merged_inserts_find_the_pairs_of_new_rows_only() {
        let mut b = Buckets::default();
        b.insert(vec![item(7, 0), item(9, 1), item(7, 2)]);
        b.insert(vec![item(9, 3), item(7, 4), item(1, 5)]);
        assert_eq!(b.len(), 6);
        let mut dirty = vec![false; 6];
        dirty[3] = true;
        dirty[4] = true;
        let mut out = Vec::new();
        b.pairs_touching(&dirty, 100, &mut out);
        out.sort_unstable();
        assert_eq!(out, vec![item(0, 4), item(1, 3), item(2, 4)]);
        // A bucket over the cap is skipped.
        out.clear();
        b.pairs_touching(&dirty, 2, &mut out);
        assert_eq!(out, vec![item(1, 3)]);
        let mut gone = vec![false; 6];
        gone[4] = true;
        b.remove_rows(&gone);
        out.clear();
        b.pairs_touching(&dirty, 100, &mut out);
        assert_eq!(out, vec![item(1, 3)]);
    }
}
