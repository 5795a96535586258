//! The key server side: a versioned VOPRF key and batch evaluation.

use super::protocol;
use super::wire::{EvaluateRequest, EvaluateResponse};
use super::ELEMENT_BYTES;
use crate::encoding::{base64_url, base64_url_decode};
use crate::error::{Error, ErrorCode, Subject};
use crate::token::KeyId;
use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use rand_core::{CryptoRng, RngCore};
use zeroize::Zeroize;

/// Bytes of a key seed (RFC 9497 `Nseed` = `Ns` for ristretto255).
pub const SEED_BYTES: usize = 32;
/// Prefix of the `info` string keys are derived with; the version follows,
/// so one seed gives unrelated keys for different versions.
const KEY_INFO: &[u8] = b"pseudolink/oblivious/v1 key ";

/// A blinded element that is not a valid ristretto255 encoding (or is the
/// identity), by its index in the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BadElement(pub usize);

/// One key version's VOPRF key pair. The private scalar is wiped on drop
/// and never printed (`Debug` shows the version and public key only).
pub struct KeyPair {
    version: KeyId,
    sk: Scalar,
    /// `sk / 2`, what each evaluation multiplies by (see `protocol`).
    half_sk: Scalar,
    pk: RistrettoPoint,
}

impl Drop for KeyPair {
    fn drop(&mut self) {
        self.sk.zeroize();
        self.half_sk.zeroize();
    }
}

impl KeyPair {
    /// Derives a version's key pair from a 32-byte seed with RFC 9497
    /// `DeriveKeyPair(seed, "pseudolink/oblivious/v1 key " || version)`.
    pub fn derive(version: &str, seed: &[u8]) -> Result<Self, Error> {
        let mut info = KEY_INFO.to_vec();
        info.extend_from_slice(version.as_bytes());
        Self::derive_with_info(version, seed, &info)
    }

    /// RFC 9497 `DeriveKeyPair(seed, info)` in VOPRF mode, for a version.
    pub fn derive_with_info(version: &str, seed: &[u8], info: &[u8]) -> Result<Self, Error> {
        let version = KeyId::new(version)?;
        if seed.len() != SEED_BYTES {
            return Err(Error::new(Subject::Keys, ErrorCode::KeyTooShort));
        }
        let (sk, pk) = protocol::derive_key_pair(seed, info)
            .map_err(|_| Error::new(Subject::Keys, ErrorCode::KeyInvalidSecret))?;
        let half_sk = protocol::half_key(&sk);
        Ok(KeyPair {
            version,
            sk,
            half_sk,
            pk,
        })
    }

    /// The key version.
    pub fn version(&self) -> &str {
        self.version.as_str()
    }

    /// The public key (`pkSm`), 32 bytes: what clients pin.
    pub fn public_key(&self) -> [u8; ELEMENT_BYTES] {
        protocol::compress(&self.pk)
    }

    /// Evaluates blinded elements (32 bytes each) with one batched proof whose
    /// random scalar comes from `rng`: `(evaluated elements, proof)`.
    pub fn evaluate<R: RngCore + CryptoRng>(
        &self,
        blinded: &[[u8; ELEMENT_BYTES]],
        rng: &mut R,
    ) -> Result<(Vec<[u8; ELEMENT_BYTES]>, [u8; 64]), BadElement> {
        let points = blinded
            .iter()
            .enumerate()
            .map(|(i, b)| protocol::decode(b).ok_or(BadElement(i)))
            .collect::<Result<Vec<_>, _>>()?;
        // Fails only for an empty batch or more than 65535 elements.
        protocol::evaluate_and_prove(&self.sk, &self.half_sk, &self.pk, blinded, &points, rng)
            .map_err(|_| BadElement(0))
    }

    /// Evaluates a wire request with the proof's randomness from the OS (what
    /// a key server does; its version is the caller's to check).
    pub fn answer(&self, request: &EvaluateRequest) -> Result<EvaluateResponse, BadElement> {
        self.evaluate_request(request, &mut rand_core::OsRng)
    }

    /// Evaluates a wire request (its version is the caller's to check).
    pub fn evaluate_request<R: RngCore + CryptoRng>(
        &self,
        request: &EvaluateRequest,
        rng: &mut R,
    ) -> Result<EvaluateResponse, BadElement> {
        let blinded = request
            .blinded
            .iter()
            .enumerate()
            .map(|(i, b)| {
                base64_url_decode(b)
                    .and_then(|v| <[u8; ELEMENT_BYTES]>::try_from(v).ok())
                    .ok_or(BadElement(i))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let (evaluated, proof) = self.evaluate(&blinded, rng)?;
        Ok(EvaluateResponse {
            key_version: self.version.as_str().to_owned(),
            evaluated: evaluated.iter().map(|e| base64_url(e)).collect(),
            proof: base64_url(&proof),
        })
    }
}

impl core::fmt::Debug for KeyPair {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("KeyPair")
            .field("version", &self.version.as_str())
            .field("public_key", &base64_url(&self.public_key()))
            .finish_non_exhaustive()
    }
}
