//! [`Linker`]: blocking → comparison → (training) → scoring → solving.
//!
//! A linker without parameters trains on its first job of at least
//! `minTrainingRecords` records (u from random pairs, m and λ by EM over the
//! candidates) and keeps the fitted [`ModelParams`]; later jobs reuse them.
//! Smaller jobs before that are scored by the shipped day-one model
//! ([`PriorModel`](super::PriorModel)), which is not kept. Load saved
//! parameters with [`Linker::with_params`].

use super::blocking::{candidates, estimate_completeness, reduction_ratio, BlockingConfig};
use super::comparison::{self, default_comparisons, BuiltComparison, Comparison, ComparisonOrigin};
use super::encoded::{pattern, prepare, ClkLayout, Dataset, EncodedRecord, Interner};
pub use super::engine::Progress;
use super::engine::{compare_pairs, score_pairs, tile_order, Pair, Rows};
use super::explain::{Explanation, Scorer};
use super::model::{fit_model, probability, EmSettings, ModelParams, Sample};
use super::prior::{prior_params, ModelSource};
use super::solve::{cluster_by, greedy_one_to_one, ClusterRules, Clustering, Scored};
use super::tf::{Corpus, TermFrequencies};
use super::transfer::{RecordView, TransferView};
use crate::error::{Error, ErrorCode, Subject};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Everything a linker needs to know; every part has a default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct LinkConfig {
    /// Comparisons (at most 16), see [`default_comparisons`]. Left at the
    /// default list, a linker adds a comparison for every other token
    /// subject and CLK key both inputs carry
    /// ([`with_data_comparisons`](super::with_data_comparisons)) when it
    /// trains (unless `comparisonsFromData` is off), and
    /// `stats.builtComparisons` lists them.
    pub comparisons: Vec<Comparison>,
    /// With the default `comparisons`: add one for every other token
    /// subject and CLK key both inputs carry (default on).
    pub comparisons_from_data: bool,
    /// Candidate pair generation.
    pub blocking: BlockingConfig,
    /// Probability at or above which a pair is a link (and clusters merge).
    pub threshold: f64,
    /// `link`: at most one link per record (greedy by probability).
    pub one_to_one: bool,
    /// `linkMany`: at most one record of each source per entity.
    pub one_per_source: bool,
    /// Largest cluster `dedupe`/`linkMany` may build.
    pub max_cluster_size: usize,
    /// How `dedupe`/`linkMany` cluster (see [`Clustering`]).
    pub clustering: Clustering,
    /// Lower bound of a term-frequency adjusted u (default 10⁻⁶: the
    /// frequency itself is at least one record in the job, so the bound
    /// matters only beyond a million records).
    pub tf_minimum_u: f64,
    /// Attach an [`Explanation`] to every link.
    pub explain_links: bool,
    /// Training settings.
    pub em: EmSettings,
    /// Fewest records (of all datasets of a job) EM trains on. A job with
    /// fewer and no parameters is scored by the shipped day-one model
    /// ([`PriorModel`](super::PriorModel)) when it covers the comparisons,
    /// without term-frequency adjustment, and nothing is kept: a later,
    /// larger job trains. (The identity graph has its own
    /// `minTrainingRecords`.)
    pub min_training_records: usize,
}

impl Default for LinkConfig {
    fn default() -> Self {
        LinkConfig {
            comparisons: default_comparisons(),
            comparisons_from_data: true,
            blocking: BlockingConfig::default(),
            threshold: 0.5,
            one_to_one: true,
            one_per_source: true,
            max_cluster_size: 50,
            clustering: Clustering::default(),
            tf_minimum_u: 1e-6,
            explain_links: true,
            em: EmSettings::default(),
            min_training_records: 200,
        }
    }
}

impl LinkConfig {
    /// Parses configuration JSON (missing parts take their defaults).
    pub fn from_json(json: &str) -> Result<Self, Error> {
        let c: LinkConfig = serde_json::from_str(json).map_err(|_| bad_config())?;
        c.validate()?;
        Ok(c)
    }

