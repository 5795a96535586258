//! The linkage service, end to end: the real binary with `--linkage` on
//! ephemeral ports, spoken to over loopback with a small HTTP/1.1 client.
//! Encodings are made with the core as the parties would: oblivious `po1`
//! tokens (client blinding, the demo key evaluating, client finalising) and
//! CLKs from the default schema, on synthetic customers with known truth.
#![cfg(feature = "server")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: failing loudly is the point

mod http_client;

use http_client::{request as http, Response};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use pseudolink::link::{EncodedRecord, LinkConfig, Linker, ModelParams};
use pseudolink::oblivious::{KeyPair, ObliviousClient, PublicKey};
use pseudolink::{
    base64_std, base64_url, ClkSchema, Field, IdentityDefinition, Pseudonymizer, Record,
    RecordEncoder, Secret, Token, DEFAULT_CLK_SCHEMA,
};
use pseudolink_synth::{link, Config, Row};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

const PROJECT: &str = "demo-partners";
const COMPANY_KEY: &str = "sk_demo_company_linkage_not_secret";
const PARTNER_KEY: &str = "pk_demo_partner_linkage_not_secret";
const BETA_KEY: &str = "pk_test_beta_linkage";
const REVOKED_KEY: &str = "pk_test_revoked_linkage";
const SLOW_KEY: &str = "pk_test_slow_linkage";
const OTHER_KEY: &str = "pk_test_other_project";
const PARTNER_ORIGIN: &str = "https://partner.example";
const VERSION: &str = "demo-2026b";
const STORE_KEY: &str = "5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a";

const BIG: &str = r#""maxRecords": 200000, "recordsPerDay": 10000000, "runsPerDay": 1000, "ratePerSecond": 100000, "burst": 100000"#;

