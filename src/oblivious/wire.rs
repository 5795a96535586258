//! The JSON the client and the key server exchange (`POST /v1/evaluate`).
//! Elements and proofs are unpadded base64url.

use serde::{Deserialize, Serialize};

/// A batch of blinded elements for one key version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EvaluateRequest {
    /// Which key version to evaluate under.
    pub key_version: String,
    /// Blinded elements (32 bytes each), in order.
    pub blinded: Vec<String>,
}

/// The evaluations of a request, in order, with one batched DLEQ proof that
/// they were all made with the key behind the version's public key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EvaluateResponse {
    /// The key version that evaluated.
    pub key_version: String,
    /// Evaluated elements (32 bytes each), one per blinded element.
    pub evaluated: Vec<String>,
    /// The batched proof (64 bytes).
    pub proof: String,
}
