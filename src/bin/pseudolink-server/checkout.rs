//! The checkout endpoint: `POST /api/checkout` receives what the checkout page
//! sends (oblivious `po1` tokens under a key version the key server serves,
//! platform hashes and non-identifying order data), recognises a returning
//! customer by agreeing tokens, and stores the order in SQLite;
//! `GET /api/orders` lists what was stored, for the shop's back office only
//! (`Authorization: Bearer <key>`, whose SHA-256 the server is given).
//!
//! The request schema is closed (`deny_unknown_fields`) and every string is
//! checked to be a token or a hash, so a raw identifier cannot be stored even
//! by a page that tries to send one. No free text fits either: token subjects
//! are the definition's fields and `mk-<name>` of its match keys, the key
//! version is one the key server serves, and platform-hash parameter names
//! are the ones [`pseudolink::hashed_parameter_names`] gives each profile.
//!
//! Every refusal is coded JSON (`{"error": "checkout.…"}`) that never quotes
//! the request: axum's extractor rejections, which do, are never returned.

use crate::credentials::{bearer_sha256, Bearer};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};

use axum::{
    body::Bytes,
    extract::{rejection::BytesRejection, DefaultBodyLimit, State},
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    routing::{get, post},
    Json, Router,
};
use pseudolink::{hashed_parameter_names, HashEncoding, Profile, Token};
use rusqlite::{params, Connection};
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;

/// Largest request body: a checkout is a few dozen tokens.
const MAX_BODY: usize = 32 * 1024;
/// Most tokens one request may carry.
const MAX_TOKENS: usize = 64;
/// Bounds of the order's numbers: an order, not a place to put a phone
/// number or an account id.
const MAX_ITEMS: u32 = 999;
const MAX_TOTAL_CENTS: u64 = 99_999_999;
/// Token subjects that identify one person. Addresses and name-based match
/// keys are shared within a household, so they do not make two orders one
/// customer here (the identity graph decides that later).
const IDENTIFYING: [&str; 3] = ["email", "phone", "externalId"];

/// The demo definition's fields (`DEFINITION.fields` in
/// www/shared/definition.js, mirrored; a test reads that file so the two
/// cannot drift): the only subjects of `tokens` and `shipTo`.
pub const DEFINITION_FIELDS: [&str; 15] = [
    "email",
    "phone",
    "firstName",
    "lastName",
    "street",
    "city",
    "state",
    "postalCode",
    "country",
    "dateOfBirth",
    "gender",
    "companyName",
    "duns",
    "webDomain",
    "externalId",
];

/// The demo definition's match-key names (`DEFINITION.matchKeys[].name`):
/// `mk-<name>` are the only subjects of `matchKeys`.
pub const DEFINITION_MATCH_KEYS: [&str; 3] = ["nameDob", "addressName", "companySite"];

/// The platforms whose hashes a checkout may carry: every profile but our own.
fn platforms() -> impl Iterator<Item = Profile> {
    Profile::ALL
        .into_iter()
        .filter(|p| *p != Profile::Pseudolink)
}

/// What the checkout accepts beyond its schema.
#[derive(Clone, Default)]
pub struct Settings {
    /// Key versions the key server serves: the only valid `keyId`s. Empty
    /// (no key server): every checkout is refused.
    pub key_versions: Vec<String>,
    /// SHA-256 of the back office's bearer key for `GET /api/orders`. None:
    /// the listing is refused to everyone.
    pub orders_key_sha256: Option<[u8; 32]>,
}

#[derive(Clone)]
struct Shared {
    store: OrderStore,
    settings: Arc<Settings>,
}

/// SQLite-backed order store, shared by the handlers.
#[derive(Clone)]
pub struct OrderStore(Arc<Mutex<Connection>>);

impl OrderStore {
    /// Opens (creating if needed) the database at `path` (`:memory:` for none).
    pub fn open(path: &str) -> Result<Self, String> {
        if let Some(dir) = std::path::Path::new(path).parent() {
            if path != ":memory:" && !dir.as_os_str().is_empty() {
                std::fs::create_dir_all(dir).map_err(|e| format!("--db: {e}"))?;
            }
        }
        let conn = Connection::open(path).map_err(|e| format!("--db: {e}"))?;
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS customers (id INTEGER PRIMARY KEY);
             CREATE TABLE IF NOT EXISTS tokens (
                 token TEXT PRIMARY KEY, customer INTEGER NOT NULL REFERENCES customers(id));
             CREATE TABLE IF NOT EXISTS orders (
                 id INTEGER PRIMARY KEY, customer INTEGER NOT NULL REFERENCES customers(id),
                 received TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP, body TEXT NOT NULL);",
        )
        .map_err(|e| format!("--db: {e}"))?;
        Ok(OrderStore(Arc::new(Mutex::new(conn))))
    }
}

