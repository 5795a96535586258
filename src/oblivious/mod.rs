//! Oblivious tokens: the page holds no key. A record's normalised values are
//! blinded here, evaluated by a key server that never sees them (RFC 9497
//! VOPRF, mode 1, ristretto255-SHA512), and unblinded into tokens:
//!
//! ```text
//! po1.<subject>.<keyVersion>.<base64url(first 32 bytes of the RFC 9497 Output)>
//! input = "pseudolink/oblivious/v1" 0x00 <subject> 0x00 <value>
//! ```
//!
//! The shape is the keyed `pl1` token's (see [`crate::Token`]), so linking
//! treats both alike. Subjects and match-key values are built exactly as for
//! `pl1` (same normalisation, same length-prefixed match-key parts), with a
//! different domain string so the two token spaces never meet.
//!
//! - [`ObliviousClient`] (browser side): normalise, blind, finalise with a
//!   pinned public key per key version; an answer that fails its proof is
//!   refused ([`crate::ErrorCode::ObliviousVerificationFailed`]).
//! - [`KeyPair`] (key server side): a versioned key derived from a seed
//!   (RFC 9497 `DeriveKeyPair`), evaluating batches with one DLEQ proof.
//! - [`EvaluateRequest`]/[`EvaluateResponse`]: the JSON both speak.
//!
//! The protocol steps (`protocol`) are written from the RFC over
//! curve25519-dalek, with `voprf`'s RFC 9380 hashing; batched proofs use
//! multiscalar multiplication. The RFC's vectors pin every step.

mod client;
mod evaluator;
mod input;
mod protocol;
mod wire;

pub use client::{BlindedBatch, BlindedInputs, ObliviousClient, PublicKey, ADDITIVE_FROM};
pub use evaluator::{BadElement, KeyPair, SEED_BYTES};
pub use wire::{EvaluateRequest, EvaluateResponse};

/// Token format version written into every oblivious token.
pub const OBLIVIOUS_TOKEN_VERSION: &str = "po1";
/// Bytes of an encoded ristretto255 element (blinded, evaluated, public key).
pub const ELEMENT_BYTES: usize = 32;
/// Bytes of an encoded DLEQ proof (two scalars).
pub const PROOF_BYTES: usize = 64;
