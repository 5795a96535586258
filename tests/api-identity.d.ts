/// <reference lib="esnext.disposable" />
/* tslint:disable */
/* eslint-disable */

/** A clkhash linkage schema, version 3 (see clkhash's documentation). */
export interface LinkageSchema {
    version: 3;
    clkConfig: { l: number; xor_folds?: number; kdf: { type: 'HKDF'; hash?: 'SHA256' | 'SHA512'; salt?: string; info?: string; keySize?: number } };
    features: Array<{ identifier: string; ignored?: boolean; format?: object; hashing?: object }>;
}

/** Progress of long work: `stage` names the step, `done` of `total` units. */
export interface LinkProgress { stage: string; done: number; total: number; }

/** Options of the batch calls. */
export interface BatchOptions { onProgress?: (p: LinkProgress) => void; }

/** A pseudonymised record: what a linker reads. No raw value is in it. */
export interface EncodedRecord {
    /** The business's own key for the record (unique within its dataset). */
    id: string;
    /** Field tokens `pl1.<field>.<keyId>.<tag>` (or oblivious `po1.…`). */
    tokens: string[];
    /** Match-key tokens `pl1.mk-<name>.<keyId>.<tag>`. */
    matchKeys: string[];
    /** CLKs by field wire name, plus `record` for all features in one filter; standard base64. */
    clks: Record<string, string>;
}

/** An encoded record with the fields that could not be used (codes, never values). */
export interface EncodedRecordResult extends EncodedRecord { errors: FieldError[]; }

/** A contact record for `RecordEncoder`: the fields, plus an optional id. */
export type IdentifiedRecord = ContactRecord & { id?: string | number };

/**
 * Hardening of every CLK (each field's and the record's), all parts optional;
 * without it the CLKs are clkhash's. Applied in this order: salt, balance, diffuse.
 * Both linking parties must use the same hardening and CLK secret.
 */
export interface ClkHardening {
    /** Balanced filters: `π(f ‖ ¬f)`, twice the bits, exactly half set. */
    balanced?: boolean;
    /** A schema feature (field wire name, e.g. `'dateOfBirth'`) whose value salts each record's CLKs. */
    saltFeature?: string | null;
    /** Diffusion layer: every output bit the XOR of this many (2–32) keyed input bits; same length. */
    diffusion?: number | null;
}

/** Options of `RecordEncoder`: CLKs are made when a schema is given (default: tokens only). */
export interface RecordEncoderOptions {
    /** A linkage schema whose features are field wire names, or `'default'` for `DEFAULT_CLK_SCHEMA`. */
    clkSchema?: LinkageSchema | string;
    /** The CLK secret shared by the linking parties (at least 16 bytes). */
    clkSecret?: Uint8Array;
    /** CLK hardening (needs `clkSchema`); a bad option throws `option.invalid`. */
    hardening?: ClkHardening;
}

/** One comparison of a link configuration. */
export interface Comparison {
    name: string;
    /** `group`: whether every comparison of `group` with data disagrees (levels `allDisagree`, `someAgree`); when all do, they weigh as this one joint event. */
    kind: 'token' | 'clk' | 'group';
    /** Token subject (`email`, `mk-nameDob`) or CLK key (`firstName`, `record`). */
    source: string;
    /** CLK: Dice thresholds, strictly descending. */
    thresholds?: number[];
    /** Token: adjust agreement by the token's frequency. */
    tfAdjustment?: boolean;
    /** CLK: a token subject (`'nickname'`) whose agreement lifts the pair to the level below the top. */
    nickname?: string;
    /** Group: names of earlier token or CLK comparisons (`moved`: street, city, postalCode, phone). Token: the earlier comparisons it stands in for when they all disagree (`swapped`: firstName, lastName). */
    group?: string[];
}

