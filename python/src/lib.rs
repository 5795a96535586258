//! `pseudolink._native`: the Python face of the pseudolink crate (PyO3, abi3).
//!
//! Like `src/wasm.rs`, this file only converts and delegates: every value
//! is normalised, hashed, tokenised and encoded by the core crate, so the
//! bytes are the ones the npm package and the Rust crate make.
//!
//! Columns cross as Arrow buffers: the Python layer (`pseudolink/_arrow.py`)
//! hands each string column over as its validity bitmap, 64-bit offsets and
//! UTF-8 data, and gets string, binary and list columns back as buffers it
//! wraps with `pyarrow.Array.from_buffers` (no copy). The work runs with the
//! GIL released, on up to `threads` threads. Per-row problems come back as
//! codes in an `errors` column; a bad definition, key, schema or option
//! raises `pseudolink.PseudolinkError` with the same stable code as in JS.

use pseudolink::link::{EncodedRecord, LinkConfig, Linker as CoreLinker, ModelParams};
use pseudolink::oblivious::{ObliviousClient as CoreObliviousClient, PublicKey};
use pseudolink::{
    hashed_parameter_names, normalize as core_normalize, platform_hashes as core_platform_hashes,
    ClkEncoder as CoreClkEncoder, ClkSchema, DateOrder, Encoded, Error, ErrorCode, Field,
    FieldError, Hardening, IdentityDefinition, NormalizeOptions, Profile, Pseudonymizer, Record,
    RecordEncoder as CoreRecordEncoder, Secret, StringLists, Subject, TokenColumns,
    DEFAULT_CLK_SCHEMA, RECORD_CLK,
};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyTuple};

// ---------------------------------------------------------------- errors

/// The Python exception for a core error: `pseudolink.PseudolinkError(code,
/// message, subject, field, feature)`. The message names the subject and
/// the rule, never a value.
fn py_error(py: Python<'_>, e: &Error) -> PyErr {
    let field = e.field_name().map(|f| f.name());
    coded(
        py,
        e.code().as_str(),
        &e.to_string(),
        e.subject().name(),
        field,
        e.feature(),
    )
}

/// A coded exception that is not a core [`Error`] (bad buffers, options).
fn coded(
    py: Python<'_>,
    code: &str,
    message: &str,
    subject: &str,
    field: Option<&str>,
    feature: Option<&str>,
) -> PyErr {
    let made = py
        .import("pseudolink.errors")
        .and_then(|m| m.getattr("PseudolinkError"))
        .and_then(|cls| cls.call1((code, message, subject, field, feature)));
    match made {
        Ok(value) => PyErr::from_value(value),
        Err(e) => e,
    }
}

fn option_invalid(py: Python<'_>, message: &str) -> PyErr {
    coded(
        py,
        ErrorCode::OptionInvalid.as_str(),
        message,
        "option",
        None,
        None,
    )
}

// ---------------------------------------------------------------- options

fn profile_of(py: Python<'_>, name: &str) -> PyResult<Profile> {
    Profile::from_name(name).ok_or_else(|| option_invalid(py, "unknown profile"))
}

fn field_of(py: Python<'_>, name: &str) -> PyResult<Field> {
    Field::from_name(name).ok_or_else(|| option_invalid(py, "unknown field name"))
}

fn options_of(
    py: Python<'_>,
    profile: &str,
    region: Option<&str>,
    date_order: Option<&str>,
) -> PyResult<NormalizeOptions> {
    let mut o = NormalizeOptions::new(profile_of(py, profile)?);
    if let Some(r) = region {
        let c = pseudolink::Country::parse(r)
            .ok_or_else(|| option_invalid(py, "region is not a known country"))?;
        o = o.with_region(c);
    }
    if let Some(d) = date_order {
        let order = match d {
            "dmy" => DateOrder::Dmy,
            "mdy" => DateOrder::Mdy,
            "ymd" => DateOrder::Ymd,
            _ => return Err(option_invalid(py, "dateOrder must be dmy, mdy or ymd")),
        };
        o = o.with_date_order(order);
    }
    Ok(o)
}

fn definition_of(py: Python<'_>, json: &str) -> PyResult<IdentityDefinition> {
    IdentityDefinition::from_json(json).map_err(|e| py_error(py, &e))
}

fn keys_of(py: Python<'_>, keys: Vec<(String, Vec<u8>)>) -> PyResult<Vec<(String, Secret)>> {
    keys.into_iter()
        .map(|(id, bytes)| Ok((id, Secret::new(bytes).map_err(|e| py_error(py, &e))?)))
        .collect()
}

fn schema_of(py: Python<'_>, schema: &str) -> PyResult<ClkSchema> {
    let text = if schema == "default" {
        DEFAULT_CLK_SCHEMA
    } else {
        schema
    };
    ClkSchema::from_json(text).map_err(|e| py_error(py, &e))
}

fn hardening_of(py: Python<'_>, json: Option<&str>) -> PyResult<Hardening> {
    match json {
        None => Ok(Hardening::default()),
        Some(text) => Hardening::from_json(text).map_err(|e| py_error(py, &e)),
    }
}

fn thread_count(threads: Option<usize>) -> usize {
    threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .clamp(1, 64)
}

// ---------------------------------------------------------------- columns in

/// One Arrow `large_string` column as its buffers (see the module docs).
struct ColumnIn<'a> {
    /// The field it holds (`None`: a binary column, e.g. CLKs).
    field: Option<Field>,
    validity: Option<&'a [u8]>,
    offsets: &'a [u8],
    data: &'a [u8],
    /// The array's offset into its buffers (a sliced array).
    offset: usize,
}

/// A value of a column: absent (null), text, or not text (bad buffers or UTF-8).
enum Cell<'a> {
    Null,
    Text(&'a str),
    Bad,
}

impl<'a> ColumnIn<'a> {
    fn offset_at(&self, i: usize) -> Option<usize> {
        let start = i.checked_mul(8)?;
        let bytes: [u8; 8] = self.offsets.get(start..start + 8)?.try_into().ok()?;
        usize::try_from(i64::from_le_bytes(bytes)).ok()
    }

