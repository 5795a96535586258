//! The oblivious client's side of the wire: what a key server answers
//! (`EvaluateResponse` JSON) finalised against a fixed blinded batch, valid
//! answers with fuzz bytes XOR-ed into their elements and proof, and pinned
//! public keys from text. Only the untouched valid answers may verify.
//! Input: first byte picks the mode, the rest is its data.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pseudolink::oblivious::{EvaluateResponse, PublicKey};
use pseudolink::{base64_url, ErrorCode};
use pseudolink_fuzz::oblivious::{decode_url, fixture};
use pseudolink_fuzz::{split_header, text, xor_into};

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let f = fixture();
    match mode % 4 {
        // Responses as JSON.
        0 => {
            let Ok(responses) = serde_json::from_slice::<Vec<EvaluateResponse>>(rest) else {
                return;
            };
            if let Ok(out) = f.client.finalize(&f.batch, &responses) {
                // Only the real evaluations verify.
                assert_eq!(out, f.expected);
            }
        }
        // Valid responses with the bytes XOR-ed into evaluated elements and proofs.
        1 | 2 => {
            let mut responses = f.responses.clone();
            let (h, mask) = split_header(rest, 1);
            let which = h[0].first().copied().unwrap_or(0) as usize % responses.len();
            let r = &mut responses[which];
            if mode % 4 == 1 {
                let i = h[0].get(1).copied().unwrap_or(0) as usize % r.evaluated.len();
                let mut e = decode_url(&r.evaluated[i]);
                xor_into(&mut e, mask);
                r.evaluated[i] = base64_url(&e);
            } else {
                let mut p = decode_url(&r.proof);
                xor_into(&mut p, mask);
                r.proof = base64_url(&p);
            }
            let touched = responses != f.responses;
            // Under a client pinning the touched version only: the other
            // version's answer is untouched and was verified when the
            // fixture was made (mode 0 finalises under both versions).
            let (client, expected) = &f.single[which];
            match client.finalize(&f.batch, &responses) {
                Ok(out) => {
                    assert!(!touched, "a changed answer verified");
                    assert_eq!(&out, expected);
                }
                Err(e) => {
                    assert!(touched, "the real answers failed");
                    assert!(matches!(
                        e.code(),
                        ErrorCode::ObliviousInvalidResponse
                            | ErrorCode::ObliviousVerificationFailed
                    ));
                }
            }
        }
        // A pinned key from its version and base64url text.
        _ => {
            let (h, key) = split_header(rest, 1);
            let _ = PublicKey::from_base64url(&text(h[0]), &text(key));
            let _ = PublicKey::new(&text(h[0]), key);
        }
    }
});
