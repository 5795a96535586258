//! The public Rust API, used the way a caller would.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: failing loudly is the point

use pseudolink::{
    normalize, platform_hashes, DateOrder, ErrorCode, Field, IdentityDefinition, NormalizeOptions,
    Profile, Pseudonymizer, Record, Secret, Token,
};

const DEFINITION: &str = r#"{
  "version": 1,
  "fields": ["email", "phone", "firstName", "lastName", "dateOfBirth", "postalCode", "street", "country"],
  "matchKeys": [
    {"name": "nameDob", "parts": [{"field": "lastName"}, {"field": "firstName", "take": "initial"}, {"field": "dateOfBirth"}]},
    {"name": "addressName", "parts": [{"field": "postalCode"}, {"field": "street", "take": "streetNumber"}, {"field": "lastName"}]},
    {"name": "emailName", "parts": [{"field": "email"}, {"field": "lastName"}]}
  ],
  "defaultRegion": "US",
  "dateOrder": "mdy"
}"#;

fn secret(byte: u8) -> Secret {
    Secret::new(vec![byte; 32]).unwrap()
}

fn pseudonymizer(keys: &[(&str, u8)]) -> Pseudonymizer {
    let keys = keys
        .iter()
        .map(|(id, b)| (id.to_string(), secret(*b)))
        .collect();
    Pseudonymizer::new(keys, IdentityDefinition::from_json(DEFINITION).unwrap()).unwrap()
}

fn full_record() -> Record {
    Record::new()
        .with(Field::Email, "Jon.Smith+shop@GoogleMail.com")
        .with(Field::Phone, "(415) 555 0100")
        .with(Field::FirstName, "Jon")
        .with(Field::LastName, "Smith")
        .with(Field::DateOfBirth, "02/14/1985")
        .with(Field::PostalCode, "94105-1234")
        .with(Field::Street, "1600 Amphitheatre Parkway")
        .with(Field::Country, "US")
}

#[test]
fn tokenize_gives_one_token_per_field_and_match_key() {
    let out = pseudonymizer(&[("k1", 1)]).tokenize(&full_record());
    assert_eq!(out.errors, vec![], "{:?}", out.errors);
    assert_eq!(out.tokens.len(), 8);
    assert_eq!(out.match_keys.len(), 3);
    let subjects: Vec<&str> = out
        .tokens
        .iter()
        .map(|t| Token::parse(t).unwrap().subject)
        .collect();
    assert_eq!(
        subjects,
        [
            "email",
            "phone",
            "firstName",
            "lastName",
            "dateOfBirth",
            "postalCode",
            "street",
            "country"
        ]
    );
    assert!(out
        .tokens
        .iter()
        .all(|t| Token::parse(t).unwrap().key_id == "k1"));
    assert!(out.match_keys[0].starts_with("pl1.mk-nameDob.k1."));
}

#[test]
fn tokenize_returning_customer_formats_agree() {
    let p = pseudonymizer(&[("k1", 1)]);
    let first = p.tokenize(
        &Record::new()
            .with(Field::Email, "jon.smith@gmail.com")
            .with(Field::Phone, "+1 415-555-0100"),
    );
    let again = p.tokenize(
        &Record::new()
            .with(Field::Email, "Jon.Smith+shop@GoogleMail.com")
            .with(Field::Phone, "(415) 555 0100"),
    );
    assert_eq!(first.tokens, again.tokens);
}

#[test]
fn tokenize_rotation_makes_tokens_under_every_key() {
    let out = pseudonymizer(&[("k2026", 1), ("k2025", 2)]).tokenize(&full_record());
    assert_eq!(out.tokens.len(), 16);
    let email: Vec<Token> = out
        .tokens
        .iter()
        .map(|t| Token::parse(t).unwrap())
        .filter(|t| t.subject == "email")
        .collect();
    assert_eq!(email.len(), 2);
    assert_eq!((email[0].key_id, email[1].key_id), ("k2026", "k2025"));
    assert_ne!(email[0].tag, email[1].tag);
}

#[test]
fn tokenize_match_key_needs_all_parts() {
    let r = Record::new()
        .with(Field::LastName, "Smith")
        .with(Field::FirstName, "Jon");
    let out = pseudonymizer(&[("k1", 1)]).tokenize(&r);
    assert!(out.match_keys.is_empty());
    assert_eq!(out.tokens.len(), 2);
}

#[test]
fn tokenize_reports_invalid_fields_without_values() {
    let r = Record::new()
        .with(Field::Email, "jon.smith.example.com")
        .with(Field::Phone, "12")
        .with(Field::LastName, "Smith");
    let out = pseudonymizer(&[("k1", 1)]).tokenize(&r);
    let codes: Vec<_> = out.errors.iter().map(|e| (e.field, e.code)).collect();
    assert_eq!(
        codes,
        vec![
            (Field::Email, "email.missing_at"),
            (Field::Phone, "phone.too_short")
        ]
    );
    for e in &out.errors {
        assert!(
            !e.message.contains("jon.smith") && !e.message.contains("12"),
            "{}",
            e.message
        );
    }
    assert_eq!(out.tokens.len(), 1);
}

#[test]
fn tokenize_batch_equals_one_by_one() {
    let p = pseudonymizer(&[("k1", 1)]);
    let records = vec![
        full_record(),
        Record::new().with(Field::Email, "a@b.example"),
        Record::new(),
    ];
    let batch = p.tokenize_batch(&records);
    let single: Vec<_> = records.iter().map(|r| p.tokenize(r)).collect();
    assert_eq!(batch, single);
}

