//! RFC 9497 VOPRF (mode 1) over ristretto255-SHA512, written from the RFC:
//! key derivation (§3.2.1), blinding and finalising (§3.3.2), and the batched
//! DLEQ proof (§2.2). Hashing to the group and to scalars is `voprf`'s
//! (RFC 9380); the composites are computed with one variable-time
//! multiscalar multiplication over public values instead of one scalar
//! multiplication per element, which is what makes batches cheap.
//! Every step is checked against the RFC's Appendix A vectors (tests/oblivious.rs).

use curve25519_dalek::constants::RISTRETTO_BASEPOINT_POINT;
use curve25519_dalek::ristretto::{RistrettoBasepointTable, RistrettoPoint};
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::{Identity, VartimeMultiscalarMul};
use rand_core::{CryptoRng, RngCore};
use sha2_v010::{Digest, Sha512};
use voprf::Group;

type G = voprf::Ristretto255;

/// `contextString = "OPRFV1-" || I2OSP(mode = 1, 1) || "-" || identifier`.
const CONTEXT: &[u8] = b"OPRFV1-\x01-ristretto255-SHA512";
/// I2OSP(Ne = 32, 2).
const ELEM_LEN: [u8; 2] = [0, 32];

/// Why a protocol step failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Failure {
    /// An input that hashes to the identity, or longer than 65535 bytes.
    Input,
    /// A proof that does not verify.
    Proof,
    /// Batch larger than 65535.
    Batch,
}

fn hash_to_scalar(input: &[&[u8]], dst_prefix: &[u8]) -> Result<Scalar, Failure> {
    G::hash_to_scalar::<Sha512>(input, &[dst_prefix, CONTEXT]).map_err(|_| Failure::Input)
}

pub(crate) fn compress(p: &RistrettoPoint) -> [u8; 32] {
    p.compress().to_bytes()
}

/// `sk / 2 mod ℓ`, what [`evaluate_and_prove`] multiplies by.
pub(crate) fn half_key(sk: &Scalar) -> Scalar {
    sk * half()
}

/// `DeriveKeyPair(seed, info)` (§3.2.1).
pub(crate) fn derive_key_pair(
    seed: &[u8],
    info: &[u8],
) -> Result<(Scalar, RistrettoPoint), Failure> {
    let info_len = u16::try_from(info.len())
        .map_err(|_| Failure::Input)?
        .to_be_bytes();
    for counter in 0..=255u8 {
        let sk = hash_to_scalar(&[seed, &info_len, info, &[counter]], b"DeriveKeyPair")?;
        if sk != Scalar::ZERO {
            return Ok((sk, RistrettoPoint::mul_base(&sk)));
        }
    }
    Err(Failure::Input)
}

/// `HashToGroup(input)`, refusing the identity (§3.3.1).
fn hash_to_group(input: &[u8]) -> Result<RistrettoPoint, Failure> {
    let p = G::hash_to_curve::<Sha512>(&[input], &[b"HashToGroup-", CONTEXT])
        .map_err(|_| Failure::Input)?;
    if p == RistrettoPoint::identity() {
        return Err(Failure::Input);
    }
    Ok(p)
}

/// What both blinds start from: `HashToGroup(input)` and a fresh scalar
/// from `rng` (inputs over 65535 bytes refused, as `Finalize` encodes the
/// length in two bytes).
fn hashed_and_blind<R: RngCore + CryptoRng>(
    input: &[u8],
    rng: &mut R,
) -> Result<(RistrettoPoint, Scalar), Failure> {
    if input.len() > usize::from(u16::MAX) {
        return Err(Failure::Input);
    }
    let p = hash_to_group(input)?;
    Ok((p, G::random_scalar(rng)))
}

/// `Blind(input)` with a scalar from `rng`: `(blind, blindedElement)`.
pub(crate) fn blind<R: RngCore + CryptoRng>(
    input: &[u8],
    rng: &mut R,
) -> Result<(Scalar, RistrettoPoint), Failure> {
    let (p, r) = hashed_and_blind(input, rng)?;
    Ok((r, p * r))
}

