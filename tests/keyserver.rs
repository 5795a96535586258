//! The OPRF key server, end to end: the real binary with `--keyserver` on
//! ephemeral ports, spoken to over loopback with a small HTTP/1.1 client.
#![cfg(feature = "server")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: failing loudly is the point

mod http_client;

use http_client::{request as http, Response};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use pseudolink::oblivious::{EvaluateResponse, ObliviousClient, PublicKey};
use pseudolink::{Field, IdentityDefinition, Record};
use sha2::{Digest, Sha256};

const API_KEY: &str = "test-partner-key-0001";
const ORIGIN: &str = "https://shop.example";

/// A fresh directory with seed files and a config; `partner` overrides the
/// partner's limits.
struct Setup {
    dir: PathBuf,
}

impl Setup {
    fn new(name: &str, partner_limits: &str, max_batch: usize) -> Setup {
        let dir = std::env::temp_dir().join(format!("pseudolink-ks-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("keys")).unwrap();
        std::fs::create_dir_all(dir.join("www")).unwrap();
        std::fs::create_dir_all(dir.join("pkg")).unwrap();
        std::fs::write(dir.join("keys/v1.seed"), format!("{}\n", "11".repeat(32))).unwrap();
        std::fs::write(dir.join("keys/v2.seed"), "22".repeat(32)).unwrap();
        std::fs::write(dir.join("keys/old.seed"), "33".repeat(32)).unwrap();
        let hash: String = Sha256::digest(API_KEY.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let config = format!(
            r#"{{
  "activeKey": "v2",
  "keys": [
    {{"version": "old", "seedFile": "keys/old.seed", "retiresAt": "2020-01-01T00:00:00Z"}},
    {{"version": "v1", "seedFile": "keys/v1.seed", "retiresAt": "2099-01-01T00:00:00Z"}},
    {{"version": "v2", "seedFile": "keys/v2.seed"}}
  ],
  "partners": [{{"id": "shop", "apiKeySha256": "{hash}", "origins": ["{ORIGIN}"], {partner_limits}}}],
  "maxBatch": {max_batch},
  "maxBodyBytes": 16384
}}"#
        );
        std::fs::write(dir.join("keyserver.json"), config).unwrap();
        Setup { dir }
    }

    fn start(&self) -> KeyServer {
        let mut child = Command::new(env!("CARGO_BIN_EXE_pseudolink-server"))
            .args(["--port", "0", "--keyserver-port", "0", "--www"])
            .arg(self.dir.join("www"))
            .arg("--pkg")
            .arg(self.dir.join("pkg"))
            .arg("--keyserver")
            .arg(self.dir.join("keyserver.json"))
            .stdout(Stdio::piped())
            // A file, not a pipe: nobody drains a pipe during the test, and a
            // full pipe would block the server's log writes.
            .stderr(std::fs::File::create(self.dir.join("server.log")).unwrap())
            .spawn()
            .unwrap();
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let mut first = String::new();
        let mut second = String::new();
        out.read_line(&mut first).unwrap();
        out.read_line(&mut second).unwrap();
        let pages = first
            .trim()
            .strip_prefix("listening on http://")
            .unwrap()
            .to_owned();
        let addr = second
            .trim()
            .strip_prefix("keyserver listening on http://")
            .unwrap_or_else(|| panic!("second line: {second:?}"))
            .to_owned();
        KeyServer {
            child,
            addr,
            pages,
            log: self.dir.join("server.log"),
        }
    }
}

impl Drop for Setup {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

const LIMITS: &str = r#""ratePerSecond": 10000, "burst": 100000, "quotaPerDay": 10000000"#;

struct KeyServer {
    child: Child,
    addr: String,
    pages: String,
    log: PathBuf,
}

impl KeyServer {
    fn stop(mut self) -> String {
        Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(self.child.wait().unwrap().success());
        std::fs::read_to_string(&self.log).unwrap()
    }
}

impl Drop for KeyServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn evaluate(addr: &str, headers: &[(&str, &str)], body: &str) -> Response {
    http(addr, "POST", "/v1/evaluate", headers, body)
}

const AUTH: (&str, &str) = ("Authorization", "Bearer test-partner-key-0001");
const JSON: (&str, &str) = ("Content-Type", "application/json");

/// A valid ristretto255 point to send: any public key is one.
fn point(ks: &KeyServer) -> String {
    let keys = http(&ks.addr, "GET", "/v1/keys", &[], "").json();
    keys["keys"][0]["publicKey"].as_str().unwrap().to_owned()
}

fn batch(point: &str, version: &str, n: usize) -> String {
    serde_json::json!({"keyVersion": version, "blinded": vec![point; n]}).to_string()
}

/// Tokens of one record through the real server, pinning the keys it lists.
fn tokens_via(ks: &KeyServer, versions: &[&str]) -> Vec<String> {
    let keys = http(&ks.addr, "GET", "/v1/keys", &[], "").json();
    let pins: Vec<PublicKey> = versions
        .iter()
        .map(|v| {
            let k = keys["keys"]
                .as_array()
                .unwrap()
                .iter()
                .find(|k| k["version"] == *v)
                .unwrap();
            PublicKey::from_base64url(v, k["publicKey"].as_str().unwrap()).unwrap()
        })
        .collect();
    let def = IdentityDefinition::from_json(
        r#"{"version":1,"fields":["email","phone"],"defaultRegion":"US"}"#,
    )
    .unwrap();
    let client = ObliviousClient::new(def, pins).unwrap();
    let record = Record::new()
        .with(Field::Email, "Jane.Doe@example.com")
        .with(Field::Phone, "(415) 555-0100");
    let b = client.blind(&[record], &mut rand_core::OsRng).unwrap();
    let answers: Vec<EvaluateResponse> = versions
        .iter()
        .map(|v| {
            let body = serde_json::to_string(&b.request(v)).unwrap();
            let r = evaluate(&ks.addr, &[AUTH, JSON], &body);
            assert_eq!(r.status, 200, "{}", r.text());
            serde_json::from_slice(&r.body).unwrap()
        })
        .collect();
    client.finalize(&b, &answers).unwrap().remove(0).tokens
}

#[test]
fn keyserver_round_trip_and_restart_with_the_same_key_files() {
    let setup = Setup::new("restart", LIMITS, 64);
    let ks = setup.start();
    let health = http(&ks.addr, "GET", "/healthz", &[], "").json();
    assert_eq!(health["status"], "ok");
    assert_eq!(health["activeKey"], "v2");
    // The pages server next to it tells pages where it is and what to pin.
    let page = http(&ks.pages, "GET", "/api/oblivious-config", &[], "").json();
    assert_eq!(page["endpoint"], format!("http://{}", ks.addr));
    assert_eq!(page["activeKey"], "v2");
    // Retired versions are not offered.
    assert!(!page["keys"].to_string().contains("\"old\""));

    let before = tokens_via(&ks, &["v1", "v2"]);
    assert_eq!(before.len(), 4);
    assert!(before[0].starts_with("po1.email.v1.") && before[1].starts_with("po1.email.v2."));
    let again = tokens_via(&ks, &["v1", "v2"]);
    assert_eq!(before, again, "same input, fresh blinds, same tokens");
    let log = ks.stop();

    // Same key files after a restart: same keys, same tokens.
    let ks = setup.start();
    assert_eq!(tokens_via(&ks, &["v1", "v2"]), before);
    drop(ks);

    // The log: counts and codes only, never the API key, a seed or an element.
    assert!(log.contains("\"elements\":2"), "{log}");
    assert!(log.contains("\"partner\":\"shop\""), "{log}");
    assert!(!log.contains(API_KEY));
    assert!(!log.contains(&"11".repeat(32)) && !log.contains(&"22".repeat(32)));
    assert!(!log.contains("blinded"));
}

#[test]
fn keyserver_refuses_bad_requests_with_codes_and_keeps_serving() {
    let setup = Setup::new("bad", LIMITS, 8);
    let ks = setup.start();
    let p = point(&ks);
    let ok = batch(&p, "v2", 2);
    let cases: Vec<(&str, Response, u16, &str)> = vec![
        (
            "no credential",
            evaluate(&ks.addr, &[JSON], &ok),
            401,
            "auth.missing",
        ),
        (
            "wrong credential",
            evaluate(&ks.addr, &[("Authorization", "Bearer nope"), JSON], &ok),
            401,
            "auth.invalid",
        ),
        (
            "not bearer",
            evaluate(&ks.addr, &[("Authorization", "Basic eDp5"), JSON], &ok),
            401,
            "auth.invalid",
        ),
        (
            "disallowed origin",
            evaluate(
                &ks.addr,
                &[AUTH, JSON, ("Origin", "https://evil.example")],
                &ok,
            ),
            403,
            "origin.not_allowed",
        ),
        (
            "wrong content type",
            evaluate(&ks.addr, &[AUTH, ("Content-Type", "text/plain")], &ok),
            415,
            "request.content_type",
        ),
        (
            "no content type",
            evaluate(&ks.addr, &[AUTH], &ok),
            415,
            "request.content_type",
        ),
        (
            "body too large",
            evaluate(&ks.addr, &[AUTH, JSON], &"x".repeat(20_000)),
            413,
            "request.too_large",
        ),
        (
            "not JSON",
            evaluate(&ks.addr, &[AUTH, JSON], "{nope"),
            400,
            "request.invalid_json",
        ),
        (
            "oversized batch",
            evaluate(&ks.addr, &[AUTH, JSON], &batch(&p, "v2", 9)),
            413,
            "batch.too_large",
        ),
        (
            "empty batch",
            evaluate(&ks.addr, &[AUTH, JSON], &batch(&p, "v2", 0)),
            400,
            "batch.empty",
        ),
        (
            "unknown version",
            evaluate(&ks.addr, &[AUTH, JSON], &batch(&p, "v9", 1)),
            404,
            "key.unknown_version",
        ),
        (
            "retired version",
            evaluate(&ks.addr, &[AUTH, JSON], &batch(&p, "old", 1)),
            410,
            "key.retired",
        ),
        (
            "unknown route",
            http(&ks.addr, "GET", "/v1/nothing", &[], ""),
            404,
            "route.not_found",
        ),
    ];
    for (what, r, status, code) in cases {
        assert_eq!(r.status, status, "{what}: {}", r.text());
        assert_eq!(r.error(), code, "{what}");
        assert!(!r.json()["message"].as_str().unwrap().is_empty(), "{what}");
    }
    let r = evaluate(&ks.addr, &[AUTH], &ok);
    assert!(r.header("www-authenticate").is_none());
    let r = evaluate(&ks.addr, &[JSON], &ok);
    assert_eq!(r.header("www-authenticate"), Some("Bearer"));

    // Malformed points: not a valid encoding, wrong length, not base64url.
    for bad in [
        pseudolink::base64_url(&[0xff; 32]),
        pseudolink::base64_url(&[1; 31]),
        "!!!".to_owned(),
        // The identity element (all zero) is refused too.
        pseudolink::base64_url(&[0; 32]),
    ] {
        let body = serde_json::json!({"keyVersion": "v2", "blinded": [p.clone(), bad]}).to_string();
        let r = evaluate(&ks.addr, &[AUTH, JSON], &body);
        assert_eq!(r.status, 400, "{}", r.text());
        assert_eq!(r.error(), "element.invalid");
        assert_eq!(r.json()["index"], 1);
    }

    // CORS: an allowed origin gets its preflight and its header; others do not.
    let pre = http(
        &ks.addr,
        "OPTIONS",
        "/v1/evaluate",
        &[
            ("Origin", ORIGIN),
            ("Access-Control-Request-Method", "POST"),
            (
                "Access-Control-Request-Headers",
                "authorization, content-type",
            ),
        ],
        "",
    );
    assert_eq!(pre.status, 204);
    assert_eq!(pre.header("access-control-allow-origin"), Some(ORIGIN));
    assert!(pre
        .header("access-control-allow-headers")
        .unwrap()
        .contains("authorization"));
    let pre = http(
        &ks.addr,
        "OPTIONS",
        "/v1/evaluate",
        &[
            ("Origin", "https://evil.example"),
            ("Access-Control-Request-Method", "POST"),
        ],
        "",
    );
    assert_eq!(pre.status, 403);
    assert!(pre.header("access-control-allow-origin").is_none());
    let r = evaluate(&ks.addr, &[AUTH, JSON, ("Origin", ORIGIN)], &ok);
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("access-control-allow-origin"), Some(ORIGIN));
    assert_eq!(r.json()["evaluated"].as_array().unwrap().len(), 2);

