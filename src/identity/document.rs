//! The graph as a versioned JSON document, and back.
//!
//! The document holds what the graph holds: tokens, CLKs, the business's
//! record keys, relations, measures, entities, links and history; no raw
//! identifier ever reaches the graph, so none can leave it. Its `records`
//! carry an [`EncodedRecord`](crate::link::EncodedRecord)'s fields, so one
//! party's export links against another's file made with the same key.
//! Loading restores ids, links and history as saved, without rescoring.

use super::config::GraphConfig;
use super::entities::{EntityKind, Event, Slot};
use super::graph::IdentityGraph;
use super::input::{GraphRecord, HierarchyEdge, RecordKind};
use super::value::format_date;
use crate::error::{Error, ErrorCode, Subject};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// The `format` of a graph document.
pub const GRAPH_FORMAT: &str = "pseudolink-identity-graph";
/// The document version this release writes and reads.
pub const GRAPH_VERSION: u32 = 1;

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Document {
    format: String,
    version: u32,
    config: GraphConfig,
    records: Vec<GraphRecord>,
    #[serde(default)]
    hierarchy: Vec<HierarchyEdge>,
    #[serde(default)]
    entities: Vec<DocEntity>,
    /// Same-person links `[a, b, probability]` by record index.
    #[serde(default)]
    links: Vec<(usize, usize, f64)>,
    #[serde(default)]
    events: Vec<Event>,
    #[serde(default)]
    resolves: u64,
    /// LSH bits per band, once fixed, so later records hash as before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    lsh_bits: Option<Vec<usize>>,
    /// Records added but not yet resolved.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    unresolved: Vec<usize>,
    /// The graph fitted `config.params` itself (they were not given).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    model_trained: bool,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct DocEntity {
    id: String,
    kind: EntityKind,
    live: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    anchor: Option<usize>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    records: Vec<usize>,
}

fn bad() -> Error {
    Error::new(Subject::Graph, ErrorCode::IdentityBadDocument)
}

impl IdentityGraph {
    /// The graph as a document (erased records are left out, and with them
    /// every token and CLK they had).
    pub fn to_json(&self) -> String {
        let mut index: HashMap<u32, usize> = HashMap::new();
        let mut records = Vec::new();
        for (n, node) in self.nodes.list.iter().enumerate() {
            if node.removed {
                continue;
            }
            index.insert(n as u32, records.len());
            let e = self.encoded_of(n as u32);
            let r = self.nodes.record_ref(n as u32);
            records.push(GraphRecord {
                system: r.system,
                channel: r.channel,
                id: r.id,
                kind: node.kind,
                unit: (node.kind == RecordKind::Organisation).then_some(node.unit),
                tokens: e.tokens,
                match_keys: e.match_keys,
                clks: e.clks,
                relations: node
                    .relations
                    .iter()
                    .map(|(kind, to)| super::input::Relation {
                        kind: *kind,
                        to: super::input::RelationTarget {
                            system: Some(to.system.clone()),
                            channel: Some(to.channel.clone()),
                            id: to.id.clone(),
                        },
                    })
                    .collect(),
                household: node
                    .household
                    .map(|h| self.nodes.households[h as usize].clone()),
                measures: node
                    .measures
                    .iter()
                    .map(|&(k, v)| (self.nodes.name_of(k).to_owned(), v))
                    .collect::<BTreeMap<_, _>>(),
                date: node.date.map(format_date),
            });
        }
        let mut entities = Vec::new();
        for reg in [&self.person_reg, &self.household_reg, &self.org_reg] {
            for s in &reg.slots {
                entities.push(DocEntity {
                    id: s.id.clone(),
                    kind: s.kind,
                    live: s.live,
                    anchor: s.anchor.and_then(|a| index.get(&a).copied()),
                    records: s
                        .members
                        .iter()
                        .filter_map(|m| index.get(m).copied())
                        .collect(),
                });
            }
        }
        let mut links = Vec::new();
        for (row, adj) in self.persons.adj.iter().enumerate() {
            let a = self.persons.node_of[row];
            for &(other, p) in adj {
                let b = self.persons.node_of[other as usize];
                if let (true, Some(&i), Some(&j)) = (a < b, index.get(&a), index.get(&b)) {
                    links.push((i, j, f64::from(p)));
                }
            }
        }
        let hierarchy = self
            .hierarchy_edges
            .iter()
            .map(|&(c, p, relation)| HierarchyEdge {
                child: self.nodes.tokens.text(c),
                parent: self.nodes.tokens.text(p),
                relation,
            })
            .collect();
        let doc = Document {
            format: GRAPH_FORMAT.into(),
            version: GRAPH_VERSION,
            config: self.config.clone(),
            records,
            hierarchy,
            entities,
            links,
            events: self.events(),
            resolves: self.resolves,
            lsh_bits: self.persons.lsh_bits(),
            unresolved: self
                .pending()
                .iter()
                .filter_map(|n| index.get(n).copied())
                .collect(),
            model_trained: self.model_trained,
        };
        serde_json::to_string(&doc).unwrap_or_default()
    }

