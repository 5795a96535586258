//! The browser side: blind, then finalise and verify against a pinned key.

use super::input::{Inputs, Item};
use super::protocol;
use super::wire::{EvaluateRequest, EvaluateResponse};
use super::{ELEMENT_BYTES, OBLIVIOUS_TOKEN_VERSION, PROOF_BYTES};
use crate::definition::IdentityDefinition;
use crate::encoding::{base64_url, base64_url_decode, encode_b64, B64_URL};
use crate::error::{Error, ErrorCode, Subject};
use crate::pseudonymizer::{FieldError, TokenKind, Tokenized};
use crate::record::Record;
use crate::token::KeyId;
use curve25519_dalek::ristretto::{RistrettoBasepointTable, RistrettoPoint};
use curve25519_dalek::scalar::Scalar;
use rand_core::{CryptoRng, RngCore};
use std::sync::{Arc, OnceLock};
use zeroize::{Zeroize, Zeroizing};

type Element = RistrettoPoint;

/// A key server's public key for one key version, pinned by the client.
#[derive(Clone)]
pub struct PublicKey {
    version: KeyId,
    element: Element,
    /// Multiples of `element` for fixed-base `r·pk` (additive blinding),
    /// made on the first large batch; shared by clones.
    table: Arc<OnceLock<RistrettoBasepointTable>>,
}

impl PartialEq for PublicKey {
    fn eq(&self, other: &Self) -> bool {
        self.version == other.version && self.element == other.element
    }
}

impl Eq for PublicKey {}

impl PublicKey {
    /// A pinned key from its version and 32-byte encoding (`pkSm`).
    pub fn new(version: &str, bytes: &[u8]) -> Result<Self, Error> {
        let bad = || Error::new(Subject::Keys, ErrorCode::ObliviousInvalidPublicKey);
        let version = KeyId::new(version).map_err(|_| bad())?;
        let bytes: [u8; ELEMENT_BYTES] = bytes.try_into().map_err(|_| bad())?;
        let element = protocol::decode(&bytes).ok_or_else(bad)?;
        Ok(PublicKey {
            version,
            element,
            table: Arc::default(),
        })
    }

    /// A pinned key from its version and unpadded base64url encoding.
    pub fn from_base64url(version: &str, text: &str) -> Result<Self, Error> {
        let bytes = base64_url_decode(text)
            .ok_or_else(|| Error::new(Subject::Keys, ErrorCode::ObliviousInvalidPublicKey))?;
        PublicKey::new(version, &bytes)
    }

    /// The key version tokens carry.
    pub fn version(&self) -> &str {
        self.version.as_str()
    }

    /// The 32-byte encoding.
    pub fn to_bytes(&self) -> [u8; ELEMENT_BYTES] {
        protocol::compress(&self.element)
    }

    fn table(&self) -> &RistrettoBasepointTable {
        self.table
            .get_or_init(|| RistrettoBasepointTable::create(&self.element))
    }
}

impl core::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "PublicKey({}, {})",
            self.version,
            base64_url(&self.to_bytes())
        )
    }
}

/// Batches of at least this many elements are blinded additively
/// ([`BlindedInputs::blind_additive`]). Its fixed-base tables (one for the
/// generator, one per pinned key) are made once, on first use, at ~2 ms
/// each natively (more in wasm): what additive blinding saves on some
/// 30–60 values. A checkout order of a dozen values keeps RFC 9497's
/// blinding and makes no table.
pub const ADDITIVE_FROM: usize = 128;

/// Inputs blinded with fresh scalars: the RFC 9497 `Blind` step for a batch.
/// Holds the blinds and inputs (wiped on drop) until [`Self::finalize`].
pub struct BlindedInputs {
    inputs: Vec<Zeroizing<Vec<u8>>>,
    blinds: Vec<Scalar>,
    points: Vec<RistrettoPoint>,
    encoded: Vec<[u8; ELEMENT_BYTES]>,
    /// Blinded as `P + r·G` ([`protocol::blind_additive`]) rather than `r·P`.
    additive: bool,
}

impl Drop for BlindedInputs {
    fn drop(&mut self) {
        // A blind and its blinded element reveal the input's group element.
        self.blinds.zeroize();
    }
}

impl BlindedInputs {
    /// Blinds each input with a scalar drawn from `rng`, in order, as
    /// RFC 9497 does (`r·P`; its test vectors replay exactly this).
    pub fn blind<R: RngCore + CryptoRng>(
        inputs: Vec<Zeroizing<Vec<u8>>>,
        rng: &mut R,
    ) -> Result<Self, Error> {
        Self::blind_with(inputs, rng, false)
    }

    /// Blinds each input additively (`P + r·G`, `P` the input hashed to the group):
    /// the same outputs after [`Self::finalize`], the same uniform blinded
    /// elements for the key server, and fixed-base multiplications only on
    /// the client. What [`ObliviousClient::blind`] uses for batches of
    /// [`ADDITIVE_FROM`] elements or more.
    pub fn blind_additive<R: RngCore + CryptoRng>(
        inputs: Vec<Zeroizing<Vec<u8>>>,
        rng: &mut R,
    ) -> Result<Self, Error> {
        Self::blind_with(inputs, rng, true)
    }

