//! The linkage service: parties of a linking project upload encodings (`po1`
//! tokens and CLKs, never values), the service links a partner's upload
//! against the directory party's dataset with the core linker and returns to
//! each party only results about its own rows. It holds no token key and no
//! CLK secret; what it stores is sealed under a store key kept outside the
//! database. Its own listener, so pages and service are different origins.
//!
//! ```text
//! GET  /healthz
//! GET  /v1/projects/{project}                                  rules, limits, today's usage
//! POST /v1/projects/{project}/uploads                          -> 201 {"upload"}
//! PUT  /v1/projects/{project}/uploads/{upload}/chunks/{index}  {"records":[…]} -> {"upload","chunk","records","duplicate"}
//! GET  /v1/projects/{project}/uploads/{upload}                 -> {"upload","chunks":[{"index","records"}],"records","committed"}
//! POST /v1/projects/{project}/uploads/{upload}/commit          {"chunks": N} -> {"upload","records","committed"}
//! POST /v1/projects/{project}/runs                             {"upload"} -> the partner's view (see `run`)
//!      with `Prefer: respond-async`                            -> 202 {"run","status":"queued"}, Location
//! GET  /v1/projects/{project}/runs                             -> {"runs":[{"run","party","status",…}]}
//! GET  /v1/projects/{project}/runs/{run}                       -> the caller's view of a run;
//!      while it runs (its starter only)                        -> 202 {"run","status","stage"}, Retry-After
//! DELETE /v1/projects/{project}/runs/{run}                     -> 200 {"run","status":"cancelled"} (refunded)
//! ```
//!
//! A run links for as long as it takes (minutes for a large one, see
//! `engine.rs`): a partner that would rather not hold a request open that
//! long asks `Prefer: respond-async` and polls (`pending.rs`).
//!
//! Every `/v1` call needs `Authorization: Bearer <party key>` (SHA-256 at
//! rest, compared in constant time); a browser's `Origin` must be on the
//! party's list. Every refusal is `{"error": code, "message": English}` (plus
//! `"index"` for a bad record) and never echoes the request. One JSON log
//! line per request on stderr: route, status, code, party and counts.

mod answer;
pub mod config;
mod engine;
mod limit;
mod pending;
mod run;
mod schema;
mod seal;
mod store;

use crate::credentials::{bearer_sha256, Bearer};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::{
    body::Bytes,
    extract::{
        rejection::{BytesRejection, PathRejection},
        DefaultBodyLimit, MatchedPath, Path, Request, State,
    },
    http::{header, HeaderMap, HeaderValue, Method, StatusCode},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::{get, post, put},
    Extension, Json, Router,
};
use pseudolink::base64_url;
use pseudolink::link::{LinkConfig, ModelParams};
use rand_core::{OsRng, RngCore};
use serde::Deserialize;
use subtle::ConstantTimeEq;

use config::{Config, Party, Project};
use limit::{seconds_to_midnight, RateLimits};
use pending::{Control, Failure, Pending, Phase};
use seal::{aad, Sealer};
use store::{Commit, NewChunk, PutChunk, Store};

/// The shared state of the linkage service.
pub struct Linkage {
    projects: Vec<Project>,
    max_body_bytes: usize,
    max_chunk_records: usize,
    sealer: Sealer,
    store: Store,
    rate: RateLimits,
    /// Every party's origins: the CORS allowlist.
    origins: Vec<String>,
    /// One link job at a time: they are CPU-bound and the machine is shared.
    jobs: tokio::sync::Semaphore,
    /// Runs started with `Prefer: respond-async`, until they are stored.
    pending: Pending,
}

impl Linkage {
    /// The service for `config` over the store at `db`; the origin `"pages"`
    /// in a party's list becomes `pages_origin`, and `"console"` the staff
    /// console's origin (dropped when no console runs).
    pub fn new(
        config: Config,
        db: &str,
        pages_origin: &str,
        console_origin: Option<&str>,
    ) -> Result<Arc<Self>, String> {
        let Config {
            store_key,
            max_body_bytes,
            max_chunk_records,
            mut projects,
            ..
        } = config;
        let sealer = Sealer::new(&store_key);
        drop(store_key);
        let store = Store::open(db, &sealer)?;
        for p in &mut projects {
            for party in &mut p.parties {
                party.origins = party
                    .origins
                    .iter()
                    .filter_map(|o| match o.as_str() {
                        config::PAGES_ORIGIN => Some(pages_origin.to_owned()),
                        config::CONSOLE_ORIGIN => console_origin.map(str::to_owned),
                        _ => Some(o.clone()),
                    })
                    .collect();
            }
        }
        let mut origins: Vec<String> = projects
            .iter()
            .flat_map(|p| &p.parties)
            .flat_map(|party| party.origins.iter().cloned())
            .collect();
        origins.sort();
        origins.dedup();
        Ok(Arc::new(Linkage {
            projects,
            max_body_bytes,
            max_chunk_records,
            sealer,
            store,
            rate: RateLimits::default(),
            origins,
            jobs: tokio::sync::Semaphore::new(1),
            pending: Pending::default(),
        }))
    }
}