/** Linker settings; every part has a default. */
export interface LinkConfig {
    /** Left at the defaults, a linker adds a comparison for every other token subject and CLK key both inputs carry (see `stats.builtComparisons`). */
    comparisons?: Comparison[];
    /** With the default comparisons: add the data's own (default true). */
    comparisonsFromData?: boolean;
    /** Candidate pairs. Default: exact `email`, `phone`, `dateOfBirth`, `lastName`, `firstName`, `street` and every match key (`mk-*`); LSH on the `record` CLK and on each name's CLK. */
    blocking?: {
        exactSubjects?: string[];
        maxBlockPairs?: number;
        lsh?: Array<{ clk: string; bands?: number; bitsPerBand?: number; randomPairsPerRecord?: number; seed?: number; also?: string[] }>;
    };
    /** Probability at or above which a pair is a link (default 0.5). */
    threshold?: number;
    oneToOne?: boolean;
    onePerSource?: boolean;
    maxClusterSize?: number;
    /** How `dedupe`/`linkMany` cluster (default `'chainGuard'`). */
    clustering?: 'chainGuard' | 'components' | 'bestLink' | 'pivot';
    /** Lower bound of a term-frequency adjusted u (default 1e-6). */
    tfMinimumU?: number;
    /** Attach an explanation to every link (default true). */
    explainLinks?: boolean;
    em?: { maxIterations?: number; tolerance?: number; uSamplePairs?: number; seed?: number };
    /** Fewest records a job trains EM on (default 200); smaller jobs without params are scored by the shipped day-one model. */
    minTrainingRecords?: number;
}

/** Fellegi–Sunter parameters: save them as JSON, load them with `setParams`. */
export interface ModelParams {
    version: number;
    /** Prior probability that a candidate pair is a match. */
    prior: number;
    comparisons: Array<{ name: string; levels: Array<{ label: string; m: number; u: number }> }>;
}

/** One comparison's part of a match weight: a bar of a waterfall chart. */
export interface Contribution {
    comparison: string;
    /** `agree`, `disagree`, `dice≥0.85`, …, `nickname` (nickname tokens agree), or the string `'null'` (missing on either side: weighs 0). */
    level: string;
    /** CLK comparisons: the Dice similarity. */
    similarity: number | null;
    /** log2(m/u) in bits, term-frequency adjustment included. */
    matchWeight: number;
    tfAdjustment: number;
}

/** Why a pair scores as it does: prior + contributions = match weight. */
export interface Explanation {
    priorWeight: number;
    contributions: Contribution[];
    matchWeight: number;
    probability: number;
}

export interface Link { a: string; b: string; probability: number; matchWeight: number; explanation?: Explanation; }

export interface LinkStats {
    records: number; candidatePairs: number; totalPairs: number; reductionRatio: number;
    comparisons: number; emIterations: number; trained: boolean;
    /** EM's fit looked like neighbours, not customers (files with nothing in common): no links, nothing kept. */
    implausibleModel: boolean;
    /** Which model scored: the shipped day-one model, EM on the data, or `setParams`. */
    model: ModelSource;
    /** The comparisons the job used and why: `default`, `data` (both inputs carry the token subject or CLK key) or `given`. */
    builtComparisons: Array<{ name: string; kind: 'token' | 'clk' | 'group'; source: 'default' | 'data' | 'given' }>;
}

/** Which model scored a job. */
export type ModelSource = 'prior' | 'trained' | 'given';

/**
 * Encoded records in the binary transfer form: one buffer of interned token
 * heads, 32-byte tags and CLK bytes (layout `PLEB` v1, see ARCHITECTURE.md).
 * `link`, `dedupe`, `linkMany` and the identity graph's `addEncoded` and
 * `linkEncoded` take it instead of `EncodedRecord[]`, without JSON.
 */
export type EncodedBatch = Uint8Array;

/** What `RecordEncoder.encodeBatchBinary` returns: the records as one buffer, and each record's field errors. */
export interface EncodedBatchResult { records: EncodedBatch; errors: FieldError[][]; }

export interface LinkResult { links: Link[]; params: ModelParams; stats: LinkStats; }
export interface DedupeResult { clusters: string[][]; links: Link[]; params: ModelParams; stats: LinkStats; }
export interface EntitiesResult { entities: Array<Array<{ source: number; id: string }>>; links: Link[]; params: ModelParams; stats: LinkStats; }



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



/** Wire name of an identifying field. */
export type FieldName =
| 'email' | 'phone' | 'firstName' | 'lastName' | 'street' | 'city' | 'state'
| 'postalCode' | 'country' | 'dateOfBirth' | 'gender' | 'companyName' | 'duns'
| 'webDomain' | 'externalId';

