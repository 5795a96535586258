//! No echo anywhere: the real binary with the key server, the linkage service
//! and the staff console (the demo configs), fed needle values (an e-mail-like
//! string, a long number, a unicode name, a path segment) through every
//! endpoint of every listener: in bodies, paths, query strings, headers, HTTP
//! methods and JSON keys, as wrong types and unknown fields. No response body
//! or header and no stderr line may contain a needle, and every API refusal is
//! coded JSON.
#![cfg(feature = "server")]
// Test helpers outside #[test] fns: failing loudly is their job.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod http_client;

use http_client::{request, Response};
use serde_json::json;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// An e-mail-like value; every ASCII needle contains the marker `needle`.
const EMAIL: &str = "jane.doe.needle@example.com";
/// A long number (no log timestamp or count has 17 digits).
const NUMBER: &str = "98765432109876543";
/// A unicode name, raw and as a path carries it (percent-encoded).
const UNICODE: &str = "Zoë Ñeedlé";
const UNICODE_PCT: &str = "Zo%C3%AB%20%C3%91eedl%C3%A9";
/// A path segment.
const SEGMENT: &str = "needle-segment-7q";
/// A value that passes the token grammar (`[A-Za-z0-9_-]+`).
const SUBJECT: &str = "jane_doe_needle_example_com";

/// What must never come back: compared case-insensitively.
const MARKERS: [&str; 4] = ["needle", NUMBER, "Ñeedl", "%C3%91eedl"];

/// The demo's publishable strings (demo/keyserver/keyserver.json,
/// demo/linkage/linkage.json, www/checkout/demo-checkout-credentials.js).
const KEYSERVER_KEY: &str = "pk_demo_checkout_not_secret";
const LINKAGE_KEY: &str = "pk_demo_partner_linkage_not_secret";
const ORDERS_KEY: &str = "demo_back_office_orders_not_secret";
const PROJECT: &str = "demo-partners";

struct Servers {
    child: Child,
    /// The rest of stdout after the listening lines (read at stop).
    stdout: BufReader<std::process::ChildStdout>,
    pages: String,
    keys: String,
    linkage: String,
    console: String,
    dir: PathBuf,
}

