//! The graph's nodes: every source record, stored compactly.
//!
//! A token is kept as its 32-byte tag plus an interned prefix
//! (`pl1.email.k2026`), so 100k records with a dozen tokens each cost a few
//! megabytes, and equal tokens are equal integers. Person CLKs live in the
//! person index (`persons.rs`); other records keep theirs here.

use super::input::{parse_date, GraphRecord, OrgUnit, RecordKind, RecordRef, RelationType};
use crate::encoding::base64_url;
use crate::Token;
use std::collections::{BTreeMap, HashMap};

/// Interned tokens: equal tags are equal ids.
#[derive(Debug, Default)]
pub(crate) struct TokenTable {
    by_tag: HashMap<[u8; 32], u32>,
    /// Per token: (prefix id, tag).
    tokens: Vec<(u32, [u8; 32])>,
    prefixes: Vec<String>,
    prefix_ids: HashMap<String, u32>,
    /// Per prefix: its subject (`email`, `mk-addressName`, `duns`).
    subjects: Vec<String>,
}

impl TokenTable {
    /// Interns a well-formed token (checked by the caller).
    pub fn intern(&mut self, text: &str) -> Option<u32> {
        let t = Token::parse(text)?;
        if let Some(&id) = self.by_tag.get(&t.tag) {
            return Some(id);
        }
        let prefix = format!("{}.{}.{}", t.version, t.subject, t.key_id);
        let p = match self.prefix_ids.get(&prefix) {
            Some(&p) => p,
            None => {
                let p = self.prefixes.len() as u32;
                self.prefix_ids.insert(prefix.clone(), p);
                self.prefixes.push(prefix);
                self.subjects.push(t.subject.to_owned());
                p
            }
        };
        let id = self.tokens.len() as u32;
        self.tokens.push((p, t.tag));
        self.by_tag.insert(t.tag, id);
        Some(id)
    }

    /// The token's subject.
    pub fn subject(&self, id: u32) -> &str {
        &self.subjects[self.tokens[id as usize].0 as usize]
    }

    /// The token's text, exactly as it was given (tokens are canonical).
    pub fn text(&self, id: u32) -> String {
        let (p, tag) = &self.tokens[id as usize];
        format!("{}.{}", self.prefixes[*p as usize], base64_url(tag))
    }
}

/// Whether `subject` matches one of `patterns` (a trailing `*` is a prefix).
pub(crate) fn subject_matches(patterns: &[String], subject: &str) -> bool {
    crate::link::encoded::is_block_subject(patterns, subject)
}

/// One stored record.
#[derive(Debug)]
pub(crate) struct Node {
    pub system: u32,
    pub channel: u32,
    pub id: Box<str>,
    pub kind: RecordKind,
    pub unit: OrgUnit,
    /// Field tokens, then match keys; `tokens_split` separates them.
    pub tokens: Box<[u32]>,
    pub tokens_split: u16,
    /// Relations, targets as refs (they may arrive later).
    pub relations: Box<[(RelationType, RecordRef)]>,
    /// Explicit household key, interned in `Nodes::households`.
    pub household: Option<u32>,
    /// Measures: (interned name, value).
    pub measures: Box<[(u32, f64)]>,
    /// Days since the epoch.
    pub date: Option<i32>,
    /// Row in the person index (persons only).
    pub person_row: Option<u32>,
    /// CLKs of non-person records (persons' are in the person index).
    pub clks: BTreeMap<String, Vec<u8>>,
    /// Erased: kept as a tombstone so indices stay valid.
    pub removed: bool,
}

/// All records, addressable by index and by reference.
#[derive(Debug, Default)]
pub(crate) struct Nodes {
    pub list: Vec<Node>,
    by_key: HashMap<String, u32>,
    pub tokens: TokenTable,
    names: Vec<String>,
    name_ids: HashMap<String, u32>,
    pub households: Vec<String>,
    household_ids: HashMap<String, u32>,
}

impl Nodes {
    fn name(&mut self, s: &str) -> u32 {
        intern(&mut self.names, &mut self.name_ids, s)
    }

    /// The interned name's text (systems, channels, measures).
    pub fn name_of(&self, id: u32) -> &str {
        &self.names[id as usize]
    }

    /// The id of an interned name, if any record used it.
    pub fn name_id(&self, s: &str) -> Option<u32> {
        self.name_ids.get(s).copied()
    }

    /// The node of a reference (erased records included).
    pub fn find(&self, r: &RecordRef) -> Option<u32> {
        self.by_key.get(&r.key()).copied()
    }

    /// Whether a reference is taken.
    pub fn contains_key(&self, key: &str) -> bool {
        self.by_key.contains_key(key)
    }

    /// Stores a validated record; returns its index.
    pub fn push(&mut self, r: &GraphRecord, person_row: Option<u32>) -> u32 {
        let index = self.list.len() as u32;
        self.by_key.insert(r.record_ref().key(), index);
        let mut tokens: Vec<u32> = Vec::with_capacity(r.tokens.len() + r.match_keys.len());
        for t in &r.tokens {
            tokens.extend(self.tokens.intern(t));
        }
        let split = tokens.len() as u16;
        for t in &r.match_keys {
            tokens.extend(self.tokens.intern(t));
        }
        let relations = r
            .relations
            .iter()
            .map(|rel| (rel.kind, r.resolve(&rel.to)))
            .collect();
        let household = r
            .household
            .as_deref()
            .map(|h| intern(&mut self.households, &mut self.household_ids, h));
        let measures = r.measures.iter().map(|(k, &v)| (self.name(k), v)).collect();
        let node = Node {
            system: self.name(&r.system),
            channel: self.name(&r.channel),
            id: r.id.as_str().into(),
            kind: r.kind,
            unit: r.unit.unwrap_or_default(),
            tokens: tokens.into(),
            tokens_split: split,
            relations,
            household,
            measures,
            date: r.date.as_deref().and_then(parse_date),
            person_row,
            clks: if person_row.is_some() {
                BTreeMap::new()
            } else {
                r.clks.clone()
            },
            removed: false,
        };
        self.list.push(node);
        index
    }

    /// A node's reference.
    pub fn record_ref(&self, i: u32) -> RecordRef {
        let n = &self.list[i as usize];
        RecordRef {
            system: self.names[n.system as usize].clone(),
            channel: self.names[n.channel as usize].clone(),
            id: n.id.to_string(),
        }
    }

    /// The ordering key of a node (the order of [`RecordRef`]s).
    pub fn sort_key(&self, i: u32) -> (&str, &str, &str) {
        let n = &self.list[i as usize];
        (
            &self.names[n.system as usize],
            &self.names[n.channel as usize],
            &n.id,
        )
    }

    /// Tokens of a node whose subject matches `patterns`.
    pub fn tokens_matching<'a>(
        &'a self,
        i: u32,
        patterns: &'a [String],
    ) -> impl Iterator<Item = u32> + 'a {
        self.list[i as usize]
            .tokens
            .iter()
            .copied()
            .filter(move |&t| subject_matches(patterns, self.tokens.subject(t)))
    }
}

fn intern(list: &mut Vec<String>, ids: &mut HashMap<String, u32>, s: &str) -> u32 {
    if let Some(&id) = ids.get(s) {
        return id;
    }
    let id = list.len() as u32;
    list.push(s.to_owned());
    ids.insert(s.to_owned(), id);
    id
}
