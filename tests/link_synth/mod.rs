//! Synthetic encoded records with known truth, for the linking tests and
//! benches. Not the realistic generator (that one works on raw records and
//! the real CLK encoder); this one builds encodings directly so the linker can
//! be tested on its own:
//!
//! * a field value is a set of 8 "bigrams" (random ids seeded by the value);
//!   its CLK sets 20 hashed bits per bigram in 1024 bits, like a clkhash
//!   field; a typo replaces 2 of the 8 bigrams, as one changed character does;
//! * the record CLK sets 10 bits per bigram of every fuzzy field;
//! * e-mail, phone and date of birth are real `pl1` tokens, and one match key
//!   (`mk-nameDob`) joins last name and date of birth.

#![allow(dead_code)]

use pseudolink::link::EncodedRecord;
use pseudolink::{Field, Secret, TokenKey};
use std::collections::BTreeMap;

pub const CLK_BYTES: usize = 128;

/// SplitMix64, seeded.
pub struct Rng(u64);
impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    pub fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 > 1.0 - p
    }
}

/// One person: value ids per field.
#[derive(Clone, Debug)]
pub struct Person {
    pub first: u64,
    pub last: u64,
    pub street: u64,
    pub city: u64,
    pub postal: u64,
    pub dob: u64,
    pub email: u64,
    pub phone: u64,
}

/// A skewed pick from a pool (common names are common).
fn skewed(r: &mut Rng, pool: u64) -> u64 {
    let a = r.below(pool);
    let b = r.below(pool);
    a.min(b)
}

pub fn person(r: &mut Rng, n: u64) -> Person {
    Person {
        first: skewed(r, 800),
        last: skewed(r, 3000),
        street: r.below(20_000),
        city: skewed(r, 400),
        postal: r.below(5_000),
        dob: r.below(25_000),
        email: n,
        phone: n,
    }
}

fn bigrams(field: u64, value: u64) -> Vec<u64> {
    let mut r = Rng::new(field << 40 ^ value ^ 0xABCD);
    (0..8).map(|_| r.next()).collect()
}

fn set_bits(clk: &mut [u8], gram: u64, k: u64) {
    let (h1, h2) = (gram & 0xFFFF_FFFF, (gram >> 32) | 1);
    for i in 0..k {
        let bit = (h1.wrapping_add(i.wrapping_mul(h2)) % (CLK_BYTES as u64 * 8)) as usize;
        clk[bit / 8] |= 1 << (bit % 8);
    }
}

/// Noise of one copy of a person.
#[derive(Clone, Copy, Debug)]
pub struct Noise {
    pub typo: f64,
    pub email_changed: f64,
    pub phone_missing: f64,
    pub dob_typo: f64,
    pub moved: f64,
}

pub const CLEAN: Noise = Noise {
    typo: 0.0,
    email_changed: 0.0,
    phone_missing: 0.0,
    dob_typo: 0.0,
    moved: 0.0,
};

pub const NOISY: Noise = Noise {
    typo: 0.25,
    email_changed: 0.2,
    phone_missing: 0.3,
    dob_typo: 0.05,
    moved: 0.1,
};

pub fn key() -> TokenKey {
    TokenKey::new("k1", &Secret::new(vec![9; 32]).unwrap()).unwrap()
}

/// One encoded copy of `p` with noise.
pub fn encode(id: String, p: &Person, noise: Noise, r: &mut Rng, key: &TokenKey) -> EncodedRecord {
    let mut record = vec![0u8; CLK_BYTES];
    let mut clks = BTreeMap::new();
    let moved = r.chance(noise.moved);
    let fields = [
        ("firstName", 1, p.first),
        ("lastName", 2, p.last),
        (
            "street",
            3,
            if moved {
                p.street + 1_000_000
            } else {
                p.street
            },
        ),
        ("city", 4, if moved { p.city + 1_000 } else { p.city }),
        (
            "postalCode",
            5,
            if moved { p.postal + 10_000 } else { p.postal },
        ),
    ];
    for (name, f, v) in fields {
        let mut grams = bigrams(f, v);
        if r.chance(noise.typo) {
            grams[r.below(8) as usize] = r.next();
            grams[r.below(8) as usize] = r.next();
        }
        let mut clk = vec![0u8; CLK_BYTES];
        for &g in &grams {
            set_bits(&mut clk, g, 20);
            set_bits(&mut record, g ^ 0x5555, 10);
        }
        clks.insert(name.to_owned(), clk);
    }
    clks.insert("record".to_owned(), record);
    let email = if r.chance(noise.email_changed) {
        format!("new{}x{}@example.com", p.email, r.next())
    } else {
        format!("person{}@example.com", p.email)
    };
    let dob = if r.chance(noise.dob_typo) {
        p.dob + 1
    } else {
        p.dob
    };
    let mut tokens = vec![
        key.field_token(Field::Email, &email),
        key.field_token(Field::DateOfBirth, &format!("{dob}")),
    ];
    if !r.chance(noise.phone_missing) {
        tokens.push(key.field_token(Field::Phone, &format!("+1555{:07}", p.phone)));
    }
    let mk = key.match_key_token(
        "nameDob",
        &[
            format!("{}", p.last).as_bytes(),
            format!("{dob}").as_bytes(),
        ],
    );
    EncodedRecord {
        id,
        tokens,
        match_keys: vec![mk],
        clks,
    }
}

/// Two datasets: `n` records each, the first `overlap` people in both.
/// Truth: `(i, i)` for `i < overlap`.
pub fn two_datasets(
    n: usize,
    overlap: usize,
    seed: u64,
) -> (Vec<EncodedRecord>, Vec<EncodedRecord>, Vec<(usize, usize)>) {
    let mut r = Rng::new(seed);
    let k = key();
    let people: Vec<Person> = (0..2 * n - overlap)
        .map(|i| person(&mut r, i as u64))
        .collect();
    let a = (0..n)
        .map(|i| encode(format!("a{i}"), &people[i], CLEAN, &mut r, &k))
        .collect();
    let b = (0..n)
        .map(|i| {
            let who = if i < overlap { i } else { n + i - overlap };
            encode(format!("b{i}"), &people[who], NOISY, &mut r, &k)
        })
        .collect();
    (a, b, (0..overlap).map(|i| (i, i)).collect())
}
