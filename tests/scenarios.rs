//! Small graphs, linked from the first records: no `params`, no training
//! data beyond the records themselves (issue 18). Each scenario is what a
//! small shop's graph holds on day one; the shipped day-one model scores
//! (`model: prior`) until the graph has `minTrainingRecords` person records.
//!
//! The same scenarios run in the browser in `tests/web_identity.rs`.
//! Dates are ISO here, but for the scenario that reads `05/02/1984` in the
//! region's order (`defaultRegion: 'US'`, no `dateOrder`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![cfg(feature = "fuzzy")]

mod identity_support;

use identity_support::{encoded, encoder};
use pseudolink::identity::{GraphConfig, GraphRecord, IdentityGraph, RecordRef, View};
use pseudolink::link::{EncodedRecord, Explanation, LinkConfig, Linker, ModelSource};
use pseudolink::{Field, Record};
use std::collections::BTreeSet;

use Field::*;

fn r(channel: &str, id: &str) -> RecordRef {
    RecordRef::new("shop", channel, id)
}

fn person(channel: &str, id: &str, fields: &[(Field, &str)]) -> GraphRecord {
    encoded("shop", channel, id, "person", fields)
}

/// A graph with the default configuration (no parameters), resolved once.
fn graph(records: &[GraphRecord]) -> IdentityGraph {
    let mut g = IdentityGraph::new(GraphConfig::default()).unwrap();
    g.add_records(records).unwrap();
    let s = g.resolve(&mut |_, _, _| {}).unwrap();
    assert!(!s.trained, "nothing trains on a handful of records");
    assert_eq!(s.model, Some(ModelSource::Prior), "{s:?}");
    assert!(
        g.params().is_none(),
        "the day-one model is not kept as params"
    );
    g
}

fn person_of(g: &IdentityGraph, r: &RecordRef) -> String {
    g.customer_of(r, View::Billing).unwrap().unwrap()
}

fn household_of(g: &IdentityGraph, r: &RecordRef) -> String {
    g.customer_of(r, View::Sales).unwrap().unwrap()
}

fn level(g: &IdentityGraph, a: &RecordRef, b: &RecordRef, comparison: &str) -> String {
    let e = g.explain(a, b).unwrap();
    e.contributions
        .iter()
        .find(|c| c.comparison == comparison)
        .unwrap()
        .level
        .clone()
}

/// The same records for the batch linker.
fn encoded_records(rows: &[(&str, Vec<(Field, &str)>)]) -> Vec<EncodedRecord> {
    let enc = encoder();
    rows.iter()
        .map(|(id, fields)| {
            let mut rec = Record::new();
            for (f, v) in fields {
                rec.set(*f, *v);
            }
            enc.encode(id, &rec).record
        })
        .collect()
}

const HOME: [(Field, &str); 3] = [
    (Street, "742 Evergreen Terrace"),
    (City, "Springfield"),
    (PostalCode, "62704"),
];

