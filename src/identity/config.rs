//! How the graph decides: person linking, households, organisations.

use crate::error::{Error, ErrorCode, Subject};
use crate::link::{Comparison, ComparisonKind, LinkConfig, ModelParams};
use serde::{Deserialize, Serialize};

/// The graph's configuration; every part has a default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GraphConfig {
    /// Same-person linking (comparisons, blocking, threshold, chain guard).
    pub link: LinkConfig,
    /// Trained parameters to use; without them the first resolve with at
    /// least `minTrainingRecords` person records trains by EM, and resolves
    /// before it are scored by the shipped day-one model
    /// ([`PriorModel`](crate::link::PriorModel)) when it covers the
    /// comparisons.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub params: Option<ModelParams>,
    /// Fewest person records EM trains on (fewer give unstable fits; until
    /// then the day-one model scores, or, when it does not cover the
    /// comparisons, person records stay unlinked).
    pub min_training_records: usize,
    /// What a same-person link needs besides its probability.
    pub person_evidence: PersonEvidence,
    /// Household rules.
    pub household: HouseholdRules,
    /// Token subjects that identify an organisation exactly (D-U-N-S, a
    /// company-name-plus-postcode match key); records of one kind sharing
    /// one are one organisation. A trailing `*` is a prefix.
    pub organisation_keys: Vec<String>,
}

/// A shared address and family name are household evidence, not person
/// evidence: the linker's address comparisons (street, city, postal code)
/// agree together, so a married couple at one address scores like one
/// person. A same-person link must also agree on one of these comparisons:
/// an identifier token (e-mail, phone, date of birth) or a similar first name
/// (or one of its nicknames).
///
/// A household shares more than an address: a family e-mail, a landline.
/// Agreement on one of `householdShared` is not person evidence when the
/// pair's `distinctBy` comparison says the names clearly differ (its lowest
/// level: below every Dice threshold and no nickname in common): a couple
/// sharing a landline, or parent and child a family e-mail, stay two persons
/// unless something personal (a date of birth) agrees.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PersonEvidence {
    /// Comparison names (of `link.comparisons`): a token comparison must
    /// agree, a CLK comparison reach `minDice`.
    pub comparisons: Vec<String>,
    /// Dice a CLK comparison must reach.
    pub min_dice: f64,
    /// Comparisons a household may share (names not among `comparisons`
    /// change nothing; empty turns the rule off).
    pub household_shared: Vec<String>,
    /// The CLK comparison that tells household members apart (when the
    /// configuration has no CLK comparison of that name, the rule is off).
    pub distinct_by: String,
}

impl Default for PersonEvidence {
    fn default() -> Self {
        PersonEvidence {
            comparisons: ["email", "phone", "dateOfBirth", "firstName"]
                .map(String::from)
                .to_vec(),
            min_dice: 0.85,
            household_shared: ["email", "phone"].map(String::from).to_vec(),
            distinct_by: "firstName".into(),
        }
    }
}

/// When persons form a household.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct HouseholdRules {
    /// Token subjects of a normalised address (a trailing `*` is a prefix).
    pub address_keys: Vec<String>,
    /// The family-name token subject: equal tokens are the same family name.
    pub family_name_token: String,
    /// The family-name CLK: Dice at or above `familyNameDice` is similar.
    pub family_name_clk: String,
    /// Similarity threshold on the family-name CLK.
    pub family_name_dice: f64,
    /// An address shared by more persons than this is a building or a
    /// placeholder, not a household: it joins nobody.
    pub max_household_records: usize,
}

impl Default for HouseholdRules {
    fn default() -> Self {
        HouseholdRules {
            address_keys: vec!["mk-address*".into()],
            family_name_token: "lastName".into(),
            family_name_clk: "lastName".into(),
            family_name_dice: 0.8,
            max_household_records: 50,
        }
    }
}

impl Default for GraphConfig {
    fn default() -> Self {
        GraphConfig {
            link: graph_link_config(),
            params: None,
            min_training_records: 1000,
            person_evidence: PersonEvidence::default(),
            household: HouseholdRules::default(),
            organisation_keys: vec!["duns".into(), "mk-company*".into()],
        }
    }
}

/// The linker's defaults, with lighter LSH: a directory is linked against
/// itself and grows, so its LSH index is kept in memory (8 bytes per record
/// and band) and every candidate is scored. 32 bands and 5 random pairs per
/// record instead of 64 and 20 (see BENCHMARKS.md, "Identity graph": pair
/// recall and the cost of both); the exact buckets (e-mail, phone, date of
/// birth, match keys) stay as they are.
///
/// The comparisons are the linker's defaults without `moved`, without the
/// names' term frequencies (the graph scores as it did before they came)
/// and without the data's own: the graph's person rules rely on a different address and
/// phone keeping namesakes apart ("a shared name alone is not the same
/// person"), which a move level, weighing the change of address once, no
/// longer does when nothing but the name agrees.
pub fn graph_link_config() -> LinkConfig {
    let mut c = LinkConfig {
        comparisons: crate::link::default_comparisons()
            .into_iter()
            .filter(|c| c.kind != ComparisonKind::Group)
            .map(|c| Comparison {
                tf_adjustment: c.tf_adjustment && c.kind == ComparisonKind::Token,
                ..c
            })
            .collect(),
        blocking: crate::link::BlockingConfig::record_only(),
        ..LinkConfig::default()
    };
    for l in &mut c.blocking.lsh {
        l.bands = 32;
        l.random_pairs_per_record = 5.0;
    }
    c
}

impl GraphConfig {
    /// Parses configuration JSON (missing parts take their defaults).
    pub fn from_json(json: &str) -> Result<Self, Error> {
        let c: GraphConfig = serde_json::from_str(json).map_err(|_| bad())?;
        c.validate()?;
        Ok(c)
    }

    pub(crate) fn validate(&self) -> Result<(), Error> {
        // The link part is checked by building a linker from it.
        crate::link::Linker::new(self.link.clone()).map_err(|_| bad())?;
        if let Some(p) = &self.params {
            crate::link::Linker::new(self.link.clone())
                .and_then(|l| l.with_params(p.clone()))
                .map_err(|e| Error::new(Subject::Graph, e.code()))?;
        }
        let h = &self.household;
        let ok = self.min_training_records >= 2
            && !h.address_keys.is_empty()
            && h.family_name_dice > 0.0
            && h.family_name_dice <= 1.0
            && h.max_household_records >= 2
            && (0.0..=1.0).contains(&self.person_evidence.min_dice)
            && self
                .person_evidence
                .comparisons
                .iter()
                .all(|n| self.link.comparisons.iter().any(|c| &c.name == n))
            && !self.organisation_keys.iter().any(String::is_empty);
        if ok {
            Ok(())
        } else {
            Err(bad())
        }
    }
}

fn bad() -> Error {
    Error::new(Subject::Graph, ErrorCode::IdentityBadConfig)
}
