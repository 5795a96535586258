//! SHA-256 and HMAC-SHA-256 for many short messages at once.
//!
//! A keyed token is an HMAC of a short message; with the key's inner and
//! outer pads absorbed ahead of time ([`Prefix`], [`HmacPads`]), a token of a
//! short value costs two SHA-256 compressions. [`HmacBatch`] collects many
//! such messages and runs their compressions side by side through
//! [`compress_many`]:
//!
//! - on wasm32 built with `-C target-feature=+simd128`, four messages per
//!   `v128` (one 32-bit lane each), in safe code: the intrinsics are safe
//!   functions when the feature is enabled for the whole build;
//! - elsewhere one block at a time through `sha2`'s own compression function,
//!   which picks SHA-NI (x86) or the ARMv8 SHA2 instructions at run time.
//!
//! The lane algorithm is one generic function over a [`Lanes`] word type, so
//! native tests run the very code the SIMD build runs (over `[u32; 4]`)
//! against `sha2`'s scalar compression, and the batch against the `hmac`
//! crate. Every buffer that held message bytes or key-derived state is wiped
//! when a batch is cleared or dropped.

use sha2::block_api::compress256;
use zeroize::{Zeroize, ZeroizeOnDrop};

#[cfg(target_arch = "x86_64")]
mod shani;

/// A SHA-256 chaining state.
pub(crate) type State = [u32; 8];

/// SHA-256's initial state (FIPS 180-4, 5.3.3).
const IV: State = [
    0x6a09_e667,
    0xbb67_ae85,
    0x3c6e_f372,
    0xa54f_f53a,
    0x510e_527f,
    0x9b05_688c,
    0x1f83_d9ab,
    0x5be0_cd19,
];

/// Round constants (FIPS 180-4, 4.2.2).
#[cfg_attr(
    not(any(
        target_arch = "x86_64",
        all(target_arch = "wasm32", target_feature = "simd128")
    )),
    allow(dead_code)
)]
const K: [u32; 64] = [
    0x428a_2f98,
    0x7137_4491,
    0xb5c0_fbcf,
    0xe9b5_dba5,
    0x3956_c25b,
    0x59f1_11f1,
    0x923f_82a4,
    0xab1c_5ed5,
    0xd807_aa98,
    0x1283_5b01,
    0x2431_85be,
    0x550c_7dc3,
    0x72be_5d74,
    0x80de_b1fe,
    0x9bdc_06a7,
    0xc19b_f174,
    0xe49b_69c1,
    0xefbe_4786,
    0x0fc1_9dc6,
    0x240c_a1cc,
    0x2de9_2c6f,
    0x4a74_84aa,
    0x5cb0_a9dc,
    0x76f9_88da,
    0x983e_5152,
    0xa831_c66d,
    0xb003_27c8,
    0xbf59_7fc7,
    0xc6e0_0bf3,
    0xd5a7_9147,
    0x06ca_6351,
    0x1429_2967,
    0x27b7_0a85,
    0x2e1b_2138,
    0x4d2c_6dfc,
    0x5338_0d13,
    0x650a_7354,
    0x766a_0abb,
    0x81c2_c92e,
    0x9272_2c85,
    0xa2bf_e8a1,
    0xa81a_664b,
    0xc24b_8b70,
    0xc76c_51a3,
    0xd192_e819,
    0xd699_0624,
    0xf40e_3585,
    0x106a_a070,
    0x19a4_c116,
    0x1e37_6c08,
    0x2748_774c,
    0x34b0_bcb5,
    0x391c_0cb3,
    0x4ed8_aa4a,
    0x5b9c_ca4f,
    0x682e_6ff3,
    0x748f_82ee,
    0x78a5_636f,
    0x84c8_7814,
    0x8cc7_0208,
    0x90be_fffa,
    0xa450_6ceb,
    0xbef9_a3f7,
    0xc671_78f2,
];

/// Messages compressed side by side by the lane code.
#[cfg_attr(
    not(all(target_arch = "wasm32", target_feature = "simd128")),
    allow(dead_code)
)]
pub(crate) const LANES: usize = 4;

/// Whether batching HMACs pays in this build: in the SIMD128 build of the
/// `perf` entries only (opt-level 3). There the four-lane batch tokenised
/// 1.07–1.10× the direct path in headless Chromium (BENCHMARKS.md, "Tokens
/// in the bulk entry"); at `opt-level = "s"` it had lost (0.86×, "Tokens
/// with the SIMD128 build"). Natively the batch has no lanes (one
/// `compress256` per block, SHA-NI) and loses to the same compressions made
/// one token at a time ([`DIRECT_PAYS`]; "Native tokens at the hardware's
/// limit").
pub(crate) const BATCH_PAYS: bool = cfg!(all(
    feature = "perf",
    target_arch = "wasm32",
    target_feature = "simd128"
));

