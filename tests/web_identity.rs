//! The identity graph's JS API in the browser (wasm-bindgen-test, headless
//! Chromium and Firefox, `--features link`), called the way JavaScript calls
//! it: a married couple among generated customers (two persons, one
//! household), a B2B account seen by billing, service, sales and the group,
//! the JSON document round trip, typed errors with rows, and progress.
//! Every token is made from raw values by the crate's `Pseudonymizer` or
//! `RecordEncoder`; linking parameters are trained once on generated data.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: failing loudly is the point
#![cfg(all(target_arch = "wasm32", feature = "identity"))]

use pseudolink::wasm::identity::{GraphConfigJs, IdentityGraph, RollupOptionsJs};
use pseudolink::wasm::link::{Linker, RecordEncoder};
use pseudolink::wasm::Pseudonymizer;
use pseudolink_synth::{link, Config, Row};
use serde_json::{json, Value};
use std::cell::OnceCell;
use std::collections::{BTreeMap, BTreeSet};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;
use web_support::{
    assert_waterfall_adds_up, code_of, default_clk_options, js, jv, key_list, prop, row_of,
    string_pairs, to_json,
};

mod web_support;

wasm_bindgen_test_configure!(run_in_browser);

/// Persons: the linker's fields, plus the `addressName` match key the
/// household rule reads (postal code + street number + family name).
const PERSON_DEFINITION: &str = r#"{"version":1,
  "fields":["email","phone","firstName","lastName","street","city","postalCode","dateOfBirth"],
  "matchKeys":[{"name":"addressName","parts":[{"field":"postalCode"},{"field":"street","take":"streetNumber"},{"field":"lastName"}]}],
  "defaultRegion":"US","dateOrder":"mdy"}"#;

/// Organisations and B2B contacts.
const B2B_DEFINITION: &str = r#"{"version":1,
  "fields":["email","firstName","lastName","companyName","duns","postalCode"],"defaultRegion":"US"}"#;

/// Linking that counts the address once (street), not three times
/// (street, city, postal code). With the default comparisons, and
/// parameters trained on generated customers (who never share a home), a
/// husband and wife with one surname and one address score p ≈ 0.999:
/// agreeing street, city and postal code (+25 bits) outweigh disagreeing
/// e-mail, phone, date of birth and first name (−12 bits).
const LINK_CONFIG: &str = r#"{"comparisons":[
  {"name":"email","kind":"token","source":"email","tfAdjustment":true},
  {"name":"phone","kind":"token","source":"phone","tfAdjustment":true},
  {"name":"dateOfBirth","kind":"token","source":"dateOfBirth","tfAdjustment":true},
  {"name":"firstName","kind":"clk","source":"firstName","thresholds":[0.95,0.85,0.7]},
  {"name":"lastName","kind":"clk","source":"lastName","thresholds":[0.95,0.85,0.7]},
  {"name":"street","kind":"clk","source":"street","thresholds":[0.95,0.85,0.7]}]}"#;

const VIEWS: [&str; 5] = ["billing", "service", "sales", "group", "household"];

fn key(id: &str, byte: u8) -> JsValue {
    key_list(id, byte)
}

fn encoder() -> RecordEncoder {
    RecordEncoder::new(
        key("k1", 3),
        js(PERSON_DEFINITION),
        Some(default_clk_options(4).unchecked_into()),
    )
    .unwrap()
}

/// Raw contact rows (fields + id) → encoded person graph records of `system`.
fn persons(enc: &RecordEncoder, system: &str, rows: &[Value]) -> Vec<Value> {
    let encoded = to_json(
        &enc.encode_batch(jv(&Value::from(rows.to_vec())), None)
            .unwrap(),
    );
    encoded
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let mut r = e.clone();
            r["system"] = system.into();
            r
        })
        .collect()
}

fn synth_rows(rows: &[Row]) -> Vec<Value> {
    rows.iter()
        .map(|r| {
            let mut m: serde_json::Map<String, Value> =
                r.present().map(|(k, v)| (k.to_owned(), v.into())).collect();
            m.insert("id".into(), r.id.clone().into());
            m.into()
        })
        .collect()
}

thread_local! {
    static PARAMS: OnceCell<Value> = const { OnceCell::new() };
}

/// Fellegi–Sunter parameters for [`LINK_CONFIG`], trained once by a
/// `Linker` on generated customers (EM on a handful of records would mean
/// nothing).
fn trained_params() -> Value {
    PARAMS.with(|p| {
        p.get_or_init(|| {
            let data = link(&Config::new(31), 600, 0.5);
            let enc = encoder();
            let a = enc
                .encode_batch(jv(&synth_rows(&data.a).into()), None)
                .unwrap();
            let b = enc
                .encode_batch(jv(&synth_rows(&data.b).into()), None)
                .unwrap();
            let mut linker = Linker::new(Some(js(LINK_CONFIG).unchecked_into())).unwrap();
            let r = to_json(&linker.link(a, b, None).unwrap());
            assert_eq!(r["stats"]["trained"], true);
            assert_eq!(r["stats"]["implausibleModel"], false);
            r["params"].clone()
        })
        .clone()
    })
}

fn js_value(json: &str) -> Value {
    serde_json::from_str(json).unwrap()
}

