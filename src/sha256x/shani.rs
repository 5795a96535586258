//! Two SHA-256 compressions at once with the x86 SHA extensions (SHA-NI).
//!
//! `sha256rnds2` makes two rounds of one message and must wait for the
//! previous pair's result, so a single message's 64 rounds are one chain of
//! instruction latencies, and the core idles between them. `sha2`'s
//! `compress256` runs one message that way. Two independent messages
//! interleaved here fill those gaps: a record's tokens are independent
//! HMACs, so [`super::compress2`] hands them over in pairs.
//!
//! Safe Rust: inside a `#[target_feature]` function the intrinsics that take
//! no pointer are safe to call, and words go in and out through
//! `_mm_set_epi32` and `_mm_extract_epi32`. The one `unsafe` is the call
//! from [`super::compress2`], after run-time detection ([`available`]).

use super::{State, K};
use core::arch::x86_64::{
    _mm_add_epi32, _mm_alignr_epi8, _mm_extract_epi32, _mm_set_epi32, _mm_sha256msg1_epu32,
    _mm_sha256msg2_epu32, _mm_sha256rnds2_epu32, _mm_shuffle_epi32,
};

/// Whether this CPU has what [`compress2`] uses (SHA and SSE4.1; SSE2 and
/// SSSE3 come with them). `std` caches the answer.
pub(super) fn available() -> bool {
    std::is_x86_feature_detected!("sha") && std::is_x86_feature_detected!("sse4.1")
}

