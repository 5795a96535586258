//! JavaScript bindings of the identity graph (feature `identity`, package
//! entry `pseudolink_identity`). Records, refs, options and results cross as JSON text;
//! batch errors carry the index of the bad element in `row`.

use super::link::{
    encoded_from, error_at, parse_array, parse_chunk, BatchOptionsJs, ProgressSink, JSON_CHUNK,
};
use super::{
    array_len, invalid_record, is_array, js_error, json_text, object_or_json, string_arg, to_js,
};
use crate::identity::{
    EntityKind, GraphConfig, GraphRecord, HierarchyEdge, IdentityGraph as CoreGraph, RecordFilter,
    RecordRef, RollupOptions, SegmentRequest, View,
};
use crate::{Error, ErrorCode, Subject};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = r#"
/** A department's way of counting customers (see `IdentityGraph.customerOf`). */
export type View = 'billing' | 'service' | 'sales' | 'group' | 'household';

/** What an entity is. */
export type EntityKind = 'person' | 'household' | 'legalEntity' | 'site' | 'businessUnit';

/** What one record is to another. The role types (`user` … `shipToContact`) are a person's at an organisation. */
export type RelationType =
  | 'billTo' | 'shipTo' | 'unit' | 'customer' | 'memberOf'
  | 'user' | 'specifier' | 'approver' | 'buyer' | 'billToContact' | 'shipToContact';

/** A record's key in the business's systems. */
export interface RecordRef {
  system: string;
  /** Default `''`. */
  channel?: string;
  id: string;
}

/** A relation to another record; omitted `system`/`channel` are the source record's own. */
export interface Relation {
  type: RelationType;
  to: { system?: string; channel?: string; id: string };
}

/**
 * One source record. `id`, `tokens`, `matchKeys` and `clks` are an `EncodedRecord`'s
 * (what `RecordEncoder` makes), so `{ system: 'shop', ...encoded }` is a person record.
 */
export interface GraphRecord {
  system: string;
  channel?: string;
  id: string;
  /** Default `'person'`. An interaction (order, invoice, meter) belongs to a customer through its relations. */
  kind?: 'person' | 'organisation' | 'interaction';
  /** Organisations only; default `'legalEntity'`. */
  unit?: 'legalEntity' | 'site' | 'businessUnit';
  tokens?: string[];
  matchKeys?: string[];
  /** CLKs by field, standard base64. */
  clks?: Record<string, string>;
  relations?: Relation[];
  /** An opaque household key the business assigns: persons sharing it are one household. */
  household?: string;
  /** Non-identifying numbers (`revenue`, `costToServe`, `transactions`, any `[A-Za-z0-9_]{1,32}`), summed in roll-ups. */
  measures?: Record<string, number>;
  /** `YYYY-MM-DD`. */
  date?: string;
}

/** One edge of a corporate family tree between two D-U-N-S tokens (`pl1.duns.…`/`po1.duns.…`). */
export interface HierarchyEdge {
  child: string;
  parent: string;
  /** `franchise` relates without owning: the group view does not climb it. */
  relation: 'parent' | 'headquarters' | 'branch' | 'franchise';
}

/** When persons form a household. */
export interface HouseholdRules {
  /** Token subjects of a normalised address; a trailing `*` is a prefix. Default `['mk-address*']`. */
  addressKeys?: string[];
  /** Default `'lastName'`. */
  familyNameToken?: string;
  /** Default `'lastName'`. */
  familyNameClk?: string;
  /** Dice on the family-name CLK at or above which names are the same. Default 0.8. */
  familyNameDice?: number;
  /** An address shared by more person records is a building, not a household. Default 50. */
  maxHouseholdRecords?: number;
}

/** The graph's configuration; every part has a default. */
export interface GraphConfig {
  /** Same-person linking. */
  link?: LinkConfig;
  /** Trained parameters (e.g. a `Linker`'s `params`); without them the first resolve with `minTrainingRecords` person records trains by EM. */
  params?: ModelParams | null;
  /** Default 1000; at least 2. Until then, without `params`, the shipped day-one model scores person pairs. */
  minTrainingRecords?: number;
  household?: HouseholdRules;
  /** Token subjects that identify an organisation exactly. Default `['duns', 'mk-company*']`. */
  organisationKeys?: string[];
}

