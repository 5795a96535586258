//! The key server: evaluates blinded elements under versioned VOPRF keys
//! (RFC 9497 mode 1, ristretto255-SHA512) for partners it knows, on its own
//! listener so that pages and key server are different origins.
//!
//! ```text
//! POST /v1/evaluate   {"keyVersion","blinded":[b64url…]} -> {"keyVersion","evaluated":[…],"proof"}
//! GET  /v1/keys       public keys per version (what clients pin), active version, retirement
//! GET  /healthz       liveness
//! ```
//!
//! `POST /v1/evaluate` needs `Authorization: Bearer <api key>` (stored as
//! SHA-256 in the config) and `Content-Type: application/json`; a browser's
//! `Origin` must be on the partner's allowlist. Batches, bodies, the rate and
//! a daily quota are bounded per partner. Every refusal is a 4xx with a stable
//! JSON `error` code. One JSON log line per request carries counts, codes and
//! the partner id: never a key, a seed, an element or any value the client
//! sent (an unknown `keyVersion` is logged as its code and length only).

pub mod config;
mod limit;

use crate::credentials::{bearer_sha256, Bearer};
use std::sync::Arc;
use std::time::Instant;

use axum::{
    body::Bytes,
    extract::{rejection::BytesRejection, DefaultBodyLimit, Request, State},
    http::{header, HeaderMap, HeaderValue, Method, StatusCode},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::{get, post},
    Json, Router,
};
use pseudolink::base64_url;
use pseudolink::oblivious::{EvaluateRequest, EvaluateResponse};
use subtle::ConstantTimeEq;

use config::{now_unix, Config, Partner};
use limit::{Limits, Refusal};

/// The shared state of the key server.
pub struct KeyServer {
    config: Config,
    limits: Limits,
    /// Every partner's origins: the CORS allowlist.
    origins: Vec<String>,
}

impl KeyServer {
    /// The server for `config`; the origin `"pages"` in a partner's list
    /// becomes `pages_origin`, the pages served next to it.
    pub fn new(mut config: Config, pages_origin: &str) -> Arc<Self> {
        for p in &mut config.partners {
            for o in &mut p.origins {
                if o == config::PAGES_ORIGIN {
                    *o = pages_origin.to_owned();
                }
            }
        }
        let mut origins: Vec<String> = config
            .partners
            .iter()
            .flat_map(|p| p.origins.iter().cloned())
            .collect();
        origins.sort();
        origins.dedup();
        Arc::new(KeyServer {
            config,
            limits: Limits::default(),
            origins,
        })
    }

    /// Every key version in the config (the checkout accepts tokens under
    /// these only).
    pub fn versions(&self) -> Vec<String> {
        self.config.keys.keys().cloned().collect()
    }

    /// What a page needs to use this server: the active version and the
    /// public keys of the versions still serving (for pinning).
    pub fn public_keys(&self) -> serde_json::Value {
        let now = now_unix();
        let keys: Vec<serde_json::Value> = self
            .config
            .keys
            .values()
            .filter(|k| k.retires_at.is_none_or(|t| t > now))
            .map(|k| {
                serde_json::json!({
                    "version": k.pair.version(),
                    "publicKey": base64_url(&k.pair.public_key()),
                    "retiresAt": k.retires_at,
                })
            })
            .collect();
        serde_json::json!({
            "suite": "ristretto255-SHA512",
            "mode": "voprf",
            "activeKey": self.config.active,
            "keys": keys,
        })
    }
}

/// The key server's router.
pub fn router(state: Arc<KeyServer>) -> Router {
    let max_body = state.config.max_body_bytes;
    Router::new()
        .route("/v1/evaluate", post(evaluate).fallback(method_not_allowed))
        .route("/v1/keys", get(keys).fallback(method_not_allowed))
        .route("/healthz", get(healthz).fallback(method_not_allowed))
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(max_body))
        .layer(middleware::from_fn_with_state(state.clone(), cors))
        .with_state(state)
}

/// A refusal: status, stable code, English message (never request content).
struct Refused {
    status: StatusCode,
    code: &'static str,
    message: &'static str,
    index: Option<usize>,
    retry_after: Option<u64>,
}

fn refused(status: StatusCode, code: &'static str, message: &'static str) -> Refused {
    Refused {
        status,
        code,
        message,
        index: None,
        retry_after: None,
    }
}

impl IntoResponse for Refused {
    fn into_response(self) -> Response {
        let mut body = serde_json::json!({ "error": self.code, "message": self.message });
        if let Some(i) = self.index {
            body["index"] = i.into();
        }
        let mut res = (self.status, Json(body)).into_response();
        if let Some(s) = self.retry_after {
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(s));
        }
        if self.status == StatusCode::UNAUTHORIZED {
            res.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        res
    }
}