/// Whether tokens are computed one by one straight over `compress256` from
/// cached pads and per-subject midstates ([`HmacPads::finish`]) rather than
/// through the `hmac` crate: natively, and in wasm builds with the `perf`
/// feature (opt-level 3). In wasm at `opt-level = "s"` this path measured
/// slower than the `hmac` crate (BENCHMARKS.md, "Tokenise throughput"), so
/// the size-built entries keep the `hmac` path.
pub(crate) const DIRECT_PAYS: bool = cfg!(any(not(target_arch = "wasm32"), feature = "perf"));

/// Compresses `block_a` into `a` and `block_b` into `b`. With SHA-NI (x86-64,
/// detected at run time) the two run interleaved, which a record's
/// independent tokens use ([`HmacScratch::finish_pair`]); elsewhere one
/// after the other through `compress256`.
pub(crate) fn compress2(a: &mut State, block_a: &[u8; 64], b: &mut State, block_b: &[u8; 64]) {
    #[cfg(target_arch = "x86_64")]
    if shani::available() {
        // SAFETY: the only requirement of this `#[target_feature(enable =
        // "sha,sse2,ssse3,sse4.1")]` function is that the CPU has those
        // features, checked on the line above. It is safe Rust otherwise.
        #[allow(unsafe_code)]
        unsafe {
            shani::compress2(a, block_a, b, block_b)
        };
        return;
    }
    compress256(a, core::slice::from_ref(block_a));
    compress256(b, core::slice::from_ref(block_b));
}

/// Compresses `blocks[i]` into `states[i]` for every `i` (equal lengths;
/// extra entries of the longer slice are ignored).
pub(crate) fn compress_many(states: &mut [State], blocks: &[[u8; 64]]) {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    compress_many_in::<core::arch::wasm32::v128>(states, blocks);
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    for (s, b) in states.iter_mut().zip(blocks) {
        compress256(s, core::slice::from_ref(b));
    }
}

/// [`compress_many`] through the lane code `W`: whole groups of [`LANES`],
/// then a partial group of two or more padded to a whole one (one lane
/// group costs less than two scalar compressions: a record's 11 tokens
/// leave three), and a last single block through `compress256`.
#[cfg_attr(
    not(all(target_arch = "wasm32", target_feature = "simd128")),
    allow(dead_code)
)]
pub(crate) fn compress_many_in<W: Lanes>(states: &mut [State], blocks: &[[u8; 64]]) {
    let n = states.len().min(blocks.len());
    let whole = n / LANES * LANES;
    let (lanes_s, rest_s) = states[..n].split_at_mut(whole);
    let (lanes_b, rest_b) = blocks[..n].split_at(whole);
    for (s, b) in lanes_s
        .chunks_exact_mut(LANES)
        .zip(lanes_b.chunks_exact(LANES))
    {
        compress_lanes::<W>(s, b);
    }
    match rest_s {
        [] => {}
        [one] => compress256(one, rest_b),
        _ => {
            let k = rest_s.len();
            // Padding lanes compress zeros into IV: no message byte or key
            // state in them, so only the real lanes' copies need wiping.
            let mut s = [IV; LANES];
            let mut b = [[0u8; 64]; LANES];
            s[..k].copy_from_slice(rest_s);
            b[..k].copy_from_slice(rest_b);
            compress_lanes::<W>(&mut s, &b);
            rest_s.copy_from_slice(&s[..k]);
            s.zeroize();
            b.zeroize();
        }
    }
}

/// One 32-bit word in each of [`LANES`] independent messages.
#[cfg_attr(
    not(all(target_arch = "wasm32", target_feature = "simd128")),
    allow(dead_code)
)]
pub(crate) trait Lanes: Copy {
    fn load(words: [u32; LANES]) -> Self;
    fn store(self) -> [u32; LANES];
    fn splat(w: u32) -> Self;
    fn add(self, o: Self) -> Self;
    fn xor(self, o: Self) -> Self;
    fn and(self, o: Self) -> Self;
    /// `!self & o`
    fn andnot(self, o: Self) -> Self;
    fn rotr(self, n: u32) -> Self;
    fn shr(self, n: u32) -> Self;
}

