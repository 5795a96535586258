//! Encoded records (the linker's input) and their columnar, prepared form.
//!
//! Tokens are parsed once and interned: each distinct token (its 32-byte tag)
//! becomes a `u32`, so agreement is an integer compare and a token's
//! frequency is an array lookup. CLKs are decoded once into record-major rows
//! (one column per CLK key used by a comparison or by LSH).

use super::comparison::{group_members, Comparison, ComparisonKind, NULL_LEVEL};
use super::dice::ClkRows;
use super::tags::TagTable;
pub use crate::encoded::EncodedRecord;
use crate::encoding::base64_std_decode;
use crate::error::{Error, ErrorCode, Subject};
use crate::Token;
use std::collections::{HashMap, HashSet};

/// Interned tokens shared by the datasets of one linking job.
///
/// Records whose caller has interned their tokens already (the identity
/// graph's, [`Prepare::token_ids`]) keep those ids: the interner then holds
/// no tags of its own, only counts, and the graph's person index shares the
/// graph's one token table (36 MB less per 100k records). One interner is
/// fed one kind of record, never both.
#[derive(Debug, Default)]
pub(crate) struct Interner {
    /// Tags of the tokens interned here (none when the records gave ids).
    pub tags: TagTable,
    key_ids: HashMap<String, u16>,
    /// Records (across datasets) holding each token.
    pub counts: Vec<u32>,
}

impl Interner {
    /// The id of a token: the caller's `given` one, else its tag's.
    pub(crate) fn id(&mut self, tag: &[u8; 32], given: Option<u32>) -> u32 {
        if let Some(id) = given {
            let need = (id as usize + 1).saturating_sub(self.counts.len());
            if need > 0 {
                super::engine::growth::reserve(&mut self.counts, need);
                self.counts.resize(id as usize + 1, 0);
            }
            return id;
        }
        let (id, new) = self.tags.intern(tag);
        if new {
            self.counts.push(0);
        }
        id
    }
}

/// Per comparison, per record: the `(key id, token id)` pairs it holds.
/// A column no comparison reads keeps no offsets (most comparisons have no
/// term-frequency column, and a CLK comparison without nicknames no token
/// column): 4 bytes a record each, which a graph of millions would carry.
#[derive(Debug, Default, Clone)]
pub(crate) struct TokenColumn {
    offsets: Vec<u32>,
    values: Vec<(u16, u32)>,
}

impl TokenColumn {
    /// Record `i`'s tokens (none in an unused column).
    #[inline]
    pub fn of(&self, i: usize) -> &[(u16, u32)] {
        match (self.offsets.get(i), self.offsets.get(i + 1)) {
            (Some(&s), Some(&e)) => self.values.get(s as usize..e as usize).unwrap_or(&[]),
            _ => &[],
        }
    }

    /// Number of tokens records `rows` hold together.
    pub fn values_in(&self, rows: core::ops::Range<usize>) -> usize {
        match (self.offsets.get(rows.start), self.offsets.get(rows.end)) {
            (Some(&s), Some(&e)) => e.saturating_sub(s) as usize,
            _ => 0,
        }
    }

    /// An empty column: with offsets from the first record if a comparison
    /// reads it, else none.
    fn read_if(read: bool) -> Self {
        TokenColumn {
            offsets: if read { vec![0] } else { Vec::new() },
            values: Vec::new(),
        }
    }
}

/// One dataset, prepared for a fixed comparison set and blocking subjects.
#[derive(Debug, Default)]
pub(crate) struct Dataset {
    pub ids: Vec<String>,
    /// Per comparison: tokens (token comparisons; a CLK comparison's
    /// nickname tokens).
    pub tokens: Vec<TokenColumn>,
    /// Per comparison: the field's own tokens of a CLK comparison with
    /// term-frequency adjustment (subject = its CLK key), else empty.
    pub tf_tokens: Vec<TokenColumn>,
    /// CLKs, one column per key of the job's [`ClkLayout`].
    pub clks: ClkRows,
    /// Per comparison: its CLK column (CLK comparisons only).
    pub clk_col: Vec<usize>,
    /// Per comparison: the positions of its group's members (group only).
    pub members: Vec<Vec<usize>>,
    /// The group comparisons' positions.
    pub groups: Vec<usize>,
    /// Per record: interned tokens used for exact blocking.
    pub block_keys: TokenColumn,
}

