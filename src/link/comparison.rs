//! Comparison definitions and their levels.
//!
//! A comparison looks at one thing both records may carry, a token subject
//! (`email`, `mk-nameDob`) or a CLK (`firstName`, `record`), and puts the
//! pair into one of a few ordered levels, lowest = least alike. Missing on
//! either side is the null level: it contributes nothing to the match weight
//! (Fellegi–Sunter treats it as "no evidence").

use super::encoded::EncodedRecord;
use super::model::ModelParams;
use crate::error::{Error, ErrorCode, Subject};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// Most comparisons a configuration may hold: a pair's levels pack into one
/// u64 (4 bits each), which keeps candidate pairs and EM patterns compact.
pub const MAX_COMPARISONS: usize = 16;
/// Most levels per comparison (4-bit level, 15 = null).
pub const MAX_LEVELS: usize = 15;
/// The packed value of the null level.
pub(crate) const NULL_LEVEL: u8 = 15;

/// What a comparison compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ComparisonKind {
    /// Exact keyed-token agreement on a subject: levels `disagree`, `agree`.
    /// Tokens under different key ids cannot be compared (null).
    Token,
    /// Dice similarity of a CLK, with descending thresholds.
    Clk,
    /// Whether every comparison of `group` with data on both records
    /// disagrees (is at its lowest level): levels `allDisagree`,
    /// `someAgree`. When all disagree, the group's comparisons are null for
    /// that pair and this level carries their evidence as one joint event:
    /// a customer who moved changes street, city, postal code and phone at
    /// once, which independent comparisons would count four times.
    Group,
}

/// One comparison of a link configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Comparison {
    /// Name shown in parameters and explanations; unique in a configuration.
    pub name: String,
    /// Token agreement or CLK similarity.
    pub kind: ComparisonKind,
    /// The token subject (`email`, `mk-nameDob`) or the CLK key (`firstName`, `record`).
    pub source: String,
    /// CLK only: Dice thresholds, strictly descending in (0, 1]; each is the
    /// lower bound of one level above the "else" level.
    #[serde(default)]
    pub thresholds: Vec<f64>,
    /// Adjust agreement by the token's frequency (see `tf.rs`). Token: on
    /// `agree`. CLK: on the top level, when both records also carry the
    /// field's own token (subject = the CLK key) and it is the same one, so
    /// that "Smith" agreeing weighs less than "Okonkwo" (Splink adjusts a
    /// fuzzy comparison's exact level the same way); only in jobs where at
    /// least 1,000 records carry that token, as a name's frequency in a
    /// handful of records is noise.
    #[serde(default)]
    pub tf_adjustment: bool,
    /// CLK only: a token subject (`nickname`, the keyed canonical given name
    /// [`RecordEncoder`](crate::RecordEncoder) makes) whose agreement lifts
    /// the pair to the level below the top one (`Kate` and `Katherine` share
    /// it although their Dice is low). Missing on either side: Dice alone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nickname: Option<String>,
    /// Group: names of earlier token or CLK comparisons. Token: the earlier
    /// comparisons this token stands in for (see [`Comparison::swapped`]):
    /// it counts only for pairs on which every one of them with data
    /// disagrees (else it is null), and when it agrees they are null for
    /// that pair and its `agree` level carries their evidence.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub group: Vec<String>,
}

/// The token subject of the keyed canonical given name.
pub const NICKNAME_SUBJECT: &str = "nickname";

/// The token subject of the order-free names match key a definition may
/// declare (`{"name": "names", "unordered": true, "parts": [{"field":
/// "firstName"}, {"field": "lastName"}]}`): when the data carries it, the
/// linker adds [`Comparison::swapped`].
pub const SWAPPED_NAMES_SUBJECT: &str = "mk-names";

impl Comparison {
    /// A token agreement comparison named after its subject.
    pub fn token(subject: &str, tf_adjustment: bool) -> Self {
        Comparison {
            name: subject.to_owned(),
            kind: ComparisonKind::Token,
            source: subject.to_owned(),
            thresholds: Vec::new(),
            tf_adjustment,
            nickname: None,
            group: Vec::new(),
        }
    }

    /// A CLK Dice comparison named after its CLK key.
    pub fn clk(key: &str, thresholds: &[f64]) -> Self {
        Comparison {
            name: key.to_owned(),
            kind: ComparisonKind::Clk,
            source: key.to_owned(),
            thresholds: thresholds.to_vec(),
            tf_adjustment: false,
            nickname: None,
            group: Vec::new(),
        }
    }

