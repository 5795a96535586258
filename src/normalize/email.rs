//! E-mail addresses under the pseudolink profile: validation, then the
//! canonical mailbox (Gmail dots and `+tag`, provider sub-addressing). The
//! platform profiles follow their vendors' libraries (`meta.rs`, `google.rs`,
//! `uid2.rs`).
//!
//! Validation is deliberately "plausible", not RFC 5322 complete: the goal is
//! to refuse values that cannot be a deliverable address (and would only
//! produce a useless hash), while never rejecting a real one.

use super::text;
use super::NormalizeOptions;
use crate::error::ErrorCode;

/// The longest domain name (RFC 1035 §2.3.4, in presentation form without the root dot).
const MAX_DOMAIN_BYTES: usize = 253;

/// The longest DNS label (RFC 1035 §2.3.4).
const MAX_LABEL_BYTES: usize = 63;

/// How a provider folds the local part of its own addresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LocalRule {
    /// Dots are ignored and `+tag` is a sub-address (Gmail).
    DotsAndPlus,
    /// `+tag` is a sub-address; dots are significant.
    Plus,
}

/// A mail provider whose addressing rules the pseudolink profile folds.
#[derive(Debug, Clone, Copy)]
struct Provider {
    /// The lowercase domain.
    domain: &'static str,
    /// The domain the mailbox is canonically written with (`googlemail.com` is
    /// the same mailbox as `gmail.com`).
    canonical: &'static str,
    /// What the local part ignores.
    rule: LocalRule,
    /// Fastmail also delivers `tag@user.fastmail.com` to `user`.
    subdomain_addressing: bool,
    /// Where the provider documents the rule (read by the table's unit test;
    /// kept beside the entry so a reviewer sees the authority).
    #[cfg_attr(not(test), allow(dead_code))]
    source: &'static str,
}

const GMAIL_DOTS: &str = "https://support.google.com/mail/answer/7436150";
const MICROSOFT_PLUS: &str =
    "https://learn.microsoft.com/en-us/exchange/recipients-in-exchange-online/plus-addressing-in-exchange-online";
const FASTMAIL_PLUS: &str = "https://www.fastmail.help/hc/en-us/articles/360060591053";
const PROTON_PLUS: &str = "https://proton.me/support/creating-aliases";

/// Providers with documented sub-addressing, sorted by domain for binary search.
/// Yahoo (`base-keyword` disposable addresses) and iCloud are left out: Yahoo's
/// base name is not the mailbox name, and no Apple page documenting `+` was found.
const PROVIDERS: [Provider; 11] = [
    provider("fastmail.com", LocalRule::Plus, true, FASTMAIL_PLUS),
    provider("fastmail.fm", LocalRule::Plus, true, FASTMAIL_PLUS),
    provider("gmail.com", LocalRule::DotsAndPlus, false, GMAIL_DOTS),
    Provider {
        domain: "googlemail.com",
        canonical: "gmail.com",
        rule: LocalRule::DotsAndPlus,
        subdomain_addressing: false,
        source: GMAIL_DOTS,
    },
    provider("hotmail.com", LocalRule::Plus, false, MICROSOFT_PLUS),
    provider("live.com", LocalRule::Plus, false, MICROSOFT_PLUS),
    provider("msn.com", LocalRule::Plus, false, MICROSOFT_PLUS),
    provider("outlook.com", LocalRule::Plus, false, MICROSOFT_PLUS),
    provider("pm.me", LocalRule::Plus, false, PROTON_PLUS),
    provider("proton.me", LocalRule::Plus, false, PROTON_PLUS),
    provider("protonmail.com", LocalRule::Plus, false, PROTON_PLUS),
];

/// A provider entry whose canonical domain is itself (keeps the table short).
const fn provider(
    domain: &'static str,
    rule: LocalRule,
    subdomain_addressing: bool,
    source: &'static str,
) -> Provider {
    Provider {
        domain,
        canonical: domain,
        rule,
        subdomain_addressing,
        source,
    }
}

