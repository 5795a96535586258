//! Fixed-length bit sets for CLKs (one `u64` per 64 bits).

/// A CLK as words.
pub type Bits = Vec<u64>;

/// Packs CLK bytes into words (bit order does not matter to the attacks).
pub fn from_bytes(bytes: &[u8]) -> Bits {
    bytes
        .chunks(8)
        .map(|c| {
            let mut w = [0u8; 8];
            w[..c.len()].copy_from_slice(c);
            u64::from_le_bytes(w)
        })
        .collect()
}

/// Set bits.
pub fn ones(a: &[u64]) -> u32 {
    a.iter().map(|w| w.count_ones()).sum()
}

/// Whether bit `i` is set.
pub fn get(a: &[u64], i: usize) -> bool {
    a.get(i / 64).is_some_and(|w| w >> (i % 64) & 1 == 1)
}

/// Sets bit `i`.
pub fn set(a: &mut [u64], i: usize) {
    if let Some(w) = a.get_mut(i / 64) {
        *w |= 1 << (i % 64);
    }
}

/// Dice coefficient `2|a∧b| / (|a|+|b|)` (0 when both are empty).
pub fn dice(a: &[u64], b: &[u64]) -> f64 {
    let both: u32 = a.iter().zip(b).map(|(x, y)| (x & y).count_ones()).sum();
    let total = ones(a) + ones(b);
    if total == 0 {
        0.0
    } else {
        2.0 * f64::from(both) / f64::from(total)
    }
}

/// `a ∧= b`.
pub fn and_assign(a: &mut [u64], b: &[u64]) {
    a.iter_mut().zip(b).for_each(|(x, y)| *x &= y);
}

/// `a ∨= b`.
pub fn or_assign(a: &mut [u64], b: &[u64]) {
    a.iter_mut().zip(b).for_each(|(x, y)| *x |= y);
}

/// `a ∧= ¬b`.
pub fn and_not_assign(a: &mut [u64], b: &[u64]) {
    a.iter_mut().zip(b).for_each(|(x, y)| *x &= !y);
}
