//! The binary transfer form of encoded records: one byte buffer of interned
//! token heads, 32-byte tags and CLK bytes, so that a batch crosses between
//! JS and wasm (or between processes) without JSON text or base64. The JSON
//! form ([`EncodedRecord::many_from_json`]) stays the export format.
//!
//! Layout, version 1 (every integer little-endian; documented in
//! ARCHITECTURE.md, "Binary transfer of encoded records"):
//!
//! ```text
//! header   magic "PLEB" (4 bytes) | version u16 = 1 | flags u16 = 0
//!          | records u32 | strings u32
//! strings  strings × (length u32 | UTF-8 bytes)
//!          token heads `<version>.<subject>.<keyId>` and CLK keys
//! records  records × (
//!            id: length u32 | UTF-8 bytes
//!            tokens u32 | matchKeys u32 | clks u32
//!            (tokens + matchKeys) × (head u32: string index | tag: 32 bytes)
//!            clks × (key u32: string index | length u32 | CLK bytes) )
//! ```
//!
//! Nothing may follow the last record. Parsing never trusts a count: every
//! length is checked against the bytes left before anything is allocated,
//! every index against the string table, and a head must make well-formed
//! tokens, so hostile bytes give a typed error, never a panic.

mod json;

use super::comparison::Fields;
use super::encoded::Prepare;
use super::EncodedRecord;
use crate::encoding::{base64_url, base64_url_decode_into};
use crate::{Error, ErrorCode, RowError, Subject, Token};
use std::collections::{BTreeMap, HashMap};

/// The first four bytes of every buffer.
pub const TRANSFER_MAGIC: [u8; 4] = *b"PLEB";
/// The layout version this build writes and reads.
pub const TRANSFER_VERSION: u16 = 1;

const HEADER: usize = 16;
/// Bytes of the smallest record (an empty id and three zero counts).
const MIN_RECORD: usize = 16;

fn malformed() -> Error {
    Error::new(Subject::Record, ErrorCode::TransferMalformed)
}

fn len_u32(n: usize) -> Result<u32, Error> {
    u32::try_from(n).map_err(|_| malformed())
}

fn bad_token() -> Error {
    Error::new(Subject::Record, ErrorCode::LinkBadToken)
}

/// Writes a buffer in the binary transfer form record by record, from
/// [`EncodedRecord`]s ([`TransferWriter::push`]) or straight from their
/// JSON text ([`TransferWriter::push_json_rows`], which builds no owned
/// record), so a JSON batch reaches the linker's in-place reader without a
/// second form in memory. Token heads and CLK keys are interned across
/// every record pushed; a token head is checked once.
#[derive(Debug, Default)]
pub struct TransferWriter {
    index: HashMap<String, u32>,
    strings: Vec<String>,
    /// Per string: whether tokens may use it as their head (checked on first use).
    head_ok: Vec<bool>,
    /// Per token position: the head the last record had there. A batch's
    /// records list their fields in one order, so this usually spares the
    /// hash of the head.
    recent: Vec<u32>,
    records: usize,
    body: Vec<u8>,
}

impl TransferWriter {
    /// An empty batch.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records pushed so far.
    pub fn len(&self) -> usize {
        self.records
    }

    /// Whether no record was pushed.
    pub fn is_empty(&self) -> bool {
        self.records == 0
    }

    fn intern(&mut self, s: &str) -> Result<u32, Error> {
        if let Some(&i) = self.index.get(s) {
            return Ok(i);
        }
        let i = len_u32(self.strings.len())?;
        self.index.insert(s.to_owned(), i);
        self.strings.push(s.to_owned());
        self.head_ok.push(false);
        Ok(i)
    }

    fn put(&mut self, n: u32) {
        self.body.extend_from_slice(&n.to_le_bytes());
    }

    /// Appends one record: its id, its tokens then match keys (each
    /// `<version>.<subject>.<keyId>.<tag>`; anything else is
    /// `link.bad_token`), and its CLKs by key, decoded by `decode` (which
    /// appends the bytes, or says no: `link.bad_base64`). A failed record
    /// leaves the batch as it was.
    fn record<C>(
        &mut self,
        id: &str,
        tokens: &[&str],
        n_tokens: usize,
        clks: &[(&str, C)],
        decode: impl Fn(&C, &mut Vec<u8>) -> Option<()>,
    ) -> Result<(), Error> {
        let mark = self.body.len();
        let done = self.record_body(id, tokens, n_tokens, clks, decode);
        match done {
            Ok(()) => self.records += 1,
            Err(_) => self.body.truncate(mark),
        }
        done
    }

