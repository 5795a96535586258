//! The key server's configuration: a JSON file, then environment overrides.
//!
//! ```json
//! {
//!   "port": 8081,
//!   "activeKey": "2026b",
//!   "keys": [
//!     {"version": "2026a", "seedFile": "keys/2026a.seed", "retiresAt": "2027-01-31T00:00:00Z"},
//!     {"version": "2026b", "seedFile": "keys/2026b.seed"}
//!   ],
//!   "partners": [
//!     {"id": "shop", "apiKeySha256": "<64 hex>", "origins": ["https://shop.example"],
//!      "ratePerSecond": 200, "burst": 1000, "quotaPerDay": 100000}
//!     (an origin "pages" means the pages this process serves, whatever its port)
//!   ],
//!   "maxBatch": 256,
//!   "maxBodyBytes": 65536
//! }
//! ```
//!
//! Seed files hold 32 bytes as 64 hex digits (`openssl rand -hex 32`); a
//! relative path is taken from the config file's directory, or from
//! `PSEUDOLINK_KEYSERVER_KEY_DIR`. Other overrides: `PSEUDOLINK_KEYSERVER_PORT`,
//! `PSEUDOLINK_KEYSERVER_ACTIVE_KEY`. Errors name the file and the rule, never
//! a seed or a key.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use pseudolink::oblivious::{KeyPair, SEED_BYTES};
use serde::Deserialize;
use zeroize::Zeroizing;

use crate::credentials::{decode_hex32, valid_origin};

/// The file as written.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct File {
    #[serde(default, rename = "//")]
    _comment: Option<serde_json::Value>,
    #[serde(default)]
    port: Option<u16>,
    active_key: String,
    keys: Vec<KeyEntry>,
    partners: Vec<PartnerEntry>,
    #[serde(default = "default_max_batch")]
    max_batch: usize,
    #[serde(default = "default_max_body")]
    max_body_bytes: usize,
}

