//! RFC 9497 Appendix A.1 vectors (ristretto255-SHA512), shared by the native
//! (`tests/oblivious.rs`) and browser (`tests/web_oblivious.rs`) runs.

use pseudolink::oblivious::{BlindedInputs, KeyPair, PublicKey};
use rand_core::{CryptoRng, RngCore};
use serde_json::Value;
use zeroize::Zeroizing;

/// The vector file, embedded at compile time.
pub const OPRF_FILE: &str = include_str!("../vectors/oprf.json");

/// An "RNG" that replays the RFC's scalars: each scalar as 32 little-endian
/// bytes then 32 zero bytes, which ristretto255's wide reduction (64 bytes
/// mod l) maps back to the scalar itself.
pub struct ReplayRng(Vec<u8>);

impl ReplayRng {
    pub fn new(scalars_hex: &[&str]) -> Self {
        let mut bytes = Vec::new();
        for s in scalars_hex {
            bytes.extend(hex(s));
            bytes.extend([0u8; 32]);
        }
        ReplayRng(bytes)
    }
}

impl RngCore for ReplayRng {
    fn next_u32(&mut self) -> u32 {
        let mut b = [0; 4];
        self.fill_bytes(&mut b);
        u32::from_le_bytes(b)
    }
    fn next_u64(&mut self) -> u64 {
        let mut b = [0; 8];
        self.fill_bytes(&mut b);
        u64::from_le_bytes(b)
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        assert!(dest.len() <= self.0.len(), "replay RNG exhausted");
        let rest = self.0.split_off(dest.len());
        dest.copy_from_slice(&self.0);
        self.0 = rest;
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}
impl CryptoRng for ReplayRng {}

pub fn hex(s: &str) -> Vec<u8> {
    assert!(s.len().is_multiple_of(2), "odd hex");
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn to_hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn list<'a>(v: &'a Value, key: &str) -> Vec<&'a str> {
    v[key]
        .as_array()
        .unwrap_or_else(|| panic!("{key} missing"))
        .iter()
        .map(|x| x.as_str().unwrap())
        .collect()
}

fn one<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key].as_str().unwrap_or_else(|| panic!("{key} missing"))
}

/// A vector's inputs, as the client holds them.
fn inputs(v: &Value) -> Vec<Zeroizing<Vec<u8>>> {
    list(v, "Input")
        .iter()
        .map(|i| Zeroizing::new(hex(i)))
        .collect()
}

/// Finalising `evaluated` under `proof` gives `want`, and the same with one
/// proof bit flipped is refused.
fn check_finalize(
    name: &str,
    blinded: &BlindedInputs,
    pin: &PublicKey,
    evaluated: &[[u8; 32]],
    proof: &[u8; 64],
    want: &[&str],
    failures: &mut Vec<String>,
) {
    match blinded.finalize(pin, evaluated, proof) {
        Ok(out) => {
            let got: Vec<String> = out.iter().map(|o| to_hex(o)).collect();
            if got != want {
                failures.push(format!("{name}: Output {got:?}"));
            }
        }
        Err(e) => failures.push(format!("{name}: finalize failed: {e}")),
    }
    let mut bad = *proof;
    bad[5] ^= 1;
    if blinded.finalize(pin, evaluated, &bad).is_ok() {
        failures.push(format!("{name}: tampered proof accepted"));
    }
}

