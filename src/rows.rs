//! JSON arrays parsed in one pass that still say which element was bad: the
//! batch APIs (and the JS bindings over them) report a row index without
//! parsing each element again.

use crate::{Error, ErrorCode, RowError, Subject};
use serde::de::{DeserializeOwned, DeserializeSeed, Deserializer, SeqAccess, Visitor};
use std::cell::Cell;
use std::marker::PhantomData;

struct Rows<'c, T> {
    done: &'c Cell<usize>,
    rows: PhantomData<T>,
}

impl<'de, T: DeserializeOwned> DeserializeSeed<'de> for Rows<'_, T> {
    type Value = Vec<T>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Vec<T>, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de, T: DeserializeOwned> Visitor<'de> for Rows<'_, T> {
    type Value = Vec<T>;

    fn expecting(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("an array")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        while let Some(row) = seq.next_element::<T>()? {
            out.push(row);
            self.done.set(out.len());
        }
        Ok(out)
    }
}

/// Parses a JSON array of `T`; on failure the index of the element being
/// read (0 when the text is not an array) and `error` of serde's error
/// (which may quote input: only a code may come out of it).
pub(crate) fn rows_from_json<T: DeserializeOwned>(
    text: &str,
    error: impl Fn(&serde_json::Error) -> Error,
) -> Result<Vec<T>, RowError> {
    let done = Cell::new(0);
    let mut de = serde_json::Deserializer::from_str(text);
    let rows = Rows {
        done: &done,
        rows: PhantomData,
    };
    rows.deserialize(&mut de)
        .and_then(|v| de.end().map(|()| v))
        .map_err(|e| RowError {
            row: done.get(),
            error: error(&e),
        })
}

/// The error of a record batch's serde failure: `link.bad_base64` for a CLK
/// that is not base64 (the code our deserialiser raises), else `record.invalid`.
pub(crate) fn record_error(e: &serde_json::Error) -> Error {
    let code = if e.to_string().starts_with("link.bad_base64") {
        ErrorCode::LinkBadBase64
    } else {
        ErrorCode::RecordInvalid
    };
    Error::new(Subject::Record, code)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bad(_: &serde_json::Error) -> Error {
        Error::new(Subject::Record, ErrorCode::RecordInvalid)
    }

    #[test]
    fn reports_the_bad_row() {
        let ok: Vec<u32> = rows_from_json("[1, 2, 3]", bad).unwrap();
        assert_eq!(ok, [1, 2, 3]);
        let row = |t: &str| rows_from_json::<u32>(t, bad).unwrap_err().row;
        assert_eq!(row("[1, 2, \"x\", 4]"), 2);
        assert_eq!(row("[\"x\"]"), 0);
        assert_eq!(row("{}"), 0);
        assert_eq!(row("[1, 2"), 2);
        assert_eq!(row("[1] 2"), 1);
    }
}
