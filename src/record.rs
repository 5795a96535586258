//! A customer record: raw values keyed by [`Field`], as typed or uploaded.

use crate::field::Field;
use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

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
