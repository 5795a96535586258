//! Attacks by a holder of the key material: (a0) today's partner page with
//! the demo token key, the CLK secret and the directory's encodings, and
//! (a) the new partner, which holds no token key and receives only results
//! about its own rows.

use super::scenario::*;
use pseudolink::link::{EncodedRecord, LinkConfig, Linker};
use pseudolink::{Hardening, Secret, TokenKey};
use std::collections::{HashMap, HashSet};

/// Fields the dictionary attack guesses (the public lists it has).
const GUESSED: [usize; 5] = [FIRST, LAST, DOB, ZIP, CITY];

/// (a0) with the page's token key: the token of every public value of each
/// field, looked up among the directory's field tokens.
pub fn tokens_attack(d: &Dictionaries, directory: &[EncodedRecord]) -> Result<Guesses, String> {
    let secret = Secret::new(DEMO_KEY.to_vec()).map_err(|e| e.to_string())?;
    let key = TokenKey::new(DEMO_KEY_ID, &secret).map_err(|e| e.to_string())?;
    let mut table: HashMap<String, (usize, String)> = HashMap::new();
    for slot in GUESSED {
        for v in d.of(slot) {
            table.insert(key.field_token(FIELDS[slot], &v), (slot, v));
        }
    }
    let mut g = no_guesses(directory.len());
    for (guess, rec) in g.iter_mut().zip(directory) {
        for t in &rec.tokens {
            if let Some((slot, v)) = table.get(t) {
                guess[*slot] = Some(v.clone());
            }
        }
    }
    Ok(g)
}

/// (a0) with the page's CLK secret only (no token key): the per-field CLK of
/// every public value, looked up among the directory's per-field CLKs.
pub fn clks_attack(d: &Dictionaries, directory: &[EncodedRecord]) -> Result<Guesses, String> {
    let maker = ClkMaker::new(DEMO_CLK_SECRET, &Hardening::default())?;
    let mut table: HashMap<(usize, Vec<u8>), String> = HashMap::new();
    for slot in GUESSED {
        for v in d.of(slot) {
            if let Some(c) = maker.feature(slot, &v) {
                table.insert((slot, c), v);
            }
        }
    }
    let mut g = no_guesses(directory.len());
    for (guess, rec) in g.iter_mut().zip(directory) {
        for (name, clk) in &rec.clks {
            let Some(slot) = slot_of(name) else { continue };
            if let Some(v) = table.get(&(slot, clk.clone())) {
                guess[slot] = Some(v.clone());
            }
        }
    }
    Ok(g)
}

/// What the new partner holds about the directory after a run.
#[derive(Debug)]
pub struct PartnerView {
    /// Everything it can infer about customers outside its file.
    pub guesses: Guesses,
    /// Bytes of the run response (rows, probabilities, explanations).
    pub response_bytes: usize,
    /// Directory tokens or CLKs found anywhere in that response.
    pub directory_encodings: usize,
    /// Links returned.
    pub links: usize,
    /// Links to a customer who is not that row's person.
    pub false_links: usize,
}

/// Every string in a JSON value.
fn strings<'a>(v: &'a serde_json::Value, out: &mut Vec<&'a str>) {
    match v {
        serde_json::Value::String(s) => out.push(s),
        serde_json::Value::Array(a) => a.iter().for_each(|x| strings(x, out)),
        serde_json::Value::Object(o) => o.values().for_each(|x| strings(x, out)),
        _ => {}
    }
}

/// (a) the partner's run as the linkage service answers it (contract:
/// `{"run","rows","linked","links":[{"row","probability","explanation"}]}`,
/// the core `Linker`, links at ≥ 0.5, one-to-one). What it can learn about a
/// customer outside its file: through a false link, that some customer
/// agrees with its own row on the fields whose level is `agree` or
/// `dice≥0.95`; it is credited with those values for that customer.
pub fn partner_attack(
    s: &Scenario,
    directory: &[EncodedRecord],
    partner: &[EncodedRecord],
) -> Result<PartnerView, String> {
    let mut linker = Linker::new(LinkConfig::default()).map_err(|e| e.to_string())?;
    let result = linker
        .link(partner, directory, &mut |_, _, _| {})
        .map_err(|e| e.to_string())?;
    let row_of = |id: &str| id.get(1..).and_then(|n| n.parse::<usize>().ok());
    let mut links = Vec::new();
    let mut guesses = no_guesses(directory.len());
    let mut false_links = 0;
    for l in &result.links {
        let (Some(i), Some(j)) = (row_of(&l.a), row_of(&l.b)) else {
            continue;
        };
        links.push(serde_json::json!({
            "row": i, "probability": l.probability, "explanation": l.explanation,
        }));
        if s.partner_truth.get(i).copied().flatten() == Some(j) {
            continue;
        }
        false_links += 1;
        let (Some(own), Some(guess)) = (s.partner_values.get(i), guesses.get_mut(j)) else {
            continue;
        };
        for c in l.explanation.iter().flat_map(|e| &e.contributions) {
            let agrees = c.level == "agree" || c.similarity.is_some_and(|x| x >= 0.95);
            if let (true, Some(slot)) = (agrees, slot_of(&c.comparison)) {
                guess[slot].clone_from(&own[slot]);
            }
        }
    }
    let response = serde_json::json!({
        "run": "r_x", "rows": partner.len(), "linked": links.len(), "links": links,
    });
    let text = response.to_string();
    let mut known: HashSet<String> = HashSet::new();
    for r in directory {
        known.extend(r.tokens.iter().chain(&r.match_keys).cloned());
        known.extend(r.clks.values().map(|c| pseudolink::base64_std(c)));
    }
    let mut found = Vec::new();
    strings(&response, &mut found);
    Ok(PartnerView {
        directory_encodings: found.iter().filter(|x| known.contains(**x)).count(),
        response_bytes: text.len(),
        links: result.links.len(),
        false_links,
        guesses,
    })
}