    /// The raw bytes of a row (binary columns); `None` for null or bad buffers.
    fn bytes(&self, row: usize) -> Option<&'a [u8]> {
        let i = row + self.offset;
        if let Some(bits) = self.validity {
            if bits.get(i / 8)? & (1 << (i % 8)) == 0 {
                return None;
            }
        }
        self.data.get(self.offset_at(i)?..self.offset_at(i + 1)?)
    }

    fn get(&self, row: usize) -> Cell<'a> {
        let i = row + self.offset;
        if let Some(bits) = self.validity {
            match bits.get(i / 8) {
                Some(b) if b & (1 << (i % 8)) == 0 => return Cell::Null,
                Some(_) => {}
                None => return Cell::Bad,
            }
        }
        let (Some(a), Some(b)) = (self.offset_at(i), self.offset_at(i + 1)) else {
            return Cell::Bad;
        };
        match self.data.get(a..b).map(std::str::from_utf8) {
            Some(Ok(s)) => Cell::Text(s),
            _ => Cell::Bad,
        }
    }
}

/// The Python side's description of one input column:
/// `(field, validity | None, offsets, data, offset)`.
type ColumnArg<'py> = (
    String,
    Option<Bound<'py, PyBytes>>,
    Bound<'py, PyBytes>,
    Bound<'py, PyBytes>,
    usize,
);

fn columns_in<'a>(py: Python<'_>, args: &'a [ColumnArg<'_>]) -> PyResult<Vec<ColumnIn<'a>>> {
    args.iter()
        .map(|(name, validity, offsets, data, offset)| {
            Ok(ColumnIn {
                field: Some(field_of(py, name)?),
                validity: validity.as_ref().map(|v| v.as_bytes()),
                offsets: offsets.as_bytes(),
                data: data.as_bytes(),
                offset: *offset,
            })
        })
        .collect()
}

/// The record of one row, plus `value.wrong_type` for cells that are not text.
fn record_at(columns: &[ColumnIn<'_>], row: usize) -> (Record, Vec<FieldError>) {
    let mut record = Record::new();
    let mut bad = Vec::new();
    for c in columns {
        let Some(field) = c.field else { continue };
        match c.get(row) {
            Cell::Null => {}
            Cell::Text(s) => record.set(field, s),
            Cell::Bad => bad.push(FieldError::new(field, ErrorCode::WrongType)),
        }
    }
    (record, bad)
}

/// Runs `work` over `0..rows` split into contiguous ranges, one per thread,
/// and concatenates the results in row order.
fn parallel<T: Send>(rows: usize, threads: usize, work: impl Fn(usize) -> T + Sync) -> Vec<T> {
    parallel_with(rows, threads, || (), |_, row| work(row))
}

/// [`parallel`] with per-thread state: each thread makes its own with `init`
/// and hands it to `work` for each of its rows (an encoder batch's memo).
fn parallel_with<S, T: Send>(
    rows: usize,
    threads: usize,
    init: impl Fn() -> S + Sync,
    work: impl Fn(&mut S, usize) -> T + Sync,
) -> Vec<T> {
    parallel_ranges(rows, threads, |range| {
        let mut state = init();
        range.map(|row| work(&mut state, row)).collect::<Vec<T>>()
    })
    .into_iter()
    .flatten()
    .collect()
}

/// Runs `work` once per contiguous range of `0..rows`, one range per
/// thread, and returns the results in row order.
fn parallel_ranges<T: Send>(
    rows: usize,
    threads: usize,
    work: impl Fn(std::ops::Range<usize>) -> T + Sync,
) -> Vec<T> {
    let threads = threads.min(rows.max(1));
    if threads <= 1 {
        return vec![work(0..rows)];
    }
    let per = rows.div_ceil(threads);
    let work = &work;
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| s.spawn(move || work((t * per).min(rows)..((t + 1) * per).min(rows))))
            .collect();
        // A worker cannot panic (no panics on input); if one did, its rows are lost
        // and the callers' length checks report it.
        handles.into_iter().filter_map(|h| h.join().ok()).collect()
    })
}

// ---------------------------------------------------------------- columns out

/// A string or binary column being built: Arrow's 32-bit offsets layout.
struct ColumnOut {
    offsets: Vec<i32>,
    data: Vec<u8>,
    validity: Vec<u8>,
    nulls: usize,
    len: usize,
    overflow: bool,
}

impl ColumnOut {
    fn new() -> Self {
        ColumnOut {
            offsets: vec![0],
            data: Vec::new(),
            validity: Vec::new(),
            nulls: 0,
            len: 0,
            overflow: false,
        }
    }

    fn push(&mut self, value: Option<&[u8]>) {
        if self.len % 8 == 0 {
            self.validity.push(0);
        }
        match value {
            Some(v) => {
                self.data.extend_from_slice(v);
                if let Some(last) = self.validity.last_mut() {
                    *last |= 1 << (self.len % 8);
                }
            }
            None => self.nulls += 1,
        }
        match i32::try_from(self.data.len()) {
            Ok(end) => self.offsets.push(end),
            Err(_) => {
                self.overflow = true;
                self.offsets.push(i32::MAX);
            }
        }
        self.len += 1;
    }

    /// `(validity | None, offsets, data, nulls)`, or `record.invalid` past 2 GiB.
    fn into_py<'py>(self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        if self.overflow {
            return Err(coded(
                py,
                ErrorCode::RecordInvalid.as_str(),
                "a batch's output column is larger than 2 GiB: pass fewer rows per call",
                "record",
                None,
                None,
            ));
        }
        let validity = (self.nulls > 0).then(|| PyBytes::new(py, &self.validity));
        let offsets: Vec<u8> = self.offsets.iter().flat_map(|o| o.to_le_bytes()).collect();
        (
            validity,
            PyBytes::new(py, &offsets),
            PyBytes::new(py, &self.data),
            self.nulls,
        )
            .into_pyobject(py)
    }
}

/// A `list<string>` column: list offsets plus the values column.
struct ListOut {
    offsets: Vec<i32>,
    values: ColumnOut,
}

impl ListOut {
    fn new() -> Self {
        ListOut {
            offsets: vec![0],
            values: ColumnOut::new(),
        }
    }

    fn push<'a>(&mut self, items: impl IntoIterator<Item = &'a str>) {
        for s in items {
            self.values.push(Some(s.as_bytes()));
        }
        self.offsets
            .push(i32::try_from(self.values.len).unwrap_or(i32::MAX));
    }

    fn into_py<'py>(self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let offsets: Vec<u8> = self.offsets.iter().flat_map(|o| o.to_le_bytes()).collect();
        (PyBytes::new(py, &offsets), self.values.into_py(py)?).into_pyobject(py)
    }
}

/// A core `list<string>` column (already Arrow's layout) as [`ListOut`]'s
/// buffers: list offsets, then `(None, offsets, data, 0)`.
fn string_lists_py<'py>(py: Python<'py>, lists: &StringLists) -> PyResult<Bound<'py, PyTuple>> {
    let le = |o: &[i32]| -> Vec<u8> { o.iter().flat_map(|o| o.to_le_bytes()).collect() };
    let values = (
        None::<Bound<'py, PyBytes>>,
        PyBytes::new(py, &le(lists.offsets())),
        PyBytes::new(py, lists.data().as_bytes()),
        0usize,
    );
    (PyBytes::new(py, &le(lists.row_offsets())), values).into_pyobject(py)
}