    /// With the default comparisons and parameters fitted for another
    /// default set (an earlier version's, or with comparisons the data
    /// added): the comparisons those parameters name, so both fit.
    pub(crate) fn adopt_comparisons_of(&mut self, params: &ModelParams) {
        if self.comparisons == default_comparisons() && params.fits(&self.comparisons).is_err() {
            if let Some((c, _)) = comparison::for_params(params) {
                self.comparisons = c;
            }
        }
    }

    fn validate(&self) -> Result<(), Error> {
        comparison::validate(&self.comparisons)?;
        let ok = self.threshold > 0.0
            && self.threshold < 1.0
            && self.max_cluster_size >= 2
            && self.tf_minimum_u > 0.0
            && self.tf_minimum_u <= 1.0
            && self.em.max_iterations >= 1
            && self.em.tolerance > 0.0
            && self.em.u_sample_pairs >= 100
            && self.blocking.lsh.iter().all(|l| l.valid())
            && self.blocking.exact_subjects.iter().all(|s| !s.is_empty());
        if ok {
            Ok(())
        } else {
            Err(bad_config())
        }
    }
}

fn bad_config() -> Error {
    Error::new(Subject::Link, ErrorCode::LinkBadConfig)
}

/// A link between record `a` (first dataset) and `b` (second).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Link {
    /// Id of the first record.
    pub a: String,
    /// Id of the second record.
    pub b: String,
    /// Calibrated match probability.
    pub probability: f64,
    /// Total match weight (bits), prior included.
    pub match_weight: f64,
    /// Per-comparison contributions (when `explainLinks`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub explanation: Option<Explanation>,
}

/// Counts of a job.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LinkStats {
    /// Records in the job (all datasets).
    pub records: usize,
    /// Pairs blocking produced.
    pub candidate_pairs: usize,
    /// All possible pairs.
    pub total_pairs: f64,
    /// `1 - candidatePairs/totalPairs`.
    pub reduction_ratio: f64,
    /// Pairs compared (candidates, u sample, pairs scored for the chain guard).
    pub comparisons: usize,
    /// EM iterations (0 when parameters were reused).
    pub em_iterations: u32,
    /// Whether this job trained the parameters.
    pub trained: bool,
    /// EM's fit was refused as not the same-customer class (the data look
    /// like files with no customer in common): every probability is ~0 and
    /// the parameters are not kept.
    #[serde(default)]
    pub implausible_model: bool,
    /// Which model scored: `prior` (the shipped day-one model), `trained`
    /// (EM on the data, this job or an earlier one) or `given`.
    #[serde(default)]
    pub model: ModelSource,
    /// Pairs each blocking pass found (overlapping): the exact tokens
    /// first, then each LSH configuration.
    #[serde(default)]
    pub candidate_pairs_by_pass: Vec<usize>,
    /// Pair completeness estimated without labels: how often the pairs
    /// scoring at or above the threshold that some passes found were missed
    /// by the others (capture–recapture, see `BlockingConfig`); `null` with
    /// one pass or no such pair. Optimistic when the passes miss the same
    /// pairs.
    #[serde(default)]
    pub pair_completeness_estimate: Option<f64>,
    /// The comparisons this job used and why each is there (`default`,
    /// `data`: both inputs carry its token subject or CLK key, `given`).
    #[serde(default)]
    pub built_comparisons: Vec<BuiltComparison>,
}

/// Result of [`Linker::link`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LinkResult {
    /// Accepted links, highest probability first.
    pub links: Vec<Link>,
    /// The parameters used.
    pub params: ModelParams,
    /// Counts.
    pub stats: LinkStats,
}

/// Result of [`Linker::dedupe`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DedupeResult {
    /// Clusters of record ids (singletons included), by first record.
    pub clusters: Vec<Vec<String>>,
    /// Scored pairs at or above the threshold inside a cluster.
    pub links: Vec<Link>,
    /// The parameters used.
    pub params: ModelParams,
    /// Counts.
    pub stats: LinkStats,
}