/// What one evaluation did, for the log line.
#[derive(Default)]
struct Outcome<'a> {
    partner: Option<&'a str>,
    /// The configured version the request named: the server's own string,
    /// never the client's (an unknown one is not logged).
    key_version: Option<&'a str>,
    /// The length of the `keyVersion` the client sent.
    key_version_len: Option<usize>,
    elements: usize,
}

async fn evaluate(
    State(s): State<Arc<KeyServer>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let start = Instant::now();
    let mut outcome = Outcome::default();
    let result = evaluate_inner(&s, &headers, body, &mut outcome).await;
    let (status, code) = match &result {
        Ok(_) => (StatusCode::OK, None),
        Err(r) => (r.status, Some(r.code)),
    };
    log_line(serde_json::json!({
        "t": now_unix(),
        "svc": "keyserver",
        "route": "/v1/evaluate",
        "status": status.as_u16(),
        "error": code,
        "partner": outcome.partner,
        "keyVersion": outcome.key_version,
        "keyVersionLen": outcome.key_version_len,
        "elements": outcome.elements,
        "ms": (start.elapsed().as_secs_f64() * 1e4).round() / 10.0,
    }));
    match result {
        Ok(answer) => {
            let mut res = Json(answer).into_response();
            res.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            res
        }
        Err(r) => r.into_response(),
    }
}

async fn evaluate_inner<'a>(
    s: &'a Arc<KeyServer>,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
    outcome: &mut Outcome<'a>,
) -> Result<EvaluateResponse, Refused> {
    let partner = authenticate(&s.config.partners, headers)?;
    outcome.partner = Some(&partner.id);
    if let Some(origin) = headers.get(header::ORIGIN) {
        let ok = origin
            .to_str()
            .is_ok_and(|o| partner.origins.iter().any(|a| a == o));
        if !ok {
            return Err(refused(
                StatusCode::FORBIDDEN,
                "origin.not_allowed",
                "this origin may not call the key server with this credential",
            ));
        }
    }
    let json = crate::media_type::is_json(headers);
    if !json {
        return Err(refused(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "request.content_type",
            "the body must be application/json",
        ));
    }
    let body = body.map_err(|_| {
        refused(
            StatusCode::PAYLOAD_TOO_LARGE,
            "request.too_large",
            "the body is larger than the server accepts",
        )
    })?;
    let req: EvaluateRequest = serde_json::from_slice(&body).map_err(|_| {
        refused(
            StatusCode::BAD_REQUEST,
            "request.invalid_json",
            "the body is not an evaluation request: {\"keyVersion\", \"blinded\": [...]}",
        )
    })?;
    outcome.key_version_len = Some(req.key_version.len());
    outcome.elements = req.blinded.len();
    let Some((version, key)) = s.config.keys.get_key_value(&req.key_version) else {
        return Err(refused(
            StatusCode::NOT_FOUND,
            "key.unknown_version",
            "no key has this version",
        ));
    };
    outcome.key_version = Some(version.as_str());
    if key.retires_at.is_some_and(|t| t <= now_unix()) {
        return Err(refused(
            StatusCode::GONE,
            "key.retired",
            "this key version is past its grace period",
        ));
    }
    if req.blinded.is_empty() {
        return Err(refused(
            StatusCode::BAD_REQUEST,
            "batch.empty",
            "the batch has no elements",
        ));
    }
    if req.blinded.len() > s.config.max_batch {
        return Err(refused(
            StatusCode::PAYLOAD_TOO_LARGE,
            "batch.too_large",
            "the batch has more elements than the server accepts",
        ));
    }
    let day = now_unix() / 86_400;
    s.limits
        .charge(partner, req.blinded.len() as u64, Instant::now(), day)
        .map_err(|r| match r {
            Refusal::Rate { retry_after } => Refused {
                retry_after: Some(retry_after),
                ..refused(
                    StatusCode::TOO_MANY_REQUESTS,
                    "rate.limited",
                    "too many evaluations for this credential: retry later",
                )
            },
            Refusal::Quota => refused(
                StatusCode::TOO_MANY_REQUESTS,
                "quota.exceeded",
                "this credential has used its evaluations for today",
            ),
        })?;
    // Scalar multiplications take tens of microseconds each: off the async workers.
    let state = Arc::clone(s);
    let answer = tokio::task::spawn_blocking(move || {
        let key = state
            .config
            .keys
            .get(&req.key_version)
            .map(|k| &k.pair)
            .ok_or(None)?;
        key.answer(&req).map_err(|bad| Some(bad.0))
    })
    .await;
    match answer {
        Ok(Ok(answer)) => Ok(answer),
        Ok(Err(Some(index))) => Err(Refused {
            index: Some(index),
            ..refused(
                StatusCode::BAD_REQUEST,
                "element.invalid",
                "a blinded element is not a valid ristretto255 point",
            )
        }),
        Ok(Err(None)) | Err(_) => Err(refused(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server.internal",
            "the evaluation failed",
        )),
    }
}

