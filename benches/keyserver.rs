//! Key server throughput under load: a Rust load generator on loopback
//! against the real `pseudolink-server --keyserver` (release build), for
//! several batch sizes. Reports evaluations per second, evaluations per
//! second per core (the server's own CPU time, from /proc), and request
//! latency p50/p99.
//!
//! ```sh
//! cargo build --release --features server --bin pseudolink-server
//! cargo bench --features oblivious --bench keyserver     # SECS=5 CONNS=4 by default
//! SERVER_CPUS=0 cargo bench --features oblivious --bench keyserver   # server on one core
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // bench code: failing loudly is the point

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

const API_KEY: &str = "bench-key";

fn main() {
    let secs: f64 = env_or("SECS", 5.0);
    let conns: usize = env_or("CONNS", 4.0) as usize;
    let dir = std::env::temp_dir().join(format!("pseudolink-ks-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    for d in ["keys", "www", "pkg"] {
        std::fs::create_dir_all(dir.join(d)).unwrap();
    }
    std::fs::write(dir.join("keys/b1.seed"), "5a".repeat(32)).unwrap();
    let hash: String = Sha256::digest(API_KEY.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    std::fs::write(
        dir.join("keyserver.json"),
        format!(
            r#"{{"activeKey":"b1","keys":[{{"version":"b1","seedFile":"keys/b1.seed"}}],
"partners":[{{"id":"bench","apiKeySha256":"{hash}","ratePerSecond":1e9,"burst":1000000000,"quotaPerDay":100000000000}}],
"maxBatch":1024,"maxBodyBytes":1048576}}"#
        ),
    )
    .unwrap();
    let bin = std::env::var("PSEUDOLINK_SERVER").unwrap_or_else(|_| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/target/release/pseudolink-server"
        )
        .to_owned()
    });
    // SERVER_CPUS=0 (a `taskset -c` list) pins the server to those cores,
    // to measure its scaling with cores (the load generator is not pinned).
    let mut cmd = match std::env::var("SERVER_CPUS") {
        Ok(cpus) => {
            let mut c = Command::new("taskset");
            c.args(["-c", &cpus]).arg(bin);
            c
        }
        Err(_) => Command::new(bin),
    };
    let mut child = cmd
        .args(["--port", "0", "--keyserver-port", "0", "--www"])
        .arg(dir.join("www"))
        .arg("--pkg")
        .arg(dir.join("pkg"))
        .arg("--keyserver")
        .arg(dir.join("keyserver.json"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    line.clear();
    out.read_line(&mut line).unwrap();
    let addr = line
        .trim()
        .strip_prefix("keyserver listening on http://")
        .unwrap()
        .to_owned();
    let pid = child.id();

    // The evaluation alone, in this process, one core: the ceiling for the
    // server, side by side with the `voprf` crate's own batched evaluation
    // (`VoprfServer::batch_blind_evaluate`) of the same 256 blinded elements
    // under the same key, bytes in and bytes out; alternated three rounds,
    // best of each, because the machine is shared.
    {
        use voprf::{BlindedElement, Ristretto255, VoprfServer};
        let seed = [0x5a; 32];
        let key = pseudolink::oblivious::KeyPair::derive("b1", &seed).unwrap();
        let inputs = (0..256)
            .map(|i| zeroize::Zeroizing::new(format!("user{i}@example.com").into_bytes()))
            .collect();
        let blinded = pseudolink::oblivious::BlindedInputs::blind(inputs, &mut rand_core::OsRng)
            .unwrap()
            .blinded_elements();
        let req = pseudolink::oblivious::EvaluateRequest {
            key_version: "b1".into(),
            blinded: blinded.iter().map(|b| pseudolink::base64_url(b)).collect(),
        };
        let theirs =
            VoprfServer::<Ristretto255>::new_from_seed(&seed, b"pseudolink/oblivious/v1 key b1")
                .unwrap();
        assert_eq!(
            theirs.get_public_key().compress().to_bytes(),
            key.public_key(),
            "same key on both sides"
        );
        let ours_once = || {
            let (evaluated, proof) = key.evaluate(&blinded, &mut rand_core::OsRng).unwrap();
            std::hint::black_box((evaluated, proof));
        };
        let theirs_once = || {
            let elements: Vec<BlindedElement<Ristretto255>> = blinded
                .iter()
                .map(|b| BlindedElement::deserialize(b).unwrap())
                .collect();
            let out = theirs
                .batch_blind_evaluate(&mut rand_core::OsRng, &elements)
                .unwrap();
            let evaluated: Vec<_> = out.messages.iter().map(|m| m.serialize()).collect();
            std::hint::black_box((evaluated, out.proof.serialize()));
        };
        // Same evaluations (the proofs differ: random nonces).
        let (ours_eval, _) = key.answer(&req).map(|r| (r.evaluated, r.proof)).unwrap();
        let elements: Vec<BlindedElement<Ristretto255>> = blinded
            .iter()
            .map(|b| BlindedElement::deserialize(b).unwrap())
            .collect();
        let their_eval: Vec<String> = theirs
            .batch_blind_evaluate(&mut rand_core::OsRng, &elements)
            .unwrap()
            .messages
            .iter()
            .map(|m| pseudolink::base64_url(&m.serialize()))
            .collect();
        assert_eq!(ours_eval, their_eval, "voprf evaluates the same elements");
        // Per CPU second of this thread (from /proc), so other processes on
        // the shared machine do not count against either side.
        let rate = |f: &dyn Fn()| {
            f();
            let (start, cpu0) = (Instant::now(), thread_cpu_seconds());
            let mut n = 0;
            while start.elapsed() < Duration::from_secs(2) {
                f();
                n += 256;
            }
            n as f64 / (thread_cpu_seconds() - cpu0)
        };
        // The change of issue 17 alone: the evaluations (decode, multiply by
        // the key, encode) one encoding per element as before, against the
        // key halved and one batched encoding, on the same elements.
        use curve25519_dalek::ristretto::{CompressedRistretto, RistrettoPoint};
        use curve25519_dalek::scalar::Scalar;
        let k = Scalar::from_bytes_mod_order(*b"an arbitrary 32-byte test key...");
        let half_k = k * Scalar::from(2u8).invert();
        let decode = |b: &[u8; 32]| CompressedRistretto(*b).decompress().unwrap();
        let one_by_one = || {
            let out: Vec<[u8; 32]> = blinded
                .iter()
                .map(|b| (decode(b) * k).compress().to_bytes())
                .collect();
            std::hint::black_box(out);
        };
        let batched = || {
            let halves: Vec<RistrettoPoint> = blinded.iter().map(|b| decode(b) * half_k).collect();
            std::hint::black_box(RistrettoPoint::double_and_compress_batch(&halves));
        };
        let (mut ours, mut voprf, mut single, mut batch) = (0f64, 0f64, 0f64, 0f64);
        for _ in 0..3 {
            ours = ours.max(rate(&ours_once));
            voprf = voprf.max(rate(&theirs_once));
            single = single.max(rate(&one_by_one));
            batch = batch.max(rate(&batched));
        }
        println!(
            "evaluations only (decode, multiply, encode): one encoding each {:.1} µs, k/2 + batched encoding {:.1} µs; {:.2}x",
            1e6 / single,
            1e6 / batch,
            batch / single
        );
        println!(
            "in-process evaluate + prove, batches of 256, per CPU second of one thread: {ours:.0} evaluations/s ({:.1} µs each)",
            1e6 / ours
        );
        println!(
            "voprf 0.5 batch_blind_evaluate, same elements and key: {voprf:.0} evaluations/s ({:.1} µs each); ours / voprf = {:.2}x",
            1e6 / voprf,
            ours / voprf
        );
    }

    let mut conn = Conn::open(&addr);
    let keys: serde_json::Value =
        serde_json::from_str(&conn.request("GET", "/v1/keys", "").1).unwrap();
    let point = keys["keys"][0]["publicKey"].as_str().unwrap().to_owned();

    println!(
        "key server load: {conns} keep-alive connections on loopback, {secs} s per batch size, \
         server and load generator sharing {} cores",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    println!(
        "batch | requests/s | evaluations/s | evaluations/s per server core | p50 ms | p99 ms"
    );
    for batch in [1usize, 16, 64, 256] {
        let body = Arc::new(
            serde_json::json!({"keyVersion": "b1", "blinded": vec![point.as_str(); batch]})
                .to_string(),
        );
        // Warm up, then measure.
        for _ in 0..3 {
            assert_eq!(conn.request("POST", "/v1/evaluate", &body).0, 200);
        }
        let cpu0 = cpu_seconds(pid);
        let start = Instant::now();
        let threads: Vec<_> = (0..conns)
            .map(|_| {
                let (addr, body) = (addr.clone(), Arc::clone(&body));
                std::thread::spawn(move || {
                    let mut c = Conn::open(&addr);
                    let mut lat = Vec::new();
                    while start.elapsed().as_secs_f64() < secs {
                        let t = Instant::now();
                        let (status, _) = c.request("POST", "/v1/evaluate", &body);
                        assert_eq!(status, 200);
                        lat.push(t.elapsed());
                    }
                    lat
                })
            })
            .collect();
        let mut lat: Vec<Duration> = threads
            .into_iter()
            .flat_map(|t| t.join().unwrap())
            .collect();
        let wall = start.elapsed().as_secs_f64();
        let cpu = cpu_seconds(pid) - cpu0;
        lat.sort();
        let pct = |p: f64| lat[((lat.len() as f64 * p) as usize).min(lat.len() - 1)];
        let evals = (lat.len() * batch) as f64;
        println!(
            "{batch:5} | {:10.0} | {:13.0} | {:29.0} | {:6.2} | {:6.2}",
            lat.len() as f64 / wall,
            evals / wall,
            evals / cpu,
            pct(0.50).as_secs_f64() * 1e3,
            pct(0.99).as_secs_f64() * 1e3,
        );
    }
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&dir);
}

fn env_or(name: &str, default: f64) -> f64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// User + system CPU seconds of a process (Linux /proc).
fn cpu_seconds(pid: u32) -> f64 {
    proc_cpu_seconds(&format!("/proc/{pid}/stat"))
}

/// CPU seconds of the calling thread.
fn thread_cpu_seconds() -> f64 {
    proc_cpu_seconds("/proc/thread-self/stat")
}

fn proc_cpu_seconds(path: &str) -> f64 {
    let stat = std::fs::read_to_string(path).unwrap();
    let after = &stat[stat.rfind(')').unwrap() + 2..];
    let f: Vec<&str> = after.split(' ').collect();
    // Fields 14 and 15 (utime, stime) are 12 and 13 after the state field.
    let ticks: f64 = f[11].parse::<f64>().unwrap() + f[12].parse::<f64>().unwrap();
    ticks / 100.0
}

/// One keep-alive HTTP/1.1 connection.
struct Conn {
    reader: BufReader<TcpStream>,
    addr: String,
}

impl Conn {
    fn open(addr: &str) -> Conn {
        let s = TcpStream::connect(addr).unwrap();
        s.set_nodelay(true).unwrap();
        Conn {
            reader: BufReader::new(s),
            addr: addr.to_owned(),
        }
    }

    fn request(&mut self, method: &str, path: &str, body: &str) -> (u16, String) {
        let req = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {API_KEY}\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            self.addr,
            body.len()
        );
        self.reader.get_mut().write_all(req.as_bytes()).unwrap();
        let mut status_line = String::new();
        self.reader.read_line(&mut status_line).unwrap();
        let status = status_line.split(' ').nth(1).unwrap().parse().unwrap();
        let mut len = 0;
        loop {
            let mut h = String::new();
            self.reader.read_line(&mut h).unwrap();
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                if k.eq_ignore_ascii_case("content-length") {
                    len = v.trim().parse().unwrap();
                }
            }
        }
        let mut buf = vec![0; len];
        self.reader.read_exact(&mut buf).unwrap();
        (status, String::from_utf8(buf).unwrap())
    }
}
