//! Oblivious tokens, natively: the RFC 9497 vectors, then client and
//! evaluator together through the public API (no server process).
#![cfg(feature = "oblivious")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: failing loudly is the point

mod support;

use pseudolink::oblivious::{EvaluateResponse, KeyPair, ObliviousClient, PublicKey, ADDITIVE_FROM};
use pseudolink::{base64_url, ErrorCode, Field, IdentityDefinition, Record, Token};
use rand_core::OsRng;

#[test]
fn rfc9497_voprf_vectors() {
    let failures = support::oprf::check_voprf(support::oprf::OPRF_FILE);
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn rfc9497_oprf_vectors() {
    let failures = support::oprf::check_oprf(support::oprf::OPRF_FILE);
    assert!(failures.is_empty(), "{failures:#?}");
}

const DEF: &str = r#"{"version":1,"fields":["email","firstName","lastName"],
  "matchKeys":[{"name":"nameInit","parts":[{"field":"lastName"},{"field":"firstName","take":"initial"}]}],
  "defaultRegion":"US"}"#;

fn key(version: &str, seed: u8) -> KeyPair {
    KeyPair::derive(version, &[seed; 32]).unwrap()
}

fn client(keys: &[&KeyPair]) -> ObliviousClient {
    let pins = keys
        .iter()
        .map(|k| PublicKey::new(k.version(), &k.public_key()).unwrap())
        .collect();
    ObliviousClient::new(IdentityDefinition::from_json(DEF).unwrap(), pins).unwrap()
}

/// One round trip: blind, evaluate under each key, finalise.
fn tokenize(
    c: &ObliviousClient,
    keys: &[&KeyPair],
    records: &[Record],
) -> Vec<pseudolink::Tokenized> {
    let batch = c.blind(records, &mut OsRng).unwrap();
    let answers: Vec<EvaluateResponse> = keys
        .iter()
        .map(|k| {
            k.evaluate_request(&batch.request(k.version()), &mut OsRng)
                .unwrap()
        })
        .collect();
    c.finalize(&batch, &answers).unwrap()
}

fn jane() -> Record {
    Record::new()
        .with(Field::Email, "Jane.Doe@Example.com")
        .with(Field::FirstName, "Jane")
        .with(Field::LastName, "Doe")
}

#[test]
fn same_value_same_token_across_blinds_and_spellings() {
    let k = key("2026a", 1);
    let c = client(&[&k]);
    let a = tokenize(&c, &[&k], &[jane()]);
    let b = tokenize(
        &c,
        &[&k],
        &[Record::new()
            .with(Field::Email, " jane.doe@EXAMPLE.com ")
            .with(Field::FirstName, "JANE")
            .with(Field::LastName, "doe")],
    );
    assert_eq!(a, b);
    assert_eq!(a[0].tokens.len(), 3);
    assert_eq!(a[0].match_keys.len(), 1);
    let t = Token::parse(&a[0].tokens[0]).unwrap();
    assert_eq!((t.version, t.subject, t.key_id), ("po1", "email", "2026a"));
    assert!(a[0].match_keys[0].starts_with("po1.mk-nameInit.2026a."));
}

/// A large batch is blinded additively, a small one as RFC 9497 blinds:
/// the tokens are the same either way, under every pinned version.
#[test]
fn large_batches_blind_additively_and_give_the_same_tokens() {
    let (old, new) = (key("2026a", 1), key("2026b", 2));
    let c = client(&[&old, &new]);
    let records: Vec<Record> = (0..ADDITIVE_FROM / 2)
        .map(|i| {
            Record::new()
                .with(Field::Email, format!("person{i}@example.com"))
                .with(Field::FirstName, "Jane")
                .with(Field::LastName, format!("Doe{i}"))
        })
        .collect();
    let batch = c.blind(&records, &mut OsRng).unwrap();
    assert!(batch.len() >= ADDITIVE_FROM, "{} elements", batch.len());
    let together = tokenize(&c, &[&old, &new], &records);
    for (i, r) in records.iter().enumerate().step_by(7) {
        let alone = tokenize(&c, &[&old, &new], std::slice::from_ref(r));
        assert!(c.blind(std::slice::from_ref(r), &mut OsRng).unwrap().len() < ADDITIVE_FROM);
        assert_eq!(alone[0], together[i], "record {i}");
    }
    // Another key claiming a pinned version, or swapped elements, are
    // refused on the additive path too.
    let impostor = KeyPair::derive("2026a", &[9; 32]).unwrap();
    let good = new
        .evaluate_request(&batch.request("2026b"), &mut OsRng)
        .unwrap();
    let forged = impostor
        .evaluate_request(&batch.request("2026a"), &mut OsRng)
        .unwrap();
    let e = c.finalize(&batch, &[forged, good.clone()]).unwrap_err();
    assert_eq!(e.code(), ErrorCode::ObliviousVerificationFailed);
    let honest = old
        .evaluate_request(&batch.request("2026a"), &mut OsRng)
        .unwrap();
    let mut swapped = good;
    swapped.evaluated.swap(0, 1);
    let e = c.finalize(&batch, &[honest, swapped]).unwrap_err();
    assert_eq!(e.code(), ErrorCode::ObliviousVerificationFailed);
}

