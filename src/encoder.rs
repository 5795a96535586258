//! From a raw record to everything the linker compares: keyed tokens for
//! exact agreement and CLKs (Bloom-filter encodings) per field for fuzzy
//! similarity, from one normalisation of the record.
//!
//! The CLK schema's feature identifiers are field wire names (`firstName`,
//! `street`, …): each feature reads that field's *normalised* value, so the
//! fuzzy encoding sees the same folded, abbreviated form as the tokens do.
//! [`DEFAULT_CLK_SCHEMA`] is the schema the pages use.

use crate::clk::{ClkEncoder, ClkSchema, Hardening, Scratch};
use crate::definition::IdentityDefinition;
use crate::encoded::EncodedRecord;
use crate::error::{Error, ErrorCode, Subject};
use crate::field::Field;
use crate::link::NICKNAME_SUBJECT;
use crate::normalize::Country;
use crate::pseudonymizer::{normalize_record, FieldError, Pseudonymizer, TokenKind};
use crate::record::Record;
use serde::Serialize;
use std::collections::BTreeMap;

/// A clkhash linkage schema (v3) over pseudolink fields: names, street,
/// city, postal code and date of birth, 1024 bits, blakeHash. Bits per
/// token are set so a typical record fills about half of the record CLK,
/// where Dice separates best.
pub const DEFAULT_CLK_SCHEMA: &str = include_str!("encoder/default.schema.json");

mod nicknames;

/// The key under which the record CLK (all features in one filter) is kept.
pub const RECORD_CLK: &str = "record";

/// Encodes records into [`EncodedRecord`]s: tokens and match keys from a
/// [`Pseudonymizer`], plus one CLK per schema feature and the record CLK
/// (optionally hardened, see [`Hardening`]). [`RecordEncoder::clks_only`]
/// makes CLKs without any token key, for parties whose tokens come from
/// elsewhere (oblivious `po1` tokens from a key server).
///
/// ```
/// use pseudolink::{IdentityDefinition, Pseudonymizer, Record, RecordEncoder, Field, Secret, ClkSchema, DEFAULT_CLK_SCHEMA};
/// let def = IdentityDefinition::from_json(r#"{"version":1,"fields":["email"],"defaultRegion":"US"}"#).unwrap();
/// let p = Pseudonymizer::new(vec![("k1".into(), Secret::new(vec![7; 32]).unwrap())], def).unwrap();
/// let schema = ClkSchema::from_json(DEFAULT_CLK_SCHEMA).unwrap();
/// let enc = RecordEncoder::with_clks(p, &schema, &[9; 32]).unwrap();
/// let out = enc.encode("r1", &Record::new().with(Field::Email, "Ann@Example.com").with(Field::FirstName, "Ann"));
/// assert!(out.record.tokens[0].starts_with("pl1.email.k1."));
/// assert_eq!(out.record.clks.keys().collect::<Vec<_>>(), ["firstName", "record"]);
/// ```
pub struct RecordEncoder {
    tokens: Tokens,
    clks: Option<FieldClks>,
    /// Every field that must be normalised: the definition's and the schema's.
    fields: Vec<Field>,
}

/// Where tokens come from, and what drives normalisation.
enum Tokens {
    /// Keyed `pl1` tokens and match keys.
    Keyed(Pseudonymizer),
    /// No tokens: the definition only sets region and date order.
    None {
        definition: IdentityDefinition,
        default_region: Option<Country>,
    },
}

struct FieldClks {
    encoder: ClkEncoder,
    /// The field each row position reads (`None`: an ignored feature).
    columns: Vec<Option<Field>>,
    /// The field of each non-ignored feature, in `encode_features` order.
    features: Vec<Field>,
}

/// One encoded record and the fields that could not be used.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Encoded {
    /// What the linker reads.
    #[serde(flatten)]
    pub record: EncodedRecord,
    /// Fields present but not normalisable or not encodable; never values.
    pub errors: Vec<FieldError>,
}