/// The partner whose API key hashes to the bearer token's SHA-256. Every
/// partner is compared, in constant time, so timing says nothing about which.
fn authenticate<'a>(partners: &'a [Partner], headers: &HeaderMap) -> Result<&'a Partner, Refused> {
    let invalid = || {
        refused(
            StatusCode::UNAUTHORIZED,
            "auth.invalid",
            "the credential is not valid",
        )
    };
    let digest = bearer_sha256(headers).map_err(|e| match e {
        Bearer::Missing => refused(
            StatusCode::UNAUTHORIZED,
            "auth.missing",
            "an Authorization: Bearer <api key> header is required",
        ),
        Bearer::Invalid => invalid(),
    })?;
    let mut found = None;
    for p in partners {
        if bool::from(p.api_key_sha256.as_slice().ct_eq(digest.as_slice())) {
            found = Some(p);
        }
    }
    found.ok_or_else(invalid)
}

async fn keys(State(s): State<Arc<KeyServer>>) -> Response {
    let mut res = Json(s.public_keys()).into_response();
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    res
}

async fn healthz(State(s): State<Arc<KeyServer>>) -> Json<serde_json::Value> {
    Json(serde_json::json!({
        "status": "ok",
        "name": "pseudolink-keyserver",
        "version": env!("CARGO_PKG_VERSION"),
        "activeKey": s.config.active,
        "keyVersions": s.config.keys.keys().collect::<Vec<_>>(),
    }))
}

async fn not_found() -> Refused {
    refused(StatusCode::NOT_FOUND, "route.not_found", "no such endpoint")
}

async fn method_not_allowed() -> Refused {
    refused(
        StatusCode::METHOD_NOT_ALLOWED,
        "method.not_allowed",
        "this endpoint does not take this method",
    )
}

/// CORS for the allowlisted origins: preflights are answered here, other
/// responses to an allowed origin carry `Access-Control-Allow-Origin`. A
/// preflight from any other origin is refused (403), so browsers never send
/// the real request.
async fn cors(State(s): State<Arc<KeyServer>>, req: Request, next: Next) -> Response {
    let origin = req
        .headers()
        .get(header::ORIGIN)
        .and_then(|o| o.to_str().ok())
        .map(str::to_owned);
    let allowed = origin
        .as_deref()
        .filter(|o| s.origins.iter().any(|a| a == o))
        .and_then(|o| HeaderValue::from_str(o).ok());
    let mut res = if req.method() == Method::OPTIONS {
        let res = match &allowed {
            Some(_) => {
                let mut r = StatusCode::NO_CONTENT.into_response();
                let h = r.headers_mut();
                h.insert(
                    header::ACCESS_CONTROL_ALLOW_METHODS,
                    HeaderValue::from_static("POST, GET"),
                );
                h.insert(
                    header::ACCESS_CONTROL_ALLOW_HEADERS,
                    HeaderValue::from_static("authorization, content-type"),
                );
                h.insert(
                    header::ACCESS_CONTROL_MAX_AGE,
                    HeaderValue::from_static("600"),
                );
                r
            }
            None => refused(
                StatusCode::FORBIDDEN,
                "origin.not_allowed",
                "this origin may not call the key server",
            )
            .into_response(),
        };
        log_line(serde_json::json!({
            "t": now_unix(), "svc": "keyserver", "route": "preflight",
            "status": res.status().as_u16(),
        }));
        res
    } else {
        next.run(req).await
    };
    let h = res.headers_mut();
    if let Some(o) = allowed {
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, o);
        h.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static("retry-after"),
        );
    }
    h.insert(header::VARY, HeaderValue::from_static("origin"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    res
}

/// One structured log line on stderr.
fn log_line(v: serde_json::Value) {
    eprintln!("{v}");
}

/// What the pages server says about the key server next to it.
#[derive(Clone)]
pub struct PageConfig {
    /// The key server's origin (`http://127.0.0.1:8081`), for `connect-src`.
    pub origin: String,
    body: serde_json::Value,
}

/// The page-side view of a key server reachable at `url`.
pub fn page_config(ks: &KeyServer, url: &str) -> PageConfig {
    let mut body = ks.public_keys();
    body["endpoint"] = url.into();
    PageConfig {
        origin: url.to_owned(),
        body,
    }
}

/// `GET /api/oblivious-config` on the pages server: the key server's
/// endpoint, active version and public keys, which a page pins. Served from
/// the page's own origin (as a real shop would bake them into its page), so
/// a compromised key server cannot swap its own keys. 404 without a key server.
pub fn page_routes(config: Option<PageConfig>) -> Router {
    Router::new().route(
        "/api/oblivious-config",
        get(move || {
            let config = config.clone();
            async move {
                match config {
                    Some(c) => Json(c.body).into_response(),
                    None => refused(
                        StatusCode::NOT_FOUND,
                        "keyserver.not_configured",
                        "this server runs no key server (start it with --keyserver)",
                    )
                    .into_response(),
                }
            }
        }),
    )
}
