//! Customer value on linked identities: roll-ups of records' measures per
//! customer in a view, contribution, and Pareto value tiers.

use super::entities::EntityKind;
use super::graph::IdentityGraph;
use super::views::View;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// Measures a roll-up derives: `contribution` = `revenue` − `costToServe`;
/// `transactionsPerMonth` over the months the customer's dates span;
/// `records`, `interactions` (records with measures) and `months`.
pub const DERIVED_MEASURES: [&str; 5] = [
    "contribution",
    "transactionsPerMonth",
    "records",
    "interactions",
    "months",
];

/// Average days per month (365.2425 / 12).
const DAYS_PER_MONTH: f64 = 30.436_875;

/// A value tier: customers whose cumulative share of contribution, before
/// them, is below `upTo` (the customer crossing the line is still in it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Tier {
    /// Its name (`A`, `B`, `C`).
    pub name: String,
    /// Upper bound of the cumulative share, 0–1.
    pub up_to: f64,
}

/// How to roll up.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RollupOptions {
    /// Record measures to sum (empty: every measure any record has).
    pub measures: Vec<String>,
    /// Tiers, by ascending `upTo`; the last should be 1. Default: the Pareto
    /// split A ≤ 80 %, B ≤ 95 %, C the rest.
    pub tiers: Vec<Tier>,
}

impl Default for RollupOptions {
    fn default() -> Self {
        let tier = |name: &str, up_to| Tier {
            name: name.into(),
            up_to,
        };
        RollupOptions {
            measures: Vec::new(),
            tiers: vec![tier("A", 0.8), tier("B", 0.95), tier("C", 1.0)],
        }
    }
}

/// One customer's value in a view.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomerValue {
    /// The customer entity.
    pub entity: String,
    /// Its kind.
    pub kind: EntityKind,
    /// Summed and derived measures.
    pub measures: BTreeMap<String, f64>,
    /// First and last record dates.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_date: Option<String>,
    /// Last record date.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_date: Option<String>,
    /// Value tier.
    pub tier: String,
    /// Share of total contribution of this customer and every larger one.
    pub cumulative_share: f64,
}

/// Totals of one tier.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TierSummary {
    /// The tier.
    pub name: String,
    /// Customers in it.
    pub customers: usize,
    /// Their contribution.
    pub contribution: f64,
}

/// A view's customers with their value, largest contribution first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Rollup {
    /// The view.
    pub view: View,
    /// Customers by contribution, descending (ties by id).
    pub customers: Vec<CustomerValue>,
    /// Sums over every customer.
    pub totals: BTreeMap<String, f64>,
    /// Records with no customer in this view (e.g. a company in the
    /// household view), and their measures.
    pub unassigned: BTreeMap<String, f64>,
    /// Per tier.
    pub tiers: Vec<TierSummary>,
}

#[derive(Default)]
struct Acc {
    sums: BTreeMap<String, f64>,
    records: usize,
    interactions: usize,
    first: Option<i32>,
    last: Option<i32>,
}

impl Acc {
    fn add(&mut self, graph: &IdentityGraph, n: u32, wanted: &[String]) {
        let node = &graph.nodes.list[n as usize];
        self.records += 1;
        if !node.measures.is_empty() {
            self.interactions += 1;
        }
        for &(name, v) in node.measures.iter() {
            let name = graph.nodes.name_of(name);
            if wanted.is_empty() || wanted.iter().any(|w| w == name) {
                *self.sums.entry(name.to_owned()).or_default() += v;
            }
        }
        if let Some(d) = node.date {
            self.first = Some(self.first.map_or(d, |f| f.min(d)));
            self.last = Some(self.last.map_or(d, |l| l.max(d)));
        }
    }