    // Still serving after all that.
    assert_eq!(http(&ks.addr, "GET", "/healthz", &[], "").status, 200);
    assert_eq!(evaluate(&ks.addr, &[AUTH, JSON], &ok).status, 200);
    let log = ks.stop();
    assert!(!log.contains(API_KEY) && !log.contains(&p), "{log}");
}

#[test]
fn keyserver_rate_limit_holds_under_a_burst() {
    // 200 evaluations/s, bucket of 256, 32 per request: a load generator of
    // 8 threads on loopback asks for far more than that for ~1.5 s.
    let setup = Setup::new(
        "rate",
        r#""ratePerSecond": 200, "burst": 256, "quotaPerDay": 10000000"#,
        32,
    );
    let ks = setup.start();
    let body = Arc::new(batch(&point(&ks), "v2", 32));
    let accepted = Arc::new(AtomicU64::new(0));
    let limited = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let (addr, body) = (ks.addr.clone(), Arc::clone(&body));
            let (accepted, limited) = (Arc::clone(&accepted), Arc::clone(&limited));
            std::thread::spawn(move || {
                while start.elapsed() < Duration::from_millis(1500) {
                    let r = evaluate(&addr, &[AUTH, JSON], &body);
                    match r.status {
                        200 => accepted.fetch_add(32, Ordering::Relaxed),
                        429 => {
                            assert_eq!(r.error(), "rate.limited");
                            assert!(r.header("retry-after").unwrap().parse::<u64>().unwrap() >= 1);
                            limited.fetch_add(1, Ordering::Relaxed)
                        }
                        s => panic!("unexpected {s}: {}", r.text()),
                    };
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let elapsed = start.elapsed().as_secs_f64();
    let accepted = accepted.load(Ordering::Relaxed) as f64;
    let allowed = 256.0 + 200.0 * elapsed;
    assert!(
        accepted <= allowed,
        "{accepted} evaluations accepted in {elapsed:.2}s, allowed {allowed}"
    );
    assert!(accepted >= 256.0, "the burst itself is allowed: {accepted}");
    assert!(limited.load(Ordering::Relaxed) > 0);
    // After the burst the server still answers, and the bucket refills.
    assert_eq!(http(&ks.addr, "GET", "/healthz", &[], "").status, 200);
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(evaluate(&ks.addr, &[AUTH, JSON], &body).status, 200);
}

#[test]
fn keyserver_daily_quota() {
    let setup = Setup::new(
        "quota",
        r#""ratePerSecond": 10000, "burst": 10000, "quotaPerDay": 40"#,
        32,
    );
    let ks = setup.start();
    let body = batch(&point(&ks), "v2", 16);
    assert_eq!(evaluate(&ks.addr, &[AUTH, JSON], &body).status, 200);
    assert_eq!(evaluate(&ks.addr, &[AUTH, JSON], &body).status, 200);
    let r = evaluate(&ks.addr, &[AUTH, JSON], &body);
    assert_eq!((r.status, r.error().as_str()), (429, "quota.exceeded"));
}

#[test]
fn keyserver_bad_config_fails_to_start_without_showing_secrets() {
    let setup = Setup::new("config", LIMITS, 8);
    let short = "ab".repeat(16);
    std::fs::write(setup.dir.join("keys/v2.seed"), &short).unwrap();
    let out = run_with(&setup.dir);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("v2.seed") && err.contains("64 hex digits"),
        "{err}"
    );
    assert!(!err.contains(&short));
    std::fs::remove_file(setup.dir.join("keys/v2.seed")).unwrap();
    let out = run_with(&setup.dir);
    assert!(!out.status.success());
    assert!(out.stdout.is_empty());
}

fn run_with(dir: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_pseudolink-server"))
        .args(["--port", "0", "--keyserver-port", "0", "--www"])
        .arg(dir.join("www"))
        .arg("--pkg")
        .arg(dir.join("pkg"))
        .arg("--keyserver")
        .arg(dir.join("keyserver.json"))
        .output()
        .unwrap()
}
