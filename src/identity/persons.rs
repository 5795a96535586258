//! Same-person links: the person records in the linker's prepared form,
//! a blocking index that grows with them, and the scored links.
//!
//! Adding records appends them to the prepared dataset and the index; a
//! resolve finds the candidate pairs that touch the new rows only, scores
//! them with the Fellegi–Sunter parameters (trained by EM on the first
//! resolve with enough records, or given; until then the shipped day-one
//! model's), and keeps the pairs at or above the threshold as links.
//! Earlier pairs are not rescored, except when a resolve trains: the first
//! training replaces the day-one model's links with the trained model's,
//! and a retrain (`IdentityGraph::retrain`) fits the model again on every
//! record and scores every candidate pair with it.

use super::config::{GraphConfig, PersonEvidence};
use super::nodes::Nodes;
use crate::error::{Error, ErrorCode, Subject};
use crate::link::comparison::{ComparisonKind, NULL_LEVEL};
use crate::link::encoded::{compare, pattern, prepare, ClkLayout, Dataset, Interner, Prepare};
use crate::link::engine::index::item;
use crate::link::engine::lsh::words_of;
use crate::link::engine::{
    auto_bits, compare_pairs, score_pairs, tile_order, Bands, Buckets, Progress, Rows,
};
use crate::link::explain::{Explanation, Scorer};
use crate::link::model::{fit_model_on, probability, Sample};
use crate::link::prior::prior_params;
use crate::link::tf::TermFrequencies;
use crate::link::{LinkConfig, ModelParams};
use std::collections::HashMap;

/// Person records prepared for linking.
#[derive(Debug, Default)]
pub(crate) struct PersonIndex {
    pub data: Dataset,
    interner: Interner,
    layout: Option<ClkLayout>,
    /// Node of each row.
    pub node_of: Vec<u32>,
    /// Rows already in the blocking index.
    indexed: usize,
    exact: Buckets,
    lsh: Buckets,
    /// Rows the last `index_new` added, while they are exactly the rows a
    /// resolve must link (`None`: walk the index instead).
    fresh: Option<core::ops::Range<usize>>,
    /// The LSH band scheme of each configuration, fixed when the index is
    /// first built.
    bands: Option<Vec<Bands>>,
    tf: TermFrequencies,
    /// Links at or above the threshold, both directions: `(row, probability)`.
    pub adj: Vec<Vec<(u32, f32)>>,
    /// Erased rows.
    pub gone: Vec<bool>,
    /// The day-one model's parameters of the last resolve that used it.
    pub prior: Option<ModelParams>,
}

/// A graph record as the linker's `prepare` reads it: tokens already
/// parsed and interned by the graph, CLKs borrowed (no copy of the record).
pub(crate) struct PersonView<'a> {
    pub record: &'a super::input::GraphRecord,
    pub tokens: &'a [u32],
    pub table: &'a super::nodes::TokenTable,
}

impl Prepare for PersonView<'_> {
    /// The graph names rows by node, never by the linker's id.
    fn id(&self) -> &str {
        ""
    }

    fn keeps_id(&self) -> bool {
        false
    }

    fn tokens(&self, f: &mut dyn FnMut(&str, &str, &[u8; 32])) -> Result<(), Error> {
        for &t in self.tokens {
            let (subject, key_id, tag) = self.table.parts(t);
            f(subject, key_id, tag);
        }
        Ok(())
    }

    fn clk(&self, key: &str) -> Option<&[u8]> {
        self.record.clks.get(key).map(Vec::as_slice)
    }

    /// The graph's token ids: the person index keeps no second token table.
    fn token_ids(&self) -> Option<&[u32]> {
        Some(self.tokens)
    }
}

/// A new same-person link: rows `i < j` and the probability.
pub(crate) type NewLink = (u32, u32, f64);

/// What a resolve of the person index did.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Scored {
    pub candidate_pairs: usize,
    pub links: usize,
    pub trained: bool,
    pub implausible_model: bool,
    /// The day-one model scored (no parameters, too few records to train).
    pub prior: bool,
    /// Every candidate pair was scored again and the links replaced.
    pub rescored: bool,
}

impl PersonIndex {
    /// Rows stored.
    pub fn len(&self) -> usize {
        self.node_of.len()
    }