    fn record_body<C>(
        &mut self,
        id: &str,
        tokens: &[&str],
        n_tokens: usize,
        clks: &[(&str, C)],
        decode: impl Fn(&C, &mut Vec<u8>) -> Option<()>,
    ) -> Result<(), Error> {
        self.put(len_u32(id.len())?);
        self.body.extend_from_slice(id.as_bytes());
        self.put(len_u32(n_tokens)?);
        self.put(len_u32(tokens.len() - n_tokens.min(tokens.len()))?);
        self.put(len_u32(clks.len())?);
        for (pos, t) in tokens.iter().enumerate() {
            // A token is its head and a 43-symbol tag (32 bytes): the head
            // checked once per batch, as `Token::parse` checks the three
            // parts before the tag; the tag decoded straight into the buffer.
            let (head, tag) = t.rsplit_once('.').ok_or_else(bad_token)?;
            let i = match self.recent.get(pos).copied() {
                Some(r) if self.strings.get(r as usize).is_some_and(|s| s == head) => r,
                _ => {
                    let r = self.intern(head)?;
                    match self.recent.get_mut(pos) {
                        Some(slot) => *slot = r,
                        None => self.recent.push(r),
                    }
                    r
                }
            };
            let ok = self.head_ok.get_mut(i as usize).ok_or_else(malformed)?;
            if !*ok {
                *ok = head_parts(head).is_some();
            }
            if !*ok || tag.len() != 43 {
                return Err(bad_token());
            }
            self.put(i);
            base64_url_decode_into(tag, &mut self.body).ok_or_else(bad_token)?;
        }
        for (key, clk) in clks {
            let k = self.intern(key)?;
            self.put(k);
            let at = self.body.len();
            self.put(0);
            decode(clk, &mut self.body)
                .ok_or_else(|| Error::new(Subject::Record, ErrorCode::LinkBadBase64))?;
            let len = len_u32(self.body.len() - at - 4)?.to_le_bytes();
            self.body
                .get_mut(at..at + 4)
                .ok_or_else(malformed)?
                .copy_from_slice(&len);
        }
        Ok(())
    }

    /// Appends one record (a token that is not well formed: `link.bad_token`).
    pub fn push(&mut self, r: &EncodedRecord) -> Result<(), Error> {
        let tokens: Vec<&str> = r
            .tokens
            .iter()
            .chain(&r.match_keys)
            .map(String::as_str)
            .collect();
        let clks: Vec<(&str, &Vec<u8>)> = r.clks.iter().map(|(k, v)| (k.as_str(), v)).collect();
        self.record(&r.id, &tokens, r.tokens.len(), &clks, |clk, out| {
            out.extend_from_slice(clk);
            Some(())
        })
    }

    /// The buffer: header, string table, then the records in push order.
    pub fn finish(self) -> Result<Vec<u8>, Error> {
        let strings: usize = self.strings.iter().map(|s| 4 + s.len()).sum();
        let mut out = Vec::with_capacity(HEADER + strings + self.body.len());
        let put = |out: &mut Vec<u8>, n: u32| out.extend_from_slice(&n.to_le_bytes());
        out.extend_from_slice(&TRANSFER_MAGIC);
        out.extend_from_slice(&TRANSFER_VERSION.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        put(&mut out, len_u32(self.records)?);
        put(&mut out, len_u32(self.strings.len())?);
        for s in &self.strings {
            put(&mut out, len_u32(s.len())?);
            out.extend_from_slice(s.as_bytes());
        }
        out.extend_from_slice(&self.body);
        Ok(out)
    }
}

impl EncodedRecord {
    /// The binary transfer form of a batch (see the module docs). A token
    /// that is not well formed is `link.bad_token` (the binary form holds
    /// tags, not token text).
    pub fn many_to_bytes(records: &[EncodedRecord]) -> Result<Vec<u8>, Error> {
        let mut w = TransferWriter::new();
        w.body.reserve(records.len().saturating_mul(800));
        for r in records {
            w.push(r)?;
        }
        w.finish()
    }

    /// [`EncodedRecord::many_from_json`], saying which element was bad
    /// ([`RowError::row`]: its index in the array), in one pass.
    pub fn many_from_json_rows(json: &str) -> Result<Vec<EncodedRecord>, RowError> {
        crate::rows::rows_from_json(json, crate::rows::record_error)
    }

