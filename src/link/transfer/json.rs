//! Encoded records' JSON text written straight into a [`TransferWriter`]:
//! ids, token texts and CLK base64 are borrowed from the text (owned only
//! where the JSON escapes them), tags and CLKs decoded into the buffer, so
//! no [`EncodedRecord`] is built. The records read as
//! `EncodedRecord`'s own JSON form reads them: the same fields, defaults
//! and errors, unknown fields ignored, and a CLK key given twice keeping
//! its last value.

#[cfg(any(doc, test))]
use super::EncodedRecord;
use super::TransferWriter;
use crate::encoding::base64_std_decode_into;
use crate::{Error, RowError};
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use std::borrow::Cow;
use std::cell::Cell;

/// A JSON string, borrowed from the text unless it holds escapes.
struct Text<'a>(Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(v)))
            }
        }
        d.deserialize_string(V)
    }
}

/// A record's `clks` object: `(key, base64)` in key order, the last value
/// of a key given twice (as a map reads it).
#[derive(Default)]
struct ClkTexts<'a>(Vec<(Text<'a>, Text<'a>)>);

impl<'de: 'a, 'a> Deserialize<'de> for ClkTexts<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ClkTexts<'de>;
            fn expecting(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str("a map of CLKs")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ClkTexts<'de>, A::Error> {
                let mut out: Vec<(Text<'de>, Text<'de>)> = Vec::new();
                while let Some(entry) = map.next_entry::<Text<'de>, Text<'de>>()? {
                    out.push(entry);
                }
                // Key order, the last of a key given twice first in its run
                // (a stable sort of the reversed entries), then one per key:
                // O(k log k) however many keys a hostile record holds.
                out.reverse();
                out.sort_by(|x, y| x.0 .0.cmp(&y.0 .0));
                out.dedup_by(|later, kept| later.0 .0 == kept.0 .0);
                Ok(ClkTexts(out))
            }
        }
        d.deserialize_map(V)
    }
}

/// One element of the array, as [`EncodedRecord`]'s
/// derived reader takes it.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct JsonRecord<'a> {
    #[serde(borrow)]
    id: Text<'a>,
    #[serde(default, borrow)]
    tokens: Vec<Text<'a>>,
    #[serde(default, borrow)]
    match_keys: Vec<Text<'a>>,
    #[serde(default, borrow)]
    clks: ClkTexts<'a>,
}

/// Pushes each element as it is read; remembers how many were pushed and
/// the writer's own error (serde's error type carries only text).
struct Rows<'w> {
    writer: &'w mut TransferWriter,
    done: &'w Cell<usize>,
    failed: &'w Cell<Option<Error>>,
}

impl<'de> Visitor<'de> for Rows<'_> {
    type Value = ();

    fn expecting(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("an array of encoded records")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(r) = seq.next_element::<JsonRecord<'de>>()? {
            let texts: Vec<&str> = r
                .tokens
                .iter()
                .chain(&r.match_keys)
                .map(|t| &*t.0)
                .collect();
            let clks: Vec<(&str, &str)> = r.clks.0.iter().map(|(k, v)| (&*k.0, &*v.0)).collect();
            let pushed = self
                .writer
                .record(&r.id.0, &texts, r.tokens.len(), &clks, |b64, out| {
                    base64_std_decode_into(b64, out)
                });
            if let Err(e) = pushed {
                self.failed.set(Some(e));
                return Err(de::Error::custom("record"));
            }
            self.done.set(self.done.get() + 1);
        }
        Ok(())
    }
}

