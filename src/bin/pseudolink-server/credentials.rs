//! What the key server, the linkage service and the checkout's back office
//! share about credentials: API keys stored as SHA-256 hex, bearer tokens
//! read from requests, and browser origins on an allowlist.

use axum::http::{header, HeaderMap};
use sha2::{Digest, Sha256};

/// Why a request carries no usable bearer token.
#[derive(Debug, PartialEq, Eq)]
pub enum Bearer {
    /// No `Authorization` header.
    Missing,
    /// A header that is not `Bearer <non-empty token>`.
    Invalid,
}

/// The SHA-256 of the request's bearer token, to compare (in constant time)
/// with the stored hashes; the token itself is never kept or logged.
pub fn bearer_sha256(headers: &HeaderMap) -> Result<[u8; 32], Bearer> {
    let value = headers.get(header::AUTHORIZATION).ok_or(Bearer::Missing)?;
    let token = value
        .to_str()
        .ok()
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or(Bearer::Invalid)?;
    Ok(Sha256::digest(token.as_bytes()).into())
}

/// 64 hex digits → 32 bytes (an API key's SHA-256, a store key).
pub fn decode_hex32(s: &str) -> Option<[u8; 32]> {
    if s.len() != 64 {
        return None;
    }
    let mut out = [0; 32];
    for (i, o) in out.iter_mut().enumerate() {
        *o = u8::from_str_radix(s.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

/// `http(s)://host[:port]`, no path, as browsers send in `Origin`.
pub fn valid_origin(o: &str) -> bool {
    let Some(rest) = o
        .strip_prefix("http://")
        .or_else(|| o.strip_prefix("https://"))
    else {
        return false;
    };
    !rest.is_empty()
        && rest
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins() {
        assert!(valid_origin("http://127.0.0.1:8080"));
        assert!(valid_origin("https://shop.example"));
        assert!(!valid_origin("https://shop.example/path"));
        assert!(!valid_origin("shop.example"));
        assert!(!valid_origin("x.example"));
    }

    #[test]
    fn bearer_tokens() {
        let with = |v: &str| {
            let mut h = HeaderMap::new();
            h.insert(header::AUTHORIZATION, v.parse().unwrap());
            bearer_sha256(&h)
        };
        assert_eq!(bearer_sha256(&HeaderMap::new()), Err(Bearer::Missing));
        assert_eq!(with("Basic abc"), Err(Bearer::Invalid));
        assert_eq!(with("Bearer "), Err(Bearer::Invalid));
        let want: [u8; 32] = Sha256::digest(b"k1").into();
        assert_eq!(with("Bearer k1"), Ok(want));
        assert_eq!(with("Bearer  k1 "), Ok(want));
    }

    #[test]
    fn hex32() {
        assert_eq!(decode_hex32(&"ab".repeat(32)), Some([0xab; 32]));
        assert_eq!(decode_hex32("ab"), None);
        assert_eq!(decode_hex32(&"zz".repeat(32)), None);
    }
}