    /// Reads a buffer written by [`EncodedRecord::many_to_bytes`]. Not a
    /// buffer of this kind: `transfer.not_encoded`; another layout version:
    /// `transfer.version`; truncated, trailing bytes, a bad count, index,
    /// UTF-8 or token head: `transfer.malformed`. Never panics. (The same
    /// checks as [`TransferView::parse`], which it reads through; the
    /// linker reads the view itself, without token texts.)
    pub fn many_from_bytes(bytes: &[u8]) -> Result<Vec<EncodedRecord>, Error> {
        let view = TransferView::parse(bytes)?;
        let mut out = Vec::with_capacity(view.len());
        for r in view.records() {
            let mut texts = Vec::with_capacity(r.raw.n_tokens + r.raw.n_keys);
            for (i, tag) in r.entries() {
                let head = *view.strings.get(i).ok_or_else(malformed)?;
                texts.push(format!("{head}.{}", base64_url(tag)));
            }
            let match_keys = texts.split_off(r.raw.n_tokens.min(texts.len()));
            let mut clks = BTreeMap::new();
            for (key, clk) in r.clk_entries() {
                clks.insert(key.to_owned(), clk.to_vec());
            }
            out.push(EncodedRecord {
                id: r.raw.id.to_owned(),
                tokens: texts,
                match_keys,
                clks,
            });
        }
        Ok(out)
    }
}

/// A buffer in the binary transfer form, checked once and read in place:
/// per record its id, its `(subject, key id, 32-byte tag)` triples and its
/// CLKs by key, all borrowed from the buffer. The linker prepares records
/// from it directly (`Linker::link_records` with [`Records::Transfer`](super::Records)),
/// so the binary path builds no token text and parses none.
///
/// [`TransferView::parse`] makes every check [`EncodedRecord::many_from_bytes`]
/// makes, in the same order, with the same typed errors; a view that
/// exists holds only well-formed records.
#[derive(Debug, Clone)]
pub struct TransferView<'a> {
    strings: Vec<&'a str>,
    /// Per string: its `(subject, key id)` when a token uses it as its head
    /// (every such head is well formed; `None` for CLK keys and unused strings).
    heads: Vec<Option<(&'a str, &'a str)>>,
    records: Vec<RawRecord<'a>>,
}

/// One record's place in the buffer.
#[derive(Debug, Clone, Copy)]
struct RawRecord<'a> {
    id: &'a str,
    n_tokens: usize,
    n_keys: usize,
    /// `(tokens + matchKeys) × (head u32 | tag 32 bytes)`.
    entries: &'a [u8],
    n_clks: usize,
    /// `clks × (key u32 | length u32 | CLK bytes)`.
    clks: &'a [u8],
}

/// The `(subject, key id)` of a token head `<version>.<subject>.<keyId>`, if
/// it makes well-formed tokens. Whether it does is independent of the tag
/// (every 32 bytes are a valid tag), so one check with a zero tag serves
/// every token of the head.
fn head_parts(head: &str) -> Option<(&str, &str)> {
    Token::parse(&format!("{head}.{}", base64_url(&[0u8; 32])))?;
    let mut it = head.split('.');
    let _version = it.next()?;
    Some((it.next()?, it.next()?))
}