/** Whose normalisation rules apply. */
export type ProfileName = 'pseudolink' | 'uid2' | 'google' | 'meta' | 'tiktok' | 'pinterest' | 'snap' | 'linkedin' | 'pair';

/** Options of `normalize` and `platformHashes`. */
export interface NormalizeOptions {
    /** Default `'pseudolink'`. */
    profile?: ProfileName;
    /** ISO alpha-2 region for national phone numbers, postal codes and states. */
    region?: string;
    /**
     * Day/month order for dates like `03/04/1990`; always wins when set. Without
     * it a date with one valid reading (`2/16/1997`) is read that way, one with
     * two in `region`'s usual order (CLDR: `US` month first, most regions day
     * first), else `date.ambiguous`.
     */
    dateOrder?: 'dmy' | 'mdy' | 'ymd';
}

/** Raw contact fields as typed. Other keys (order data) are ignored. */
export interface ContactRecord {
    email?: string | null; phone?: string | null; firstName?: string | null;
    lastName?: string | null; street?: string | null; city?: string | null;
    state?: string | null; postalCode?: string | null; country?: string | null;
    dateOfBirth?: string | null; gender?: string | null; companyName?: string | null;
    duns?: string | null; webDomain?: string | null; externalId?: string | null;
    [other: string]: unknown;
}

/** Why a field produced no output. Never contains the value. */
export interface FieldError { field: FieldName; code: string; message: string; }

/** A record as one platform wants it. */
export interface PlatformHashes {
    profile: ProfileName;
    /** Platform parameter name → encoded SHA-256 (hex; base64 for UID2). */
    hashes: Record<string, string>;
    /** Parameters the platform takes unhashed (Google's address parts). */
    plain: Record<string, string>;
    errors: FieldError[];
}

/** A secret key for keyed tokens: at least 32 bytes, with an id carried in tokens. */
export interface TokenKeyInput { id: string; secret: Uint8Array; }

/** Part of a composite match key. */
export interface MatchKeyPart {
    field: FieldName;
    take?: 'full' | 'initial' | 'streetNumber' | 'year' | { prefix: number };
}

/** Which fields identify a customer, and which composite keys to derive. */
export interface IdentityDefinition {
    /** 2 adds `unordered` match keys; a version 1 document reads and tokenises as before. */
    version: 1 | 2;
    fields: FieldName[];
    /** `unordered` (version 2): the parts' values are sorted before hashing, so swapped first and last names give the same token. */
    matchKeys?: { name: string; parts: MatchKeyPart[]; unordered?: boolean }[];
    /** ISO alpha-2; also the usual order of dates like `05/02/1984` (US: month first) when `dateOrder` is not set. */
    defaultRegion?: string;
    /** Day/month order of dates of birth; always wins over `defaultRegion` and over the date's only valid reading. */
    dateOrder?: 'dmy' | 'mdy' | 'ymd';
}

/**
 * Tokens of one record. Each token is `pl1.<field>.<keyId>.<tag>` (match keys:
 * `pl1.mk-<name>.<keyId>.<tag>`); `parseToken` reads the parts back.
 */
export interface TokenizeResult { tokens: string[]; matchKeys: string[]; errors: FieldError[]; }

/** The self-described parts of a token. */
export interface TokenInfo { version: string; subject: string; keyId: string; }

/** Errors thrown by pseudolink: `code` is stable (e.g. `'email.missing_at'`). */
export interface PseudolinkError extends Error { code: string; field?: string; }



/**
 * Clkhash-compatible Bloom-filter encodings (CLKs) under a linkage schema
 * and a secret. The derived keys live in wasm memory, wiped when freed.
 */
export class ClkEncoder {
    free(): void;
    [Symbol.dispose](): void;
    /**
     * Record CLKs of many rows. A bad row throws with its index in `row`.
     */
    encodeBatch(rows: string[][], options?: BatchOptions | null): string[];
    /**
     * One CLK per non-ignored feature (`null` where a value is missing).
     */
    encodeFeatures(row: string[]): (string | null)[];
    /**
     * The record CLK of one row (one string per schema feature, ignored
     * features included), base64 as clkhash serialises it.
     */
    encode(row: string[]): string;
    /**
     * An encoder for a linkage schema (object, JSON text or `'default'`)
     * and the shared secret.
     */
    constructor(schema: LinkageSchema | string, secret: Uint8Array);
    /**
     * Bits per CLK.
     */
    readonly outputBits: number;
}