impl RecordEncoder {
    /// Tokens and match keys only (exact linking).
    pub fn new(pseudonymizer: Pseudonymizer) -> Self {
        let fields = pseudonymizer.needed_fields().to_vec();
        RecordEncoder {
            tokens: Tokens::Keyed(pseudonymizer),
            clks: None,
            fields,
        }
    }

    /// Tokens plus CLKs under `schema` and `clk_secret` (shared by the
    /// linking parties; distinct from the token keys). Every non-ignored
    /// feature must be a field wire name (`schema.unknown_field` otherwise).
    /// The CLKs are byte-identical to clkhash's.
    pub fn with_clks(
        pseudonymizer: Pseudonymizer,
        schema: &ClkSchema,
        clk_secret: &[u8],
    ) -> Result<Self, Error> {
        RecordEncoder::with_hardened_clks(pseudonymizer, schema, clk_secret, &Hardening::default())
    }

    /// Like [`RecordEncoder::with_clks`], with every CLK (each feature's and
    /// the record's) hardened as [`ClkEncoder::with_hardening`] does. A salt
    /// feature names a schema feature (a field wire name).
    pub fn with_hardened_clks(
        pseudonymizer: Pseudonymizer,
        schema: &ClkSchema,
        clk_secret: &[u8],
        hardening: &Hardening,
    ) -> Result<Self, Error> {
        let clks = FieldClks::new(schema, clk_secret, hardening)?;
        let mut fields = pseudonymizer.needed_fields().to_vec();
        for f in &clks.features {
            if !fields.contains(f) {
                fields.push(*f);
            }
        }
        Ok(RecordEncoder {
            tokens: Tokens::Keyed(pseudonymizer),
            clks: Some(clks),
            fields,
        })
    }

    /// CLKs only, no token key: `tokens` and `matchKeys` stay empty. The
    /// definition is validated and sets the region and date order, so a
    /// value normalises exactly as under a keyed encoder with the same
    /// definition and the CLKs are the same; only the schema's fields are
    /// normalised (and reported in `errors`).
    pub fn clks_only(
        definition: IdentityDefinition,
        schema: &ClkSchema,
        clk_secret: &[u8],
        hardening: &Hardening,
    ) -> Result<Self, Error> {
        definition.validate()?;
        let default_region = definition.default_region()?;
        let clks = FieldClks::new(schema, clk_secret, hardening)?;
        let fields = clks.features.clone();
        Ok(RecordEncoder {
            tokens: Tokens::None {
                definition,
                default_region,
            },
            clks: Some(clks),
            fields,
        })
    }

    /// Encodes one record under the caller's record id.
    pub fn encode(&self, id: &str, record: &Record) -> Encoded {
        self.encode_with(id, record, &mut Scratch::default())
    }

    /// [`RecordEncoder::encode`] with the CLK buffers (and, in a batch, the
    /// token memo) of the caller.
    fn encode_with(&self, id: &str, record: &Record, scratch: &mut Scratch) -> Encoded {
        let mut errors = Vec::new();
        let normalized = match &self.tokens {
            Tokens::Keyed(p) => p.normalize_record(record, &self.fields, &mut errors),
            Tokens::None {
                definition,
                default_region,
            } => normalize_record(
                definition,
                &self.fields,
                *default_region,
                record,
                &mut errors,
            ),
        };
        let mut out = EncodedRecord {
            id: id.to_owned(),
            tokens: Vec::new(),
            match_keys: Vec::new(),
            clks: BTreeMap::new(),
        };
        if let Tokens::Keyed(p) = &self.tokens {
            p.emit_tokens(&normalized, |kind, token| match kind {
                TokenKind::Field => out.tokens.push(token.to_owned()),
                TokenKind::MatchKey => out.match_keys.push(token.to_owned()),
            });
            nickname_tokens(p, &normalized, &mut out.tokens);
        }
        if let Some(clks) = &self.clks {
            clks.encode(&normalized, &mut out.clks, &mut errors, scratch);
        }
        Encoded {
            record: out,
            errors,
        }
    }