#[test]
fn pseudonymizer_rejects_bad_keys() {
    let def = || IdentityDefinition::from_json(DEFINITION).unwrap();
    let err = |keys: Vec<(String, Secret)>| {
        Pseudonymizer::new(keys, def())
            .err()
            .map(|e| e.code())
            .unwrap()
    };
    assert_eq!(err(vec![]), ErrorCode::KeyMissing);
    assert_eq!(
        err(vec![("a".into(), secret(1)), ("a".into(), secret(2))]),
        ErrorCode::KeyDuplicateId
    );
    assert_eq!(
        err(vec![("bad id".into(), secret(1))]),
        ErrorCode::KeyInvalidId
    );
    assert_eq!(
        Secret::new(vec![0; 16]).err().unwrap().code(),
        ErrorCode::KeyTooShort
    );
}

#[test]
fn pseudonymizer_debug_shows_no_secret() {
    let p = Pseudonymizer::new(
        vec![(
            "k1".into(),
            Secret::new(b"super-secret-key-material-0123456789".to_vec()).unwrap(),
        )],
        IdentityDefinition::from_json(DEFINITION).unwrap(),
    )
    .unwrap();
    let dbg = format!("{p:?}");
    assert!(dbg.contains("k1") && !dbg.contains("super-secret"), "{dbg}");
}

#[test]
fn platform_hashes_use_platform_names_and_encodings() {
    let r = full_record().with(Field::Gender, "Female");
    let meta = platform_hashes(
        &r,
        &NormalizeOptions::new(Profile::Meta).with_date_order(DateOrder::Mdy),
    );
    assert_eq!(meta.errors, vec![]);
    for k in ["em", "ph", "fn", "ln", "db", "zp", "country", "ge"] {
        let h = &meta.hashes[k];
        assert!(
            h.len() == 64
                && h.bytes()
                    .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()),
            "{k}"
        );
    }
    let uid2 = platform_hashes(&r, &NormalizeOptions::new(Profile::Uid2));
    assert_eq!(
        uid2.hashes.keys().copied().collect::<Vec<_>>(),
        vec!["email_hash", "phone_hash"]
    );
    assert!(uid2
        .hashes
        .values()
        .all(|h| h.len() == 44 && h.ends_with('=')));
    let google = platform_hashes(&r, &NormalizeOptions::new(Profile::Google));
    assert_eq!(google.plain["address_info.country_code"], "US");
    assert!(google
        .hashes
        .contains_key("address_info.hashed_street_address"));
}

#[test]
fn normalize_unsupported_field_for_profile() {
    let e = normalize(
        Field::CompanyName,
        "Acme",
        &NormalizeOptions::new(Profile::Uid2),
    )
    .unwrap_err();
    assert_eq!(e.code(), ErrorCode::UnsupportedField);
}

#[test]
fn normalize_rejects_over_long_input_early() {
    let big = "a".repeat(1 << 20);
    let e = normalize(Field::Email, &big, &NormalizeOptions::default()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::TooLong);
}

fn dob_tokens(definition: &str, dob: &str, country: Option<&str>) -> Result<Vec<String>, String> {
    let def = IdentityDefinition::from_json(definition).unwrap();
    let p = Pseudonymizer::new(vec![("k1".to_string(), secret(1))], def).unwrap();
    let mut r = Record::new().with(Field::DateOfBirth, dob);
    if let Some(c) = country {
        r = r.with(Field::Country, c);
    }
    let out = p.tokenize(&r);
    match out.errors.first() {
        Some(e) => Err(e.code.to_string()),
        None => Ok(out.tokens),
    }
}

#[test]
fn dates_read_in_the_default_regions_order() {
    let us = r#"{"version":1,"fields":["dateOfBirth"],"defaultRegion":"US"}"#;
    let de = r#"{"version":1,"fields":["dateOfBirth"],"defaultRegion":"DE"}"#;
    let none = r#"{"version":1,"fields":["dateOfBirth"]}"#;
    let us_dmy = r#"{"version":1,"fields":["dateOfBirth"],"defaultRegion":"US","dateOrder":"dmy"}"#;
    let may_2 = dob_tokens(none, "1984-05-02", None).unwrap();
    let feb_5 = dob_tokens(none, "1984-02-05", None).unwrap();
    // US: month first; DE: day first; an explicit dateOrder wins.
    assert_eq!(dob_tokens(us, "05/02/1984", None).unwrap(), may_2);
    assert_eq!(dob_tokens(de, "05/02/1984", None).unwrap(), feb_5);
    assert_eq!(dob_tokens(us_dmy, "05/02/1984", None).unwrap(), feb_5);
    // The record's own country takes the default region's place.
    assert_eq!(dob_tokens(us, "05/02/1984", Some("DE")).unwrap(), feb_5);
    // No order and no region: refused; one valid reading: accepted.
    assert_eq!(
        dob_tokens(none, "05/02/1984", None).unwrap_err(),
        "date.ambiguous"
    );
    assert_eq!(
        dob_tokens(none, "2/16/1997", None).unwrap(),
        dob_tokens(none, "1997-02-16", None).unwrap()
    );
    assert_eq!(
        dob_tokens(us_dmy, "2/16/1997", None).unwrap_err(),
        "date.impossible"
    );
}
