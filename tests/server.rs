//! The demo server, end to end: the real binary on port 0, spoken to with a
//! tiny HTTP/1.1 client over std's TcpStream (no extra dev-dependency).
#![cfg(feature = "server")]
// Test helpers outside #[test] fns: failing loudly is their job.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod http_client;

use http_client::{get as http_get, Response};
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// A running server, killed on drop if a test fails before stopping it.
struct Server {
    child: Child,
    addr: String,
    dir: PathBuf,
}

impl Server {
    /// Starts the binary on a free port over fresh `www/` and `pkg/` directories.
    fn start(name: &str) -> Server {
        let dir = std::env::temp_dir().join(format!(
            "pseudolink-server-test-{name}-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("www/sub")).unwrap();
        std::fs::create_dir_all(dir.join("pkg")).unwrap();
        std::fs::write(dir.join("www/index.html"), INDEX_HTML).unwrap();
        std::fs::write(dir.join("www/sub/index.html"), "<!doctype html><p>sub</p>").unwrap();
        std::fs::write(dir.join("www/app.js"), "export const x = 1;\n").unwrap();
        std::fs::write(dir.join("pkg/pseudolink.js"), "export default 1;\n").unwrap();
        std::fs::write(dir.join("pkg/pseudolink_bg.wasm"), WASM_HEADER).unwrap();

        let mut child = Command::new(env!("CARGO_BIN_EXE_pseudolink-server"))
            .args(["--port", "0", "--www"])
            .arg(dir.join("www"))
            .arg("--pkg")
            .arg(dir.join("pkg"))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let addr = line
            .trim()
            .strip_prefix("listening on http://")
            .unwrap_or_else(|| panic!("unexpected first line: {line:?}"))
            .to_owned();
        assert!(addr.starts_with("127.0.0.1:"), "{addr}");
        Server { child, addr, dir }
    }

    fn get(&self, path: &str) -> Response {
        http_get(&self.addr, path)
    }

    /// SIGTERM, then the exit status and everything the server wrote to stderr.
    fn stop(mut self) -> (bool, String) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let exit = self.child.wait().unwrap();
        let mut log = String::new();
        self.child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut log)
            .unwrap();
        (exit.success(), log)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

const INDEX_HTML: &str = "<!doctype html><html><head>\
<script type=\"importmap\">{\"imports\":{\"pseudolink\":\"/pkg/pseudolink.js\"}}</script>\
<script type=\"module\" src=\"app.js\"></script></head><body>hi</body></html>";

/// The 8-byte header of an empty WebAssembly module.
const WASM_HEADER: &[u8] = b"\0asm\x01\0\0\0";

#[test]
fn server_healthz_is_json_ok() {
    let srv = Server::start("healthz");
    let r = srv.get("/healthz");
    assert_eq!(r.status, 200);
    assert!(r
        .header("content-type")
        .unwrap()
        .starts_with("application/json"));
    let body = String::from_utf8(r.body).unwrap();
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["status"], "ok");
    assert_eq!(v["version"], env!("CARGO_PKG_VERSION"));
}

#[test]
fn server_html_has_security_headers() {
    let srv = Server::start("html");
    let r = srv.get("/");
    assert_eq!(r.status, 200);
    assert!(r.header("content-type").unwrap().starts_with("text/html"));
    assert_eq!(r.body, INDEX_HTML.as_bytes());
    assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(r.header("referrer-policy"), Some("no-referrer"));
    assert_eq!(r.header("cache-control"), Some("no-cache"));
    let csp = r.header("content-security-policy").unwrap();
    assert!(
        csp.contains("script-src 'self' 'wasm-unsafe-eval' 'sha256-"),
        "{csp}"
    );
    assert!(csp.contains("default-src 'none'"), "{csp}");
    assert!(!csp.contains("unsafe-inline"), "{csp}");

    // Directory index.
    let sub = srv.get("/sub/");
    assert_eq!(sub.status, 200);
    assert!(sub.header("content-security-policy").is_some());
}

#[test]
fn server_pkg_content_types() {
    let srv = Server::start("pkg");
    let wasm = srv.get("/pkg/pseudolink_bg.wasm");
    assert_eq!(wasm.status, 200);
    assert_eq!(wasm.header("content-type"), Some("application/wasm"));
    assert_eq!(wasm.body, WASM_HEADER);
    assert_eq!(wasm.header("cache-control"), Some("no-cache"));
    assert_eq!(wasm.header("x-content-type-options"), Some("nosniff"));
    assert!(wasm.header("content-security-policy").is_none());

    let js = srv.get("/pkg/pseudolink.js");
    assert_eq!(js.status, 200);
    assert!(js.header("content-type").unwrap().contains("javascript"));

    assert_eq!(srv.get("/pkg/missing.js").status, 404);
    assert_eq!(srv.get("/missing.html").status, 404);
}

#[test]
fn server_logs_routes_without_paths_or_query_and_stops_on_sigterm() {
    let srv = Server::start("log");
    let marker = "someone%40example.com";
    assert_eq!(srv.get(&format!("/app.js?email={marker}")).status, 200);
    assert_eq!(srv.get(&format!("/lookup/{marker}")).status, 404);
    assert_eq!(srv.get("/pkg/pseudolink.js").status, 200);
    assert_eq!(srv.get("/healthz").status, 200);
    let (clean_exit, log) = srv.stop();
    assert!(clean_exit, "exit after SIGTERM; log:\n{log}");
    // Route templates, never the path the client sent.
    assert!(log.contains("GET static 200"), "{log}");
    assert!(log.contains("GET static 404"), "{log}");
    assert!(log.contains("GET /pkg/* 200"), "{log}");
    assert!(log.contains("GET /healthz 200"), "{log}");
    assert!(!log.contains("app.js"), "path logged:\n{log}");
    assert!(!log.contains("lookup"), "path logged:\n{log}");
    assert!(!log.contains("example.com"), "query string logged:\n{log}");
    assert!(!log.contains("email"), "query string logged:\n{log}");
}

#[test]
fn server_rejects_bad_arguments() {
    let out = Command::new(env!("CARGO_BIN_EXE_pseudolink-server"))
        .args(["--port", "not-a-port"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let missing = Command::new(env!("CARGO_BIN_EXE_pseudolink-server"))
        .args(["--port", "0", "--www"])
        .arg(Path::new("/nonexistent/www"))
        .output()
        .unwrap();
    assert!(!missing.status.success());
    assert!(missing.stdout.is_empty());
}

#[test]
fn server_serves_the_staff_console_only_on_its_own_listener() {
    let dir = std::env::temp_dir().join(format!("pseudolink-console-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("www/console")).unwrap();
    std::fs::create_dir_all(dir.join("pkg")).unwrap();
    std::fs::write(dir.join("www/index.html"), INDEX_HTML).unwrap();
    std::fs::write(dir.join("www/console/directory.json"), "{\"company\":1}").unwrap();
    std::fs::write(dir.join("pkg/pseudolink.js"), "export default 1;\n").unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_pseudolink-server"))
        .args(["--port", "0", "--console-port", "0", "--www"])
        .arg(dir.join("www"))
        .arg("--pkg")
        .arg(dir.join("pkg"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = |prefix: &str| {
        let mut l = String::new();
        out.read_line(&mut l).unwrap();
        l.trim()
            .strip_prefix(prefix)
            .unwrap_or_else(|| panic!("unexpected line: {l:?}"))
            .to_owned()
    };
    let pages = line("listening on http://");
    let console = line("console listening on http://");

    // The public pages: the console and its directory do not exist there,
    // however the path is spelled.
    for path in [
        "/console/directory.json",
        "/console/",
        "//console/directory.json",
        "/%63onsole/directory.json",
    ] {
        let r = http_get(&pages, path);
        assert_eq!(r.status, 404, "{path}");
        assert!(!r.text().contains("company"), "{path}");
    }
    assert_eq!(http_get(&pages, "/").status, 200);
    // The staff origin serves it.
    let r = http_get(&console, "/console/directory.json");
    assert_eq!(r.status, 200);
    assert!(r.text().contains("company"));

    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&dir);
}
