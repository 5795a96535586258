//! (b) The linkage service with its whole decrypted store: `po1` tokens it
//! cannot evaluate (no OPRF key) and hardened CLKs it cannot re-encode (no
//! CLK secret). Two attacks, both without any key:
//!
//! 1. frequency alignment: identical encodings (tokens, per-field CLKs)
//!    grouped, groups ranked by size, the i-th group given the i-th most
//!    frequent public value;
//! 2. a bit-pattern attack in the spirit of Christen et al. / Kroll: the most
//!    frequent identical name CLKs anchored to the most frequent public names
//!    by rank; each q-gram's bit positions learned from the anchors (bits set
//!    in every anchor that contains it; a q-gram in one anchor gets what its
//!    anchor's other, already learned q-grams leave unexplained); then every
//!    other CLK decoded by the dictionary value whose predicted filter has
//!    the best Dice with it, accepted above a threshold; confident decodes
//!    become anchors for a second round.
//!
//! Tweak for balanced filters (weight exactly half the length): a balanced
//! filter is `π(f ‖ ¬f)`, so every position has a partner that is its
//! complement in every record; pairing the columns and keeping the sparser
//! one of each pair recovers `f` up to a permutation, which the attack does
//! not need to know.

use super::bits::{self, Bits};
use super::graph::{graph_match, GraphParams, GraphReport};
use super::scenario::*;
use pseudolink::link::EncodedRecord;
use std::collections::{BTreeMap, HashMap};

/// Knobs of the bit-pattern attack.
#[derive(Clone, Copy, Debug)]
pub struct PatternParams {
    /// Anchors taken by frequency rank.
    pub anchors: usize,
    /// Smallest group size an anchor may have.
    pub min_group: usize,
    /// Dice at or above which a decode is accepted.
    pub accept: f64,
    /// Dice at or above which a decode becomes an anchor of the next round.
    pub promote: f64,
    /// Rounds of learning and decoding.
    pub rounds: usize,
}

impl Default for PatternParams {
    fn default() -> Self {
        PatternParams {
            anchors: 25,
            min_group: 2,
            accept: 0.75,
            promote: 0.9,
            rounds: 3,
        }
    }
}

/// What one field's attacks achieved (counted over the whole store).
#[derive(Clone, Debug, Default)]
pub struct FieldReport {
    /// Records with this field's CLK.
    pub present: usize,
    /// Distinct CLKs.
    pub distinct: usize,
    /// Whether the balanced-filter tweak was applied.
    pub unbalanced: bool,
    /// Anchors of the last round.
    pub anchors: usize,
    /// Records the pattern attack decoded (anchors included).
    pub decoded: usize,
    /// The same from the graph attack's anchors.
    pub graph_anchored_decoded: usize,
    /// The graph attack.
    pub graph: GraphReport,
}

/// The store's records and the scenario's: directory rows first (`d<i>`),
/// then the partner's (`p<i>`); only directory rows are scored.
pub struct ServiceAttack {
    /// Guesses per directory customer.
    pub guesses: Guesses,
    /// Each attack's own guesses, in [`ATTACKS`] order.
    pub by_attack: Vec<Guesses>,
    /// Per attacked CLK field.
    pub fields: BTreeMap<&'static str, FieldReport>,
}

/// Groups of identical keys, largest first (ties: first appearance).
pub fn groups<K: std::hash::Hash + Eq + Clone>(keys: &[Option<K>]) -> Vec<(K, Vec<usize>)> {
    let mut map: HashMap<K, usize> = HashMap::new();
    let mut out: Vec<(K, Vec<usize>)> = Vec::new();
    for (i, k) in keys.iter().enumerate() {
        let Some(k) = k else { continue };
        match map.get(k) {
            Some(&g) => out[g].1.push(i),
            None => {
                map.insert(k.clone(), out.len());
                out.push((k.clone(), vec![i]));
            }
        }
    }
    out.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.1[0].cmp(&b.1[0])));
    out
}

/// Attack 1: the i-th largest group of identical encodings is the i-th value
/// of the public list.
pub fn frequency<K: std::hash::Hash + Eq + Clone>(
    keys: &[Option<K>],
    dict: &[String],
) -> Vec<Option<String>> {
    let mut out = vec![None; keys.len()];
    for ((_, members), value) in groups(keys).iter().zip(dict) {
        for i in members {
            out[*i] = Some(value.clone());
        }
    }
    out
}