fn at_home(mut f: Vec<(Field, &'static str)>) -> Vec<(Field, &'static str)> {
    f.extend(HOME);
    f
}

#[test]
fn the_same_email_in_another_case_is_one_customer() {
    let a = vec![
        (FirstName, "Katherine"),
        (LastName, "Miller"),
        (Email, "katherine.miller@example.com"),
    ];
    let b = vec![
        (FirstName, "Katherine"),
        (LastName, "Miller"),
        (Email, "Katherine.Miller@Example.COM"),
    ];
    let g = graph(&[person("web", "o-1", &a), person("web", "o-2", &b)]);
    assert_eq!(
        person_of(&g, &r("web", "o-1")),
        person_of(&g, &r("web", "o-2"))
    );
    assert_eq!(
        level(&g, &r("web", "o-1"), &r("web", "o-2"), "email"),
        "agree"
    );

    // The batch linker on the same two records: one cluster, scored by the
    // day-one model with a calibrated (not certain, not tiny) probability.
    let rows = encoded_records(&[("o-1", a), ("o-2", b)]);
    let d = Linker::new(LinkConfig::default())
        .unwrap()
        .dedupe(&rows, &mut |_, _, _| {})
        .unwrap();
    assert_eq!(d.stats.model, ModelSource::Prior);
    assert!(!d.stats.trained);
    assert_eq!(d.clusters, vec![vec!["o-1".to_owned(), "o-2".to_owned()]]);
    assert!(d.links[0].probability > 0.99, "{:?}", d.links[0]);
}

#[test]
fn web_phone_web_is_one_customer_with_each_link_explained() {
    // She orders online with her e-mail, calls the contact centre with her
    // phone (as "Kate"), and orders online again with both.
    let web1 = at_home(vec![
        (FirstName, "Katherine"),
        (LastName, "Miller"),
        (Email, "kmiller@example.com"),
    ]);
    let call = at_home(vec![
        (FirstName, "Kate"),
        (LastName, "Miller"),
        (Phone, "(217) 555-0142"),
    ]);
    let web2 = vec![
        (FirstName, "Katherine"),
        (LastName, "Miller"),
        (Email, "KMiller@Example.com"),
        (Phone, "+1 217 555 0142"),
    ];
    let (w1, c, w2) = (r("web", "o-1"), r("callCentre", "c-7"), r("web", "o-9"));
    let g = graph(&[
        person("web", "o-1", &web1),
        person("callCentre", "c-7", &call),
        person("web", "o-9", &web2),
    ]);
    let id = person_of(&g, &w1);
    assert_eq!(person_of(&g, &c), id);
    assert_eq!(person_of(&g, &w2), id);

    // The entity lists each link with what spoke for it.
    let info = g.entity(&id).unwrap();
    let has = |a: &RecordRef, b: &RecordRef, what: &str| {
        info.links.iter().any(|l| {
            ((&l.a, &l.b) == (a, b) || (&l.a, &l.b) == (b, a))
                && l.probability >= 0.5
                && l.agreed.iter().any(|x| x == what)
        })
    };
    assert!(has(&w1, &w2, "email"), "{:?}", info.links);
    assert!(has(&c, &w2, "phone"), "{:?}", info.links);
    assert_eq!(level(&g, &w1, &w2, "email"), "agree");
    assert_eq!(level(&g, &c, &w2, "phone"), "agree");
    // Kate and Katherine agree at the nickname level.
    assert_eq!(level(&g, &c, &w2, "firstName"), "nickname");

    // The batch linker: the three records are one cluster.
    let rows = encoded_records(&[("o-1", web1), ("c-7", call), ("o-9", web2)]);
    let d = Linker::new(LinkConfig::default())
        .unwrap()
        .dedupe(&rows, &mut |_, _, _| {})
        .unwrap();
    assert_eq!(d.stats.model, ModelSource::Prior);
    assert_eq!(d.clusters.len(), 1, "{:?}", d.clusters);
    assert!(d.links.len() >= 2);
}

#[test]
fn a_nickname_and_the_same_address_are_one_customer() {
    let bob = at_home(vec![(FirstName, "Bob"), (LastName, "Jones")]);
    let robert = at_home(vec![(FirstName, "Robert"), (LastName, "Jones")]);
    let g = graph(&[person("web", "o-1", &bob), person("store", "s-4", &robert)]);
    let (a, b) = (r("web", "o-1"), r("store", "s-4"));
    assert_eq!(person_of(&g, &a), person_of(&g, &b));
    assert_eq!(level(&g, &a, &b, "firstName"), "nickname");

    // Without the nickname, the first names are simply different: two
    // persons of one household.
    let other = at_home(vec![(FirstName, "Brian"), (LastName, "Jones")]);
    let g = graph(&[person("web", "o-1", &bob), person("store", "s-5", &other)]);
    let c = r("store", "s-5");
    assert_ne!(person_of(&g, &a), person_of(&g, &c));
    assert_eq!(household_of(&g, &a), household_of(&g, &c));
}

#[test]
fn a_couple_sharing_address_and_landline_is_two_persons_in_one_household() {
    let john = at_home(vec![
        (FirstName, "John"),
        (LastName, "Smith"),
        (Phone, "(217) 555-0199"),
        (Email, "john.smith@example.com"),
        (DateOfBirth, "1968-03-14"),
    ]);
    let mary = at_home(vec![
        (FirstName, "Mary"),
        (LastName, "Smith"),
        (Phone, "217-555-0199"),
        (Email, "mary.s@example.net"),
        (DateOfBirth, "1970-09-02"),
    ]);
    // John again by phone, no e-mail: still John.
    let john_call = at_home(vec![
        (FirstName, "John"),
        (LastName, "Smith"),
        (Phone, "+1 217 555 0199"),
    ]);
    let g = graph(&[
        person("web", "o-1", &john),
        person("web", "o-2", &mary),
        person("callCentre", "c-3", &john_call),
    ]);
    let (j, m, jc) = (r("web", "o-1"), r("web", "o-2"), r("callCentre", "c-3"));
    assert_eq!(person_of(&g, &j), person_of(&g, &jc));
    assert_ne!(
        person_of(&g, &j),
        person_of(&g, &m),
        "one landline, two people"
    );
    assert_eq!(household_of(&g, &j), household_of(&g, &m));
    let hh = g.entity(&household_of(&g, &j)).unwrap();
    assert_eq!(hh.persons.len(), 2);
}

#[test]
fn a_shared_family_email_does_not_merge_different_people() {
    let family = "the.smiths@example.com";
    let john = at_home(vec![
        (FirstName, "John"),
        (LastName, "Smith"),
        (Email, family),
        (DateOfBirth, "1968-03-14"),
    ]);
    let emma = at_home(vec![
        (FirstName, "Emma"),
        (LastName, "Smith"),
        (Email, family),
        (DateOfBirth, "1999-07-21"),
    ]);
    // John's own phone order, and Emma again with the family e-mail.
    let john_call = vec![
        (FirstName, "John"),
        (LastName, "Smith"),
        (Email, family),
        (Phone, "(217) 555-0142"),
    ];
    let emma_again = vec![(FirstName, "Emma"), (LastName, "Smith"), (Email, family)];
    let g = graph(&[
        person("web", "o-1", &john),
        person("web", "o-2", &emma),
        person("callCentre", "c-3", &john_call),
        person("web", "o-4", &emma_again),
    ]);
    let (j, e, jc, e2) = (
        r("web", "o-1"),
        r("web", "o-2"),
        r("callCentre", "c-3"),
        r("web", "o-4"),
    );
    assert_eq!(person_of(&g, &j), person_of(&g, &jc));
    assert_eq!(person_of(&g, &e), person_of(&g, &e2));
    assert_ne!(
        person_of(&g, &j),
        person_of(&g, &e),
        "a family e-mail, two people"
    );
    assert_eq!(household_of(&g, &j), household_of(&g, &e));
}

#[test]
fn a_graph_links_from_its_first_record_and_resolves_incrementally() {
    let mut g = IdentityGraph::new(GraphConfig::default()).unwrap();
    let steps = [
        person(
            "web",
            "o-1",
            &at_home(vec![
                (FirstName, "Katherine"),
                (LastName, "Miller"),
                (Email, "kmiller@example.com"),
            ]),
        ),
        person(
            "callCentre",
            "c-7",
            &at_home(vec![
                (FirstName, "Kate"),
                (LastName, "Miller"),
                (Phone, "(217) 555-0142"),
            ]),
        ),
        person(
            "web",
            "o-9",
            &[
                (FirstName, "Katherine"),
                (LastName, "Miller"),
                (Email, "KMILLER@example.com"),
                (Phone, "2175550142"),
            ],
        ),
    ];
    let mut persons = Vec::new();
    for rec in steps {
        g.add_records(std::slice::from_ref(&rec)).unwrap();
        let s = g.resolve(&mut |_, _, _| {}).unwrap();
        assert_eq!(s.model, Some(ModelSource::Prior));
        persons.push(s.entities.get("person").copied().unwrap_or(0));
    }
    assert_eq!(persons.last(), Some(&1), "{persons:?}");
    let ids: BTreeSet<String> = [r("web", "o-1"), r("callCentre", "c-7"), r("web", "o-9")]
        .iter()
        .map(|x| person_of(&g, x))
        .collect();
    assert_eq!(ids.len(), 1);
    // A document round trip keeps the links and the model's provenance.
    let again = IdentityGraph::from_json(&g.to_json()).unwrap();
    assert_eq!(
        person_of(&again, &r("web", "o-1")),
        person_of(&g, &r("web", "o-9"))
    );
    assert!(again.explain(&r("web", "o-1"), &r("web", "o-9")).is_ok());
}

#[test]
fn strangers_stay_apart() {
    let g = graph(&[
        person(
            "web",
            "o-1",
            &[
                (FirstName, "Ann"),
                (LastName, "Lee"),
                (Email, "ann@example.org"),
            ],
        ),
        person(
            "web",
            "o-2",
            &[
                (FirstName, "Omar"),
                (LastName, "Haddad"),
                (Phone, "(312) 555-0100"),
            ],
        ),
        person(
            "web",
            "o-3",
            &at_home(vec![(FirstName, "Lena"), (LastName, "Berg")]),
        ),
    ]);
    let ids: BTreeSet<String> = ["o-1", "o-2", "o-3"]
        .iter()
        .map(|id| person_of(&g, &r("web", id)))
        .collect();
    assert_eq!(ids.len(), 3);
}

/// A US shop's definition with no `dateOrder`: numeric dates are read in the
/// region's order (month first), as a clerk in that shop would read them.
fn us_encoder_without_date_order() -> pseudolink::RecordEncoder {
    use pseudolink::{
        ClkSchema, IdentityDefinition, Pseudonymizer, RecordEncoder, Secret, DEFAULT_CLK_SCHEMA,
    };
    let json = identity_support::DEFINITION.replace(r#","dateOrder":"mdy""#, "");
    assert!(!json.contains("dateOrder"));
    let def = IdentityDefinition::from_json(&json).unwrap();
    let p =
        Pseudonymizer::new(vec![("k1".into(), Secret::new(vec![5; 32]).unwrap())], def).unwrap();
    let schema = ClkSchema::from_json(DEFAULT_CLK_SCHEMA).unwrap();
    RecordEncoder::with_clks(p, &schema, &[6; 32]).unwrap()
}

#[test]
fn a_us_shop_reads_05_02_1984_as_the_second_of_may() {
    let enc = us_encoder_without_date_order();
    let raw = |fields: &[(Field, &str)]| {
        let mut rec = Record::new();
        for (f, v) in fields {
            rec.set(*f, *v);
        }
        rec
    };
    let call = raw(&[
        (FirstName, "Katherine"),
        (LastName, "Miller"),
        (DateOfBirth, "05/02/1984"),
        (Phone, "(217) 555-0142"),
    ]);
    let web = raw(&[
        (FirstName, "Katherine"),
        (LastName, "Miller"),
        (DateOfBirth, "1984-05-02"),
        (Email, "kmiller@example.com"),
    ]);
    let a = enc.encode("c-7", &call);
    let b = enc.encode("o-1", &web);
    // Not refused as ambiguous, and the same date token as the ISO spelling.
    assert!(a.errors.is_empty(), "{:?}", a.errors);
    let dob = |r: &EncodedRecord| {
        r.tokens
            .iter()
            .find(|t| t.starts_with("pl1.dateOfBirth."))
            .cloned()
            .unwrap()
    };
    assert_eq!(dob(&a.record), dob(&b.record));
    // A date with one valid reading needs no region at all.
    let c = enc.encode("o-2", &raw(&[(DateOfBirth, "12/31/1990")]));
    assert!(c.errors.is_empty(), "{:?}", c.errors);

    // The batch linker links the call to the web order on name and date.
    let d = Linker::new(LinkConfig::default())
        .unwrap()
        .dedupe(&[a.record, b.record], &mut |_, _, _| {})
        .unwrap();
    assert_eq!(d.stats.model, ModelSource::Prior);
    assert_eq!(d.clusters, vec![vec!["c-7".to_owned(), "o-1".to_owned()]]);
}

#[test]
fn a_shared_customer_number_links_from_the_first_records() {
    // The definition tokenises the shop's customer number; the configuration
    // adds it as a comparison and a blocking key. The day-one model has no
    // fit for it and counts it as it counts an e-mail.
    use pseudolink::{
        ClkSchema, IdentityDefinition, Pseudonymizer, RecordEncoder, Secret, DEFAULT_CLK_SCHEMA,
    };
    let json = identity_support::DEFINITION.replace(r#""fields":["#, r#""fields":["externalId","#);
    let def = IdentityDefinition::from_json(&json).unwrap();
    let p =
        Pseudonymizer::new(vec![("k1".into(), Secret::new(vec![5; 32]).unwrap())], def).unwrap();
    let schema = ClkSchema::from_json(DEFAULT_CLK_SCHEMA).unwrap();
    let enc = RecordEncoder::with_clks(p, &schema, &[6; 32]).unwrap();
    let row = |id: &str, fields: &[(Field, &str)]| {
        let mut rec = Record::new();
        for (f, v) in fields {
            rec.set(*f, *v);
        }
        enc.encode(id, &rec).record
    };
    // The call centre took her customer number and her phone, no name; the
    // web shop has her name and e-mail. Only the customer number ties them.
    // Omar, with his own number, stays apart.
    let call = row(
        "c-7",
        &[(ExternalId, "CUST-1001"), (Phone, "(217) 555-0199")],
    );
    let web = row(
        "o-1",
        &[
            (ExternalId, "CUST-1001"),
            (FirstName, "Katherine"),
            (LastName, "Miller"),
            (Email, "kmiller@example.com"),
        ],
    );
    let stranger = row(
        "o-2",
        &[
            (ExternalId, "CUST-2002"),
            (FirstName, "Omar"),
            (LastName, "Haddad"),
            (Email, "omar@example.org"),
        ],
    );
    let mut config = LinkConfig::default();
    config
        .comparisons
        .push(pseudolink::link::Comparison::token("externalId", false));
    config.blocking.exact_subjects.push("externalId".into());
    let d = Linker::new(config)
        .unwrap()
        .dedupe(&[call, web, stranger], &mut |_, _, _| {})
        .unwrap();
    assert_eq!(d.stats.model, ModelSource::Prior);
    assert_eq!(
        d.clusters,
        vec![
            vec!["c-7".to_owned(), "o-1".to_owned()],
            vec!["o-2".to_owned()]
        ],
        "{:?}",
        d.links
    );
}

#[test]
fn stats_name_the_model_that_scored() {
    use pseudolink::link::PriorModel;
    use pseudolink_synth::{dedupe, Config};
    let enc = encoder();
    let rows: Vec<EncodedRecord> = dedupe(&Config::new(18), 400, 0.3, 3)
        .rows
        .iter()
        .map(|row| {
            let mut rec = Record::new();
            for (name, value) in row.present() {
                rec.set(Field::from_name(name).unwrap(), value);
            }
            enc.encode(&row.id, &rec).record
        })
        .collect();
    // A handful of records: the day-one model, not kept.
    let mut linker = Linker::new(LinkConfig::default()).unwrap();
    let small = linker.dedupe(&rows[..20], &mut |_, _, _| {}).unwrap();
    assert_eq!(small.stats.model, ModelSource::Prior);
    assert!(linker.params().is_none());
    // Enough records: EM trains, and later jobs reuse the trained model.
    let big = linker.dedupe(&rows, &mut |_, _, _| {}).unwrap();
    assert_eq!(big.stats.model, ModelSource::Trained);
    assert!(big.stats.trained && linker.params().is_some());
    let again = linker.dedupe(&rows[..20], &mut |_, _, _| {}).unwrap();
    assert_eq!(again.stats.model, ModelSource::Trained);
    assert!(!again.stats.trained);
    // Given parameters (here the day-one model's own, for 20 records).
    let prior = PriorModel::shipped()
        .unwrap()
        .params_for(&LinkConfig::default().comparisons, 20, 190.0)
        .unwrap();
    let mut given = Linker::new(LinkConfig::default())
        .unwrap()
        .with_params(prior)
        .unwrap();
    let r = given.dedupe(&rows[..20], &mut |_, _, _| {}).unwrap();
    assert_eq!(r.stats.model, ModelSource::Given);
}

#[test]
fn a_customer_who_moved_is_one_customer_and_the_move_counts_once() {
    // The same woman before and after a move: new street, city, postal
    // code and phone, a new e-mail too; name and birthday stay.
    let before = vec![
        (FirstName, "Maria"),
        (LastName, "Kowalski"),
        (DateOfBirth, "1979-03-14"),
        (Email, "maria.k@example.com"),
        (Phone, "+1 217 555 0101"),
        (Street, "742 Evergreen Terrace"),
        (City, "Springfield"),
        (PostalCode, "62704"),
    ];
    let after = vec![
        (FirstName, "Maria"),
        (LastName, "Kowalski"),
        (DateOfBirth, "1979-03-14"),
        (Email, "mkowalski@example.org"),
        (Phone, "+1 503 555 0199"),
        (Street, "18 Alder Street"),
        (City, "Portland"),
        (PostalCode, "97205"),
    ];
    let rows = encoded_records(&[("o-1", before), ("o-2", after)]);
    let d = Linker::new(LinkConfig::default())
        .unwrap()
        .dedupe(&rows, &mut |_, _, _| {})
        .unwrap();
    assert_eq!(d.clusters, vec![vec!["o-1".to_owned(), "o-2".to_owned()]]);
    let e = d.links[0].explanation.as_ref().unwrap();
    let level = |name: &str| level_of(e, name);
    // One joint "moved" event instead of four independent disagreements.
    assert_eq!(level("moved"), "allDisagree");
    for part in ["street", "city", "postalCode", "phone"] {
        assert_eq!(level(part), "null", "{part}");
    }
    let moved = e
        .contributions
        .iter()
        .find(|c| c.comparison == "moved")
        .unwrap();
    assert!(moved.match_weight < 0.0, "a move is weak evidence against");
}

#[test]
fn a_customer_at_the_same_address_shows_each_address_part() {
    // No move: the move level says "some agree" and the address parts
    // weigh as usual.
    let a = at_home(vec![
        (FirstName, "Ann"),
        (LastName, "Lee"),
        (DateOfBirth, "1990-01-02"),
    ]);
    let b = at_home(vec![
        (FirstName, "Ann"),
        (LastName, "Lee"),
        (DateOfBirth, "1990-01-02"),
    ]);
    let rows = encoded_records(&[("o-1", a), ("o-2", b)]);
    let d = Linker::new(LinkConfig::default())
        .unwrap()
        .dedupe(&rows, &mut |_, _, _| {})
        .unwrap();
    let e = d.links[0].explanation.as_ref().unwrap();
    let level = |name: &str| {
        e.contributions
            .iter()
            .find(|c| c.comparison == name)
            .map(|c| c.level.clone())
            .unwrap()
    };
    assert_eq!(level("moved"), "someAgree");
    assert_eq!(level("street"), "dice≥0.95");
}

/// The shared definition plus the order-free names match key (version 2):
/// first and last name swapped give the same `mk-names` token.
fn names_key_encoder(names_key: bool) -> pseudolink::RecordEncoder {
    use pseudolink::{
        ClkSchema, IdentityDefinition, Pseudonymizer, RecordEncoder, Secret, DEFAULT_CLK_SCHEMA,
    };
    let mut json = identity_support::DEFINITION.to_owned();
    if names_key {
        json = json.replacen(r#"{"version":1,"#, r#"{"version":2,"#, 1).replacen(
            r#""matchKeys":["#,
            r#""matchKeys":[{"name":"names","unordered":true,"parts":[{"field":"firstName"},{"field":"lastName"}]},"#,
            1,
        );
    }
    let def = IdentityDefinition::from_json(&json).unwrap();
    let p =
        Pseudonymizer::new(vec![("k1".into(), Secret::new(vec![5; 32]).unwrap())], def).unwrap();
    let schema = ClkSchema::from_json(DEFAULT_CLK_SCHEMA).unwrap();
    RecordEncoder::with_clks(p, &schema, &[6; 32]).unwrap()
}

fn encode_with(
    enc: &pseudolink::RecordEncoder,
    id: &str,
    fields: &[(Field, &str)],
) -> EncodedRecord {
    let mut rec = Record::new();
    for (f, v) in fields {
        rec.set(*f, *v);
    }
    enc.encode(id, &rec).record
}

#[test]
fn swapped_first_and_last_names_share_a_blocking_key_only_with_the_names_key() {
    // The same man, once entered "Smith John": nothing else in common that
    // blocking reads (another address, no e-mail, phone or date of birth).
    let a = [
        (FirstName, "John"),
        (LastName, "Smith"),
        (Street, "742 Evergreen Terrace"),
        (City, "Springfield"),
        (PostalCode, "62704"),
    ];
    let b = [
        (FirstName, "Smith"),
        (LastName, "John"),
        (Street, "18 Alder Street"),
        (City, "Portland"),
        (PostalCode, "97205"),
    ];
    let candidates = |names_key: bool| {
        let enc = names_key_encoder(names_key);
        let (ea, eb) = (encode_with(&enc, "a1", &a), encode_with(&enc, "b1", &b));
        // The exact pass alone: with two records LSH pairs everything.
        let mut config = LinkConfig::default();
        config.blocking.lsh.clear();
        Linker::new(config)
            .unwrap()
            .candidate_pairs(&[ea], &[eb])
            .unwrap()
    };
    assert_eq!(candidates(true), vec![(0, 0)]);
    assert!(candidates(false).is_empty());
}

#[test]
fn a_customer_with_swapped_names_is_one_customer_and_the_swap_replaces_the_names() {
    // The same woman on the phone and on the web: the clerk swapped her
    // names; she moved in between and gave no e-mail on the phone. Her date
    // of birth and phone are what the records share besides the names.
    let call = vec![
        (FirstName, "Kowalski"),
        (LastName, "Maria"),
        (DateOfBirth, "1979-03-14"),
        (Phone, "+1 217 555 0101"),
    ];
    let web = vec![
        (FirstName, "Maria"),
        (LastName, "Kowalski"),
        (DateOfBirth, "1979-03-14"),
        (Phone, "+1 217 555 0101"),
        (Email, "maria.k@example.com"),
    ];
    let dedupe = |names_key: bool| {
        let enc = names_key_encoder(names_key);
        let rows = [
            encode_with(&enc, "c-1", &call),
            encode_with(&enc, "o-1", &web),
        ];
        Linker::new(LinkConfig::default())
            .unwrap()
            .dedupe(&rows, &mut |_, _, _| {})
            .unwrap()
    };
    let d = dedupe(true);
    assert!(d
        .stats
        .built_comparisons
        .iter()
        .any(|c| c.name == "swapped"));
    assert_eq!(d.clusters, vec![vec!["c-1".to_owned(), "o-1".to_owned()]]);
    let e = d.links[0].explanation.as_ref().unwrap();
    let level = |name: &str| level_of(e, name);
    assert_eq!(level("swapped"), "agree");
    assert_eq!(level("firstName"), "null");
    assert_eq!(level("lastName"), "null");
    let with_key = d.links[0].probability;
    // Without the key the two name disagreements count against the pair.
    let d = dedupe(false);
    assert!(d
        .stats
        .built_comparisons
        .iter()
        .all(|c| c.name != "swapped"));
    let without_key = d.links.first().map_or(0.0, |l| l.probability);
    assert!(with_key > without_key, "{with_key} vs {without_key}");
}

#[test]
fn names_in_order_do_not_count_twice_with_the_names_key() {
    // The names key agrees for every pair whose names agree in order too;
    // `swapped` is null for those, so the explanation is the same as without it.
    let row = vec![
        (FirstName, "Maria"),
        (LastName, "Kowalski"),
        (DateOfBirth, "1979-03-14"),
    ];
    let weight = |names_key: bool| {
        let enc = names_key_encoder(names_key);
        let rows = [
            encode_with(&enc, "c-1", &row),
            encode_with(&enc, "o-1", &row),
        ];
        let d = Linker::new(LinkConfig::default())
            .unwrap()
            .dedupe(&rows, &mut |_, _, _| {})
            .unwrap();
        let e = d.links[0].explanation.clone().unwrap();
        let swapped = e.contributions.iter().find(|c| c.comparison == "swapped");
        assert!(swapped.is_none_or(|c| c.level == "null" && c.match_weight == 0.0));
        e.match_weight
    };
    assert_eq!(weight(true), weight(false));
}

/// The level an explanation gives comparison `name` (`"null"` when it did not count).
fn level_of<'e>(e: &'e Explanation, name: &str) -> &'e str {
    e.contributions
        .iter()
        .find(|c| c.comparison == name)
        .map(|c| c.level.as_str())
        .unwrap()
}
