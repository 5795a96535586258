//! Turning records into keyed tokens under an identity definition.

use crate::definition::{IdentityDefinition, MatchKey};
use crate::error::{Error, ErrorCode, Subject};
use crate::field::Field;
use crate::normalize::{normalize, Country, NormalizeOptions};
use crate::profile::Profile;
use crate::record::Record;
use crate::sha256x::{with_scratch_pair, HmacBatch};
use crate::token::{push_b64_tag, MatchKeyStart, Secret, TokenKey, TokensInPairs};
use crate::token_columns::TokenColumns;
use std::borrow::Borrow;
use std::cell::RefCell;
use zeroize::Zeroize;

/// Records whose HMACs one batch computes together in
/// [`Pseudonymizer::tokenize_batched_into`].
const RECORDS_PER_BATCH: usize = 8;

/// Per-thread buffers of batched token work, reused across records.
#[derive(Default)]
pub(crate) struct BatchScratch {
    batch: HmacBatch,
    tags: Vec<[u8; 32]>,
    body: Vec<u8>,
    text: String,
}

thread_local! {
    static BATCH_SCRATCH: RefCell<BatchScratch> = RefCell::new(BatchScratch::default());
}
use serde::Serialize;

/// Tokenises records: normalises each field (pseudolink profile), then makes
/// one token per field and per match key under every held key.
///
/// Holding several keys is how rotation works: during a changeover every
/// record gets tokens under the old and the new key, each carrying its key id.
///
/// ```
/// use pseudolink::{IdentityDefinition, Pseudonymizer, Record, Field, Secret};
/// let def = IdentityDefinition::from_json(r#"{"version":1,"fields":["email","phone"],"defaultRegion":"US"}"#).unwrap();
/// let p = Pseudonymizer::new(vec![("k1".into(), Secret::new(vec![7; 32]).unwrap())], def).unwrap();
/// let out = p.tokenize(&Record::new().with(Field::Phone, "(415) 555 0100"));
/// assert!(out.tokens[0].starts_with("pl1.phone.k1."));
/// assert!(out.errors.is_empty());
/// ```
pub struct Pseudonymizer {
    keys: Vec<TokenKey>,
    definition: IdentityDefinition,
    needed: Vec<Field>,
    default_region: Option<Country>,
    /// Per key, per match key (`keys.len() × match_keys.len()`, key-major):
    /// the match key's prepared HMAC state and token prefix, where tokens are
    /// made straight over `compress256` (`sha256x::DIRECT_PAYS`); empty
    /// elsewhere.
    match_key_starts: Vec<MatchKeyStart>,
}

/// The tokens of one record. Each token is self-describing
/// (`pl1.<field>.<keyId>.<tag>`, see [`crate::Token::parse`]), so plain strings
/// suffice and stay cheap to hand across the JS boundary by the thousand.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Tokenized {
    /// One token per present, valid definition field and key, in definition
    /// order, keys in the order given.
    pub tokens: Vec<String>,
    /// One token (`pl1.mk-<name>.<keyId>.<tag>`) per match key whose parts are
    /// all present, per key.
    pub match_keys: Vec<String>,
    /// Fields that were present but could not be normalised.
    pub errors: Vec<FieldError>,
}

/// Which list of [`Tokenized`] a token belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// A field's token (`tokens`).
    Field,
    /// A match key's token (`matchKeys`).
    MatchKey,
}

/// Why a field produced no token. Carries the code and rule, never the value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldError {
    /// The field.
    pub field: Field,
    /// Stable code, e.g. `phone.too_short`.
    pub code: &'static str,
    /// English message naming the field and rule.
    pub message: String,
}

impl FieldError {
    /// The error for `field` failing `code`.
    pub fn new(field: Field, code: ErrorCode) -> Self {
        FieldError {
            field,
            code: code.as_str(),
            message: Error::field(field, code).to_string(),
        }
    }
}

