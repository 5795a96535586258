//! (c) An outsider with a stolen copy of the linkage service's store: the
//! real service (`pseudolink-server --linkage`) is spawned on ephemeral
//! ports with a fresh store key, the directory and the partner file are
//! uploaded through its HTTP API as the company and the partner would, and
//! the SQLite database and its WAL are read as bytes, as a thief copying
//! them would have them (no store key).
//!
//! Everything the thief could use is searched for, with the truth as an
//! oracle (an upper bound on any extractor): every token as text, its tag
//! as base64url and as raw bytes, every CLK as base64 and as raw bytes.
//! Blind counts too: `po1.` strings, runs of ≥ 43 base64 symbols. What is
//! found is rebuilt into a store, each encoding put back in its own record
//! and field (again more than a thief would know), and (b)'s attacks run on
//! it.

#[path = "../support/linkage.rs"]
mod linkage;

#[allow(unused_imports)] // the attack bench uses them, tests/attacks.rs does not
pub use linkage::{server_binary, BUILD_HINT};
use linkage::{COMPANY_KEY, PARTNER_KEY};
use pseudolink::link::EncodedRecord;
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

const VERSION: &str = "demo-2026b";

/// What the theft yielded.
#[derive(Debug, Default)]
pub struct Theft {
    /// Bytes of the database and its WAL.
    pub bytes: usize,
    /// Records uploaded (directory, partner).
    pub uploaded: (usize, usize),
    /// `po1.` strings anywhere in the bytes.
    pub po1_strings: usize,
    /// Runs of at least 43 base64 symbols (a token's tag is 43).
    pub base64_runs: usize,
    /// Tokens found in any form (oracle).
    pub tokens: usize,
    /// CLKs found in any form (oracle).
    pub clks: usize,
    /// Encodings searched for.
    pub searched: usize,
    /// The store rebuilt from what was found: directory records first.
    pub store: Vec<EncodedRecord>,
}

/// The service's wire form of a record: `po1` tokens (the bench's keyed
/// stand-ins, re-labelled) and standard base64 CLKs.
fn wire(r: &EncodedRecord) -> Value {
    let po1 = |t: &String| {
        let mut parts = t.split('.');
        let subject = parts.nth(1).unwrap_or("");
        let tag = parts.nth(1).unwrap_or("");
        format!("po1.{subject}.{VERSION}.{tag}")
    };
    let clks: BTreeMap<&String, String> = r
        .clks
        .iter()
        .map(|(k, v)| (k, pseudolink::base64_std(v)))
        .collect();
    json!({
        "tokens": r.tokens.iter().map(po1).collect::<Vec<_>>(),
        "matchKeys": r.match_keys.iter().map(po1).collect::<Vec<_>>(),
        "clks": clks,
    })
}

/// Where each encoding's forms are: needle bytes -> (record, field or
/// token), indexed by their first 8 bytes.
struct Needles {
    by_prefix: HashMap<[u8; 8], Vec<Needle>>,
}

/// A form's bytes, its record and what it is.
type Needle = (Vec<u8>, usize, Found);

#[derive(Clone, Debug)]
enum Found {
    Token(String),
    MatchKey(String),
    Clk(String, Vec<u8>),
}

impl Needles {
    fn new(records: &[EncodedRecord]) -> (Needles, usize) {
        let mut by_prefix: HashMap<[u8; 8], Vec<Needle>> = HashMap::new();
        let mut count = 0;
        let mut add = |bytes: Vec<u8>, i: usize, f: Found| {
            if bytes.len() >= 8 {
                let mut p = [0u8; 8];
                p.copy_from_slice(&bytes[..8]);
                by_prefix.entry(p).or_default().push((bytes, i, f));
            }
        };
        for (i, r) in records.iter().enumerate() {
            let w = wire(r);
            for (list, mk) in [(&w["tokens"], false), (&w["matchKeys"], true)] {
                for t in list
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                {
                    count += 1;
                    let f = if mk {
                        Found::MatchKey(t.to_owned())
                    } else {
                        Found::Token(t.to_owned())
                    };
                    let tag = t.rsplit('.').next().unwrap_or("");
                    add(t.as_bytes().to_vec(), i, f.clone());
                    add(tag.as_bytes().to_vec(), i, f.clone());
                    if let Some(raw) = pseudolink::Token::parse(t).map(|p| p.tag.to_vec()) {
                        add(raw, i, f);
                    }
                }
            }
            for (k, c) in &r.clks {
                count += 1;
                let f = Found::Clk(k.clone(), c.clone());
                add(pseudolink::base64_std(c).into_bytes(), i, f.clone());
                // Raw bytes: only distinctive ones (a short field's CLK can
                // be mostly zero bytes).
                if c.iter().filter(|b| **b != 0).count() >= 16 {
                    let start = c.iter().position(|b| *b != 0).unwrap_or(0);
                    if c.len() - start >= 16 {
                        add(c[start..].to_vec(), i, f);
                    }
                }
            }
        }
        (Needles { by_prefix }, count)
    }