    /// Whether all of `members` (comparison names) disagree together (see
    /// [`ComparisonKind::Group`]).
    pub fn group(name: &str, members: &[&str]) -> Self {
        Comparison {
            name: name.to_owned(),
            kind: ComparisonKind::Group,
            source: name.to_owned(),
            thresholds: Vec::new(),
            tf_adjustment: false,
            nickname: None,
            group: members.iter().map(|&m| m.to_owned()).collect(),
        }
    }

    /// `swapped`: first and last name exchanged. Token agreement on the
    /// order-free names match key ([`SWAPPED_NAMES_SUBJECT`]) on the pairs
    /// whose `firstName` and `lastName` comparisons both disagree; when it
    /// agrees, the two name comparisons are null for the pair and this level
    /// carries the evidence once (EM fits its m and u like any level). Pairs
    /// whose names agree in order are null here, so their name evidence is
    /// not counted twice.
    pub fn swapped() -> Self {
        Comparison {
            name: "swapped".to_owned(),
            kind: ComparisonKind::Token,
            source: SWAPPED_NAMES_SUBJECT.to_owned(),
            thresholds: Vec::new(),
            tf_adjustment: false,
            nickname: None,
            group: vec!["firstName".to_owned(), "lastName".to_owned()],
        }
    }

    /// The level of a comparison with members (a group, or a token standing
    /// in for its `group`) from its own level (a token's; a group has none)
    /// and its members' levels, and whether it takes their evidence over
    /// (they become null for the pair).
    #[inline]
    pub(crate) fn grouped(&self, own: u8, members: impl Iterator<Item = u8>) -> (u8, bool) {
        match self.kind {
            ComparisonKind::Group => {
                let level = group_level(members);
                (level, level == 0)
            }
            _ => {
                let (mut with_data, mut agree) = (0, false);
                for l in members {
                    if l != NULL_LEVEL {
                        with_data += 1;
                        agree |= l > 0;
                    }
                }
                if agree || with_data == 0 || own == NULL_LEVEL {
                    (NULL_LEVEL, false)
                } else {
                    (own, own > 0)
                }
            }
        }
    }

    /// This CLK comparison with nickname agreement on token `subject`.
    pub fn with_nickname(mut self, subject: &str) -> Self {
        self.nickname = Some(subject.to_owned());
        self
    }

    /// The level a nickname agreement lifts a pair to: the one below the top.
    #[inline]
    pub(crate) fn nickname_level(&self) -> u8 {
        self.level_count().saturating_sub(2) as u8
    }

    /// The token subject whose tokens this comparison reads per record: a
    /// token comparison's own, a CLK comparison's nickname subject.
    pub(crate) fn token_subject(&self) -> Option<&str> {
        match self.kind {
            ComparisonKind::Token => Some(&self.source),
            ComparisonKind::Clk => self.nickname.as_deref(),
            ComparisonKind::Group => None,
        }
    }

    /// A CLK comparison with term-frequency adjustment of its top level.
    pub(crate) fn clk_tf(&self) -> bool {
        self.kind == ComparisonKind::Clk && self.tf_adjustment
    }

    /// The level a term-frequency adjustment applies to: `agree` (token)
    /// or the top Dice level (CLK); `None` for comparisons without one.
    pub(crate) fn tf_level(&self) -> Option<u8> {
        match self.kind {
            _ if !self.tf_adjustment => None,
            ComparisonKind::Token => Some(1),
            ComparisonKind::Clk => Some(self.thresholds.len() as u8),
            ComparisonKind::Group => None,
        }
    }

    /// With term-frequency adjustment (see [`Comparison::tf_adjustment`]).
    pub fn with_tf(mut self) -> Self {
        self.tf_adjustment = true;
        self
    }

    /// Number of non-null levels.
    pub fn level_count(&self) -> usize {
        match self.kind {
            ComparisonKind::Token | ComparisonKind::Group => 2,
            ComparisonKind::Clk => self.thresholds.len() + 1,
        }
    }

