//! Identity definitions: which fields make up a customer's identity and which
//! composite match keys to derive, as a versioned JSON document.
//!
//! ```json
//! {
//!   "version": 1,
//!   "fields": ["email", "phone", "firstName", "lastName", "dateOfBirth", "postalCode"],
//!   "matchKeys": [
//!     {"name": "nameDob", "parts": [{"field": "lastName"}, {"field": "firstName", "take": "initial"}, {"field": "dateOfBirth"}]},
//!     {"name": "addressName", "parts": [{"field": "postalCode"}, {"field": "street", "take": "streetNumber"}, {"field": "lastName"}]}
//!   ],
//!   "defaultRegion": "US"
//! }
//! ```
//!
//! Version 2 adds order-free match keys (`"unordered": true`): the parts'
//! pieces are sorted before hashing, so `{"name": "names", "unordered": true,
//! "parts": [{"field": "firstName"}, {"field": "lastName"}]}` gives "John
//! Smith" and a record that swapped the two ("Smith John") the same token.
//! Every version 1 document is a valid version 2 document with the same
//! tokens; `unordered` needs `"version": 2`, so software that reads only
//! version 1 refuses such a definition instead of making other tokens.

use crate::error::{Error, ErrorCode, Subject};
use crate::field::Field;
use crate::normalize::{Country, DateOrder};
use crate::token::is_id_byte;
use serde::{Deserialize, Serialize};

/// The newest definition format version (2: order-free match keys,
/// [`MatchKey::unordered`]). Version 1 documents parse and tokenise as before.
pub const DEFINITION_VERSION: u32 = 2;
/// The oldest definition format version still read.
pub const DEFINITION_VERSION_MIN: u32 = 1;
/// Longest match key name (it is carried inside tokens).
pub const MAX_MATCH_KEY_NAME: usize = 32;

/// Which fields identify a customer and which match keys to derive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct IdentityDefinition {
    /// Format version: 1 or 2 ([`DEFINITION_VERSION_MIN`]..=[`DEFINITION_VERSION`]).
    pub version: u32,
    /// Fields that each get their own token.
    pub fields: Vec<Field>,
    /// Composite keys, each tokenised as one value.
    #[serde(default)]
    pub match_keys: Vec<MatchKey>,
    /// Region for national phone numbers and for postal codes/states when a
    /// record has no country (ISO alpha-2). With no `dateOrder`, it also says
    /// how to read a date of birth like `05/02/1984` whose day and month could
    /// be swapped: in the region's usual order (Unicode CLDR short date
    /// patterns, see [`DateOrder::of_region`]): month first in `US` (and `PH`,
    /// `PR`, `GU`, `VI`, …), day first in most regions. The record's own
    /// country, when it has a valid one, takes the place of this default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_region: Option<String>,
    /// Day/month order for separated dates of birth. When set it always wins,
    /// over the region and over the date itself (`2/16/1997` under `dmy` is
    /// `date.impossible`). When not set, a date with only one valid reading
    /// (`2/16/1997`, `31-12-1990`) is taken in that reading, a date with two is
    /// read in the region's order, and with no region it is `date.ambiguous`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_order: Option<DateOrder>,
}

/// A composite match key such as `lastName + first initial + dateOfBirth`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MatchKey {
    /// Name, `[A-Za-z0-9_-]{1,32}`; appears in the token as `mk-<name>`.
    pub name: String,
    /// At least two parts, in order.
    pub parts: Vec<MatchKeyPart>,
    /// Version 2: the parts' pieces are sorted (bytewise) before hashing, so
    /// the key does not depend on which part held which value: first and
    /// last name swapped give the same token. Omitted or `false`: in order,
    /// as in version 1.
    #[serde(default, skip_serializing_if = "is_false")]
    pub unordered: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// One part of a match key: a field's normalised value, or a piece of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MatchKeyPart {
    /// The field.
    pub field: Field,
    /// Which piece of the normalised value to use (default: all of it).
    #[serde(default)]
    pub take: Take,
}

/// The piece of a normalised value a match key part uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Take {
    /// The whole normalised value.
    #[default]
    Full,
    /// The first character (e.g. first initial).
    Initial,
    /// The first `n` characters (e.g. a postcode's outward part).
    Prefix(u8),
    /// The leading house number of a street address.
    StreetNumber,
    /// The year (first four characters) of a date of birth.
    Year,
}

