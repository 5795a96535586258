//! `pseudolink-synth`: writes generated datasets as CSV.
//!
//! ```text
//! pseudolink-synth link    --n 10000 --overlap 0.5 --seed 1 --out DIR
//! pseudolink-synth dedupe  --n 10000 --dup-rate 0.3 --max-cluster 5 --seed 1 --out DIR
//! pseudolink-synth sources --k 3 --n 10000 --presence 0.6 --seed 1 --out DIR
//! ```
//! Rates: `--typo --phonetic --nickname --missing --moved --email-changed
//! --name-swap --formatting --business --foreign` (each in 0..=1), or
//! `--clean` for no corruption at all.

use pseudolink_synth::{csv, dedupe, link, sources, Config, Corruption};
use std::path::{Path, PathBuf};

const USAGE: &str = "usage: pseudolink-synth (link|dedupe|sources) [--n N] [--overlap R] [--dup-rate R] \
[--max-cluster K] [--k K] [--presence R] [--seed S] [--out DIR] [--clean] [--typo R] [--phonetic R] \
[--nickname R] [--missing R] [--moved R] [--email-changed R] [--name-swap R] [--formatting R] \
[--business R] [--foreign R]";

struct Args {
    scenario: String,
    n: usize,
    overlap: f64,
    dup_rate: f64,
    max_cluster: usize,
    k: usize,
    presence: f64,
    out: PathBuf,
    cfg: Config,
}

fn parse_args() -> Result<Args, String> {
    let mut it = std::env::args().skip(1);
    let scenario = it.next().ok_or(USAGE)?;
    if !matches!(scenario.as_str(), "link" | "dedupe" | "sources") {
        return Err(USAGE.into());
    }
    let mut a = Args {
        scenario,
        n: 10_000,
        overlap: 0.5,
        dup_rate: 0.3,
        max_cluster: 5,
        k: 3,
        presence: 0.6,
        out: PathBuf::from("synth-out"),
        cfg: Config::new(1),
    };
    while let Some(flag) = it.next() {
        if flag == "--clean" {
            a.cfg.corruption = Corruption::NONE;
            continue;
        }
        let value = it
            .next()
            .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))?;
        let num = |v: &str| {
            v.parse::<f64>()
                .map_err(|_| format!("{flag}: not a number"))
        };
        let rate = |v: &str| {
            num(v).and_then(|x| {
                (0.0..=1.0)
                    .contains(&x)
                    .then_some(x)
                    .ok_or(format!("{flag}: must be within 0..=1"))
            })
        };
        let count = |v: &str| {
            v.parse::<usize>()
                .map_err(|_| format!("{flag}: not a count"))
        };
        let c = &mut a.cfg.corruption;
        match flag.as_str() {
            "--n" => a.n = count(&value)?,
            "--overlap" => a.overlap = rate(&value)?,
            "--dup-rate" => a.dup_rate = rate(&value)?,
            "--max-cluster" => a.max_cluster = count(&value)?,
            "--k" => a.k = count(&value)?,
            "--presence" => a.presence = rate(&value)?,
            "--seed" => a.cfg.seed = value.parse().map_err(|_| "--seed: not a u64".to_string())?,
            "--out" => a.out = PathBuf::from(value),
            "--typo" => c.typo = rate(&value)?,
            "--phonetic" => c.phonetic = rate(&value)?,
            "--nickname" => c.nickname = rate(&value)?,
            "--missing" => c.missing = rate(&value)?,
            "--moved" => c.moved = rate(&value)?,
            "--email-changed" => c.email_changed = rate(&value)?,
            "--name-swap" => c.name_swap = rate(&value)?,
            "--formatting" => c.formatting = rate(&value)?,
            "--business" => a.cfg.business_rate = rate(&value)?,
            "--foreign" => a.cfg.foreign_rate = rate(&value)?,
            _ => return Err(format!("unknown option {flag}\n{USAGE}")),
        }
    }
    Ok(a)
}

fn write(dir: &Path, name: &str, text: &str) -> Result<(), String> {
    let path = dir.join(name);
    std::fs::write(&path, text).map_err(|e| format!("writing {}: {e}", path.display()))?;
    eprintln!("wrote {}", path.display());
    Ok(())
}

fn run() -> Result<(), String> {
    let a = parse_args()?;
    std::fs::create_dir_all(&a.out).map_err(|e| format!("creating {}: {e}", a.out.display()))?;
    let c = &a.cfg.corruption;
    let params = format!(
        "scenario={} n={} overlap={} dup_rate={} max_cluster={} k={} presence={} seed={} \
         typo={} phonetic={} nickname={} missing={} moved={} email_changed={} name_swap={} \
         formatting={} business={} foreign={}\n",
        a.scenario,
        a.n,
        a.overlap,
        a.dup_rate,
        a.max_cluster,
        a.k,
        a.presence,
        a.cfg.seed,
        c.typo,
        c.phonetic,
        c.nickname,
        c.missing,
        c.moved,
        c.email_changed,
        c.name_swap,
        c.formatting,
        a.cfg.business_rate,
        a.cfg.foreign_rate
    );
    match a.scenario.as_str() {
        "link" => {
            let d = link(&a.cfg, a.n, a.overlap);
            write(&a.out, "a.csv", &csv::records(&d.a))?;
            write(&a.out, "b.csv", &csv::records(&d.b))?;
            write(&a.out, "truth.csv", &csv::pairs(["a_id", "b_id"], &d.pairs))?;
        }
        "dedupe" => {
            let d = dedupe(&a.cfg, a.n, a.dup_rate, a.max_cluster);
            write(&a.out, "records.csv", &csv::records(&d.rows))?;
            write(
                &a.out,
                "truth.csv",
                &csv::pairs(["id", "entity"], &d.clusters),
            )?;
        }
        _ => {
            let d = sources(&a.cfg, a.k, a.n, a.presence);
            for (i, rows) in d.sources.iter().enumerate() {
                write(
                    &a.out,
                    &format!("source_{}.csv", i + 1),
                    &csv::records(rows),
                )?;
            }
            write(
                &a.out,
                "truth.csv",
                &csv::pairs(["id", "entity"], &d.entities),
            )?;
        }
    }
    write(&a.out, "params.txt", &params)
}

fn main() -> std::process::ExitCode {
    match run() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("pseudolink-synth: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
