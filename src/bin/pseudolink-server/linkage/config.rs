//! The linkage service's configuration: a JSON file, then environment
//! overrides.
//!
//! ```json
//! {
//!   "port": 8082,
//!   "storeKeyFile": "store.key",
//!   "maxBodyBytes": 4194304,
//!   "maxChunkRecords": 1000,
//!   "projects": [{
//!     "id": "demo-partners",
//!     "tokenSubjects": ["email", "phone", "dateOfBirth", "mk-nameDob"],
//!     "tokenKeyVersions": ["demo-2026a", "demo-2026b"],
//!     "clk": {"keys": ["firstName", "lastName", "record"], "bytes": 128},
//!     "encoding": {"clkSchema": "default", "hardening": {"diffusion": 8}},
//!     "linkConfig": {"blocking": {"lsh": [{"clk": "record"}, {"clk": "lastName"}]}, "comparisons": [...]},
//!     "directoryParty": "company",
//!     "parties": [
//!       {"id": "company", "apiKeySha256": "<64 hex>", "origins": [], "maxRecords": 200000,
//!        "recordsPerDay": 1000000, "runsPerDay": 1000, "ratePerSecond": 50, "burst": 200},
//!       {"id": "partner-acme", "apiKeySha256": "<64 hex>", "origins": ["pages"],
//!        "maxRecords": 10000, "recordsPerDay": 20000, "runsPerDay": 20,
//!        "ratePerSecond": 20, "burst": 100, "revoked": false}
//!     ]
//!   }]
//! }
//! ```
//!
//! `storeKeyFile` holds the 32-byte key that seals everything encoded the
//! service stores, as 64 hex digits (`openssl rand -hex 32`); a relative
//! path is taken from the config file's directory. `encoding` is opaque to
//! the service: it is handed to the parties so that they encode alike.
//! `linkConfig` (optional; the JSON of `Linker`'s configuration) must suit
//! that encoding: diffused CLKs need the lower Dice thresholds and the extra
//! last-name LSH measured in BENCHMARKS.md ("CLK hardening").
//! `linkParams` (optional; a `Linker`'s parameters, as `Linker.params()` or
//! `pseudolink.splink.params_from_splink` give them, for `linkConfig`'s
//! comparisons) scores every run with that model instead of training one on
//! the run's two datasets: a model trained at scale (Splink, or a `Linker`
//! on a large sample) and loaded where the partners' runs are linked.
//! `engine` (optional) sends a project's large runs to Splink (`engine.rs`:
//! `{"kind": "duckdb", "minRecords": 100000}`), run by the
//! interpreter `python` names (top level; default `python3`), which must
//! have the `pseudolink` wheel installed.
//! Overrides: `PSEUDOLINK_LINKAGE_STORE_KEY_FILE` (the key file's path),
//! `PSEUDOLINK_LINKAGE_PORT`, `PSEUDOLINK_LINKAGE_PYTHON`. Errors name the file and the rule, never a key.

use std::path::{Path, PathBuf};

use pseudolink::link::{LinkConfig, Linker, ModelParams};
use serde::Deserialize;
use zeroize::Zeroizing;

use super::engine::{check, Engine, EngineSpec};
use crate::credentials::{decode_hex32, valid_origin};

/// An origin entry standing for the pages served by the same process.
pub const PAGES_ORIGIN: &str = "pages";

/// An origin entry standing for the staff console served by the same
/// process (`--console-port`): the company's own origin, not the pages'.
pub const CONSOLE_ORIGIN: &str = "console";

/// Default port: next to the pages' 8080 and the key server's 8081.
pub const DEFAULT_PORT: u16 = 8082;

/// Store key length in bytes.
pub const STORE_KEY_BYTES: usize = 32;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct File {
    #[serde(default, rename = "//")]
    _comment: Option<serde_json::Value>,
    #[serde(default)]
    port: Option<u16>,
    store_key_file: PathBuf,
    #[serde(default = "default_max_body")]
    max_body_bytes: usize,
    #[serde(default = "default_max_chunk_records")]
    max_chunk_records: usize,
    /// The interpreter with the `pseudolink` wheel, for projects with an
    /// `engine` (default `python3` on PATH).
    #[serde(default)]
    python: Option<PathBuf>,
    projects: Vec<ProjectEntry>,
}

