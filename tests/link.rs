//! Linking through the public API on synthetic encoded records with known truth.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: failing loudly is the point
#![cfg(feature = "fuzzy")]

mod link_synth;

use link_synth::{encode, key, person, two_datasets, Rng, CLEAN, NOISY};
use pseudolink::link::{
    default_comparisons, dice, pair_completeness, BlockingConfig, Comparison, ComparisonKind,
    ComparisonOrigin, ComparisonParams, EncodedRecord, LevelParams, LinkConfig, Linker,
    ModelParams, Records, TransferView,
};
use pseudolink::{ErrorCode, Field};
use std::collections::HashSet;

fn quiet() -> impl FnMut(&str, usize, usize) {
    |_, _, _| {}
}

fn precision_recall(
    found: &HashSet<(String, String)>,
    truth: &HashSet<(String, String)>,
) -> (f64, f64) {
    let tp = found.intersection(truth).count() as f64;
    (
        tp / found.len().max(1) as f64,
        tp / truth.len().max(1) as f64,
    )
}

#[test]
fn dice_agrees_with_a_bitwise_reference() {
    let mut r = Rng::new(3);
    for _ in 0..200 {
        let a: Vec<u8> = (0..128).map(|_| r.next() as u8 & r.next() as u8).collect();
        let b: Vec<u8> = (0..128).map(|_| r.next() as u8 | r.next() as u8).collect();
        let (mut ca, mut cb, mut cab) = (0, 0, 0);
        for bit in 0..1024 {
            let (x, y) = (a[bit / 8] >> (bit % 8) & 1, b[bit / 8] >> (bit % 8) & 1);
            ca += x as u32;
            cb += y as u32;
            cab += (x & y) as u32;
        }
        let want = 2.0 * cab as f64 / (ca + cb) as f64;
        assert!((dice(&a, &b) - want).abs() < 1e-12);
    }
}

#[test]
fn em_without_labels_separates_matches_with_calibrated_probabilities() {
    let (a, b, truth) = two_datasets(1500, 750, 11);
    let mut linker = Linker::new(LinkConfig::default()).unwrap();
    let mut stages = HashSet::new();
    let result = linker
        .link(&a, &b, &mut |stage: &str, done, total| {
            assert!(done <= total.max(done));
            stages.insert(stage.to_owned());
        })
        .unwrap();
    for s in [
        "prepare", "block", "compare", "sampleU", "em", "score", "solve",
    ] {
        assert!(stages.contains(s), "no progress for {s}");
    }
    assert!(result.stats.trained && result.stats.em_iterations > 1);
    let truth_ids: HashSet<_> = truth
        .iter()
        .map(|&(i, j)| (a[i].id.clone(), b[j].id.clone()))
        .collect();
    let found: HashSet<_> = result
        .links
        .iter()
        .map(|l| (l.a.clone(), l.b.clone()))
        .collect();
    let (p, r) = precision_recall(&found, &truth_ids);
    assert!(p > 0.97 && r > 0.95, "precision {p} recall {r}");
    // Calibration: among links, the mean probability is close to the share that are true.
    let mean_p: f64 =
        result.links.iter().map(|l| l.probability).sum::<f64>() / result.links.len() as f64;
    assert!(
        (mean_p - p).abs() < 0.05,
        "mean probability {mean_p} vs precision {p}"
    );
    // Blocking kept (nearly) every true pair and removed most pairs.
    let cands = linker.candidate_pairs(&a, &b).unwrap();
    assert_eq!(cands.len(), result.stats.candidate_pairs);
    assert!(pair_completeness(&cands, &truth) > 0.99);
    // The name passes pair namesakes: with first names drawn from a skewed
    // list of 800, about 5% of all pairs at this size (0.985 kept out on
    // the quality data's real names, BENCHMARKS.md).
    assert!(
        result.stats.reduction_ratio > 0.9,
        "{}",
        result.stats.reduction_ratio
    );
}

#[test]
fn training_twice_on_the_same_data_gives_bit_identical_results() {
    // A service stores and re-serves results: the same inputs must give the
    // same bytes, not just the same links (EM's sums run in a fixed order).
    let (a, b, _) = two_datasets(600, 300, 21);
    let run = || {
        let mut linker = Linker::new(LinkConfig::default()).unwrap();
        let r = linker.link(&a, &b, &mut quiet()).unwrap();
        let links: Vec<(String, String, u64)> = r
            .links
            .iter()
            .map(|l| (l.a.clone(), l.b.clone(), l.probability.to_bits()))
            .collect();
        (serde_json::to_string(&r.params).unwrap(), links)
    };
    assert_eq!(run(), run());
}

