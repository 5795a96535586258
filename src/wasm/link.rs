//! JavaScript bindings of CLK encoding and linking (feature `link`, package
//! entry `pseudolink_link`, a superset of the core entry). Records, encodings
//! and results cross as JSON text; progress goes to an optional callback.

use super::{
    array_items, array_len, bytes_of, definition_from, invalid_record, is_array, js_error,
    json_text, keys_from, object_or_json, record_from, to_js,
};
use crate::link::{
    EncodedRecord, LinkConfig, Linker as CoreLinker, ModelParams, Records, TransferView,
    TransferWriter,
};
use crate::{
    check_clk_secret, ClkEncoder as CoreClkEncoder, ClkSchema, Error, ErrorCode, Hardening,
    Pseudonymizer as CorePseudonymizer, Record, RecordEncoder as CoreRecordEncoder, RowError,
    Subject, DEFAULT_CLK_SCHEMA,
};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = r#"
/** A clkhash linkage schema, version 3 (see clkhash's documentation). */
export interface LinkageSchema {
  version: 3;
  clkConfig: { l: number; xor_folds?: number; kdf: { type: 'HKDF'; hash?: 'SHA256' | 'SHA512'; salt?: string; info?: string; keySize?: number } };
  features: Array<{ identifier: string; ignored?: boolean; format?: object; hashing?: object }>;
}

/** Progress of long work: `stage` names the step, `done` of `total` units. */
export interface LinkProgress { stage: string; done: number; total: number; }

/** Options of the batch calls. */
export interface BatchOptions { onProgress?: (p: LinkProgress) => void; }

/** A pseudonymised record: what a linker reads. No raw value is in it. */
export interface EncodedRecord {
  /** The business's own key for the record (unique within its dataset). */
  id: string;
  /** Field tokens `pl1.<field>.<keyId>.<tag>` (or oblivious `po1.…`). */
  tokens: string[];
  /** Match-key tokens `pl1.mk-<name>.<keyId>.<tag>`. */
  matchKeys: string[];
  /** CLKs by field wire name, plus `record` for all features in one filter; standard base64. */
  clks: Record<string, string>;
}

/** An encoded record with the fields that could not be used (codes, never values). */
export interface EncodedRecordResult extends EncodedRecord { errors: FieldError[]; }

/** A contact record for `RecordEncoder`: the fields, plus an optional id. */
export type IdentifiedRecord = ContactRecord & { id?: string | number };

/**
 * Hardening of every CLK (each field's and the record's), all parts optional;
 * without it the CLKs are clkhash's. Applied in this order: salt, balance, diffuse.
 * Both linking parties must use the same hardening and CLK secret.
 */
export interface ClkHardening {
  /** Balanced filters: `π(f ‖ ¬f)`, twice the bits, exactly half set. */
  balanced?: boolean;
  /** A schema feature (field wire name, e.g. `'dateOfBirth'`) whose value salts each record's CLKs. */
  saltFeature?: string | null;
  /** Diffusion layer: every output bit the XOR of this many (2–32) keyed input bits; same length. */
  diffusion?: number | null;
}

/** Options of `RecordEncoder`: CLKs are made when a schema is given (default: tokens only). */
export interface RecordEncoderOptions {
  /** A linkage schema whose features are field wire names, or `'default'` for `DEFAULT_CLK_SCHEMA`. */
  clkSchema?: LinkageSchema | string;
  /** The CLK secret shared by the linking parties (at least 16 bytes). */
  clkSecret?: Uint8Array;
  /** CLK hardening (needs `clkSchema`); a bad option throws `option.invalid`. */
  hardening?: ClkHardening;
}

/** One comparison of a link configuration. */
export interface Comparison {
  name: string;
  /** `group`: whether every comparison of `group` with data disagrees (levels `allDisagree`, `someAgree`); when all do, they weigh as this one joint event. */
  kind: 'token' | 'clk' | 'group';
  /** Token subject (`email`, `mk-nameDob`) or CLK key (`firstName`, `record`). */
  source: string;
  /** CLK: Dice thresholds, strictly descending. */
  thresholds?: number[];
  /** Token: adjust agreement by the token's frequency. */
  tfAdjustment?: boolean;
  /** CLK: a token subject (`'nickname'`) whose agreement lifts the pair to the level below the top. */
  nickname?: string;
  /** Group: names of earlier token or CLK comparisons (`moved`: street, city, postalCode, phone). Token: the earlier comparisons it stands in for when they all disagree (`swapped`: firstName, lastName). */
  group?: string[];
}

