//! A Splink job's answer (`pseudolink-job/2`, written by the wheel's
//! `pseudolink.job.write_answer`): read chunk by chunk as the job streams
//! it, checked against the job, kept compact, and decided the `Linker`'s
//! way (`link::one_to_one_edges`) with explanations made of levels and
//! weights.
//!
//! The stream: a JSON header line `{"protocol", "engine", "prior",
//! "comparisons": [{"name", "labels", "tf"}]}`; chunks, each a line
//! `{"rows": n}` then n values per column, little-endian, back to back
//! (`a` u32, `b` u32, `probability` f64, `matchWeight` f64, then per
//! comparison `gamma` i8, `mw` f64 and, where `tf`, `mwTf` f64); a line
//! `{"end": true, "rows": total}`; nothing after it.
//!
//! Kept per pair: rows, probability, match weight, a level byte per
//! comparison and the term-frequency parts (56 bytes with the demo
//! project's eight comparisons, three of them with term frequencies). A
//! level's own weight is the same for every pair (Splink's `mw_` column is
//! a function of the level), so it is kept once per level, and a pair
//! that disagrees refuses the answer. One JSON line per answer, as in
//! `pseudolink-job/1`, held every pair's text and its parse at once
//! (BENCHMARKS.md, "The job's answer streamed").

use std::io::{BufRead, Read};

use pseudolink::link::{one_to_one_edges, Contribution, Explanation, LinkConfig};
use serde::Deserialize;

use super::run::Decided;

pub const PROTOCOL: &str = "pseudolink-job/2";

/// Most pairs one chunk may hold (the job writes at most 65,536).
const MAX_CHUNK_ROWS: usize = 1 << 20;

/// Longest header or frame line, newline included.
const MAX_LINE: u64 = 1 << 20;

/// The answer does not fit the job (`engine.answer`); never says how, as
/// the job's output may hold anything.
#[derive(Debug, PartialEq, Eq)]
pub struct BadAnswer;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Header {
    protocol: String,
    prior: f64,
    comparisons: Vec<Comparison>,
}

#[derive(Deserialize)]
struct Comparison {
    name: String,
    labels: Vec<String>,
    tf: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Frame {
    rows: u64,
    #[serde(default)]
    end: bool,
}

/// A job's scored pairs, as read: columns, one level byte per comparison.
pub struct Scored {
    prior: f64,
    comparisons: Vec<Comparison>,
    a: Vec<u32>,
    b: Vec<u32>,
    probability: Vec<f64>,
    match_weight: Vec<f64>,
    /// Per comparison, per pair: the level (-1 null).
    gamma: Vec<Vec<i8>>,
    /// Per comparison, per level: its match weight, once seen.
    level_weight: Vec<Vec<Option<f64>>>,
    /// Per comparison, per pair: the term-frequency part (empty unless `tf`).
    tf: Vec<Vec<f64>>,
}

impl Scored {
    pub fn len(&self) -> usize {
        self.a.len()
    }
}

/// Reads a whole answer from `r` for a job of `na` partner and `nb`
/// directory rows with `config`'s comparisons.
pub fn read(
    r: &mut impl BufRead,
    config: &LinkConfig,
    na: usize,
    nb: usize,
) -> Result<Scored, BadAnswer> {
    let header: Header = serde_json::from_slice(&line(r)?).map_err(|_| BadAnswer)?;
    let names_fit = header.comparisons.len() == config.comparisons.len()
        && header
            .comparisons
            .iter()
            .zip(&config.comparisons)
            .all(|(a, c)| a.name == c.name && a.labels.len() <= i8::MAX as usize);
    if header.protocol != PROTOCOL || !names_fit || !(header.prior > 0.0 && header.prior < 1.0) {
        return Err(BadAnswer);
    }
    let k = header.comparisons.len();
    let mut s = Scored {
        prior: header.prior,
        a: Vec::new(),
        b: Vec::new(),
        probability: Vec::new(),
        match_weight: Vec::new(),
        gamma: vec![Vec::new(); k],
        level_weight: header
            .comparisons
            .iter()
            .map(|c| vec![None; c.labels.len()])
            .collect(),
        tf: vec![Vec::new(); k],
        comparisons: header.comparisons,
    };
    let width = 24
        + s.comparisons
            .iter()
            .map(|c| if c.tf { 17 } else { 9 })
            .sum::<usize>();
    let mut buf = Vec::new();
    loop {
        let frame: Frame = serde_json::from_slice(&line(r)?).map_err(|_| BadAnswer)?;
        if frame.end {
            // The total as promised, then the end of the stream.
            let ended = r.fill_buf().map_err(|_| BadAnswer)?.is_empty();
            return if frame.rows == s.len() as u64 && ended {
                Ok(s)
            } else {
                Err(BadAnswer)
            };
        }
        let n = usize::try_from(frame.rows).map_err(|_| BadAnswer)?;
        if n == 0 || n > MAX_CHUNK_ROWS {
            return Err(BadAnswer);
        }
        buf.resize(n * width, 0);
        r.read_exact(&mut buf).map_err(|_| BadAnswer)?;
        s.push_chunk(&buf, n, na, nb)?;
    }
}

/// One line of at most `MAX_LINE` bytes, ended by a newline.
fn line(r: &mut impl BufRead) -> Result<Vec<u8>, BadAnswer> {
    let mut out = Vec::new();
    r.take(MAX_LINE)
        .read_until(b'\n', &mut out)
        .map_err(|_| BadAnswer)?;
    match out.pop() {
        Some(b'\n') => Ok(out),
        _ => Err(BadAnswer),
    }
}

/// Fixed-width little-endian columns, read off the front of a chunk.
struct Columns<'a>(&'a [u8], usize);

