//! The day-one model: m and u for the default comparisons, shipped with the
//! crate, so a linker or graph without parameters links from its first
//! records instead of waiting for enough data to train on.
//!
//! `prior.json` is made by `scripts/prior/generate.sh`: synthetic customers
//! from `pseudolink-synth` (US Census surname and SSA given-name frequencies,
//! USPS ZIP codes, the carltonnorthern nickname table; typos, moves, changed
//! e-mails), encoded by the public pipeline (`RecordEncoder`, the default CLK
//! schema), and the default linker's own EM fit on them (u from random
//! pairs, m by EM; no labels). The script checks in CI-style that the file it
//! would write is the one committed (`--check`).
//!
//! λ is not shipped as a number: it depends on how many records a job has.
//! The file holds `matchesPerRecord` (the fit's expected matches per record
//! of the smaller side), and a job of `n` such records over `P` possible pairs
//! gets λ = matchesPerRecord · n / P (at most ½).

use super::comparison::{Comparison, ComparisonKind};
use super::model::{ComparisonParams, LevelParams, ModelParams, PARAMS_VERSION};
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

/// The shipped model, as JSON.
pub const PRIOR_MODEL_JSON: &str = include_str!("prior.json");

/// Which model scored a job.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ModelSource {
    /// The shipped day-one model ([`PriorModel`]): too few records to train.
    #[default]
    Prior,
    /// Parameters fitted by EM on the data (this job or an earlier one).
    Trained,
    /// Parameters the caller gave.
    Given,
}

/// The shipped day-one model (`prior.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PriorModel {
    /// Model version: changes whenever the file is regenerated differently.
    pub version: String,
    /// How the file was made (the command).
    pub generated_by: String,
    /// Expected matches per record (see the module docs).
    pub matches_per_record: f64,
    /// m and u per comparison, as in [`ModelParams`].
    pub comparisons: Vec<ComparisonParams>,
}

impl PriorModel {
    /// The model shipped with this crate; `None` only if the file were broken
    /// (a test checks it is not).
    pub fn shipped() -> Option<&'static PriorModel> {
        static MODEL: OnceLock<Option<PriorModel>> = OnceLock::new();
        MODEL
            .get_or_init(|| serde_json::from_str(PRIOR_MODEL_JSON).ok())
            .as_ref()
    }

    /// Parameters for `comparisons` and a job of `records` records (the
    /// smaller side of a link) over `total_pairs` possible pairs.
    ///
    /// A comparison the model does not know (another name, or other levels)
    /// gets a stand-in ([`PriorModel::stand_in`]): a strong identifier
    /// (`externalId`, `duns`) counts as an e-mail does, anything else counts
    /// for nothing until EM trains. `None` when the model knows none of them.
    pub fn params_for(
        &self,
        comparisons: &[Comparison],
        records: usize,
        total_pairs: f64,
    ) -> Option<ModelParams> {
        let mut out = Vec::with_capacity(comparisons.len());
        let mut known = 0;
        for c in comparisons {
            match self.known(c) {
                Some(p) => {
                    known += 1;
                    out.push(p.clone());
                }
                None => out.push(self.stand_in(c)?),
            }
        }
        if known == 0 {
            return None;
        }
        let prior = if total_pairs >= 1.0 {
            (self.matches_per_record * records as f64 / total_pairs).clamp(1e-12, 0.5)
        } else {
            0.5
        };
        let params = ModelParams {
            version: PARAMS_VERSION,
            prior,
            comparisons: out,
        };
        params.validate().ok().map(|()| params)
    }

    /// The fitted parameters of a comparison with this name and these levels.
    fn known(&self, c: &Comparison) -> Option<&ComparisonParams> {
        self.comparisons.iter().find(|p| {
            p.name == c.name
                && p.levels.len() == c.level_count()
                && p.levels
                    .iter()
                    .enumerate()
                    .all(|(l, lp)| lp.label == c.level_label(l))
        })
    }

    /// Day-one parameters for a comparison the synthetic fit could not make.
    ///
    /// - Exact agreement on a strong identifier (a token comparison of
    ///   `externalId` or `duns`) borrows the fitted e-mail comparison's m and
    ///   u: a shared system key or D-U-N-S number is at least as specific as
    ///   a shared e-mail (it names one customer), and the synthetic data has no
    ///   shared keys to fit it on (each system's ids are its own).
    /// - Any other comparison is neutral (m = u on every level: weight 0),
    ///   so the comparisons the model knows still decide. EM replaces all of
    ///   it once the data can carry a fit.
    pub fn stand_in(&self, c: &Comparison) -> Option<ComparisonParams> {
        let strong =
            c.kind == ComparisonKind::Token && STRONG_IDENTIFIERS.contains(&c.source.as_str());
        if strong {
            let email = self.comparisons.iter().find(|p| p.name == "email")?;
            let mut p = email.clone();
            p.name.clone_from(&c.name);
            return Some(p);
        }
        let k = c.level_count();
        let share = 1.0 / k as f64;
        Some(ComparisonParams {
            name: c.name.clone(),
            levels: (0..k)
                .map(|l| LevelParams {
                    label: c.level_label(l),
                    m: share,
                    u: share,
                })
                .collect(),
        })
    }
}

