//! Large runs on Splink (issue 13): a project's `engine` sends runs of at
//! least `minRecords` records (both datasets together) to
//! `python -m pseudolink.job` (the wheel's `pseudolink/job.py`), Splink on
//! DuckDB in the job's memory or on Spark, instead of the in-memory core
//! [`Linker`](pseudolink::link::Linker).
//!
//! The job scores pairs; the service decides. It pipes both datasets to the
//! job's stdin in the binary transfer form (`EncodedRecord::many_to_bytes`,
//! ids = row numbers), reads the scored pairs from its stdout, makes the
//! `Linker`'s one-to-one decision (`link::one_to_one_edges`) and builds the
//! explanations the partner sees (levels and weights, no similarities), so
//! the views are built by `run.rs` whichever engine scored.
//!
//! What the job holds is what the service holds: encodings, no key, no CLK
//! secret. Nothing passes through a file; the job's stderr is discarded
//! unread and the service logs only which engine ran and whether it failed.
//!
//! ```json
//! "engine": {"kind": "duckdb", "minRecords": 100000, "timeoutSeconds": 3600,
//!            "lshBands": 64, "lshBitsPerBand": 0}
//! "engine": {"kind": "spark", "minRecords": 1000000,
//!            "spark": {"master": "local[*]", "driverMemory": "8g"}}
//! ```

use std::io::{BufReader, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use pseudolink::link::{EncodedRecord, LinkConfig, ModelParams};
use serde::Deserialize;

use super::answer;
use super::run::Decided;

/// Which engine scores a project's large runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EngineKind {
    /// Splink on DuckDB, embedded in the job, in memory.
    Duckdb,
    /// Splink on Spark: a session the job starts (`spark.master`), local
    /// mode by default, a cluster when the master names one.
    Spark,
}

impl EngineKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EngineKind::Duckdb => "duckdb",
            EngineKind::Spark => "spark",
        }
    }
}

/// A Spark engine's session (`pseudolink.job.spark_session`): passed to the
/// job as given; unset entries take the job's defaults.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SparkSpec {
    /// `local[*]` by default; `spark://…`, `yarn`, `k8s://…` for a cluster.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub master: Option<String>,
    /// The driver's heap (`2g` by default).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub driver_memory: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shuffle_partitions: Option<u32>,
    /// Where shuffle and persisted blocks go. They hold encodings: by
    /// default a fresh temporary directory that the job removes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub local_dir: Option<String>,
    /// Where the inputs and Splink's intermediate tables go as Parquet
    /// (inside `localDir` by default; on a cluster, storage every executor
    /// reads, such as `hdfs://…`). The job deletes its own tables there.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub checkpoint_dir: Option<String>,
    /// Tables up to this many MB (on disk) are sent whole to every task
    /// instead of being shuffled with the pairs they join (Spark's 10 by
    /// default): less shuffle for directories that fit each executor.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub broadcast_join_mb: Option<u32>,
}

/// A project's `engine` entry.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EngineSpec {
    pub kind: EngineKind,
    /// Runs with at least this many records (partner + directory) go to
    /// the engine; smaller ones stay with the core `Linker`.
    #[serde(default)]
    pub min_records: u64,
    /// The job is killed after this long (the run fails as
    /// `engine.unavailable`).
    #[serde(default = "default_timeout")]
    pub timeout_seconds: u64,
    /// The job's LSH bands per configured LSH pass (each is one blocking
    /// rule in Splink; the `Linker` uses 64) and bits sampled per band (0:
    /// tuned to the data as the `Linker` tunes them).
    #[serde(default = "default_bands")]
    pub lsh_bands: u32,
    #[serde(default)]
    pub lsh_bits_per_band: u32,
    /// The Spark session of a `spark` engine (refused with `duckdb`).
    #[serde(default)]
    pub spark: Option<SparkSpec>,
}

fn default_timeout() -> u64 {
    3600
}
fn default_bands() -> u32 {
    64
}

