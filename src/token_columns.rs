//! A batch's tokens as columns, in Arrow's `list<string>` layout.
//!
//! [`crate::Tokenized`] holds a `String` per token: eleven allocations for
//! a record of eight fields and three match keys, made and later freed,
//! about a fifth of the native tokenising time. A pipeline hands tokens on
//! as columns anyway (Arrow in Python, one string cut into slices in JS), so
//! [`TokenColumns`] writes them there directly: every token of a column in
//! one UTF-8 buffer, with Arrow's 32-bit offsets. Cleared and reused, it
//! allocates nothing per batch once it has grown.

use crate::error::{Error, ErrorCode, Subject};
use crate::pseudonymizer::{FieldError, Pseudonymizer, TokenKind};
use crate::record::Record;
use crate::token::TOKEN_VERSION;
use std::borrow::Borrow;

/// Base64 symbols of a token's 32-byte tag.
const TAG_SYMBOLS: usize = 43;

/// Lists of strings, one list per row, in Arrow's `list<string>` layout:
/// the strings' bytes back to back ([`StringLists::data`]), where each
/// string ends ([`StringLists::offsets`]) and where each row's strings end
/// ([`StringLists::row_offsets`]). Offsets are Arrow's `i32` and start at
/// 0, so the three buffers become an Arrow array without a copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StringLists {
    data: String,
    offsets: Vec<i32>,
    row_offsets: Vec<i32>,
    /// The most bytes `data` may hold: Arrow's `i32::MAX` (lower in tests).
    limit: usize,
}

impl Default for StringLists {
    fn default() -> Self {
        StringLists {
            data: String::new(),
            offsets: vec![0],
            row_offsets: vec![0],
            limit: i32::MAX as usize,
        }
    }
}

impl StringLists {
    /// Rows held.
    pub fn len(&self) -> usize {
        self.row_offsets.len() - 1
    }

    /// Whether no row is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The strings of row `row`, in order; `None` past the last row.
    pub fn row(&self, row: usize) -> Option<impl ExactSizeIterator<Item = &str> + '_> {
        let (start, end) = (self.row_offsets.get(row)?, self.row_offsets.get(row + 1)?);
        let ends = self.offsets.get(*start as usize..=*end as usize)?;
        Some(ends.windows(2).map(|w| {
            self.data
                .get(w[0] as usize..w[1] as usize)
                .unwrap_or_default()
        }))
    }

    /// Every string's bytes, back to back (Arrow's values data).
    pub fn data(&self) -> &str {
        &self.data
    }

    /// Where each string starts and ends in [`StringLists::data`]: one more
    /// than there are strings, from 0 (Arrow's values offsets).
    pub fn offsets(&self) -> &[i32] {
        &self.offsets
    }

    /// Where each row's strings start and end in [`StringLists::offsets`]:
    /// one more than there are rows, from 0 (Arrow's list offsets).
    pub fn row_offsets(&self) -> &[i32] {
        &self.row_offsets
    }

    /// Empties the lists, keeping their memory.
    pub fn clear(&mut self) {
        self.data.clear();
        self.offsets.truncate(1);
        self.row_offsets.truncate(1);
    }

    /// Appends every row of `other` after this one's.
    pub fn append(&mut self, other: &StringLists) -> Result<(), Error> {
        if self.data.len() + other.data.len() > self.limit {
            return Err(too_large());
        }
        let (base, row_base) = (self.data.len() as i32, self.offsets.len() as i32 - 1);
        self.data.push_str(&other.data);
        self.offsets
            .extend(other.offsets.iter().skip(1).map(|o| o + base));
        self.row_offsets
            .extend(other.row_offsets.iter().skip(1).map(|o| o + row_base));
        Ok(())
    }

    /// Makes room for `rows` more rows of at most `strings` strings and
    /// `bytes` bytes each (never past the limit).
    fn reserve(&mut self, rows: usize, strings: usize, bytes: usize) {
        let room = self.limit.saturating_sub(self.data.len());
        self.data.reserve(rows.saturating_mul(bytes).min(room));
        let strings = rows.saturating_mul(strings).min(room);
        self.offsets.reserve(strings);
        self.row_offsets.reserve(rows);
    }

    /// Adds a string to the open row; `false` (nothing added) past the limit.
    fn push(&mut self, s: &str) -> bool {
        if self.data.len() + s.len() > self.limit {
            return false;
        }
        self.data.push_str(s);
        self.offsets.push(self.data.len() as i32);
        true
    }

    /// Closes the open row.
    fn end_row(&mut self) {
        self.row_offsets.push(self.offsets.len() as i32 - 1);
    }

    /// Drops the open row's strings.
    fn drop_open_row(&mut self) {
        let strings = self.row_offsets.last().map_or(0, |&s| s as usize);
        self.offsets.truncate(strings + 1);
        let bytes = self.offsets.last().map_or(0, |&b| b as usize);
        self.data.truncate(bytes);
    }
}