    /// Encodes many `(id, record)` pairs, reporting `(done, total)` after each.
    pub fn encode_batch(
        &self,
        records: &[(String, Record)],
        mut progress: impl FnMut(usize, usize),
    ) -> Vec<Encoded> {
        let total = records.len();
        let mut batch = self.batch();
        records
            .iter()
            .enumerate()
            .map(|(i, (id, r))| {
                let e = batch.encode(id, r);
                progress(i + 1, total);
                e
            })
            .collect()
    }

    /// A batch of records encoded one at a time, for callers that hold their
    /// rows in their own form (columns, a stream, one batch per thread):
    /// like [`RecordEncoder::encode_batch`], it keeps one memo of n-gram →
    /// filter indices for all its records, so a name or street seen before
    /// is not hashed again. The memo is wiped when the batch is dropped.
    ///
    /// ```
    /// # use pseudolink::{IdentityDefinition, Pseudonymizer, Record, RecordEncoder, Field, Secret, ClkSchema, DEFAULT_CLK_SCHEMA};
    /// # let def = IdentityDefinition::from_json(r#"{"version":1,"fields":["email","lastName"],"matchKeys":[]}"#)?;
    /// # let p = Pseudonymizer::new(vec![("k1".into(), Secret::new(vec![7; 32])?)], def)?;
    /// let encoder = RecordEncoder::with_clks(p, &ClkSchema::from_json(DEFAULT_CLK_SCHEMA)?, &[9; 32])?;
    /// let mut batch = encoder.batch();
    /// let mut r = Record::new();
    /// r.set(Field::LastName, "Smith");
    /// let first = batch.encode("1", &r);
    /// assert_eq!(first.record, encoder.encode("1", &r).record);
    /// # Ok::<(), pseudolink::Error>(())
    /// ```
    pub fn batch(&self) -> EncoderBatch<'_> {
        EncoderBatch {
            encoder: self,
            scratch: ClkEncoder::batch_scratch(),
        }
    }

    /// The pseudonymizer making the tokens; `None` for a CLK-only encoder.
    pub fn pseudonymizer(&self) -> Option<&Pseudonymizer> {
        match &self.tokens {
            Tokens::Keyed(p) => Some(p),
            Tokens::None { .. } => None,
        }
    }

    /// The identity definition in use.
    pub fn definition(&self) -> &IdentityDefinition {
        match &self.tokens {
            Tokens::Keyed(p) => p.definition(),
            Tokens::None { definition, .. } => definition,
        }
    }
}

/// The `nickname` tokens of a record: one per canonical form of its given
/// name (see `encoder/nicknames.rs`) and key, after the field tokens. Only
/// when the definition tokenises `firstName` (so the encoder adds no exact
/// token of a field the definition left to CLKs alone), and only for names
/// the nickname table knows (a multi-word name by its first word).
fn nickname_tokens(p: &Pseudonymizer, normalized: &[Option<String>], out: &mut Vec<String>) {
    if !p.definition().fields.contains(&Field::FirstName) {
        return;
    }
    let Some(first) = normalized
        .get(Field::FirstName.index())
        .and_then(|v| v.as_deref())
    else {
        return;
    };
    let mut forms = nicknames::canonical(first);
    if forms.is_empty() {
        forms = first.split(' ').next().map_or(&[], nicknames::canonical);
    }
    for form in forms {
        for k in p.keys() {
            out.push(k.subject_token(NICKNAME_SUBJECT, form));
        }
    }
}

/// The fewest bytes a [`RecordEncoder`]'s CLK secret may have.
pub const MIN_CLK_SECRET_BYTES: usize = 16;

/// Records encoded one at a time with one memo for all of them
/// ([`RecordEncoder::batch`]).
pub struct EncoderBatch<'a> {
    encoder: &'a RecordEncoder,
    scratch: Scratch,
}

impl EncoderBatch<'_> {
    /// Encodes one record under the caller's record id: the same output as
    /// [`RecordEncoder::encode`].
    pub fn encode(&mut self, id: &str, record: &Record) -> Encoded {
        self.encoder.encode_with(id, record, &mut self.scratch)
    }
}