#[test]
fn greedy_links_are_one_to_one() {
    let (a, mut b, _) = two_datasets(400, 300, 5);
    // A second noisy copy of each of the first 100 people in b competes for them.
    for i in 0..100 {
        let mut again = b[i].clone();
        again.id = format!("dup{i}");
        again.tokens.truncate(1);
        b.push(again);
    }
    let mut linker = Linker::new(LinkConfig::default()).unwrap();
    let result = linker.link(&a, &b, &mut quiet()).unwrap();
    let mut seen_a = HashSet::new();
    let mut seen_b = HashSet::new();
    for l in &result.links {
        assert!(
            seen_a.insert(l.a.clone()) && seen_b.insert(l.b.clone()),
            "record reused"
        );
    }
    assert!(result.links.len() >= 280);
}

/// A model with strong e-mail and phone evidence and a low prior.
fn token_params() -> (LinkConfig, ModelParams) {
    let mut config = LinkConfig {
        comparisons: vec![
            pseudolink::link::Comparison::token("email", false),
            pseudolink::link::Comparison::token("phone", false),
        ],
        ..LinkConfig::default()
    };
    config.blocking.lsh.clear();
    let level = |label: &str, m: f64, u: f64| LevelParams {
        label: label.into(),
        m,
        u,
    };
    let comparison = |name: &str| ComparisonParams {
        name: name.into(),
        levels: vec![level("disagree", 0.1, 0.999), level("agree", 0.9, 1e-6)],
    };
    let params = ModelParams {
        version: 1,
        prior: 1e-3,
        comparisons: vec![comparison("email"), comparison("phone")],
    };
    (config, params)
}

fn token_record(id: &str, email: &str, phone: &str) -> EncodedRecord {
    let k = key();
    EncodedRecord {
        id: id.into(),
        tokens: vec![
            k.field_token(Field::Email, email),
            k.field_token(Field::Phone, phone),
        ],
        ..EncodedRecord::default()
    }
}

#[test]
fn chain_guard_stops_chains_that_components_would_join() {
    let (config, params) = token_params();
    // r_k shares its e-mail with one neighbour and its phone with the other.
    let records: Vec<_> = (0..8)
        .map(|k| {
            token_record(
                &format!("r{k}"),
                &format!("e{}", (k + 1) / 2),
                &format!("p{}", k / 2),
            )
        })
        .collect();
    let mut linker = Linker::new(config).unwrap().with_params(params).unwrap();
    let result = linker.dedupe(&records, &mut quiet()).unwrap();
    assert!(!result.stats.trained);
    // Every neighbour pair is a strong link, so components would give one cluster of 8.
    assert_eq!(result.stats.candidate_pairs, 7);
    assert!(
        result.clusters.iter().all(|c| c.len() <= 3),
        "{:?}",
        result.clusters
    );
    assert!(result.clusters.iter().any(|c| c.len() >= 2));
    // Exact duplicates do form one cluster.
    let same: Vec<_> = (0..4)
        .map(|k| token_record(&format!("s{k}"), "e", "p"))
        .collect();
    let result = linker.dedupe(&same, &mut quiet()).unwrap();
    assert_eq!(result.clusters, vec![vec!["s0", "s1", "s2", "s3"]]);
    assert_eq!(result.links.len(), 6);
}

#[test]
fn dedupe_finds_copies_in_one_dataset() {
    let (a, b, truth) = two_datasets(600, 300, 21);
    let all: Vec<_> = a.iter().chain(&b).cloned().collect();
    let mut linker = Linker::new(LinkConfig::default()).unwrap();
    let result = linker.dedupe(&all, &mut quiet()).unwrap();
    let found: HashSet<(String, String)> = result
        .clusters
        .iter()
        .filter(|c| c.len() == 2)
        .map(|c| (c[0].clone(), c[1].clone()))
        .collect();
    let truth_ids: HashSet<_> = truth
        .iter()
        .map(|&(i, j)| (a[i].id.clone(), b[j].id.clone()))
        .collect();
    let (p, r) = precision_recall(&found, &truth_ids);
    assert!(p > 0.95 && r > 0.9, "precision {p} recall {r}");
    assert_eq!(
        result.clusters.iter().map(Vec::len).sum::<usize>(),
        all.len()
    );
}

#[test]
fn link_many_makes_entities_with_one_record_per_source() {
    let mut r = Rng::new(77);
    let k = key();
    let people: Vec<_> = (0..300).map(|i| person(&mut r, i)).collect();
    // Each source holds the first 200 people (noisy) and 50 of its own.
    let sources: Vec<Vec<EncodedRecord>> = (0..3)
        .map(|s| {
            (0..250)
                .map(|i| {
                    let who = if i < 200 {
                        i
                    } else {
                        200 + (s * 50 + i - 200) % 100
                    };
                    let noise = if s == 0 { CLEAN } else { NOISY };
                    encode(format!("p{who}"), &people[who], noise, &mut r, &k)
                })
                .collect()
        })
        .collect();
    let refs: Vec<&[EncodedRecord]> = sources.iter().map(Vec::as_slice).collect();
    let mut linker = Linker::new(LinkConfig::default()).unwrap();
    let result = linker.link_many(&refs, &mut quiet()).unwrap();
    let mut complete = 0;
    for e in &result.entities {
        let srcs: HashSet<_> = e.iter().map(|m| m.source).collect();
        assert_eq!(
            srcs.len(),
            e.len(),
            "two records of one source in an entity"
        );
        let ids: HashSet<_> = e.iter().map(|m| m.id.as_str()).collect();
        assert_eq!(ids.len(), 1, "different people in one entity: {e:?}");
        complete += usize::from(e.len() == 3);
    }
    assert!(
        complete >= 180,
        "{complete} of 200 shared people fully linked"
    );
    assert!(result.links.iter().all(|l| l.a.contains(':')));
}