/// A batch of records' tokens as columns: [`TokenColumns::tokens`] and
/// [`TokenColumns::match_keys`] are [`crate::Tokenized`]'s lists, one row
/// per record, and [`TokenColumns::errors`] its field errors.
///
/// ```
/// use pseudolink::{IdentityDefinition, Pseudonymizer, Record, Field, Secret, TokenColumns};
/// let def = IdentityDefinition::from_json(r#"{"version":1,"fields":["email","phone"],"defaultRegion":"US"}"#)?;
/// let p = Pseudonymizer::new(vec![("k1".into(), Secret::new(vec![7; 32])?)], def)?;
/// let records = [
///     Record::new().with(Field::Email, "ann@example.com").with(Field::Phone, "(415) 555 0100"),
///     Record::new().with(Field::Phone, "12"),
/// ];
/// let mut columns = TokenColumns::default();
/// p.tokenize_into(&records, &mut columns)?;
/// assert_eq!(columns.len(), 2);
/// let first: Vec<&str> = columns.tokens().row(0).unwrap().collect();
/// assert_eq!(first, p.tokenize(&records[0]).tokens);
/// assert_eq!(columns.tokens().row(1).unwrap().len(), 0);
/// assert_eq!(columns.errors(1)[0].code, "phone.too_short");
/// // Reused for the next batch: the memory stays, the rows go.
/// columns.clear();
/// assert!(columns.is_empty());
/// # Ok::<(), pseudolink::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TokenColumns {
    tokens: StringLists,
    match_keys: StringLists,
    /// Each record's field errors; an empty `Vec` allocates nothing.
    errors: Vec<Vec<FieldError>>,
}

impl TokenColumns {
    /// Records held.
    pub fn len(&self) -> usize {
        self.errors.len()
    }

    /// Whether no record is held.
    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    /// Each record's field tokens, in definition order, keys in order.
    pub fn tokens(&self) -> &StringLists {
        &self.tokens
    }

    /// Each record's match-key tokens.
    pub fn match_keys(&self) -> &StringLists {
        &self.match_keys
    }

    /// Record `row`'s field errors (empty past the last record).
    pub fn errors(&self, row: usize) -> &[FieldError] {
        self.errors.get(row).map_or(&[], Vec::as_slice)
    }

    /// Every record's field errors, in order.
    pub fn all_errors(&self) -> &[Vec<FieldError>] {
        &self.errors
    }

    /// Empties the columns, keeping their memory.
    pub fn clear(&mut self) {
        self.tokens.clear();
        self.match_keys.clear();
        self.errors.clear();
    }

    /// Appends every record of `other` after this one's (a thread's batch
    /// after another's).
    pub fn append(&mut self, other: &TokenColumns) -> Result<(), Error> {
        if self.tokens.data.len() + other.tokens.data.len() > self.tokens.limit
            || self.match_keys.data.len() + other.match_keys.data.len() > self.match_keys.limit
        {
            return Err(too_large());
        }
        self.tokens.append(&other.tokens)?;
        self.match_keys.append(&other.match_keys)?;
        self.errors.extend(other.errors.iter().cloned());
        Ok(())
    }

    /// Opens the next record's row: push its tokens to the [`OpenRow`],
    /// then close it with its errors.
    pub(crate) fn open_row(&mut self) -> OpenRow<'_> {
        OpenRow {
            columns: self,
            fits: true,
        }
    }

    #[cfg(test)]
    fn with_limit(limit: usize) -> Self {
        let mut c = TokenColumns::default();
        c.tokens.limit = limit;
        c.match_keys.limit = limit;
        c
    }
}

/// A record's row being written ([`TokenColumns::open_row`]).
pub(crate) struct OpenRow<'a> {
    columns: &'a mut TokenColumns,
    fits: bool,
}

impl OpenRow<'_> {
    /// Adds a token to its column (`kind`), in order.
    pub(crate) fn push(&mut self, kind: TokenKind, token: &str) {
        self.fits &= match kind {
            TokenKind::Field => self.columns.tokens.push(token),
            TokenKind::MatchKey => self.columns.match_keys.push(token),
        };
    }

    /// Closes the row with the record's errors. A record whose tokens would
    /// take a column past 2 GiB is not added: `record.invalid`, and the
    /// columns hold what they held before the row was opened.
    pub(crate) fn close(self, errors: Vec<FieldError>) -> Result<(), Error> {
        let c = self.columns;
        if !self.fits {
            c.tokens.drop_open_row();
            c.match_keys.drop_open_row();
            return Err(too_large());
        }
        c.tokens.end_row();
        c.match_keys.end_row();
        c.errors.push(errors);
        Ok(())
    }
}