    /// Label of a level (`agree`, `dice≥0.85`, `dice<0.70`), for explanations.
    pub fn level_label(&self, level: usize) -> String {
        match self.kind {
            ComparisonKind::Token => if level == 0 { "disagree" } else { "agree" }.to_owned(),
            ComparisonKind::Group => if level == 0 {
                "allDisagree"
            } else {
                "someAgree"
            }
            .to_owned(),
            ComparisonKind::Clk => {
                let n = self.thresholds.len();
                if level == 0 {
                    match self.thresholds.last() {
                        Some(t) => format!("dice<{t:.2}"),
                        None => "any".to_owned(),
                    }
                } else {
                    let t = self.thresholds.get(n - level).copied().unwrap_or(0.0);
                    format!("dice≥{t:.2}")
                }
            }
        }
    }

    /// The level of a Dice similarity: how many thresholds it reaches.
    #[inline]
    pub fn clk_level(&self, dice: f64) -> u8 {
        self.thresholds.iter().filter(|&&t| dice >= t).count() as u8
    }

    fn validate(&self) -> bool {
        let name_ok = !self.name.is_empty() && self.name.len() <= 64;
        let source_ok = !self.source.is_empty() && self.source.len() <= 64;
        let thresholds_ok = self.thresholds.len() < MAX_LEVELS
            && self.thresholds.iter().all(|t| *t > 0.0 && *t <= 1.0)
            && self.thresholds.windows(2).all(|w| w[0] > w[1]);
        let extras_none = self.group.is_empty();
        let kind_ok = match self.kind {
            ComparisonKind::Token => {
                self.thresholds.is_empty()
                    && self.nickname.is_none()
                    && self.group.len() <= MAX_COMPARISONS
            }
            ComparisonKind::Group => {
                !self.tf_adjustment
                    && self.nickname.is_none()
                    && self.thresholds.is_empty()
                    && (2..=MAX_COMPARISONS).contains(&self.group.len())
            }
            ComparisonKind::Clk => {
                extras_none
                    && self
                        .nickname
                        .as_ref()
                        .is_none_or(|s| !s.is_empty() && s.len() <= 64)
                    && thresholds_ok
            }
        };
        name_ok && source_ok && kind_ok
    }
}

/// Validates a comparison set: 1..=16 comparisons, unique names, sane levels;
/// a group names distinct earlier token or CLK comparisons.
pub(crate) fn validate(comparisons: &[Comparison]) -> Result<(), Error> {
    let bad = || Error::new(Subject::Link, ErrorCode::LinkBadConfig);
    if comparisons.is_empty() || comparisons.len() > MAX_COMPARISONS {
        return Err(bad());
    }
    for (i, c) in comparisons.iter().enumerate() {
        if !c.validate() || comparisons[..i].iter().any(|d| d.name == c.name) {
            return Err(bad());
        }
        let members_ok = c.group.iter().enumerate().all(|(n, g)| {
            !c.group[..n].contains(g)
                && comparisons[..i].iter().any(|d| {
                    d.name == *g
                        && matches!(d.kind, ComparisonKind::Token | ComparisonKind::Clk)
                        && d.group.is_empty()
                })
        });
        if !members_ok {
            return Err(bad());
        }
    }
    Ok(())
}

/// The level of a group from its members' levels: `allDisagree` (0) when
/// at least two members have data and all of those are at level 0,
/// `someAgree` (1) when any member is above its lowest level, else null.
fn group_level(levels: impl Iterator<Item = u8>) -> u8 {
    let (mut with_data, mut agree) = (0, false);
    for l in levels {
        if l != NULL_LEVEL {
            with_data += 1;
            agree |= l > 0;
        }
    }
    if agree {
        1
    } else if with_data >= 2 {
        0
    } else {
        NULL_LEVEL
    }
}

/// Positions of each group comparison's members, by comparison index
/// (empty for other kinds). The set is validated.
pub(crate) fn group_members(comparisons: &[Comparison]) -> Vec<Vec<usize>> {
    comparisons
        .iter()
        .map(|c| {
            c.group
                .iter()
                .filter_map(|g| comparisons.iter().position(|d| d.name == *g))
                .collect()
        })
        .collect()
}