/**
 * A pseudonymous identity graph: persons, households and organisations
 * with stable ids and history, customer views, roll-ups and segments, from
 * tokens and CLKs only. Holds no key: everything in it is already a token.
 */
export class IdentityGraph {
    free(): void;
    [Symbol.dispose](): void;
    /**
     * Adds encoded records (`EncodedRecord[]` or the binary `EncodedBatch`
     * of `RecordEncoder.encodeBatchBinary`) as person records of `system`
     * (channel `''`), all or nothing: a bad one throws with `.row`.
     */
    addEncoded(system: string, records: EncodedRecord[] | EncodedBatch): void;
    /**
     * Adds corporate family-tree edges between D-U-N-S tokens (all or
     * nothing; a bad edge throws with `.row`). They apply at once.
     */
    addHierarchy(edges: HierarchyEdge[]): void;
    /**
     * Adds records for the next `resolve`. Works in chunks of 2,000 (one
     * JSON text and one all-or-nothing core call each, then progress
     * `{stage: 'add', done, total}`): a bad record throws with `.code` and
     * `.row` (its index in `records`), and the chunks before its chunk stay
     * added.
     */
    addRecords(records: GraphRecord[], options?: BatchOptions | null): void;
    /**
     * A separate copy of the graph (ids, links and history; records added
     * since the last resolve are not copied).
     */
    clone(): IdentityGraph;
    /**
     * Live entities by kind.
     */
    counts(): Partial<Record<EntityKind, number>>;
    /**
     * The id of a record's customer in a view, `null` when it has none there.
     */
    customerOf(record: RecordRef, view: View): string | null;
    /**
     * `customerOf` for many records: one id (or `null`) per record, in
     * order; an unknown record throws `identity.unknown_record` with `.row`.
     */
    customersOf(records: RecordRef[], view: View): (string | null)[];
    /**
     * Ids of the live entities of a kind, sorted (`option.invalid` for an
     * unknown kind).
     */
    entityIds(kind: EntityKind): string[];
    /**
     * Everything about one entity, live or retired (`identity.unknown_entity`).
     */
    entity(id: string): EntityInfo;
    /**
     * The waterfall of a same-person link between two person records
     * (needs parameters: given, or trained by a resolve).
     */
    explain(a: RecordRef, b: RecordRef): Explanation;
    /**
     * Loads a document written by `toJSON` (ids, links and history as saved).
     */
    static fromJSON(text: string): IdentityGraph;
    /**
     * An entity's history, oldest first.
     */
    history(id: string): GraphEvent[];
    /**
     * Links encoded rows (`EncodedRecord[]` or an `EncodedBatch`) against
     * the graph's person records with its linking configuration and
     * parameters; the graph is not changed. Progress as `Linker.link`.
     */
    linkEncoded(rows: EncodedRecord[] | EncodedBatch, options?: BatchOptions | null): GraphMatch[];
    /**
     * An empty graph (configuration as an object or JSON text; every part
     * has a default).
     */
    constructor(config?: GraphConfig | string | null);
    /**
     * The linking parameters (given, or trained by a resolve); `null` before.
     */
    params(): ModelParams | null;
    /**
     * The records whose customer in `view` is entity `id`.
     */
    recordsOf(view: View, id: string): RecordRef[];
    /**
     * The live records (of a system, of a kind), in the order they were
     * added: a stored graph lists them as the one it was saved from.
     */
    records(filter?: RecordFilter | null): RecordRef[];
    /**
     * Erases records (all or nothing; an unknown ref throws
     * `identity.unknown_record` with `.row`); the next `resolve` re-resolves
     * their entities.
     */
    removeRecords(refs: RecordRef[]): void;
    /**
     * Resolves what changed since the last resolve (links, then persons,
     * households and organisations). Progress stages: `block`, `compare`,
     * `sampleU` and `em` when it trains, `score`, `entities`.
     */
    resolve(options?: BatchOptions | null): ResolveSummary;
    /**
     * Every person-to-organisation role between live entities.
     */
    roles(): Role[];
    /**
     * Every live record's measures rolled up to its customer in `view`,
     * with contribution and value tiers.
     */
    rollup(view: View, options?: RollupOptions | null): Rollup;
    /**
     * Business-rule segments over a view's roll-up (`segment.invalid_rule`,
     * `segment.unknown_measure`).
     */
    segments(request: SegmentRequest): Segments;
    /**
     * The graph as a versioned JSON document (text): tokens, CLKs, the
     * business's keys, entities, links and history; removed records left out.
     */
    toJSON(): string;
    /**
     * Records in the graph (removed ones not counted).
     */
    readonly size: number;
}

