//! Key derivation (`clkhash.key_derivation`): one RFC 5869 HKDF call over the
//! secret yields `2 · features · keySize` bytes, cut into one key pair per
//! schema feature, ignored features included (G5).

use crate::error::{Error, ErrorCode, Subject};
use hkdf::Hkdf;
use sha2::{Sha256, Sha512};
use zeroize::Zeroizing;

/// The HKDF hash.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum KdfHash {
    Sha256,
    Sha512,
}

impl KdfHash {
    /// HashLen: HKDF can derive at most 255 times this.
    pub(crate) const fn output_len(self) -> usize {
        match self {
            KdfHash::Sha256 => 32,
            KdfHash::Sha512 => 64,
        }
    }
}

/// The schema's `clkConfig.kdf`.
#[derive(Clone, Debug)]
pub(crate) struct KdfSpec {
    pub(crate) hash: KdfHash,
    /// `None`: RFC 5869's default salt (HashLen zero bytes), as in clkhash.
    pub(crate) salt: Option<Vec<u8>>,
    pub(crate) info: Vec<u8>,
    pub(crate) key_size: usize,
}

impl KdfSpec {
    /// Total HKDF output for `features` features.
    pub(crate) fn output_len(&self, features: usize) -> Option<usize> {
        features.checked_mul(2)?.checked_mul(self.key_size)
    }

    /// Derives the key material; feature `i` uses bytes
    /// `[2i·ks, (2i+1)·ks)` (key 0) and `[(2i+1)·ks, (2i+2)·ks)` (key 1).
    pub(crate) fn derive(
        &self,
        secret: &[u8],
        features: usize,
    ) -> Result<Zeroizing<Vec<u8>>, Error> {
        let too_long = Error::new(Subject::Schema, ErrorCode::SchemaKdfTooLong);
        let len = self.output_len(features).ok_or(too_long.clone())?;
        let mut okm = Zeroizing::new(vec![0u8; len]);
        let salt = self.salt.as_deref();
        let expanded = match self.hash {
            KdfHash::Sha256 => Hkdf::<Sha256>::new(salt, secret).expand(&self.info, &mut okm),
            KdfHash::Sha512 => Hkdf::<Sha512>::new(salt, secret).expand(&self.info, &mut okm),
        };
        expanded.map_err(|_| too_long)?;
        Ok(okm)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 5869 Appendix A.1 (SHA-256).
    #[test]
    fn rfc5869_case_1() {
        let spec = KdfSpec {
            hash: KdfHash::Sha256,
            salt: Some((0u8..=0x0c).collect()),
            info: (0xf0u8..=0xf9).collect(),
            key_size: 21,
        };
        let okm = spec.derive(&[0x0b; 22], 1).unwrap();
        let hex: String = okm.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            hex,
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"
        );
    }
}
