//! `link::chain_guard_edges`: the Linker's chain guard over pairs scored
//! elsewhere (what `pseudolink.splink.chain_guard_edges` runs), through the
//! public API only.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: failing loudly is the point
#![cfg(feature = "fuzzy")]

use pseudolink::link::chain_guard_edges;
use pseudolink::ErrorCode;

const A: u32 = 0;
const B: u32 = 1;
const C: u32 = 2;

/// The joined pairs themselves, `(min, max)`, in the order they joined.
fn joined(pairs: &[(u32, u32, f64)], threshold: f64, max: usize) -> Vec<(u32, u32)> {
    chain_guard_edges(pairs, threshold, max)
        .unwrap()
        .into_iter()
        .map(|at| (pairs[at].0.min(pairs[at].1), pairs[at].0.max(pairs[at].1)))
        .collect()
}

/// The clusters the joins make (connected components), sorted, without singletons.
fn clusters(joins: &[(u32, u32)]) -> Vec<Vec<u32>> {
    let mut of: Vec<Vec<u32>> = Vec::new();
    for &(i, j) in joins {
        let ci = of.iter().position(|c| c.contains(&i));
        let cj = of.iter().position(|c| c.contains(&j));
        match (ci, cj) {
            (Some(x), Some(y)) => {
                assert_ne!(x, y, "a join inside one cluster");
                let moved = of.remove(x.max(y));
                of[x.min(y)].extend(moved);
            }
            (Some(x), None) => of[x].push(j),
            (None, Some(y)) => of[y].push(i),
            (None, None) => of.push(vec![i, j]),
        }
    }
    for c in &mut of {
        c.sort_unstable();
    }
    of.sort();
    of
}

#[test]
fn chain_guard_chain_with_weak_ends_stops_at_the_average() {
    // a–b and b–c are strong, a–c weak: joining c to {a, b} needs the mean
    // of b–c and a–c, (0.8 + 0.1) / 2 = 0.45 < 0.5. Components would join all three.
    let pairs = [(A, B, 0.9), (B, C, 0.8), (A, C, 0.1)];
    assert_eq!(joined(&pairs, 0.5, 50), vec![(A, B)]);
    // At a threshold the mean reaches, c joins.
    assert_eq!(joined(&pairs, 0.4, 50), vec![(A, B), (B, C)]);
}

#[test]
fn chain_guard_missing_cross_pair_counts_zero() {
    // No a–c pair at all: (0.99 + 0) / 2 < 0.5.
    let pairs = [(A, B, 0.99), (B, C, 0.98)];
    assert_eq!(joined(&pairs, 0.5, 50), vec![(A, B)]);
}

#[test]
fn chain_guard_one_weak_pair_does_not_veto_a_clique() {
    // a–c is below the threshold, but the mean of b–c and a–c is 0.65.
    let pairs = [(A, B, 0.95), (B, C, 0.9), (A, C, 0.4)];
    assert_eq!(joined(&pairs, 0.5, 50), vec![(A, B), (B, C)]);
}

#[test]
fn chain_guard_size_cap_holds() {
    // Six records that all score 0.9 with each other, at most 3 per cluster.
    let mut pairs = Vec::new();
    for i in 0..6u32 {
        for j in i + 1..6 {
            pairs.push((i, j, 0.9));
        }
    }
    let joins = joined(&pairs, 0.5, 3);
    let got = clusters(&joins);
    assert!(got.iter().all(|c| c.len() <= 3), "{got:?}");
    assert_eq!(got.iter().map(Vec::len).sum::<usize>(), 6, "{got:?}");
    assert_eq!(joins.len(), 4);
    // Without the cap: one cluster, a spanning tree of five joins.
    assert_eq!(
        clusters(&joined(&pairs, 0.5, 50)),
        vec![vec![0, 1, 2, 3, 4, 5]]
    );
    // A cap of 1 keeps everyone alone.
    assert!(joined(&pairs, 0.5, 1).is_empty());
}

