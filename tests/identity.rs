//! The identity graph's scenarios through the public API: households,
//! corporate families per view, merges and splits with their history, id
//! stability, value roll-ups and segments, documents and errors.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![cfg(feature = "fuzzy")]

mod identity_support;

use identity_support::*;
use pseudolink::identity::{
    EntityKind, EventKind, GraphConfig, GraphRecord, HierarchyRelation, IdentityGraph, RecordRef,
    RollupOptions, SegmentRequest, View,
};
use pseudolink::link::{EncodedRecord, LinkConfig, Linker, ModelSource};
use pseudolink::{ErrorCode, Field};
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet};

fn r(system: &str, channel: &str, id: &str) -> RecordRef {
    RecordRef::new(system, channel, id)
}

fn resolved(records: &[GraphRecord]) -> IdentityGraph {
    let mut g = IdentityGraph::new(config()).unwrap();
    g.add_records(records).unwrap();
    g.resolve(&mut |_, _, _| {}).unwrap();
    g
}

fn couple() -> Vec<GraphRecord> {
    use Field::*;
    let home = [
        (Street, "12 Oak Street"),
        (City, "Springfield"),
        (PostalCode, "62704"),
    ];
    let person = |id: &str, ch: &str, first: &str, email: &str, dob: &str, revenue: f64| {
        let mut f = vec![
            (FirstName, first),
            (LastName, "Miller"),
            (Email, email),
            (DateOfBirth, dob),
        ];
        f.extend(home);
        with(
            encoded("shop", ch, id, "person", &f),
            json!({"measures": {"revenue": revenue, "transactions": 1}, "date": "2026-05-02"}),
        )
    };
    vec![
        // Two purchases: one by each spouse, on different channels.
        person(
            "o-1",
            "web",
            "Anna",
            "anna.miller@example.com",
            "1984-03-09",
            24_000.0,
        ),
        person(
            "c-7",
            "callCentre",
            "Ben",
            "ben.miller@example.net",
            "1982-11-30",
            31_000.0,
        ),
        // Anna again, typed differently: the same person.
        person(
            "o-9",
            "web",
            "ANNA",
            "Anna.Miller@Example.com",
            "03/09/1984",
            120.0,
        ),
        // A neighbour at another number of the same street: not family.
        {
            let f = [
                (FirstName, "Carl"),
                (LastName, "Ortiz"),
                (Street, "14 Oak Street"),
                (City, "Springfield"),
                (PostalCode, "62704"),
                (Email, "carl@example.org"),
            ];
            encoded("shop", "web", "o-4", "person", &f)
        },
    ]
}

#[test]
fn a_married_couple_with_two_purchases_is_one_household() {
    let g = resolved(&couple());
    let anna = g
        .customer_of(&r("shop", "web", "o-1"), View::Billing)
        .unwrap()
        .unwrap();
    let anna_again = g
        .customer_of(&r("shop", "web", "o-9"), View::Billing)
        .unwrap()
        .unwrap();
    let ben = g
        .customer_of(&r("shop", "callCentre", "c-7"), View::Billing)
        .unwrap()
        .unwrap();
    assert_eq!(anna, anna_again, "Anna's two records are one person");
    assert_ne!(anna, ben, "spouses are two persons");
    let household = |rec: RecordRef| g.customer_of(&rec, View::Household).unwrap().unwrap();
    let hh = household(r("shop", "web", "o-1"));
    assert_eq!(hh, household(r("shop", "callCentre", "c-7")));
    assert_ne!(
        hh,
        household(r("shop", "web", "o-4")),
        "the neighbour is not family"
    );
    // Sales counts the household as the consumer's buying unit.
    assert_eq!(
        g.customer_of(&r("shop", "callCentre", "c-7"), View::Sales)
            .unwrap(),
        Some(hh.clone())
    );
    let info = g.entity(&hh).unwrap();
    assert_eq!(info.kind, EntityKind::Household);
    assert_eq!(info.persons.len(), 2);
    assert_eq!(info.records.len(), 3);
    let person = g.entity(&anna).unwrap();
    assert_eq!(person.household.as_deref(), Some(hh.as_str()));
    assert_eq!(person.links.len(), 1);
    // Every link explains itself from encodings only.
    let e = g.explain(&person.links[0].a, &person.links[0].b).unwrap();
    assert!((e.probability - person.links[0].probability).abs() < 1e-6);
    assert_eq!(g.history(&hh).unwrap()[0].reason.rule, "sharedAddress");
    // The household's value is both purchases and the repeat.
    let rollup = g.rollup(View::Household, &RollupOptions::default());
    let c = rollup.customers.iter().find(|c| c.entity == hh).unwrap();
    assert_eq!(c.measures["revenue"], 55_120.0);
    assert_eq!(c.measures["interactions"], 3.0);
}