/// Portable lanes: what native tests run the generic code with.
impl Lanes for [u32; LANES] {
    #[inline(always)]
    fn load(words: [u32; LANES]) -> Self {
        words
    }
    #[inline(always)]
    fn store(self) -> [u32; LANES] {
        self
    }
    #[inline(always)]
    fn splat(w: u32) -> Self {
        [w; LANES]
    }
    #[inline(always)]
    fn add(self, o: Self) -> Self {
        core::array::from_fn(|i| self[i].wrapping_add(o[i]))
    }
    #[inline(always)]
    fn xor(self, o: Self) -> Self {
        core::array::from_fn(|i| self[i] ^ o[i])
    }
    #[inline(always)]
    fn and(self, o: Self) -> Self {
        core::array::from_fn(|i| self[i] & o[i])
    }
    #[inline(always)]
    fn andnot(self, o: Self) -> Self {
        core::array::from_fn(|i| !self[i] & o[i])
    }
    #[inline(always)]
    fn rotr(self, n: u32) -> Self {
        core::array::from_fn(|i| self[i].rotate_right(n))
    }
    #[inline(always)]
    fn shr(self, n: u32) -> Self {
        core::array::from_fn(|i| self[i] >> n)
    }
}

/// wasm SIMD128 lanes. The intrinsics are safe functions: the whole build
/// has `simd128` enabled, which this impl's `cfg` requires.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
impl Lanes for core::arch::wasm32::v128 {
    #[inline(always)]
    fn load(w: [u32; LANES]) -> Self {
        core::arch::wasm32::u32x4(w[0], w[1], w[2], w[3])
    }
    #[inline(always)]
    fn store(self) -> [u32; LANES] {
        use core::arch::wasm32::u32x4_extract_lane as lane;
        [
            lane::<0>(self),
            lane::<1>(self),
            lane::<2>(self),
            lane::<3>(self),
        ]
    }
    #[inline(always)]
    fn splat(w: u32) -> Self {
        core::arch::wasm32::u32x4_splat(w)
    }
    #[inline(always)]
    fn add(self, o: Self) -> Self {
        core::arch::wasm32::u32x4_add(self, o)
    }
    #[inline(always)]
    fn xor(self, o: Self) -> Self {
        core::arch::wasm32::v128_xor(self, o)
    }
    #[inline(always)]
    fn and(self, o: Self) -> Self {
        core::arch::wasm32::v128_and(self, o)
    }
    #[inline(always)]
    fn andnot(self, o: Self) -> Self {
        // v128_andnot(a, b) is a & !b.
        core::arch::wasm32::v128_andnot(o, self)
    }
    #[inline(always)]
    fn rotr(self, n: u32) -> Self {
        use core::arch::wasm32::{u32x4_shl, u32x4_shr, v128_or};
        v128_or(u32x4_shr(self, n), u32x4_shl(self, 32 - n))
    }
    #[inline(always)]
    fn shr(self, n: u32) -> Self {
        core::arch::wasm32::u32x4_shr(self, n)
    }
}

/// The SHA-256 compression function over [`LANES`] (state, block) pairs at
/// once, one pair per lane. `states` and `blocks` hold at least `LANES`
/// entries; only the first `LANES` are used.
#[inline(always)]
#[cfg_attr(
    not(all(target_arch = "wasm32", target_feature = "simd128")),
    allow(dead_code)
)]
pub(crate) fn compress_lanes<W: Lanes>(states: &mut [State], blocks: &[[u8; 64]]) {
    let (Some(states), Some(blocks)) = (states.get_mut(..LANES), blocks.get(..LANES)) else {
        return;
    };
    let word = |b: &[u8; 64], j: usize| {
        let mut w = [0u8; 4];
        w.copy_from_slice(&b[4 * j..4 * j + 4]);
        u32::from_be_bytes(w)
    };
    let mut w: [W; 16] =
        core::array::from_fn(|j| W::load(core::array::from_fn(|l| word(&blocks[l], j))));
    let init: [W; 8] = core::array::from_fn(|i| W::load(core::array::from_fn(|l| states[l][i])));
    let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut h] = init;
    for (t, &k) in K.iter().enumerate() {
        if t >= 16 {
            let w15 = w[(t + 1) & 15];
            let w2 = w[(t + 14) & 15];
            let s0 = w15.rotr(7).xor(w15.rotr(18)).xor(w15.shr(3));
            let s1 = w2.rotr(17).xor(w2.rotr(19)).xor(w2.shr(10));
            w[t & 15] = w[t & 15].add(s0).add(w[(t + 9) & 15]).add(s1);
        }
        let big_s1 = e.rotr(6).xor(e.rotr(11)).xor(e.rotr(25));
        let ch = e.and(f).xor(e.andnot(g));
        let t1 = h.add(big_s1).add(ch).add(W::splat(k)).add(w[t & 15]);
        let big_s0 = a.rotr(2).xor(a.rotr(13)).xor(a.rotr(22));
        let maj = a.and(b).xor(a.and(c)).xor(b.and(c));
        let t2 = big_s0.add(maj);
        h = g;
        g = f;
        f = e;
        e = d.add(t1);
        d = c;
        c = b;
        b = a;
        a = t1.add(t2);
    }
    for (i, v) in [a, b, c, d, e, f, g, h].into_iter().enumerate() {
        let v = init[i].add(v).store();
        for (l, s) in states.iter_mut().enumerate() {
            s[i] = v[l];
        }
    }
}