    fn scan(&self, hay: &[u8]) -> Vec<(usize, Found)> {
        let mut out = Vec::new();
        for at in 0..hay.len().saturating_sub(8) {
            let mut p = [0u8; 8];
            p.copy_from_slice(&hay[at..at + 8]);
            if let Some(list) = self.by_prefix.get(&p) {
                for (n, i, f) in list {
                    if hay[at..].starts_with(n) {
                        out.push((*i, f.clone()));
                    }
                }
            }
        }
        out
    }
}

fn blind_counts(hay: &[u8]) -> (usize, usize) {
    let po1 = hay.windows(4).filter(|w| *w == b"po1.").count();
    let b64 = |b: &u8| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'-' | b'_' | b'=');
    let (mut runs, mut len) = (0, 0);
    for b in hay {
        if b64(b) {
            len += 1;
        } else {
            if len >= 43 {
                runs += 1;
            }
            len = 0;
        }
    }
    if len >= 43 {
        runs += 1;
    }
    (po1, runs)
}

/// Spawns the service, uploads both files, steals the db and WAL while it
/// runs, and rebuilds what was found.
pub fn steal(
    bin: &Path,
    directory: &[EncodedRecord],
    partner: &[EncodedRecord],
) -> Result<Theft, String> {
    let dir = std::env::temp_dir().join(format!("pseudolink-attacks-c-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    linkage::setup(&dir, |_| ())?;
    let result = (|| {
        let service = linkage::start(bin, &dir)?;
        let wired = |records: &[EncodedRecord]| records.iter().map(wire).collect::<Vec<_>>();
        service.upload(COMPANY_KEY, &wired(directory), 500)?;
        service.upload(PARTNER_KEY, &wired(partner), 500)?;
        let db = dir.join("store/linkage.sqlite");
        let mut bytes = std::fs::read(&db).map_err(|e| e.to_string())?;
        bytes.extend(std::fs::read(dir.join("store/linkage.sqlite-wal")).unwrap_or_default());
        drop(service);
        Ok::<_, String>(bytes)
    })();
    let _ = std::fs::remove_dir_all(&dir);
    let bytes = result?;
    let all: Vec<EncodedRecord> = directory.iter().chain(partner).cloned().collect();
    let (needles, searched) = Needles::new(&all);
    // The oracle finds what is there: every form in one record's wire text.
    if let Some(first) = all.first() {
        let text = wire(first).to_string();
        let forms = first.tokens.len() + first.match_keys.len() + first.clks.len();
        if needles.scan(text.as_bytes()).len() < forms {
            return Err("the scanner misses encodings in plain text".into());
        }
    }
    let (po1_strings, base64_runs) = blind_counts(&bytes);
    let mut store: Vec<EncodedRecord> = all
        .iter()
        .map(|r| EncodedRecord {
            id: r.id.clone(),
            tokens: Vec::new(),
            match_keys: Vec::new(),
            clks: BTreeMap::new(),
        })
        .collect();
    let (mut tokens, mut clks) = (0, 0);
    for (i, f) in needles.scan(&bytes) {
        let r = &mut store[i];
        match f {
            Found::Token(t) if !r.tokens.contains(&t) => {
                r.tokens.push(t);
                tokens += 1;
            }
            Found::MatchKey(t) if !r.match_keys.contains(&t) => {
                r.match_keys.push(t);
                tokens += 1;
            }
            Found::Clk(k, c) if !r.clks.contains_key(&k) => {
                r.clks.insert(k, c);
                clks += 1;
            }
            _ => {}
        }
    }
    Ok(Theft {
        bytes: bytes.len(),
        uploaded: (directory.len(), partner.len()),
        po1_strings,
        base64_runs,
        tokens,
        clks,
        searched,
        store,
    })
}
