//! JavaScript bindings. Each export converts its arguments, calls one core
//! function and converts the result; no logic lives here.

use crate::{
    platform_hashes, DateOrder, Error, ErrorCode, Field, IdentityDefinition, NormalizeOptions,
    Profile, Pseudonymizer as CorePseudonymizer, Record, Secret, Subject, TokenColumns, TokenKind,
};
use serde::Deserialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

#[cfg(feature = "identity")]
pub mod identity;
#[cfg(feature = "link")]
pub mod link;
#[cfg(feature = "oblivious")]
pub mod oblivious;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = r#"
/** Wire name of an identifying field. */
export type FieldName =
  | 'email' | 'phone' | 'firstName' | 'lastName' | 'street' | 'city' | 'state'
  | 'postalCode' | 'country' | 'dateOfBirth' | 'gender' | 'companyName' | 'duns'
  | 'webDomain' | 'externalId';

/** Whose normalisation rules apply. */
export type ProfileName = 'pseudolink' | 'uid2' | 'google' | 'meta' | 'tiktok' | 'pinterest' | 'snap' | 'linkedin' | 'pair';

/** Options of `normalize` and `platformHashes`. */
export interface NormalizeOptions {
  /** Default `'pseudolink'`. */
  profile?: ProfileName;
  /** ISO alpha-2 region for national phone numbers, postal codes and states. */
  region?: string;
  /**
   * Day/month order for dates like `03/04/1990`; always wins when set. Without
   * it a date with one valid reading (`2/16/1997`) is read that way, one with
   * two in `region`'s usual order (CLDR: `US` month first, most regions day
   * first), else `date.ambiguous`.
   */
  dateOrder?: 'dmy' | 'mdy' | 'ymd';
}

/** Raw contact fields as typed. Other keys (order data) are ignored. */
export interface ContactRecord {
  email?: string | null; phone?: string | null; firstName?: string | null;
  lastName?: string | null; street?: string | null; city?: string | null;
  state?: string | null; postalCode?: string | null; country?: string | null;
  dateOfBirth?: string | null; gender?: string | null; companyName?: string | null;
  duns?: string | null; webDomain?: string | null; externalId?: string | null;
  [other: string]: unknown;
}

/** Why a field produced no output. Never contains the value. */
export interface FieldError { field: FieldName; code: string; message: string; }

/** A record as one platform wants it. */
export interface PlatformHashes {
  profile: ProfileName;
  /** Platform parameter name → encoded SHA-256 (hex; base64 for UID2). */
  hashes: Record<string, string>;
  /** Parameters the platform takes unhashed (Google's address parts). */
  plain: Record<string, string>;
  errors: FieldError[];
}

/** A secret key for keyed tokens: at least 32 bytes, with an id carried in tokens. */
export interface TokenKeyInput { id: string; secret: Uint8Array; }

/** Part of a composite match key. */
export interface MatchKeyPart {
  field: FieldName;
  take?: 'full' | 'initial' | 'streetNumber' | 'year' | { prefix: number };
}

/** Which fields identify a customer, and which composite keys to derive. */
export interface IdentityDefinition {
  /** 2 adds `unordered` match keys; a version 1 document reads and tokenises as before. */
  version: 1 | 2;
  fields: FieldName[];
  /** `unordered` (version 2): the parts' values are sorted before hashing, so swapped first and last names give the same token. */
  matchKeys?: { name: string; parts: MatchKeyPart[]; unordered?: boolean }[];
  /** ISO alpha-2; also the usual order of dates like `05/02/1984` (US: month first) when `dateOrder` is not set. */
  defaultRegion?: string;
  /** Day/month order of dates of birth; always wins over `defaultRegion` and over the date's only valid reading. */
  dateOrder?: 'dmy' | 'mdy' | 'ymd';
}

/**
 * Tokens of one record. Each token is `pl1.<field>.<keyId>.<tag>` (match keys:
 * `pl1.mk-<name>.<keyId>.<tag>`); `parseToken` reads the parts back.
 */
export interface TokenizeResult { tokens: string[]; matchKeys: string[]; errors: FieldError[]; }

/** The self-described parts of a token. */
export interface TokenInfo { version: string; subject: string; keyId: string; }