    /// Rows not erased.
    pub fn live(&self) -> usize {
        self.gone.iter().filter(|&&g| !g).count()
    }

    /// Prepares and appends person records (`nodes[k]` is the node of `records[k]`).
    pub fn append<R: Prepare>(
        &mut self,
        config: &LinkConfig,
        records: &[R],
        nodes: &[u32],
    ) -> Result<(), (usize, Error)> {
        if records.is_empty() {
            return Ok(());
        }
        if self.layout.is_none() {
            let lsh: Vec<Vec<String>> = config
                .blocking
                .lsh
                .iter()
                .map(|l| l.keys().cloned().collect())
                .collect();
            // Only the CLKs comparisons and LSH use are kept (the others
            // would double the graph's memory for nothing it computes).
            let layout = ClkLayout::new(&config.comparisons, &lsh, &[], &[records]);
            self.layout = Some(layout.map_err(|e| (0, e))?);
        }
        let layout = self.layout.as_ref().ok_or((0, layout_error()))?;
        for (k, r) in records.iter().enumerate() {
            // CLKs no comparison or LSH uses are not kept.
            let fits = layout
                .keys
                .iter()
                .enumerate()
                .all(|(c, k)| r.clk(k).is_none_or(|v| layout.widths[c] == v.len()));
            if !fits {
                return Err((k, layout_error()));
            }
        }
        let d = prepare(
            records,
            &config.comparisons,
            &config.blocking.exact_subjects,
            layout,
            &mut self.interner,
        )
        .map_err(|e| (0, e))?;
        if self.node_of.is_empty() {
            self.data = d;
        } else {
            self.data.append(d).map_err(|e| (0, e))?;
        }
        self.node_of.extend_from_slice(nodes);
        self.adj.resize_with(self.node_of.len(), Vec::new);
        self.gone.resize(self.node_of.len(), false);
        Ok(())
    }

    /// The CLKs of a row, by key (for export).
    pub fn clks(&self, row: u32) -> Vec<(String, Vec<u8>)> {
        let Some(layout) = &self.layout else {
            return Vec::new();
        };
        let r = row as usize;
        layout
            .keys
            .iter()
            .enumerate()
            .filter(|&(c, _)| layout.widths[c] > 0 && self.data.clks.is_present(r, c))
            .map(|(c, k)| {
                let bytes = self
                    .data
                    .clks
                    .words(r, c)
                    .iter()
                    .flat_map(|w| w.to_le_bytes())
                    .take(layout.widths[c])
                    .collect();
                (k.clone(), bytes)
            })
            .collect()
    }

    /// Dice of two rows' CLKs of `key`, when both have one.
    pub fn dice_of(&self, key: &str, i: u32, j: u32) -> Option<f64> {
        let col = self.layout.as_ref()?.keys.iter().position(|k| k == key)?;
        self.data
            .clks
            .dice(i as usize, &self.data.clks, j as usize, col)
    }

    /// Marks rows erased and drops them from the index and from links.
    pub fn remove(&mut self, rows: &[u32]) {
        if rows.is_empty() {
            return;
        }
        for &r in rows {
            self.gone[r as usize] = true;
            for (other, _) in std::mem::take(&mut self.adj[r as usize]) {
                self.adj[other as usize].retain(|&(x, _)| x != r);
            }
        }
        self.exact.remove_rows(&self.gone);
        self.lsh.remove_rows(&self.gone);
    }

    fn band_items(&self, rows: core::ops::Range<usize>) -> Vec<u64> {
        let Some(all) = &self.bands else {
            return Vec::new();
        };
        // Sized for every row: this vector becomes the index.
        let per_row: usize = all.iter().map(|b| b.bands).sum();
        let mut out = Vec::with_capacity(rows.len() * per_row);
        for (n, b) in all.iter().enumerate() {
            for i in rows.clone() {
                if self.gone[i] {
                    continue;
                }
                let Some(w) = words_of(&self.data.clks, i, &b.cols) else {
                    continue;
                };
                for band in 0..b.bands {
                    out.push(item(b.key32(n, &w, band), i));
                }
            }
        }
        out
    }

