//! Native cost of normalising one value of each field of the tokenise
//! workload (pseudolink profile, region US). Run: `cargo bench --bench normalize`.
//! Shows which normaliser dominates the per-record time in BENCHMARKS.md.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use pseudolink::{normalize, Country, Field, NormalizeOptions, Profile};
use std::hint::black_box;
use std::time::Instant;

fn main() {
    let o =
        NormalizeOptions::new(Profile::Pseudolink).with_region(Country::parse("US").expect("US"));
    let cases = [
        (Field::Email, "Mary-Jane.O'Brien123@Example.com"),
        (Field::Phone, "(415) 555-0123"),
        (Field::FirstName, "Mary-Jane"),
        (Field::LastName, "O'Brien"),
        (Field::DateOfBirth, "1985-02-14"),
        (Field::PostalCode, "94105"),
        (Field::Street, "1234 Amphitheatre Parkway"),
        (Field::Country, "US"),
    ];
    let n = 200_000u32;
    let mut total = 0.0;
    for (field, value) in cases {
        let mut best = f64::MAX;
        for _ in 0..3 {
            let t = Instant::now();
            for _ in 0..n {
                black_box(normalize(field, black_box(value), &o).unwrap());
            }
            best = best.min(t.elapsed().as_nanos() as f64 / f64::from(n));
        }
        total += best;
        println!("{:12} {best:>6.0} ns", field.name());
    }
    println!("{:12} {total:>6.0} ns per record", "all 8");
}