/** Linker settings; every part has a default. */
export interface LinkConfig {
  /** Left at the defaults, a linker adds a comparison for every other token subject and CLK key both inputs carry (see `stats.builtComparisons`). */
  comparisons?: Comparison[];
  /** With the default comparisons: add the data's own (default true). */
  comparisonsFromData?: boolean;
  /** Candidate pairs. Default: exact `email`, `phone`, `dateOfBirth`, `lastName`, `firstName`, `street` and every match key (`mk-*`); LSH on the `record` CLK and on each name's CLK. */
  blocking?: {
    exactSubjects?: string[];
    maxBlockPairs?: number;
    lsh?: Array<{ clk: string; bands?: number; bitsPerBand?: number; randomPairsPerRecord?: number; seed?: number; also?: string[] }>;
  };
  /** Probability at or above which a pair is a link (default 0.5). */
  threshold?: number;
  oneToOne?: boolean;
  onePerSource?: boolean;
  maxClusterSize?: number;
  /** How `dedupe`/`linkMany` cluster (default `'chainGuard'`). */
  clustering?: 'chainGuard' | 'components' | 'bestLink' | 'pivot';
  /** Lower bound of a term-frequency adjusted u (default 1e-6). */
  tfMinimumU?: number;
  /** Attach an explanation to every link (default true). */
  explainLinks?: boolean;
  em?: { maxIterations?: number; tolerance?: number; uSamplePairs?: number; seed?: number };
  /** Fewest records a job trains EM on (default 200); smaller jobs without params are scored by the shipped day-one model. */
  minTrainingRecords?: number;
}

/** Fellegi–Sunter parameters: save them as JSON, load them with `setParams`. */
export interface ModelParams {
  version: number;
  /** Prior probability that a candidate pair is a match. */
  prior: number;
  comparisons: Array<{ name: string; levels: Array<{ label: string; m: number; u: number }> }>;
}

/** One comparison's part of a match weight: a bar of a waterfall chart. */
export interface Contribution {
  comparison: string;
  /** `agree`, `disagree`, `dice≥0.85`, …, `nickname` (nickname tokens agree), or the string `'null'` (missing on either side: weighs 0). */
  level: string;
  /** CLK comparisons: the Dice similarity. */
  similarity: number | null;
  /** log2(m/u) in bits, term-frequency adjustment included. */
  matchWeight: number;
  tfAdjustment: number;
}

/** Why a pair scores as it does: prior + contributions = match weight. */
export interface Explanation {
  priorWeight: number;
  contributions: Contribution[];
  matchWeight: number;
  probability: number;
}

export interface Link { a: string; b: string; probability: number; matchWeight: number; explanation?: Explanation; }

export interface LinkStats {
  records: number; candidatePairs: number; totalPairs: number; reductionRatio: number;
  comparisons: number; emIterations: number; trained: boolean;
  /** EM's fit looked like neighbours, not customers (files with nothing in common): no links, nothing kept. */
  implausibleModel: boolean;
  /** Which model scored: the shipped day-one model, EM on the data, or `setParams`. */
  model: ModelSource;
  /** The comparisons the job used and why: `default`, `data` (both inputs carry the token subject or CLK key) or `given`. */
  builtComparisons: Array<{ name: string; kind: 'token' | 'clk' | 'group'; source: 'default' | 'data' | 'given' }>;
}

/** Which model scored a job. */
export type ModelSource = 'prior' | 'trained' | 'given';

/**
 * Encoded records in the binary transfer form: one buffer of interned token
 * heads, 32-byte tags and CLK bytes (layout `PLEB` v1, see ARCHITECTURE.md).
 * `link`, `dedupe`, `linkMany` and the identity graph's `addEncoded` and
 * `linkEncoded` take it instead of `EncodedRecord[]`, without JSON.
 */
export type EncodedBatch = Uint8Array;

/** What `RecordEncoder.encodeBatchBinary` returns: the records as one buffer, and each record's field errors. */
export interface EncodedBatchResult { records: EncodedBatch; errors: FieldError[][]; }