    /// Bits per band of each LSH configuration, once fixed.
    pub fn lsh_bits(&self) -> Option<Vec<usize>> {
        self.bands
            .as_ref()
            .map(|b| b.iter().map(|b| b.bits_per_band).collect())
    }

    /// Fixes the LSH band positions: `bits` as saved, or tuned to the data
    /// present (first build); later rows are hashed the same way.
    /// Returns whether this call fixed them. Until a row has a CLK to tune
    /// on, nothing is fixed.
    fn fix_bands(&mut self, config: &LinkConfig, saved_bits: Option<&[usize]>) -> bool {
        if self.bands.is_some() {
            return false;
        }
        let Some(layout) = &self.layout else {
            return false;
        };
        let n = self.len();
        let mut out = Vec::new();
        let mut saved = saved_bits.unwrap_or(&[]).iter();
        for (c, l) in config.blocking.lsh.iter().enumerate() {
            let cols = layout.lsh_col.get(c).cloned().unwrap_or_default();
            let bits: Vec<usize> = cols
                .iter()
                .map(|&col| layout.widths.get(col).copied().unwrap_or(0) * 8)
                .collect();
            if bits.is_empty() || bits.contains(&0) {
                continue;
            }
            let clks = &self.data.clks;
            if saved_bits.is_none() && !(0..n).any(|i| words_of(clks, i, &cols).is_some()) {
                return false;
            }
            let k = match (saved.next(), l.bits_per_band) {
                (Some(&k), _) => k.clamp(1, 63),
                (None, 0) => auto_bits(&[(clks, 0)], &cols, &bits, l, n, n, false),
                (None, k) => k as usize,
            };
            out.push(Bands::new(l, cols, &bits, k));
        }
        self.bands = Some(out);
        true
    }

    /// Adds the rows appended since the last call to the blocking index
    /// (LSH bands fixed on the first call, from `bits` when restoring).
    pub fn index_new(&mut self, config: &LinkConfig, bits: Option<&[usize]>) {
        let fixed_now = self.fix_bands(config, bits);
        let (from, to) = (self.indexed, self.len());
        self.exact.insert(self.exact_items(from..to));
        // Rows indexed before the bands were fixed get their bands now.
        let bands = self.band_items(if fixed_now { 0 } else { from }..to);
        self.lsh.insert(bands);
        self.fresh = (!fixed_now).then_some(from..to);
        self.indexed = to;
    }

    fn exact_items(&self, rows: core::ops::Range<usize>) -> Vec<u64> {
        let mut out = Vec::with_capacity(self.data.block_keys.values_in(rows.clone()));
        for i in rows {
            if !self.gone[i] {
                for &(_, tok) in self.data.block_keys.of(i) {
                    out.push(item(u64::from(tok), i));
                }
            }
        }
        out
    }

