//! What the graph is given: source records (nodes) and D-U-N-S hierarchy
//! pairs, as JSON. Everything identifying is already a token or a CLK; the
//! rest is the business's own keys and non-identifying numbers.

use crate::error::{Error, ErrorCode, Subject};
use crate::link::EncodedRecord;
use crate::{RowError, Token};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A record's key in the business's systems: kept as given (they are the
/// business's own keys, not personal data).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct RecordRef {
    /// The source system (`shop`, `erp`, `crm`…).
    pub system: String,
    /// The channel within it (`web`, `callCentre`, `partner:acme`…).
    #[serde(default)]
    pub channel: String,
    /// The record's id in that system.
    pub id: String,
}

impl RecordRef {
    /// A reference from its three parts.
    pub fn new(system: &str, channel: &str, id: &str) -> Self {
        RecordRef {
            system: system.into(),
            channel: channel.into(),
            id: id.into(),
        }
    }

    fn valid(&self) -> bool {
        valid_part(&self.system, false)
            && valid_part(&self.channel, true)
            && valid_part(&self.id, false)
    }
}

/// A reference part: at most 256 bytes, no control characters (they
/// have no place in a system name or record id).
fn valid_part(s: &str, empty_ok: bool) -> bool {
    (empty_ok || !s.is_empty()) && s.len() <= 256 && !s.chars().any(char::is_control)
}

/// What a record describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub enum RecordKind {
    /// A person (a consumer, or a contact at an organisation); linked to
    /// other person records by the linker.
    #[default]
    Person,
    /// An organisation: a legal entity, one of its sites or business units.
    Organisation,
    /// An order, invoice, contract, meter…: not a customer itself but
    /// belonging to one, through its relations (a meter is not a customer).
    Interaction,
}

/// Which kind of organisation an organisation record describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub enum OrgUnit {
    /// A company, as registered (has a D-U-N-S number of its own).
    #[default]
    LegalEntity,
    /// A location: a bill-to or ship-to address, a plant, a branch.
    Site,
    /// A business unit that buys on its own (an economic buying unit).
    BusinessUnit,
}

/// A relation from one record to another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum RelationType {
    /// Interaction or account → the organisation or person billed.
    BillTo,
    /// Interaction or account → where goods or service go.
    ShipTo,
    /// Interaction → the business unit that bought.
    Unit,
    /// Interaction → the person who bought (consumer business).
    Customer,
    /// Site or business unit → the organisation it belongs to.
    MemberOf,
    /// Person → organisation: uses the product.
    User,
    /// Person → organisation: writes the specification.
    Specifier,
    /// Person → organisation: approves the purchase.
    Approver,
    /// Person → organisation: places the order.
    Buyer,
    /// Person → organisation: the contact for invoices.
    BillToContact,
    /// Person → organisation: the contact for deliveries.
    ShipToContact,
}

impl RelationType {
    /// Whether this is a person's role at an organisation.
    pub fn is_role(self) -> bool {
        matches!(
            self,
            RelationType::User
                | RelationType::Specifier
                | RelationType::Approver
                | RelationType::Buyer
                | RelationType::BillToContact
                | RelationType::ShipToContact
        )
    }
}

/// A relation as given: its type and the record it points to. `system` and
/// `channel` of `to` default to the record's own.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Relation {
    /// What the target is to this record.
    #[serde(rename = "type")]
    pub kind: RelationType,
    /// The target record.
    pub to: RelationTarget,
}

/// A relation's target; omitted parts are the source record's own.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RelationTarget {
    /// Source system (default: the record's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system: Option<String>,
    /// Channel (default: the record's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    /// The target's id.
    pub id: String,
}

/// One source record, as `IdentityGraph.addRecords` takes it.
///
/// `tokens`, `matchKeys` and `clks` are exactly an [`EncodedRecord`]'s (what
/// `RecordEncoder` produces), so an exported graph can be linked against
/// another party's file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GraphRecord {
    /// Source system.
    pub system: String,
    /// Channel (may be empty).
    #[serde(default)]
    pub channel: String,
    /// The record's id in its system.
    pub id: String,
    /// What the record describes (default `person`).
    #[serde(default)]
    pub kind: RecordKind,
    /// For organisations: which kind (default `legalEntity`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<OrgUnit>,
    /// Keyed or oblivious field tokens.
    #[serde(default)]
    pub tokens: Vec<String>,
    /// Match-key tokens.
    #[serde(default)]
    pub match_keys: Vec<String>,
    /// CLKs by field (standard base64 in JSON).
    #[serde(default, with = "crate::encoded::clk_base64")]
    pub clks: BTreeMap<String, Vec<u8>>,
    /// Relations to other records.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub relations: Vec<Relation>,
    /// An explicit household key (an opaque id the business assigns, e.g. a
    /// token of a household number): persons sharing it are one household.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub household: Option<String>,
    /// Non-identifying numbers: `revenue`, `costToServe`, `costOfGoods`,
    /// `transactions`, or any other name (summed in roll-ups).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub measures: BTreeMap<String, f64>,
    /// When the interaction happened (`YYYY-MM-DD`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
}

/// Longest measure name.
pub const MAX_MEASURE_NAME: usize = 32;

impl GraphRecord {
    /// The record's reference.
    pub fn record_ref(&self) -> RecordRef {
        RecordRef::new(&self.system, &self.channel, &self.id)
    }

    /// The encoded part, for the linker.
    pub fn encoded(&self) -> EncodedRecord {
        EncodedRecord {
            id: self.id.clone(),
            tokens: self.tokens.clone(),
            match_keys: self.match_keys.clone(),
            clks: self.clks.clone(),
        }
    }