#[test]
fn explanations_sum_to_the_match_weight_and_match_explain() {
    let (a, b, _) = two_datasets(300, 150, 8);
    let mut linker = Linker::new(LinkConfig::default()).unwrap();
    let result = linker.link(&a, &b, &mut quiet()).unwrap();
    assert!(!result.links.is_empty());
    let by_id = |v: &[EncodedRecord], id: &str| v.iter().find(|r| r.id == id).unwrap().clone();
    for link in result.links.iter().take(50) {
        let e = link.explanation.as_ref().unwrap();
        let sum: f64 = e.prior_weight + e.contributions.iter().map(|c| c.match_weight).sum::<f64>();
        assert!((sum - e.match_weight).abs() < 1e-9);
        assert!((e.match_weight - link.match_weight).abs() < 1e-9);
        assert!((e.probability - link.probability).abs() < 1e-9);
        assert_eq!(e.contributions.len(), linker.config().comparisons.len());
        let again = linker
            .explain(&by_id(&a, &link.a), &by_id(&b, &link.b))
            .unwrap();
        assert!((again.match_weight - e.match_weight).abs() < 1e-9);
        let rec = e
            .contributions
            .iter()
            .find(|c| c.comparison == "firstName")
            .unwrap();
        assert!(rec.similarity.is_some() && rec.level.starts_with("dice"));
    }
    let json = serde_json::to_value(&result.links[0]).unwrap();
    let c0 = &json["explanation"]["contributions"][0];
    for field in [
        "comparison",
        "level",
        "similarity",
        "matchWeight",
        "tfAdjustment",
    ] {
        assert!(c0.get(field).is_some(), "{field} missing");
    }
    assert!(json["explanation"]["priorWeight"].is_number());
    let whole = serde_json::to_value(&result).unwrap();
    for key in [
        "candidatePairs",
        "totalPairs",
        "reductionRatio",
        "comparisons",
        "emIterations",
        "trained",
    ] {
        assert!(whole["stats"].get(key).is_some(), "stats.{key} missing");
    }
    assert!(whole["params"]["comparisons"][0]["levels"][0]["m"].is_number());
    // Without explanations, the weight is the scorer's own.
    let mut plain = Linker::new(LinkConfig {
        explain_links: false,
        ..LinkConfig::default()
    })
    .unwrap();
    let bare = plain.link(&a, &b, &mut quiet()).unwrap();
    assert!(bare.links[0].explanation.is_none());
    assert!(serde_json::to_value(&bare.links[0])
        .unwrap()
        .get("explanation")
        .is_none());
    assert!((bare.links[0].match_weight - result.links[0].match_weight).abs() < 1e-9);
}

#[test]
fn params_round_trip_through_json_and_score_the_same() {
    let (a, b, _) = two_datasets(300, 150, 4);
    let mut trained = Linker::new(LinkConfig::default()).unwrap();
    let first = trained.link(&a, &b, &mut quiet()).unwrap();
    let json = first.params.to_json();
    let loaded = ModelParams::from_json(&json).unwrap();
    // serde_json's default float parser may be 1 ulp off (its exact mode
    // costs 10 KB of gzipped wasm), so compare within 1e-12 relative.
    let close = |x: f64, y: f64| (x - y).abs() <= 1e-12 * x.abs().max(y.abs());
    assert!(close(loaded.prior, first.params.prior));
    for (l, f) in loaded.comparisons.iter().zip(&first.params.comparisons) {
        assert_eq!((&l.name, l.levels.len()), (&f.name, f.levels.len()));
        for (x, y) in l.levels.iter().zip(&f.levels) {
            assert!(x.label == y.label && close(x.m, y.m) && close(x.u, y.u));
        }
    }
    assert_eq!(
        ModelParams::from_json(&loaded.to_json()).unwrap().to_json(),
        loaded.to_json()
    );
    let config =
        LinkConfig::from_json(&serde_json::to_string(&LinkConfig::default()).unwrap()).unwrap();
    assert_eq!(config, LinkConfig::default());
    assert_eq!(LinkConfig::from_json("{}").unwrap(), LinkConfig::default());
    let mut reused = Linker::new(config).unwrap().with_params(loaded).unwrap();
    let second = reused.link(&a, &b, &mut quiet()).unwrap();
    assert!(!second.stats.trained && second.stats.em_iterations == 0);
    assert_eq!(first.links.len(), second.links.len());
    for (x, y) in first.links.iter().zip(&second.links) {
        assert_eq!((&x.a, &x.b), (&y.a, &y.b));
        assert!((x.probability - y.probability).abs() < 1e-9);
    }
    // Parameters for other comparisons are refused.
    let (_, other) = token_params();
    let e = Linker::new(LinkConfig::default())
        .unwrap()
        .with_params(other)
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::LinkBadParams);
}