/// Finds the provider entry of a lowercase domain.
fn find_provider(domain: &str) -> Option<&'static Provider> {
    PROVIDERS
        .binary_search_by(|p| super::text::cmp_first_byte_then_all(p.domain, domain))
        .ok()
        .and_then(|i| PROVIDERS.get(i))
}

/// Normalises an e-mail address to pseudolink's canonical mailbox (the
/// platform profiles have their own rules: `meta.rs`, `google.rs`, `uid2.rs`).
pub(crate) fn normalize(value: &str, _o: &NormalizeOptions) -> Result<String, ErrorCode> {
    let trimmed = text::trim(value);
    // The common case, ASCII without spaces or controls and no provider
    // rule to apply: one lower-cased copy is the answer.
    if text::FAST_PATHS && trimmed.is_ascii() && !trimmed.bytes().any(|b| b <= b' ' || b == 0x7f) {
        let (local, _) = split_address(trimmed)?;
        let lower = trimmed.to_ascii_lowercase();
        let domain = lower.get(local.len() + 1..).unwrap_or_default();
        check_domain(domain)?;
        if !has_provider_rule(domain) {
            return Ok(lower);
        }
    }
    normalize_general(trimmed)
}

/// Whether [`canonical_mailbox`] changes an address at this lowercase domain.
fn has_provider_rule(domain: &str) -> bool {
    find_provider(domain).is_some()
        || domain
            .split_once('.')
            .and_then(|(_, parent)| find_provider(parent))
            .is_some_and(|p| p.subdomain_addressing)
}

/// [`normalize`] of a trimmed address, every case.
fn normalize_general(trimmed: &str) -> Result<String, ErrorCode> {
    // An unquoted address never contains a space.
    if trimmed.chars().any(text::is_space_like) {
        return Err(ErrorCode::EmailWhitespace);
    }
    if trimmed.chars().any(char::is_control) {
        return Err(ErrorCode::EmailInvalidCharacter);
    }
    let (local, domain) = split_address(trimmed)?;
    let local = local.to_lowercase();
    let domain = domain.to_lowercase();
    check_domain(&domain)?;
    let (local, domain) = canonical_mailbox(local, domain);
    if local.is_empty() {
        return Err(ErrorCode::EmailEmptyLocal);
    }
    let mut out = String::with_capacity(local.len() + 1 + domain.len());
    out.push_str(&local);
    out.push('@');
    out.push_str(&domain);
    Ok(out)
}

/// Splits at the one `@`; the local part must not be empty.
fn split_address(s: &str) -> Result<(&str, &str), ErrorCode> {
    let (local, domain) = s.split_once('@').ok_or(ErrorCode::EmailMissingAt)?;
    if domain.contains('@') {
        return Err(ErrorCode::EmailMultipleAt);
    }
    if local.is_empty() {
        return Err(ErrorCode::EmailEmptyLocal);
    }
    Ok((local, domain))
}

/// A plausible host name: dot-separated labels of letters (any script, so IDN
/// U-labels pass), digits and inner hyphens; at least two labels; no empty
/// label (so no trailing root dot, RFC 5321 §4.1.2 `Domain`); a top-level label
/// that is not all digits (RFC 3696 §2).
pub(crate) fn is_plausible_domain(domain: &str) -> bool {
    if domain.is_empty() || domain.len() > MAX_DOMAIN_BYTES {
        return false;
    }
    let mut labels = 0usize;
    let mut last = "";
    for label in domain.split('.') {
        if !is_label(label) {
            return false;
        }
        labels += 1;
        last = label;
    }
    labels >= 2 && !last.chars().all(|c| c.is_ascii_digit())
}

/// One DNS label: non-empty, at most 63 bytes when ASCII (U-labels are measured
/// after Punycode, which we do not compute), no leading or trailing hyphen.
fn is_label(label: &str) -> bool {
    let ok_chars = label
        .chars()
        .all(|c| c.is_alphanumeric() || c == '-' || text::is_combining_mark(c));
    !label.is_empty()
        && ok_chars
        && !label.starts_with('-')
        && !label.ends_with('-')
        && (!label.is_ascii() || label.len() <= MAX_LABEL_BYTES)
}