    /// Parses a JSON array of records (`record.invalid` when malformed,
    /// `link.bad_base64` for a CLK that is not base64; never echoing input).
    pub fn many_from_json(json: &str) -> Result<Vec<GraphRecord>, Error> {
        Self::many_from_json_rows(json).map_err(|e| e.error)
    }

    /// [`GraphRecord::many_from_json`], saying which element was bad
    /// ([`RowError::row`]: its index in the array), in one pass.
    pub fn many_from_json_rows(json: &str) -> Result<Vec<GraphRecord>, RowError> {
        crate::rows::rows_from_json(json, crate::rows::record_error)
    }

    /// Checks what serde cannot: refs, units, measures and the date (tokens
    /// are checked as the graph interns them).
    pub(crate) fn validate(&self) -> Result<(), Error> {
        let bad = |code| Err(Error::new(Subject::Record, code));
        if !(valid_part(&self.system, false)
            && valid_part(&self.channel, true)
            && valid_part(&self.id, false))
        {
            return bad(ErrorCode::IdentityInvalidRecord);
        }
        if self.unit.is_some() && self.kind != RecordKind::Organisation {
            return bad(ErrorCode::IdentityInvalidRecord);
        }
        for r in &self.relations {
            let target = self.resolve(&r.to);
            if !target.valid() {
                return bad(ErrorCode::IdentityInvalidRecord);
            }
            // Roles are a person's; membership is an organisation's.
            let fits = match r.kind {
                k if k.is_role() => self.kind == RecordKind::Person,
                RelationType::MemberOf => self.kind == RecordKind::Organisation,
                _ => true,
            };
            if !fits {
                return bad(ErrorCode::IdentityInvalidRelation);
            }
        }
        if let Some(h) = &self.household {
            if h.is_empty() || h.len() > 128 || h.chars().any(char::is_control) {
                return bad(ErrorCode::IdentityInvalidRecord);
            }
        }
        for (name, v) in &self.measures {
            let name_ok = !name.is_empty()
                && name.len() <= MAX_MEASURE_NAME
                && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
            if !name_ok || !v.is_finite() {
                return bad(ErrorCode::IdentityInvalidMeasure);
            }
        }
        if let Some(d) = &self.date {
            if parse_date(d).is_none() {
                return bad(ErrorCode::IdentityInvalidDate);
            }
        }
        Ok(())
    }

    /// A relation target with this record's system and channel filled in.
    pub fn resolve(&self, t: &RelationTarget) -> RecordRef {
        RecordRef {
            system: t.system.clone().unwrap_or_else(|| self.system.clone()),
            channel: t.channel.clone().unwrap_or_else(|| self.channel.clone()),
            id: t.id.clone(),
        }
    }
}

/// Days since 1970-01-01 of a `YYYY-MM-DD` date (proleptic Gregorian).
pub(crate) fn parse_date(s: &str) -> Option<i32> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: core::ops::Range<usize>| -> Option<i32> {
        let t = s.get(r)?;
        t.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| t.parse().ok())?
    };
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days_in = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if !(1..=12).contains(&m) || d < 1 || d > days_in[(m - 1) as usize] {
        return None;
    }
    // Days from civil (H. Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

/// How one D-U-N-S number relates to another, as the family tree gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum HierarchyRelation {
    /// `parent` is the legal parent of `child` (a subsidiary).
    Parent,
    /// `parent` is the headquarters `child` reports to.
    Headquarters,
    /// `child` is a branch (a site of the same legal entity) of `parent`.
    Branch,
    /// `child` is a franchisee of `parent`: related, but not owned, so the
    /// group view does not climb it.
    Franchise,
}

/// One edge of a corporate family tree, between two D-U-N-S tokens
/// (`pl1.duns.…` or `po1.duns.…`): nobody needs the numbers themselves.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HierarchyEdge {
    /// The lower D-U-N-S token.
    pub child: String,
    /// The upper D-U-N-S token.
    pub parent: String,
    /// What the upper one is to the lower one.
    pub relation: HierarchyRelation,
}

impl HierarchyEdge {
    /// Parses a JSON array of edges; both ends must be `duns` tokens.
    pub fn many_from_json(json: &str) -> Result<Vec<HierarchyEdge>, Error> {
        Self::many_from_json_rows(json).map_err(|e| e.error)
    }

    /// [`HierarchyEdge::many_from_json`], saying which edge was bad.
    pub fn many_from_json_rows(json: &str) -> Result<Vec<HierarchyEdge>, RowError> {
        let edges: Vec<HierarchyEdge> = crate::rows::rows_from_json(json, |_| {
            Error::new(Subject::Record, ErrorCode::IdentityInvalidHierarchy)
        })?;
        for (row, e) in edges.iter().enumerate() {
            e.validate().map_err(|error| RowError { row, error })?;
        }
        Ok(edges)
    }

    pub(crate) fn validate(&self) -> Result<(), Error> {
        let duns = |t: &str| Token::parse(t).is_some_and(|t| t.subject == "duns");
        if duns(&self.child) && duns(&self.parent) && self.child != self.parent {
            Ok(())
        } else {
            Err(Error::new(
                Subject::Record,
                ErrorCode::IdentityInvalidHierarchy,
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_count_days_from_the_epoch() {
        assert_eq!(parse_date("1970-01-01"), Some(0));
        assert_eq!(parse_date("2000-03-01"), Some(11_017));
        assert_eq!(parse_date("2024-02-29"), Some(19_782));
        for bad in [
            "2023-02-29",
            "2024-13-01",
            "2024-1-01",
            "20240101",
            "2024-00-10",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }
}
