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
        1 => {
            let mut request = f.batch.request(f.keys[0].version());
            let (h, mask) = split_header(rest, 1);
            let i = h[0].first().copied().unwrap_or(0) as usize % request.blinded.len();
            let mut b = decode_url(&request.blinded[i]);
            xor_into(&mut b, mask);
            request.blinded[i] = base64_url(&b);
            if let Ok(r) = f.keys[0].evaluate_request(&request, &mut rng) {
                assert_eq!(r.evaluated.len(), request.blinded.len());
            }
        }
        _ => {
            let (h, seed) = split_header(rest, 1);
            let _ = KeyPair::derive(&text(h[0]), seed);
        }
    }
});