/// The q-grams the schema hashes for a field (clkhash: bigrams padded with
/// one space each side; positional unigrams for postal code and birth date).
pub fn grams(slot: usize, value: &str) -> Vec<String> {
    let chars: Vec<char> = value.chars().collect();
    let mut out: Vec<String> = if slot == ZIP || slot == DOB {
        chars
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{} {c}", i + 1))
            .collect()
    } else {
        let padded: Vec<char> = std::iter::once(' ')
            .chain(chars)
            .chain(std::iter::once(' '))
            .collect();
        padded.windows(2).map(|w| w.iter().collect()).collect()
    };
    out.sort();
    out.dedup();
    out
}

/// Undoes balancing if every filter has exactly half its bits set: pairs
/// each column with a complementary one and keeps the sparser.
fn unbalance(clks: &mut [Option<Bits>]) -> bool {
    let present: Vec<usize> = (0..clks.len()).filter(|i| clks[*i].is_some()).collect();
    let Some(width) = present
        .first()
        .and_then(|i| clks[*i].as_ref())
        .map(|c| c.len() * 64)
    else {
        return false;
    };
    let balanced = present.iter().all(|i| {
        clks[*i]
            .as_ref()
            .is_some_and(|c| bits::ones(c) as usize * 2 == width)
    });
    if !balanced || present.len() < 16 {
        return false;
    }
    let words = present.len().div_ceil(64);
    let mut columns: Vec<Bits> = vec![vec![0; words]; width];
    for (r, i) in present.iter().enumerate() {
        let Some(c) = clks[*i].as_ref() else { continue };
        for (b, col) in columns.iter_mut().enumerate() {
            if bits::get(c, b) {
                bits::set(col, r);
            }
        }
    }
    let mask = |w: usize| {
        let rest = present.len() - w * 64;
        if rest >= 64 {
            u64::MAX
        } else {
            (1u64 << rest) - 1
        }
    };
    let mut by_column: HashMap<&Bits, Vec<usize>> = HashMap::new();
    for (b, col) in columns.iter().enumerate() {
        by_column.entry(col).or_default().push(b);
    }
    let mut used = vec![false; width];
    let mut keep = Vec::new();
    for b in 0..width {
        if used[b] {
            continue;
        }
        let complement: Bits = columns[b]
            .iter()
            .enumerate()
            .map(|(w, x)| !x & mask(w))
            .collect();
        let partner = by_column
            .get(&complement)
            .and_then(|list| list.iter().copied().find(|p| !used[*p] && *p != b));
        let Some(p) = partner else { continue };
        used[b] = true;
        used[p] = true;
        keep.push(if bits::ones(&columns[b]) <= bits::ones(&columns[p]) {
            b
        } else {
            p
        });
    }
    let out_words = keep.len().div_ceil(64);
    for i in &present {
        let Some(c) = clks[*i].as_ref() else { continue };
        let mut f = vec![0u64; out_words];
        for (k, b) in keep.iter().enumerate() {
            if bits::get(c, *b) {
                bits::set(&mut f, k);
            }
        }
        clks[*i] = Some(f);
    }
    true
}

/// Bit positions per q-gram learned from anchors `(value, filter)`.
fn learn(slot: usize, anchors: &[(String, Bits)]) -> HashMap<String, Bits> {
    let mut containing: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (a, (v, _)) in anchors.iter().enumerate() {
        for g in grams(slot, v) {
            containing.entry(g).or_default().push(a);
        }
    }
    let mut pos: HashMap<String, Bits> = HashMap::new();
    for (g, list) in &containing {
        if list.len() < 2 {
            continue;
        }
        let mut acc = anchors[list[0]].1.clone();
        for a in &list[1..] {
            bits::and_assign(&mut acc, &anchors[*a].1);
        }
        pos.insert(g.clone(), acc);
    }
    // A q-gram seen in one anchor: what the anchor's learned q-grams leave.
    let mut single: HashMap<String, Bits> = HashMap::new();
    for (g, list) in &containing {
        if list.len() != 1 {
            continue;
        }
        let (v, f) = &anchors[list[0]];
        let mut rest = f.clone();
        for h in grams(slot, v) {
            if let Some(p) = pos.get(&h) {
                bits::and_not_assign(&mut rest, p);
            }
        }
        single.insert(g.clone(), rest);
    }
    pos.extend(single);
    pos
}

/// Bits per q-gram of a field in the default schema (the service knows the
/// schema, only not the secret).
fn bits_per_gram(slot: usize) -> f64 {
    match slot {
        FIRST | LAST => 15.0,
        CITY => 8.0,
        _ => 10.0,
    }
}