/// Per-row errors as `list<struct<field, code>>`: list offsets, fields, codes.
struct ErrorsOut {
    offsets: Vec<i32>,
    fields: ColumnOut,
    codes: ColumnOut,
}

impl ErrorsOut {
    fn new() -> Self {
        ErrorsOut {
            offsets: vec![0],
            fields: ColumnOut::new(),
            codes: ColumnOut::new(),
        }
    }

    fn push(&mut self, errors: &[FieldError]) {
        for e in errors {
            self.fields.push(Some(e.field.name().as_bytes()));
            self.codes.push(Some(e.code.as_bytes()));
        }
        self.offsets
            .push(i32::try_from(self.fields.len).unwrap_or(i32::MAX));
    }

    fn into_py<'py>(self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let offsets: Vec<u8> = self.offsets.iter().flat_map(|o| o.to_le_bytes()).collect();
        (
            PyBytes::new(py, &offsets),
            self.fields.into_py(py)?,
            self.codes.into_py(py)?,
        )
            .into_pyobject(py)
    }
}

fn errors_dicts<'py>(py: Python<'py>, errors: &[FieldError]) -> PyResult<Bound<'py, PyList>> {
    let list = PyList::empty(py);
    for e in errors {
        let d = PyDict::new(py);
        d.set_item("field", e.field.name())?;
        d.set_item("code", e.code)?;
        d.set_item("message", &e.message)?;
        list.append(d)?;
    }
    Ok(list)
}

/// A record whose wrong-typed values are marked in it, so the core reports
/// them in field order (`value.wrong_type`), as from JS.
fn with_wrong_types((mut record, bad): (Record, Vec<FieldError>)) -> Record {
    for e in &bad {
        record.set_wrong_type(e.field);
    }
    record
}

fn record_of_dict(
    py: Python<'_>,
    record: &Bound<'_, PyDict>,
) -> PyResult<(Record, Vec<FieldError>)> {
    let mut r = Record::new();
    let mut bad = Vec::new();
    for (k, v) in record.iter() {
        let Ok(name) = k.extract::<String>() else {
            return Err(option_invalid(py, "record keys must be field names (str)"));
        };
        // Keys that are not fields (order data, say) are ignored, as in JS.
        let Some(field) = Field::from_name(&name) else {
            continue;
        };
        if v.is_none() {
            continue;
        }
        match v.extract::<String>() {
            Ok(s) => r.set(field, s),
            Err(_) => bad.push(FieldError::new(field, ErrorCode::WrongType)),
        }
    }
    Ok((r, bad))
}

// ---------------------------------------------------------------- functions

/// Normalises one value; raises `PseudolinkError` with its code.
#[pyfunction]
#[pyo3(signature = (field, value, profile = "pseudolink", region = None, date_order = None))]
fn normalize(
    py: Python<'_>,
    field: &str,
    value: &str,
    profile: &str,
    region: Option<&str>,
    date_order: Option<&str>,
) -> PyResult<String> {
    let f = field_of(py, field)?;
    let o = options_of(py, profile, region, date_order)?;
    core_normalize(f, value, &o).map_err(|e| py_error(py, &e))
}

/// Normalises a column: `(values, codes)`, a null value where the code says why.
#[pyfunction]
#[pyo3(signature = (column, rows, profile = "pseudolink", region = None, date_order = None, threads = None))]
fn normalize_column<'py>(
    py: Python<'py>,
    column: ColumnArg<'py>,
    rows: usize,
    profile: &str,
    region: Option<&str>,
    date_order: Option<&str>,
    threads: Option<usize>,
) -> PyResult<Bound<'py, PyTuple>> {
    let o = options_of(py, profile, region, date_order)?;
    let args = [column];
    let cols = columns_in(py, &args)?;
    let col = cols
        .first()
        .ok_or_else(|| option_invalid(py, "no column"))?;
    let field = col.field.ok_or_else(|| option_invalid(py, "no field"))?;
    let (values, codes) = py.detach(|| {
        let out = parallel(rows, thread_count(threads), |row| match col.get(row) {
            Cell::Null => Ok(None),
            Cell::Text(s) => core_normalize(field, s, &o).map(Some).map_err(|e| e.code()),
            Cell::Bad => Err(ErrorCode::WrongType),
        });
        let mut values = ColumnOut::new();
        let mut codes = ColumnOut::new();
        for r in &out {
            match r {
                Ok(v) => {
                    values.push(v.as_deref().map(str::as_bytes));
                    codes.push(None);
                }
                Err(code) => {
                    values.push(None);
                    codes.push(Some(code.as_str().as_bytes()));
                }
            }
        }
        (values, codes)
    });
    (values.into_py(py)?, codes.into_py(py)?).into_pyobject(py)
}

/// Platform hashes of one record (a dict of field wire names).
#[pyfunction]
#[pyo3(signature = (record, profile, region = None))]
fn platform_hashes<'py>(
    py: Python<'py>,
    record: &Bound<'py, PyDict>,
    profile: &str,
    region: Option<&str>,
) -> PyResult<Bound<'py, PyDict>> {
    let o = options_of(py, profile, region, None)?;
    let (r, bad) = record_of_dict(py, record)?;
    let out = core_platform_hashes(&r, &o);
    let d = PyDict::new(py);
    d.set_item("profile", out.profile.name())?;
    let hashes = PyDict::new(py);
    for (k, v) in &out.hashes {
        hashes.set_item(*k, v)?;
    }
    let plain = PyDict::new(py);
    for (k, v) in &out.plain {
        plain.set_item(*k, v)?;
    }
    d.set_item("hashes", hashes)?;
    d.set_item("plain", plain)?;
    let mut errors = bad;
    errors.extend(out.errors);
    d.set_item("errors", errors_dicts(py, &errors)?)?;
    Ok(d)
}