/// The linkage service's router.
pub fn router(state: Arc<Linkage>) -> Router {
    let max_body = state.max_body_bytes;
    Router::new()
        .route("/healthz", get(healthz))
        .route("/v1/projects/{project}", get(project_info))
        .route("/v1/projects/{project}/uploads", post(create_upload))
        .route(
            "/v1/projects/{project}/uploads/{upload}",
            get(upload_status),
        )
        .route(
            "/v1/projects/{project}/uploads/{upload}/chunks/{index}",
            put(put_chunk),
        )
        .route(
            "/v1/projects/{project}/uploads/{upload}/commit",
            post(commit),
        )
        .route(
            "/v1/projects/{project}/runs",
            post(create_run).get(list_runs),
        )
        .route(
            "/v1/projects/{project}/runs/{run}",
            get(get_run).delete(cancel_run),
        )
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(max_body))
        .layer(middleware::from_fn_with_state(state.clone(), cors))
        .layer(middleware::from_fn(log))
        .with_state(state)
}

// ---------------------------------------------------------------- refusals

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

/// The code a response carries, for the log line.
#[derive(Clone, Copy)]
struct Code(&'static str);

impl IntoResponse for Refused {
    fn into_response(self) -> Response {
        let mut body = serde_json::json!({ "error": self.code, "message": self.message });
        if let Some(i) = self.index {
            body["index"] = i.into();
        }
        let mut res = (self.status, Json(body)).into_response();
        let h = res.headers_mut();
        if let Some(s) = self.retry_after {
            h.insert(header::RETRY_AFTER, HeaderValue::from(s));
        }
        if self.status == StatusCode::UNAUTHORIZED {
            h.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        res.extensions_mut().insert(Code(self.code));
        res
    }
}

fn internal() -> Refused {
    refused(
        StatusCode::INTERNAL_SERVER_ERROR,
        "store.internal",
        "the service could not complete the request",
    )
}

fn too_large() -> Refused {
    refused(
        StatusCode::PAYLOAD_TOO_LARGE,
        "request.too_large",
        "the body is larger than the service accepts",
    )
}

fn bad_path() -> Refused {
    refused(
        StatusCode::BAD_REQUEST,
        "request.invalid_path",
        "a path segment is not valid",
    )
}

fn unknown_upload() -> Refused {
    refused(
        StatusCode::NOT_FOUND,
        "upload.unknown",
        "this party has no upload with this id",
    )
}

fn unknown_run() -> Refused {
    refused(
        StatusCode::NOT_FOUND,
        "run.unknown",
        "this party may read no run with this id",
    )
}

async fn not_found() -> Refused {
    refused(StatusCode::NOT_FOUND, "not_found", "no such endpoint")
}

async fn method_not_allowed() -> Refused {
    refused(
        StatusCode::METHOD_NOT_ALLOWED,
        "method.not_allowed",
        "this endpoint does not take this method",
    )
}

type Answer = Result<Response, Refused>;

fn json_ok(status: StatusCode, body: serde_json::Value) -> Response {
    no_store((status, Json(body)).into_response())
}

fn no_store(mut res: Response) -> Response {
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

// ------------------------------------------------------------------ logging

/// What a handler tells the log line: who called, how many records.
#[derive(Clone, Default)]
struct Note(Arc<Mutex<NoteData>>);

#[derive(Default)]
struct NoteData {
    party: Option<String>,
    records: Option<u64>,
    /// A run's engine (`core`, `duckdb`) and, if it failed, how
    /// (the linker's or the engine's code).
    engine: Option<&'static str>,
    run_failure: Option<&'static str>,
}

impl Note {
    fn set(&self, f: impl FnOnce(&mut NoteData)) {
        match self.0.lock() {
            Ok(mut d) => f(&mut d),
            Err(p) => f(&mut p.into_inner()),
        }
    }
}

/// One JSON line per request: the route pattern (never ids or a query),
/// status, code, party and counts.
async fn log(mut req: Request, next: Next) -> Response {
    let start = Instant::now();
    let note = Note::default();
    req.extensions_mut().insert(note.clone());
    let method = crate::access_log::method_label(req.method());
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_owned());
    let res = next.run(req).await;
    let (party, records, engine, run_failure) = match note.0.lock() {
        Ok(d) => (d.party.clone(), d.records, d.engine, d.run_failure),
        Err(p) => {
            let d = p.into_inner();
            (d.party.clone(), d.records, d.engine, d.run_failure)
        }
    };
    eprintln!(
        "{}",
        serde_json::json!({
            "t": config_now(),
            "svc": "linkage",
            "method": method,
            "route": route,
            "status": res.status().as_u16(),
            "error": res.extensions().get::<Code>().map(|c| c.0),
            "party": party,
            "records": records,
            "engine": engine,
            "runFailure": run_failure,
            "ms": (start.elapsed().as_secs_f64() * 1e4).round() / 10.0,
        })
    );
    res
}

fn config_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

// --------------------------------------------------------- authentication

/// An authenticated caller within a project.
struct Caller<'a> {
    project: &'a Project,
    party: &'a Party,
}

impl Caller<'_> {
    fn is_directory(&self) -> bool {
        self.party.id == self.project.directory_party
    }
}

