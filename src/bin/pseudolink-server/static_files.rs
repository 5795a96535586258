//! Static files: `www/` at `/` and `pkg/` at `/pkg/`, through tower-http's
//! `ServeDir` (content types from the extension: `application/wasm` for .wasm,
//! `text/javascript` for .js; `index.html` for directories). Every response is
//! `Cache-Control: no-cache`: this is a development server, and a stale .wasm
//! next to a fresh .js is the classic wasm-bindgen breakage.

use std::path::Path;

use axum::{
    extract::Request,
    http::{header, HeaderValue, StatusCode},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    Json, Router,
};
use tower_http::services::ServeDir;

pub fn routes(www: &Path, pkg: &Path) -> Router {
    Router::new()
        .nest_service("/pkg", ServeDir::new(pkg))
        .fallback_service(ServeDir::new(www))
        .layer(middleware::map_response(no_cache))
}

/// On the public pages' listener: `/console` and everything under it is
/// 404, as if it did not exist (the staff console has its own listener).
/// The path is percent-decoded first, as `ServeDir` does, so `/%63onsole/`
/// or `//console/` reach the same refusal.
pub async fn no_console(req: Request, next: Next) -> Response {
    if names_console(req.uri().path()) {
        return (
            StatusCode::NOT_FOUND,
            Json(serde_json::json!({"error": "not_found", "message": "no such page"})),
        )
            .into_response();
    }
    next.run(req).await
}

/// Whether any segment of the percent-decoded path is `console`.
fn names_console(path: &str) -> bool {
    let bytes = path.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (bytes[i], bytes.get(i + 1), bytes.get(i + 2)) {
            (b'%', Some(&h), Some(&l)) if hex(h).is_some() && hex(l).is_some() => {
                decoded.push((hex(h).unwrap_or(0) * 16 + hex(l).unwrap_or(0)) as u8);
                i += 3;
            }
            (b, _, _) => {
                decoded.push(b);
                i += 1;
            }
        }
    }
    decoded
        .split(|&b| b == b'/' || b == b'\\')
        .any(|seg| seg.eq_ignore_ascii_case(b"console"))
}

async fn no_cache(mut res: Response) -> Response {
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    res
}

/// Fails if the page directory is missing; only warns when the package has not
/// been built yet (the pages then show their own error).
pub fn check_dirs(www: &Path, pkg: &Path) -> Result<(), String> {
    if !www.is_dir() {
        return Err(format!(
            "--www {}: not a directory (run from the repository root, or pass --www)",
            www.display()
        ));
    }
    if !pkg.join("pseudolink.js").is_file() {
        eprintln!(
            "pseudolink-server: warning: {} has no pseudolink.js yet: run `make pkg`",
            pkg.display()
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::names_console;

    #[test]
    fn console_paths_in_any_spelling() {
        for p in [
            "/console",
            "/console/",
            "/console/demo-directory.json",
            "//console/index.html",
            "/%63onsole/demo-directory.json",
            "/Console/",
            "/shared/../console/x",
        ] {
            assert!(names_console(p), "{p}");
        }
        for p in ["/", "/portal/", "/consoles/", "/portal/console.js"] {
            assert!(!names_console(p), "{p}");
        }
    }
}
