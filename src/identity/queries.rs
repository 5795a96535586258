//! Queries the edges need so that no page or worker reads the graph
//! document itself: a copy, the records of a system in the order they were
//! added, customers of many records at once, and encoded rows linked against
//! the graph's person records.

use super::input::{GraphRecord, RecordKind, RecordRef};
use super::views::{Handle, View};
use super::{EntityKind, IdentityGraph};
use crate::error::{Error, ErrorCode, Subject};
use crate::link::{EncodedRecord, Linker, Progress};
use crate::RowError;
use serde::{Deserialize, Serialize};

impl EntityKind {
    /// Every kind, in declaration order.
    pub const ALL: [EntityKind; 5] = [
        EntityKind::Person,
        EntityKind::Household,
        EntityKind::LegalEntity,
        EntityKind::Site,
        EntityKind::BusinessUnit,
    ];

    /// The wire name (`person`, `household`, `legalEntity`, `site`, `businessUnit`).
    pub const fn as_str(self) -> &'static str {
        match self {
            EntityKind::Person => "person",
            EntityKind::Household => "household",
            EntityKind::LegalEntity => "legalEntity",
            EntityKind::Site => "site",
            EntityKind::BusinessUnit => "businessUnit",
        }
    }

    /// The kind whose [`as_str`](EntityKind::as_str) is `name`, if any.
    pub fn parse(name: &str) -> Option<EntityKind> {
        EntityKind::ALL.into_iter().find(|k| k.as_str() == name)
    }
}

/// Which records [`IdentityGraph::records`] lists; an absent part matches all.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct RecordFilter {
    /// Only records of this system.
    pub system: Option<String>,
    /// Only records of this kind.
    pub kind: Option<RecordKind>,
}

/// One encoded row linked to a person record of the graph
/// ([`IdentityGraph::link_encoded`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GraphMatch {
    /// Index of the row in the call's input.
    pub row: usize,
    /// The graph's person record it links to.
    pub record: RecordRef,
    /// That record's person entity (`None` before the first resolve).
    pub person: Option<String>,
    /// Probability of the link.
    pub probability: f64,
    /// Match weight in bits.
    pub match_weight: f64,
}

impl GraphRecord {
    /// A person record of `system` (channel `''`) from an encoded record:
    /// its id, tokens, match keys and CLKs, nothing else.
    pub fn person(system: &str, record: EncodedRecord) -> GraphRecord {
        GraphRecord {
            system: system.to_owned(),
            channel: String::new(),
            id: record.id,
            kind: RecordKind::Person,
            unit: None,
            tokens: record.tokens,
            match_keys: record.match_keys,
            clks: record.clks,
            relations: Vec::new(),
            household: None,
            measures: Default::default(),
            date: None,
        }
    }
}

impl IdentityGraph {
    /// A separate copy (through the graph's own document, in Rust: ids,
    /// links and history as [`IdentityGraph::to_json`] keeps them; records
    /// added since the last resolve are not in a document and not copied).
    pub fn try_clone(&self) -> Result<IdentityGraph, Error> {
        IdentityGraph::from_json(&self.to_json())
    }

    /// The live records that pass `filter`, in the order they were added
    /// (a document keeps that order, so a loaded graph lists them alike).
    pub fn records(&self, filter: &RecordFilter) -> Vec<RecordRef> {
        let system = match &filter.system {
            Some(s) => match self.nodes.name_id(s) {
                Some(id) => Some(id),
                None => return Vec::new(),
            },
            None => None,
        };
        (0..self.nodes.list.len() as u32)
            .filter(|&n| {
                let node = &self.nodes.list[n as usize];
                !node.removed
                    && system.is_none_or(|s| node.system == s)
                    && filter.kind.is_none_or(|k| node.kind == k)
            })
            .map(|n| self.nodes.record_ref(n))
            .collect()
    }

    /// [`IdentityGraph::customer_of`] for many records in one call; an
    /// unknown or erased record is `identity.unknown_record` with its index.
    pub fn customers_of(
        &self,
        records: &[RecordRef],
        view: View,
    ) -> Result<Vec<Option<String>>, RowError> {
        records
            .iter()
            .enumerate()
            .map(|(row, r)| {
                self.customer_of(r, view)
                    .map_err(|error| RowError { row, error })
            })
            .collect()
    }