/// Authenticates the bearer key (against every party of every project, in
/// constant time), then checks revocation, the project, the origin and the
/// party's request rate.
fn gate<'a>(
    s: &'a Linkage,
    headers: &HeaderMap,
    project: &str,
    note: &Note,
) -> Result<Caller<'a>, Refused> {
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
            "an Authorization: Bearer <party key> header is required",
        ),
        Bearer::Invalid => invalid(),
    })?;
    let mut here = None;
    let mut elsewhere = None;
    for p in &s.projects {
        for party in &p.parties {
            if bool::from(party.api_key_sha256.as_slice().ct_eq(digest.as_slice())) {
                if p.id == project {
                    here = Some((p, party));
                } else {
                    elsewhere = Some(party);
                }
            }
        }
    }
    let (project, party) = match (here, elsewhere) {
        (Some(found), _) => found,
        (None, Some(party)) => {
            note.set(|n| n.party = Some(party.id.clone()));
            if party.revoked {
                return Err(revoked());
            }
            return Err(refused(
                StatusCode::NOT_FOUND,
                "project.unknown",
                "this credential belongs to no project with this id",
            ));
        }
        (None, None) => return Err(invalid()),
    };
    note.set(|n| n.party = Some(party.id.clone()));
    if party.revoked {
        return Err(revoked());
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        let ok = origin
            .to_str()
            .is_ok_and(|o| party.origins.iter().any(|a| a == o));
        if !ok {
            return Err(refused(
                StatusCode::FORBIDDEN,
                "origin.forbidden",
                "this origin may not call the linkage service with this credential",
            ));
        }
    }
    if let Err(wait) = s.rate.take(&project.id, party, Instant::now()) {
        return Err(Refused {
            retry_after: Some(wait),
            ..refused(
                StatusCode::TOO_MANY_REQUESTS,
                "rate.limited",
                "too many requests for this credential: retry later",
            )
        });
    }
    Ok(Caller { project, party })
}

fn revoked() -> Refused {
    refused(
        StatusCode::UNAUTHORIZED,
        "auth.revoked",
        "this credential has been revoked",
    )
}

fn require_json(headers: &HeaderMap) -> Result<(), Refused> {
    let json = crate::media_type::is_json(headers);
    if json {
        Ok(())
    } else {
        Err(refused(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "request.content_type",
            "the body must be application/json",
        ))
    }
}

/// A small JSON body of a known, closed shape.
fn small_body<T: serde::de::DeserializeOwned>(
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
    shape: &'static str,
) -> Result<T, Refused> {
    require_json(headers)?;
    let body = body.map_err(|_| too_large())?;
    let value: serde_json::Value = serde_json::from_slice(&body).map_err(|_| {
        refused(
            StatusCode::BAD_REQUEST,
            "request.invalid_json",
            "the body is not JSON",
        )
    })?;
    serde_json::from_value(value)
        .map_err(|_| refused(StatusCode::BAD_REQUEST, "request.invalid_shape", shape))
}

/// Upload and run ids: a prefix and 16 random bytes, base64url.
fn new_id(prefix: &str) -> String {
    let mut b = [0u8; 16];
    OsRng.fill_bytes(&mut b);
    format!("{prefix}{}", base64_url(&b))
}

fn valid_id(prefix: &str, s: &str) -> bool {
    s.strip_prefix(prefix).is_some_and(|rest| {
        rest.len() == 22
            && rest
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    })
}

fn today() -> u64 {
    config_now() / 86_400
}

/// Runs blocking store work off the async workers.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, store::StoreError> + Send + 'static,
) -> Result<T, Refused> {
    match tokio::task::spawn_blocking(f).await {
        Ok(Ok(v)) => Ok(v),
        _ => Err(internal()),
    }
}

// ---------------------------------------------------------------- handlers

async fn healthz() -> Json<serde_json::Value> {
    Json(serde_json::json!({
        "status": "ok",
        "name": "pseudolink-linkage",
        "version": env!("CARGO_PKG_VERSION"),
    }))
}

async fn project_info(
    State(s): State<Arc<Linkage>>,
    Extension(note): Extension<Note>,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
) -> Answer {
    let Path(project) = path.map_err(|_| bad_path())?;
    let c = gate(&s, &headers, &project, &note)?;
    let (records_today, runs_today) = {
        let s2 = Arc::clone(&s);
        let (p, party) = (c.project.id.clone(), c.party.id.clone());
        blocking(move || s2.store.usage(&p, &party, today())).await?
    };
    Ok(json_ok(
        StatusCode::OK,
        serde_json::json!({
            "project": c.project.id,
            "party": c.party.id,
            "role": if c.is_directory() { "directory" } else { "partner" },
            "tokenSubjects": c.project.token_subjects,
            "tokenKeyVersions": c.project.token_key_versions,
            "clk": c.project.clk,
            "encoding": c.project.encoding,
            "limits": {
                "maxChunkRecords": s.max_chunk_records,
                "maxRecords": c.party.max_records,
                "recordsPerDay": c.party.records_per_day,
                "runsPerDay": c.party.runs_per_day,
            },
            "usage": {"recordsToday": records_today, "runsToday": runs_today},
        }),
    ))
}