/// The CLK secret rule of [`RecordEncoder`]: at least
/// [`MIN_CLK_SECRET_BYTES`] bytes (`key.too_short`). Bindings call it where
/// they read the secret, so their errors come in the order they always did;
/// the constructors check it too. ([`crate::ClkEncoder`] stays clkhash's
/// and takes any secret.)
pub fn check_clk_secret(clk_secret: &[u8]) -> Result<(), Error> {
    if clk_secret.len() < MIN_CLK_SECRET_BYTES {
        return Err(Error::new(Subject::Keys, ErrorCode::KeyTooShort));
    }
    Ok(())
}

impl FieldClks {
    /// Maps the schema's features to fields and prepares the encoder.
    fn new(schema: &ClkSchema, clk_secret: &[u8], hardening: &Hardening) -> Result<Self, Error> {
        check_clk_secret(clk_secret)?;
        let mut columns = Vec::with_capacity(schema.len());
        let mut features = Vec::new();
        for (id, ignored) in schema.identifiers().zip(schema.ignored()) {
            if ignored {
                columns.push(None);
                continue;
            }
            let field = Field::from_name(id).ok_or_else(|| {
                Error::about_feature(Subject::Schema, ErrorCode::SchemaUnknownField, id)
            })?;
            columns.push(Some(field));
            features.push(field);
        }
        let encoder = ClkEncoder::with_hardening(schema, clk_secret, hardening)?;
        Ok(FieldClks {
            encoder,
            columns,
            features,
        })
    }

    /// Adds one CLK per present feature plus the record CLK to `out`. A
    /// value the schema rejects (its pattern, length, …) is left out of the
    /// encoding and reported, like a field that does not normalise.
    fn encode(
        &self,
        normalized: &[Option<String>],
        out: &mut BTreeMap<String, Vec<u8>>,
        errors: &mut Vec<FieldError>,
        scratch: &mut Scratch,
    ) {
        let mut row: Vec<&str> = self
            .columns
            .iter()
            .map(|c| {
                c.and_then(|f| normalized.get(f.index()))
                    .and_then(|v| v.as_deref())
                    .unwrap_or("")
            })
            .collect();
        // Each retry blanks one more rejected feature, so this ends.
        let (feature_clks, record) = loop {
            match self.encoder.encode_features_and_record(&row, scratch) {
                Ok(c) => break c,
                Err(e) => {
                    let Some(pos) = self.reject(&e, &mut row) else {
                        return;
                    };
                    if let Some(Some(field)) = self.columns.get(pos) {
                        errors.push(FieldError::new(*field, e.code()));
                    }
                }
            }
        };
        for (field, clk) in self.features.iter().zip(feature_clks) {
            let Some(clk) = clk else { continue };
            out.insert(field.name().to_owned(), clk.as_bytes().to_vec());
        }
        // The record filter is the OR of the feature filters *before*
        // folding and hardening (diffusion does not commute with OR), made
        // in the same pass: equal to `ClkEncoder::encode` of the row.
        if let Some(r) = record {
            out.insert(RECORD_CLK.to_owned(), r.as_bytes().to_vec());
        }
    }

    /// Blanks the row position of the feature an error names; `None` if
    /// the error names none or it is blank already.
    fn reject(&self, e: &Error, row: &mut [&str]) -> Option<usize> {
        let feature = e.feature()?;
        let pos = self
            .columns
            .iter()
            .position(|c| c.is_some_and(|f| f.name() == feature))?;
        let slot = row.get_mut(pos)?;
        if slot.is_empty() {
            return None;
        }
        *slot = "";
        Some(pos)
    }
}

impl core::fmt::Debug for RecordEncoder {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("RecordEncoder")
            .field("pseudonymizer", &self.pseudonymizer())
            .field("clk_features", &self.clks.as_ref().map(|c| &c.features))
            .finish_non_exhaustive()
    }
}