export interface LinkResult { links: Link[]; params: ModelParams; stats: LinkStats; }
export interface DedupeResult { clusters: string[][]; links: Link[]; params: ModelParams; stats: LinkStats; }
export interface EntitiesResult { entities: Array<Array<{ source: number; id: string }>>; links: Link[]; params: ModelParams; stats: LinkStats; }
"#;

#[wasm_bindgen]
extern "C" {
    /// `{onProgress?}`: optional wherever it is taken.
    #[wasm_bindgen(typescript_type = "BatchOptions")]
    pub type BatchOptionsJs;
    /// `RecordEncoderOptions`.
    #[wasm_bindgen(typescript_type = "RecordEncoderOptions")]
    pub type RecordEncoderOptionsJs;
    /// `LinkConfig | string` (JSON text).
    #[wasm_bindgen(typescript_type = "LinkConfig | string")]
    pub type LinkConfigJs;
}

/// An optional argument as the `JsValue` the binding always read (`undefined`
/// when absent; `null` stays `null`), so optional typing changes nothing at run time.
pub(super) fn arg(value: Option<impl Into<JsValue>>) -> JsValue {
    value.map(Into::into).unwrap_or(JsValue::UNDEFINED)
}

/// The default CLK schema (names, street, city, postal code, date of birth)
/// as JSON text.
#[wasm_bindgen(js_name = defaultClkSchema)]
pub fn default_clk_schema() -> String {
    DEFAULT_CLK_SCHEMA.to_owned()
}

/// Calls `onProgress({stage, done, total})` when the options carry one.
pub(super) struct ProgressSink(Option<js_sys::Function>);

impl ProgressSink {
    pub(super) fn from_options(options: &JsValue) -> Self {
        if !options.is_object() {
            return ProgressSink(None);
        }
        ProgressSink(
            js_sys::Reflect::get(options, &"onProgress".into())
                .ok()
                .and_then(|f| f.dyn_into::<js_sys::Function>().ok()),
        )
    }

    pub(super) fn report(&self, stage: &str, done: usize, total: usize) {
        let Some(f) = &self.0 else { return };
        let p = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&p, &"stage".into(), &stage.into());
        let _ = js_sys::Reflect::set(&p, &"done".into(), &(done as f64).into());
        let _ = js_sys::Reflect::set(&p, &"total".into(), &(total as f64).into());
        // A throwing callback must not abort the work; its error is dropped.
        let _ = f.call1(&JsValue::NULL, &p);
    }

    /// Reports at most every `step` units, and always the last one.
    fn throttled(&self, stage: &str, done: usize, total: usize, step: usize) {
        if done == total || done.is_multiple_of(step.max(1)) {
            self.report(stage, done, total);
        }
    }
}

fn schema_from(value: &JsValue) -> Result<ClkSchema, JsValue> {
    let text = match value.as_string() {
        Some(s) if s == "default" => DEFAULT_CLK_SCHEMA.to_owned(),
        _ => object_or_json(value, || {
            Error::new(Subject::Schema, ErrorCode::SchemaInvalidJson)
        })?,
    };
    ClkSchema::from_json(&text).map_err(js_error)
}

/// `{balanced?, saltFeature?, diffusion?}` (object or JSON text); absent: none.
fn hardening_from(value: &JsValue) -> Result<Hardening, JsValue> {
    if value.is_undefined() || value.is_null() {
        return Ok(Hardening::default());
    }
    let bad = || Error::new(Subject::Option, ErrorCode::OptionInvalid);
    if !(value.is_string() || value.is_object()) {
        return Err(js_error(bad()));
    }
    Hardening::from_json(&object_or_json(value, bad)?).map_err(js_error)
}

fn secret_from(value: &JsValue) -> Result<Vec<u8>, JsValue> {
    bytes_of(value).ok_or_else(|| js_error(Error::new(Subject::Keys, ErrorCode::KeyInvalidSecret)))
}

/// A JS array of strings (one CLK row).
fn row_from(value: &JsValue) -> Result<Vec<String>, JsValue> {
    let bad = || js_error(Error::new(Subject::Record, ErrorCode::ClkRowLength));
    let items = array_items(value).ok_or_else(bad)?;
    items
        .iter()
        .map(|v| v.as_string().ok_or_else(bad))
        .collect()
}