/** What one `resolve` did. */
export interface ResolveSummary {
  /** Number of this resolve over the graph's life. */
  resolve: number;
  /** Records resolved (added or removed since the last resolve). */
  records: number;
  candidatePairs: number;
  /** New same-person links. */
  links: number;
  /** Whether this resolve trained the linking model. */
  trained: boolean;
  /** EM's fit was refused (looked like neighbours, not customers). */
  implausibleModel: boolean;
  /** Which model scored this resolve; `null` when none could (custom comparisons, not trained yet). */
  model: ModelSource | null;
  /** Ids of the entities created, changed, merged, split or retired. */
  changed: string[];
  /** Events by kind. */
  events: Partial<Record<GraphEventKind, number>>;
  /** Live entities by kind after the resolve. */
  entities: Partial<Record<EntityKind, number>>;
}

/** A same-person link inside a person entity. */
export interface PersonLink {
  a: RecordRef; b: RecordRef; probability: number;
  /** The comparisons that spoke for the link (positive weight in `explain(a, b)`), strongest first. */
  agreed: string[];
}

/** An organisation related to another, and how. */
export interface RelatedEntity { id: string; relation: 'memberOf' | 'parent' | 'headquarters' | 'branch'; }

/** A person's role at an organisation. */
export interface Role {
  person: string;
  organisation: string;
  role: 'user' | 'specifier' | 'approver' | 'buyer' | 'billToContact' | 'shipToContact';
}

/** One entity, live or retired. Parts that do not apply are absent. */
export interface EntityInfo {
  id: string;
  kind: EntityKind;
  /** `false` once merged into another entity. */
  live: boolean;
  mergedInto?: string;
  /** Its records (a household's are its persons' records). */
  records: RecordRef[];
  /** Persons: their household. */
  household?: string;
  /** Households: their persons. */
  persons?: string[];
  /** Persons: the same-person links holding it together, strongest first. */
  links?: PersonLink[];
  /** Organisations. */
  parent?: RelatedEntity;
  children?: RelatedEntity[];
  ultimateParent?: string;
  roles?: Role[];
}

export type GraphEventKind = 'created' | 'updated' | 'merged' | 'split' | 'retired' | 'restored';

/** Why something happened to an entity. */
export interface Reason {
  rule: 'link' | 'sharedAddress' | 'householdKey' | 'sharedKey' | 'recordRemoved' | 'chainGuard' | 'newRecords' | 'merged';
  /** `link`: the deciding link's probability. */
  probability?: number;
  /** The records the rule joined or dropped. */
  records?: RecordRef[];
}

/** One entry of an entity's history. */
export interface GraphEvent {
  /** The resolve it happened in. */
  resolve: number;
  kind: GraphEventKind;
  entity: string;
  /** Merged: the entities merged in. Split: split off. Retired: `[into]`. */
  others?: string[];
  /** Records that joined. */
  added?: number;
  /** Records that left. */
  removed?: number;
  reason: Reason;
}

/** A value tier: customers whose cumulative contribution share before them is below `upTo`. */
export interface Tier { name: string; upTo: number; }

/** How to roll up. */
export interface RollupOptions {
  /** Record measures to sum (default: all). */
  measures?: string[];
  /** Ascending `upTo`, the last 1. Default A 0.8, B 0.95, C 1. */
  tiers?: Tier[];
}

/** One customer's value in a view. */
export interface CustomerValue {
  entity: string;
  kind: EntityKind;
  /** Summed measures plus `contribution` (revenue − costToServe), `records`, `interactions`, `months`, `transactionsPerMonth`. */
  measures: Record<string, number>;
  firstDate?: string;
  lastDate?: string;
  tier: string;
  /** Share of total contribution of this customer and every larger one. */
  cumulativeShare: number;
}

/** A view's customers with their value, largest contribution first. */
export interface Rollup {
  view: View;
  customers: CustomerValue[];
  totals: Record<string, number>;
  /** Records with no customer in this view, and their measures. */
  unassigned: Record<string, number>;
  tiers: Array<{ name: string; customers: number; contribution: number }>;
}