/// Acme Holdings (D-U-N-S 100000001) with three business units (their own
/// D-U-N-S, children of the parent), one central accounts-payable bill-to
/// site, and a ship-to plant per unit; invoices point at all three.
fn acme() -> (Vec<GraphRecord>, Vec<pseudolink::identity::HierarchyEdge>) {
    use Field::*;
    let org = |sys: &str, id: &str, unit: &str, name: &str, duns: &str, postal: &str| {
        let mut f = vec![(CompanyName, name), (PostalCode, postal)];
        if !duns.is_empty() {
            f.push((Duns, duns));
        }
        with(
            encoded(sys, "b2b", id, "organisation", &f),
            json!({"unit": unit}),
        )
    };
    let mut records = vec![
        org(
            "crm",
            "ACME",
            "legalEntity",
            "Acme Holdings Inc",
            "100000001",
            "10001",
        ),
        // The same company in the ERP: one legal entity by its D-U-N-S.
        org(
            "erp",
            "C-100",
            "legalEntity",
            "ACME HOLDINGS",
            "100000001",
            "10001",
        ),
        with(
            org(
                "erp",
                "AP-1",
                "site",
                "Acme Holdings Accounts Payable",
                "",
                "10001",
            ),
            json!({"relations": [{"type": "memberOf", "to": {"id": "C-100"}}]}),
        ),
    ];
    let units = [
        ("BU-PUMPS", "Acme Pumps", "100000011", "60601"),
        ("BU-VALVES", "Acme Valves", "100000012", "77001"),
        ("BU-SEALS", "Acme Seals", "100000013", "98101"),
    ];
    for (n, (id, name, d, postal)) in units.iter().enumerate() {
        records.push(org("erp", id, "businessUnit", name, d, postal));
        let plant = format!("PLANT-{n}");
        records.push(with(
            org("erp", &plant, "site", &format!("{name} Plant"), "", postal),
            json!({"relations": [{"type": "memberOf", "to": {"id": id}}]}),
        ));
        for k in 0..2 {
            records.push(with(
                graph_record("erp", "b2b", &format!("INV-{n}-{k}"), "interaction"),
                json!({
                    "relations": [
                        {"type": "billTo", "to": {"id": "AP-1"}},
                        {"type": "shipTo", "to": {"id": plant}},
                        {"type": "unit", "to": {"id": id}}],
                    "measures": {"revenue": 10_000.0 * (n as f64 + 1.0), "costToServe": 1_000.0,
                                 "transactions": 6.0},
                    "date": format!("2026-0{}-15", k * 2 + 1)
                }),
            ));
        }
    }
    // A buyer at the pumps unit, from the CRM.
    records.push(with(
        encoded(
            "crm",
            "b2b",
            "P-1",
            "person",
            &[
                (FirstName, "Dana"),
                (LastName, "Kowalski"),
                (Email, "dana.k@acme.example"),
            ],
        ),
        json!({"relations": [{"type": "buyer", "to": {"system": "erp", "id": "BU-PUMPS"}}]}),
    ));
    let tree = ["100000011", "100000012", "100000013"]
        .iter()
        .map(|c| edge(c, "100000001", HierarchyRelation::Parent))
        .collect();
    (records, tree)
}

fn customers_in(g: &IdentityGraph, view: View, invoices: &[RecordRef]) -> BTreeSet<String> {
    invoices
        .iter()
        .map(|i| g.customer_of(i, view).unwrap().unwrap())
        .collect()
}