/// Runs the VOPRF vectors through the crate's own client ([`BlindedInputs`])
/// and evaluator ([`KeyPair`]); returns failures, each naming the vector.
pub fn check_voprf(json: &str) -> Vec<String> {
    let doc: Value = serde_json::from_str(json).unwrap();
    let mode = &doc["voprf"];
    let key = &mode["key"];
    let mut failures = Vec::new();
    let pair = KeyPair::derive_with_info("rfc", &hex(one(key, "Seed")), &hex(one(key, "KeyInfo")))
        .unwrap();
    if to_hex(&pair.public_key()) != one(key, "pkSm") {
        failures.push("voprf: DeriveKeyPair public key".to_owned());
    }
    let pin = PublicKey::new("rfc", &hex(one(key, "pkSm"))).unwrap();
    let vectors = mode["vectors"].as_array().unwrap();
    assert_eq!(vectors.len(), 3);
    for (n, v) in vectors.iter().enumerate() {
        let name = format!("voprf vector {}", n + 1);
        let blinded =
            BlindedInputs::blind(inputs(v), &mut ReplayRng::new(&list(v, "Blind"))).unwrap();
        let got: Vec<String> = blinded
            .blinded_elements()
            .iter()
            .map(|b| to_hex(b))
            .collect();
        if got != list(v, "BlindedElement") {
            failures.push(format!("{name}: BlindedElement {got:?}"));
            continue;
        }
        let proof_rng = &mut ReplayRng::new(&[list(v, "ProofRandomScalar")[0]]);
        let (evaluated, proof) = pair
            .evaluate(&blinded.blinded_elements(), proof_rng)
            .unwrap();
        let got: Vec<String> = evaluated.iter().map(|e| to_hex(e)).collect();
        if got != list(v, "EvaluationElement") {
            failures.push(format!("{name}: EvaluationElement {got:?}"));
        }
        if to_hex(&proof) != list(v, "Proof")[0] {
            failures.push(format!("{name}: Proof {}", to_hex(&proof)));
        }
        // Finalise the RFC's own evaluation and proof, not ours.
        let rfc_eval: Vec<[u8; 32]> = list(v, "EvaluationElement")
            .iter()
            .map(|e| hex(e).try_into().unwrap())
            .collect();
        let rfc_proof: [u8; 64] = hex(list(v, "Proof")[0]).try_into().unwrap();
        let want = list(v, "Output");
        check_finalize(
            &name,
            &blinded,
            &pin,
            &rfc_eval,
            &rfc_proof,
            &want,
            &mut failures,
        );
        // Additive blinding (what `ObliviousClient` uses), with the same
        // scalars: other blinded elements, the RFC's outputs once the RFC's
        // key has evaluated them, and a tampered proof still refused.
        let additive =
            BlindedInputs::blind_additive(inputs(v), &mut ReplayRng::new(&list(v, "Blind")))
                .unwrap();
        if additive.blinded_elements() == blinded.blinded_elements() {
            failures.push(format!("{name}: additive blinding gave the RFC's elements"));
        }
        let proof_rng = &mut ReplayRng::new(&[list(v, "ProofRandomScalar")[0]]);
        let (evaluated, proof) = pair
            .evaluate(&additive.blinded_elements(), proof_rng)
            .unwrap();
        let name = format!("{name}, additive");
        check_finalize(
            &name,
            &additive,
            &pin,
            &evaluated,
            &proof,
            &want,
            &mut failures,
        );
    }
    failures
}

/// Runs the OPRF (mode 0) vectors against the suite as the crate builds it
/// (`voprf` with ristretto255-SHA512): key derivation, blinding, evaluation
/// and finalisation must match the RFC's base mode.
pub fn check_oprf(json: &str) -> Vec<String> {
    use voprf::{BlindedElement, EvaluationElement, OprfClient, OprfServer, Ristretto255};
    let doc: Value = serde_json::from_str(json).unwrap();
    let mode = &doc["oprf"];
    let key = &mode["key"];
    let server = OprfServer::<Ristretto255>::new_from_seed(
        &hex(one(key, "Seed")),
        &hex(one(key, "KeyInfo")),
    )
    .unwrap();
    let mut failures = Vec::new();
    let vectors = mode["vectors"].as_array().unwrap();
    assert_eq!(vectors.len(), 2);
    for (n, v) in vectors.iter().enumerate() {
        let name = format!("oprf vector {}", n + 1);
        let input = hex(list(v, "Input")[0]);
        let r = OprfClient::<Ristretto255>::blind(&input, &mut ReplayRng::new(&list(v, "Blind")))
            .unwrap();
        if to_hex(&r.message.serialize()) != list(v, "BlindedElement")[0] {
            failures.push(format!("{name}: BlindedElement"));
        }
        let blinded = BlindedElement::<Ristretto255>::deserialize(&r.message.serialize()).unwrap();
        let eval = server.blind_evaluate(&blinded);
        if to_hex(&eval.serialize()) != list(v, "EvaluationElement")[0] {
            failures.push(format!("{name}: EvaluationElement"));
        }
        let rfc_eval =
            EvaluationElement::<Ristretto255>::deserialize(&hex(list(v, "EvaluationElement")[0]))
                .unwrap();
        let out = r.state.finalize(&input, &rfc_eval).unwrap();
        if to_hex(&out) != list(v, "Output")[0] {
            failures.push(format!("{name}: Output"));
        }
        if to_hex(&server.evaluate(&input).unwrap()) != list(v, "Output")[0] {
            failures.push(format!("{name}: server-side Evaluate"));
        }
    }
    failures
}