/// Platform hashes of a table's rows: one column per parameter name the
/// profile hashes (plus unhashed ones it takes, e.g. Google's city), then
/// the per-row errors.
#[pyfunction]
#[pyo3(signature = (columns, rows, profile, region = None, threads = None))]
fn platform_hashes_columns<'py>(
    py: Python<'py>,
    columns: Vec<ColumnArg<'py>>,
    rows: usize,
    profile: &str,
    region: Option<&str>,
    threads: Option<usize>,
) -> PyResult<Bound<'py, PyList>> {
    let o = options_of(py, profile, region, None)?;
    let cols = columns_in(py, &columns)?;
    let (names, outs, errors) = py.detach(|| {
        let results = parallel(rows, thread_count(threads), |row| {
            let (r, mut bad) = record_at(&cols, row);
            let mut h = core_platform_hashes(&r, &o);
            bad.append(&mut h.errors);
            h.errors = bad;
            h
        });
        let mut names: Vec<&'static str> = hashed_parameter_names(o.profile);
        for h in &results {
            for k in h.plain.keys() {
                if !names.contains(k) {
                    names.push(k);
                }
            }
        }
        let mut outs: Vec<ColumnOut> = names.iter().map(|_| ColumnOut::new()).collect();
        let mut errors = ErrorsOut::new();
        for h in &results {
            for (name, col) in names.iter().zip(outs.iter_mut()) {
                let v = h.hashes.get(name).or_else(|| h.plain.get(name));
                col.push(v.map(|s| s.as_bytes()));
            }
            errors.push(&h.errors);
        }
        (names, outs, errors)
    });
    let list = PyList::empty(py);
    for (name, col) in names.into_iter().zip(outs) {
        list.append((name, "utf8", col.into_py(py)?))?;
    }
    list.append(("errors", "errors", errors.into_py(py)?))?;
    Ok(list)
}

/// SplitMix64: the seeded stream that picks each band's bit positions.
fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// LSH band keys of a binary CLK column (Hamming bit sampling, as the
/// linker's blocking does): band `b` samples `bits_per_band` bit positions
/// drawn from `seed`, and its key is those bits packed into an integer
/// with the band number above them (`b << 56 | bits`), so equal keys mean
/// equal sampled bits in the same band. Null where the CLK is null or empty.
/// Returns one `int64` column per band: `(validity | None, values)`.
#[pyfunction]
#[pyo3(signature = (column, rows, bits, bands, bits_per_band, seed = 0))]
fn lsh_band_keys<'py>(
    py: Python<'py>,
    column: ColumnArg<'py>,
    rows: usize,
    bits: usize,
    bands: usize,
    bits_per_band: usize,
    seed: u64,
) -> PyResult<Bound<'py, PyList>> {
    if !(1..=255).contains(&bands) || !(1..=48).contains(&bits_per_band) || bits == 0 {
        return Err(option_invalid(
            py,
            "bands must be 1..=255, bits_per_band 1..=48 and bits positive",
        ));
    }
    let (_, validity, offsets, data, offset) = &column;
    let col = ColumnIn {
        field: None,
        validity: validity.as_ref().map(|v| v.as_bytes()),
        offsets: offsets.as_bytes(),
        data: data.as_bytes(),
        offset: *offset,
    };
    let mut state = seed;
    let positions: Vec<Vec<usize>> = (0..bands)
        .map(|_| {
            (0..bits_per_band)
                .map(|_| (splitmix(&mut state) % bits as u64) as usize)
                .collect()
        })
        .collect();
    let keys = py.detach(|| {
        let mut out: Vec<(Vec<u8>, Vec<u8>, usize)> = (0..bands)
            .map(|_| (vec![0u8; rows.div_ceil(8)], Vec::with_capacity(rows * 8), 0))
            .collect();
        for row in 0..rows {
            let clk = col.bytes(row).filter(|c| c.iter().any(|b| *b != 0));
            for (b, (validity, values, nulls)) in out.iter_mut().enumerate() {
                let key = clk.and_then(|c| {
                    let mut k = (b as u64) << 56;
                    for (i, &p) in positions.get(b)?.iter().enumerate() {
                        // Bit p of the CLK, most significant bit first (clkhash order).
                        let bit = c.get(p / 8).map_or(0, |byte| (byte >> (7 - p % 8)) & 1);
                        k |= u64::from(bit) << i;
                    }
                    Some(k)
                });
                match key {
                    Some(k) => {
                        if let Some(v) = validity.get_mut(row / 8) {
                            *v |= 1 << (row % 8);
                        }
                        values.extend_from_slice(&k.to_le_bytes());
                    }
                    None => {
                        *nulls += 1;
                        values.extend_from_slice(&0u64.to_le_bytes());
                    }
                }
            }
        }
        out
    });
    let list = PyList::empty(py);
    for (validity, values, nulls) in keys {
        let v = (nulls > 0).then(|| PyBytes::new(py, &validity));
        list.append((v, PyBytes::new(py, &values), nulls))?;
    }
    Ok(list)
}

/// The chain guard over pairs scored elsewhere (`link::chain_guard_edges`;
/// `pseudolink.splink.chain_guard_edges` maps ids to indices). The pairs
/// are three columns of equal length as little-endian buffers: `left` and
/// `right` record indices (`uint32`), `probability` (`float64`). Returns
/// the positions of the pairs that join clusters, in the order they join,
/// as a little-endian `uint64` buffer.
#[pyfunction]
fn chain_guard_edges<'py>(
    py: Python<'py>,
    left: &Bound<'py, PyBytes>,
    right: &Bound<'py, PyBytes>,
    probability: &Bound<'py, PyBytes>,
    threshold: f64,
    max_cluster_size: usize,
) -> PyResult<Bound<'py, PyBytes>> {
    let (l, r, p) = (left.as_bytes(), right.as_bytes(), probability.as_bytes());
    let n = l.len() / 4;
    if l.len() % 4 != 0 || r.len() != l.len() || p.len() != n * 8 {
        return Err(option_invalid(
            py,
            "left, right and probability must be columns of one length",
        ));
    }
    let joins = py
        .detach(|| {
            let pairs: Vec<(u32, u32, f64)> = l
                .chunks_exact(4)
                .zip(r.chunks_exact(4))
                .zip(p.chunks_exact(8))
                .map(|((a, b), q)| {
                    let word = |x: &[u8]| u32::from_le_bytes([x[0], x[1], x[2], x[3]]);
                    let mut f = [0u8; 8];
                    f.copy_from_slice(q);
                    (word(a), word(b), f64::from_le_bytes(f))
                })
                .collect();
            pseudolink::link::chain_guard_edges(&pairs, threshold, max_cluster_size).map(|at| {
                at.iter()
                    .flat_map(|&k| (k as u64).to_le_bytes())
                    .collect::<Vec<u8>>()
            })
        })
        .map_err(|e| py_error(py, &e))?;
    Ok(PyBytes::new(py, &joins))
}