#[test]
fn a_parent_company_with_three_units_resolves_per_view() {
    let (records, tree) = acme();
    let mut g = IdentityGraph::new(config()).unwrap();
    g.add_records(&records).unwrap();
    g.add_hierarchy(&tree).unwrap();
    g.resolve(&mut |_, _, _| {}).unwrap();
    let invoices: Vec<RecordRef> = (0..3)
        .flat_map(|n| (0..2).map(move |k| r("erp", "b2b", &format!("INV-{n}-{k}"))))
        .collect();
    let billing = customers_in(&g, View::Billing, &invoices);
    let service = customers_in(&g, View::Service, &invoices);
    let sales = customers_in(&g, View::Sales, &invoices);
    let group = customers_in(&g, View::Group, &invoices);
    assert_eq!(
        (billing.len(), service.len(), sales.len(), group.len()),
        (1, 3, 3, 1)
    );
    let parent = group.iter().next().unwrap();
    let info = g.entity(parent).unwrap();
    assert_eq!(info.kind, EntityKind::LegalEntity);
    assert_eq!(
        info.records.len(),
        2,
        "CRM and ERP records share the D-U-N-S"
    );
    assert_eq!(
        g.entity(billing.iter().next().unwrap()).unwrap().kind,
        EntityKind::Site
    );
    let children: BTreeSet<&str> = info.children.iter().map(|c| c.relation.as_str()).collect();
    assert_eq!(
        info.children.len(),
        4,
        "three units by D-U-N-S, the AP site by membership"
    );
    assert_eq!(children, BTreeSet::from(["memberOf", "parent"]));
    for s in &sales {
        let unit = g.entity(s).unwrap();
        assert_eq!(unit.kind, EntityKind::BusinessUnit);
        assert_eq!(unit.ultimate_parent.as_deref(), Some(parent.as_str()));
    }
    // The household view has no customer for a company's invoice.
    assert_eq!(g.customer_of(&invoices[0], View::Household).unwrap(), None);
    // Every view counts the same money.
    for view in [View::Billing, View::Service, View::Sales, View::Group] {
        let roll = g.rollup(view, &RollupOptions::default());
        assert_eq!(roll.totals["revenue"], 120_000.0, "{view:?}");
        assert_eq!(roll.totals["contribution"], 114_000.0, "{view:?}");
    }
    // Which records belong to a customer, as a department counts them.
    let pumps = g.customer_of(&invoices[0], View::Sales).unwrap().unwrap();
    let of_pumps = g.records_of(View::Sales, &pumps).unwrap();
    assert!(of_pumps.contains(&r("erp", "b2b", "INV-0-0")));
    assert!(of_pumps.contains(&r("erp", "b2b", "BU-PUMPS")));
    assert!(!of_pumps.contains(&r("erp", "b2b", "INV-1-0")));
    // The buyer's role.
    let roles = g.roles();
    assert_eq!(roles.len(), 1);
    assert_eq!(roles[0].organisation, pumps);
    assert_eq!(g.entity(&pumps).unwrap().roles.len(), 1);
}

#[test]
fn roll_ups_tier_customers_and_json_rules_segment_them() {
    let (records, tree) = acme();
    let mut g = IdentityGraph::new(config()).unwrap();
    g.add_records(&records).unwrap();
    g.add_hierarchy(&tree).unwrap();
    g.resolve(&mut |_, _, _| {}).unwrap();
    let roll = g.rollup(View::Sales, &RollupOptions::default());
    // The company (its own records) and the buyer's household are sales
    // customers too, without value: last tier.
    assert_eq!(roll.customers.len(), 5);
    for c in &roll.customers[3..] {
        assert!(matches!(
            c.kind,
            EntityKind::Household | EntityKind::LegalEntity
        ));
        assert_eq!(c.tier, "C");
    }
    let roll = pseudolink::identity::Rollup {
        customers: roll.customers[..3].to_vec(),
        ..roll
    };
    // Units earn 20k, 40k, 60k of revenue, each less 2k cost to serve.
    let contributions: Vec<f64> = roll
        .customers
        .iter()
        .map(|c| c.measures["contribution"])
        .collect();
    assert_eq!(contributions, vec![58_000.0, 38_000.0, 18_000.0]);
    // Pareto: 58k is 51 % (A); 38k takes it to 84 %, crossing 80 % (A);
    // 18k starts at 84 %, below 95 % (B).
    let tiers: Vec<&str> = roll.customers.iter().map(|c| c.tier.as_str()).collect();
    assert_eq!(tiers, vec!["A", "A", "B"]);
    // Two invoices of 6 transactions, January 15 to March 15: 2 months.
    let top = &roll.customers[0];
    assert_eq!(top.first_date.as_deref(), Some("2026-01-15"));
    assert_eq!(top.last_date.as_deref(), Some("2026-03-15"));
    assert!((top.measures["transactionsPerMonth"] - 12.0 / (60.0 / 30.436875)).abs() < 1e-9);
    let request = SegmentRequest::from_json(
        r#"{"view": "sales", "segments": [
            {"name": "key accounts", "rule": {"all": [
                {"measure": "contribution", "op": ">", "value": 30000},
                {"measure": "transactionsPerMonth", "op": ">", "value": 5}]}},
            {"name": "develop", "rule": {"tier": "B"}}]}"#,
    )
    .unwrap();
    let seg = g.segments(&request).unwrap();
    assert_eq!(seg.segments[0].customers.len(), 2);
    assert_eq!(seg.segments[0].totals["contribution"], 96_000.0);
    assert_eq!(
        seg.segments[1].customers,
        vec![roll.customers[2].entity.clone()]
    );
    let unknown = SegmentRequest::from_json(
        r#"{"view": "sales", "segments": [{"name": "x", "rule": {"measure": "nps", "op": ">", "value": 1}}]}"#,
    )
    .unwrap();
    assert_eq!(
        g.segments(&unknown).unwrap_err().code(),
        ErrorCode::SegmentUnknownMeasure
    );
}

