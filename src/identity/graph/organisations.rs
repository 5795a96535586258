//! Organisations: records joined by a shared D-U-N-S or company key, a site
//! never with its company.

use super::resolve::{Component, UnionFind};
use super::IdentityGraph;
use crate::identity::entities::{EntityKind, Rule, Stored, Why};
use crate::identity::input::{OrgUnit, RecordKind};
use crate::identity::nodes::Roles;
use crate::identity::views::Handle;
use std::collections::BTreeSet;

impl IdentityGraph {
    pub(super) fn resolve_organisations(
        &mut self,
        seeds: BTreeSet<u32>,
        resolve: u64,
    ) -> Vec<Stored> {
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
            &|_, _| Why::rule(Rule::SharedKey),
            split,
            Handle::Org,
            resolve,
        )
    }

    pub(super) fn org_keys(&self, n: u32) -> Vec<u32> {
        if self.nodes.list[n as usize].kind != RecordKind::Organisation {
            return Vec::new();
        }
        self.nodes.tokens_with(n, Roles::ORGANISATION).collect()
    }
}