/// A column past Arrow's 32-bit offsets: the caller passes fewer records.
fn too_large() -> Error {
    Error::new(Subject::Record, ErrorCode::RecordInvalid)
}

impl Pseudonymizer {
    /// Tokenises `records` (a slice, or records made on the fly from a
    /// caller's rows) into `out`, after what it holds: the same tokens and
    /// errors as [`Pseudonymizer::tokenize_batch`], as columns, with no
    /// allocation per token. On `record.invalid` (a column would pass 2 GiB)
    /// `out` holds the records before the one that did not fit.
    pub fn tokenize_into<R: Borrow<Record>>(
        &self,
        records: impl IntoIterator<Item = R>,
        out: &mut TokenColumns,
    ) -> Result<(), Error> {
        let records = records.into_iter();
        let rows = records.size_hint().0;
        // Room for every record with every field and match key present, so
        // the buffers never grow (and copy) token by token.
        let token_bytes = |subject: usize| -> usize {
            self.key_ids()
                .map(|id| TOKEN_VERSION.len() + subject + id.len() + 3 + TAG_SYMBOLS)
                .sum()
        };
        let d = self.definition();
        let keys = self.key_ids().count();
        let fields = d.fields.iter().map(|f| token_bytes(f.name().len())).sum();
        let mks = d
            .match_keys
            .iter()
            .map(|m| token_bytes(m.name.len() + 3))
            .sum();
        out.tokens.reserve(rows, d.fields.len() * keys, fields);
        out.match_keys.reserve(rows, d.match_keys.len() * keys, mks);
        out.errors.reserve(rows);
        if crate::sha256x::BATCH_PAYS {
            return self.tokenize_batched_into(records, out);
        }
        for r in records {
            let mut row = out.open_row();
            let errors = self.tokenize_each(r.borrow(), |kind, token| row.push(kind, token));
            row.close(errors)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Field, IdentityDefinition, Secret};

    fn pseudonymizer(keys: &[&str]) -> Pseudonymizer {
        let def = IdentityDefinition::from_json(
            r#"{"version": 1, "fields": ["email", "phone", "lastName"],
                "matchKeys": [{"name": "emailName", "parts": [{"field": "email"}, {"field": "lastName"}]}],
                "defaultRegion": "US"}"#,
        )
        .unwrap();
        let keys = keys
            .iter()
            .map(|id| ((*id).to_owned(), Secret::new(vec![5; 32]).unwrap()))
            .collect();
        Pseudonymizer::new(keys, def).unwrap()
    }

    fn records() -> Vec<Record> {
        vec![
            Record::new()
                .with(Field::Email, "Ann@Example.com")
                .with(Field::LastName, "Lee")
                .with(Field::Phone, "(415) 555 0100"),
            Record::new(),
            {
                let mut r = Record::new()
                    .with(Field::Phone, "12")
                    .with(Field::LastName, "Ó Sé");
                r.set_wrong_type(Field::Email);
                r
            },
            Record::new()
                .with(Field::Email, "bo@example.org")
                .with(Field::LastName, "Müller"),
        ]
    }

    fn rows(lists: &StringLists) -> Vec<Vec<String>> {
        (0..lists.len())
            .map(|i| lists.row(i).unwrap().map(str::to_owned).collect())
            .collect()
    }

    #[test]
    fn columns_hold_what_tokenize_batch_returns() {
        for keys in [&["k1"][..], &["old", "new"]] {
            let p = pseudonymizer(keys);
            let records = records();
            let mut columns = TokenColumns::default();
            p.tokenize_into(&records, &mut columns).unwrap();
            let batch = p.tokenize_batch(&records);
            assert_eq!(columns.len(), batch.len());
            let tokens: Vec<_> = batch.iter().map(|t| t.tokens.clone()).collect();
            assert_eq!(rows(columns.tokens()), tokens);
            let mks: Vec<_> = batch.iter().map(|t| t.match_keys.clone()).collect();
            assert_eq!(rows(columns.match_keys()), mks);
            let errors: Vec<_> = batch.iter().map(|t| t.errors.clone()).collect();
            assert_eq!(columns.all_errors(), errors);
            assert!(columns.tokens().row(records.len()).is_none());
        }
    }

