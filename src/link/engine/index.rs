//! The blocking index, in two forms: the batch linker's (`BatchBuckets`:
//! every item at once, emitted per pass) and the identity graph's, which
//! grows (`Buckets`, below).
//!
//! A blocking index that grows: `(key, row)` items kept sorted, so adding
//! rows is a sort of the new items plus a merge, and the candidate pairs of
//! a few new rows are binary searches.
//!
//! A hash map of vectors costs ~5× the memory per item at 100k records × 64
//! LSH bands. New items go to a small sorted `delta` first and are merged
//! into the main vector when the delta reaches an eighth of it, so a 1k add
//! to a 6.4M-item index moves kilobytes, not the whole index.

use super::Pair;

/// Side flag in a bucket item: record of the second dataset.
pub(crate) const SIDE_B: u32 = 1 << 31;

/// The batch form of the index: collects `(key, record)` items (64-bit
/// keys, the second dataset's records flagged [`SIDE_B`]) and emits the
/// pairs of equal keys at once.
#[derive(Debug, Default)]
pub(crate) struct BatchBuckets {
    /// Pushed in ascending record order (side A's, then side B's) per key.
    pub items: Vec<(u64, u32)>,
    /// The radix sort's second buffer, kept across passes and bands.
    scratch: Vec<(u64, u32)>,
}

impl BatchBuckets {
    /// Emits pairs of each run of equal keys: across sides when `link`,
    /// every unordered pair when not. Runs over `max_pairs` are skipped.
    pub fn emit(&mut self, link: bool, max_pairs: u64, out: &mut Vec<Pair>) {
        self.emit_once(link, max_pairs, out, None);
    }

    /// [`emit`](Self::emit) for one band of an LSH pass whose records are
    /// grouped into classes of identical CLKs: a pair within one class is
    /// emitted in the first band whose bucket is small enough and skipped in
    /// every later band (identical CLKs share every band's bucket, so a
    /// common name would otherwise emit its pairs once per band, and the
    /// sort after the pass would throw all but one copy away). The pairs
    /// are the same as [`emit`](Self::emit)'s over all bands.
    pub fn emit_band(
        &mut self,
        link: bool,
        max_pairs: u64,
        out: &mut Vec<Pair>,
        classes: &mut IdenticalClasses,
    ) {
        self.emit_once(link, max_pairs, out, Some(classes));
    }

    fn emit_once(
        &mut self,
        link: bool,
        max_pairs: u64,
        out: &mut Vec<Pair>,
        mut classes: Option<&mut IdenticalClasses>,
    ) {
        // Stable by key on items pushed in record order: sorted by (key,
        // record), so in a run side A's records come first.
        super::radix::sort_by_key(&mut self.items, &mut self.scratch, |x| x.0);
        let mut start = 0;
        while start < self.items.len() {
            let key = self.items[start].0;
            let mut end = start + 1;
            while end < self.items.len() && self.items[end].0 == key {
                end += 1;
            }
            let run = &self.items[start..end];
            let (a, b) = if link {
                // Sorted: side-A items (flag clear) come first.
                run.split_at(run.partition_point(|x| x.1 & SIDE_B == 0))
            } else {
                (run, run)
            };
            let pairs = if link {
                (a.len() as u64) * (b.len() as u64)
            } else {
                (run.len() as u64) * (run.len() as u64 - 1) / 2
            };
            if pairs <= max_pairs {
                let seen = classes.as_deref();
                for (n, x) in a.iter().enumerate() {
                    let ys = if link { b } else { &run[n + 1..] };
                    for y in ys {
                        if seen.is_some_and(|c| c.emitted_together(x.1, y.1)) {
                            continue;
                        }
                        let (i, j) = if link {
                            (x.1, y.1 & !SIDE_B)
                        } else {
                            (x.1.min(y.1), x.1.max(y.1))
                        };
                        if link || i != j {
                            out.push(Pair::new(i, j));
                        }
                    }
                }
                if let Some(c) = classes.as_deref_mut() {
                    for x in run {
                        c.mark_emitted(x.1);
                    }
                }
            }
            start = end;
        }
        self.items.clear();
    }
}

/// Records of an LSH pass grouped by identical CLK bits, and which groups
/// have had their pairs emitted (see [`BatchBuckets::emit_band`]).
#[derive(Debug, Default)]
pub(crate) struct IdenticalClasses {
    /// Class of each record: side A's rows, then side B's.
    class: Vec<u32>,
    /// Rows of side A (where side B's start).
    side_a: usize,
    emitted: Vec<bool>,
}