impl Take {
    /// Applies the take to a normalised value; `None` when the piece does not
    /// exist (no house number, say), so the match key is skipped.
    pub fn apply(self, value: &str) -> Option<&str> {
        let prefix_chars = |n: usize| -> Option<&str> {
            let end = value.char_indices().nth(n).map_or(value.len(), |(i, _)| i);
            value.get(..end).filter(|s| !s.is_empty())
        };
        match self {
            Take::Full => Some(value).filter(|s| !s.is_empty()),
            Take::Initial => prefix_chars(1),
            Take::Prefix(n) => prefix_chars(usize::from(n)),
            Take::Year => prefix_chars(4).filter(|y| y.len() == 4),
            Take::StreetNumber => {
                let end = value
                    .find(|c: char| !c.is_ascii_digit())
                    .unwrap_or(value.len());
                value.get(..end).filter(|s| !s.is_empty())
            }
        }
    }
}

impl IdentityDefinition {
    /// Parses and validates a JSON definition.
    pub fn from_json(json: &str) -> Result<Self, Error> {
        let def: IdentityDefinition = serde_json::from_str(json).map_err(|_| invalid())?;
        def.validate()?;
        Ok(def)
    }

    /// Checks the rules serde cannot: version, names, duplicates, sizes.
    pub fn validate(&self) -> Result<(), Error> {
        if !(DEFINITION_VERSION_MIN..=DEFINITION_VERSION).contains(&self.version)
            || self.fields.is_empty()
        {
            return Err(invalid());
        }
        let mut seen = Vec::with_capacity(self.fields.len());
        for f in &self.fields {
            if seen.contains(f) {
                return Err(invalid());
            }
            seen.push(*f);
        }
        if self.default_region().is_err() {
            return Err(invalid());
        }
        let mut names: Vec<&str> = Vec::new();
        for mk in &self.match_keys {
            let name_ok = !mk.name.is_empty()
                && mk.name.len() <= MAX_MATCH_KEY_NAME
                && mk.name.bytes().all(is_id_byte);
            let take_ok = mk.parts.iter().all(|p| match p.take {
                Take::Prefix(n) => n > 0,
                Take::StreetNumber => p.field == Field::Street,
                Take::Year => p.field == Field::DateOfBirth,
                _ => true,
            });
            let unordered_ok = !mk.unordered || self.version >= 2;
            if !name_ok
                || names.contains(&mk.name.as_str())
                || mk.parts.len() < 2
                || !take_ok
                || !unordered_ok
            {
                return Err(Error::new(
                    Subject::Definition,
                    ErrorCode::DefinitionInvalidMatchKey,
                ));
            }
            names.push(&mk.name);
        }
        Ok(())
    }

    /// The default region, parsed.
    pub fn default_region(&self) -> Result<Option<Country>, Error> {
        match &self.default_region {
            None => Ok(None),
            Some(r) => Country::parse(r).map(Some).ok_or_else(invalid),
        }
    }

    /// Every field the definition needs normalised: its own fields plus the
    /// fields match keys use, each once, in wire order.
    pub fn needed_fields(&self) -> Vec<Field> {
        Field::ALL
            .into_iter()
            .filter(|f| {
                self.fields.contains(f)
                    || self
                        .match_keys
                        .iter()
                        .any(|mk| mk.parts.iter().any(|p| p.field == *f))
            })
            .collect()
    }
}