/// What the checkout page sends. Nothing else is accepted.
#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct CheckoutRequest {
    key_id: String,
    /// Field tokens of the buyer (bill-to).
    tokens: Vec<String>,
    #[serde(default)]
    match_keys: Vec<String>,
    /// Field tokens of the ship-to address, when it differs.
    #[serde(default)]
    ship_to: Vec<String>,
    /// Platform → parameter → SHA-256 (hex or base64).
    #[serde(default)]
    platform_hashes: BTreeMap<String, BTreeMap<String, String>>,
    order: Order,
}

/// Non-identifying order data.
#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Order {
    items: u32,
    total_cents: u64,
    currency: String,
}

/// The answer to a checkout.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct CheckoutResponse {
    order_id: i64,
    customer_id: String,
    returning: bool,
    /// Subjects whose tokens agreed with an earlier order (`email`, `phone`).
    matched_on: Vec<String>,
    previous_orders: i64,
    /// What the shop stored for this order (the validated request: tokens,
    /// hashes, key id, order data), so the page can show it without the back
    /// office's listing of everyone's orders.
    stored: serde_json::Value,
}

/// A 4xx/5xx with a stable code; never echoes the request.
struct ApiError(StatusCode, &'static str);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut res = (self.0, Json(serde_json::json!({ "error": self.1 }))).into_response();
        let h = res.headers_mut();
        if self.0 == StatusCode::UNAUTHORIZED {
            h.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        res
    }
}

pub fn routes(store: OrderStore, settings: Settings) -> Router {
    Router::new()
        .route("/api/checkout", post(checkout).fallback(method_not_allowed))
        .route("/api/orders", get(orders).fallback(method_not_allowed))
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .with_state(Shared {
            store,
            settings: Arc::new(settings),
        })
}

async fn method_not_allowed() -> ApiError {
    ApiError(StatusCode::METHOD_NOT_ALLOWED, "method.not_allowed")
}