impl IdenticalClasses {
    /// Classes from one key per record (side A's, then side B's; `None`
    /// for a record without the CLK, which is in no bucket): records with
    /// equal keys (their CLK words) are one class. `hash` is any hash of a
    /// key: records are grouped by it with a radix sort, and records whose
    /// hashes collide are still told apart by comparing their keys.
    pub fn new<K: Eq>(keys: &[Option<K>], hash: impl Fn(&K) -> u64, side_a: usize) -> Self {
        let mut order: Vec<(u64, u32)> = keys
            .iter()
            .enumerate()
            .filter_map(|(r, k)| k.as_ref().map(|k| (hash(k), r as u32)))
            .collect();
        super::radix::sort_by_key(&mut order, &mut Vec::new(), |x| x.0);
        let key = |r: u32| keys.get(r as usize).and_then(Option::as_ref);
        let mut class = vec![u32::MAX; keys.len()];
        let mut next = 0u32;
        // The classes of the current run of equal hashes: (a row, its class).
        let mut run: Vec<(u32, u32)> = Vec::new();
        for (n, &(h, r)) in order.iter().enumerate() {
            if n == 0 || order[n - 1].0 != h {
                run.clear();
            }
            let c = match run.iter().find(|&&(rep, _)| key(rep) == key(r)) {
                Some(&(_, c)) => c,
                None => {
                    run.push((r, next));
                    next += 1;
                    next - 1
                }
            };
            if let Some(slot) = class.get_mut(r as usize) {
                *slot = c;
            }
        }
        IdenticalClasses {
            class,
            side_a,
            emitted: vec![false; next as usize],
        }
    }

    /// Number of classes (dense ids `0..count`).
    pub fn count(&self) -> usize {
        self.emitted.len()
    }

    /// The class of row `row` (side A's rows, then side B's), `None` for a
    /// record without the CLK.
    pub fn of_row(&self, row: usize) -> Option<usize> {
        self.class
            .get(row)
            .filter(|&&c| c != u32::MAX)
            .map(|&c| c as usize)
    }

    fn of(&self, item: u32) -> u32 {
        let row = if item & SIDE_B != 0 {
            self.side_a + (item & !SIDE_B) as usize
        } else {
            item as usize
        };
        self.class.get(row).copied().unwrap_or(u32::MAX)
    }

    /// Whether `x` and `y` are of one class whose pairs an earlier band
    /// emitted. Identical CLKs share a bucket in every band, so the first
    /// band that emitted one of their buckets emitted this pair.
    fn emitted_together(&self, x: u32, y: u32) -> bool {
        let c = self.of(x);
        c != u32::MAX && c == self.of(y) && self.emitted.get(c as usize) == Some(&true)
    }

    fn mark_emitted(&mut self, x: u32) {
        let c = self.of(x);
        if let Some(e) = self.emitted.get_mut(c as usize) {
            *e = true;
        }
    }
}

/// Sorted `key << 32 | row` items, in a main part and a recent part.
#[derive(Debug, Default, Clone)]
pub(crate) struct Buckets {
    items: Vec<u64>,
    delta: Vec<u64>,
}

/// An index item: a 32-bit bucket key and a row.
pub(crate) fn item(key: u64, row: usize) -> u64 {
    key << 32 | row as u64
}

fn row(x: u64) -> usize {
    (x & 0xFFFF_FFFF) as usize
}

/// Merges sorted `new` into sorted `into`, in place from the back.
fn merge_into(into: &mut Vec<u64>, new: &[u64]) {
    if into.is_empty() {
        super::growth::extend(into, new);
        return;
    }
    let old = into.len();
    super::growth::reserve(into, new.len());
    into.resize(old + new.len(), 0);
    let (mut i, mut j, mut k) = (old, new.len(), into.len());
    while j > 0 {
        k -= 1;
        if i > 0 && into[i - 1] > new[j - 1] {
            into[k] = into[i - 1];
            i -= 1;
        } else {
            into[k] = new[j - 1];
            j -= 1;
        }
    }
}

