//! Resolving: new person links, then the persons, households and
//! organisations they touch; the union-find and the reach of a change
//! that households and organisations share.

use super::{IdentityGraph, ResolveSummary};
use crate::error::Error;
use crate::identity::entities::{EntityKind, Registry, Rule, Stored, Why};
use crate::identity::input::RecordKind;
use crate::identity::nodes::{FastMap, FastSet};
use crate::identity::persons::rows_in_key_order;
use crate::identity::views::Handle;
use crate::link::explain::Scorer;
use crate::link::solve::{cluster, ClusterRules, Scored};
use crate::link::{ModelSource, Progress};
use std::collections::BTreeSet;

impl IdentityGraph {
    /// Asks the next [`IdentityGraph::resolve`] to fit the linking model
    /// again by EM on every person record (whether the parameters were
    /// trained or given), and to score every candidate pair again, so that
    /// links made under the old parameters are replaced by the new ones'
    /// and every person is resolved afresh. When EM's fit is refused (see
    /// `ResolveSummary::implausible_model`) the parameters stay and every
    /// pair is scored again with them. Below `minTrainingRecords` person
    /// records nothing is retrained. The request is not saved in a
    /// document.
    pub fn retrain(&mut self) {
        self.retrain = true;
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
        let retrain = std::mem::take(&mut self.retrain);
        let order = (self.config.params.is_none() || retrain)
            .then(|| rows_in_key_order(&self.persons, &self.nodes));
        let live = self.persons.live();
        let (links, stats) = self.persons.resolve(
            &mut self.config,
            &dirty_rows,
            live,
            retrain,
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
        if (!had_params && self.config.params.is_some()) || stats.rescored {
            // Just trained, or every pair scored again: every person is
            // resolved afresh.
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
            changed.insert(self.handle_id(e.entity).to_owned());
            for &o in &e.others {
                changed.insert(self.handle_id(e.entity.with_slot(o)).to_owned());
            }
            let kind = serde_json::to_value(e.kind)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            *summary.events.entry(kind).or_default() += 1;
        }
        summary.changed = changed.into_iter().collect();
        let new = person_events.len() + household_events.len() + org_events.len();
        crate::link::engine::growth::reserve(&mut self.events, new);
        self.events.extend(person_events);
        self.events.extend(household_events);
        self.events.extend(org_events);
        summary.entities = self.counts();
        Ok(summary)
    }

    pub(super) fn resolve_persons(&mut self, affected: &[u32], resolve: u64) -> Vec<Stored> {
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
            split,
            Handle::Person,
            resolve,
        );
        self.person_reg = reg;
        events
    }

    /// The strongest same-person link between two sets of nodes.
    pub(super) fn link_reason(&self, a: &[u32], b: &[u32]) -> Why {
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
            Some((p, x, y)) => Why {
                rule: Rule::Link,
                probability: Some(p),
                records: [x, y],
            },
            None => Why::rule(Rule::Link),
        }
    }

    pub(super) fn split_reason(&self, affected: &[u32]) -> Why {
        // Erased records are not named: their keys leave the graph.
        if affected.iter().any(|&n| !self.live(n)) {
            Why::rule(Rule::RecordRemoved)
        } else {
            Why::rule(Rule::ChainGuard)
        }
    }

    /// The part of the graph a change reaches: from `seeds`, the
    /// co-members of their entities in `regs` and the nodes sharing a key
    /// (`keys`) in `index` (keys shared by more than `cap` nodes join none),
    /// until nothing new is reached.
    pub(super) fn component(
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
}

/// Calls its second argument with each key of a node.
pub(super) type KeysOf<'a> = &'a dyn Fn(u32, &mut dyn FnMut(u32));

/// The nodes a change reaches, the live ones among them, and their
/// positions in `live`.
pub(super) struct Component {
    pub affected: Vec<u32>,
    pub live: Vec<u32>,
    pub pos: FastMap<u32, usize>,
}

/// Union–find with path halving, for exact-key components.
pub(super) struct UnionFind {
    parent: Vec<usize>,
}

impl UnionFind {
    pub(super) fn new(n: usize) -> Self {
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

    pub(super) fn union(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            self.parent[ra.max(rb)] = ra.min(rb);
        }
    }

    /// The components, as node lists (`nodes[i]` is element `i`).
    pub(super) fn groups(&mut self, nodes: &[u32]) -> Vec<Vec<u32>> {
        let mut by_root: FastMap<usize, Vec<u32>> = FastMap::default();
        for (i, &n) in nodes.iter().enumerate() {
            let r = self.find(i);
            by_root.entry(r).or_default().push(n);
        }
        by_root.into_values().collect()
    }
}