#[test]
fn chain_guard_two_people_bridged_by_one_borderline_pair() {
    // (a, b) and (c, d), each sure; b–c at 0.6 bridges them and nothing
    // else of a or b looks like c or d.
    let d = 3;
    let pairs = [(A, B, 0.99), (C, d, 0.98), (B, C, 0.6), (A, C, 0.02)];
    assert_eq!(joined(&pairs, 0.5, 50), vec![(A, B), (C, d)]);
}

#[test]
fn chain_guard_result_does_not_depend_on_order_or_orientation() {
    // A long chain of strong links with some weak cross pairs, and ties.
    let mut pairs: Vec<(u32, u32, f64)> = (0..40)
        .map(|i| (i, i + 1, if i % 3 == 0 { 0.9 } else { 0.8 }))
        .collect();
    pairs.extend((0..38).map(|i| (i, i + 2, 0.3)));
    let want = joined(&pairs, 0.5, 50);
    assert!(clusters(&want).iter().all(|c| c.len() < 41));
    let mut turned: Vec<_> = pairs.iter().rev().map(|&(i, j, p)| (j, i, p)).collect();
    assert_eq!(joined(&turned, 0.5, 50), want);
    turned.rotate_left(17);
    assert_eq!(joined(&turned, 0.5, 50), want);
    // Sparse indices in the same order give the same joins.
    let sparse: Vec<_> = pairs
        .iter()
        .map(|&(i, j, p)| (i * 100_000 + 7, j * 100_000 + 7, p))
        .collect();
    let got: Vec<_> = joined(&sparse, 0.5, 50)
        .into_iter()
        .map(|(i, j)| ((i - 7) / 100_000, (j - 7) / 100_000))
        .collect();
    assert_eq!(got, want);
}

#[test]
fn chain_guard_duplicate_pair_counts_at_its_highest() {
    // a–c given twice: at 0.1 only, c stays out; at 0.3 as well, the mean
    // (0.8 + 0.3) / 2 = 0.55 lets it in.
    let low = [(A, B, 0.9), (B, C, 0.8), (A, C, 0.1)];
    assert_eq!(joined(&low, 0.5, 50), vec![(A, B)]);
    let both = [(A, B, 0.9), (C, A, 0.3), (B, C, 0.8), (A, C, 0.1)];
    assert_eq!(joined(&both, 0.5, 50), vec![(A, B), (B, C)]);
    // The stronger of two copies of the joining pair is the one named.
    let twice = [(A, B, 0.7), (B, A, 0.9)];
    assert_eq!(chain_guard_edges(&twice, 0.5, 50).unwrap(), vec![1]);
}

#[test]
fn chain_guard_bad_input_is_option_invalid() {
    let ok = [(A, B, 0.9)];
    let code = |pairs: &[(u32, u32, f64)], t: f64, max: usize| {
        chain_guard_edges(pairs, t, max).unwrap_err().code()
    };
    assert_eq!(code(&ok, 0.0, 50), ErrorCode::OptionInvalid);
    assert_eq!(code(&ok, 1.5, 50), ErrorCode::OptionInvalid);
    assert_eq!(code(&ok, f64::NAN, 50), ErrorCode::OptionInvalid);
    assert_eq!(code(&ok, 0.5, 0), ErrorCode::OptionInvalid);
    assert_eq!(code(&[(A, A, 0.9)], 0.5, 50), ErrorCode::OptionInvalid);
    assert_eq!(code(&[(A, B, f64::NAN)], 0.5, 50), ErrorCode::OptionInvalid);
    assert_eq!(code(&[(A, B, -0.1)], 0.5, 50), ErrorCode::OptionInvalid);
    assert_eq!(code(&[(A, B, 1.01)], 0.5, 50), ErrorCode::OptionInvalid);
    assert_eq!(
        chain_guard_edges(&[], 0.5, 50).unwrap(),
        Vec::<usize>::new()
    );
    assert_eq!(
        chain_guard_edges(&[(u32::MAX, 0, 1.0)], 1.0, 2).unwrap(),
        vec![0]
    );
}