/// Encoded-record JSON (`[{id, tokens, matchKeys, clks}]`, what
/// `pseudolink.encoded_records` makes) in the core's binary transfer form
/// (`EncodedRecord::many_to_bytes`; JS `encodedToBinary`).
#[pyfunction]
fn encoded_binary<'py>(py: Python<'py>, json: &str) -> PyResult<Bound<'py, PyBytes>> {
    let records = records_of(py, json)?;
    let bytes = py
        .detach(|| EncodedRecord::many_to_bytes(&records))
        .map_err(|e| py_error(py, &e))?;
    Ok(PyBytes::new(py, &bytes))
}

/// Encoded records in the core's binary transfer form
/// (`EncodedRecord::many_to_bytes`, what `encodedToBinary` makes in JS and
/// the linkage service hands its Splink jobs) as columns: `id` (utf8),
/// `tokens` (list: the tokens, then the match keys) and `clk_<key>` (binary,
/// null where absent) for every CLK key any record carries, in key order.
#[pyfunction]
fn encoded_columns<'py>(
    py: Python<'py>,
    data: &Bound<'py, PyBytes>,
) -> PyResult<(usize, Bound<'py, PyList>)> {
    let bytes = data.as_bytes();
    let (rows, ids, tokens, clks) = py
        .detach(|| {
            let records = EncodedRecord::many_from_bytes(bytes)?;
            let keys: std::collections::BTreeSet<&str> = records
                .iter()
                .flat_map(|r| r.clks.keys().map(String::as_str))
                .collect();
            let (mut ids, mut tokens) = (ColumnOut::new(), ListOut::new());
            let mut clks: Vec<(String, ColumnOut)> = keys
                .iter()
                .map(|k| ((*k).to_owned(), ColumnOut::new()))
                .collect();
            for r in &records {
                ids.push(Some(r.id.as_bytes()));
                tokens.push(r.tokens.iter().chain(&r.match_keys).map(String::as_str));
                for (key, col) in &mut clks {
                    col.push(r.clks.get(key.as_str()).map(Vec::as_slice));
                }
            }
            Ok::<_, Error>((records.len(), ids, tokens, clks))
        })
        .map_err(|e| py_error(py, &e))?;
    let list = PyList::empty(py);
    list.append(("id", "utf8", ids.into_py(py)?))?;
    list.append(("tokens", "list", tokens.into_py(py)?))?;
    for (key, col) in clks {
        list.append((format!("clk_{key}"), "binary", col.into_py(py)?))?;
    }
    Ok((rows, list))
}

/// Every stable error code of the core's table, in table order.
#[pyfunction]
fn error_codes() -> Vec<&'static str> {
    ErrorCode::ALL.iter().map(|c| c.as_str()).collect()
}

// ---------------------------------------------------------------- RecordEncoder

/// Tokens, match keys and CLKs of records (`pseudolink.RecordEncoder` wraps it).
#[pyclass(frozen, module = "pseudolink._native")]
struct RecordEncoder {
    inner: CoreRecordEncoder,
    /// CLK column names in schema order, then `record` (empty: no CLKs).
    clk_features: Vec<String>,
}

#[pymethods]
impl RecordEncoder {
    /// `keys`: `[(key_id, secret bytes)]` (may be empty with a schema: CLKs
    /// only); `definition`: its JSON; `clk_schema`: `"default"` or clkhash v3
    /// JSON; `hardening`: its JSON (`{"balanced", "saltFeature", "diffusion"}`).
    #[new]
    #[pyo3(signature = (keys, definition, clk_schema = None, clk_secret = None, hardening = None))]
    fn new(
        py: Python<'_>,
        keys: Vec<(String, Vec<u8>)>,
        definition: &str,
        clk_schema: Option<&str>,
        clk_secret: Option<Vec<u8>>,
        hardening: Option<&str>,
    ) -> PyResult<Self> {
        let definition = definition_of(py, definition)?;
        let keys = keys_of(py, keys)?;
        let Some(schema_text) = clk_schema else {
            if hardening.is_some() || clk_secret.is_some() {
                return Err(option_invalid(
                    py,
                    "clk_secret and hardening need a clk_schema",
                ));
            }
            let p = Pseudonymizer::new(keys, definition).map_err(|e| py_error(py, &e))?;
            return Ok(RecordEncoder {
                inner: CoreRecordEncoder::new(p),
                clk_features: Vec::new(),
            });
        };
        let schema = schema_of(py, schema_text)?;
        let secret =
            clk_secret.ok_or_else(|| option_invalid(py, "a clk_schema needs its clk_secret"))?;
        let hardening = hardening_of(py, hardening)?;
        let inner = if keys.is_empty() {
            CoreRecordEncoder::clks_only(definition, &schema, &secret, &hardening)
        } else {
            let p = Pseudonymizer::new(keys, definition).map_err(|e| py_error(py, &e))?;
            CoreRecordEncoder::with_hardened_clks(p, &schema, &secret, &hardening)
        }
        .map_err(|e| py_error(py, &e))?;
        let mut clk_features: Vec<String> = schema
            .identifiers()
            .zip(schema.ignored())
            .filter(|(_, ignored)| !ignored)
            .map(|(id, _)| id.to_owned())
            .collect();
        clk_features.push(RECORD_CLK.to_owned());
        Ok(RecordEncoder {
            inner,
            clk_features,
        })
    }

    /// The CLK column names (schema features, then `record`); empty without CLKs.
    #[getter]
    fn clk_features(&self) -> Vec<String> {
        self.clk_features.clone()
    }

