//! Keyed tokens: HMAC-SHA-256 under a caller's secret, domain-separated by
//! subject (field or match key) and format version.
//!
//! Wire format (URL-safe, `.`-separated, no padding):
//!
//! ```text
//! pl1.<subject>.<keyId>.<base64url(HMAC-SHA-256(secret, message))>
//! message = "pseudolink/token/v1" 0x00 <subject> 0x00 <value>
//! ```
//!
//! `<subject>` is a field's wire name (`email`) or `mk-<name>` for a match key,
//! whose value is its parts, each as a 4-byte big-endian length then bytes.
//! Subjects come from a closed alphabet without `0x00` or `.`, so two different
//! (subject, value) pairs never produce the same message.

use crate::encoding::{base64_url_decode, encode_b64, push_b64_url_32, B64_URL};
use crate::error::{Error, ErrorCode, Subject};
use crate::sha256x::{HmacBatch, HmacPads, HmacScratch, Prefix};
use hmac::{KeyInit, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

/// Token format version written into every keyed token.
pub const TOKEN_VERSION: &str = "pl1";
/// Every token version [`Token::parse`] reads: keyed (`pl1`) and oblivious
/// (`po1`, RFC 9497 VOPRF outputs).
pub const TOKEN_VERSIONS: [&str; 2] = [TOKEN_VERSION, "po1"];
/// Prefix of every HMAC message; changing it changes every token.
const DOMAIN: &[u8] = b"pseudolink/token/v1";
/// Shortest secret accepted: 256 bits, the HMAC-SHA-256 security level.
pub const MIN_SECRET_BYTES: usize = 32;
/// Longest key id, so tokens stay short.
pub const MAX_KEY_ID_LEN: usize = 32;

type HmacSha256 = hmac::Hmac<Sha256>;

/// Secret key bytes the caller owns. Zeroised on drop, compared in constant
/// time, and deliberately without `Debug`/`Display`/`Clone`.
pub struct Secret(Zeroizing<Vec<u8>>);

impl Secret {
    /// Takes ownership of secret bytes; at least [`MIN_SECRET_BYTES`].
    pub fn new(bytes: Vec<u8>) -> Result<Self, Error> {
        let bytes = Zeroizing::new(bytes);
        if bytes.len() < MIN_SECRET_BYTES {
            return Err(Error::new(Subject::Keys, ErrorCode::KeyTooShort));
        }
        Ok(Secret(bytes))
    }

    /// Copies secret bytes from a slice the caller keeps (and should wipe).
    pub fn from_slice(bytes: &[u8]) -> Result<Self, Error> {
        Secret::new(bytes.to_vec())
    }

    pub(crate) fn expose(&self) -> &[u8] {
        &self.0
    }
}

impl ConstantTimeEq for Secret {
    fn ct_eq(&self, other: &Self) -> subtle::Choice {
        // Lengths are not secret; contents are compared without early exit.
        self.0.as_slice().ct_eq(other.0.as_slice())
    }
}

impl PartialEq for Secret {
    fn eq(&self, other: &Self) -> bool {
        self.ct_eq(other).into()
    }
}
impl Eq for Secret {}

/// A key id: 1–32 characters of `[A-Za-z0-9_-]`, carried in every token so a
/// verifier knows which key (version) made it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyId(String);

impl KeyId {
    /// Validates a key id.
    pub fn new(id: &str) -> Result<Self, Error> {
        if id.is_empty() || id.len() > MAX_KEY_ID_LEN || !id.bytes().all(is_id_byte) {
            return Err(Error::new(Subject::Keys, ErrorCode::KeyInvalidId));
        }
        Ok(KeyId(id.to_owned()))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl core::fmt::Display for KeyId {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&self.0)
    }
}

pub(crate) fn is_id_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

/// A token key: its id and an HMAC state with the inner and outer pads already
/// absorbed, so each token costs two compression calls over the message
/// instead of four. The state is key-equivalent and zeroised on drop.
pub struct TokenKey {
    id: KeyId,
    mac: HmacSha256,
    /// Per field: the HMAC state after `DOMAIN 0x00 <field> 0x00`, and the
    /// token's text prefix `pl1.<field>.<keyId>.`. Both depend only on the key
    /// and the field, so each token starts from them.
    fields: Vec<(HmacSha256, String)>,
    /// The same key as pads, and per field the inner state after
    /// `DOMAIN 0x00 <field> 0x00`: for [`HmacBatch`] (many tokens at once)
    /// and for tokens straight over `compress256` ([`HmacPads::finish`]).
    /// `None` in builds where neither pays (`sha256x::BATCH_PAYS`,
    /// `sha256x::DIRECT_PAYS`: wasm), so they carry none of its code.
    pads: Option<HmacPads>,
    field_prefixes: Vec<Prefix>,
}

impl TokenKey {
    /// Prepares a key from its id and secret.
    pub fn new(id: &str, secret: &Secret) -> Result<Self, Error> {
        let id = KeyId::new(id)?;
        let mac = HmacSha256::new_from_slice(secret.expose())
            .map_err(|_| Error::new(Subject::Keys, ErrorCode::KeyTooShort))?;
        let fields = crate::Field::ALL
            .iter()
            .map(|f| {
                let mut m = mac.clone();
                absorb_subject(&mut m, f.name(), false);
                (m, format!("{TOKEN_VERSION}.{}.{}.", f.name(), id.0))
            })
            .collect();
        let pads = (crate::sha256x::BATCH_PAYS || crate::sha256x::DIRECT_PAYS)
            .then(|| HmacPads::new(secret.expose()));
        let field_prefixes = match &pads {
            Some(pads) => crate::Field::ALL
                .iter()
                .map(|f| pads.prefixed(&[DOMAIN, &[0], f.name().as_bytes(), &[0]]))
                .collect(),
            None => Vec::new(),
        };
        Ok(TokenKey {
            id,
            mac,
            fields,
            pads,
            field_prefixes,
        })
    }

    /// Queues the HMAC of a field token in `batch` and returns the token's
    /// text prefix, to write with the tag once the batch is done ([`push_b64_tag`]).
    /// `None` (nothing queued) for a field without a prepared state, which
    /// [`TokenKey::write_field_token`] handles one at a time.
    pub(crate) fn queue_field_token(
        &self,
        field: crate::Field,
        value: &str,
        batch: &mut HmacBatch,
    ) -> Option<&str> {
        let pads = self.pads.as_ref()?;
        let prefix = self.field_prefixes.get(field.index())?;
        let (_, text) = self.fields.get(field.index())?;
        batch.push(pads, prefix, &[value.as_bytes()]);
        Some(text)
    }

    /// The text prefix of a field's tokens when it has a prepared state
    /// (exactly when [`TokenKey::queue_field_token`] queues).
    pub(crate) fn queue_field_prefix(&self, field: crate::Field) -> Option<&str> {
        self.pads.as_ref()?;
        self.field_prefixes.get(field.index())?;
        self.fields
            .get(field.index())
            .map(|(_, text)| text.as_str())
    }

    /// Queues the HMAC of a match key's token in `batch` (`body` is scratch);
    /// `false` (nothing queued) when this key does not batch.
    pub(crate) fn queue_match_key_token(
        &self,
        name: &str,
        parts: &[&[u8]],
        body: &mut Vec<u8>,
        batch: &mut HmacBatch,
    ) -> bool {
        let Some(pads) = &self.pads else {
            return false;
        };
        body.clear();
        body.extend_from_slice(DOMAIN);
        body.push(0);
        body.extend_from_slice(b"mk-");
        body.extend_from_slice(name.as_bytes());
        body.push(0);
        for p in parts {
            body.extend_from_slice(&(p.len() as u32).to_be_bytes());
            body.extend_from_slice(p);
        }
        batch.push(pads, pads.inner(), &[body]);
        true
    }

    /// Whether [`TokenKey::queue_match_key_token`] queues.
    pub(crate) fn batches(&self) -> bool {
        self.pads.is_some()
    }

    /// Appends `pl1.mk-<name>.<keyId>.` and the tag: a match key's token
    /// from its batch-computed tag.
    pub(crate) fn write_match_key_token(&self, name: &str, tag: &[u8; 32], out: &mut String) {
        out.push_str(TOKEN_VERSION);
        out.push_str(".mk-");
        out.push_str(name);
        out.push('.');
        out.push_str(&self.id.0);
        out.push('.');
        push_b64_tag(tag, out);
    }

    /// The key's id.
    pub fn id(&self) -> &KeyId {
        &self.id
    }

    /// The token of one normalised field value.
    pub fn field_token(&self, field: crate::Field, value: &str) -> String {
        let mut out = String::with_capacity(64);
        self.write_field_token(field, value, &mut out);
        out
    }

    /// Appends the token of one normalised field value to `out` (batch work
    /// reuses one buffer instead of allocating a string per token).
    pub fn write_field_token(&self, field: crate::Field, value: &str, out: &mut String) {
        // Natively this thread's HMAC scratch; wasm never touches one.
        if crate::sha256x::DIRECT_PAYS && self.direct_field(field).is_some() {
            crate::sha256x::with_scratch(|s| self.write_field_token_with(field, value, s, out));
        } else {
            self.write_field_token_hmac(field, value, out);
        }
    }

    /// [`TokenKey::write_field_token`] with a given scratch (tests run it
    /// with one reused for many tokens).
    pub(crate) fn write_field_token_with(
        &self,
        field: crate::Field,
        value: &str,
        scratch: &mut HmacScratch,
        out: &mut String,
    ) {
        if let Some((pads, prefix, (_, text))) = self.direct_field(field) {
            scratch.start(prefix);
            scratch.absorb(value.as_bytes());
            out.push_str(text);
            push_b64_tag(&scratch.finish(pads), out);
        } else {
            self.write_field_token_hmac(field, value, out);
        }
    }

    /// A field's token through the `hmac` crate (wasm).
    fn write_field_token_hmac(&self, field: crate::Field, value: &str, out: &mut String) {
        match self.fields.get(field.index()) {
            Some((prepared, prefix)) => {
                let mut mac = prepared.clone();
                mac.update(value.as_bytes());
                out.push_str(prefix);
                push_tag(mac, out);
            }
            None => out.push_str(&self.token(field.name(), &[value.as_bytes()], false)),
        }
    }

    /// The token of a derived value under its own subject (not a field's:
    /// e.g. `nickname`, the canonical given name), `pl1.<subject>.<keyId>.<tag>`.
    #[cfg(feature = "fuzzy")]
    pub(crate) fn subject_token(&self, subject: &str, value: &str) -> String {
        self.token(subject, &[value.as_bytes()], false)
    }

    /// The token of a composite match key from its normalised parts.
    pub fn match_key_token(&self, name: &str, parts: &[&[u8]]) -> String {
        self.token(name, parts, true)
    }

    /// The pads and a field's prepared inner state and text prefix, when
    /// tokens are made straight over `compress256` in this build.
    fn direct_field(
        &self,
        field: crate::Field,
    ) -> Option<(&HmacPads, &Prefix, &(HmacSha256, String))> {
        if !crate::sha256x::DIRECT_PAYS {
            return None;
        }
        let pads = self.pads.as_ref()?;
        Some((
            pads,
            self.field_prefixes.get(field.index())?,
            self.fields.get(field.index())?,
        ))
    }

    /// Where a field's tokens start under this key, when they are made
    /// straight over `compress256` in this build.
    pub(crate) fn field_start(&self, field: crate::Field) -> Option<DirectStart<'_>> {
        let (pads, inner, (_, text)) = self.direct_field(field)?;
        Some(DirectStart { pads, inner, text })
    }

    /// Where a match key's tokens start under this key, from its
    /// [`TokenKey::match_key_start`].
    pub(crate) fn match_key_direct<'a>(
        &'a self,
        start: &'a MatchKeyStart,
    ) -> Option<DirectStart<'a>> {
        Some(DirectStart {
            pads: self.pads.as_ref()?,
            inner: &start.inner,
            text: &start.text,
        })
    }

    /// A match key's starting point under this key, made once per
    /// pseudonymizer: `None` where tokens go through the `hmac` crate.
    pub(crate) fn match_key_start(&self, name: &str) -> Option<MatchKeyStart> {
        if !crate::sha256x::DIRECT_PAYS {
            return None;
        }
        let pads = self.pads.as_ref()?;
        Some(MatchKeyStart {
            inner: pads.prefixed(&[DOMAIN, &[0], b"mk-", name.as_bytes(), &[0]]),
            text: format!("{TOKEN_VERSION}.mk-{name}.{}.", self.id.0),
        })
    }

    fn token(&self, subject: &str, parts: &[&[u8]], match_key: bool) -> String {
        if let Some(pads) = self.pads.as_ref().filter(|_| crate::sha256x::DIRECT_PAYS) {
            let mk: &[u8] = if match_key { b"mk-" } else { b"" };
            let tag = crate::sha256x::with_scratch(|scratch| {
                scratch.start(pads.inner());
                for head in [DOMAIN, &[0], mk, subject.as_bytes(), &[0]] {
                    scratch.absorb(head);
                }
                absorb_parts(scratch, parts, match_key);
                scratch.finish(pads)
            });
            let mut out = String::with_capacity(4 + subject.len() + 4 + self.id.0.len() + 44);
            push_token_head(&mut out, subject, &self.id, match_key);
            push_b64_tag(&tag, &mut out);
            return out;
        }
        let mut mac = self.mac.clone();
        absorb_subject(&mut mac, subject, match_key);
        if match_key {
            for p in parts {
                mac.update(&(p.len() as u32).to_be_bytes());
                mac.update(p);
            }
        } else {
            for p in parts {
                mac.update(p);
            }
        }
        let mut out = String::with_capacity(4 + subject.len() + 4 + self.id.0.len() + 44);
        push_token_head(&mut out, subject, &self.id, match_key);
        push_tag(mac, &mut out);
        out
    }
}

