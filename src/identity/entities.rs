//! Entities and their stable ids: which records each person, household or
//! organisation holds, and what happened to it.
//!
//! **Ids are anchored to a record.** A new entity's id is a hash of its
//! kind and its smallest record reference, so a rebuild of the same records,
//! in any order, gives the same ids. When a part of the graph is resolved
//! again, each new cluster takes over the id of the entity whose anchor
//! record it holds (the largest, if it holds several: the others are merged
//! into it). An entity that was merged away keeps its anchor, so when a
//! later resolve splits the merged entity again, the part holding that
//! anchor gets the old id back. Entities outside the re-resolved part are
//! never touched.

use super::input::RecordRef;
use super::nodes::FastMap;
use super::nodes::Nodes;
use super::views::Handle;
use crate::encoding::hex_lower;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::hash::{BuildHasher, RandomState};

/// What an entity is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum EntityKind {
    /// One person, from linked person records.
    Person,
    /// People living together: same address and family name, or an
    /// explicit household key.
    Household,
    /// A company (legal entity).
    LegalEntity,
    /// A location of a company: bill-to, ship-to, plant, branch.
    Site,
    /// A business unit buying on its own.
    BusinessUnit,
}

impl EntityKind {
    fn prefix(self) -> &'static str {
        match self {
            EntityKind::Person => "per",
            EntityKind::Household => "hh",
            EntityKind::LegalEntity => "org",
            EntityKind::Site => "site",
            EntityKind::BusinessUnit => "bu",
        }
    }

    fn name(self) -> &'static str {
        match self {
            EntityKind::Person => "person",
            EntityKind::Household => "household",
            EntityKind::LegalEntity => "legalEntity",
            EntityKind::Site => "site",
            EntityKind::BusinessUnit => "businessUnit",
        }
    }
}

/// Why something happened to an entity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Reason {
    /// `link` (the linker's probability), `sharedAddress` (address and
    /// family name), `householdKey`, `sharedKey` (D-U-N-S or company key),
    /// `recordRemoved`, `chainGuard` (a re-resolve kept parts apart),
    /// `newRecords`.
    pub rule: String,
    /// The deciding link's probability, for `link`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probability: Option<f64>,
    /// The records the rule joined or dropped.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub records: Vec<RecordRef>,
}

impl Reason {
    /// A reason with a rule only.
    pub fn rule(rule: &str) -> Self {
        Reason {
            rule: rule.into(),
            probability: None,
            records: Vec::new(),
        }
    }
}

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum EventKind {
    /// A new entity.
    Created,
    /// Records joined or left without a merge or split.
    Updated,
    /// `others` were merged into `entity`.
    Merged,
    /// `others` were split off `entity`.
    Split,
    /// `entity` was merged into `others[0]` and is no longer live.
    Retired,
    /// A retired `entity` is live again (a split gave back its anchor).
    Restored,
}

/// One entry of the graph's history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Event {
    /// Order of events over the graph's life (resolves are numbered by
    /// `resolve`; events of one resolve share it).
    pub resolve: u64,
    /// What happened.
    pub kind: EventKind,
    /// The entity it happened to.
    pub entity: String,
    /// The other entities involved.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub others: Vec<String>,
    /// Records that joined the entity.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub added: usize,
    /// Records that left it.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub removed: usize,
    /// Why.
    pub reason: Reason,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// The rules a [`Reason`] names, as the graph stores them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Rule {
    Link,
    SharedAddress,
    HouseholdKey,
    SharedKey,
    RecordRemoved,
    ChainGuard,
    NewRecords,
    Merged,
}

impl Rule {
    const ALL: [Rule; 8] = [
        Rule::Link,
        Rule::SharedAddress,
        Rule::HouseholdKey,
        Rule::SharedKey,
        Rule::RecordRemoved,
        Rule::ChainGuard,
        Rule::NewRecords,
        Rule::Merged,
    ];

