//! What the graph says about one entity: its records, links, family and
//! roles, and its history.

use super::entities::{EntityKind, Event, EventKind};
use super::graph::IdentityGraph;
use super::input::{RecordKind, RecordRef, RelationType};
use super::views::Handle;
use crate::error::{Error, ErrorCode, Subject};
use serde::{Deserialize, Serialize};

/// One entity, as `IdentityGraph.entity(id)` returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EntityInfo {
    /// Stable pseudonymous id.
    pub id: String,
    /// What it is.
    pub kind: EntityKind,
    /// `false` once merged into another entity (see `mergedInto`).
    pub live: bool,
    /// The entity it was merged into, when retired.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub merged_into: Option<String>,
    /// Its records (a household's are its persons' records).
    pub records: Vec<RecordRef>,
    /// Persons: their household. Households: `null`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub household: Option<String>,
    /// Households: the persons in it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub persons: Vec<String>,
    /// Persons: the same-person links holding it together.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<PersonLink>,
    /// Organisations: the parent and how it is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent: Option<Related>,
    /// Organisations: direct children.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<Related>,
    /// Organisations: the root of the family.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ultimate_parent: Option<String>,
    /// Person-to-organisation roles involving the entity.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<Role>,
}

/// A same-person link inside a person entity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PersonLink {
    /// One record.
    pub a: RecordRef,
    /// The other.
    pub b: RecordRef,
    /// The linker's probability (`explain(a, b)` gives the waterfall).
    pub probability: f64,
    /// The comparisons that spoke for the link (positive match weight in
    /// `explain(a, b)`: `email`, `phone`, `firstName`, …), strongest first.
    #[serde(default)]
    pub agreed: Vec<String>,
}

/// An organisation related to another.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Related {
    /// Its id.
    pub id: String,
    /// `memberOf`, `parent`, `headquarters` or `branch`.
    pub relation: String,
}

/// A person's role at an organisation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Role {
    /// The person entity.
    pub person: String,
    /// The organisation entity.
    pub organisation: String,
    /// `user`, `specifier`, `approver`, `buyer`, `billToContact`, `shipToContact`.
    pub role: RelationType,
}

impl IdentityGraph {
    pub(crate) fn handle(&self, id: &str) -> Option<Handle> {
        if let Some(s) = self.person_reg.find(id) {
            return Some(Handle::Person(s));
        }
        if let Some(s) = self.household_reg.find(id) {
            return Some(Handle::Household(s));
        }
        self.org_reg.find(id).map(Handle::Org)
    }