impl Dataset {
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Appends another dataset prepared with the same comparisons and interner.
    pub fn append(&mut self, other: Dataset) -> Result<(), Error> {
        self.ids.extend(other.ids);
        for (mine, theirs) in self.tokens.iter_mut().zip(other.tokens) {
            mine.append(theirs);
        }
        for (mine, theirs) in self.tf_tokens.iter_mut().zip(other.tf_tokens) {
            mine.append(theirs);
        }
        self.block_keys.append(other.block_keys);
        self.clks.append(&other.clks)
    }
}

impl TokenColumn {
    fn append(&mut self, other: TokenColumn) {
        if other.offsets.is_empty() {
            // Unused here and there (both were prepared for the same comparisons).
            return;
        }
        let base = self.values.len() as u32;
        if self.offsets.is_empty() {
            self.offsets.push(0);
        }
        self.offsets
            .extend(other.offsets.iter().skip(1).map(|o| o + base));
        self.values.extend(other.values);
    }
}

/// Whether a token subject is used for exact blocking (`mk-*` = every match key).
pub(crate) fn is_block_subject(patterns: &[String], subject: &str) -> bool {
    patterns.iter().any(|p| match p.strip_suffix('*') {
        Some(prefix) => subject.starts_with(prefix),
        None => p == subject,
    })
}

/// Which CLK keys a job stores, in which column, and how wide each is.
#[derive(Debug, Clone, Default)]
pub(crate) struct ClkLayout {
    pub keys: Vec<String>,
    /// Per comparison: column of its CLK (0 for token comparisons).
    pub comparison_col: Vec<usize>,
    /// Per LSH configuration: columns of its CLKs (`clk`, then `also`).
    pub lsh_col: Vec<Vec<usize>>,
    pub widths: Vec<usize>,
}

impl ClkLayout {
    /// Columns for the CLK comparisons, LSH keys and `extra` keys (kept,
    /// not compared); widths are taken from the first CLK of each key over
    /// all datasets of the job, and every other CLK of that key must have
    /// the same length.
    pub fn new<R: Prepare>(
        comparisons: &[Comparison],
        lsh_keys: &[Vec<String>],
        extra: &[String],
        sets: &[&[R]],
    ) -> Result<Self, Error> {
        let mut layout = ClkLayout::columns(comparisons, lsh_keys, extra);
        for s in sets {
            layout.widen(s)?;
        }
        Ok(layout)
    }

    /// The columns, with no width yet (see [`ClkLayout::widen`]).
    pub fn columns(comparisons: &[Comparison], lsh_keys: &[Vec<String>], extra: &[String]) -> Self {
        let mut keys: Vec<String> = Vec::new();
        let mut col = |k: &str| match keys.iter().position(|x| x == k) {
            Some(c) => c,
            None => {
                keys.push(k.to_owned());
                keys.len() - 1
            }
        };
        let comparison_col = comparisons
            .iter()
            .map(|c| match c.kind {
                ComparisonKind::Clk => col(&c.source),
                ComparisonKind::Token | ComparisonKind::Group => 0,
            })
            .collect();
        let lsh_col = lsh_keys
            .iter()
            .map(|ks| ks.iter().map(|k| col(k)).collect())
            .collect();
        for k in extra {
            col(k);
        }
        let widths = vec![0usize; keys.len()];
        ClkLayout {
            keys,
            comparison_col,
            lsh_col,
            widths,
        }
    }

    /// Takes the widths still unknown from one dataset's CLKs and checks
    /// every CLK of that dataset against them (datasets in job order).
    pub fn widen<R: Prepare>(&mut self, records: &[R]) -> Result<(), Error> {
        for r in records {
            for (w, k) in self.widths.iter_mut().zip(&self.keys) {
                if let Some(clk) = r.clk(k) {
                    if *w == 0 {
                        *w = clk.len();
                    }
                    if clk.len() != *w || clk.is_empty() {
                        return Err(Error::new(
                            Subject::Record,
                            ErrorCode::LinkClkLengthMismatch,
                        ));
                    }
                }
            }
        }
        Ok(())
    }
}

