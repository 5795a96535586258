//! A link job: a partner's committed upload against the directory party's
//! active dataset, with the core [`Linker`] (the project's configuration,
//! trained afresh on the two datasets, so the same inputs give the same
//! links and probabilities, bit for bit).
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

use pseudolink::link::{EncodedRecord, Explanation, LinkConfig, Linker};
use serde_json::json;

/// Both views of a run, serialised once (what is sealed and served).
pub struct Views {
    pub partner: Vec<u8>,
    pub directory: Vec<u8>,
    pub rows: u64,
    pub linked: u64,
}

/// The linker refused the job (its code only).
#[derive(Debug)]
pub struct LinkFailed(pub &'static str);

/// Links `partner` rows against `directory` rows (ids are row numbers).
pub fn link(
    run: &str,
    partner_party: &str,
    config: &LinkConfig,
    partner: &[EncodedRecord],
    directory: &[EncodedRecord],
) -> Result<Views, LinkFailed> {
    let mut linker = Linker::new(config.clone()).map_err(|e| LinkFailed(e.code().as_str()))?;
    let result = linker
        .link(partner, directory, &mut |_, _, _| {})
        .map_err(|e| LinkFailed(e.code().as_str()))?;
    let row = |id: &str| id.parse::<u64>().map_err(|_| LinkFailed("run.internal"));
    let mut mine = Vec::with_capacity(result.links.len());
    let mut theirs = Vec::with_capacity(result.links.len());
    for l in &result.links {
        let (a, b) = (row(&l.a)?, row(&l.b)?);
        mine.push((a, l.probability, l.explanation.clone().map(levels_only)));
        theirs.push((b, l.probability));
    }
    mine.sort_by_key(|m| m.0);
    theirs.sort_by_key(|t| t.0);
    let linked = mine.len() as u64;
    let partner_view = json!({
        "run": run,
        "rows": partner.len(),
        "linked": linked,
        "links": mine.iter().map(|(r, p, e)| json!({"row": r, "probability": p, "explanation": e})).collect::<Vec<_>>(),
    });
    let directory_view = json!({
        "run": run,
        "party": partner_party,
        "rows": linked,
        "links": theirs.iter().map(|(r, p)| json!({"row": r, "probability": p})).collect::<Vec<_>>(),
    });
    Ok(Views {
        partner: serde_json::to_vec(&partner_view).map_err(|_| LinkFailed("run.internal"))?,
        directory: serde_json::to_vec(&directory_view).map_err(|_| LinkFailed("run.internal"))?,
        rows: partner.len() as u64,
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
