//! [`IdentityGraph`]: records in, entities out, incrementally. This file
//! holds the graph and its adding, erasing and reading; `graph/resolve.rs`
//! the resolve (persons), `graph/households.rs` and
//! `graph/organisations.rs` the other entity kinds.

use super::config::GraphConfig;
use super::entities::{EntityKind, Event, Reason, Registry, Rule, Stored, Why, NO_RECORD};
use super::input::{GraphRecord, HierarchyEdge, HierarchyRelation, RecordKind, RecordRef};
use super::nodes::{FastMap, Nodes, Roles};
use super::persons::{PersonIndex, PersonView};
use crate::encoded::EncodedRecord;
use crate::error::{Error, ErrorCode, Subject};
use crate::link::prior::prior_params;
use crate::link::{Explanation, ModelParams, ModelSource};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap, HashSet};

mod households;
mod organisations;
mod resolve;

/// A pseudonymous identity graph: source records as nodes; persons,
/// households and organisations as entities with stable ids; same-person
/// links, household membership, corporate hierarchy and roles as edges.
#[derive(Debug)]
pub struct IdentityGraph {
    pub(crate) config: GraphConfig,
    pub(crate) nodes: Nodes,
    pub(crate) persons: PersonIndex,
    pub(crate) person_reg: Registry,
    pub(crate) household_reg: Registry,
    pub(crate) org_reg: Registry,
    /// Person nodes by address, family-name and household-key tokens.
    pub(crate) household_index: FastMap<u32, Vec<u32>>,
    /// Organisation nodes by identifying token.
    pub(crate) org_index: FastMap<u32, Vec<u32>>,
    /// D-U-N-S edges: child token → (parent token, relation).
    pub(crate) hierarchy: FastMap<u32, Vec<(u32, HierarchyRelation)>>,
    pub(crate) hierarchy_edges: Vec<(u32, u32, HierarchyRelation)>,
    /// The history, compactly ([`IdentityGraph::events`] reads it out).
    pub(crate) events: Vec<Stored>,
    pub(crate) resolves: u64,
    /// Whether `config.params` were fitted by the graph (not given).
    pub(crate) model_trained: bool,
    dirty: Vec<u32>,
    erased: Vec<u32>,
    /// The next resolve fits the model again ([`IdentityGraph::retrain`]).
    retrain: bool,
}

/// What one [`IdentityGraph::resolve`] did.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResolveSummary {
    /// Number of this resolve over the graph's life.
    pub resolve: u64,
    /// Records resolved (added or erased since the last resolve).
    pub records: usize,
    /// Candidate person pairs scored.
    pub candidate_pairs: usize,
    /// New same-person links.
    pub links: usize,
    /// Whether this resolve trained the linking model.
    pub trained: bool,
    /// EM's fit was refused (see `LinkStats::implausibleModel`).
    pub implausible_model: bool,
    /// Which model scored this resolve's pairs: `prior` (the shipped
    /// day-one model, until `minTrainingRecords` person records), `trained`
    /// or `given`; `null` when none could (a custom comparison set the
    /// day-one model does not cover, before training).
    pub model: Option<ModelSource>,
    /// Ids of entities created, changed, merged, split or retired.
    pub changed: Vec<String>,
    /// Events by kind: created, updated, merged, split, retired, restored.
    pub events: HashMap<String, usize>,
    /// Live entities by kind after the resolve.
    pub entities: HashMap<String, usize>,
}

impl IdentityGraph {
    /// An empty graph.
    pub fn new(mut config: GraphConfig) -> Result<Self, Error> {
        config.validate()?;
        // Parameters a default `Linker` fitted may name comparisons the
        // data added: the graph scores with those.
        if let Some(p) = &config.params {
            config.link.adopt_comparisons_of(p);
        }
        let mut nodes = Nodes::default();
        // Bit order is `Roles`: address, family name, organisation.
        nodes.tokens.role_patterns = vec![
            config.household.address_keys.clone(),
            vec![config.household.family_name_token.clone()],
            config.organisation_keys.clone(),
        ];
        Ok(IdentityGraph {
            config,
            nodes,
            persons: PersonIndex::default(),
            person_reg: Registry::default(),
            household_reg: Registry::default(),
            org_reg: Registry::default(),
            household_index: FastMap::default(),
            org_index: FastMap::default(),
            hierarchy: FastMap::default(),
            hierarchy_edges: Vec::new(),
            events: Vec::new(),
            resolves: 0,
            model_trained: false,
            dirty: Vec::new(),
            erased: Vec::new(),
            retrain: false,
        })
    }