    /// The rule's name in [`Reason::rule`].
    pub fn as_str(self) -> &'static str {
        match self {
            Rule::Link => "link",
            Rule::SharedAddress => "sharedAddress",
            Rule::HouseholdKey => "householdKey",
            Rule::SharedKey => "sharedKey",
            Rule::RecordRemoved => "recordRemoved",
            Rule::ChainGuard => "chainGuard",
            Rule::NewRecords => "newRecords",
            Rule::Merged => "merged",
        }
    }

    pub fn parse(s: &str) -> Option<Rule> {
        Rule::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// No record (in [`Why::records`]).
pub(crate) const NO_RECORD: u32 = u32::MAX;

/// A [`Reason`] as the graph stores it: records as nodes ([`NO_RECORD`]
/// where none is named, or the record was erased).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Why {
    pub rule: Rule,
    /// A link's probability (the linker's, kept as `f32`).
    pub probability: Option<f32>,
    pub records: [u32; 2],
}

impl Why {
    /// A reason with a rule only.
    pub fn rule(rule: Rule) -> Self {
        Why {
            rule,
            probability: None,
            records: [NO_RECORD; 2],
        }
    }
}

/// An [`Event`] as the graph stores it: entities as slots of the event's
/// registry, the reason as a [`Why`]. A 100k-record graph has 140k events;
/// with ids and rules as strings and records as references they took
/// 30 MB, as slots and nodes a fifth of that.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Stored {
    pub resolve: u64,
    pub kind: EventKind,
    /// The entity; `others` are slots of its registry.
    pub entity: Handle,
    pub others: Box<[u32]>,
    pub added: u32,
    pub removed: u32,
    pub why: Why,
}

/// One entity, live or retired.
#[derive(Debug, Clone)]
pub(crate) struct Slot {
    pub id: String,
    pub kind: EntityKind,
    /// The record whose reference the id was made from.
    pub anchor: Option<u32>,
    /// Member nodes, sorted.
    pub members: Vec<u32>,
    pub live: bool,
}

/// Entities of one family (persons, households or organisations).
#[derive(Debug, Default)]
pub(crate) struct Registry {
    pub slots: Vec<Slot>,
    /// Live slot of each node (`u32::MAX`: none).
    entity_of: Vec<u32>,
    /// Slots by id: a table of slot numbers that finds each id in its
    /// slot, so no id is stored twice. Ids come from documents too: hashed
    /// with std's keyed hasher, as a `HashMap` would.
    by_id: hashbrown::HashTable<u32>,
    id_hasher: RandomState,
    by_anchor: FastMap<u32, u32>,
}

const NONE: u32 = u32::MAX;

/// The stable id of an entity anchored at `anchor`.
pub(crate) fn entity_id(kind: EntityKind, (system, channel, id): (&str, &str, &str)) -> String {
    let mut h = Sha256::new();
    h.update(b"pseudolink/identity/v1\0");
    h.update(kind.name().as_bytes());
    for part in [system, channel, id] {
        h.update([0u8]);
        h.update(part.as_bytes());
    }
    let digest = h.finalize();
    format!("{}_{}", kind.prefix(), hex_lower(&digest[..8]))
}

impl Registry {
    /// The slot of an entity id, live or retired.
    pub fn find(&self, id: &str) -> Option<u32> {
        let slots = &self.slots;
        self.by_id
            .find(self.id_hasher.hash_one(id), |&s| slots[s as usize].id == id)
            .copied()
    }

    /// Indexes slot `s` by its id (new to the registry).
    fn index_id(&mut self, s: u32) {
        let Self {
            slots,
            by_id,
            id_hasher,
            ..
        } = self;
        let hash = |x: u32| id_hasher.hash_one(slots[x as usize].id.as_str());
        by_id.insert_unique(hash(s), s, |&x| hash(x));
    }

    /// The live slot of a node.
    pub fn of(&self, node: u32) -> Option<u32> {
        match self.entity_of.get(node as usize) {
            Some(&s) if s != NONE => Some(s),
            _ => None,
        }
    }

    /// Live entities.
    pub fn live(&self) -> impl Iterator<Item = &Slot> {
        self.slots.iter().filter(|s| s.live)
    }

    fn set_owner(&mut self, node: u32, slot: u32) {
        let n = node as usize;
        if self.entity_of.len() <= n {
            self.entity_of.resize(n + 1, NONE);
        }
        self.entity_of[n] = slot;
    }

