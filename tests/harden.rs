//! CLK hardening through the public API: the diffusion layer on
//! `ClkEncoder` and `RecordEncoder` (keyed and CLK-only), next to balancing
//! and salting. The clkhash byte-identity of the unhardened default is in
//! `tests/clk.rs` (committed vectors); here it is checked that the default
//! `Hardening` still takes that path through `RecordEncoder`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![cfg(feature = "fuzzy")]

use pseudolink::link::dice;
use pseudolink::{
    normalize, ClkEncoder, ClkSchema, Country, DateOrder, ErrorCode, Field, Hardening,
    IdentityDefinition, NormalizeOptions, Profile, Pseudonymizer, Record, RecordEncoder, Secret,
    DEFAULT_CLK_SCHEMA, DIFFUSION_T, RECORD_CLK,
};
use std::collections::BTreeMap;

const DEFINITION: &str = r#"{"version":1,
  "fields":["email","firstName","lastName","street","city","postalCode","dateOfBirth"],
  "defaultRegion":"US","dateOrder":"mdy"}"#;
const CLK_SECRET: &[u8] = b"project clk secret, 32 bytes or more";

fn definition() -> IdentityDefinition {
    IdentityDefinition::from_json(DEFINITION).unwrap()
}

fn pseudonymizer() -> Pseudonymizer {
    Pseudonymizer::new(
        vec![("k1".into(), Secret::new(vec![5; 32]).unwrap())],
        definition(),
    )
    .unwrap()
}

fn schema() -> ClkSchema {
    ClkSchema::from_json(DEFAULT_CLK_SCHEMA).unwrap()
}

fn keyed(h: &Hardening) -> RecordEncoder {
    RecordEncoder::with_hardened_clks(pseudonymizer(), &schema(), CLK_SECRET, h).unwrap()
}

fn person(first: &str, last: &str, street: &str, city: &str, zip: &str, dob: &str) -> Record {
    Record::new()
        .with(Field::Email, "someone@example.com")
        .with(Field::FirstName, first)
        .with(Field::LastName, last)
        .with(Field::Street, street)
        .with(Field::City, city)
        .with(Field::PostalCode, zip)
        .with(Field::DateOfBirth, dob)
}

fn ann() -> Record {
    person(
        "Ann",
        "Lee",
        "12 Main Street",
        "Springfield",
        "62704",
        "03/14/1985",
    )
}

fn ann_typo() -> Record {
    person(
        "Anne",
        "Leigh",
        "12 Main St",
        "Springfeld",
        "62704",
        "03/14/1985",
    )
}

fn bob() -> Record {
    person(
        "Robert",
        "Okafor",
        "901 Harbor Blvd",
        "Riverton",
        "84065",
        "11/02/1961",
    )
}

fn clks(enc: &RecordEncoder, r: &Record) -> BTreeMap<String, Vec<u8>> {
    let out = enc.encode("r", r);
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    out.record.clks
}

fn record_dice(a: &BTreeMap<String, Vec<u8>>, b: &BTreeMap<String, Vec<u8>>, key: &str) -> f64 {
    dice(&a[key], &b[key])
}

#[test]
fn default_hardening_is_the_clkhash_path() {
    let plain = RecordEncoder::with_clks(pseudonymizer(), &schema(), CLK_SECRET).unwrap();
    let default = keyed(&Hardening::default());
    assert_eq!(clks(&plain, &ann()), clks(&default, &ann()));
    assert_eq!(
        plain.encode("a", &ann()).record,
        default.encode("a", &ann()).record
    );
}

#[test]
fn diffusion_changes_every_clk_keeps_length_and_is_deterministic() {
    let plain = clks(&keyed(&Hardening::default()), &ann());
    let enc = keyed(&Hardening::default().diffusion(8));
    let diffused = clks(&enc, &ann());
    assert_eq!(
        plain.keys().collect::<Vec<_>>(),
        diffused.keys().collect::<Vec<_>>()
    );
    assert!(plain.contains_key(RECORD_CLK) && plain.len() == 7);
    for (key, bytes) in &plain {
        assert_eq!(bytes.len(), diffused[key].len(), "{key}: length kept");
        assert_ne!(bytes, &diffused[key], "{key}: diffusion changes it");
    }
    // Same record, same CLKs; also from a second encoder with the same secret.
    assert_eq!(diffused, clks(&enc, &ann()));
    let again = keyed(&Hardening::default().diffusion(8));
    assert_eq!(diffused, clks(&again, &ann()));
    // Another secret or another t: other CLKs.
    let other_secret = RecordEncoder::with_hardened_clks(
        pseudonymizer(),
        &schema(),
        b"another project secret, long enough",
        &Hardening::default().diffusion(8),
    )
    .unwrap();
    assert_ne!(diffused, clks(&other_secret, &ann()));
    assert_ne!(
        diffused[RECORD_CLK],
        clks(&keyed(&Hardening::default().diffusion(9)), &ann())[RECORD_CLK]
    );
    // Tokens are not touched by CLK hardening.
    assert_eq!(
        enc.encode("a", &ann()).record.tokens,
        keyed(&Hardening::default())
            .encode("a", &ann())
            .record
            .tokens
    );
}

