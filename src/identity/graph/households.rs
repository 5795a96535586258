//! Households: persons joined by a shared household key, or by a shared
//! address and family name.

use super::resolve::{Component, UnionFind};
use super::IdentityGraph;
use crate::identity::entities::{EntityKind, Rule, Stored, Why};
use crate::identity::input::RecordKind;
use crate::identity::nodes::{FastMap, Roles};
use crate::identity::views::Handle;

impl IdentityGraph {
    pub(super) fn resolve_households(&mut self, persons: &[u32], resolve: u64) -> Vec<Stored> {
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
        let mut why: FastMap<(usize, usize), Rule> = FastMap::default();
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
                                Rule::HouseholdKey
                            } else {
                                Rule::SharedAddress
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
                .unwrap_or(Rule::SharedAddress);
            Why::rule(rule)
        };
        let nodes = &self.nodes;
        self.household_reg.reassign(
            nodes,
            &affected,
            clusters,
            &|_| EntityKind::Household,
            &merge_reason,
            split,
            Handle::Household,
            resolve,
        )
    }

    /// A person node's address tokens and household key (tagged with the
    /// top bit: its own id space).
    pub(super) fn household_keys(&self, n: u32) -> impl Iterator<Item = u32> + '_ {
        let node = &self.nodes.list[n as usize];
        let person = node.kind == RecordKind::Person;
        self.nodes
            .tokens_with(n, Roles::ADDRESS)
            .filter(move |_| person)
            .chain(node.household.filter(|_| person).map(|k| k | 1 << 31))
    }

    /// Same family-name token, or family-name CLKs at least as similar as
    /// the rule asks.
    pub(super) fn same_family_name(&self, a: u32, b: u32) -> bool {
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
}