impl<'a> Columns<'a> {
    fn next<const W: usize>(&mut self) -> impl Iterator<Item = [u8; W]> + 'a {
        let (col, rest) = self.0.split_at(self.1 * W);
        self.0 = rest;
        col.chunks_exact(W).map(|c| c.try_into().unwrap_or([0; W]))
    }
}

impl Scored {
    fn push_chunk(&mut self, buf: &[u8], n: usize, na: usize, nb: usize) -> Result<(), BadAnswer> {
        let mut cols = Columns(buf, n);
        let at = self.a.len();
        self.a.extend(cols.next::<4>().map(u32::from_le_bytes));
        self.b.extend(cols.next::<4>().map(u32::from_le_bytes));
        self.probability
            .extend(cols.next::<8>().map(f64::from_le_bytes));
        self.match_weight
            .extend(cols.next::<8>().map(f64::from_le_bytes));
        let rows_fit = self.a[at..].iter().all(|&i| (i as usize) < na)
            && self.b[at..].iter().all(|&j| (j as usize) < nb);
        let scores_fit = self.probability[at..]
            .iter()
            .all(|p| (0.0..=1.0).contains(p))
            && self.match_weight[at..].iter().all(|w| !w.is_nan());
        if !(rows_fit && scores_fit) {
            return Err(BadAnswer);
        }
        for c in 0..self.comparisons.len() {
            let gamma: Vec<i8> = cols.next::<1>().map(i8::from_le_bytes).collect();
            let weights = &mut self.level_weight[c];
            for (g, mw) in gamma.iter().zip(cols.next::<8>().map(f64::from_le_bytes)) {
                if *g < 0 {
                    // Null: neither side has the field, weight 0 whatever it says.
                    if *g != -1 {
                        return Err(BadAnswer);
                    }
                    continue;
                }
                let level = weights.get_mut(*g as usize).ok_or(BadAnswer)?;
                match level {
                    _ if !mw.is_finite() => return Err(BadAnswer),
                    None => *level = Some(mw),
                    Some(w) if w.to_bits() == mw.to_bits() => {}
                    Some(_) => return Err(BadAnswer),
                }
            }
            if self.comparisons[c].tf {
                let from = self.tf[c].len();
                self.tf[c].extend(cols.next::<8>().map(f64::from_le_bytes));
                if !self.tf[c][from..].iter().all(|x| x.is_finite()) {
                    return Err(BadAnswer);
                }
            }
            self.gamma[c].extend(gamma);
        }
        Ok(())
    }
}

/// The accepted pairs, decided one-to-one as the `Linker` decides,
/// highest probability first, explained by levels and weights (no
/// similarities) when the project asks for explanations.
pub fn decide(config: &LinkConfig, s: &Scored) -> Result<Vec<Decided>, BadAnswer> {
    let triples: Vec<(u32, u32, f64)> = (0..s.len())
        .map(|i| (s.a[i], s.b[i], s.probability[i]))
        .collect();
    let accepted = one_to_one_edges(&triples, config.threshold).map_err(|_| BadAnswer)?;
    drop(triples);
    let prior_weight = (s.prior / (1.0 - s.prior)).log2();
    accepted
        .into_iter()
        .map(|at| {
            let explanation = if config.explain_links {
                Some(Explanation {
                    prior_weight,
                    contributions: s.contributions(at)?,
                    match_weight: s.match_weight[at],
                    probability: s.probability[at],
                })
            } else {
                None
            };
            Ok(Decided {
                a: s.a[at] as u64,
                b: s.b[at] as u64,
                probability: s.probability[at],
                explanation,
            })
        })
        .collect()
}