impl TransferWriter {
    /// Appends the records of a JSON array in [`EncodedRecord`]'s JSON form,
    /// returning how many. On failure the error
    /// names the element ([`RowError::row`], its index in this array) and
    /// carries the code [`EncodedRecord::many_from_json_rows`] would give:
    /// `record.invalid`, `link.bad_base64`, or `link.bad_token` for a token
    /// that is not well formed (which the owned form finds only when linking);
    /// the records before it stay pushed.
    pub fn push_json_rows(&mut self, json: &str) -> Result<usize, RowError> {
        let done = Cell::new(0);
        let failed = Cell::new(None);
        let mut de = serde_json::Deserializer::from_str(json);
        let rows = Rows {
            writer: self,
            done: &done,
            failed: &failed,
        };
        de.deserialize_seq(rows)
            .and_then(|()| de.end())
            .map_err(|e| RowError {
                row: done.get(),
                error: failed
                    .take()
                    .unwrap_or_else(|| crate::rows::record_error(&e)),
            })?;
        Ok(done.get())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encoding::{base64_std, base64_url};
    use crate::ErrorCode;

    fn tok(subject: &str, byte: u8) -> String {
        format!("pl1.{subject}.k1.{}", base64_url(&[byte; 32]))
    }

    /// What the owned path writes for the same text.
    fn owned_bytes(json: &str) -> Result<Vec<u8>, RowError> {
        let records = EncodedRecord::many_from_json_rows(json)?;
        EncodedRecord::many_to_bytes(&records).map_err(|error| RowError { row: 0, error })
    }

    fn written(json: &str) -> Result<Vec<u8>, RowError> {
        let mut w = TransferWriter::new();
        w.push_json_rows(json)?;
        w.finish().map_err(|error| RowError { row: 0, error })
    }

    fn sample_json() -> String {
        let clk = |b: u8, n: usize| base64_std(&vec![b; n]);
        let (e1, p2, m3, e9) = (
            tok("email", 1),
            tok("phone", 2),
            tok("mk-nameDob", 3),
            tok("email", 9),
        );
        let po = format!("po1.email.v1.{}", base64_url(&[7; 32]));
        let (rec, first, z, a) = (clk(0xA5, 128), clk(1, 3), clk(4, 2), clk(5, 7));
        // The second record: an escaped id (owned text), keys out of order, a
        // key given twice (the last kept, the first not even decoded), an
        // unknown field.
        format!(
            r#"[{{"id":"a-1","tokens":["{e1}","{p2}"],"matchKeys":["{m3}"],"clks":{{"record":"{rec}","firstName":"{first}"}}}},
            {{"id":"\u00fc2\"","tokens":["{e9}","{po}"],"note":{{"any":[1,2]}},"clks":{{"z":"{z}","a":"not base64!","a":"{a}"}}}},
            {{"id":""}}]"#
        )
    }

