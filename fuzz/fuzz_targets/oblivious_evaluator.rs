//! The key server's side of the wire: `EvaluateRequest` JSON evaluated, a
//! valid request with fuzz bytes XOR-ed into its blinded elements, and key
//! derivation from a version and seed.
//! Input: first byte picks the mode, the rest is its data.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pseudolink::base64_url;
use pseudolink::oblivious::{EvaluateRequest, KeyPair};
use pseudolink_fuzz::oblivious::{decode_url, fixture};
use pseudolink_fuzz::{split_header, text, xor_into, CounterRng};

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let f = fixture();
    let mut rng = CounterRng(mode as u64);
    match mode % 3 {
        0 => {
            let Ok(request) = serde_json::from_slice::<EvaluateRequest>(rest) else {
                return;
            };
            if let Ok(r) = f.keys[0].evaluate_request(&request, &mut rng) {
                assert_eq!(r.evaluated.len(), request.blinded.len());
            }
        }
        // One real blinded element with the bytes XOR-ed in, alone or after
        // a valid one (evaluation costs a scalar multiplication per element:
        // the rest of the batch would only repeat the untouched ones).
        1 => {
            let mut request = f.batch.request(f.keys[0].version());
            let (h, mask) = split_header(rest, 1);
            let n = request.blinded.len();
            let i = h[0].first().copied().unwrap_or(0) as usize % n;
            let mut b = decode_url(&request.blinded[i]);
            xor_into(&mut b, mask);
            let mutated = base64_url(&b);
            let at = match h[0].get(1) {
                Some(&j) if j % 2 == 1 => {
                    let valid = request.blinded[(i + 1) % n].clone();
                    request.blinded = vec![valid, mutated];
                    1
                }
                _ => {
                    request.blinded = vec![mutated];
                    0
                }
            };
            match f.keys[0].evaluate_request(&request, &mut rng) {
                Ok(r) => assert_eq!(r.evaluated.len(), request.blinded.len()),
                // Only the mutated element can be refused, by its index.
                Err(e) => assert_eq!(e.0, at),
            }
        }
        _ => {
            let (h, seed) = split_header(rest, 1);
            let _ = KeyPair::derive(&text(h[0]), seed);
        }
    }
});