/// Clkhash-compatible Bloom-filter encodings (CLKs) under a linkage schema
/// and a secret. The derived keys live in wasm memory, wiped when freed.
#[wasm_bindgen]
pub struct ClkEncoder {
    inner: CoreClkEncoder,
}

#[wasm_bindgen]
impl ClkEncoder {
    /// An encoder for a linkage schema (object, JSON text or `'default'`)
    /// and the shared secret.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "LinkageSchema | string")] schema: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Uint8Array")] secret: JsValue,
    ) -> Result<ClkEncoder, JsValue> {
        let schema = schema_from(&schema)?;
        let secret = zeroize::Zeroizing::new(secret_from(&secret)?);
        let inner = CoreClkEncoder::new(&schema, &secret).map_err(js_error)?;
        Ok(ClkEncoder { inner })
    }

    /// Bits per CLK.
    #[wasm_bindgen(getter, js_name = outputBits)]
    pub fn output_bits(&self) -> usize {
        self.inner.output_bits()
    }

    /// The record CLK of one row (one string per schema feature, ignored
    /// features included), base64 as clkhash serialises it.
    pub fn encode(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string[]")] row: JsValue,
    ) -> Result<String, JsValue> {
        let row = row_from(&row)?;
        Ok(self.inner.encode(&row).map_err(js_error)?.to_base64())
    }

    /// One CLK per non-ignored feature (`null` where a value is missing).
    #[wasm_bindgen(js_name = encodeFeatures, unchecked_return_type = "(string | null)[]")]
    pub fn encode_features(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string[]")] row: JsValue,
    ) -> Result<JsValue, JsValue> {
        let row = row_from(&row)?;
        let clks = self.inner.encode_features(&row).map_err(js_error)?;
        let out: Vec<Option<String>> = clks
            .iter()
            .map(|c| c.as_ref().map(|c| c.to_base64()))
            .collect();
        to_js(&out)
    }

    /// Record CLKs of many rows. A bad row throws with its index in `row`.
    #[wasm_bindgen(js_name = encodeBatch, unchecked_return_type = "string[]")]
    pub fn encode_batch(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string[][]")] rows: JsValue,
        options: Option<BatchOptionsJs>,
    ) -> Result<JsValue, JsValue> {
        let sink = ProgressSink::from_options(&arg(options));
        let text = json_text(&rows).ok_or_else(invalid_record)?;
        let rows: Vec<Vec<String>> = serde_json::from_str(&text)
            .map_err(|_| js_error(Error::new(Subject::Record, ErrorCode::ClkRowLength)))?;
        let clks = self
            .inner
            .encode_batch(&rows, |done, total| {
                sink.throttled("encode", done, total, 1000)
            })
            .map_err(|e| {
                let err = js_error(e.error);
                let _ = js_sys::Reflect::set(&err, &"row".into(), &(e.row as f64).into());
                err
            })?;
        let out: Vec<String> = clks.iter().map(|c| c.to_base64()).collect();
        to_js(&out)
    }
}

/// Turns contact records into encoded records: keyed tokens, match keys and
/// (with a CLK schema) one CLK per field plus the record CLK.
#[wasm_bindgen]
pub struct RecordEncoder {
    inner: CoreRecordEncoder,
}

