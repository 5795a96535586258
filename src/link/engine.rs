//! The linking engine that both the batch [`Linker`](super::Linker) and the
//! identity graph's incremental person index run on:
//!
//! - [`Pair`]: two rows of a candidate pair, packed so that sorting pairs
//!   sorts by first row, then second;
//! - `lsh`: the one LSH band scheme (sampled bit positions, band keys, and
//!   the bits-per-band tuning);
//! - `index`: the blocking index that grows (the graph adds rows and asks
//!   for the pairs touching them);
//! - `growth`: how the largest arrays grow (by an eighth, not doubling);
//! - `radix`: the stable radix sort behind the index's large sorts;
//! - `score`: comparing and scoring candidate pairs with one model.
//!
//! Training (u sampling, EM) is in `model::train`; term frequencies in `tf`.

pub(crate) mod growth;
pub(crate) mod index;
pub(crate) mod lsh;
pub(crate) mod pair;
pub(crate) mod radix;
pub(crate) mod score;

pub(crate) use index::Buckets;
pub(crate) use lsh::{auto_bits, Bands};
pub(crate) use pair::Pair;
pub(crate) use score::{compare_pairs, score_pairs, tile_order, Rows};

/// A progress callback: `(stage, done, total)`. Stages: `prepare`, `block`,
/// `compare`, `sampleU`, `em`, `score`, `solve`.
pub type Progress<'p> = &'p mut dyn FnMut(&str, usize, usize);
