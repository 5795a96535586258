//! (To be completed.)

use super::NormalizeOptions;
use crate::error::ErrorCode;

pub(crate) fn company_name(_v: &str, _o: &NormalizeOptions) -> Result<String, ErrorCode> {
    Err(ErrorCode::UnsupportedField)
}

pub(crate) fn duns(_v: &str, _o: &NormalizeOptions) -> Result<String, ErrorCode> {
    Err(ErrorCode::UnsupportedField)
}

pub(crate) fn web_domain(_v: &str, _o: &NormalizeOptions) -> Result<String, ErrorCode> {
    Err(ErrorCode::UnsupportedField)
}