/// Compresses `block_a` into `a` and `block_b` into `b`, interleaved.
/// Callers check [`available`] first.
#[target_feature(enable = "sha,sse2,ssse3,sse4.1")]
pub(super) fn compress2(a: &mut State, block_a: &[u8; 64], b: &mut State, block_b: &[u8; 64]) {
    // Written out round group by round group with macros, no loops or
    // closures: the crate's release profile is `opt-level = "s"`, which
    // neither unrolls loops nor reliably inlines, and a group's round
    // constants must fold to one constant vector.

    // The state as `sha256rnds2` wants it: A B E F and C D G H, A in the
    // top lane.
    macro_rules! state {
        ($s:ident, $i:literal, $j:literal, $k:literal, $l:literal) => {
            _mm_set_epi32($s[$i] as i32, $s[$j] as i32, $s[$k] as i32, $s[$l] as i32)
        };
    }
    // Message words 4g..4g+3, big-endian, word 4g in the bottom lane.
    macro_rules! words {
        ($block:ident, $g:literal) => {{
            let w = |j: usize| {
                let mut x = [0u8; 4];
                x.copy_from_slice(&$block[4 * (4 * $g + j)..4 * (4 * $g + j) + 4]);
                u32::from_be_bytes(x) as i32
            };
            _mm_set_epi32(w(3), w(2), w(1), w(0))
        }};
    }
    let (a_abef0, a_cdgh0) = (state!(a, 0, 1, 4, 5), state!(a, 2, 3, 6, 7));
    let (b_abef0, b_cdgh0) = (state!(b, 0, 1, 4, 5), state!(b, 2, 3, 6, 7));
    let (mut a_abef, mut a_cdgh, mut b_abef, mut b_cdgh) = (a_abef0, a_cdgh0, b_abef0, b_cdgh0);
    let (mut a0, mut a1, mut a2, mut a3) = (
        words!(block_a, 0),
        words!(block_a, 1),
        words!(block_a, 2),
        words!(block_a, 3),
    );
    let (mut b0, mut b1, mut b2, mut b3) = (
        words!(block_b, 0),
        words!(block_b, 1),
        words!(block_b, 2),
        words!(block_b, 3),
    );

    // Rounds 4g..4g+3 of both messages, from their W[4g..4g+4]: two
    // `sha256rnds2` each, taking two of the four W + K sums. The first
    // returns the new A B E F, whose old value is then C D G H: the two
    // variables trade roles and trade back.
    macro_rules! rounds {
        ($g:literal, $wa:ident, $wb:ident) => {{
            let k = _mm_set_epi32(
                K[4 * $g + 3] as i32,
                K[4 * $g + 2] as i32,
                K[4 * $g + 1] as i32,
                K[4 * $g] as i32,
            );
            let (wka, wkb) = (_mm_add_epi32($wa, k), _mm_add_epi32($wb, k));
            a_cdgh = _mm_sha256rnds2_epu32(a_cdgh, a_abef, wka);
            b_cdgh = _mm_sha256rnds2_epu32(b_cdgh, b_abef, wkb);
            a_abef = _mm_sha256rnds2_epu32(a_abef, a_cdgh, _mm_shuffle_epi32::<0x0E>(wka));
            b_abef = _mm_sha256rnds2_epu32(b_abef, b_cdgh, _mm_shuffle_epi32::<0x0E>(wkb));
        }};
    }
    // W[t..t+4] for t ≥ 16 into the oldest of the four groups before it:
    // W[t-16] + σ0(W[t-15]) + W[t-7] + σ1(W[t-2]).
    macro_rules! schedule {
        ($m0:ident, $m1:ident, $m2:ident, $m3:ident) => {{
            let t = _mm_add_epi32(
                _mm_sha256msg1_epu32($m0, $m1),
                _mm_alignr_epi8::<4>($m3, $m2),
            );
            $m0 = _mm_sha256msg2_epu32(t, $m3);
        }};
    }
    macro_rules! scheduled_rounds {
        ($($g:literal: $a0:ident $a1:ident $a2:ident $a3:ident, $b0:ident $b1:ident $b2:ident $b3:ident;)*) => {$(
            schedule!($a0, $a1, $a2, $a3);
            schedule!($b0, $b1, $b2, $b3);
            rounds!($g, $a0, $b0);
        )*};
    }
    rounds!(0, a0, b0);
    rounds!(1, a1, b1);
    rounds!(2, a2, b2);
    rounds!(3, a3, b3);
    scheduled_rounds! {
        4: a0 a1 a2 a3, b0 b1 b2 b3;
        5: a1 a2 a3 a0, b1 b2 b3 b0;
        6: a2 a3 a0 a1, b2 b3 b0 b1;
        7: a3 a0 a1 a2, b3 b0 b1 b2;
        8: a0 a1 a2 a3, b0 b1 b2 b3;
        9: a1 a2 a3 a0, b1 b2 b3 b0;
        10: a2 a3 a0 a1, b2 b3 b0 b1;
        11: a3 a0 a1 a2, b3 b0 b1 b2;
        12: a0 a1 a2 a3, b0 b1 b2 b3;
        13: a1 a2 a3 a0, b1 b2 b3 b0;
        14: a2 a3 a0 a1, b2 b3 b0 b1;
        15: a3 a0 a1 a2, b3 b0 b1 b2;
    }

    macro_rules! store {
        ($s:ident, $abef:expr, $cdgh:expr) => {{
            let (abef, cdgh) = ($abef, $cdgh);
            *$s = [
                _mm_extract_epi32::<3>(abef) as u32,
                _mm_extract_epi32::<2>(abef) as u32,
                _mm_extract_epi32::<3>(cdgh) as u32,
                _mm_extract_epi32::<2>(cdgh) as u32,
                _mm_extract_epi32::<1>(abef) as u32,
                _mm_extract_epi32::<0>(abef) as u32,
                _mm_extract_epi32::<1>(cdgh) as u32,
                _mm_extract_epi32::<0>(cdgh) as u32,
            ];
        }};
    }
    store!(
        a,
        _mm_add_epi32(a_abef, a_abef0),
        _mm_add_epi32(a_cdgh, a_cdgh0)
    );
    store!(
        b,
        _mm_add_epi32(b_abef, b_abef0),
        _mm_add_epi32(b_cdgh, b_cdgh0)
    );
}
