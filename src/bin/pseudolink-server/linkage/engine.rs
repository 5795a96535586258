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
//!            "lshBands": 32, "lshBitsPerBand": 0}
//! "engine": {"kind": "spark", "minRecords": 1000000,
//!            "spark": {"master": "local[*]", "driverMemory": "8g"}}
//! ```

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use pseudolink::link::{one_to_one_edges, Contribution, EncodedRecord, Explanation, LinkConfig};
use serde::Deserialize;

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
    32
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

    /// Scores `partner` against `directory` in a job and decides as the
    /// `Linker` does: the accepted pairs, highest probability first. The
    /// job is killed when `cancelled()` turns true (`engine.cancelled`).
    pub fn link(
        &self,
        config: &LinkConfig,
        partner: &[EncodedRecord],
        directory: &[EncodedRecord],
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Vec<Decided>, EngineFailed> {
        let a = EncodedRecord::many_to_bytes(partner).map_err(|_| EngineFailed("engine.input"))?;
        let b =
            EncodedRecord::many_to_bytes(directory).map_err(|_| EngineFailed("engine.input"))?;
        let header = serde_json::json!({
            "protocol": "pseudolink-job/1",
            "engine": self.spec.kind.as_str(),
            "config": config,
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
        // Writer and reader on their own threads, so a job that answers
        // before it has read everything cannot deadlock the pipes.
        let writer = std::thread::spawn(move || -> std::io::Result<()> {
            stdin.write_all(header.to_string().as_bytes())?;
            stdin.write_all(b"\n")?;
            stdin.write_all(&a)?;
            stdin.write_all(&b)?;
            stdin.flush()
        });
        let reader = std::thread::spawn(move || -> std::io::Result<Vec<u8>> {
            let mut line = Vec::new();
            BufReader::new(stdout).read_until(b'\n', &mut line)?;
            Ok(line)
        });
        let deadline = Instant::now() + Duration::from_secs(self.spec.timeout_seconds);
        let mut stopped = "engine.timeout";
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break Some(status),
                Ok(None) if cancelled() || Instant::now() >= deadline => {
                    if cancelled() {
                        stopped = "engine.cancelled";
                    }
                    let _ = child.kill();
                    let _ = child.wait();
                    break None;
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(20)),
                Err(_) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    break None;
                }
            }
        };
        let wrote = writer.join().map_err(|_| EngineFailed("engine.input"))?;
        let answer = reader.join().map_err(|_| EngineFailed("engine.answer"))?;
        let Some(status) = status else {
            return Err(EngineFailed(stopped));
        };
        if !status.success() {
            return Err(EngineFailed(match status.code() {
                Some(2) => "engine.input",
                _ => "engine.failed",
            }));
        }
        wrote.map_err(|_| EngineFailed("engine.input"))?;
        let answer = answer.map_err(|_| EngineFailed("engine.answer"))?;
        decide(config, &answer, partner.len(), directory.len())
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

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Answer {
    protocol: String,
    prior: f64,
    comparisons: Vec<AnswerComparison>,
    pairs: Pairs,
}

#[derive(Deserialize)]
struct AnswerComparison {
    name: String,
    labels: Vec<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Pairs {
    a: Vec<u32>,
    b: Vec<u32>,
    probability: Vec<f64>,
    match_weight: Vec<f64>,
    gamma: Vec<Vec<i64>>,
    mw: Vec<Vec<f64>>,
    mw_tf: Vec<Vec<f64>>,
}

/// The job's answer checked, decided one-to-one and explained.
fn decide(
    config: &LinkConfig,
    answer: &[u8],
    na: usize,
    nb: usize,
) -> Result<Vec<Decided>, EngineFailed> {
    let bad = || EngineFailed("engine.answer");
    let ans: Answer = serde_json::from_slice(answer).map_err(|_| bad())?;
    let p = &ans.pairs;
    let n = p.a.len();
    let k = config.comparisons.len();
    let columns_fit = [p.b.len(), p.probability.len(), p.match_weight.len()]
        .iter()
        .all(|&m| m == n)
        && [
            p.gamma.len(),
            p.mw.len(),
            p.mw_tf.len(),
            ans.comparisons.len(),
        ]
        .iter()
        .all(|&m| m == k)
        && p.gamma.iter().all(|g| g.len() == n)
        && p.mw.iter().chain(&p.mw_tf).all(|c| c.len() == n);
    if ans.protocol != "pseudolink-job/1"
        || !columns_fit
        || !(ans.prior > 0.0 && ans.prior < 1.0)
        || p.a.iter().any(|&i| i as usize >= na)
        || p.b.iter().any(|&j| j as usize >= nb)
        || p.match_weight.iter().any(|w| !w.is_finite())
        || ans
            .comparisons
            .iter()
            .zip(&config.comparisons)
            .any(|(a, c)| a.name != c.name)
    {
        return Err(bad());
    }
    let triples: Vec<(u32, u32, f64)> =
        (0..n).map(|i| (p.a[i], p.b[i], p.probability[i])).collect();
    let accepted = one_to_one_edges(&triples, config.threshold).map_err(|_| bad())?;
    let prior_weight = (ans.prior / (1.0 - ans.prior)).log2();
    accepted
        .into_iter()
        .map(|at| {
            let mut contributions = Vec::with_capacity(k);
            for (c, comp) in ans.comparisons.iter().enumerate() {
                let g = p.gamma[c][at];
                let (level, weight, tf) = if g < 0 {
                    ("null".to_owned(), 0.0, 0.0)
                } else {
                    let label = label_of(comp, g).ok_or_else(bad)?;
                    let (mw, tf) = (p.mw[c][at], p.mw_tf[c][at]);
                    if !(mw.is_finite() && tf.is_finite()) {
                        return Err(bad());
                    }
                    (label, mw + tf, tf)
                };
                contributions.push(Contribution {
                    comparison: comp.name.clone(),
                    level,
                    similarity: None,
                    match_weight: weight,
                    tf_adjustment: tf,
                });
            }
            Ok(Decided {
                a: p.a[at] as u64,
                b: p.b[at] as u64,
                probability: p.probability[at],
                // As the core: explanations only when the project asks.
                explanation: config.explain_links.then(|| Explanation {
                    prior_weight,
                    contributions,
                    match_weight: p.match_weight[at],
                    probability: p.probability[at],
                }),
            })
        })
        .collect()
}

/// The label of level `gamma` (least alike first), if the answer has it.
fn label_of(comp: &AnswerComparison, gamma: i64) -> Option<String> {
    comp.labels.get(usize::try_from(gamma).ok()?).cloned()
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

    fn answer(a: &[u32], b: &[u32], p: &[f64]) -> Vec<u8> {
        let n = a.len();
        serde_json::to_vec(&serde_json::json!({
            "protocol": "pseudolink-job/1", "engine": "duckdb", "prior": 0.001,
            "comparisons": [{"name": "email", "labels": ["disagree", "agree"]},
                            {"name": "lastName", "labels": ["dice<0.70", "dice≥0.70", "dice≥0.90"]}],
            "pairs": {"a": a, "b": b, "probability": p, "matchWeight": vec![3.0; n],
                      "gamma": [vec![1; n], vec![-1; n]], "mw": [vec![3.0; n], vec![0.0; n]],
                      "mwTf": [vec![-1.0; n], vec![0.0; n]]}
        }))
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
    fn the_job_scores_and_the_service_decides_one_to_one_with_levels_not_similarities() {
        let got = decide(
            &config(),
            &answer(&[0, 0, 1], &[0, 1, 1], &[0.7, 0.9, 0.8]),
            2,
            2,
        )
        .unwrap();
        let pairs: Vec<(u64, u64)> = got.iter().map(|d| (d.a, d.b)).collect();
        assert_eq!(
            pairs,
            [(0, 1)],
            "0-1 takes both rows' partners; 0-0 and 1-1 lose one each"
        );
        let e = got[0].explanation.as_ref().unwrap();
        assert_eq!(e.contributions[0].level, "agree");
        assert_eq!(e.contributions[0].match_weight, 2.0); // the level's 3 bits, TF -1
        assert_eq!(e.contributions[0].tf_adjustment, -1.0);
        assert_eq!(e.contributions[1].level, "null");
        assert!(e.contributions.iter().all(|c| c.similarity.is_none()));
        assert!((e.prior_weight - (0.001f64 / 0.999).log2()).abs() < 1e-12);
    }

    #[test]
    fn without_explain_links_no_explanation_is_built() {
        let mut c = config();
        c.explain_links = false;
        let got = decide(&c, &answer(&[0], &[1], &[0.9]), 2, 2).unwrap();
        assert_eq!((got[0].a, got[0].b), (0, 1));
        assert!(got[0].explanation.is_none());
    }

    #[test]
    fn an_answer_that_does_not_fit_the_job_is_refused() {
        let c = config();
        for bad in [
            answer(&[5], &[0], &[0.9]),         // a row the partner does not have
            answer(&[0], &[0], &[1.5]),         // not a probability
            answer(&[0, 1], &[0], &[0.9, 0.9]), // ragged columns
            b"not json".to_vec(),
        ] {
            assert_eq!(decide(&c, &bad, 2, 2).err().unwrap().0, "engine.answer");
        }
        let renamed = String::from_utf8(answer(&[0], &[0], &[0.9]))
            .unwrap()
            .replace("lastName", "surname");
        assert_eq!(
            decide(&c, renamed.as_bytes(), 2, 2).err().unwrap().0,
            "engine.answer"
        );
    }

    #[test]
    fn default_comparisons_have_no_splink_form() {
        let spec: EngineSpec = serde_json::from_str(r#"{"kind": "duckdb"}"#).unwrap();
        assert!(check(&spec, &LinkConfig::default()).is_err());
        assert!(check(&spec, &config()).is_ok());
        assert_eq!(spec.timeout_seconds, 3600);
    }
}
