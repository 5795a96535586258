//! CLK schemas (linkage schema v3) and hardening options parsed, then a row
//! encoded with them: the record CLK and one CLK per feature.
//! Input: `schema\0hardening\0row`, the row's values separated by 0x1f.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pseudolink::{ClkEncoder, ClkSchema, Hardening};
use pseudolink_fuzz::{split_header, text};

fuzz_target!(|data: &[u8]| {
    let (h, row) = split_header(data, 2);
    let Ok(schema) = ClkSchema::from_json(&text(h[0])) else {
        return;
    };
    let hardening = Hardening::from_json(&text(h[1])).unwrap_or_default();
    let Ok(encoder) = ClkEncoder::with_hardening(&schema, b"fuzz secret", &hardening) else {
        return;
    };
    let row = text(row);
    let mut values: Vec<&str> = row.split('\u{1f}').collect();
    // Rows of the schema's width, and one of the wrong width.
    let wrong = encoder.encode(&values).is_err();
    values.resize(schema.len(), "");
    let record = encoder.encode(&values);
    let features = encoder.encode_features(&values);
    assert_eq!(record.is_ok(), features.is_ok());
    let _ = wrong;
});