/// A SHA-256 computation part way: the state after whole blocks, how many
/// bytes those were, and the bytes of the next, unfinished block.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub(crate) struct Prefix {
    state: State,
    /// Bytes compressed into `state` (a multiple of 64).
    absorbed: u64,
    tail: [u8; 64],
    tail_len: usize,
}

impl Prefix {
    fn new() -> Self {
        Prefix {
            state: IV,
            absorbed: 0,
            tail: [0; 64],
            tail_len: 0,
        }
    }

    /// Appends bytes, compressing each block as it fills.
    pub(crate) fn absorb(&mut self, mut bytes: &[u8]) {
        while !bytes.is_empty() {
            let take = (64 - self.tail_len).min(bytes.len());
            self.tail[self.tail_len..self.tail_len + take].copy_from_slice(&bytes[..take]);
            self.tail_len += take;
            bytes = &bytes[take..];
            if self.tail_len == 64 {
                compress256(&mut self.state, core::slice::from_ref(&self.tail));
                self.absorbed += 64;
                self.tail_len = 0;
            }
        }
    }

    /// The absorbed bytes that have not filled a block yet.
    fn tail(&self) -> &[u8] {
        &self.tail[..self.tail_len]
    }
}

/// An HMAC-SHA-256 key with both pads absorbed: `inner` after `K ^ ipad`
/// (callers extend clones of it with a message prefix), `outer` the state
/// after `K ^ opad`.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub(crate) struct HmacPads {
    inner: Prefix,
    outer: State,
}

impl HmacPads {
    /// Prepares a key (RFC 2104: keys longer than a block are hashed first).
    pub(crate) fn new(key: &[u8]) -> Self {
        let mut block = [0u8; 64];
        if key.len() > 64 {
            use sha2::Digest;
            let mut digest = sha2::Sha256::digest(key);
            block[..32].copy_from_slice(&digest);
            digest.zeroize();
        } else {
            block[..key.len()].copy_from_slice(key);
        }
        let mut inner = Prefix::new();
        let mut pad = block.map(|b| b ^ 0x36);
        inner.absorb(&pad);
        let mut outer = IV;
        pad = block.map(|b| b ^ 0x5c);
        compress256(&mut outer, core::slice::from_ref(&pad));
        pad.zeroize();
        block.zeroize();
        HmacPads { inner, outer }
    }

    /// The inner state with `bytes` absorbed after the pad: a per-subject
    /// starting point for [`HmacBatch::push`].
    pub(crate) fn prefixed(&self, bytes: &[&[u8]]) -> Prefix {
        let mut p = self.inner.clone();
        for b in bytes {
            p.absorb(b);
        }
        p
    }

    /// The inner state right after the pad.
    pub(crate) fn inner(&self) -> &Prefix {
        &self.inner
    }
}

/// One HMAC-SHA-256 at a time straight over `compress256` (SHA-NI
/// natively), from a key's cached pads and a subject's cached inner state:
/// two compressions for a short message and no buffer off the stack.
///
/// A scratch is reused for many tokens: [`HmacScratch::start`] overwrites
/// it without wiping, and [`HmacScratch::finish`] leaves neither message
/// bytes nor key-derived state in it (its block becomes the outer block, the
/// inner digest and padding, and its state the inner digest). So one per
/// thread serves every token ([`with_scratch`]), wiped when the thread ends,
/// instead of a 64-byte wipe per token, which cost a quarter of a token
/// (BENCHMARKS.md, "Native tokens at the hardware's limit").
///
/// A message of two inner blocks (every match key, a long e-mail) keeps its
/// first full block back (`held`) instead of compressing it at once, so
/// [`HmacScratch::finish_pair`] compresses two tokens' first blocks together
/// too: natively a lone compression costs nearly what two interleaved do.
#[derive(Zeroize, ZeroizeOnDrop)]
pub(crate) struct HmacScratch {
    /// The inner hash, part way; its tail block is then the outer block.
    inner: Prefix,
    /// A full inner block, not yet compressed, that comes before `inner`'s
    /// tail (when `holds`); zeroed once compressed.
    held: [u8; 64],
    holds: bool,
}

impl Default for HmacScratch {
    fn default() -> Self {
        HmacScratch {
            inner: Prefix::new(),
            held: [0; 64],
            holds: false,
        }
    }
}