/// A match key's HMAC inner state after `DOMAIN 0x00 mk-<name> 0x00` under
/// one key, and its tokens' text prefix `pl1.mk-<name>.<keyId>.`.
#[derive(Clone)]
pub(crate) struct MatchKeyStart {
    inner: Prefix,
    text: String,
}

/// A token's cached starting point: the key's pads, the HMAC state after
/// the token's domain-separated subject, and the token's text prefix.
#[derive(Clone, Copy)]
pub(crate) struct DirectStart<'a> {
    pads: &'a HmacPads,
    inner: &'a Prefix,
    text: &'a str,
}

/// Tokens made two at a time ([`HmacScratch::finish_pair`], SHA-NI
/// interleaved where present) and handed out in the order they were pushed,
/// each with its caller's label `L`. A record's tokens are independent
/// HMACs, so pairing them changes no byte and only the time.
pub(crate) struct TokensInPairs<'s, 'a, L> {
    scratch: &'s mut [HmacScratch; 2],
    /// The token whose value sits absorbed in `scratch[0]`.
    held: Option<(L, DirectStart<'a>)>,
    text: String,
}

impl<'s, 'a, L: Copy> TokensInPairs<'s, 'a, L> {
    pub(crate) fn new(scratch: &'s mut [HmacScratch; 2]) -> Self {
        TokensInPairs {
            scratch,
            held: None,
            text: String::with_capacity(96),
        }
    }