/// `Blind(input)` with additive blinding: `(r, P + r·G)` for `P =
/// HashToGroup(input)`. The blinded element is uniform whatever the input,
/// as with RFC 9497's `r·P`, so the key server learns exactly as little; the
/// server's side is unchanged (it cannot tell the two apart). What changes
/// is the client's cost: both of its scalar multiplications become
/// fixed-base (`r·G` here, `r·pk` in [`finalize_additive`], each from a
/// precomputed table) instead of variable-base over a new point. Sound
/// because every evaluation is verified against the pinned `pk` (mode 1):
/// the proof binds `Z = k·(P + r·G)`, so `Z − r·pk = k·P`, the RFC's
/// unblinded element, and the outputs are the RFC's byte for byte.
pub(crate) fn blind_additive<R: RngCore + CryptoRng>(
    input: &[u8],
    rng: &mut R,
) -> Result<(Scalar, RistrettoPoint), Failure> {
    let (p, r) = hashed_and_blind(input, rng)?;
    Ok((r, p + basepoint_table() * &r))
}

/// Multiples of the generator for [`blind_additive`], made on first use
/// rather than linked in: curve25519-dalek's static tables would add ~39 KB
/// gzip to the oblivious entry, the one a checkout page loads.
fn basepoint_table() -> &'static RistrettoBasepointTable {
    static TABLE: std::sync::OnceLock<RistrettoBasepointTable> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| RistrettoBasepointTable::create(&RISTRETTO_BASEPOINT_POINT))
}

/// The `Finalize` hash of an input blinded by [`blind_additive`] with `r`:
/// unblinds `evaluated − r·pk` from the key's table (made once per pinned
/// key, on its first large batch).
pub(crate) fn finalize_additive(
    input: &[u8],
    blind: &Scalar,
    key_table: &RistrettoBasepointTable,
    evaluated: &RistrettoPoint,
) -> [u8; 64] {
    finalize_hash(input, &compress(&(evaluated - key_table * blind)))
}

/// The inverse of 2 modulo the group order ℓ.
fn half() -> Scalar {
    Scalar::from(2u8).invert()
}

/// Encodes `2·Qᵢ` for every `Qᵢ`: ristretto255's batched encoding, one field
/// inversion for the whole batch instead of an inverse square root per
/// element. The key server multiplies by `k/2` instead of `k` and gets `k·P`
/// encoded: the group has odd prime order ℓ, so `2·((k/2 mod ℓ)·P) = k·P`.
/// (Tried on the client's `r·P` and `N` too: no measurable gain in wasm,
/// where the two constant-time multiplications dominate, for ~6 KB gzip.)
fn double_and_encode(halves: &[RistrettoPoint]) -> Vec<[u8; 32]> {
    RistrettoPoint::double_and_compress_batch(halves)
        .iter()
        .map(|c| c.to_bytes())
        .collect()
}

/// The `Finalize` hash of an input and its evaluation, unblinded with the
/// inverse of its blind (inverted by the caller, in one batch).
pub(crate) fn finalize(
    input: &[u8],
    blind_inverse: &Scalar,
    evaluated: &RistrettoPoint,
) -> [u8; 64] {
    finalize_hash(input, &compress(&(evaluated * blind_inverse)))
}

/// `Hash(I2OSP(len(input), 2) || input || I2OSP(len(N), 2) || N || "Finalize")`.
fn finalize_hash(input: &[u8], n: &[u8; 32]) -> [u8; 64] {
    let len = (input.len() as u16).to_be_bytes();
    let mut out = [0; 64];
    out.copy_from_slice(
        &Sha512::new()
            .chain_update(len)
            .chain_update(input)
            .chain_update(ELEM_LEN)
            .chain_update(n)
            .chain_update(b"Finalize")
            .finalize(),
    );
    out
}