/// An engine ready to run: the spec and the interpreter that has the wheel.
#[derive(Debug, Clone)]
pub struct Engine {
    pub spec: EngineSpec,
    pub python: PathBuf,
}

/// Why a project's engine cannot take its link configuration (at load).
pub fn check(spec: &EngineSpec, config: &LinkConfig) -> Result<(), String> {
    if config
        .comparisons
        .iter()
        .any(|c| !c.group.is_empty() || c.nickname.is_some())
    {
        return Err("engine: every comparison needs a Splink form (no group, no nickname): list the linkConfig's comparisons".into());
    }
    if spec.timeout_seconds == 0 || spec.lsh_bands == 0 || spec.lsh_bits_per_band > 63 {
        return Err("engine: timeoutSeconds and lshBands must be > 0, lshBitsPerBand 0-63".into());
    }
    if spec.spark.is_some() && spec.kind != EngineKind::Spark {
        return Err("engine: spark settings need \"kind\": \"spark\"".into());
    }
    if spec
        .spark
        .as_ref()
        .is_some_and(|s| s.shuffle_partitions == Some(0))
    {
        return Err("engine: spark.shufflePartitions must be > 0".into());
    }
    Ok(())
}

/// The engine failed; the code says how (never the job's output).
#[derive(Debug)]
pub struct EngineFailed(pub &'static str);

impl Engine {
    pub fn applies(&self, records: usize) -> bool {
        records as u64 >= self.spec.min_records
    }

    /// Scores `partner` against `directory` in a job (with the project's
    /// model `params` when given, else trained there) and decides as the
    /// `Linker` does: the accepted pairs, highest probability first. The
    /// job is killed when `cancelled()` turns true (`engine.cancelled`).
    pub fn link(
        &self,
        config: &LinkConfig,
        params: Option<&ModelParams>,
        partner: &[EncodedRecord],
        directory: &[EncodedRecord],
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Vec<Decided>, EngineFailed> {
        let a = EncodedRecord::many_to_bytes(partner).map_err(|_| EngineFailed("engine.input"))?;
        let b =
            EncodedRecord::many_to_bytes(directory).map_err(|_| EngineFailed("engine.input"))?;
        let header = serde_json::json!({
            "protocol": answer::PROTOCOL,
            "engine": self.spec.kind.as_str(),
            "config": config,
            "params": params,
            "partnerBytes": a.len(),
            "directoryBytes": b.len(),
            "lshBands": self.spec.lsh_bands,
            "lshBitsPerBand": self.spec.lsh_bits_per_band,
            "spark": self.spec.spark.clone().unwrap_or_default(),
        });
        // The job's scratch (Spark's blocks hold encodings): its own
        // directory, removed here however the job ends, a kill included.
        let scratch = Scratch::new().map_err(|_| EngineFailed("engine.start"))?;
        let mut child = Command::new(&self.python)
            .args(["-m", "pseudolink.job"])
            .env("TMPDIR", &scratch.0)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|_| EngineFailed("engine.start"))?;
        let (Some(mut stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(EngineFailed("engine.start"));
        };
        let (na, nb) = (partner.len(), directory.len());
        let refused = AtomicBool::new(false);
        let (status, stopped, wrote, scored) = std::thread::scope(|scope| {
            // Writer and reader on their own threads, so a job that answers
            // before it has read everything cannot deadlock the pipes. The
            // reader takes the answer chunk by chunk as the job writes it.
            let writer = scope.spawn(move || -> std::io::Result<()> {
                stdin.write_all(header.to_string().as_bytes())?;
                stdin.write_all(b"\n")?;
                stdin.write_all(&a)?;
                stdin.write_all(&b)?;
                stdin.flush()
            });
            let reader = scope.spawn(|| {
                let scored = answer::read(&mut BufReader::new(stdout), config, na, nb);
                refused.store(scored.is_err(), Ordering::Release);
                scored
            });
            let deadline = Instant::now() + Duration::from_secs(self.spec.timeout_seconds);
            let mut stopped = "engine.timeout";
            let status = loop {
                match child.try_wait() {
                    Ok(Some(status)) => break Some(status),
                    Ok(None) => {
                        if cancelled() {
                            stopped = "engine.cancelled";
                        } else if refused.load(Ordering::Acquire) {
                            // A job still running after a bad answer: stopped.
                            stopped = "engine.answer";
                        } else if Instant::now() < deadline {
                            std::thread::sleep(Duration::from_millis(20));
                            continue;
                        }
                        let _ = child.kill();
                        let _ = child.wait();
                        break None;
                    }
                    Err(_) => {
                        let _ = child.kill();
                        let _ = child.wait();
                        break None;
                    }
                }
            };
            (status, stopped, writer.join(), reader.join())
        });
        let Some(status) = status else {
            return Err(EngineFailed(stopped));
        };
        if !status.success() {
            return Err(EngineFailed(match status.code() {
                Some(2) => "engine.input",
                _ => "engine.failed",
            }));
        }
        if !matches!(wrote, Ok(Ok(()))) {
            return Err(EngineFailed("engine.input"));
        }
        let scored = match scored {
            Ok(Ok(scored)) => scored,
            _ => return Err(EngineFailed("engine.answer")),
        };
        answer::decide(config, &scored).map_err(|_| EngineFailed("engine.answer"))
    }
}

/// A job's scratch directory (mode 0700 under the service's temporary
/// directory), removed with everything in it when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> std::io::Result<Scratch> {
        use std::os::unix::fs::DirBuilderExt;
        use std::sync::atomic::{AtomicU64, Ordering};
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let name = format!(
            "pseudolink-job-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let dir = std::env::temp_dir().join(name);
        std::fs::DirBuilder::new().mode(0o700).create(&dir)?;
        Ok(Scratch(dir))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> LinkConfig {
        LinkConfig::from_json(
            r#"{"comparisons": [
                {"name": "email", "kind": "token", "source": "email"},
                {"name": "lastName", "kind": "clk", "source": "lastName", "thresholds": [0.9, 0.7]}]}"#,
        )
        .unwrap()
    }

    #[test]
    fn a_spark_engine_takes_its_session_settings_and_duckdb_refuses_them() {
        let spec = |json: &str| serde_json::from_str::<EngineSpec>(json).unwrap();
        let spark = spec(
            r#"{"kind": "spark", "spark": {"master": "local[2]", "driverMemory": "4g",
                "checkpointDir": "hdfs://nn/pseudolink", "broadcastJoinMb": 64}}"#,
        );
        assert!(check(&spark, &config()).is_ok());
        let sent = serde_json::to_value(spark.spark.unwrap()).unwrap();
        assert_eq!(
            sent,
            serde_json::json!({"master": "local[2]", "driverMemory": "4g",
                               "checkpointDir": "hdfs://nn/pseudolink", "broadcastJoinMb": 64})
        );
        assert!(check(&spec(r#"{"kind": "spark"}"#), &config()).is_ok());
        assert!(check(&spec(r#"{"kind": "duckdb", "spark": {}}"#), &config()).is_err());
        assert!(check(
            &spec(r#"{"kind": "spark", "spark": {"shufflePartitions": 0}}"#),
            &config()
        )
        .is_err());
        assert!(serde_json::from_str::<EngineSpec>(
            r#"{"kind": "spark", "spark": {"mastr": "x"}}"#
        )
        .is_err());
        assert!(serde_json::from_str::<EngineSpec>(r#"{"kind": "flink"}"#).is_err());
    }

    #[test]
    fn default_comparisons_have_no_splink_form() {
        let spec: EngineSpec = serde_json::from_str(r#"{"kind": "duckdb"}"#).unwrap();
        assert!(check(&spec, &LinkConfig::default()).is_err());
        assert!(check(&spec, &config()).is_ok());
        assert_eq!(spec.timeout_seconds, 3600);
    }
}