thread_local! {
    static SCRATCH: core::cell::RefCell<HmacScratch> = Default::default();
    static PAIR: core::cell::RefCell<[HmacScratch; 2]> = Default::default();
}

/// Runs `f` with this thread's [`HmacScratch`], or a fresh one when that is
/// in use (`f` re-entered) or gone (thread teardown). Callers finish every
/// HMAC they start inside `f`.
pub(crate) fn with_scratch<R>(f: impl FnMut(&mut HmacScratch) -> R) -> R {
    with_local(&SCRATCH, f)
}

/// [`with_scratch`] for two HMACs at a time ([`HmacScratch::finish_pair`]).
pub(crate) fn with_scratch_pair<R>(f: impl FnMut(&mut [HmacScratch; 2]) -> R) -> R {
    with_local(&PAIR, f)
}

/// Runs `f` with this thread's value of `key`, or a fresh default when it
/// is borrowed or already destroyed.
fn with_local<T: Default, R>(
    key: &'static std::thread::LocalKey<core::cell::RefCell<T>>,
    mut f: impl FnMut(&mut T) -> R,
) -> R {
    match key.try_with(|cell| cell.try_borrow_mut().ok().map(|mut s| f(&mut s))) {
        Ok(Some(r)) => r,
        _ => f(&mut T::default()),
    }
}

impl HmacScratch {
    /// Starts an HMAC from `from`, a key's [`HmacPads::prefixed`] (or
    /// [`HmacPads::inner`]); whatever the scratch held is overwritten.
    pub(crate) fn start(&mut self, from: &Prefix) {
        let p = &mut self.inner;
        p.state = from.state;
        p.absorbed = from.absorbed;
        p.tail = from.tail;
        p.tail_len = from.tail_len;
        self.holds = false;
    }

    /// Appends message bytes. A block that fills is held back when none is
    /// (an earlier held block is compressed first: blocks keep their order).
    pub(crate) fn absorb(&mut self, mut bytes: &[u8]) {
        while !bytes.is_empty() {
            let p = &mut self.inner;
            let take = (64 - p.tail_len).min(bytes.len());
            p.tail[p.tail_len..p.tail_len + take].copy_from_slice(&bytes[..take]);
            p.tail_len += take;
            bytes = &bytes[take..];
            if p.tail_len == 64 {
                p.absorbed += 64;
                p.tail_len = 0;
                self.hold_tail();
            }
        }
    }

    /// Moves the tail block to `held`, compressing what was held first.
    fn hold_tail(&mut self) {
        self.compress_held();
        self.held = self.inner.tail;
        self.holds = true;
    }

    /// Compresses the held block, if any, and wipes it.
    fn compress_held(&mut self) {
        if self.holds {
            compress256(&mut self.inner.state, core::slice::from_ref(&self.held));
            self.release_held();
        }
    }

    fn release_held(&mut self) {
        self.held = [0; 64];
        self.holds = false;
    }

    /// The HMAC of the started prefix and the absorbed bytes under `pads`
    /// (the key whose prefix [`HmacScratch::start`] was given). Pads the
    /// inner hash in its tail block, then compresses the outer block over
    /// the cached outer state.
    pub(crate) fn finish(&mut self, pads: &HmacPads) -> [u8; 32] {
        self.pad_inner();
        self.compress_held();
        let inner = &mut self.inner;
        compress256(&mut inner.state, core::slice::from_ref(&inner.tail));
        let mut outer = pads.outer;
        compress256(&mut outer, core::slice::from_ref(inner.outer_block()));
        state_bytes(&outer)
    }

    /// [`HmacScratch::finish`] of two scratches at once: their inner and
    /// then their outer compressions run as pairs ([`compress2`]).
    pub(crate) fn finish_pair(
        x: &mut HmacScratch,
        x_pads: &HmacPads,
        y: &mut HmacScratch,
        y_pads: &HmacPads,
    ) -> ([u8; 32], [u8; 32]) {
        x.pad_inner();
        y.pad_inner();
        if x.holds && y.holds {
            compress2(&mut x.inner.state, &x.held, &mut y.inner.state, &y.held);
            x.release_held();
            y.release_held();
        }
        x.compress_held();
        y.compress_held();
        let (x, y) = (&mut x.inner, &mut y.inner);
        compress2(&mut x.state, &x.tail, &mut y.state, &y.tail);
        let (mut x_outer, mut y_outer) = (x_pads.outer, y_pads.outer);
        compress2(&mut x_outer, x.outer_block(), &mut y_outer, y.outer_block());
        (state_bytes(&x_outer), state_bytes(&y_outer))
    }