impl<'a> TransferView<'a> {
    /// Checks a buffer written by [`EncodedRecord::many_to_bytes`] and
    /// indexes its records, copying nothing. The errors are those of
    /// [`EncodedRecord::many_from_bytes`]. Never panics.
    pub fn parse(bytes: &'a [u8]) -> Result<Self, Error> {
        let mut r = Reader { bytes, at: 0 };
        if r.take(4).ok() != Some(&TRANSFER_MAGIC[..]) {
            return Err(Error::new(Subject::Record, ErrorCode::TransferNotEncoded));
        }
        let version = r.u16()?;
        if version != TRANSFER_VERSION {
            return Err(Error::new(Subject::Record, ErrorCode::TransferVersion));
        }
        if r.u16()? != 0 {
            return Err(malformed());
        }
        let n_records = r.count(MIN_RECORD)?;
        let n_strings = r.count(4)?;
        let mut strings = Vec::with_capacity(n_strings);
        for _ in 0..n_strings {
            strings.push(r.string()?);
        }
        // Per string: whether it is a well-formed token head (checked once, when first used).
        let mut checked: Vec<bool> = vec![false; strings.len()];
        let mut heads: Vec<Option<(&'a str, &'a str)>> = vec![None; strings.len()];
        let mut records = Vec::with_capacity(n_records);
        let mut keys: Vec<&'a str> = Vec::new();
        for _ in 0..n_records {
            let id = r.string()?;
            let n_tokens = r.count(36)?;
            let n_keys = r.count(36)?;
            let n_clks = r.count(8)?;
            let start = r.at;
            for _ in 0..n_tokens.saturating_add(n_keys) {
                let i = r.u32()? as usize;
                let head = *strings.get(i).ok_or_else(malformed)?;
                r.take(32)?;
                if !checked[i] {
                    checked[i] = true;
                    heads[i] = head_parts(head);
                }
                if heads[i].is_none() {
                    return Err(malformed());
                }
            }
            let entries = bytes.get(start..r.at).ok_or_else(malformed)?;
            let start = r.at;
            keys.clear();
            for _ in 0..n_clks {
                let key = *strings.get(r.u32()? as usize).ok_or_else(malformed)?;
                let len = r.count(1)?;
                r.take(len)?;
                // A key twice in one record (even under two string indices).
                if keys.contains(&key) {
                    return Err(malformed());
                }
                keys.push(key);
            }
            let clks = bytes.get(start..r.at).ok_or_else(malformed)?;
            records.push(RawRecord {
                id,
                n_tokens,
                n_keys,
                entries,
                n_clks,
                clks,
            });
        }
        if r.at != bytes.len() {
            return Err(malformed());
        }
        Ok(TransferView {
            strings,
            heads,
            records,
        })
    }

    /// Records in the buffer.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// Whether the buffer holds no record.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    fn records(&self) -> impl Iterator<Item = RecordView<'_, 'a>> + '_ {
        self.records.iter().map(move |raw| RecordView {
            raw,
            strings: &self.strings,
            heads: &self.heads,
        })
    }

    /// One borrowed view per record, as the linker's preparation reads them.
    pub(crate) fn views(&self) -> Vec<RecordView<'_, 'a>> {
        self.records().collect()
    }
}

/// One record of a [`TransferView`], borrowed.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RecordView<'v, 'a> {
    raw: &'v RawRecord<'a>,
    strings: &'v [&'a str],
    heads: &'v [Option<(&'a str, &'a str)>],
}

impl<'v, 'a> RecordView<'v, 'a> {
    /// `(string index of the head, tag)` of every token, then match key.
    fn entries(&self) -> impl Iterator<Item = (usize, &'a [u8; 32])> + 'a {
        self.raw.entries.chunks_exact(36).filter_map(|e| {
            let (head, tag) = e.split_first_chunk::<4>()?;
            Some((u32::from_le_bytes(*head) as usize, tag.try_into().ok()?))
        })
    }

    /// `(key, CLK)` of every CLK (the view checked the layout: a short read
    /// cannot happen, and would end the walk, not panic).
    fn clk_entries(&self) -> impl Iterator<Item = (&'a str, &'a [u8])> + 'v {
        let mut rest: &'a [u8] = self.raw.clks;
        let strings = self.strings;
        (0..self.raw.n_clks).map_while(move |_| {
            let (key, tail) = rest.split_first_chunk::<4>()?;
            let (len, tail) = tail.split_first_chunk::<4>()?;
            let len = u32::from_le_bytes(*len) as usize;
            let clk = tail.get(..len)?;
            rest = tail.get(len..)?;
            Some((*strings.get(u32::from_le_bytes(*key) as usize)?, clk))
        })
    }
}

impl Fields for RecordView<'_, '_> {
    fn keyed_subjects<'s>(&'s self, f: &mut dyn FnMut(&'s str)) {
        for (i, _) in self.entries() {
            if let (Some(head), Some(Some((subject, _)))) = (self.strings.get(i), self.heads.get(i))
            {
                if head.starts_with("pl1.") {
                    f(subject);
                }
            }
        }
    }

    fn clk_keys<'s>(&'s self, f: &mut dyn FnMut(&'s str)) {
        for (key, _) in self.clk_entries() {
            f(key);
        }
    }
}

impl Prepare for RecordView<'_, '_> {
    fn id(&self) -> &str {
        self.raw.id
    }

    fn tokens(&self, f: &mut dyn FnMut(&str, &str, &[u8; 32])) -> Result<(), Error> {
        for (i, tag) in self.entries() {
            // Every head a token uses was checked by `TransferView::parse`.
            let (subject, key_id) = self.heads.get(i).copied().flatten().ok_or_else(malformed)?;
            f(subject, key_id, tag);
        }
        Ok(())
    }

