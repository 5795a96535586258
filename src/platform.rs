//! Plain SHA-256 platform hashes, with each platform's field names and text
//! encoding. These are unkeyed: anyone can hash a guessed e-mail and compare
//! (see SECURITY.md). They exist because the platforms require exactly this.

use crate::encoding::{base64_std, hex_lower};
use crate::error::ErrorCode;
use crate::field::Field;
use crate::normalize::{normalize, supports, Country, NormalizeOptions};
use crate::profile::Profile;
use crate::pseudonymizer::FieldError;
use crate::record::Record;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// How a profile writes a SHA-256 digest as text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum HashEncoding {
    /// 64 lowercase hex digits (Google, Meta, pseudolink).
    HexLower,
    /// 44 characters of padded standard base64 (UID2).
    Base64,
}

impl HashEncoding {
    /// The encoding a profile's platform requires.
    pub const fn of(profile: Profile) -> Self {
        match profile {
            Profile::Uid2 => HashEncoding::Base64,
            _ => HashEncoding::HexLower,
        }
    }

    /// Encodes a digest.
    pub fn encode(self, digest: &[u8]) -> String {
        match self {
            HashEncoding::HexLower => hex_lower(digest),
            HashEncoding::Base64 => base64_std(digest),
        }
    }
}

/// SHA-256 of a string's UTF-8 bytes.
pub fn sha256(value: &str) -> [u8; 32] {
    Sha256::digest(value.as_bytes()).into()
}

/// How a platform names a field and whether it wants it hashed.
#[derive(Clone, Copy)]
struct Slot {
    name: &'static str,
    hashed: bool,
}

const fn h(name: &'static str) -> Option<Slot> {
    Some(Slot { name, hashed: true })
}

const fn plain(name: &'static str) -> Option<Slot> {
    Some(Slot {
        name,
        hashed: false,
    })
}

/// The platform's parameter for a field (`None`: the platform has none).
///
/// UID2: `/v2/token/generate` body keys. Google: Google Ads API
/// `UserIdentifier` / `OfflineUserAddressInfo` fields (address parts other than
/// names and street are sent unhashed). Meta: Conversions API `user_data` keys.
/// TikTok: Events API 2.0 `user` keys. Pinterest: API for Conversions
/// `user_data` keys (the same names as Meta's). Snap: Conversions API v3
/// `user_data` keys. LinkedIn: the `idType` of a Conversions API
/// `user.userIds` entry (its `idValue` is the hash); the plain `userInfo`
/// (names, title, company, country) is not produced. PAIR: its two standard
/// match key types (the protocol names no parameter).
fn slot(profile: Profile, field: Field) -> Option<Slot> {
    use Field::*;
    match profile {
        Profile::Uid2 => match field {
            Email => h("email_hash"),
            Phone => h("phone_hash"),
            _ => None,
        },
        Profile::Google => match field {
            Email => h("hashed_email"),
            Phone => h("hashed_phone_number"),
            FirstName => h("address_info.hashed_first_name"),
            LastName => h("address_info.hashed_last_name"),
            Street => h("address_info.hashed_street_address"),
            City => plain("address_info.city"),
            State => plain("address_info.state"),
            PostalCode => plain("address_info.postal_code"),
            Country => plain("address_info.country_code"),
            _ => None,
        },
        Profile::Pair => match field {
            Email => h("email"),
            Phone => h("phone"),
            _ => None,
        },
        Profile::Linkedin => match field {
            Email => h("SHA256_EMAIL"),
            _ => None,
        },
        Profile::Snap => match field {
            Email => h("em"),
            Phone => h("ph"),
            _ => None,
        },
        Profile::Meta | Profile::Pinterest => match field {
            Email => h("em"),
            Phone => h("ph"),
            FirstName => h("fn"),
            LastName => h("ln"),
            Gender => h("ge"),
            DateOfBirth => h("db"),
            City => h("ct"),
            State => h("st"),
            PostalCode => h("zp"),
            Country => h("country"),
            ExternalId => h("external_id"),
            _ => None,
        },
        Profile::Tiktok => match field {
            Email => h("email"),
            Phone => h("phone"),
            ExternalId => h("external_id"),
            _ => None,
        },
        Profile::Pseudolink => h(field.name()),
    }
}