#[test]
fn similar_records_stay_more_similar_than_unrelated_ones() {
    for h in [
        Hardening::default(),
        Hardening::default().diffusion(4),
        Hardening::default().diffusion(8),
        Hardening::default().diffusion(12),
        Hardening::default().balanced(true).diffusion(8),
    ] {
        let enc = keyed(&h);
        let (a, near, far) = (
            clks(&enc, &ann()),
            clks(&enc, &ann_typo()),
            clks(&enc, &bob()),
        );
        for key in [
            "firstName",
            "lastName",
            "street",
            "city",
            "postalCode",
            RECORD_CLK,
        ] {
            let (dn, df) = (record_dice(&a, &near, key), record_dice(&a, &far, key));
            assert!(dn > df, "{h:?} {key}: near {dn:.3} <= far {df:.3}");
        }
        // An equal value gives an equal CLK under any hardening.
        assert_eq!(a["dateOfBirth"], near["dateOfBirth"]);
        assert_eq!(a["postalCode"], near["postalCode"]);
    }
}

#[test]
fn record_clk_equals_the_clk_encoder_of_the_normalised_row() {
    let h = Hardening::default().balanced(true).diffusion(6);
    let enc = keyed(&h);
    let clk = ClkEncoder::with_hardening(&schema(), CLK_SECRET, &h).unwrap();
    let mut opts = NormalizeOptions::new(Profile::Pseudolink);
    opts.region = Country::parse("US");
    opts.date_order = Some(DateOrder::Mdy);
    let r = ann();
    let row: Vec<String> = schema()
        .identifiers()
        .map(|id| {
            let f = Field::from_name(id).unwrap();
            let raw = r.get(f).unwrap().unwrap();
            normalize(f, raw, &opts).unwrap()
        })
        .collect();
    let ours = clks(&enc, &r);
    assert_eq!(ours[RECORD_CLK], clk.encode(&row).unwrap().as_bytes());
    assert_eq!(clk.output_bits(), 2048);
    let features = clk.encode_features(&row).unwrap();
    for (id, c) in schema().identifiers().zip(features) {
        assert_eq!(ours[id], c.unwrap().as_bytes(), "{id}");
    }
}

#[test]
fn clk_only_encoder_gives_the_keyed_encoders_clks_and_no_tokens() {
    for h in [
        Hardening::default(),
        Hardening::default().diffusion(8),
        Hardening::default()
            .balanced(true)
            .salt_feature("dateOfBirth")
            .diffusion(5),
    ] {
        let only = RecordEncoder::clks_only(definition(), &schema(), CLK_SECRET, &h).unwrap();
        assert!(only.pseudonymizer().is_none());
        assert_eq!(only.definition(), &definition());
        let with_keys = keyed(&h);
        for r in [ann(), ann_typo(), bob()] {
            let a = only.encode("x", &r);
            let b = with_keys.encode("x", &r);
            assert!(a.record.tokens.is_empty() && a.record.match_keys.is_empty());
            assert!(!b.record.tokens.is_empty());
            assert_eq!(a.record.clks, b.record.clks, "{h:?}");
            assert_eq!(a.record.clks.len(), 7);
        }
    }
    // Normalisation follows the definition (date order): a d/m/y definition
    // reads 03/04/1985 as another date than the m/d/y one.
    let dmy = IdentityDefinition::from_json(&DEFINITION.replace("mdy", "dmy")).unwrap();
    let h = Hardening::default().diffusion(8);
    let mdy_enc = RecordEncoder::clks_only(definition(), &schema(), CLK_SECRET, &h).unwrap();
    let dmy_enc = RecordEncoder::clks_only(dmy, &schema(), CLK_SECRET, &h).unwrap();
    let r = Record::new().with(Field::DateOfBirth, "03/04/1985");
    assert_ne!(
        mdy_enc.encode("x", &r).record.clks["dateOfBirth"],
        dmy_enc.encode("x", &r).record.clks["dateOfBirth"]
    );
    // A field that does not normalise is reported, by code only.
    let bad = only_default().encode("x", &Record::new().with(Field::DateOfBirth, "13/45/1985"));
    assert_eq!(bad.errors.len(), 1);
    assert_eq!(bad.errors[0].field, Field::DateOfBirth);
    assert!(bad.record.clks.is_empty());
}

fn only_default() -> RecordEncoder {
    RecordEncoder::clks_only(definition(), &schema(), CLK_SECRET, &Hardening::default()).unwrap()
}

#[test]
fn bad_hardening_is_a_typed_error_without_values() {
    let bad_t: Vec<u8> = (0..=255u8).filter(|t| !DIFFUSION_T.contains(t)).collect();
    assert_eq!(bad_t.len(), 256 - 31);
    for t in [0u8, 1, 33, 200] {
        let h = Hardening::default().diffusion(t);
        for err in [
            ClkEncoder::with_hardening(&schema(), CLK_SECRET, &h).err(),
            RecordEncoder::with_hardened_clks(pseudonymizer(), &schema(), CLK_SECRET, &h).err(),
            RecordEncoder::clks_only(definition(), &schema(), CLK_SECRET, &h).err(),
        ] {
            let err = err.expect("refused");
            assert_eq!(err.code(), ErrorCode::OptionInvalid);
            assert!(!err.to_string().contains(&t.to_string()) || t < 2);
        }
    }
    let unknown_salt = Hardening::default().salt_feature("noSuchFeature");
    let err = RecordEncoder::clks_only(definition(), &schema(), CLK_SECRET, &unknown_salt)
        .err()
        .unwrap();
    assert_eq!(err.code(), ErrorCode::OptionInvalid);
    assert!(!err.to_string().contains("noSuchFeature"));
    // JSON form, as the pages and the linkage config carry it.
    let h = Hardening::from_json(r#"{"balanced":false,"saltFeature":null,"diffusion":8}"#).unwrap();
    assert_eq!(h, Hardening::default().diffusion(8));
    assert_eq!(
        Hardening::from_json(r#"{"diffusion":8,"rounds":2}"#)
            .unwrap_err()
            .code(),
        ErrorCode::OptionInvalid
    );
}
