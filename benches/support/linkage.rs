//! The real linkage service for benchmarks: `pseudolink-server --linkage`
//! spawned on ephemeral ports with the demo's config (a fresh store key,
//! the caller's edits), and its HTTP API as the company and a partner use
//! it. Shared by the attack benchmark's stolen store and `job_answer`.
#![allow(dead_code)]

#[path = "../../tests/http_client/mod.rs"]
pub mod http_client;

use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

pub const PROJECT: &str = "demo-partners";
pub const COMPANY_KEY: &str = "sk_demo_company_linkage_not_secret";
pub const PARTNER_KEY: &str = "pk_demo_partner_linkage_not_secret";

/// The server binary next to the bench's own build: release, else debug.
pub fn server_binary() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    // target/<profile>/deps/<bench>-<hash>
    let target = exe.parent()?.parent()?.parent()?;
    ["release", "debug"]
        .iter()
        .map(|p| target.join(p).join("pseudolink-server"))
        .find(|p| p.is_file())
}

/// How to get the binary, when it is missing.
pub const BUILD_HINT: &str =
    "cargo build --release --features server --bin pseudolink-server (or without --release)";

/// Writes a config like the demo's (demo/linkage/linkage.json) with a fresh
/// store key into `dir`, after `edit` has had its say.
pub fn setup(dir: &Path, edit: impl FnOnce(&mut Value)) -> Result<(), String> {
    let io = |e: std::io::Error| e.to_string();
    std::fs::create_dir_all(dir.join("www")).map_err(io)?;
    std::fs::create_dir_all(dir.join("pkg")).map_err(io)?;
    std::fs::write(dir.join("www/index.html"), "<!doctype html>").map_err(io)?;
    let key: String = (0..32)
        .map(|i| format!("{:02x}", (i * 37 + 11) % 256))
        .collect();
    std::fs::write(dir.join("store.key"), key).map_err(io)?;
    let demo = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("demo/linkage/linkage.json"),
    )
    .map_err(io)?;
    let mut config: Value = serde_json::from_str(&demo).map_err(|e| e.to_string())?;
    config["storeKeyFile"] = json!("store.key");
    edit(&mut config);
    std::fs::write(dir.join("linkage.json"), config.to_string()).map_err(io)
}

/// A running service; killed when dropped.
pub struct Service {
    pub child: Child,
    pub addr: String,
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts the service on `dir`'s config and store.
pub fn start(bin: &Path, dir: &Path) -> Result<Service, String> {
    let mut child = Command::new(bin)
        .args(["--port", "0", "--linkage-port", "0", "--www"])
        .arg(dir.join("www"))
        .arg("--pkg")
        .arg(dir.join("pkg"))
        .arg("--linkage")
        .arg(dir.join("linkage.json"))
        .arg("--linkage-db")
        .arg(dir.join("store/linkage.sqlite"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| e.to_string())?;
    let out = child.stdout.take().ok_or("no stdout")?;
    let mut service = Service {
        child,
        addr: String::new(),
    };
    let mut lines = BufReader::new(out).lines();
    for line in lines.by_ref() {
        let line = line.map_err(|e| e.to_string())?;
        if let Some(a) = line.trim().strip_prefix("linkage listening on http://") {
            service.addr = a.to_owned();
            break;
        }
    }
    if service.addr.is_empty() {
        return Err("the server printed no linkage address".into());
    }
    Ok(service)
}

impl Service {
    /// One request with the party's key; `extra` headers after it.
    pub fn request(
        &self,
        method: &str,
        path: &str,
        key: &str,
        body: &str,
        extra: &[(&str, &str)],
    ) -> http_client::Response {
        let auth = format!("Bearer {key}");
        let mut headers = vec![("Authorization", auth.as_str())];
        if !body.is_empty() {
            headers.push(("Content-Type", "application/json"));
        }
        headers.extend_from_slice(extra);
        http_client::request(&self.addr, method, path, &headers, body)
    }

    /// A request that must succeed: its JSON body.
    pub fn call(&self, method: &str, path: &str, key: &str, body: &str) -> Result<Value, String> {
        let r = self.request(method, path, key, body, &[]);
        if !(200..300).contains(&r.status) {
            return Err(format!("{method} {path}: {} {}", r.status, r.text()));
        }
        serde_json::from_slice(&r.body).map_err(|e| e.to_string())
    }

    /// Uploads `records` (the wire form) in chunks of `chunk` and commits:
    /// the upload's id.
    pub fn upload(&self, key: &str, records: &[Value], chunk: usize) -> Result<String, String> {
        let base = format!("/v1/projects/{PROJECT}/uploads");
        let up = self.call("POST", &base, key, "")?;
        let id = up["upload"].as_str().ok_or("no upload id")?.to_owned();
        let chunks: Vec<&[Value]> = records.chunks(chunk).collect();
        for (i, c) in chunks.iter().enumerate() {
            let body = json!({ "records": c });
            self.call(
                "PUT",
                &format!("{base}/{id}/chunks/{i}"),
                key,
                &body.to_string(),
            )?;
        }
        let body = json!({ "chunks": chunks.len() }).to_string();
        self.call("POST", &format!("{base}/{id}/commit"), key, &body)?;
        Ok(id)
    }
}