/// A graph configuration with [`LINK_CONFIG`] and its parameters.
fn linked(params: Value) -> Option<GraphConfigJs> {
    config(json!({"link": js_value(LINK_CONFIG), "params": params}))
}

fn config(v: Value) -> Option<GraphConfigJs> {
    Some(jv(&v).unchecked_into())
}

fn rref(system: &str, id: &str) -> JsValue {
    jv(&json!({"system": system, "id": id}))
}

fn customer(g: &IdentityGraph, system: &str, id: &str, view: &str) -> Option<String> {
    g.customer_of(rref(system, id), view.into())
        .unwrap()
        .as_string()
}

/// `{onProgress}` pushing `stage:done/total` into `calls`.
fn counting(calls: &js_sys::Array) -> JsValue {
    let f =
        js_sys::Function::new_with_args("p", "this.push(p.stage + ':' + p.done + '/' + p.total)");
    let o = js_sys::Object::new();
    js_sys::Reflect::set(&o, &"onProgress".into(), &f.bind0(calls)).unwrap();
    o.into()
}

fn strings(a: &js_sys::Array) -> Vec<String> {
    a.iter().map(|s| s.as_string().unwrap()).collect()
}

/// John Smith (shop and CRM, the CRM one in capitals with a nickname
/// e-mail gone) and Mary Smith at the same address.
fn couple(enc: &RecordEncoder) -> Vec<Value> {
    let john = json!({"id": "S-1001", "firstName": "John", "lastName": "Smith",
        "email": "john.smith@example.com", "phone": "(217) 555-0142",
        "street": "742 Evergreen Terrace", "city": "Springfield", "postalCode": "62704",
        "dateOfBirth": "03/14/1968"});
    let john_crm = json!({"id": "C-77", "firstName": "JOHN", "lastName": "SMITH",
        "email": "john.smith@example.com", "phone": "+1 217 555 0142",
        "street": "742 Evergreen Ter", "city": "Springfield", "postalCode": "62704",
        "dateOfBirth": "03/14/1968"});
    let mary = json!({"id": "S-1002", "firstName": "Mary", "lastName": "Smith",
        "email": "mary.s@example.net", "phone": "(217) 555-0199",
        "street": "742 Evergreen Terrace", "city": "Springfield", "postalCode": "62704",
        "dateOfBirth": "09/02/1970"});
    let mut out = persons(enc, "shop", &[john, mary]);
    out.extend(persons(enc, "crm", &[john_crm]));
    for r in &out {
        assert!(r["errors"].as_array().unwrap().is_empty(), "{r}");
    }
    out
}

#[wasm_bindgen_test]
fn a_married_couple_is_two_persons_in_one_household() {
    let params = trained_params();
    let enc = encoder();
    // The couple among other customers, as a shop's graph would hold them:
    // term frequencies come from the graph's own records.
    let background = link(&Config::new(77), 300, 0.0).a;
    let mut records = persons(&enc, "crm", &synth_rows(&background));
    records.extend(couple(&enc));
    let mut g = IdentityGraph::new(linked(params.clone())).unwrap();
    g.add_records(jv(&records.clone().into()), None).unwrap();
    assert_eq!(g.size(), records.len());
    let stages = js_sys::Array::new();
    let summary = to_json(&g.resolve(Some(counting(&stages).unchecked_into())).unwrap());
    assert_eq!(summary["trained"], false, "given parameters are used");
    assert_eq!(summary["records"], records.len());
    let staged = strings(&stages);
    for stage in ["block:1/1", "score:", "entities:3/3"] {
        assert!(staged.iter().any(|s| s.starts_with(stage)), "{staged:?}");
    }
    assert!(!staged.iter().any(|s| s.starts_with("em:")), "{staged:?}");

    let john = customer(&g, "shop", "S-1001", "billing").unwrap();
    let john_crm = customer(&g, "crm", "C-77", "billing").unwrap();
    let mary = customer(&g, "shop", "S-1002", "billing").unwrap();
    assert_eq!(john, john_crm, "John's shop and CRM records are one person");
    assert_ne!(
        john, mary,
        "a shared address and name do not make one person"
    );
    let household = customer(&g, "shop", "S-1001", "household").unwrap();
    assert_eq!(
        customer(&g, "shop", "S-1002", "household"),
        Some(household.clone())
    );
    assert_eq!(
        customer(&g, "crm", "C-77", "household"),
        Some(household.clone())
    );
    // Consumers: sales and group count households.
    assert_eq!(
        customer(&g, "shop", "S-1002", "sales"),
        Some(household.clone())
    );
    assert_eq!(
        customer(&g, "crm", "C-77", "group"),
        Some(household.clone())
    );

    let hh = to_json(&g.entity(JsValue::from_str(&household)).unwrap());
    assert_eq!(hh["kind"], "household");
    let members: BTreeSet<&str> = hh["persons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    assert_eq!(members, BTreeSet::from([john.as_str(), mary.as_str()]));
    assert_eq!(hh["records"].as_array().unwrap().len(), 3);

    let person = to_json(&g.entity(JsValue::from_str(&john)).unwrap());
    assert_eq!(person["kind"], "person");
    assert_eq!(person["household"], household.as_str());
    let link0 = &person["links"][0];
    assert!(link0["probability"].as_f64().unwrap() > 0.9, "{person}");
    let refs = to_json(
        &g.records_of("billing".into(), JsValue::from_str(&john))
            .unwrap(),
    );
    let ids: BTreeSet<&str> = refs
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, BTreeSet::from(["S-1001", "C-77"]));

    // The waterfall: prior + contributions = match weight.
    let e = to_json(
        &g.explain(rref("shop", "S-1001"), rref("crm", "C-77"))
            .unwrap(),
    );
    assert_waterfall_adds_up(&e);
    let apart = to_json(
        &g.explain(rref("shop", "S-1001"), rref("shop", "S-1002"))
            .unwrap(),
    );
    assert!(apart["probability"].as_f64().unwrap() < 0.5, "{apart}");

    let history = to_json(&g.history(JsValue::from_str(&household)).unwrap());
    assert_eq!(history[0]["kind"], "created");
    assert!(history[0]["reason"]["rule"].is_string());
    let counts = to_json(&g.counts().unwrap());
    assert_eq!(
        counts["household"].as_u64().unwrap() as usize,
        to_json(&g.entity_ids("household".into()).unwrap())
            .as_array()
            .unwrap()
            .len()
    );
    assert_eq!(to_json(&g.params().unwrap())["prior"], params["prior"]);
}