impl Pseudonymizer {
    /// Builds a pseudonymizer from `(key id, secret)` pairs and a definition.
    /// Each key's HMAC pads are prepared here, once.
    pub fn new(keys: Vec<(String, Secret)>, definition: IdentityDefinition) -> Result<Self, Error> {
        definition.validate()?;
        if keys.is_empty() {
            return Err(Error::new(Subject::Keys, ErrorCode::KeyMissing));
        }
        let mut prepared: Vec<TokenKey> = Vec::with_capacity(keys.len());
        for (id, secret) in &keys {
            let k = TokenKey::new(id, secret)?;
            if prepared.iter().any(|p| p.id() == k.id()) {
                return Err(Error::new(Subject::Keys, ErrorCode::KeyDuplicateId));
            }
            prepared.push(k);
        }
        let mut match_key_starts = Vec::new();
        if crate::sha256x::DIRECT_PAYS {
            for k in &prepared {
                for mk in &definition.match_keys {
                    match_key_starts.extend(k.match_key_start(&mk.name));
                }
            }
            // All or none: `emit_one_by_one` indexes them key-major.
            if match_key_starts.len() != prepared.len() * definition.match_keys.len() {
                match_key_starts.clear();
            }
        }
        Ok(Pseudonymizer {
            match_key_starts,
            keys: prepared,
            needed: definition.needed_fields(),
            default_region: definition.default_region()?,
            definition,
        })
    }

    /// The identity definition in use.
    pub fn definition(&self) -> &IdentityDefinition {
        &self.definition
    }

    /// Ids of the held keys, in order.
    pub fn key_ids(&self) -> impl Iterator<Item = &str> {
        self.keys.iter().map(|k| k.id().as_str())
    }

    /// Tokenises one record.
    pub fn tokenize(&self, record: &Record) -> Tokenized {
        // Sized for a full record, so the lists never grow token by token.
        let keys = self.keys.len();
        let mut out = Tokenized {
            tokens: Vec::with_capacity(self.definition.fields.len() * keys),
            match_keys: Vec::with_capacity(self.definition.match_keys.len() * keys),
            errors: Vec::new(),
        };
        out.errors = self.tokenize_each(record, |kind, token| match kind {
            TokenKind::Field => out.tokens.push(token.to_owned()),
            TokenKind::MatchKey => out.match_keys.push(token.to_owned()),
        });
        out
    }

    /// Tokenises one record, handing each token to `emit` as it is made
    /// (all field tokens first, then all match-key tokens) and returning the
    /// field errors. Batch writers use this to stream tokens into one buffer
    /// without a string allocation per token.
    pub fn tokenize_each(
        &self,
        record: &Record,
        emit: impl FnMut(TokenKind, &str),
    ) -> Vec<FieldError> {
        let mut errors = Vec::new();
        let normalized = self.normalize_record(record, &self.needed, &mut errors);
        self.emit_tokens(&normalized, emit);
        errors
    }

    /// Makes the tokens of already normalised values (indexed by
    /// [`Field::index`]), handing each to `emit`.
    pub(crate) fn emit_tokens(
        &self,
        normalized: &[Option<String>],
        mut emit: impl FnMut(TokenKind, &str),
    ) {
        if crate::sha256x::BATCH_PAYS {
            BATCH_SCRATCH.with(|cell| match cell.try_borrow_mut() {
                Ok(mut scratch) => self.emit_batched(normalized, &mut scratch, &mut emit),
                // Re-entered from `emit`: a scratch of its own.
                Err(_) => self.emit_batched(normalized, &mut BatchScratch::default(), &mut emit),
            });
            return;
        }
        self.emit_one_by_one(normalized, emit);
    }

    /// [`Pseudonymizer::emit_tokens`] computing every HMAC of the record
    /// together ([`crate::sha256x::HmacBatch`]): the same tokens in the same
    /// order as [`Pseudonymizer::emit_one_by_one`].
    fn emit_batched(
        &self,
        normalized: &[Option<String>],
        s: &mut BatchScratch,
        emit: &mut impl FnMut(TokenKind, &str),
    ) {
        self.queue_batched(normalized, s);
        s.tags.clear();
        s.batch.finish(&mut s.tags);
        self.write_batched(normalized, &mut s.tags.iter(), &mut s.text, emit);
        s.body.zeroize();
    }

    /// Pass 1 of a batch: queues every HMAC of a record, in emit order.
    pub(crate) fn queue_batched(&self, normalized: &[Option<String>], s: &mut BatchScratch) {
        let value = |f: Field| normalized.get(f.index()).and_then(|v| v.as_deref());
        let mut parts: Vec<&[u8]> = Vec::new();
        for &field in &self.definition.fields {
            if let Some(v) = value(field) {
                for k in &self.keys {
                    k.queue_field_token(field, v, &mut s.batch);
                }
            }
        }
        for mk in &self.definition.match_keys {
            if match_key_parts(mk, value, &mut parts) {
                for k in &self.keys {
                    k.queue_match_key_token(&mk.name, &parts, &mut s.body, &mut s.batch);
                }
            }
        }
    }

