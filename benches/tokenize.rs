//! Native tokenise throughput: 8 fields and 3 match keys per record (11 HMACs),
//! the workload BENCHMARKS.md reports. Run: `cargo bench --bench tokenize`.
//!
//! Prints records/s for the full `tokenize_batch` (normalise + HMAC, a
//! `String` per token), for `tokenize_into` (the same into reused columns)
//! and for the HMACs alone, so the share of normalisation is visible.
//! `TOKENIZE_ONLY=1` times the two full paths alone (for a profiler;
//! `SHAPE=strings` or `SHAPE=columns` one of them),
//! `ROUNDS=n` takes the best of n rounds instead of 5, and `CHUNK=n`
//! tokenises in batches of n records.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: failing loudly is the point

use pseudolink::{
    Field, IdentityDefinition, Pseudonymizer, Record, Secret, TokenColumns, TokenKey,
};
use std::hint::black_box;
use std::time::Instant;

const DEFINITION: &str = r#"{
  "version": 1,
  "fields": ["email", "phone", "firstName", "lastName", "dateOfBirth", "postalCode", "street", "country"],
  "matchKeys": [
    {"name": "nameDob", "parts": [{"field": "lastName"}, {"field": "firstName", "take": "initial"}, {"field": "dateOfBirth"}]},
    {"name": "addressName", "parts": [{"field": "postalCode"}, {"field": "street", "take": "streetNumber"}, {"field": "lastName"}]},
    {"name": "emailName", "parts": [{"field": "email"}, {"field": "lastName"}]}
  ],
  "defaultRegion": "US"
}"#;

const FIRST: [&str; 8] = [
    "Jon",
    "Mary-Jane",
    "José",
    "Li",
    "Aoife",
    "Zoë",
    "Mohammed",
    "Olga",
];
const LAST: [&str; 8] = [
    "Smith",
    "O'Brien",
    "García",
    "Nguyen",
    "Müller",
    "Kowalski",
    "Okafor",
    "Johansson",
];
const STREET: [&str; 4] = [
    "Main Street",
    "Oak Avenue",
    "Amphitheatre Parkway",
    "North Lake Road",
];

/// Deterministic, realistic-looking records (same generator as benches/js).
fn records(n: usize) -> Vec<Record> {
    (0..n)
        .map(|i| {
            let f = FIRST[i % 8];
            let l = LAST[(i / 8) % 8];
            Record::new()
                .with(Field::Email, format!("{}.{}{}@Example.com", f, l, i))
                .with(Field::Phone, format!("(415) 555-{:04}", i % 10_000))
                .with(Field::FirstName, f)
                .with(Field::LastName, l)
                .with(
                    Field::DateOfBirth,
                    format!("19{:02}-{:02}-{:02}", 40 + i % 60, 1 + i % 12, 1 + i % 28),
                )
                .with(
                    Field::PostalCode,
                    format!("{:05}", 10_000 + (i * 7) % 89_999),
                )
                .with(
                    Field::Street,
                    format!("{} {}", 1 + i % 9_000, STREET[i % 4]),
                )
                .with(Field::Country, "US")
        })
        .collect()
}

