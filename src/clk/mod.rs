//! Bloom-filter encodings (CLKs) byte-identical to clkhash 0.18.3.
//!
//! Data flows one way: row (one string per schema feature) → per feature:
//! missing-value check, validation and formatting (`format`, `date`) →
//! tokens (`tokens`) → keyed indices (`hashing`) → one shared filter of
//! `l·2^xor_folds` bits → XOR folding → `Clk` (`filter`). `schema` parses
//! linkage schema v3, `kdf` derives the per-feature keys, `harden` holds the
//! optional, non-clkhash hardening. `docs`: shared/reference/clkhash-format.md.

mod cache;
mod date;
mod filter;
mod format;
mod harden;
mod hashing;
mod kdf;
mod schema;
mod tokens;

pub use filter::Clk;
pub use harden::{Hardening, DIFFUSION_T};
pub use schema::ClkSchema;

use crate::error::{Error, ErrorCode, Subject};
use filter::Bits;
use hashing::FeatureHasher;
use schema::Hashing;
pub(crate) use tokens::Scratch;
use zeroize::Zeroizing;

/// Encodes rows into CLKs under one schema and secret.
///
/// Holds only derived, prepared key states (zeroised on drop); no `Debug`,
/// so keys cannot leak through logs.
pub struct ClkEncoder {
    l: usize,
    folds: u32,
    pre_fold_len: usize,
    row_len: usize,
    features: Vec<Prepared>,
    salt_index: Option<usize>,
    permutation: Option<Zeroizing<Vec<u32>>>,
    diffusion: Option<harden::Diffusion>,
}

struct Prepared {
    /// Position in the row (ignored features count, G5).
    index: usize,
    identifier: String,
    spec: Hashing,
    hasher: FeatureHasher,
}

impl ClkEncoder {
    /// Derives the keys for `schema` from `secret` (clkhash: the secret
    /// string's UTF-8 bytes). Output is byte-identical to clkhash. Like
    /// clkhash, any secret length is accepted; the linking parties should
    /// share at least 32 random bytes.
    pub fn new(schema: &ClkSchema, secret: &[u8]) -> Result<Self, Error> {
        ClkEncoder::with_hardening(schema, secret, &Hardening::default())
    }

    /// Like [`ClkEncoder::new`], with optional hardening (see [`Hardening`]):
    /// fold, then balance, then diffuse. Any hardening makes the output
    /// incompatible with clkhash by design. An unknown salt feature, a
    /// diffusion `t` outside [`DIFFUSION_T`] or above the filter length is
    /// `option.invalid`.
    pub fn with_hardening(
        schema: &ClkSchema,
        secret: &[u8],
        hardening: &Hardening,
    ) -> Result<Self, Error> {
        hardening.validate()?;
        let okm = schema.kdf.derive(secret, schema.features.len())?;
        let ks = schema.kdf.key_size;
        let mut features = Vec::new();
        for (index, f) in schema.features.iter().enumerate() {
            let Some(spec) = &f.hashing else { continue };
            let key = |n: usize| okm.get((2 * index + n) * ks..(2 * index + n + 1) * ks);
            let hasher = key(0)
                .zip(key(1))
                .and_then(|(k0, k1)| FeatureHasher::new(spec.hash, k0, k1, spec.strategy.max_k()))
                .ok_or_else(|| {
                    Error::about_feature(
                        Subject::Schema,
                        ErrorCode::SchemaInvalidKdf,
                        &f.identifier,
                    )
                })?;
            features.push(Prepared {
                index,
                identifier: f.identifier.clone(),
                spec: spec.clone(),
                hasher,
            });
        }
        let salt_index = match &hardening.salt_feature {
            None => None,
            Some(id) => Some(
                schema
                    .features
                    .iter()
                    .position(|f| &f.identifier == id)
                    .ok_or(Error::new(Subject::Option, ErrorCode::OptionInvalid))?,
            ),
        };
        let permutation = if hardening.balanced {
            Some(harden::permutation(secret, 2 * schema.l)?)
        } else {
            None
        };
        let out_bits = if hardening.balanced {
            2 * schema.l
        } else {
            schema.l
        };
        let diffusion = match hardening.diffusion {
            None => None,
            Some(t) => Some(harden::Diffusion::new(secret, t, out_bits)?),
        };
        Ok(ClkEncoder {
            l: schema.l,
            folds: schema.folds,
            pre_fold_len: schema.pre_fold_len(),
            row_len: schema.features.len(),
            features,
            salt_index,
            permutation,
            diffusion,
        })
    }

    /// Length in bits of each output CLK (`l`, or `2l` when balanced).
    pub fn output_bits(&self) -> usize {
        if self.permutation.is_some() {
            2 * self.l
        } else {
            self.l
        }
    }