    /// The configuration.
    pub fn config(&self) -> &GraphConfig {
        &self.config
    }

    /// The linking parameters (given, or trained by a resolve).
    pub fn params(&self) -> Option<&ModelParams> {
        self.config.params.as_ref()
    }

    /// Records in the graph (erased ones not counted).
    pub fn len(&self) -> usize {
        self.nodes.list.iter().filter(|n| !n.removed).count()
    }

    /// Whether the graph holds no records.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Adds records; they take part in the next [`IdentityGraph::resolve`].
    /// All or nothing: on an error (`Err((index, error))`, the index of the
    /// bad record) nothing is added.
    pub fn add_records(&mut self, records: &[GraphRecord]) -> Result<(), (usize, Error)> {
        let mut seen: HashSet<(&str, &str, &str)> = HashSet::with_capacity(records.len());
        let mut interned = Vec::with_capacity(records.len());
        for (i, r) in records.iter().enumerate() {
            r.validate().map_err(|e| (i, e))?;
            let parts = (r.system.as_str(), r.channel.as_str(), r.id.as_str());
            if self.nodes.find_parts(parts.0, parts.1, parts.2).is_some() || !seen.insert(parts) {
                return Err((
                    i,
                    Error::new(Subject::Record, ErrorCode::IdentityDuplicateRecord),
                ));
            }
            // Interning is the token check: a batch that fails here leaves
            // only unused entries in the token table.
            let tokens = self
                .nodes
                .intern_tokens(r)
                .ok_or((i, Error::new(Subject::Record, ErrorCode::LinkBadToken)))?;
            interned.push(tokens);
        }
        drop(seen);
        // Person records go to the linker's prepared form first: it is the
        // step that can still fail (CLK layout), before any node is stored.
        let first = self.nodes.list.len() as u32;
        let mut views = Vec::new();
        let mut person_nodes = Vec::new();
        for ((next, r), (tokens, _)) in (first..).zip(records).zip(&interned) {
            if r.kind == RecordKind::Person {
                views.push(PersonView {
                    record: r,
                    tokens,
                    table: &self.nodes.tokens,
                });
                person_nodes.push(next);
            }
        }
        let rows_before = self.persons.len() as u32;
        self.persons
            .append(&self.config.link, &views, &person_nodes)
            .map_err(|(k, e)| {
                let node = person_nodes.get(k).copied().unwrap_or(first);
                ((node - first) as usize, e)
            })?;
        drop(views);
        let mut row = rows_before;
        for (r, tokens) in records.iter().zip(interned) {
            let person_row = (r.kind == RecordKind::Person).then(|| {
                row += 1;
                row - 1
            });
            let n = self.nodes.push(r, tokens, person_row);
            self.index_node(n);
            self.dirty.push(n);
        }
        Ok(())
    }

    fn index_node(&mut self, n: u32) {
        let node = &self.nodes.list[n as usize];
        match node.kind {
            RecordKind::Person => {
                let mut keys: Vec<u32> = self.nodes.tokens_with(n, Roles::ADDRESS).collect();
                if let Some(k) = node.household {
                    // Household keys live in their own id space: tag them.
                    keys.push(k | 1 << 31);
                }
                for k in keys {
                    self.household_index.entry(k).or_default().push(n);
                }
            }
            RecordKind::Organisation => {
                let keys: Vec<u32> = self.nodes.tokens_with(n, Roles::ORGANISATION).collect();
                for k in keys {
                    self.org_index.entry(k).or_default().push(n);
                }
            }
            RecordKind::Interaction => {}
        }
    }

