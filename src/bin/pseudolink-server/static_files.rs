//! Static files: `www/` at `/` and `pkg/` at `/pkg/`, through tower-http's
//! `ServeDir` (content types from the extension: `application/wasm` for .wasm,
//! `text/javascript` for .js; `index.html` for directories). Every response is
//! `Cache-Control: no-cache`: this is a development server, and a stale .wasm
//! next to a fresh .js is the classic wasm-bindgen breakage.

use std::path::Path;

use axum::{
    http::{header, HeaderValue},
    middleware,
    response::Response,
    Router,
};
use tower_http::services::ServeDir;

pub fn routes(www: &Path, pkg: &Path) -> Router {
    Router::new()
        .nest_service("/pkg", ServeDir::new(pkg))
        .fallback_service(ServeDir::new(www))
        .layer(middleware::map_response(no_cache))
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
