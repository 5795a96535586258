//! One stderr line per request: method, path, status, duration.
//!
//! Deliberately NOT logged: the query string, headers and bodies, any of which
//! may carry customer identifiers.

use std::time::Instant;

use axum::{extract::Request, middleware::Next, response::Response};

pub async fn log(req: Request, next: Next) -> Response {
    let method = req.method().clone();
    // `path()` excludes the query string.
    let path = req.uri().path().to_owned();
    let start = Instant::now();
    let res = next.run(req).await;
    eprintln!(
        "{method} {path} {} {:.1}ms",
        res.status().as_u16(),
        start.elapsed().as_secs_f64() * 1000.0
    );
    res
}