fn default_max_batch() -> usize {
    256
}
fn default_max_body() -> usize {
    64 * 1024
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct KeyEntry {
    version: String,
    seed_file: PathBuf,
    #[serde(default)]
    retires_at: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct PartnerEntry {
    id: String,
    api_key_sha256: String,
    #[serde(default)]
    origins: Vec<String>,
    rate_per_second: f64,
    burst: u32,
    quota_per_day: u64,
}

/// One key version and until when it serves (Unix seconds; `None`: no end).
pub struct VersionedKey {
    pub pair: KeyPair,
    pub retires_at: Option<u64>,
}

/// A partner: who may call, from which browser origins, how much.
#[derive(Debug, Clone)]
pub struct Partner {
    pub id: String,
    pub api_key_sha256: [u8; 32],
    pub origins: Vec<String>,
    pub rate_per_second: f64,
    pub burst: u32,
    pub quota_per_day: u64,
}

/// The validated configuration.
pub struct Config {
    pub port: u16,
    pub active: String,
    pub keys: BTreeMap<String, VersionedKey>,
    pub partners: Vec<Partner>,
    pub max_batch: usize,
    pub max_body_bytes: usize,
}

/// An origin entry standing for the pages served by the same process
/// (`http://127.0.0.1:<pages port>`), for demos and tests on ephemeral ports.
pub const PAGES_ORIGIN: &str = "pages";

/// Default port: next to the pages' 8080, a different origin.
pub const DEFAULT_PORT: u16 = 8081;

impl Config {
    /// Reads `path`, applies the environment and checks every rule.
    pub fn load(path: &Path) -> Result<Config, String> {
        let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("key server config {}: {e}", path.display()))?;
        let file: File = serde_json::from_str(&text)
            .map_err(|e| format!("key server config {}: {e}", path.display()))?;
        let key_dir = match env("PSEUDOLINK_KEYSERVER_KEY_DIR") {
            Some(d) => PathBuf::from(d),
            None => path.parent().map(Path::to_path_buf).unwrap_or_default(),
        };
        let port = match env("PSEUDOLINK_KEYSERVER_PORT") {
            Some(p) => p
                .parse()
                .map_err(|_| "PSEUDOLINK_KEYSERVER_PORT: not a port number".to_owned())?,
            None => file.port.unwrap_or(DEFAULT_PORT),
        };
        let active = env("PSEUDOLINK_KEYSERVER_ACTIVE_KEY").unwrap_or(file.active_key);
        let now = now_unix();

        let mut keys = BTreeMap::new();
        for k in file.keys {
            let seed_path = key_dir.join(&k.seed_file);
            let seed = read_seed(&seed_path)?;
            let pair = KeyPair::derive(&k.version, &seed).map_err(|_| {
                format!(
                    "key version {:?}: must be 1-32 of A-Z a-z 0-9 _ -",
                    k.version
                )
            })?;
            let retires_at = match &k.retires_at {
                None => None,
                Some(t) => Some(parse_rfc3339_utc(t).ok_or_else(|| {
                    format!(
                        "key {}: retiresAt must look like 2027-01-31T00:00:00Z",
                        k.version
                    )
                })?),
            };
            if keys
                .insert(k.version.clone(), VersionedKey { pair, retires_at })
                .is_some()
            {
                return Err(format!("key version {} is listed twice", k.version));
            }
        }
        match keys.get(&active) {
            None => return Err(format!("activeKey {active:?} is not among the keys")),
            Some(k) if k.retires_at.is_some_and(|t| t <= now) => {
                return Err(format!("activeKey {active:?} is already retired"))
            }
            Some(_) => {}
        }
        if file.max_batch == 0 || file.max_batch > u16::MAX as usize {
            return Err("maxBatch must be 1-65535".to_owned());
        }
        let mut partners: Vec<Partner> = Vec::new();
        for p in file.partners {
            let hash = decode_hex32(&p.api_key_sha256)
                .ok_or_else(|| format!("partner {}: apiKeySha256 must be 64 hex digits", p.id))?;
            if p.id.is_empty() || partners.iter().any(|o| o.id == p.id) {
                return Err(format!("partner id {:?} is empty or repeated", p.id));
            }
            for o in &p.origins {
                if o != PAGES_ORIGIN && !valid_origin(o) {
                    return Err(format!(
                        "partner {}: origin {o:?} must be scheme://host[:port]",
                        p.id
                    ));
                }
            }
            if !p.rate_per_second.is_finite()
                || p.rate_per_second <= 0.0
                || (p.burst as usize) < file.max_batch
            {
                return Err(format!(
                    "partner {}: ratePerSecond must be > 0 and burst at least maxBatch",
                    p.id
                ));
            }
            partners.push(Partner {
                id: p.id,
                api_key_sha256: hash,
                origins: p.origins,
                rate_per_second: p.rate_per_second,
                burst: p.burst,
                quota_per_day: p.quota_per_day,
            });
        }
        if partners.is_empty() {
            return Err("no partners: nobody could call the key server".to_owned());
        }
        Ok(Config {
            port,
            active,
            keys,
            partners,
            max_batch: file.max_batch,
            max_body_bytes: file.max_body_bytes,
        })
    }
}

/// A seed file: 64 hex digits (surrounding whitespace ignored). The bytes
/// are wiped after use; errors never show the content.
fn read_seed(path: &Path) -> Result<Zeroizing<Vec<u8>>, String> {
    let text = Zeroizing::new(
        std::fs::read_to_string(path).map_err(|e| format!("seed file {}: {e}", path.display()))?,
    );
    let hex = text.trim();
    let bad = || {
        format!(
            "seed file {}: must hold {SEED_BYTES} bytes as {} hex digits",
            path.display(),
            SEED_BYTES * 2
        )
    };
    if hex.len() != SEED_BYTES * 2 {
        return Err(bad());
    }
    let mut out = Zeroizing::new(Vec::with_capacity(SEED_BYTES));
    for i in (0..hex.len()).step_by(2) {
        let b = hex
            .get(i..i + 2)
            .and_then(|h| u8::from_str_radix(h, 16).ok())
            .ok_or_else(bad)?;
        out.push(b);
    }
    Ok(out)
}

pub fn now_unix() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// `YYYY-MM-DDTHH:MM:SSZ` to Unix seconds (UTC only, which is all a config needs).
pub fn parse_rfc3339_utc(s: &str) -> Option<u64> {
    let b = s.as_bytes();
    if b.len() != 20 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' {
        return None;
    }
    if b[16] != b':' || b[19] != b'Z' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u64> {
        let t = s.get(r)?;
        t.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| t.parse().ok())?
    };
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hh, mm, ss) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1970..=9999).contains(&y) || !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    if hh > 23 || mm > 59 || ss > 60 {
        return None;
    }
    // Days from the civil date (Howard Hinnant's algorithm), March-based year.
    let (y, m) = if m <= 2 { (y - 1, m + 9) } else { (y, m - 3) };
    let era = y / 400;
    let yoe = y - era * 400;
    let doy = (153 * m + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + hh * 3600 + mm * 60 + ss)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_utc_dates() {
        // Expected values from Python: datetime(..., tzinfo=timezone.utc).timestamp().
        assert_eq!(parse_rfc3339_utc("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_rfc3339_utc("2000-03-01T00:00:00Z"), Some(951_868_800));
        assert_eq!(
            parse_rfc3339_utc("2027-01-31T12:30:05Z"),
            Some(1_801_398_605)
        );
        assert_eq!(parse_rfc3339_utc("2027-01-31"), None);
        assert_eq!(parse_rfc3339_utc("2027-13-31T00:00:00Z"), None);
    }
}