/// [`is_plausible_domain`] as the e-mail error.
fn check_domain(domain: &str) -> Result<(), ErrorCode> {
    if is_plausible_domain(domain) {
        Ok(())
    } else {
        Err(ErrorCode::EmailInvalidDomain)
    }
}

/// Gmail's local part: drop the `+tag` and every dot (UID2, Google and our own
/// rule agree on this much).
/// `local@domain` of an address already lower-cased the vendor's way: one `@`,
/// neither side empty, and where `fold(domain)` holds, the Gmail rule (drop a
/// `+tag`, then every dot). Google's and UID2's libraries differ only in
/// their lower-casing and their Gmail domains.
pub(crate) fn vendor_address(
    lower: &str,
    fold: impl Fn(&str) -> bool,
) -> Result<String, ErrorCode> {
    let (local, domain) = lower.split_once('@').ok_or(ErrorCode::EmailMissingAt)?;
    if domain.contains('@') {
        return Err(ErrorCode::EmailMultipleAt);
    }
    if local.is_empty() {
        return Err(ErrorCode::EmailEmptyLocal);
    }
    if domain.is_empty() {
        return Err(ErrorCode::EmailInvalidDomain);
    }
    let local = if fold(domain) {
        gmail_local(local)
    } else {
        local.to_owned()
    };
    if local.is_empty() {
        return Err(ErrorCode::EmailEmptyLocal);
    }
    Ok(format!("{local}@{domain}"))
}

fn gmail_local(local: &str) -> String {
    strip_plus(local).chars().filter(|c| *c != '.').collect()
}

/// The part before the first `+`.
fn strip_plus(local: &str) -> &str {
    local.split_once('+').map_or(local, |(base, _)| base)
}