    fn blind_with<R: RngCore + CryptoRng>(
        inputs: Vec<Zeroizing<Vec<u8>>>,
        rng: &mut R,
        additive: bool,
    ) -> Result<Self, Error> {
        let mut out = BlindedInputs {
            blinds: Vec::with_capacity(inputs.len()),
            points: Vec::with_capacity(inputs.len()),
            encoded: Vec::with_capacity(inputs.len()),
            inputs: Vec::new(),
            additive,
        };
        for input in &inputs {
            // Fails only for inputs over 64 KiB or hashing to the identity;
            // ours carry a domain prefix and bounded normalised values.
            let blinded = if additive {
                protocol::blind_additive(input, rng)
            } else {
                protocol::blind(input, rng)
            };
            let (r, p) = blinded.map_err(|_| Error::new(Subject::Record, ErrorCode::TooLong))?;
            out.blinds.push(r);
            out.encoded.push(protocol::compress(&p));
            out.points.push(p);
        }
        out.inputs = inputs;
        Ok(out)
    }

    /// How many elements.
    pub fn len(&self) -> usize {
        self.encoded.len()
    }

    /// Whether there is nothing to evaluate.
    pub fn is_empty(&self) -> bool {
        self.encoded.is_empty()
    }

    /// The blinded elements, 32 bytes each: all the key server sees.
    pub fn blinded_elements(&self) -> Vec<[u8; ELEMENT_BYTES]> {
        self.encoded.clone()
    }

    /// Verifies the batched proof of `evaluated` against `key`, unblinds and
    /// finalises: one 64-byte RFC 9497 `Output` per input, in order.
    pub fn finalize(
        &self,
        key: &PublicKey,
        evaluated: &[[u8; ELEMENT_BYTES]],
        proof: &[u8; PROOF_BYTES],
    ) -> Result<Vec<[u8; 64]>, Error> {
        let invalid = || Error::new(Subject::Response, ErrorCode::ObliviousInvalidResponse);
        if evaluated.len() != self.encoded.len() {
            return Err(invalid());
        }
        let points = evaluated
            .iter()
            .map(|e| protocol::decode(e).ok_or_else(invalid))
            .collect::<Result<Vec<_>, _>>()?;
        protocol::verify(
            &key.element,
            &self.encoded,
            &self.points,
            evaluated,
            &points,
            proof,
        )
        .map_err(|_| Error::new(Subject::Response, ErrorCode::ObliviousVerificationFailed))?;
        if self.additive {
            return Ok(self
                .inputs
                .iter()
                .zip(&self.blinds)
                .zip(&points)
                .map(|((input, r), z)| protocol::finalize_additive(input, r, key.table(), z))
                .collect());
        }
        // One scalar inversion for the whole batch (Montgomery's trick).
        let mut inverses = Zeroizing::new(self.blinds.clone());
        Scalar::batch_invert(&mut inverses);
        Ok(self
            .inputs
            .iter()
            .zip(inverses.iter())
            .zip(&points)
            .map(|((input, r_inv), z)| protocol::finalize(input, r_inv, z))
            .collect())
    }
}

/// Turns records into oblivious tokens under an identity definition and the
/// pinned public keys (several during a rotation: each record gets tokens
/// under every pinned version, like [`crate::Pseudonymizer`] with several keys).
///
/// ```
/// use pseudolink::oblivious::{KeyPair, ObliviousClient, PublicKey};
/// use pseudolink::{Field, IdentityDefinition, Record};
/// let server = KeyPair::derive("2026a", &[7; 32]).unwrap();
/// let pin = PublicKey::new("2026a", &server.public_key()).unwrap();
/// let def = IdentityDefinition::from_json(r#"{"version":1,"fields":["email"]}"#).unwrap();
/// let client = ObliviousClient::new(def, vec![pin]).unwrap();
/// let batch = client.blind(&[Record::new().with(Field::Email, "Jane@Example.com")], &mut rand_core::OsRng).unwrap();
/// let answer = server.evaluate_request(&batch.request("2026a"), &mut rand_core::OsRng).unwrap();
/// let out = client.finalize(&batch, &[answer]).unwrap();
/// assert!(out[0].tokens[0].starts_with("po1.email.2026a."));
/// ```
#[derive(Debug, Clone)]
pub struct ObliviousClient {
    inputs: Inputs,
    keys: Vec<PublicKey>,
}

/// Per record: the list and subject of each blinded item, in order, and
/// the fields that could not be normalised.
type RecordSlots = (Vec<(TokenKind, String)>, Vec<FieldError>);

/// Records blinded for the key server: the request bodies to send, and what
/// [`ObliviousClient::finalize`] needs to turn the answers into tokens.
pub struct BlindedBatch {
    records: Vec<RecordSlots>,
    blinded: BlindedInputs,
}

