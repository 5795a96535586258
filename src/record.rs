//! A customer record: raw values keyed by [`Field`], as typed or uploaded.

use crate::error::{Error, ErrorCode, Subject};
use crate::field::Field;
use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::borrow::Cow;

/// One raw value as received. Values of the wrong type (numbers, objects from
/// JS) are kept as a marker so they surface as a per-field `value.wrong_type`
/// error instead of failing the whole record.
#[derive(Clone, PartialEq, Eq)]
enum RawValue {
    Text(String),
    WrongType,
}

/// Raw identifying values of one customer, by field.
///
/// Deserialises from an object with camelCase field names (`firstName`,
/// `postalCode`, ...). Keys that are not fields (order data, say) are ignored;
/// `null`/`undefined` mean absent. `Debug` prints which fields are present,
/// never their values.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Record {
    values: [Option<RawValue>; Field::ALL.len()],
}

impl Record {
    /// An empty record.
    pub fn new() -> Self {
        Record::default()
    }

    /// Builder form of [`Record::set`].
    pub fn with(mut self, field: Field, value: impl Into<String>) -> Self {
        self.set(field, value);
        self
    }

    /// Sets a field's raw value.
    pub fn set(&mut self, field: Field, value: impl Into<String>) {
        if let Some(slot) = self.values.get_mut(field.index()) {
            *slot = Some(RawValue::Text(value.into()));
        }
    }

    /// Marks a field as present with a value that is not text (a number,
    /// say, from a binding's dict or column): reading it gives the field's
    /// `value.wrong_type` error, in the field's place among the others.
    pub fn set_wrong_type(&mut self, field: Field) {
        if let Some(slot) = self.values.get_mut(field.index()) {
            *slot = Some(RawValue::WrongType);
        }
    }

    /// The field's raw value: `None` if absent, `Some(Err(()))` if it was not a string.
    pub fn get(&self, field: Field) -> Option<Result<&str, WrongType>> {
        match self.values.get(field.index())? {
            Some(RawValue::Text(s)) => Some(Ok(s.as_str())),
            Some(RawValue::WrongType) => Some(Err(WrongType)),
            None => None,
        }
    }

    /// Fields that have a value (of any type), in wire order.
    pub fn fields(&self) -> impl Iterator<Item = Field> + '_ {
        Field::ALL
            .into_iter()
            .filter(|f| matches!(self.values.get(f.index()), Some(Some(_))))
    }
}

impl Record {
    /// Parses one record from JSON text (an object of fields).
    pub fn from_json(text: &str) -> Result<Record, Error> {
        serde_json::from_str(&repair_lone_surrogates(text)).map_err(|_| invalid())
    }

    /// Parses an array of records from JSON text, the form the JS batch API
    /// hands over in one piece.
    pub fn batch_from_json(text: &str) -> Result<Vec<Record>, Error> {
        serde_json::from_str(&repair_lone_surrogates(text)).map_err(|_| invalid())
    }
}

fn invalid() -> Error {
    Error::new(Subject::Record, ErrorCode::RecordInvalid)
}

/// JavaScript strings may hold unpaired UTF-16 surrogates, which
/// `JSON.stringify` writes as `\udXXX` escapes and a strict JSON parser
/// rejects. Each one becomes `\ufffd` (U+FFFD), as wasm-bindgen's own string
/// conversion does, so one odd value costs that value, not the batch.
pub(crate) fn repair_lone_surrogates(text: &str) -> Cow<'_, str> {
    let bytes = text.as_bytes();
    let surrogate_at = |i: usize| -> Option<u16> {
        let hex = bytes.get(i..i + 6)?;
        if hex.first() != Some(&b'\\') || hex.get(1) != Some(&b'u') {
            return None;
        }
        let v = u16::from_str_radix(core::str::from_utf8(hex.get(2..6)?).ok()?, 16).ok()?;
        (0xD800..=0xDFFF).contains(&v).then_some(v)
    };
    let mut out: Option<String> = None;
    let (mut i, mut copied) = (0, 0);
    while let Some(&b) = bytes.get(i) {
        if b != b'\\' {
            i += 1;
            continue;
        }
        match surrogate_at(i) {
            Some(0xD800..=0xDBFF) if surrogate_at(i + 6).is_some_and(|lo| lo >= 0xDC00) => i += 12,
            Some(_) => {
                let o = out.get_or_insert_with(|| String::with_capacity(text.len()));
                o.push_str(text.get(copied..i).unwrap_or_default());
                o.push_str("\\ufffd");
                i += 6;
                copied = i;
            }
            // Any other escape: skip the backslash and the escaped character,
            // so an escaped backslash never starts a false match.
            None => i += 2,
        }
    }
    match out {
        None => Cow::Borrowed(text),
        Some(mut o) => {
            o.push_str(text.get(copied..).unwrap_or_default());
            Cow::Owned(o)
        }
    }
}