/// The pseudolink canonical mailbox: provider aliases folded so every spelling
/// of one mailbox gives one value.
fn canonical_mailbox(local: String, domain: String) -> (String, String) {
    if let Some(p) = find_provider(&domain) {
        let folded = match p.rule {
            LocalRule::DotsAndPlus => gmail_local(&local),
            LocalRule::Plus => strip_plus(&local).to_owned(),
        };
        return (folded, p.canonical.to_owned());
    }
    // Fastmail subdomain addressing: `tag@user.fastmail.com` is `user@fastmail.com`.
    if let Some((user, parent)) = domain.split_once('.') {
        if let Some(p) = find_provider(parent).filter(|p| p.subdomain_addressing) {
            return (user.to_owned(), p.canonical.to_owned());
        }
    }
    (local, domain)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::Profile;

    fn norm(profile: Profile, v: &str) -> Result<String, ErrorCode> {
        normalize(v, &NormalizeOptions::new(profile))
    }

    #[test]
    fn the_ascii_path_matches_the_general_one() {
        // Pieces that reach every branch: providers and their aliases,
        // Fastmail subdomains, bad domains, `+tags`, dots, case, spaces and
        // controls (ASCII and not), non-ASCII letters, extra `@`s.
        let pieces = [
            "Jane.Doe",
            "+tag",
            "@",
            "gmail.com",
            "GoogleMail.com",
            "outlook.com",
            "user.fastmail.com",
            "fastmail.fm",
            "example.com",
            "EXAMPLE.co.uk",
            ".",
            "..",
            "-",
            "-x.com",
            "x-.com",
            "123",
            "1.2.3.4",
            " ",
            "\t",
            "\u{b}",
            "\u{7f}",
            "\u{0}",
            "\u{a0}",
            "\u{200b}",
            "josé",
            "ß",
            "李",
            "müller.de",
            "a",
            "Z",
            "_",
            "\"",
            "xn--bcher-kva.example",
        ];
        let mut x = 0x853c_49e6_748f_ea9bu64;
        for len in 1..7 {
            for _ in 0..4000 {
                let mut v = String::new();
                for _ in 0..len {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    v.push_str(pieces[(x % pieces.len() as u64) as usize]);
                }
                let trimmed = text::trim(&v);
                let general = if trimmed.is_empty() {
                    // The dispatcher refuses empty values before this.
                    continue;
                } else {
                    normalize_general(trimmed)
                };
                assert_eq!(norm(Profile::Pseudolink, &v), general, "{v:?}");
            }
        }
    }

    #[test]
    fn email_providers_sorted_with_sources() {
        assert!(PROVIDERS.windows(2).all(|w| w[0].domain < w[1].domain));
        assert!(PROVIDERS.iter().all(|p| p.source.starts_with("https://")));
    }

    #[test]
    fn email_trim_and_lowercase_every_profile() {
        use crate::field::Field;
        for p in Profile::ALL {
            let o = NormalizeOptions::new(p);
            let got = crate::normalize::normalize(Field::Email, " \u{a0}Jane@Example.COM\t", &o);
            assert_eq!(got.unwrap(), "jane@example.com", "{p}");
        }
    }

    #[test]
    fn email_gmail_plus_tag() {
        assert_eq!(
            norm(Profile::Pseudolink, " Jon.Smith+shop@GoogleMail.com ").unwrap(),
            "jonsmith@gmail.com"
        );
    }

    #[test]
    fn email_pseudolink_plus_providers() {
        assert_eq!(
            norm(Profile::Pseudolink, "j.d+x@outlook.com").unwrap(),
            "j.d@outlook.com"
        );
        assert_eq!(norm(Profile::Pseudolink, "j+x@pm.me").unwrap(), "j@pm.me");
        assert_eq!(
            norm(Profile::Pseudolink, "j+x@example.com").unwrap(),
            "j+x@example.com"
        );
        assert_eq!(
            norm(Profile::Pseudolink, "news@jane.fastmail.com").unwrap(),
            "jane@fastmail.com"
        );
        assert_eq!(
            norm(Profile::Pseudolink, "+x@outlook.com"),
            Err(ErrorCode::EmailEmptyLocal)
        );
    }

    #[test]
    fn email_structure_errors() {
        let p = Profile::Pseudolink;
        assert_eq!(norm(p, "no-at-sign"), Err(ErrorCode::EmailMissingAt));
        assert_eq!(norm(p, "a@b@c.com"), Err(ErrorCode::EmailMultipleAt));
        assert_eq!(norm(p, "@c.com"), Err(ErrorCode::EmailEmptyLocal));
        assert_eq!(norm(p, "a@"), Err(ErrorCode::EmailInvalidDomain));
        assert_eq!(norm(p, "a@localhost"), Err(ErrorCode::EmailInvalidDomain));
        assert_eq!(norm(p, "a@ex..com"), Err(ErrorCode::EmailInvalidDomain));
        assert_eq!(
            norm(p, "a@example.com."),
            Err(ErrorCode::EmailInvalidDomain)
        );
        assert_eq!(norm(p, "a@-ex.com"), Err(ErrorCode::EmailInvalidDomain));
        assert_eq!(norm(p, "a@10.0.0.1"), Err(ErrorCode::EmailInvalidDomain));
        assert_eq!(norm(p, "a b@c.com"), Err(ErrorCode::EmailWhitespace));
        assert_eq!(
            norm(p, "a\u{7}b@c.com"),
            Err(ErrorCode::EmailInvalidCharacter)
        );
    }

    #[test]
    fn email_idn_domain_allowed() {
        assert_eq!(
            norm(Profile::Pseudolink, "JÖRG@Bücher.DE").unwrap(),
            "jörg@bücher.de"
        );
        assert_eq!(
            norm(Profile::Pseudolink, "a@xn--bcher-kva.de").unwrap(),
            "a@xn--bcher-kva.de"
        );
    }
}