/// What [`prepare`] reads from a record. [`EncodedRecord`]s parse their
/// token texts; the identity graph hands over tokens it has already parsed.
pub(crate) trait Prepare {
    /// The record's id (unique within the dataset).
    fn id(&self) -> &str;
    /// Calls `f(subject, key id, tag)` for every token, then match key.
    fn tokens(&self, f: &mut dyn FnMut(&str, &str, &[u8; 32])) -> Result<(), Error>;
    /// The record's CLK of `key`, if any.
    fn clk(&self, key: &str) -> Option<&[u8]>;
    /// Ids the caller's own token table gives the tokens `tokens` calls
    /// with, in the same order (equal tags, equal ids), if it has one.
    fn token_ids(&self) -> Option<&[u32]> {
        None
    }
    /// Whether the dataset keeps (and checks the uniqueness of) ids: a
    /// caller that never names records by them says no.
    fn keeps_id(&self) -> bool {
        true
    }
}

impl Prepare for EncodedRecord {
    fn id(&self) -> &str {
        &self.id
    }

    fn tokens(&self, f: &mut dyn FnMut(&str, &str, &[u8; 32])) -> Result<(), Error> {
        for text in self.tokens.iter().chain(&self.match_keys) {
            let t =
                Token::parse(text).ok_or(Error::new(Subject::Record, ErrorCode::LinkBadToken))?;
            f(t.subject, t.key_id, &t.tag);
        }
        Ok(())
    }

    fn clk(&self, key: &str) -> Option<&[u8]> {
        self.clks.get(key).map(Vec::as_slice)
    }
}

/// How a token of one (subject, key id) is used: cached per call, since a
/// dataset has a dozen such pairs and every record repeats them.
struct SubjectUse {
    subject: String,
    key_id: String,
    /// Comparisons using the subject, as a bit set (at most 16).
    used_by: u32,
    /// CLK comparisons adjusting by the subject's frequencies, as a bit set.
    tf_by: u32,
    blocks: bool,
    key: u16,
}

/// Parses, validates and interns one dataset.
pub(crate) fn prepare<R: Prepare>(
    records: &[R],
    comparisons: &[Comparison],
    block_subjects: &[String],
    layout: &ClkLayout,
    interner: &mut Interner,
) -> Result<Dataset, Error> {
    if records.len() > (i32::MAX as usize) {
        return Err(Error::new(Subject::Record, ErrorCode::LinkTooManyRecords));
    }
    let mut seen = HashSet::with_capacity(records.len());
    let mut ds = Dataset {
        ids: Vec::with_capacity(records.len()),
        tokens: comparisons
            .iter()
            .map(|c| TokenColumn::read_if(c.token_subject().is_some()))
            .collect(),
        tf_tokens: comparisons
            .iter()
            .map(|c| TokenColumn::read_if(c.clk_tf()))
            .collect(),
        clks: ClkRows::new(layout.widths.clone()),
        clk_col: layout.comparison_col.clone(),
        members: group_members(comparisons),
        groups: comparisons
            .iter()
            .enumerate()
            .filter(|(_, c)| !c.group.is_empty())
            .map(|(k, _)| k)
            .collect(),
        block_keys: TokenColumn::default(),
    };
    let mut row: Vec<Option<&[u8]>> = Vec::with_capacity(layout.keys.len());
    ds.block_keys.offsets.push(0);
    let mut record_tokens: Vec<u32> = Vec::new();
    let mut uses: Vec<SubjectUse> = Vec::new();
    for r in records {
        if !r.keeps_id() {
            ds.ids.push(String::new());
        } else if seen.insert(r.id()) {
            ds.ids.push(r.id().to_owned());
        } else {
            return Err(Error::new(Subject::Record, ErrorCode::LinkDuplicateId));
        }
        record_tokens.clear();
        let given = r.token_ids();
        let mut nth = 0;
        r.tokens(&mut |subject, key_id, tag| {
            let given = given.and_then(|ids| ids.get(nth).copied());
            nth += 1;
            let u = match uses
                .iter()
                .position(|u| u.subject == subject && u.key_id == key_id)
            {
                Some(u) => u,
                None => {
                    let used_by: u32 = comparisons
                        .iter()
                        .enumerate()
                        .filter(|(_, c)| c.token_subject() == Some(subject))
                        .fold(0, |m, (k, _)| m | 1 << k);
                    let tf_by: u32 = comparisons
                        .iter()
                        .enumerate()
                        .filter(|(_, c)| c.clk_tf() && c.source == subject)
                        .fold(0, |m, (k, _)| m | 1 << k);
                    let key = match interner.key_ids.get(key_id) {
                        Some(&key) => key,
                        None => {
                            let key = interner.key_ids.len() as u16;
                            interner.key_ids.insert(key_id.to_owned(), key);
                            key
                        }
                    };
                    uses.push(SubjectUse {
                        subject: subject.to_owned(),
                        key_id: key_id.to_owned(),
                        used_by,
                        tf_by,
                        blocks: is_block_subject(block_subjects, subject),
                        key,
                    });
                    uses.len() - 1
                }
            };
            let SubjectUse {
                used_by,
                tf_by,
                blocks,
                key,
                ..
            } = uses[u];
            if used_by == 0 && tf_by == 0 && !blocks {
                return;
            }
            let id = interner.id(tag, given);
            if !record_tokens.contains(&id) {
                record_tokens.push(id);
                if let Some(c) = interner.counts.get_mut(id as usize) {
                    *c += 1;
                }
            }
            for (k, col) in ds.tokens.iter_mut().enumerate() {
                if used_by & 1 << k != 0 {
                    col.values.push((key, id));
                }
            }
            for (k, col) in ds.tf_tokens.iter_mut().enumerate() {
                if tf_by & 1 << k != 0 {
                    col.values.push((key, id));
                }
            }
            if blocks {
                ds.block_keys.values.push((key, id));
            }
        })?;
        for col in ds.tokens.iter_mut().chain(&mut ds.tf_tokens) {
            if !col.offsets.is_empty() {
                col.offsets.push(col.values.len() as u32);
            }
        }
        ds.block_keys
            .offsets
            .push(ds.block_keys.values.len() as u32);
        row.clear();
        row.extend(layout.keys.iter().map(|k| r.clk(k)));
        ds.clks.push_row(&row)?;
    }
    Ok(ds)
}

