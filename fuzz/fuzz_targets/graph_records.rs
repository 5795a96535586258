//! Identity graph records: a graph configuration, hierarchy edges, a segment
//! request and records parsed from JSON, added, resolved and queried through
//! every view; the exported document must parse back to the same document.
//! Input: `config\0hierarchy\0segments\0records` (a config that does not
//! parse takes the default).
#![no_main]

use libfuzzer_sys::fuzz_target;
use pseudolink::identity::{
    EntityKind, GraphConfig, GraphRecord, HierarchyEdge, IdentityGraph, SegmentRequest, View,
};
use pseudolink_fuzz::{split_header, text};

fuzz_target!(|data: &[u8]| {
    let (h, records) = split_header(data, 3);
    let Ok(records) = GraphRecord::many_from_json(&text(records)) else {
        return;
    };
    let mut config = GraphConfig::from_json(&text(h[0])).unwrap_or_default();
    pseudolink_fuzz::tame(&mut config.link);
    let Ok(mut graph) = IdentityGraph::new(config) else {
        return;
    };
    if graph.add_records(&records).is_err() {
        return;
    }
    if let Ok(edges) = HierarchyEdge::many_from_json(&text(h[1])) {
        let _ = graph.add_hierarchy(&edges);
    }
    if graph.resolve(&mut |_, _, _| {}).is_err() {
        return;
    }
    pseudolink_fuzz::query_graph(&graph);
    if let Ok(request) = SegmentRequest::from_json(&text(h[2])) {
        let _ = graph.segments(&request);
    }
    for kind in [EntityKind::Person, EntityKind::Household] {
        if let Some(id) = graph.entity_ids(kind).first() {
            let _ = graph.entity(id);
            let _ = graph.history(id);
            let _ = graph.records_of(View::Household, id);
        }
    }
    let doc = graph.to_json();
    let back = IdentityGraph::from_json(&doc).expect("an exported graph parses");
    pseudolink_fuzz::assert_same_document(&back.to_json(), &doc);
    if let Some(first) = records.first() {
        let _ = graph.remove_records(&[first.record_ref()]);
        let _ = graph.resolve(&mut |_, _, _| {});
    }
});
