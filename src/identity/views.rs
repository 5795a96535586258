//! Customer views: which entity a record's customer is, as one department
//! counts customers.
//!
//! | view | B2B: the customer is… | a consumer's customer is… |
//! |---|---|---|
//! | `billing` | the bill-to (site or company) | the person |
//! | `service` | the ship-to | the person |
//! | `sales` | the business unit that bought (else its company) | the household |
//! | `group` | the ultimate parent (D-U-N-S tree, membership) | the household |
//! | `household` | — | the household |
//!
//! An interaction (order, invoice, meter) has no identity of its own: its
//! relations (`billTo`, `shipTo`, `unit`, `customer`) say whose it is.

use super::entities::{EntityKind, Registry};
use super::graph::IdentityGraph;
use super::input::{HierarchyRelation, RecordKind, RecordRef, RelationType};
use crate::error::{Error, ErrorCode, Subject};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// A department's way of counting customers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum View {
    /// Who pays: the bill-to.
    Billing,
    /// Who is served: the ship-to.
    Service,
    /// Who decides to buy: the business unit, or a consumer's household.
    Sales,
    /// The corporate family: the ultimate parent.
    Group,
    /// The household.
    Household,
}

impl View {
    /// Every built-in view.
    pub const ALL: [View; 5] = [
        View::Billing,
        View::Service,
        View::Sales,
        View::Group,
        View::Household,
    ];

    /// Parses a view name (`identity.unknown_view` otherwise).
    pub fn parse(name: &str) -> Result<View, Error> {
        serde_json::from_value(serde_json::Value::String(name.into()))
            .map_err(|_| Error::new(Subject::Graph, ErrorCode::IdentityUnknownView))
    }

    /// The view's name.
    pub fn name(self) -> &'static str {
        match self {
            View::Billing => "billing",
            View::Service => "service",
            View::Sales => "sales",
            View::Group => "group",
            View::Household => "household",
        }
    }
}

/// An entity handle: which registry, which slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Handle {
    Person(u32),
    Household(u32),
    Org(u32),
}

impl Handle {
    /// The slot.
    pub fn slot(self) -> u32 {
        match self {
            Handle::Person(s) | Handle::Household(s) | Handle::Org(s) => s,
        }
    }

    /// Another slot of the same registry.
    pub fn with_slot(self, s: u32) -> Handle {
        match self {
            Handle::Person(_) => Handle::Person(s),
            Handle::Household(_) => Handle::Household(s),
            Handle::Org(_) => Handle::Org(s),
        }
    }
}

/// Parents the group view climbs (a franchise is not owned).
fn climbs(r: HierarchyRelation) -> bool {
    !matches!(r, HierarchyRelation::Franchise)
}

impl IdentityGraph {
    pub(crate) fn registry(&self, h: Handle) -> (&Registry, u32) {
        match h {
            Handle::Person(s) => (&self.person_reg, s),
            Handle::Household(s) => (&self.household_reg, s),
            Handle::Org(s) => (&self.org_reg, s),
        }
    }

    /// The entity's public id.
    pub(crate) fn handle_id(&self, h: Handle) -> &str {
        let (reg, s) = self.registry(h);
        &reg.slots[s as usize].id
    }

    pub(crate) fn handle_kind(&self, h: Handle) -> EntityKind {
        let (reg, s) = self.registry(h);
        reg.slots[s as usize].kind
    }

    fn target(&self, n: u32, kind: RelationType) -> Option<u32> {
        let node = &self.nodes.list[n as usize];
        node.relations
            .iter()
            .filter(|(k, _)| *k == kind)
            .find_map(|(_, r)| self.nodes.find(r))
            .filter(|&t| !self.nodes.list[t as usize].removed)
    }

    /// The entity a record itself is (person or organisation); an
    /// interaction is its `customer`'s.
    fn own(&self, n: u32) -> Option<Handle> {
        match self.nodes.list[n as usize].kind {
            RecordKind::Person => self.person_reg.of(n).map(Handle::Person),
            RecordKind::Organisation => self.org_reg.of(n).map(Handle::Org),
            RecordKind::Interaction => {
                let t = self.target(n, RelationType::Customer)?;
                (self.nodes.list[t as usize].kind == RecordKind::Person)
                    .then(|| self.person_reg.of(t).map(Handle::Person))?
            }
        }
    }

    fn household_of(&self, h: Handle) -> Option<Handle> {
        match h {
            Handle::Person(s) => {
                let first = *self.person_reg.slots[s as usize].members.first()?;
                self.household_reg.of(first).map(Handle::Household)
            }
            Handle::Household(_) => Some(h),
            Handle::Org(_) => None,
        }
    }

