//! Comparison definitions and their levels.
//!
//! A comparison looks at one thing both records may carry, a token subject
//! (`email`, `mk-nameDob`) or a CLK (`firstName`, `record`), and puts the
//! pair into one of a few ordered levels, lowest = least alike. Missing on
//! either side is the null level: it contributes nothing to the match weight
//! (Fellegi–Sunter treats it as "no evidence").

use crate::error::{Error, ErrorCode, Subject};
use serde::{Deserialize, Serialize};

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
    /// Token only: adjust agreement by the token's frequency (see `tf.rs`).
    #[serde(default)]
    pub tf_adjustment: bool,
    /// CLK only: a token subject (`nickname`, the keyed canonical given name
    /// [`RecordEncoder`](crate::RecordEncoder) makes) whose agreement lifts
    /// the pair to the level below the top one (`Kate` and `Katherine` share
    /// it although their Dice is low). Missing on either side: Dice alone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nickname: Option<String>,
}

/// The token subject of the keyed canonical given name.
pub const NICKNAME_SUBJECT: &str = "nickname";

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

    /// Number of non-null levels.
    pub fn level_count(&self) -> usize {
        match self.kind {
            ComparisonKind::Token => 2,
            ComparisonKind::Clk => self.thresholds.len() + 1,
        }
    }

    /// Label of a level (`agree`, `dice≥0.85`, `dice<0.70`), for explanations.
    pub fn level_label(&self, level: usize) -> String {
        match self.kind {
            ComparisonKind::Token => if level == 0 { "disagree" } else { "agree" }.to_owned(),
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
        let kind_ok = match self.kind {
            ComparisonKind::Token => self.thresholds.is_empty() && self.nickname.is_none(),
            ComparisonKind::Clk => {
                !self.tf_adjustment
                    && self
                        .nickname
                        .as_ref()
                        .is_none_or(|s| !s.is_empty() && s.len() <= 64)
                    && self.thresholds.len() < MAX_LEVELS
                    && self.thresholds.iter().all(|t| *t > 0.0 && *t <= 1.0)
                    && self.thresholds.windows(2).all(|w| w[0] > w[1])
            }
        };
        name_ok && source_ok && kind_ok
    }
}

/// Validates a comparison set: 1..=16 comparisons, unique names, sane levels.
pub(crate) fn validate(comparisons: &[Comparison]) -> Result<(), Error> {
    let bad = || Error::new(Subject::Link, ErrorCode::LinkBadConfig);
    if comparisons.is_empty() || comparisons.len() > MAX_COMPARISONS {
        return Err(bad());
    }
    for (i, c) in comparisons.iter().enumerate() {
        if !c.validate() || comparisons[..i].iter().any(|d| d.name == c.name) {
            return Err(bad());
        }
    }
    Ok(())
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
pub fn default_comparisons() -> Vec<Comparison> {
    let fuzzy = [0.95, 0.85, 0.70];
    vec![
        Comparison::token("email", true),
        Comparison::token("phone", true),
        Comparison::token("dateOfBirth", true),
        Comparison::clk("firstName", &fuzzy).with_nickname(NICKNAME_SUBJECT),
        Comparison::clk("lastName", &fuzzy),
        Comparison::clk("street", &fuzzy),
        Comparison::clk("city", &[0.95, 0.80]),
        Comparison::clk("postalCode", &[0.95, 0.80]),
    ]
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
    fn comparison_json_is_camel_case() {
        let j = serde_json::to_string(&Comparison::token("email", true)).unwrap();
        assert_eq!(
            j,
            r#"{"name":"email","kind":"token","source":"email","thresholds":[],"tfAdjustment":true}"#
        );
    }
}