/// A record of one source, inside an entity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EntityMember {
    /// Index of the source in the call.
    pub source: usize,
    /// The record's id.
    pub id: String,
}

/// Result of [`Linker::link_many`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EntitiesResult {
    /// Entities (singletons included); each lists its records.
    pub entities: Vec<Vec<EntityMember>>,
    /// Scored pairs at or above the threshold inside an entity; `a`/`b` are
    /// `"<source>:<id>"`.
    pub links: Vec<Link>,
    /// The parameters used.
    pub params: ModelParams,
    /// Counts.
    pub stats: LinkStats,
}

/// One dataset as the linker takes it: encoded records, or a buffer in
/// the binary transfer form read in place ([`TransferView`]: no token text
/// is built or parsed). Both give the same links, probabilities and stats.
#[derive(Debug, Clone, Copy)]
pub enum Records<'a> {
    /// Encoded records (the JSON form, parsed).
    Encoded(&'a [EncodedRecord]),
    /// A checked binary transfer buffer.
    Transfer(&'a TransferView<'a>),
}

impl<'a> From<&'a [EncodedRecord]> for Records<'a> {
    fn from(records: &'a [EncodedRecord]) -> Self {
        Records::Encoded(records)
    }
}

impl<'a> From<&'a Vec<EncodedRecord>> for Records<'a> {
    fn from(records: &'a Vec<EncodedRecord>) -> Self {
        Records::Encoded(records)
    }
}

impl<'a> From<&'a TransferView<'a>> for Records<'a> {
    fn from(view: &'a TransferView<'a>) -> Self {
        Records::Transfer(view)
    }
}

/// A dataset of a job, each record readable by `prepare`.
enum Input<'a> {
    Encoded(&'a [EncodedRecord]),
    Views(Vec<RecordView<'a, 'a>>),
}

impl<'a> Input<'a> {
    fn of(records: Records<'a>) -> Self {
        match records {
            Records::Encoded(r) => Input::Encoded(r),
            Records::Transfer(v) => Input::Views(v.views()),
        }
    }

    fn len(&self) -> usize {
        match self {
            Input::Encoded(r) => r.len(),
            Input::Views(v) => v.len(),
        }
    }
}

/// Links, dedupes and explains pseudonymised records.
#[derive(Debug, Clone)]
pub struct Linker {
    config: LinkConfig,
    params: Option<ModelParams>,
    /// Where `params` came from (`Trained` or `Given`).
    origin: ModelSource,
    corpus: Option<Corpus>,
    /// The configuration left the comparisons at their defaults: each
    /// training job adds the data's own (see [`LinkConfig::comparisons`]).
    from_data: bool,
    /// The configuration left the comparisons at their defaults: saved
    /// parameters may bring their own default and data comparisons.
    default_list: bool,
    /// The comparisons in use and why.
    built: Vec<BuiltComparison>,
}

/// A prepared job: one or two datasets and the shared token table.
struct Job {
    a: Dataset,
    b: Option<Dataset>,
    tf: TermFrequencies,
    interner: Interner,
    /// Source of each record of `a` (link_many).
    source: Option<Vec<u32>>,
    /// CLK columns of each LSH configuration.
    lsh_col: Vec<Vec<usize>>,
    /// The day-one model's parameters, when this job is scored by it.
    prior: Option<ModelParams>,
}

/// What clustering a job gives: clusters of record indices and the scored
/// pairs inside them.
struct Clustered {
    clusters: Vec<Vec<u32>>,
    inside: Vec<Scored>,
    stats: LinkStats,
    params: ModelParams,
}

impl Job {
    fn other(&self) -> &Dataset {
        self.b.as_ref().unwrap_or(&self.a)
    }