    /// Adds corporate family-tree edges between D-U-N-S tokens (duplicates
    /// are ignored). They apply at once: hierarchy is read at query time.
    pub fn add_hierarchy(&mut self, edges: &[HierarchyEdge]) -> Result<(), (usize, Error)> {
        for (i, e) in edges.iter().enumerate() {
            e.validate().map_err(|err| (i, err))?;
        }
        for e in edges {
            let (Some(c), Some(p)) = (
                self.nodes.tokens.intern(&e.child),
                self.nodes.tokens.intern(&e.parent),
            ) else {
                continue;
            };
            let list = self.hierarchy.entry(c).or_default();
            if !list.contains(&(p, e.relation)) {
                list.push((p, e.relation));
                self.hierarchy_edges.push((c, p, e.relation));
            }
        }
        Ok(())
    }

    /// Erases records (a deletion request, a record withdrawn): their
    /// tokens, CLKs and links are dropped at the next resolve, which
    /// re-resolves their entities. Unknown refs are `identity.unknown_record`.
    pub fn remove_records(&mut self, refs: &[RecordRef]) -> Result<(), (usize, Error)> {
        let mut found = Vec::with_capacity(refs.len());
        for (i, r) in refs.iter().enumerate() {
            match self.nodes.find(r) {
                Some(n) if !self.nodes.list[n as usize].removed => found.push(n),
                _ => return Err((i, unknown_record())),
            }
        }
        // An erased record's key leaves the history too.
        let gone: HashSet<u32> = found.iter().copied().collect();
        for e in &mut self.events {
            for r in &mut e.why.records {
                if gone.contains(r) {
                    *r = NO_RECORD;
                }
            }
        }
        for n in found {
            self.nodes.list[n as usize].removed = true;
            self.erased.push(n);
        }
        Ok(())
    }

    /// Live entities by kind.
    pub fn counts(&self) -> HashMap<String, usize> {
        let mut out = HashMap::new();
        for reg in [&self.person_reg, &self.household_reg, &self.org_reg] {
            for s in reg.live() {
                *out.entry(kind_name(s.kind)).or_default() += 1;
            }
        }
        out
    }

