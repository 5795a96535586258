//! Nickname groups of given names, for the `nickname` token.
//!
//! The table is every `has_nickname` row of carltonnorthern/nicknames
//! (`names.csv` of the PyPI package `nicknames` 1.0.1, Apache-2.0,
//! <https://github.com/carltonnorthern/nicknames>), extracted by
//! `scripts/prior/nicknames.py` into `nicknames.csv` (`name,nickname`,
//! lowercase). A given name's canonical forms are the name itself when it
//! has nicknames, and every name it is a nickname of: `kate` → `kate`,
//! `katherine`, `kathleen`, …; `katherine` → `katherine`. Two names agree at
//! the nickname level when their canonical forms meet.

use std::collections::HashMap;
use std::sync::OnceLock;

const TABLE: &str = include_str!("nicknames.csv");

/// Canonical forms by name (both sorted, no duplicates).
fn groups() -> &'static HashMap<&'static str, Vec<&'static str>> {
    static GROUPS: OnceLock<HashMap<&'static str, Vec<&'static str>>> = OnceLock::new();
    GROUPS.get_or_init(|| {
        let mut m: HashMap<&'static str, Vec<&'static str>> = HashMap::new();
        for line in TABLE.lines().skip(1) {
            let Some((name, nick)) = line.split_once(',') else {
                continue;
            };
            m.entry(name).or_default().push(name);
            m.entry(nick).or_default().push(name);
        }
        for v in m.values_mut() {
            v.sort_unstable();
            v.dedup();
        }
        m
    })
}

/// The canonical forms of a normalised (folded, lowercase) given name;
/// empty when the table does not know it.
pub(crate) fn canonical(name: &str) -> &'static [&'static str] {
    groups().get(name).map_or(&[], Vec::as_slice)
}

#[cfg(test)]
mod tests {
    use super::canonical;

    #[test]
    fn nicknames_meet_their_full_names() {
        let meet = |a: &str, b: &str| canonical(a).iter().any(|x| canonical(b).contains(x));
        assert!(meet("kate", "katherine"));
        assert!(meet("bob", "robert"));
        assert!(meet("bill", "william"));
        assert!(!meet("robert", "katherine"));
        assert!(canonical("zzyzx").is_empty());
        assert_eq!(canonical("katherine"), ["katherine"]);
    }
}