fn bridging() -> (Vec<GraphRecord>, Vec<GraphRecord>) {
    use Field::*;
    // Two people who share a name and nothing else.
    let a = encoded(
        "shop",
        "web",
        "A",
        "person",
        &[
            (FirstName, "Jon"),
            (LastName, "Park"),
            (Email, "jon.park@example.com"),
            (Street, "1 Elm Road"),
            (City, "Boston"),
            (PostalCode, "02118"),
        ],
    );
    let b = encoded(
        "shop",
        "web",
        "B",
        "person",
        &[
            (FirstName, "Jon"),
            (LastName, "Park"),
            (Phone, "+1 206 555 0147"),
            (Street, "900 Pine Street"),
            (City, "Seattle"),
            (PostalCode, "98101"),
        ],
    );
    // Call-centre records that carry A's e-mail and B's phone and address.
    let bridge = |id: &str| {
        encoded(
            "support",
            "callCentre",
            id,
            "person",
            &[
                (FirstName, "Jon"),
                (LastName, "Park"),
                (Email, "jon.park@example.com"),
                (Phone, "+1 206 555 0147"),
                (Street, "900 Pine Street"),
                (City, "Seattle"),
                (PostalCode, "98101"),
            ],
        )
    };
    (vec![a, b], vec![bridge("T-1"), bridge("T-2")])
}

#[test]
fn a_merge_followed_by_a_split_restores_the_previous_entities() {
    let (people, bridges) = bridging();
    let mut g = resolved(&people);
    let id = |g: &IdentityGraph, x: &str| {
        g.customer_of(&r("shop", "web", x), View::Billing)
            .unwrap()
            .unwrap()
    };
    let (a, b) = (id(&g, "A"), id(&g, "B"));
    assert_ne!(a, b, "a shared name alone is not the same person");
    // The bridges link to both: one person.
    g.add_records(&bridges).unwrap();
    let summary = g.resolve(&mut |_, _, _| {}).unwrap();
    assert_eq!(id(&g, "A"), id(&g, "B"));
    let merged = id(&g, "A");
    assert!(
        merged == a || merged == b,
        "the merged person keeps one of the ids"
    );
    let gone = if merged == a { &b } else { &a };
    assert!(summary.changed.contains(gone));
    assert!(!g.entity(gone).unwrap().live);
    assert_eq!(
        g.entity(gone).unwrap().merged_into.as_deref(),
        Some(merged.as_str())
    );
    let merge = g
        .history(&merged)
        .unwrap()
        .into_iter()
        .find(|e| e.kind == EventKind::Merged)
        .unwrap();
    assert_eq!(merge.reason.rule, "link");
    assert!(merge.reason.probability.unwrap() >= 0.5);
    assert_eq!(merge.others, vec![gone.clone()]);
    // Erasing the bridges splits them again, with the old ids.
    g.remove_records(&[
        r("support", "callCentre", "T-1"),
        r("support", "callCentre", "T-2"),
    ])
    .unwrap();
    g.resolve(&mut |_, _, _| {}).unwrap();
    assert_eq!((id(&g, "A"), id(&g, "B")), (a.clone(), b.clone()));
    assert!(g.entity(gone).unwrap().live);
    let history = g.history(gone).unwrap();
    let kinds: Vec<EventKind> = history
        .iter()
        .filter(|e| &e.entity == gone)
        .map(|e| e.kind)
        .collect();
    assert_eq!(
        kinds,
        vec![EventKind::Created, EventKind::Retired, EventKind::Restored]
    );
    assert_eq!(history.last().unwrap().reason.rule, "recordRemoved");
    let split = g
        .history(&merged)
        .unwrap()
        .into_iter()
        .find(|e| e.kind == EventKind::Split)
        .unwrap();
    assert_eq!(split.others, vec![gone.clone()]);
}