fn sha256_hex(s: &str) -> String {
    Sha256::digest(s.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A fresh directory with a store key and a config; `partner` sets the
/// partner's limits.
struct Setup {
    dir: PathBuf,
}

impl Setup {
    fn new(name: &str, partner: &str) -> Setup {
        Setup::with(name, partner, "", "")
    }

    /// As `new`, with `project` inserted into the main project's entry and
    /// `top` into the file's top level (each ends with a comma).
    fn with(name: &str, partner: &str, project: &str, top: &str) -> Setup {
        let dir = std::env::temp_dir().join(format!("pseudolink-lk-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("www")).unwrap();
        std::fs::create_dir_all(dir.join("pkg")).unwrap();
        std::fs::write(dir.join("store.key"), format!("{STORE_KEY}\n")).unwrap();
        std::fs::write(dir.join("www/index.html"), "<!doctype html><p>x</p>").unwrap();
        let party = |id: &str, key: &str, origins: &str, limits: &str, extra: &str| {
            format!(
                r#"{{"id": "{id}", "apiKeySha256": "{}", "origins": {origins}, {limits}{extra}}}"#,
                sha256_hex(key)
            )
        };
        let config = format!(
            r#"{{ {top}
  "storeKeyFile": "store.key",
  "maxBodyBytes": 1048576,
  "maxChunkRecords": 500,
  "projects": [
    {{"id": "{PROJECT}", {project}
      "tokenSubjects": ["email", "phone", "dateOfBirth", "mk-nameDob", "mk-addressName"],
      "tokenKeyVersions": ["demo-2026a", "demo-2026b"],
      "clk": {{"keys": ["firstName", "lastName", "street", "city", "postalCode", "dateOfBirth", "record"], "bytes": 128}},
      "encoding": {{"clkSchema": "default", "hardening": {{"diffusion": 8}}}},
      "directoryParty": "company",
      "parties": [{}, {}, {}, {}, {}]}},
    {{"id": "other-project", "tokenSubjects": ["email"], "tokenKeyVersions": ["demo-2026b"],
      "clk": {{"keys": ["record"], "bytes": 128}}, "directoryParty": "other",
      "parties": [{}]}}
  ]
}}"#,
            party("company", COMPANY_KEY, "[]", BIG, ""),
            party(
                "partner-acme",
                PARTNER_KEY,
                &format!(r#"["pages", "{PARTNER_ORIGIN}"]"#),
                partner,
                ""
            ),
            party("partner-beta", BETA_KEY, "[]", BIG, ""),
            party(
                "partner-revoked",
                REVOKED_KEY,
                "[]",
                BIG,
                r#", "revoked": true"#
            ),
            party(
                "partner-slow",
                SLOW_KEY,
                "[]",
                r#""maxRecords": 10, "recordsPerDay": 10, "runsPerDay": 1, "ratePerSecond": 0.001, "burst": 3"#,
                ""
            ),
            party("other", OTHER_KEY, "[]", BIG, ""),
        );
        std::fs::write(dir.join("linkage.json"), config).unwrap();
        Setup { dir }
    }

    fn db(&self) -> PathBuf {
        self.dir.join("store/linkage.sqlite")
    }

    /// The service's temporary directory (engine jobs' scratch goes here).
    fn tmp(&self) -> PathBuf {
        self.dir.join("tmp")
    }

    fn command(&self) -> Command {
        std::fs::create_dir_all(self.tmp()).unwrap();
        let mut c = Command::new(env!("CARGO_BIN_EXE_pseudolink-server"));
        c.env("TMPDIR", self.tmp());
        c.args(["--port", "0", "--linkage-port", "0", "--www"])
            .arg(self.dir.join("www"))
            .arg("--pkg")
            .arg(self.dir.join("pkg"))
            .arg("--linkage")
            .arg(self.dir.join("linkage.json"))
            .arg("--linkage-db")
            .arg(self.db());
        c
    }

    fn start(&self) -> Service {
        let log = self.dir.join(format!(
            "server-{}.log",
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        ));
        let mut child = self
            .command()
            .stdout(Stdio::piped())
            // A file, not a pipe: nobody drains a pipe during the test.
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let (mut first, mut second) = (String::new(), String::new());
        out.read_line(&mut first).unwrap();
        out.read_line(&mut second).unwrap();
        let pages = first
            .trim()
            .strip_prefix("listening on http://")
            .unwrap_or_else(|| panic!("first line: {first:?}"))
            .to_owned();
        let addr = second
            .trim()
            .strip_prefix("linkage listening on http://")
            .unwrap_or_else(|| panic!("second line: {second:?}"))
            .to_owned();
        Service {
            child,
            addr,
            pages,
            log,
        }
    }
}

impl Drop for Setup {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

struct Service {
    child: Child,
    addr: String,
    pages: String,
    log: PathBuf,
}

impl Service {
    /// SIGTERM, wait, and the log.
    fn stop(mut self) -> String {
        Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(self.child.wait().unwrap().success());
        std::fs::read_to_string(&self.log).unwrap()
    }

    /// SIGKILL: no shutdown, no checkpoint.
    fn kill9(mut self) {
        Command::new("kill")
            .args(["-KILL", &self.child.id().to_string()])
            .status()
            .unwrap();
        let _ = self.child.wait();
    }

    fn call(&self, method: &str, path: &str, key: &str, body: &str) -> Response {
        let auth = format!("Bearer {key}");
        let mut headers = vec![("Authorization", auth.as_str())];
        if !body.is_empty() {
            headers.push(("Content-Type", "application/json"));
        }
        http(&self.addr, method, path, &headers, body)
    }

    fn get(&self, path: &str, key: &str) -> Response {
        self.call("GET", path, key, "")
    }

    fn new_upload(&self, key: &str) -> String {
        let r = self.call("POST", &format!("/v1/projects/{PROJECT}/uploads"), key, "");
        assert_eq!(r.status, 201, "{}", r.text());
        let id = r.json()["upload"].as_str().unwrap().to_owned();
        assert!(id.starts_with("u_") && id.len() == 24, "{id}");
        id
    }

    fn put_chunk(&self, key: &str, upload: &str, index: usize, body: &str) -> Response {
        self.call(
            "PUT",
            &format!("/v1/projects/{PROJECT}/uploads/{upload}/chunks/{index}"),
            key,
            body,
        )
    }

    fn commit(&self, key: &str, upload: &str, chunks: usize) -> Response {
        self.call(
            "POST",
            &format!("/v1/projects/{PROJECT}/uploads/{upload}/commit"),
            key,
            &json!({ "chunks": chunks }).to_string(),
        )
    }

    /// Uploads `records` in chunks of `size` and commits: the upload's id.
    fn upload_all(&self, key: &str, records: &[Value], size: usize) -> String {
        let upload = self.new_upload(key);
        let chunks: Vec<&[Value]> = records.chunks(size).collect();
        for (i, c) in chunks.iter().enumerate() {
            let r = self.put_chunk(key, &upload, i, &chunk_body(c));
            assert_eq!(r.status, 200, "{}", r.text());
            assert_eq!(r.json()["duplicate"], false);
        }
        let r = self.commit(key, &upload, chunks.len());
        assert_eq!(r.status, 200, "{}", r.text());
        assert_eq!(r.json()["records"], records.len());
        upload
    }

    /// Starts a run without waiting for it (`Prefer: respond-async`).
    fn run_async(&self, key: &str, upload: &str) -> Response {
        let auth = format!("Bearer {key}");
        http(
            &self.addr,
            "POST",
            &format!("/v1/projects/{PROJECT}/runs"),
            &[
                ("Authorization", auth.as_str()),
                ("Content-Type", "application/json"),
                ("Prefer", "wait=5, respond-async"),
            ],
            &json!({ "upload": upload }).to_string(),
        )
    }

    /// A 40-row directory and a 40-row partner file (synthetic `seed`),
    /// uploaded and committed: the partner's upload.
    fn small_uploads(&self, seed: u64) -> String {
        let enc = Encoder::new();
        let data = link(&Config::new(seed), 40, 0.5);
        self.upload_all(COMPANY_KEY, &enc.encode(&data.a), 40);
        self.upload_all(PARTNER_KEY, &enc.encode(&data.b), 40)
    }

    /// Starts an async run of `upload` (202): its id and its path.
    fn start_run(&self, upload: &str) -> (String, String) {
        let r = self.run_async(PARTNER_KEY, upload);
        assert_eq!(r.status, 202, "{}", r.text());
        let run = r.json()["run"].as_str().unwrap().to_owned();
        let path = format!("/v1/projects/{PROJECT}/runs/{run}");
        (run, path)
    }

    /// Reads run `path` until it is no longer in progress (202): the last
    /// answer, and every stage seen on the way.
    fn poll(&self, path: &str, key: &str) -> (Response, Vec<String>) {
        let mut stages = Vec::new();
        // A Spark run takes minutes on two cores.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(1200);
        while std::time::Instant::now() < deadline {
            let r = self.get(path, key);
            if r.status != 202 {
                return (r, stages);
            }
            assert_eq!(r.header("retry-after"), Some("1"));
            let stage = r.json()["stage"].as_str().unwrap().to_owned();
            if stages.last() != Some(&stage) {
                stages.push(stage);
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        panic!("the run did not end");
    }

    /// Waits for the log line a condition picks (the service writes it
    /// after the request that caused it has been answered).
    fn wait_for_log(&self, pick: impl Fn(&Value) -> bool) -> Value {
        for _ in 0..1000 {
            let log = std::fs::read_to_string(&self.log).unwrap();
            if let Some(v) = log
                .lines()
                .filter_map(|l| serde_json::from_str::<Value>(l).ok())
                .find(|v| pick(v))
            {
                return v;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        panic!("no such log line");
    }

    fn run(&self, key: &str, upload: &str) -> Response {
        self.call(
            "POST",
            &format!("/v1/projects/{PROJECT}/runs"),
            key,
            &json!({ "upload": upload }).to_string(),
        )
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn chunk_body(records: &[Value]) -> String {
    json!({ "records": records }).to_string()
}

// ------------------------------------------------------------- encodings

/// What a party encodes: tokens through the oblivious protocol under the
/// demo key, CLKs from the default schema under a project secret.
struct Encoder {
    key: KeyPair,
    client: ObliviousClient,
    clks: RecordEncoder,
}

impl Encoder {
    fn new() -> Encoder {
        let seed_hex = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("demo/keyserver/keys/demo-2026b.seed"),
        )
        .unwrap();
        let seed: Vec<u8> = (0..32)
            .map(|i| u8::from_str_radix(&seed_hex.trim()[2 * i..2 * i + 2], 16).unwrap())
            .collect();
        let key = KeyPair::derive(VERSION, &seed).unwrap();
        let pin = PublicKey::new(VERSION, &key.public_key()).unwrap();
        let def = IdentityDefinition::from_json(
            r#"{"version":1,"fields":["email","phone","dateOfBirth"],
                "matchKeys":[{"name":"nameDob","parts":[{"field":"lastName"},{"field":"firstName","take":"initial"},{"field":"dateOfBirth"}]}],
                "defaultRegion":"US","dateOrder":"mdy"}"#,
        )
        .unwrap();
        let client = ObliviousClient::new(def.clone(), vec![pin]).unwrap();
        // The CLK-only side: the pseudonymizer's tokens are never used.
        let unused =
            Pseudonymizer::new(vec![("x".into(), Secret::new(vec![1; 32]).unwrap())], def).unwrap();
        let schema = ClkSchema::from_json(DEFAULT_CLK_SCHEMA).unwrap();
        let clks = RecordEncoder::with_clks(
            unused,
            &schema,
            b"pseudolink-demo-project-clk-secret-not-secret!",
        )
        .unwrap();
        Encoder { key, client, clks }
    }

    /// One wire record per row, in order.
    fn encode(&self, rows: &[Row]) -> Vec<Value> {
        self.encode_both(rows).0
    }

    /// The wire records and the same as the service loads them (ids =
    /// row numbers).
    fn encode_both(&self, rows: &[Row]) -> (Vec<Value>, Vec<EncodedRecord>) {
        let records: Vec<Record> = rows.iter().map(record).collect();
        let batch = self.client.blind(&records, &mut rand_core::OsRng).unwrap();
        let answer = self.key.answer(&batch.request(VERSION)).unwrap();
        let tokens = self.client.finalize(&batch, &[answer]).unwrap();
        records
            .iter()
            .zip(tokens)
            .enumerate()
            .map(|(row, (r, t))| {
                let clks = self.clks.encode("x", r).record.clks;
                let wire: BTreeMap<&String, String> =
                    clks.iter().map(|(k, v)| (k, base64_std(v))).collect();
                let value = json!({"tokens": t.tokens, "matchKeys": t.match_keys, "clks": wire});
                let loaded = EncodedRecord {
                    id: row.to_string(),
                    tokens: t.tokens,
                    match_keys: t.match_keys,
                    clks,
                };
                (value, loaded)
            })
            .unzip()
    }
}

fn record(row: &Row) -> Record {
    let mut r = Record::new();
    for (name, value) in row.present() {
        r.set(Field::from_name(name).unwrap(), value);
    }
    r
}

/// A syntactically valid token of `subject` under `version` (random tag).
fn token(subject: &str, version: &str, seed: u8) -> String {
    format!("po1.{subject}.{version}.{}", base64_url(&[seed; 32]))
}

fn clk(seed: u8) -> String {
    base64_std(&[seed; 128])
}

// ------------------------------------------------------------------ tests

#[test]
fn linkage_auth_origin_project_and_cors() {
    let setup = Setup::new("auth", BIG);
    let svc = setup.start();
    let info = format!("/v1/projects/{PROJECT}");
    assert_eq!(
        http(&svc.addr, "GET", "/healthz", &[], "").json()["status"],
        "ok"
    );

    // The pages server says where the service is and lets pages reach it.
    let page = http(&svc.pages, "GET", "/api/linkage-config", &[], "").json();
    assert_eq!(page["endpoint"], format!("http://{}", svc.addr));
    let html = http(&svc.pages, "GET", "/", &[], "");
    let csp = html.header("content-security-policy").unwrap();
    assert!(
        csp.contains(&format!("connect-src 'self' http://{}", svc.addr)),
        "{csp}"
    );

    let partner = svc.get(&info, PARTNER_KEY).json();
    assert_eq!(partner["role"], "partner");
    assert_eq!(partner["party"], "partner-acme");
    assert_eq!(partner["clk"]["bytes"], 128);
    assert_eq!(partner["encoding"]["hardening"]["diffusion"], 8);
    assert_eq!(partner["limits"]["maxChunkRecords"], 500);
    assert_eq!(partner["usage"]["recordsToday"], 0);
    assert_eq!(svc.get(&info, COMPANY_KEY).json()["role"], "directory");

    let pages_origin = format!("http://{}", svc.pages);
    let cases: Vec<(&str, Response, u16, &str)> = vec![
        (
            "no credential",
            http(&svc.addr, "GET", &info, &[], ""),
            401,
            "auth.missing",
        ),
        (
            "unknown key",
            svc.get(&info, "pk_nobody"),
            401,
            "auth.invalid",
        ),
        (
            "not bearer",
            http(
                &svc.addr,
                "GET",
                &info,
                &[("Authorization", "Basic eDp5")],
                "",
            ),
            401,
            "auth.invalid",
        ),
        ("revoked", svc.get(&info, REVOKED_KEY), 401, "auth.revoked"),
        (
            "another project's credential",
            svc.get(&info, OTHER_KEY),
            404,
            "project.unknown",
        ),
        (
            "no such project",
            svc.get("/v1/projects/nope", PARTNER_KEY),
            404,
            "project.unknown",
        ),
        (
            "unknown key, unknown project",
            svc.get("/v1/projects/nope", "pk_nobody"),
            401,
            "auth.invalid",
        ),
        (
            "partner from a foreign origin",
            http(
                &svc.addr,
                "GET",
                &info,
                &[
                    ("Authorization", &format!("Bearer {PARTNER_KEY}")),
                    ("Origin", "https://evil.example"),
                ],
                "",
            ),
            403,
            "origin.forbidden",
        ),
        (
            "company key from a browser",
            http(
                &svc.addr,
                "GET",
                &info,
                &[
                    ("Authorization", &format!("Bearer {COMPANY_KEY}")),
                    ("Origin", &pages_origin),
                ],
                "",
            ),
            403,
            "origin.forbidden",
        ),
        (
            "unknown route",
            svc.get("/v2/nothing", PARTNER_KEY),
            404,
            "not_found",
        ),
        (
            "wrong method",
            svc.call("DELETE", &info, PARTNER_KEY, ""),
            405,
            "method.not_allowed",
        ),
    ];
    for (what, r, status, code) in cases {
        assert_eq!(r.status, status, "{what}: {}", r.text());
        assert_eq!(r.error(), code, "{what}");
        assert!(!r.json()["message"].as_str().unwrap().is_empty(), "{what}");
        assert_eq!(r.header("cache-control"), Some("no-store"), "{what}");
    }
    assert_eq!(
        svc.get(&info, "pk_nobody").header("www-authenticate"),
        Some("Bearer")
    );

    // The partner's own origins: "pages" (this server) and its site.
    for origin in [pages_origin.as_str(), PARTNER_ORIGIN] {
        let r = http(
            &svc.addr,
            "GET",
            &info,
            &[
                ("Authorization", &format!("Bearer {PARTNER_KEY}")),
                ("Origin", origin),
            ],
            "",
        );
        assert_eq!(r.status, 200, "{}", r.text());
        assert_eq!(r.header("access-control-allow-origin"), Some(origin));
    }
    // Preflights: allowed origins get methods and headers; others a 403.
    let pre = http(
        &svc.addr,
        "OPTIONS",
        &format!("{info}/uploads/u_x/chunks/0"),
        &[
            ("Origin", PARTNER_ORIGIN),
            ("Access-Control-Request-Method", "PUT"),
        ],
        "",
    );
    assert_eq!(pre.status, 204);
    assert!(pre
        .header("access-control-allow-methods")
        .unwrap()
        .contains("PUT"));
    assert!(pre
        .header("access-control-allow-headers")
        .unwrap()
        .contains("authorization"));
    let pre = http(
        &svc.addr,
        "OPTIONS",
        &info,
        &[
            ("Origin", "https://evil.example"),
            ("Access-Control-Request-Method", "GET"),
        ],
        "",
    );
    assert_eq!(
        (pre.status, pre.error().as_str()),
        (403, "origin.forbidden")
    );
    assert!(pre.header("access-control-allow-origin").is_none());

    let log = svc.stop();
    for key in [PARTNER_KEY, COMPANY_KEY, REVOKED_KEY, OTHER_KEY] {
        assert!(!log.contains(key), "{log}");
    }
    assert!(log.contains(r#""party":"partner-acme""#), "{log}");
    assert!(log.contains(r#""error":"auth.revoked""#), "{log}");

    // Without --linkage the pages say so, with a code.
    let mut plain = Command::new(env!("CARGO_BIN_EXE_pseudolink-server"))
        .args(["--port", "0", "--www"])
        .arg(setup.dir.join("www"))
        .arg("--pkg")
        .arg(setup.dir.join("pkg"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(plain.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let pages = line.trim().strip_prefix("listening on http://").unwrap();
    let r = http(pages, "GET", "/api/linkage-config", &[], "");
    assert_eq!(
        (r.status, r.error().as_str()),
        (404, "linkage.not_configured")
    );
    let _ = plain.kill();
    let _ = plain.wait();
}

#[test]
fn linkage_closed_schema_refuses_with_codes_and_never_echoes() {
    let setup = Setup::new("schema", BIG);
    let svc = setup.start();
    let upload = svc.new_upload(PARTNER_KEY);
    const NEEDLE: &str = "zq7needle";
    let needle_b64 = base64_std(format!("{NEEDLE}{NEEDLE}").as_bytes());
    let ok = || json!({"tokens": [token("email", VERSION, 1)], "clks": {"record": clk(2)}});
    // A chunk whose record 2 is `bad` (records 0, 1 and 3 are fine).
    let at2 = |bad: Value| chunk_body(&[ok(), ok(), bad, ok()]);
    let needle_tag = format!("{NEEDLE}{}", "A".repeat(43 - NEEDLE.len()));
    let cases: Vec<(&str, String, u16, &str, Option<usize>)> = vec![
        (
            "not JSON",
            format!("{{\"records\": [{NEEDLE}"),
            400,
            "request.invalid_json",
            None,
        ),
        (
            "unknown top-level field",
            json!({"records": [ok()], NEEDLE: 1}).to_string(),
            400,
            "request.unknown_field",
            None,
        ),
        (
            "records not a list",
            json!({"records": NEEDLE}).to_string(),
            400,
            "request.invalid_shape",
            None,
        ),
        (
            "empty chunk",
            json!({"records": []}).to_string(),
            400,
            "chunk.empty",
            None,
        ),
        (
            "too many records",
            chunk_body(&vec![json!({}); 501]),
            413,
            "chunk.too_many_records",
            None,
        ),
        (
            "a record id",
            at2(json!({"id": NEEDLE, "tokens": []})),
            400,
            "record.unknown_field",
            Some(2),
        ),
        (
            "a raw value",
            at2(json!({"email": format!("{NEEDLE}@example.com")})),
            400,
            "record.unknown_field",
            Some(2),
        ),
        (
            "tokens not a list",
            at2(json!({"tokens": NEEDLE})),
            400,
            "record.invalid",
            Some(2),
        ),
        (
            "a raw e-mail as a token",
            at2(json!({"tokens": [format!("{NEEDLE}@example.com")]})),
            400,
            "token.invalid",
            Some(2),
        ),
        (
            "a keyed pl1 token",
            at2(json!({"tokens": [token("email", VERSION, 3).replacen("po1.", "pl1.", 1)]})),
            400,
            "token.invalid",
            Some(2),
        ),
        (
            "a short tag",
            at2(json!({"tokens": [format!("po1.email.{VERSION}.{NEEDLE}")]})),
            400,
            "token.invalid",
            Some(2),
        ),
        (
            "a subject outside the project",
            at2(json!({"tokens": [format!("po1.firstName.{VERSION}.{}", base64_url(&[9; 32]))]})),
            400,
            "token.subject_not_allowed",
            Some(2),
        ),
        (
            "a match key among field tokens",
            at2(json!({"tokens": [token("mk-nameDob", VERSION, 4)]})),
            400,
            "token.subject_not_allowed",
            Some(2),
        ),
        (
            "a field token among match keys",
            at2(json!({"matchKeys": [token("email", VERSION, 4)]})),
            400,
            "token.subject_not_allowed",
            Some(2),
        ),
        (
            "an unknown key version",
            at2(json!({"tokens": [token("email", "zq7v9", 5)]})),
            400,
            "token.key_version",
            Some(2),
        ),
        (
            "two e-mails in one record",
            at2(json!({"tokens": [token("email", VERSION, 6), token("email", VERSION, 7)]})),
            400,
            "token.duplicate",
            Some(2),
        ),
        (
            "an unknown CLK key",
            at2(json!({"clks": {NEEDLE: clk(1)}})),
            400,
            "clk.unknown_key",
            Some(2),
        ),
        (
            "a CLK in plain text",
            at2(json!({"clks": {"firstName": NEEDLE}})),
            400,
            "clk.invalid_base64",
            Some(2),
        ),
        (
            "a CLK in base64url",
            at2(json!({"clks": {"firstName": base64_url(&[0xfb; 128])}})),
            400,
            "clk.invalid_base64",
            Some(2),
        ),
        (
            "a CLK of the wrong length",
            at2(json!({"clks": {"firstName": needle_b64.clone()}})),
            400,
            "clk.invalid_length",
            Some(2),
        ),
    ];
    for (what, body, status, code, index) in &cases {
        let r = svc.put_chunk(PARTNER_KEY, &upload, 0, body);
        assert_eq!(r.status, *status, "{what}: {}", r.text());
        assert_eq!(r.error(), *code, "{what}");
        assert_eq!(
            r.json()["index"].as_u64(),
            index.map(|i| i as u64),
            "{what}"
        );
        let text = r.text();
        for secret in [NEEDLE, &needle_b64, &needle_tag] {
            assert!(!text.contains(secret), "{what} echoed: {text}");
        }
    }
    // Transport-level refusals: content type, size, path.
    let body = chunk_body(&[ok()]);
    let path = format!("/v1/projects/{PROJECT}/uploads/{upload}/chunks/0");
    let auth = format!("Bearer {PARTNER_KEY}");
    let r = http(
        &svc.addr,
        "PUT",
        &path,
        &[("Authorization", &auth), ("Content-Type", "text/plain")],
        &body,
    );
    assert_eq!(
        (r.status, r.error().as_str()),
        (415, "request.content_type")
    );
    let huge = format!(
        "{{\"records\": [{{\"tokens\": [\"{}\"]}}]}}",
        NEEDLE.repeat(130_000)
    );
    let r = svc.put_chunk(PARTNER_KEY, &upload, 0, &huge);
    assert_eq!((r.status, r.error().as_str()), (413, "request.too_large"));
    let r = svc.call(
        "PUT",
        &format!("/v1/projects/{PROJECT}/uploads/{upload}/chunks/{NEEDLE}"),
        PARTNER_KEY,
        &body,
    );
    assert_eq!(
        (r.status, r.error().as_str()),
        (400, "request.invalid_path")
    );
    assert!(!r.text().contains(NEEDLE));
    let r = svc.put_chunk(PARTNER_KEY, "u_zq7needleAAAAAAAAAAAAA", 0, &body);
    assert_eq!((r.status, r.error().as_str()), (404, "upload.unknown"));
    let r = svc.put_chunk(PARTNER_KEY, NEEDLE, 0, &body);
    assert_eq!((r.status, r.error().as_str()), (404, "upload.unknown"));
    // Commit and run bodies are closed too.
    let commit = format!("/v1/projects/{PROJECT}/uploads/{upload}/commit");
    for (b, code) in [
        (format!("{{\"chunks\": {NEEDLE}}}"), "request.invalid_json"),
        (
            json!({"chunks": 1, NEEDLE: 1}).to_string(),
            "request.invalid_shape",
        ),
        (
            json!({"chunks": NEEDLE}).to_string(),
            "request.invalid_shape",
        ),
    ] {
        let r = svc.call("POST", &commit, PARTNER_KEY, &b);
        assert_eq!((r.status, r.error().as_str()), (400, code), "{b}");
        assert!(!r.text().contains(NEEDLE));
    }
    let r = svc.call(
        "POST",
        &format!("/v1/projects/{PROJECT}/runs"),
        PARTNER_KEY,
        &json!({"upload": upload, "email": NEEDLE}).to_string(),
    );
    assert_eq!(
        (r.status, r.error().as_str()),
        (400, "request.invalid_shape")
    );

    // Nothing was stored, and a good chunk is still accepted.
    let status = svc.get(
        &format!("/v1/projects/{PROJECT}/uploads/{upload}"),
        PARTNER_KEY,
    );
    assert_eq!(status.json()["chunks"], json!([]));
    assert_eq!(svc.put_chunk(PARTNER_KEY, &upload, 0, &body).status, 200);

    let log = svc.stop();
    for secret in [NEEDLE, &needle_b64, &needle_tag, PARTNER_KEY] {
        assert!(!log.contains(secret), "log shows {secret}: {log}");
    }
    assert!(log.contains(r#""error":"token.duplicate""#), "{log}");
}

#[test]
fn linkage_chunks_are_idempotent_resumable_and_commit_needs_them_all() {
    let setup = Setup::new("chunks", BIG);
    let svc = setup.start();
    let enc = Encoder::new();
    let data = link(&Config::new(5), 12, 0.5);
    let records = enc.encode(&data.b);
    let upload = svc.new_upload(PARTNER_KEY);
    let status = |svc: &Service| {
        svc.get(
            &format!("/v1/projects/{PROJECT}/uploads/{upload}"),
            PARTNER_KEY,
        )
        .json()
    };
    let usage = |svc: &Service| {
        svc.get(&format!("/v1/projects/{PROJECT}"), PARTNER_KEY)
            .json()["usage"]
            .clone()
    };

    // Chunks 0 and 2 arrive; 1 is missing.
    let c0 = chunk_body(&records[0..4]);
    let c1 = chunk_body(&records[4..8]);
    let c2 = chunk_body(&records[8..12]);
    let r = svc.put_chunk(PARTNER_KEY, &upload, 0, &c0);
    assert_eq!(
        r.json(),
        json!({"upload": upload, "chunk": 0, "records": 4, "duplicate": false})
    );
    assert_eq!(svc.put_chunk(PARTNER_KEY, &upload, 2, &c2).status, 200);
    let s = status(&svc);
    assert_eq!(
        s["chunks"],
        json!([{"index": 0, "records": 4}, {"index": 2, "records": 4}])
    );
    assert_eq!(
        (s["records"].as_u64(), s["committed"].as_bool()),
        (Some(8), Some(false))
    );
    let r = svc.commit(PARTNER_KEY, &upload, 3);
    assert_eq!((r.status, r.error().as_str()), (409, "upload.incomplete"));
    let r = svc.commit(PARTNER_KEY, &upload, 2);
    assert_eq!((r.status, r.error().as_str()), (409, "upload.incomplete"));
    let r = svc.commit(PARTNER_KEY, &upload, 0);
    assert_eq!((r.status, r.error().as_str()), (409, "upload.incomplete"));
    let r = svc.run(PARTNER_KEY, &upload);
    assert_eq!(
        (r.status, r.error().as_str()),
        (409, "upload.not_committed")
    );

    // The same chunk again (spelled differently): acknowledged, not counted.
    let respelled =
        serde_json::to_string_pretty(&serde_json::from_str::<Value>(&c0).unwrap()).unwrap();
    let r = svc.put_chunk(PARTNER_KEY, &upload, 0, &respelled);
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["duplicate"], true);
    assert_eq!(usage(&svc)["recordsToday"], 8);
    // Other content at a stored index: a conflict.
    let r = svc.put_chunk(PARTNER_KEY, &upload, 0, &c1);
    assert_eq!(
        (r.status, r.error().as_str()),
        (409, "upload.chunk_conflict")
    );

    // Other parties cannot see or touch it.
    let r = svc.get(
        &format!("/v1/projects/{PROJECT}/uploads/{upload}"),
        BETA_KEY,
    );
    assert_eq!((r.status, r.error().as_str()), (404, "upload.unknown"));
    let r = svc.put_chunk(BETA_KEY, &upload, 1, &c1);
    assert_eq!((r.status, r.error().as_str()), (404, "upload.unknown"));

    // Resume: chunk 1, then commit (twice: idempotent).
    assert_eq!(svc.put_chunk(PARTNER_KEY, &upload, 1, &c1).status, 200);
    let r = svc.commit(PARTNER_KEY, &upload, 3);
    assert_eq!(
        r.json(),
        json!({"upload": upload, "records": 12, "committed": true})
    );
    assert_eq!(svc.commit(PARTNER_KEY, &upload, 3).status, 200);
    let r = svc.commit(PARTNER_KEY, &upload, 4);
    assert_eq!((r.status, r.error().as_str()), (409, "upload.committed"));
    let r = svc.put_chunk(PARTNER_KEY, &upload, 3, &c1);
    assert_eq!((r.status, r.error().as_str()), (409, "upload.committed"));
    assert_eq!(
        svc.put_chunk(PARTNER_KEY, &upload, 2, &c2).json()["duplicate"],
        true
    );
    assert_eq!(status(&svc)["committed"], true);
    assert_eq!(usage(&svc)["recordsToday"], 12);

    // Runs: the directory has nothing yet; the directory party starts none.
    let r = svc.run(PARTNER_KEY, &upload);
    assert_eq!((r.status, r.error().as_str()), (409, "run.no_directory"));
    let dir = svc.upload_all(COMPANY_KEY, &enc.encode(&data.a), 5);
    let r = svc.run(COMPANY_KEY, &dir);
    assert_eq!((r.status, r.error().as_str()), (403, "role.forbidden"));
    let r = svc.run(BETA_KEY, &upload);
    assert_eq!((r.status, r.error().as_str()), (404, "upload.unknown"));
    let r = svc.run(PARTNER_KEY, &upload);
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["rows"], 12);
    assert_eq!(usage(&svc)["runsToday"], 1);
    let r = svc.get(
        &format!("/v1/projects/{PROJECT}/runs/r_zq7needleAAAAAAAAAAAAA"),
        PARTNER_KEY,
    );
    assert_eq!((r.status, r.error().as_str()), (404, "run.unknown"));
}

/// Precision and recall of `links` (partner row, directory row) against the truth.
fn quality(links: &HashSet<(u64, u64)>, truth: &HashSet<(u64, u64)>) -> (f64, f64) {
    let tp = links.intersection(truth).count() as f64;
    (
        tp / links.len().max(1) as f64,
        tp / truth.len().max(1) as f64,
    )
}

#[test]
fn linkage_run_links_partner_rows_only_and_is_reproducible() {
    let setup = Setup::new("run", BIG);
    let svc = setup.start();
    let enc = Encoder::new();
    // A: the company's directory; B: the partner's file; half of B are customers.
    let data = link(&Config::new(11), 600, 0.5);
    let directory = enc.encode(&data.a);
    let partner = enc.encode(&data.b);
    let row_of = |rows: &[Row], id: &str| rows.iter().position(|r| r.id == id).unwrap() as u64;
    let truth: HashSet<(u64, u64)> = data
        .pairs
        .iter()
        .map(|(a, b)| (row_of(&data.b, b), row_of(&data.a, a)))
        .collect();

    svc.upload_all(COMPANY_KEY, &directory, 250);
    let upload = svc.upload_all(PARTNER_KEY, &partner, 250);
    let r = svc.run(PARTNER_KEY, &upload);
    assert_eq!(r.status, 200, "{}", r.text());
    let body = r.json();
    let run = body["run"].as_str().unwrap().to_owned();
    assert!(run.starts_with("r_"));
    // Only the partner's own rows: no directory row, id, size or encoding.
    let keys: Vec<&String> = body.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["linked", "links", "rows", "run"]);
    assert_eq!(body["rows"], 600);
    let links = body["links"].as_array().unwrap();
    assert_eq!(body["linked"], links.len());
    let mut rows_seen = HashSet::new();
    for l in links {
        let keys: Vec<&String> = l.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["explanation", "probability", "row"]);
        assert!(l["probability"].as_f64().unwrap() >= 0.5);
        assert!(l["row"].as_u64().unwrap() < 600);
        assert!(rows_seen.insert(l["row"].as_u64().unwrap()), "one-to-one");
        let e = &l["explanation"];
        assert!(e["contributions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["comparison"] == "lastName"));
        // Levels, not the similarities behind them (no fine-grained oracle).
        for c in e["contributions"].as_array().unwrap() {
            assert!(c["similarity"].is_null(), "{c}");
        }
    }
    let text = r.text();
    for rec in &directory {
        for t in rec["tokens"].as_array().unwrap() {
            let tag = t.as_str().unwrap().rsplit('.').next().unwrap();
            assert!(!text.contains(tag), "a directory token reached the partner");
        }
        for c in rec["clks"].as_object().unwrap().values() {
            assert!(!text.contains(c.as_str().unwrap()));
        }
    }

    // The directory party sees which of its rows matched, and nothing else.
    let dview = svc.get(&format!("/v1/projects/{PROJECT}/runs/{run}"), COMPANY_KEY);
    assert_eq!(dview.status, 200, "{}", dview.text());
    let dview = dview.json();
    let keys: Vec<&String> = dview.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["links", "party", "rows", "run"]);
    assert_eq!(dview["party"], "partner-acme");
    assert_eq!(dview["rows"], links.len());
    let dlinks = dview["links"].as_array().unwrap();
    for l in dlinks {
        let keys: Vec<&String> = l.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["probability", "row"]);
    }

    // Quality against the truth: the partner's (row) with the directory's (row),
    // paired by probability order is not needed: each side's rows are in truth.
    let partner_rows: HashSet<u64> = links.iter().map(|l| l["row"].as_u64().unwrap()).collect();
    let directory_rows: HashSet<u64> = dlinks.iter().map(|l| l["row"].as_u64().unwrap()).collect();
    let true_partner: HashSet<u64> = truth.iter().map(|(p, _)| *p).collect();
    let true_directory: HashSet<u64> = truth.iter().map(|(_, d)| *d).collect();
    let hits = partner_rows.intersection(&true_partner).count() as f64;
    let precision = hits / partner_rows.len() as f64;
    let recall = hits / true_partner.len() as f64;
    assert!(precision >= 0.95, "precision {precision}");
    assert!(recall >= 0.80, "recall {recall}");
    let dhits = directory_rows.intersection(&true_directory).count() as f64;
    assert!(dhits / directory_rows.len() as f64 >= 0.95);
    // Pairs, joined through the probabilities both views share (exact bytes).
    let mut by_p: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    for l in dlinks {
        by_p.entry(l["probability"].to_string())
            .or_default()
            .push(l["row"].as_u64().unwrap());
    }
    let pairs: HashSet<(u64, u64)> = links
        .iter()
        .filter_map(|l| {
            let d = by_p.get(&l["probability"].to_string())?;
            (d.len() == 1).then(|| (l["row"].as_u64().unwrap(), d[0]))
        })
        .collect();
    let (p, _) = quality(&pairs, &truth);
    assert!(p >= 0.95, "pair precision {p}");

    // Reproducible: the same run again gives the same links and the same
    // probabilities, bit for bit; GET gives the same bytes.
    let again = svc.run(PARTNER_KEY, &upload);
    assert_eq!(again.status, 200);
    let again = again.json();
    assert_eq!(again["linked"], body["linked"]);
    assert_eq!(again["links"], body["links"]);
    let stored = svc.get(&format!("/v1/projects/{PROJECT}/runs/{run}"), PARTNER_KEY);
    assert_eq!(stored.body, r.body);

    // Listings: the partner sees its runs; the company all; another partner none,
    // and cannot read this one.
    let mine = svc
        .get(&format!("/v1/projects/{PROJECT}/runs"), PARTNER_KEY)
        .json();
    assert_eq!(mine["runs"].as_array().unwrap().len(), 2);
    assert_eq!(mine["runs"][0]["run"], run.as_str());
    assert_eq!(mine["runs"][0]["party"], "partner-acme");
    assert_eq!(mine["runs"][0]["linked"], links.len());
    assert!(mine["runs"][0]["createdAt"]
        .as_str()
        .unwrap()
        .ends_with('Z'));
    let all = svc
        .get(&format!("/v1/projects/{PROJECT}/runs"), COMPANY_KEY)
        .json();
    assert_eq!(all["runs"].as_array().unwrap().len(), 2);
    let beta = svc
        .get(&format!("/v1/projects/{PROJECT}/runs"), BETA_KEY)
        .json();
    assert_eq!(beta["runs"], json!([]));
    let r = svc.get(&format!("/v1/projects/{PROJECT}/runs/{run}"), BETA_KEY);
    assert_eq!((r.status, r.error().as_str()), (404, "run.unknown"));
}

/// The demo project's `linkConfig` (explicit comparisons: a Splink engine
/// needs them) as JSON text.
fn demo_link_config() -> String {
    let demo: Value = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("demo/linkage/linkage.json"),
        )
        .unwrap(),
    )
    .unwrap();
    demo["projects"][0]["linkConfig"].to_string()
}

/// A project entry's `linkConfig` and `engine`, and the top level's `python`.
fn engine_setup(name: &str, min_records: u64, python: &str) -> Setup {
    Setup::with(
        name,
        BIG,
        &format!(
            r#""linkConfig": {}, "engine": {{"kind": "duckdb", "minRecords": {min_records}}},"#,
            demo_link_config()
        ),
        &format!(r#""python": {},"#, json!(python)),
    )
}

/// The links of a run's partner view as (row, probability), and the body.
fn partner_rows(body: &Value) -> HashSet<u64> {
    body["links"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["row"].as_u64().unwrap())
        .collect()
}

#[test]
fn linkage_engine_failure_is_a_coded_503_that_refunds_the_run() {
    let setup = engine_setup("engine-down", 0, "/nonexistent/python3");
    let svc = setup.start();
    let enc = Encoder::new();
    let data = link(&Config::new(5), 40, 0.5);
    svc.upload_all(COMPANY_KEY, &enc.encode(&data.a), 40);
    let upload = svc.upload_all(PARTNER_KEY, &enc.encode(&data.b), 40);
    let r = svc.run(PARTNER_KEY, &upload);
    assert_eq!((r.status, r.error().as_str()), (503, "engine.unavailable"));
    assert!(r.header("retry-after").is_some());
    // Refunded: nothing stored, and the run did not count.
    let runs = svc
        .get(&format!("/v1/projects/{PROJECT}/runs"), PARTNER_KEY)
        .json();
    assert_eq!(runs["runs"], json!([]));
    let log = svc.stop();
    let line = log
        .lines()
        .find(|l| l.contains("engine.unavailable"))
        .unwrap_or_else(|| panic!("no log line for the refusal: {log}"));
    let line: Value = serde_json::from_str(line).unwrap();
    assert_eq!(line["runFailure"], "engine.start");
}

#[test]
fn linkage_async_run_is_polled_to_the_same_view_and_only_its_starter_sees_it() {
    let setup = Setup::new("async", BIG);
    let svc = setup.start();
    let enc = Encoder::new();
    let data = link(&Config::new(12), 300, 0.5);
    svc.upload_all(COMPANY_KEY, &enc.encode(&data.a), 300);
    let upload = svc.upload_all(PARTNER_KEY, &enc.encode(&data.b), 300);

    let r = svc.run_async(PARTNER_KEY, &upload);
    assert_eq!(r.status, 202, "{}", r.text());
    assert_eq!(r.header("preference-applied"), Some("respond-async"));
    let body = r.json();
    let run = body["run"].as_str().unwrap().to_owned();
    assert!(run.starts_with("r_") && run.len() == 24, "{run}");
    assert_eq!(body["status"], "queued");
    let path = format!("/v1/projects/{PROJECT}/runs/{run}");
    assert_eq!(r.header("location"), Some(path.as_str()));

    // Nobody else may see a run in progress, nor cancel it.
    for key in [BETA_KEY, COMPANY_KEY] {
        let other = svc.get(&path, key);
        if other.status != 200 {
            assert_eq!((other.status, other.error().as_str()), (404, "run.unknown"));
        }
        let del = svc.call("DELETE", &path, key, "");
        assert_eq!((del.status, del.error().as_str()), (404, "run.unknown"));
    }

    let (done, stages) = svc.poll(&path, PARTNER_KEY);
    assert_eq!(done.status, 200, "{}", done.text());
    // Stages are names from a fixed list, never counts.
    let known = [
        "queued", "loading", "prepare", "block", "compare", "sampleU", "em", "score", "solve",
        "engine", "storing",
    ];
    assert!(
        stages.iter().all(|s| known.contains(&s.as_str())),
        "{stages:?}"
    );
    let view = done.json();
    assert_eq!(view["run"], run.as_str());

    // The same links as a run that waited (runs are reproducible).
    let waited = svc.run(PARTNER_KEY, &upload).json();
    assert_eq!(view["links"], waited["links"]);
    assert!(view["linked"].as_u64().unwrap() > 0);

    // Once stored it is an ordinary run: listed as done, the directory
    // reads its view, and it can no longer be cancelled.
    let list = svc
        .get(&format!("/v1/projects/{PROJECT}/runs"), PARTNER_KEY)
        .json();
    let listed: Vec<&Value> = list["runs"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["run"] == run.as_str())
        .collect();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["status"], "done");
    assert_eq!(svc.get(&path, COMPANY_KEY).status, 200);
    let del = svc.call("DELETE", &path, PARTNER_KEY, "");
    assert_eq!((del.status, del.error().as_str()), (409, "run.finished"));
    let line = svc.wait_for_log(|v| v["event"] == "run");
    assert_eq!(line["status"], "done");
    assert_eq!(line["engine"], "core");
    assert_eq!(line["records"], 300);
}

/// A project whose engine never answers: a stand-in interpreter that sleeps.
fn sleeping_engine(name: &str, runs_per_day: u32) -> Setup {
    // It leaves a file in its scratch directory, as Spark leaves blocks.
    scripted_engine(
        name,
        runs_per_day,
        "echo blocks > \"$TMPDIR/blocks\"\nexec sleep 300\n",
    )
}

/// A project whose engine is a stand-in interpreter running `script` (sh).
fn scripted_engine(name: &str, runs_per_day: u32, script: &str) -> Setup {
    let setup = Setup::with(
        name,
        &BIG.replace(
            r#""runsPerDay": 1000"#,
            &format!(r#""runsPerDay": {runs_per_day}"#),
        ),
        &format!(
            r#""linkConfig": {}, "engine": {{"kind": "duckdb", "minRecords": 0}},"#,
            demo_link_config()
        ),
        "",
    );
    let body = script;
    let script = setup.dir.join("scripted-python");
    std::fs::write(&script, format!("#!/bin/sh\n{body}")).unwrap();
    Command::new("chmod")
        .arg("+x")
        .arg(&script)
        .status()
        .unwrap();
    let config = setup.dir.join("linkage.json");
    let text = std::fs::read_to_string(&config).unwrap().replacen(
        "{ ",
        &format!("{{ \"python\": {},", json!(script)),
        1,
    );
    std::fs::write(&config, text).unwrap();
    setup
}

/// A project model: the parameters of a core `Linker` with the demo
/// project's configuration, trained elsewhere (on another sample).
fn model_from_elsewhere(enc: &Encoder) -> ModelParams {
    let config = LinkConfig::from_json(&demo_link_config()).unwrap();
    let elsewhere = link(&Config::new(22), 300, 0.5);
    let mut trainer = Linker::new(config).unwrap();
    trainer
        .link(
            &enc.encode_both(&elsewhere.b).1,
            &enc.encode_both(&elsewhere.a).1,
            &mut |_, _, _| {},
        )
        .unwrap();
    trainer.params().unwrap().clone()
}

#[test]
fn linkage_a_project_model_scores_its_runs_as_the_linker_does_with_that_model() {
    let enc = Encoder::new();
    let config = LinkConfig::from_json(&demo_link_config()).unwrap();
    let params = model_from_elsewhere(&enc);

    let data = link(&Config::new(21), 300, 0.5);
    let (directory, directory_loaded) = enc.encode_both(&data.a);
    let (partner, partner_loaded) = enc.encode_both(&data.b);
    let setup = Setup::with(
        "model",
        BIG,
        &format!(
            r#""linkConfig": {}, "linkParams": {},"#,
            demo_link_config(),
            serde_json::to_string(&params).unwrap()
        ),
        "",
    );
    let svc = setup.start();
    svc.upload_all(COMPANY_KEY, &directory, 300);
    let upload = svc.upload_all(PARTNER_KEY, &partner, 300);
    let r = svc.run(PARTNER_KEY, &upload);
    assert_eq!(r.status, 200, "{}", r.text());
    let view = r.json();
    svc.stop();
    let got: Vec<(u64, f64, f64)> = view["links"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            let prior = l["explanation"]["priorWeight"].as_f64().unwrap();
            (
                l["row"].as_u64().unwrap(),
                l["probability"].as_f64().unwrap(),
                prior,
            )
        })
        .collect();

    // The same rows, the same model, in the core: the same links and
    // probabilities (to the last bits JSON keeps), and the model's prior in
    // every explanation.
    let mut direct = Linker::new(config).unwrap();
    direct.set_params(params.clone()).unwrap();
    let want = direct
        .link(&partner_loaded, &directory_loaded, &mut |_, _, _| {})
        .unwrap();
    let mut want: Vec<(u64, f64)> = want
        .links
        .iter()
        .map(|l| (l.a.parse().unwrap(), l.probability))
        .collect();
    want.sort_by_key(|w| w.0);
    assert!(want.len() > 100);
    let rows: Vec<u64> = got.iter().map(|g| g.0).collect();
    assert_eq!(rows, want.iter().map(|w| w.0).collect::<Vec<_>>());
    assert!(got
        .iter()
        .zip(&want)
        .all(|(g, w)| (g.1 - w.1).abs() < 1e-12));
    let prior_weight = (params.prior / (1.0 - params.prior)).log2();
    assert!(got.iter().all(|g| (g.2 - prior_weight).abs() < 1e-12));
}

/// The answer's header as a `pseudolink-job/2` job writes it, for the demo
/// project's comparisons.
fn answer_header() -> String {
    let config: Value = serde_json::from_str(&demo_link_config()).unwrap();
    let comparisons: Vec<Value> = config["comparisons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| json!({"name": c["name"], "labels": ["a", "b", "c", "d"], "tf": false}))
        .collect();
    json!({"protocol": "pseudolink-job/2", "engine": "duckdb", "prior": 0.01,
           "comparisons": comparisons})
    .to_string()
}

#[test]
fn linkage_an_engine_answer_that_is_wrong_or_cut_short_is_refused_and_refunded() {
    let header = answer_header();
    // (stand-in job, the failure the log names)
    let cases = [
        // Refused at its first line while the job still runs: stopped at
        // once, not left to the engine's timeout (an hour).
        (
            "cat > /dev/null\necho '{\"protocol\": \"pseudolink-job/1\"}'\nexec sleep 300\n"
                .to_owned(),
            "engine.answer",
        ),
        // A chunk's columns cut short, then the job fails.
        (
            format!(
                "cat > /dev/null\necho '{header}'\necho '{{\"rows\": 2}}'\nprintf 'abc'\nexit 3\n"
            ),
            "engine.failed",
        ),
        // A job that ends well without its end line: never decided.
        (
            format!("cat > /dev/null\necho '{header}'\nexit 0\n"),
            "engine.answer",
        ),
    ];
    let enc = Encoder::new();
    let data = link(&Config::new(5), 40, 0.5);
    let (directory, partner) = (enc.encode(&data.a), enc.encode(&data.b));
    for (i, (script, failure)) in cases.iter().enumerate() {
        let setup = scripted_engine(&format!("answer-{i}"), 1000, script);
        let svc = setup.start();
        svc.upload_all(COMPANY_KEY, &directory, 40);
        let upload = svc.upload_all(PARTNER_KEY, &partner, 40);
        let r = svc.run(PARTNER_KEY, &upload);
        assert_eq!(
            (r.status, r.error().as_str()),
            (503, "engine.unavailable"),
            "{failure}"
        );
        let runs = svc
            .get(&format!("/v1/projects/{PROJECT}/runs"), PARTNER_KEY)
            .json();
        assert_eq!(runs["runs"], json!([]), "refunded");
        let log = svc.stop();
        let line = log
            .lines()
            .find(|l| l.contains("engine.unavailable"))
            .unwrap_or_else(|| panic!("no log line for the refusal: {log}"));
        let line: Value = serde_json::from_str(line).unwrap();
        assert_eq!(line["runFailure"], *failure, "case {i}");
    }
}

#[test]
fn linkage_async_run_is_cancelled_the_engine_job_killed_and_the_run_refunded() {
    let setup = sleeping_engine("cancel", 1);
    let svc = setup.start();
    let upload = svc.small_uploads(13);
    let (run, path) = svc.start_run(&upload);
    // Wait until the engine job holds the run.
    let mut stage = String::new();
    for _ in 0..500 {
        let r = svc.get(&path, PARTNER_KEY);
        assert_eq!(r.status, 202, "{}", r.text());
        stage = r.json()["stage"].as_str().unwrap().to_owned();
        if stage == "engine" {
            assert_eq!(r.json()["status"], "running");
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert_eq!(stage, "engine");
    // The job has its own scratch directory, and has written to it.
    let scratch = |what: &str| -> Vec<PathBuf> {
        for _ in 0..200 {
            let dirs: Vec<PathBuf> = std::fs::read_dir(setup.tmp())
                .unwrap()
                .map(|e| e.unwrap().path())
                .collect();
            if what == "empty" && dirs.is_empty()
                || what == "written" && dirs.iter().any(|d| d.join("blocks").exists())
            {
                return dirs;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        panic!("the scratch directory never became {what}");
    };
    let dirs = scratch("written");
    assert_eq!(dirs.len(), 1);
    assert!(dirs[0]
        .file_name()
        .unwrap()
        .to_str()
        .unwrap()
        .starts_with("pseudolink-job-"));
    // Its day's one run is spent while it runs.
    let again = svc.run(PARTNER_KEY, &upload);
    assert_eq!(
        (again.status, again.error().as_str()),
        (429, "quota.exceeded")
    );

    let del = svc.call("DELETE", &path, PARTNER_KEY, "");
    assert_eq!(del.status, 200, "{}", del.text());
    assert_eq!(del.json(), json!({ "run": run, "status": "cancelled" }));
    // Cancelling twice is the same answer.
    assert_eq!(svc.call("DELETE", &path, PARTNER_KEY, "").status, 200);
    let gone = svc.get(&path, PARTNER_KEY);
    assert_eq!((gone.status, gone.error().as_str()), (410, "run.cancelled"));

    // The job was killed (the run ends long before the 300 s sleep would)
    // and nothing was stored.
    let line = svc.wait_for_log(|v| v["event"] == "run");
    assert_eq!(line["status"], "cancelled");
    assert!(line["error"].is_null(), "{line}");
    // The killed job's scratch, and what it wrote there, are gone.
    scratch("empty");
    let list = svc
        .get(&format!("/v1/projects/{PROJECT}/runs"), PARTNER_KEY)
        .json();
    assert_eq!(
        list["runs"],
        json!([{ "run": run, "party": "partner-acme", "status": "cancelled" }])
    );
    assert_eq!(svc.get(&path, COMPANY_KEY).status, 404);

    // Refunded: the day's one run can be started again.
    let r = svc.run_async(PARTNER_KEY, &upload);
    assert_eq!(r.status, 202, "{}", r.text());
    let second = r.json()["run"].as_str().unwrap().to_owned();
    let del = svc.call(
        "DELETE",
        &format!("/v1/projects/{PROJECT}/runs/{second}"),
        PARTNER_KEY,
        "",
    );
    assert_eq!(del.status, 200, "{}", del.text());
    let log = svc.stop();
    assert!(!log.contains(&upload), "an upload id reached the log");
}

#[test]
fn linkage_async_run_cancelled_while_queued_ends_at_once() {
    let setup = sleeping_engine("cancel-queued", 2);
    let svc = setup.start();
    let upload = svc.small_uploads(15);
    // The first run holds the one job slot (its engine never answers) ...
    let (_, first) = svc.start_run(&upload);
    for _ in 0..500 {
        if svc.get(&first, PARTNER_KEY).json()["stage"] == "engine" {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert_eq!(svc.get(&first, PARTNER_KEY).json()["stage"], "engine");
    // ... so the second waits for it.
    let (_, second) = svc.start_run(&upload);
    let r = svc.get(&second, PARTNER_KEY);
    assert_eq!(
        (r.status, r.json()["status"].clone()),
        (202, json!("queued"))
    );
    assert_eq!(svc.call("DELETE", &second, PARTNER_KEY, "").status, 200);
    // It ends now, not when the first run frees the slot.
    let line = svc.wait_for_log(|v| v["event"] == "run");
    assert_eq!(line["status"], "cancelled");
    assert_eq!(svc.get(&first, PARTNER_KEY).json()["status"], "running");
    assert_eq!(svc.call("DELETE", &first, PARTNER_KEY, "").status, 200);
}

#[test]
fn linkage_async_run_that_fails_answers_its_code_and_is_refunded() {
    let setup = engine_setup("async-down", 0, "/nonexistent/python3");
    let svc = setup.start();
    let upload = svc.small_uploads(14);
    let (run, path) = svc.start_run(&upload);
    let (failed, _) = svc.poll(&path, PARTNER_KEY);
    assert_eq!(
        (failed.status, failed.error().as_str()),
        (503, "engine.unavailable")
    );
    assert!(failed.header("retry-after").is_some());
    let del = svc.call("DELETE", &path, PARTNER_KEY, "");
    assert_eq!(
        (del.status, del.error().as_str()),
        (503, "engine.unavailable")
    );
    let list = svc
        .get(&format!("/v1/projects/{PROJECT}/runs"), PARTNER_KEY)
        .json();
    assert_eq!(
        list["runs"],
        json!([{ "run": run, "party": "partner-acme", "status": "failed" }])
    );
    let line = svc.wait_for_log(|v| v["event"] == "run");
    assert_eq!(line["status"], "failed");
    assert_eq!(line["error"], "engine.unavailable");
    assert_eq!(line["runFailure"], "engine.start");
}

#[test]
#[ignore = "needs the pseudolink wheel: scripts/python/test.sh runs it with PSEUDOLINK_TEST_PYTHON"]
fn linkage_a_project_model_reaches_the_splink_job() {
    let python = std::env::var("PSEUDOLINK_TEST_PYTHON")
        .expect("PSEUDOLINK_TEST_PYTHON: an interpreter with the pseudolink wheel and Splink");
    let enc = Encoder::new();
    let params = model_from_elsewhere(&enc);
    let data = link(&Config::new(11), 600, 0.5);
    let setup = Setup::with(
        "engine-model",
        BIG,
        &format!(
            r#""linkConfig": {}, "linkParams": {}, "engine": {{"kind": "duckdb", "minRecords": 1000}},"#,
            demo_link_config(),
            serde_json::to_string(&params).unwrap()
        ),
        &format!(r#""python": {},"#, json!(python)),
    );
    let svc = setup.start();
    svc.upload_all(COMPANY_KEY, &enc.encode(&data.a), 250);
    let upload = svc.upload_all(PARTNER_KEY, &enc.encode(&data.b), 250);
    let r = svc.run_async(PARTNER_KEY, &upload);
    assert_eq!(r.status, 202, "{}", r.text());
    let path = format!(
        "/v1/projects/{PROJECT}/runs/{}",
        r.json()["run"].as_str().unwrap()
    );
    let (r, _) = svc.poll(&path, PARTNER_KEY);
    assert_eq!(r.status, 200, "{}", r.text());
    let engine = svc.wait_for_log(|l| l["event"] == "run")["engine"].clone();
    svc.stop();
    assert_eq!(engine, "duckdb");
    // Scored with the given model: its prior in every explanation, and
    // each comparison's weight one of its levels' log2(m/u) (no term
    // frequencies in Splink's form of a given model).
    let links = r.json()["links"].as_array().unwrap().clone();
    assert!(links.len() > 200, "{}", links.len());
    let prior_weight = (params.prior / (1.0 - params.prior)).log2();
    let value = serde_json::to_value(&params).unwrap();
    for l in &links {
        let e = &l["explanation"];
        assert!((e["priorWeight"].as_f64().unwrap() - prior_weight).abs() < 1e-9);
        for (c, given) in e["contributions"]
            .as_array()
            .unwrap()
            .iter()
            .zip(value["comparisons"].as_array().unwrap())
        {
            let w = c["matchWeight"].as_f64().unwrap();
            let fits = c["level"] == "null"
                || given["levels"].as_array().unwrap().iter().any(|lvl| {
                    let (m, u) = (lvl["m"].as_f64().unwrap(), lvl["u"].as_f64().unwrap());
                    (w - (m / u).log2()).abs() < 1e-9
                });
            assert!(fits, "{c}");
        }
    }
}

#[test]
#[ignore = "needs the pseudolink wheel: scripts/python/test.sh runs it with PSEUDOLINK_TEST_PYTHON"]
fn linkage_sends_large_runs_to_splink_on_duckdb_and_spark_with_the_same_views() {
    let python = std::env::var("PSEUDOLINK_TEST_PYTHON")
        .expect("PSEUDOLINK_TEST_PYTHON: an interpreter with the pseudolink wheel and Splink");
    let enc = Encoder::new();
    let data = link(&Config::new(11), 600, 0.5);
    let directory = enc.encode(&data.a);
    let partner = enc.encode(&data.b);
    let row_of = |rows: &[Row], id: &str| rows.iter().position(|r| r.id == id).unwrap() as u64;
    let true_partner: HashSet<u64> = data.pairs.iter().map(|(_, b)| row_of(&data.b, b)).collect();

    // The same datasets through services whose engine takes this run
    // (1,200 records ≥ minRecords: DuckDB, then Spark local mode) and one
    // whose engine does not. Runs are started async and polled: a Spark
    // run takes minutes on two cores.
    let spark =
        r#", "spark": {"master": "local[2]", "driverMemory": "1g", "shufflePartitions": 2}"#;
    let mut views = Vec::new();
    for (name, kind, min, extra) in [
        ("engine-duckdb", "duckdb", 1_000, ""),
        ("engine-spark", "spark", 1_000, spark),
        ("engine-core", "duckdb", 1_000_000, ""),
    ] {
        let setup = Setup::with(
            name,
            BIG,
            &format!(
                r#""linkConfig": {}, "engine": {{"kind": "{kind}", "minRecords": {min}{extra}}},"#,
                demo_link_config()
            ),
            &format!(r#""python": {},"#, json!(python)),
        );
        let svc = setup.start();
        svc.upload_all(COMPANY_KEY, &directory, 250);
        let upload = svc.upload_all(PARTNER_KEY, &partner, 250);
        let r = svc.run_async(PARTNER_KEY, &upload);
        assert_eq!(r.status, 202, "{name}: {}", r.text());
        let path = format!(
            "/v1/projects/{PROJECT}/runs/{}",
            r.json()["run"].as_str().unwrap()
        );
        let (done, _) = svc.poll(&path, PARTNER_KEY);
        assert_eq!(done.status, 200, "{name}: {}", done.text());
        let dview = svc.get(&path, COMPANY_KEY);
        assert_eq!(dview.status, 200);
        let engine = svc.wait_for_log(|l| l["event"] == "run")["engine"].clone();
        svc.stop();
        views.push((engine, done.json(), dview.json()));
    }
    let engines: Vec<Option<&str>> = views.iter().map(|v| v.0.as_str()).collect();
    assert_eq!(engines, [Some("duckdb"), Some("spark"), Some("core")]);
    let (_, core, _) = &views[2];

    // The same view, field for field: partner rows, probabilities and
    // explanations with levels and weights in the configuration's order,
    // no similarities; the directory sees its own rows only.
    let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    let names: Vec<Value> = serde_json::from_str::<Value>(&demo_link_config()).unwrap()
        ["comparisons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].clone())
        .collect();
    let core_rows = partner_rows(core);
    let core_hits = core_rows.intersection(&true_partner).count() as f64;
    for (engine, splink, splink_dir) in &views[..2] {
        assert_eq!(keys(splink), keys(core));
        let links = splink["links"].as_array().unwrap();
        assert_eq!(splink["linked"], links.len());
        for l in links {
            assert_eq!(keys(l), ["explanation", "probability", "row"]);
            assert!(l["probability"].as_f64().unwrap() >= 0.5);
            let e = &l["explanation"];
            let got: Vec<Value> = e["contributions"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["comparison"].clone())
                .collect();
            assert_eq!(got, names);
            for c in e["contributions"].as_array().unwrap() {
                assert!(c["similarity"].is_null(), "{c}");
                assert!(c["level"].is_string() && c["matchWeight"].is_number());
            }
            // The bars add up to the total, as the portal's waterfall draws it.
            let sum: f64 = e["priorWeight"].as_f64().unwrap()
                + e["contributions"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|c| c["matchWeight"].as_f64().unwrap())
                    .sum::<f64>();
            assert!(
                (sum - e["matchWeight"].as_f64().unwrap()).abs() < 1e-6,
                "{e}"
            );
        }
        assert_eq!(keys(splink_dir), ["links", "party", "rows", "run"]);
        assert_eq!(splink_dir["rows"], links.len());
        let rows = partner_rows(splink);
        assert_eq!(rows.len(), links.len(), "one-to-one");

        // As good as the core linker on the same data, and mostly the same rows.
        let hits = rows.intersection(&true_partner).count() as f64;
        let (precision, recall) = (hits / rows.len() as f64, hits / true_partner.len() as f64);
        assert!(
            precision >= 0.95 && recall >= 0.80,
            "{engine}: P {precision} R {recall}"
        );
        let common = rows.intersection(&core_rows).count() as f64;
        let jaccard = common / rows.union(&core_rows).count() as f64;
        eprintln!(
            "splink ({engine}): P {precision:.4} R {recall:.4}; core: P {:.4} R {:.4}; rows in common {jaccard:.4}",
            core_hits / core_rows.len() as f64,
            core_hits / true_partner.len() as f64
        );
        assert!(
            jaccard >= 0.9,
            "{engine} and the core agree on {jaccard} of the linked rows"
        );
    }
    // DuckDB and Spark run the same Splink job: the same linked rows.
    let (duck_rows, spark_rows) = (partner_rows(&views[0].1), partner_rows(&views[1].1));
    let same = duck_rows.intersection(&spark_rows).count() as f64
        / duck_rows.union(&spark_rows).count() as f64;
    assert!(
        same >= 0.95,
        "duckdb and spark agree on {same} of the linked rows"
    );
}

#[test]
fn linkage_quota_and_rate_refusals() {
    let setup = Setup::new(
        "quota",
        r#""maxRecords": 4, "recordsPerDay": 6, "runsPerDay": 1, "ratePerSecond": 1000, "burst": 1000"#,
    );
    let svc = setup.start();
    let enc = Encoder::new();
    let data = link(&Config::new(3), 8, 0.5);
    let records = enc.encode(&data.b);
    svc.upload_all(COMPANY_KEY, &enc.encode(&data.a), 8);

    // maxRecords per upload.
    let upload = svc.new_upload(PARTNER_KEY);
    assert_eq!(
        svc.put_chunk(PARTNER_KEY, &upload, 0, &chunk_body(&records[0..3]))
            .status,
        200
    );
    let r = svc.put_chunk(PARTNER_KEY, &upload, 1, &chunk_body(&records[3..5]));
    assert_eq!(
        (r.status, r.error().as_str()),
        (413, "upload.too_many_records")
    );
    assert_eq!(
        svc.put_chunk(PARTNER_KEY, &upload, 1, &chunk_body(&records[3..4]))
            .status,
        200
    );
    assert_eq!(svc.commit(PARTNER_KEY, &upload, 2).status, 200);
    // recordsPerDay: 4 stored, 2 more allowed today.
    let second = svc.new_upload(PARTNER_KEY);
    let r = svc.put_chunk(PARTNER_KEY, &second, 0, &chunk_body(&records[4..7]));
    assert_eq!((r.status, r.error().as_str()), (429, "quota.exceeded"));
    let wait: u64 = r.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=86_400).contains(&wait));
    assert_eq!(
        svc.put_chunk(PARTNER_KEY, &second, 0, &chunk_body(&records[4..6]))
            .status,
        200
    );
    let usage = svc
        .get(&format!("/v1/projects/{PROJECT}"), PARTNER_KEY)
        .json()["usage"]
        .clone();
    assert_eq!(usage, json!({"recordsToday": 6, "runsToday": 0}));
    // runsPerDay.
    assert_eq!(svc.run(PARTNER_KEY, &upload).status, 200);
    let r = svc.run(PARTNER_KEY, &upload);
    assert_eq!((r.status, r.error().as_str()), (429, "quota.exceeded"));
    assert!(r.header("retry-after").is_some());

    // The request rate: a bucket of 3, refilled at one per 1000 s.
    let info = format!("/v1/projects/{PROJECT}");
    for _ in 0..3 {
        assert_eq!(svc.get(&info, SLOW_KEY).status, 200);
    }
    let r = svc.get(&info, SLOW_KEY);
    assert_eq!((r.status, r.error().as_str()), (429, "rate.limited"));
    assert!(r.header("retry-after").unwrap().parse::<u64>().unwrap() >= 1);
    // Other parties are not slowed by it.
    assert_eq!(svc.get(&info, PARTNER_KEY).status, 200);
    drop(svc);

    // Daily counters are in the store: a restart does not reset them.
    let svc = setup.start();
    let r = svc.run(PARTNER_KEY, &upload);
    assert_eq!((r.status, r.error().as_str()), (429, "quota.exceeded"));
    let third = svc.new_upload(PARTNER_KEY);
    let r = svc.put_chunk(PARTNER_KEY, &third, 0, &chunk_body(&records[6..7]));
    assert_eq!((r.status, r.error().as_str()), (429, "quota.exceeded"));
}

/// Every byte string that must not be in a stolen store: each token (its
/// text, its tag's base64url and raw bytes) and each CLK (base64 and raw).
fn secrets_of(records: &[Value]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for r in records {
        for t in r["tokens"]
            .as_array()
            .unwrap()
            .iter()
            .chain(r["matchKeys"].as_array().unwrap())
        {
            let t = t.as_str().unwrap();
            let parsed = Token::parse(t).unwrap();
            out.push(t.as_bytes().to_vec());
            out.push(t.rsplit('.').next().unwrap().as_bytes().to_vec());
            out.push(parsed.tag.to_vec());
        }
        for c in r["clks"].as_object().unwrap().values() {
            let c = c.as_str().unwrap();
            out.push(c.as_bytes().to_vec());
            let raw = pseudolink::link::EncodedRecord::from_json(
                &json!({"id": "x", "clks": {"k": c}}).to_string(),
            )
            .unwrap()
            .clks["k"]
                .clone();
            // Raw bytes too (a CLK of a short field can be mostly zero
            // bytes: only those with enough set bytes are distinctive).
            if raw.iter().filter(|&&b| b != 0).count() >= 16 {
                out.push(raw);
            }
        }
    }
    out
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// The first of `needles` (each at least 8 bytes) found in `haystack`, if any.
/// One pass keyed by each needle's first 8 bytes: the naive search per needle
/// took 40 s of this debug-built test over a store of a few hundred KB.
fn find_any<'a>(haystack: &[u8], needles: &'a [Vec<u8>]) -> Option<&'a [u8]> {
    let mut by_prefix: HashMap<[u8; 8], Vec<&[u8]>> = HashMap::new();
    for n in needles {
        by_prefix
            .entry(n[..8].try_into().unwrap())
            .or_default()
            .push(n);
    }
    haystack.windows(8).enumerate().find_map(|(at, w)| {
        by_prefix
            .get(w)?
            .iter()
            .find(|n| haystack[at..].starts_with(n))
            .copied()
    })
}

#[test]
fn linkage_store_survives_restart_and_kill_9_and_a_stolen_copy_holds_nothing() {
    let setup = Setup::new("durable", BIG);
    let enc = Encoder::new();
    let data = link(&Config::new(17), 60, 0.5);
    let directory = enc.encode(&data.a);
    let partner = enc.encode(&data.b);

    let svc = setup.start();
    svc.upload_all(COMPANY_KEY, &directory, 20);
    let upload = svc.upload_all(PARTNER_KEY, &partner[..30], 10);
    let first = svc.run(PARTNER_KEY, &upload);
    assert_eq!(first.status, 200, "{}", first.text());
    let run = first.json()["run"].as_str().unwrap().to_owned();
    svc.stop();

    // A clean restart on the same file: uploads and results are there.
    let svc = setup.start();
    let s = svc
        .get(
            &format!("/v1/projects/{PROJECT}/uploads/{upload}"),
            PARTNER_KEY,
        )
        .json();
    assert_eq!(
        (s["records"].as_u64(), s["committed"].as_bool()),
        (Some(30), Some(true))
    );
    let again = svc.get(&format!("/v1/projects/{PROJECT}/runs/{run}"), PARTNER_KEY);
    assert_eq!(again.body, first.body);

    // Chunks acknowledged, then kill -9 at once: every one survives.
    let open = svc.new_upload(PARTNER_KEY);
    for (i, c) in partner[30..].chunks(5).enumerate() {
        assert_eq!(
            svc.put_chunk(PARTNER_KEY, &open, i, &chunk_body(c)).status,
            200
        );
    }
    svc.kill9();
    let wal = PathBuf::from(format!("{}-wal", setup.db().display()));
    let mut stolen = std::fs::read(setup.db()).unwrap();
    stolen.extend(std::fs::read(&wal).unwrap_or_default());
    assert!(stolen.len() > 4096);

    let svc = setup.start();
    let s = svc
        .get(
            &format!("/v1/projects/{PROJECT}/uploads/{open}"),
            PARTNER_KEY,
        )
        .json();
    assert_eq!(s["chunks"].as_array().unwrap().len(), 6, "{s}");
    assert_eq!(s["records"], 30);
    // Re-sending an acknowledged chunk after the crash is a duplicate.
    let r = svc.put_chunk(PARTNER_KEY, &open, 0, &chunk_body(&partner[30..35]));
    assert_eq!(r.json()["duplicate"], true);
    assert_eq!(svc.commit(PARTNER_KEY, &open, 6).status, 200);
    let r = svc.run(PARTNER_KEY, &open);
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["rows"], 30);
    svc.stop();

    // The stolen store: the database and its WAL as they were on disk after
    // kill -9, and again after a clean stop. No token and no CLK in any form.
    let mut after = std::fs::read(setup.db()).unwrap();
    after.extend(std::fs::read(&wal).unwrap_or_default());
    let secrets = secrets_of(&directory)
        .into_iter()
        .chain(secrets_of(&partner))
        .collect::<Vec<_>>();
    assert!(secrets.len() > 500);
    assert!(secrets.iter().all(|s| s.len() >= 8));
    // The search finds what is there (a secret planted mid-buffer).
    let planted = [&after[..100], &secrets[secrets.len() / 2], &after[100..]].concat();
    assert!(find_any(&planted, &secrets).is_some());
    for bytes in [&stolen, &after] {
        assert!(!contains(bytes, b"po1."), "token text in the store");
        assert!(
            find_any(bytes, &secrets).is_none(),
            "an encoding is readable in the store"
        );
    }
    // The sealed rows are there, and do not open without the store key: the
    // same file with another key is refused at start.
    let conn = rusqlite::Connection::open(setup.db()).unwrap();
    let n: i64 = conn
        .query_row("SELECT COUNT(*) FROM chunks", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 3 + 3 + 6);
    drop(conn);
    std::fs::write(setup.dir.join("store.key"), "6b".repeat(32)).unwrap();
    let out = setup.command().output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("store key does not open this store"), "{err}");
    assert!(!err.contains(STORE_KEY) && !err.contains(&"6b".repeat(32)));
}
