//! One stderr line per request: method, route, status, duration.
//!
//! The route is the template the request matched (`/api/checkout`,
//! `/pkg/*`), or `static` for the page files: never the path the client
//! sent, whose segments may be anything (`/lookup/jane@example.com`).
//! Deliberately NOT logged either: the query string, headers and bodies, any
//! of which may carry customer identifiers. A method outside the standard
//! ones is logged as `OTHER`.

use std::time::Instant;

use axum::{
    extract::{MatchedPath, Request},
    http::Method,
    middleware::Next,
    response::Response,
};

pub async fn log(req: Request, next: Next) -> Response {
    let method = method_label(req.method());
    let matched = req
        .extensions()
        .get::<MatchedPath>()
        .map(MatchedPath::as_str);
    let route = route_label(matched, req.uri().path()).to_owned();
    let start = Instant::now();
    let res = next.run(req).await;
    eprintln!(
        "{method} {route} {} {:.1}ms",
        res.status().as_u16(),
        start.elapsed().as_secs_f64() * 1000.0
    );
    res
}

/// The method when it is a standard one, else `OTHER` (an extension method
/// is client text).
pub fn method_label(method: &Method) -> &'static str {
    match method.as_str() {
        "GET" => "GET",
        "HEAD" => "HEAD",
        "POST" => "POST",
        "PUT" => "PUT",
        "DELETE" => "DELETE",
        "OPTIONS" => "OPTIONS",
        "PATCH" => "PATCH",
        "CONNECT" => "CONNECT",
        "TRACE" => "TRACE",
        _ => "OTHER",
    }
}

/// The route template the request matched; for the nested package service
/// (which sets none) the fixed `/pkg/*`; `static` for the page files'
/// fallback. Only the prefix of `path` is looked at, never returned.
fn route_label<'a>(matched: Option<&'a str>, path: &str) -> &'a str {
    match matched {
        Some(p) if !p.starts_with("/pkg") => p,
        _ if path == "/pkg" || path.starts_with("/pkg/") => "/pkg/*",
        _ => "static",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_carry_no_client_text() {
        assert_eq!(method_label(&Method::POST), "POST");
        let custom = Method::from_bytes(b"JANEDOE").unwrap_or(Method::GET);
        assert_eq!(method_label(&custom), "OTHER");
        assert_eq!(route_label(None, "/lookup/jane@example.com"), "static");
        assert_eq!(route_label(None, "/pkg/jane.js"), "/pkg/*");
        assert_eq!(route_label(None, "/pkgjane"), "static");
        assert_eq!(
            route_label(Some("/pkg/{*__private__axum_nest_tail_param}"), "/pkg/x"),
            "/pkg/*"
        );
        assert_eq!(
            route_label(Some("/api/checkout"), "/api/checkout"),
            "/api/checkout"
        );
    }
}