    /// Loads a document written by [`IdentityGraph::to_json`].
    pub fn from_json(json: &str) -> Result<IdentityGraph, Error> {
        #[derive(Deserialize)]
        struct Head {
            format: String,
            version: u32,
        }
        let head: Head = serde_json::from_str(json).map_err(|_| bad())?;
        if head.format != GRAPH_FORMAT || head.version != GRAPH_VERSION {
            return Err(Error::new(
                Subject::Graph,
                ErrorCode::IdentityUnsupportedVersion,
            ));
        }
        let doc: Document = serde_json::from_str(json).map_err(|_| bad())?;
        let mut g = IdentityGraph::new(doc.config)?;
        g.add_records(&doc.records).map_err(|(_, e)| e)?;
        g.add_hierarchy(&doc.hierarchy).map_err(|(_, e)| e)?;
        g.persons.index_new(&g.config.link, doc.lsh_bits.as_deref());
        g.persons.forget_fresh();
        let n = doc.records.len();
        for &(a, b, p) in &doc.links {
            let row = |i: usize| {
                (i < n)
                    .then(|| g.nodes.list[i].person_row)
                    .flatten()
                    .ok_or(bad())
            };
            let (ra, rb) = (row(a)?, row(b)?);
            if ra == rb || !(0.0..=1.0).contains(&p) {
                return Err(bad());
            }
            g.persons.restore_link(ra, rb, p);
        }
        let mut owned: HashMap<(u8, usize), ()> = HashMap::new();
        for e in doc.entities {
            let family = match e.kind {
                EntityKind::Person => 0u8,
                EntityKind::Household => 1,
                _ => 2,
            };
            let fits = |i: &usize| {
                *i < n
                    && match family {
                        0 | 1 => doc.records[*i].kind == RecordKind::Person,
                        _ => doc.records[*i].kind == RecordKind::Organisation,
                    }
            };
            if !e.records.iter().all(fits) || e.anchor.is_some_and(|a| a >= n) {
                return Err(bad());
            }
            if e.live {
                if e.records.is_empty() {
                    return Err(bad());
                }
                for &i in &e.records {
                    if owned.insert((family, i), ()).is_some() {
                        return Err(bad());
                    }
                }
            }
            let mut members: Vec<u32> = e.records.iter().map(|&i| i as u32).collect();
            members.sort_unstable();
            let reg = match family {
                0 => &mut g.person_reg,
                1 => &mut g.household_reg,
                _ => &mut g.org_reg,
            };
            if reg.find(&e.id).is_some() {
                return Err(bad());
            }
            reg.restore(Slot {
                id: e.id,
                kind: e.kind,
                anchor: e.anchor.map(|a| a as u32),
                members,
                live: e.live,
            });
        }
        g.events = doc
            .events
            .iter()
            .map(|e| g.stored(e))
            .collect::<Option<_>>()
            .ok_or_else(bad)?;
        g.resolves = doc.resolves;
        g.model_trained = doc.model_trained && g.config.params.is_some();
        let unresolved: Vec<u32> = doc
            .unresolved
            .iter()
            .filter(|&&i| i < n)
            .map(|&i| i as u32)
            .collect();
        g.set_pending(unresolved);
        let live = g.persons.live();
        g.persons
            .refresh_tf(&g.config.link, live >= g.config.min_training_records);
        Ok(g)
    }
}
