//! `GET /healthz`: a JSON liveness answer for tests and load balancers.

use axum::{routing::get, Json, Router};

pub fn routes() -> Router {
    Router::new().route("/healthz", get(healthz))
}

async fn healthz() -> Json<serde_json::Value> {
    Json(serde_json::json!({
        "status": "ok",
        "name": env!("CARGO_PKG_NAME"),
        "version": env!("CARGO_PKG_VERSION"),
    }))
}