/** Errors thrown by pseudolink: `code` is stable (e.g. `'email.missing_at'`). */
export interface PseudolinkError extends Error { code: string; field?: string; }
"#;

// ---------------------------------------------------------------- hostile values
//
// A caller's value can throw on any touch: a getter or `toJSON` that throws, a
// Proxy whose traps throw, a revoked Proxy (even `Array.isArray` throws on
// it). A JS exception that unwinds through wasm frames skips every Rust
// destructor and leaves whatever was half done, so the bindings touch caller
// values only through imports that catch (`Result`): `JSON.stringify`,
// `Reflect.get` and these. Plain js-sys calls (`Array::is_array`, `length`,
// `iter`, `dyn_ref::<Array>`, `instanceof`) are for values we made ourselves.
#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(catch, js_namespace = Array, js_name = isArray)]
    fn is_array_checked(value: &JsValue) -> Result<bool, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ArrayBuffer, js_name = isView)]
    fn is_view_checked(value: &JsValue) -> Result<bool, JsValue>;
}

/// Most elements an array argument may have (a sparse `length = 2**32 - 1`
/// array would otherwise be walked element by element).
pub(crate) const MAX_ARRAY_ITEMS: u32 = 1 << 24;

/// `Array.isArray` that never throws (a revoked Proxy is not an array).
pub(crate) fn is_array(value: &JsValue) -> bool {
    is_array_checked(value).unwrap_or(false)
}

/// A caller's array (or Proxy of one), read element by element through
/// `Reflect.get`: `None` if it is not an array, is longer than
/// [`MAX_ARRAY_ITEMS`], or a read throws.
pub(crate) fn array_items(value: &JsValue) -> Option<Vec<JsValue>> {
    (0..array_len(value)?)
        .map(|i| js_sys::Reflect::get_u32(value, i).ok())
        .collect()
}

/// A caller's array's length (see [`array_items`]).
pub(crate) fn array_len(value: &JsValue) -> Option<u32> {
    if !is_array(value) {
        return None;
    }
    let len = js_sys::Reflect::get(value, &"length".into())
        .ok()?
        .as_f64()?;
    (0.0..=f64::from(MAX_ARRAY_ITEMS))
        .contains(&len)
        .then_some(len as u32)
}

/// A caller's `Uint8Array`, copied into wasm memory (`ArrayBuffer.isView`
/// reads an internal slot, so a Proxy cannot intercept it).
pub(crate) fn bytes_of(value: &JsValue) -> Option<Vec<u8>> {
    if !is_view_checked(value).unwrap_or(false) {
        return None;
    }
    value
        .dyn_ref::<js_sys::Uint8Array>()
        .map(js_sys::Uint8Array::to_vec)
}

/// A caller's string argument (typed `string`): `None` for anything else,
/// without calling its `toString`.
pub(crate) fn string_arg(value: &JsValue) -> Option<String> {
    value.as_string()
}

#[wasm_bindgen]
extern "C" {
    /// The options object of `normalize`/`platformHashes` (TS: `NormalizeOptions`).
    #[wasm_bindgen(typescript_type = "NormalizeOptions")]
    pub type NormalizeOptionsJs;
}

/// Throws a JS `Error` whose `code` and `field` carry the stable code and subject.
fn js_error(e: Error) -> JsValue {
    let err = js_sys::Error::new(&e.to_string());
    err.set_name("PseudolinkError");
    // Setting properties on a fresh Error cannot fail; ignore the Result.
    let _ = js_sys::Reflect::set(&err, &"code".into(), &e.code().as_str().into());
    let _ = js_sys::Reflect::set(&err, &"field".into(), &e.subject().name().into());
    err.into()
}