async fn create_upload(
    State(s): State<Arc<Linkage>>,
    Extension(note): Extension<Note>,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
) -> Answer {
    let Path(project) = path.map_err(|_| bad_path())?;
    let c = gate(&s, &headers, &project, &note)?;
    let id = new_id("u_");
    let (p, party, id2) = (c.project.id.clone(), c.party.id.clone(), id.clone());
    let s2 = Arc::clone(&s);
    blocking(move || s2.store.create_upload(&p, &party, &id2, config_now())).await?;
    Ok(json_ok(
        StatusCode::CREATED,
        serde_json::json!({ "upload": id }),
    ))
}

async fn put_chunk(
    State(s): State<Arc<Linkage>>,
    Extension(note): Extension<Note>,
    headers: HeaderMap,
    path: Result<Path<(String, String, String)>, PathRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Answer {
    let Path((project, upload, index)) = path.map_err(|_| bad_path())?;
    let c = gate(&s, &headers, &project, &note)?;
    let index: u64 = index
        .parse()
        .ok()
        .filter(|&i: &u64| i < c.party.max_records && index.bytes().all(|b| b.is_ascii_digit()))
        .ok_or_else(bad_path)?;
    if !valid_id("u_", &upload) {
        return Err(unknown_upload());
    }
    require_json(&headers)?;
    let body = body.map_err(|_| too_large())?;
    let records = schema::parse_chunk(&body, c.project, s.max_chunk_records).map_err(|e| {
        let status = if e.code == "chunk.too_many_records" {
            StatusCode::PAYLOAD_TOO_LARGE
        } else {
            StatusCode::BAD_REQUEST
        };
        Refused {
            index: e.index,
            ..refused(status, e.code, e.message())
        }
    })?;
    drop(body);
    let count = records.len() as u64;
    note.set(|n| n.records = Some(count));
    // Canonical form: what is fingerprinted and sealed.
    let canonical = zeroize::Zeroizing::new(serde_json::to_vec(&records).map_err(|_| internal())?);
    drop(records);
    let fingerprint = s.sealer.fingerprint(&canonical);
    let index_text = index.to_string();
    let sealed = s
        .sealer
        .seal(
            &canonical,
            &aad("chunk", &[&c.project.id, &c.party.id, &upload, &index_text]),
        )
        .map_err(|_| internal())?;
    drop(canonical);
    let (p, party, up) = (c.project.id.clone(), c.party.id.clone(), upload.clone());
    let (max_records, records_per_day) = (c.party.max_records, c.party.records_per_day);
    let s2 = Arc::clone(&s);
    let outcome = blocking(move || {
        s2.store.put_chunk(&NewChunk {
            project: &p,
            party: &party,
            upload: &up,
            index,
            records: count,
            fingerprint,
            sealed,
            max_records,
            records_per_day,
            day: today(),
        })
    })
    .await?;
    let ack = |records: u64, duplicate: bool| {
        json_ok(
            StatusCode::OK,
            serde_json::json!({
                "upload": upload, "chunk": index, "records": records, "duplicate": duplicate,
            }),
        )
    };
    match outcome {
        PutChunk::Stored => Ok(ack(count, false)),
        PutChunk::Duplicate { records } => Ok(ack(records, true)),
        PutChunk::Conflict => Err(refused(
            StatusCode::CONFLICT,
            "upload.chunk_conflict",
            "another chunk is already stored at this index",
        )),
        PutChunk::Committed => Err(refused(
            StatusCode::CONFLICT,
            "upload.committed",
            "the upload is committed: it takes no new chunk",
        )),
        PutChunk::UnknownUpload => Err(unknown_upload()),
        PutChunk::TooManyRecords => Err(refused(
            StatusCode::PAYLOAD_TOO_LARGE,
            "upload.too_many_records",
            "the upload would hold more records than this party may upload at once",
        )),
        PutChunk::Quota => Err(Refused {
            retry_after: Some(seconds_to_midnight(config_now())),
            ..refused(
                StatusCode::TOO_MANY_REQUESTS,
                "quota.exceeded",
                "this party has stored its records for today",
            )
        }),
    }
}

async fn upload_status(
    State(s): State<Arc<Linkage>>,
    Extension(note): Extension<Note>,
    headers: HeaderMap,
    path: Result<Path<(String, String)>, PathRejection>,
) -> Answer {
    let Path((project, upload)) = path.map_err(|_| bad_path())?;
    let c = gate(&s, &headers, &project, &note)?;
    if !valid_id("u_", &upload) {
        return Err(unknown_upload());
    }
    let (p, party, up) = (c.project.id.clone(), c.party.id.clone(), upload.clone());
    let s2 = Arc::clone(&s);
    let info = blocking(move || s2.store.upload(&p, &party, &up))
        .await?
        .ok_or_else(unknown_upload)?;
    let records: u64 = info.chunks.iter().map(|(_, n)| n).sum();
    let chunks: Vec<serde_json::Value> = info
        .chunks
        .iter()
        .map(|(i, n)| serde_json::json!({"index": i, "records": n}))
        .collect();
    Ok(json_ok(
        StatusCode::OK,
        serde_json::json!({
            "upload": upload,
            "chunks": chunks,
            "records": records,
            "committed": info.committed.is_some(),
        }),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CommitBody {
    chunks: u64,
}

async fn commit(
    State(s): State<Arc<Linkage>>,
    Extension(note): Extension<Note>,
    headers: HeaderMap,
    path: Result<Path<(String, String)>, PathRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Answer {
    let Path((project, upload)) = path.map_err(|_| bad_path())?;
    let c = gate(&s, &headers, &project, &note)?;
    if !valid_id("u_", &upload) {
        return Err(unknown_upload());
    }
    let req: CommitBody = small_body(
        &headers,
        body,
        "the body is not a commit: {\"chunks\": <number of chunks>}",
    )?;
    let (p, party, up) = (c.project.id.clone(), c.party.id.clone(), upload.clone());
    let s2 = Arc::clone(&s);
    match blocking(move || s2.store.commit(&p, &party, &up, req.chunks)).await? {
        Commit::Committed { records } => {
            note.set(|n| n.records = Some(records));
            Ok(json_ok(
                StatusCode::OK,
                serde_json::json!({"upload": upload, "records": records, "committed": true}),
            ))
        }
        Commit::CommittedOther => Err(refused(
            StatusCode::CONFLICT,
            "upload.committed",
            "the upload was committed with another number of chunks",
        )),
        Commit::Incomplete => Err(refused(
            StatusCode::CONFLICT,
            "upload.incomplete",
            "the upload's chunks are not exactly 0..N-1 (N at least 1)",
        )),
        Commit::UnknownUpload => Err(unknown_upload()),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RunBody {
    upload: String,
}

async fn create_run(
    State(s): State<Arc<Linkage>>,
    Extension(note): Extension<Note>,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Answer {
    let Path(project) = path.map_err(|_| bad_path())?;
    let c = gate(&s, &headers, &project, &note)?;
    if c.is_directory() {
        return Err(refused(
            StatusCode::FORBIDDEN,
            "role.forbidden",
            "the directory party reads runs; partners start them",
        ));
    }
    let req: RunBody = small_body(
        &headers,
        body,
        "the body is not a run request: {\"upload\": \"u_...\"}",
    )?;
    if !valid_id("u_", &req.upload) {
        return Err(unknown_upload());
    }
    let (p, party, dir) = (
        c.project.id.clone(),
        c.party.id.clone(),
        c.project.directory_party.clone(),
    );
    let s2 = Arc::clone(&s);
    let (up, p2, party2) = (req.upload.clone(), p.clone(), party.clone());
    let (info, directory) = blocking(move || {
        Ok((
            s2.store.upload(&p2, &party2, &up)?,
            s2.store.active(&p2, &dir)?,
        ))
    })
    .await?;
    let info = info.ok_or_else(unknown_upload)?;
    if info.committed.is_none() {
        return Err(refused(
            StatusCode::CONFLICT,
            "upload.not_committed",
            "commit the upload before linking it",
        ));
    }
    let Some(directory) = directory else {
        return Err(refused(
            StatusCode::CONFLICT,
            "run.no_directory",
            "the directory party has not committed a dataset yet",
        ));
    };
    let day = today();
    let runs_per_day = c.party.runs_per_day;
    let s2 = Arc::clone(&s);
    let (p2, party2) = (p.clone(), party.clone());
    if !blocking(move || s2.store.charge_run(&p2, &party2, day, runs_per_day)).await? {
        return Err(Refused {
            retry_after: Some(seconds_to_midnight(config_now())),
            ..refused(
                StatusCode::TOO_MANY_REQUESTS,
                "quota.exceeded",
                "this party has used its runs for today",
            )
        });
    }
    let job = JobSpec {
        project: p.clone(),
        party: party.clone(),
        directory_party: c.project.directory_party.clone(),
        link_config: c.project.link_config.clone(),
        link_params: c.project.link_params.clone(),
        engine: c.project.engine.clone(),
        partner_upload: req.upload,
        directory_upload: directory,
    };
    if prefers_async(&headers) {
        let id = new_id("r_");
        let control = s.pending.insert(&id, &p, &party, day);
        let location = format!("/v1/projects/{p}/runs/{id}");
        tokio::spawn(run_later(Arc::clone(&s), job, id.clone(), control, day));
        let mut res = json_ok(
            StatusCode::ACCEPTED,
            serde_json::json!({ "run": id, "status": "queued", "stage": "queued" }),
        );
        let h = res.headers_mut();
        if let Ok(v) = HeaderValue::from_str(&location) {
            h.insert(header::LOCATION, v);
        }
        h.insert(
            "preference-applied",
            HeaderValue::from_static("respond-async"),
        );
        return Ok(res);
    }
    let permit = s.jobs.acquire().await.map_err(|_| internal())?;
    let control = Arc::new(Control::default());
    control.start();
    let s2 = Arc::clone(&s);
    let result =
        tokio::task::spawn_blocking(move || run_job(&s2, job, &new_id("r_"), &control)).await;
    drop(permit);
    match result {
        Ok(Ok((body, rows, engine))) => {
            note.set(|n| {
                n.records = Some(rows);
                n.engine = Some(engine);
            });
            let mut res = no_store(body.into_response());
            res.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            Ok(res)
        }
        failed => {
            let s2 = Arc::clone(&s);
            let _ = blocking(move || s2.store.refund_run(&p, &party, day)).await;
            let Ok(Err(e)) = failed else {
                return Err(internal());
            };
            let (failure, how) = failure_of(&e);
            note.set(|n| n.run_failure = how);
            Err(failure.into())
        }
    }
}

/// `Prefer: respond-async` (RFC 7240), among other preferences or not.
fn prefers_async(headers: &HeaderMap) -> bool {
    headers.get_all("prefer").iter().any(|v| {
        v.to_str().is_ok_and(|v| {
            v.split(',').any(|p| {
                p.split(';')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .eq_ignore_ascii_case("respond-async")
            })
        })
    })
}

/// A run started with `Prefer: respond-async`: waits for the job slot,
/// links, and ends in the pending table (a failure is refunded here, a
/// cancel by `cancel_run`). Writes the log line the request could not.
async fn run_later(s: Arc<Linkage>, job: JobSpec, id: String, control: Arc<Control>, day: u64) {
    let start = Instant::now();
    let (project, party) = (job.project.clone(), job.party.clone());
    // A run cancelled while it waits for the slot ends at once.
    let permit = tokio::select! {
        p = s.jobs.acquire() => Some(p),
        () = control.until_cancelled() => None,
    };
    let outcome = if matches!(permit, Some(Err(_))) {
        Err(None)
    } else if permit.is_none() || !control.start() {
        Err(Some(JobError::Cancelled))
    } else {
        let (s2, id2, c2) = (Arc::clone(&s), id.clone(), Arc::clone(&control));
        match tokio::task::spawn_blocking(move || run_job(&s2, job, &id2, &c2)).await {
            Ok(Ok(done)) => Ok(done),
            Ok(Err(e)) => Err(Some(e)),
            Err(_) => Err(None),
        }
    };
    drop(permit);
    let (records, engine, how, failure) = match outcome {
        Ok((_, rows, engine)) => {
            control.end(Phase::Done);
            (Some(rows), Some(engine), None, None)
        }
        Err(e) => {
            let (failure, how) = match &e {
                Some(e) => failure_of(e),
                None => (Failure::from(internal()), None),
            };
            if control.end(Phase::Failed(failure)) {
                let s2 = Arc::clone(&s);
                let (p, q) = (project.clone(), party.clone());
                let _ = blocking(move || s2.store.refund_run(&p, &q, day)).await;
            }
            (None, None, how, Some(failure.code))
        }
    };
    s.pending.ended(&id);
    eprintln!(
        "{}",
        serde_json::json!({
            "t": config_now(),
            "svc": "linkage",
            "event": "run",
            "status": match control.phase() {
                Phase::Done => "done",
                Phase::Cancelled => "cancelled",
                _ => "failed",
            },
            "error": failure.filter(|_| !control.is_cancelled()),
            "party": party,
            "records": records,
            "engine": engine,
            "runFailure": how,
            "ms": (start.elapsed().as_secs_f64() * 1e4).round() / 10.0,
        })
    );
}

/// The refusal a failed run answers, and the linker's or engine's code for
/// the log line.
fn failure_of(e: &JobError) -> (Failure, Option<&'static str>) {
    match e {
        JobError::Link(run::LinkFailed::Linker(how)) => (
            Failure {
                status: 422,
                code: "run.failed",
                message: "the linker could not link these datasets",
                retry_after: None,
            },
            Some(how),
        ),
        JobError::Link(run::LinkFailed::Engine(how)) => (
            Failure {
                status: 503,
                code: "engine.unavailable",
                message: "the project's linking engine did not finish this run; try again later",
                retry_after: Some(60),
            },
            Some(how),
        ),
        JobError::Cancelled => (
            Failure {
                status: 410,
                code: "run.cancelled",
                message: "this run was cancelled by its partner",
                retry_after: None,
            },
            None,
        ),
        JobError::Store => (Failure::from(internal()), None),
    }
}

impl From<Refused> for Failure {
    fn from(r: Refused) -> Self {
        Failure {
            status: r.status.as_u16(),
            code: r.code,
            message: r.message,
            retry_after: r.retry_after,
        }
    }
}

impl From<Failure> for Refused {
    fn from(f: Failure) -> Self {
        Refused {
            retry_after: f.retry_after,
            ..refused(
                StatusCode::from_u16(f.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
                f.code,
                f.message,
            )
        }
    }
}

struct JobSpec {
    project: String,
    party: String,
    directory_party: String,
    link_config: LinkConfig,
    link_params: Option<ModelParams>,
    engine: Option<engine::Engine>,
    partner_upload: String,
    directory_upload: String,
}

enum JobError {
    Store,
    Link(run::LinkFailed),
    /// Its partner cancelled it (`DELETE`) before it was stored.
    Cancelled,
}

/// Loads, unseals and links both datasets, seals and stores both views as
/// run `id`; returns the partner's view, its row count and the engine that
/// scored. Stops early (`Cancelled`) when `control` is cancelled.
fn run_job(
    s: &Linkage,
    job: JobSpec,
    id: &str,
    control: &Control,
) -> Result<(Vec<u8>, u64, &'static str), JobError> {
    control.set_stage("loading");
    let partner = load(s, &job.project, &job.party, &job.partner_upload)?;
    let directory = load(s, &job.project, &job.directory_party, &job.directory_upload)?;
    if control.is_cancelled() {
        return Err(JobError::Cancelled);
    }
    let id = id.to_owned();
    let (scorer, engine) = match &job.engine {
        Some(e) if e.applies(partner.len() + directory.len()) => {
            (run::Scorer::Engine(e), e.spec.kind.as_str())
        }
        _ => (run::Scorer::Core, "core"),
    };
    let views = run::link(
        &id,
        &job.party,
        run::Model {
            config: &job.link_config,
            params: job.link_params.as_ref(),
        },
        scorer,
        &partner,
        &directory,
        control,
    )
    .map_err(|e| match e {
        run::LinkFailed::Engine("engine.cancelled") => JobError::Cancelled,
        e => JobError::Link(e),
    })?;
    drop((partner, directory));
    if !control.begin_storing() {
        return Err(JobError::Cancelled);
    }
    let seal = |view: &str, party: &str, body: &[u8]| {
        s.sealer
            .seal(body, &aad("run", &[&job.project, &id, view, party]))
            .map_err(|_| JobError::Store)
    };
    let row = store::RunRow {
        id: id.clone(),
        project: job.project.clone(),
        party: job.party.clone(),
        partner_upload: job.partner_upload.clone(),
        directory_upload: job.directory_upload.clone(),
        created: config_now(),
        rows: views.rows,
        linked: views.linked,
        partner_view: seal("partner", &job.party, &views.partner)?,
        directory_view: seal("directory", &job.directory_party, &views.directory)?,
    };
    s.store.insert_run(&row).map_err(|_| JobError::Store)?;
    Ok((views.partner, views.rows, engine))
}

/// A committed upload's records in row order (chunks by index).
fn load(
    s: &Linkage,
    project: &str,
    party: &str,
    upload: &str,
) -> Result<Vec<pseudolink::link::EncodedRecord>, JobError> {
    let chunks = s.store.sealed_chunks(upload).map_err(|_| JobError::Store)?;
    let mut out = Vec::new();
    for (index, sealed) in chunks {
        let plain = s
            .sealer
            .open(
                &sealed,
                &aad("chunk", &[project, party, upload, &index.to_string()]),
            )
            .map_err(|_| JobError::Store)?;
        let records: Vec<schema::Record> =
            serde_json::from_slice(&plain).map_err(|_| JobError::Store)?;
        for r in records {
            let row = out.len();
            out.push(r.into_encoded(row).ok_or(JobError::Store)?);
        }
    }
    Ok(out)
}

async fn list_runs(
    State(s): State<Arc<Linkage>>,
    Extension(note): Extension<Note>,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
) -> Answer {
    let Path(project) = path.map_err(|_| bad_path())?;
    let c = gate(&s, &headers, &project, &note)?;
    let filter = (!c.is_directory()).then(|| c.party.id.clone());
    let p = c.project.id.clone();
    let s2 = Arc::clone(&s);
    let runs = blocking(move || s2.store.runs(&p, filter.as_deref())).await?;
    let mut list: Vec<serde_json::Value> = runs
        .iter()
        .map(|r| {
            serde_json::json!({
                "run": r.id, "party": r.party, "status": "done",
                "createdAt": rfc3339(r.created), "linked": r.linked,
            })
        })
        .collect();
    // The caller's own runs in progress (or ended without being stored).
    for (id, control) in s.pending.of(&c.project.id, &c.party.id) {
        let status = match control.phase() {
            Phase::Queued => "queued",
            Phase::Running | Phase::Storing => "running",
            Phase::Failed(_) => "failed",
            Phase::Cancelled => "cancelled",
            Phase::Done => continue,
        };
        list.push(serde_json::json!({ "run": id, "party": c.party.id, "status": status }));
    }
    Ok(json_ok(StatusCode::OK, serde_json::json!({ "runs": list })))
}

async fn get_run(
    State(s): State<Arc<Linkage>>,
    Extension(note): Extension<Note>,
    headers: HeaderMap,
    path: Result<Path<(String, String)>, PathRejection>,
) -> Answer {
    let Path((project, run)) = path.map_err(|_| bad_path())?;
    let c = gate(&s, &headers, &project, &note)?;
    if !valid_id("r_", &run) {
        return Err(unknown_run());
    }
    if let Some(seen) = s.pending.get(&c.project.id, &c.party.id, &run) {
        match seen.control.phase() {
            Phase::Queued | Phase::Running | Phase::Storing => {
                return Ok(in_progress(&run, &seen.control))
            }
            Phase::Failed(f) => return Err(f.into()),
            Phase::Cancelled => return Err(failure_of(&JobError::Cancelled).0.into()),
            // Stored: the store answers.
            Phase::Done => {}
        }
    }
    let (p, id) = (c.project.id.clone(), run.clone());
    let s2 = Arc::clone(&s);
    let row = blocking(move || s2.store.run(&p, &id))
        .await?
        .ok_or_else(unknown_run)?;
    let (view, party, sealed) = if row.party == c.party.id {
        ("partner", &c.party.id, &row.partner_view)
    } else if c.is_directory() {
        ("directory", &c.party.id, &row.directory_view)
    } else {
        return Err(unknown_run());
    };
    let body = s
        .sealer
        .open(sealed, &aad("run", &[&c.project.id, &row.id, view, party]))
        .map_err(|_| internal())?;
    let mut res = no_store(body.to_vec().into_response());
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Ok(res)
}

/// A run still in progress: `202`, its phase and stage (no counts: they
/// would describe the directory), and when to ask again.
fn in_progress(run: &str, control: &Control) -> Response {
    let status = match control.phase() {
        Phase::Queued => "queued",
        _ => "running",
    };
    let mut res = json_ok(
        StatusCode::ACCEPTED,
        serde_json::json!({ "run": run, "status": status, "stage": control.stage() }),
    );
    res.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    res
}

/// Cancels a run its caller started with `Prefer: respond-async`, while it
/// is queued or linking: the job stops (an engine job is killed; the core
/// linker's result is discarded when it ends) and the run is refunded.
async fn cancel_run(
    State(s): State<Arc<Linkage>>,
    Extension(note): Extension<Note>,
    headers: HeaderMap,
    path: Result<Path<(String, String)>, PathRejection>,
) -> Answer {
    let Path((project, run)) = path.map_err(|_| bad_path())?;
    let c = gate(&s, &headers, &project, &note)?;
    if !valid_id("r_", &run) {
        return Err(unknown_run());
    }
    let Some(seen) = s.pending.get(&c.project.id, &c.party.id, &run) else {
        // A stored run, another party's, or none: nothing to cancel here.
        let (p, id) = (c.project.id.clone(), run.clone());
        let s2 = Arc::clone(&s);
        let stored = blocking(move || s2.store.run(&p, &id)).await?;
        return Err(match stored {
            Some(r) if r.party == c.party.id => run_finished(),
            _ => unknown_run(),
        });
    };
    if seen.control.cancel() {
        let (p, q, day) = (c.project.id.clone(), c.party.id.clone(), seen.day);
        let s2 = Arc::clone(&s);
        blocking(move || s2.store.refund_run(&p, &q, day)).await?;
    } else if !seen.control.is_cancelled() {
        return Err(match seen.control.phase() {
            Phase::Failed(f) => f.into(),
            _ => run_finished(),
        });
    }
    Ok(json_ok(
        StatusCode::OK,
        serde_json::json!({ "run": run, "status": "cancelled" }),
    ))
}

fn run_finished() -> Refused {
    refused(
        StatusCode::CONFLICT,
        "run.finished",
        "this run has finished (or is being stored) and can no longer be cancelled",
    )
}

/// Unix seconds as `YYYY-MM-DDTHH:MM:SSZ`.
fn rfc3339(t: u64) -> String {
    let (days, secs) = (t / 86_400, t % 86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + u64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

// -------------------------------------------------------------------- CORS

/// CORS for the parties' origins: preflights answered here, responses to an
/// allowed origin carry `Access-Control-Allow-Origin`; a preflight from any
/// other origin is refused (403), so browsers never send the real request.
async fn cors(State(s): State<Arc<Linkage>>, req: Request, next: Next) -> Response {
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
        match &allowed {
            Some(_) => {
                let mut r = StatusCode::NO_CONTENT.into_response();
                let h = r.headers_mut();
                h.insert(
                    header::ACCESS_CONTROL_ALLOW_METHODS,
                    HeaderValue::from_static("GET, POST, PUT, DELETE"),
                );
                h.insert(
                    header::ACCESS_CONTROL_ALLOW_HEADERS,
                    HeaderValue::from_static("authorization, content-type, prefer"),
                );
                h.insert(
                    header::ACCESS_CONTROL_MAX_AGE,
                    HeaderValue::from_static("600"),
                );
                r
            }
            None => refused(
                StatusCode::FORBIDDEN,
                "origin.forbidden",
                "this origin may not call the linkage service",
            )
            .into_response(),
        }
    } else {
        next.run(req).await
    };
    let h = res.headers_mut();
    if let Some(o) = allowed {
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, o);
        h.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static("retry-after, location, preference-applied"),
        );
    }
    h.insert(header::VARY, HeaderValue::from_static("origin"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    res
}

// ------------------------------------------------------------ pages server

/// What the pages server says about the linkage service next to it.
#[derive(Clone)]
pub struct PageConfig {
    /// The service's origin (`http://127.0.0.1:8082`), for `connect-src`.
    pub origin: String,
}

/// `GET /api/linkage-config` on the pages server: where the linkage service
/// is (`linkage.not_configured` without one).
pub fn page_routes(config: Option<PageConfig>) -> Router {
    Router::new().route(
        "/api/linkage-config",
        get(move || {
            let config = config.clone();
            async move {
                match config {
                    Some(c) => {
                        let mut res =
                            Json(serde_json::json!({ "endpoint": c.origin })).into_response();
                        res.headers_mut()
                            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
                        res
                    }
                    None => refused(
                        StatusCode::NOT_FOUND,
                        "linkage.not_configured",
                        "this server runs no linkage service (start it with --linkage)",
                    )
                    .into_response(),
                }
            }
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_from_unix() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_868_800), "2000-03-01T00:00:00Z");
        assert_eq!(rfc3339(1_801_398_605), "2027-01-31T12:30:05Z");
    }

    #[test]
    fn ids() {
        let id = new_id("u_");
        assert!(valid_id("u_", &id), "{id}");
        assert!(!valid_id("r_", &id));
        assert!(!valid_id("u_", "u_short"));
    }
}