/// Every live entity as (id, its records), for comparing graphs.
fn entities(g: &IdentityGraph) -> BTreeMap<String, Vec<RecordRef>> {
    let mut out = BTreeMap::new();
    for kind in [
        EntityKind::Person,
        EntityKind::Household,
        EntityKind::LegalEntity,
        EntityKind::Site,
        EntityKind::BusinessUnit,
    ] {
        for id in g.entity_ids(kind) {
            let mut recs = g.entity(&id).unwrap().records;
            recs.sort();
            out.insert(id, recs);
        }
    }
    out
}

#[test]
fn ids_stay_stable_under_reordering_and_additions() {
    let (mut people, _) = synthetic_people(5, 400, "shop");
    let (acme, tree) = acme();
    people.extend(acme);
    let build = |records: &[GraphRecord]| {
        let mut g = IdentityGraph::new(config()).unwrap();
        g.add_records(records).unwrap();
        g.add_hierarchy(&tree).unwrap();
        g.resolve(&mut |_, _, _| {}).unwrap();
        g
    };
    let forward = entities(&build(&people));
    let mut reversed = people.clone();
    reversed.reverse();
    assert_eq!(
        entities(&build(&reversed)),
        forward,
        "input order does not matter"
    );
    let persons = forward.keys().filter(|k| k.starts_with("per_")).count();
    assert!(
        persons < 400 && persons > 250,
        "duplicates were linked: {persons}"
    );

    // Additions: 60 more records, some of them duplicates of earlier customers.
    let (more, _) = synthetic_people(5, 460, "shop");
    let known: BTreeSet<String> = people.iter().map(|p| p.id.clone()).collect();
    let (base, extra): (Vec<_>, Vec<_>) = more.into_iter().partition(|p| known.contains(&p.id));
    assert_eq!(extra.len(), 60);
    let _ = base;
    let mut g = build(&people);
    g.add_records(&extra).unwrap();
    let summary = g.resolve(&mut |_, _, _| {}).unwrap();
    let after = entities(&g);
    let mut untouched = 0;
    for (id, recs) in &forward {
        if summary.changed.contains(id) {
            // Grown or merged entities: records only join (nothing was erased).
            if let Some(now) = after.get(id) {
                assert!(recs.iter().all(|r| now.contains(r)), "{id} lost records");
            }
        } else {
            assert_eq!(after.get(id), Some(recs), "{id} was renumbered");
            untouched += 1;
        }
    }
    assert!(
        untouched > forward.len() * 3 / 4,
        "only the touched part was re-resolved"
    );
}

#[test]
fn a_graph_trains_its_model_once_enough_person_records_arrive() {
    let (people, clusters) = synthetic_people(9, 1500, "shop");
    let mut g = IdentityGraph::new(GraphConfig::default()).unwrap();
    g.add_records(&people[..500]).unwrap();
    let first = g.resolve(&mut |_, _, _| {}).unwrap();
    assert!(
        !first.trained && g.params().is_none(),
        "500 < minTrainingRecords"
    );
    // Until then the shipped day-one model links (issue 18), and is not kept.
    assert_eq!(first.model, Some(ModelSource::Prior));
    assert!(first.links > 0 && first.entities["person"] < 500);
    g.add_records(&people[500..]).unwrap();
    let mut stages = BTreeSet::new();
    let second = g
        .resolve(&mut |s, _, _| {
            stages.insert(s.to_owned());
        })
        .unwrap();
    assert!(second.trained && g.params().is_some());
    assert_eq!(second.model, Some(ModelSource::Trained));
    assert!(stages.contains("em") && stages.contains("score"));
    // Pairwise precision and recall of the persons against the truth.
    let truth: BTreeMap<&str, &str> = clusters
        .iter()
        .map(|(r, e)| (r.as_str(), e.as_str()))
        .collect();
    let person: BTreeMap<String, String> = people
        .iter()
        .map(|p| {
            (
                p.id.clone(),
                g.customer_of(&p.record_ref(), View::Billing)
                    .unwrap()
                    .unwrap(),
            )
        })
        .collect();
    let ids: Vec<&String> = person.keys().collect();
    let (mut tp, mut found, mut real) = (0.0, 0.0, 0.0);
    for (i, x) in ids.iter().enumerate() {
        for y in &ids[i + 1..] {
            let same = person[*x] == person[*y];
            let truly = truth[x.as_str()] == truth[y.as_str()];
            found += f64::from(u8::from(same));
            real += f64::from(u8::from(truly));
            tp += f64::from(u8::from(same && truly));
        }
    }
    let (p, rc) = (tp / found, tp / real);
    assert!(p > 0.95 && rc > 0.8, "precision {p}, recall {rc}");
}