    fn total_pairs(&self) -> f64 {
        match &self.b {
            Some(b) => self.a.len() as f64 * b.len() as f64,
            None => Job::pairs_within(self.a.len(), self.source.as_deref()),
        }
    }

    /// Pairs of `n` records of one dataset, or of several sources (pairs
    /// within a source left out).
    fn pairs_within(n: usize, source: Option<&[u32]>) -> f64 {
        let n = n as f64;
        match source {
            Some(src) => {
                let mut sizes: HashMap<u32, f64> = HashMap::new();
                for &s in src {
                    *sizes.entry(s).or_default() += 1.0;
                }
                let same: f64 = sizes.values().map(|m| m * (m - 1.0) / 2.0).sum();
                n * (n - 1.0) / 2.0 - same
            }
            None => n * (n - 1.0) / 2.0,
        }
    }
}

impl Linker {
    /// A linker with a validated configuration and no parameters yet.
    pub fn new(config: LinkConfig) -> Result<Self, Error> {
        config.validate()?;
        let default = config.comparisons == default_comparisons();
        let from_data = default && config.comparisons_from_data;
        let origin = if default {
            ComparisonOrigin::Default
        } else {
            ComparisonOrigin::Given
        };
        let built = BuiltComparison::list(&config.comparisons, origin);
        Ok(Linker {
            config,
            params: None,
            origin: ModelSource::Trained,
            corpus: None,
            from_data,
            default_list: default,
            built,
        })
    }

    /// A linker using saved parameters (checked against the comparisons).
    /// With the default comparisons, parameters saved for another default
    /// set (an earlier version's, or one with comparisons the data added)
    /// bring their own comparison list.
    pub fn with_params(mut self, params: ModelParams) -> Result<Self, Error> {
        params.validate()?;
        if self.default_list && params.fits(&self.config.comparisons).is_err() {
            if let Some((c, built)) = comparison::for_params(&params) {
                self.config.comparisons = c;
                self.built = built;
            }
        }
        params.fits(&self.config.comparisons)?;
        self.params = Some(params);
        self.origin = ModelSource::Given;
        Ok(self)
    }

    /// Loads saved parameters in place (checked against the comparisons, as
    /// [`Linker::with_params`]); on an error the linker is unchanged.
    pub fn set_params(&mut self, params: ModelParams) -> Result<(), Error> {
        params.validate()?;
        params.fits(&self.config.comparisons)?;
        self.params = Some(params);
        self.origin = ModelSource::Given;
        Ok(())
    }

    /// The configuration.
    pub fn config(&self) -> &LinkConfig {
        &self.config
    }

    /// The fitted or loaded parameters, if any.
    pub fn params(&self) -> Option<&ModelParams> {
        self.params.as_ref()
    }

    /// Forgets the parameters, so the next job trains again.
    pub fn reset_params(&mut self) {
        self.params = None;
    }

