//! The generator through its public API: determinism, truth, rates, CSV.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use pseudolink_synth::corrupt::{phonetic, typo};
use pseudolink_synth::{csv, dedupe, link, sources, Config, Corruption, Generator, Rng, Row, Slot};
use std::collections::{HashMap, HashSet};

fn only(f: impl FnOnce(&mut Corruption)) -> Config {
    let mut cfg = Config::new(11);
    cfg.corruption = Corruption::NONE;
    f(&mut cfg.corruption);
    cfg
}

/// Fields that identify the customer (not the dataset's own customer id).
fn identity(r: &Row) -> Vec<&str> {
    Slot::ALL
        .iter()
        .filter(|s| **s != Slot::ExternalId)
        .map(|s| r.get(*s))
        .collect()
}

#[test]
fn same_seed_gives_identical_bytes_and_another_seed_does_not() {
    let cfg = Config::new(7);
    let one = link(&cfg, 300, 0.4);
    let two = link(&cfg, 300, 0.4);
    assert_eq!(csv::records(&one.a), csv::records(&two.a));
    assert_eq!(csv::records(&one.b), csv::records(&two.b));
    assert_eq!(one.pairs, two.pairs);
    let d1 = csv::records(&dedupe(&cfg, 300, 0.3, 4).rows);
    assert_eq!(d1, csv::records(&dedupe(&cfg, 300, 0.3, 4).rows));
    let s1 = sources(&cfg, 3, 200, 0.5);
    assert_eq!(s1, sources(&cfg, 3, 200, 0.5));
    let other = link(&Config::new(8), 300, 0.4);
    assert_ne!(csv::records(&one.a), csv::records(&other.a));
}

#[test]
fn link_truth_is_one_to_one_and_pairs_are_the_same_customer() {
    let cfg = only(|_| {});
    let d = link(&cfg, 500, 0.3);
    assert_eq!((d.a.len(), d.b.len(), d.pairs.len()), (500, 500, 150));
    let a: HashMap<&str, &Row> = d.a.iter().map(|r| (r.id.as_str(), r)).collect();
    let b: HashMap<&str, &Row> = d.b.iter().map(|r| (r.id.as_str(), r)).collect();
    assert_eq!((a.len(), b.len()), (500, 500), "ids are unique");
    let mut seen_a = HashSet::new();
    let mut seen_b = HashSet::new();
    for (x, y) in &d.pairs {
        assert!(seen_a.insert(x) && seen_b.insert(y), "one-to-one");
        // Without corruption, both records are the clean rendering.
        assert_eq!(identity(a[x.as_str()]), identity(b[y.as_str()]));
    }
    // Records not in the truth are other people: (almost) never equal.
    let b_identities: HashSet<Vec<&str>> = d.b.iter().map(identity).collect();
    let unpaired_equal =
        d.a.iter()
            .filter(|r| !seen_a.contains(&r.id) && b_identities.contains(&identity(r)))
            .count();
    assert_eq!(unpaired_equal, 0);
}

#[test]
fn dedupe_clusters_have_bounded_sizes_and_equal_clean_records() {
    let cfg = only(|_| {});
    let d = dedupe(&cfg, 2000, 0.3, 4);
    assert_eq!(d.rows.len(), 2000);
    let mut by_entity: HashMap<&str, Vec<&Row>> = HashMap::new();
    for (row, (id, ent)) in d.rows.iter().zip(&d.clusters) {
        assert_eq!(&row.id, id);
        by_entity.entry(ent).or_default().push(row);
    }
    let sizes: Vec<usize> = by_entity.values().map(Vec::len).collect();
    assert!(sizes.iter().all(|&s| (1..=4).contains(&s)));
    let dup_entities = sizes.iter().filter(|&&s| s > 1).count() as f64 / sizes.len() as f64;
    assert!((0.25..0.35).contains(&dup_entities), "{dup_entities}");
    for rows in by_entity.values() {
        assert!(rows.iter().all(|r| identity(r) == identity(rows[0])));
    }
}

#[test]
fn sources_put_every_customer_somewhere_with_consistent_truth() {
    let cfg = only(|_| {});
    let d = sources(&cfg, 3, 400, 0.5);
    let ids: HashSet<&str> = d.sources.iter().flatten().map(|r| r.id.as_str()).collect();
    assert_eq!(ids.len(), d.entities.len());
    let entities: HashSet<&str> = d.entities.iter().map(|(_, e)| e.as_str()).collect();
    assert_eq!(entities.len(), 400);
    let total: usize = d.sources.iter().map(Vec::len).sum();
    // Each customer is in 1.5 sources on average, plus the forced ones.
    assert!((560..700).contains(&total), "{total}");
}

/// Share of `n` sampled records for which `hit` holds.
fn share(cfg: &Config, n: u64, hit: impl Fn(&pseudolink_synth::Entity, &Row) -> bool) -> f64 {
    let g = Generator::new(cfg);
    (0..n)
        .filter(|&i| {
            let (e, row, _) = g.sample(i, i);
            hit(&e, &row)
        })
        .count() as f64
        / n as f64
}

