//! A stable LSD radix sort on a 64-bit key, for the blocking index's large
//! sorts: candidate pairs (millions, packed `i << 32 | j`) and bucket items
//! (`(key, record)`, tens of thousands per LSH band, many times over).
//!
//! A comparison sort costs `n log n` branchy comparisons; this costs one
//! pass per byte of the key that varies (a 10k × 10k job's pairs vary in 4
//! of 8 bytes, an LSH band's keys in 3), each a counting pass and a
//! scatter. Wasm engines run the counting loops far closer to native speed
//! than the comparison sort's branches.

/// Sorts `v` by `key`, stably (items with equal keys keep their order),
/// using `scratch` as the second buffer (its contents are discarded; it is
/// kept by the caller so that repeated sorts do not allocate).
pub(crate) fn sort_by_key<T: Copy>(v: &mut Vec<T>, scratch: &mut Vec<T>, key: impl Fn(&T) -> u64) {
    let Some(first) = v.first() else {
        return;
    };
    // Bytes where some keys differ: the others need no pass.
    let (mut or, mut and) = (0u64, u64::MAX);
    for x in v.iter() {
        let k = key(x);
        or |= k;
        and &= k;
    }
    let varies = or ^ and;
    scratch.clear();
    scratch.resize(v.len(), *first);
    for shift in (0..64).step_by(8) {
        if (varies >> shift) & 0xFF == 0 {
            continue;
        }
        let digit = |x: &T| ((key(x) >> shift) & 0xFF) as usize;
        let mut start = [0usize; 256];
        for x in v.iter() {
            start[digit(x)] += 1;
        }
        let mut sum = 0;
        for s in start.iter_mut() {
            let count = *s;
            *s = sum;
            sum += count;
        }
        for x in v.iter() {
            let d = digit(x);
            // `start[d]` < v.len() = scratch.len(): the counts sum to it.
            if let Some(slot) = scratch.get_mut(start[d]) {
                *slot = *x;
            }
            start[d] += 1;
        }
        std::mem::swap(v, scratch);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::link::rng::SplitMix64;

    #[test]
    fn sorts_like_a_stable_comparison_sort() {
        let mut rng = SplitMix64::new(7);
        let mut scratch = Vec::new();
        for (n, mask) in [
            (0, u64::MAX),
            (1, u64::MAX),
            (1000, 0xFF),
            (5000, 0x3FFF_0000_3FFF),
            (5000, u64::MAX),
            (300, 0),
        ] {
            // (key, original position): stability shows in the positions.
            let mut v: Vec<(u64, usize)> = (0..n).map(|p| (rng.next_u64() & mask, p)).collect();
            let mut want = v.clone();
            want.sort_by_key(|x| x.0);
            sort_by_key(&mut v, &mut scratch, |x| x.0);
            assert_eq!(v, want, "n = {n}, mask = {mask:#x}");
        }
    }
}