/// Marker: the record held a non-string value for a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WrongType;

impl core::fmt::Debug for Record {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Record")
            .field(
                "fields",
                &self.fields().map(Field::name).collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}

impl<'de> Deserialize<'de> for RawValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawValue;
            fn expecting(&self, f: &mut core::fmt::Formatter) -> core::fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawValue, E> {
                Ok(RawValue::Text(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<RawValue, E> {
                Ok(RawValue::Text(v))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<RawValue, E> {
                Ok(RawValue::WrongType)
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<RawValue, E> {
                Ok(RawValue::WrongType)
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<RawValue, E> {
                Ok(RawValue::WrongType)
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<RawValue, E> {
                Ok(RawValue::WrongType)
            }
            fn visit_bytes<E: de::Error>(self, _: &[u8]) -> Result<RawValue, E> {
                Ok(RawValue::WrongType)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<RawValue, A::Error> {
                while a.next_element::<IgnoredAny>()?.is_some() {}
                Ok(RawValue::WrongType)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<RawValue, A::Error> {
                while a.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(RawValue::WrongType)
            }
        }
        d.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for Record {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Record;
            fn expecting(&self, f: &mut core::fmt::Formatter) -> core::fmt::Result {
                f.write_str("an object of string fields")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Record, A::Error> {
                let mut r = Record::new();
                while let Some(key) = a.next_key::<std::borrow::Cow<'de, str>>()? {
                    match Field::from_name(&key) {
                        Some(field) => {
                            let v: Option<RawValue> = a.next_value()?;
                            if let Some(slot) = r.values.get_mut(field.index()) {
                                *slot = v;
                            }
                        }
                        None => {
                            a.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(r)
            }
        }
        d.deserialize_map(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lone_surrogate_escapes_become_replacement_characters() {
        let r =
            Record::from_json(r#"{"email":"ja\ud800ne@x.co","city":"\ud83d\ude00 ok"}"#).unwrap();
        assert_eq!(r.get(Field::Email), Some(Ok("ja\u{fffd}ne@x.co")));
        assert_eq!(r.get(Field::City), Some(Ok("\u{1F600} ok")));
        // An escaped backslash followed by "ud800" is text, not an escape.
        let r = Record::from_json(r#"{"city":"a\\ud800"}"#).unwrap();
        assert_eq!(r.get(Field::City), Some(Ok("a\\ud800")));
        let r = Record::from_json(r#"{"city":"\udc00\ud800"}"#).unwrap();
        assert_eq!(r.get(Field::City), Some(Ok("\u{fffd}\u{fffd}")));
        assert_eq!(Record::batch_from_json("[{},{}]").unwrap().len(), 2);
        assert_eq!(
            Record::from_json("[").unwrap_err().code(),
            ErrorCode::RecordInvalid
        );
    }

    #[test]
    fn record_from_json_tolerates_extra_keys_and_flags_wrong_types() {
        let r: Record = serde_json::from_str(
            r#"{"email":"a@b.co","phone":4155550100,"orderTotal":12.5,"firstName":null,"city":{"x":1}}"#,
        )
        .unwrap();
        assert_eq!(r.get(Field::Email), Some(Ok("a@b.co")));
        assert_eq!(r.get(Field::Phone), Some(Err(WrongType)));
        assert_eq!(r.get(Field::FirstName), None);
        assert_eq!(r.get(Field::City), Some(Err(WrongType)));
        assert!(!format!("{r:?}").contains("a@b.co"));
    }
}
