//! Helpers shared by the fuzz targets in `fuzz_targets/` (see README.md).

use rand_core::{CryptoRng, Error, RngCore};

/// Splits `data` at the first `n` NUL bytes: `n` header parts and the rest.
/// Missing parts are empty.
pub fn split_header(data: &[u8], n: usize) -> (Vec<&[u8]>, &[u8]) {
    let mut parts = Vec::with_capacity(n);
    let mut rest = data;
    for _ in 0..n {
        match rest.iter().position(|&b| b == 0) {
            Some(i) => {
                parts.push(&rest[..i]);
                rest = &rest[i + 1..];
            }
            None => parts.push(&[][..]),
        }
    }
    (parts, rest)
}

/// Picks one of `all` by name (`name_of`), or else by the bytes' sum, so every
/// input selects something and seeds written with real names select theirs.
pub fn pick<T: Copy>(all: &[T], name: &[u8], name_of: impl Fn(&str) -> Option<T>) -> T {
    if let Some(t) = std::str::from_utf8(name).ok().and_then(name_of) {
        return t;
    }
    let sum: usize = name.iter().map(|&b| b as usize).sum();
    all[sum % all.len()]
}

/// Text from fuzz bytes: UTF-8 as is, anything else lossily decoded.
pub fn text(data: &[u8]) -> String {
    String::from_utf8_lossy(data).into_owned()
}

/// A deterministic "random" source for the oblivious targets: fuzzing wants
/// every run of an input to take the same path. Not a real RNG.
pub struct CounterRng(pub u64);

impl RngCore for CounterRng {
    fn next_u32(&mut self) -> u32 {
        self.next_u64() as u32
    }

    fn next_u64(&mut self) -> u64 {
        // SplitMix64.
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn fill_bytes(&mut self, dest: &mut [u8]) {
        for chunk in dest.chunks_mut(8) {
            let v = self.next_u64().to_le_bytes();
            chunk.copy_from_slice(&v[..chunk.len()]);
        }
    }

    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}

impl CryptoRng for CounterRng {}

/// XORs `mask` into `bytes` cyclically (no-op for an empty mask).
pub fn xor_into(bytes: &mut [u8], mask: &[u8]) {
    if mask.is_empty() {
        return;
    }
    for (i, b) in bytes.iter_mut().enumerate() {
        *b ^= mask[i % mask.len()];
    }
}

/// Every read-only query of a resolved graph, through every view.
pub fn query_graph(graph: &pseudolink::identity::IdentityGraph) {
    use pseudolink::identity::{EntityKind, RollupOptions, View};
    let _ = graph.counts();
    let _ = graph.roles();
    let _ = graph.events().len();
    for view in View::ALL {
        let _ = graph.rollup(view, &RollupOptions::default());
    }
    for kind in [
        EntityKind::Person,
        EntityKind::Household,
        EntityKind::LegalEntity,
        EntityKind::Site,
    ] {
        for id in graph.entity_ids(kind).iter().take(4) {
            let _ = graph.entity(id);
            let _ = graph.history(id);
            for view in View::ALL {
                let _ = graph.records_of(view, id);
            }
            if let Ok(refs) = graph.records_of(View::Billing, id) {
                for r in refs.iter().take(2) {
                    for view in View::ALL {
                        let _ = graph.customer_of(r, view);
                    }
                }
            }
        }
    }
}

/// A fixed client, key server and blinded batch for the oblivious targets,
/// made once per process (blinding and proving cost scalar multiplications).
pub mod oblivious {
    use super::CounterRng;
    use pseudolink::oblivious::{
        BlindedBatch, EvaluateResponse, KeyPair, ObliviousClient, PublicKey,
    };
    use pseudolink::{Field, IdentityDefinition, Record, Tokenized};
    use std::sync::OnceLock;

    /// Two pinned key versions, a blinded batch of two records and the
    /// servers' real answers, with the tokens they finalise to.
    pub struct Fixture {
        /// The key servers, one per version.
        pub keys: Vec<KeyPair>,
        /// A client pinning both.
        pub client: ObliviousClient,
        /// Two records blinded.
        pub batch: BlindedBatch,
        /// The real answers, one per version.
        pub responses: Vec<EvaluateResponse>,
        /// What the real answers finalise to.
        pub expected: Vec<Tokenized>,
        /// Per key version: a client pinning that version only, and what the
        /// real answer finalises to under it. Finalising a mutated answer
        /// with it verifies the one proof the mutation touched, not also the
        /// other version's untouched one (half the scalar multiplications).
        pub single: Vec<(ObliviousClient, Vec<Tokenized>)>,
    }

