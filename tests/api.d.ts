/// <reference lib="esnext.disposable" />
/* tslint:disable */
/* eslint-disable */

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
    readonly __wbg_pseudonymizer_free: (a: number, b: number) => void;
    readonly normalize: (a: any, b: any, c: number) => [number, number, number, number];
    readonly parseToken: (a: any) => any;
    readonly platformHashes: (a: any, b: any, c: number) => [number, number, number];
    readonly profileFields: (a: any) => [number, number, number, number];
    readonly pseudonymizer_keyIds: (a: number) => [number, number];
    readonly pseudonymizer_new: (a: any, b: any) => [number, number, number];
    readonly pseudonymizer_tokenize: (a: number, b: any) => [number, number, number];
    readonly pseudonymizer_tokenizeBatch: (a: number, b: any) => [number, number, number];
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
