//! A candidate pair of rows.

/// Rows `i` and `j` of a candidate pair (in a link job `i` is of the first
/// dataset, `j` of the second; within one dataset `i < j`). Packed in one
/// `u64`, `i` high, so pairs sort by `i`, then `j`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Pair(u64);

impl Pair {
    /// The pair `(i, j)`.
    pub fn new(i: u32, j: u32) -> Self {
        Pair(u64::from(i) << 32 | u64::from(j))
    }

    /// The pair of `a` and `b`, smaller row first.
    pub fn ordered(a: u32, b: u32) -> Self {
        Pair::new(a.min(b), a.max(b))
    }

    /// The first row.
    pub fn i(self) -> u32 {
        (self.0 >> 32) as u32
    }

    /// The second row.
    pub fn j(self) -> u32 {
        self.0 as u32
    }

    /// Both rows as indices.
    pub fn rows(self) -> (usize, usize) {
        (self.i() as usize, self.j() as usize)
    }
}

/// Sorts pairs (by first row, then second) and drops repeats; `scratch` is
/// the radix sort's second buffer, kept by the caller across calls.
pub(crate) fn sort_dedup(pairs: &mut Vec<Pair>, scratch: &mut Vec<Pair>) {
    super::radix::sort_by_key(pairs, scratch, |p| p.0);
    pairs.dedup();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pair_sorts_by_first_then_second_row() {
        let mut v = [Pair::new(2, 0), Pair::new(1, u32::MAX), Pair::ordered(9, 1)];
        v.sort_unstable();
        assert_eq!(v[0], Pair::new(1, 9));
        assert_eq!(v[1].rows(), (1, u32::MAX as usize));
        assert_eq!((v[2].i(), v[2].j()), (2, 0));
    }
}