    #[test]
    fn writes_the_bytes_the_owned_records_write() {
        let json = sample_json();
        assert!(
            json.contains(r#"\u00fc2\""#),
            "the id is escaped in the text"
        );
        let bytes = written(&json).unwrap();
        assert_eq!(bytes, owned_bytes(&json).unwrap());
        let back = EncodedRecord::many_from_bytes(&bytes).unwrap();
        assert_eq!(back, EncodedRecord::many_from_json(&json).unwrap());
        assert_eq!(back[1].clks["a"], vec![5; 7]);
        // Two arrays into one writer: one batch, heads interned once.
        let mut w = TransferWriter::new();
        assert_eq!(w.push_json_rows(&json).unwrap(), 3);
        assert_eq!(w.push_json_rows(&json).unwrap(), 3);
        assert_eq!(w.len(), 6);
        let twice = w.finish().unwrap();
        let doubled: Vec<EncodedRecord> = back.iter().chain(&back).cloned().collect();
        assert_eq!(twice, EncodedRecord::many_to_bytes(&doubled).unwrap());
        assert_eq!(
            written("[]").unwrap(),
            EncodedRecord::many_to_bytes(&[]).unwrap()
        );
    }

    #[test]
    fn names_the_bad_element_with_its_code() {
        let good = format!("{{\"id\":\"g\",\"tokens\":[\"{}\"]}}", tok("email", 1));
        let err = |json: &str| {
            let e = written(json).unwrap_err();
            (e.row, e.error.code())
        };
        let at2 = |bad: &str| err(&format!("[{good},{good},{bad},{good}]"));
        assert_eq!(at2("{\"tokens\":[]}"), (2, ErrorCode::RecordInvalid));
        assert_eq!(at2("{\"id\":7}"), (2, ErrorCode::RecordInvalid));
        assert_eq!(
            at2("{\"id\":\"x\",\"tokens\":null}"),
            (2, ErrorCode::RecordInvalid)
        );
        assert_eq!(
            at2("{\"id\":\"x\",\"clks\":{\"r\":\"not base64!\"}}"),
            (2, ErrorCode::LinkBadBase64)
        );
        assert_eq!(
            at2("{\"id\":\"x\",\"clks\":{\"r\":\"QQ\"}}"),
            (2, ErrorCode::LinkBadBase64)
        );
        for bad in [
            "not a token",
            "pl1.email.k1",
            "pl9.email.k1.AAAA",
            "pl1.e mail.k1.x",
        ] {
            assert_eq!(
                at2(&format!("{{\"id\":\"x\",\"tokens\":[\"{bad}\"]}}")),
                (2, ErrorCode::LinkBadToken),
                "{bad}"
            );
        }
        let short_tag = format!("pl1.email.k1.{}", &base64_url(&[1; 32])[..42]);
        assert_eq!(
            at2(&format!("{{\"id\":\"x\",\"matchKeys\":[\"{short_tag}\"]}}")),
            (2, ErrorCode::LinkBadToken)
        );
        assert_eq!(err("{}"), (0, ErrorCode::RecordInvalid));
        assert_eq!(err(&format!("[{good}] [")), (1, ErrorCode::RecordInvalid));
        assert_eq!(
            err(&format!("[{good},{good}")),
            (2, ErrorCode::RecordInvalid)
        );
        // The same codes and rows as the owned reader where it finds them.
        for bad in ["{\"tokens\":[]}", "{\"id\":\"x\",\"clks\":{\"r\":\"QQ\"}}"] {
            let text = format!("[{good},{good},{bad},{good}]");
            let owned = EncodedRecord::many_from_json_rows(&text).unwrap_err();
            assert_eq!(err(&text), (owned.row, owned.error.code()));
        }
    }

    #[test]
    fn a_failed_record_leaves_no_partial_record() {
        let mut w = TransferWriter::new();
        let good = format!("[{{\"id\":\"g\",\"tokens\":[\"{}\"]}}]", tok("email", 1));
        w.push_json_rows(&good).unwrap();
        let bad = format!(
            "[{{\"id\":\"b\",\"tokens\":[\"{}\"],\"clks\":{{\"r\":\"QQ\"}}}}]",
            tok("phone", 2)
        );
        assert_eq!(w.push_json_rows(&bad).unwrap_err().row, 0);
        assert_eq!(w.len(), 1);
        let back = EncodedRecord::many_from_bytes(&w.finish().unwrap()).unwrap();
        assert_eq!(back, EncodedRecord::many_from_json(&good).unwrap());
    }

    #[cfg(not(target_arch = "wasm32"))]
    mod against_the_owned_reader {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            /// Mutated texts: the writer accepts exactly what the owned
            /// reader and writer accept, writes the same bytes, and when
            /// both refuse names no later element than the owned reader.
            #[test]
            fn agrees_with_the_owned_reader(
                edits in proptest::collection::vec((any::<usize>(), proptest::sample::select(
                    vec![b'"', b'{', b'}', b'[', b']', b',', b':', b'.', b'=', b'A', b'\\', b' ', b'x', b'0'])), 0..4),
            ) {
                let mut text = sample_json().into_bytes();
                for (at, b) in edits {
                    let i = at % text.len();
                    text[i] = b;
                }
                let Ok(text) = String::from_utf8(text) else { return Ok(()); };
                match (written(&text), owned_bytes(&text)) {
                    (Ok(w), Ok(o)) => prop_assert_eq!(w, o),
                    (Err(w), Err(o)) => prop_assert!(w.row <= o.row || o.error.code() == ErrorCode::LinkBadToken),
                    (w, o) => prop_assert!(false, "writer {:?} vs owned {:?}", w.map(|_| ()), o.map(|_| ())),
                }
            }
        }
    }
}