    /// Pass 2: the same walk as [`Pseudonymizer::queue_batched`], writing
    /// each token with its tag, taken in order from `tags`.
    pub(crate) fn write_batched(
        &self,
        normalized: &[Option<String>],
        tags: &mut core::slice::Iter<'_, [u8; 32]>,
        text: &mut String,
        emit: &mut impl FnMut(TokenKind, &str),
    ) {
        let value = |f: Field| normalized.get(f.index()).and_then(|v| v.as_deref());
        let mut parts: Vec<&[u8]> = Vec::new();
        for &field in &self.definition.fields {
            if let Some(v) = value(field) {
                for k in &self.keys {
                    text.clear();
                    match (k.queue_field_prefix(field), tags.as_slice().first()) {
                        (Some(prefix), Some(tag)) => {
                            text.push_str(prefix);
                            push_b64_tag(tag, text);
                            tags.next();
                        }
                        _ => k.write_field_token(field, v, text),
                    }
                    emit(TokenKind::Field, text);
                }
            }
        }
        for mk in &self.definition.match_keys {
            if match_key_parts(mk, value, &mut parts) {
                for k in &self.keys {
                    text.clear();
                    match k.batches().then(|| tags.next()).flatten() {
                        Some(tag) => k.write_match_key_token(&mk.name, tag, text),
                        None => text.push_str(&k.match_key_token(&mk.name, &parts)),
                    }
                    emit(TokenKind::MatchKey, text);
                }
            }
        }
    }

    /// [`Pseudonymizer::tokenize_into`] where batching pays: the HMACs of
    /// [`RECORDS_PER_BATCH`] records are computed together, so the four
    /// lanes stay full across records (a record's 11 HMACs alone leave a
    /// lane idle in three of seven groups) and a batch's bookkeeping is paid
    /// once per group of records. Rows are written in record order, as
    /// [`Pseudonymizer::tokenize_each`] would.
    pub(crate) fn tokenize_batched_into<R: Borrow<Record>>(
        &self,
        records: impl Iterator<Item = R>,
        out: &mut TokenColumns,
    ) -> Result<(), Error> {
        BATCH_SCRATCH.with(|cell| match cell.try_borrow_mut() {
            Ok(mut scratch) => self.tokenize_batched_with(records, out, &mut scratch),
            Err(_) => self.tokenize_batched_with(records, out, &mut BatchScratch::default()),
        })
    }

    fn tokenize_batched_with<R: Borrow<Record>>(
        &self,
        mut records: impl Iterator<Item = R>,
        out: &mut TokenColumns,
        s: &mut BatchScratch,
    ) -> Result<(), Error> {
        let mut group: Vec<(Vec<Option<String>>, Vec<FieldError>)> =
            Vec::with_capacity(RECORDS_PER_BATCH);
        let result = loop {
            group.clear();
            for r in records.by_ref().take(RECORDS_PER_BATCH) {
                let mut errors = Vec::new();
                let normalized = self.normalize_record(r.borrow(), &self.needed, &mut errors);
                self.queue_batched(&normalized, s);
                group.push((normalized, errors));
            }
            if group.is_empty() {
                break Ok(());
            }
            s.tags.clear();
            s.batch.finish(&mut s.tags);
            let mut tags = s.tags.iter();
            let written = group.drain(..).try_for_each(|(normalized, errors)| {
                let mut row = out.open_row();
                self.write_batched(&normalized, &mut tags, &mut s.text, &mut |kind, token| {
                    row.push(kind, token)
                });
                row.close(errors)
            });
            if written.is_err() {
                break written;
            }
        };
        s.body.zeroize();
        result
    }

    /// Makes the tokens without a batch: natively two at a time straight
    /// over `compress256` from cached pads and per-subject states
    /// (`sha256x::DIRECT_PAYS`, [`Pseudonymizer::emit_in_pairs`]), in the
    /// size-built wasm entries one at a time through the `hmac` crate over
    /// prepared pads (a separate loop, so those builds carry no pair code:
    /// the core `.wasm` sits at its size budget).
    fn emit_one_by_one(
        &self,
        normalized: &[Option<String>],
        mut emit: impl FnMut(TokenKind, &str),
    ) {
        if crate::sha256x::DIRECT_PAYS {
            with_scratch_pair(|pair| {
                self.emit_in_pairs(normalized, &mut TokensInPairs::new(pair), &mut emit)
            });
            return;
        }
        let value = |f: Field| normalized.get(f.index()).and_then(|v| v.as_deref());
        let mut buf = String::with_capacity(96);
        for &field in &self.definition.fields {
            let Some(v) = value(field) else { continue };
            for k in &self.keys {
                buf.clear();
                k.write_field_token(field, v, &mut buf);
                emit(TokenKind::Field, &buf);
            }
        }
        let mut parts: Vec<&[u8]> = Vec::new();
        for mk in &self.definition.match_keys {
            if match_key_parts(mk, value, &mut parts) {
                for k in &self.keys {
                    emit(TokenKind::MatchKey, &k.match_key_token(&mk.name, &parts));
                }
            }
        }
    }

