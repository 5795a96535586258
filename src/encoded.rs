//! [`EncodedRecord`]: what the encoder makes and the linker and the
//! identity graph read (keyed tokens, match keys, CLKs), with its JSON
//! form. It sits below both, so the encoder does not import from `link`.

use crate::error::{Error, ErrorCode, Subject};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A pseudonymised record as the portal and JS API hand it over: keyed tokens,
/// match-key tokens and CLKs (standard base64) by field wire name, plus
/// `record` for the combined record CLK.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EncodedRecord {
    /// The business's key for the record (unique within its dataset).
    pub id: String,
    /// Field tokens, `pl1.<field>.<keyId>.<tag>`.
    #[serde(default)]
    pub tokens: Vec<String>,
    /// Match-key tokens, `pl1.mk-<name>.<keyId>.<tag>`.
    #[serde(default)]
    pub match_keys: Vec<String>,
    /// CLKs by field wire name (and `record`), standard padded base64.
    #[serde(default, with = "clk_base64")]
    pub clks: BTreeMap<String, Vec<u8>>,
}

/// CLKs cross JSON as standard base64 text, as clkhash writes them.
pub(crate) mod clk_base64 {
    use crate::encoding::{base64_std, base64_std_decode};
    use serde::de::Error as _;
    use serde::{Deserialize, Deserializer, Serializer};
    use std::collections::BTreeMap;

    pub fn serialize<S: Serializer>(
        m: &BTreeMap<String, Vec<u8>>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        s.collect_map(m.iter().map(|(k, v)| (k, base64_std(v))))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<BTreeMap<String, Vec<u8>>, D::Error> {
        let text = BTreeMap::<String, String>::deserialize(d)?;
        text.into_iter()
            .map(|(k, v)| match base64_std_decode(&v) {
                Some(bytes) => Ok((k, bytes)),
                // The code only: never the value.
                None => Err(D::Error::custom("link.bad_base64")),
            })
            .collect()
    }
}

impl EncodedRecord {
    /// Parses one record from JSON; a CLK that is not base64 is
    /// `link.bad_base64`, anything else malformed is `record.invalid`.
    pub fn from_json(json: &str) -> Result<Self, Error> {
        serde_json::from_str(json).map_err(json_error)
    }

    /// Parses a JSON array of records (see [`EncodedRecord::from_json`]).
    pub fn many_from_json(json: &str) -> Result<Vec<Self>, Error> {
        serde_json::from_str(json).map_err(json_error)
    }
}

fn json_error(e: serde_json::Error) -> Error {
    // serde_json's message may quote input; only our own code is inspected.
    let code = if e.to_string().starts_with("link.bad_base64") {
        ErrorCode::LinkBadBase64
    } else {
        ErrorCode::RecordInvalid
    };
    Error::new(Subject::Record, code)
}
