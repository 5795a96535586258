//! Writes the structured seed corpora (valid inputs the fuzzer mutates) into
//! `<dir>/<target>/`: encoded records, graph records, a graph document and
//! oblivious wire messages, made by the library itself so they always match
//! the current formats. scripts/fuzz.sh runs it before fuzzing; the seeds
//! drawn from tests/vectors are written by the script itself.
//!
//!     cargo run --manifest-path fuzz/Cargo.toml --example seeds -- <dir>

use pseudolink::identity::{GraphConfig, GraphRecord, IdentityGraph};
use pseudolink::link::EncodedRecord;
use pseudolink::{
    ClkSchema, Field, IdentityDefinition, Pseudonymizer, Record, RecordEncoder, Secret,
    DEFAULT_CLK_SCHEMA,
};
use pseudolink_fuzz::oblivious::fixture;
use std::path::Path;

const DEFINITION: &str = r#"{"version":1,
  "fields":["email","phone","firstName","lastName","street","city","postalCode","dateOfBirth","companyName","duns"],
  "matchKeys":[
    {"name":"nameDob","parts":[{"field":"lastName"},{"field":"firstName","take":"initial"},{"field":"dateOfBirth"}]},
    {"name":"addressName","parts":[{"field":"postalCode"},{"field":"street","take":"streetNumber"},{"field":"lastName"}]}],
  "defaultRegion":"US","dateOrder":"mdy"}"#;

const PEOPLE: [&[(Field, &str)]; 4] = [
    &[
        (Field::Email, "Jane.Doe@example.com"),
        (Field::FirstName, "Jane"),
        (Field::LastName, "Doe"),
        (Field::Street, "12 Main St"),
        (Field::PostalCode, "94105"),
        (Field::DateOfBirth, "03/04/1990"),
    ],
    &[
        (Field::Phone, "+1 415 555 0123"),
        (Field::FirstName, "Jayne"),
        (Field::LastName, "Doe"),
        (Field::Street, "12 Main Street"),
        (Field::PostalCode, "94105"),
    ],
    &[
        (Field::Email, "john@example.org"),
        (Field::FirstName, "John"),
        (Field::LastName, "Doe"),
        (Field::Street, "12 Main St"),
        (Field::PostalCode, "94105"),
    ],
    &[
        (Field::CompanyName, "Acme Corp"),
        (Field::Duns, "150483782"),
        (Field::PostalCode, "10001"),
    ],
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args().nth(1).ok_or("usage: seeds <dir>")?;
    let dir = Path::new(&dir);
    let def = IdentityDefinition::from_json(DEFINITION)?;
    let p = Pseudonymizer::new(vec![("k1".into(), Secret::new(vec![5; 32])?)], def)?;
    let enc = RecordEncoder::with_clks(p, &ClkSchema::from_json(DEFAULT_CLK_SCHEMA)?, &[6; 32])?;
    let encoded: Vec<EncodedRecord> = PEOPLE
        .iter()
        .enumerate()
        .map(|(i, fields)| {
            let mut r = Record::new();
            for (f, v) in fields.iter() {
                r.set(*f, *v);
            }
            enc.encode(&format!("r{i}"), &r).record
        })
        .collect();
    let write = |target: &str, name: &str, bytes: &[u8]| -> std::io::Result<()> {
        let d = dir.join(target);
        std::fs::create_dir_all(&d)?;
        std::fs::write(d.join(name), bytes)
    };

    // encoded_record: config\0params\0recordsA\0recordsB
    let a = serde_json::to_string(&encoded[..2])?;
    let b = serde_json::to_string(&encoded[2..])?;
    write(
        "encoded_record",
        "link",
        format!("{{}}\0\0{a}\0{b}").as_bytes(),
    )?;
    write(
        "encoded_record",
        "one",
        serde_json::to_string(&encoded[0])?.as_bytes(),
    )?;

    // graph_records: config\0hierarchy\0segments\0records
    let mut records: Vec<serde_json::Value> = encoded
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let mut v = serde_json::to_value(e).expect("serialises");
            v["system"] = "crm".into();
            v["kind"] = if i == 3 { "organisation" } else { "person" }.into();
            if i == 0 {
                v["relations"] = serde_json::json!([{"type": "buyer", "to": {"id": "r3"}}]);
            }
            v
        })
        .collect();
    records.push(serde_json::json!({
        "system": "erp", "id": "INV-1", "kind": "interaction",
        "relations": [{"type": "billTo", "to": {"system": "crm", "id": "r3"}}],
        "measures": {"revenue": 1200, "costToServe": 200}, "date": "2026-03-01"
    }));
    records.push(serde_json::json!({
        "system": "crm", "id": "h1", "household": "hh-1",
        "tokens": [encoded[2].tokens.first().cloned().unwrap_or_default()]
    }));
    let records_json = serde_json::to_string(&records)?;
    let segments = r#"{"view":"billing","segments":[{"name":"big","rule":{"measure":"revenue","op":">=","value":100}}]}"#;
    write(
        "graph_records",
        "mixed",
        format!("{{}}\0[]\0{segments}\0{records_json}").as_bytes(),
    )?;

    // graph_document: an exported graph of those records.
    let graph_records = GraphRecord::many_from_json(&records_json)?;
    let mut graph = IdentityGraph::new(GraphConfig::default())?;
    graph.add_records(&graph_records).map_err(|(_, e)| e)?;
    graph.resolve(&mut |_, _, _| {})?;
    write("graph_document", "mixed", graph.to_json().as_bytes())?;
    let empty = IdentityGraph::new(GraphConfig::default())?;
    write("graph_document", "empty", empty.to_json().as_bytes())?;

    // oblivious_client: mode 0 + the real answers; oblivious_evaluator: mode 0 + a request.
    let f = fixture();
    let mut bytes = vec![0u8];
    bytes.extend(serde_json::to_vec(&f.responses)?);
    write("oblivious_client", "answers", &bytes)?;
    let mut bytes = vec![0u8];
    bytes.extend(serde_json::to_vec(&f.batch.request(f.keys[0].version()))?);
    write("oblivious_evaluator", "request", &bytes)?;

    // tokenize: definition\0record
    write(
        "tokenize",
        "record",
        format!(
            "{}\0{{\"email\":\"Jane.Doe@example.com\",\"phone\":\"(415) 555-0123\",\"firstName\":\"Jane\",\"lastName\":\"Doe\",\"street\":\"12 Main St\",\"postalCode\":\"94105\",\"dateOfBirth\":\"1990-04-03\"}}",
            DEFINITION.replace('\n', " ")
        )
        .as_bytes(),
    )?;
    Ok(())
}
