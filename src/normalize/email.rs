//! (To be completed.)

use super::NormalizeOptions;
use crate::error::ErrorCode;

pub(crate) fn normalize(_v: &str, _o: &NormalizeOptions) -> Result<String, ErrorCode> {
    Err(ErrorCode::UnsupportedField)
}
