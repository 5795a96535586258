//! Dates of birth, to `YYYYMMDD`. (To be completed.)

use super::NormalizeOptions;
use crate::error::ErrorCode;

/// Order of day and month in dates written with separators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DateOrder {
    /// `31/12/1990`
    Dmy,
    /// `12/31/1990`
    Mdy,
    /// `1990/12/31`
    Ymd,
}

pub(crate) fn date_of_birth(_v: &str, _o: &NormalizeOptions) -> Result<String, ErrorCode> {
    Err(ErrorCode::UnsupportedField)
}