    /// The token of `parts` (a field's value, or a match key's parts) from
    /// `start`; emitted with the next one, or by [`TokensInPairs::flush`].
    pub(crate) fn push(
        &mut self,
        label: L,
        start: DirectStart<'a>,
        parts: &[&[u8]],
        match_key: bool,
        emit: &mut impl FnMut(L, &str),
    ) {
        let [first, second] = &mut *self.scratch;
        match self.held.take() {
            None => {
                first.start(start.inner);
                absorb_parts(first, parts, match_key);
                self.held = Some((label, start));
            }
            Some((held_label, held)) => {
                second.start(start.inner);
                absorb_parts(second, parts, match_key);
                let (a, b) = HmacScratch::finish_pair(first, held.pads, second, start.pads);
                self.write(held_label, held, &a, emit);
                self.write(label, start, &b, emit);
            }
        }
    }

    /// Emits a token still waiting for its pair: call before emitting
    /// anything made another way, and at the end.
    pub(crate) fn flush(&mut self, emit: &mut impl FnMut(L, &str)) {
        if let Some((label, start)) = self.held.take() {
            let tag = self.scratch[0].finish(start.pads);
            self.write(label, start, &tag, emit);
        }
    }

    fn write(
        &mut self,
        label: L,
        start: DirectStart<'_>,
        tag: &[u8; 32],
        emit: &mut impl FnMut(L, &str),
    ) {
        self.text.clear();
        self.text.push_str(start.text);
        push_b64_tag(tag, &mut self.text);
        emit(label, &self.text);
    }
}

/// Appends `pl1.[mk-]<subject>.<keyId>.`.
fn push_token_head(out: &mut String, subject: &str, id: &KeyId, match_key: bool) {
    out.push_str(TOKEN_VERSION);
    out.push('.');
    if match_key {
        out.push_str("mk-");
    }
    out.push_str(subject);
    out.push('.');
    out.push_str(&id.0);
    out.push('.');
}

/// Absorbs a token's value: a field's bytes as they are, a match key's parts
/// each as a 4-byte big-endian length and its bytes.
fn absorb_parts(inner: &mut HmacScratch, parts: &[&[u8]], match_key: bool) {
    for p in parts {
        if match_key {
            inner.absorb(&(p.len() as u32).to_be_bytes());
        }
        inner.absorb(p);
    }
}

/// Absorbs the domain-separation prefix `DOMAIN 0x00 [mk-]<subject> 0x00`.
fn absorb_subject(mac: &mut HmacSha256, subject: &str, match_key: bool) {
    mac.update(DOMAIN);
    mac.update(&[0]);
    if match_key {
        mac.update(b"mk-");
    }
    mac.update(subject.as_bytes());
    mac.update(&[0]);
}

/// Finalises the MAC and appends the tag, base64url (43 characters).
fn push_tag(mac: HmacSha256, out: &mut String) {
    let tag = mac.finalize().into_bytes();
    encode_b64(&tag, B64_URL, false, out);
}

/// Appends a batch-computed tag, base64url (43 characters).
pub(crate) fn push_b64_tag(tag: &[u8; 32], out: &mut String) {
    push_b64_url_32(tag, out);
}

impl ZeroizeOnDrop for TokenKey {}

impl Drop for TokenKey {
    fn drop(&mut self) {
        // The HMAC state is two SHA-256 cores (inner and outer pad absorbed);
        // with sha2's `zeroize` feature each core wipes its state in its own
        // `Drop`, which runs right after this. The id is not secret but is
        // wiped too so nothing of the key lingers.
        self.id.0.zeroize();
    }
}

/// A parsed token: which version, subject and key made it. The tag is opaque.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token<'a> {
    /// Format version (`pl1` keyed, `po1` oblivious).
    pub version: &'a str,
    /// Field wire name, or `mk-<name>` for a match key.
    pub subject: &'a str,
    /// Id of the key that made it.
    pub key_id: &'a str,
    /// The 32-byte tag (HMAC for `pl1`, truncated OPRF output for `po1`).
    pub tag: [u8; 32],
}