    /// The record CLK of one row (one value per schema feature, in schema
    /// order, ignored features included): all features OR-ed into one filter.
    pub fn encode<S: AsRef<str>>(&self, row: &[S]) -> Result<Clk, Error> {
        self.encode_with(row, &mut Scratch::default())
    }

    /// One CLK per non-ignored feature (schema order), with the same keys,
    /// length and folding as the record CLK, for per-field similarity.
    /// `None` where the feature yields no tokens (an empty or missing value).
    /// Hardening, if configured, applies to each filter as to the record's.
    pub fn encode_features<S: AsRef<str>>(&self, row: &[S]) -> Result<Vec<Option<Clk>>, Error> {
        self.features_and_record(row, false).map(|(f, _)| f)
    }

    /// [`ClkEncoder::encode_features`] and the record CLK in one pass; the
    /// record CLK is `None` when no feature yields a token. Equal to
    /// [`ClkEncoder::encode`]'s: the record filter is the OR of the feature
    /// filters before folding and hardening, so nothing is hashed twice.
    pub(crate) fn encode_features_and_record<S: AsRef<str>>(
        &self,
        row: &[S],
        scratch: &mut Scratch,
    ) -> Result<(Vec<Option<Clk>>, Option<Clk>), Error> {
        self.features_and_record_with(row, true, scratch)
    }

    /// Buffers for many [`ClkEncoder::encode_features_and_record`] calls of
    /// one batch, with the per-batch token memo (as [`ClkEncoder::encode_batch`]
    /// keeps): tokens seen in earlier rows are not hashed again.
    pub(crate) fn batch_scratch() -> Scratch {
        let mut scratch = Scratch::default();
        scratch.cache = Some(cache::TokenCache::default());
        scratch
    }

    fn features_and_record<S: AsRef<str>>(
        &self,
        row: &[S],
        with_record: bool,
    ) -> Result<(Vec<Option<Clk>>, Option<Clk>), Error> {
        self.features_and_record_with(row, with_record, &mut Scratch::default())
    }

    fn features_and_record_with<S: AsRef<str>>(
        &self,
        row: &[S],
        with_record: bool,
        scratch: &mut Scratch,
    ) -> Result<(Vec<Option<Clk>>, Option<Clk>), Error> {
        let salt = self.salt_prefix(row)?;
        let mut out = Vec::with_capacity(self.features.len());
        let mut record: Option<Bits> = None;
        for (slot, f) in self.features.iter().enumerate() {
            scratch.filter.reset(self.pre_fold_len);
            let tokens = self.insert_feature(slot, f, row, salt.as_deref(), scratch)?;
            if tokens == 0 {
                out.push(None);
                continue;
            }
            if with_record {
                match &mut record {
                    Some(acc) => acc.or(&scratch.filter),
                    None => record = Some(scratch.filter.clone()),
                }
            }
            out.push(Some(self.finish(&mut scratch.filter)));
        }
        Ok((out, record.map(|mut r| self.finish(&mut r))))
    }

    /// Encodes many rows, reporting `(done, total)` after each one. Stops at
    /// the first bad row, returning its index with the error.
    pub fn encode_batch<R, S>(
        &self,
        rows: &[R],
        mut progress: impl FnMut(usize, usize),
    ) -> Result<Vec<Clk>, RowError>
    where
        R: AsRef<[S]>,
        S: AsRef<str>,
    {
        let mut batch = self.batch();
        let mut out = Vec::with_capacity(rows.len());
        for (i, row) in rows.iter().enumerate() {
            let clk = batch
                .encode(row.as_ref())
                .map_err(|error| RowError { row: i, error })?;
            out.push(clk);
            progress(i + 1, rows.len());
        }
        Ok(out)
    }