fn option_error() -> JsValue {
    js_error(Error::new(Subject::Option, ErrorCode::OptionInvalid))
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct OptionsIn {
    profile: Option<String>,
    region: Option<String>,
    date_order: Option<DateOrder>,
}

fn options_from(value: Option<JsValue>) -> Result<NormalizeOptions, JsValue> {
    let Some(value) = value.filter(|v| !v.is_undefined() && !v.is_null()) else {
        return Ok(NormalizeOptions::default());
    };
    // Through JSON text (a catching `JSON.stringify`), not property by
    // property: a throwing getter or Proxy trap becomes `option.invalid`.
    let text = match value.as_string() {
        Some(_) => return Err(option_error()),
        None => json_text(&value).ok_or_else(option_error)?,
    };
    let o: OptionsIn = serde_json::from_str(&text).map_err(|_| option_error())?;
    let mut out = NormalizeOptions::new(match o.profile.as_deref() {
        None => Profile::Pseudolink,
        Some(name) => Profile::from_name(name).ok_or_else(option_error)?,
    });
    if let Some(r) = o.region {
        out.region = Some(crate::Country::parse(&r).ok_or_else(option_error)?);
    }
    out.date_order = o.date_order;
    Ok(out)
}

fn invalid_record() -> JsValue {
    js_error(Error::new(Subject::Record, ErrorCode::RecordInvalid))
}

#[wasm_bindgen]
extern "C" {
    /// The platform's UTF-8 encoder (every browser, Node, workers).
    type TextEncoder;
    #[wasm_bindgen(constructor)]
    fn new() -> TextEncoder;
    #[wasm_bindgen(method)]
    fn encode(this: &TextEncoder, text: &js_sys::JsString) -> js_sys::Uint8Array;
    #[wasm_bindgen(method, js_name = encodeInto)]
    fn encode_into(
        this: &TextEncoder,
        text: &js_sys::JsString,
        into: &js_sys::Uint8Array,
    ) -> EncodedInto;

    /// `encodeInto`'s answer: UTF-16 units read, bytes written.
    type EncodedInto;
    #[wasm_bindgen(method, getter)]
    fn read(this: &EncodedInto) -> u32;
    #[wasm_bindgen(method, getter)]
    fn written(this: &EncodedInto) -> u32;
}

/// A JS string's text, for the large ones (JSON of a batch): one native
/// `TextEncoder.encode` and one copy into wasm memory. wasm-bindgen's own
/// string passing walks an all-ASCII text one `charCodeAt` at a time in
/// JS, which took 184–400 ms for the 42 MB of JSON of the 10k × 10k link in
/// Node, against 7 ms for the encoder (BENCHMARKS.md). Lone surrogates
/// become U+FFFD, as they do through wasm-bindgen.
fn text_of(value: &JsValue) -> Option<String> {
    let s = value.dyn_ref::<js_sys::JsString>()?;
    if cfg!(feature = "perf") {
        return text_encoded_in_place(s);
    }
    // A new encoder per text costs one small object; a cached one would
    // cost the core entry a thread-local's code, which its size budget
    // does not have room for.
    let bytes = TextEncoder::new().encode(s).to_vec();
    String::from_utf8(bytes).ok()
}

/// [`text_of`] for the bulk entry: `TextEncoder.encodeInto` writes the
/// UTF-8 straight into a buffer of wasm memory, with no intermediate
/// `Uint8Array` and no copy (Chromium's `encode` took 60 ms for 18.5 MB of
/// records' JSON, `encodeInto` 10 ms). The buffer is first sized for an
/// ASCII text (one byte per UTF-16 unit); what does not fit is encoded
/// into room for three bytes per unit, UTF-8's most. The buffer is an
/// initialised `Vec` that only this call writes, and the bytes are then
/// checked as UTF-8 like any other input.
fn text_encoded_in_place(s: &js_sys::JsString) -> Option<String> {
    let encoder = TextEncoder::new();
    let mut bytes: Vec<u8> = Vec::new();
    let mut rest = s.clone();
    let mut room = usize::try_from(rest.length()).ok()?;
    loop {
        let start = bytes.len();
        bytes.resize(start.checked_add(room)?, 0);
        let end = bytes.len();
        let at = u32::try_from(bytes.get_mut(start..)?.as_mut_ptr() as usize).ok()?;
        // Taken after the resize: growing the memory detaches older buffers.
        let memory = wasm_bindgen::memory()
            .dyn_into::<js_sys::WebAssembly::Memory>()
            .ok()?;
        let into = js_sys::Uint8Array::new_with_byte_offset_and_length(
            &memory.buffer(),
            at,
            u32::try_from(room).ok()?,
        );
        let done = encoder.encode_into(&rest, &into);
        let written = usize::try_from(done.written()).ok()?;
        bytes.truncate(start.checked_add(written)?.min(end));
        if done.read() >= rest.length() {
            return String::from_utf8(bytes).ok();
        }
        rest = rest.substring(done.read(), rest.length());
        room = usize::try_from(rest.length()).ok()?.checked_mul(3)?;
    }
}

/// JS value → JSON text, in one engine call. `None` for values JSON cannot
/// hold (`undefined`, BigInt, cycles).
fn json_text(value: &JsValue) -> Option<String> {
    // `stringify` gives `undefined` (typed as a string) for what JSON cannot hold.
    text_of(&js_sys::JSON::stringify(value).ok()?.into())
}

/// An argument given as an object or as JSON text, as JSON text: a string
/// is taken as it is, anything else goes through one catching
/// `JSON.stringify` (`bad` when JSON cannot hold it). The one place the
/// bindings accept "object or JSON text".
fn object_or_json(value: &JsValue, bad: impl Fn() -> Error) -> Result<String, JsValue> {
    match text_of(value) {
        Some(s) => Ok(s),
        None => json_text(value).ok_or_else(|| js_error(bad())),
    }
}

fn record_from(value: &JsValue) -> Result<Record, JsValue> {
    if !value.is_object() || is_array(value) {
        return Err(invalid_record());
    }
    let text = json_text(value).ok_or_else(invalid_record)?;
    Record::from_json(&text).map_err(js_error)
}

/// A JS array of records, through one JSON text.
fn record_from_batch(value: &JsValue) -> Result<Vec<Record>, JsValue> {
    if !is_array(value) {
        return Err(invalid_record());
    }
    let text = json_text(value).ok_or_else(invalid_record)?;
    Record::batch_from_json(&text).map_err(js_error)
}

/// Rust value → JS value through JSON text: one `JSON.parse`, which builds
/// thousands of small objects faster than property-by-property conversion.
fn to_js<T: serde::Serialize>(value: &T) -> Result<JsValue, JsValue> {
    let text = serde_json::to_string(value).map_err(|_| invalid_record())?;
    js_sys::JSON::parse(&text).map_err(|_| invalid_record())
}

/// Normalises one value of a field. Throws a `PseudolinkError` with a stable
/// `code` for invalid input; the message never contains the value.
#[wasm_bindgen]
pub fn normalize(
    #[wasm_bindgen(unchecked_param_type = "FieldName")] field: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string")] value: JsValue,
    options: Option<NormalizeOptionsJs>,
) -> Result<String, JsValue> {
    let field = field
        .as_string()
        .and_then(|f| Field::from_name(&f))
        .ok_or_else(option_error)?;
    let opts = options_from(options.map(JsValue::from))?;
    let value = value
        .as_string()
        .ok_or_else(|| js_error(Error::field(field, ErrorCode::WrongType)))?;
    crate::normalize(field, &value, &opts).map_err(js_error)
}

/// A record's SHA-256 hashes with the field names and encoding `profile`'s
/// platform requires (UID2 base64, Google/Meta lowercase hex).
#[wasm_bindgen(js_name = platformHashes, unchecked_return_type = "PlatformHashes")]
pub fn platform_hashes_js(
    #[wasm_bindgen(unchecked_param_type = "ContactRecord")] record: JsValue,
    #[wasm_bindgen(unchecked_param_type = "ProfileName")] profile: JsValue,
    options: Option<NormalizeOptionsJs>,
) -> Result<JsValue, JsValue> {
    let mut opts = options_from(options.map(JsValue::from))?;
    opts.profile = profile
        .as_string()
        .and_then(|p| Profile::from_name(&p))
        .ok_or_else(option_error)?;
    to_js(&platform_hashes(&record_from(&record)?, &opts))
}

/// Fields a profile defines, in wire order.
#[wasm_bindgen(js_name = profileFields, unchecked_return_type = "FieldName[]")]
pub fn profile_fields(
    #[wasm_bindgen(unchecked_param_type = "ProfileName")] profile: JsValue,
) -> Result<Vec<String>, JsValue> {
    let p = profile
        .as_string()
        .and_then(|p| Profile::from_name(&p))
        .ok_or_else(option_error)?;
    Ok(Field::ALL
        .into_iter()
        .filter(|f| crate::supports(p, *f))
        .map(|f| f.name().to_owned())
        .collect())
}

/// Reads a token's version, subject (field name or `mk-<name>`) and key id;
/// `null` if the text is not a token.
#[wasm_bindgen(js_name = parseToken, unchecked_return_type = "TokenInfo | null")]
pub fn parse_token(#[wasm_bindgen(unchecked_param_type = "string")] token: JsValue) -> JsValue {
    let Some(token) = string_arg(&token) else {
        return JsValue::NULL;
    };
    match crate::Token::parse(&token) {
        Some(t) => to_js(&TokenInfoOut {
            version: t.version,
            subject: t.subject,
            key_id: t.key_id,
        })
        .unwrap_or(JsValue::NULL),
        None => JsValue::NULL,
    }
}

#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct TokenInfoOut<'a> {
    version: &'a str,
    subject: &'a str,
    key_id: &'a str,
}