/** A segment rule. A customer without the measure fails a comparison. */
export type SegmentRuleExpr =
  | { all: SegmentRuleExpr[] }
  | { any: SegmentRuleExpr[] }
  | { not: SegmentRuleExpr }
  | { tier: string }
  | { measure: string; op: '>' | '>=' | '<' | '<=' | '==' | '!='; value: number };

export interface SegmentRule { name: string; rule: SegmentRuleExpr; }

/** What `IdentityGraph.segments` evaluates. */
export interface SegmentRequest {
  view: View;
  /** Default: the Pareto split of `RollupOptions`. */
  tiers?: Tier[];
  segments: SegmentRule[];
}

/** Which records `IdentityGraph.records` lists; an absent part matches all. */
export interface RecordFilter {
  system?: string;
  kind?: 'person' | 'organisation' | 'interaction';
}

/** One encoded row linked to a person record of the graph (`IdentityGraph.linkEncoded`). */
export interface GraphMatch {
  /** Index of the row in the call's input. */
  row: number;
  /** The graph's person record it links to. */
  record: RecordRef;
  /** That record's person entity (`null` before the first resolve). */
  person: string | null;
  probability: number;
  matchWeight: number;
}

/** One segment per rule, in order: its customers (by contribution) and their totals. */
export interface Segments {
  view: View;
  segments: Array<{ name: string; customers: string[]; totals: Record<string, number> }>;
}
"#;

#[wasm_bindgen]
extern "C" {
    /// `GraphConfig | string` (JSON text).
    #[wasm_bindgen(typescript_type = "GraphConfig | string")]
    pub type GraphConfigJs;
    /// `RollupOptions`.
    #[wasm_bindgen(typescript_type = "RollupOptions")]
    pub type RollupOptionsJs;
    /// `RecordFilter`.
    #[wasm_bindgen(typescript_type = "RecordFilter")]
    pub type RecordFilterJs;
}

fn given(value: Option<impl Into<JsValue>>) -> Option<JsValue> {
    value
        .map(Into::into)
        .filter(|v| !v.is_undefined() && !v.is_null())
}

fn sink(options: Option<BatchOptionsJs>) -> ProgressSink {
    ProgressSink::from_options(&given(options).unwrap_or(JsValue::UNDEFINED))
}

fn bad_ref() -> Error {
    Error::new(Subject::Record, ErrorCode::IdentityInvalidRecord)
}

fn bad_edge() -> Error {
    Error::new(Subject::Record, ErrorCode::IdentityInvalidHierarchy)
}

fn bad_option() -> JsValue {
    js_error(Error::new(Subject::Option, ErrorCode::OptionInvalid))
}

/// A JS array of `RecordRef`, chunk by chunk (a bad one throws with `.row`).
fn refs_from(value: &JsValue) -> Result<Vec<RecordRef>, JsValue> {
    let parse = |text: &str| crate::rows::rows_from_json(text, |_| bad_ref());
    parse_array(value, &parse, bad_ref)
}

fn record_ref(value: &JsValue) -> Result<RecordRef, JsValue> {
    if !value.is_object() || is_array(value) {
        return Err(js_error(bad_ref()));
    }
    let text = json_text(value).ok_or_else(|| js_error(bad_ref()))?;
    serde_json::from_str(&text).map_err(|_| js_error(bad_ref()))
}

/// An entity id argument: anything but a string is an id no entity has
/// (`identity.unknown_entity`), without calling its `toString`.
fn entity_id(value: &JsValue) -> String {
    string_arg(value).unwrap_or_default()
}

fn view(value: &JsValue) -> Result<View, JsValue> {
    let name = value.as_string().unwrap_or_default();
    View::parse(&name).map_err(js_error)
}

/// A pseudonymous identity graph: persons, households and organisations
/// with stable ids and history, customer views, roll-ups and segments, from
/// tokens and CLKs only. Holds no key: everything in it is already a token.
#[wasm_bindgen]
pub struct IdentityGraph {
    inner: CoreGraph,
}

#[wasm_bindgen]
impl IdentityGraph {
    /// An empty graph (configuration as an object or JSON text; every part
    /// has a default).
    #[wasm_bindgen(constructor)]
    pub fn new(config: Option<GraphConfigJs>) -> Result<IdentityGraph, JsValue> {
        let config = match given(config) {
            None => GraphConfig::default(),
            Some(c) => {
                let bad = || Error::new(Subject::Graph, ErrorCode::IdentityBadConfig);
                GraphConfig::from_json(&object_or_json(&c, bad)?).map_err(js_error)?
            }
        };
        Ok(IdentityGraph {
            inner: CoreGraph::new(config).map_err(js_error)?,
        })
    }