    fn clk(&self, key: &str) -> Option<&[u8]> {
        self.clk_entries().find(|&(k, _)| k == key).map(|(_, c)| c)
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], Error> {
        let end = self.at.checked_add(n).ok_or_else(malformed)?;
        let s = self.bytes.get(self.at..end).ok_or_else(malformed)?;
        self.at = end;
        Ok(s)
    }

    fn u16(&mut self) -> Result<u16, Error> {
        let b = self.take(2)?;
        Ok(u16::from_le_bytes([b[0], b[1]]))
    }

    fn u32(&mut self) -> Result<u32, Error> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// A count of items of at least `min` bytes each: more than the bytes
    /// left could hold is malformed (so no allocation follows a hostile count).
    fn count(&mut self, min: usize) -> Result<usize, Error> {
        let n = self.u32()? as usize;
        let left = self.bytes.len() - self.at;
        if n.saturating_mul(min.max(1)) > left {
            return Err(malformed());
        }
        Ok(n)
    }

    fn string(&mut self) -> Result<&'a str, Error> {
        let len = self.count(1)?;
        std::str::from_utf8(self.take(len)?).map_err(|_| malformed())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tok(subject: &str, byte: u8) -> String {
        format!("pl1.{subject}.k1.{}", base64_url(&[byte; 32]))
    }

    fn sample() -> Vec<EncodedRecord> {
        let mut clks = BTreeMap::new();
        clks.insert("record".to_owned(), vec![0xA5; 128]);
        clks.insert("firstName".to_owned(), vec![1, 2, 3]);
        vec![
            EncodedRecord {
                id: "a-1".into(),
                tokens: vec![tok("email", 1), tok("phone", 2)],
                match_keys: vec![tok("mk-nameDob", 3)],
                clks,
            },
            EncodedRecord {
                id: "ü2".into(),
                tokens: vec![
                    tok("email", 9),
                    format!("po1.email.v1.{}", base64_url(&[7; 32])),
                ],
                match_keys: vec![],
                clks: BTreeMap::new(),
            },
            EncodedRecord::default(),
        ]
    }

    #[test]
    fn round_trips_and_interns_heads() {
        let records = sample();
        let bytes = EncodedRecord::many_to_bytes(&records).unwrap();
        assert_eq!(&bytes[..4], b"PLEB");
        assert_eq!(EncodedRecord::many_from_bytes(&bytes).unwrap(), records);
        // pl1.email.k1 is written once in the string table.
        let head = b"pl1.email.k1";
        assert_eq!(bytes.windows(head.len()).filter(|w| w == head).count(), 1);
        let empty = EncodedRecord::many_to_bytes(&[]).unwrap();
        assert_eq!(empty.len(), HEADER);
        assert!(EncodedRecord::many_from_bytes(&empty).unwrap().is_empty());
    }

    #[test]
    fn typed_errors() {
        let bytes = EncodedRecord::many_to_bytes(&sample()).unwrap();
        let code = |b: &[u8]| EncodedRecord::many_from_bytes(b).unwrap_err().code();
        assert_eq!(code(b""), ErrorCode::TransferNotEncoded);
        assert_eq!(code(b"[{\"id\":\"1\"}]"), ErrorCode::TransferNotEncoded);
        let mut v2 = bytes.clone();
        v2[4] = 2;
        assert_eq!(code(&v2), ErrorCode::TransferVersion);
        assert_eq!(
            code(&bytes[..bytes.len() - 1]),
            ErrorCode::TransferMalformed
        );
        let mut trailing = bytes.clone();
        trailing.push(0);
        assert_eq!(code(&trailing), ErrorCode::TransferMalformed);
        // A hostile record count is refused before any allocation.
        let mut huge = bytes.clone();
        huge[8..12].copy_from_slice(&u32::MAX.to_le_bytes());
        assert_eq!(code(&huge), ErrorCode::TransferMalformed);
        let bad = EncodedRecord {
            tokens: vec!["not a token".into()],
            ..EncodedRecord::default()
        };
        assert_eq!(
            EncodedRecord::many_to_bytes(&[bad]).unwrap_err().code(),
            ErrorCode::LinkBadToken
        );
    }