/// `ComputeComposites` (§2.2.1): `M = Σ dᵢ·Cᵢ`, and `Z = Σ dᵢ·Dᵢ` or, for
/// the key holder, `Z = k·M`. The `dᵢ` depend on public values only, so the
/// sums may be variable-time.
fn composites(
    pk: &[u8; 32],
    cs: &[[u8; 32]],
    c_points: &[RistrettoPoint],
    ds: &[[u8; 32]],
    d_points: Option<&[RistrettoPoint]>,
) -> Result<(Vec<Scalar>, RistrettoPoint, Option<RistrettoPoint>), Failure> {
    let seed_dst: Vec<u8> = [b"Seed-".as_slice(), CONTEXT].concat();
    let seed = Sha512::new()
        .chain_update(ELEM_LEN)
        .chain_update(pk)
        .chain_update((seed_dst.len() as u16).to_be_bytes())
        .chain_update(&seed_dst)
        .finalize();
    let seed_len = (seed.len() as u16).to_be_bytes();
    let mut weights = Vec::with_capacity(cs.len());
    for (i, (c, d)) in cs.iter().zip(ds).enumerate() {
        let i = u16::try_from(i).map_err(|_| Failure::Batch)?.to_be_bytes();
        weights.push(hash_to_scalar(
            &[
                &seed_len,
                &seed,
                &i,
                &ELEM_LEN,
                c,
                &ELEM_LEN,
                d,
                b"Composite",
            ],
            b"HashToScalar-",
        )?);
    }
    let m = RistrettoPoint::vartime_multiscalar_mul(&weights, c_points);
    let z = d_points.map(|d| RistrettoPoint::vartime_multiscalar_mul(&weights, d));
    Ok((weights, m, z))
}

fn challenge(
    pk: &[u8; 32],
    m: &RistrettoPoint,
    z: &RistrettoPoint,
    t2: &RistrettoPoint,
    t3: &RistrettoPoint,
) -> Result<Scalar, Failure> {
    let (m, z, t2, t3) = (compress(m), compress(z), compress(t2), compress(t3));
    hash_to_scalar(
        &[
            &ELEM_LEN,
            pk,
            &ELEM_LEN,
            &m,
            &ELEM_LEN,
            &z,
            &ELEM_LEN,
            &t2,
            &ELEM_LEN,
            &t3,
            b"Challenge",
        ],
        b"HashToScalar-",
    )
}

/// Evaluates blinded elements under `sk` and proves it (`GenerateProof`,
/// §2.2.1): the encoded evaluations and the 64-byte proof `c || s`.
/// `cs` are the blinded elements as received (their encodings), `blinded`
/// the decoded points.
/// `half_sk` is `sk / 2 mod ℓ`, kept with the key: each evaluation is
/// `(sk/2)·C` doubled inside one batched encoding (see [`double_and_encode`]).
pub(crate) fn evaluate_and_prove<R: RngCore + CryptoRng>(
    sk: &Scalar,
    half_sk: &Scalar,
    pk: &RistrettoPoint,
    cs: &[[u8; 32]],
    blinded: &[RistrettoPoint],
    rng: &mut R,
) -> Result<(Vec<[u8; 32]>, [u8; 64]), Failure> {
    let halves: Vec<RistrettoPoint> = blinded.iter().map(|b| b * half_sk).collect();
    let ds = double_and_encode(&halves);
    let pk_bytes = compress(pk);
    let (_, m, _) = composites(&pk_bytes, cs, blinded, &ds, None)?;
    let z = m * sk;
    let r = G::random_scalar(rng);
    let t2 = RistrettoPoint::mul_base(&r);
    let t3 = m * r;
    let c = challenge(&pk_bytes, &m, &z, &t2, &t3)?;
    let s = r - c * sk;
    let mut proof = [0; 64];
    proof[..32].copy_from_slice(c.as_bytes());
    proof[32..].copy_from_slice(s.as_bytes());
    Ok((ds, proof))
}