    /// Loads a document written by `toJSON` (ids, links and history as saved).
    #[wasm_bindgen(js_name = fromJSON)]
    pub fn from_json(
        #[wasm_bindgen(unchecked_param_type = "string")] text: JsValue,
    ) -> Result<IdentityGraph, JsValue> {
        let text = string_arg(&text)
            .ok_or_else(|| js_error(Error::new(Subject::Graph, ErrorCode::IdentityBadDocument)))?;
        Ok(IdentityGraph {
            inner: CoreGraph::from_json(&text).map_err(js_error)?,
        })
    }

    /// The graph as a versioned JSON document (text): tokens, CLKs, the
    /// business's keys, entities, links and history; removed records left out.
    #[wasm_bindgen(js_name = toJSON)]
    pub fn to_json(&self) -> String {
        self.inner.to_json()
    }

    /// Adds records for the next `resolve`. Works in chunks of 2,000 (one
    /// JSON text and one all-or-nothing core call each, then progress
    /// `{stage: 'add', done, total}`): a bad record throws with `.code` and
    /// `.row` (its index in `records`), and the chunks before its chunk stay
    /// added.
    #[wasm_bindgen(js_name = addRecords)]
    pub fn add_records(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "GraphRecord[]")] records: JsValue,
        options: Option<BatchOptionsJs>,
    ) -> Result<(), JsValue> {
        let sink = sink(options);
        let total = array_len(&records).ok_or_else(invalid_record)?;
        let mut parse = GraphRecord::many_from_json_rows;
        let invalid = || Error::new(Subject::Record, ErrorCode::RecordInvalid);
        let mut start = 0;
        while start < total {
            let end = total.min(start + JSON_CHUNK);
            let chunk = parse_chunk(&records, start, end, &mut parse, invalid)?;
            self.inner
                .add_records(&chunk)
                .map_err(|(i, e)| error_at(e, start as usize + i))?;
            sink.report("add", end as usize, total as usize);
            start = end;
        }
        Ok(())
    }

    /// Adds corporate family-tree edges between D-U-N-S tokens (all or
    /// nothing; a bad edge throws with `.row`). They apply at once.
    #[wasm_bindgen(js_name = addHierarchy)]
    pub fn add_hierarchy(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "HierarchyEdge[]")] edges: JsValue,
    ) -> Result<(), JsValue> {
        let edges = parse_array(&edges, &HierarchyEdge::many_from_json_rows, bad_edge)?;
        self.inner
            .add_hierarchy(&edges)
            .map_err(|(i, e)| error_at(e, i))
    }

    /// Erases records (all or nothing; an unknown ref throws
    /// `identity.unknown_record` with `.row`); the next `resolve` re-resolves
    /// their entities.
    #[wasm_bindgen(js_name = removeRecords)]
    pub fn remove_records(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "RecordRef[]")] refs: JsValue,
    ) -> Result<(), JsValue> {
        let refs = refs_from(&refs)?;
        self.inner
            .remove_records(&refs)
            .map_err(|(i, e)| error_at(e, i))
    }

    /// Resolves what changed since the last resolve (links, then persons,
    /// households and organisations). Progress stages: `block`, `compare`,
    /// `sampleU` and `em` when it trains, `score`, `entities`.
    #[wasm_bindgen(unchecked_return_type = "ResolveSummary")]
    pub fn resolve(&mut self, options: Option<BatchOptionsJs>) -> Result<JsValue, JsValue> {
        let sink = sink(options);
        let summary = self
            .inner
            .resolve(&mut |s, d, t| sink.report(s, d, t))
            .map_err(js_error)?;
        to_js(&summary)
    }

    /// Everything about one entity, live or retired (`identity.unknown_entity`).
    #[wasm_bindgen(unchecked_return_type = "EntityInfo")]
    pub fn entity(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] id: JsValue,
    ) -> Result<JsValue, JsValue> {
        to_js(&self.inner.entity(&entity_id(&id)).map_err(js_error)?)
    }

    /// The id of a record's customer in a view, `null` when it has none there.
    #[wasm_bindgen(js_name = customerOf, unchecked_return_type = "string | null")]
    pub fn customer_of(
        &self,
        #[wasm_bindgen(unchecked_param_type = "RecordRef")] record: JsValue,
        #[wasm_bindgen(unchecked_param_type = "View")] view: JsValue,
    ) -> Result<JsValue, JsValue> {
        let (record, view) = (record_ref(&record)?, self::view(&view)?);
        Ok(
            match self.inner.customer_of(&record, view).map_err(js_error)? {
                Some(id) => id.into(),
                None => JsValue::NULL,
            },
        )
    }

    /// The records whose customer in `view` is entity `id`.
    #[wasm_bindgen(js_name = recordsOf, unchecked_return_type = "RecordRef[]")]
    pub fn records_of(
        &self,
        #[wasm_bindgen(unchecked_param_type = "View")] view: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] id: JsValue,
    ) -> Result<JsValue, JsValue> {
        let view = self::view(&view)?;
        to_js(
            &self
                .inner
                .records_of(view, &entity_id(&id))
                .map_err(js_error)?,
        )
    }

    /// An entity's history, oldest first.
    #[wasm_bindgen(unchecked_return_type = "GraphEvent[]")]
    pub fn history(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] id: JsValue,
    ) -> Result<JsValue, JsValue> {
        to_js(&self.inner.history(&entity_id(&id)).map_err(js_error)?)
    }

    /// The waterfall of a same-person link between two person records
    /// (needs parameters: given, or trained by a resolve).
    #[wasm_bindgen(unchecked_return_type = "Explanation")]
    pub fn explain(
        &self,
        #[wasm_bindgen(unchecked_param_type = "RecordRef")] a: JsValue,
        #[wasm_bindgen(unchecked_param_type = "RecordRef")] b: JsValue,
    ) -> Result<JsValue, JsValue> {
        let (a, b) = (record_ref(&a)?, record_ref(&b)?);
        to_js(&self.inner.explain(&a, &b).map_err(js_error)?)
    }

    /// Every live record's measures rolled up to its customer in `view`,
    /// with contribution and value tiers.
    #[wasm_bindgen(unchecked_return_type = "Rollup")]
    pub fn rollup(
        &self,
        #[wasm_bindgen(unchecked_param_type = "View")] view: JsValue,
        options: Option<RollupOptionsJs>,
    ) -> Result<JsValue, JsValue> {
        let view = self::view(&view)?;
        let options = match given(options) {
            None => RollupOptions::default(),
            Some(o) => {
                let text = json_text(&o).ok_or_else(bad_option)?;
                serde_json::from_str(&text).map_err(|_| bad_option())?
            }
        };
        to_js(&self.inner.rollup(view, &options))
    }

    /// Business-rule segments over a view's roll-up (`segment.invalid_rule`,
    /// `segment.unknown_measure`).
    #[wasm_bindgen(unchecked_return_type = "Segments")]
    pub fn segments(
        &self,
        #[wasm_bindgen(unchecked_param_type = "SegmentRequest")] request: JsValue,
    ) -> Result<JsValue, JsValue> {
        let invalid = || js_error(Error::new(Subject::Graph, ErrorCode::SegmentInvalidRule));
        let text = json_text(&request).ok_or_else(invalid)?;
        let request = SegmentRequest::from_json(&text).map_err(js_error)?;
        to_js(&self.inner.segments(&request).map_err(js_error)?)
    }

    /// The linking parameters (given, or trained by a resolve); `null` before.
    #[wasm_bindgen(unchecked_return_type = "ModelParams | null")]
    pub fn params(&self) -> Result<JsValue, JsValue> {
        match self.inner.params() {
            Some(p) => to_js(p),
            None => Ok(JsValue::NULL),
        }
    }

    /// Live entities by kind.
    #[wasm_bindgen(unchecked_return_type = "Partial<Record<EntityKind, number>>")]
    pub fn counts(&self) -> Result<JsValue, JsValue> {
        to_js(&self.inner.counts())
    }

    /// Every person-to-organisation role between live entities.
    #[wasm_bindgen(unchecked_return_type = "Role[]")]
    pub fn roles(&self) -> Result<JsValue, JsValue> {
        to_js(&self.inner.roles())
    }

    /// Records in the graph (removed ones not counted).
    #[wasm_bindgen(getter)]
    pub fn size(&self) -> usize {
        self.inner.len()
    }

    /// Ids of the live entities of a kind, sorted (`option.invalid` for an
    /// unknown kind).
    #[wasm_bindgen(js_name = entityIds, unchecked_return_type = "string[]")]
    pub fn entity_ids(
        &self,
        #[wasm_bindgen(unchecked_param_type = "EntityKind")] kind: JsValue,
    ) -> Result<JsValue, JsValue> {
        let kind = kind
            .as_string()
            .and_then(|k| EntityKind::parse(&k))
            .ok_or_else(bad_option)?;
        to_js(&self.inner.entity_ids(kind))
    }

    /// Adds encoded records (`EncodedRecord[]` or the binary `EncodedBatch`
    /// of `RecordEncoder.encodeBatchBinary`) as person records of `system`
    /// (channel `''`), all or nothing: a bad one throws with `.row`.
    #[wasm_bindgen(js_name = addEncoded)]
    pub fn add_encoded(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "string")] system: JsValue,
        #[wasm_bindgen(unchecked_param_type = "EncodedRecord[] | EncodedBatch")] records: JsValue,
    ) -> Result<(), JsValue> {
        let system = string_arg(&system).ok_or_else(|| js_error(bad_ref()))?;
        let records: Vec<GraphRecord> = encoded_from(&records)?
            .into_iter()
            .map(|r| GraphRecord::person(&system, r))
            .collect();
        self.inner
            .add_records(&records)
            .map_err(|(i, e)| error_at(e, i))
    }

    /// A separate copy of the graph (ids, links and history; records added
    /// since the last resolve are not copied).
    #[wasm_bindgen(js_name = clone)]
    pub fn clone_graph(&self) -> Result<IdentityGraph, JsValue> {
        Ok(IdentityGraph {
            inner: self.inner.try_clone().map_err(js_error)?,
        })
    }

    /// The live records (of a system, of a kind), in the order they were
    /// added: a stored graph lists them as the one it was saved from.
    #[wasm_bindgen(unchecked_return_type = "RecordRef[]")]
    pub fn records(&self, filter: Option<RecordFilterJs>) -> Result<JsValue, JsValue> {
        let filter = match given(filter) {
            None => RecordFilter::default(),
            Some(f) => {
                let text = json_text(&f).ok_or_else(bad_option)?;
                serde_json::from_str(&text).map_err(|_| bad_option())?
            }
        };
        to_js(&self.inner.records(&filter))
    }

    /// `customerOf` for many records: one id (or `null`) per record, in
    /// order; an unknown record throws `identity.unknown_record` with `.row`.
    #[wasm_bindgen(js_name = customersOf, unchecked_return_type = "(string | null)[]")]
    pub fn customers_of(
        &self,
        #[wasm_bindgen(unchecked_param_type = "RecordRef[]")] records: JsValue,
        #[wasm_bindgen(unchecked_param_type = "View")] view: JsValue,
    ) -> Result<JsValue, JsValue> {
        let (records, view) = (refs_from(&records)?, self::view(&view)?);
        let out = self
            .inner
            .customers_of(&records, view)
            .map_err(|e| error_at(e.error, e.row))?;
        to_js(&out)
    }

    /// Links encoded rows (`EncodedRecord[]` or an `EncodedBatch`) against
    /// the graph's person records with its linking configuration and
    /// parameters; the graph is not changed. Progress as `Linker.link`.
    #[wasm_bindgen(js_name = linkEncoded, unchecked_return_type = "GraphMatch[]")]
    pub fn link_encoded(
        &self,
        #[wasm_bindgen(unchecked_param_type = "EncodedRecord[] | EncodedBatch")] rows: JsValue,
        options: Option<BatchOptionsJs>,
    ) -> Result<JsValue, JsValue> {
        let sink = sink(options);
        let rows = encoded_from(&rows)?;
        let out = self
            .inner
            .link_encoded(&rows, &mut |s, d, t| sink.report(s, d, t))
            .map_err(js_error)?;
        to_js(&out)
    }
}