    /// The fields the encoder reads (definition and schema), as wire names.
    #[getter]
    fn fields(&self) -> Vec<&'static str> {
        let mut out: Vec<&'static str> = self
            .inner
            .definition()
            .needed_fields()
            .into_iter()
            .map(Field::name)
            .collect();
        for f in &self.clk_features {
            if let Some(field) = Field::from_name(f) {
                if !out.contains(&field.name()) {
                    out.push(field.name());
                }
            }
        }
        out
    }

    /// One record (a dict of field wire names): `{tokens, match_keys, clks, errors}`,
    /// CLKs as bytes.
    fn encode<'py>(
        &self,
        py: Python<'py>,
        record: &Bound<'py, PyDict>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let (r, bad) = record_of_dict(py, record)?;
        let e = self.inner.encode("", &r);
        let d = PyDict::new(py);
        d.set_item("tokens", &e.record.tokens)?;
        d.set_item("match_keys", &e.record.match_keys)?;
        let clks = PyDict::new(py);
        for (k, v) in &e.record.clks {
            clks.set_item(k, PyBytes::new(py, v))?;
        }
        d.set_item("clks", clks)?;
        let mut errors = bad;
        errors.extend(e.errors);
        d.set_item("errors", errors_dicts(py, &errors)?)?;
        Ok(d)
    }

    /// The token subjects in definition order: each field's wire name, then
    /// `mk-<name>` per match key (the middle part of a token); empty for a
    /// CLK-only encoder.
    #[getter]
    fn token_subjects(&self) -> Vec<String> {
        if self.inner.pseudonymizer().is_none() {
            return Vec::new();
        }
        subjects_of(self.inner.definition())
    }

    /// Encodes `rows` rows of the given columns. Returns
    /// `[(name, kind, buffers)]`: `tokens` and `match_keys` (list<string>),
    /// with `token_columns` one string column per token subject (the first
    /// key's token, `token_<field>` / `token_mk-<name>`), `clk_<feature>`
    /// (binary, null where absent), `errors`.
    #[pyo3(signature = (columns, rows, threads = None, token_columns = false))]
    fn encode_columns<'py>(
        &self,
        py: Python<'py>,
        columns: Vec<ColumnArg<'py>>,
        rows: usize,
        threads: Option<usize>,
        token_columns: bool,
    ) -> PyResult<Bound<'py, PyList>> {
        let cols = columns_in(py, &columns)?;
        let inner = &self.inner;
        let features = &self.clk_features;
        let (subjects, prefixes) = subject_columns(token_columns, || self.token_subjects());
        let (tokens, match_keys, per_subject, clks, errors, done) = py.detach(|| {
            // One encoder batch per thread: its n-gram memo serves all the
            // thread's rows (`RecordEncoder::batch`).
            let encoded: Vec<Encoded> = parallel_with(
                rows,
                thread_count(threads),
                || inner.batch(),
                |batch, row| {
                    let (r, bad) = record_at(&cols, row);
                    let mut e = batch.encode("", &r);
                    if !bad.is_empty() {
                        let mut errors = bad;
                        errors.append(&mut e.errors);
                        e.errors = errors;
                    }
                    e
                },
            );
            let mut tokens = ListOut::new();
            let mut match_keys = ListOut::new();
            let mut clks: Vec<ColumnOut> = features.iter().map(|_| ColumnOut::new()).collect();
            let mut per_subject: Vec<ColumnOut> =
                prefixes.iter().map(|_| ColumnOut::new()).collect();
            let mut errors = ErrorsOut::new();
            for e in &encoded {
                tokens.push(e.record.tokens.iter().map(String::as_str));
                match_keys.push(e.record.match_keys.iter().map(String::as_str));
                for (prefix, col) in prefixes.iter().zip(per_subject.iter_mut()) {
                    let first = e
                        .record
                        .tokens
                        .iter()
                        .chain(&e.record.match_keys)
                        .find(|t| t.starts_with(prefix.as_str()));
                    col.push(first.map(|t| t.as_bytes()));
                }
                for (name, col) in features.iter().zip(clks.iter_mut()) {
                    col.push(e.record.clks.get(name).map(Vec::as_slice));
                }
                errors.push(&e.errors);
            }
            (tokens, match_keys, per_subject, clks, errors, encoded.len())
        });
        if done != rows {
            return Err(worker_stopped(py));
        }
        let list = PyList::empty(py);
        list.append(("tokens", "list", tokens.into_py(py)?))?;
        list.append(("match_keys", "list", match_keys.into_py(py)?))?;
        for (subject, col) in subjects.iter().zip(per_subject) {
            list.append((format!("token_{subject}"), "utf8", col.into_py(py)?))?;
        }
        for (name, col) in features.iter().zip(clks) {
            list.append((format!("clk_{name}"), "binary", col.into_py(py)?))?;
        }
        list.append(("errors", "errors", errors.into_py(py)?))?;
        Ok(list)
    }
}

/// The token subjects of a definition, in order: each field's wire name,
/// then `mk-<name>` per match key (the middle part of a token).
fn subjects_of(d: &IdentityDefinition) -> Vec<String> {
    let mut out: Vec<String> = d.fields.iter().map(|f| f.name().to_owned()).collect();
    out.extend(d.match_keys.iter().map(|m| format!("mk-{}", m.name)));
    out
}

/// With `token_columns`, the subjects and each one's token prefix
/// (`pl1.<subject>.`), which the `token_<subject>` columns look for.
fn subject_columns(
    token_columns: bool,
    subjects: impl FnOnce() -> Vec<String>,
) -> (Vec<String>, Vec<String>) {
    let subjects = if token_columns {
        subjects()
    } else {
        Vec::new()
    };
    let prefixes = subjects
        .iter()
        .map(|s| format!("{}.{s}.", pseudolink::TOKEN_VERSION))
        .collect();
    (subjects, prefixes)
}

/// A batch whose worker thread stopped early (it cannot panic on input; if
/// one did, its rows are missing).
fn worker_stopped(py: Python<'_>) -> PyErr {
    coded(
        py,
        ErrorCode::RecordInvalid.as_str(),
        "a worker stopped before finishing its rows",
        "record",
        None,
        None,
    )
}

// ---------------------------------------------------------------- Pseudonymizer

/// Keyed `pl1` tokens and match keys (`pseudolink.Pseudonymizer`): the core
/// `Pseudonymizer`, as the JS one (no nickname tokens or CLKs: those are
/// the `RecordEncoder`'s).
#[pyclass(frozen, name = "Pseudonymizer", module = "pseudolink._native")]
struct PyPseudonymizer {
    inner: Pseudonymizer,
}

#[pymethods]
impl PyPseudonymizer {
    /// `keys`: `[(key_id, secret bytes)]`, at least one; `definition`: its JSON.
    #[new]
    fn new(py: Python<'_>, keys: Vec<(String, Vec<u8>)>, definition: &str) -> PyResult<Self> {
        let definition = definition_of(py, definition)?;
        let inner =
            Pseudonymizer::new(keys_of(py, keys)?, definition).map_err(|e| py_error(py, &e))?;
        Ok(PyPseudonymizer { inner })
    }