    /// Pads the inner hash: its tail becomes the last block, still to be
    /// compressed (a value that leaves no room for the length has its
    /// first padding block held, after any block held before it).
    fn pad_inner(&mut self) {
        let inner = &mut self.inner;
        let n = inner.tail_len;
        let bits = (inner.absorbed + n as u64).wrapping_mul(8);
        // `absorb` compresses a full tail at once, so `n < 64`.
        if let Some(rest) = inner.tail.get_mut(n..) {
            rest.fill(0);
            if let Some(b) = rest.first_mut() {
                *b = 0x80;
            }
        }
        if n >= 56 {
            self.hold_tail();
            self.inner.tail = [0; 64];
        }
        self.inner.tail[56..].copy_from_slice(&bits.to_be_bytes());
    }
}

impl Prefix {
    /// After the last inner block is compressed: its tail becomes the outer
    /// block (the inner digest and its padding), so the message bytes are
    /// overwritten here and one 64-byte buffer is all there is to wipe. The
    /// next [`HmacScratch::start`] overwrites the rest.
    fn outer_block(&mut self) -> &[u8; 64] {
        self.tail_len = 0;
        let block = &mut self.tail;
        block[..32].copy_from_slice(&state_bytes(&self.state));
        block[32] = 0x80;
        block[33..56].fill(0);
        block[56..].copy_from_slice(&(96u64 * 8).to_be_bytes());
        block
    }
}

fn state_bytes(s: &State) -> [u8; 32] {
    let mut out = [0u8; 32];
    for (chunk, w) in out.chunks_exact_mut(4).zip(s) {
        chunk.copy_from_slice(&w.to_be_bytes());
    }
    out
}

/// Many HMAC-SHA-256 computations, run together by [`HmacBatch::finish`].
/// Reuse one batch: `finish` wipes and clears it, keeping its capacity.
#[derive(Default)]
pub(crate) struct HmacBatch {
    /// Per job: its inner starting state, bytes absorbed before it, outer
    /// state, and where its blocks start in `blocks`, and how many.
    jobs: Vec<Job>,
    blocks: Vec<[u8; 64]>,
    // Scratch of `finish`.
    states: Vec<State>,
    active_states: Vec<State>,
    active_blocks: Vec<[u8; 64]>,
    active: Vec<usize>,
}

#[derive(Clone, Copy)]
struct Job {
    inner: State,
    outer: State,
    first: usize,
    count: usize,
}

impl HmacBatch {
    /// Queues HMAC(key, prefix's bytes ++ parts…) where `prefix` came from
    /// that key's [`HmacPads::prefixed`] (or [`HmacPads::inner`]).
    pub(crate) fn push(&mut self, pads: &HmacPads, prefix: &Prefix, parts: &[&[u8]]) {
        let body: usize = parts.iter().map(|p| p.len()).sum();
        let len = prefix.tail_len + body;
        let count = (len + 9).div_ceil(64);
        let first = self.blocks.len();
        self.blocks.resize(first + count, [0; 64]);
        // Message bytes, then 0x80, zeros and the bit length: `count` blocks
        // hold them all (`len + 9` bytes at most).
        let out = self.blocks[first..].as_flattened_mut();
        let mut i = 0;
        let mut put = |bytes: &[u8]| {
            if let Some(slot) = out.get_mut(i..i + bytes.len()) {
                slot.copy_from_slice(bytes);
            }
            i += bytes.len();
        };
        put(prefix.tail());
        for p in parts {
            put(p);
        }
        put(&[0x80]);
        let bits = (prefix.absorbed + len as u64).wrapping_mul(8);
        if let Some(tail) = out.get_mut(count * 64 - 8..) {
            tail.copy_from_slice(&bits.to_be_bytes());
        }
        self.jobs.push(Job {
            inner: prefix.state,
            outer: pads.outer,
            first,
            count,
        });
    }