    /// `nodes` plus every member of the entities they belong to.
    pub(crate) fn with_members(&self, reg: &Registry, nodes: BTreeSet<u32>) -> Vec<u32> {
        let mut out: Vec<u32> = Vec::with_capacity(nodes.len());
        for n in nodes {
            out.push(n);
            if let Some(s) = reg.of(n) {
                out.extend(reg.slots[s as usize].members.iter().copied());
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    pub(crate) fn live(&self, n: u32) -> bool {
        !self.nodes.list[n as usize].removed
    }

    /// The waterfall of a same-person link between two person records.
    /// Before the graph has parameters, the day-one model's (as the last
    /// resolve scored with).
    pub fn explain(&self, a: &RecordRef, b: &RecordRef) -> Result<Explanation, Error> {
        let params = self
            .scoring_params()
            .ok_or(Error::new(Subject::Link, ErrorCode::LinkNotTrained))?;
        let row = |r: &RecordRef| {
            self.nodes
                .find(r)
                .filter(|&n| self.live(n))
                .and_then(|n| self.nodes.list[n as usize].person_row)
                .ok_or(unknown_record())
        };
        Ok(self
            .persons
            .explain(&self.config.link, &params, row(a)?, row(b)?))
    }

    /// The comparisons with a positive weight in the waterfall of two rows.
    pub(crate) fn agreed(&self, i: u32, j: u32) -> Vec<String> {
        let Some(params) = self.scoring_params() else {
            return Vec::new();
        };
        let mut bars: Vec<_> = self
            .persons
            .explain(&self.config.link, &params, i, j)
            .contributions
            .into_iter()
            .filter(|c| c.match_weight > 0.0)
            .collect();
        bars.sort_by(|x, y| y.match_weight.total_cmp(&x.match_weight));
        bars.into_iter().map(|c| c.comparison).collect()
    }

    /// The parameters that score: given or trained, else the day-one
    /// model's for the graph's size (while it is below `minTrainingRecords`).
    fn scoring_params(&self) -> Option<Cow<'_, ModelParams>> {
        if let Some(p) = &self.config.params {
            return Some(Cow::Borrowed(p));
        }
        if let Some(p) = &self.persons.prior {
            return Some(Cow::Borrowed(p));
        }
        let live = self.persons.live();
        (live < self.config.min_training_records)
            .then(|| {
                prior_params(
                    &self.config.link.comparisons,
                    live,
                    super::persons::pairs_of(live),
                )
            })
            .flatten()
            .map(Cow::Owned)
    }

    /// Records added but not resolved yet.
    pub(crate) fn pending(&self) -> &[u32] {
        &self.dirty
    }

    pub(crate) fn set_pending(&mut self, nodes: Vec<u32>) {
        self.dirty = nodes;
    }

    /// The graph's history, oldest first.
    pub fn events(&self) -> Vec<Event> {
        self.events.iter().map(|e| self.event(e)).collect()
    }

    /// A stored event as the history reads.
    pub(crate) fn event(&self, e: &Stored) -> Event {
        Event {
            resolve: e.resolve,
            kind: e.kind,
            entity: self.handle_id(e.entity).to_owned(),
            others: e
                .others
                .iter()
                .map(|&o| self.handle_id(e.entity.with_slot(o)).to_owned())
                .collect(),
            added: e.added as usize,
            removed: e.removed as usize,
            reason: Reason {
                rule: e.why.rule.as_str().to_owned(),
                probability: e.why.probability.map(f64::from),
                records: e
                    .why
                    .records
                    .iter()
                    .filter(|&&n| n != NO_RECORD)
                    .map(|&n| self.nodes.record_ref(n))
                    .collect(),
            },
        }
    }

    /// An event read from a document, stored; `None` when it names an
    /// entity or record the graph does not hold, or an unknown rule.
    pub(crate) fn stored(&self, e: &Event) -> Option<Stored> {
        let entity = self.handle(&e.entity)?;
        let others = e
            .others
            .iter()
            .map(|o| {
                let h = self.handle(o)?;
                (h.with_slot(entity.slot()) == entity).then_some(h.slot())
            })
            .collect::<Option<Box<[u32]>>>()?;
        let mut records = [NO_RECORD; 2];
        if e.reason.records.len() > records.len() {
            return None;
        }
        for (slot, r) in records.iter_mut().zip(&e.reason.records) {
            *slot = self.nodes.find(r)?;
        }
        Some(Stored {
            resolve: e.resolve,
            kind: e.kind,
            entity,
            others,
            added: u32::try_from(e.added).ok()?,
            removed: u32::try_from(e.removed).ok()?,
            why: Why {
                rule: Rule::parse(&e.reason.rule)?,
                // Written from an `f32`: read back exactly.
                probability: e.reason.probability.map(|p| p as f32),
                records,
            },
        })
    }

    /// The encoded form of a live person record (for linking exports).
    pub(crate) fn encoded_of(&self, n: u32) -> EncodedRecord {
        let node = &self.nodes.list[n as usize];
        let (tokens, keys) = node.tokens.split_at(node.tokens_split as usize);
        EncodedRecord {
            id: node.id.to_string(),
            tokens: tokens.iter().map(|&t| self.nodes.tokens.text(t)).collect(),
            match_keys: keys.iter().map(|&t| self.nodes.tokens.text(t)).collect(),
            clks: match node.person_row {
                Some(r) => self.persons.clks(r).into_iter().collect(),
                None => node.clks.as_deref().cloned().unwrap_or_default(),
            },
        }
    }
}

pub(crate) fn unknown_record() -> Error {
    Error::new(Subject::Record, ErrorCode::IdentityUnknownRecord)
}

pub(crate) fn kind_name(k: EntityKind) -> String {
    serde_json::to_value(k)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}
