//! What a Splink job's answer costs the linkage service (issue 13): the
//! real service (`pseudolink-server --linkage`) runs one partner run whose
//! engine is a stand-in that reads the job from stdin and replays an
//! answer of N scored pairs made here. Printed: the answer's bytes, the
//! run's wall time (request to finished view, polled) and the service's
//! peak RSS during the run (VmHWM, reset once the uploads are in).
//!
//! ```sh
//! cargo build --release --features server --bin pseudolink-server
//! cargo bench --bench job_answer -- --pairs 5000000 [--protocol 1|2] [--server PATH]
//! ```
//!
//! `--protocol 1` writes the one JSON line that `pseudolink-job/1` answered
//! with, for a server built before the streamed answer (`--server` names
//! its binary). The pairs are random (seeded): rows of a 10,000-record
//! partner file and a 20,000-record directory, probabilities in [0.5, 1),
//! levels and term-frequency parts drawn per pair, the demo project's eight
//! comparisons. The uploaded records are random valid encodings; the
//! stand-in never reads them.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a tool: failing loudly is the point

#[path = "support/linkage.rs"]
mod linkage;

use linkage::{Service, COMPANY_KEY, PARTNER_KEY, PROJECT};
use serde_json::{json, Value};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const VERSION: &str = "demo-2026b";
const PARTNER_ROWS: u32 = 10_000;
const DIRECTORY_ROWS: u32 = 20_000;
/// The demo project's comparisons: name, levels (gamma 0..n), term frequencies.
const COMPARISONS: [(&str, usize, bool); 8] = [
    ("email", 2, true),
    ("phone", 2, true),
    ("dateOfBirth", 2, true),
    ("firstName", 4, false),
    ("lastName", 4, false),
    ("street", 4, false),
    ("city", 3, false),
    ("postalCode", 3, false),
];

/// xorshift64*: the same pairs for both protocols.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// N scored pairs as columns.
struct Pairs {
    a: Vec<u32>,
    b: Vec<u32>,
    p: Vec<f64>,
    w: Vec<f64>,
    gamma: Vec<Vec<i8>>,
    tf: Vec<Vec<f64>>,
}

fn pairs(n: usize) -> Pairs {
    let mut r = Rng(0x9E37_79B9_7F4A_7C15);
    let mut s = Pairs {
        a: Vec::with_capacity(n),
        b: Vec::with_capacity(n),
        p: Vec::with_capacity(n),
        w: Vec::with_capacity(n),
        gamma: vec![Vec::with_capacity(n); COMPARISONS.len()],
        tf: vec![Vec::with_capacity(n); COMPARISONS.len()],
    };
    for _ in 0..n {
        s.a.push(r.below(PARTNER_ROWS as u64) as u32);
        s.b.push(r.below(DIRECTORY_ROWS as u64) as u32);
        let p = 0.5 + r.unit() / 2.0;
        s.p.push(p);
        s.w.push((p / (1.0 - p)).log2());
        for (c, &(_, levels, tf)) in COMPARISONS.iter().enumerate() {
            s.gamma[c].push(r.below(levels as u64 + 1) as i8 - 1);
            if tf {
                s.tf[c].push(r.unit() * 4.0 - 2.0);
            }
        }
    }
    s
}

/// A level's weight: the same for every pair at that level, as Splink's.
fn level_weight(c: usize, g: i8) -> f64 {
    if g < 0 {
        0.0
    } else {
        (g as f64 - 1.0) * 3.5 + c as f64 / 8.0
    }
}

fn labels(levels: usize) -> Vec<String> {
    (0..levels).map(|g| format!("level {g}")).collect()
}

/// The answer in `protocol`'s form.
fn answer(s: &Pairs, protocol: u8) -> Vec<u8> {
    let n = s.a.len();
    let comparisons: Vec<Value> = COMPARISONS
        .iter()
        .map(|&(name, levels, tf)| json!({"name": name, "labels": labels(levels), "tf": tf}))
        .collect();
    if protocol == 1 {
        let mw: Vec<Vec<f64>> = (0..COMPARISONS.len())
            .map(|c| s.gamma[c].iter().map(|&g| level_weight(c, g)).collect())
            .collect();
        let tf: Vec<Vec<f64>> = (0..COMPARISONS.len())
            .map(|c| {
                if s.tf[c].is_empty() {
                    vec![0.0; n]
                } else {
                    s.tf[c].clone()
                }
            })
            .collect();
        // Written from the columns as they are: no JSON tree in between.
        #[derive(serde::Serialize)]
        #[serde(rename_all = "camelCase")]
        struct V1<'a> {
            a: &'a [u32],
            b: &'a [u32],
            probability: &'a [f64],
            match_weight: &'a [f64],
            gamma: &'a [Vec<i8>],
            mw: Vec<Vec<f64>>,
            mw_tf: Vec<Vec<f64>>,
        }
        let pairs = V1 {
            a: &s.a,
            b: &s.b,
            probability: &s.p,
            match_weight: &s.w,
            gamma: &s.gamma,
            mw,
            mw_tf: tf,
        };
        let head = json!({"protocol": "pseudolink-job/1", "engine": "duckdb", "prior": 0.0001,
                          "comparisons": comparisons})
        .to_string();
        let mut out = head.as_bytes()[..head.len() - 1].to_vec();
        out.extend(b",\"pairs\":");
        serde_json::to_writer(&mut out, &pairs).unwrap();
        out.extend(b"}\n");
        return out;
    }
    let mut out = serde_json::to_vec(&json!({
        "protocol": "pseudolink-job/2", "engine": "duckdb", "prior": 0.0001,
        "comparisons": comparisons,
    }))
    .unwrap_or_default();
    out.push(b'\n');
    for from in (0..n).step_by(65_536) {
        let to = (from + 65_536).min(n);
        out.extend(format!("{{\"rows\":{}}}\n", to - from).bytes());
        out.extend(s.a[from..to].iter().flat_map(|x| x.to_le_bytes()));
        out.extend(s.b[from..to].iter().flat_map(|x| x.to_le_bytes()));
        out.extend(s.p[from..to].iter().flat_map(|x| x.to_le_bytes()));
        out.extend(s.w[from..to].iter().flat_map(|x| x.to_le_bytes()));
        for (c, &(_, _, tf)) in COMPARISONS.iter().enumerate() {
            out.extend(s.gamma[c][from..to].iter().map(|&g| g as u8));
            out.extend(
                s.gamma[c][from..to]
                    .iter()
                    .flat_map(|&g| level_weight(c, g).to_le_bytes()),
            );
            if tf {
                out.extend(s.tf[c][from..to].iter().flat_map(|x| x.to_le_bytes()));
            }
        }
    }
    out.extend(format!("{{\"end\":true,\"rows\":{n}}}\n").bytes());
    out
}

