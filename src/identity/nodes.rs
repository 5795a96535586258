//! The graph's nodes: every source record, stored compactly.
//!
//! A token is kept as its 32-byte tag plus an interned prefix
//! (`pl1.email.k2026`), so 100k records with a dozen tokens each cost a few
//! megabytes, and equal tokens are equal integers. Person CLKs live in the
//! person index (`persons.rs`); other records keep theirs here.

use super::input::{parse_date, GraphRecord, OrgUnit, RecordKind, RecordRef, RelationType};
use crate::encoding::base64_url;
use crate::link::tags::TagTable;
use crate::Token;
use std::collections::{BTreeMap, HashMap};
use std::hash::BuildHasher;

/// Interned tokens: equal tags are equal ids.
#[derive(Debug, Default)]
pub(crate) struct TokenTable {
    /// Tags by token id.
    tags: TagTable,
    /// Per token: its prefix id.
    prefix_of: Vec<u32>,
    /// Per prefix: version, subject (`email`, `mk-addressName`, `duns`), key id.
    prefixes: Vec<(String, String, String)>,
    /// Prefix id by `version.subject.keyId` (looked up by a slice of the token).
    prefix_ids: HashMap<String, u32>,
    /// Per prefix: its [`Roles`] bits, decided once when the prefix is seen.
    prefix_roles: Vec<u8>,
    /// Subject patterns of each role bit (a trailing `*` is a prefix).
    pub role_patterns: Vec<Vec<String>>,
}

/// What a token is to the graph, as bits (index into `role_patterns`).
pub(crate) struct Roles;

impl Roles {
    /// A normalised-address key (households).
    pub const ADDRESS: u8 = 1;
    /// The family-name token (households).
    pub const FAMILY_NAME: u8 = 2;
    /// An organisation key (D-U-N-S, company match keys).
    pub const ORGANISATION: u8 = 4;
}

impl TokenTable {
    /// Interns a well-formed token (checked by the caller).
    pub fn intern(&mut self, text: &str) -> Option<u32> {
        let t = Token::parse(text)?;
        if let Some(id) = self.tags.get(&t.tag) {
            return Some(id);
        }
        // The token's text up to its last dot is its prefix: no allocation.
        let prefix = text.rsplit_once('.').map_or(text, |(p, _)| p);
        let p = match self.prefix_ids.get(prefix) {
            Some(&p) => p,
            None => {
                let p = self.prefixes.len() as u32;
                let roles = self
                    .role_patterns
                    .iter()
                    .enumerate()
                    .filter(|(_, pats)| subject_matches(pats, t.subject))
                    .fold(0u8, |r, (bit, _)| r | 1 << bit);
                self.prefix_roles.push(roles);
                self.prefixes
                    .push((t.version.into(), t.subject.into(), t.key_id.into()));
                self.prefix_ids.insert(prefix.to_owned(), p);
                p
            }
        };
        let (id, _) = self.tags.intern(&t.tag);
        crate::link::engine::growth::reserve(&mut self.prefix_of, 1);
        self.prefix_of.push(p);
        Some(id)
    }

    /// A token's subject, key id and tag.
    pub fn parts(&self, id: u32) -> (&str, &str, &[u8; 32]) {
        let (_, subject, key_id) = &self.prefixes[self.prefix_of[id as usize] as usize];
        (subject, key_id, self.tags.tag(id))
    }

    /// Whether the token has any of the `roles` bits.
    #[inline]
    pub fn has_role(&self, id: u32, roles: u8) -> bool {
        self.prefix_roles[self.prefix_of[id as usize] as usize] & roles != 0
    }

    /// The token's text, exactly as it was given (tokens are canonical).
    pub fn text(&self, id: u32) -> String {
        let (v, s, k) = &self.prefixes[self.prefix_of[id as usize] as usize];
        format!("{v}.{s}.{k}.{}", base64_url(self.tags.tag(id)))
    }
}

/// Hashes `u32` node and slot numbers with one multiplication (Fibonacci
/// hashing): they are dense small integers, so SipHash buys nothing.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct U32Hasher(u64);

