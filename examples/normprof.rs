use pseudolink::*;
use std::time::Instant;
fn main() {
    let o = NormalizeOptions::new(Profile::Pseudolink).with_region(Country::parse("US").unwrap());
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
    for (f, v) in cases {
        let t = Instant::now();
        let mut n = 0;
        for _ in 0..200_000 {
            n += normalize(f, std::hint::black_box(v), &o)
                .map(|x| x.len())
                .unwrap_or(0);
        }
        println!(
            "{:12} {:>6.0} ns {}",
            f.name(),
            t.elapsed().as_nanos() as f64 / 200_000.0,
            n
        );
    }
    let t = Instant::now();
    for _ in 0..200_000 {
        std::hint::black_box(Country::parse(std::hint::black_box("US")));
    }
    println!(
        "Country::parse {:>6.0} ns",
        t.elapsed().as_nanos() as f64 / 200_000.0
    );
}
