//! Linkage schema v3 (clkhash `schemas/v3.json`), parsed with serde into raw
//! shapes and then checked into the validated [`ClkSchema`].
//!
//! What the code reads is what clkhash 0.18.3's code reads, not what its docs
//! say: `clkConfig.xor_folds` folds, the documented `xorFolds` is accepted
//! and ignored (G1). Versions 1 and 2 are rejected (`schema.unsupported_version`)
//! rather than converted. Checks clkhash only makes while hashing (blakeHash
//! needs a power-of-two length, HKDF output length) are made here, at load.

use super::date::DateFormat;
use super::format::{Case, Format, TextRule};
use super::hashing::HashKind;
use super::kdf::{KdfHash, KdfSpec};
use super::tokens::{Comparison, TextEncoding};
use crate::encoding::base64_std_decode;
use crate::error::{Error, ErrorCode, Subject};
use regex_lite::Regex;
use serde::de::IgnoredAny;
use serde::Deserialize;

/// clkhash's default `keySize` (bytes per derived key).
const DEFAULT_KEY_SIZE: u64 = 64;
/// Largest pre-fold filter we build (bits): far above any real schema, small
/// enough that a per-record working filter stays cheap.
const MAX_FILTER_BITS: u64 = 1 << 24;

/// Most indices one token (`bitsPerToken`) or one feature (`bitsPerFeature`)
/// may ask for: far above any real schema (clkhash's examples use 5–300),
/// low enough that encoding a value cannot take seconds (the `clk_schema`
/// fuzz target found a schema asking 599,999,990 per feature: a timeout).
const MAX_BITS_PER_STRATEGY: u32 = 1 << 16;

/// A validated clkhash linkage schema (v3).
#[derive(Clone, Debug)]
pub struct ClkSchema {
    pub(crate) l: usize,
    pub(crate) folds: u32,
    pub(crate) kdf: KdfSpec,
    pub(crate) features: Vec<Feature>,
}

/// One schema feature; `hashing` is `None` for an ignored one.
#[derive(Clone, Debug)]
pub(crate) struct Feature {
    pub(crate) identifier: String,
    pub(crate) hashing: Option<Hashing>,
}

/// How a non-ignored feature is validated, tokenised and hashed.
#[derive(Clone, Debug)]
pub(crate) struct Hashing {
    pub(crate) format: Format,
    pub(crate) encoding: TextEncoding,
    pub(crate) comparison: Comparison,
    pub(crate) strategy: Strategy,
    pub(crate) hash: HashKind,
    pub(crate) missing: Option<Missing>,
}

/// Insertions per token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Strategy {
    /// Every token gets k indices.
    PerToken(u32),
    /// B indices spread over the T tokens: the first `B % T` get one more.
    PerFeature(u32),
}

impl Strategy {
    /// The k of token `i` of `count` (`StrategySpec.bits_per_token`).
    pub(crate) fn k(self, i: usize, count: usize) -> u32 {
        match self {
            Strategy::PerToken(k) => k,
            Strategy::PerFeature(b) => {
                let count = count.max(1) as u64;
                let (k, r) = (u64::from(b) / count, u64::from(b) % count);
                (k + u64::from((i as u64) < r)) as u32
            }
        }
    }

    pub(crate) fn max_k(self) -> u32 {
        match self {
            Strategy::PerToken(k) | Strategy::PerFeature(k) => k,
        }
    }
}

/// `missingValue`: a value equal to `sentinel` is replaced, unvalidated.
#[derive(Clone, Debug)]
pub(crate) struct Missing {
    pub(crate) sentinel: String,
    pub(crate) replace_with: String,
}

