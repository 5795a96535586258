//! A pseudonymous identity graph: customers, households and corporate
//! families from tokens and CLKs, with stable ids, history, customer views,
//! value roll-ups and segments.
//!
//! Data flow: [`GraphRecord`]s (tokens, CLKs, relations, measures) →
//! `nodes` → same-person links (`persons`: the linker's comparisons and
//! model, with a blocking index that grows) → entities with stable ids
//! (`entities`): persons by chain-guarded clustering, households by shared
//! address and family name, organisations by D-U-N-S or company keys →
//! views (`views`), roll-ups (`value`) and segments (`segments`) → a
//! versioned JSON document (`document`).
//!
//! ```
//! use pseudolink::identity::{GraphConfig, GraphRecord, IdentityGraph, View};
//!
//! let mut graph = IdentityGraph::new(GraphConfig::default())?;
//! let records = GraphRecord::many_from_json(r#"[
//!   {"system": "erp", "id": "ACME-HQ", "kind": "organisation"},
//!   {"system": "erp", "id": "INV-1", "kind": "interaction",
//!    "relations": [{"type": "billTo", "to": {"id": "ACME-HQ"}}],
//!    "measures": {"revenue": 1200, "costToServe": 200}, "date": "2026-03-01"}
//! ]"#)?;
//! graph.add_records(&records).map_err(|(_, e)| e)?;
//! graph.resolve(&mut |_, _, _| {})?;
//! let invoice = pseudolink::identity::RecordRef::new("erp", "", "INV-1");
//! let customer = graph.customer_of(&invoice, View::Billing)?.expect("billed");
//! let rollup = graph.rollup(View::Billing, &Default::default());
//! assert_eq!(rollup.customers[0].entity, customer);
//! assert_eq!(rollup.customers[0].measures["contribution"], 1000.0);
//! # Ok::<(), pseudolink::Error>(())
//! ```

mod config;
mod document;
mod entities;
mod graph;
mod input;
mod nodes;
mod persons;
mod queries;
mod report;
mod segments;
mod value;
mod views;

pub use config::{graph_link_config, GraphConfig, HouseholdRules, PersonEvidence};
pub use document::{GRAPH_FORMAT, GRAPH_VERSION};
pub use entities::{EntityKind, Event, EventKind, Reason};
pub use graph::{IdentityGraph, ResolveSummary};
pub use input::{
    GraphRecord, HierarchyEdge, HierarchyRelation, OrgUnit, RecordKind, RecordRef, Relation,
    RelationTarget, RelationType, MAX_MEASURE_NAME,
};
pub use queries::{GraphMatch, RecordFilter};
pub use report::{EntityInfo, PersonLink, Related, Role};
pub use segments::{Op, Rule, Segment, SegmentRequest, SegmentRule, Segments};
pub use value::{CustomerValue, Rollup, RollupOptions, Tier, TierSummary, DERIVED_MEASURES};
pub use views::View;