    /// [`Pseudonymizer::emit_one_by_one`] where tokens are made straight
    /// over `compress256`: two at a time, in the same order.
    fn emit_in_pairs<'a>(
        &'a self,
        normalized: &[Option<String>],
        two: &mut TokensInPairs<'_, 'a, TokenKind>,
        emit: &mut impl FnMut(TokenKind, &str),
    ) {
        let value = |f: Field| normalized.get(f.index()).and_then(|v| v.as_deref());
        let mut buf = String::new();
        for &field in &self.definition.fields {
            let Some(v) = value(field) else { continue };
            for k in &self.keys {
                match k.field_start(field) {
                    Some(start) => two.push(TokenKind::Field, start, &[v.as_bytes()], false, emit),
                    None => {
                        two.flush(emit);
                        buf.clear();
                        k.write_field_token(field, v, &mut buf);
                        emit(TokenKind::Field, &buf);
                    }
                }
            }
        }
        let mut parts: Vec<&[u8]> = Vec::new();
        let n_mk = self.definition.match_keys.len();
        for (m, mk) in self.definition.match_keys.iter().enumerate() {
            if !match_key_parts(mk, value, &mut parts) {
                continue;
            }
            for (i, k) in self.keys.iter().enumerate() {
                let start = self.match_key_starts.get(i * n_mk + m);
                match start.and_then(|s| k.match_key_direct(s)) {
                    Some(start) => two.push(TokenKind::MatchKey, start, &parts, true, emit),
                    None => {
                        two.flush(emit);
                        emit(TokenKind::MatchKey, &k.match_key_token(&mk.name, &parts));
                    }
                }
            }
        }
        two.flush(emit);
    }

    #[cfg(feature = "fuzzy")]
    /// The prepared keys, in order.
    pub(crate) fn keys(&self) -> &[TokenKey] {
        &self.keys
    }

    #[cfg(feature = "fuzzy")]
    /// The fields the definition reads (its fields and match-key parts).
    pub(crate) fn needed_fields(&self) -> &[Field] {
        &self.needed
    }

    /// Tokenises many records; the same as mapping [`Pseudonymizer::tokenize`].
    pub fn tokenize_batch(&self, records: &[Record]) -> Vec<Tokenized> {
        records.iter().map(|r| self.tokenize(r)).collect()
    }

    /// Normalises `fields` of a record (see [`normalize_record`]).
    pub(crate) fn normalize_record(
        &self,
        record: &Record,
        fields: &[Field],
        errors: &mut Vec<FieldError>,
    ) -> Vec<Option<String>> {
        normalize_record(
            &self.definition,
            fields,
            self.default_region,
            record,
            errors,
        )
    }
}

/// Normalises the `needed` fields of a record, pseudolink profile, into a
/// slot per field (by [`Field::index`]); failures go to `errors`. The
/// record's own country (when valid) drives phone, postal code and state.
/// Shared by every way of turning a record into tokens (keyed, oblivious).
pub(crate) fn normalize_record(
    definition: &IdentityDefinition,
    needed: &[Field],
    default_region: Option<Country>,
    record: &Record,
    errors: &mut Vec<FieldError>,
) -> Vec<Option<String>> {
    let mut opts = NormalizeOptions::new(Profile::Pseudolink);
    opts.region = record
        .get(Field::Country)
        .and_then(|v| v.ok())
        .and_then(Country::parse)
        .or(default_region);
    opts.date_order = definition.date_order;
    let mut values = vec![None; Field::ALL.len()];
    for &field in needed {
        let result = match record.get(field) {
            None => continue,
            Some(Err(_)) => Err(ErrorCode::WrongType),
            Some(Ok(raw)) => normalize(field, raw, &opts).map_err(|e| e.code()),
        };
        match result {
            Ok(v) => {
                if let Some(slot) = values.get_mut(field.index()) {
                    *slot = Some(v);
                }
            }
            // An empty optional form field is absence, not an error.
            Err(ErrorCode::Empty) => {}
            Err(code) => errors.push(FieldError::new(field, code)),
        }
    }
    values
}