#[test]
fn term_frequency_lowers_the_weight_of_a_common_token() {
    let mut r = Rng::new(12);
    let k = key();
    // 40% of people share one date of birth (a placeholder).
    let people: Vec<_> = (0..600)
        .map(|i| {
            let mut p = person(&mut r, i);
            if i % 5 < 2 {
                p.dob = 1;
            }
            p
        })
        .collect();
    let a: Vec<_> = people
        .iter()
        .enumerate()
        .map(|(i, p)| encode(format!("a{i}"), p, CLEAN, &mut r, &k))
        .collect();
    let b: Vec<_> = people
        .iter()
        .enumerate()
        .map(|(i, p)| encode(format!("b{i}"), p, NOISY, &mut r, &k))
        .collect();
    let mut linker = Linker::new(LinkConfig::default()).unwrap();
    linker.link(&a, &b, &mut quiet()).unwrap();
    let dob = |i: usize| {
        let e = linker.explain(&a[i], &b[i]).unwrap();
        e.contributions
            .into_iter()
            .find(|c| c.comparison == "dateOfBirth")
            .unwrap()
    };
    let (common, rare) = (dob(0), dob(2));
    assert_eq!(
        (common.level.as_str(), rare.level.as_str()),
        ("agree", "agree")
    );
    assert!(common.tf_adjustment < -1.0, "{common:?}");
    assert!(rare.tf_adjustment > 0.0, "{rare:?}");
    assert!(common.match_weight < rare.match_weight - 5.0);
}

