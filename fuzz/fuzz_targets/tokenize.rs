//! Tokenising and platform hashes: an identity definition (JSON, or all
//! fields when it does not parse) and a record (JSON, or values for every
//! field separated by 0x1f) through the `Pseudonymizer`, the `RecordEncoder`
//! with the default CLK schema, and `platform_hashes` under every profile.
//! Input: `definition\0record`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pseudolink::{
    platform_hashes, ClkSchema, Error, Field, IdentityDefinition, NormalizeOptions, Profile,
    Pseudonymizer, Record, RecordEncoder, Secret, DEFAULT_CLK_SCHEMA,
};
use pseudolink_fuzz::{split_header, text};

fn all_fields() -> IdentityDefinition {
    let fields: Vec<String> = Field::ALL
        .iter()
        .map(|f| format!("\"{}\"", f.name()))
        .collect();
    let json = format!(
        r#"{{"version":1,"fields":[{}],"matchKeys":[{{"name":"m","parts":[{{"field":"lastName"}},{{"field":"street","take":"streetNumber"}}]}}]}}"#,
        fields.join(",")
    );
    IdentityDefinition::from_json(&json).expect("the all-fields definition is valid")
}

fn pseudonymizer(def: IdentityDefinition) -> Result<Pseudonymizer, Error> {
    let secret = Secret::new(vec![7; 32])?;
    Pseudonymizer::new(vec![("k1".into(), secret)], def)
}

fuzz_target!(|data: &[u8]| {
    let (h, rest) = split_header(data, 1);
    let def = IdentityDefinition::from_json(&text(h[0])).unwrap_or_else(|_| all_fields());
    let p = match pseudonymizer(def) {
        Ok(p) => p,
        // A definition serde accepts but validation refuses.
        Err(_) => pseudonymizer(all_fields()).expect("valid"),
    };
    let rest = text(rest);
    let record = if rest.starts_with('{') {
        match Record::from_json(&rest) {
            Ok(r) => r,
            Err(_) => return,
        }
    } else {
        let mut r = Record::new();
        for (f, v) in Field::ALL.iter().zip(rest.split('\u{1f}')) {
            r.set(*f, v);
        }
        r
    };
    let out = p.tokenize(&record);
    for e in &out.errors {
        assert_eq!(
            e.message,
            Error::field(e.field, parse_code(e.code)).to_string()
        );
    }
    let schema = ClkSchema::from_json(DEFAULT_CLK_SCHEMA).expect("the default schema parses");
    if let Ok(enc) = RecordEncoder::with_clks(p, &schema, &[3; 32]) {
        let encoded = enc.encode("r1", &record);
        let json = serde_json::to_string(&encoded.record).expect("serialises");
        let back = pseudolink::link::EncodedRecord::from_json(&json).expect("round-trips");
        assert_eq!(back, encoded.record);
    }
    for profile in Profile::ALL {
        let _ = platform_hashes(&record, &NormalizeOptions::new(profile));
    }
});

fn parse_code(code: &str) -> pseudolink::ErrorCode {
    pseudolink::ErrorCode::parse(code).expect("a field error's code is in the table")
}