    /// The fields the definition reads, as wire names.
    #[getter]
    fn fields(&self) -> Vec<&'static str> {
        let d = self.inner.definition();
        d.needed_fields().into_iter().map(Field::name).collect()
    }

    /// Token subjects in definition order: fields, then `mk-<name>`.
    #[getter]
    fn token_subjects(&self) -> Vec<String> {
        subjects_of(self.inner.definition())
    }

    /// One record (a dict of field wire names): `{tokens, match_keys, errors}`.
    fn tokenize<'py>(
        &self,
        py: Python<'py>,
        record: &Bound<'py, PyDict>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let t = self
            .inner
            .tokenize(&with_wrong_types(record_of_dict(py, record)?));
        let d = PyDict::new(py);
        d.set_item("tokens", &t.tokens)?;
        d.set_item("match_keys", &t.match_keys)?;
        d.set_item("errors", errors_dicts(py, &t.errors)?)?;
        Ok(d)
    }

    /// Tokenises `rows` rows of the given columns into core `TokenColumns`
    /// (one per thread, appended in row order; no string per token).
    /// Returns `[(name, kind, buffers)]`: `tokens`, `match_keys`
    /// (list<string>), with `token_columns` one `token_<subject>` column per
    /// subject (the first key's token), then `errors`.
    #[pyo3(signature = (columns, rows, threads = None, token_columns = false))]
    fn tokenize_columns<'py>(
        &self,
        py: Python<'py>,
        columns: Vec<ColumnArg<'py>>,
        rows: usize,
        threads: Option<usize>,
        token_columns: bool,
    ) -> PyResult<Bound<'py, PyList>> {
        let cols = columns_in(py, &columns)?;
        let inner = &self.inner;
        let (subjects, prefixes) = subject_columns(token_columns, || self.token_subjects());
        let (columns_out, per_subject, errors) = py
            .detach(|| {
                let parts = parallel_ranges(rows, thread_count(threads), |range| {
                    let mut out = TokenColumns::default();
                    let records = range.map(|row| with_wrong_types(record_at(&cols, row)));
                    inner.tokenize_into(records, &mut out).map(|()| out)
                });
                // The first thread's columns are kept as they are; the
                // others' are appended after them.
                let mut parts = parts.into_iter();
                let mut all = parts.next().transpose()?.unwrap_or_default();
                for part in parts {
                    all.append(&part?)?;
                }
                let mut per_subject: Vec<ColumnOut> =
                    prefixes.iter().map(|_| ColumnOut::new()).collect();
                let mut errors = ErrorsOut::new();
                for row in 0..all.len() {
                    for (prefix, col) in prefixes.iter().zip(per_subject.iter_mut()) {
                        let mut tokens = all.tokens().row(row).into_iter().flatten();
                        let mut keys = all.match_keys().row(row).into_iter().flatten();
                        let first = tokens.find(|t| t.starts_with(prefix.as_str()));
                        let first = first.or_else(|| keys.find(|t| t.starts_with(prefix.as_str())));
                        col.push(first.map(str::as_bytes));
                    }
                    errors.push(all.errors(row));
                }
                Ok::<_, Error>((all, per_subject, errors))
            })
            .map_err(|e| py_error(py, &e))?;
        if columns_out.len() != rows {
            return Err(worker_stopped(py));
        }
        let list = PyList::empty(py);
        list.append(("tokens", "list", string_lists_py(py, columns_out.tokens())?))?;
        list.append((
            "match_keys",
            "list",
            string_lists_py(py, columns_out.match_keys())?,
        ))?;
        for (subject, col) in subjects.iter().zip(per_subject) {
            list.append((format!("token_{subject}"), "utf8", col.into_py(py)?))?;
        }
        list.append(("errors", "errors", errors.into_py(py)?))?;
        Ok(list)
    }
}

// ---------------------------------------------------------------- ClkEncoder

/// clkhash-compatible CLKs from rows in schema order (`pseudolink.ClkEncoder`).
#[pyclass(frozen, module = "pseudolink._native")]
struct ClkEncoder {
    inner: CoreClkEncoder,
    bits: usize,
}

#[pymethods]
impl ClkEncoder {
    #[new]
    #[pyo3(signature = (schema, secret, hardening = None))]
    fn new(
        py: Python<'_>,
        schema: &str,
        secret: Vec<u8>,
        hardening: Option<&str>,
    ) -> PyResult<Self> {
        let schema = schema_of(py, schema)?;
        let hardening = hardening_of(py, hardening)?;
        let inner = CoreClkEncoder::with_hardening(&schema, &secret, &hardening)
            .map_err(|e| py_error(py, &e))?;
        let bits = inner.output_bits();
        Ok(ClkEncoder { inner, bits })
    }

    /// Bits per CLK (after folding and hardening).
    #[getter]
    fn bits(&self) -> usize {
        self.bits
    }

    /// One CLK per row: `(clk bytes | None, code | None, feature | None)`;
    /// a rejected row gets its code and the failing feature's identifier.
    #[pyo3(signature = (rows, threads = None))]
    fn encode_rows<'py>(
        &self,
        py: Python<'py>,
        rows: Vec<Vec<String>>,
        threads: Option<usize>,
    ) -> PyResult<Bound<'py, PyList>> {
        let inner = &self.inner;
        let rows_ref = &rows;
        let out = py.detach(|| {
            // One batch (token memo) per worker thread, as for RecordEncoder.
            parallel_with(
                rows_ref.len(),
                thread_count(threads),
                || inner.batch(),
                |batch, i| {
                    let row = rows_ref.get(i).map(Vec::as_slice).unwrap_or_default();
                    batch.encode(row).map(|c| c.as_bytes().to_vec())
                },
            )
        });
        let list = PyList::empty(py);
        for r in out {
            match r {
                Ok(bytes) => list.append((PyBytes::new(py, &bytes), None::<&str>, None::<&str>))?,
                Err(e) => list.append((None::<Bound<PyBytes>>, e.code().as_str(), e.feature()))?,
            }
        }
        Ok(list)
    }
}

// ---------------------------------------------------------------- oblivious

/// Records blinded for the key server (from `ObliviousClient.blind`).
#[pyclass(frozen, module = "pseudolink._native")]
struct BlindedBatch {
    inner: pseudolink::oblivious::BlindedBatch,
}

#[pymethods]
impl BlindedBatch {
    /// Elements sent per key version (0: nothing to evaluate).
    fn __len__(&self) -> usize {
        self.inner.len()
    }

    /// The JSON body of `POST /v1/evaluate` for one key version.
    fn request_body(&self, py: Python<'_>, key_version: &str) -> PyResult<String> {
        serde_json::to_string(&self.inner.request(key_version))
            .map_err(|_| option_invalid(py, "request could not be serialised"))
    }
}

/// Normalises, blinds, verifies and finalises oblivious `po1` tokens; the
/// HTTP side is `pseudolink.ObliviousPseudonymizer`.
#[pyclass(frozen, module = "pseudolink._native")]
struct ObliviousClient {
    inner: CoreObliviousClient,
}