impl ClkSchema {
    /// Parses and checks a linkage schema v3 JSON document.
    pub fn from_json(json: &str) -> Result<Self, Error> {
        // Version first (its own typed error), then the shape. Two passes over
        // a small document beat pulling serde_json's `Value` into the .wasm.
        let version = match serde_json::from_str::<VersionOnly>(json) {
            Ok(v) => v.version,
            Err(_) => match serde_json::from_str::<IgnoredAny>(json) {
                Ok(_) => None, // valid JSON, but `version` is not an integer
                Err(_) => return Err(Error::new(Subject::Schema, ErrorCode::SchemaInvalidJson)),
            },
        };
        if version != Some(3) {
            return Err(Error::new(
                Subject::Schema,
                ErrorCode::SchemaUnsupportedVersion,
            ));
        }
        let raw: RawSchema = serde_json::from_str(json).map_err(|_| invalid())?;
        build(raw)
    }

    /// Output length in bits (`l`, after folding).
    pub fn l(&self) -> usize {
        self.l
    }

    /// Number of XOR folds (`clkConfig.xor_folds`).
    pub fn xor_folds(&self) -> u32 {
        self.folds
    }

    /// Feature identifiers in schema order, ignored ones included: the order
    /// and length of a row.
    pub fn identifiers(&self) -> impl Iterator<Item = &str> {
        self.features.iter().map(|f| f.identifier.as_str())
    }

    /// Whether each feature (schema order) is ignored.
    pub fn ignored(&self) -> impl Iterator<Item = bool> + '_ {
        self.features.iter().map(|f| f.hashing.is_none())
    }

    /// Number of features, ignored ones included (the row length).
    pub fn len(&self) -> usize {
        self.features.len()
    }

    /// Whether the schema has no features.
    pub fn is_empty(&self) -> bool {
        self.features.is_empty()
    }

    /// The pre-fold filter length `l · 2^xor_folds` (the hashing modulus, G9).
    pub(crate) fn pre_fold_len(&self) -> usize {
        self.l << self.folds
    }
}

fn invalid() -> Error {
    Error::new(Subject::Schema, ErrorCode::SchemaInvalid)
}

// ---- raw serde shapes (unknown keys ignored, as clkhash's code does) -----

#[derive(Deserialize)]
struct VersionOnly {
    version: Option<u64>,
}

#[derive(Deserialize)]
struct RawSchema {
    #[serde(rename = "clkConfig")]
    clk_config: RawClkConfig,
    features: Vec<RawFeature>,
}

#[derive(Deserialize)]
struct RawClkConfig {
    l: u64,
    /// Read by clkhash's code; the documented `xorFolds` is not (G1).
    #[serde(default)]
    xor_folds: u32,
    kdf: RawKdf,
}

#[derive(Deserialize)]
struct RawKdf {
    #[serde(rename = "type")]
    kind: String,
    hash: Option<String>,
    salt: Option<String>,
    info: Option<String>,
    #[serde(rename = "keySize")]
    key_size: Option<u64>,
}

