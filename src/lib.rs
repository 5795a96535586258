#![doc = include_str!("../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod error;
mod field;
mod normalize;
mod profile;
mod record;
#[cfg(target_arch = "wasm32")]
mod wasm;

pub use error::{Error, ErrorCode, Subject};
pub use field::Field;
pub use normalize::{normalize, supports, Country, DateOrder, NormalizeOptions, MAX_INPUT_BYTES};
pub use profile::Profile;
pub use record::{Record, WrongType};
