//! Business-rule segments over a view's roll-up, written as JSON rules:
//!
//! ```json
//! {"all": [{"measure": "contribution", "op": ">", "value": 10000},
//!          {"measure": "transactionsPerMonth", "op": ">", "value": 5}]}
//! ```
//!
//! A rule is `{"all": [rules]}`, `{"any": [rules]}`, `{"not": rule}`, a
//! comparison `{"measure", "op" (> >= < <= == !=), "value"}`, or
//! `{"tier": "A"}`. A customer without the measure fails the comparison.

use super::graph::IdentityGraph;
use super::value::{add_totals, CustomerValue, RollupOptions, Tier, DERIVED_MEASURES};
use super::views::View;
use crate::error::{Error, ErrorCode, Subject};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// Deepest nesting of `all`/`any`/`not` a rule may have.
const MAX_DEPTH: usize = 16;

/// A parsed rule.
#[derive(Debug, Clone, PartialEq)]
pub enum Rule {
    /// Every sub-rule holds.
    All(Vec<Rule>),
    /// Some sub-rule holds.
    Any(Vec<Rule>),
    /// The sub-rule does not hold.
    Not(Box<Rule>),
    /// A measure compared with a number.
    Compare {
        /// The measure.
        measure: String,
        /// The operator.
        op: Op,
        /// The number.
        value: f64,
    },
    /// The customer is in this value tier.
    Tier(String),
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `==`
    Eq,
    /// `!=`
    Ne,
}

fn invalid() -> Error {
    Error::new(Subject::Graph, ErrorCode::SegmentInvalidRule)
}

impl Rule {
    /// Parses a rule from its JSON value.
    pub fn parse(v: &Value) -> Result<Rule, Error> {
        Self::parse_at(v, 0)
    }

    fn parse_at(v: &Value, depth: usize) -> Result<Rule, Error> {
        let obj = v.as_object().ok_or(invalid())?;
        if depth > MAX_DEPTH || obj.is_empty() {
            return Err(invalid());
        }
        let list = |v: &Value| -> Result<Vec<Rule>, Error> {
            let items = v.as_array().filter(|a| !a.is_empty()).ok_or(invalid())?;
            items.iter().map(|r| Self::parse_at(r, depth + 1)).collect()
        };
        let only = |key: &str| obj.len() == 1 && obj.contains_key(key);
        if only("all") {
            return Ok(Rule::All(list(&obj["all"])?));
        }
        if only("any") {
            return Ok(Rule::Any(list(&obj["any"])?));
        }
        if only("not") {
            return Ok(Rule::Not(Box::new(Self::parse_at(&obj["not"], depth + 1)?)));
        }
        if only("tier") {
            let t = obj["tier"]
                .as_str()
                .filter(|t| !t.is_empty())
                .ok_or(invalid())?;
            return Ok(Rule::Tier(t.into()));
        }
        let keys_ok = obj.len() == 3
            && ["measure", "op", "value"]
                .iter()
                .all(|k| obj.contains_key(*k));
        if !keys_ok {
            return Err(invalid());
        }
        let measure = obj["measure"]
            .as_str()
            .filter(|m| !m.is_empty())
            .ok_or(invalid())?;
        let op = match obj["op"].as_str() {
            Some(">") => Op::Gt,
            Some(">=") => Op::Ge,
            Some("<") => Op::Lt,
            Some("<=") => Op::Le,
            Some("==") => Op::Eq,
            Some("!=") => Op::Ne,
            _ => return Err(invalid()),
        };
        let value = obj["value"]
            .as_f64()
            .filter(|v| v.is_finite())
            .ok_or(invalid())?;
        Ok(Rule::Compare {
            measure: measure.into(),
            op,
            value,
        })
    }

    /// Whether a customer satisfies the rule.
    pub fn holds(&self, c: &CustomerValue) -> bool {
        match self {
            Rule::All(rs) => rs.iter().all(|r| r.holds(c)),
            Rule::Any(rs) => rs.iter().any(|r| r.holds(c)),
            Rule::Not(r) => !r.holds(c),
            Rule::Tier(t) => &c.tier == t,
            Rule::Compare { measure, op, value } => match c.measures.get(measure) {
                None => false,
                Some(&m) => match op {
                    Op::Gt => m > *value,
                    Op::Ge => m >= *value,
                    Op::Lt => m < *value,
                    Op::Le => m <= *value,
                    Op::Eq => m == *value,
                    Op::Ne => m != *value,
                },
            },
        }
    }