/// An invoice: billed to the bill-to site, shipped to a site, bought by a unit.
fn invoice(n: usize, unit: usize, revenue: f64, cost: f64, date: &str) -> Value {
    json!({"system": "erp", "id": format!("INV-{n:04}"), "kind": "interaction",
        "relations": [
            {"type": "billTo", "to": {"id": "ACME-BILL"}},
            {"type": "shipTo", "to": {"id": format!("ACME-SHIP-{unit}")}},
            {"type": "unit", "to": {"id": format!("ACME-BU-{unit}")}}],
        "measures": {"revenue": revenue, "costToServe": cost, "transactions": 1},
        "date": date})
}

struct B2b {
    records: Vec<Value>,
    hierarchy: Value,
    /// Per unit: (revenue, cost) summed over its invoices.
    by_unit: [(f64, f64); 3],
}

/// Acme's parent company (D-U-N-S), three business units with their own
/// D-U-N-S under it in the family tree, one bill-to site, a ship-to site
/// per unit, nine invoices and a buyer at unit 1.
fn b2b() -> B2b {
    let p = Pseudonymizer::new(key("k1", 3), js(B2B_DEFINITION)).unwrap();
    let tokens = |raw: Value| -> Vec<Value> {
        let t = to_json(&p.tokenize(jv(&raw)).unwrap());
        assert!(t["errors"].as_array().unwrap().is_empty(), "{t}");
        t["tokens"].as_array().unwrap().clone()
    };
    let duns = |d: &str| tokens(json!({"duns": d}))[0].clone();
    let hq_duns = "15-048-3782";
    let unit_duns = ["804735132", "079942718", "361846292"];
    let mut records = vec![
        json!({"system": "erp", "id": "ACME-HQ", "kind": "organisation",
        "tokens": tokens(json!({"companyName": "Acme Industrial Holdings, Inc.", "duns": hq_duns, "postalCode": "60601"}))}),
    ];
    let unit_names = ["Acme Industrial", "Acme Medical", "Acme Agri"];
    for (k, (name, d)) in unit_names.iter().zip(unit_duns).enumerate() {
        records.push(json!({"system": "erp", "id": format!("ACME-BU-{}", k + 1),
            "kind": "organisation", "unit": "businessUnit",
            "tokens": tokens(json!({"companyName": name, "duns": d}))}));
    }
    records.push(
        json!({"system": "erp", "id": "ACME-BILL", "kind": "organisation", "unit": "site",
        "tokens": tokens(json!({"companyName": "Acme Accounts Payable", "postalCode": "60601"})),
        "relations": [{"type": "memberOf", "to": {"id": "ACME-HQ"}}]}),
    );
    for (k, zip) in ["46204", "55401", "68102"].iter().enumerate() {
        records.push(
            json!({"system": "erp", "id": format!("ACME-SHIP-{}", k + 1),
            "kind": "organisation", "unit": "site",
            "tokens": tokens(json!({"companyName": unit_names[k], "postalCode": zip})),
            "relations": [{"type": "memberOf", "to": {"id": format!("ACME-BU-{}", k + 1)}}]}),
        );
    }
    let amounts = [
        (1, 52_000.0, 9_000.0, "2025-01-15"),
        (1, 61_500.0, 10_250.0, "2025-04-02"),
        (1, 48_250.0, 8_000.0, "2025-09-30"),
        (2, 12_000.0, 3_100.0, "2025-02-11"),
        (2, 14_400.0, 2_900.0, "2025-06-19"),
        (2, 9_800.0, 2_200.0, "2025-11-05"),
        (3, 2_300.0, 1_900.0, "2025-03-03"),
        (3, 1_750.0, 1_600.0, "2025-07-21"),
        (3, 2_900.0, 2_050.0, "2025-12-12"),
    ];
    let mut by_unit = [(0.0, 0.0); 3];
    for (n, &(unit, revenue, cost, date)) in amounts.iter().enumerate() {
        records.push(invoice(n + 1, unit, revenue, cost, date));
        by_unit[unit - 1].0 += revenue;
        by_unit[unit - 1].1 += cost;
    }
    let buyer =
        tokens(json!({"email": "ana.lopez@acme.example", "firstName": "Ana", "lastName": "López"}));
    records.push(json!({"system": "crm", "id": "CT-9", "tokens": buyer,
        "relations": [{"type": "buyer", "to": {"system": "erp", "id": "ACME-BU-1"}}]}));
    let hierarchy: Value = unit_duns
        .iter()
        .map(|d| json!({"child": duns(d), "parent": duns(hq_duns), "relation": "parent"}))
        .collect();
    B2b {
        records,
        hierarchy,
        by_unit,
    }
}