    /// Indexes the rows added since the last call and scores the candidate
    /// pairs touching `dirty` rows. `order` lists the live rows in record-key
    /// order (training draws through it, so input order does not matter).
    /// `retrain`: fit the parameters again even though there are some (with
    /// enough records); every pair is then scored again, by the new fit, or
    /// by the old parameters when EM's fit is refused.
    /// Returns the new links `(i, j, probability)`, `i < j` (every link
    /// when all pairs were scored again).
    pub fn resolve(
        &mut self,
        graph: &mut GraphConfig,
        dirty: &[bool],
        live: usize,
        retrain: bool,
        order: Option<&[u32]>,
        progress: Progress<'_>,
    ) -> Result<(Vec<NewLink>, Scored), Error> {
        let GraphConfig {
            link: config,
            params,
            person_evidence: evidence,
            min_training_records,
            ..
        } = graph;
        let (config, evidence, min_training_records) =
            (&*config, &*evidence, *min_training_records);
        let mut stats = Scored::default();
        self.index_new(config, None);
        // Until there are parameters, pairs are scored by the day-one model
        // (when it covers the comparisons); a resolve that trains scores
        // every pair afresh, so nothing found before is lost.
        let untrained = params.is_none();
        let retrain = retrain && !untrained && live >= min_training_records;
        self.prior = None;
        if untrained && live < min_training_records {
            self.prior = prior_params(&config.comparisons, live, pairs_of(live));
            if self.prior.is_none() {
                return Ok((Vec::new(), stats));
            }
            stats.prior = true;
        }
        let untrained = untrained && !stats.prior;
        let rescore = untrained || retrain;
        let all;
        let dirty = if rescore {
            all = (0..self.len())
                .map(|r| !self.gone[r])
                .collect::<Vec<bool>>();
            &all
        } else {
            dirty
        };
        progress("block", 0, 1);
        let max = config.blocking.max_block_pairs;
        let mut pairs = Vec::new();
        // A resolve that trains scores every row: one walk of the index.
        // The fresh rows' own items are recomputed (cheap) rather than kept.
        let fresh = self.fresh.take().filter(|_| !rescore);
        let fe = fresh.clone().map(|r| self.exact_items(r));
        let fl = fresh.map(|r| self.band_items(r));
        self.exact
            .pairs_touching(dirty, fe.as_deref(), max, &mut pairs);
        self.lsh
            .pairs_touching(dirty, fl.as_deref(), max, &mut pairs);
        pairs.sort_unstable();
        pairs.dedup();
        progress("block", 1, 1);
        stats.candidate_pairs = pairs.len();
        let comparisons = &config.comparisons;
        let n = pairs.len();
        self.refresh_tf(config, live >= min_training_records);
        let rows = Rows {
            comparisons,
            a: &self.data,
            b: &self.data,
            tf: &self.tf,
        };
        let visit = tile_order(&pairs);
        if rescore {
            // Training needs the candidates' pattern counts; scoring below
            // computes each pattern again rather than keeping one per pair.
            let mut histogram: HashMap<u64, u32> = HashMap::new();
            for p in compare_pairs(rows, &pairs, &visit, progress) {
                *histogram.entry(p).or_default() += 1;
            }
            let sample = Sample {
                b: None,
                source: None,
                order,
                one_per_source: config.one_per_source,
            };
            let live = live as f64;
            let (fitted, _, _, plausible) = fit_model_on(
                comparisons,
                &config.em,
                &self.data,
                sample,
                &histogram,
                pairs_of(live as usize),
                progress,
            );
            stats.implausible_model = !plausible;
            if plausible && n > 0 {
                stats.trained = true;
                *params = Some(fitted);
            } else if untrained {
                return Ok((Vec::new(), stats));
            }
            // Links the day-one model or the replaced parameters made are
            // scored again below, by the parameters now in force.
            for a in &mut self.adj {
                a.clear();
            }
            stats.rescored = true;
        }
        let Some(p) = params.as_ref().or(self.prior.as_ref()) else {
            return Ok((Vec::new(), stats));
        };
        let scorer = Scorer::new(comparisons, p, config.tf_minimum_u);
        let mut above = Vec::new();
        let weight = |pat, i, j| scorer.weight(pat, rows.a, i, rows.b, j, rows.tf);
        score_pairs(weight, rows, &pairs, &visit, None, progress, |pair, w| {
            let prob = probability(w);
            if prob >= config.threshold {
                above.push((pair, prob));
            }
        });
        let mut links = Vec::new();
        for (pair, prob) in above {
            let (i, j) = (pair.i(), pair.j());
            if self.has_evidence(config, evidence, i, j) {
                links.push((i, j, prob));
                self.adj[i as usize].push((j, prob as f32));
                self.adj[j as usize].push((i, prob as f32));
            }
        }
        stats.links = links.len();
        Ok((links, stats))
    }

    /// Probability of any pair of rows (the chain guard scores non-links).
    pub fn score(&self, config: &LinkConfig, scorer: &Scorer<'_>, i: u32, j: u32) -> f64 {
        let (i, j) = (i as usize, j as usize);
        let pat = pattern(&config.comparisons, &self.data, i, &self.data, j);
        probability(scorer.weight(pat, &self.data, i, &self.data, j, &self.tf))
    }

    /// The per-comparison waterfall of a pair of rows.
    pub fn explain(
        &self,
        config: &LinkConfig,
        params: &ModelParams,
        i: u32,
        j: u32,
    ) -> Explanation {
        Scorer::new(&config.comparisons, params, config.tf_minimum_u)
            .explain(&self.data, i as usize, &self.data, j as usize, &self.tf)
    }