#[test]
fn bad_input_gets_typed_errors_without_values() {
    let (a, b, _) = two_datasets(20, 10, 1);
    let mut linker = Linker::new(LinkConfig::default()).unwrap();
    assert_eq!(
        linker.explain(&a[0], &b[0]).unwrap_err().code(),
        ErrorCode::LinkNotTrained
    );

    let mut bad = a.clone();
    bad[3].tokens.push("pl1.email.k1.secret-value".into());
    let e = linker.link(&bad, &b, &mut quiet()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::LinkBadToken);
    assert!(!e.to_string().contains("secret-value"));

    let mut dup = a.clone();
    dup[1].id = dup[0].id.clone();
    assert_eq!(
        linker.link(&dup, &b, &mut quiet()).unwrap_err().code(),
        ErrorCode::LinkDuplicateId
    );

    let mut short = b.clone();
    short[0].clks.insert("firstName".into(), vec![1; 64]);
    assert_eq!(
        linker.link(&a, &short, &mut quiet()).unwrap_err().code(),
        ErrorCode::LinkClkLengthMismatch
    );

    let json = r#"{"id":"r1","tokens":[],"matchKeys":[],"clks":{"record":"not*base64=="}}"#;
    let e = EncodedRecord::from_json(json).unwrap_err();
    assert_eq!(e.code(), ErrorCode::LinkBadBase64);
    assert!(!e.to_string().contains("not*base64"));
    let ok = EncodedRecord::from_json(r#"{"id":"r1","clks":{"record":"AAEC"}}"#).unwrap();
    assert_eq!(ok.clks["record"], vec![0, 1, 2]);
    assert_eq!(
        serde_json::to_string(&ok).unwrap(),
        r#"{"id":"r1","tokens":[],"matchKeys":[],"clks":{"record":"AAEC"}}"#
    );

    for bad_config in [
        r#"{"threshold":1.5}"#,
        r#"{"comparisons":[]}"#,
        r#"{"maxClusterSize":"x"}"#,
    ] {
        assert_eq!(
            LinkConfig::from_json(bad_config).unwrap_err().code(),
            ErrorCode::LinkBadConfig
        );
    }
    assert_eq!(
        ModelParams::from_json("[]").unwrap_err().code(),
        ErrorCode::LinkBadParams
    );
}

#[test]
fn lsh_alone_finds_fuzzy_pairs_without_any_agreeing_token() {
    let (mut a, mut b, truth) = two_datasets(2000, 1000, 31);
    for r in a.iter_mut().chain(b.iter_mut()) {
        r.tokens.clear();
        r.match_keys.clear();
    }
    // The record CLK's pass at its own settings (the default adds name passes).
    let record_only = LinkConfig {
        blocking: BlockingConfig::record_only(),
        ..LinkConfig::default()
    };
    let linker = Linker::new(record_only.clone()).unwrap();
    let cands = linker.candidate_pairs(&a, &b).unwrap();
    // The claim: pairs whose record CLKs are similar (Dice >= 0.7) are kept.
    // (Moved people, with three fields changed, fall below and need tokens.)
    let similar: Vec<_> = truth
        .iter()
        .copied()
        .filter(|&(i, j)| dice(&a[i].clks["record"], &b[j].clks["record"]) >= 0.7)
        .collect();
    assert!(similar.len() > 800, "{}", similar.len());
    let pc = pair_completeness(&cands, &similar);
    assert!(
        pc > 0.98,
        "pair completeness {pc} over {} similar pairs",
        similar.len()
    );
    // Random pairs stay within the budget (20 per record over all bands, with slack).
    assert!(
        cands.len() < 2 * 20 * 4000 + truth.len(),
        "{} candidates",
        cands.len()
    );
    // Without LSH and tokens there is nothing to block on.
    let mut config = record_only;
    config.blocking.lsh.clear();
    let none = Linker::new(config)
        .unwrap()
        .candidate_pairs(&a, &b)
        .unwrap();
    assert!(none.is_empty());
}

#[test]
fn blocking_passes_are_counted_and_their_completeness_estimated_without_labels() {
    let (a, b, truth) = two_datasets(1500, 750, 17);
    let mut config = LinkConfig::from_json(
        r#"{"blocking": {"lsh": [{"clk": "record"},
            {"clk": "firstName", "also": ["lastName"], "seed": 2}]}}"#,
    )
    .unwrap();
    config.explain_links = false;
    let mut linker = Linker::new(config.clone()).unwrap();
    let result = linker.link(&a, &b, &mut quiet()).unwrap();
    let s = &result.stats;
    // Tokens, the record CLK, both names together: three passes, overlapping.
    assert_eq!(s.candidate_pairs_by_pass.len(), 3);
    assert!(s.candidate_pairs_by_pass.iter().all(|&n| n > 0));
    assert!(s.candidate_pairs_by_pass.iter().sum::<usize>() >= s.candidate_pairs);
    assert!(s
        .candidate_pairs_by_pass
        .iter()
        .all(|&n| n <= s.candidate_pairs));
    // The estimate is near the true completeness over the pairs that link.
    let est = s.pair_completeness_estimate.unwrap();
    let cands = linker.candidate_pairs(&a, &b).unwrap();
    let index = |d: &[EncodedRecord]| {
        d.iter()
            .enumerate()
            .map(|(i, r)| (r.id.clone(), i))
            .collect::<std::collections::HashMap<_, _>>()
    };
    let (ia, ib) = (index(&a), index(&b));
    let linked: Vec<(usize, usize)> = result
        .links
        .iter()
        .map(|l| (ia[&l.a], ib[&l.b]))
        .filter(|p| truth.contains(p))
        .collect();
    assert!(pair_completeness(&cands, &linked) >= est - 0.02, "{est}");
    assert!(est > 0.95 && est <= 1.0, "{est}");
    // The names pass on its own finds pairs whose names are similar even
    // with nothing else in common: no token, no record CLK.
    let strip = |d: &[EncodedRecord]| -> Vec<EncodedRecord> {
        d.iter()
            .map(|r| {
                let mut r = r.clone();
                r.tokens.clear();
                r.match_keys.clear();
                r.clks.retain(|k, _| k == "firstName" || k == "lastName");
                r
            })
            .collect()
    };
    let (na, nb) = (strip(&a), strip(&b));
    let names = Linker::new(config)
        .unwrap()
        .candidate_pairs(&na, &nb)
        .unwrap();
    let similar: Vec<_> = truth
        .iter()
        .copied()
        .filter(|&(i, j)| {
            dice(&na[i].clks["firstName"], &nb[j].clks["firstName"]) >= 0.9
                && dice(&na[i].clks["lastName"], &nb[j].clks["lastName"]) >= 0.9
        })
        .collect();
    assert!(similar.len() > 300, "{}", similar.len());
    let pc = pair_completeness(&names, &similar);
    assert!(pc > 0.98, "{pc}");
    // The record CLK is absent everywhere: only the names pass found pairs;
    // tokens and the record CLK alone find none.
    let mut record_only = Linker::new(LinkConfig {
        blocking: BlockingConfig::record_only(),
        ..LinkConfig::default()
    })
    .unwrap();
    let alone = record_only.link(&na, &nb, &mut quiet()).unwrap();
    assert_eq!(alone.stats.candidate_pairs, 0);
    assert_eq!(alone.stats.candidate_pairs_by_pass, vec![0, 0]);
}

fn customer_record(id: &str, customer: &str, email: &str, phone: &str) -> EncodedRecord {
    let mut r = token_record(id, email, phone);
    r.tokens
        .push(key().field_token(Field::ExternalId, customer));
    r
}