#[wasm_bindgen]
impl RecordEncoder {
    /// Token keys (as for `Pseudonymizer`), an identity definition, and
    /// optionally `{clkSchema, clkSecret, hardening}` for fuzzy encodings.
    /// With a `clkSchema`, `keys` may be `[]`: a CLK-only encoder (no
    /// tokens or match keys; e.g. next to oblivious tokens).
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "TokenKeyInput[]")] keys: JsValue,
        #[wasm_bindgen(unchecked_param_type = "IdentityDefinition | string")] definition: JsValue,
        options: Option<RecordEncoderOptionsJs>,
    ) -> Result<RecordEncoder, JsValue> {
        let options = arg(options);
        let keys = keys_from(keys)?;
        let definition = definition_from(&definition)?;
        let get = |k: &str| {
            if options.is_object() {
                js_sys::Reflect::get(&options, &k.into()).unwrap_or(JsValue::UNDEFINED)
            } else {
                JsValue::UNDEFINED
            }
        };
        let schema = get("clkSchema");
        let hardening = get("hardening");
        let inner = if schema.is_undefined() || schema.is_null() {
            if !(hardening.is_undefined() || hardening.is_null()) {
                return Err(js_error(Error::new(
                    Subject::Option,
                    ErrorCode::OptionInvalid,
                )));
            }
            CoreRecordEncoder::new(CorePseudonymizer::new(keys, definition).map_err(js_error)?)
        } else {
            let hardening = hardening_from(&hardening)?;
            let secret = zeroize::Zeroizing::new(secret_from(&get("clkSecret"))?);
            check_clk_secret(&secret).map_err(js_error)?;
            let schema = schema_from(&schema)?;
            if keys.is_empty() {
                CoreRecordEncoder::clks_only(definition, &schema, &secret, &hardening)
            } else {
                let p = CorePseudonymizer::new(keys, definition).map_err(js_error)?;
                CoreRecordEncoder::with_hardened_clks(p, &schema, &secret, &hardening)
            }
            .map_err(js_error)?
        };
        Ok(RecordEncoder { inner })
    }

    /// Encodes one record; its `id` (string or number) is kept, default `"0"`.
    #[wasm_bindgen(unchecked_return_type = "EncodedRecordResult")]
    pub fn encode(
        &self,
        #[wasm_bindgen(unchecked_param_type = "IdentifiedRecord")] record: JsValue,
    ) -> Result<JsValue, JsValue> {
        let id = id_of(&record, 0);
        to_js(&self.inner.encode(&id, &record_from(&record)?))
    }

    /// Encodes many records, in order; a record without an `id` gets its index.
    #[wasm_bindgen(js_name = encodeBatch, unchecked_return_type = "EncodedRecordResult[]")]
    pub fn encode_batch(
        &self,
        #[wasm_bindgen(unchecked_param_type = "IdentifiedRecord[]")] records: JsValue,
        options: Option<BatchOptionsJs>,
    ) -> Result<JsValue, JsValue> {
        to_js(&self.encode_all(&records, options)?)
    }

    /// `encodeBatch` with the records in the binary transfer form (one
    /// `Uint8Array`, for `Linker.link`/`dedupe`/`linkMany` and the identity
    /// graph without JSON) and each record's field errors beside them.
    #[wasm_bindgen(js_name = encodeBatchBinary, unchecked_return_type = "EncodedBatchResult")]
    pub fn encode_batch_binary(
        &self,
        #[wasm_bindgen(unchecked_param_type = "IdentifiedRecord[]")] records: JsValue,
        options: Option<BatchOptionsJs>,
    ) -> Result<JsValue, JsValue> {
        let out = self.encode_all(&records, options)?;
        let (records, errors): (Vec<EncodedRecord>, Vec<_>) =
            out.into_iter().map(|e| (e.record, e.errors)).unzip();
        let bytes = EncodedRecord::many_to_bytes(&records).map_err(js_error)?;
        let result = js_sys::Object::new();
        let _ = js_sys::Reflect::set(
            &result,
            &"records".into(),
            &js_sys::Uint8Array::from(&bytes[..]),
        );
        let _ = js_sys::Reflect::set(&result, &"errors".into(), &to_js(&errors)?);
        Ok(result.into())
    }
}

impl RecordEncoder {
    fn encode_all(
        &self,
        records: &JsValue,
        options: Option<BatchOptionsJs>,
    ) -> Result<Vec<crate::Encoded>, JsValue> {
        let sink = ProgressSink::from_options(&arg(options));
        let items = array_items(records).ok_or_else(invalid_record)?;
        let ids: Vec<String> = items.iter().enumerate().map(|(i, r)| id_of(r, i)).collect();
        let text = json_text(records).ok_or_else(invalid_record)?;
        let recs = Record::batch_from_json(&text).map_err(js_error)?;
        let pairs: Vec<(String, Record)> = ids.into_iter().zip(recs).collect();
        Ok(self.inner.encode_batch(&pairs, |done, total| {
            sink.throttled("encode", done, total, 1000)
        }))
    }
}