/// The default comparison set for pseudolink's fields: exact tokens where a
/// near miss is a different value (e-mail, phone, date of birth, with
/// term-frequency adjustment), CLK similarity where typos are the norm (names
/// and address parts). Comparisons whose data no record carries are null
/// throughout and weigh 0.
///
/// The record CLK is left out on purpose: it repeats the evidence of the
/// per-field CLKs, and Fellegi–Sunter assumes comparisons independent given
/// the match status, so counting it again made unrelated neighbours who share
/// a first name, city and postal code look certain (on the 10k × 10k quality
/// data precision went 0.943 → 0.996 without it). Blocking still uses it.
///
/// `firstName` also reads the `nickname` token (see [`Comparison::nickname`]):
/// records without one compare by Dice alone, exactly as before.
///
/// `moved` models how a person's records really differ, and EM trains it
/// like the others: street, city, postal code and phone all disagree at
/// once, the signature of a move, counted as one event instead of four
/// (see [`ComparisonKind::Group`]).
///
/// A [`Linker`](super::Linker) whose configuration keeps this list adds a
/// comparison for every other token subject and CLK key both inputs carry
/// ([`with_data_comparisons`]).
pub fn default_comparisons() -> Vec<Comparison> {
    let fuzzy = [0.95, 0.85, 0.70];
    vec![
        Comparison::token("email", true),
        Comparison::token("phone", true),
        Comparison::token("dateOfBirth", true),
        Comparison::clk("firstName", &fuzzy)
            .with_nickname(NICKNAME_SUBJECT)
            .with_tf(),
        Comparison::clk("lastName", &fuzzy).with_tf(),
        Comparison::clk("street", &fuzzy),
        Comparison::clk("city", &[0.95, 0.80]),
        Comparison::clk("postalCode", &[0.95, 0.80]),
        Comparison::group("moved", &["street", "city", "postalCode", "phone"]),
    ]
}

/// Where a comparison of a job came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ComparisonOrigin {
    /// [`default_comparisons`].
    Default,
    /// Added because both inputs carry the token subject or CLK key.
    Data,
    /// The caller's configuration (or saved parameters) named it.
    Given,
}

/// One comparison a job used, and why (in [`LinkStats`](super::LinkStats)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BuiltComparison {
    /// The comparison's name.
    pub name: String,
    /// Its kind.
    pub kind: ComparisonKind,
    /// Why it is there.
    pub source: ComparisonOrigin,
}

impl BuiltComparison {
    pub(crate) fn list(comparisons: &[Comparison], origin: ComparisonOrigin) -> Vec<Self> {
        comparisons
            .iter()
            .map(|c| BuiltComparison {
                name: c.name.clone(),
                kind: c.kind,
                source: origin,
            })
            .collect()
    }
}

/// Token subjects that name one customer when two records share them: they
/// come first when the data adds comparisons.
pub(crate) const IDENTIFIER_SUBJECTS: [&str; 2] = ["externalId", "duns"];

/// The record CLK: never a data comparison (see [`default_comparisons`]).
const RECORD_CLK: &str = "record";

/// Fields another field determines: no data comparison for the first when
/// the second is compared (a state repeats what the postal code says).
const DETERMINED_BY: [(&str, &str); 1] = [("state", "postalCode")];

