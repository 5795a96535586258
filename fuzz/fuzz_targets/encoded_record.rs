//! Linker inputs: `EncodedRecord` JSON (what pages and the linkage service
//! hand over), a link configuration and model parameters, then dedupe, link
//! and explain on what parsed.
//! Input: `config\0params\0recordsA\0recordsB` (a config or params that does
//! not parse takes the default / is trained).
#![no_main]

use libfuzzer_sys::fuzz_target;
use pseudolink::link::{EncodedRecord, LinkConfig, Linker, ModelParams};
use pseudolink_fuzz::{split_header, text};

fuzz_target!(|data: &[u8]| {
    let (h, b) = split_header(data, 3);
    let Ok(a) = EncodedRecord::many_from_json(&text(h[2])) else {
        // One record on its own, as `EncodedRecord::from_json` takes it.
        if let Ok(r) = EncodedRecord::from_json(&text(h[2])) {
            let json = serde_json::to_string(&r).expect("serialises");
            assert_eq!(EncodedRecord::from_json(&json).expect("round-trips"), r);
        }
        return;
    };
    let b = EncodedRecord::many_from_json(&text(b)).unwrap_or_default();
    let mut config = LinkConfig::from_json(&text(h[0])).unwrap_or_default();
    pseudolink_fuzz::tame(&mut config);
    let Ok(mut linker) = Linker::new(config) else {
        return;
    };
    if let Ok(params) = ModelParams::from_json(&text(h[1])) {
        match linker.clone().with_params(params) {
            Ok(l) => linker = l,
            Err(_) => return,
        }
    }
    let mut progress = |_: &str, _: usize, _: usize| {};
    let _ = linker.clone().dedupe(&a, &mut progress);
    if let Ok(result) = linker.link(&a, &b, &mut progress) {
        let _ = serde_json::to_string(&result.params);
        if let (Some(x), Some(y)) = (a.first(), b.first()) {
            let _ = linker.explain(x, y);
        }
    }
});