/// The items of `sorted` with `key`, searching from `*cursor` on (keys
/// come in ascending order: galloping from the last hit touches a few
/// nearby cache lines instead of a full binary search over the index).
fn run<'s>(sorted: &'s [u64], cursor: &mut usize, key: u64) -> &'s [u64] {
    let below = |x: &u64| *x >> 32 < key;
    let (mut lo, mut step) = (*cursor, 1);
    let mut hi = lo;
    while hi < sorted.len() && below(&sorted[hi]) {
        lo = hi + 1;
        hi += step;
        step *= 2;
    }
    let hi = hi.min(sorted.len());
    let start = lo + sorted[lo..hi].partition_point(below);
    // Runs are short: scan, do not search the rest of the index.
    let end = start
        + sorted[start..]
            .iter()
            .take_while(|&&x| x >> 32 == key)
            .count();
    *cursor = end;
    &sorted[start..end]
}

impl Buckets {
    /// Items stored.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.items.len() + self.delta.len()
    }

    /// Adds items (`key << 32 | row`).
    pub fn insert(&mut self, mut new: Vec<u64>) {
        if new.is_empty() {
            return;
        }
        new.sort_unstable();
        if self.items.is_empty() {
            self.items = new;
            return;
        }
        merge_into(&mut self.delta, &new);
        if self.delta.len() * 8 > self.items.len() {
            let delta = std::mem::take(&mut self.delta);
            merge_into(&mut self.items, &delta);
        }
    }

    /// Drops every item of the rows `gone` marks.
    pub fn remove_rows(&mut self, gone: &[bool]) {
        let keep = |x: &u64| !gone.get(row(*x)).copied().unwrap_or(false);
        self.items.retain(keep);
        self.delta.retain(keep);
    }

    /// Pairs `i < j` sharing a key where `dirty` marks `i` or `j`
    /// (unsorted, may repeat). A key shared by more than
    /// `max_pairs` pairs is a placeholder value, not evidence: skipped.
    /// `dirty_items`, when known, are the dirty rows' own items: when they
    /// are few, their keys are looked up; otherwise the index is walked once.
    pub fn pairs_touching(
        &mut self,
        dirty: &[bool],
        dirty_items: Option<&[u64]>,
        max_pairs: u64,
        out: &mut Vec<Pair>,
    ) {
        let is_dirty = |x: u64| dirty.get(row(x)).copied().unwrap_or(false);
        let total = self.items.len() + self.delta.len();
        let dirty_items = dirty_items.filter(|d| d.len() * 32 < total);
        let lookups_cheaper = dirty_items.is_some();
        if !lookups_cheaper {
            let delta = std::mem::take(&mut self.delta);
            merge_into(&mut self.items, &delta);
        }
        if let Some(dirty_items) = dirty_items {
            let mut keys: Vec<u64> = dirty_items.iter().map(|x| x >> 32).collect();
            keys.sort_unstable();
            keys.dedup();
            let (mut ca, mut cb) = (0, 0);
            for key in keys {
                let (a, b) = (
                    run(&self.items, &mut ca, key),
                    run(&self.delta, &mut cb, key),
                );
                emit(
                    &mut a.iter().chain(b),
                    (a.len() + b.len()) as u64,
                    max_pairs,
                    dirty,
                    out,
                );
            }
            return;
        }
        let items = &self.items;
        // The walk meets a pair once per band it shares: deduplicate as it
        // goes, so the transient list stays near the distinct pairs.
        let mut limit = out.len().max(1 << 21) * 2;
        let mut start = 0;
        while start < items.len() {
            if out.len() > limit {
                out.sort_unstable();
                out.dedup();
                limit = out.len().max(1 << 21) * 2;
            }
            let key = items[start] >> 32;
            let mut end = start + 1;
            let mut any = is_dirty(items[start]);
            while end < items.len() && items[end] >> 32 == key {
                any |= is_dirty(items[end]);
                end += 1;
            }
            if any {
                emit(
                    &mut items[start..end].iter(),
                    (end - start) as u64,
                    max_pairs,
                    dirty,
                    out,
                );
            }
            start = end;
        }
    }
}