    /// Forgets which rows are fresh (after a load, the next resolve walks).
    pub fn forget_fresh(&mut self) {
        self.fresh = None;
    }

    /// Restores links read from a document (both directions).
    pub fn restore_link(&mut self, i: u32, j: u32, p: f64) {
        self.adj[i as usize].push((j, p as f32));
        self.adj[j as usize].push((i, p as f32));
    }

    /// Term frequencies of the rows present. A value's frequency among a
    /// few records is noise (an e-mail on 3 of 3 records would cost its
    /// agreement 12 bits), so below `enough` records none are used.
    pub fn refresh_tf(&mut self, config: &LinkConfig, enough: bool) {
        self.tf = if enough {
            TermFrequencies::new(&self.interner, &config.comparisons, &[&self.data])
        } else {
            TermFrequencies::default()
        };
    }

    /// Whether a pair agrees on one of the evidence comparisons (see
    /// [`PersonEvidence`]: what a household shares does not count when the
    /// names clearly differ).
    fn has_evidence(&self, config: &LinkConfig, evidence: &PersonEvidence, i: u32, j: u32) -> bool {
        let (i, j) = (i as usize, j as usize);
        let outcome = |k: usize, c| compare(c, k, &self.data, i, &self.data, j);
        let names_differ = !evidence.household_shared.is_empty()
            && config.comparisons.iter().enumerate().any(|(k, c)| {
                c.name == evidence.distinct_by && c.kind == ComparisonKind::Clk && {
                    let o = outcome(k, c);
                    o.level == 0 && !o.nickname
                }
            });
        config.comparisons.iter().enumerate().any(|(k, c)| {
            if !evidence.comparisons.contains(&c.name)
                || (names_differ && evidence.household_shared.contains(&c.name))
            {
                return false;
            }
            let o = outcome(k, c);
            match c.kind {
                ComparisonKind::Token => o.level == 1,
                ComparisonKind::Clk => {
                    o.level != NULL_LEVEL
                        && (o.nickname || o.similarity.is_some_and(|d| d >= evidence.min_dice))
                }
                ComparisonKind::Group => false,
            }
        })
    }
}

/// Pairs of `n` records.
pub(crate) fn pairs_of(n: usize) -> f64 {
    let n = n as f64;
    n * (n - 1.0) / 2.0
}

fn layout_error() -> Error {
    Error::new(Subject::Record, ErrorCode::IdentityClkLayout)
}

/// The nodes' sort keys, for ordering rows canonically.
pub(crate) fn rows_in_key_order(index: &PersonIndex, nodes: &Nodes) -> Vec<u32> {
    let mut rows: Vec<u32> = (0..index.len() as u32)
        .filter(|&r| !index.gone[r as usize])
        .collect();
    rows.sort_by(|&a, &b| nodes.cmp(index.node_of[a as usize], index.node_of[b as usize]));
    rows
}

#[cfg(test)]
mod tests {
    use crate::identity::{GraphRecord, IdentityGraph};

    fn person(id: &str, email: u8, phone: u8) -> GraphRecord {
        let tok = |s: &str, b: u8| format!("pl1.{s}.k1.{}", crate::base64_url(&[b; 32]));
        GraphRecord::many_from_json(&format!(
            r#"[{{"system":"crm","id":"{id}","tokens":["{}","{}"]}}]"#,
            tok("email", email),
            tok("phone", phone)
        ))
        .unwrap()
        .remove(0)
    }

    #[test]
    fn the_person_index_counts_tokens_by_the_graphs_ids() {
        let mut g = IdentityGraph::new(Default::default()).unwrap();
        g.add_records(&[person("1", 1, 7), person("2", 1, 8), person("3", 2, 7)])
            .unwrap();
        // No tag table of its own: the graph's token ids are the index's.
        assert!(g.persons.interner.tags.tags().is_empty());
        let id = |node: usize, k: usize| g.nodes.list[node].tokens[k] as usize;
        let counts = &g.persons.interner.counts;
        assert_eq!(counts[id(0, 0)], 2, "e-mail 1, two records");
        assert_eq!(counts[id(2, 0)], 1, "e-mail 2, one record");
        assert_eq!(counts[id(0, 1)], 2, "phone 7, two records");
        assert_eq!(id(0, 0), id(1, 0));
    }
}
