//! The one body type the JSON endpoints (checkout, key server, linkage
//! service) accept, checked the same way everywhere.

use axum::http::{header, HeaderMap};

/// Whether the request says its body is `application/json` (any parameters,
/// such as `; charset=utf-8`, and any case).
pub fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"))
}
