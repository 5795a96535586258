//! A link job: a partner's committed upload against the directory party's
//! active dataset, with the core [`Linker`] (the project's configuration,
//! trained afresh on the two datasets, so the same inputs give the same
//! links and probabilities, bit for bit), or, for a large run of a project
//! with an `engine`, scored by a Splink job and decided here the
//! `Linker`'s way (`engine.rs`).
//!
//! Each side gets a view about its own rows only:
//!
//! * the partner: `{"run","rows","linked","links":[{"row","probability","explanation"}]}`
//!   with its own row numbers; nothing about directory rows, ids or size;
//! * the directory party: `{"run","party","rows","links":[{"row","probability"}]}`,
//!   which of its own rows the partner matched; no partner values.
//!
//! A partner's explanations carry levels and weights, not the Dice
//! similarities behind them: a similarity is a fine-grained oracle a partner
//! could climb, one probe at a time, towards a customer's recorded street or
//! name; a level is a handful of steps.
//!
//! Residual (written down, not hidden): probabilities and explanations are
//! calibrated with the model's prior λ = expected matches / (partner rows ×
//! directory rows), so a partner can estimate the directory's size from it
//! to within the noise of its own match count; term-frequency adjustments
//! carry how common an agreeing token is in the two datasets together.

use pseudolink::link::{EncodedRecord, Explanation, LinkConfig, Linker, ModelParams};
use serde_json::json;

use super::engine::Engine;
use super::pending::Control;

/// Both views of a run, serialised once (what is sealed and served).
pub struct Views {
    pub partner: Vec<u8>,
    pub directory: Vec<u8>,
    pub rows: u64,
    pub linked: u64,
}

/// The run failed (a code only, never the data).
#[derive(Debug)]
pub enum LinkFailed {
    /// The core linker refused the job.
    Linker(&'static str),
    /// The project's engine did not answer (`engine.*`, see `engine.rs`).
    Engine(&'static str),
}

/// One accepted link: partner row `a`, directory row `b`.
pub struct Decided {
    pub a: u64,
    pub b: u64,
    pub probability: f64,
    pub explanation: Option<Explanation>,
}

/// How a project's runs link: its configuration and, when it has one, the
/// model every run is scored with (else each run trains on its datasets).
#[derive(Clone, Copy)]
pub struct Model<'a> {
    pub config: &'a LinkConfig,
    pub params: Option<&'a ModelParams>,
}

/// Who scored a run.
pub enum Scorer<'e> {
    /// The in-memory core `Linker`.
    Core,
    /// A Splink job (the project's `engine`, for large runs).
    Engine(&'e Engine),
}

/// Links `partner` rows against `directory` rows (ids are row numbers)
/// with `scorer` under `model`; both views are built the same way
/// whichever scored.
/// The run's stage is reported to `control`; an engine job is stopped when
/// `control` is cancelled (the core linker runs to its end, and the caller
/// discards the result).
pub fn link(
    run: &str,
    partner_party: &str,
    model: Model<'_>,
    scorer: Scorer<'_>,
    partner: &[EncodedRecord],
    directory: &[EncodedRecord],
    control: &Control,
) -> Result<Views, LinkFailed> {
    let decided = match scorer {
        Scorer::Core => core_links(model, partner, directory, control)?,
        Scorer::Engine(e) => {
            control.set_stage("engine");
            e.link(model.config, model.params, partner, directory, &|| {
                control.is_cancelled()
            })
            .map_err(|f| LinkFailed::Engine(f.0))?
        }
    };
    views(run, partner_party, partner.len(), decided)
}

fn core_links(
    model: Model<'_>,
    partner: &[EncodedRecord],
    directory: &[EncodedRecord],
    control: &Control,
) -> Result<Vec<Decided>, LinkFailed> {
    let failed = |e: pseudolink::Error| LinkFailed::Linker(e.code().as_str());
    let mut linker = Linker::new(model.config.clone()).map_err(failed)?;
    if let Some(p) = model.params {
        linker.set_params(p.clone()).map_err(failed)?;
    }
    let result = linker
        .link(partner, directory, &mut |stage, _, _| {
            control.set_stage(stage)
        })
        .map_err(failed)?;
    let row = |id: &str| {
        id.parse::<u64>()
            .map_err(|_| LinkFailed::Linker("run.internal"))
    };
    result
        .links
        .into_iter()
        .map(|l| {
            Ok(Decided {
                a: row(&l.a)?,
                b: row(&l.b)?,
                probability: l.probability,
                explanation: l.explanation,
            })
        })
        .collect()
}

fn views(
    run: &str,
    partner_party: &str,
    partner_rows: usize,
    decided: Vec<Decided>,
) -> Result<Views, LinkFailed> {
    let mut mine = Vec::with_capacity(decided.len());
    let mut theirs = Vec::with_capacity(decided.len());
    for d in decided {
        mine.push((d.a, d.probability, d.explanation.map(levels_only)));
        theirs.push((d.b, d.probability));
    }
    mine.sort_by_key(|m| m.0);
    theirs.sort_by_key(|t| t.0);
    let linked = mine.len() as u64;
    let partner_view = json!({
        "run": run,
        "rows": partner_rows,
        "linked": linked,
        "links": mine.iter().map(|(r, p, e)| json!({"row": r, "probability": p, "explanation": e})).collect::<Vec<_>>(),
    });
    let directory_view = json!({
        "run": run,
        "party": partner_party,
        "rows": linked,
        "links": theirs.iter().map(|(r, p)| json!({"row": r, "probability": p})).collect::<Vec<_>>(),
    });
    let internal = |_| LinkFailed::Linker("run.internal");
    Ok(Views {
        partner: serde_json::to_vec(&partner_view).map_err(internal)?,
        directory: serde_json::to_vec(&directory_view).map_err(internal)?,
        rows: partner_rows as u64,
        linked,
    })
}

/// The explanation without its Dice similarities (levels and weights stay,
/// so the waterfall still adds up).
fn levels_only(mut e: Explanation) -> Explanation {
    for c in &mut e.contributions {
        c.similarity = None;
    }
    e
}