    /// Restores a slot read from a document.
    pub fn restore(&mut self, slot: Slot) {
        let s = self.slots.len() as u32;
        if slot.live {
            for &m in &slot.members {
                self.set_owner(m, s);
            }
        }
        if let Some(a) = slot.anchor {
            if slot.live || !self.by_anchor.contains_key(&a) {
                self.by_anchor.insert(a, s);
            }
        }
        self.slots.push(slot);
        self.index_id(s);
    }

    /// Replaces the entities over `affected` nodes by `clusters` (a
    /// partition of the live nodes of `affected`), keeping ids as the module
    /// docs say. `merge_reason(a, b)` explains why two node sets joined;
    /// `split_reason` why an entity came apart; `handle` names this
    /// registry's slots. Returns the events.
    #[allow(clippy::too_many_arguments)]
    pub fn reassign(
        &mut self,
        nodes: &Nodes,
        affected: &[u32],
        mut clusters: Vec<Vec<u32>>,
        kind_of: &dyn Fn(&[u32]) -> EntityKind,
        merge_reason: &dyn Fn(&[u32], &[u32]) -> Why,
        split_reason: Why,
        handle: fn(u32) -> Handle,
        resolve: u64,
    ) -> Vec<Stored> {
        let mut events = Vec::new();
        // Entities touched, with their members before.
        let prev: BTreeSet<u32> = affected.iter().filter_map(|&n| self.of(n)).collect();
        let before: FastMap<u32, Vec<u32>> = prev
            .iter()
            .map(|&s| (s, self.slots[s as usize].members.clone()))
            .collect();
        // An entity whose anchor was erased re-anchors at its smallest
        // remaining record, so it keeps its id.
        for &s in &prev {
            let slot = &self.slots[s as usize];
            if slot.anchor.is_some_and(|a| nodes.list[a as usize].removed) {
                let next = slot
                    .members
                    .iter()
                    .copied()
                    .filter(|&m| !nodes.list[m as usize].removed)
                    .min_by(|&a, &b| nodes.cmp(a, b));
                if let Some(a) = slot.anchor {
                    self.by_anchor.remove(&a);
                }
                self.slots[s as usize].anchor = next;
                if let Some(n) = next {
                    self.by_anchor.insert(n, s);
                }
            }
        }
        let mut old_owner: FastMap<u32, u32> = FastMap::default();
        old_owner.reserve(affected.len());
        for &n in affected {
            if let Some(e) = self.entity_of.get_mut(n as usize) {
                if *e != NONE {
                    old_owner.insert(n, *e);
                }
                *e = NONE;
            }
        }
        // Each cluster's anchor (smallest reference) first; clusters in node
        // order, which only orders the history (ids do not depend on it).
        for c in &mut clusters {
            if let Some(k) = (0..c.len()).min_by(|&x, &y| nodes.cmp(c[x], c[y])) {
                c.swap(0, k);
            }
        }
        clusters.sort_by_key(|c| c.iter().copied().min());
        // Which cluster each previous entity's members went to.
        let mut cluster_of: FastMap<u32, usize> = FastMap::default();
        cluster_of.reserve(affected.len());
        for (c, members) in clusters.iter().enumerate() {
            for &m in members {
                cluster_of.insert(m, c);
            }
        }
        let slots_before = self.slots.len();
        let mut chosen: Vec<u32> = Vec::with_capacity(clusters.len());
        let mut taken: BTreeSet<u32> = BTreeSet::new();
        for members in &clusters {
            let kind = kind_of(members);
            // Slots anchored in this cluster: live ones first, then by size.
            let mut candidates: Vec<u32> = members
                .iter()
                .filter_map(|m| self.by_anchor.get(m).copied())
                .filter(|s| self.slots[*s as usize].kind == kind && !taken.contains(s))
                .collect();
            candidates.sort_by_key(|&s| {
                let slot = &self.slots[s as usize];
                (
                    !prev.contains(&s),
                    std::cmp::Reverse(before.get(&s).map_or(0, Vec::len)),
                    slot.id.clone(),
                )
            });
            let slot = match candidates.first() {
                Some(&s) => s,
                None => {
                    let anchor = members[0];
                    let mut id = entity_id(kind, nodes.ref_parts(anchor));
                    let mut n = 1;
                    while self.find(&id).is_some() {
                        n += 1;
                        id = format!("{}-{n}", entity_id(kind, nodes.ref_parts(anchor)));
                    }
                    let s = self.slots.len() as u32;
                    crate::link::engine::growth::reserve(&mut self.slots, 1);
                    self.slots.push(Slot {
                        id,
                        kind,
                        anchor: Some(anchor),
                        members: Vec::new(),
                        live: false,
                    });
                    self.index_id(s);
                    self.by_anchor.insert(anchor, s);
                    s
                }
            };
            taken.insert(slot);
            chosen.push(slot);
        }
        // Apply memberships and say what happened to each cluster's entity.
        for (c, members) in clusters.iter().enumerate() {
            let s = chosen[c];
            let continuing = prev.contains(&s);
            let restored = !continuing && (s as usize) < slots_before;
            let mut sorted = members.clone();
            sorted.sort_unstable();
            for &m in &sorted {
                self.set_owner(m, s);
            }
            let slot = &mut self.slots[s as usize];
            slot.members = sorted;
            slot.live = true;
            let in_c = |m: &u32| cluster_of.get(m) == Some(&c);
            let from: Vec<u32> = members
                .iter()
                .filter_map(|m| old_owner.get(m).copied())
                .filter(|&p| p != s)
                .collect::<BTreeSet<u32>>()
                .into_iter()
                .collect();
            let old = before.get(&s);
            let kept = old.map_or(0, |o| o.iter().filter(|m| in_c(m)).count());
            let added = members.len() - kept;
            let removed = old.map_or(0, |o| o.len() - kept);
            let event = |kind, why| Stored {
                resolve,
                kind,
                entity: handle(s),
                others: from.as_slice().into(),
                added: added as u32,
                removed: removed as u32,
                why,
            };
            if restored {
                events.push(event(EventKind::Restored, split_reason));
            } else if !continuing {
                let reason = if !from.is_empty() {
                    split_reason
                } else if members.len() > 1 {
                    // What joined the records of a new entity.
                    merge_reason(&members[..1], &members[1..])
                } else {
                    Why::rule(Rule::NewRecords)
                };
                events.push(event(EventKind::Created, reason));
            } else if !from.is_empty() {
                let joined: Vec<u32> = from
                    .iter()
                    .flat_map(|p| before[p].iter().copied())
                    .filter(in_c)
                    .collect();
                let own: Vec<u32> = members
                    .iter()
                    .copied()
                    .filter(|m| !joined.contains(m))
                    .collect();
                events.push(event(EventKind::Merged, merge_reason(&own, &joined)));
            } else if added > 0 || removed > 0 {
                let reason = if removed > 0 {
                    split_reason
                } else {
                    Why::rule(Rule::NewRecords)
                };
                events.push(event(EventKind::Updated, reason));
            }
        }
        // Splits and retirements of the previous entities.
        for &p in &prev {
            let went: BTreeSet<usize> = before[&p]
                .iter()
                .filter_map(|m| cluster_of.get(m).copied())
                .collect();
            if taken.contains(&p) {
                let others: Box<[u32]> = went
                    .iter()
                    .map(|&c| chosen[c])
                    .filter(|&s| s != p)
                    .collect();
                if !others.is_empty() {
                    events.push(Stored {
                        resolve,
                        kind: EventKind::Split,
                        entity: handle(p),
                        others,
                        added: 0,
                        removed: 0,
                        why: split_reason,
                    });
                }
            } else {
                // Merged into the cluster holding most of its records.
                let mut counts: BTreeMap<usize, usize> = BTreeMap::new();
                for m in &before[&p] {
                    if let Some(&c) = cluster_of.get(m) {
                        *counts.entry(c).or_default() += 1;
                    }
                }
                let into = counts
                    .iter()
                    .max_by_key(|(c, n)| (**n, std::cmp::Reverse(**c)))
                    .map(|(&c, _)| chosen[c]);
                let slot = &mut self.slots[p as usize];
                slot.live = false;
                slot.members.clear();
                events.push(Stored {
                    resolve,
                    kind: EventKind::Retired,
                    entity: handle(p),
                    others: into.into_iter().collect(),
                    added: 0,
                    removed: before[&p].len() as u32,
                    why: Why::rule(if counts.is_empty() {
                        Rule::RecordRemoved
                    } else {
                        Rule::Merged
                    }),
                });
            }
        }
        events
    }
}