    /// With the default comparisons and no parameters yet: the defaults
    /// plus the data's own comparisons for these inputs.
    fn comparisons_from_data(&mut self, sets: &[Input<'_>]) {
        if !self.from_data || self.params.is_some() {
            return;
        }
        let mut shared = comparison::SharedFields::default();
        for s in sets {
            match s {
                Input::Encoded(r) => shared.add(r),
                Input::Views(v) => shared.add(v),
            }
        }
        let (tokens, clks) = shared.finish();
        let (c, built) = comparison::with_data_comparisons(&default_comparisons(), &tokens, &clks);
        self.config.comparisons = c;
        self.built = built;
    }

    fn lsh_keys(&self) -> Vec<Vec<String>> {
        self.config
            .blocking
            .lsh
            .iter()
            .map(|l| l.keys().cloned().collect())
            .collect()
    }

    fn layout(&self, sets: &[Input<'_>]) -> Result<ClkLayout, Error> {
        let mut layout = ClkLayout::columns(&self.config.comparisons, &self.lsh_keys(), &[]);
        for s in sets {
            match s {
                Input::Encoded(r) => layout.widen(r)?,
                Input::Views(v) => layout.widen(v)?,
            }
        }
        Ok(layout)
    }

    fn prepare_one(
        &self,
        records: &Input<'_>,
        layout: &ClkLayout,
        interner: &mut Interner,
    ) -> Result<Dataset, Error> {
        let (comparisons, blocks) = (
            &self.config.comparisons,
            &self.config.blocking.exact_subjects,
        );
        match records {
            Input::Encoded(r) => prepare(r, comparisons, blocks, layout, interner),
            Input::Views(v) => prepare(v, comparisons, blocks, layout, interner),
        }
    }

    fn job(&self, sets: &[Input<'_>], two: bool, progress: Progress<'_>) -> Result<Job, Error> {
        let total: usize = sets.iter().map(|s| s.len()).sum();
        progress("prepare", 0, total);
        let mut interner = Interner::default();
        let layout = self.layout(sets)?;
        let mut prepared = Vec::with_capacity(sets.len());
        for s in sets {
            prepared.push(self.prepare_one(s, &layout, &mut interner)?);
        }
        progress("prepare", total, total);
        let mut it = prepared.into_iter();
        let mut a = it.next().unwrap_or_default();
        let (b, source) = if two {
            (Some(it.next().unwrap_or_default()), None)
        } else if sets.len() > 1 {
            let mut source: Vec<u32> = vec![0; a.len()];
            for (n, d) in it.enumerate() {
                source.extend(core::iter::repeat_n(n as u32 + 1, d.len()));
                a.append(d)?;
            }
            (None, Some(source))
        } else {
            (None, None)
        };
        if a.len() + b.as_ref().map_or(0, Dataset::len) > i32::MAX as usize {
            return Err(Error::new(Subject::Record, ErrorCode::LinkTooManyRecords));
        }
        // Too few records to train and no parameters: the day-one model,
        // without term frequencies (a value's frequency among a handful of
        // records is noise: an e-mail on 2 of 4 records would cost its
        // agreement most of its weight).
        let n = a.len() + b.as_ref().map_or(0, Dataset::len);
        let prior = if self.params.is_none() && n < self.config.min_training_records {
            let (records, pairs) = match (&b, &source) {
                (Some(b), _) => (a.len().min(b.len()), a.len() as f64 * b.len() as f64),
                _ => (a.len(), 0.0),
            };
            let pairs = if b.is_some() {
                pairs
            } else {
                Job::pairs_within(a.len(), source.as_deref())
            };
            prior_params(&self.config.comparisons, records, pairs)
        } else {
            None
        };
        let datasets: Vec<&Dataset> = std::iter::once(&a).chain(b.as_ref()).collect();
        let tf = if prior.is_some() {
            TermFrequencies::default()
        } else {
            TermFrequencies::new(&interner, &self.config.comparisons, &datasets)
        };
        Ok(Job {
            a,
            b,
            tf,
            interner,
            source,
            lsh_col: layout.lsh_col,
            prior,
        })
    }

    /// Scores every candidate pair of a job, training first if needed.
    fn score(
        &mut self,
        job: &Job,
        progress: Progress<'_>,
    ) -> Result<(Vec<Scored>, LinkStats, ModelParams), Error> {
        let comparisons = &self.config.comparisons;
        let mut found = candidates(
            &self.config.blocking,
            &job.lsh_col,
            &job.a,
            job.b.as_ref(),
            progress,
        );
        if let (Some(src), true) = (&job.source, self.config.one_per_source) {
            found.retain(|p| src[p.rows().0] != src[p.rows().1]);
        }
        let pairs = &found.pairs;
        let (a, b) = (&job.a, job.other());
        let rows = Rows {
            comparisons,
            a,
            b,
            tf: &job.tf,
        };
        let n = pairs.len();
        // One visiting order for comparing and for scoring.
        let order = tile_order(pairs);
        let patterns = compare_pairs(rows, pairs, &order, progress);
        let total_pairs = job.total_pairs();
        let mut stats = LinkStats {
            records: a.len() + job.b.as_ref().map_or(0, Dataset::len),
            candidate_pairs: n,
            total_pairs,
            reduction_ratio: reduction_ratio(n, total_pairs),
            candidate_pairs_by_pass: found.per_pass.clone(),
            comparisons: n,
            built_comparisons: self.built.clone(),
            ..LinkStats::default()
        };
        let params = match (&self.params, &job.prior) {
            (Some(p), _) => {
                stats.model = self.origin;
                p.clone()
            }
            (None, Some(p)) => {
                // The day-one model scores; nothing is kept.
                stats.model = ModelSource::Prior;
                p.clone()
            }
            (None, None) => {
                let (params, sampled, iterations, plausible) =
                    self.train(job, &patterns, total_pairs, progress);
                stats.comparisons += sampled;
                stats.em_iterations = iterations;
                stats.implausible_model = !plausible;
                // A job without candidate pairs has nothing to learn from,
                // and an implausible fit is not a model of matches: their
                // parameters are reported but not kept.
                stats.trained = n > 0 && plausible;
                stats.model = ModelSource::Trained;
                if stats.trained {
                    self.params = Some(params.clone());
                    self.origin = ModelSource::Trained;
                }
                params
            }
        };
        // Later `explain` calls weigh tokens by this job's frequencies.
        self.corpus = Some(job.tf.corpus(&job.interner));
        let scorer = Scorer::new(comparisons, &params, self.config.tf_minimum_u);
        let mut scored = Vec::with_capacity(n);
        let weight = |pat, i, j| scorer.weight(pat, a, i, b, j, &job.tf);
        score_pairs(
            weight,
            rows,
            pairs,
            &order,
            Some(&patterns),
            progress,
            |p, w| {
                scored.push(Scored {
                    i: p.i(),
                    j: p.j(),
                    probability: probability(w),
                    weight: w,
                });
            },
        );
        let likely = scored
            .iter()
            .zip(&found.passes)
            .filter(|(s, _)| s.probability >= self.config.threshold)
            .map(|(_, &m)| m);
        stats.pair_completeness_estimate = estimate_completeness(likely, found.per_pass.len());
        Ok((scored, stats, params))
    }

    /// u from random pairs, then m and λ by EM over the candidates.
    fn train(
        &self,
        job: &Job,
        patterns: &[u64],
        total_pairs: f64,
        progress: Progress<'_>,
    ) -> (ModelParams, usize, u32, bool) {
        let sample = Sample {
            b: job.b.as_ref(),
            source: job.source.as_deref(),
            order: None,
            one_per_source: self.config.one_per_source,
        };
        fit_model(
            &self.config.comparisons,
            &self.config.em,
            &job.a,
            sample,
            patterns,
            total_pairs,
            progress,
        )
    }

    fn make_link(
        &self,
        job: &Job,
        s: &Scored,
        scorer: &Scorer<'_>,
        names: &dyn Fn(bool, u32) -> String,
    ) -> Link {
        let (a, b) = (&job.a, job.other());
        let explanation = self
            .config
            .explain_links
            .then(|| scorer.explain(a, s.i as usize, b, s.j as usize, &job.tf));
        Link {
            a: names(false, s.i),
            b: names(true, s.j),
            probability: s.probability,
            match_weight: explanation.as_ref().map_or(s.weight, |e| e.match_weight),
            explanation,
        }
    }

    /// Links two datasets: pairs at or above the threshold, one-to-one
    /// (greedy by probability) unless `oneToOne` is off.
    pub fn link(
        &mut self,
        a: &[EncodedRecord],
        b: &[EncodedRecord],
        progress: Progress<'_>,
    ) -> Result<LinkResult, Error> {
        self.link_records(Records::Encoded(a), Records::Encoded(b), progress)
    }

    /// [`Linker::link`] on datasets in either form ([`Records`]).
    pub fn link_records(
        &mut self,
        a: Records<'_>,
        b: Records<'_>,
        progress: Progress<'_>,
    ) -> Result<LinkResult, Error> {
        let sets = [Input::of(a), Input::of(b)];
        self.comparisons_from_data(&sets);
        let job = self.job(&sets, true, progress)?;
        let (scored, stats, params) = self.score(&job, progress)?;
        progress("solve", 0, 1);
        let nb = job.other().len();
        let accepted = if self.config.one_to_one {
            greedy_one_to_one(scored, job.a.len(), nb, self.config.threshold)
        } else {
            let mut s: Vec<Scored> = scored
                .into_iter()
                .filter(|s| s.probability >= self.config.threshold)
                .collect();
            s.sort_unstable_by(|x, y| y.probability.total_cmp(&x.probability));
            s
        };
        let names = |second: bool, i: u32| {
            let d = if second { job.other() } else { &job.a };
            d.ids[i as usize].clone()
        };
        // One scorer for every link's explanation (its weights are logarithms).
        let scorer = Scorer::new(&self.config.comparisons, &params, self.config.tf_minimum_u);
        let links = accepted
            .iter()
            .map(|s| self.make_link(&job, s, &scorer, &names))
            .collect();
        progress("solve", 1, 1);
        Ok(LinkResult {
            links,
            params,
            stats,
        })
    }

    fn clusters(&mut self, job: &Job, progress: Progress<'_>) -> Result<Clustered, Error> {
        let (scored, mut stats, params) = self.score(job, progress)?;
        progress("solve", 0, 1);
        let scorer = Scorer::new(&self.config.comparisons, &params, self.config.tf_minimum_u);
        let comparisons = &self.config.comparisons;
        let mut extra = 0usize;
        let mut on_demand = |i: u32, j: u32| {
            extra += 1;
            let (i, j) = (i as usize, j as usize);
            let pat = pattern(comparisons, &job.a, i, &job.a, j);
            probability(scorer.weight(pat, &job.a, i, &job.a, j, &job.tf))
        };
        let rules = ClusterRules {
            threshold: self.config.threshold,
            max_cluster_size: self.config.max_cluster_size,
        };
        let source = job.source.as_deref().filter(|_| self.config.one_per_source);
        let clusters = cluster_by(
            self.config.clustering,
            job.a.len(),
            scored.clone(),
            rules,
            source,
            &mut on_demand,
        );
        stats.comparisons += extra;
        let mut owner = vec![0u32; job.a.len()];
        for (c, members) in clusters.iter().enumerate() {
            for &m in members {
                owner[m as usize] = c as u32;
            }
        }
        let mut inside: Vec<Scored> = scored
            .into_iter()
            .filter(|s| {
                s.probability >= self.config.threshold && owner[s.i as usize] == owner[s.j as usize]
            })
            .collect();
        inside.sort_unstable_by(|x, y| y.probability.total_cmp(&x.probability));
        progress("solve", 1, 1);
        Ok(Clustered {
            clusters,
            inside,
            stats,
            params,
        })
    }

    /// Groups one dataset's records into clusters of the same person.
    pub fn dedupe(
        &mut self,
        records: &[EncodedRecord],
        progress: Progress<'_>,
    ) -> Result<DedupeResult, Error> {
        self.dedupe_records(Records::Encoded(records), progress)
    }

    /// [`Linker::dedupe`] on a dataset in either form ([`Records`]).
    pub fn dedupe_records(
        &mut self,
        records: Records<'_>,
        progress: Progress<'_>,
    ) -> Result<DedupeResult, Error> {
        let sets = [Input::of(records)];
        self.comparisons_from_data(&sets);
        let job = self.job(&sets, false, progress)?;
        let Clustered {
            clusters,
            inside,
            stats,
            params,
        } = self.clusters(&job, progress)?;
        let names = |_: bool, i: u32| job.a.ids[i as usize].clone();
        let scorer = Scorer::new(&self.config.comparisons, &params, self.config.tf_minimum_u);
        let links = inside
            .iter()
            .map(|s| self.make_link(&job, s, &scorer, &names))
            .collect();
        let clusters = clusters
            .into_iter()
            .map(|c| {
                c.into_iter()
                    .map(|i| job.a.ids[i as usize].clone())
                    .collect()
            })
            .collect();
        Ok(DedupeResult {
            clusters,
            links,
            params,
            stats,
        })
    }

    /// Links several sources into one set of entities (at most one record per
    /// source and entity when `onePerSource`).
    pub fn link_many(
        &mut self,
        sources: &[&[EncodedRecord]],
        progress: Progress<'_>,
    ) -> Result<EntitiesResult, Error> {
        let sources: Vec<Records<'_>> = sources.iter().map(|&s| Records::Encoded(s)).collect();
        self.link_many_records(&sources, progress)
    }

    /// [`Linker::link_many`] on datasets in either form ([`Records`]).
    pub fn link_many_records(
        &mut self,
        sources: &[Records<'_>],
        progress: Progress<'_>,
    ) -> Result<EntitiesResult, Error> {
        let sets: Vec<Input<'_>> = sources.iter().map(|&s| Input::of(s)).collect();
        self.comparisons_from_data(&sets);
        let job = self.job(&sets, false, progress)?;
        let Clustered {
            clusters,
            inside,
            stats,
            params,
        } = self.clusters(&job, progress)?;
        let src = |i: u32| job.source.as_ref().map_or(0, |s| s[i as usize] as usize);
        let member = |i: u32| EntityMember {
            source: src(i),
            id: job.a.ids[i as usize].clone(),
        };
        let names = |_: bool, i: u32| format!("{}:{}", src(i), job.a.ids[i as usize]);
        let scorer = Scorer::new(&self.config.comparisons, &params, self.config.tf_minimum_u);
        let links = inside
            .iter()
            .map(|s| self.make_link(&job, s, &scorer, &names))
            .collect();
        let entities = clusters
            .into_iter()
            .map(|c| c.into_iter().map(member).collect())
            .collect();
        Ok(EntitiesResult {
            entities,
            links,
            params,
            stats,
        })
    }

    /// Explains the score of one pair with the current parameters. Term
    /// frequencies are those of the linker's last job (none after
    /// [`Linker::with_params`] alone).
    pub fn explain(&self, a: &EncodedRecord, b: &EncodedRecord) -> Result<Explanation, Error> {
        let params = self
            .params
            .as_ref()
            .ok_or(Error::new(Subject::Link, ErrorCode::LinkNotTrained))?;
        let mut interner = Interner::default();
        let sets = [
            Input::Encoded(core::slice::from_ref(a)),
            Input::Encoded(core::slice::from_ref(b)),
        ];
        let layout = self.layout(&sets)?;
        let da = self.prepare_one(&sets[0], &layout, &mut interner)?;
        let db = self.prepare_one(&sets[1], &layout, &mut interner)?;
        let tf = match &self.corpus {
            Some(c) => TermFrequencies::from_corpus(c, &interner),
            None => TermFrequencies::default(),
        };
        Ok(
            Scorer::new(&self.config.comparisons, params, self.config.tf_minimum_u)
                .explain(&da, 0, &db, 0, &tf),
        )
    }

    /// The candidate pairs blocking finds between two datasets, as record
    /// indices (for measuring pair completeness).
    pub fn candidate_pairs(
        &self,
        a: &[EncodedRecord],
        b: &[EncodedRecord],
    ) -> Result<Vec<(usize, usize)>, Error> {
        let job = self.job(
            &[Input::Encoded(a), Input::Encoded(b)],
            true,
            &mut |_, _, _| {},
        )?;
        let found = candidates(
            &self.config.blocking,
            &job.lsh_col,
            &job.a,
            job.b.as_ref(),
            &mut |_, _, _| {},
        );
        Ok(found.pairs.into_iter().map(Pair::rows).collect())
    }
}
