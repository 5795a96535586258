//! JavaScript bindings of oblivious tokens (feature `oblivious`, package
//! entry `pseudolink_oblivious`): blinding, verifying and finalising stay in
//! wasm; the network (fetch, batching, progress) is `pkg/oblivious.js`.

use super::{definition_from, js_error, json_text, record_from_batch, string_arg, to_js};
use crate::oblivious::{
    BlindedBatch as CoreBatch, EvaluateResponse, ObliviousClient as CoreClient, PublicKey,
};
use crate::{Error, ErrorCode, Subject};
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(catch, js_namespace = Object, js_name = entries)]
    fn entries_checked(value: &JsValue) -> Result<js_sys::Array, JsValue>;
}

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = r#"
/** Pinned key-server public keys: key version → base64url `pkSm` (32 bytes). */
export type PublicKeys = Record<string, string>;

/** A key server's answer to one request (`POST /v1/evaluate`). */
export interface EvaluateResponse { keyVersion: string; evaluated: string[]; proof: string; }
"#;

/// The wasm half of an oblivious pseudonymizer: normalises and blinds
/// records, then verifies the key server's answers against the pinned keys
/// and finalises them into `po1` tokens.
#[wasm_bindgen]
pub struct ObliviousClient {
    inner: CoreClient,
}

#[wasm_bindgen]
impl ObliviousClient {
    /// A client for an identity definition (object or JSON string) and the
    /// pinned public keys, one per key version (several during a rotation).
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "IdentityDefinition | string")] definition: JsValue,
        #[wasm_bindgen(js_name = publicKeys, unchecked_param_type = "PublicKeys")]
        public_keys: JsValue,
    ) -> Result<ObliviousClient, JsValue> {
        let bad_key = || {
            js_error(Error::new(
                Subject::Keys,
                ErrorCode::ObliviousInvalidPublicKey,
            ))
        };
        let definition = definition_from(&definition)?;
        if !public_keys.is_object() {
            return Err(bad_key());
        }
        let mut pins = Vec::new();
        // `Object.entries` through a catching import: getters and Proxy traps
        // of the caller's object may throw.
        for entry in entries_checked(&public_keys).map_err(|_| bad_key())?.iter() {
            let pair = js_sys::Array::from(&entry);
            let version = pair.get(0).as_string().ok_or_else(bad_key)?;
            let key = pair.get(1).as_string().ok_or_else(bad_key)?;
            pins.push(PublicKey::from_base64url(&version, &key).map_err(js_error)?);
        }
        let inner = CoreClient::new(definition, pins).map_err(js_error)?;
        Ok(ObliviousClient { inner })
    }

    /// The pinned key versions, in order.
    #[wasm_bindgen(getter, js_name = keyVersions)]
    pub fn key_versions(&self) -> Vec<String> {
        self.inner.key_versions().map(str::to_owned).collect()
    }

    /// Normalises and blinds records with fresh randomness (crypto.getRandomValues).
    pub fn blind(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ContactRecord[]")] records: JsValue,
    ) -> Result<BlindedBatch, JsValue> {
        let records = record_from_batch(&records)?;
        let inner = self
            .inner
            .blind(&records, &mut rand_core::OsRng)
            .map_err(js_error)?;
        Ok(BlindedBatch { inner })
    }

    /// Verifies the answers (one per pinned version) and finalises them into
    /// `{tokens, matchKeys, errors}` per record. Throws `oblivious.verification_failed`
    /// for an answer whose proof fails, `oblivious.invalid_response` for a malformed one.
    #[wasm_bindgen(unchecked_return_type = "TokenizeResult[]")]
    pub fn finalize(
        &self,
        batch: &BlindedBatch,
        #[wasm_bindgen(unchecked_param_type = "EvaluateResponse[]")] responses: JsValue,
    ) -> Result<JsValue, JsValue> {
        let invalid = || {
            js_error(Error::new(
                Subject::Response,
                ErrorCode::ObliviousInvalidResponse,
            ))
        };
        let text = json_text(&responses).ok_or_else(invalid)?;
        let responses: Vec<EvaluateResponse> =
            serde_json::from_str(&text).map_err(|_| invalid())?;
        let out = self
            .inner
            .finalize(&batch.inner, &responses)
            .map_err(js_error)?;
        to_js(&out)
    }
}

/// Blinded records waiting for the key server. The blinds live in wasm memory
/// and are wiped when the object is freed.
#[wasm_bindgen]
pub struct BlindedBatch {
    inner: CoreBatch,
}

#[wasm_bindgen]
impl BlindedBatch {
    /// Elements per request (0: nothing to send).
    #[wasm_bindgen(getter)]
    pub fn size(&self) -> usize {
        self.inner.len()
    }

    /// The JSON body of `POST /v1/evaluate` for one key version.
    #[wasm_bindgen(js_name = requestBody)]
    pub fn request_body(
        &self,
        #[wasm_bindgen(js_name = keyVersion, unchecked_param_type = "string")] key_version: JsValue,
    ) -> Result<String, JsValue> {
        let key_version = string_arg(&key_version)
            .ok_or_else(|| js_error(Error::new(Subject::Keys, ErrorCode::KeyInvalidId)))?;
        // A struct of strings always serialises.
        Ok(serde_json::to_string(&self.inner.request(&key_version)).unwrap_or_default())
    }
}