fn b2b_graph(data: &B2b) -> IdentityGraph {
    let mut g = IdentityGraph::new(None).unwrap();
    g.add_records(jv(&data.records.clone().into()), None)
        .unwrap();
    g.add_hierarchy(jv(&data.hierarchy)).unwrap();
    g.resolve(None).unwrap();
    g
}

#[wasm_bindgen_test]
fn each_department_counts_the_b2b_customer_its_own_way() {
    let data = b2b();
    let g = b2b_graph(&data);
    let invoices: Vec<String> = (1..=9).map(|n| format!("INV-{n:04}")).collect();
    let total_revenue: f64 = data.by_unit.iter().map(|u| u.0).sum();
    let mut per_view = BTreeMap::new();
    for (view, expected) in [("billing", 1), ("service", 3), ("sales", 3), ("group", 1)] {
        let customers: BTreeSet<String> = invoices
            .iter()
            .map(|i| customer(&g, "erp", i, view).unwrap())
            .collect();
        assert_eq!(customers.len(), expected, "{view}");
        let r = to_json(&g.rollup(view.into(), None).unwrap());
        assert_eq!(r["view"], view);
        let buying: Vec<&Value> = r["customers"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["measures"]["interactions"].as_f64().unwrap() > 0.0)
            .collect();
        assert_eq!(buying.len(), expected, "{view}: {r}");
        assert!(buying
            .iter()
            .all(|c| customers.contains(c["entity"].as_str().unwrap())));
        assert_eq!(
            r["totals"]["revenue"].as_f64().unwrap(),
            total_revenue,
            "{view}"
        );
        assert!(r["unassigned"].get("revenue").is_none(), "{view}");
        per_view.insert(view, customers);
    }
    // Who each one is.
    let bill_to = customer(&g, "erp", "ACME-BILL", "billing").unwrap();
    assert_eq!(per_view["billing"], BTreeSet::from([bill_to.clone()]));
    assert_eq!(
        to_json(&g.entity(JsValue::from_str(&bill_to)).unwrap())["kind"],
        "site"
    );
    let hq = customer(&g, "erp", "ACME-HQ", "billing").unwrap();
    assert_eq!(per_view["group"], BTreeSet::from([hq.clone()]));
    let units: BTreeSet<String> = (1..=3)
        .map(|k| customer(&g, "erp", &format!("ACME-BU-{k}"), "billing").unwrap())
        .collect();
    assert_eq!(per_view["sales"], units);
    let ship_tos: BTreeSet<String> = (1..=3)
        .map(|k| customer(&g, "erp", &format!("ACME-SHIP-{k}"), "billing").unwrap())
        .collect();
    assert_eq!(per_view["service"], ship_tos);
    // Consumers' view: an invoice without a `customer` has no household.
    assert!(g
        .customer_of(rref("erp", "INV-0001"), "household".into())
        .unwrap()
        .is_null());

    // The family tree: units under the parent by their D-U-N-S edges, the
    // bill-to site by membership.
    let hq_info = to_json(&g.entity(JsValue::from_str(&hq)).unwrap());
    assert_eq!(hq_info["kind"], "legalEntity");
    assert_eq!(hq_info["ultimateParent"], hq.as_str());
    let children: BTreeMap<String, String> = string_pairs(&hq_info["children"], "id", "relation")
        .into_iter()
        .collect();
    let mut expected: BTreeMap<String, String> =
        units.iter().map(|u| (u.clone(), "parent".into())).collect();
    expected.insert(bill_to.clone(), "memberOf".into());
    assert_eq!(children, expected);
    let unit1 = customer(&g, "erp", "ACME-BU-1", "billing").unwrap();
    let u1 = to_json(&g.entity(JsValue::from_str(&unit1)).unwrap());
    assert_eq!(u1["kind"], "businessUnit");
    assert_eq!(u1["parent"], json!({"id": hq, "relation": "parent"}));
    assert_eq!(u1["ultimateParent"], hq.as_str());

    // The buyer's role.
    let buyer = customer(&g, "crm", "CT-9", "billing").unwrap();
    assert_eq!(
        to_json(&g.roles().unwrap()),
        json!([{"person": buyer, "organisation": unit1, "role": "buyer"}])
    );

    // Sales roll-up per unit: contribution = revenue − cost to serve; tiers.
    let sales = to_json(&g.rollup("sales".into(), None).unwrap());
    let contribution: Vec<f64> = data.by_unit.iter().map(|(r, c)| r - c).collect();
    let top = &sales["customers"][0];
    assert_eq!(top["entity"], unit1.as_str());
    assert_eq!(
        top["measures"]["contribution"].as_f64().unwrap(),
        contribution[0]
    );
    assert_eq!(top["measures"]["transactions"], 3.0);
    assert_eq!(top["firstDate"], "2025-01-15");
    assert_eq!(top["lastDate"], "2025-09-30");
    assert_eq!(top["tier"], "A");
    let only_revenue: RollupOptionsJs = js(r#"{"measures":["revenue"]}"#).unchecked_into();
    let r = to_json(&g.rollup("sales".into(), Some(only_revenue)).unwrap());
    assert!(r["customers"][0]["measures"].get("costToServe").is_none());

    // Segments over the sales view, checked against the invoice amounts.
    let threshold = 20_000.0;
    let request = json!({"view": "sales", "segments": [
        {"name": "key accounts", "rule": {"all": [
            {"measure": "contribution", "op": ">", "value": threshold},
            {"measure": "transactionsPerMonth", "op": ">=", "value": 0.1}]}},
        {"name": "not A", "rule": {"not": {"tier": "A"}}}]});
    let s = to_json(&g.segments(jv(&request)).unwrap());
    let mut key_units: Vec<(f64, String)> = (0..3)
        .filter(|&k| contribution[k] > threshold)
        .map(|k| {
            let id = customer(&g, "erp", &format!("ACME-BU-{}", k + 1), "billing").unwrap();
            (-contribution[k], id)
        })
        .collect();
    key_units.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let expected: Vec<&str> = key_units.iter().map(|(_, id)| id.as_str()).collect();
    assert_eq!(s["segments"][0]["name"], "key accounts");
    assert_eq!(s["segments"][0]["customers"], json!(expected));
    let key_revenue: f64 = (0..3)
        .filter(|&k| contribution[k] > threshold)
        .map(|k| data.by_unit[k].0)
        .sum();
    assert_eq!(
        s["segments"][0]["totals"]["revenue"].as_f64().unwrap(),
        key_revenue
    );
    let not_a: Vec<&Value> = s["segments"][1]["customers"]
        .as_array()
        .unwrap()
        .iter()
        .collect();
    assert!(!not_a.contains(&&Value::from(unit1.as_str())));
}

#[wasm_bindgen_test]
fn a_saved_graph_answers_as_before() {
    let params = trained_params();
    let enc = encoder();
    let data = b2b();
    let mut records = couple(&enc);
    records.extend(data.records.iter().cloned());
    let mut g = IdentityGraph::new(linked(params.clone())).unwrap();
    g.add_records(jv(&records.clone().into()), None).unwrap();
    g.add_hierarchy(jv(&data.hierarchy)).unwrap();
    g.resolve(None).unwrap();
    let text = g.to_json();
    assert!(!text.contains("Evergreen") && !text.contains("Smith") && !text.contains("150483782"));
    let back = IdentityGraph::from_json(JsValue::from_str(&text)).unwrap();
    assert_eq!(back.size(), g.size());
    assert_eq!(
        to_json(&back.counts().unwrap()),
        to_json(&g.counts().unwrap())
    );
    let mut answered = 0;
    for r in &records {
        let (system, id) = (r["system"].as_str().unwrap(), r["id"].as_str().unwrap());
        for view in VIEWS {
            let before = customer(&g, system, id, view);
            answered += usize::from(before.is_some());
            assert_eq!(
                customer(&back, system, id, view),
                before,
                "{system}/{id} {view}"
            );
        }
    }
    assert!(answered > records.len() * 3, "{answered}");
    for id in to_json(&g.entity_ids("person".into()).unwrap())
        .as_array()
        .unwrap()
    {
        let id = id.as_str().unwrap();
        assert_eq!(
            to_json(&back.history(JsValue::from_str(id)).unwrap()),
            to_json(&g.history(JsValue::from_str(id)).unwrap())
        );
    }
    assert_eq!(
        to_json(&back.roles().unwrap()),
        to_json(&g.roles().unwrap())
    );
    assert_eq!(
        back.to_json(),
        text,
        "the document is stable through a load"
    );
    // A loaded graph keeps growing: a new invoice lands on the same customers.
    let mut back = back;
    back.add_records(
        jv(&json!([invoice(10, 2, 500.0, 100.0, "2026-01-08")])),
        None,
    )
    .unwrap();
    back.resolve(None).unwrap();
    for view in ["billing", "service", "sales", "group"] {
        assert_eq!(
            customer(&back, "erp", "INV-0010", view),
            customer(&g, "erp", "INV-0005", view),
            "{view}"
        );
    }
}

#[wasm_bindgen_test]
fn bad_input_is_a_typed_error_with_its_row() {
    let data = b2b();
    let mut g = b2b_graph(&data);
    let size = g.size();

    let e = g
        .customer_of(rref("erp", "INV-0001"), "finance".into())
        .unwrap_err();
    assert_eq!(code_of(&e), "identity.unknown_view");
    let e = g.rollup("finance".into(), None).unwrap_err();
    assert_eq!(code_of(&e), "identity.unknown_view");
    let e = g
        .customer_of(rref("erp", "INV-9999"), "billing".into())
        .unwrap_err();
    assert_eq!(code_of(&e), "identity.unknown_record");
    let e = g.entity("per-nobody".into()).unwrap_err();
    assert_eq!(code_of(&e), "identity.unknown_entity");
    let e = g.entity_ids("planet".into()).unwrap_err();
    assert_eq!(code_of(&e), "option.invalid");

    // Batches: the bad element's index is `row`; nothing of its chunk is added.
    let e = g
        .add_records(
            jv(&json!([
                invoice(20, 1, 1.0, 0.0, "2025-01-01"),
                data.records[2]
            ])),
            None,
        )
        .unwrap_err();
    assert_eq!(code_of(&e), "identity.duplicate_record");
    assert_eq!(row_of(&e), Some(1.0));
    let secret_id = "ana.lopez@acme.example";
    let bad = json!([invoice(21, 1, 1.0, 0.0, "2025-01-01"),
        {"system": "erp", "id": secret_id, "kind": "robot"}]);
    let e = g.add_records(jv(&bad), None).unwrap_err();
    assert_eq!(code_of(&e), "record.invalid");
    assert_eq!(row_of(&e), Some(1.0));
    assert!(!prop(&e, "message").as_string().unwrap().contains(secret_id));
    let bad_date = json!([invoice(22, 1, 1.0, 0.0, "2025-02-30")]);
    let e = g.add_records(jv(&bad_date), None).unwrap_err();
    assert_eq!(
        (code_of(&e), row_of(&e)),
        ("identity.invalid_date".into(), Some(0.0))
    );
    let e = g.add_records("not an array".into(), None).unwrap_err();
    assert_eq!(code_of(&e), "record.invalid");
    assert_eq!(g.size(), size, "all or nothing within a chunk");

    // Across chunks of 2,000: the row is absolute, earlier chunks stay added.
    let mut many: Vec<Value> = (0..2_500)
        .map(|n| invoice(1_000 + n, 1 + n % 3, 10.0, 1.0, "2025-05-05"))
        .collect();
    many[2_300] = many[17].clone();
    let calls = js_sys::Array::new();
    let e = g
        .add_records(jv(&many.into()), Some(counting(&calls).unchecked_into()))
        .unwrap_err();
    assert_eq!(code_of(&e), "identity.duplicate_record");
    assert_eq!(row_of(&e), Some(2_300.0));
    assert_eq!(g.size(), size + 2_000);
    assert_eq!(strings(&calls), ["add:2000/2500"]);

    let e = g
        .add_hierarchy(jv(&json!([
            {"child": data.hierarchy[0]["child"], "parent": data.hierarchy[0]["parent"], "relation": "parent"},
            {"child": data.hierarchy[0]["child"], "parent": "150483782", "relation": "parent"}])))
        .unwrap_err();
    assert_eq!(
        (code_of(&e), row_of(&e)),
        ("identity.invalid_hierarchy".into(), Some(1.0))
    );
    let e = g
        .add_hierarchy(jv(&json!([{"child": data.hierarchy[0]["child"], "parent": data.hierarchy[0]["parent"], "relation": "cousin"}])))
        .unwrap_err();
    assert_eq!(
        (code_of(&e), row_of(&e)),
        ("identity.invalid_hierarchy".into(), Some(0.0))
    );
    let e = g
        .remove_records(jv(
            &json!([{"system": "erp", "id": "INV-0001"}, {"system": "erp", "id": "INV-9999"}]),
        ))
        .unwrap_err();
    assert_eq!(
        (code_of(&e), row_of(&e)),
        ("identity.unknown_record".into(), Some(1.0))
    );
    assert!(g
        .customer_of(rref("erp", "INV-0001"), "billing".into())
        .is_ok());

    let seg = |rule: Value| {
        g.segments(jv(
            &json!({"view": "sales", "segments": [{"name": "s", "rule": rule}]}),
        ))
        .unwrap_err()
    };
    assert_eq!(
        code_of(&seg(json!({"measure": "revenue", "op": "~", "value": 1}))),
        "segment.invalid_rule"
    );
    assert_eq!(code_of(&seg(json!({"all": []}))), "segment.invalid_rule");
    assert_eq!(
        code_of(&seg(json!({"measure": "margin", "op": ">", "value": 1}))),
        "segment.unknown_measure"
    );

    // Below minTrainingRecords the day-one model explains (issue 18); a
    // graph none of whose comparisons it knows has no model until trained.
    assert!(g.explain(rref("crm", "CT-9"), rref("crm", "CT-9")).is_ok());
    let untrained = IdentityGraph::new(config(json!({
        "link": {"comparisons": [
            {"name": "nameDob", "kind": "token", "source": "mk-nameDob"}]},
        "personEvidence": {"comparisons": ["nameDob"]}})))
    .unwrap();
    let e = untrained
        .explain(rref("crm", "CT-9"), rref("crm", "CT-9"))
        .unwrap_err();
    assert_eq!(code_of(&e), "link.not_trained");
    let e = IdentityGraph::new(config(json!({"minTrainingRecords": 1})))
        .err()
        .unwrap();
    assert_eq!(code_of(&e), "identity.bad_config");
    let e = IdentityGraph::from_json("{}".into()).err().unwrap();
    assert_eq!(code_of(&e), "identity.bad_document");
    let e =
        IdentityGraph::from_json(r#"{"format":"pseudolink-identity-graph","version":99}"#.into())
            .err()
            .unwrap();
    assert_eq!(code_of(&e), "identity.unsupported_version");
    assert_eq!(prop(&e, "name").as_string().unwrap(), "PseudolinkError");
}

#[wasm_bindgen_test]
fn progress_is_reported_per_chunk_and_stage() {
    let mut g = IdentityGraph::new(None).unwrap();
    let records: Vec<Value> = (0..4_100)
        .map(|n| {
            let mut r = invoice(n, 1 + n % 3, 5.0, 1.0, "2025-08-08");
            r["relations"] = json!([]);
            r
        })
        .collect();
    let calls = js_sys::Array::new();
    g.add_records(jv(&records.into()), Some(counting(&calls).unchecked_into()))
        .unwrap();
    assert_eq!(
        strings(&calls),
        ["add:2000/4100", "add:4000/4100", "add:4100/4100"]
    );
    assert_eq!(g.size(), 4_100);
    let stages = js_sys::Array::new();
    let summary = to_json(&g.resolve(Some(counting(&stages).unchecked_into())).unwrap());
    assert_eq!(summary["records"], 4_100);
    let staged = strings(&stages);
    assert_eq!(
        staged.last().map(String::as_str),
        Some("entities:3/3"),
        "{staged:?}"
    );
    // A throwing callback does not abort the work.
    let o = js_sys::Object::new();
    let f = js_sys::Function::new_no_args("throw new Error('callback')");
    js_sys::Reflect::set(&o, &"onProgress".into(), &f).unwrap();
    let more = json!([{"system": "erp", "id": "X-1", "kind": "interaction"}]);
    g.add_records(jv(&more), Some(JsValue::from(o).unchecked_into()))
        .unwrap();
    assert_eq!(g.size(), 4_101);
    // Without a callback the same calls work.
    g.add_records(jv(&json!([])), None).unwrap();
    assert_eq!(to_json(&g.resolve(None).unwrap())["resolve"], 2);
}

// ---- Day one (issue 18): small graphs, no `params`, no training data
// beyond the records. The same scenarios as tests/scenarios.rs, through JS.

const HOME: [(&str, &str); 3] = [
    ("street", "742 Evergreen Terrace"),
    ("city", "Springfield"),
    ("postalCode", "62704"),
];

/// A raw row: id, fields, and optionally the home address.
fn raw(id: &str, fields: &[(&str, &str)], home: bool) -> Value {
    let mut m = serde_json::Map::new();
    m.insert("id".into(), id.into());
    for (k, v) in fields.iter().chain(if home { &HOME[..] } else { &[] }) {
        m.insert((*k).into(), (*v).into());
    }
    m.into()
}

/// A graph with the default configuration, resolved once: the day-one
/// model scores.
fn day_one(rows: &[Value]) -> IdentityGraph {
    let records = persons(&encoder(), "shop", rows);
    let mut g = IdentityGraph::new(None).unwrap();
    g.add_records(jv(&records.into()), None).unwrap();
    let s = to_json(&g.resolve(None).unwrap());
    assert_eq!(s["model"], "prior", "{s}");
    assert_eq!(s["trained"], false);
    assert!(g.params().unwrap().is_null());
    g
}

fn level(g: &IdentityGraph, a: &str, b: &str, comparison: &str) -> Value {
    let e = to_json(&g.explain(rref("shop", a), rref("shop", b)).unwrap());
    assert_waterfall_adds_up(&e);
    e["contributions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["comparison"] == comparison)
        .unwrap()["level"]
        .clone()
}

#[wasm_bindgen_test]
fn day_one_same_email_and_web_phone_web_are_one_customer() {
    let g = day_one(&[
        raw(
            "o-1",
            &[
                ("firstName", "Katherine"),
                ("lastName", "Miller"),
                ("email", "kmiller@example.com"),
            ],
            true,
        ),
        raw(
            "c-7",
            &[
                ("firstName", "Kate"),
                ("lastName", "Miller"),
                ("phone", "(217) 555-0142"),
            ],
            true,
        ),
        raw(
            "o-9",
            &[
                ("firstName", "Katherine"),
                ("lastName", "Miller"),
                ("email", "KMiller@Example.COM"),
                ("phone", "+1 217 555 0142"),
            ],
            false,
        ),
    ]);
    let id = customer(&g, "shop", "o-1", "billing").unwrap();
    assert_eq!(customer(&g, "shop", "c-7", "billing"), Some(id.clone()));
    assert_eq!(customer(&g, "shop", "o-9", "billing"), Some(id.clone()));
    assert_eq!(level(&g, "o-1", "o-9", "email"), "agree");
    assert_eq!(level(&g, "c-7", "o-9", "phone"), "agree");
    assert_eq!(level(&g, "c-7", "o-9", "firstName"), "nickname");
    // Each link of the customer, with what spoke for it.
    let person = to_json(&g.entity(JsValue::from(&id)).unwrap());
    let links = person["links"].as_array().unwrap();
    let has = |a: &str, b: &str, what: &str| {
        links.iter().any(|l| {
            let ids = BTreeSet::from([l["a"]["id"].as_str(), l["b"]["id"].as_str()]);
            ids == BTreeSet::from([Some(a), Some(b)])
                && l["agreed"].as_array().unwrap().iter().any(|x| x == what)
        })
    };
    assert!(has("o-1", "o-9", "email"), "{person}");
    assert!(has("c-7", "o-9", "phone"), "{person}");

    // The batch Linker on the same records: one cluster, by the prior.
    let enc = encoder();
    let rows = enc
        .encode_batch(
            jv(&json!([
                raw(
                    "o-1",
                    &[
                        ("firstName", "Katherine"),
                        ("lastName", "Miller"),
                        ("email", "kmiller@example.com")
                    ],
                    false
                ),
                raw(
                    "o-2",
                    &[
                        ("firstName", "Katherine"),
                        ("lastName", "Miller"),
                        ("email", "KMILLER@example.com")
                    ],
                    false
                ),
            ])),
            None,
        )
        .unwrap();
    let mut linker = Linker::new(None).unwrap();
    let d = to_json(&linker.dedupe(rows, None).unwrap());
    assert_eq!(d["stats"]["model"], "prior");
    assert_eq!(d["clusters"], json!([["o-1", "o-2"]]));
    assert!(linker.params().unwrap().is_null(), "the prior is not kept");
}

#[wasm_bindgen_test]
fn day_one_nicknames_couples_and_family_emails() {
    // Bob and Robert at one address: one person.
    let g = day_one(&[
        raw("o-1", &[("firstName", "Bob"), ("lastName", "Jones")], true),
        raw(
            "s-4",
            &[("firstName", "Robert"), ("lastName", "Jones")],
            true,
        ),
    ]);
    assert_eq!(
        customer(&g, "shop", "o-1", "billing"),
        customer(&g, "shop", "s-4", "billing")
    );
    assert_eq!(level(&g, "o-1", "s-4", "firstName"), "nickname");

    // A couple sharing the address and the landline: two persons, one household.
    let g = day_one(&[
        raw(
            "o-1",
            &[
                ("firstName", "John"),
                ("lastName", "Smith"),
                ("phone", "(217) 555-0199"),
                ("email", "john.smith@example.com"),
                ("dateOfBirth", "1968-03-14"),
            ],
            true,
        ),
        raw(
            "o-2",
            &[
                ("firstName", "Mary"),
                ("lastName", "Smith"),
                ("phone", "217-555-0199"),
                ("email", "mary.s@example.net"),
                ("dateOfBirth", "1970-09-02"),
            ],
            true,
        ),
    ]);
    assert_ne!(
        customer(&g, "shop", "o-1", "billing"),
        customer(&g, "shop", "o-2", "billing")
    );
    assert_eq!(
        customer(&g, "shop", "o-1", "household"),
        customer(&g, "shop", "o-2", "household")
    );

    // A shared family e-mail: John's two records are John, Emma stays Emma.
    let family = "the.smiths@example.com";
    let g = day_one(&[
        raw(
            "o-1",
            &[
                ("firstName", "John"),
                ("lastName", "Smith"),
                ("email", family),
                ("dateOfBirth", "1968-03-14"),
            ],
            true,
        ),
        raw(
            "o-2",
            &[
                ("firstName", "Emma"),
                ("lastName", "Smith"),
                ("email", family),
                ("dateOfBirth", "1999-07-21"),
            ],
            true,
        ),
        raw(
            "c-3",
            &[
                ("firstName", "John"),
                ("lastName", "Smith"),
                ("email", family),
                ("phone", "(217) 555-0142"),
            ],
            false,
        ),
    ]);
    let john = customer(&g, "shop", "o-1", "billing");
    assert_eq!(customer(&g, "shop", "c-3", "billing"), john);
    assert_ne!(customer(&g, "shop", "o-2", "billing"), john);
    assert_eq!(
        customer(&g, "shop", "o-1", "household"),
        customer(&g, "shop", "o-2", "household")
    );
}

#[wasm_bindgen_test]
fn day_one_a_us_shop_reads_05_02_1984_as_the_second_of_may() {
    // The person definition without `dateOrder`: `defaultRegion: 'US'` reads
    // numeric dates month first.
    let definition = PERSON_DEFINITION.replace(r#","dateOrder":"mdy""#, "");
    assert!(!definition.contains("dateOrder"));
    let enc = RecordEncoder::new(
        key("k1", 3),
        js(&definition),
        Some(default_clk_options(4).unchecked_into()),
    )
    .unwrap();
    let rows = json!([
        raw(
            "c-7",
            &[
                ("firstName", "Katherine"),
                ("lastName", "Miller"),
                ("dateOfBirth", "05/02/1984"),
                ("phone", "(217) 555-0142")
            ],
            false
        ),
        raw(
            "o-1",
            &[
                ("firstName", "Katherine"),
                ("lastName", "Miller"),
                ("dateOfBirth", "1984-05-02"),
                ("email", "kmiller@example.com")
            ],
            false
        ),
    ]);
    let encoded = enc.encode_batch(jv(&rows), None).unwrap();
    let as_json = to_json(&encoded);
    let dob = |i: usize| {
        as_json[i]["tokens"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t.as_str().unwrap().starts_with("pl1.dateOfBirth."))
            .cloned()
    };
    assert_eq!(as_json[0]["errors"], json!([]), "not refused as ambiguous");
    assert!(dob(0).is_some(), "{as_json}");
    assert_eq!(dob(0), dob(1));
    let mut linker = Linker::new(None).unwrap();
    let d = to_json(&linker.dedupe(encoded, None).unwrap());
    assert_eq!(d["stats"]["model"], "prior");
    assert_eq!(d["clusters"], json!([["c-7", "o-1"]]));
}
