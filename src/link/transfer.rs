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

use super::EncodedRecord;
use crate::encoding::base64_url;
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

/// Interns strings while writing.
#[derive(Default)]
struct Table<'a> {
    index: HashMap<&'a str, u32>,
    strings: Vec<&'a str>,
}

impl<'a> Table<'a> {
    fn id(&mut self, s: &'a str) -> Result<u32, Error> {
        if let Some(&i) = self.index.get(s) {
            return Ok(i);
        }
        let i = u32::try_from(self.strings.len()).map_err(|_| malformed())?;
        self.index.insert(s, i);
        self.strings.push(s);
        Ok(i)
    }
}

fn len_u32(n: usize) -> Result<u32, Error> {
    u32::try_from(n).map_err(|_| malformed())
}

/// The head (`<version>.<subject>.<keyId>`) and tag of a well-formed token.
fn split_token(token: &str) -> Result<(&str, [u8; 32]), Error> {
    let bad = || Error::new(Subject::Record, ErrorCode::LinkBadToken);
    let parsed = Token::parse(token).ok_or_else(bad)?;
    let head = token.rsplit_once('.').ok_or_else(bad)?.0;
    Ok((head, parsed.tag))
}

impl EncodedRecord {
    /// The binary transfer form of a batch (see the module docs). A token
    /// that is not well formed is `link.bad_token` (the binary form holds
    /// tags, not token text).
    pub fn many_to_bytes(records: &[EncodedRecord]) -> Result<Vec<u8>, Error> {
        let mut table = Table::default();
        let mut body = Vec::with_capacity(records.len().saturating_mul(800));
        let put = |out: &mut Vec<u8>, n: u32| out.extend_from_slice(&n.to_le_bytes());
        for r in records {
            put(&mut body, len_u32(r.id.len())?);
            body.extend_from_slice(r.id.as_bytes());
            put(&mut body, len_u32(r.tokens.len())?);
            put(&mut body, len_u32(r.match_keys.len())?);
            put(&mut body, len_u32(r.clks.len())?);
            for t in r.tokens.iter().chain(&r.match_keys) {
                let (head, tag) = split_token(t)?;
                put(&mut body, table.id(head)?);
                body.extend_from_slice(&tag);
            }
            for (key, clk) in &r.clks {
                put(&mut body, table.id(key)?);
                put(&mut body, len_u32(clk.len())?);
                body.extend_from_slice(clk);
            }
        }
        let strings: usize = table.strings.iter().map(|s| 4 + s.len()).sum();
        let mut out = Vec::with_capacity(HEADER + strings + body.len());
        out.extend_from_slice(&TRANSFER_MAGIC);
        out.extend_from_slice(&TRANSFER_VERSION.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        put(&mut out, len_u32(records.len())?);
        put(&mut out, len_u32(table.strings.len())?);
        for s in &table.strings {
            put(&mut out, len_u32(s.len())?);
            out.extend_from_slice(s.as_bytes());
        }
        out.extend_from_slice(&body);
        Ok(out)
    }

    /// [`EncodedRecord::many_from_json`], saying which element was bad
    /// ([`RowError::row`]: its index in the array), in one pass.
    pub fn many_from_json_rows(json: &str) -> Result<Vec<EncodedRecord>, RowError> {
        crate::rows::rows_from_json(json, crate::rows::record_error)
    }

    /// Reads a buffer written by [`EncodedRecord::many_to_bytes`]. Not a
    /// buffer of this kind: `transfer.not_encoded`; another layout version:
    /// `transfer.version`; truncated, trailing bytes, a bad count, index,
    /// UTF-8 or token head: `transfer.malformed`. Never panics.
    pub fn many_from_bytes(bytes: &[u8]) -> Result<Vec<EncodedRecord>, Error> {
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
        let records = r.count(MIN_RECORD)?;
        let n_strings = r.count(4)?;
        let mut strings = Vec::with_capacity(n_strings);
        for _ in 0..n_strings {
            strings.push(r.string()?);
        }
        // Per string: whether it is a well-formed token head (checked once, when first used).
        let mut heads: Vec<Option<bool>> = vec![None; strings.len()];
        let mut out = Vec::with_capacity(records);
        for _ in 0..records {
            let id = r.string()?.to_owned();
            let n_tokens = r.count(36)?;
            let n_keys = r.count(36)?;
            let n_clks = r.count(8)?;
            let mut tokens = Vec::with_capacity(n_tokens);
            let mut match_keys = Vec::with_capacity(n_keys);
            for k in 0..n_tokens.saturating_add(n_keys) {
                let i = r.u32()? as usize;
                let head = *strings.get(i).ok_or_else(malformed)?;
                let tag = r.take(32)?;
                let token = format!("{head}.{}", base64_url(tag));
                let ok = *heads[i].get_or_insert_with(|| Token::parse(&token).is_some());
                if !ok {
                    return Err(malformed());
                }
                if k < n_tokens {
                    tokens.push(token);
                } else {
                    match_keys.push(token);
                }
            }
            let mut clks = BTreeMap::new();
            for _ in 0..n_clks {
                let key = *strings.get(r.u32()? as usize).ok_or_else(malformed)?;
                let len = r.count(1)?;
                let clk = r.take(len)?.to_vec();
                if clks.insert(key.to_owned(), clk).is_some() {
                    return Err(malformed());
                }
            }
            out.push(EncodedRecord {
                id,
                tokens,
                match_keys,
                clks,
            });
        }
        if r.at != bytes.len() {
            return Err(malformed());
        }
        Ok(out)
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
                if let Ok(records) = EncodedRecord::many_from_bytes(&bytes) {
                    // Whatever parses writes back to an equal batch.
                    let again = EncodedRecord::many_to_bytes(&records).unwrap();
                    prop_assert_eq!(EncodedRecord::many_from_bytes(&again).unwrap(), records);
                }
            }
        }
    }
}