/// A random record in the project's wire form: three tokens, six CLKs.
fn record(r: &mut Rng) -> Value {
    let mut bytes = |n: usize| -> Vec<u8> { (0..n).map(|_| r.next() as u8).collect() };
    let tag = |b: Vec<u8>| pseudolink::base64_url(&b);
    let tokens: Vec<String> = ["email", "phone", "dateOfBirth"]
        .iter()
        .map(|s| format!("po1.{s}.{VERSION}.{}", tag(bytes(32))))
        .collect();
    let clks: serde_json::Map<String, Value> = [
        "firstName",
        "lastName",
        "street",
        "city",
        "postalCode",
        "record",
    ]
    .iter()
    .map(|k| (k.to_string(), json!(pseudolink::base64_std(&bytes(128)))))
    .collect();
    json!({"tokens": tokens, "matchKeys": [], "clks": clks})
}

/// Peak RSS of the service since the last reset, and a reset
/// (`clear_refs` 5).
fn peak_kb(svc: &Service, reset: bool) -> u64 {
    let pid = svc.child.id();
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let kb = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0);
    if reset {
        let _ = std::fs::write(format!("/proc/{pid}/clear_refs"), "5");
    }
    kb
}

/// The stand-in engine: reads the job, replays the answer file.
fn stand_in(dir: &Path, answer_file: &Path) -> PathBuf {
    let path = dir.join("replay-python");
    let mut f = std::fs::File::create(&path).unwrap();
    writeln!(
        f,
        "#!/bin/sh\ncat > /dev/null\nexec cat '{}'",
        answer_file.display()
    )
    .unwrap();
    drop(f);
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let n: usize = arg("--pairs")
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let protocol: u8 = arg("--protocol").and_then(|v| v.parse().ok()).unwrap_or(2);
    let server = arg("--server")
        .map(PathBuf::from)
        .or_else(linkage::server_binary);
    let Some(server) = server.filter(|p| p.is_file()) else {
        eprintln!("job_answer: no server binary; {}", linkage::BUILD_HINT);
        return;
    };
    let dir = std::env::temp_dir().join(format!("pseudolink-job-answer-{}", std::process::id()));
    let answer_file = dir.join("answer.bin");
    std::fs::create_dir_all(&dir).unwrap();
    let made = Instant::now();
    let bytes = answer(&pairs(n), protocol);
    std::fs::write(&answer_file, &bytes).unwrap();
    eprintln!("answer made in {:.1} s", made.elapsed().as_secs_f64());
    // The demo's config: every run to the engine, the stand-in its interpreter.
    let python = stand_in(&dir, &answer_file);
    linkage::setup(&dir, |config| {
        config["python"] = json!(python);
        config["projects"][0]["engine"] = json!({"kind": "duckdb", "minRecords": 0});
    })
    .unwrap();
    let svc = linkage::start(&server, &dir).unwrap();
    let mut r = Rng(7);
    let directory: Vec<Value> = (0..DIRECTORY_ROWS).map(|_| record(&mut r)).collect();
    let partner: Vec<Value> = (0..PARTNER_ROWS).map(|_| record(&mut r)).collect();
    svc.upload(COMPANY_KEY, &directory, 1000).unwrap();
    let upload = svc.upload(PARTNER_KEY, &partner, 1000).unwrap();
    let before = peak_kb(&svc, true);

    let t = Instant::now();
    let body = json!({ "upload": upload }).to_string();
    let started = svc.request(
        "POST",
        &format!("/v1/projects/{PROJECT}/runs"),
        PARTNER_KEY,
        &body,
        &[("Prefer", "respond-async")],
    );
    assert!(
        matches!(started.status, 200 | 202),
        "run: {} {}",
        started.status,
        started.text()
    );
    let run = started.json()["run"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let path = format!("/v1/projects/{PROJECT}/runs/{run}");
    let done = loop {
        let r = svc.request("GET", &path, PARTNER_KEY, "", &[]);
        if r.status != 202 {
            break r;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let wall = t.elapsed().as_secs_f64();
    let peak = peak_kb(&svc, false);
    assert_eq!(done.status, 200, "the run: {}", done.text());
    let linked = done.json()["linked"].as_u64().unwrap_or(0);
    println!(
        "protocol {protocol}: {n} pairs, answer {:.1} MB, run {wall:.2} s, service peak RSS during the run {:.0} MB \
         (after the uploads {:.0} MB), {linked} linked",
        bytes.len() as f64 / 1e6,
        peak as f64 / 1024.0,
        before as f64 / 1024.0
    );
    drop(svc);
    let _ = std::fs::remove_dir_all(&dir);
}