#[test]
fn fields_are_domain_separated() {
    let k = key("2026a", 1);
    let c = client(&[&k]);
    let out = tokenize(
        &c,
        &[&k],
        &[Record::new()
            .with(Field::FirstName, "Jordan")
            .with(Field::LastName, "Jordan")],
    );
    let tags: Vec<_> = out[0]
        .tokens
        .iter()
        .map(|t| Token::parse(t).unwrap().tag)
        .collect();
    assert_ne!(tags[0], tags[1]);
}

#[test]
fn rotation_tokens_under_each_pinned_version() {
    let old = key("2026a", 1);
    let new = key("2026b", 2);
    let both = tokenize(&client(&[&old, &new]), &[&old, &new], &[jane()]);
    let only_old = tokenize(&client(&[&old]), &[&old], &[jane()]);
    let only_new = tokenize(&client(&[&new]), &[&new], &[jane()]);
    // Per item, one token per pinned version in pin order.
    assert_eq!(both[0].tokens[0], only_old[0].tokens[0]);
    assert_eq!(both[0].tokens[1], only_new[0].tokens[0]);
    assert_ne!(
        Token::parse(&only_old[0].tokens[0]).unwrap().tag,
        Token::parse(&only_new[0].tokens[0]).unwrap().tag
    );
}

#[test]
fn tampered_or_foreign_answers_are_refused() {
    let k = key("2026a", 1);
    let c = client(&[&k]);
    let batch = c.blind(&[jane()], &mut OsRng).unwrap();
    let good = k
        .evaluate_request(&batch.request("2026a"), &mut OsRng)
        .unwrap();

    // One evaluated element swapped for another valid point.
    let mut tampered = good.clone();
    tampered.evaluated.swap(0, 1);
    let e = c.finalize(&batch, &[tampered]).unwrap_err();
    assert_eq!(e.code(), ErrorCode::ObliviousVerificationFailed);

    // Evaluated by another key claiming the pinned version.
    let impostor = KeyPair::derive("2026a", &[9; 32]).unwrap();
    let forged = impostor
        .evaluate_request(&batch.request("2026a"), &mut OsRng)
        .unwrap();
    let e = c.finalize(&batch, &[forged]).unwrap_err();
    assert_eq!(e.code(), ErrorCode::ObliviousVerificationFailed);

    // Wrong count, garbage, missing version.
    let mut short = good.clone();
    short.evaluated.pop();
    assert_eq!(
        c.finalize(&batch, &[short]).unwrap_err().code(),
        ErrorCode::ObliviousInvalidResponse
    );
    let mut garbage = good.clone();
    garbage.proof = "!!".into();
    assert_eq!(
        c.finalize(&batch, &[garbage]).unwrap_err().code(),
        ErrorCode::ObliviousInvalidResponse
    );
    assert_eq!(
        c.finalize(&batch, &[]).unwrap_err().code(),
        ErrorCode::ObliviousInvalidResponse
    );
    assert!(c.finalize(&batch, &[good]).is_ok());
}

#[test]
fn bad_input_and_keys_get_codes() {
    let k = key("2026a", 1);
    let c = client(&[&k]);
    let out = tokenize(&c, &[&k], &[Record::new().with(Field::Email, "no-at-sign")]);
    assert!(out[0].tokens.is_empty());
    assert_eq!(out[0].errors[0].code, "email.missing_at");
    // Nothing to evaluate: no request needed at all.
    let empty = c.blind(&[Record::new()], &mut OsRng).unwrap();
    assert!(empty.is_empty());
    assert_eq!(c.finalize(&empty, &[]).unwrap()[0].tokens.len(), 0);

    assert_eq!(
        PublicKey::new("v1", &[0xff; 32]).unwrap_err().code(),
        ErrorCode::ObliviousInvalidPublicKey
    );
    assert_eq!(
        PublicKey::new("bad.version", &k.public_key())
            .unwrap_err()
            .code(),
        ErrorCode::ObliviousInvalidPublicKey
    );
    let def = IdentityDefinition::from_json(DEF).unwrap();
    assert_eq!(
        ObliviousClient::new(def.clone(), vec![])
            .unwrap_err()
            .code(),
        ErrorCode::KeyMissing
    );
    let pin = PublicKey::new("v1", &k.public_key()).unwrap();
    assert_eq!(
        ObliviousClient::new(def, vec![pin.clone(), pin])
            .unwrap_err()
            .code(),
        ErrorCode::KeyDuplicateId
    );
    // Malformed blinded elements are refused by index.
    let mut req = c.blind(&[jane()], &mut OsRng).unwrap().request("2026a");
    req.blinded[1] = base64_url(&[0xff; 32]);
    assert_eq!(k.evaluate_request(&req, &mut OsRng).unwrap_err().0, 1);
}

#[test]
fn debug_output_holds_no_secret() {
    let k = key("2026a", 1);
    let text = format!("{k:?}");
    assert!(text.contains("2026a") && text.contains(&base64_url(&k.public_key())));
    assert!(!text.contains("sk"));
}