#[pymethods]
impl ObliviousClient {
    /// `pins`: `[(key_version, base64url public key)]`.
    #[new]
    fn new(py: Python<'_>, definition: &str, pins: Vec<(String, String)>) -> PyResult<Self> {
        let definition = definition_of(py, definition)?;
        let keys = pins
            .iter()
            .map(|(v, k)| PublicKey::from_base64url(v, k))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| py_error(py, &e))?;
        let inner = CoreObliviousClient::new(definition, keys).map_err(|e| py_error(py, &e))?;
        Ok(ObliviousClient { inner })
    }

    /// The pinned key versions, in order.
    #[getter]
    fn key_versions(&self) -> Vec<String> {
        self.inner.key_versions().map(str::to_owned).collect()
    }

    /// Normalises and blinds records (dicts of field wire names).
    fn blind(&self, py: Python<'_>, records: Vec<Bound<'_, PyDict>>) -> PyResult<BlindedBatch> {
        let mut rs = Vec::with_capacity(records.len());
        for r in &records {
            // A non-text value is absent here, as in the JS client's blind().
            rs.push(record_of_dict(py, r)?.0);
        }
        let inner = py
            .detach(|| self.inner.blind(&rs, &mut rand_core::OsRng))
            .map_err(|e| py_error(py, &e))?;
        Ok(BlindedBatch { inner })
    }

    /// Verifies the key server's answers (JSON texts, one per key version)
    /// and returns each record's `{tokens, match_keys, errors}`.
    fn finalize<'py>(
        &self,
        py: Python<'py>,
        batch: &BlindedBatch,
        answers: Vec<String>,
    ) -> PyResult<Bound<'py, PyList>> {
        let responses = answers
            .iter()
            .map(|a| serde_json::from_str(a))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| {
                py_error(
                    py,
                    &Error::new(Subject::Response, ErrorCode::ObliviousInvalidResponse),
                )
            })?;
        let out = py
            .detach(|| self.inner.finalize(&batch.inner, &responses))
            .map_err(|e| py_error(py, &e))?;
        let list = PyList::empty(py);
        for t in &out {
            let d = PyDict::new(py);
            d.set_item("tokens", &t.tokens)?;
            d.set_item("match_keys", &t.match_keys)?;
            d.set_item("errors", errors_dicts(py, &t.errors)?)?;
            list.append(d)?;
        }
        Ok(list)
    }
}

// ---------------------------------------------------------------- Linker

/// The core's Fellegi–Sunter linker over encoded records as JSON (the same
/// shapes as the JS `Linker`); `pseudolink.Linker` wraps it.
#[pyclass(module = "pseudolink._native")]
struct Linker {
    inner: CoreLinker,
}

fn records_of(py: Python<'_>, json: &str) -> PyResult<Vec<EncodedRecord>> {
    EncodedRecord::many_from_json(json).map_err(|e| py_error(py, &e))
}

fn to_json<T: serde::Serialize>(py: Python<'_>, value: &T) -> PyResult<String> {
    serde_json::to_string(value).map_err(|_| option_invalid(py, "result could not be serialised"))
}

#[pymethods]
impl Linker {
    /// `config`: LinkConfig JSON (missing parts take their defaults).
    #[new]
    #[pyo3(signature = (config = None))]
    fn new(py: Python<'_>, config: Option<&str>) -> PyResult<Self> {
        let config = match config {
            Some(text) => LinkConfig::from_json(text).map_err(|e| py_error(py, &e))?,
            None => LinkConfig::default(),
        };
        let inner = CoreLinker::new(config).map_err(|e| py_error(py, &e))?;
        Ok(Linker { inner })
    }

    /// The configuration as JSON.
    fn config(&self, py: Python<'_>) -> PyResult<String> {
        to_json(py, self.inner.config())
    }

    /// The fitted parameters as JSON, or `None` before training.
    fn params(&self) -> Option<String> {
        self.inner.params().map(ModelParams::to_json)
    }

    /// Loads parameters (JSON); `link.bad_params` if they do not fit the comparisons.
    fn set_params(&mut self, py: Python<'_>, params: &str) -> PyResult<()> {
        let p = ModelParams::from_json(params).map_err(|e| py_error(py, &e))?;
        self.inner.set_params(p).map_err(|e| py_error(py, &e))
    }

    /// Links two datasets (JSON arrays of encoded records); the result as JSON.
    fn link(&mut self, py: Python<'_>, a: &str, b: &str) -> PyResult<String> {
        let (a, b) = (records_of(py, a)?, records_of(py, b)?);
        let inner = &mut self.inner;
        let out = py
            .detach(|| inner.link(&a, &b, &mut |_, _, _| {}))
            .map_err(|e| py_error(py, &e))?;
        to_json(py, &out)
    }

    /// Deduplicates one dataset; the result (clusters, links, params) as JSON.
    fn dedupe(&mut self, py: Python<'_>, records: &str) -> PyResult<String> {
        let records = records_of(py, records)?;
        let inner = &mut self.inner;
        let out = py
            .detach(|| inner.dedupe(&records, &mut |_, _, _| {}))
            .map_err(|e| py_error(py, &e))?;
        to_json(py, &out)
    }

    /// The explanation (waterfall and probability) of one pair, as JSON.
    fn explain(&self, py: Python<'_>, a: &str, b: &str) -> PyResult<String> {
        let a = EncodedRecord::from_json(a).map_err(|e| py_error(py, &e))?;
        let b = EncodedRecord::from_json(b).map_err(|e| py_error(py, &e))?;
        let e = self.inner.explain(&a, &b).map_err(|e| py_error(py, &e))?;
        to_json(py, &e)
    }
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("VERSION", pseudolink::VERSION)?;
    m.add_function(wrap_pyfunction!(normalize, m)?)?;
    m.add_function(wrap_pyfunction!(normalize_column, m)?)?;
    m.add_function(wrap_pyfunction!(platform_hashes, m)?)?;
    m.add_function(wrap_pyfunction!(platform_hashes_columns, m)?)?;
    m.add_function(wrap_pyfunction!(error_codes, m)?)?;
    m.add_function(wrap_pyfunction!(lsh_band_keys, m)?)?;
    m.add_function(wrap_pyfunction!(chain_guard_edges, m)?)?;
    m.add_function(wrap_pyfunction!(encoded_columns, m)?)?;
    m.add_function(wrap_pyfunction!(encoded_binary, m)?)?;
    m.add_class::<Linker>()?;
    m.add_class::<PyPseudonymizer>()?;
    m.add_class::<RecordEncoder>()?;
    m.add_class::<ClkEncoder>()?;
    m.add_class::<ObliviousClient>()?;
    m.add_class::<BlindedBatch>()?;
    Ok(())
}