/// The persons as sets of records (ids aside).
fn person_partition(g: &IdentityGraph) -> BTreeSet<Vec<RecordRef>> {
    entities(g)
        .into_iter()
        .filter(|(id, _)| id.starts_with("per_"))
        .map(|(_, recs)| recs)
        .collect()
}

#[test]
fn a_retrain_rescores_the_links_made_under_earlier_parameters() {
    let (people, _) = synthetic_people(9, 1200, "shop");
    // Given parameters that believe almost no pair is a match.
    let mut timid = params();
    timid.prior = 1e-12;
    let mut g = IdentityGraph::new(GraphConfig {
        params: Some(timid.clone()),
        ..GraphConfig::default()
    })
    .unwrap();
    g.add_records(&people).unwrap();
    let first = g.resolve(&mut |_, _, _| {}).unwrap();
    assert_eq!(first.model, Some(ModelSource::Given));
    // Without a retrain, a resolve with nothing new changes nothing.
    let idle = g.resolve(&mut |_, _, _| {}).unwrap();
    assert_eq!((idle.links, idle.changed.len()), (0, 0));
    assert_eq!(g.params(), Some(&timid));

    g.retrain();
    let mut stages = BTreeSet::new();
    let second = g
        .resolve(&mut |s, _, _| {
            stages.insert(s.to_owned());
        })
        .unwrap();
    assert!(second.trained && stages.contains("em"));
    assert_eq!(second.model, Some(ModelSource::Trained));
    assert_ne!(g.params(), Some(&timid));
    // No record was added: every new link is an earlier pair scored again.
    assert_eq!(second.records, 0);
    assert!(
        second.entities["person"] < first.entities["person"],
        "rescored pairs merged persons: {} -> {}",
        first.entities["person"],
        second.entities["person"]
    );
    assert!(!second.changed.is_empty());

    // The same model and persons as a graph that trained on these records.
    let mut fresh = IdentityGraph::new(GraphConfig::default()).unwrap();
    fresh.add_records(&people).unwrap();
    let trained = fresh.resolve(&mut |_, _, _| {}).unwrap();
    assert!(trained.trained);
    assert_eq!(g.params(), fresh.params());
    assert_eq!(second.links, trained.links);
    assert_eq!(person_partition(&g), person_partition(&fresh));

    // A retrain on the same records fits the same model and keeps the persons.
    g.retrain();
    let third = g.resolve(&mut |_, _, _| {}).unwrap();
    assert!(third.trained);
    assert_eq!(g.params(), fresh.params());
    assert_eq!(person_partition(&g), person_partition(&fresh));
}

#[test]
fn a_graph_blocks_on_several_clks_sampled_as_one() {
    // No exact buckets, one LSH configuration over both names: the index
    // that grows hashes the same band scheme as the batch linker.
    let (people, _) = synthetic_people(5, 400, "shop");
    let mut config = config();
    config.link.blocking.exact_subjects.clear();
    config.link.blocking.lsh = serde_json::from_value(json!([
        {"clk": "firstName", "also": ["lastName"], "bands": 32}
    ]))
    .unwrap();
    let mut g = IdentityGraph::new(config.clone()).unwrap();
    g.add_records(&people[..300]).unwrap();
    let first = g.resolve(&mut |_, _, _| {}).unwrap();
    assert!(first.candidate_pairs > 0 && first.links > 0);
    // The rows added later find their pairs among the earlier ones.
    g.add_records(&people[300..]).unwrap();
    let second = g.resolve(&mut |_, _, _| {}).unwrap();
    assert!(second.candidate_pairs > 0);
    // The same persons as a graph that took every record at once.
    let mut once = IdentityGraph::new(config).unwrap();
    once.add_records(&people).unwrap();
    once.resolve(&mut |_, _, _| {}).unwrap();
    assert_eq!(person_partition(&g), person_partition(&once));
    assert!(person_partition(&g).len() < 400);
}

