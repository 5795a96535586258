//! What the key server's and the linkage service's configs share: API keys
//! stored as SHA-256 hex, and browser origins on an allowlist.

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
    fn hex32() {
        assert_eq!(decode_hex32(&"ab".repeat(32)), Some([0xab; 32]));
        assert_eq!(decode_hex32("ab"), None);
        assert_eq!(decode_hex32(&"zz".repeat(32)), None);
    }
}
