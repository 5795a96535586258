//! [`IdentityGraph`]: records in, entities out, incrementally.

use super::config::GraphConfig;
use super::entities::{EntityKind, Event, Reason, Registry};
use super::input::{GraphRecord, HierarchyEdge, HierarchyRelation, OrgUnit, RecordKind, RecordRef};
use super::nodes::{FastMap, FastSet, Nodes, Roles};
use super::persons::{rows_in_key_order, PersonIndex, PersonView};
use crate::error::{Error, ErrorCode, Subject};
use crate::link::encoded::EncodedRecord;
use crate::link::explain::Scorer;
use crate::link::prior::prior_params;
use crate::link::solve::{cluster, ClusterRules, Scored};
use crate::link::{Explanation, ModelParams, ModelSource, Progress};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap, HashSet};

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
    pub(crate) events: Vec<Event>,
    pub(crate) resolves: u64,
    /// Whether `config.params` were fitted by the graph (not given).
    pub(crate) model_trained: bool,
    dirty: Vec<u32>,
    erased: Vec<u32>,
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
        let keys: Vec<String> = records.iter().map(GraphRecord::key).collect();
        let mut seen: HashSet<&str> = HashSet::with_capacity(records.len());
        let mut interned = Vec::with_capacity(records.len());
        for (i, (r, key)) in records.iter().zip(&keys).enumerate() {
            r.validate().map_err(|e| (i, e))?;
            if self.nodes.contains_key(key) || !seen.insert(key) {
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
        for ((r, key), tokens) in records.iter().zip(keys).zip(interned) {
            let person_row = (r.kind == RecordKind::Person).then(|| {
                row += 1;
                row - 1
            });
            let n = self.nodes.push(r, key, tokens, person_row);
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
        let gone: HashSet<&RecordRef> = refs.iter().collect();
        for e in &mut self.events {
            e.reason.records.retain(|r| !gone.contains(r));
        }
        for n in found {
            self.nodes.list[n as usize].removed = true;
            self.erased.push(n);
        }
        Ok(())
    }

    /// Resolves what changed since the last resolve: links new person
    /// records (training the model first if needed), then re-resolves only
    /// the persons, households and organisations they touch.
    pub fn resolve(&mut self, progress: Progress<'_>) -> Result<ResolveSummary, Error> {
        self.resolves += 1;
        let resolve = self.resolves;
        let dirty = std::mem::take(&mut self.dirty);
        let erased = std::mem::take(&mut self.erased);
        let mut summary = ResolveSummary {
            resolve,
            records: dirty.len() + erased.len(),
            ..ResolveSummary::default()
        };
        // Persons.
        let erased_rows: Vec<u32> = erased
            .iter()
            .filter_map(|&n| self.nodes.list[n as usize].person_row)
            .collect();
        let had_params = self.config.params.is_some();
        self.persons.remove(&erased_rows);
        let mut dirty_rows = vec![false; self.persons.len()];
        for &n in &dirty {
            if let Some(r) = self.nodes.list[n as usize].person_row {
                dirty_rows[r as usize] = true;
            }
        }
        // Training draws its sample in record-key order, so the model does
        // not depend on input order; with parameters no order is needed.
        let order = self
            .config
            .params
            .is_none()
            .then(|| rows_in_key_order(&self.persons, &self.nodes));
        let live = self.persons.live();
        let (links, stats) = self.persons.resolve(
            &mut self.config,
            &dirty_rows,
            live,
            order.as_deref(),
            progress,
        )?;
        summary.candidate_pairs = stats.candidate_pairs;
        summary.links = stats.links;
        summary.trained = stats.trained;
        summary.implausible_model = stats.implausible_model;
        self.model_trained |= stats.trained;
        summary.model = match (&self.config.params, stats.prior) {
            (Some(_), _) if self.model_trained => Some(ModelSource::Trained),
            (Some(_), _) => Some(ModelSource::Given),
            (None, true) => Some(ModelSource::Prior),
            (None, false) => None,
        };
        progress("entities", 0, 3);
        let mut affected: BTreeSet<u32> = BTreeSet::new();
        if !had_params && self.config.params.is_some() {
            // Just trained: every person is resolved afresh.
            affected.extend(
                self.nodes
                    .list
                    .iter()
                    .enumerate()
                    .filter(|(_, n)| n.kind == RecordKind::Person)
                    .map(|(i, _)| i as u32),
            );
        }
        for &n in dirty.iter().chain(&erased) {
            if self.nodes.list[n as usize].kind == RecordKind::Person {
                affected.insert(n);
            }
        }
        for &(i, j, _) in &links {
            affected.insert(self.persons.node_of[i as usize]);
            affected.insert(self.persons.node_of[j as usize]);
        }
        let affected = self.with_members(&self.person_reg, affected);
        let person_events = self.resolve_persons(&affected, resolve);
        // Households: every person entity touched, and whoever shares an
        // address or household key with them.
        progress("entities", 1, 3);
        let household_events = self.resolve_households(&affected, resolve);
        // Organisations.
        progress("entities", 2, 3);
        let orgs: BTreeSet<u32> = dirty
            .iter()
            .chain(&erased)
            .copied()
            .filter(|&n| self.nodes.list[n as usize].kind == RecordKind::Organisation)
            .collect();
        let org_events = self.resolve_organisations(orgs, resolve);
        progress("entities", 3, 3);
        let mut changed = BTreeSet::new();
        for e in person_events
            .iter()
            .chain(&household_events)
            .chain(&org_events)
        {
            changed.insert(e.entity.clone());
            changed.extend(e.others.iter().cloned());
            let kind = serde_json::to_value(e.kind)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            *summary.events.entry(kind).or_default() += 1;
        }
        summary.changed = changed.into_iter().collect();
        self.events.extend(person_events);
        self.events.extend(household_events);
        self.events.extend(org_events);
        summary.entities = self.counts();
        Ok(summary)
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
    fn with_members(&self, reg: &Registry, nodes: BTreeSet<u32>) -> Vec<u32> {
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

    fn live(&self, n: u32) -> bool {
        !self.nodes.list[n as usize].removed
    }

    fn resolve_persons(&mut self, affected: &[u32], resolve: u64) -> Vec<Event> {
        let live: Vec<u32> = affected.iter().copied().filter(|&n| self.live(n)).collect();
        let mut sorted = live.clone();
        sorted.sort_by(|&a, &b| self.nodes.cmp(a, b));
        let local: FastMap<u32, u32> = sorted
            .iter()
            .enumerate()
            .map(|(i, &n)| (n, i as u32))
            .collect();
        let row_of = |n: u32| self.nodes.list[n as usize].person_row.unwrap_or(0);
        let mut pairs = Vec::new();
        for (i, &n) in sorted.iter().enumerate() {
            for &(other, p) in &self.persons.adj[row_of(n) as usize] {
                let m = self.persons.node_of[other as usize];
                if let Some(&j) = local.get(&m) {
                    if (i as u32) < j {
                        pairs.push(Scored {
                            i: i as u32,
                            j,
                            probability: f64::from(p),
                            weight: 0.0,
                        });
                    }
                }
            }
        }
        let rules = ClusterRules {
            threshold: self.config.link.threshold,
            max_cluster_size: self.config.link.max_cluster_size,
        };
        let clusters = match self.config.params.as_ref().or(self.persons.prior.as_ref()) {
            Some(params) => {
                let (persons, link) = (&self.persons, &self.config.link);
                let scorer = Scorer::new(&link.comparisons, params, link.tf_minimum_u);
                let scorer = &scorer;
                let mut on_demand = |i: u32, j: u32| {
                    persons.score(
                        link,
                        scorer,
                        row_of(sorted[i as usize]),
                        row_of(sorted[j as usize]),
                    )
                };
                cluster(sorted.len(), pairs, rules, None, &mut on_demand)
            }
            None => (0..sorted.len() as u32).map(|i| vec![i]).collect(),
        };
        let clusters: Vec<Vec<u32>> = clusters
            .into_iter()
            .map(|c| c.into_iter().map(|i| sorted[i as usize]).collect())
            .collect();
        let split = self.split_reason(affected);
        let mut reg = std::mem::take(&mut self.person_reg);
        let merge_reason = |a: &[u32], b: &[u32]| self.link_reason(a, b);
        let events = reg.reassign(
            &self.nodes,
            affected,
            clusters,
            &|_| EntityKind::Person,
            &merge_reason,
            &split,
            resolve,
        );
        self.person_reg = reg;
        events
    }

    /// The strongest same-person link between two sets of nodes.
    fn link_reason(&self, a: &[u32], b: &[u32]) -> Reason {
        let b: FastSet<u32> = b.iter().copied().collect();
        let mut best: Option<(f32, u32, u32)> = None;
        for &x in a {
            let Some(r) = self.nodes.list[x as usize].person_row else {
                continue;
            };
            for &(other, p) in &self.persons.adj[r as usize] {
                let y = self.persons.node_of[other as usize];
                if b.contains(&y) && best.is_none_or(|(q, _, _)| p > q) {
                    best = Some((p, x, y));
                }
            }
        }
        match best {
            Some((p, x, y)) => Reason {
                rule: "link".into(),
                probability: Some(f64::from(p)),
                records: vec![self.nodes.record_ref(x), self.nodes.record_ref(y)],
            },
            None => Reason::rule("link"),
        }
    }

    fn split_reason(&self, affected: &[u32]) -> Reason {
        // Erased records are not named: their keys leave the graph.
        if affected.iter().any(|&n| !self.live(n)) {
            Reason::rule("recordRemoved")
        } else {
            Reason::rule("chainGuard")
        }
    }

    fn resolve_households(&mut self, persons: &[u32], resolve: u64) -> Vec<Event> {
        // Closure: person co-members, household co-members, and whoever
        // shares an address or household key.
        let cap = self.config.household.max_household_records;
        let Component {
            affected,
            live,
            pos,
        } = self.component(
            persons.to_vec(),
            &[&self.person_reg, &self.household_reg],
            &self.household_index,
            cap,
            &|n, f| self.household_keys(n).for_each(f),
        );
        let mut uf = UnionFind::new(live.len());
        let mut why: FastMap<(usize, usize), &'static str> = FastMap::default();
        for (i, &n) in live.iter().enumerate() {
            if let Some(s) = self.person_reg.of(n) {
                for m in &self.person_reg.slots[s as usize].members {
                    if let Some(&j) = pos.get(m) {
                        uf.union(i, j);
                    }
                }
            }
            for k in self.household_keys(n) {
                let Some(list) = self.household_index.get(&k) else {
                    continue;
                };
                if list.len() > cap {
                    continue;
                }
                let explicit = k & 1 << 31 != 0;
                for m in list {
                    let Some(&j) = pos.get(m) else { continue };
                    if j <= i {
                        continue;
                    }
                    if explicit || self.same_family_name(n, *m) {
                        uf.union(i, j);
                        why.insert(
                            (i, j),
                            if explicit {
                                "householdKey"
                            } else {
                                "sharedAddress"
                            },
                        );
                    }
                }
            }
        }
        let clusters = uf.groups(&live);
        let split = self.split_reason(&affected);
        let merge_reason = |a: &[u32], b: &[u32]| {
            let rule = a
                .iter()
                .flat_map(|x| b.iter().map(move |y| (*x, *y)))
                .find_map(|(x, y)| {
                    let (i, j) = (pos.get(&x)?, pos.get(&y)?);
                    why.get(&(*i.min(j), *i.max(j))).copied()
                })
                .unwrap_or("sharedAddress");
            Reason::rule(rule)
        };
        let nodes = &self.nodes;
        self.household_reg.reassign(
            nodes,
            &affected,
            clusters,
            &|_| EntityKind::Household,
            &merge_reason,
            &split,
            resolve,
        )
    }

    /// A person node's address tokens and household key (tagged with the
    /// top bit: its own id space).
    /// The part of the graph a change reaches: from `seeds`, the
    /// co-members of their entities in `regs` and the nodes sharing a key
    /// (`keys`) in `index` (keys shared by more than `cap` nodes join none),
    /// until nothing new is reached.
    fn component(
        &self,
        seeds: Vec<u32>,
        regs: &[&Registry],
        index: &FastMap<u32, Vec<u32>>,
        cap: usize,
        keys: KeysOf<'_>,
    ) -> Component {
        let mut seen: FastSet<u32> = FastSet::default();
        let mut stack = seeds;
        while let Some(n) = stack.pop() {
            if !seen.insert(n) {
                continue;
            }
            for reg in regs {
                if let Some(s) = reg.of(n) {
                    stack.extend(reg.slots[s as usize].members.iter().copied());
                }
            }
            if self.live(n) {
                keys(n, &mut |k| {
                    if let Some(list) = index.get(&k).filter(|l| l.len() <= cap) {
                        stack.extend(list.iter().copied());
                    }
                });
            }
        }
        let mut affected: Vec<u32> = seen.into_iter().collect();
        affected.sort_unstable();
        let live: Vec<u32> = affected.iter().copied().filter(|&n| self.live(n)).collect();
        let pos = live.iter().enumerate().map(|(i, &n)| (n, i)).collect();
        Component {
            affected,
            live,
            pos,
        }
    }

    fn household_keys(&self, n: u32) -> impl Iterator<Item = u32> + '_ {
        let node = &self.nodes.list[n as usize];
        let person = node.kind == RecordKind::Person;
        self.nodes
            .tokens_with(n, Roles::ADDRESS)
            .filter(move |_| person)
            .chain(node.household.filter(|_| person).map(|k| k | 1 << 31))
    }

    /// Same family-name token, or family-name CLKs at least as similar as
    /// the rule asks.
    fn same_family_name(&self, a: u32, b: u32) -> bool {
        let h = &self.config.household;
        let shared = self.nodes.tokens_with(a, Roles::FAMILY_NAME).any(|t| {
            self.nodes
                .tokens_with(b, Roles::FAMILY_NAME)
                .any(|u| u == t)
        });
        if shared {
            return true;
        }
        let row = |n: u32| self.nodes.list[n as usize].person_row;
        match (row(a), row(b)) {
            (Some(x), Some(y)) => self
                .persons
                .dice_of(&h.family_name_clk, x, y)
                .is_some_and(|d| d >= h.family_name_dice),
            _ => false,
        }
    }

    fn resolve_organisations(&mut self, seeds: BTreeSet<u32>, resolve: u64) -> Vec<Event> {
        if seeds.is_empty() {
            return Vec::new();
        }
        let Component {
            affected,
            live,
            pos,
        } = self.component(
            seeds.into_iter().collect(),
            &[&self.org_reg],
            &self.org_index,
            usize::MAX,
            &|n, f| self.org_keys(n).into_iter().for_each(f),
        );
        let mut uf = UnionFind::new(live.len());
        for (i, &n) in live.iter().enumerate() {
            let unit = self.nodes.list[n as usize].unit;
            for k in self.org_keys(n) {
                for m in self.org_index.get(&k).into_iter().flatten() {
                    if let Some(&j) = pos.get(m) {
                        // A site never merges with its company: same kind only.
                        if self.nodes.list[*m as usize].unit == unit {
                            uf.union(i, j);
                        }
                    }
                }
            }
        }
        let clusters = uf.groups(&live);
        let split = self.split_reason(&affected);
        let nodes = &self.nodes;
        let kind_of = |members: &[u32]| match nodes.list[members[0] as usize].unit {
            OrgUnit::LegalEntity => EntityKind::LegalEntity,
            OrgUnit::Site => EntityKind::Site,
            OrgUnit::BusinessUnit => EntityKind::BusinessUnit,
        };
        self.org_reg.reassign(
            nodes,
            &affected,
            clusters,
            &kind_of,
            &|_, _| Reason::rule("sharedKey"),
            &split,
            resolve,
        )
    }

    fn org_keys(&self, n: u32) -> Vec<u32> {
        if self.nodes.list[n as usize].kind != RecordKind::Organisation {
            return Vec::new();
        }
        self.nodes.tokens_with(n, Roles::ORGANISATION).collect()
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
    pub fn events(&self) -> &[Event] {
        &self.events
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
                None => node.clks.clone(),
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

/// Calls its second argument with each key of a node.
type KeysOf<'a> = &'a dyn Fn(u32, &mut dyn FnMut(u32));

/// The nodes a change reaches, the live ones among them, and their
/// positions in `live`.
struct Component {
    affected: Vec<u32>,
    live: Vec<u32>,
    pos: FastMap<u32, usize>,
}

/// Union–find with path halving, for exact-key components.
struct UnionFind {
    parent: Vec<usize>,
}

impl UnionFind {
    fn new(n: usize) -> Self {
        UnionFind {
            parent: (0..n).collect(),
        }
    }

    fn find(&mut self, mut x: usize) -> usize {
        while self.parent[x] != x {
            self.parent[x] = self.parent[self.parent[x]];
            x = self.parent[x];
        }
        x
    }

    fn union(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            self.parent[ra.max(rb)] = ra.min(rb);
        }
    }

    /// The components, as node lists (`nodes[i]` is element `i`).
    fn groups(&mut self, nodes: &[u32]) -> Vec<Vec<u32>> {
        let mut by_root: FastMap<usize, Vec<u32>> = FastMap::default();
        for (i, &n) in nodes.iter().enumerate() {
            let r = self.find(i);
            by_root.entry(r).or_default().push(n);
        }
        by_root.into_values().collect()
    }
}