    /// How many HMACs are queued.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.jobs.len()
    }

    /// Computes every queued HMAC, in order, appending the tags to `tags`,
    /// then wipes and clears the batch.
    pub(crate) fn finish(&mut self, tags: &mut Vec<[u8; 32]>) {
        self.states.clear();
        self.states.extend(self.jobs.iter().map(|j| j.inner));
        let rounds = self.jobs.iter().map(|j| j.count).max().unwrap_or(0);
        // Inner hashes: round r compresses block r of every job that has it.
        for r in 0..rounds {
            if self.jobs.iter().all(|j| j.count == 1) {
                // The usual case (short values): one block each, queued in
                // job order, so `blocks` is the round's input as it stands.
                compress_many(&mut self.states, &self.blocks);
                break;
            }
            self.active.clear();
            self.active_states.clear();
            self.active_blocks.clear();
            for (i, j) in self.jobs.iter().enumerate() {
                if r < j.count {
                    if let (Some(s), Some(b)) = (self.states.get(i), self.blocks.get(j.first + r)) {
                        self.active.push(i);
                        self.active_states.push(*s);
                        self.active_blocks.push(*b);
                    }
                }
            }
            compress_many(&mut self.active_states, &self.active_blocks);
            for (&i, s) in self.active.iter().zip(&self.active_states) {
                if let Some(slot) = self.states.get_mut(i) {
                    *slot = *s;
                }
            }
        }
        // Outer hashes: one block each, the inner digest and its padding
        // (64 + 32 bytes in all).
        self.active_blocks.clear();
        for s in &self.states {
            let mut b = [0u8; 64];
            b[..32].copy_from_slice(&state_bytes(s));
            b[32] = 0x80;
            b[56..].copy_from_slice(&(96u64 * 8).to_be_bytes());
            self.active_blocks.push(b);
        }
        self.states.clear();
        self.states.extend(self.jobs.iter().map(|j| j.outer));
        compress_many(&mut self.states, &self.active_blocks);
        tags.extend(self.states.iter().map(state_bytes));
        self.wipe();
    }

    fn wipe(&mut self) {
        // Message bytes and key-derived states, all of each buffer (its
        // capacity stays for the next batch).
        wipe_all(&mut self.jobs);
        wipe_all(&mut self.blocks);
        wipe_all(&mut self.states);
        wipe_all(&mut self.active_states);
        wipe_all(&mut self.active_blocks);
        self.active.clear();
    }
}

/// Wipes a buffer's whole allocation, its elements and spare capacity
/// alike: cleared first, it is all spare capacity, which `zeroize` writes
/// one element-sized volatile store at a time. (`Vec::zeroize` wipes the
/// elements field by field, byte by byte for blocks: 4.8 % of the bulk
/// entry's `tokenizeBatch` in Chromium.) `T: Copy`: nothing to drop.
fn wipe_all<T: Copy>(buffer: &mut Vec<T>) {
    buffer.clear();
    buffer.spare_capacity_mut().zeroize();
}