/// Distinct q-grams a filter of `ones` set bits out of `width` holds, if
/// unhardened: `ones ≈ width·(1 − (1 − 1/width)^(k·q))`, inverted.
fn gram_count(slot: usize, ones: u32, width: usize) -> Option<usize> {
    let (c, l) = (f64::from(ones), width as f64);
    if width == 0 || c >= l {
        return None;
    }
    let q = (1.0 - c / l).ln() / (bits_per_gram(slot) * (1.0 - 1.0 / l).ln());
    q.is_finite().then(|| q.round().max(0.0) as usize)
}

/// Anchors by frequency rank. Tweak: when filters are sparse (not
/// diffused), each filter's weight gives its number of q-grams, and groups
/// are ranked against the names with that many q-grams only.
fn align(
    slot: usize,
    gs: &[(Bits, Vec<usize>)],
    dict: &[(String, f64)],
    p: PatternParams,
) -> Vec<(String, Bits)> {
    let width = gs.first().map_or(0, |(f, _)| f.len() * 64);
    let density = if gs.is_empty() || width == 0 {
        1.0
    } else {
        gs.iter()
            .map(|(f, _)| f64::from(bits::ones(f)))
            .sum::<f64>()
            / (gs.len() * width) as f64
    };
    let big = gs
        .iter()
        .take(p.anchors)
        .take_while(|(_, m)| m.len() >= p.min_group);
    if density > 0.35 {
        return big
            .zip(dict)
            .map(|((f, _), (v, _))| (v.clone(), f.clone()))
            .collect();
    }
    let mut used: HashMap<usize, usize> = HashMap::new();
    let mut out = Vec::new();
    for (f, _) in big {
        let Some(q) = gram_count(slot, bits::ones(f), width) else {
            continue;
        };
        let rank = used.entry(q).or_default();
        let name = dict
            .iter()
            .filter(|(v, _)| grams(slot, v).len() == q)
            .nth(*rank);
        *rank += 1;
        if let Some((v, _)) = name {
            out.push((v.clone(), f.clone()));
        }
    }
    out
}

/// Attack 2 on one field's filters (`clks` by store record).
pub fn pattern(
    slot: usize,
    clks: &[Option<Bits>],
    dict: &[(String, f64)],
    p: PatternParams,
    report: &mut FieldReport,
) -> Vec<Option<String>> {
    let gs = groups(clks);
    let anchors = align(slot, &gs, dict, p);
    pattern_from(slot, clks, &gs, anchors, dict, p, report)
}

/// Attack 2 from given anchors (`gs`: the groups of `clks`).
pub fn pattern_from(
    slot: usize,
    clks: &[Option<Bits>],
    gs: &[(Bits, Vec<usize>)],
    mut anchors: Vec<(String, Bits)>,
    dict: &[(String, f64)],
    p: PatternParams,
    report: &mut FieldReport,
) -> Vec<Option<String>> {
    let mut decoded: Vec<Option<String>> = vec![None; gs.len()];
    for round in 0..p.rounds.max(1) {
        let pos = learn(slot, &anchors);
        let candidates: Vec<(&str, Bits)> = dict
            .iter()
            .filter_map(|(v, _)| {
                let mut f: Option<Bits> = None;
                for g in grams(slot, v) {
                    let q = pos.get(&g)?;
                    match &mut f {
                        Some(acc) => bits::or_assign(acc, q),
                        None => f = Some(q.clone()),
                    }
                }
                Some((v.as_str(), f?))
            })
            .collect();
        let anchored: HashMap<&Bits, &str> = anchors.iter().map(|(v, f)| (f, v.as_str())).collect();
        let mut promoted = Vec::new();
        for (k, (f, _)) in gs.iter().enumerate() {
            if let Some(v) = anchored.get(f) {
                decoded[k] = Some((*v).to_owned());
                continue;
            }
            let best = candidates
                .iter()
                .map(|(v, c)| (bits::dice(c, f), *v))
                .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)));
            decoded[k] = match best {
                Some((d, v)) if d >= p.accept => {
                    if d >= p.promote {
                        promoted.push((v.to_owned(), f.clone()));
                    }
                    Some(v.to_owned())
                }
                _ => None,
            };
        }
        if round + 1 < p.rounds {
            let known: std::collections::HashSet<String> =
                anchors.iter().map(|(v, _)| v.clone()).collect();
            let mut seen = known;
            for (v, f) in promoted {
                if seen.insert(v.clone()) {
                    anchors.push((v, f));
                }
            }
        }
    }
    report.anchors = anchors.len();
    let mut out = vec![None; clks.len()];
    for ((_, members), v) in gs.iter().zip(&decoded) {
        if v.is_some() {
            report.decoded += members.len();
        }
        for i in members {
            out[*i].clone_from(v);
        }
    }
    out
}

