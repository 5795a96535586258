//! The identifying fields pseudolink knows, with their stable wire names.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An identifying field of a customer record.
///
/// The camelCase name ([`Field::name`]) is the stable wire name: it is used in
/// records, in error codes' `field`, in identity definitions and inside tokens,
/// so it must never change once released.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Field {
    /// E-mail address.
    Email,
    /// Telephone number, normalised to E.164.
    Phone,
    /// Given name.
    FirstName,
    /// Family name.
    LastName,
    /// Street address line (house number and street).
    Street,
    /// City or town.
    City,
    /// State, province or territory.
    State,
    /// Postal or ZIP code.
    PostalCode,
    /// Country, as ISO 3166-1 alpha-2.
    Country,
    /// Date of birth, as `YYYYMMDD`.
    DateOfBirth,
    /// Gender (`f`, `m`, and in the pseudolink profile `x`).
    Gender,
    /// Company (legal entity) name.
    CompanyName,
    /// Dun & Bradstreet D-U-N-S number (9 digits).
    Duns,
    /// Web domain (host name) of a company.
    WebDomain,
    /// The business's own customer id.
    ExternalId,
}

impl Field {
    /// Every field, in wire order.
    pub const ALL: [Field; 15] = [
        Field::Email,
        Field::Phone,
        Field::FirstName,
        Field::LastName,
        Field::Street,
        Field::City,
        Field::State,
        Field::PostalCode,
        Field::Country,
        Field::DateOfBirth,
        Field::Gender,
        Field::CompanyName,
        Field::Duns,
        Field::WebDomain,
        Field::ExternalId,
    ];

    /// The stable camelCase wire name, as used in JS records and tokens.
    pub const fn name(self) -> &'static str {
        match self {
            Field::Email => "email",
            Field::Phone => "phone",
            Field::FirstName => "firstName",
            Field::LastName => "lastName",
            Field::Street => "street",
            Field::City => "city",
            Field::State => "state",
            Field::PostalCode => "postalCode",
            Field::Country => "country",
            Field::DateOfBirth => "dateOfBirth",
            Field::Gender => "gender",
            Field::CompanyName => "companyName",
            Field::Duns => "duns",
            Field::WebDomain => "webDomain",
            Field::ExternalId => "externalId",
        }
    }

    /// Looks a field up by its wire name (exact, case-sensitive).
    pub fn from_name(name: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|f| f.name() == name)
    }

    /// Position in [`Field::ALL`], for dense per-field tables.
    pub(crate) const fn index(self) -> usize {
        self as usize
    }
}

// By hand rather than derived: the wire name is `name()`, and the derived
// code for 15 variants costs several KB of .wasm per format.
impl Serialize for Field {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for Field {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = std::borrow::Cow::<'de, str>::deserialize(d)?;
        Field::from_name(&name).ok_or_else(|| serde::de::Error::custom("unknown field"))
    }
}

impl core::fmt::Display for Field {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_names_round_trip_and_match_serde() {
        for (i, f) in Field::ALL.into_iter().enumerate() {
            assert_eq!(f.index(), i);
            assert_eq!(Field::from_name(f.name()), Some(f));
            let json = serde_json::to_string(&f).unwrap();
            assert_eq!(json, format!("\"{}\"", f.name()));
        }
        assert_eq!(Field::from_name("Email"), None);
    }
}