impl Drop for HmacBatch {
    fn drop(&mut self) {
        self.wipe();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hmac::{KeyInit, Mac};

    fn hmac_ref(key: &[u8], msg: &[u8]) -> [u8; 32] {
        let mut m = hmac::Hmac::<sha2::Sha256>::new_from_slice(key).unwrap();
        m.update(msg);
        m.finalize().into_bytes().into()
    }

    fn block(seed: u64) -> [u8; 64] {
        // A small xorshift so blocks differ in every byte.
        let mut x = seed | 1;
        core::array::from_fn(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
    }

    #[test]
    fn lanes_match_scalar_compression() {
        for seed in 0..64u64 {
            let blocks: Vec<[u8; 64]> = (0..LANES as u64).map(|l| block(seed * 8 + l)).collect();
            let mut states: Vec<State> = (0..LANES)
                .map(|l| {
                    let b = block(seed * 8 + l as u64 + 100);
                    core::array::from_fn(|i| u32::from_le_bytes([b[4 * i], b[4 * i + 1], 0, 7]))
                })
                .collect();
            let mut expected = states.clone();
            for (s, b) in expected.iter_mut().zip(&blocks) {
                compress256(s, core::slice::from_ref(b));
            }
            compress_lanes::<[u32; LANES]>(&mut states, &blocks);
            assert_eq!(states, expected, "seed {seed}");
        }
    }

    #[test]
    fn two_at_once_match_two_scalar_compressions() {
        #[cfg(target_arch = "x86_64")]
        eprintln!("SHA-NI two-way path: {}", shani::available());
        for seed in 0..256u64 {
            let state = |s: u64| -> State {
                let b = block(s);
                core::array::from_fn(|i| {
                    u32::from_le_bytes([b[4 * i], b[4 * i + 1], b[4 * i + 2], b[4 * i + 3]])
                })
            };
            let (mut a, mut b) = (state(seed + 1000), state(seed + 2000));
            let (ba, bb) = (block(seed), block(seed + 500));
            let (mut ea, mut eb) = (a, b);
            compress256(&mut ea, core::slice::from_ref(&ba));
            compress256(&mut eb, core::slice::from_ref(&bb));
            compress2(&mut a, &ba, &mut b, &bb);
            assert_eq!((a, b), (ea, eb), "seed {seed}");
        }
    }

    #[test]
    fn compress_many_every_count_matches_scalar() {
        for n in 0..=13 {
            let blocks: Vec<[u8; 64]> = (0..n as u64).map(block).collect();
            let mut states = vec![IV; n];
            let mut expected = states.clone();
            for (s, b) in expected.iter_mut().zip(&blocks) {
                compress256(s, core::slice::from_ref(b));
            }
            compress_many(&mut states, &blocks);
            assert_eq!(states, expected, "n = {n}");
            // The lane grouping the SIMD build runs (whole groups, a padded
            // partial one, a single scalar block), here over plain arrays.
            let mut states = vec![IV; n];
            compress_many_in::<[u32; LANES]>(&mut states, &blocks);
            assert_eq!(states, expected, "lanes, n = {n}");
        }
    }

    #[test]
    fn rfc4231_case_2() {
        // RFC 4231, test case 2: key "Jefe", "what do ya want for nothing?".
        let pads = HmacPads::new(b"Jefe");
        let mut batch = HmacBatch::default();
        batch.push(&pads, pads.inner(), &[b"what do ya want ", b"for nothing?"]);
        let mut tags = Vec::new();
        batch.finish(&mut tags);
        let hex: String = tags[0].iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            hex,
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert_eq!(batch.len(), 0);
    }

    #[test]
    fn long_key_is_hashed_first() {
        let key = [0xaau8; 131];
        let pads = HmacPads::new(&key);
        let mut batch = HmacBatch::default();
        batch.push(
            &pads,
            pads.inner(),
            &[b"Test Using Larger Than Block-Size Key"],
        );
        let mut tags = Vec::new();
        batch.finish(&mut tags);
        assert_eq!(
            tags[0],
            hmac_ref(&key, b"Test Using Larger Than Block-Size Key")
        );
    }

    #[test]
    fn scratch_matches_hmac_crate_at_every_length_and_when_reused() {
        // One scratch for every message, as a record's tokens share one:
        // what a longer message left in the tail must not leak into the
        // next. Lengths cross the one-block limit (55/56 bytes with the
        // prefix) and the two-block one.
        let key = [0x0bu8; 32];
        let pads = HmacPads::new(&key);
        let head = b"pseudolink/token/v1\0email\0";
        let prefix = pads.prefixed(&[head]);
        let mut scratch = HmacScratch::default();
        for len in (0..200).chain((0..200).rev()) {
            let msg: Vec<u8> = (0..len).map(|i| (i * 7 + len) as u8).collect();
            scratch.start(&prefix);
            // In two pieces, as a match key absorbs its parts.
            let (a, b) = msg.split_at(len / 3);
            scratch.absorb(a);
            scratch.absorb(b);
            let got = scratch.finish(&pads);
            assert_eq!(
                got,
                hmac_ref(&key, &[head.as_slice(), &msg].concat()),
                "len {len}"
            );
            // Straight from the pad, too.
            scratch.start(pads.inner());
            scratch.absorb(&msg);
            assert_eq!(scratch.finish(&pads), hmac_ref(&key, &msg), "len {len}");
        }
    }

    // proptest is a native dev-dependency (tests/web*.rs cover wasm).
    #[cfg(not(target_arch = "wasm32"))]
    proptest::proptest! {
        #[test]
        fn scratch_matches_hmac_crate(
            key in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..150),
            msgs in proptest::collection::vec(
                (proptest::collection::vec(proptest::prelude::any::<u8>(), 0..90),
                 proptest::collection::vec(proptest::prelude::any::<u8>(), 0..200)),
                1..8),
        ) {
            let pads = HmacPads::new(&key);
            let mut scratch = HmacScratch::default();
            for (head, body) in &msgs {
                let prefix = pads.prefixed(&[head]);
                scratch.start(&prefix);
                scratch.absorb(body);
                let expected = hmac_ref(&key, &[head.as_slice(), body].concat());
                proptest::prop_assert_eq!(scratch.finish(&pads), expected);
            }
        }

        #[test]
        fn batch_matches_hmac_crate(
            keys in proptest::collection::vec(proptest::collection::vec(proptest::prelude::any::<u8>(), 0..150), 1..4),
            jobs in proptest::collection::vec(
                (proptest::prelude::any::<proptest::sample::Index>(),
                 proptest::collection::vec(proptest::prelude::any::<u8>(), 0..90),
                 proptest::collection::vec(proptest::prelude::any::<u8>(), 0..200)),
                0..23),
        ) {
            let pads: Vec<HmacPads> = keys.iter().map(|k| HmacPads::new(k)).collect();
            let mut batch = HmacBatch::default();
            let mut expected = Vec::new();
            for (ki, head, body) in &jobs {
                let k = ki.index(keys.len());
                let prefix = pads[k].prefixed(&[head]);
                batch.push(&pads[k], &prefix, &[body]);
                expected.push(hmac_ref(&keys[k], &[head.as_slice(), body].concat()));
            }
            let mut tags = Vec::new();
            batch.finish(&mut tags);
            proptest::prop_assert_eq!(tags, expected);
        }
    }
}