/// Three customers per file; `c2` carries the same customer number in both
/// files but a different e-mail and phone.
fn customer_files() -> (Vec<EncodedRecord>, Vec<EncodedRecord>) {
    let a = vec![
        customer_record("a1", "C1", "one@example.com", "+15550000001"),
        customer_record("a2", "C2", "two@example.com", "+15550000002"),
        customer_record("a3", "C3", "three@example.com", "+15550000003"),
    ];
    let b = vec![
        customer_record("b1", "C1", "one@example.com", "+15550000001"),
        customer_record("b2", "C2", "new@example.org", "+15559999999"),
        customer_record("b3", "C9", "nine@example.com", "+15550000009"),
    ];
    (a, b)
}

fn blocking_on_customer_numbers() -> LinkConfig {
    let mut config = LinkConfig::default();
    config.blocking.exact_subjects.push("externalId".into());
    config
}

#[test]
fn a_customer_number_both_files_carry_is_compared_and_reported() {
    let (a, b) = customer_files();
    let linked = |config: LinkConfig| {
        let r = Linker::new(config)
            .unwrap()
            .link(&a, &b, &mut quiet())
            .unwrap();
        let pairs: HashSet<(String, String)> =
            r.links.iter().map(|l| (l.a.clone(), l.b.clone())).collect();
        (pairs, r.stats.built_comparisons)
    };
    let (pairs, built) = linked(blocking_on_customer_numbers());
    assert!(pairs.contains(&("a2".into(), "b2".into())), "{pairs:?}");
    let external = built.iter().find(|c| c.name == "externalId").unwrap();
    assert_eq!(
        (external.kind, external.source),
        (ComparisonKind::Token, ComparisonOrigin::Data)
    );
    let email = built.iter().find(|c| c.name == "email").unwrap();
    assert_eq!(email.source, ComparisonOrigin::Default);
    // Without the data's comparisons the customer number counts for nothing.
    let (pairs, built) = linked(LinkConfig {
        comparisons_from_data: false,
        ..blocking_on_customer_numbers()
    });
    assert!(!pairs.contains(&("a2".into(), "b2".into())), "{pairs:?}");
    assert!(built.iter().all(|c| c.name != "externalId"));
}

#[test]
fn a_comparison_list_the_user_sets_is_used_as_given() {
    let (a, b) = customer_files();
    let (mut config, _) = token_params();
    config.blocking.exact_subjects.push("externalId".into());
    let r = Linker::new(config)
        .unwrap()
        .link(&a, &b, &mut quiet())
        .unwrap();
    let built: Vec<(&str, ComparisonOrigin)> = r
        .stats
        .built_comparisons
        .iter()
        .map(|c| (c.name.as_str(), c.source))
        .collect();
    assert_eq!(
        built,
        [
            ("email", ComparisonOrigin::Given),
            ("phone", ComparisonOrigin::Given)
        ]
    );
}

#[test]
fn parameters_saved_before_the_moved_comparison_still_load() {
    // The eight default comparisons every earlier version saved.
    let old: Vec<Comparison> = default_comparisons()
        .into_iter()
        .filter(|c| c.name != "moved")
        .collect();
    assert_eq!(old.len(), 8);
    let params = ModelParams {
        version: 1,
        prior: 1e-3,
        comparisons: old
            .iter()
            .map(|c| {
                let k = c.level_count();
                ComparisonParams {
                    name: c.name.clone(),
                    levels: (0..k)
                        .map(|l| LevelParams {
                            label: c.level_label(l),
                            m: if l + 1 == k {
                                0.9
                            } else {
                                0.1 / (k - 1) as f64
                            },
                            u: if l == 0 { 0.99 } else { 0.01 / (k - 1) as f64 },
                        })
                        .collect(),
                }
            })
            .collect(),
    };
    let params = ModelParams::from_json(&params.to_json()).unwrap();
    let mut linker = Linker::new(LinkConfig::default())
        .unwrap()
        .with_params(params.clone())
        .unwrap();
    assert_eq!(linker.config().comparisons, old);
    let (a, b, _) = two_datasets(60, 30, 5);
    let r = linker.link(&a, &b, &mut quiet()).unwrap();
    assert_eq!(r.params, params);
    assert!(r
        .stats
        .built_comparisons
        .iter()
        .all(|c| c.source == ComparisonOrigin::Default));
    // Another version's defaults in another order are refused.
    let mut shuffled = params;
    shuffled.comparisons.swap(0, 1);
    let e = Linker::new(LinkConfig::default())
        .unwrap()
        .with_params(shuffled)
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::LinkBadParams);
}

#[test]
fn parameters_with_the_datas_comparisons_load_into_a_default_linker() {
    let (a, b) = customer_files();
    let mut config = blocking_on_customer_numbers();
    config.min_training_records = 0;
    let mut trained = Linker::new(config.clone()).unwrap();
    let first = trained.link(&a, &b, &mut quiet()).unwrap();
    assert!(first
        .params
        .comparisons
        .iter()
        .any(|c| c.name == "externalId"));
    let loaded = ModelParams::from_json(&first.params.to_json()).unwrap();
    let mut reused = Linker::new(config).unwrap().with_params(loaded).unwrap();
    let second = reused.link(&a, &b, &mut quiet()).unwrap();
    assert_eq!(
        second.stats.built_comparisons,
        first.stats.built_comparisons
    );
    assert_eq!(first.links.len(), second.links.len());
}

