//! The closed upload schema: what a chunk may hold, checked before anything
//! is stored.
//!
//! ```json
//! {"records": [{"tokens": ["po1.email.<version>.<43 b64url>", …],
//!               "matchKeys": ["po1.mk-nameDob.<version>.<43 b64url>", …],
//!               "clks": {"firstName": "<standard base64>", …, "record": "…"}}]}
//! ```
//!
//! Unknown fields are refused at every level; records carry no id (a record's
//! row is its position in the committed upload, so no free text travels).
//! Every token is an oblivious `po1` token of one of the project's subjects
//! (field tokens in `tokens`, `mk-*` in `matchKeys`) under one of its key
//! versions, at most one per subject and version; every CLK is one of the
//! project's keys, canonical standard base64 of exactly `clk.bytes` bytes.
//! So a record is at most one guess per field: a raw value, a keyed `pl1`
//! token or a second e-mail in the same record has nowhere to go.
//!
//! A refusal names the rule and the record's index in the chunk, never the
//! value (serde's own messages may quote input and are never shown).

use std::collections::BTreeMap;

use pseudolink::link::EncodedRecord;
use pseudolink::Token;
use serde::{Deserialize, Serialize};

use super::config::Project;

/// The oblivious token format (see `pseudolink::oblivious`).
const OBLIVIOUS: &str = "po1";

/// Why a chunk was refused: a stable code and, for one bad record, its index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Invalid {
    pub code: &'static str,
    pub index: Option<usize>,
}

impl Invalid {
    fn at(code: &'static str, index: usize) -> Invalid {
        Invalid {
            code,
            index: Some(index),
        }
    }

    fn whole(code: &'static str) -> Invalid {
        Invalid { code, index: None }
    }

