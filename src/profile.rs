//! Normalisation profiles: pseudolink's own canonical form and the ad/identity
//! platforms' published rules.

use serde::{Deserialize, Serialize};

/// Whose rules a value is normalised (and, for platform hashes, encoded) by.
///
/// The platform profiles follow each vendor's own client library where it and
/// the vendor's documentation page disagree (Meta's capi-param-builder, the
/// UID2 operator and SDK, Google's Data Manager formatter), so a page that
/// swaps the library for pseudolink sends the same hashes;
/// `tests/vectors/README.md` lists every such choice and every deviation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Profile {
    /// Canonical identity form for linking: provider aliases folded,
    /// diacritics folded, titles removed.
    #[default]
    Pseudolink,
    /// Unified ID 2.0 / EUID: SHA-256, standard base64.
    Uid2,
    /// Google Ads enhanced conversions / Customer Match: SHA-256, lowercase hex.
    Google,
    /// Meta Conversions API customer information parameters: SHA-256, lowercase hex.
    Meta,
    /// TikTok Events API `user` parameters: SHA-256, lowercase hex.
    Tiktok,
    /// Pinterest API for Conversions `user_data`: SHA-256, lowercase hex.
    Pinterest,
    /// Snap Conversions API `user_data` e-mail and phone: SHA-256, lowercase hex.
    Snap,
    /// LinkedIn Conversions API `userIds` `SHA256_EMAIL`: SHA-256, lowercase hex.
    Linkedin,
    /// IAB Tech Lab PAIR e-mail and phone match keys: SHA-256, lowercase hex.
    Pair,
}

impl Profile {
    /// Every profile.
    pub const ALL: [Profile; 9] = [
        Profile::Pseudolink,
        Profile::Uid2,
        Profile::Google,
        Profile::Meta,
        Profile::Tiktok,
        Profile::Pinterest,
        Profile::Snap,
        Profile::Linkedin,
        Profile::Pair,
    ];

    /// Stable lowercase name (`"pseudolink"`, `"uid2"`, `"google"`, `"meta"`,
    /// `"tiktok"`, `"pinterest"`, `"snap"`, `"linkedin"`, `"pair"`).
    pub const fn name(self) -> &'static str {
        match self {
            Profile::Pseudolink => "pseudolink",
            Profile::Uid2 => "uid2",
            Profile::Google => "google",
            Profile::Meta => "meta",
            Profile::Tiktok => "tiktok",
            Profile::Pinterest => "pinterest",
            Profile::Snap => "snap",
            Profile::Linkedin => "linkedin",
            Profile::Pair => "pair",
        }
    }

    /// Looks a profile up by its name.
    pub fn from_name(name: &str) -> Option<Profile> {
        Profile::ALL.into_iter().find(|p| p.name() == name)
    }
}

impl core::fmt::Display for Profile {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.name())
    }
}