#[test]
fn a_document_round_trip_keeps_ids_links_and_history_and_holds_no_raw_value() {
    let (mut records, tree) = acme();
    records.extend(couple());
    let (people, bridges) = bridging();
    records.extend(people);
    let mut g = IdentityGraph::new(config()).unwrap();
    g.add_records(&records).unwrap();
    g.add_hierarchy(&tree).unwrap();
    g.resolve(&mut |_, _, _| {}).unwrap();
    g.add_records(&bridges).unwrap();
    g.resolve(&mut |_, _, _| {}).unwrap();
    let text = g.to_json();
    for raw in [
        "Miller",
        "miller",
        "anna.miller@example.com",
        "Acme",
        "acme",
        "100000001",
        "Oak Street",
        "62704",
        "2065550147",
    ] {
        assert!(!text.contains(raw), "the document holds a raw value");
    }
    let back = IdentityGraph::from_json(&text).unwrap();
    assert_eq!(entities(&back), entities(&g));
    for rec in records.iter().chain(&bridges) {
        for view in View::ALL {
            let rr = rec.record_ref();
            assert_eq!(
                back.customer_of(&rr, view).unwrap(),
                g.customer_of(&rr, view).unwrap()
            );
        }
    }
    assert_eq!(back.events(), g.events());
    assert_same_json(&back.to_json(), &text);
    // A history naming an entity, record or rule the document lacks is a
    // bad document, not an event about nothing.
    let event = g
        .events()
        .into_iter()
        .find(|e| e.reason.records.len() == 2)
        .unwrap();
    let record = serde_json::to_string(&event.reason.records[0]).unwrap();
    for (from, to) in [
        (
            format!("\"entity\":\"{}\"", event.entity),
            "\"entity\":\"per_0\"".to_owned(),
        ),
        (record, r#"{"system":"x","channel":"","id":"x"}"#.to_owned()),
        (
            r#""rule":"link""#.to_owned(),
            r#""rule":"hunch""#.to_owned(),
        ),
    ] {
        assert!(text.contains(&from), "{from}");
        let e = IdentityGraph::from_json(&text.replacen(&from, &to, 1)).unwrap_err();
        assert_eq!(e.code(), ErrorCode::IdentityBadDocument, "{from}");
    }
    // It keeps working after loading: an erasure splits with the old ids.
    let mut back = back;
    back.remove_records(&[
        r("support", "callCentre", "T-1"),
        r("support", "callCentre", "T-2"),
    ])
    .unwrap();
    back.resolve(&mut |_, _, _| {}).unwrap();
    assert_ne!(
        back.customer_of(&r("shop", "web", "A"), View::Billing)
            .unwrap(),
        back.customer_of(&r("shop", "web", "B"), View::Billing)
            .unwrap()
    );
    assert!(
        !back.to_json().contains(r#""id":"T-1""#),
        "an erased record leaves the document"
    );
}

/// Documents are equal up to the last bit of a float (serde_json's
/// default float parsing is not always correctly rounded).
fn assert_same_json(a: &str, b: &str) {
    fn same(a: &serde_json::Value, b: &serde_json::Value) -> bool {
        use serde_json::Value::*;
        match (a, b) {
            (Number(x), Number(y)) => {
                let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
                (x - y).abs() <= 1e-12 * x.abs().max(y.abs()).max(1e-300)
            }
            (Array(x), Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q)),
            (Object(x), Object(y)) => {
                x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
            }
            _ => a == b,
        }
    }
    let (a, b): (serde_json::Value, serde_json::Value) = (
        serde_json::from_str(a).unwrap(),
        serde_json::from_str(b).unwrap(),
    );
    assert!(same(&a, &b), "a loaded graph writes the same document");
}

#[test]
fn one_partys_export_links_against_anothers_file_made_with_the_same_key() {
    let g = resolved(&couple());
    let doc: serde_json::Value = serde_json::from_str(&g.to_json()).unwrap();
    let exported: Vec<EncodedRecord> = doc["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| serde_json::from_value(r.clone()).unwrap())
        .collect();
    // The partner encodes its own customer file with the same keys.
    let partner = vec![encoded(
        "partner",
        "portal",
        "P-77",
        "person",
        &[
            (Field::FirstName, "Ben"),
            (Field::LastName, "Miller"),
            (Field::Email, "BEN.MILLER@example.net"),
            (Field::DateOfBirth, "1982-11-30"),
        ],
    )];
    let partner: Vec<EncodedRecord> = partner
        .into_iter()
        .map(|p| EncodedRecord {
            id: p.id,
            tokens: p.tokens,
            match_keys: p.match_keys,
            clks: p.clks,
        })
        .collect();
    let mut linker = Linker::new(LinkConfig::default())
        .unwrap()
        .with_params(params())
        .unwrap();
    let links = linker
        .link(&exported, &partner, &mut |_, _, _| {})
        .unwrap()
        .links;
    assert_eq!(links.len(), 1);
    assert_eq!((links[0].a.as_str(), links[0].b.as_str()), ("c-7", "P-77"));
}

#[test]
fn bad_input_gets_typed_errors_without_echoing_values() {
    let mut g = IdentityGraph::new(config()).unwrap();
    let rec = graph_record("shop", "web", "secret-order-1", "person");
    g.add_records(std::slice::from_ref(&rec)).unwrap();
    let (row, e) = g
        .add_records(&[graph_record("shop", "web", "x", "person"), rec.clone()])
        .unwrap_err();
    assert_eq!((row, e.code()), (1, ErrorCode::IdentityDuplicateRecord));
    assert!(!e.to_string().contains("secret-order-1"));
    let bad = [
        (
            json!({"system": "s", "id": "1", "kind": "person", "measures": {"bad name": 1}}),
            ErrorCode::IdentityInvalidMeasure,
        ),
        (
            json!({"system": "s", "id": "1", "kind": "person", "date": "2026-02-30"}),
            ErrorCode::IdentityInvalidDate,
        ),
        (
            json!({"system": "s", "id": "1", "kind": "interaction", "relations": [{"type": "buyer", "to": {"id": "2"}}]}),
            ErrorCode::IdentityInvalidRelation,
        ),
        (
            json!({"system": "s", "id": "1", "kind": "person", "unit": "site"}),
            ErrorCode::IdentityInvalidRecord,
        ),
        (
            json!({"system": "", "id": "1"}),
            ErrorCode::IdentityInvalidRecord,
        ),
        (
            json!({"system": "s", "id": "1", "tokens": ["pl1.email.k1.nope"]}),
            ErrorCode::LinkBadToken,
        ),
    ];
    for (json, code) in bad {
        let rec: GraphRecord = serde_json::from_value(json).unwrap();
        assert_eq!(g.add_records(&[rec]).unwrap_err().1.code(), code);
    }
    assert_eq!(
        View::parse("finance").unwrap_err().code(),
        ErrorCode::IdentityUnknownView
    );
    assert_eq!(
        g.entity("per_0000").unwrap_err().code(),
        ErrorCode::IdentityUnknownEntity
    );
    assert_eq!(
        g.customer_of(&r("shop", "web", "nope"), View::Billing)
            .unwrap_err()
            .code(),
        ErrorCode::IdentityUnknownRecord
    );
    assert_eq!(
        IdentityGraph::from_json("{}").unwrap_err().code(),
        ErrorCode::IdentityBadDocument
    );
    assert_eq!(
        IdentityGraph::from_json(r#"{"format":"pseudolink-identity-graph","version":9}"#)
            .unwrap_err()
            .code(),
        ErrorCode::IdentityUnsupportedVersion
    );
    let mut doc: serde_json::Value = serde_json::from_str(&g.to_json()).unwrap();
    doc["entities"] = json!([{"id": "per_x", "kind": "person", "live": true, "records": [5]}]);
    assert_eq!(
        IdentityGraph::from_json(&doc.to_string())
            .unwrap_err()
            .code(),
        ErrorCode::IdentityBadDocument
    );
    let bad_edge = pseudolink::identity::HierarchyEdge::many_from_json(
        r#"[{"child": "pl1.email.k1.AAAA", "parent": "x", "relation": "parent"}]"#,
    );
    assert_eq!(
        bad_edge.unwrap_err().code(),
        ErrorCode::IdentityInvalidHierarchy
    );
}