/// The parameter names under which [`platform_hashes`] can put a hash for
/// `profile` (the possible keys of [`PlatformHashes::hashes`]), in field
/// order. A receiver of platform hashes accepts these names and no others.
///
/// ```
/// use pseudolink::{hashed_parameter_names, Profile};
/// assert_eq!(hashed_parameter_names(Profile::Uid2), ["email_hash", "phone_hash"]);
/// ```
pub fn hashed_parameter_names(profile: Profile) -> Vec<&'static str> {
    Field::ALL
        .into_iter()
        .filter(|&f| supports(profile, f))
        .filter_map(|f| slot(profile, f))
        .filter(|s| s.hashed)
        .map(|s| s.name)
        .collect()
}

/// A record's values as one platform wants them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PlatformHashes {
    /// The profile used.
    pub profile: Profile,
    /// Platform parameter name → encoded SHA-256 of the normalised value.
    pub hashes: BTreeMap<&'static str, String>,
    /// Parameters the platform takes unhashed (Google's city, state, postal
    /// code and country) → normalised value. These leave the device as is.
    pub plain: BTreeMap<&'static str, String>,
    /// Fields present but invalid; no hash is produced for them.
    pub errors: Vec<FieldError>,
}

/// Normalises every field of `record` the platform knows, under its profile,
/// and hashes/encodes it the way the platform requires. `options.region` is
/// the fallback when the record has no (valid) country.
///
/// ```
/// use pseudolink::{platform_hashes, Field, NormalizeOptions, Profile, Record};
/// let r = Record::new().with(Field::Email, "MyEmail@example.com");
/// let out = platform_hashes(&r, &NormalizeOptions::new(Profile::Uid2));
/// assert_eq!(out.hashes["email_hash"].len(), 44);
/// ```
pub fn platform_hashes(record: &Record, options: &NormalizeOptions) -> PlatformHashes {
    let profile = options.profile;
    let mut opts = *options;
    if let Some(c) = record
        .get(Field::Country)
        .and_then(|v| v.ok())
        .and_then(Country::parse)
    {
        opts.region = Some(c);
    }
    let enc = HashEncoding::of(profile);
    let mut out = PlatformHashes {
        profile,
        hashes: BTreeMap::new(),
        plain: BTreeMap::new(),
        errors: Vec::new(),
    };
    for field in record.fields() {
        let Some(slot) = slot(profile, field).filter(|_| supports(profile, field)) else {
            continue;
        };
        let normalized = match record.get(field) {
            Some(Ok(raw)) => normalize(field, raw, &opts).map_err(|e| e.code()),
            _ => Err(ErrorCode::WrongType),
        };
        match normalized {
            Ok(v) if slot.hashed => {
                out.hashes.insert(slot.name, enc.encode(&sha256(&v)));
            }
            Ok(v) => {
                out.plain.insert(slot.name, v);
            }
            Err(ErrorCode::Empty) => {}
            Err(code) => out.errors.push(FieldError::new(field, code)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_supported_field_has_a_platform_slot() {
        for p in Profile::ALL {
            for f in Field::ALL {
                assert_eq!(supports(p, f), slot(p, f).is_some(), "{p} {f}");
            }
        }
    }

    #[test]
    fn hashed_parameter_names_cover_every_hash() {
        let mut r = Record::new();
        for (f, v) in [
            (Field::Email, "a@example.com"),
            (Field::Phone, "+14155550123"),
            (Field::FirstName, "Ann"),
            (Field::LastName, "Lee"),
            (Field::Street, "1 Main St"),
            (Field::City, "Springfield"),
            (Field::State, "CA"),
            (Field::PostalCode, "94105"),
            (Field::Country, "US"),
            (Field::DateOfBirth, "1990-01-02"),
            (Field::Gender, "f"),
            (Field::ExternalId, "c-1"),
        ] {
            r = r.with(f, v);
        }
        for p in Profile::ALL {
            let names = hashed_parameter_names(p);
            let out = platform_hashes(&r, &NormalizeOptions::new(p));
            for k in out.hashes.keys() {
                assert!(names.contains(k), "{p} {k}");
            }
            for k in out.plain.keys() {
                assert!(!names.contains(k), "{p} {k}");
            }
        }
    }

    // Digests cross-checked with: python3 -c "import hashlib;print(hashlib.sha256(b'abc').hexdigest())"
    #[test]
    fn sha256_fips180_abc() {
        assert_eq!(
            hex_lower(&sha256("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            HashEncoding::Base64.encode(&sha256("abc")),
            "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0="
        );
    }
}