    #[test]
    fn the_view_reads_what_the_records_hold() {
        let records = sample();
        let bytes = EncodedRecord::many_to_bytes(&records).unwrap();
        let view = TransferView::parse(&bytes).unwrap();
        assert_eq!(view.len(), records.len());
        let triples = |r: &dyn Prepare| {
            let mut out = Vec::new();
            r.tokens(&mut |s, k, t| out.push((s.to_owned(), k.to_owned(), *t)))
                .unwrap();
            out
        };
        for (v, r) in view.views().iter().zip(&records) {
            assert_eq!(v.id(), r.id);
            assert_eq!(triples(v), triples(r));
            for key in ["record", "firstName", "lastName"] {
                assert_eq!(v.clk(key), Prepare::clk(r, key));
            }
            let (mut vs, mut rs) = (Vec::new(), Vec::new());
            v.keyed_subjects(&mut |s| vs.push(s));
            r.keyed_subjects(&mut |s| rs.push(s));
            assert_eq!(vs, rs);
            let (mut vk, mut rk) = (Vec::new(), Vec::new());
            v.clk_keys(&mut |s| vk.push(s));
            r.clk_keys(&mut |s| rk.push(s));
            assert_eq!(vk, rk);
        }
    }

    #[test]
    fn a_clk_key_twice_under_two_indices_is_malformed() {
        // Two string-table entries "k"; one record names both.
        let mut b = Vec::new();
        b.extend_from_slice(b"PLEB");
        b.extend_from_slice(&1u16.to_le_bytes());
        b.extend_from_slice(&0u16.to_le_bytes());
        b.extend_from_slice(&1u32.to_le_bytes());
        b.extend_from_slice(&2u32.to_le_bytes());
        for _ in 0..2 {
            b.extend_from_slice(&1u32.to_le_bytes());
            b.push(b'k');
        }
        b.extend_from_slice(&0u32.to_le_bytes()); // id ""
        for n in [0u32, 0, 2] {
            b.extend_from_slice(&n.to_le_bytes());
        }
        for key in [0u32, 1] {
            b.extend_from_slice(&key.to_le_bytes());
            b.extend_from_slice(&1u32.to_le_bytes());
            b.push(7);
        }
        assert_eq!(
            TransferView::parse(&b).unwrap_err().code(),
            ErrorCode::TransferMalformed
        );
        assert_eq!(
            EncodedRecord::many_from_bytes(&b).unwrap_err().code(),
            ErrorCode::TransferMalformed
        );
        // One of them alone is a record with CLK "k".
        let n = b.len() - 9;
        b.truncate(n);
        let at = 16 + 10 + 4 + 8;
        b[at..at + 4].copy_from_slice(&1u32.to_le_bytes());
        let view = TransferView::parse(&b).unwrap();
        assert_eq!(view.views()[0].clk("k"), Some(&[7u8][..]));
    }

    #[test]
    fn a_head_that_makes_no_token_is_malformed() {
        let bytes = EncodedRecord::many_to_bytes(&sample()).unwrap();
        let at = bytes
            .windows(12)
            .position(|w| w == b"pl1.email.k1")
            .unwrap();
        let mut bad = bytes.clone();
        bad[at + 3] = b'!';
        assert_eq!(
            EncodedRecord::many_from_bytes(&bad).unwrap_err().code(),
            ErrorCode::TransferMalformed
        );
    }

    #[cfg(not(target_arch = "wasm32"))]
    mod never_panics {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
                let _ = EncodedRecord::many_from_bytes(&bytes);
            }

            #[test]
            fn never_panics_on_mutated_buffers(
                edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..8),
                cut in any::<usize>(),
            ) {
                let mut bytes = EncodedRecord::many_to_bytes(&sample()).unwrap();
                for (at, b) in edits {
                    let i = at % bytes.len();
                    bytes[i] = b;
                }
                bytes.truncate(HEADER + cut % (bytes.len() + 1 - HEADER));
                if let Ok(view) = TransferView::parse(&bytes) {
                    // The linker's reads of whatever parses never fail.
                    for v in view.views() {
                        let read = v.tokens(&mut |_, _, _| {});
                        prop_assert!(read.is_ok());
                        let _ = (v.clk("record"), v.clk("firstName"));
                    }
                }
                if let Ok(records) = EncodedRecord::many_from_bytes(&bytes) {
                    // Whatever parses writes back to an equal batch.
                    let again = EncodedRecord::many_to_bytes(&records).unwrap();
                    prop_assert_eq!(EncodedRecord::many_from_bytes(&again).unwrap(), records);
                }
            }
        }
    }
}