fn default_max_body() -> usize {
    4 * 1024 * 1024
}
fn default_max_chunk_records() -> usize {
    1000
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ProjectEntry {
    #[serde(default, rename = "//")]
    _comment: Option<serde_json::Value>,
    id: String,
    token_subjects: Vec<String>,
    token_key_versions: Vec<String>,
    clk: ClkSpec,
    #[serde(default)]
    encoding: serde_json::Value,
    /// The linker's configuration (as `Linker`'s JSON); default: `LinkConfig::default()`.
    #[serde(default)]
    link_config: Option<serde_json::Value>,
    /// A model for every run (a `Linker`'s parameters); default: each run trains.
    #[serde(default)]
    link_params: Option<serde_json::Value>,
    /// Large runs on Splink (see `engine.rs`); default: every run in the core.
    #[serde(default)]
    engine: Option<EngineSpec>,
    directory_party: String,
    parties: Vec<PartyEntry>,
}

/// The CLKs a project's records may carry: which keys, how many bytes each.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ClkSpec {
    pub keys: Vec<String>,
    pub bytes: usize,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct PartyEntry {
    id: String,
    api_key_sha256: String,
    #[serde(default)]
    origins: Vec<String>,
    max_records: u64,
    records_per_day: u64,
    runs_per_day: u64,
    rate_per_second: f64,
    burst: u32,
    #[serde(default)]
    revoked: bool,
}

/// A party of a project: its credential, browser origins and limits.
#[derive(Debug, Clone)]
pub struct Party {
    pub id: String,
    pub api_key_sha256: [u8; 32],
    pub origins: Vec<String>,
    /// Most records one upload may hold.
    pub max_records: u64,
    /// Most new records stored per UTC day (every upload counts).
    pub records_per_day: u64,
    /// Most runs per UTC day.
    pub runs_per_day: u64,
    /// Requests per second (token bucket) and the bucket's size.
    pub rate_per_second: f64,
    pub burst: u32,
    pub revoked: bool,
}

/// A linking project: what its records may hold, who takes part.
#[derive(Debug, Clone)]
pub struct Project {
    pub id: String,
    pub token_subjects: Vec<String>,
    pub token_key_versions: Vec<String>,
    pub clk: ClkSpec,
    pub encoding: serde_json::Value,
    /// How its runs link: the encoding decides (diffused CLKs need lower
    /// Dice thresholds and more LSH than plain ones; see BENCHMARKS.md).
    pub link_config: LinkConfig,
    /// The model its runs are scored with, when given (else each run trains).
    pub link_params: Option<ModelParams>,
    /// Where its large runs are scored (none: every run in the core).
    pub engine: Option<Engine>,
    pub directory_party: String,
    pub parties: Vec<Party>,
}

/// The validated configuration.
pub struct Config {
    pub port: u16,
    pub store_key: Zeroizing<[u8; STORE_KEY_BYTES]>,
    pub max_body_bytes: usize,
    pub max_chunk_records: usize,
    pub projects: Vec<Project>,
}

/// Ids of projects and parties: what URLs and logs may carry.
fn valid_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Token subjects: field wire names (`email`) or match keys (`mk-nameDob`).
fn valid_subject(s: &str) -> bool {
    !s.is_empty() && s.len() <= 64 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

impl Config {
    /// Reads `path`, applies the environment and checks every rule.
    pub fn load(path: &Path) -> Result<Config, String> {
        let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("linkage config {}: {e}", path.display()))?;
        let file: File = serde_json::from_str(&text)
            .map_err(|e| format!("linkage config {}: {e}", path.display()))?;
        let port = match env("PSEUDOLINK_LINKAGE_PORT") {
            Some(p) => p
                .parse()
                .map_err(|_| "PSEUDOLINK_LINKAGE_PORT: not a port number".to_owned())?,
            None => file.port.unwrap_or(DEFAULT_PORT),
        };
        let key_path = match env("PSEUDOLINK_LINKAGE_STORE_KEY_FILE") {
            Some(p) => PathBuf::from(p),
            None => path
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or_default()
                .join(&file.store_key_file),
        };
        let store_key = read_key(&key_path)?;
        if file.max_chunk_records == 0 || file.max_chunk_records > 100_000 {
            return Err("maxChunkRecords must be 1-100000".to_owned());
        }
        if file.max_body_bytes < 1024 {
            return Err("maxBodyBytes must be at least 1024".to_owned());
        }
        let python = env("PSEUDOLINK_LINKAGE_PYTHON")
            .map(PathBuf::from)
            .or(file.python)
            .unwrap_or_else(|| PathBuf::from("python3"));
        let mut projects: Vec<Project> = Vec::new();
        for p in file.projects {
            projects.push(project(p, &python)?);
            let id = &projects[projects.len() - 1].id;
            if projects.iter().filter(|o| &o.id == id).count() > 1 {
                return Err(format!("project id {id:?} is repeated"));
            }
        }
        if projects.is_empty() {
            return Err("no projects: nothing could be linked".to_owned());
        }
        Ok(Config {
            port,
            store_key,
            max_body_bytes: file.max_body_bytes,
            max_chunk_records: file.max_chunk_records,
            projects,
        })
    }
}

fn project(p: ProjectEntry, python: &Path) -> Result<Project, String> {
    if !valid_id(&p.id) {
        return Err(format!(
            "project id {:?}: must be 1-64 of A-Z a-z 0-9 _ -",
            p.id
        ));
    }
    let id = &p.id;
    if p.token_subjects.iter().any(|s| !valid_subject(s)) {
        return Err(format!(
            "project {id}: tokenSubjects are field names or mk-<name>"
        ));
    }
    if p.token_key_versions.is_empty()
        || p.token_key_versions
            .iter()
            .any(|v| pseudolink::KeyId::new(v).is_err())
    {
        return Err(format!(
            "project {id}: tokenKeyVersions must be key versions (1-32 of A-Z a-z 0-9 _ -)"
        ));
    }
    if p.clk.bytes == 0 || p.clk.bytes > 4096 || p.clk.keys.iter().any(|k| !valid_subject(k)) {
        return Err(format!(
            "project {id}: clk.bytes must be 1-4096 and clk.keys field names or record"
        ));
    }
    let mut parties: Vec<Party> = Vec::new();
    for e in p.parties {
        let hash = decode_hex32(&e.api_key_sha256).ok_or_else(|| {
            format!(
                "project {id}, party {}: apiKeySha256 must be 64 hex digits",
                e.id
            )
        })?;
        if !valid_id(&e.id) || parties.iter().any(|o| o.id == e.id) {
            return Err(format!(
                "project {id}: party id {:?} is invalid or repeated",
                e.id
            ));
        }
        for o in &e.origins {
            if o != PAGES_ORIGIN && o != CONSOLE_ORIGIN && !valid_origin(o) {
                return Err(format!(
                    "project {id}, party {}: origin {o:?} must be scheme://host[:port]",
                    e.id
                ));
            }
        }
        if !e.rate_per_second.is_finite() || e.rate_per_second <= 0.0 || e.burst == 0 {
            return Err(format!(
                "project {id}, party {}: ratePerSecond and burst must be > 0",
                e.id
            ));
        }
        if e.max_records == 0 {
            return Err(format!(
                "project {id}, party {}: maxRecords must be > 0",
                e.id
            ));
        }
        parties.push(Party {
            id: e.id,
            api_key_sha256: hash,
            origins: e.origins,
            max_records: e.max_records,
            records_per_day: e.records_per_day,
            runs_per_day: e.runs_per_day,
            rate_per_second: e.rate_per_second,
            burst: e.burst,
            revoked: e.revoked,
        });
    }
    if !parties.iter().any(|x| x.id == p.directory_party) {
        return Err(format!(
            "project {id}: directoryParty {:?} is not among its parties",
            p.directory_party
        ));
    }
    let link_config = match &p.link_config {
        None => LinkConfig::default(),
        Some(v) => LinkConfig::from_json(&v.to_string())
            .map_err(|e| format!("project {id}: linkConfig: {}", e.code().as_str()))?,
    };
    let link_params = match &p.link_params {
        None => None,
        Some(v) => {
            // Parsed, validated and fitted to the comparisons, as a Linker loads it.
            let refused = |code: &str| format!("project {id}: linkParams: {code}");
            let params =
                ModelParams::from_json(&v.to_string()).map_err(|e| refused(e.code().as_str()))?;
            Linker::new(link_config.clone())
                .and_then(|mut l| l.set_params(params.clone()))
                .map_err(|e| refused(e.code().as_str()))?;
            Some(params)
        }
    };
    let engine = match p.engine {
        None => None,
        Some(spec) => {
            check(&spec, &link_config).map_err(|e| format!("project {id}: {e}"))?;
            Some(Engine {
                spec,
                python: python.to_path_buf(),
            })
        }
    };
    Ok(Project {
        id: p.id,
        token_subjects: p.token_subjects,
        token_key_versions: p.token_key_versions,
        clk: p.clk,
        encoding: p.encoding,
        link_config,
        link_params,
        engine,
        directory_party: p.directory_party,
        parties,
    })
}

/// The store key: 64 hex digits (surrounding whitespace ignored). Wiped
/// after use; errors never show the content.
fn read_key(path: &Path) -> Result<Zeroizing<[u8; STORE_KEY_BYTES]>, String> {
    let text = Zeroizing::new(
        std::fs::read_to_string(path)
            .map_err(|e| format!("store key file {}: {e}", path.display()))?,
    );
    let bad = || {
        format!(
            "store key file {}: must hold {STORE_KEY_BYTES} bytes as {} hex digits",
            path.display(),
            STORE_KEY_BYTES * 2
        )
    };
    let hex = text.trim();
    let mut out = Zeroizing::new([0u8; STORE_KEY_BYTES]);
    if hex.len() != STORE_KEY_BYTES * 2 {
        return Err(bad());
    }
    for (i, o) in out.iter_mut().enumerate() {
        *o = hex
            .get(2 * i..2 * i + 2)
            .and_then(|h| u8::from_str_radix(h, 16).ok())
            .ok_or_else(bad)?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_subjects() {
        assert!(valid_id("partner-acme") && !valid_id("a/b") && !valid_id(""));
        assert!(valid_subject("mk-nameDob") && !valid_subject("mk.x"));
    }

    fn demo_path() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("demo/linkage/linkage.json")
    }

    #[test]
    fn demo_config_links_diffused_clks_with_its_own_link_config() {
        let c = Config::load(&demo_path()).unwrap();
        let p = &c.projects[0];
        assert_eq!(p.encoding["hardening"]["diffusion"], 8);
        let lsh: Vec<&str> = p
            .link_config
            .blocking
            .lsh
            .iter()
            .map(|l| l.clk.as_str())
            .collect();
        assert_eq!(lsh, ["record", "lastName"]);
        assert_ne!(p.link_config, LinkConfig::default());
    }

    /// Loads `text` as a config beside the demo's store key: its refusal.
    fn load_refused(text: &str, name: &str) -> String {
        let dir = std::env::temp_dir().join(format!("linkage-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("linkage.json"), text).unwrap();
        std::fs::copy(
            demo_path().with_file_name("store.key"),
            dir.join("store.key"),
        )
        .unwrap();
        let err = Config::load(&dir.join("linkage.json")).err().unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        err
    }

    #[test]
    fn link_params_that_do_not_fit_the_comparisons_are_refused_at_load_without_their_content() {
        let text = std::fs::read_to_string(demo_path()).unwrap();
        // One comparison's levels for a project of eight.
        let one = r#""linkParams": {"version": 1, "prior": 0.001, "comparisons": [{"name": "email",
            "levels": [{"label": "needle-value", "m": 0.1, "u": 0.9}, {"label": "agree", "m": 0.9, "u": 0.1}]}]},
            "engine":"#;
        let not_params = r#""linkParams": {"prior": "needle-value"}, "engine":"#;
        for (i, params) in [one, not_params].iter().enumerate() {
            let bad = text.replacen(r#""engine":"#, params, 1);
            assert_ne!(bad, text);
            let err = load_refused(&bad, &format!("params-{i}"));
            assert!(err.contains("linkParams: link.bad_params"), "{err}");
            assert!(!err.contains("needle"), "{err}");
        }
    }

    #[test]
    fn a_bad_link_config_is_refused_at_load_without_its_content() {
        let text = std::fs::read_to_string(demo_path()).unwrap();
        let bad = text.replace("[0.92, 0.75]", "[7.5, \"needle-value\"]");
        assert_ne!(bad, text);
        let err = load_refused(&bad, "config");
        assert!(err.contains("linkConfig"), "{err}");
        assert!(!err.contains("needle"), "{err}");
    }
}