    /// Rows encoded one at a time with one token memo for all of them, as
    /// [`ClkEncoder::encode_batch`] keeps, for callers that hold their rows
    /// in their own form (one batch per worker thread, a stream). The memo
    /// is wiped when the batch is dropped.
    ///
    /// ```
    /// # use pseudolink::{ClkEncoder, ClkSchema, DEFAULT_CLK_SCHEMA};
    /// # let schema = ClkSchema::from_json(DEFAULT_CLK_SCHEMA)?;
    /// let encoder = ClkEncoder::new(&schema, b"a secret of the linking parties")?;
    /// // One value per schema feature: first and last name, street, city,
    /// // postal code, date of birth.
    /// let rows = [["jane", "doe", "1 main st", "springfield", "12345", "1985-04-02"],
    ///             ["jane", "dough", "1 main st", "springfield", "12345", "1985-04-02"]];
    /// let mut batch = encoder.batch();
    /// for row in &rows {
    ///     assert_eq!(batch.encode(row)?, encoder.encode(row)?);
    /// }
    /// # Ok::<(), pseudolink::Error>(())
    /// ```
    pub fn batch(&self) -> ClkBatch<'_> {
        ClkBatch {
            encoder: self,
            scratch: Self::batch_scratch(),
        }
    }

    fn encode_with<S: AsRef<str>>(&self, row: &[S], scratch: &mut Scratch) -> Result<Clk, Error> {
        let salt = self.salt_prefix(row)?;
        scratch.filter.reset(self.pre_fold_len);
        for (slot, f) in self.features.iter().enumerate() {
            self.insert_feature(slot, f, row, salt.as_deref(), scratch)?;
        }
        Ok(self.finish(&mut scratch.filter))
    }

    /// Checks the row length and returns the record-salt prefix, if salting.
    fn salt_prefix<S: AsRef<str>>(&self, row: &[S]) -> Result<Option<Vec<u8>>, Error> {
        if row.len() != self.row_len {
            return Err(Error::new(Subject::Record, ErrorCode::ClkRowLength));
        }
        let Some(i) = self.salt_index else {
            return Ok(None);
        };
        let salt = row.get(i).map(AsRef::as_ref).unwrap_or_default();
        if salt.is_empty() {
            return Err(Error::new(Subject::Record, ErrorCode::ClkEmptySalt));
        }
        Ok(Some(harden::salt_prefix(salt)))
    }

    /// Validates, formats, tokenises and hashes one feature into
    /// `scratch.filter`; returns its token count.
    fn insert_feature<S: AsRef<str>>(
        &self,
        slot: usize,
        f: &Prepared,
        row: &[S],
        salt: Option<&[u8]>,
        scratch: &mut Scratch,
    ) -> Result<usize, Error> {
        let err = |code| Error::about_feature(Subject::Feature, code, &f.identifier);
        let raw = row.get(f.index).map(AsRef::as_ref).unwrap_or_default();
        let spec = &f.spec;
        let value = match &spec.missing {
            Some(m) if m.sentinel == raw => std::borrow::Cow::Borrowed(m.replace_with.as_str()),
            _ => spec.format.prepare(raw, spec.encoding).map_err(err)?,
        };
        let salted;
        let hasher = match salt {
            None => &f.hasher,
            Some(prefix) => {
                let mut h = f.hasher.clone();
                h.absorb_prefix(prefix);
                salted = h;
                &salted
            }
        };
        let count = spec.comparison.token_count(&value);
        let strategy = spec.strategy;
        let mut filter = core::mem::take(&mut scratch.filter);
        // Salted tokens are unique per record: not worth memoising.
        let mut cache = if salt.is_none() {
            scratch.cache.take()
        } else {
            None
        };
        let len = filter.len();
        let result = spec
            .comparison
            .for_each_token(&value, spec.encoding, scratch, |i, token| {
                let k = strategy.k(i, count);
                let mut set = |idx: usize| filter.set(idx);
                match cache.as_mut() {
                    Some(c) => c.indices(
                        slot,
                        k,
                        token,
                        |emit| hasher.indices(token, k, len, emit),
                        set,
                    ),
                    None => hasher.indices(token, k, len, &mut set),
                }
            });
        scratch.filter = filter;
        if cache.is_some() {
            scratch.cache = cache;
        }
        result.map_err(err)
    }

    /// Folds the working filter and packs it, balancing and then diffusing
    /// it if configured.
    fn finish(&self, bits: &mut Bits) -> Clk {
        bits.fold(self.folds);
        if self.permutation.is_none() && self.diffusion.is_none() {
            return bits.to_clk();
        }
        let bits = bits.to_bit_bytes();
        let balanced;
        let bits: &[u8] = match &self.permutation {
            None => &bits,
            Some(p) => {
                balanced = harden::balance(&bits, p);
                &balanced
            }
        };
        match &self.diffusion {
            None => Clk::from_bits(bits),
            Some(d) => d.apply(bits),
        }
    }
}

/// Rows encoded one at a time with one token memo ([`ClkEncoder::batch`]).
pub struct ClkBatch<'a> {
    encoder: &'a ClkEncoder,
    scratch: Scratch,
}

impl ClkBatch<'_> {
    /// The record CLK of one row: the same as [`ClkEncoder::encode`].
    pub fn encode<S: AsRef<str>>(&mut self, row: &[S]) -> Result<Clk, Error> {
        self.encoder.encode_with(row, &mut self.scratch)
    }
}

/// A batch error: the row index and what was wrong with it (never its values).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// Index of the failing row in the batch.
    pub row: usize,
    /// The typed error.
    pub error: Error,
}

impl core::fmt::Display for RowError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "row {}: {}", self.row, self.error)
    }
}

impl std::error::Error for RowError {}