fn near(x: f64, want: f64, tol: f64) {
    assert!((x - want).abs() <= tol, "observed {x}, configured {want}");
}

#[test]
fn corruption_rates_are_as_configured() {
    let n = 3000;
    // Missing: each missable present field is blanked with the rate.
    let cfg = only(|c| c.missing = 0.2);
    near(
        share(&cfg, n, |_, r| r.get(Slot::LastName).is_empty()),
        0.2,
        0.03,
    );
    near(
        share(&cfg, n, |_, r| r.get(Slot::Email).is_empty()),
        0.2,
        0.03,
    );
    // Typos always change the value they hit.
    let cfg = only(|c| c.typo = 0.3);
    near(
        share(&cfg, n, |e, r| r.get(Slot::LastName) != e.last),
        0.3,
        0.03,
    );
    near(
        share(&cfg, n, |e, r| r.get(Slot::Email) != e.email),
        0.3,
        0.03,
    );
    // Swaps.
    let cfg = only(|c| c.name_swap = 0.1);
    near(
        share(&cfg, n, |e, r| r.get(Slot::FirstName) == e.last),
        0.1,
        0.02,
    );
    // Moves: the postal code changes (almost always, one draw in four retries).
    let cfg = only(|c| c.moved = 0.15);
    near(
        share(&cfg, n, |e, r| r.get(Slot::PostalCode) != e.address.postal),
        0.15,
        0.025,
    );
    // E-mail changes.
    let cfg = only(|c| c.email_changed = 0.15);
    near(
        share(&cfg, n, |e, r| r.get(Slot::Email) != e.email),
        0.15,
        0.025,
    );
    // Nicknames: applied to names that have one (most common names do).
    let cfg = only(|c| c.nickname = 0.2);
    let s = share(&cfg, n, |e, r| r.get(Slot::FirstName) != e.first);
    // About three in four drawn given names have a nickname in the table.
    assert!((0.12..=0.21).contains(&s), "{s}");
    // Formatting: the field is written differently.
    let cfg = only(|c| c.formatting = 0.25);
    let s = share(&cfg, n, |e, r| {
        r.get(Slot::DateOfBirth) != format!("{:04}-{:02}-{:02}", e.dob.0, e.dob.1, e.dob.2)
    });
    near(s, 0.25, 0.03);
    // None: every record is the clean rendering.
    let cfg = only(|_| {});
    assert_eq!(
        share(&cfg, 500, |e, r| r.get(Slot::LastName) != e.last
            || r.get(Slot::Email) != e.email),
        0.0
    );
}

#[test]
fn typo_and_phonetic_change_names_plausibly() {
    let mut rng = Rng::new(5);
    for _ in 0..200 {
        let t = typo("Katherine", &mut rng, false).unwrap();
        assert_ne!(t, "Katherine");
        let len = t.chars().count() as i64;
        assert!((len - 9).abs() <= 1, "{t}");
        // Letters keep their case by position (no "aKtherine").
        assert!(t.chars().skip(1).all(char::is_lowercase), "{t}");
        let d = typo("19840517", &mut rng, true).unwrap();
        assert_eq!(d.len(), 8);
        assert!(d.bytes().all(|b| b.is_ascii_digit()));
    }
    assert_eq!(typo("---", &mut rng, false), None);
    let mut seen = HashSet::new();
    for _ in 0..100 {
        seen.insert(phonetic("Stephen", &mut rng).unwrap());
    }
    assert!(seen.contains("Stefen"), "{seen:?}");
    assert!(seen.iter().all(|s| s.starts_with('S') && s != "Stephen"));
}

#[test]
fn csv_round_trips_awkward_values() {
    let mut rows = link(&Config::new(3), 200, 0.5).a;
    rows[0].set(Slot::CompanyName, "Smith, Jones & \"Partners\" LLC".into());
    rows[1].set(Slot::Street, "12 Main St\r\nApt 4".into());
    rows[2].set(Slot::City, "  Padded ".into());
    rows[3].set(Slot::City, "Köln".into());
    let text = csv::records(&rows);
    assert!(text.starts_with("id,email,phone,firstName,lastName,street,city,state,postalCode,country,dateOfBirth,gender,companyName,duns,webDomain,externalId\r\n"));
    assert!(text.contains("\"Smith, Jones & \"\"Partners\"\" LLC\""));
    assert_eq!(csv::read_records(&text).unwrap(), rows);
    assert_eq!(
        csv::parse("a,\"b\nc\"\n").unwrap(),
        vec![vec!["a".to_string(), "b\nc".into()]]
    );
    assert_eq!(
        csv::parse("\"open").unwrap_err(),
        csv::CsvError::UnclosedQuote
    );
    assert_eq!(
        csv::parse("\"a\"b").unwrap_err(),
        csv::CsvError::TextAfterQuote
    );
}

#[test]
fn link_truth_csv_lists_the_pairs() {
    let d = link(&Config::new(2), 50, 0.5);
    let text = csv::pairs(["a_id", "b_id"], &d.pairs);
    let lines = csv::parse(&text).unwrap();
    assert_eq!(lines[0], vec!["a_id", "b_id"]);
    assert_eq!(lines.len(), 26);
}
