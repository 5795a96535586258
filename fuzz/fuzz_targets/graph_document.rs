//! Identity graph documents (`IdentityGraph::from_json`, what
//! `IdentityGraph.fromJSON` takes from a file): parsed, and when accepted,
//! queried, re-resolved, grown by a record and exported again.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pseudolink::identity::{GraphRecord, IdentityGraph};
use pseudolink_fuzz::text;

const EXTRA: &str =
    r#"[{"system":"fuzz","id":"x1","tokens":["pl1.email.k1.AAAAAAAAAAAAAAAAAAAAAA"]}]"#;

fuzz_target!(|data: &[u8]| {
    let Ok(mut graph) = IdentityGraph::from_json(&text(data)) else {
        return;
    };
    pseudolink_fuzz::query_graph(&graph);
    let doc = graph.to_json();
    let back = IdentityGraph::from_json(&doc).expect("an exported graph parses");
    pseudolink_fuzz::assert_same_document(&back.to_json(), &doc);
    let extra = GraphRecord::many_from_json(EXTRA).expect("valid");
    let _ = graph.add_records(&extra);
    if graph.resolve(&mut |_, _, _| {}).is_ok() {
        pseudolink_fuzz::query_graph(&graph);
        let _ = graph.to_json();
    }
});