/// The attacks, in the order their guesses are merged (first wins).
pub const ATTACKS: [&str; 4] = [
    "graph matching",
    "pattern, graph anchors",
    "pattern, rank anchors",
    "frequency",
];

/// Runs every attack on the store (`directory` records first, then the
/// partner's) and merges them per customer in [`ATTACKS`] order: the first
/// attack with a guess for a field gives it.
pub fn service_attack(
    d: &Dictionaries,
    store: &[EncodedRecord],
    directory_len: usize,
    p: PatternParams,
    g: GraphParams,
) -> ServiceAttack {
    let mut by_attack: Vec<Guesses> = ATTACKS.iter().map(|_| no_guesses(directory_len)).collect();
    let put = |guesses: &mut Guesses, slot: usize, found: &[Option<String>]| {
        for (g, v) in guesses.iter_mut().zip(found) {
            if v.is_some() {
                g[slot].clone_from(v);
            }
        }
    };
    // Frequency alignment of the only token subject with a public list.
    let dob_tokens: Vec<Option<&str>> = store
        .iter()
        .map(|r| {
            r.tokens
                .iter()
                .find(|t| t.split('.').nth(1) == Some("dateOfBirth"))
                .map(String::as_str)
        })
        .collect();
    put(&mut by_attack[3], DOB, &frequency(&dob_tokens, &d.dates));
    let mut fields = BTreeMap::new();
    for slot in [FIRST, LAST, CITY, ZIP, DOB] {
        let name = FIELDS[slot].name();
        let mut clks: Vec<Option<Bits>> = store
            .iter()
            .map(|r| r.clks.get(name).map(|c| bits::from_bytes(c)))
            .collect();
        if slot != DOB {
            put(&mut by_attack[3], slot, &frequency(&clks, &d.of(slot)));
        }
        let mut report = FieldReport {
            present: clks.iter().filter(|c| c.is_some()).count(),
            distinct: groups(&clks).len(),
            unbalanced: unbalance(&mut clks),
            ..FieldReport::default()
        };
        // Only fields whose public list has a frequency profile.
        let ranked: Option<&[(String, f64)]> = match slot {
            FIRST => Some(&d.first),
            LAST => Some(&d.last),
            CITY => Some(&d.cities),
            _ => None,
        };
        if let Some(dict) = ranked {
            let found = pattern(slot, &clks, dict, p, &mut report);
            put(&mut by_attack[2], slot, &found);
            // Graph matching on the distinct filters.
            let gs = groups(&clks);
            let nodes: Vec<(Bits, usize)> = gs.iter().map(|(f, m)| (f.clone(), m.len())).collect();
            let matches = graph_match(slot, &nodes, dict, g, &mut report.graph);
            let mut found = vec![None; clks.len()];
            for ((_, members), m) in gs.iter().zip(&matches) {
                for i in members {
                    found[*i] = m.as_ref().map(|m| m.value.clone());
                }
            }
            put(&mut by_attack[0], slot, &found);
            // Its most confident matches as the pattern attack's anchors.
            let mut confident: Vec<(f64, String, Bits)> = gs
                .iter()
                .zip(&matches)
                .filter(|((_, members), _)| members.len() >= 2)
                .filter_map(|((f, _), m)| {
                    m.as_ref().map(|m| (m.margin, m.value.clone(), f.clone()))
                })
                .collect();
            confident.sort_by(|a, b| b.0.total_cmp(&a.0));
            let anchors = confident
                .into_iter()
                .take(2 * p.anchors)
                .map(|(_, v, f)| (v, f))
                .collect();
            let mut second = FieldReport::default();
            let found = pattern_from(slot, &clks, &gs, anchors, dict, p, &mut second);
            report.graph_anchored_decoded = second.decoded;
            put(&mut by_attack[1], slot, &found);
        }
        fields.insert(name, report);
    }
    let mut guesses = no_guesses(directory_len);
    for (k, guess) in guesses.iter_mut().enumerate() {
        for attack in &by_attack {
            for (slot, v) in guess.iter_mut().enumerate() {
                if v.is_none() {
                    v.clone_from(&attack[k][slot]);
                }
            }
        }
    }
    ServiceAttack {
        guesses,
        by_attack,
        fields,
    }
}