/// Token subjects that name one customer when two records share them.
const STRONG_IDENTIFIERS: [&str; 2] = ["externalId", "duns"];

/// The shipped model's parameters for a job (see [`PriorModel::params_for`]).
pub(crate) fn prior_params(
    comparisons: &[Comparison],
    records: usize,
    total_pairs: f64,
) -> Option<ModelParams> {
    PriorModel::shipped()?.params_for(comparisons, records, total_pairs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::link::default_comparisons;

    #[test]
    fn the_shipped_model_covers_the_default_comparisons() {
        let m = PriorModel::shipped().expect("prior.json parses");
        let p = m.params_for(&default_comparisons(), 4, 6.0).unwrap();
        assert_eq!(p.comparisons.len(), default_comparisons().len());
        assert!(p.prior > 0.0 && p.prior <= 0.5);
        // Agreement on a strong identifier is strong evidence.
        for name in ["email", "phone"] {
            let c = p.comparisons.iter().find(|c| c.name == name).unwrap();
            assert!((c.levels[1].m / c.levels[1].u).log2() > 8.0, "{c:?}");
        }
        let big = m.params_for(&default_comparisons(), 10_000, 5e7).unwrap();
        assert!(big.prior < p.prior);
    }

    #[test]
    fn comparisons_the_model_does_not_know_get_stand_ins() {
        let m = PriorModel::shipped().expect("prior.json parses");
        let email = m.comparisons.iter().find(|c| c.name == "email").unwrap();
        let mut custom = default_comparisons();
        custom[3].thresholds = vec![0.9, 0.8];
        custom.push(Comparison::token("externalId", true));
        custom.push(Comparison::token("duns", false));
        custom.push(Comparison::token("mk-companySite", false));
        let p = m.params_for(&custom, 4, 6.0).unwrap();
        let by = |name: &str| p.comparisons.iter().find(|c| c.name == name).unwrap();
        // A strong identifier counts as an e-mail does.
        assert_eq!(by("externalId").levels, email.levels);
        assert_eq!(by("duns").levels, email.levels);
        // Other unknown comparisons weigh nothing on any level.
        for name in [custom[3].name.as_str(), "mk-companySite"] {
            let c = by(name);
            assert!(c.levels.iter().all(|l| l.m == l.u), "{c:?}");
        }
        assert_eq!(by(&custom[3].name).levels.len(), 3);
        // Nothing the model knows: no day-one model.
        let only_unknown = vec![Comparison::token("mk-companySite", false)];
        assert!(m.params_for(&only_unknown, 4, 6.0).is_none());
    }
}
