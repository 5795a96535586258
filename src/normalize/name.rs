//! (To be completed.)

use super::NormalizeOptions;
use crate::error::ErrorCode;

pub(crate) fn first_name(_v: &str, _o: &NormalizeOptions) -> Result<String, ErrorCode> {
    Err(ErrorCode::UnsupportedField)
}

pub(crate) fn last_name(_v: &str, _o: &NormalizeOptions) -> Result<String, ErrorCode> {
    Err(ErrorCode::UnsupportedField)
}
