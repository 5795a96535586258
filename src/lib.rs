#![doc = include_str!("../README.md")]

#[cfg(feature = "fuzzy")]
mod clk;
mod definition;
#[cfg(feature = "fuzzy")]
mod encoded;
#[cfg(feature = "fuzzy")]
mod encoder;
mod encoding;
mod error;
mod field;
#[cfg(feature = "fuzzy")]
pub mod identity;
#[cfg(feature = "fuzzy")]
pub mod link;
mod normalize;
#[cfg(feature = "oblivious")]
pub mod oblivious;
mod platform;
mod profile;
mod pseudonymizer;
mod record;
#[cfg(feature = "fuzzy")]
mod rows;
mod sha256x;
mod token;
mod token_columns;

/// The JavaScript bindings (wasm32 only). Public so `tests/web.rs` can call
/// the exports the way JS does; not part of the Rust API.
#[cfg(target_arch = "wasm32")]
#[doc(hidden)]
pub mod wasm;

#[cfg(feature = "fuzzy")]
pub use clk::{Clk, ClkBatch, ClkEncoder, ClkSchema, Hardening, RowError, DIFFUSION_T};
pub use definition::{
    IdentityDefinition, MatchKey, MatchKeyPart, Take, DEFINITION_VERSION, DEFINITION_VERSION_MIN,
};
#[cfg(feature = "fuzzy")]
pub use encoder::{
    check_clk_secret, Encoded, EncoderBatch, RecordEncoder, DEFAULT_CLK_SCHEMA,
    MIN_CLK_SECRET_BYTES, RECORD_CLK,
};
pub use encoding::{base64_std, base64_url, hex_lower};
pub use error::{Error, ErrorCode, Subject};
pub use field::Field;
pub use normalize::{normalize, supports, Country, DateOrder, NormalizeOptions, MAX_INPUT_BYTES};
pub use platform::{hashed_parameter_names, platform_hashes, sha256, HashEncoding, PlatformHashes};
pub use profile::Profile;
pub use pseudonymizer::{FieldError, Pseudonymizer, TokenKind, Tokenized};
pub use record::{Record, WrongType};
pub use token::{KeyId, Secret, Token, TokenKey, MIN_SECRET_BYTES, TOKEN_VERSION};
pub use token_columns::{StringLists, TokenColumns};

/// The crate version, as built.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
