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
use std::sync::OnceLock;

/// What every input shares, made once per process: the default CLK schema
/// and the all-fields pseudonymizer and encoder that an input whose
/// definition does not parse (or does not validate) runs under. Building
/// them is key preparation and JSON parsing that no input changes.
struct Shared {
    schema: ClkSchema,
    all_fields: Pseudonymizer,
    all_fields_encoder: Option<RecordEncoder>,
}

fn shared() -> &'static Shared {
    static SHARED: OnceLock<Shared> = OnceLock::new();
    SHARED.get_or_init(|| {
        let fields: Vec<String> = Field::ALL
            .iter()
            .map(|f| format!("\"{}\"", f.name()))
            .collect();
        let json = format!(
            r#"{{"version":1,"fields":[{}],"matchKeys":[{{"name":"m","parts":[{{"field":"lastName"}},{{"field":"street","take":"streetNumber"}}]}}]}}"#,
            fields.join(",")
        );
        let def = IdentityDefinition::from_json(&json).expect("the all-fields definition is valid");
        let schema = ClkSchema::from_json(DEFAULT_CLK_SCHEMA).expect("the default schema parses");
        let all_fields = pseudonymizer(def.clone()).expect("valid");
        let all_fields_encoder = encoder(def, &schema);
        Shared {
            schema,
            all_fields,
            all_fields_encoder,
        }
    })
}

fn pseudonymizer(def: IdentityDefinition) -> Result<Pseudonymizer, Error> {
    let secret = Secret::new(vec![7; 32])?;
    Pseudonymizer::new(vec![("k1".into(), secret)], def)
}

/// The encoder under `def` (its own pseudonymizer: one holds its keys).
fn encoder(def: IdentityDefinition, schema: &ClkSchema) -> Option<RecordEncoder> {
    let p = pseudonymizer(def).ok()?;
    RecordEncoder::with_clks(p, schema, &[3; 32]).ok()
}

fuzz_target!(|data: &[u8]| {
    let s = shared();
    let (h, rest) = split_header(data, 1);
    // The input's own definition when it parses and validates (a definition
    // serde accepts but validation refuses falls back, as one that does not
    // parse), else the shared all-fields one.
    let own = IdentityDefinition::from_json(&text(h[0]))
        .ok()
        .and_then(|def| {
            let p = pseudonymizer(def.clone()).ok()?;
            Some((p, encoder(def, &s.schema)))
        });
    let (p, enc) = match &own {
        Some((p, enc)) => (p, enc.as_ref()),
        None => (&s.all_fields, s.all_fields_encoder.as_ref()),
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
    if let Some(enc) = enc {
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
