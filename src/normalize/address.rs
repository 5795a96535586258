//! (To be completed.)

use super::NormalizeOptions;
use crate::error::ErrorCode;

pub(crate) fn street(_v: &str, _o: &NormalizeOptions) -> Result<String, ErrorCode> {
    Err(ErrorCode::UnsupportedField)
}

pub(crate) fn city(_v: &str, _o: &NormalizeOptions) -> Result<String, ErrorCode> {
    Err(ErrorCode::UnsupportedField)
}

pub(crate) fn postal_code(_v: &str, _o: &NormalizeOptions) -> Result<String, ErrorCode> {
    Err(ErrorCode::UnsupportedField)
}
