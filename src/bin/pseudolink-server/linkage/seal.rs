//! Sealing at rest: everything encoded the service stores (chunk payloads,
//! run results) is encrypted with XChaCha20-Poly1305 under the store key,
//! a fresh random 24-byte nonce per seal, and associated data that binds the
//! ciphertext to where it belongs (project, party, upload and chunk, or run
//! and view): a sealed value moved to another row does not open.
//!
//! Stored form: `1 || nonce (24) || ciphertext || tag (16)`. The store key
//! lives outside the database (`storeKeyFile`), is zeroised on drop and is
//! never logged: a stolen database file holds ciphertext, counts and ids only.
//!
//! Chunk idempotency needs a stable fingerprint of a chunk's content; a plain
//! hash of encodings would let whoever holds the file confirm a guessed chunk,
//! so the fingerprint is HMAC-SHA256 under a key derived from the store key.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hmac::Mac;
use rand_core::{OsRng, RngCore};
use sha2::Sha256;
use zeroize::Zeroizing;

use super::config::STORE_KEY_BYTES;

const FORMAT: u8 = 1;
const NONCE_BYTES: usize = 24;
const TAG_BYTES: usize = 16;

type HmacSha256 = hmac::Hmac<Sha256>;

/// The store key and what is derived from it. Nothing here is printable.
pub struct Sealer {
    cipher: XChaCha20Poly1305,
    digest_key: Zeroizing<[u8; 32]>,
}

/// A sealed value did not open: wrong key, moved row or damaged bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unsealable;

impl Sealer {
    /// A sealer for `key` (the caller's copy stays the caller's to wipe).
    pub fn new(key: &[u8; STORE_KEY_BYTES]) -> Sealer {
        let cipher = XChaCha20Poly1305::new(key.into());
        let mut digest_key = Zeroizing::new([0u8; 32]);
        // Key separation: the fingerprint key is HMAC(store key, label).
        if let Ok(mut mac) = <HmacSha256 as hmac::KeyInit>::new_from_slice(key) {
            mac.update(b"pseudolink linkage chunk fingerprint v1");
            digest_key.copy_from_slice(&mac.finalize().into_bytes());
        }
        Sealer { cipher, digest_key }
    }

    /// Encrypts `plain`, bound to `aad`.
    pub fn seal(&self, plain: &[u8], aad: &[u8]) -> Result<Vec<u8>, Unsealable> {
        let mut nonce = [0u8; NONCE_BYTES];
        OsRng.fill_bytes(&mut nonce);
        let ct = self
            .cipher
            .encrypt(&XNonce::from(nonce), Payload { msg: plain, aad })
            .map_err(|_| Unsealable)?;
        let mut out = Vec::with_capacity(1 + NONCE_BYTES + ct.len());
        out.push(FORMAT);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&ct);
        Ok(out)
    }

    /// Decrypts what [`Sealer::seal`] made under the same `aad`; the
    /// plaintext is wiped when dropped.
    pub fn open(&self, sealed: &[u8], aad: &[u8]) -> Result<Zeroizing<Vec<u8>>, Unsealable> {
        if sealed.len() < 1 + NONCE_BYTES + TAG_BYTES || sealed[0] != FORMAT {
            return Err(Unsealable);
        }
        let (nonce, ct) = sealed[1..].split_at(NONCE_BYTES);
        let nonce: [u8; NONCE_BYTES] = nonce.try_into().map_err(|_| Unsealable)?;
        self.cipher
            .decrypt(&XNonce::from(nonce), Payload { msg: ct, aad })
            .map(Zeroizing::new)
            .map_err(|_| Unsealable)
    }

    /// The keyed fingerprint of a chunk's canonical content.
    pub fn fingerprint(&self, data: &[u8]) -> [u8; 32] {
        let mut out = [0u8; 32];
        if let Ok(mut mac) = <HmacSha256 as hmac::KeyInit>::new_from_slice(&*self.digest_key) {
            mac.update(data);
            out.copy_from_slice(&mac.finalize().into_bytes());
        }
        out
    }
}

/// Associated data: a label and the ids the value belongs to, each
/// length-prefixed so that no two lists give the same bytes.
pub fn aad(label: &str, parts: &[&str]) -> Vec<u8> {
    let mut out = Vec::with_capacity(64);
    for p in std::iter::once(label).chain(parts.iter().copied()) {
        out.extend_from_slice(&(p.len() as u32).to_be_bytes());
        out.extend_from_slice(p.as_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seals_open_only_with_the_same_key_and_aad() {
        let s = Sealer::new(&[7; 32]);
        let a = aad("chunk", &["p", "q", "u_1", "0"]);
        let sealed = s.seal(b"po1.email.v.x", &a).unwrap();
        assert_eq!(&s.open(&sealed, &a).unwrap()[..], b"po1.email.v.x");
        // Fresh nonce every time.
        assert_ne!(s.seal(b"po1.email.v.x", &a).unwrap(), sealed);
        // Another row, another key, a flipped bit: nothing opens.
        assert!(s
            .open(&sealed, &aad("chunk", &["p", "q", "u_1", "1"]))
            .is_err());
        assert!(Sealer::new(&[8; 32]).open(&sealed, &a).is_err());
        let mut bad = sealed.clone();
        bad[30] ^= 1;
        assert!(s.open(&bad, &a).is_err());
        assert!(s.open(&sealed[..20], &a).is_err());
        // Fingerprints are keyed.
        assert_eq!(s.fingerprint(b"x"), s.fingerprint(b"x"));
        assert_ne!(s.fingerprint(b"x"), Sealer::new(&[8; 32]).fingerprint(b"x"));
        // Length prefixes keep part lists apart.
        assert_ne!(aad("a", &["bc"]), aad("a", &["b", "c"]));
    }
}