    fn finish(mut self) -> (BTreeMap<String, f64>, Option<i32>, Option<i32>) {
        let revenue = self.sums.get("revenue").copied();
        let cost = self.sums.get("costToServe").copied();
        let transactions = self.sums.get("transactions").copied();
        if revenue.is_some() || cost.is_some() {
            let c = revenue.unwrap_or(0.0) - cost.unwrap_or(0.0);
            self.sums.insert("contribution".into(), c);
        }
        self.sums.insert("records".into(), self.records as f64);
        self.sums
            .insert("interactions".into(), self.interactions as f64);
        if let (Some(f), Some(l)) = (self.first, self.last) {
            let months = (f64::from(l - f + 1) / DAYS_PER_MONTH).max(1.0);
            self.sums.insert("months".into(), months);
            if let Some(t) = transactions {
                self.sums.insert("transactionsPerMonth".into(), t / months);
            }
        }
        (self.sums, self.first, self.last)
    }
}

impl IdentityGraph {
    /// Rolls up every live record's measures to its customer in `view`.
    pub fn rollup(&self, view: View, options: &RollupOptions) -> Rollup {
        let mut by: HashMap<super::views::Handle, Acc> = HashMap::new();
        let mut unassigned = Acc::default();
        for n in 0..self.nodes.list.len() as u32 {
            if self.nodes.list[n as usize].removed {
                continue;
            }
            match self.customer_handle(n, view) {
                Some(h) => by.entry(h).or_default().add(self, n, &options.measures),
                None => unassigned.add(self, n, &options.measures),
            }
        }
        let mut customers: Vec<CustomerValue> = by
            .into_iter()
            .map(|(h, acc)| {
                let (measures, first, last) = acc.finish();
                CustomerValue {
                    entity: self.handle_id(h).to_owned(),
                    kind: self.handle_kind(h),
                    measures,
                    first_date: first.map(format_date),
                    last_date: last.map(format_date),
                    tier: String::new(),
                    cumulative_share: 0.0,
                }
            })
            .collect();
        let contribution =
            |c: &CustomerValue| c.measures.get("contribution").copied().unwrap_or(0.0);
        customers.sort_by(|a, b| {
            contribution(b)
                .total_cmp(&contribution(a))
                .then_with(|| a.entity.cmp(&b.entity))
        });
        let positive: f64 = customers
            .iter()
            .map(contribution)
            .filter(|&c| c > 0.0)
            .sum();
        let mut tiers: Vec<TierSummary> = options
            .tiers
            .iter()
            .map(|t| TierSummary {
                name: t.name.clone(),
                customers: 0,
                contribution: 0.0,
            })
            .collect();
        let mut running = 0.0;
        for c in &mut customers {
            let value = contribution(c);
            let before = if positive > 0.0 {
                running / positive
            } else {
                1.0
            };
            let t = if value > 0.0 {
                options
                    .tiers
                    .iter()
                    .position(|t| before < t.up_to)
                    .unwrap_or(options.tiers.len().saturating_sub(1))
            } else {
                options.tiers.len().saturating_sub(1)
            };
            running += value.max(0.0);
            c.cumulative_share = if positive > 0.0 {
                running / positive
            } else {
                0.0
            };
            if let Some(s) = tiers.get_mut(t) {
                c.tier = s.name.clone();
                s.customers += 1;
                s.contribution += value;
            }
        }
        let mut totals: BTreeMap<String, f64> = BTreeMap::new();
        for c in &customers {
            add_totals(&mut totals, &c.measures);
        }
        Rollup {
            view,
            customers,
            totals,
            unassigned: unassigned.finish().0,
            tiers,
        }
    }
}

/// Adds a customer's measures to `totals`; rates (per month) do not add up.
pub(crate) fn add_totals(totals: &mut BTreeMap<String, f64>, measures: &BTreeMap<String, f64>) {
    for (k, v) in measures {
        if !matches!(k.as_str(), "months" | "transactionsPerMonth") {
            *totals.entry(k.clone()).or_default() += v;
        }
    }
}

/// `YYYY-MM-DD` of days since the epoch (inverse of `parse_date`).
pub(crate) fn format_date(days: i32) -> String {
    // Civil from days (H. Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i32::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    use super::super::input::parse_date;
    use super::*;

    #[test]
    fn dates_round_trip() {
        for d in [
            "1970-01-01",
            "2000-02-29",
            "2024-12-31",
            "1899-03-01",
            "2026-11-23",
        ] {
            assert_eq!(format_date(parse_date(d).unwrap()), d);
        }
    }
}