#[derive(Deserialize)]
struct RawFeature {
    identifier: String,
    #[serde(default)]
    ignored: bool,
    format: Option<RawFormat>,
    hashing: Option<RawHashing>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawFormat {
    #[serde(rename = "type")]
    kind: String,
    encoding: Option<String>,
    pattern: Option<String>,
    case: Option<String>,
    min_length: Option<u64>,
    max_length: Option<u64>,
    minimum: Option<i64>,
    maximum: Option<i64>,
    format: Option<String>,
    values: Option<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawHashing {
    comparison: RawComparison,
    strategy: RawStrategy,
    hash: Option<RawHash>,
    missing_value: Option<RawMissing>,
}

#[derive(Deserialize)]
struct RawComparison {
    #[serde(rename = "type")]
    kind: String,
    n: Option<i64>,
    positional: Option<bool>,
    #[serde(rename = "thresholdDistance")]
    threshold_distance: Option<f64>,
    resolution: Option<i64>,
    fractional_precision: Option<i64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawStrategy {
    bits_per_token: Option<i64>,
    bits_per_feature: Option<i64>,
}

#[derive(Deserialize)]
struct RawHash {
    #[serde(rename = "type")]
    kind: String,
    prevent_singularity: Option<bool>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawMissing {
    sentinel: String,
    replace_with: Option<String>,
}

// ---- checks ---------------------------------------------------------------

fn build(raw: RawSchema) -> Result<ClkSchema, Error> {
    let schema_err = |code| Error::new(Subject::Schema, code);
    let cfg = raw.clk_config;
    let pre_fold = 1u64
        .checked_shl(cfg.xor_folds)
        .and_then(|f| cfg.l.checked_mul(f))
        .filter(|&n| cfg.l >= 1 && n <= MAX_FILTER_BITS)
        .ok_or(schema_err(ErrorCode::SchemaInvalidLength))?;
    let kdf = build_kdf(cfg.kdf)?;
    let needed = kdf
        .output_len(raw.features.len())
        .ok_or(schema_err(ErrorCode::SchemaKdfTooLong))?;
    if needed > 255 * kdf.hash.output_len() {
        return Err(schema_err(ErrorCode::SchemaKdfTooLong));
    }
    let mut features = Vec::with_capacity(raw.features.len());
    for f in raw.features {
        let err = |code| Error::about_feature(Subject::Schema, code, &f.identifier);
        let hashing = if f.ignored {
            None
        } else {
            let (Some(format), Some(hashing)) = (&f.format, &f.hashing) else {
                return Err(err(ErrorCode::SchemaInvalid));
            };
            let h = build_hashing(format, hashing).map_err(err)?;
            // Preventing the singularity redraws h2 until h2 mod L ≠ 0: with
            // L = 1 it never is, and encoding would loop forever.
            if h.hash
                == (HashKind::Double {
                    prevent_singularity: true,
                })
                && pre_fold < 2
            {
                return Err(err(ErrorCode::SchemaInvalidLength));
            }
            if h.hash == HashKind::Blake {
                if !pre_fold.is_power_of_two() {
                    return Err(err(ErrorCode::SchemaBlakeNeedsPowerOfTwo));
                }
                if kdf.key_size > 64 {
                    return Err(err(ErrorCode::SchemaBlakeKeyTooLong));
                }
            }
            Some(h)
        };
        features.push(Feature {
            identifier: f.identifier.clone(),
            hashing,
        });
    }
    Ok(ClkSchema {
        l: cfg.l as usize,
        folds: cfg.xor_folds,
        kdf,
        features,
    })
}

fn build_kdf(raw: RawKdf) -> Result<KdfSpec, Error> {
    let bad = || Error::new(Subject::Schema, ErrorCode::SchemaInvalidKdf);
    if raw.kind != "HKDF" {
        return Err(bad());
    }
    let hash = match raw.hash.as_deref() {
        None | Some("SHA256") => KdfHash::Sha256,
        Some("SHA512") => KdfHash::Sha512,
        Some(_) => return Err(bad()),
    };
    let decode = |s: Option<String>| -> Result<Option<Vec<u8>>, Error> {
        s.map(|s| base64_std_decode(&s).ok_or_else(bad)).transpose()
    };
    let key_size = raw.key_size.unwrap_or(DEFAULT_KEY_SIZE);
    if key_size == 0 {
        return Err(bad());
    }
    Ok(KdfSpec {
        hash,
        salt: decode(raw.salt)?,
        info: decode(raw.info)?.unwrap_or_default(),
        key_size: usize::try_from(key_size).map_err(|_| bad())?,
    })
}

fn build_hashing(format: &RawFormat, h: &RawHashing) -> Result<Hashing, ErrorCode> {
    let fmt_err = ErrorCode::SchemaInvalidFormat;
    // Only string features read `encoding`; the others always hash UTF-8.
    let mut encoding = TextEncoding::Utf8;
    let parsed = match format.kind.as_str() {
        "string" => {
            if let Some(name) = &format.encoding {
                encoding =
                    TextEncoding::from_name(name).ok_or(ErrorCode::SchemaUnsupportedEncoding)?;
            }
            let rule = if let Some(p) = &format.pattern {
                if format.case.is_some()
                    || format.min_length.is_some()
                    || format.max_length.is_some()
                {
                    return Err(fmt_err);
                }
                TextRule::Pattern(
                    Regex::new(&format!(r"\A(?:{p})\z"))
                        .map_err(|_| ErrorCode::SchemaInvalidPattern)?,
                )
            } else {
                let case = match format.case.as_deref() {
                    None | Some("mixed") => Case::Mixed,
                    Some("upper") => Case::Upper,
                    Some("lower") => Case::Lower,
                    Some(_) => return Err(fmt_err),
                };
                let to_len =
                    |v: Option<u64>| v.map(usize::try_from).transpose().map_err(|_| fmt_err);
                let (min, max) = (to_len(format.min_length)?, to_len(format.max_length)?);
                if max == Some(0) {
                    return Err(fmt_err);
                }
                TextRule::Plain { case, min, max }
            };
            Format::Text(rule)
        }
        "integer" => Format::Integer {
            min: format.minimum,
            max: format.maximum,
        },
        "date" => Format::Date(
            DateFormat::new(format.format.as_deref().ok_or(fmt_err)?)
                .ok_or(ErrorCode::SchemaUnsupportedDateFormat)?,
        ),
        "enum" => Format::Enum(format.values.clone().ok_or(fmt_err)?),
        _ => return Err(fmt_err),
    };
    let c = &h.comparison;
    let bad_cmp = ErrorCode::SchemaInvalidComparison;
    let comparison = match c.kind.as_str() {
        "ngram" => {
            let n = c.n.filter(|&n| (1..=1024).contains(&n)).ok_or(bad_cmp)?;
            Comparison::Ngram {
                n: n as usize,
                positional: c.positional.unwrap_or(false),
            }
        }
        "exact" => Comparison::Exact,
        "numeric" => {
            let td = c
                .threshold_distance
                .filter(|t| *t > 0.0 && t.is_finite())
                .ok_or(bad_cmp)?;
            let resolution = c
                .resolution
                .filter(|r| (1..=1 << 20).contains(r))
                .ok_or(bad_cmp)?;
            let fp = c.fractional_precision.unwrap_or(0);
            let fp = u32::try_from(fp).ok().filter(|&f| f <= 30).ok_or(bad_cmp)?;
            let distance = (td * 10f64.powi(fp as i32)).round_ties_even();
            if !(1.0..1e30).contains(&distance) {
                return Err(bad_cmp);
            }
            Comparison::Numeric {
                distance: distance as i128,
                resolution: i128::from(resolution),
                fractional_precision: fp,
            }
        }
        _ => return Err(ErrorCode::SchemaUnknownComparison),
    };
    let positive = |v: i64| {
        u32::try_from(v)
            .ok()
            .filter(|&v| (1..=MAX_BITS_PER_STRATEGY).contains(&v))
    };
    let strategy = match (h.strategy.bits_per_token, h.strategy.bits_per_feature) {
        (Some(k), None) => Strategy::PerToken(positive(k).ok_or(ErrorCode::SchemaInvalidStrategy)?),
        (None, Some(b)) => {
            Strategy::PerFeature(positive(b).ok_or(ErrorCode::SchemaInvalidStrategy)?)
        }
        _ => return Err(ErrorCode::SchemaInvalidStrategy),
    };
    let hash = match &h.hash {
        None => HashKind::Blake,
        Some(RawHash {
            kind,
            prevent_singularity,
        }) => match kind.as_str() {
            "doubleHash" => HashKind::Double {
                prevent_singularity: prevent_singularity.unwrap_or(false),
            },
            "blakeHash" if prevent_singularity.is_some() => {
                return Err(ErrorCode::SchemaSingularityNeedsDoubleHash)
            }
            "blakeHash" => HashKind::Blake,
            _ => return Err(ErrorCode::SchemaUnknownHash),
        },
    };
    let missing = h.missing_value.as_ref().map(|m| Missing {
        sentinel: m.sentinel.clone(),
        replace_with: m.replace_with.clone().unwrap_or_else(|| m.sentinel.clone()),
    });
    Ok(Hashing {
        format: parsed,
        encoding,
        comparison,
        strategy,
        hash,
        missing,
    })
}