/**
 * Links, deduplicates and explains encoded records with a Fellegi–Sunter
 * model it trains on the data by EM (no labels), or with saved parameters.
 */
export class Linker {
    free(): void;
    [Symbol.dispose](): void;
    /**
     * Clusters of one dataset (the same customer entered several times).
     */
    dedupe(records: EncodedRecord[] | EncodedBatch, options?: BatchOptions | null): DedupeResult;
    /**
     * The per-comparison explanation of one pair (needs parameters: link
     * first or `setParams`).
     */
    explain(a: EncodedRecord, b: EncodedRecord): Explanation;
    /**
     * Entities across several datasets (at most one record of each per
     * entity unless `onePerSource` is off).
     */
    linkMany(sources: Array<EncodedRecord[] | EncodedBatch>, options?: BatchOptions | null): EntitiesResult;
    /**
     * One-to-one links between two datasets, highest probability first.
     */
    link(a: EncodedRecord[] | EncodedBatch, b: EncodedRecord[] | EncodedBatch, options?: BatchOptions | null): LinkResult;
    /**
     * A linker with a configuration (object or JSON text; every part has a
     * default).
     */
    constructor(config?: LinkConfig | string | null);
    /**
     * Forgets the parameters: the next job trains again.
     */
    resetParams(): void;
    /**
     * Loads saved parameters (object or JSON text); later jobs reuse them.
     */
    setParams(params: ModelParams | string): void;
    /**
     * The configuration in use (with defaults filled in).
     */
    readonly config: LinkConfig;
    /**
     * The model parameters: trained by the first job, or loaded; `null` before.
     */
    readonly params: ModelParams | null;
}

/**
 * Keyed, domain-separated tokens (HMAC-SHA-256) for exact matching.
 *
 * The secrets are copied into wasm memory, where they are wiped when the
 * object is freed; the caller's `Uint8Array`s remain the caller's to wipe.
 */
export class Pseudonymizer {
    free(): void;
    [Symbol.dispose](): void;
    /**
     * Builds a pseudonymizer from keys (at least one; several during a key
     * rotation) and an identity definition (object or JSON string).
     */
    constructor(keys: TokenKeyInput[], definition: IdentityDefinition | string);
    /**
     * Tokens of many records, in order. Crosses the JS/wasm boundary once
     * each way, so thousands of records per call are cheap. In
     * `pseudolink/link` the tokens arrive as one string and each token is a
     * slice of it (no copy per token), so that string stays in memory while
     * any token of the batch is kept.
     */
    tokenizeBatch(records: ContactRecord[]): TokenizeResult[];
    /**
     * Tokens of one record: `{tokens, matchKeys, errors}`.
     */
    tokenize(record: ContactRecord): TokenizeResult;
    /**
     * Ids of the held keys.
     */
    readonly keyIds: string[];
}

/**
 * Turns contact records into encoded records: keyed tokens, match keys and
 * (with a CLK schema) one CLK per field plus the record CLK.
 */