impl BlindedBatch {
    /// How many elements the batch sends (per key version).
    pub fn len(&self) -> usize {
        self.blinded.len()
    }

    /// Whether nothing needs evaluating (no record had a valid value).
    pub fn is_empty(&self) -> bool {
        self.blinded.is_empty()
    }

    /// The request for one key version.
    pub fn request(&self, key_version: &str) -> EvaluateRequest {
        EvaluateRequest {
            key_version: key_version.to_owned(),
            blinded: self
                .blinded
                .blinded_elements()
                .iter()
                .map(|b| base64_url(b))
                .collect(),
        }
    }
}

impl ObliviousClient {
    /// A client for `definition` with at least one pinned key, versions unique.
    pub fn new(definition: IdentityDefinition, keys: Vec<PublicKey>) -> Result<Self, Error> {
        let inputs = Inputs::new(definition)?;
        if keys.is_empty() {
            return Err(Error::new(Subject::Keys, ErrorCode::KeyMissing));
        }
        for (i, k) in keys.iter().enumerate() {
            if keys[..i].iter().any(|o| o.version == k.version) {
                return Err(Error::new(Subject::Keys, ErrorCode::KeyDuplicateId));
            }
        }
        Ok(ObliviousClient { inputs, keys })
    }

    /// The identity definition in use.
    pub fn definition(&self) -> &IdentityDefinition {
        &self.inputs.definition
    }

    /// The pinned key versions, in order.
    pub fn key_versions(&self) -> impl Iterator<Item = &str> {
        self.keys.iter().map(|k| k.version())
    }

    /// Normalises every record and blinds each field value and match key with
    /// fresh randomness from `rng`.
    pub fn blind<R: RngCore + CryptoRng>(
        &self,
        records: &[Record],
        rng: &mut R,
    ) -> Result<BlindedBatch, Error> {
        let mut out = Vec::with_capacity(records.len());
        let mut inputs = Vec::new();
        for r in records {
            let (items, errors) = self.inputs.of(r);
            let mut subjects = Vec::with_capacity(items.len());
            for Item {
                kind,
                subject,
                input,
            } in items
            {
                subjects.push((kind, subject));
                inputs.push(input);
            }
            out.push((subjects, errors));
        }
        Ok(BlindedBatch {
            records: out,
            blinded: if inputs.len() >= ADDITIVE_FROM {
                BlindedInputs::blind_additive(inputs, rng)?
            } else {
                BlindedInputs::blind(inputs, rng)?
            },
        })
    }

    /// Verifies and finalises the key server's answers (one per pinned key
    /// version, any order) into tokens, record by record: per item, one token
    /// per pinned version, in pin order.
    pub fn finalize(
        &self,
        batch: &BlindedBatch,
        responses: &[EvaluateResponse],
    ) -> Result<Vec<Tokenized>, Error> {
        let invalid = || Error::new(Subject::Response, ErrorCode::ObliviousInvalidResponse);
        let mut outputs: Vec<Vec<[u8; 64]>> = Vec::with_capacity(self.keys.len());
        if !batch.is_empty() {
            for key in &self.keys {
                let r = responses
                    .iter()
                    .find(|r| r.key_version == key.version())
                    .ok_or_else(invalid)?;
                let evaluated = r
                    .evaluated
                    .iter()
                    .map(|e| decode_fixed::<ELEMENT_BYTES>(e).ok_or_else(invalid))
                    .collect::<Result<Vec<_>, _>>()?;
                let proof = decode_fixed::<PROOF_BYTES>(&r.proof).ok_or_else(invalid)?;
                outputs.push(batch.blinded.finalize(key, &evaluated, &proof)?);
            }
        }
        let mut next = 0;
        let mut tokenized = Vec::with_capacity(batch.records.len());
        for (subjects, errors) in &batch.records {
            let mut t = Tokenized {
                errors: errors.clone(),
                ..Tokenized::default()
            };
            for (kind, subject) in subjects {
                for (key, outs) in self.keys.iter().zip(&outputs) {
                    let output = outs.get(next).ok_or_else(invalid)?;
                    let token = token_of(subject, key.version(), output);
                    match kind {
                        TokenKind::Field => t.tokens.push(token),
                        TokenKind::MatchKey => t.match_keys.push(token),
                    }
                }
                next += 1;
            }
            tokenized.push(t);
        }
        Ok(tokenized)
    }
}

/// `po1.<subject>.<version>.<base64url(first 32 bytes of output)>`.
fn token_of(subject: &str, version: &str, output: &[u8; 64]) -> String {
    let mut out = String::with_capacity(4 + subject.len() + 1 + version.len() + 1 + 43);
    out.push_str(OBLIVIOUS_TOKEN_VERSION);
    out.push('.');
    out.push_str(subject);
    out.push('.');
    out.push_str(version);
    out.push('.');
    encode_b64(&output[..32], B64_URL, false, &mut out);
    out
}

fn decode_fixed<const N: usize>(text: &str) -> Option<[u8; N]> {
    base64_url_decode(text)?.try_into().ok()
}