impl<'a> Token<'a> {
    /// Parses `pl1.<subject>.<keyId>.<tag>` (keyed) or
    /// `po1.<subject>.<keyVersion>.<tag>` (oblivious, see `crate::oblivious`);
    /// `None` if it is not a token. Both have a 32-byte tag, so linking
    /// treats them alike; tokens of different versions never agree.
    pub fn parse(s: &'a str) -> Option<Token<'a>> {
        let mut it = s.split('.');
        let (version, subject, key_id, tag) = (it.next()?, it.next()?, it.next()?, it.next()?);
        if it.next().is_some() || !TOKEN_VERSIONS.contains(&version) {
            return None;
        }
        if subject.is_empty() || !subject.bytes().all(is_id_byte) {
            return None;
        }
        KeyId::new(key_id).ok()?;
        let tag: [u8; 32] = base64_url_decode(tag)?.try_into().ok()?;
        Some(Token {
            version,
            subject,
            key_id,
            tag,
        })
    }

    /// Whether two tokens agree, comparing tags in constant time.
    pub fn agrees_with(&self, other: &Token<'_>) -> bool {
        self.version == other.version
            && self.subject == other.subject
            && self.key_id == other.key_id
            && bool::from(self.tag.ct_eq(&other.tag))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Field;

    fn key(id: &str, byte: u8) -> TokenKey {
        TokenKey::new(id, &Secret::new(vec![byte; 32]).unwrap()).unwrap()
    }

    #[test]
    fn secret_shorter_than_32_bytes_is_rejected() {
        let e = Secret::new(vec![1; 31]).err().unwrap();
        assert_eq!(e.code(), ErrorCode::KeyTooShort);
    }

    #[test]
    fn key_id_alphabet() {
        assert!(KeyId::new("k2026-01_a").is_ok());
        for bad in ["", "has.dot", "space here", "ü", &"a".repeat(33)] {
            assert_eq!(KeyId::new(bad).unwrap_err().code(), ErrorCode::KeyInvalidId);
        }
    }

    #[test]
    fn token_carries_version_field_and_key_id() {
        let t = key("k1", 7).field_token(Field::Email, "jane@example.com");
        let p = Token::parse(&t).unwrap();
        assert_eq!((p.version, p.subject, p.key_id), ("pl1", "email", "k1"));
        assert_eq!(t.len(), "pl1.email.k1.".len() + 43);
        assert!(t.bytes().all(|b| is_id_byte(b) || b == b'.'));
    }

    #[test]
    fn token_is_domain_separated_by_field_and_key() {
        let k = key("k1", 7);
        let a = k.field_token(Field::FirstName, "jordan");
        let b = k.field_token(Field::LastName, "jordan");
        assert_ne!(Token::parse(&a).unwrap().tag, Token::parse(&b).unwrap().tag);
        let c = key("k2", 8).field_token(Field::FirstName, "jordan");
        assert_ne!(Token::parse(&a).unwrap().tag, Token::parse(&c).unwrap().tag);
    }

    #[test]
    fn match_key_parts_are_length_prefixed() {
        let k = key("k1", 7);
        let ab_c = k.match_key_token("x", &[b"ab", b"c"]);
        let a_bc = k.match_key_token("x", &[b"a", b"bc"]);
        assert_ne!(ab_c, a_bc);
    }

    /// A token the long way: the `hmac` crate over the whole message.
    fn reference_token(secret: &[u8], id: &str, subject: &str, value: &[u8]) -> String {
        let mut mac = HmacSha256::new_from_slice(secret).unwrap();
        mac.update(&[DOMAIN, &[0], subject.as_bytes(), &[0], value].concat());
        let mut out = format!("{TOKEN_VERSION}.{subject}.{id}.");
        push_tag(mac, &mut out);
        out
    }

    /// Values of every length up to 130 bytes (one and two blocks), ASCII
    /// and not, with the text a field might hold.
    fn values() -> Vec<String> {
        let mut v: Vec<String> = [
            "",
            "a",
            "jane@example.com",
            "josé",
            "zoë",
            "müller",
            "李",
            "o'brien 🙂",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let alphabet: Vec<char> = "abcxyz019@.-_ éüß李🙂".chars().collect();
        for len in 0..130 {
            v.push(
                (0..len)
                    .map(|i| alphabet[(i * 5 + len) % alphabet.len()])
                    .collect(),
            );
        }
        v
    }

    #[test]
    fn field_tokens_match_the_hmac_crate_on_many_values() {
        let secret = [0x42u8; 40];
        let k = TokenKey::new("k-7", &Secret::new(secret.to_vec()).unwrap()).unwrap();
        let mut scratch = HmacScratch::default();
        for v in values() {
            for f in crate::Field::ALL {
                let want = reference_token(&secret, "k-7", f.name(), v.as_bytes());
                assert_eq!(k.field_token(f, &v), want, "{f:?} {v:?}");
                // A reused scratch (as a record's tokens share one).
                let mut out = String::new();
                k.write_field_token_with(f, &v, &mut scratch, &mut out);
                assert_eq!(out, want, "{f:?} {v:?}");
            }
        }
    }

    #[test]
    fn tokens_in_pairs_match_one_at_a_time_in_order() {
        let secret = [0x42u8; 40];
        let k = TokenKey::new("k-7", &Secret::new(secret.to_vec()).unwrap()).unwrap();
        let jobs: Vec<(crate::Field, String)> = values()
            .into_iter()
            .enumerate()
            .map(|(i, v)| (crate::Field::ALL[i % crate::Field::ALL.len()], v))
            .collect();
        // Every count, so each ends both on a whole pair and on a held token;
        // one scratch pair reused throughout, as a thread's is.
        let mut pair = Default::default();
        for n in [0, 1, 2, 3, 7, jobs.len()] {
            let mut got = Vec::new();
            let mut two = TokensInPairs::new(&mut pair);
            let mut emit = |i: usize, t: &str| got.push((i, t.to_owned()));
            for (i, (f, v)) in jobs.iter().take(n).enumerate() {
                two.push(
                    i,
                    k.field_start(*f).unwrap(),
                    &[v.as_bytes()],
                    false,
                    &mut emit,
                );
            }
            two.flush(&mut emit);
            let want: Vec<(usize, String)> = jobs
                .iter()
                .take(n)
                .enumerate()
                .map(|(i, (f, v))| (i, reference_token(&secret, "k-7", f.name(), v.as_bytes())))
                .collect();
            assert_eq!(got, want, "{n} tokens");
        }
    }

    #[test]
    fn match_key_tokens_match_the_hmac_crate_on_many_values() {
        let secret = [0x17u8; 32];
        let k = TokenKey::new("k1", &Secret::new(secret.to_vec()).unwrap()).unwrap();
        let values = values();
        for (i, a) in values.iter().enumerate() {
            let b = &values[(i * 7 + 3) % values.len()];
            let parts: [&[u8]; 2] = [a.as_bytes(), b.as_bytes()];
            let mut body = Vec::new();
            for p in parts {
                body.extend_from_slice(&(p.len() as u32).to_be_bytes());
                body.extend_from_slice(p);
            }
            for name in [
                "nameDob",
                "x",
                "a-much-longer-match-key-name-that-spans-more-of-the-block",
            ] {
                let want = reference_token(&secret, "k1", &format!("mk-{name}"), &body);
                assert_eq!(k.match_key_token(name, &parts), want);
                if let Some(start) = k.match_key_start(name) {
                    // Made in a pair with a field token, in push order.
                    let (mut pair, mut got) = (Default::default(), Vec::new());
                    let mut two = TokensInPairs::new(&mut pair);
                    let mut emit = |i: usize, t: &str| got.push((i, t.to_owned()));
                    let field = k.field_start(crate::Field::Email).unwrap();
                    two.push(
                        0,
                        k.match_key_direct(&start).unwrap(),
                        &parts,
                        true,
                        &mut emit,
                    );
                    two.push(1, field, &[b.as_bytes()], false, &mut emit);
                    two.flush(&mut emit);
                    let email = reference_token(&secret, "k1", "email", b.as_bytes());
                    assert_eq!(got, [(0, want), (1, email)]);
                }
            }
        }
    }

    #[test]
    fn secrets_compare_by_content() {
        assert!(Secret::new(vec![1; 32]).unwrap() == Secret::new(vec![1; 32]).unwrap());
        assert!(Secret::new(vec![1; 32]).unwrap() != Secret::new(vec![2; 32]).unwrap());
    }

    #[test]
    fn token_key_state_is_zeroize_on_drop() {
        fn assert_zod<T: ZeroizeOnDrop>() {}
        // The pad states live in these cores; they wipe themselves on drop.
        assert_zod::<sha2::block_api::Sha256VarCore>();
        assert_zod::<TokenKey>();
    }

    #[test]
    fn token_parse_rejects_malformed() {
        for bad in [
            "",
            "pl1.email.k1",
            "pl2.email.k1.AAAA",
            "pl1.em ail.k1.AAAA",
            "pl1.email.k1.!!",
        ] {
            assert!(Token::parse(bad).is_none(), "{bad}");
        }
    }
}