    /// English for the code; never request content.
    pub fn message(&self) -> &'static str {
        match self.code {
            "request.invalid_json" => "the body is not JSON",
            "request.unknown_field" => "the body has a field other than records",
            "request.invalid_shape" => "the body is not a chunk: {\"records\": [...]}",
            "chunk.empty" => "a chunk needs at least one record",
            "chunk.too_many_records" => "the chunk has more records than the project allows",
            "record.unknown_field" => "a record has a field other than tokens, matchKeys and clks",
            "record.invalid" => "a record is not {\"tokens\": [...], \"matchKeys\": [...], \"clks\": {...}} of strings",
            "token.invalid" => "a token is not po1.<subject>.<keyVersion>.<43 base64url characters>",
            "token.subject_not_allowed" => "a token's subject is not one of the project's (field tokens in tokens, mk-* in matchKeys)",
            "token.key_version" => "a token's key version is not one of the project's",
            "token.duplicate" => "a record has two tokens of the same subject and key version",
            "clk.unknown_key" => "a CLK's key is not one of the project's",
            "clk.invalid_base64" => "a CLK is not canonical standard base64",
            "clk.invalid_length" => "a CLK does not have the project's length",
            _ => "the chunk is not valid",
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ChunkIn {
    records: Vec<serde_json::Value>,
}

/// One record, as accepted and as stored (sealed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Record {
    #[serde(default)]
    pub tokens: Vec<String>,
    #[serde(default)]
    pub match_keys: Vec<String>,
    #[serde(default)]
    pub clks: BTreeMap<String, String>,
}

impl Record {
    /// The linker's input for this record at `row`.
    pub fn into_encoded(self, row: usize) -> Option<EncodedRecord> {
        let mut clks = BTreeMap::new();
        for (k, v) in self.clks {
            clks.insert(k, decode_std_canonical(&v)?);
        }
        Some(EncodedRecord {
            id: row.to_string(),
            tokens: self.tokens,
            match_keys: self.match_keys,
            clks,
        })
    }
}

/// Parses and checks a chunk body against `project`'s rules.
pub fn parse_chunk(
    body: &[u8],
    project: &Project,
    max_records: usize,
) -> Result<Vec<Record>, Invalid> {
    let value: serde_json::Value =
        serde_json::from_slice(body).map_err(|_| Invalid::whole("request.invalid_json"))?;
    let chunk: ChunkIn = serde_json::from_value(value).map_err(|e| {
        if is_unknown_field(&e) {
            Invalid::whole("request.unknown_field")
        } else {
            Invalid::whole("request.invalid_shape")
        }
    })?;
    if chunk.records.is_empty() {
        return Err(Invalid::whole("chunk.empty"));
    }
    if chunk.records.len() > max_records {
        return Err(Invalid::whole("chunk.too_many_records"));
    }
    let mut out = Vec::with_capacity(chunk.records.len());
    for (i, v) in chunk.records.into_iter().enumerate() {
        let r: Record = serde_json::from_value(v).map_err(|e| {
            if is_unknown_field(&e) {
                Invalid::at("record.unknown_field", i)
            } else {
                Invalid::at("record.invalid", i)
            }
        })?;
        check_record(&r, project).map_err(|code| Invalid::at(code, i))?;
        out.push(r);
    }
    Ok(out)
}

/// serde's message is inspected, never shown: it quotes the field's name.
fn is_unknown_field(e: &serde_json::Error) -> bool {
    e.to_string().starts_with("unknown field")
}

fn check_record(r: &Record, project: &Project) -> Result<(), &'static str> {
    let mut seen: Vec<(&str, &str)> = Vec::with_capacity(r.tokens.len() + r.match_keys.len());
    for (list, match_key) in [(&r.tokens, false), (&r.match_keys, true)] {
        for text in list {
            let t = Token::parse(text).filter(|t| t.version == OBLIVIOUS);
            let Some(t) = t else {
                return Err("token.invalid");
            };
            if t.subject.starts_with("mk-") != match_key
                || !project.token_subjects.iter().any(|s| s == t.subject)
            {
                return Err("token.subject_not_allowed");
            }
            if !project.token_key_versions.iter().any(|v| v == t.key_id) {
                return Err("token.key_version");
            }
            if seen.contains(&(t.subject, t.key_id)) {
                return Err("token.duplicate");
            }
            seen.push((t.subject, t.key_id));
        }
    }
    for (key, value) in &r.clks {
        if !project.clk.keys.iter().any(|k| k == key) {
            return Err("clk.unknown_key");
        }
        let Some(bytes) = decode_std_canonical(value) else {
            return Err("clk.invalid_base64");
        };
        if bytes.len() != project.clk.bytes {
            return Err("clk.invalid_length");
        }
    }
    Ok(())
}

/// Standard padded base64 (RFC 4648 §4) in its one canonical spelling:
/// `None` for anything else (whitespace, URL alphabet, missing padding,
/// non-zero pad bits).
pub fn decode_std_canonical(s: &str) -> Option<Vec<u8>> {
    let b = s.as_bytes();
    if !b.len().is_multiple_of(4) {
        return None;
    }
    let pad = b.iter().rev().take_while(|&&c| c == b'=').count();
    if pad > 2 {
        return None;
    }
    let mut out = Vec::with_capacity(b.len() / 4 * 3);
    let mut acc: u32 = 0;
    let mut bits = 0;
    for &c in &b[..b.len() - pad] {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    // Leftover bits must be zero and the padding must be exactly what the
    // length needs: re-encoding must give the same text.
    (pseudolink::base64_std(&out) == s).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_base64_only() {
        for bytes in [&b""[..], b"f", b"fo", b"foo", &[0xfb, 0xff, 0x00, 0x10]] {
            let s = pseudolink::base64_std(bytes);
            assert_eq!(decode_std_canonical(&s).as_deref(), Some(bytes), "{s}");
        }
        for bad in [
            "Zg=", "Zg", "Zh==", "Zg==\n", "-_8=", "Z===", "Zm9v ", "Z g=",
        ] {
            assert_eq!(decode_std_canonical(bad), None, "{bad}");
        }
    }
}