/// The package version.
#[wasm_bindgen]
pub fn version() -> String {
    crate::VERSION.to_owned()
}

/// Keyed, domain-separated tokens (HMAC-SHA-256) for exact matching.
///
/// The secrets are copied into wasm memory, where they are wiped when the
/// object is freed; the caller's `Uint8Array`s remain the caller's to wipe.
#[wasm_bindgen]
pub struct Pseudonymizer {
    inner: CorePseudonymizer,
}

#[wasm_bindgen]
impl Pseudonymizer {
    /// Builds a pseudonymizer from keys (at least one; several during a key
    /// rotation) and an identity definition (object or JSON string).
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "TokenKeyInput[]")] keys: JsValue,
        #[wasm_bindgen(unchecked_param_type = "IdentityDefinition | string")] definition: JsValue,
    ) -> Result<Pseudonymizer, JsValue> {
        let pairs = keys_from(keys)?;
        let definition = definition_from(&definition)?;
        let inner = CorePseudonymizer::new(pairs, definition).map_err(js_error)?;
        Ok(Pseudonymizer { inner })
    }

    /// Ids of the held keys.
    #[wasm_bindgen(getter, js_name = keyIds)]
    pub fn key_ids(&self) -> Vec<String> {
        self.inner.key_ids().map(str::to_owned).collect()
    }

    /// Tokens of one record: `{tokens, matchKeys, errors}`.
    #[wasm_bindgen(unchecked_return_type = "TokenizeResult")]
    pub fn tokenize(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ContactRecord")] record: JsValue,
    ) -> Result<JsValue, JsValue> {
        to_js(&self.inner.tokenize(&record_from(&record)?))
    }

    /// Tokens of many records, in order. Crosses the JS/wasm boundary once
    /// each way, so thousands of records per call are cheap. In
    /// `pseudolink/link` the tokens arrive as one string and each token is a
    /// slice of it (no copy per token), so that string stays in memory while
    /// any token of the batch is kept.
    #[wasm_bindgen(js_name = tokenizeBatch, unchecked_return_type = "TokenizeResult[]")]
    pub fn tokenize_batch(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ContactRecord[]")] records: JsValue,
    ) -> Result<JsValue, JsValue> {
        let records = record_from_batch(&records)?;
        // The results never exist as a Rust value per token: the bulk entry
        // hands over core `TokenColumns` (a string per column) that
        // `tokenize_results` cuts; the size-built entries write JSON text
        // record by record (less code: the core `.wasm` is at its budget).
        if cfg!(feature = "perf") {
            let mut out = TokenColumns::default();
            self.inner
                .tokenize_into(&records, &mut out)
                .map_err(js_error)?;
            let errors = serde_json::to_string(out.all_errors()).map_err(|_| invalid_record())?;
            let (t, m) = (out.tokens(), out.match_keys());
            return Ok(tokenize_results(
                t.data(),
                t.offsets(),
                t.row_offsets(),
                m.data(),
                m.offsets(),
                m.row_offsets(),
                &errors,
            ));
        }
        let mut json = String::with_capacity(records.len().saturating_mul(640) + 2);
        json.push('[');
        for (i, r) in records.iter().enumerate() {
            if i > 0 {
                json.push(',');
            }
            write_tokenized(&self.inner, r, &mut json).map_err(|_| invalid_record())?;
        }
        json.push(']');
        js_sys::JSON::parse(&json).map_err(|_| invalid_record())
    }
}