/// `base` plus one comparison for each token subject and CLK key in
/// `tokens`/`clks` (those both inputs carry) that `base` does not already
/// compare, up to [`MAX_COMPARISONS`]:
/// - tokens: exact agreement with term frequencies, identifiers
///   (`externalId`, `duns`) first, then other fields by name;
/// - CLKs: Dice levels (0.95, 0.85, 0.70).
///
/// Fellegi–Sunter counts comparisons as independent evidence, so the data
/// adds nothing that repeats evidence `base` already counts:
/// - a field `base` reads by token or by CLK (a date of birth compared by
///   token gets no second, CLK comparison);
/// - match keys (`mk-*`): they combine fields `base` compares (blocking
///   still uses them);
/// - the record CLK: the OR of the field CLKs;
/// - a state when the postal code is compared.
///
/// One match key is read, first: the order-free names key
/// ([`SWAPPED_NAMES_SUBJECT`]) as [`Comparison::swapped`], which counts only
/// where `firstName` and `lastName` both disagree.
///
/// On the quality data (BENCHMARKS.md, "Comparisons from the data") each of
/// these lowered F1 when added.
pub fn with_data_comparisons(
    base: &[Comparison],
    tokens: &[String],
    clks: &[String],
) -> (Vec<Comparison>, Vec<BuiltComparison>) {
    let covered = |f: &str| {
        base.iter()
            .any(|c| c.source == f || c.nickname.as_deref() == Some(f))
    };
    let mut out = base.to_vec();
    let mut built = BuiltComparison::list(base, ComparisonOrigin::Default);
    let determined = |f: &str| DETERMINED_BY.iter().any(|&(x, by)| x == f && covered(by));
    let rank = |s: &str| {
        IDENTIFIER_SUBJECTS
            .iter()
            .position(|x| *x == s)
            .unwrap_or(IDENTIFIER_SUBJECTS.len())
    };
    let mut subjects: Vec<&String> = tokens
        .iter()
        .filter(|t| !covered(t) && !determined(t) && !t.starts_with("mk-"))
        .collect();
    subjects.sort_by(|x, y| rank(x).cmp(&rank(y)).then(x.cmp(y)));
    subjects.dedup();
    let mut keys: Vec<&String> = clks
        .iter()
        .filter(|k| {
            k.as_str() != RECORD_CLK && !covered(k) && !determined(k) && !tokens.contains(k)
        })
        .collect();
    keys.sort();
    keys.dedup();
    // The order-free names key is a match key, but `swapped` only counts
    // where the names disagree in order: no evidence is counted twice.
    let names_compared = ["firstName", "lastName"]
        .iter()
        .all(|n| base.iter().any(|c| c.name == *n));
    let swapped = (names_compared
        && !covered(SWAPPED_NAMES_SUBJECT)
        && tokens.iter().any(|t| t == SWAPPED_NAMES_SUBJECT))
    .then(Comparison::swapped);
    let fresh = swapped
        .into_iter()
        .chain(subjects.into_iter().map(|s| Comparison::token(s, true)))
        .chain(
            keys.into_iter()
                .map(|k| Comparison::clk(k, &DATA_CLK_THRESHOLDS)),
        );
    for c in fresh {
        if out.len() >= MAX_COMPARISONS {
            break;
        }
        if !c.validate() || out.iter().any(|d| d.name == c.name) {
            continue;
        }
        built.push(BuiltComparison {
            name: c.name.clone(),
            kind: c.kind,
            source: ComparisonOrigin::Data,
        });
        out.push(c);
    }
    (out, built)
}

/// How many of [`default_comparisons`] every version had, in this order.
const FIRST_DEFAULTS: usize = 8;

/// Dice thresholds of a CLK comparison the data adds.
const DATA_CLK_THRESHOLDS: [f64; 3] = [0.95, 0.85, 0.70];

/// What [`SharedFields`] reads from a record: the subjects of its keyed
/// (`pl1`) tokens and match keys, and its CLK keys.
pub(crate) trait Fields {
    /// Calls `f` with the subject of every `pl1` token and match key.
    fn keyed_subjects<'s>(&'s self, f: &mut dyn FnMut(&'s str));
    /// Calls `f` with every CLK key.
    fn clk_keys<'s>(&'s self, f: &mut dyn FnMut(&'s str));
}

impl Fields for EncodedRecord {
    fn keyed_subjects<'s>(&'s self, f: &mut dyn FnMut(&'s str)) {
        for text in self.tokens.iter().chain(&self.match_keys) {
            let mut parts = text.split('.');
            if let (Some("pl1"), Some(subject)) = (parts.next(), parts.next()) {
                f(subject);
            }
        }
    }

    fn clk_keys<'s>(&'s self, f: &mut dyn FnMut(&'s str)) {
        for k in self.clks.keys() {
            f(k);
        }
    }
}

/// Token subjects and CLK keys the inputs share: for two or more inputs,
/// those at least two inputs carry; for one, those any record carries.
/// Inputs are added one at a time ([`SharedFields::add`]), each of any
/// record type.
#[derive(Default)]
pub(crate) struct SharedFields<'s> {
    tokens: BTreeMap<&'s str, usize>,
    clks: BTreeMap<&'s str, usize>,
    sets: usize,
}

impl<'s> SharedFields<'s> {
    /// Counts one input.
    pub fn add<R: Fields>(&mut self, set: &'s [R]) {
        let mut t: BTreeSet<&str> = BTreeSet::new();
        let mut c: BTreeSet<&str> = BTreeSet::new();
        for r in set {
            r.keyed_subjects(&mut |s| {
                t.insert(s);
            });
            r.clk_keys(&mut |k| {
                c.insert(k);
            });
        }
        for x in t {
            *self.tokens.entry(x).or_default() += 1;
        }
        for x in c {
            *self.clks.entry(x).or_default() += 1;
        }
        self.sets += 1;
    }