export class RecordEncoder {
    free(): void;
    [Symbol.dispose](): void;
    /**
     * `encodeBatch` with the records in the binary transfer form (one
     * `Uint8Array`, for `Linker.link`/`dedupe`/`linkMany` and the identity
     * graph without JSON) and each record's field errors beside them.
     */
    encodeBatchBinary(records: IdentifiedRecord[], options?: BatchOptions | null): EncodedBatchResult;
    /**
     * Encodes many records, in order; a record without an `id` gets its index.
     */
    encodeBatch(records: IdentifiedRecord[], options?: BatchOptions | null): EncodedRecordResult[];
    /**
     * Encodes one record; its `id` (string or number) is kept, default `"0"`.
     */
    encode(record: IdentifiedRecord): EncodedRecordResult;
    /**
     * Token keys (as for `Pseudonymizer`), an identity definition, and
     * optionally `{clkSchema, clkSecret, hardening}` for fuzzy encodings.
     * With a `clkSchema`, `keys` may be `[]`: a CLK-only encoder (no
     * tokens or match keys; e.g. next to oblivious tokens).
     */
    constructor(keys: TokenKeyInput[], definition: IdentityDefinition | string, options?: RecordEncoderOptions | null);
}

/**
 * The default CLK schema (names, street, city, postal code, date of birth)
 * as JSON text.
 */
export function defaultClkSchema(): string;

/**
 * The records of a binary transfer buffer as `EncodedRecord[]` (JSON form,
 * for export): `transfer.not_encoded`, `transfer.version` or
 * `transfer.malformed` for bytes that are not one.
 */
export function encodedFromBinary(data: EncodedBatch): EncodedRecord[];

/**
 * Encoded records (`EncodedRecord[]`) in the binary transfer form, for
 * `Linker` and the identity graph (a token that is not well formed:
 * `link.bad_token`; a bad record: `record.invalid` with `.row`).
 */
export function encodedToBinary(records: EncodedRecord[]): EncodedBatch;

/**
 * Normalises one value of a field. Throws a `PseudolinkError` with a stable
 * `code` for invalid input; the message never contains the value.
 */
export function normalize(field: FieldName, value: string, options?: NormalizeOptions | null): string;

/**
 * Reads a token's version, subject (field name or `mk-<name>`) and key id;
 * `null` if the text is not a token.
 */
export function parseToken(token: string): TokenInfo | null;

/**
 * A record's SHA-256 hashes with the field names and encoding `profile`'s
 * platform requires (UID2 base64, Google/Meta lowercase hex).
 */
export function platformHashes(record: ContactRecord, profile: ProfileName, options?: NormalizeOptions | null): PlatformHashes;

/**
 * Fields a profile defines, in wire order.
 */
export function profileFields(profile: ProfileName): FieldName[];

/**
 * The package version.
 */
export function version(): string;

export type InitInput = RequestInfo | URL | Response | BufferSource | WebAssembly.Module;