/// The body as a checkout request, or a code: never axum's rejection text,
/// which quotes values and unknown keys.
fn parse(
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<CheckoutRequest, ApiError> {
    let json = crate::media_type::is_json(headers);
    if !json {
        return Err(ApiError(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "request.content_type",
        ));
    }
    let body = body.map_err(|r| match r.status() {
        StatusCode::PAYLOAD_TOO_LARGE => {
            ApiError(StatusCode::PAYLOAD_TOO_LARGE, "request.too_large")
        }
        _ => ApiError(StatusCode::BAD_REQUEST, "request.unreadable"),
    })?;
    serde_json::from_slice(&body).map_err(|e| match e.classify() {
        serde_json::error::Category::Data => {
            ApiError(StatusCode::UNPROCESSABLE_ENTITY, "checkout.invalid_request")
        }
        _ => ApiError(StatusCode::BAD_REQUEST, "request.invalid_json"),
    })
}

/// Checks that every string is what it claims to be and carries no free
/// text: `po1` tokens under a served key version whose subjects are the
/// definition's (each at most once per list), hashes under each platform's
/// parameter names in its encoding, a currency code.
fn validate(req: &CheckoutRequest, settings: &Settings) -> Result<(), ApiError> {
    let bad = |code| Err(ApiError(StatusCode::BAD_REQUEST, code));
    if !settings.key_versions.contains(&req.key_id) {
        return bad("checkout.unknown_key");
    }
    if req.tokens.len() + req.match_keys.len() + req.ship_to.len() > MAX_TOKENS {
        return bad("checkout.too_many_tokens");
    }
    // Each list with whether its subjects are match keys (else fields).
    for (list, match_keys) in [
        (&req.tokens, false),
        (&req.match_keys, true),
        (&req.ship_to, false),
    ] {
        let mut seen = BTreeSet::new();
        for t in list {
            let Some(p) = Token::parse(t) else {
                return bad("checkout.invalid_token");
            };
            if p.version != "po1" || p.key_id != req.key_id {
                return bad("checkout.invalid_token");
            }
            let allowed = if match_keys {
                p.subject
                    .strip_prefix("mk-")
                    .is_some_and(|n| DEFINITION_MATCH_KEYS.contains(&n))
            } else {
                DEFINITION_FIELDS.contains(&p.subject)
            };
            if !allowed {
                return bad("checkout.unknown_subject");
            }
            if !seen.insert(p.subject) {
                return bad("checkout.duplicate_subject");
            }
        }
    }
    for (platform, params) in &req.platform_hashes {
        let Some(profile) = platforms().find(|p| p.name() == platform) else {
            return bad("checkout.unknown_platform");
        };
        let names = hashed_parameter_names(profile);
        for (name, value) in params {
            if !names.contains(&name.as_str()) {
                return bad("checkout.unknown_parameter");
            }
            let ok = match HashEncoding::of(profile) {
                HashEncoding::Base64 => {
                    value.len() == 44
                        && value.ends_with('=')
                        && value
                            .bytes()
                            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
                }
                _ => {
                    value.len() == 64
                        && value
                            .bytes()
                            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
                }
            };
            if !ok {
                return bad("checkout.invalid_hash");
            }
        }
    }
    if req.order.items > MAX_ITEMS || req.order.total_cents > MAX_TOTAL_CENTS {
        return bad("checkout.invalid_order");
    }
    let c = &req.order.currency;
    if c.len() != 3 || !c.bytes().all(|b| b.is_ascii_uppercase()) {
        return bad("checkout.invalid_currency");
    }
    Ok(())
}

async fn checkout(
    State(shared): State<Shared>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<CheckoutResponse>, ApiError> {
    let req = parse(&headers, body)?;
    validate(&req, &shared.settings)?;
    let store = shared.store;
    let internal = |_| ApiError(StatusCode::INTERNAL_SERVER_ERROR, "checkout.storage");
    let stored = serde_json::to_value(&req)
        .map_err(|_| ApiError(StatusCode::BAD_REQUEST, "checkout.invalid"))?;
    let body = stored.to_string();
    // Identifying tokens: e-mail, phone, customer id.
    let identifying: Vec<(&str, &str)> = req
        .tokens
        .iter()
        .filter_map(|t| Token::parse(t).map(|p| (p.subject, t.as_str())))
        .filter(|(subject, _)| IDENTIFYING.contains(subject))
        .collect();

    let mut conn = store
        .0
        .lock()
        .map_err(|_| ApiError(StatusCode::INTERNAL_SERVER_ERROR, "checkout.storage"))?;
    let tx = conn.transaction().map_err(internal)?;
    let mut matched: Vec<(i64, String)> = Vec::new();
    {
        let mut find = tx
            .prepare_cached("SELECT customer FROM tokens WHERE token = ?1")
            .map_err(internal)?;
        for (subject, token) in &identifying {
            let hit: Option<i64> = find
                .query_row(params![token], |r| r.get(0))
                .map(Some)
                .or_else(|e| match e {
                    rusqlite::Error::QueryReturnedNoRows => Ok(None),
                    e => Err(e),
                })
                .map_err(internal)?;
            if let Some(c) = hit {
                matched.push((c, (*subject).to_owned()));
            }
        }
    }
    let customer = match matched.iter().map(|(c, _)| *c).min() {
        Some(c) => c,
        None => {
            tx.execute("INSERT INTO customers DEFAULT VALUES", [])
                .map_err(internal)?;
            tx.last_insert_rowid()
        }
    };
    for (_, token) in &identifying {
        tx.execute(
            "INSERT OR IGNORE INTO tokens (token, customer) VALUES (?1, ?2)",
            params![token, customer],
        )
        .map_err(internal)?;
    }
    let previous_orders: i64 = tx
        .query_row(
            "SELECT COUNT(*) FROM orders WHERE customer = ?1",
            params![customer],
            |r| r.get(0),
        )
        .map_err(internal)?;
    tx.execute(
        "INSERT INTO orders (customer, body) VALUES (?1, ?2)",
        params![customer, body],
    )
    .map_err(internal)?;
    let order_id = tx.last_insert_rowid();
    tx.commit().map_err(internal)?;

    let mut matched_on: Vec<String> = matched
        .into_iter()
        .filter(|(c, _)| *c == customer)
        .map(|(_, s)| s)
        .collect();
    // `dedup` only removes neighbours: sort first.
    matched_on.sort_unstable();
    matched_on.dedup();
    Ok(Json(CheckoutResponse {
        order_id,
        customer_id: format!("C{customer:06}"),
        returning: previous_orders > 0,
        matched_on,
        previous_orders,
        stored,
    }))
}

/// Whether the request carries the back office's bearer key (compared as
/// SHA-256, in constant time).
fn back_office(headers: &HeaderMap, settings: &Settings) -> Result<(), ApiError> {
    let digest = bearer_sha256(headers);
    if digest == Err(Bearer::Missing) {
        return Err(ApiError(StatusCode::UNAUTHORIZED, "auth.missing"));
    }
    match (digest, &settings.orders_key_sha256) {
        (Ok(got), Some(want)) if bool::from(got.as_slice().ct_eq(want.as_slice())) => Ok(()),
        _ => Err(ApiError(StatusCode::UNAUTHORIZED, "auth.invalid")),
    }
}

/// The stored orders, newest first (the demo's "what the server received"),
/// for the back office's key only.
async fn orders(State(shared): State<Shared>, headers: HeaderMap) -> Result<Response, ApiError> {
    back_office(&headers, &shared.settings)?;
    let store = shared.store;
    let internal = |_| ApiError(StatusCode::INTERNAL_SERVER_ERROR, "checkout.storage");
    let conn = store
        .0
        .lock()
        .map_err(|_| ApiError(StatusCode::INTERNAL_SERVER_ERROR, "checkout.storage"))?;
    let mut stmt = conn
        .prepare("SELECT id, customer, received, body FROM orders ORDER BY id DESC LIMIT 50")
        .map_err(internal)?;
    let rows = stmt
        .query_map([], |r| {
            let body: String = r.get(3)?;
            Ok(serde_json::json!({
                "orderId": r.get::<_, i64>(0)?,
                "customerId": format!("C{:06}", r.get::<_, i64>(1)?),
                "received": r.get::<_, String>(2)?,
                "body": serde_json::from_str::<serde_json::Value>(&body).unwrap_or_default(),
            }))
        })
        .map_err(internal)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(internal)?;
    let mut res = Json(serde_json::Value::Array(rows)).into_response();
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(subject: &str) -> String {
        format!("po1.{subject}.v1.{}", "A".repeat(43))
    }

    fn settings() -> Settings {
        Settings {
            key_versions: vec!["v1".to_owned()],
            orders_key_sha256: None,
        }
    }

    fn check(json: serde_json::Value) -> Result<(), &'static str> {
        let req: CheckoutRequest = serde_json::from_value(json).map_err(|_| "schema")?;
        validate(&req, &settings()).map_err(|e| e.1)
    }

    fn order() -> serde_json::Value {
        serde_json::json!({"items": 1, "totalCents": 1999, "currency": "USD"})
    }

    #[test]
    fn checkout_accepts_tokens_and_hashes_only() {
        assert_eq!(
            check(serde_json::json!({
                "keyId": "v1", "tokens": [token("email"), token("phone")],
                "matchKeys": [token("mk-nameDob")], "shipTo": [token("street")],
                "platformHashes": {"meta": {"em": "a".repeat(64)}, "uid2": {"email_hash": format!("{}=", "A".repeat(43))}},
                "order": order()
            })),
            Ok(())
        );
        // A raw value in a hash slot, a token under another key or of the
        // keyed kind, an extra field: refused.
        let cases = [
            (
                serde_json::json!({"keyId": "v1", "tokens": [], "platformHashes": {"meta": {"em": "jane@example.com"}}, "order": order()}),
                "checkout.invalid_hash",
            ),
            (
                serde_json::json!({"keyId": "v1", "tokens": [], "platformHashes": {"meta": {"em": "A".repeat(64)}}, "order": order()}),
                "checkout.invalid_hash",
            ),
            (
                serde_json::json!({"keyId": "v1", "tokens": [token("email").replace(".v1.", ".v2.")], "order": order()}),
                "checkout.invalid_token",
            ),
            (
                serde_json::json!({"keyId": "v1", "tokens": [token("email").replacen("po1.", "pl1.", 1)], "order": order()}),
                "checkout.invalid_token",
            ),
            (
                serde_json::json!({"keyId": "v2", "tokens": [], "order": order()}),
                "checkout.unknown_key",
            ),
            (
                serde_json::json!({"keyId": "v1", "tokens": [], "email": "jane@example.com", "order": order()}),
                "schema",
            ),
        ];
        for (json, code) in cases {
            assert_eq!(check(json.clone()), Err(code), "{json}");
        }
    }

    #[test]
    fn checkout_schema_has_no_free_text() {
        let cases = [
            // Subjects: the definition's fields in tokens and shipTo, its
            // match keys in matchKeys, each once.
            (
                serde_json::json!({"keyId": "v1", "tokens": [token("jane_doe_example_com")], "order": order()}),
                "checkout.unknown_subject",
            ),
            (
                serde_json::json!({"keyId": "v1", "tokens": [token("mk-nameDob")], "order": order()}),
                "checkout.unknown_subject",
            ),
            (
                serde_json::json!({"keyId": "v1", "tokens": [], "matchKeys": [token("email")], "order": order()}),
                "checkout.unknown_subject",
            ),
            (
                serde_json::json!({"keyId": "v1", "tokens": [], "matchKeys": [token("mk-jane")], "order": order()}),
                "checkout.unknown_subject",
            ),
            (
                serde_json::json!({"keyId": "v1", "tokens": [], "shipTo": [token("mk-addressName")], "order": order()}),
                "checkout.unknown_subject",
            ),
            (
                serde_json::json!({"keyId": "v1", "tokens": [token("email"), token("email")], "order": order()}),
                "checkout.duplicate_subject",
            ),
            // Parameter names: each profile's own, nothing else.
            (
                serde_json::json!({"keyId": "v1", "tokens": [], "platformHashes": {"meta": {"jane_doe": "a".repeat(64)}}, "order": order()}),
                "checkout.unknown_parameter",
            ),
            (
                serde_json::json!({"keyId": "v1", "tokens": [], "platformHashes": {"uid2": {"em": format!("{}=", "A".repeat(43))}}, "order": order()}),
                "checkout.unknown_parameter",
            ),
            (
                serde_json::json!({"keyId": "v1", "tokens": [], "platformHashes": {"google": {"address_info.city": "a".repeat(64)}}, "order": order()}),
                "checkout.unknown_parameter",
            ),
            (
                serde_json::json!({"keyId": "v1", "tokens": [], "platformHashes": {"pseudolink": {"email": "a".repeat(64)}}, "order": order()}),
                "checkout.unknown_platform",
            ),
        ];
        for (json, code) in cases {
            assert_eq!(check(json.clone()), Err(code), "{json}");
        }
        for p in platforms() {
            for name in hashed_parameter_names(p) {
                let value = match HashEncoding::of(p) {
                    HashEncoding::Base64 => format!("{}=", "A".repeat(43)),
                    _ => "a".repeat(64),
                };
                let json = serde_json::json!({"keyId": "v1", "tokens": [], "platformHashes": {p.name(): {name: value}}, "order": order()});
                assert_eq!(check(json.clone()), Ok(()), "{json}");
            }
        }
    }

    /// The mirrored definition is www/shared/definition.js's DEFINITION.
    #[test]
    fn definition_mirror_matches_definition_js() {
        let js = include_str!("../../../www/shared/definition.js");
        let start = js.find("export const DEFINITION = {").expect("DEFINITION");
        let def = &js[start..];
        let def = &def[..def.find("\n};").expect("end of DEFINITION")];
        let fields_at = def.find("fields: [").expect("fields") + "fields: [".len();
        let fields_text = &def[fields_at..];
        let fields_text = &fields_text[..fields_text.find(']').expect("]")];
        let fields: Vec<&str> = fields_text
            .split(',')
            .map(|f| f.trim().trim_matches('\''))
            .filter(|f| !f.is_empty())
            .collect();
        assert_eq!(fields, DEFINITION_FIELDS);
        let keys_at = def.find("matchKeys: [").expect("matchKeys");
        let names: Vec<&str> = def[keys_at..]
            .split("name: '")
            .skip(1)
            .map(|s| &s[..s.find('\'').expect("'")])
            .collect();
        assert_eq!(names, DEFINITION_MATCH_KEYS);
    }
}