    /// `(token subjects, CLK keys)`.
    pub fn finish(self) -> (Vec<String>, Vec<String>) {
        let need = self.sets.min(2);
        let keep = |m: BTreeMap<&str, usize>| {
            m.into_iter()
                .filter(|&(_, n)| n >= need)
                .map(|(k, _)| k.to_owned())
                .collect()
        };
        (keep(self.tokens), keep(self.clks))
    }
}

/// The comparisons saved parameters were made for, when they are the default
/// ones and ones the data adds (rebuilt from their names and level labels):
/// so parameters of an earlier default set, or with data comparisons, load
/// into a linker with the default configuration.
pub(crate) fn for_params(params: &ModelParams) -> Option<(Vec<Comparison>, Vec<BuiltComparison>)> {
    let defaults = default_comparisons();
    // Every version's defaults start with the first eight of today's.
    if params.comparisons.len() < FIRST_DEFAULTS {
        return None;
    }
    let mut out = Vec::with_capacity(params.comparisons.len());
    let mut built = Vec::with_capacity(params.comparisons.len());
    for p in &params.comparisons {
        let labels: Vec<&str> = p.levels.iter().map(|l| l.label.as_str()).collect();
        let same = |c: &Comparison| {
            c.name == p.name
                && c.level_count() == labels.len()
                && labels
                    .iter()
                    .enumerate()
                    .all(|(l, x)| c.level_label(l) == *x)
        };
        let first = out.len() < FIRST_DEFAULTS;
        let (c, origin) = match defaults.iter().find(|c| same(c)) {
            Some(c) if !first || defaults[out.len()].name == c.name => {
                (c.clone(), ComparisonOrigin::Default)
            }
            _ if first => return None,
            _ => {
                let token = Comparison::token(&p.name, true);
                let clk = Comparison::clk(&p.name, &DATA_CLK_THRESHOLDS);
                let c = [token, clk].into_iter().find(|c| same(c))?;
                (c, ComparisonOrigin::Data)
            }
        };
        built.push(BuiltComparison {
            name: c.name.clone(),
            kind: c.kind,
            source: origin,
        });
        out.push(c);
    }
    validate(&out).ok()?;
    Some((out, built))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clk_levels_and_labels() {
        let c = Comparison::clk("firstName", &[0.95, 0.85, 0.70]);
        assert_eq!(c.level_count(), 4);
        assert_eq!(c.clk_level(0.5), 0);
        assert_eq!(c.clk_level(0.70), 1);
        assert_eq!(c.clk_level(0.9), 2);
        assert_eq!(c.clk_level(1.0), 3);
        assert_eq!(c.level_label(0), "dice<0.70");
        assert_eq!(c.level_label(1), "dice≥0.70");
        assert_eq!(c.level_label(3), "dice≥0.95");
        let t = Comparison::token("email", true);
        assert_eq!(
            (t.level_label(0).as_str(), t.level_label(1).as_str()),
            ("disagree", "agree")
        );
    }

    #[test]
    fn validation_rejects_bad_sets() {
        assert!(validate(&default_comparisons()).is_ok());
        let dup = vec![
            Comparison::token("email", false),
            Comparison::token("email", false),
        ];
        let ascending = vec![Comparison::clk("firstName", &[0.7, 0.9])];
        let out_of_range = vec![Comparison::clk("firstName", &[1.5])];
        for bad in [vec![], dup, ascending, out_of_range] {
            assert_eq!(validate(&bad).unwrap_err().code(), ErrorCode::LinkBadConfig);
        }
    }

    #[test]
    fn a_group_names_earlier_token_or_clk_comparisons() {
        let mut set = default_comparisons();
        assert!(validate(&set).is_ok());
        set.push(Comparison::group("twice", &["street", "street"]));
        assert!(validate(&set).is_err(), "a member named twice");
        set.pop();
        set.push(Comparison::group("later", &["street", "nextOne"]));
        set.push(Comparison::token("nextOne", false));
        assert!(validate(&set).is_err(), "a member after the group");
        set.truncate(default_comparisons().len());
        set.push(Comparison::group("ofGroup", &["moved", "street"]));
        assert!(validate(&set).is_err(), "a group of a group");
        set.pop();
        set.push(Comparison::group("alone", &["street"]));
        assert!(validate(&set).is_err(), "one member is no group");
    }

    #[test]
    fn swapped_counts_only_where_both_names_disagree_and_then_replaces_them() {
        let c = Comparison::swapped();
        assert_eq!(
            (c.kind, c.source.as_str()),
            (ComparisonKind::Token, SWAPPED_NAMES_SUBJECT)
        );
        let mut set = default_comparisons();
        set.push(c.clone());
        assert!(validate(&set).is_ok());
        let n = NULL_LEVEL;
        // Both names disagree: the key's level stands; agreeing takes over.
        assert_eq!(c.grouped(1, [0, 0].into_iter()), (1, true));
        assert_eq!(c.grouped(0, [0, 0].into_iter()), (0, false));
        // A name agrees at any level (or a nickname lifted it): null.
        assert_eq!(c.grouped(1, [3, 3].into_iter()), (n, false));
        assert_eq!(c.grouped(1, [0, 1].into_iter()), (n, false));
        // No key on one side, or no names: null.
        assert_eq!(c.grouped(n, [0, 0].into_iter()), (n, false));
        assert_eq!(c.grouped(1, [n, n].into_iter()), (n, false));
        // A token that stands in for its own later comparison is refused.
        let mut early = vec![Comparison::swapped()];
        early.extend(default_comparisons());
        assert!(validate(&early).is_err());
        // Nor may another comparison stand in for it.
        let mut chained = set.clone();
        chained.push(Comparison::group("twice", &["swapped", "street"]));
        assert!(validate(&chained).is_err());
        // The data adds it, first, when records carry the order-free names
        // key; never another match key.
        let tokens = vec![SWAPPED_NAMES_SUBJECT.to_owned(), "mk-nameDob".to_owned()];
        let (set, _) = with_data_comparisons(&default_comparisons(), &tokens, &[]);
        assert_eq!(names(&set[default_comparisons().len()..]), ["swapped"]);
        let no_names: Vec<Comparison> = default_comparisons()
            .into_iter()
            .filter(|c| c.name != "lastName" && c.name != "moved")
            .collect();
        let (set, _) = with_data_comparisons(&no_names, &tokens, &[]);
        assert_eq!(
            set.len(),
            no_names.len(),
            "no lastName comparison to stand in for"
        );
    }

    fn names(c: &[Comparison]) -> Vec<&str> {
        c.iter().map(|c| c.name.as_str()).collect()
    }

    #[test]
    fn the_data_adds_what_the_defaults_do_not_compare() {
        let s = |x: &[&str]| x.iter().map(|&x| x.to_owned()).collect::<Vec<_>>();
        let base = default_comparisons();
        let tokens = s(&[
            "email",
            "firstName",
            "nickname",
            "mk-nameDob",
            "state",
            "duns",
            "externalId",
            "gender",
        ]);
        let clks = s(&["firstName", "dateOfBirth", "record", "companyName"]);
        let (set, built) = with_data_comparisons(&base, &tokens, &clks);
        let added = &set[base.len()..];
        // Identifiers first, then other fields, then CLKs; nothing compared
        // already (by token or CLK), no match key, no record CLK, no state
        // (the postal code is compared).
        assert_eq!(
            names(added),
            ["externalId", "duns", "gender", "companyName"]
        );
        assert!(added[..3]
            .iter()
            .all(|c| c.kind == ComparisonKind::Token && c.tf_adjustment));
        assert_eq!(added[3].kind, ComparisonKind::Clk);
        assert!(validate(&set).is_ok());
        assert_eq!(built.len(), set.len());
        assert!(built[..base.len()]
            .iter()
            .all(|b| b.source == ComparisonOrigin::Default));
        assert!(built[base.len()..]
            .iter()
            .all(|b| b.source == ComparisonOrigin::Data));
        // Never more than MAX_COMPARISONS.
        let many: Vec<String> = (0..40).map(|i| format!("field{i:02}")).collect();
        let (set, built) = with_data_comparisons(&base, &many, &[]);
        assert_eq!((set.len(), built.len()), (MAX_COMPARISONS, MAX_COMPARISONS));
    }

    #[test]
    fn comparison_json_is_camel_case() {
        let j = serde_json::to_string(&Comparison::token("email", true)).unwrap();
        assert_eq!(
            j,
            r#"{"name":"email","kind":"token","source":"email","thresholds":[],"tfAdjustment":true}"#
        );
    }
}