/// The JSON form as the wasm edge reads it: records through JSON text.
fn through_json(records: &[EncodedRecord]) -> Vec<EncodedRecord> {
    EncodedRecord::many_from_json(&serde_json::to_string(records).unwrap()).unwrap()
}

#[test]
fn the_binary_view_links_exactly_as_the_json_form() {
    // Records read in place from the binary transfer form (no token text)
    // give the JSON form's links, probabilities, explanations, parameters
    // and stats, bit for bit: training, then with the trained parameters.
    let (a, mut b, _) = two_datasets(1200, 600, 31);
    // A copy that only shares some tokens, and an oblivious (`po1`) token:
    // neither may change anything between the forms.
    let mut again = b[3].clone();
    again.id = "again".into();
    again.tokens.truncate(1);
    again.clks.remove("record");
    b.push(again);
    b[7].tokens.push(format!("po1.email.v1.{}", "A".repeat(43)));
    let (ja, jb) = (through_json(&a), through_json(&b));
    let (bytes_a, bytes_b) = (
        EncodedRecord::many_to_bytes(&a).unwrap(),
        EncodedRecord::many_to_bytes(&b).unwrap(),
    );
    let (va, vb) = (
        TransferView::parse(&bytes_a).unwrap(),
        TransferView::parse(&bytes_b).unwrap(),
    );
    assert_eq!((va.len(), vb.len()), (a.len(), b.len()));

    let mut json = Linker::new(LinkConfig::default()).unwrap();
    let mut binary = Linker::new(LinkConfig::default()).unwrap();
    let want = json.link(&ja, &jb, &mut quiet()).unwrap();
    let got = binary
        .link_records(Records::Transfer(&va), Records::Transfer(&vb), &mut quiet())
        .unwrap();
    assert!(want.stats.trained && want.links.len() > 500);
    assert_eq!(got, want);
    assert_eq!(binary.params(), json.params());
    // Again with the parameters both linkers kept, one side in each form.
    let want = json.link(&ja, &jb, &mut quiet()).unwrap();
    let got = binary
        .link_records(Records::Encoded(&ja), Records::Transfer(&vb), &mut quiet())
        .unwrap();
    assert_eq!(got, want);
    assert_eq!(
        binary.explain(&a[0], &b[0]).unwrap(),
        json.explain(&a[0], &b[0]).unwrap()
    );

    // Dedupe and linkMany, each on a fresh linker.
    let mut json = Linker::new(LinkConfig::default()).unwrap();
    let mut binary = Linker::new(LinkConfig::default()).unwrap();
    let both: Vec<EncodedRecord> = ja.iter().chain(&jb).cloned().collect();
    let bytes = EncodedRecord::many_to_bytes(&both).unwrap();
    let view = TransferView::parse(&bytes).unwrap();
    assert_eq!(
        binary
            .dedupe_records(Records::Transfer(&view), &mut quiet())
            .unwrap(),
        json.dedupe(&both, &mut quiet()).unwrap()
    );
    let mut json = Linker::new(LinkConfig::default()).unwrap();
    let mut binary = Linker::new(LinkConfig::default()).unwrap();
    assert_eq!(
        binary
            .link_many_records(
                &[Records::Transfer(&va), Records::Encoded(&jb)],
                &mut quiet()
            )
            .unwrap(),
        json.link_many(&[&ja, &jb], &mut quiet()).unwrap()
    );
}

#[test]
fn the_binary_view_gives_the_json_forms_errors() {
    let (a, _, _) = two_datasets(20, 10, 4);
    let mut linker = Linker::new(LinkConfig::default()).unwrap();
    // A duplicate id, CLKs of different lengths: the same link.* codes.
    let mut dup = a.clone();
    dup[1].id = dup[0].id.clone();
    let mut short = a.clone();
    short[2].clks.get_mut("record").unwrap().pop();
    for bad in [dup, short] {
        let bytes = EncodedRecord::many_to_bytes(&bad).unwrap();
        let view = TransferView::parse(&bytes).unwrap();
        let want = linker.link(&bad, &a, &mut quiet()).unwrap_err().code();
        let got = linker
            .link_records(Records::Transfer(&view), Records::from(&a), &mut quiet())
            .unwrap_err();
        assert_eq!(got.code(), want);
    }
    // A bad buffer never makes a view: the codes of `many_from_bytes`.
    let bytes = EncodedRecord::many_to_bytes(&a).unwrap();
    for cut in [0, 3, 16, bytes.len() / 2, bytes.len() - 1] {
        let want = EncodedRecord::many_from_bytes(&bytes[..cut]).unwrap_err();
        let got = TransferView::parse(&bytes[..cut]).unwrap_err();
        assert_eq!(got.code(), want.code());
        assert!(matches!(
            got.code(),
            ErrorCode::TransferNotEncoded | ErrorCode::TransferMalformed
        ));
    }
}

