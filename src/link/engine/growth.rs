//! How the storage of a growing index grows: by an eighth, not by doubling.
//!
//! A graph's CLK rows and LSH items are its largest arrays (77 MB and 26 MB
//! per 100k person records) and grow chunk by chunk. `Vec`'s doubling leaves
//! up to half of such an array allocated and unused for the graph's life
//! (24 MB on the CLK rows of the 100k benchmark); growing by an eighth caps
//! the slack at 12.5 % for a few more reallocations while the graph is built.

/// Makes room for `additional` more items: exactly that many when the
/// vector is small, else at least an eighth of its length more.
pub(crate) fn reserve<T>(v: &mut Vec<T>, additional: usize) {
    if v.capacity() - v.len() < additional {
        v.reserve_exact(additional.max(v.len() / 8));
    }
}

/// Appends `items` with [`reserve`]'s growth.
pub(crate) fn extend<T: Clone>(v: &mut Vec<T>, items: &[T]) {
    reserve(v, items.len());
    v.extend_from_slice(items);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_by_an_eighth_or_by_what_is_needed() {
        let mut v: Vec<u64> = Vec::new();
        extend(&mut v, &[1; 800]);
        assert_eq!(v.capacity(), 800);
        // 100 more fits the eighth exactly; one more needs a new eighth.
        extend(&mut v, &[2; 100]);
        assert_eq!(v.capacity(), 900);
        extend(&mut v, &[3]);
        assert_eq!(v.capacity(), 900 + 900 / 8);
        // A chunk larger than the eighth is taken as it is.
        let before = v.len();
        extend(&mut v, &[4; 5000]);
        assert_eq!(v.capacity(), before + 5000);
        assert_eq!(v.len(), before + 5000);
        assert_eq!(v[0], 1);
        assert_eq!(v[899], 2);
        assert_eq!(v[900], 3);
    }
}