    fn measures<'a>(&'a self, out: &mut Vec<&'a str>) {
        match self {
            Rule::All(rs) | Rule::Any(rs) => rs.iter().for_each(|r| r.measures(out)),
            Rule::Not(r) => r.measures(out),
            Rule::Compare { measure, .. } => out.push(measure),
            Rule::Tier(_) => {}
        }
    }
}

/// A named segment as given.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SegmentRule {
    /// Its name.
    pub name: String,
    /// The rule (see the module docs).
    pub rule: Value,
}

/// What `IdentityGraph.segments` takes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SegmentRequest {
    /// The view whose customers are segmented.
    pub view: View,
    /// Value tiers (default: the Pareto split of [`RollupOptions`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tiers: Option<Vec<Tier>>,
    /// The segments.
    pub segments: Vec<SegmentRule>,
}

/// One segment's members.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Segment {
    /// Its name.
    pub name: String,
    /// Customer entity ids, by contribution descending.
    pub customers: Vec<String>,
    /// Sums of their measures.
    pub totals: BTreeMap<String, f64>,
}

/// What `IdentityGraph.segments` returns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Segments {
    /// The view.
    pub view: View,
    /// One entry per requested segment, in order.
    pub segments: Vec<Segment>,
}

impl SegmentRequest {
    /// Parses a request from JSON (`segment.invalid_rule` when malformed).
    pub fn from_json(json: &str) -> Result<Self, Error> {
        serde_json::from_str(json).map_err(|_| invalid())
    }
}

impl IdentityGraph {
    /// Evaluates segments over the view's roll-up. A rule naming a measure
    /// that is neither derived nor on any record is `segment.unknown_measure`.
    pub fn segments(&self, request: &SegmentRequest) -> Result<Segments, Error> {
        let mut rules = Vec::with_capacity(request.segments.len());
        for s in &request.segments {
            let rule = Rule::parse(&s.rule)?;
            let mut names = Vec::new();
            rule.measures(&mut names);
            for m in names {
                if !DERIVED_MEASURES.contains(&m) && self.nodes.name_id(m).is_none() {
                    return Err(Error::new(Subject::Graph, ErrorCode::SegmentUnknownMeasure));
                }
            }
            rules.push(rule);
        }
        let mut options = RollupOptions::default();
        if let Some(t) = &request.tiers {
            options.tiers = t.clone();
        }
        let rollup = self.rollup(request.view, &options);
        let segments = request
            .segments
            .iter()
            .zip(&rules)
            .map(|(s, rule)| {
                let mut totals: BTreeMap<String, f64> = BTreeMap::new();
                let mut customers = Vec::new();
                for c in rollup.customers.iter().filter(|c| rule.holds(c)) {
                    customers.push(c.entity.clone());
                    add_totals(&mut totals, &c.measures);
                }
                Segment {
                    name: s.name.clone(),
                    customers,
                    totals,
                }
            })
            .collect();
        Ok(Segments {
            view: request.view,
            segments,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn rules_parse_and_reject_what_they_should() {
        let r = Rule::parse(&json!({"all": [
            {"measure": "contribution", "op": ">", "value": 100},
            {"not": {"tier": "C"}}
        ]}))
        .unwrap();
        assert!(matches!(r, Rule::All(ref v) if v.len() == 2));
        for bad in [
            json!({}),
            json!({"all": []}),
            json!({"measure": "x", "op": "~", "value": 1}),
            json!({"measure": "x", "op": ">", "value": "1"}),
            json!({"measure": "x", "op": ">", "value": 1, "extra": 1}),
            json!({"any": [{"tier": ""}]}),
            json!([1]),
        ] {
            assert_eq!(
                Rule::parse(&bad).unwrap_err().code(),
                ErrorCode::SegmentInvalidRule
            );
        }
    }
}