/// Timed rounds of the full path (`ROUNDS`, default 5): a profiler wants more.
fn rounds() -> usize {
    std::env::var("ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(5)
}

fn main() {
    let n = 200_000;
    let recs = records(n);
    let def = IdentityDefinition::from_json(DEFINITION).expect("definition");
    let p = Pseudonymizer::new(
        vec![("k1".into(), Secret::new(vec![7; 32]).expect("key"))],
        def,
    )
    .expect("pseudonymizer");
    let sample = p.tokenize(&recs[0]);
    assert_eq!(
        (
            sample.tokens.len(),
            sample.match_keys.len(),
            sample.errors.len()
        ),
        (8, 3, 0)
    );

    // `CHUNK=n`: the same records in batches of n, each dropped before the
    // next (a pipeline's record batches). The allocator then reuses the same
    // memory, so rounds vary less than with one 200,000-record batch, whose
    // ~200 MB of strings are faulted in and freed again every round.
    let chunk = std::env::var("CHUNK")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(n)
        .max(1);
    let batches = if chunk < n {
        format!(" (batches of {chunk})")
    } else {
        String::new()
    };
    let full = |run: &mut dyn FnMut(&[Record])| {
        let mut best = f64::MAX;
        for _ in 0..rounds() {
            let t = Instant::now();
            for part in recs.chunks(chunk) {
                run(black_box(part));
            }
            best = best.min(t.elapsed().as_secs_f64());
        }
        n as f64 / best
    };
    // `SHAPE=strings` or `SHAPE=columns` times one output shape alone.
    let shape = std::env::var("SHAPE").unwrap_or_default();
    if shape != "columns" {
        let per_token = full(&mut |part| {
            black_box(p.tokenize_batch(part));
        });
        println!("tokenize_batch (normalise + 11 HMAC): {per_token:>9.0} records/s{batches}");
    }
    // The same tokens as columns (one buffer per column, no `String` per
    // token), cleared and reused batch after batch as a pipeline would.
    if shape != "strings" {
        let mut columns = TokenColumns::default();
        let columnar = full(&mut |part| {
            columns.clear();
            p.tokenize_into(part, &mut columns).expect("fits");
            black_box(&columns);
        });
        println!("tokenize_into (the same, as columns):  {columnar:>9.0} records/s{batches}");
    }
    // `TOKENIZE_ONLY=1` stops here, so a profiler sees the full path alone.
    if std::env::var_os("TOKENIZE_ONLY").is_some() {
        return;
    }

    let key = TokenKey::new("k1", &Secret::new(vec![7; 32]).expect("key")).expect("key");
    let mut best_hmac = f64::MAX;
    for _ in 0..5 {
        let t = Instant::now();
        for i in 0..n {
            for _ in 0..11 {
                black_box(key.field_token(Field::Email, black_box("jonsmith12345@example.com")));
            }
            black_box(i);
        }
        best_hmac = best_hmac.min(t.elapsed().as_secs_f64());
    }
    println!(
        "11 HMAC tokens only:                  {:>9.0} records/s ({:.2} M HMAC/s)",
        n as f64 / best_hmac,
        11.0 * n as f64 / best_hmac / 1e6
    );

    // A record's tokens through `tokenize_batch` (natively one at a time over
    // cached midstates, src/sha256x.rs `HmacScratch`; before issue 17's
    // session 5 the record's HMACs were batched) on a record with trivial
    // normalisation: one externalId, 1 field token and 10 match-key tokens
    // (externalId twice), against the same through a definition with the
    // field token only; the difference is 10 match-key tokens.
    let mk: Vec<String> = (0..10)
        .map(|j| {
            format!(
                r#"{{"name":"m{j}","parts":[{{"field":"externalId"}},{{"field":"externalId"}}]}}"#
            )
        })
        .collect();
    let with_mk = |mks: &[String]| {
        let def = IdentityDefinition::from_json(&format!(
            r#"{{"version":1,"fields":["externalId"],"matchKeys":[{}]}}"#,
            mks.join(",")
        ))
        .expect("definition");
        Pseudonymizer::new(
            vec![("k1".into(), Secret::new(vec![7; 32]).expect("key"))],
            def,
        )
        .expect("pseudonymizer")
    };
    let ids: Vec<Record> = (0..n)
        .map(|i| Record::new().with(Field::ExternalId, format!("C{i}")))
        .collect();
    let time = |p: &Pseudonymizer| {
        let mut b = f64::MAX;
        for _ in 0..5 {
            let t = Instant::now();
            black_box(p.tokenize_batch(black_box(&ids)));
            b = b.min(t.elapsed().as_secs_f64());
        }
        b
    };
    let (one, eleven) = (time(&with_mk(&[])), time(&with_mk(&mk)));
    let batched = (eleven - one) / (10.0 * n as f64);
    println!(
        "a record's tokens (10 per record):    {:>9.0} records/s at 11 ({:.2} M HMAC/s, {:.2}x the one-by-one tokens above)",
        1.0 / (11.0 * batched),
        1e-6 / batched,
        (best_hmac / (11.0 * n as f64)) / batched
    );
}