/// Decodes a standard-base64 CLK (for callers holding text).
pub fn decode_clk(text: &str) -> Result<Vec<u8>, Error> {
    base64_std_decode(text).ok_or(Error::new(Subject::Record, ErrorCode::LinkBadBase64))
}

/// What one comparison found for one pair.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Outcome {
    /// Level, or [`NULL_LEVEL`].
    pub level: u8,
    /// Dice similarity (CLK comparisons with both CLKs present).
    pub similarity: Option<f64>,
    /// The agreeing token (token comparisons at `agree`).
    pub token: Option<u32>,
    /// CLK comparisons: the nickname tokens agree and lifted the level.
    pub nickname: bool,
}

/// Whether two records share a token of comparison `k` (same key, same tag):
/// `Some(agree)` when they hold tokens under a common key, else `None`.
#[inline]
fn tokens_agree(k: usize, a: &Dataset, i: usize, b: &Dataset, j: usize) -> Option<(bool, u32)> {
    let (ta, tb) = (a.tokens[k].of(i), b.tokens[k].of(j));
    let mut shared_key = None;
    for &(ka, ia) in ta {
        for &(kb, ib) in tb {
            if ka == kb {
                if ia == ib {
                    return Some((true, ia));
                }
                shared_key = Some((false, ia));
            }
        }
    }
    shared_key
}

/// The token two records agree on for token comparison `k`, if they do
/// ([`compare`]'s `token`).
#[inline]
pub(crate) fn agreeing_token(
    k: usize,
    a: &Dataset,
    i: usize,
    b: &Dataset,
    j: usize,
) -> Option<u32> {
    match tokens_agree(k, a, i, b, j) {
        Some((true, t)) => Some(t),
        _ => None,
    }
}

/// The field token two records share for CLK comparison `k`'s
/// term-frequency adjustment (see [`Comparison::clk_tf`]), if any.
#[inline]
pub(crate) fn tf_token(k: usize, a: &Dataset, i: usize, b: &Dataset, j: usize) -> Option<u32> {
    let (ta, tb) = (a.tf_tokens.get(k)?.of(i), b.tf_tokens.get(k)?.of(j));
    ta.iter().find(|x| tb.contains(x)).map(|&(_, id)| id)
}

