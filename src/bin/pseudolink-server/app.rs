//! The router: every route and layer in one place. Later endpoints (a POST
//! endpoint into SQLite, an OPRF key server) get their own module and one
//! `.merge`/`.nest` line here.

use std::path::PathBuf;

use axum::{middleware, Router};

use crate::{access_log, checkout, health, keyserver, linkage, security_headers, static_files};

/// What the router needs to know.
#[derive(Clone)]
pub struct Config {
    /// Demo pages, served at `/`.
    pub www: PathBuf,
    /// Built JS package, served at `/pkg/`.
    pub pkg: PathBuf,
    /// Where the checkout endpoint keeps orders.
    pub orders: checkout::OrderStore,
    /// The checkout's key versions and the back office's key (hash).
    pub checkout: checkout::Settings,
    /// The key server next to the pages, if one runs: its address goes into
    /// the pages' `connect-src`, its public keys to `/api/oblivious-config`.
    pub keyserver: Option<keyserver::PageConfig>,
    /// The linkage service next to the pages, if one runs: its address goes
    /// into `connect-src` and `/api/linkage-config`.
    pub linkage: Option<linkage::PageConfig>,
    /// Whether this listener serves the staff console (`/console/`). The
    /// public pages' listener does not: the console holds the company's
    /// directory, which a partner opening the portal must not reach.
    pub console: bool,
}

/// Builds the application. Layers run outside-in: the access log sees the final
/// status; security headers apply to every response, static or not.
pub fn router(config: &Config) -> Router {
    let connect: Vec<String> = config
        .keyserver
        .iter()
        .map(|k| k.origin.clone())
        .chain(config.linkage.iter().map(|l| l.origin.clone()))
        .collect();
    let router = Router::new()
        .merge(health::routes())
        .merge(checkout::routes(
            config.orders.clone(),
            config.checkout.clone(),
        ))
        .merge(keyserver::page_routes(config.keyserver.clone()))
        .merge(linkage::page_routes(config.linkage.clone()))
        .merge(static_files::routes(&config.www, &config.pkg));
    let router = if config.console {
        router
    } else {
        router.layer(middleware::from_fn(static_files::no_console))
    };
    router
        .layer(middleware::from_fn_with_state(
            std::sync::Arc::new(connect),
            security_headers::apply,
        ))
        .layer(middleware::from_fn(access_log::log))
}