/// Encoded records (`EncodedRecord[]`) in the binary transfer form, for
/// `Linker` and the identity graph (a token that is not well formed:
/// `link.bad_token`; a bad record: `record.invalid` with `.row`).
#[wasm_bindgen(js_name = encodedToBinary, unchecked_return_type = "EncodedBatch")]
pub fn encoded_to_binary(
    #[wasm_bindgen(unchecked_param_type = "EncodedRecord[]")] records: JsValue,
) -> Result<JsValue, JsValue> {
    let records = json_encoded(&records)?;
    let bytes = EncodedRecord::many_to_bytes(&records).map_err(js_error)?;
    Ok(js_sys::Uint8Array::from(&bytes[..]).into())
}

/// The records of a binary transfer buffer as `EncodedRecord[]` (JSON form,
/// for export): `transfer.not_encoded`, `transfer.version` or
/// `transfer.malformed` for bytes that are not one.
#[wasm_bindgen(js_name = encodedFromBinary, unchecked_return_type = "EncodedRecord[]")]
pub fn encoded_from_binary(
    #[wasm_bindgen(unchecked_param_type = "EncodedBatch")] data: JsValue,
) -> Result<JsValue, JsValue> {
    let bytes = bytes_of(&data).ok_or_else(not_encoded)?;
    to_js(&EncodedRecord::many_from_bytes(&bytes).map_err(js_error)?)
}

/// A record's `id` property as text (numbers too), else its position.
fn id_of(record: &JsValue, index: usize) -> String {
    let v = js_sys::Reflect::get(record, &"id".into()).unwrap_or(JsValue::UNDEFINED);
    v.as_string()
        .or_else(|| v.as_f64().map(|n| n.to_string()))
        .unwrap_or_else(|| index.to_string())
}

fn not_encoded() -> JsValue {
    js_error(Error::new(Subject::Record, ErrorCode::TransferNotEncoded))
}

/// A typed error with the index of the element it is about.
pub(super) fn error_at(e: Error, row: usize) -> JsValue {
    let err = js_error(e);
    let _ = js_sys::Reflect::set(&err, &"row".into(), &(row as f64).into());
    err
}

/// Elements per `JSON.stringify` (and core parse) when an array of objects
/// crosses: no text of a whole large batch is built (one text of 300,000
/// encoded records would pass V8's string limit).
pub(super) const JSON_CHUNK: u32 = 2_000;

/// Elements `start..end` of a caller's JS array through one JSON text,
/// parsed by `parse`, which names the bad element (`row` of the error: its
/// index in the whole array). Elements are read one by one through a
/// catching `Reflect.get` into an array of our own (a caller's array may be
/// a Proxy or have getters); only when the text cannot be made (a throwing
/// `toJSON`) is each element stringified alone to find which.
pub(super) fn parse_chunk<T>(
    arr: &JsValue,
    start: u32,
    end: u32,
    parse: &mut dyn FnMut(&str) -> Result<T, RowError>,
    bad: fn() -> Error,
) -> Result<T, JsValue> {
    let chunk = js_sys::Array::new();
    for i in start..end {
        let item = js_sys::Reflect::get_u32(arr, i).map_err(|_| error_at(bad(), i as usize))?;
        chunk.push(&item);
    }
    if let Some(text) = json_text(&chunk) {
        return parse(&text).map_err(|e| error_at(e.error, start as usize + e.row));
    }
    for i in start..end {
        if json_text(&js_sys::Array::of1(&chunk.get(i - start))).is_none() {
            return Err(error_at(bad(), i as usize));
        }
    }
    Err(error_at(bad(), start as usize))
}

/// A whole JS array in chunks of [`JSON_CHUNK`] (see [`parse_chunk`]),
/// each chunk's text handed to `parse`.
fn each_chunk(
    value: &JsValue,
    parse: &mut dyn FnMut(&str) -> Result<(), RowError>,
    bad: fn() -> Error,
) -> Result<(), JsValue> {
    let len = array_len(value).ok_or_else(|| js_error(bad()))?;
    let mut start = 0;
    while start < len {
        let end = len.min(start.saturating_add(JSON_CHUNK));
        parse_chunk(value, start, end, parse, bad)?;
        start = end;
    }
    Ok(())
}

/// A whole JS array of `T` in chunks of [`JSON_CHUNK`] (see [`parse_chunk`]).
pub(super) fn parse_array<T>(
    value: &JsValue,
    parse: &dyn Fn(&str) -> Result<Vec<T>, RowError>,
    bad: fn() -> Error,
) -> Result<Vec<T>, JsValue> {
    let mut out = Vec::new();
    let mut add = |text: &str| {
        out.extend(parse(text)?);
        Ok(())
    };
    each_chunk(value, &mut add, bad)?;
    Ok(out)
}