/// `TokenKeyInput[]` → `(id, secret)` pairs; the secrets are copied into
/// wasm memory, where [`Secret`] wipes them on drop.
fn keys_from(keys: JsValue) -> Result<Vec<(String, Secret)>, JsValue> {
    let key_error = |code| js_error(Error::new(Subject::Keys, code));
    let keys = array_items(&keys).ok_or_else(|| key_error(ErrorCode::KeyMissing))?;
    let mut pairs = Vec::with_capacity(keys.len());
    for k in &keys {
        let id = js_sys::Reflect::get(k, &"id".into())
            .ok()
            .and_then(|v| v.as_string())
            .ok_or_else(|| key_error(ErrorCode::KeyInvalidId))?;
        let bytes = js_sys::Reflect::get(k, &"secret".into())
            .ok()
            .and_then(|v| bytes_of(&v))
            .ok_or_else(|| key_error(ErrorCode::KeyInvalidSecret))?;
        pairs.push((id, Secret::new(bytes).map_err(js_error)?));
    }
    Ok(pairs)
}

/// An identity definition given as an object or as JSON text.
fn definition_from(definition: &JsValue) -> Result<IdentityDefinition, JsValue> {
    let json = object_or_json(definition, || {
        Error::new(Subject::Definition, ErrorCode::DefinitionInvalid)
    })?;
    IdentityDefinition::from_json(&json).map_err(js_error)
}

