//! OPRF inputs of a record: the same subjects, values and match-key parts as
//! keyed tokens (shared normalisation), under the oblivious domain string.

use crate::definition::IdentityDefinition;
use crate::error::Error;
use crate::field::Field;
use crate::normalize::Country;
use crate::pseudonymizer::{match_key_parts, normalize_record, FieldError, TokenKind};
use crate::record::Record;
use zeroize::Zeroizing;

/// Prefix of every OPRF input; changing it changes every oblivious token.
const DOMAIN: &[u8] = b"pseudolink/oblivious/v1";

/// A definition prepared for turning records into OPRF inputs.
#[derive(Debug, Clone)]
pub(crate) struct Inputs {
    pub(crate) definition: IdentityDefinition,
    needed: Vec<Field>,
    default_region: Option<Country>,
}

/// One value to evaluate: which list and subject its token belongs to, and
/// the OPRF input (identifying: wiped on drop).
pub(crate) struct Item {
    pub(crate) kind: TokenKind,
    /// Field wire name, or `mk-<name>`.
    pub(crate) subject: String,
    pub(crate) input: Zeroizing<Vec<u8>>,
}

impl Inputs {
    pub(crate) fn new(definition: IdentityDefinition) -> Result<Self, Error> {
        definition.validate()?;
        Ok(Inputs {
            needed: definition.needed_fields(),
            default_region: definition.default_region()?,
            definition,
        })
    }

    /// The items of one record (fields in definition order, then match keys)
    /// and the fields that could not be normalised.
    pub(crate) fn of(&self, record: &Record) -> (Vec<Item>, Vec<FieldError>) {
        let mut errors = Vec::new();
        let normalized = normalize_record(
            &self.definition,
            &self.needed,
            self.default_region,
            record,
            &mut errors,
        );
        let normalized = Zeroizing::new(normalized);
        let value = |f: Field| normalized.get(f.index()).and_then(|v| v.as_deref());
        let mut items = Vec::new();
        for &field in &self.definition.fields {
            if let Some(v) = value(field) {
                items.push(Item {
                    kind: TokenKind::Field,
                    subject: field.name().to_owned(),
                    input: input_of(field.name(), &[v.as_bytes()], false),
                });
            }
        }
        let mut parts: Vec<&[u8]> = Vec::new();
        for mk in &self.definition.match_keys {
            if match_key_parts(mk, value, &mut parts) {
                items.push(Item {
                    kind: TokenKind::MatchKey,
                    subject: format!("mk-{}", mk.name),
                    input: input_of(&mk.name, &parts, true),
                });
            }
        }
        (items, errors)
    }
}

/// `DOMAIN 0x00 [mk-]<subject> 0x00 <value>`; a match key's value is its
/// parts, each as a 4-byte big-endian length then bytes (as for `pl1`).
fn input_of(subject: &str, parts: &[&[u8]], match_key: bool) -> Zeroizing<Vec<u8>> {
    let len = DOMAIN.len() + subject.len() + 5 + parts.iter().map(|p| p.len() + 4).sum::<usize>();
    let mut out = Zeroizing::new(Vec::with_capacity(len));
    out.extend_from_slice(DOMAIN);
    out.push(0);
    if match_key {
        out.extend_from_slice(b"mk-");
    }
    out.extend_from_slice(subject.as_bytes());
    out.push(0);
    for p in parts {
        if match_key {
            out.extend_from_slice(&(p.len() as u32).to_be_bytes());
        }
        out.extend_from_slice(p);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inputs_are_domain_separated_by_subject() {
        let a = input_of("firstName", &[b"jordan"], false);
        let b = input_of("lastName", &[b"jordan"], false);
        assert_ne!(*a, *b);
        assert_eq!(&a[..DOMAIN.len()], DOMAIN);
        let ab_c = input_of("x", &[b"ab", b"c"], true);
        let a_bc = input_of("x", &[b"a", b"bc"], true);
        assert_ne!(*ab_c, *a_bc);
    }
}