    /// Everything about one entity, live or retired.
    pub fn entity(&self, id: &str) -> Result<EntityInfo, Error> {
        let h = self.handle(id).ok_or(unknown_entity())?;
        let (reg, s) = self.registry(h);
        let slot = &reg.slots[s as usize];
        let mut info = EntityInfo {
            id: slot.id.clone(),
            kind: slot.kind,
            live: slot.live,
            merged_into: None,
            records: slot
                .members
                .iter()
                .map(|&n| self.nodes.record_ref(n))
                .collect(),
            household: None,
            persons: Vec::new(),
            links: Vec::new(),
            parent: None,
            children: Vec::new(),
            ultimate_parent: None,
            roles: Vec::new(),
        };
        if !slot.live {
            info.merged_into = self
                .events
                .iter()
                .rev()
                .find(|e| e.entity == h && e.kind == EventKind::Retired)
                .and_then(|e| e.others.first())
                .map(|&o| self.handle_id(h.with_slot(o)).to_owned());
            return Ok(info);
        }
        match h {
            Handle::Person(_) => {
                info.household = slot
                    .members
                    .first()
                    .and_then(|&n| self.household_reg.of(n))
                    .map(|hs| self.household_reg.slots[hs as usize].id.clone());
                for &n in &slot.members {
                    let Some(r) = self.nodes.list[n as usize].person_row else {
                        continue;
                    };
                    for &(other, p) in &self.persons.adj[r as usize] {
                        let m = self.persons.node_of[other as usize];
                        if n < m && slot.members.binary_search(&m).is_ok() {
                            info.links.push(PersonLink {
                                a: self.nodes.record_ref(n),
                                b: self.nodes.record_ref(m),
                                probability: f64::from(p),
                                agreed: self.agreed(r, other),
                            });
                        }
                    }
                }
                info.links
                    .sort_by(|x, y| y.probability.total_cmp(&x.probability));
            }
            Handle::Household(_) => {
                let mut persons: Vec<String> = slot
                    .members
                    .iter()
                    .filter_map(|&n| self.person_reg.of(n))
                    .map(|p| self.person_reg.slots[p as usize].id.clone())
                    .collect();
                persons.sort();
                persons.dedup();
                info.persons = persons;
            }
            Handle::Org(o) => {
                info.parent = self.parent_of(o).map(|(p, rel)| Related {
                    id: self.org_reg.slots[p as usize].id.clone(),
                    relation: rel.into(),
                });
                let root = self.ultimate_parent(o);
                info.ultimate_parent = Some(self.org_reg.slots[root as usize].id.clone());
                for (c, other) in self.org_reg.slots.iter().enumerate() {
                    if !other.live || c as u32 == o {
                        continue;
                    }
                    if let Some((p, rel)) = self.parent_of(c as u32) {
                        if p == o {
                            info.children.push(Related {
                                id: other.id.clone(),
                                relation: rel.into(),
                            });
                        }
                    }
                }
                info.children.sort_by(|a, b| a.id.cmp(&b.id));
            }
        }
        info.roles = self
            .roles()
            .into_iter()
            .filter(|r| r.person == info.id || r.organisation == info.id)
            .collect();
        Ok(info)
    }

    /// Every person-to-organisation role between live entities.
    pub fn roles(&self) -> Vec<Role> {
        let mut out = Vec::new();
        for (n, node) in self.nodes.list.iter().enumerate() {
            if node.removed || node.kind != RecordKind::Person {
                continue;
            }
            let Some(p) = self.person_reg.of(n as u32) else {
                continue;
            };
            for (kind, target) in node.relations.iter() {
                if !kind.is_role() {
                    continue;
                }
                let org = self
                    .nodes
                    .find(target)
                    .filter(|&t| !self.nodes.list[t as usize].removed)
                    .and_then(|t| self.org_reg.of(t));
                if let Some(o) = org {
                    let role = Role {
                        person: self.person_reg.slots[p as usize].id.clone(),
                        organisation: self.org_reg.slots[o as usize].id.clone(),
                        role: *kind,
                    };
                    if !out.contains(&role) {
                        out.push(role);
                    }
                }
            }
        }
        out
    }

    /// What happened to an entity, oldest first: creation, records joining
    /// and leaving, merges and splits with their reasons.
    pub fn history(&self, id: &str) -> Result<Vec<Event>, Error> {
        let h = self.handle(id).ok_or(unknown_entity())?;
        Ok(self
            .events
            .iter()
            .filter(|e| {
                e.entity == h || (e.entity.with_slot(h.slot()) == h && e.others.contains(&h.slot()))
            })
            .map(|e| self.event(e))
            .collect())
    }

    /// Ids of the live entities of a kind, sorted.
    pub fn entity_ids(&self, kind: EntityKind) -> Vec<String> {
        let mut ids: Vec<String> = [&self.person_reg, &self.household_reg, &self.org_reg]
            .into_iter()
            .flat_map(|r| r.live())
            .filter(|s| s.kind == kind)
            .map(|s| s.id.clone())
            .collect();
        ids.sort();
        ids
    }
}

fn unknown_entity() -> Error {
    Error::new(Subject::Graph, ErrorCode::IdentityUnknownEntity)
}
