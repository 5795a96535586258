//! The checkout endpoint: `POST /api/checkout` receives what the checkout page
//! sends (keyed `pl1` or oblivious `po1` tokens, platform hashes, the key id or
//! key version and non-identifying order data), recognises a returning customer by agreeing tokens, and stores the
//! order in SQLite; `GET /api/orders` lists what was stored.
//!
//! The request schema is closed (`deny_unknown_fields`) and every string is
//! checked to be a token or a hash, so a raw identifier cannot be stored even
//! by a page that tries to send one.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use axum::{
    extract::{DefaultBodyLimit, State},
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::{get, post},
    Json, Router,
};
use pseudolink::{KeyId, Token};
use rusqlite::{params, Connection};
use serde::{Deserialize, Serialize};

/// Largest request body: a checkout is a few dozen tokens.
const MAX_BODY: usize = 32 * 1024;
/// Most tokens one request may carry.
const MAX_TOKENS: usize = 64;
/// Token subjects that identify one person. Addresses and name-based match
/// keys are shared within a household, so they do not make two orders one
/// customer here (the identity graph decides that later).
const IDENTIFYING: [&str; 3] = ["email", "phone", "externalId"];

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
}

/// A 4xx/5xx with a stable code; never echoes the request.
struct ApiError(StatusCode, &'static str);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.0, Json(serde_json::json!({ "error": self.1 }))).into_response()
    }
}

pub fn routes(store: OrderStore) -> Router {
    Router::new()
        .route("/api/checkout", post(checkout))
        .route("/api/orders", get(orders))
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .with_state(store)
}

/// Checks that every string is what it claims to be: tokens under the stated
/// key, hashes as 64 hex digits or 44 base64 characters, a currency code.
fn validate(req: &CheckoutRequest) -> Result<(), ApiError> {
    let bad = |code| Err(ApiError(StatusCode::BAD_REQUEST, code));
    if KeyId::new(&req.key_id).is_err() {
        return bad("checkout.invalid_key_id");
    }
    let all = req.tokens.iter().chain(&req.match_keys).chain(&req.ship_to);
    if req.tokens.len() + req.match_keys.len() + req.ship_to.len() > MAX_TOKENS {
        return bad("checkout.too_many_tokens");
    }
    // All tokens of one kind (keyed or oblivious) under the stated key.
    let mut version = None;
    for t in all {
        match Token::parse(t) {
            Some(p) if p.key_id == req.key_id && *version.get_or_insert(p.version) == p.version => {
            }
            _ => return bad("checkout.invalid_token"),
        }
    }
    for (platform, params) in &req.platform_hashes {
        if !matches!(platform.as_str(), "uid2" | "google" | "meta") {
            return bad("checkout.unknown_platform");
        }
        for (name, value) in params {
            let name_ok = !name.is_empty()
                && name.len() <= 48
                && name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b == b'_' || b == b'.');
            let hex = value.len() == 64 && value.bytes().all(|b| b.is_ascii_hexdigit());
            let b64 = value.len() == 44
                && value.ends_with('=')
                && value
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='));
            if !name_ok || !(hex || b64) {
                return bad("checkout.invalid_hash");
            }
        }
    }
    let c = &req.order.currency;
    if c.len() != 3 || !c.bytes().all(|b| b.is_ascii_uppercase()) {
        return bad("checkout.invalid_currency");
    }
    Ok(())
}

async fn checkout(
    State(store): State<OrderStore>,
    Json(req): Json<CheckoutRequest>,
) -> Result<Json<CheckoutResponse>, ApiError> {
    validate(&req)?;
    let internal = |_| ApiError(StatusCode::INTERNAL_SERVER_ERROR, "checkout.storage");
    let body = serde_json::to_string(&req)
        .map_err(|_| ApiError(StatusCode::BAD_REQUEST, "checkout.invalid"))?;
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
    matched_on.dedup();
    Ok(Json(CheckoutResponse {
        order_id,
        customer_id: format!("C{customer:06}"),
        returning: previous_orders > 0,
        matched_on,
        previous_orders,
    }))
}

/// The stored orders, newest first (the demo's "what the server received").
async fn orders(State(store): State<OrderStore>) -> Result<Json<serde_json::Value>, ApiError> {
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
    Ok(Json(serde_json::Value::Array(rows)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(field: &str) -> String {
        let key = pseudolink::TokenKey::new("k1", &pseudolink::Secret::new(vec![1; 32]).unwrap())
            .unwrap();
        key.field_token(pseudolink::Field::from_name(field).unwrap(), "x")
    }

    fn request(json: serde_json::Value) -> Result<CheckoutRequest, serde_json::Error> {
        serde_json::from_value(json)
    }

    #[test]
    fn checkout_accepts_tokens_and_hashes_only() {
        let ok = request(serde_json::json!({
            "keyId": "k1", "tokens": [token("email")],
            "platformHashes": {"meta": {"em": "a".repeat(64)}, "uid2": {"email_hash": format!("{}=", "A".repeat(43))}},
            "order": {"items": 1, "totalCents": 1999, "currency": "USD"}
        }))
        .unwrap();
        assert!(validate(&ok).is_ok());
        // A raw value in a hash slot, a token under another key, an extra field: refused.
        let raw = request(serde_json::json!({
            "keyId": "k1", "tokens": [], "platformHashes": {"meta": {"em": "jane@example.com"}},
            "order": {"items": 1, "totalCents": 1, "currency": "USD"}
        }))
        .unwrap();
        assert_eq!(
            validate(&raw).err().map(|e| e.1),
            Some("checkout.invalid_hash")
        );
        let other_key = request(serde_json::json!({
            "keyId": "k2", "tokens": [token("email")], "order": {"items": 1, "totalCents": 1, "currency": "USD"}
        }))
        .unwrap();
        assert_eq!(
            validate(&other_key).err().map(|e| e.1),
            Some("checkout.invalid_token")
        );
        // Oblivious tokens under their key version are accepted; a mix of kinds is not.
        let po1 = token("email").replacen("pl1.", "po1.", 1);
        let oblivious = request(serde_json::json!({
            "keyId": "k1", "tokens": [po1.clone()], "order": {"items": 1, "totalCents": 1, "currency": "USD"}
        }))
        .unwrap();
        assert!(validate(&oblivious).is_ok());
        let mixed = request(serde_json::json!({
            "keyId": "k1", "tokens": [po1, token("phone")], "order": {"items": 1, "totalCents": 1, "currency": "USD"}
        }))
        .unwrap();
        assert_eq!(
            validate(&mixed).err().map(|e| e.1),
            Some("checkout.invalid_token")
        );
        assert!(request(serde_json::json!({
            "keyId": "k1", "tokens": [], "email": "jane@example.com",
            "order": {"items": 1, "totalCents": 1, "currency": "USD"}
        }))
        .is_err());
    }
}