/// Fills `parts` with a match key's pieces of the normalised values; `false`
/// (skip the key) when a piece is missing. An unordered key's pieces are
/// sorted bytewise, so the token does not depend on which part held which
/// value (first and last name swapped give the same token).
pub(crate) fn match_key_parts<'a>(
    mk: &MatchKey,
    value: impl Fn(Field) -> Option<&'a str>,
    parts: &mut Vec<&'a [u8]>,
) -> bool {
    parts.clear();
    for p in &mk.parts {
        match value(p.field).and_then(|v| p.take.apply(v)) {
            Some(piece) => parts.push(piece.as_bytes()),
            None => return false,
        }
    }
    if mk.unordered {
        parts.sort_unstable();
    }
    true
}

impl core::fmt::Debug for Pseudonymizer {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Pseudonymizer")
            .field("key_ids", &self.key_ids().collect::<Vec<_>>())
            .field("definition", &self.definition)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pseudonymizer(match_keys: &str) -> Pseudonymizer {
        let json = format!(
            r#"{{"version": 2, "fields": ["email"], "matchKeys": [{match_keys}], "defaultRegion": "US"}}"#
        );
        let def = IdentityDefinition::from_json(&json).unwrap();
        let secret = Secret::new(vec![3; 32]).unwrap();
        Pseudonymizer::new(vec![("k1".into(), secret)], def).unwrap()
    }

    fn names(first: &str, last: &str) -> Record {
        Record::new()
            .with(Field::FirstName, first)
            .with(Field::LastName, last)
    }

    const NAMES: &str = r#"{"name": "names", "unordered": true, "parts": [{"field": "firstName"}, {"field": "lastName"}]}"#;
    const ORDERED: &str =
        r#"{"name": "ordered", "parts": [{"field": "firstName"}, {"field": "lastName"}]}"#;

    #[test]
    fn an_unordered_key_gives_swapped_parts_the_same_token() {
        let p = pseudonymizer(NAMES);
        let key = |r: &Record| p.tokenize(r).match_keys;
        let john_smith = key(&names("John", "Smith"));
        assert_eq!(john_smith.len(), 1);
        assert!(john_smith[0].starts_with("pl1.mk-names.k1."));
        // Swapped, and swapped in another spelling that normalises the same.
        assert_eq!(key(&names("Smith", "John")), john_smith);
        assert_eq!(key(&names(" SMITH ", "john")), john_smith);
        // Different names, or one name in both places, are other tokens.
        assert_ne!(key(&names("John", "Smyth")), john_smith);
        assert_ne!(key(&names("Jane", "Smith")), john_smith);
        assert_ne!(key(&names("John", "John")), john_smith);
        assert_ne!(key(&names("Smith", "Smith")), john_smith);
        // The token is the format's match-key token (pinned by
        // tests/vectors/tokens.json) of the normalised parts, sorted bytewise.
        let token_key = TokenKey::new("k1", &Secret::new(vec![3; 32]).unwrap()).unwrap();
        let sorted: [&[u8]; 2] = [b"john", b"smith"];
        assert_eq!(john_smith[0], token_key.match_key_token("names", &sorted));
        // Parts are length-prefixed before sorting too: no run-together.
        assert_ne!(key(&names("ab", "c")), key(&names("a", "bc")));
        // A missing part skips the key, as for ordered keys.
        assert!(key(&Record::new().with(Field::FirstName, "John")).is_empty());
    }

    #[test]
    fn an_ordered_key_still_depends_on_the_order() {
        let p = pseudonymizer(ORDERED);
        let key = |r: &Record| p.tokenize(r).match_keys;
        assert_ne!(key(&names("John", "Smith")), key(&names("Smith", "John")));
        // The key's name is hashed with its parts: an unordered and an
        // ordered key over the same values never share a tag.
        let both = pseudonymizer(&format!("{NAMES}, {ORDERED}"));
        let t = both.tokenize(&names("John", "Smith")).match_keys;
        assert_eq!(t.len(), 2);
        assert_ne!(t[0].rsplit('.').next(), t[1].rsplit('.').next());
    }

    #[test]
    fn batched_and_one_by_one_tokens_agree_for_unordered_keys() {
        let p = pseudonymizer(&format!("{NAMES}, {ORDERED}"));
        let mut errors = Vec::new();
        let normalized = p.normalize_record(&names("Smith", "John"), &p.needed, &mut errors);
        let (mut batched, mut single) = (Vec::new(), Vec::new());
        p.emit_batched(
            &normalized,
            &mut BatchScratch::default(),
            &mut |_, t: &str| batched.push(t.to_owned()),
        );
        p.emit_one_by_one(&normalized, |_, t| single.push(t.to_owned()));
        assert_eq!(batched, single);
        assert_eq!(batched.len(), 2);
    }
}