fn invalid() -> Error {
    Error::new(Subject::Definition, ErrorCode::DefinitionInvalid)
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXAMPLE: &str = r#"{
      "version": 1,
      "fields": ["email", "phone", "firstName", "lastName", "dateOfBirth", "postalCode"],
      "matchKeys": [
        {"name": "nameDob", "parts": [{"field": "lastName"}, {"field": "firstName", "take": "initial"}, {"field": "dateOfBirth"}]},
        {"name": "addressName", "parts": [{"field": "postalCode"}, {"field": "street", "take": "streetNumber"}, {"field": "lastName"}]},
        {"name": "zip3", "parts": [{"field": "postalCode", "take": {"prefix": 3}}, {"field": "dateOfBirth", "take": "year"}]}
      ],
      "defaultRegion": "US"
    }"#;

    #[test]
    fn definition_example_parses() {
        let d = IdentityDefinition::from_json(EXAMPLE).unwrap();
        assert_eq!(d.match_keys.len(), 3);
        assert_eq!(d.match_keys[2].parts[0].take, Take::Prefix(3));
        assert!(d.needed_fields().contains(&Field::Street));
        let back = serde_json::to_string(&d).unwrap();
        assert_eq!(IdentityDefinition::from_json(&back).unwrap(), d);
    }

    #[test]
    fn definition_rejects_bad_documents() {
        for bad in [
            "not json",
            r#"{"version": 3, "fields": ["email"]}"#,
            r#"{"version": 1, "fields": []}"#,
            r#"{"version": 1, "fields": ["email", "email"]}"#,
            r#"{"version": 1, "fields": ["emial"]}"#,
            r#"{"version": 1, "fields": ["email"], "extra": 1}"#,
        ] {
            let e = IdentityDefinition::from_json(bad).unwrap_err();
            assert_eq!(e.code(), ErrorCode::DefinitionInvalid, "{bad}");
        }
        for bad in [
            r#"{"version": 1, "fields": ["email"], "matchKeys": [{"name": "a.b", "parts": [{"field": "email"}, {"field": "phone"}]}]}"#,
            r#"{"version": 1, "fields": ["email"], "matchKeys": [{"name": "one", "parts": [{"field": "email"}]}]}"#,
            r#"{"version": 1, "fields": ["email"], "matchKeys": [{"name": "y", "parts": [{"field": "email", "take": "year"}, {"field": "phone"}]}]}"#,
        ] {
            let e = IdentityDefinition::from_json(bad).unwrap_err();
            assert_eq!(e.code(), ErrorCode::DefinitionInvalidMatchKey, "{bad}");
        }
    }

    #[test]
    fn version_2_adds_unordered_match_keys_and_version_1_reads_as_before() {
        let names = r#"{"name": "names", "unordered": true, "parts": [{"field": "firstName"}, {"field": "lastName"}]}"#;
        let v2 = format!(r#"{{"version": 2, "fields": ["email"], "matchKeys": [{names}]}}"#);
        let d = IdentityDefinition::from_json(&v2).unwrap();
        assert!(d.match_keys[0].unordered);
        assert_eq!(
            IdentityDefinition::from_json(&serde_json::to_string(&d).unwrap()).unwrap(),
            d
        );
        // Version 1 has no order-free keys: refused, not silently ordered.
        let v1 = v2.replace(r#""version": 2"#, r#""version": 1"#);
        let e = IdentityDefinition::from_json(&v1).unwrap_err();
        assert_eq!(e.code(), ErrorCode::DefinitionInvalidMatchKey);
        // A version 1 document parses as before and writes back without the
        // new option (ordered keys are the default in both versions).
        let old = IdentityDefinition::from_json(EXAMPLE).unwrap();
        assert_eq!(old.version, 1);
        assert!(old.match_keys.iter().all(|mk| !mk.unordered));
        assert!(!serde_json::to_string(&old).unwrap().contains("unordered"));
        let as_v2 = EXAMPLE.replace(r#""version": 1"#, r#""version": 2"#);
        assert_eq!(
            IdentityDefinition::from_json(&as_v2).unwrap().match_keys,
            old.match_keys
        );
        for bad in [0, 3] {
            let doc = format!(r#"{{"version": {bad}, "fields": ["email"]}}"#);
            let e = IdentityDefinition::from_json(&doc).unwrap_err();
            assert_eq!(e.code(), ErrorCode::DefinitionInvalid, "{doc}");
        }
    }

    #[test]
    fn take_pieces() {
        assert_eq!(Take::Initial.apply("émile"), Some("é"));
        assert_eq!(Take::Prefix(3).apply("94105"), Some("941"));
        assert_eq!(Take::Prefix(9).apply("941"), Some("941"));
        assert_eq!(
            Take::StreetNumber.apply("1600 amphitheatre pkwy"),
            Some("1600")
        );
        assert_eq!(Take::StreetNumber.apply("main st"), None);
        assert_eq!(Take::Year.apply("19900131"), Some("1990"));
    }
}