    /// The process's fixture.
    pub fn fixture() -> &'static Fixture {
        static F: OnceLock<Fixture> = OnceLock::new();
        F.get_or_init(|| {
            let mut rng = CounterRng(1);
            let keys = vec![
                KeyPair::derive("2026a", &[7; 32]).expect("valid"),
                KeyPair::derive("2026b", &[8; 32]).expect("valid"),
            ];
            let pins: Vec<PublicKey> = keys
                .iter()
                .map(|k| PublicKey::new(k.version(), &k.public_key()).expect("valid"))
                .collect();
            let def = IdentityDefinition::from_json(
                r#"{"version":1,"fields":["email","phone","lastName","street"],"matchKeys":[{"name":"m","parts":[{"field":"lastName"},{"field":"street","take":"streetNumber"}]}]}"#,
            )
            .expect("valid");
            let single = pins
                .iter()
                .map(|pin| {
                    ObliviousClient::new(def.clone(), vec![pin.clone()]).expect("valid")
                })
                .collect::<Vec<_>>();
            let client = ObliviousClient::new(def, pins).expect("valid");
            let records = [
                Record::new().with(Field::Email, "Jane@Example.com"),
                Record::new()
                    .with(Field::Email, "x@y.org")
                    .with(Field::Phone, "+1 415 555 0123")
                    .with(Field::LastName, "Doe")
                    .with(Field::Street, "12 Main St"),
            ];
            let batch = client.blind(&records, &mut rng).expect("blinds");
            let responses: Vec<EvaluateResponse> = keys
                .iter()
                .map(|k| {
                    k.evaluate_request(&batch.request(k.version()), &mut rng)
                        .expect("evaluates")
                })
                .collect();
            let expected = client.finalize(&batch, &responses).expect("verifies");
            // A batch blinded by the two-version client finalises under a
            // one-version client with the same definition: the blinded
            // elements are the same for every version.
            let single = single
                .into_iter()
                .map(|c| {
                    let out = c.finalize(&batch, &responses).expect("verifies");
                    (c, out)
                })
                .collect();
            Fixture {
                keys,
                client,
                batch,
                responses,
                expected,
                single,
            }
        })
    }

    /// Unpadded base64url to bytes (the fixture's own, valid, text).
    pub fn decode_url(text: &str) -> Vec<u8> {
        const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let mut out = Vec::new();
        let (mut acc, mut bits) = (0u32, 0);
        for c in text.bytes() {
            let v = A.iter().position(|&a| a == c).unwrap_or(0) as u32;
            acc = (acc << 6) | v;
            bits += 6;
            if bits >= 8 {
                bits -= 8;
                out.push((acc >> bits) as u8);
                acc &= (1 << bits) - 1;
            }
        }
        out
    }
}

/// Caps a configuration's training work (u sampling and EM iterations cost
/// what the caller asks for, linearly): fuzzing wants many small runs. A
/// fuzz input holds a handful of records, so a sample of [`U_SAMPLE_CAP`]
/// pairs (with replacement) already meets each pair many times; what a
/// larger sample adds is time, not paths. Values below the linker's minimum
/// (100) are left alone, so validation still sees them.
pub fn tame(config: &mut pseudolink::link::LinkConfig) {
    config.em.u_sample_pairs = config.em.u_sample_pairs.min(U_SAMPLE_CAP);
    config.em.max_iterations = config.em.max_iterations.min(EM_ITERATION_CAP);
}

/// The u sample a fuzzed linker configuration may ask for (the linker's minimum is 100).
pub const U_SAMPLE_CAP: u32 = 200;
/// The EM iterations a fuzzed linker configuration may ask for.
pub const EM_ITERATION_CAP: u32 = 10;

/// Asserts two JSON documents equal, numbers to 1e-12 relative: serde_json's
/// default float parsing (no `float_roundtrip`, kept out of the .wasm) may be
/// one unit in the last place off, so export → load → export may move a
/// float by an ulp.
pub fn assert_same_document(a: &str, b: &str) {
    use serde_json::Value;
    fn close(a: &Value, b: &Value) -> bool {
        match (a, b) {
            (Value::Number(x), Value::Number(y)) => match (x.as_f64(), y.as_f64()) {
                (Some(x), Some(y)) => x == y || (x - y).abs() <= 1e-12 * x.abs().max(y.abs()),
                _ => x == y,
            },
            (Value::Array(x), Value::Array(y)) => {
                x.len() == y.len() && x.iter().zip(y).all(|(x, y)| close(x, y))
            }
            (Value::Object(x), Value::Object(y)) => {
                x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| close(v, w)))
            }
            _ => a == b,
        }
    }
    let x: Value = serde_json::from_str(a).expect("a document is JSON");
    let y: Value = serde_json::from_str(b).expect("a document is JSON");
    assert!(close(&x, &y), "export, import, export is stable");
}