    /// The organisation's parent: membership first, then the D-U-N-S tree.
    pub(crate) fn parent_of(&self, org: u32) -> Option<(u32, &'static str)> {
        let slot = &self.org_reg.slots[org as usize];
        for &m in &slot.members {
            if let Some(t) = self.target(m, RelationType::MemberOf) {
                if let Some(p) = self.org_reg.of(t).filter(|&p| p != org) {
                    return Some((p, "memberOf"));
                }
            }
        }
        for &m in &slot.members {
            for tok in self.nodes.list[m as usize].tokens.iter() {
                for &(parent, rel) in self.hierarchy.get(tok).into_iter().flatten() {
                    if !climbs(rel) {
                        continue;
                    }
                    let found = self
                        .org_index
                        .get(&parent)
                        .into_iter()
                        .flatten()
                        .filter(|&&n| !self.nodes.list[n as usize].removed)
                        .find_map(|&n| self.org_reg.of(n))
                        .filter(|&p| p != org);
                    if let Some(p) = found {
                        let name = match rel {
                            HierarchyRelation::Parent => "parent",
                            HierarchyRelation::Headquarters => "headquarters",
                            HierarchyRelation::Branch => "branch",
                            HierarchyRelation::Franchise => "franchise",
                        };
                        return Some((p, name));
                    }
                }
            }
        }
        None
    }

    /// The root of an organisation's family (cycles stop where they close).
    pub(crate) fn ultimate_parent(&self, org: u32) -> u32 {
        let mut seen = HashSet::new();
        let mut at = org;
        while seen.insert(at) {
            match self.parent_of(at) {
                Some((p, _)) => at = p,
                None => break,
            }
        }
        at
    }

    /// Climbs membership from a site to the unit or company it belongs to.
    fn buying_unit(&self, org: u32) -> u32 {
        let mut seen = HashSet::new();
        let mut at = org;
        while seen.insert(at) && self.org_reg.slots[at as usize].kind == EntityKind::Site {
            let up = self.org_reg.slots[at as usize]
                .members
                .iter()
                .find_map(|&m| self.target(m, RelationType::MemberOf))
                .and_then(|t| self.org_reg.of(t));
            match up {
                Some(p) => at = p,
                None => break,
            }
        }
        at
    }

    fn relation_entity(&self, n: u32, kind: RelationType) -> Option<Handle> {
        let t = self.target(n, kind)?;
        self.own(t)
    }

    /// The customer of node `n` in `view`.
    pub(crate) fn customer_handle(&self, n: u32, view: View) -> Option<Handle> {
        if self.nodes.list[n as usize].removed {
            return None;
        }
        let consumer = |h: Handle| match h {
            Handle::Person(_) => self.household_of(h),
            other => Some(other),
        };
        match view {
            View::Household => self.own(n).and_then(|h| self.household_of(h)),
            View::Billing => self
                .relation_entity(n, RelationType::BillTo)
                .or_else(|| self.own(n)),
            View::Service => self
                .relation_entity(n, RelationType::ShipTo)
                .or_else(|| self.own(n)),
            View::Sales => match self.sales_org(n) {
                Some(o) => Some(Handle::Org(o)),
                None => self.own(n).and_then(consumer),
            },
            View::Group => match self.sales_org(n) {
                Some(o) => Some(Handle::Org(self.ultimate_parent(o))),
                None => self.own(n).and_then(consumer),
            },
        }
    }

    /// The organisation that bought: the `unit`, the record's own
    /// organisation, or its bill-to's / ship-to's, climbed to a unit or company.
    fn sales_org(&self, n: u32) -> Option<u32> {
        let org = |h: Option<Handle>| match h {
            Some(Handle::Org(o)) => Some(o),
            _ => None,
        };
        let start = org(self.relation_entity(n, RelationType::Unit))
            .or_else(|| {
                (self.nodes.list[n as usize].kind == RecordKind::Organisation)
                    .then(|| self.org_reg.of(n))
                    .flatten()
            })
            .or_else(|| org(self.relation_entity(n, RelationType::BillTo)))
            .or_else(|| org(self.relation_entity(n, RelationType::ShipTo)))?;
        Some(self.buying_unit(start))
    }

    /// The id of the customer of a record in a view, if it has one there.
    pub fn customer_of(&self, record: &RecordRef, view: View) -> Result<Option<String>, Error> {
        let n = self
            .nodes
            .find(record)
            .filter(|&n| !self.nodes.list[n as usize].removed)
            .ok_or(super::graph::unknown_record())?;
        Ok(self
            .customer_handle(n, view)
            .map(|h| self.handle_id(h).to_owned()))
    }

    /// The records whose customer in `view` is entity `id` (its records and
    /// interactions, as that department counts them).
    pub fn records_of(&self, view: View, id: &str) -> Result<Vec<RecordRef>, Error> {
        let known = [&self.person_reg, &self.household_reg, &self.org_reg]
            .iter()
            .any(|r| r.find(id).is_some());
        if !known {
            return Err(Error::new(Subject::Graph, ErrorCode::IdentityUnknownEntity));
        }
        Ok((0..self.nodes.list.len() as u32)
            .filter(|&n| {
                self.customer_handle(n, view)
                    .is_some_and(|h| self.handle_id(h) == id)
            })
            .map(|n| self.nodes.record_ref(n))
            .collect())
    }
}