/// Evaluates comparison `k` on record `i` of `a` and `j` of `b`.
#[inline]
pub(crate) fn compare(
    c: &Comparison,
    k: usize,
    a: &Dataset,
    i: usize,
    b: &Dataset,
    j: usize,
) -> Outcome {
    match c.kind {
        ComparisonKind::Token => match tokens_agree(k, a, i, b, j) {
            Some((true, t)) => Outcome {
                level: 1,
                similarity: None,
                token: Some(t),
                nickname: false,
            },
            Some((false, _)) => Outcome {
                level: 0,
                similarity: None,
                token: None,
                nickname: false,
            },
            None => Outcome {
                level: NULL_LEVEL,
                similarity: None,
                token: None,
                nickname: false,
            },
        },
        ComparisonKind::Clk => match a.clks.dice(i, &b.clks, j, a.clk_col[k]) {
            Some(d) => {
                let level = c.clk_level(d);
                // Only comparisons with a nickname subject hold tokens here.
                let lift = c.nickname_level();
                let nickname = level < lift
                    && c.nickname.is_some()
                    && matches!(tokens_agree(k, a, i, b, j), Some((true, _)));
                Outcome {
                    level: if nickname { lift } else { level },
                    similarity: Some(d),
                    token: None,
                    nickname,
                }
            }
            None => Outcome {
                level: NULL_LEVEL,
                similarity: None,
                token: None,
                nickname: false,
            },
        },
        // A group's level depends on its members: see `outcomes`.
        ComparisonKind::Group => Outcome {
            level: NULL_LEVEL,
            similarity: None,
            token: None,
            nickname: false,
        },
    }
}

/// The level of comparison `k` for a pair: [`compare`]'s, without the
/// details only an explanation reads. This is the hot loop of comparing
/// candidates: returning only a byte keeps it in registers, where the
/// full outcome goes through memory in wasm. Groups: see [`pattern`].
#[inline(always)]
fn level(c: &Comparison, k: usize, a: &Dataset, i: usize, b: &Dataset, j: usize) -> u8 {
    match c.kind {
        ComparisonKind::Token => match tokens_agree(k, a, i, b, j) {
            Some((agree, _)) => u8::from(agree),
            None => NULL_LEVEL,
        },
        ComparisonKind::Clk => match a.clks.dice(i, &b.clks, j, a.clk_col[k]) {
            Some(d) => {
                let level = c.clk_level(d);
                let lift = c.nickname_level();
                if level < lift
                    && c.nickname.is_some()
                    && matches!(tokens_agree(k, a, i, b, j), Some((true, _)))
                {
                    lift
                } else {
                    level
                }
            }
            None => NULL_LEVEL,
        },
        ComparisonKind::Group => NULL_LEVEL,
    }
}

/// Every comparison's outcome for a pair, groups included: a group at
/// `allDisagree` makes its members null (the group carries their evidence).
pub(crate) fn outcomes(
    comparisons: &[Comparison],
    a: &Dataset,
    i: usize,
    b: &Dataset,
    j: usize,
) -> Vec<Outcome> {
    let mut out: Vec<Outcome> = comparisons
        .iter()
        .enumerate()
        .map(|(k, c)| compare(c, k, a, i, b, j))
        .collect();
    for (k, c) in comparisons.iter().enumerate() {
        if !c.group.is_empty() {
            let (level, take_over) =
                c.grouped(out[k].level, a.members[k].iter().map(|&g| out[g].level));
            out[k].level = level;
            if take_over {
                for &g in &a.members[k] {
                    out[g] = Outcome {
                        level: NULL_LEVEL,
                        similarity: None,
                        token: None,
                        nickname: false,
                    };
                }
            }
        }
    }
    out
}

/// All comparison levels of a pair, packed 4 bits per comparison.
#[inline]
pub(crate) fn pattern(
    comparisons: &[Comparison],
    a: &Dataset,
    i: usize,
    b: &Dataset,
    j: usize,
) -> u64 {
    let mut p = 0u64;
    for (k, c) in comparisons.iter().enumerate() {
        // A group's level is set below, from its members' levels.
        if c.kind != ComparisonKind::Group {
            p |= u64::from(level(c, k, a, i, b, j)) << (4 * k);
        }
    }
    for &k in &a.groups {
        let members = &a.members[k];
        let levels = members.iter().map(|&g| level_of(p, g));
        let (level, take_over) = comparisons[k].grouped(level_of(p, k), levels);
        p = p & !(15u64 << (4 * k)) | u64::from(level) << (4 * k);
        if take_over {
            for &g in members {
                p |= u64::from(NULL_LEVEL) << (4 * g);
            }
        }
    }
    p
}

/// The level of comparison `k` in a packed pattern.
#[inline]
pub(crate) fn level_of(pattern: u64, k: usize) -> u8 {
    ((pattern >> (4 * k)) & 15) as u8
}