    #[test]
    fn records_made_on_the_fly_give_the_same_columns() {
        let p = pseudonymizer(&["k1"]);
        let (mut from_slice, mut made) = (TokenColumns::default(), TokenColumns::default());
        p.tokenize_into(records(), &mut from_slice).unwrap();
        p.tokenize_into((0..4).map(|i| records()[i].clone()), &mut made)
            .unwrap();
        assert_eq!(made, from_slice);
        // The wrong-typed e-mail is reported in its place, before the phone.
        let codes: Vec<_> = made.errors(2).iter().map(|e| (e.field, e.code)).collect();
        assert_eq!(
            codes,
            [
                (Field::Email, "value.wrong_type"),
                (Field::Phone, "phone.too_short")
            ]
        );
    }

    #[test]
    fn records_batched_together_give_the_same_columns() {
        // The path of builds where batching pays (the SIMD128 bulk entry),
        // tested natively: groups of records whose HMACs share one batch.
        for keys in [&["k1"][..], &["old", "new"]] {
            let p = pseudonymizer(keys);
            let many: Vec<Record> = (0..21).map(|i| records()[i % 4].clone()).collect();
            for n in [0, 1, 7, 8, 9, 21] {
                let (mut one_by_one, mut batched) =
                    (TokenColumns::default(), TokenColumns::default());
                for r in &many[..n] {
                    let mut row = one_by_one.open_row();
                    let errors = p.tokenize_each(r, |kind, token| row.push(kind, token));
                    row.close(errors).unwrap();
                }
                p.tokenize_batched_into(many[..n].iter(), &mut batched)
                    .unwrap();
                assert_eq!(batched, one_by_one, "{n} records, keys {keys:?}");
            }
        }
    }

    #[test]
    fn offsets_are_arrows_list_of_string_layout() {
        let p = pseudonymizer(&["k1"]);
        let mut columns = TokenColumns::default();
        p.tokenize_into(records(), &mut columns).unwrap();
        let t = columns.tokens();
        // Rows: 3 tokens, none, 1 (last name; the phone failed), 2.
        assert_eq!(t.row_offsets(), [0, 3, 3, 4, 6]);
        assert_eq!(t.offsets().len(), 7);
        assert_eq!(t.offsets()[0], 0);
        assert!(t.offsets().windows(2).all(|w| w[0] < w[1]));
        assert_eq!(*t.offsets().last().unwrap() as usize, t.data().len());
        let mk = columns.match_keys();
        assert_eq!(mk.row_offsets(), [0, 1, 1, 1, 2]);
    }

    #[test]
    fn cleared_columns_are_reused_and_appended_columns_shift_offsets() {
        let p = pseudonymizer(&["k1"]);
        let records = records();
        let mut whole = TokenColumns::default();
        p.tokenize_into(&records, &mut whole).unwrap();
        let (mut first, mut second) = (TokenColumns::default(), TokenColumns::default());
        p.tokenize_into(&records[..1], &mut first).unwrap();
        p.tokenize_into(&records[1..], &mut second).unwrap();
        first.append(&second).unwrap();
        assert_eq!(first, whole);
        whole.clear();
        assert!(whole.is_empty() && whole.tokens().data().is_empty());
        assert_eq!(whole.tokens().offsets(), [0]);
        p.tokenize_into(&records[1..], &mut whole).unwrap();
        assert_eq!(whole, second);
    }

    #[test]
    fn the_room_reserved_is_what_full_records_take() {
        let p = pseudonymizer(&["k1", "key-two"]);
        let full = records()[0].clone();
        let mut columns = TokenColumns::default();
        p.tokenize_into(&[full.clone(), full], &mut columns)
            .unwrap();
        for c in [columns.tokens(), columns.match_keys()] {
            assert_eq!(c.data.capacity(), c.data.len());
            assert_eq!(c.offsets.capacity(), c.offsets.len());
        }
    }

    #[test]
    fn a_record_past_the_limit_is_refused_whole() {
        let p = pseudonymizer(&["k1"]);
        let records = records();
        let mut expected = TokenColumns::default();
        p.tokenize_into(&records[..3], &mut expected).unwrap();
        // Room for the first three records' field tokens, not the fourth's.
        let mut columns = TokenColumns::with_limit(expected.tokens().data().len());
        let err = p.tokenize_into(&records, &mut columns).unwrap_err();
        assert_eq!(err.code(), ErrorCode::RecordInvalid);
        assert_eq!(columns.len(), 3);
        assert_eq!(rows(columns.tokens()), rows(expected.tokens()));
        assert_eq!(columns.tokens().offsets(), expected.tokens().offsets());
        assert_eq!(columns.match_keys().data(), expected.match_keys().data());
        // Appending past the limit is refused too, and changes nothing.
        let before = columns.clone();
        assert!(columns.append(&expected).is_err());
        assert_eq!(columns, before);
    }
}