export interface InitOutput {
    readonly memory: WebAssembly.Memory;
    readonly __wbg_clkencoder_free: (a: number, b: number) => void;
    readonly __wbg_identitygraph_free: (a: number, b: number) => void;
    readonly __wbg_linker_free: (a: number, b: number) => void;
    readonly __wbg_pseudonymizer_free: (a: number, b: number) => void;
    readonly __wbg_recordencoder_free: (a: number, b: number) => void;
    readonly clkencoder_encode: (a: number, b: any) => [number, number, number, number];
    readonly clkencoder_encodeBatch: (a: number, b: any, c: number) => [number, number, number];
    readonly clkencoder_encodeFeatures: (a: number, b: any) => [number, number, number];
    readonly clkencoder_new: (a: any, b: any) => [number, number, number];
    readonly clkencoder_outputBits: (a: number) => number;
    readonly defaultClkSchema: () => [number, number];
    readonly encodedFromBinary: (a: any) => [number, number, number];
    readonly encodedToBinary: (a: any) => [number, number, number];
    readonly identitygraph_addEncoded: (a: number, b: any, c: any) => [number, number];
    readonly identitygraph_addHierarchy: (a: number, b: any) => [number, number];
    readonly identitygraph_addRecords: (a: number, b: any, c: number) => [number, number];
    readonly identitygraph_clone: (a: number) => [number, number, number];
    readonly identitygraph_counts: (a: number) => [number, number, number];
    readonly identitygraph_customerOf: (a: number, b: any, c: any) => [number, number, number];
    readonly identitygraph_customersOf: (a: number, b: any, c: any) => [number, number, number];
    readonly identitygraph_entity: (a: number, b: any) => [number, number, number];
    readonly identitygraph_entityIds: (a: number, b: any) => [number, number, number];
    readonly identitygraph_explain: (a: number, b: any, c: any) => [number, number, number];
    readonly identitygraph_fromJSON: (a: any) => [number, number, number];
    readonly identitygraph_history: (a: number, b: any) => [number, number, number];
    readonly identitygraph_linkEncoded: (a: number, b: any, c: number) => [number, number, number];
    readonly identitygraph_new: (a: number) => [number, number, number];
    readonly identitygraph_params: (a: number) => [number, number, number];
    readonly identitygraph_records: (a: number, b: number) => [number, number, number];
    readonly identitygraph_recordsOf: (a: number, b: any, c: any) => [number, number, number];
    readonly identitygraph_removeRecords: (a: number, b: any) => [number, number];
    readonly identitygraph_resolve: (a: number, b: number) => [number, number, number];
    readonly identitygraph_roles: (a: number) => [number, number, number];
    readonly identitygraph_rollup: (a: number, b: any, c: number) => [number, number, number];
    readonly identitygraph_segments: (a: number, b: any) => [number, number, number];
    readonly identitygraph_size: (a: number) => number;
    readonly identitygraph_toJSON: (a: number) => [number, number];
    readonly linker_config: (a: number) => [number, number, number];
    readonly linker_dedupe: (a: number, b: any, c: number) => [number, number, number];
    readonly linker_explain: (a: number, b: any, c: any) => [number, number, number];
    readonly linker_link: (a: number, b: any, c: any, d: number) => [number, number, number];
    readonly linker_linkMany: (a: number, b: any, c: number) => [number, number, number];
    readonly linker_new: (a: number) => [number, number, number];
    readonly linker_params: (a: number) => [number, number, number];
    readonly linker_resetParams: (a: number) => void;
    readonly linker_setParams: (a: number, b: any) => [number, number];
    readonly normalize: (a: any, b: any, c: number) => [number, number, number, number];
    readonly parseToken: (a: any) => any;
    readonly platformHashes: (a: any, b: any, c: number) => [number, number, number];
    readonly profileFields: (a: any) => [number, number, number, number];
    readonly pseudonymizer_keyIds: (a: number) => [number, number];
    readonly pseudonymizer_new: (a: any, b: any) => [number, number, number];
    readonly pseudonymizer_tokenize: (a: number, b: any) => [number, number, number];
    readonly pseudonymizer_tokenizeBatch: (a: number, b: any) => [number, number, number];
    readonly recordencoder_encode: (a: number, b: any) => [number, number, number];
    readonly recordencoder_encodeBatch: (a: number, b: any, c: number) => [number, number, number];
    readonly recordencoder_encodeBatchBinary: (a: number, b: any, c: number) => [number, number, number];
    readonly recordencoder_new: (a: any, b: any, c: number) => [number, number, number];
    readonly version: () => [number, number];
    readonly __wbindgen_malloc: (a: number, b: number) => number;
    readonly __wbindgen_realloc: (a: number, b: number, c: number, d: number) => number;
    readonly __wbindgen_free: (a: number, b: number, c: number) => void;
    readonly __wbindgen_exn_store: (a: number) => void;
    readonly __externref_table_alloc: () => number;
    readonly __wbindgen_externrefs: WebAssembly.Table;
    readonly __externref_table_dealloc: (a: number) => void;
    readonly __externref_drop_slice: (a: number, b: number) => void;
    readonly __wbindgen_start: () => void;
}

export type SyncInitInput = BufferSource | WebAssembly.Module;

/**
 * Instantiates the given `module`, which can either be bytes or
 * a precompiled `WebAssembly.Module`.
 *
 * @param {{ module: SyncInitInput }} module - Passing `SyncInitInput` directly is deprecated.
 *
 * @returns {InitOutput}
 */
export function initSync(module: { module: SyncInitInput } | SyncInitInput): InitOutput;

/**
 * If `module_or_path` is {RequestInfo} or {URL}, makes a request and
 * for everything else, calls `WebAssembly.instantiate` directly.
 *
 * @param {{ module_or_path: InitInput | Promise<InitInput> }} module_or_path - Passing `InitInput` directly is deprecated.
 *
 * @returns {Promise<InitOutput>}
 */
export default function __wbg_init (module_or_path?: { module_or_path: InitInput | Promise<InitInput> } | InitInput | Promise<InitInput>): Promise<InitOutput>;