impl core::hash::Hasher for U32Hasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }

    fn write_u32(&mut self, n: u32) {
        self.0 = (self.0 ^ u64::from(n)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }

    fn write_usize(&mut self, n: usize) {
        self.0 = (self.0 ^ n as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

/// A hash map keyed by node or slot numbers.
pub(crate) type FastMap<K, V> = HashMap<K, V, core::hash::BuildHasherDefault<U32Hasher>>;
/// A hash set of node numbers.
pub(crate) type FastSet<K> =
    std::collections::HashSet<K, core::hash::BuildHasherDefault<U32Hasher>>;

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
    /// CLKs of non-person records (persons' are in the person index);
    /// boxed, as most nodes have none (8 bytes a node, not 24).
    #[allow(clippy::box_collection)]
    pub clks: Option<Box<BTreeMap<String, Vec<u8>>>>,
    /// Erased: kept as a tombstone so indices stay valid.
    pub removed: bool,
}

/// All records, addressable by index and by reference.
#[derive(Debug, Default)]
pub(crate) struct Nodes {
    pub list: Vec<Node>,
    /// Nodes by reference: a table of node numbers that finds each
    /// reference in its node (no key string per record), hashed with std's
    /// keyed hasher as a `HashMap` would.
    by_ref: hashbrown::HashTable<u32>,
    ref_hasher: std::hash::RandomState,
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
        self.find_parts(&r.system, &r.channel, &r.id)
    }

    /// The node of a reference given by its parts.
    pub fn find_parts(&self, system: &str, channel: &str, id: &str) -> Option<u32> {
        let hash = self.ref_hasher.hash_one((system, channel, id));
        self.by_ref
            .find(hash, |&n| self.ref_parts(n) == (system, channel, id))
            .copied()
    }

    /// Interns a record's tokens, then its match keys; `None` when one is
    /// not a well-formed token.
    pub fn intern_tokens(&mut self, r: &GraphRecord) -> Option<(Vec<u32>, u16)> {
        let mut tokens: Vec<u32> = Vec::with_capacity(r.tokens.len() + r.match_keys.len());
        for t in &r.tokens {
            tokens.push(self.tokens.intern(t)?);
        }
        let split = tokens.len() as u16;
        for t in &r.match_keys {
            tokens.push(self.tokens.intern(t)?);
        }
        Some((tokens, split))
    }

    /// Stores a validated record with its interned tokens; returns its index.
    pub fn push(
        &mut self,
        r: &GraphRecord,
        (tokens, split): (Vec<u32>, u16),
        person_row: Option<u32>,
    ) -> u32 {
        let index = self.list.len() as u32;
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
            clks: (person_row.is_none() && !r.clks.is_empty()).then(|| Box::new(r.clks.clone())),
            removed: false,
        };
        // A node is 112 bytes: grow the list by an eighth, not doubling.
        crate::link::engine::growth::reserve(&mut self.list, 1);
        self.list.push(node);
        let Self {
            list,
            names,
            by_ref,
            ref_hasher,
            ..
        } = self;
        let hash = |n: u32| {
            let node = &list[n as usize];
            let (system, channel) = (&names[node.system as usize], &names[node.channel as usize]);
            ref_hasher.hash_one((system.as_str(), channel.as_str(), &*node.id))
        };
        by_ref.insert_unique(hash(index), index, |&n| hash(n));
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

    /// Tokens of a node with one of the `roles` bits.
    pub fn tokens_with(&self, i: u32, roles: u8) -> impl Iterator<Item = u32> + '_ {
        self.list[i as usize]
            .tokens
            .iter()
            .copied()
            .filter(move |&t| self.tokens.has_role(t, roles))
    }

    /// Orders nodes as their references order (system, channel, id),
    /// comparing strings only where the interned parts differ.
    pub fn cmp(&self, a: u32, b: u32) -> core::cmp::Ordering {
        let (x, y) = (&self.list[a as usize], &self.list[b as usize]);
        let name = |i: u32| self.names[i as usize].as_str();
        let sys = if x.system == y.system {
            core::cmp::Ordering::Equal
        } else {
            name(x.system).cmp(name(y.system))
        };
        sys.then_with(|| {
            if x.channel == y.channel {
                core::cmp::Ordering::Equal
            } else {
                name(x.channel).cmp(name(y.channel))
            }
        })
        .then_with(|| x.id.cmp(&y.id))
    }

    /// A node's reference parts, borrowed.
    pub fn ref_parts(&self, i: u32) -> (&str, &str, &str) {
        let n = &self.list[i as usize];
        (
            &self.names[n.system as usize],
            &self.names[n.channel as usize],
            &n.id,
        )
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

#[cfg(test)]
mod tests {
    #[test]
    fn a_node_stays_small() {
        // 100k records hold 100k nodes: every field here costs 100 KB per
        // byte (see BENCHMARKS.md, "Identity graph memory").
        assert!(core::mem::size_of::<super::Node>() <= 112);
    }
}