/// The pairs of one run: each dirty member with every other member.
fn emit(
    members: &mut dyn Iterator<Item = &u64>,
    s: u64,
    max_pairs: u64,
    dirty: &[bool],
    out: &mut Vec<Pair>,
) {
    if s < 2 || s * (s - 1) / 2 > max_pairs {
        return;
    }
    let members: Vec<u32> = members.map(|&x| row(x) as u32).collect();
    let is_dirty = |x: u32| dirty.get(x as usize).copied().unwrap_or(false);
    for &d in members.iter().filter(|&&x| is_dirty(x)) {
        for &m in &members {
            if m != d {
                out.push(Pair::ordered(d, m));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::link::rng::SplitMix64;

    /// Band keys for records of a few CLK "classes" (identical CLKs share
    /// every band's key); other classes collide by chance in some bands.
    fn banded(classes: &[u32], bands: usize, seed: u64) -> Vec<Vec<u64>> {
        let mut r = SplitMix64::new(seed);
        let per_class: Vec<Vec<u64>> = (0..=*classes.iter().max().unwrap())
            .map(|_| (0..bands).map(|_| r.below(6)).collect())
            .collect();
        (0..bands)
            .map(|band| {
                classes
                    .iter()
                    .map(|&c| per_class[c as usize][band])
                    .collect()
            })
            .collect()
    }

    #[test]
    fn banded_emission_with_classes_gives_the_pairs_of_plain_emission() {
        for (seed, link, max_pairs) in [
            (1, true, 1_000),
            (2, false, 1_000),
            (3, true, 6),
            (4, false, 10),
        ] {
            let mut r = SplitMix64::new(seed);
            let (na, nb) = (40usize, 30usize);
            let n = if link { na + nb } else { na };
            let class: Vec<u32> = (0..n).map(|_| r.below(12) as u32).collect();
            let keys = banded(&class, 8, seed);
            let item = |row: usize| {
                if link && row >= na {
                    (row - na) as u32 | SIDE_B
                } else {
                    row as u32
                }
            };
            let run = |classes: Option<&mut IdenticalClasses>| {
                let mut classes = classes;
                let mut b = BatchBuckets::default();
                let mut out = Vec::new();
                for band_keys in &keys {
                    b.items
                        .extend(band_keys.iter().enumerate().map(|(row, &k)| (k, item(row))));
                    match classes.as_deref_mut() {
                        Some(c) => b.emit_band(link, max_pairs, &mut out, c),
                        None => b.emit(link, max_pairs, &mut out),
                    }
                }
                let emitted = out.len();
                out.sort_unstable();
                out.dedup();
                (out, emitted)
            };
            let (plain, plain_emitted) = run(None);
            let ids: Vec<Option<u32>> = class.iter().map(|&c| Some(c)).collect();
            let side_a = if link { na } else { n };
            // A good hash, and one where every key collides (told apart by
            // comparing the keys themselves): the same pairs either way.
            let hashes: [&dyn Fn(&u32) -> u64; 2] = [&|&c| u64::from(c), &|_| 7];
            for hash in hashes {
                let mut classes = IdenticalClasses::new(&ids, hash, side_a);
                let distinct: std::collections::BTreeSet<_> = class.iter().collect();
                assert_eq!(classes.count(), distinct.len(), "seed {seed}");
                let (once, once_emitted) = run(Some(&mut classes));
                assert_eq!(once, plain, "seed {seed}");
                assert!(!plain.is_empty());
                assert!(
                    once_emitted < plain_emitted,
                    "seed {seed}: {once_emitted} of {plain_emitted}"
                );
            }
        }
    }

    fn pair(i: u32, j: u32) -> Pair {
        Pair::new(i, j)
    }

    fn pairs(b: &mut Buckets, dirty: &[bool], items: &[u64], max: u64) -> Vec<Pair> {
        let mut out = Vec::new();
        b.pairs_touching(dirty, Some(items), max, &mut out);
        out.sort_unstable();
        out.dedup();
        out
    }

    #[test]
    fn new_rows_find_their_pairs_by_lookup_and_by_walk() {
        let mut b = Buckets::default();
        let old: Vec<u64> = (0..200)
            .map(|r: u64| item(1000 + r, r as usize))
            .chain([item(7, 0), item(9, 1), item(7, 2)])
            .collect();
        b.insert(old);
        let new = vec![item(9, 300), item(7, 301), item(1, 302)];
        b.insert(new.clone());
        assert_eq!(b.len(), 206);
        let mut dirty = vec![false; 303];
        dirty[300] = true;
        dirty[301] = true;
        let want = vec![pair(0, 301), pair(1, 300), pair(2, 301)];
        // Few new items: lookups.
        assert_eq!(pairs(&mut b, &dirty, &new, 100), want);
        // Unknown items: one walk.
        let mut out = Vec::new();
        b.pairs_touching(&dirty, None, 100, &mut out);
        out.sort_unstable();
        assert_eq!(out, want);
        // A bucket over the cap is skipped.
        assert_eq!(pairs(&mut b, &dirty, &new, 2), vec![pair(1, 300)]);
        let mut gone = vec![false; 303];
        gone[301] = true;
        b.remove_rows(&gone);
        assert_eq!(pairs(&mut b, &dirty, &new, 100), vec![pair(1, 300)]);
    }
}