/// `EncodedRecord[]`, chunk by chunk, written straight into the binary
/// transfer form (no owned record is built: [`TransferWriter::push_json_rows`]).
fn json_to_transfer(value: &JsValue) -> Result<Vec<u8>, JsValue> {
    let mut writer = TransferWriter::new();
    each_chunk(
        value,
        &mut |text| writer.push_json_rows(text).map(|_| ()),
        record_invalid,
    )?;
    writer.finish().map_err(js_error)
}

fn record_invalid() -> Error {
    Error::new(Subject::Record, ErrorCode::RecordInvalid)
}

/// `EncodedRecord[]`, chunk by chunk.
fn json_encoded(value: &JsValue) -> Result<Vec<EncodedRecord>, JsValue> {
    parse_array(value, &EncodedRecord::many_from_json_rows, record_invalid)
}

/// `EncodedRecord[] | EncodedBatch`: a `Uint8Array` is the binary transfer
/// form, an array the JSON form (a bad record throws with `.row`). For the
/// identity graph; the `Linker` reads a buffer in place ([`LinkerInput`]).
#[cfg(feature = "identity")]
pub(super) fn encoded_from(value: &JsValue) -> Result<Vec<EncodedRecord>, JsValue> {
    if let Some(bytes) = bytes_of(value) {
        return EncodedRecord::many_from_bytes(&bytes).map_err(js_error);
    }
    if !is_array(value) {
        return Err(invalid_record());
    }
    json_encoded(value)
}

/// A `Linker` argument `EncodedRecord[] | EncodedBatch`, read into the
/// binary transfer form: the caller's bytes (copied out of the
/// `Uint8Array`), or the JSON form written into one
/// ([`json_to_transfer`]). The linker reads either in place through a
/// [`TransferView`], so both forms take one path from here on.
struct LinkerInput(Vec<u8>);

impl LinkerInput {
    /// Reads one argument (a bad JSON record throws with `.row`).
    fn read(value: &JsValue) -> Result<Self, JsValue> {
        if let Some(bytes) = bytes_of(value) {
            return Ok(LinkerInput(bytes));
        }
        if !is_array(value) {
            return Err(invalid_record());
        }
        Ok(LinkerInput(json_to_transfer(value)?))
    }

    /// Checks the buffer (the `transfer.*` errors of `encodedFromBinary`).
    fn check(&self) -> Result<TransferView<'_>, JsValue> {
        TransferView::parse(&self.0).map_err(js_error)
    }
}

fn one_encoded(value: &JsValue) -> Result<EncodedRecord, JsValue> {
    let text = json_text(value).ok_or_else(invalid_record)?;
    EncodedRecord::from_json(&text).map_err(js_error)
}

/// Links, deduplicates and explains encoded records with a Fellegi–Sunter
/// model it trains on the data by EM (no labels), or with saved parameters.
#[wasm_bindgen]
pub struct Linker {
    inner: CoreLinker,
}

#[wasm_bindgen]
impl Linker {
    /// A linker with a configuration (object or JSON text; every part has a
    /// default).
    #[wasm_bindgen(constructor)]
    pub fn new(config: Option<LinkConfigJs>) -> Result<Linker, JsValue> {
        let config = arg(config);
        let config = if config.is_undefined() || config.is_null() {
            LinkConfig::default()
        } else {
            let bad = || Error::new(Subject::Link, ErrorCode::LinkBadConfig);
            LinkConfig::from_json(&object_or_json(&config, bad)?).map_err(js_error)?
        };
        Ok(Linker {
            inner: CoreLinker::new(config).map_err(js_error)?,
        })
    }

    /// The configuration in use (with defaults filled in).
    #[wasm_bindgen(getter, unchecked_return_type = "LinkConfig")]
    pub fn config(&self) -> Result<JsValue, JsValue> {
        to_js(self.inner.config())
    }