#[test]
fn the_default_blocking_finds_a_customer_who_moved_by_the_name_alone() {
    // A customer who moved and changed e-mail, phone and date of birth:
    // no token agrees and the record CLK is another person's. Only the
    // names are left, and the default's name passes bring the pair to scoring.
    let (mut a, mut b, _) = two_datasets(400, 200, 41);
    let stranger = b[399].clks["record"].clone();
    for r in [&mut a[0], &mut b[0]] {
        r.tokens.clear();
        r.match_keys.clear();
    }
    b[0].clks.insert("record".into(), stranger);
    b[0].clks
        .insert("firstName".into(), a[0].clks["firstName"].clone());
    let found = |config: LinkConfig| {
        Linker::new(config)
            .unwrap()
            .candidate_pairs(&a, &b)
            .unwrap()
            .contains(&(0, 0))
    };
    assert!(found(LinkConfig::default()));
    assert!(!found(LinkConfig {
        blocking: BlockingConfig::record_only(),
        ..LinkConfig::default()
    }));
}

#[test]
fn a_common_surname_agreeing_weighs_less_than_a_rare_one() {
    // 1,200 records carry a surname: 600 are Smiths, the rest all differ.
    // Equal surnames have equal CLKs, so both pairs below sit at the top
    // Dice level; the surname token's frequency then moves the weight.
    let k = key();
    let clk = |name: &str| {
        let mut c = vec![0u8; 128];
        for (n, b) in name.bytes().enumerate() {
            c[(usize::from(b) * 7 + n * 13) % 128] |= 1 << (n % 8);
        }
        c
    };
    let person = |id: String, surname: &str| EncodedRecord {
        id,
        tokens: vec![k.field_token(Field::LastName, surname)],
        clks: [("lastName".to_owned(), clk(surname))].into(),
        ..EncodedRecord::default()
    };
    let surname = |i: usize| {
        if i < 600 {
            "smith".to_owned()
        } else {
            format!("rare{i}")
        }
    };
    let a: Vec<_> = (0..1200)
        .map(|i| person(format!("a{i}"), &surname(i)))
        .collect();
    let b = vec![
        person("b-smith".into(), "smith"),
        person("b-rare".into(), "rare999"),
    ];
    let mut config = LinkConfig {
        comparisons: vec![Comparison::clk("lastName", &[0.95]).with_tf()],
        ..LinkConfig::default()
    };
    config.blocking = BlockingConfig {
        exact_subjects: vec!["lastName".into()],
        max_block_pairs: 1_000,
        lsh: vec![],
    };
    let params = ModelParams {
        version: 1,
        prior: 1e-3,
        comparisons: vec![ComparisonParams {
            name: "lastName".into(),
            levels: vec![
                LevelParams {
                    label: "dice<0.95".into(),
                    m: 0.05,
                    u: 0.99,
                },
                LevelParams {
                    label: "dice≥0.95".into(),
                    m: 0.95,
                    u: 0.01,
                },
            ],
        }],
    };
    let config = LinkConfig {
        threshold: 1e-9,
        ..config
    };
    let mut linker = Linker::new(config).unwrap().with_params(params).unwrap();
    let links = linker.link(&a, &b, &mut quiet()).unwrap().links;
    let adjustment = |id: &str| {
        let l = links.iter().find(|l| l.b == id).unwrap();
        let e = l.explanation.as_ref().unwrap();
        (e.contributions[0].tf_adjustment, l.probability)
    };
    let (smith, p_smith) = adjustment("b-smith");
    let (rare, p_rare) = adjustment("b-rare");
    // Smith is half of the surnames: besides the pair's two records, 599
    // others hold it, plus one pseudo-record (u 0.01 against 600/1202: -5.6
    // bits); a surname only the pair holds gains (u 0.01 against 1/1202:
    // +3.6 bits).
    assert!(
        (smith - (0.01f64 / (600.0 / 1202.0)).log2()).abs() < 1e-9,
        "{smith}"
    );
    assert!(
        (rare - (0.01f64 / (1.0 / 1202.0)).log2()).abs() < 1e-9,
        "{rare}"
    );
    assert!(p_rare > p_smith);
    // Below 1,000 records with a surname, frequencies are noise: no adjustment.
    let few: Vec<_> = a[..500].iter().chain(&a[1100..]).cloned().collect();
    let links = linker.link(&few, &b, &mut quiet()).unwrap().links;
    for l in &links {
        assert_eq!(
            l.explanation.as_ref().unwrap().contributions[0].tf_adjustment,
            0.0
        );
    }
    assert!(!links.is_empty());
}