#[wasm_bindgen(inline_js = r#"
// A batch's `TokenizeResult[]` from its token columns (core `TokenColumns`:
// each column's text, where each token ends, where each record's tokens
// end) and the JSON of each record's errors. Every token is a slice of its
// column's string: no per-token copy or JSON parse. Tokens are ASCII, so
// byte offsets are string offsets.
export function tokenizeResults(tokens, tokenEnds, tokenRows, matchKeys, matchKeyEnds, matchKeyRows, errors) {
  const n = tokenRows.length - 1, out = new Array(n), failed = JSON.parse(errors);
  const cut = (text, ends, rows, i) => {
    const first = rows[i], list = new Array(rows[i + 1] - first);
    for (let j = 0; j < list.length; j++) list[j] = text.slice(ends[first + j], ends[first + j + 1]);
    return list;
  };
  for (let i = 0; i < n; i++) {
    out[i] = {
      tokens: cut(tokens, tokenEnds, tokenRows, i),
      matchKeys: cut(matchKeys, matchKeyEnds, matchKeyRows, i),
      errors: failed[i],
    };
  }
  return out;
}
"#)]
extern "C" {
    /// `TokenizeResult[]` from a [`TokenColumns`]' parts.
    #[wasm_bindgen(js_name = tokenizeResults)]
    fn tokenize_results(
        tokens: &str,
        token_ends: &[i32],
        token_rows: &[i32],
        match_keys: &str,
        match_key_ends: &[i32],
        match_key_rows: &[i32],
        errors: &str,
    ) -> JsValue;
}

/// Writes one record's `{"tokens":[…],"matchKeys":[…],"errors":[…]}` as JSON.
/// Tokens are URL-safe ASCII, so they go between quotes as they are.
fn write_tokenized(p: &CorePseudonymizer, r: &Record, json: &mut String) -> serde_json::Result<()> {
    json.push_str(r#"{"tokens":["#);
    let mut first = true;
    let mut in_match_keys = false;
    let errors = p.tokenize_each(r, |kind, token| {
        if kind == TokenKind::MatchKey && !in_match_keys {
            json.push_str(r#"],"matchKeys":["#);
            in_match_keys = true;
            first = true;
        }
        if !first {
            json.push(',');
        }
        first = false;
        json.push('"');
        json.push_str(token);
        json.push('"');
    });
    if !in_match_keys {
        json.push_str(r#"],"matchKeys":["#);
    }
    json.push_str(r#"],"errors":"#);
    json.push_str(&serde_json::to_string(&errors)?);
    json.push('}');
    Ok(())
}