/// `VerifyProof` (§2.2.2) for blinded elements `cs` and evaluations `ds`
/// under public key `pk`.
pub(crate) fn verify(
    pk: &RistrettoPoint,
    cs: &[[u8; 32]],
    c_points: &[RistrettoPoint],
    ds: &[[u8; 32]],
    d_points: &[RistrettoPoint],
    proof: &[u8; 64],
) -> Result<(), Failure> {
    let scalar = |b: &[u8]| -> Result<Scalar, Failure> {
        let arr: [u8; 32] = b.try_into().map_err(|_| Failure::Proof)?;
        Option::from(Scalar::from_canonical_bytes(arr)).ok_or(Failure::Proof)
    };
    let (c, s) = (scalar(&proof[..32])?, scalar(&proof[32..])?);
    let pk_bytes = compress(pk);
    let (_, m, z) = composites(&pk_bytes, cs, c_points, ds, Some(d_points))?;
    let z = z.ok_or(Failure::Proof)?;
    // t2 = s·G + c·pk, t3 = s·M + c·Z: all public, so variable time is fine.
    // (Not `vartime_double_scalar_mul_basepoint`: with dalek's precomputed
    // tables on, it links an 8 KB gzip table for one call per batch.)
    let t2 = RistrettoPoint::vartime_multiscalar_mul([c, s], [*pk, RISTRETTO_BASEPOINT_POINT]);
    let t3 = RistrettoPoint::vartime_multiscalar_mul([s, c], [m, z]);
    if challenge(&pk_bytes, &m, &z, &t2, &t3)? == c {
        Ok(())
    } else {
        Err(Failure::Proof)
    }
}

/// Decodes a 32-byte element; `None` for a non-canonical encoding or the identity.
pub(crate) fn decode(bytes: &[u8; 32]) -> Option<RistrettoPoint> {
    let p = G::deserialize_elem(bytes).ok()?;
    (p != RistrettoPoint::identity()).then_some(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The key server's halved key and batched encoding against one
    /// multiplication by the key and one encoding per element, on random
    /// elements and keys.
    #[test]
    fn halved_key_batched_encoding_equals_one_by_one() {
        let mut seed = [0u8; 32];
        rand_core::OsRng.fill_bytes(&mut seed);
        let mut rng = counter_rng(seed);
        for n in [1usize, 2, 7, 64] {
            let sk = G::random_scalar(&mut rng);
            let elements: Vec<RistrettoPoint> = (0..n)
                .map(|i| {
                    let (_, p) = blind(&[i as u8, n as u8], &mut rng).unwrap();
                    p
                })
                .collect();
            let half_sk = half_key(&sk);
            let halves: Vec<RistrettoPoint> = elements.iter().map(|c| c * half_sk).collect();
            let want: Vec<[u8; 32]> = elements.iter().map(|c| compress(&(c * sk))).collect();
            assert_eq!(double_and_encode(&halves), want, "batch of {n}");
        }
    }

    /// A deterministic CSPRNG-shaped stream for the test: SHA-512 in counter mode.
    fn counter_rng(seed: [u8; 32]) -> CounterRng {
        CounterRng { seed, counter: 0 }
    }

    struct CounterRng {
        seed: [u8; 32],
        counter: u64,
    }

    impl RngCore for CounterRng {
        fn next_u32(&mut self) -> u32 {
            rand_core::impls::next_u32_via_fill(self)
        }
        fn next_u64(&mut self) -> u64 {
            rand_core::impls::next_u64_via_fill(self)
        }
        fn fill_bytes(&mut self, dest: &mut [u8]) {
            for chunk in dest.chunks_mut(64) {
                let block = Sha512::new()
                    .chain_update(self.seed)
                    .chain_update(self.counter.to_le_bytes())
                    .finalize();
                self.counter += 1;
                chunk.copy_from_slice(&block[..chunk.len()]);
            }
        }
        fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
            self.fill_bytes(dest);
            Ok(())
        }
    }

    impl CryptoRng for CounterRng {}
}