    /// Links encoded rows (a partner's, a new file's) against the graph's
    /// live person records with the graph's linking configuration: its
    /// parameters when it has them (given or trained by a resolve), else
    /// EM on this job. One-to-one unless the configuration says otherwise;
    /// each link names the row (by index, so rows' own ids need not be
    /// unique), the record and its person. The graph is not changed.
    pub fn link_encoded(
        &self,
        rows: &[EncodedRecord],
        progress: Progress<'_>,
    ) -> Result<Vec<GraphMatch>, Error> {
        let mut linker = Linker::new(self.config.link.clone())?;
        if let Some(p) = &self.config.params {
            linker.set_params(p.clone())?;
        }
        let rows: Vec<EncodedRecord> = rows
            .iter()
            .enumerate()
            .map(|(i, r)| EncodedRecord {
                id: i.to_string(),
                ..r.clone()
            })
            .collect();
        let persons: Vec<u32> = (0..self.nodes.list.len() as u32)
            .filter(|&n| {
                let node = &self.nodes.list[n as usize];
                !node.removed && node.kind == RecordKind::Person
            })
            .collect();
        let known: Vec<EncodedRecord> = persons
            .iter()
            .enumerate()
            .map(|(i, &n)| EncodedRecord {
                id: i.to_string(),
                ..self.encoded_of(n)
            })
            .collect();
        let result = linker.link(&rows, &known, progress)?;
        let index = |s: &str| s.parse::<usize>().ok();
        let bad = || Error::new(Subject::Record, ErrorCode::RecordInvalid);
        result
            .links
            .iter()
            .map(|l| {
                let row = index(&l.a).ok_or_else(bad)?;
                let n = *index(&l.b).and_then(|i| persons.get(i)).ok_or_else(bad)?;
                Ok(GraphMatch {
                    row,
                    record: self.nodes.record_ref(n),
                    person: self
                        .person_reg
                        .of(n)
                        .map(|s| self.handle_id(Handle::Person(s)).to_owned()),
                    probability: l.probability,
                    match_weight: l.match_weight,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tok(subject: &str, byte: u8) -> String {
        format!("pl1.{subject}.k1.{}", crate::base64_url(&[byte; 32]))
    }

    fn person(system: &str, id: &str, email: u8) -> GraphRecord {
        GraphRecord::many_from_json(&format!(
            r#"[{{"system":"{system}","id":"{id}","tokens":["{}","{}"]}}]"#,
            tok("email", email),
            tok("phone", email)
        ))
        .unwrap()
        .remove(0)
    }

    fn graph() -> IdentityGraph {
        let mut g = IdentityGraph::new(Default::default()).unwrap();
        g.add_records(&[
            person("crm", "1", 1),
            person("shop", "a", 1),
            person("crm", "2", 2),
        ])
        .unwrap();
        g.resolve(&mut |_, _, _| {}).unwrap();
        g
    }

    #[test]
    fn entity_kind_names_round_trip() {
        for k in EntityKind::ALL {
            assert_eq!(EntityKind::parse(k.as_str()), Some(k));
            assert_eq!(serde_json::to_value(k).unwrap(), k.as_str());
        }
        assert_eq!(EntityKind::parse("Person"), None);
    }

    #[test]
    fn records_in_added_order_and_through_a_copy() {
        let g = graph();
        let crm = RecordFilter {
            system: Some("crm".into()),
            kind: Some(RecordKind::Person),
        };
        let ids: Vec<String> = g.records(&crm).into_iter().map(|r| r.id).collect();
        assert_eq!(ids, ["1", "2"]);
        assert_eq!(g.records(&RecordFilter::default()).len(), 3);
        let none = RecordFilter {
            system: Some("nope".into()),
            kind: None,
        };
        assert!(g.records(&none).is_empty());
        let copy = g.try_clone().unwrap();
        assert_eq!(copy.records(&crm), g.records(&crm));
        assert_eq!(copy.counts(), g.counts());
        assert_eq!(
            copy.entity_ids(EntityKind::Person),
            g.entity_ids(EntityKind::Person)
        );
    }

    #[test]
    fn customers_of_many_and_the_bad_row() {
        let g = graph();
        let refs = g.records(&RecordFilter::default());
        let batch = g.customers_of(&refs, View::Billing).unwrap();
        for (r, c) in refs.iter().zip(&batch) {
            assert_eq!(&g.customer_of(r, View::Billing).unwrap(), c);
        }
        let mut bad = refs.clone();
        bad.insert(1, RecordRef::new("crm", "", "missing"));
        let e = g.customers_of(&bad, View::Billing).unwrap_err();
        assert_eq!(
            (e.row, e.error.code()),
            (1, ErrorCode::IdentityUnknownRecord)
        );
    }

    #[test]
    fn encoded_rows_link_to_the_graphs_persons() {
        let g = graph();
        let row = |id: &str, b: u8| EncodedRecord {
            id: id.into(),
            tokens: vec![tok("email", b), tok("phone", b)],
            ..EncodedRecord::default()
        };
        // Rows' own ids may repeat: rows are named by index.
        let rows = [row("x", 9), row("x", 2)];
        let m = g.link_encoded(&rows, &mut |_, _, _| {}).unwrap();
        assert_eq!(m.len(), 1);
        assert_eq!((m[0].row, m[0].record.id.as_str()), (1, "2"));
        let want = g.customer_of(&m[0].record, View::Billing).unwrap();
        assert_eq!(m[0].person, want);
        assert!(m[0].probability >= 0.5);
    }
}