impl Scored {
    /// Pair `at`'s levels and weights, one per comparison.
    fn contributions(&self, at: usize) -> Result<Vec<Contribution>, BadAnswer> {
        self.comparisons
            .iter()
            .enumerate()
            .map(|(c, comp)| {
                let g = self.gamma[c][at];
                let (level, weight, tf) = match usize::try_from(g) {
                    Err(_) => ("null".to_owned(), 0.0, 0.0),
                    Ok(g) => {
                        let label = comp.labels.get(g).ok_or(BadAnswer)?.clone();
                        let mw = self.level_weight[c][g].ok_or(BadAnswer)?;
                        let tf = self.tf[c].get(at).copied().unwrap_or(0.0);
                        (label, mw + tf, tf)
                    }
                };
                Ok(Contribution {
                    comparison: comp.name.clone(),
                    level,
                    similarity: None,
                    match_weight: weight,
                    tf_adjustment: tf,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> LinkConfig {
        LinkConfig::from_json(
            r#"{"comparisons": [
                {"name": "email", "kind": "token", "source": "email", "tfAdjustment": true},
                {"name": "lastName", "kind": "clk", "source": "lastName", "thresholds": [0.9, 0.7]}]}"#,
        )
        .unwrap()
    }

    /// One scored pair as a job writes it: email (with term frequencies)
    /// and lastName.
    #[derive(Clone, Copy)]
    struct P {
        a: u32,
        b: u32,
        p: f64,
        gamma: [i8; 2],
        mw: [f64; 2],
        tf: f64,
    }

    /// Email agrees (3 bits, TF -1), lastName null.
    fn p(a: u32, b: u32, p: f64) -> P {
        P {
            a,
            b,
            p,
            gamma: [1, -1],
            mw: [3.0, 0.0],
            tf: -1.0,
        }
    }

    fn header(protocol: &str) -> Vec<u8> {
        let mut h = serde_json::to_vec(&serde_json::json!({
            "protocol": protocol, "engine": "duckdb", "prior": 0.001,
            "comparisons": [{"name": "email", "labels": ["disagree", "agree"], "tf": true},
                            {"name": "lastName", "labels": ["dice<0.70", "dice≥0.70", "dice≥0.90"], "tf": false}]
        }))
        .unwrap();
        h.push(b'\n');
        h
    }

    fn chunk(pairs: &[P]) -> Vec<u8> {
        let mut out = format!("{{\"rows\":{}}}\n", pairs.len()).into_bytes();
        let mut col = |f: &dyn Fn(&P) -> Vec<u8>| out.extend(pairs.iter().flat_map(f));
        col(&|x| x.a.to_le_bytes().to_vec());
        col(&|x| x.b.to_le_bytes().to_vec());
        col(&|x| x.p.to_le_bytes().to_vec());
        col(&|_| 3.0f64.to_le_bytes().to_vec());
        col(&|x| x.gamma[0].to_le_bytes().to_vec());
        col(&|x| x.mw[0].to_le_bytes().to_vec());
        col(&|x| x.tf.to_le_bytes().to_vec());
        col(&|x| x.gamma[1].to_le_bytes().to_vec());
        col(&|x| x.mw[1].to_le_bytes().to_vec());
        out
    }

    fn end(rows: usize) -> Vec<u8> {
        format!("{{\"end\":true,\"rows\":{rows}}}\n").into_bytes()
    }

    /// A whole answer: the header, these chunks, the end line.
    fn stream(chunks: &[&[P]]) -> Vec<u8> {
        let mut out = header(PROTOCOL);
        for c in chunks {
            out.extend(chunk(c));
        }
        out.extend(end(chunks.iter().map(|c| c.len()).sum()));
        out
    }

    fn decided(config: &LinkConfig, bytes: &[u8]) -> Result<Vec<Decided>, BadAnswer> {
        decide(config, &read(&mut &bytes[..], config, 2, 2)?)
    }

    #[test]
    fn the_job_scores_and_the_service_decides_one_to_one_with_levels_not_similarities() {
        // Three pairs over two chunks.
        let got = decided(
            &config(),
            &stream(&[&[p(0, 0, 0.7), p(0, 1, 0.9)], &[p(1, 1, 0.8)]]),
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
        assert_eq!(e.contributions[1].match_weight, 0.0);
        assert!(e.contributions.iter().all(|c| c.similarity.is_none()));
        assert!((e.prior_weight - (0.001f64 / 0.999).log2()).abs() < 1e-12);
        assert_eq!((e.match_weight, e.probability), (3.0, 0.9));
    }

    #[test]
    fn each_level_keeps_its_weight_and_each_pair_its_own_term_frequency_part() {
        let mut x = p(0, 0, 0.9);
        (x.gamma, x.mw, x.tf) = ([0, 2], [-2.5, 4.0], 0.25);
        let mut y = p(1, 1, 0.8);
        (y.gamma, y.mw, y.tf) = ([1, 2], [3.0, 4.0], -0.5);
        let got = decided(&config(), &stream(&[&[x], &[y]])).unwrap();
        let levels: Vec<Vec<(String, f64, f64)>> = got
            .iter()
            .map(|d| {
                let e = d.explanation.as_ref().unwrap();
                e.contributions
                    .iter()
                    .map(|c| (c.level.clone(), c.match_weight, c.tf_adjustment))
                    .collect()
            })
            .collect();
        let l = |s: &str, w: f64, tf: f64| (s.to_owned(), w, tf);
        assert_eq!(
            levels,
            [
                vec![l("disagree", -2.25, 0.25), l("dice≥0.90", 4.0, 0.0)],
                vec![l("agree", 2.5, -0.5), l("dice≥0.90", 4.0, 0.0)],
            ]
        );
    }

    #[test]
    fn without_explain_links_no_explanation_is_built() {
        let mut c = config();
        c.explain_links = false;
        let got = decided(&c, &stream(&[&[p(0, 1, 0.9)]])).unwrap();
        assert_eq!((got[0].a, got[0].b), (0, 1));
        assert!(got[0].explanation.is_none());
    }

    #[test]
    fn no_pairs_is_an_answer_with_no_links() {
        assert!(decided(&config(), &stream(&[])).unwrap().is_empty());
    }

    #[test]
    fn a_stream_cut_short_or_run_on_is_refused() {
        let whole = stream(&[&[p(0, 1, 0.9), p(1, 0, 0.8)]]);
        let body = [header(PROTOCOL), chunk(&[p(0, 1, 0.9), p(1, 0, 0.8)])].concat();
        for bad in [
            body.clone(),                      // no end line
            [&body[..], &end(3)].concat(),     // a total that is not the pairs'
            [&whole[..], b"x"].concat(),       // something after the end
            whole[..whole.len() - 1].to_vec(), // the end line unfinished
            body[..body.len() - 5].to_vec(),   // a chunk cut inside a column
            header(PROTOCOL),                  // the header alone
            Vec::new(),                        // nothing
        ] {
            assert_eq!(decided(&config(), &bad).err(), Some(BadAnswer));
        }
    }

    #[test]
    fn an_answer_that_does_not_fit_the_job_is_refused() {
        let c = config();
        let mut odd_level = p(0, 0, 0.9);
        odd_level.gamma = [2, -1]; // email has two levels
        let mut odd_null = p(0, 0, 0.9);
        odd_null.gamma = [-2, -1];
        let mut other_weight = p(1, 1, 0.8);
        other_weight.mw = [3.5, 0.0]; // email's "agree" weighed 3 bits in the pair before
        let mut infinite_tf = p(0, 0, 0.9);
        infinite_tf.tf = f64::INFINITY;
        for bad in [
            stream(&[&[p(5, 0, 0.9)]]), // a row the partner does not have
            stream(&[&[p(0, 2, 0.9)]]), // a row the directory does not have
            stream(&[&[p(0, 0, 1.5)]]), // not a probability
            stream(&[&[p(0, 0, f64::NAN)]]),
            stream(&[&[odd_level]]),
            stream(&[&[odd_null]]),
            stream(&[&[p(0, 0, 0.9)], &[other_weight]]),
            stream(&[&[infinite_tf]]),
            [header(PROTOCOL), b"{\"rows\":0}\n".to_vec(), end(0)].concat(),
            // More rows than a chunk may hold, though every one is there.
            stream(&[&vec![p(0, 0, 0.9); MAX_CHUNK_ROWS + 1]]),
            [header(PROTOCOL), b"{\"rows\":1,\"more\":1}\n".to_vec()].concat(),
            [header("pseudolink-job/1"), end(0)].concat(),
            b"not json\n".to_vec(),
        ] {
            assert_eq!(decided(&c, &bad).err(), Some(BadAnswer));
        }
        let renamed = String::from_utf8(header(PROTOCOL))
            .unwrap()
            .replace("lastName", "surname");
        let renamed = [renamed.as_bytes(), &chunk(&[p(0, 0, 0.9)]), &end(1)].concat();
        assert_eq!(decided(&c, &renamed).err(), Some(BadAnswer));
    }
}
