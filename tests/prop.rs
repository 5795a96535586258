//! Properties over arbitrary input: nothing panics, and no error message,
//! token or hash carries the raw input.

#![cfg(not(target_arch = "wasm32"))] // proptest is a native dev-dependency; tests/web.rs covers wasm
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: failing loudly is the point

use proptest::prelude::*;
use pseudolink::{
    normalize, platform_hashes, Error, Field, IdentityDefinition, NormalizeOptions, Profile,
    Pseudonymizer, Record, Secret, TokenKey,
};

fn all_fields_definition() -> IdentityDefinition {
    let fields: Vec<String> = Field::ALL
        .iter()
        .map(|f| format!("\"{}\"", f.name()))
        .collect();
    IdentityDefinition::from_json(&format!(
        r#"{{"version":1,"fields":[{}],"matchKeys":[{{"name":"m","parts":[{{"field":"lastName"}},{{"field":"street","take":"streetNumber"}}]}}]}}"#,
        fields.join(",")
    ))
    .unwrap()
}

/// Strings that look like identifiers, plus arbitrary Unicode, plus mixes.
fn any_value() -> impl Strategy<Value = String> {
    prop_oneof![
        "\\PC*",
        ".*",
        "[ +()0-9.-]{0,30}",
        "[a-zA-Z0-9.+_ -]{0,20}@[a-zA-Z0-9.-]{0,20}",
        "[0-9/.-]{0,12}",
        proptest::collection::vec(any::<char>(), 0..64).prop_map(|v| v.into_iter().collect()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn normalize_never_panics_and_errors_are_fixed_text(
        value in any_value(),
        field_ix in 0..Field::ALL.len(),
        profile_ix in 0..Profile::ALL.len(),
        region in prop::sample::select(vec![None, Some("US"), Some("GB"), Some("DE"), Some("AU"), Some("CA"), Some("IT")]),
    ) {
        let field = Field::ALL[field_ix];
        let mut opts = NormalizeOptions::new(Profile::ALL[profile_ix]);
        opts.region = region.and_then(pseudolink::Country::parse);
        match normalize(field, &value, &opts) {
            Ok(v) => prop_assert!(v.len() <= 4 * pseudolink::MAX_INPUT_BYTES),
            Err(e) => prop_assert_eq!(e.to_string(), Error::field(field, e.code()).to_string()),
        }
    }

    #[test]
    fn tokenize_and_hash_outputs_never_contain_raw_values(values in proptest::collection::vec(any_value(), 15)) {
        let p = Pseudonymizer::new(vec![("k".into(), Secret::new(vec![9; 32]).unwrap())], all_fields_definition()).unwrap();
        let mut r = Record::new();
        for (f, v) in Field::ALL.iter().zip(&values) {
            r.set(*f, v.clone());
        }
        let out = p.tokenize(&r);
        let mut texts: Vec<String> = out.tokens.clone();
        texts.extend(out.match_keys.iter().cloned());
        texts.extend(out.errors.iter().map(|e| e.message.clone()));
        for profile in Profile::ALL {
            let h = platform_hashes(&r, &NormalizeOptions::new(profile));
            texts.extend(h.hashes.values().cloned());
            texts.extend(h.errors.iter().map(|e| e.message.clone()));
        }
        for v in values.iter().filter(|v| v.trim().chars().count() >= 8) {
            for t in &texts {
                prop_assert!(!t.contains(v.trim()), "output carries an input");
            }
        }
    }
}

#[test]
fn huge_inputs_are_refused_quickly() {
    let p = Pseudonymizer::new(
        vec![("k".into(), Secret::new(vec![9; 32]).unwrap())],
        all_fields_definition(),
    )
    .unwrap();
    let big = "9".repeat(2 << 20);
    let mut r = Record::new();
    for f in Field::ALL {
        r.set(f, big.clone());
    }
    let out = p.tokenize(&r);
    assert!(out.tokens.is_empty());
    assert_eq!(out.errors.len(), Field::ALL.len());
    assert!(out.errors.iter().all(|e| e.code == "value.too_long"));
}

/// Two or three keys, each 32–100 random bytes (beyond a block: hashed first).
fn any_keys() -> impl Strategy<Value = Vec<Vec<u8>>> {
    proptest::collection::vec(proptest::collection::vec(any::<u8>(), 32..100), 1..4)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// `tokenize` computes a record's HMACs together (the multi-lane SHA-256
    /// path, src/sha256x.rs); each token must equal the one-at-a-time
    /// `TokenKey` token of the same normalised value, which tests/vectors.rs
    /// checks against Python's hmac. Values of every length cross the
    /// one- and two-block boundaries of the inner hash.
    #[test]
    fn batched_tokens_equal_single_tokens(
        keys in any_keys(),
        values in proptest::collection::vec(prop_oneof!["[a-z ]{0,90}", "\\PC{0,40}", "[a-z0-9.]{1,40}@[a-z]{1,20}\\.com"], 10),
    ) {
        let fields = [
            Field::Email, Field::FirstName, Field::LastName, Field::City, Field::Street,
            Field::ExternalId, Field::PostalCode, Field::Email, Field::LastName, Field::FirstName,
        ];
        let def = IdentityDefinition::from_json(
            r#"{"version":1,"fields":["email","firstName","lastName","city","street","externalId","postalCode"],
                "matchKeys":[{"name":"fl","parts":[{"field":"firstName"},{"field":"lastName"}]},
                             {"name":"long-key-name-for-two-blocks","parts":[{"field":"street"},{"field":"city"},{"field":"email"}]}]}"#,
        ).unwrap();
        let ids: Vec<String> = (0..keys.len()).map(|i| format!("key-{i}")).collect();
        let p = Pseudonymizer::new(
            ids.iter().zip(&keys).map(|(id, k)| (id.clone(), Secret::new(k.clone()).unwrap())).collect(),
            def.clone(),
        ).unwrap();
        let mut r = Record::new();
        for (f, v) in fields.iter().zip(&values).take(7) {
            r.set(*f, v.clone());
        }
        let out = p.tokenize(&r);
        // One at a time, in the same order.
        let opts = NormalizeOptions::new(Profile::Pseudolink);
        let norm = |f: Field| r.get(f).and_then(|v| v.ok()).and_then(|v| normalize(f, v, &opts).ok());
        let token_keys: Vec<TokenKey> = ids.iter().zip(&keys)
            .map(|(id, k)| TokenKey::new(id, &Secret::new(k.clone()).unwrap()).unwrap()).collect();
        let mut want = Vec::new();
        for f in &def.fields {
            if let Some(v) = norm(*f) {
                want.extend(token_keys.iter().map(|k| k.field_token(*f, &v)));
            }
        }
        prop_assert_eq!(&out.tokens, &want);
        let mut want_mk = Vec::new();
        for mk in &def.match_keys {
            let parts: Option<Vec<String>> = mk.parts.iter().map(|part| norm(part.field)).collect();
            if let Some(parts) = parts {
                let parts: Vec<&[u8]> = parts.iter().map(|s| s.as_bytes()).collect();
                want_mk.extend(token_keys.iter().map(|k| k.match_key_token(&mk.name, &parts)));
            }
        }
        prop_assert_eq!(&out.match_keys, &want_mk);
    }
}