impl Servers {
    fn start() -> Servers {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let dir = std::env::temp_dir().join(format!("pseudolink-no-echo-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("www")).unwrap();
        std::fs::create_dir_all(dir.join("pkg")).unwrap();
        std::fs::write(dir.join("www/index.html"), "<!doctype html><p>hi</p>").unwrap();
        std::fs::write(dir.join("pkg/pseudolink.js"), "export default 1;\n").unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_pseudolink-server"))
            .args(["--port", "0", "--www"])
            .arg(dir.join("www"))
            .arg("--pkg")
            .arg(dir.join("pkg"))
            .arg("--keyserver")
            .arg(root.join("demo/keyserver/keyserver.json"))
            .arg("--linkage")
            .arg(root.join("demo/linkage/linkage.json"))
            .args(["--keyserver-port", "0", "--linkage-port", "0"])
            .args(["--console-port", "0"])
            .args(["--orders-key-sha256", &sha256_hex(ORDERS_KEY)])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let mut addr = |prefix: &str| {
            let mut line = String::new();
            out.read_line(&mut line).unwrap();
            line.trim()
                .strip_prefix(prefix)
                .unwrap_or_else(|| panic!("expected {prefix:?}, got {line:?}"))
                .to_owned()
        };
        let pages = addr("listening on http://");
        let keys = addr("keyserver listening on http://");
        let linkage = addr("linkage listening on http://");
        let console = addr("console listening on http://");
        Servers {
            child,
            stdout: out,
            pages,
            keys,
            linkage,
            console,
            dir,
        }
    }

    /// SIGTERM, then everything written to stderr and, after the listening
    /// lines, to stdout (a log may go to either).
    fn stop(mut self) -> String {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        self.child.wait().unwrap();
        let mut log = String::new();
        self.child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut log)
            .unwrap();
        self.stdout.read_to_string(&mut log).unwrap();
        log
    }
}

impl Drop for Servers {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn sha256_hex(s: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(s.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The first marker `text` contains, if any.
fn echoed(text: &str) -> Option<&'static str> {
    let lower = text.to_lowercase();
    MARKERS
        .into_iter()
        .find(|m| lower.contains(&m.to_lowercase()))
}

/// A syntactically valid oblivious token.
fn token(subject: &str, version: &str) -> String {
    format!("po1.{subject}.{version}.{}", "A".repeat(43))
}

/// Requests and their answers, checked at the end.
#[derive(Default)]
struct Probe {
    failures: Vec<String>,
    sent: usize,
}

impl Probe {
    /// Sends one request, with needles in extra headers too. `api`: an
    /// endpoint whose refusals must be coded JSON.
    fn send(
        &mut self,
        addr: &str,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &str,
        api: bool,
    ) -> Response {
        let cookie = format!("session={EMAIL}; n={NUMBER}");
        let mut all: Vec<(&str, &str)> = vec![
            ("X-Customer", EMAIL),
            ("X-Account", NUMBER),
            ("Cookie", &cookie),
            (
                "Referer",
                "http://127.0.0.1/needle-segment-7q?email=jane.doe.needle@example.com",
            ),
            ("User-Agent", "needle-agent/1.0"),
        ];
        all.extend_from_slice(headers);
        let r = request(addr, method, path, &all, body);
        self.sent += 1;
        let what = format!("{method} {path} ({} bytes) -> {}", body.len(), r.status);
        if let Some(m) = echoed(&r.text()) {
            self.failures
                .push(format!("{what}: body echoes {m:?}: {}", clip(&r.text())));
        }
        for (k, v) in &r.headers {
            if let Some(m) = echoed(&format!("{k}: {v}")) {
                self.failures
                    .push(format!("{what}: header echoes {m:?}: {k}: {v}"));
            }
        }
        if api && r.status >= 400 {
            let coded = serde_json::from_slice::<serde_json::Value>(&r.body)
                .ok()
                .and_then(|v| v["error"].as_str().map(str::to_owned))
                .is_some_and(|c| !c.is_empty());
            if !coded {
                self.failures
                    .push(format!("{what}: not coded JSON: {}", clip(&r.text())));
            }
        }
        r
    }
}

fn clip(s: &str) -> String {
    s.chars().take(200).collect()
}

/// JSON bodies a JSON endpoint is fed: bad JSON, wrong types, unknown fields,
/// needle keys, long numbers.
fn hostile_bodies(valid: &serde_json::Value) -> Vec<String> {
    let mut out = vec![
        format!("{{\"{EMAIL}\": 1"),
        format!("not json {EMAIL} {NUMBER} {UNICODE}"),
        format!("[\"{EMAIL}\", {NUMBER}, \"{UNICODE}\"]"),
        json!({ EMAIL: UNICODE, SEGMENT: NUMBER }).to_string(),
        format!("{{\"n\": {NUMBER}{NUMBER}{NUMBER}e99999}}"),
    ];
    if let Some(obj) = valid.as_object() {
        for key in obj.keys() {
            for value in [
                json!(EMAIL),
                json!(UNICODE),
                serde_json::Value::Number(NUMBER.parse::<u64>().unwrap().into()),
                json!(-98765432109876543i64),
                json!([EMAIL, NUMBER]),
                json!({ EMAIL: UNICODE }),
            ] {
                let mut v = valid.clone();
                v[key] = value;
                out.push(v.to_string());
            }
        }
        let mut v = valid.clone();
        v[EMAIL] = json!(1);
        out.push(v.to_string());
        let mut v = valid.clone();
        v[UNICODE] = json!(NUMBER);
        out.push(v.to_string());
    }
    out
}

#[test]
fn no_endpoint_or_log_echoes_the_request() {
    let srv = Servers::start();
    let mut p = Probe::default();
    let json_ct = ("Content-Type", "application/json");

    // --- The pages listener and the console listener: the same router.
    for addr in [srv.pages.clone(), srv.console.clone()] {
        let a = addr.as_str();
        for path in [
            format!("/healthz?email={EMAIL}&n={NUMBER}"),
            format!("/lookup/{EMAIL}"),
            format!("/{SEGMENT}/{NUMBER}/{UNICODE_PCT}"),
            format!("/pkg/{SEGMENT}.js?x={EMAIL}"),
            format!("/index.html?q={UNICODE_PCT}"),
            format!("/api/{SEGMENT}"),
            format!("/api/oblivious-config?e={EMAIL}"),
            format!("/api/linkage-config?e={EMAIL}"),
            format!("/console/{SEGMENT}"),
        ] {
            p.send(a, "GET", &path, &[], "", false);
        }
        p.send(a, "NEEDLEMETHOD", "/", &[], "", false);
        p.send(a, "DELETE", &format!("/{EMAIL}"), &[], "", false);

        // The checkout: every hostile body, as JSON and with wrong content types.
        let order = json!({"items": 1, "totalCents": 1999, "currency": "USD"});
        let valid = json!({
            "keyId": "demo-2026b",
            "tokens": [token("email", "demo-2026b")],
            "matchKeys": [], "shipTo": [], "platformHashes": {},
            "order": order,
        });
        let mut bodies = hostile_bodies(&valid);
        for key in ["items", "totalCents", "currency"] {
            for value in [
                json!(EMAIL),
                json!(UNICODE),
                json!(NUMBER.parse::<u64>().unwrap()),
            ] {
                let mut v = valid.clone();
                v["order"][key] = value;
                bodies.push(v.to_string());
            }
        }
        let mut v = valid.clone();
        v["order"][EMAIL] = json!(1);
        bodies.push(v.to_string());
        // Free text in the closed schema: a token subject, a key id, hash
        // parameter names.
        for t in [
            token(SUBJECT, "demo-2026b"),
            token("email", SUBJECT),
            token(&format!("mk-{SUBJECT}"), "demo-2026b"),
        ] {
            let mut v = valid.clone();
            v["tokens"] = json!([t]);
            bodies.push(v.to_string());
        }
        let mut v = valid.clone();
        v["keyId"] = json!(SUBJECT);
        bodies.push(v.to_string());
        for platform in ["meta", "google", "uid2", SUBJECT] {
            let mut v = valid.clone();
            v["platformHashes"] = json!({ platform: { SUBJECT: "a".repeat(64) } });
            bodies.push(v.to_string());
        }
        let mut v = valid.clone();
        v["platformHashes"] = json!({ "meta": { "em": EMAIL } });
        bodies.push(v.to_string());
        bodies.push(format!("{{\"keyId\": \"{}\"}}", EMAIL.repeat(2000)));
        for body in &bodies {
            p.send(a, "POST", "/api/checkout", &[json_ct], body, true);
        }
        let body = json!({ EMAIL: NUMBER }).to_string();
        for ct in ["text/plain", "application/x-www-form-urlencoded", EMAIL] {
            p.send(
                a,
                "POST",
                "/api/checkout",
                &[("Content-Type", ct)],
                &body,
                true,
            );
        }
        p.send(a, "POST", "/api/checkout", &[], &body, true);
        p.send(a, "GET", &format!("/api/checkout?e={EMAIL}"), &[], "", true);
        p.send(a, "PUT", "/api/checkout", &[json_ct], &body, true);

        // The orders listing: refused without (or with a wrong) credential;
        // with one, it holds nothing a refused request carried.
        let wrong = format!("Bearer {EMAIL}");
        for auth in [None, Some(wrong.as_str()), Some("Basic amFuZQ==")] {
            let h: Vec<(&str, &str)> = auth.map(|v| ("Authorization", v)).into_iter().collect();
            let r = p.send(a, "GET", &format!("/api/orders?e={EMAIL}"), &h, "", true);
            if r.status != 401 {
                p.failures.push(format!(
                    "GET /api/orders with {auth:?}: {} (want 401)",
                    r.status
                ));
            }
        }
        let good = format!("Bearer {ORDERS_KEY}");
        let r = p.send(
            a,
            "GET",
            "/api/orders",
            &[("Authorization", &good)],
            "",
            true,
        );
        if r.status != 200 {
            p.failures
                .push(format!("GET /api/orders with the key: {}", r.status));
        }
    }

    // --- The key server.
    let k = srv.keys.as_str();
    let bearer = format!("Bearer {KEYSERVER_KEY}");
    let auth = [("Authorization", bearer.as_str()), json_ct];
    let valid = json!({"keyVersion": "demo-2026b", "blinded": ["A".repeat(43)]});
    let mut bodies = hostile_bodies(&valid);
    bodies.push(json!({"keyVersion": EMAIL, "blinded": ["A".repeat(43)]}).to_string());
    bodies.push(json!({"keyVersion": UNICODE, "blinded": []}).to_string());
    bodies.push(json!({"keyVersion": "demo-2026b", "blinded": [EMAIL, UNICODE]}).to_string());
    bodies.push(json!({"keyVersion": EMAIL.repeat(3000), "blinded": []}).to_string());
    for body in &bodies {
        p.send(k, "POST", "/v1/evaluate", &auth, body, true);
    }
    let body = valid.to_string();
    let wrong = format!("Bearer {EMAIL}");
    p.send(
        k,
        "POST",
        "/v1/evaluate",
        &[("Authorization", &wrong), json_ct],
        &body,
        true,
    );
    p.send(
        k,
        "POST",
        "/v1/evaluate",
        &[("Authorization", bearer.as_str()), ("Content-Type", EMAIL)],
        &body,
        true,
    );
    let origin = format!("http://{SEGMENT}.example");
    p.send(
        k,
        "POST",
        "/v1/evaluate",
        &[auth[0], auth[1], ("Origin", &origin)],
        &body,
        true,
    );
    p.send(
        k,
        "OPTIONS",
        "/v1/evaluate",
        &[
            ("Origin", &origin),
            ("Access-Control-Request-Headers", EMAIL),
        ],
        "",
        false,
    );
    for path in [
        format!("/v1/keys?e={EMAIL}"),
        format!("/healthz?n={NUMBER}"),
        format!("/v1/{SEGMENT}/{UNICODE_PCT}"),
        format!("/v1/evaluate?e={EMAIL}"),
    ] {
        p.send(k, "GET", &path, &[], "", true);
    }
    p.send(k, "NEEDLEMETHOD", "/v1/evaluate", &[], "", true);

    // --- The linkage service.
    let l = srv.linkage.as_str();
    let bearer = format!("Bearer {LINKAGE_KEY}");
    let auth = [("Authorization", bearer.as_str()), json_ct];
    let r = p.send(
        l,
        "POST",
        &format!("/v1/projects/{PROJECT}/uploads"),
        &auth[..1],
        "",
        true,
    );
    let upload = r.json()["upload"]
        .as_str()
        .unwrap_or("u_missing")
        .to_owned();
    let base = format!("/v1/projects/{PROJECT}");
    let record =
        json!({"id": "r1", "tokens": [token("email", "demo-2026b")], "matchKeys": [], "clks": {}});
    let mut chunk_bodies = hostile_bodies(&json!({"records": [record]}));
    for key in ["id", "tokens", "matchKeys", "clks"] {
        for value in [
            json!(EMAIL),
            json!(NUMBER.parse::<u64>().unwrap()),
            json!([EMAIL]),
            json!({ EMAIL: UNICODE }),
        ] {
            let mut r = record.clone();
            r[key] = value;
            chunk_bodies.push(json!({"records": [r]}).to_string());
        }
    }
    let mut r = record.clone();
    r[EMAIL] = json!(1);
    chunk_bodies.push(json!({"records": [r]}).to_string());
    let mut r = record.clone();
    r["tokens"] = json!([token(SUBJECT, "demo-2026b"), token("email", SUBJECT)]);
    chunk_bodies.push(json!({"records": [r]}).to_string());
    for body in &chunk_bodies {
        p.send(
            l,
            "PUT",
            &format!("{base}/uploads/{upload}/chunks/0"),
            &auth,
            body,
            true,
        );
    }
    for body in hostile_bodies(&json!({"chunks": 1})) {
        p.send(
            l,
            "POST",
            &format!("{base}/uploads/{upload}/commit"),
            &auth,
            &body,
            true,
        );
    }
    for body in hostile_bodies(&json!({"upload": upload})) {
        p.send(l, "POST", &format!("{base}/runs"), &auth, &body, true);
    }
    for (method, path) in [
        ("GET", format!("/v1/projects/{EMAIL}")),
        ("GET", format!("/v1/projects/{UNICODE_PCT}")),
        ("POST", format!("/v1/projects/{SEGMENT}/uploads")),
        ("GET", format!("{base}/uploads/{EMAIL}")),
        ("PUT", format!("{base}/uploads/{upload}/chunks/{NUMBER}")),
        ("PUT", format!("{base}/uploads/{SEGMENT}/chunks/{EMAIL}")),
        ("POST", format!("{base}/uploads/{SEGMENT}/commit")),
        ("GET", format!("{base}/runs/{EMAIL}")),
        ("GET", format!("{base}/runs?e={EMAIL}")),
        ("GET", format!("{base}?e={EMAIL}")),
        ("GET", format!("{base}/uploads/{upload}?e={EMAIL}")),
        ("GET", format!("/v1/{SEGMENT}/{NUMBER}")),
        ("DELETE", format!("{base}/runs/{SEGMENT}")),
        ("NEEDLEMETHOD", format!("{base}/runs")),
    ] {
        p.send(l, method, &path, &auth, "{}", true);
    }
    let wrong = format!("Bearer {EMAIL}");
    p.send(l, "GET", &base, &[("Authorization", &wrong)], "", true);
    let origin = format!("http://{SEGMENT}.example");
    p.send(l, "GET", &base, &[auth[0], ("Origin", &origin)], "", true);
    p.send(
        l,
        "OPTIONS",
        &base,
        &[
            ("Origin", &origin),
            ("Access-Control-Request-Headers", EMAIL),
        ],
        "",
        false,
    );
    p.send(l, "GET", &format!("/healthz?e={EMAIL}"), &[], "", true);

    // The closed schema still takes every subject the definition names
    // (www/shared/definition.js), and `matchedOn` names each subject once.
    let definition = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("www/shared/definition.js"),
    )
    .unwrap();
    let fields_at = definition.find("fields: [").unwrap() + "fields: [".len();
    let fields: Vec<&str> = definition[fields_at..][..definition[fields_at..].find(']').unwrap()]
        .split(',')
        .map(|f| f.trim().trim_matches('\''))
        .filter(|f| !f.is_empty())
        .collect();
    assert_eq!(fields.len(), 15, "{fields:?}");
    let keys_at = definition.find("matchKeys: [").unwrap();
    let match_keys: Vec<String> = definition[keys_at..]
        .split("name: '")
        .skip(1)
        .map(|s| format!("mk-{}", &s[..s.find('\'').unwrap()]))
        .collect();
    assert!(!match_keys.is_empty());
    let all = json!({
        "keyId": "demo-2026b",
        "tokens": fields.iter().map(|f| token(f, "demo-2026b")).collect::<Vec<_>>(),
        "matchKeys": match_keys.iter().map(|m| token(m, "demo-2026b")).collect::<Vec<_>>(),
        "order": {"items": 1, "totalCents": 1, "currency": "USD"},
    })
    .to_string();
    let first = p.send(&srv.pages, "POST", "/api/checkout", &[json_ct], &all, true);
    assert_eq!(first.status, 200, "{}", first.text());
    let again = p.send(&srv.pages, "POST", "/api/checkout", &[json_ct], &all, true);
    assert_eq!(again.status, 200, "{}", again.text());
    assert_eq!(
        again.json()["matchedOn"],
        json!(["email", "externalId", "phone"])
    );

    let sent = p.sent;
    let log = srv.stop();
    let mut failures = p.failures;
    for line in log.lines() {
        if let Some(m) = echoed(line) {
            failures.push(format!("log line echoes {m:?}: {}", clip(line)));
        }
    }
    assert!(sent > 200, "only {sent} requests");
    assert!(
        failures.is_empty(),
        "{} echo(es) in {sent} requests:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