    /// The model parameters: trained by the first job, or loaded; `null` before.
    #[wasm_bindgen(getter, unchecked_return_type = "ModelParams | null")]
    pub fn params(&self) -> Result<JsValue, JsValue> {
        match self.inner.params() {
            Some(p) => to_js(p),
            None => Ok(JsValue::NULL),
        }
    }

    /// Loads saved parameters (object or JSON text); later jobs reuse them.
    #[wasm_bindgen(js_name = setParams)]
    pub fn set_params(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "ModelParams | string")] params: JsValue,
    ) -> Result<(), JsValue> {
        let bad = || Error::new(Subject::Link, ErrorCode::LinkBadParams);
        let text = object_or_json(&params, bad)?;
        let params: ModelParams = serde_json::from_str(&text).map_err(|_| js_error(bad()))?;
        self.inner.set_params(params).map_err(js_error)
    }

    /// Forgets the parameters: the next job trains again.
    #[wasm_bindgen(js_name = resetParams)]
    pub fn reset_params(&mut self) {
        self.inner.reset_params();
    }

    /// One-to-one links between two datasets, highest probability first.
    #[wasm_bindgen(unchecked_return_type = "LinkResult")]
    pub fn link(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "EncodedRecord[] | EncodedBatch")] a: JsValue,
        #[wasm_bindgen(unchecked_param_type = "EncodedRecord[] | EncodedBatch")] b: JsValue,
        options: Option<BatchOptionsJs>,
    ) -> Result<JsValue, JsValue> {
        let sink = ProgressSink::from_options(&arg(options));
        // Each argument read and checked before the next, as before.
        let a = LinkerInput::read(&a)?;
        let a = a.check()?;
        let b = LinkerInput::read(&b)?;
        let b = b.check()?;
        let r = self
            .inner
            .link_records((&a).into(), (&b).into(), &mut |s, d, t| {
                sink.report(s, d, t)
            })
            .map_err(js_error)?;
        to_js(&r)
    }

    /// Clusters of one dataset (the same customer entered several times).
    #[wasm_bindgen(unchecked_return_type = "DedupeResult")]
    pub fn dedupe(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "EncodedRecord[] | EncodedBatch")] records: JsValue,
        options: Option<BatchOptionsJs>,
    ) -> Result<JsValue, JsValue> {
        let sink = ProgressSink::from_options(&arg(options));
        let records = LinkerInput::read(&records)?;
        let records = records.check()?;
        let r = self
            .inner
            .dedupe_records((&records).into(), &mut |s, d, t| sink.report(s, d, t))
            .map_err(js_error)?;
        to_js(&r)
    }

    /// Entities across several datasets (at most one record of each per
    /// entity unless `onePerSource` is off).
    #[wasm_bindgen(js_name = linkMany, unchecked_return_type = "EntitiesResult")]
    pub fn link_many(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "Array<EncodedRecord[] | EncodedBatch>")]
        sources: JsValue,
        options: Option<BatchOptionsJs>,
    ) -> Result<JsValue, JsValue> {
        let sink = ProgressSink::from_options(&arg(options));
        let sources = array_items(&sources).ok_or_else(invalid_record)?;
        // Each source read and checked before the next, as before (a
        // buffer's check is repeated below for the view the linker reads).
        let mut sets = Vec::with_capacity(sources.len());
        for s in &sources {
            let input = LinkerInput::read(s)?;
            input.check()?;
            sets.push(input);
        }
        let checked = sets
            .iter()
            .map(LinkerInput::check)
            .collect::<Result<Vec<_>, _>>()?;
        let refs: Vec<Records<'_>> = checked.iter().map(Records::from).collect();
        let r = self
            .inner
            .link_many_records(&refs, &mut |s, d, t| sink.report(s, d, t))
            .map_err(js_error)?;
        to_js(&r)
    }

    /// The per-comparison explanation of one pair (needs parameters: link
    /// first or `setParams`).
    #[wasm_bindgen(unchecked_return_type = "Explanation")]
    pub fn explain(
        &self,
        #[wasm_bindgen(unchecked_param_type = "EncodedRecord")] a: JsValue,
        #[wasm_bindgen(unchecked_param_type = "EncodedRecord")] b: JsValue,
    ) -> Result<JsValue, JsValue> {
        let e = self
            .inner
            .explain(&one_encoded(&a)?, &one_encoded(&b)?)
            .map_err(js_error)?;
        to_js(&e)
    }
}
